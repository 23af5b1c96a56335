"""The real pretrained Gemma 3 270M (Q4_K_M GGUF, fetched by infra/fetch-gemma3.sh into the user
cache): transformers loads it as ``gemma3_text``, its q/k/v/o and MLP weights are stored in the GGUF
exactly as transformers holds them (no llama-style permutation, so the adapter's lora_B is written as
is), and its tokenizer adds the BOS token, as llama.cpp does for this file. Skipped, with the reason,
when the file is not in the cache."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from isara_trainer.architectures import gguf_architecture

MODEL_FILE = "gemma-3-270m-q4_k_m.gguf"


def _model_path() -> Path:
    explicit = os.environ.get("ISARA_GEMMA3_MODEL")
    if explicit:
        return Path(explicit)
    cache = os.environ.get("ISARA_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "isara"
    )
    return Path(cache) / "models" / MODEL_FILE


MODEL = _model_path()
pytestmark = pytest.mark.skipif(
    not MODEL.is_file(),
    reason=f"Gemma 3 270M GGUF not found at {MODEL}; run infra/fetch-gemma3.sh to test the real model",
)


def test_gemma3_gguf_weights_are_stored_as_transformers_loads_them():
    from gguf import GGUFReader, dequantize

    from isara_trainer.gguf_lora import LLAMA_MODULES
    from isara_trainer.model_loading import load_model, load_tokenizer

    assert gguf_architecture(MODEL) == "gemma3"
    model = load_model(MODEL)
    config = model.config
    assert config.model_type == "gemma3_text" and config.num_key_value_heads != config.num_attention_heads
    tensors = {t.name: t for t in GGUFReader(str(MODEL)).tensors}
    layer = model.model.layers[3]
    for module, name in LLAMA_MODULES.items():
        weight = layer.get_submodule(module).weight.detach()
        raw = tensors[f"blk.3.{name}.weight"]
        in_file = dequantize(raw.data, raw.tensor_type).reshape(weight.shape).astype(np.float32)
        assert np.array_equal(weight.numpy(), in_file), name

    tokenizer = load_tokenizer(MODEL)
    ids = tokenizer("BEGINNING OF CONVERSATION: USER: hi ASSISTANT:").input_ids
    assert ids[0] == tokenizer.bos_token_id == 2  # tokenizer.ggml.add_bos_token = true in this GGUF
    assert tokenizer.eos_token == "<eos>"
