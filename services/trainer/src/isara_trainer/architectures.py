"""The model architectures this trainer supports for LoRA, and the check that refuses the others
before anything is loaded.

Supported means the whole loop works: transformers trains the adapter, ``gguf_lora`` writes it as a
GGUF LoRA that llama.cpp loads onto the same GGUF base model, and generation then runs with it. An
architecture missing here would train a PEFT adapter that llama.cpp never applies, so generation
would silently fall back to the base model; it is refused instead, with a message that names it and
what is supported.

The Node side holds the same list (``SUPPORTED_ARCHITECTURES`` in packages/trainer-local) for the
check at run start; ``python -m isara_trainer architectures`` prints this one as JSON and a
trainer-local test fails when the two differ.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path

from isara_trainer.errors import InputError


@dataclass(frozen=True)
class Architecture:
    """One supported architecture."""

    #: ``general.architecture`` of the GGUF base model, and of the adapter written for it.
    gguf: str
    #: transformers ``model_type`` values of this architecture (what a GGUF of it loads as, and what
    #: a Hugging Face folder's config.json may say).
    model_types: tuple[str, ...]
    #: llama.cpp stores q/k rows permuted for this architecture (its ``LlamaModel.permute``), so
    #: lora_B of q_proj and k_proj must be permuted the same way (see gguf_lora.py).
    permute_qk: bool
    #: Models of this architecture, for messages and docs.
    examples: str


#: Every supported architecture. Both use llama.cpp's block tensor names (attn_q, attn_k, attn_v,
#: attn_output, ffn_gate, ffn_up, ffn_down) for the seven projections the LoRA targets.
ARCHITECTURES: tuple[Architecture, ...] = (
    Architecture("llama", ("llama", "mistral"), permute_qk=True, examples="SmolLM2, Llama, Mistral"),
    # llama.cpp's converter does not permute Gemma's q/k (Gemma3Model only shifts the norms by 1).
    Architecture("gemma3", ("gemma3_text",), permute_qk=False, examples="Gemma 3 text models, e.g. Gemma 3 270M"),
)


def by_model_type(model_type: str) -> Architecture | None:
    """The supported architecture a transformers ``model_type`` belongs to, or None."""
    return next((a for a in ARCHITECTURES if model_type in a.model_types), None)


def by_gguf_name(name: str) -> Architecture | None:
    """The supported architecture with this GGUF ``general.architecture``, or None."""
    return next((a for a in ARCHITECTURES if a.gguf == name), None)


def supported_list() -> str:
    """The supported architectures in words, for messages."""
    return "; ".join(f"{a.gguf} (model types {', '.join(a.model_types)}: {a.examples})" for a in ARCHITECTURES)


def as_json() -> str:
    """The list as JSON, what ``python -m isara_trainer architectures`` prints."""
    return json.dumps(
        [{"gguf": a.gguf, "modelTypes": list(a.model_types), "permuteQk": a.permute_qk} for a in ARCHITECTURES]
    )


def unsupported_message(what: str, path: Path) -> str:
    return (
        f"baseModel {path} is a {what} model, which this trainer does not support for LoRA: its adapter "
        f"could not be exported as a GGUF LoRA that llama.cpp applies. Supported: {supported_list()}"
    )


def check_base_model(path: Path) -> Architecture | None:
    """The architecture of the base model at ``path`` (a GGUF file, read from its header only, or a
    Hugging Face folder, from config.json), when it is supported. Raises ``InputError`` naming the
    architecture and the supported list otherwise. None when it cannot be told without loading: the
    loader then says what is wrong with the file, and ``check_loaded`` checks what it loaded."""
    if path.is_file():
        name = gguf_architecture(path)
        if name is None:
            return None
        found = by_gguf_name(name)
        if found is None:
            raise InputError(unsupported_message(f"GGUF architecture {name!r}", path))
        return found
    config = path / "config.json"
    try:
        model_type = json.loads(config.read_text(encoding="utf-8")).get("model_type")
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(model_type, str):
        return None
    found = by_model_type(model_type)
    if found is None:
        raise InputError(unsupported_message(f"model_type {model_type!r}", path))
    return found


def check_loaded(model_type: str, path: Path) -> Architecture:
    """After loading: the loaded model's ``model_type`` must be supported (and, for a GGUF, be one
    of its architecture's model types)."""
    found = by_model_type(model_type)
    if found is None:
        raise InputError(unsupported_message(f"model_type {model_type!r}", path))
    return found


_GGUF_SCALARS = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_STRING, _ARRAY = 8, 9


def gguf_architecture(path: Path) -> str | None:
    """``general.architecture`` from a GGUF file's header (versions 2 and 3), reading only the
    key/value pairs before it (it is the first one in files llama.cpp writes); None when the file is
    not a GGUF or has no such key. The tokenizer arrays further on are never read."""
    try:
        with path.open("rb") as f:
            if f.read(4) != b"GGUF":
                return None
            (version,) = struct.unpack("<I", f.read(4))
            if version < 2:
                return None
            _tensors, kv_count = struct.unpack("<QQ", f.read(16))
            for _ in range(kv_count):
                key = _read_string(f)
                (kind,) = struct.unpack("<I", f.read(4))
                if key == "general.architecture":
                    return _read_string(f) if kind == _STRING else None
                _skip_value(f, kind)
    except (OSError, struct.error, UnicodeDecodeError, ValueError):
        return None
    return None


def _read_string(f) -> str:
    (length,) = struct.unpack("<Q", f.read(8))
    if length > 1 << 20:
        raise ValueError("implausible GGUF string length")
    return f.read(length).decode("utf-8")


def _skip_value(f, kind: int) -> None:
    if kind in _GGUF_SCALARS:
        f.seek(_GGUF_SCALARS[kind], 1)
    elif kind == _STRING:
        (length,) = struct.unpack("<Q", f.read(8))
        f.seek(length, 1)
    elif kind == _ARRAY:
        item, count = struct.unpack("<IQ", f.read(12))
        if item in _GGUF_SCALARS:
            f.seek(_GGUF_SCALARS[item] * count, 1)
        else:
            for _ in range(count):
                _skip_value(f, item)
    else:
        raise ValueError(f"unknown GGUF value type {kind}")
