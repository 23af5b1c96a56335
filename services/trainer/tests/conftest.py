"""Shared fixtures: the tiny model saved once per test session (as a Hugging Face folder and as a
GGUF), small datasets, and a helper that writes a spec."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tiny_models import build_gemma3_model, build_model, build_tokenizer, save_hf_folder, write_gguf

ROWS = [
    {"prompt": "How do I water a cactus?", "response": "Rarely, and deeply, when the soil is dry."},
    {"prompt": "What is a prime number?", "response": "A number with exactly two divisors."},
    {"prompt": "Why is the sky blue?", "response": "Air scatters blue light more than red light."},
    {"prompt": "When do plants grow?", "response": "They grow when they have light, water and time."},
    {"prompt": "Where do foxes live?", "response": "In forests, fields and sometimes in towns."},
]


@pytest.fixture(autouse=True)
def _cpu_and_two_threads(monkeypatch):
    """Tests train on the CPU with the default thread count, whatever the machine has."""
    monkeypatch.setenv("ISARA_TRAINER_DEVICE", "cpu")
    monkeypatch.delenv("ISARA_TRAINER_THREADS", raising=False)


@pytest.fixture(scope="session")
def tiny_hf(tmp_path_factory) -> Path:
    """The tiny llama + tokenizer as a Hugging Face model folder."""
    return save_hf_folder(tmp_path_factory.mktemp("tiny-hf"))


@pytest.fixture(scope="session")
def tiny_gemma3(tmp_path_factory) -> Path:
    """A tiny Gemma 3 text model + tokenizer as a Hugging Face model folder."""
    return save_hf_folder(tmp_path_factory.mktemp("tiny-gemma3"), build_gemma3_model)


@pytest.fixture(scope="session")
def tiny_gguf(tmp_path_factory) -> Path:
    """The same kind of tiny llama as a float32 GGUF laid out like llama.cpp's converter does."""
    tokenizer = build_tokenizer()
    model = build_model(len(tokenizer), seed=1)
    return write_gguf(model, tokenizer, tmp_path_factory.mktemp("tiny-gguf") / "tiny.gguf")


def write_rows(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture
def dataset(tmp_path) -> Path:
    return write_rows(tmp_path / "rows.jsonl", ROWS)


@pytest.fixture
def make_spec(tmp_path, tiny_hf, dataset):
    """Writes spec.json with small, fast settings, overridden by keyword; returns its path."""

    def make(name: str = "spec.json", **fields) -> Path:
        spec = {
            "baseModel": str(tiny_hf),
            "datasetPath": str(dataset),
            "method": "lora",
            "learningRate": 3e-2,
            "epochs": 1,
            "batchSize": 2,
            "maxSequenceLength": 64,
            "loraRank": 4,
            "loraAlpha": 8,
            "loraDropout": 0.0,
            "seed": 7,
            "outputDir": str(tmp_path / "out"),
        }
        spec.update(fields)
        path = tmp_path / name
        path.write_text(json.dumps({k: v for k, v in spec.items() if v is not ...}), encoding="utf-8")
        return path

    return make
