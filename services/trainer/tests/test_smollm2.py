"""The real packaged model: SmolLM2-135M-Instruct as a Q4_1 GGUF, fetched by infra/fetch-models.sh
into the user cache. Loads it through transformers' GGUF loader, checks that its q/k weights are
llama.cpp's permutation of what transformers trains on, and runs one training step on two rows.
Skipped, with the reason, when the file is not in the cache."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import ROWS, write_rows
from helpers import train
from isara_trainer.gguf_lora import permute_rows

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def _model_path() -> Path:
    explicit = os.environ.get("ISARA_LLM_MODEL")
    if explicit:
        return Path(explicit)
    cache = os.environ.get("ISARA_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "isara"
    )
    return Path(cache) / "models" / MODEL_FILE


MODEL = _model_path()
pytestmark = pytest.mark.skipif(
    not MODEL.is_file(),
    reason=f"SmolLM2 GGUF not found at {MODEL}; run infra/fetch-models.sh to test the real model",
)


def test_gguf_q_and_k_are_llama_cpp_permutations_of_the_loaded_weights():
    from gguf import GGUFReader, dequantize

    from isara_trainer.model_loading import load_model

    model = load_model(MODEL)
    config = model.config
    assert config.model_type == "llama" and config.num_key_value_heads != config.num_attention_heads
    tensors = {t.name: t for t in GGUFReader(str(MODEL)).tensors}
    layer = model.model.layers[3].self_attn
    for name, weight, heads in (
        ("attn_q", layer.q_proj.weight, config.num_attention_heads),
        ("attn_k", layer.k_proj.weight, config.num_key_value_heads),
    ):
        raw = tensors[f"blk.3.{name}.weight"]
        in_file = dequantize(raw.data, raw.tensor_type).reshape(weight.shape)
        assert np.array_equal(permute_rows(weight.detach(), heads).numpy(), in_file.astype(np.float32)), name
        assert not np.array_equal(weight.detach().numpy(), in_file), name


def test_one_training_step_on_two_rows(tmp_path):
    from gguf import GGUFReader

    dataset = write_rows(tmp_path / "rows.jsonl", ROWS[:2])
    spec = tmp_path / "spec.json"
    fields = {"baseModel": str(MODEL), "datasetPath": str(dataset), "outputDir": str(tmp_path / "out")}
    fields.update(batchSize=2, epochs=1, maxSequenceLength=64, learningRate=1e-4, loraRank=8, loraAlpha=16, seed=1)
    spec.write_text(json.dumps(fields))
    result, events = train(spec)
    assert result["steps"] == 1 and 0 < result["finalLoss"] < 10
    assert events[0]["trainableParameters"] == 30 * 8 * ((576 + 576) * 2 + (576 + 192) * 2 + (576 + 1536) * 3)
    reader = GGUFReader(result["ggufAdapterPath"])
    assert len(reader.tensors) == 30 * 7 * 2
    q_b = next(t for t in reader.tensors if t.name == "blk.0.attn_q.weight.lora_b")
    assert list(q_b.shape) == [8, 576]
    assert torch.isfinite(torch.tensor(result["losses"])).all()
