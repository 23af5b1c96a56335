"""End-to-end training runs on the tiny model: outputs, progress, continuation, determinism."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from helpers import train
from isara_trainer.errors import InputError, TrainingError


def _logits(model, tokenizer, text="BEGINNING OF CONVERSATION: USER: Why? ASSISTANT:"):
    with torch.no_grad():
        return model(**tokenizer(text, return_tensors="pt")).logits


def test_lora_run_writes_adapter_result_and_events(make_spec, tmp_path):
    result, events = train(make_spec(epochs=2))

    out = tmp_path / "out"
    assert result["adapterDir"] == str(out / "adapter")
    assert result["ggufAdapterPath"] == str(out / "adapter.gguf")
    assert (out / "adapter" / "adapter_model.safetensors").is_file()
    assert (out / "adapter.gguf").is_file()
    config = json.loads((out / "adapter" / "adapter_config.json").read_text())
    assert config["r"] == 4 and config["lora_alpha"] == 8
    assert sorted(config["target_modules"]) == sorted(
        ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    )
    assert json.loads((out / "result.json").read_text()) == result

    # 5 rows, batch 2 -> 3 steps per epoch, 2 epochs.
    assert result["steps"] == 6 and len(result["losses"]) == 6
    assert result["finalLoss"] == result["losses"][-1]
    assert [e["event"] for e in events] == ["start"] + ["progress"] * 6 + ["done"]
    assert events[0]["totalSteps"] == 6 and events[0]["examples"] == 5 and events[0]["device"] == "cpu"
    progress = events[1:-1]
    assert [p["step"] for p in progress] == [1, 2, 3, 4, 5, 6]
    assert all(p["totalSteps"] == 6 and p["tokensPerSecond"] > 0 and math.isfinite(p["loss"]) for p in progress)
    assert [p["loss"] for p in progress] == result["losses"]
    assert events[-1] == {"event": "done", **result}
    # A high learning rate on 5 rows: the second epoch fits them better than the first.
    assert sum(result["losses"][3:]) < sum(result["losses"][:3])


def test_adapter_reloads_with_peft_and_changes_the_model(make_spec, tiny_hf):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    result, _ = train(make_spec())
    tokenizer = AutoTokenizer.from_pretrained(str(tiny_hf))
    base = AutoModelForCausalLM.from_pretrained(str(tiny_hf)).eval()
    before = _logits(base, tokenizer)
    tuned = PeftModel.from_pretrained(base, result["adapterDir"]).eval()
    after = _logits(tuned, tokenizer)
    assert not torch.allclose(before, after, atol=1e-4)
    weights = load_file(str(Path(result["adapterDir"]) / "adapter_model.safetensors"))
    assert len(weights) == 2 * 7 * 2  # 2 layers x 7 modules x (A, B)
    assert all(key.startswith("base_model.model.model.layers.") for key in weights)


def test_same_seed_same_run(make_spec, tmp_path):
    first, _ = train(make_spec("a.json", outputDir=str(tmp_path / "a"), loraDropout=0.1))
    second, _ = train(make_spec("b.json", outputDir=str(tmp_path / "b"), loraDropout=0.1))
    other, _ = train(make_spec("c.json", outputDir=str(tmp_path / "c"), loraDropout=0.1, seed=8))
    assert first["losses"] == second["losses"]
    a = load_file(str(Path(first["adapterDir"]) / "adapter_model.safetensors"))
    b = load_file(str(Path(second["adapterDir"]) / "adapter_model.safetensors"))
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert other["losses"] != first["losses"]


def test_continues_from_the_previous_adapter(make_spec, tmp_path):
    first, _ = train(make_spec("r1.json", outputDir=str(tmp_path / "r1"), epochs=3))
    second, _ = train(make_spec("r2.json", outputDir=str(tmp_path / "r2"), previousAdapter=first["adapterDir"]))
    fresh, _ = train(make_spec("f.json", outputDir=str(tmp_path / "fresh")))
    # Round 2 starts where round 1 ended, far below where a fresh adapter starts.
    assert second["losses"][0] < fresh["losses"][0] - 0.5
    assert second["losses"][0] < first["losses"][0] - 0.5
    before = load_file(str(Path(first["adapterDir"]) / "adapter_model.safetensors"))
    after = load_file(str(Path(second["adapterDir"]) / "adapter_model.safetensors"))
    assert before.keys() == after.keys()
    assert any(not torch.equal(before[k], after[k]) for k in before)  # it was trained, not copied


def test_previous_adapter_that_does_not_fit_is_bad_input(make_spec, tmp_path):
    """An adapter whose matrices do not fit the base model's shapes (an adapter of another model) is
    refused as bad input with a message naming both, not reported as a training crash."""
    first, _ = train(make_spec("r1.json", outputDir=str(tmp_path / "r1"), loraRank=4))
    config_path = Path(first["adapterDir"]) / "adapter_config.json"
    weights = load_file(str(Path(first["adapterDir"]) / "adapter_model.safetensors"))
    from safetensors.torch import save_file

    save_file(
        {k: torch.zeros(v.shape[0], v.shape[1] + 3) if "lora_A" in k else v for k, v in weights.items()},
        str(Path(first["adapterDir"]) / "adapter_model.safetensors"),
    )
    assert config_path.is_file()
    with pytest.raises(InputError, match="does not fit baseModel"):
        train(make_spec("r2.json", outputDir=str(tmp_path / "r2"), previousAdapter=first["adapterDir"]))


def test_gguf_base_model_trains(make_spec, tiny_gguf):
    result, events = train(make_spec(baseModel=str(tiny_gguf)))
    assert events[-1]["event"] == "done"
    assert Path(result["ggufAdapterPath"]).is_file()


def test_full_fine_tune_writes_a_loadable_model(make_spec, tmp_path, tiny_gguf):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    result, _ = train(make_spec(method="full", baseModel=str(tiny_gguf), learningRate=1e-3))
    folder = Path(result["adapterDir"])
    assert folder == tmp_path / "out" / "model"
    assert "ggufAdapterPath" not in result
    config = json.loads((folder / "config.json").read_text())
    assert "quantization_config" not in config  # a plain float model, not "quantised with gguf"
    model = AutoModelForCausalLM.from_pretrained(str(folder)).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    assert _logits(model, tokenizer).isfinite().all()

    # The next round continues from this model folder.
    second, _ = train(
        make_spec(
            "r2.json",
            method="full",
            baseModel=str(tiny_gguf),
            previousAdapter=str(folder),
            outputDir=str(tmp_path / "r2"),
            learningRate=1e-3,
        )
    )
    assert second["losses"][0] < result["losses"][0]


def test_nan_loss_is_a_training_failure(make_spec, tmp_path, tiny_hf):
    from transformers import AutoModelForCausalLM

    broken = tmp_path / "broken"
    model = AutoModelForCausalLM.from_pretrained(str(tiny_hf))
    with torch.no_grad():
        model.model.norm.weight.fill_(float("nan"))
    model.save_pretrained(str(broken))
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (broken / name).write_bytes((tiny_hf / name).read_bytes())
    stale = tmp_path / "out" / "result.json"  # left by an earlier, successful run in the same folder
    stale.parent.mkdir()
    stale.write_text('{"adapterDir": "old", "steps": 1, "finalLoss": 0.1, "losses": [0.1]}')
    with pytest.raises(TrainingError, match="loss became nan at step 1; lower learningRate"):
        train(make_spec(baseModel=str(broken)))
    assert not stale.exists()
