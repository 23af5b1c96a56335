"""The supported-architecture check: what it reads (a GGUF header, a folder's config.json), what it
refuses before any loading (naming the architecture and the supported list), and the CLI's list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import train
from isara_trainer.architectures import ARCHITECTURES, by_gguf_name, by_model_type, gguf_architecture
from isara_trainer.cli import main
from isara_trainer.errors import InputError


def _gguf_header(path: Path, architecture: str) -> Path:
    """A GGUF with metadata only (no tensors): enough for the check, not loadable as a model."""
    import gguf

    writer = gguf.GGUFWriter(str(path), architecture)
    writer.add_name("not-a-real-model")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def test_the_list_maps_both_ways():
    assert [a.gguf for a in ARCHITECTURES] == ["llama", "gemma3"]
    assert by_model_type("mistral").gguf == "llama" and by_model_type("gemma3_text").gguf == "gemma3"
    assert by_gguf_name("gemma3").permute_qk is False and by_gguf_name("llama").permute_qk is True
    # The multimodal Gemma 3 (model_type gemma3) keeps its text layers elsewhere: not supported.
    assert by_model_type("gemma3") is None and by_gguf_name("qwen2") is None


def test_the_architecture_is_read_from_the_gguf_header(tiny_gguf, tmp_path):
    assert gguf_architecture(tiny_gguf) == "llama"
    assert gguf_architecture(_gguf_header(tmp_path / "g.gguf", "gemma3")) == "gemma3"
    (tmp_path / "text.gguf").write_text("not a gguf")
    assert gguf_architecture(tmp_path / "text.gguf") is None


def test_a_gguf_of_another_architecture_is_refused_before_loading(make_spec, tmp_path):
    model = _gguf_header(tmp_path / "qwen.gguf", "qwen2")
    with pytest.raises(InputError, match=r"GGUF architecture 'qwen2'.*Supported: llama \(.*\); gemma3 \("):
        train(make_spec(baseModel=str(model)))
    assert not (tmp_path / "out" / "adapter").exists()


def test_a_folder_of_another_model_type_is_refused_before_loading(make_spec, tmp_path):
    folder = tmp_path / "gpt2"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "gpt2"}))
    with pytest.raises(InputError, match=r"model_type 'gpt2' model, which this trainer does not support for LoRA"):
        train(make_spec(baseModel=str(folder)))


def test_the_cli_prints_the_list(capsys):
    assert main(["architectures"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == [
        {"gguf": "llama", "modelTypes": ["llama", "mistral"], "permuteQk": True},
        {"gguf": "gemma3", "modelTypes": ["gemma3_text"], "permuteQk": False},
    ]
