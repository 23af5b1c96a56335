"""A tiny llama model and byte-level BPE tokenizer built inside the tests (no download), saved as a
Hugging Face folder and as a llama.cpp-style GGUF, so every code path of the trainer runs in
seconds on a CPU."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from isara_trainer.gguf_lora import permute_rows

EOS = "<|im_end|>"
BOS = "<|im_start|>"
SPECIALS = ["<|endoftext|>", BOS, EOS]

CORPUS = [
    "BEGINNING OF CONVERSATION: USER: How do I water a cactus? ASSISTANT: Rarely, and deeply. END OF CONVERSATION",
    "BEGINNING OF CONVERSATION: USER: What is a prime number? ASSISTANT: Two divisors. END OF CONVERSATION",
    "The quick brown fox jumps over the lazy dog. Plants need light, water and time to grow.",
    "Numbers, words and questions: why, what, how, when, where? Answers are short and kind.",
]


def build_tokenizer():
    """A ~400-token byte-level BPE with GPT-2 pre-tokenisation (as SmolLM2 has), wrapped as a
    transformers tokenizer whose EOS is ``<|im_end|>`` and which has no pad token."""
    from transformers import PreTrainedTokenizerFast

    raw = Tokenizer(models.BPE())
    raw.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    raw.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=SPECIALS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    raw.train_from_iterator(CORPUS * 4, trainer=trainer)
    return PreTrainedTokenizerFast(tokenizer_object=raw, bos_token=BOS, eos_token=EOS)


def build_model(vocab_size: int, seed: int = 0):
    """A 2-layer llama with hidden size 32, 4 query heads and 2 key/value heads (grouped-query
    attention like SmolLM2, so the q and k permutations differ), tied embeddings."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        rms_norm_eps=1e-5,
        initializer_range=0.3,
        tie_word_embeddings=True,
        bos_token_id=1,
        eos_token_id=2,
    )
    return LlamaForCausalLM(config).eval()


def build_gemma3_model(vocab_size: int, seed: int = 0):
    """A 2-layer Gemma 3 text model (model_type ``gemma3_text``, what the Gemma 3 270M GGUF loads as)
    with hidden size 32, 4 query heads of 8 and 2 key/value heads, q/k norms, tied embeddings."""
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    torch.manual_seed(seed)
    config = Gemma3TextConfig(
        vocab_size=vocab_size,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=8,
        max_position_embeddings=256,
        sliding_window=16,
        initializer_range=0.3,
        tie_word_embeddings=True,
        bos_token_id=1,
        eos_token_id=2,
        pad_token_id=0,
    )
    return Gemma3ForCausalLM(config).eval()


def save_hf_folder(folder: Path, build=build_model) -> Path:
    """Builds the tiny tokenizer and model (``build``: the llama by default) and saves both as a
    Hugging Face model folder."""
    tokenizer = build_tokenizer()
    model = build(len(tokenizer))
    model.save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    return folder


GGUF_NAMES = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
    "input_layernorm": "attn_norm",
    "post_attention_layernorm": "ffn_norm",
}


def gguf_weights(model) -> dict[str, np.ndarray]:
    """The model's weights under llama.cpp names, with q/k rows permuted as convert_hf_to_gguf.py
    does (float32, so the GGUF holds exactly these numbers)."""
    config = model.config
    out: dict[str, np.ndarray] = {}
    for name, tensor in model.state_dict().items():
        value = tensor.detach().to(torch.float32)
        if name == "model.embed_tokens.weight":
            out["token_embd.weight"] = value.numpy()
        elif name == "model.norm.weight":
            out["output_norm.weight"] = value.numpy()
        elif name == "lm_head.weight":
            continue  # tied to the embeddings: llama.cpp then has no output.weight
        else:
            parts = name.split(".")  # model.layers.{i}.{module...}.weight
            layer, module = int(parts[2]), ".".join(parts[3:-1])
            if module == "self_attn.q_proj":
                value = permute_rows(value, config.num_attention_heads)
            elif module == "self_attn.k_proj":
                value = permute_rows(value, config.num_key_value_heads)
            out[f"blk.{layer}.{GGUF_NAMES[module]}.weight"] = value.numpy()
    return out


def write_gguf(model, tokenizer, path: Path) -> Path:
    """Writes model + tokenizer as a float32 llama GGUF, the way llama.cpp's converter lays it out."""
    import gguf

    config = model.config
    vocab = tokenizer.get_vocab()
    tokens = [token for token, _ in sorted(vocab.items(), key=lambda item: item[1])]
    merges = (
        [" ".join(pair) for pair in tokenizer.backend_tokenizer.model.get_merges()]
        if hasattr(tokenizer.backend_tokenizer.model, "get_merges")
        else _merges_from_json(tokenizer)
    )
    types = [gguf.TokenType.CONTROL if token in SPECIALS else gguf.TokenType.NORMAL for token in tokens]

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("tiny-test-llama")
    writer.add_context_length(config.max_position_embeddings)
    writer.add_embedding_length(config.hidden_size)
    writer.add_block_count(config.num_hidden_layers)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(config.num_attention_heads)
    writer.add_head_count_kv(config.num_key_value_heads)
    writer.add_rope_dimension_count(config.hidden_size // config.num_attention_heads)
    writer.add_rope_freq_base(float(config.rope_parameters["rope_theta"]))
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    writer.add_vocab_size(len(tokens))
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    writer.add_bos_token_id(vocab[BOS])
    writer.add_eos_token_id(vocab[EOS])
    writer.add_add_bos_token(False)
    for name, array in gguf_weights(model).items():
        writer.add_tensor(name, array)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def _merges_from_json(tokenizer) -> list[str]:
    import json

    merges = json.loads(tokenizer.backend_tokenizer.to_str())["model"]["merges"]
    return [m if isinstance(m, str) else " ".join(m) for m in merges]
