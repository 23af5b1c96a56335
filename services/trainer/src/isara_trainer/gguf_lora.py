"""Writes a PEFT LoRA adapter as a GGUF LoRA adapter that llama.cpp (and node-llama-cpp) loads,
following llama.cpp's convert_lora_to_gguf.py and its loader (src/llama-adapter.cpp):

* metadata ``general.architecture`` (the base model's GGUF architecture: ``llama`` or ``gemma3``,
  see architectures.py),
  ``general.type = "adapter"``, ``adapter.type = "lora"``, ``adapter.lora.alpha`` (float32);
  llama.cpp scales the update by alpha / rank, the same as PEFT's ``lora_alpha / r``.
* for each adapted weight ``W`` (out x in) with GGUF name ``N`` (``blk.{i}.attn_q.weight`` ...),
  two float32 tensors ``N.lora_a`` = PEFT's lora_A (rank x in) and ``N.lora_b`` = PEFT's lora_B
  (out x rank), stored with the same numpy shapes, i.e. ggml sizes ne = [in, rank] and [rank, out],
  which is what the loader checks (``a.ne[0] == W.ne[0]``, ``b.ne[1] == W.ne[1]``,
  ``a.ne[1] == b.ne[0]``).
* llama's q_proj and k_proj weights are stored in GGUF with their rows PERMUTED (llama.cpp's
  ``LlamaModel.permute``: within each head the two rotary halves are interleaved). The update
  ``B @ A`` must land on the same rows, so lora_B of q_proj (and of k_proj, with the key/value head
  count) gets the same row permutation; lora_A is untouched, as in convert_lora_to_gguf.py.
  Gemma 3's are stored as they are in transformers (its converter does not permute), so nothing is
  permuted there.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file

from isara_trainer.architectures import by_model_type

#: Hugging Face module (under ``model.layers.{i}.``) -> llama.cpp tensor name (under ``blk.{i}.``);
#: the same for every supported architecture (llama and gemma3 blocks name them alike).
LLAMA_MODULES = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}

_KEY = re.compile(r"^base_model\.model\.model\.layers\.(\d+)\.(self_attn\.\w+|mlp\.\w+)\.lora_([AB])\.weight$")


def supports_gguf(model_type: str) -> bool:
    """Whether adapters of this model type can be written as GGUF."""
    return by_model_type(model_type) is not None


def permute_rows(weight: torch.Tensor, n_head: int) -> torch.Tensor:
    """llama.cpp's ``LlamaModel.permute``: the HF -> GGUF row order of a q or k projection (or of
    any matrix whose rows are those outputs, such as lora_B). ``n_head`` is the number of heads of
    that projection (key/value heads for k)."""
    rows = weight.shape[0]
    if rows % (2 * n_head) != 0:
        raise ValueError(f"cannot permute {rows} rows into {n_head} heads of two rotary halves")
    return weight.reshape(n_head, 2, rows // n_head // 2, *weight.shape[1:]).swapaxes(1, 2).reshape(weight.shape)


def gguf_tensors(
    state: dict[str, torch.Tensor], n_head: int, n_head_kv: int, permute_qk: bool = True
) -> dict[str, np.ndarray]:
    """Maps a PEFT adapter state dict to GGUF LoRA tensors (name -> float32 array), permuting the
    lora_B of q_proj / k_proj when the architecture's GGUF stores q/k permuted (llama). Raises
    ``ValueError`` for a tensor llama.cpp would not accept."""
    out: dict[str, np.ndarray] = {}
    for key, tensor in state.items():
        match = _KEY.match(key)
        if match is None or match.group(2) not in LLAMA_MODULES:
            raise ValueError(f"adapter tensor {key} has no llama.cpp equivalent; train only attention/MLP projections")
        layer, module, which = int(match.group(1)), match.group(2), match.group(3)
        value = tensor.detach().to(torch.float32).cpu()
        if permute_qk and which == "B" and module == "self_attn.q_proj":
            value = permute_rows(value, n_head)
        elif permute_qk and which == "B" and module == "self_attn.k_proj":
            value = permute_rows(value, n_head_kv)
        name = f"blk.{layer}.{LLAMA_MODULES[module]}.weight.lora_{which.lower()}"
        out[name] = np.ascontiguousarray(value.numpy())
    for name in out:
        partner = name[:-1] + ("b" if name.endswith("a") else "a")
        if partner not in out:
            raise ValueError(f"adapter has {name} without {partner}")
    return out


def write_gguf_lora(adapter_dir: Path, model_config, out_path: Path) -> Path:
    """Converts the PEFT adapter saved in ``adapter_dir`` (adapter_model.safetensors +
    adapter_config.json) for a base model with ``model_config`` into ``out_path``. Written to a
    temporary name and renamed, so a reader never sees half a file."""
    import gguf

    arch = by_model_type(model_config.model_type)
    if arch is None:
        raise ValueError(f"no GGUF LoRA export for model type {model_config.model_type!r}")
    config = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    for flag in ("use_dora", "use_rslora"):
        if config.get(flag):
            raise ValueError(f"adapter uses {flag}, which llama.cpp's LoRA loader does not support")
    if config.get("rank_pattern") or config.get("alpha_pattern"):
        raise ValueError("adapter has per-module ranks or alphas; llama.cpp supports one alpha per adapter")
    n_head = model_config.num_attention_heads
    n_head_kv = getattr(model_config, "num_key_value_heads", None) or n_head
    state = load_file(str(adapter_dir / "adapter_model.safetensors"))
    tensors = gguf_tensors(state, n_head, n_head_kv, permute_qk=arch.permute_qk)

    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    writer = gguf.GGUFWriter(str(tmp), arch.gguf)
    try:
        writer.add_type(gguf.GGUFType.ADAPTER)
        writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
        writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(config["lora_alpha"]))
        for name in sorted(tensors, key=_tensor_order):
            writer.add_tensor(name, tensors[name])
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.replace(tmp, out_path)
    except BaseException:
        writer.close()
        tmp.unlink(missing_ok=True)
        raise
    return out_path


def _tensor_order(name: str) -> tuple[int, str]:
    """Layer-major order, as llama.cpp's converter writes them (any order loads)."""
    return int(name.split(".")[1]), name
