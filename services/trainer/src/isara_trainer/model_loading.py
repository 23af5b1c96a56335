"""Loading the base model and its tokenizer, from a GGUF file or a Hugging Face model folder, and
choosing the device.

A GGUF is read by transformers' own GGUF loader (it needs the ``gguf`` package): the weights are
DEQUANTISED to float32 and the q/k projections un-permuted back to the Hugging Face layout, and the
tokenizer is rebuilt from the GGUF's vocabulary. So the trainer needs no second copy of the model:
it trains on the same packaged file llama.cpp generates with. A quantised GGUF (Q4_1, Q8_0, ...)
gives slightly different weights from the original float checkpoint; the adapter is trained on, and
later applied to, those same quantised weights, which is what matters for llama.cpp.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import torch

from isara_trainer.errors import InputError

log = logging.getLogger("isara_trainer.model")


@dataclass(frozen=True)
class Placement:
    """Where training runs: the torch device and the autocast dtype (None = plain float32)."""

    device: torch.device
    autocast_dtype: torch.dtype | None

    @property
    def dtype_name(self) -> str:
        return "float32" if self.autocast_dtype is None else str(self.autocast_dtype).removeprefix("torch.")


def pick_placement() -> Placement:
    """CUDA when present (bf16 autocast where the GPU supports it), else CPU in float32.
    ``ISARA_TRAINER_DEVICE=cpu|cuda`` forces one."""
    wanted = os.environ.get("ISARA_TRAINER_DEVICE", "auto").strip().lower() or "auto"
    if wanted not in ("auto", "cpu", "cuda"):
        raise InputError(f"ISARA_TRAINER_DEVICE must be auto, cpu or cuda (got {wanted!r})")
    if wanted == "cuda" and not torch.cuda.is_available():
        raise InputError("ISARA_TRAINER_DEVICE=cuda but torch sees no CUDA device; unset it to train on CPU")
    if wanted == "cpu" or not torch.cuda.is_available():
        return Placement(torch.device("cpu"), None)
    bf16 = torch.cuda.is_bf16_supported()
    return Placement(torch.device("cuda"), torch.bfloat16 if bf16 else None)


def _gguf_parts(path: Path) -> tuple[str, dict]:
    """transformers loads a GGUF as (its folder, gguf_file=its name)."""
    if path.is_file():
        return str(path.parent), {"gguf_file": path.name}
    return str(path), {}


def load_tokenizer(path: Path):
    """The tokenizer of a GGUF file or model folder, with a pad token (EOS when it has none)."""
    from transformers import AutoTokenizer

    where, extra = _gguf_parts(path)
    try:
        tokenizer = AutoTokenizer.from_pretrained(where, local_files_only=True, **extra)
    except (OSError, ValueError) as err:
        raise InputError(f"cannot load a tokenizer from {path}: {_first_line(err)}") from None
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    if tokenizer.pad_token_id is None:
        raise InputError(f"the tokenizer of {path} has neither a pad nor an end-of-sequence token")
    return tokenizer


def load_model(path: Path):
    """A causal LM from a GGUF file or model folder, in float32, in train mode, on the CPU."""
    from transformers import AutoModelForCausalLM

    where, extra = _gguf_parts(path)
    try:
        model = AutoModelForCausalLM.from_pretrained(where, local_files_only=True, dtype=torch.float32, **extra)
    except (OSError, ValueError) as err:
        raise InputError(f"cannot load a causal language model from {path}: {_first_line(err)}") from None
    if extra:
        _forget_gguf_origin(model)
    log.info(
        "loaded %s (%s, %s parameters)",
        path,
        model.config.model_type,
        f"{sum(p.numel() for p in model.parameters()):,}",
    )
    return model


def _forget_gguf_origin(model) -> None:
    """A model read from GGUF is marked as 'quantised with gguf', although its weights are plain
    float32 after dequantisation; clear the mark so saving it writes an ordinary model folder."""
    if getattr(model.config, "quantization_config", None) is not None:
        del model.config.quantization_config
    if hasattr(model, "hf_quantizer"):
        model.hf_quantizer = None
    if hasattr(model, "is_quantized"):
        model.is_quantized = False


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
