"""The GGUF LoRA export: the metadata and tensor layout llama.cpp's loader checks, and the q/k row
permutation that makes the update land on the same weights as in PyTorch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from helpers import train
from isara_trainer.gguf_lora import LLAMA_MODULES, gguf_tensors, permute_rows
from tiny_models import gguf_weights


def _field(reader, key):
    field = reader.fields[key]
    value = field.parts[field.data[0]]
    return bytes(value).decode() if field.types[0].name == "STRING" else value[0]


def _tensors(path: Path) -> dict:
    from gguf import GGUFReader

    return {t.name: t for t in GGUFReader(str(path)).tensors}


def test_tiny_gguf_reloads_as_the_same_weights(tiny_gguf):
    """transformers' GGUF loader undoes llama.cpp's q/k permutation; loading our tiny GGUF back and
    permuting again gives the very tensors in the file, which pins ``permute_rows`` to the
    convention of llama.cpp's converter."""
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(tiny_gguf.parent), gguf_file=tiny_gguf.name, dtype=torch.float32)
    in_file = _tensors(tiny_gguf)
    for name, array in gguf_weights(model).items():
        assert np.array_equal(np.asarray(in_file[name].data), array), name
    q = model.model.layers[0].self_attn.q_proj.weight
    assert not torch.equal(permute_rows(q, 4), q)  # the permutation is not the identity here


def test_adapter_gguf_has_the_metadata_and_shapes_llama_cpp_checks(make_spec, tiny_gguf):
    from gguf import GGUFReader

    result, _ = train(make_spec(baseModel=str(tiny_gguf), loraRank=4, loraAlpha=8))
    reader = GGUFReader(result["ggufAdapterPath"])
    assert _field(reader, "general.architecture") == "llama"
    assert _field(reader, "general.type") == "adapter"
    assert _field(reader, "adapter.type") == "lora"
    assert _field(reader, "adapter.lora.alpha") == pytest.approx(8.0)

    lora = {t.name: t for t in reader.tensors}
    expected = {f"blk.{i}.{name}.weight.lora_{ab}" for i in range(2) for name in LLAMA_MODULES.values() for ab in "ab"}
    assert set(lora) == expected
    base = _tensors(tiny_gguf)
    for i in range(2):
        for name in LLAMA_MODULES.values():
            weight = base[f"blk.{i}.{name}.weight"].shape  # ggml order: ne[0] = input size
            a, b = lora[f"blk.{i}.{name}.weight.lora_a"], lora[f"blk.{i}.{name}.weight.lora_b"]
            assert a.tensor_type.name == "F32" and b.tensor_type.name == "F32"
            assert a.shape[0] == weight[0]  # a: ne = [in, rank]
            assert b.shape[1] == weight[1]  # b: ne = [rank, out]
            assert a.shape[1] == b.shape[0] == 4


