"""Reference continuation log-probabilities and TruthfulQA MC2 from Hugging Face transformers, for
the TypeScript cross-check of likelihood scoring (tests/src/metrics/mc2.cross-check.test.ts).

Runs in the trainer's environment (services/trainer/.venv: torch, transformers, gguf). Reads one JSON
object from stdin and writes one to stdout, so the test starts Python once:

  {"dequantize": {"from": "model.Q4_1.gguf", "to": "model.F32.gguf"}}
      writes a copy of the GGUF with every quantised tensor dequantised to F32 (metadata unchanged),
      so llama.cpp and transformers compute with the very same weights and llama.cpp runs plain F32
      matmuls (no activation quantisation): what remains is the arithmetic, which is what is checked.
      out: {"tensors": n, "dequantized": n}
  {"model": "model.F32.gguf", "items": [{"prompt": p, "continuations": [c, ...], "correct": k}, ...]}
      loads the GGUF with transformers' GGUF loader (float32, eager attention, CPU) and scores every
      continuation after its prompt the way llm-llama does: the prompt tokenized with the model's
      start-of-text token when it asks for one, each continuation tokenized on its own without
      special tokens, log-softmax in float64 over the logits of the positions that predict the
      continuation's tokens, summed. With "correct" (the first k continuations are the correct
      references, the rest incorrect) it also gives MC2 = sum p(correct) / sum p(all), by logsumexp.
      out: {"items": [{"logprobs": [lp, ...], "tokens": [n, ...], "mc2": m}, ...]}

Floats are written with repr precision, so JSON carries them to JavaScript bit for bit.
"""

import json
import sys
from pathlib import Path


def dequantize(src: str, dst: str) -> dict:
    import gguf
    import numpy as np

    reader = gguf.GGUFReader(src)
    arch = reader.fields["general.architecture"]
    arch_name = bytes(arch.parts[arch.data[0]]).decode("utf-8")
    writer = gguf.GGUFWriter(dst, arch_name)
    for field in reader.fields.values():
        # The writer writes these itself; everything else (tokenizer, hyperparameters) is copied.
        if field.name == "general.architecture" or field.name.startswith("GGUF."):
            continue
        value_type = field.types[0]
        sub_type = field.types[-1] if value_type == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(
            field.name, field.contents(), value_type, sub_type=sub_type
        )
    dequantized = 0
    for tensor in reader.tensors:
        if tensor.tensor_type in (gguf.GGMLQuantizationType.F32,):
            data = np.asarray(tensor.data)
        else:
            data = gguf.quants.dequantize(tensor.data, tensor.tensor_type).astype(
                np.float32
            )
            dequantized += 1
        # GGUFReader gives numpy shapes (reversed GGML dims); the writer takes the same convention.
        writer.add_tensor(
            tensor.name, data.reshape([int(d) for d in reversed(tensor.shape)])
        )
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return {"tensors": len(reader.tensors), "dequantized": dequantized}


def score(model_path: str, items: list) -> dict:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(2)
    path = Path(model_path)
    where, name = str(path.parent), path.name
    tokenizer = AutoTokenizer.from_pretrained(where, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(
        where, gguf_file=name, dtype=torch.float32, attn_implementation="eager"
    )
    model.eval()
    bos = tokenizer.bos_token_id if getattr(tokenizer, "add_bos_token", False) else None
    out = []
    with torch.no_grad():
        for item in items:
            prompt = tokenizer.encode(item["prompt"], add_special_tokens=False)
            if bos is not None:
                prompt = [bos, *prompt]
            conts = [
                tokenizer.encode(text, add_special_tokens=False)
                for text in item["continuations"]
            ]
            # One forward per item: the continuations side by side, padded on the right, where
            # padding cannot reach the real positions of a causal model.
            width = len(prompt) + max(len(c) for c in conts)
            ids = torch.zeros((len(conts), width), dtype=torch.long)
            mask = torch.zeros((len(conts), width), dtype=torch.long)
            for row_index, cont in enumerate(conts):
                ids[row_index, : len(prompt) + len(cont)] = torch.tensor(prompt + cont)
                mask[row_index, : len(prompt) + len(cont)] = 1
            logits = model(input_ids=ids, attention_mask=mask).logits.to(torch.float64)
            logprobs, counts = [], []
            for row_index, cont in enumerate(conts):
                # Position i predicts token i + 1: the continuation's tokens are predicted from
                # positions len(prompt) - 1 .. len(prompt) + len(cont) - 2.
                start = len(prompt) - 1
                lsm = torch.log_softmax(
                    logits[row_index, start : start + len(cont)], dim=-1
                )
                picked = lsm[torch.arange(len(cont)), torch.tensor(cont)]
                logprobs.append(float(picked.sum()))
                counts.append(len(cont))
            row = {"logprobs": logprobs, "tokens": counts}
            k = item.get("correct")
            if k is not None:
                lp = torch.tensor(logprobs, dtype=torch.float64)
                row["mc2"] = float(
                    torch.exp(torch.logsumexp(lp[:k], 0) - torch.logsumexp(lp, 0))
                )
            out.append(row)
    return {"items": out}


def main() -> None:
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    if "dequantize" in request:
        response = dequantize(
            request["dequantize"]["from"], request["dequantize"]["to"]
        )
    else:
        response = score(request["model"], request["items"])
    sys.stdout.write(json.dumps(response))


if __name__ == "__main__":
    main()