def test_gguf_update_equals_the_merged_pytorch_weights(make_spec, tiny_gguf):
    """What llama.cpp computes, W_gguf + alpha/r * B_gguf @ A_gguf, is the GGUF layout of the weight
    PEFT merges in PyTorch, for every module of every layer, including the permuted q and k."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    result, _ = train(make_spec(baseModel=str(tiny_gguf), loraRank=4, loraAlpha=8, epochs=2))
    base = AutoModelForCausalLM.from_pretrained(str(tiny_gguf.parent), gguf_file=tiny_gguf.name, dtype=torch.float32)
    merged = PeftModel.from_pretrained(base, result["adapterDir"]).merge_and_unload()
    want = gguf_weights(merged)
    base_file, lora = _tensors(tiny_gguf), _tensors(Path(result["ggufAdapterPath"]))
    scale = 8 / 4
    changed = 0
    for i in range(2):
        for name in LLAMA_MODULES.values():
            key = f"blk.{i}.{name}.weight"
            a, b = np.asarray(lora[key + ".lora_a"].data), np.asarray(lora[key + ".lora_b"].data)
            llama_cpp = np.asarray(base_file[key].data) + scale * (b @ a)
            np.testing.assert_allclose(llama_cpp, want[key], atol=2e-6, err_msg=key)
            changed += not np.allclose(llama_cpp, np.asarray(base_file[key].data), atol=1e-6)
    assert changed == 2 * len(LLAMA_MODULES)


def test_export_refuses_tensors_llama_cpp_cannot_use():
    state = {
        "base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight": torch.zeros(2, 8),
        "base_model.model.model.embed_tokens.lora_embedding_A": torch.zeros(2, 8),
    }
    with pytest.raises(ValueError, match="has no llama.cpp equivalent"):
        gguf_tensors(state, n_head=2, n_head_kv=2)
    with pytest.raises(ValueError, match="without"):
        gguf_tensors({"base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight": torch.zeros(2, 8)}, 2, 2)


def test_adapter_config_is_what_vllm_reads(make_spec, tiny_hf):
    result, _ = train(make_spec())
    config = json.loads((Path(result["adapterDir"]) / "adapter_config.json").read_text())
    assert config["peft_type"] == "LORA"
    assert config["base_model_name_or_path"] == str(tiny_hf)
    assert config["bias"] == "none" and not config.get("use_dora") and not config.get("use_rslora")


def test_gemma3_adapter_gguf_keeps_q_and_k_as_peft_has_them(make_spec, tiny_gemma3):
    """Gemma 3: the same seven llama.cpp tensor names, ``general.architecture = gemma3``, and lora_B of
    q/k NOT permuted (llama.cpp's converter stores Gemma's q/k as transformers has them)."""
    from gguf import GGUFReader
    from safetensors.torch import load_file

    result, _ = train(make_spec(baseModel=str(tiny_gemma3), loraRank=4, loraAlpha=8))
    reader = GGUFReader(result["ggufAdapterPath"])
    assert _field(reader, "general.architecture") == "gemma3"
    assert _field(reader, "adapter.type") == "lora"
    lora = {t.name: np.asarray(t.data) for t in reader.tensors}
    expected = {f"blk.{i}.{name}.weight.lora_{ab}" for i in range(2) for name in LLAMA_MODULES.values() for ab in "ab"}
    assert set(lora) == expected
    peft = load_file(str(Path(result["adapterDir"]) / "adapter_model.safetensors"))
    for i in range(2):
        for module, name in LLAMA_MODULES.items():
            for ab in "AB":
                want = peft[f"base_model.model.model.layers.{i}.{module}.lora_{ab}.weight"].numpy()
                assert np.array_equal(lora[f"blk.{i}.{name}.weight.lora_{ab.lower()}"], want), (i, module, ab)


def test_gemma3_gguf_update_equals_the_merged_pytorch_weights(make_spec, tiny_gemma3):
    """W + alpha/r * B @ A from the GGUF adapter equals PEFT's merged weight, module by module (Gemma's
    GGUF layout of these weights is transformers' own)."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    result, _ = train(make_spec(baseModel=str(tiny_gemma3), loraRank=4, loraAlpha=8, epochs=2))
    base = AutoModelForCausalLM.from_pretrained(str(tiny_gemma3), dtype=torch.float32)
    before = {k: v.clone() for k, v in base.state_dict().items()}
    merged = PeftModel.from_pretrained(base, result["adapterDir"]).merge_and_unload().state_dict()
    lora = _tensors(Path(result["ggufAdapterPath"]))
    changed = 0
    for i in range(2):
        for module, name in LLAMA_MODULES.items():
            key = f"model.layers.{i}.{module}.weight"
            a = np.asarray(lora[f"blk.{i}.{name}.weight.lora_a"].data)
            b = np.asarray(lora[f"blk.{i}.{name}.weight.lora_b"].data)
            llama_cpp = before[key].numpy() + 2.0 * (b @ a)
            np.testing.assert_allclose(llama_cpp, merged[key].numpy(), atol=2e-6, err_msg=key)
            changed += not np.allclose(llama_cpp, before[key].numpy(), atol=1e-6)
    assert changed == 2 * len(LLAMA_MODULES)
