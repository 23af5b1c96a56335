"""Spec validation: a caller with a wrong spec learns every problem at once, in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from isara_trainer.errors import InputError
from isara_trainer.spec import DEFAULTS, load_spec, parse_spec


def test_minimal_spec_gets_defaults_and_paths_relative_to_the_spec_file(tmp_path, tiny_hf):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "rows.jsonl").write_text('{"prompt": "a", "response": "b"}\n')
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps({"baseModel": str(tiny_hf), "datasetPath": "data/rows.jsonl", "outputDir": "out"}))

    spec = load_spec(spec_file)

    assert spec.dataset_path == tmp_path / "data" / "rows.jsonl"
    assert spec.output_dir == tmp_path / "out"
    assert spec.method == "lora"
    assert spec.epochs == 1
    assert spec.learning_rate == DEFAULTS["learningRate"]
    assert spec.previous_adapter is None


def test_every_bad_field_is_reported_in_one_line(tmp_path, tiny_hf):
    data = {
        "baseModel": str(tiny_hf),
        "datasetPath": str(tmp_path / "missing.jsonl"),
        "outputDir": str(tmp_path / "out"),
        "method": "qlora",
        "learningRate": -1,
        "epochs": 0.5,
        "batchSize": True,
        "loraDropout": 1.0,
        "lr": 0.1,
    }
    with pytest.raises(InputError) as caught:
        parse_spec(data, base_dir=tmp_path)
    message = str(caught.value)
    assert "\n" not in message
    for expected in (
        "unknown field(s) lr",
        "method must be 'lora' or 'full'",
        "learningRate must be > 0",
        "epochs must be a whole number",
        "batchSize must be a whole number",
        "loraDropout must be >= 0 and < 1",
        "missing.jsonl is not a file",
    ):
        assert expected in message


def test_required_fields_and_base_model_checks(tmp_path):
    with pytest.raises(InputError, match="baseModel is required.*datasetPath is required.*outputDir is required"):
        parse_spec({}, base_dir=tmp_path)
    weights = tmp_path / "model.bin"
    weights.write_bytes(b"x")
    with pytest.raises(InputError, match="is a file but not a .gguf"):
        parse_spec({"baseModel": str(weights), "datasetPath": str(weights), "outputDir": "o"}, base_dir=tmp_path)
    with pytest.raises(InputError, match="does not exist.*fetch-models"):
        parse_spec({"baseModel": "nowhere.gguf", "datasetPath": str(weights), "outputDir": "o"}, base_dir=tmp_path)
    with pytest.raises(InputError, match="folder without config.json"):
        parse_spec({"baseModel": str(tmp_path), "datasetPath": str(weights), "outputDir": "o"}, base_dir=tmp_path)


def test_previous_adapter_must_be_the_peft_folder(tmp_path, tiny_hf, dataset):
    base = {"baseModel": str(tiny_hf), "datasetPath": str(dataset), "outputDir": str(tmp_path / "o")}
    with pytest.raises(InputError, match="previousAdapter .* has no adapter_config.json"):
        parse_spec({**base, "previousAdapter": str(tmp_path)}, base_dir=tmp_path)
    gguf = tmp_path / "adapter.gguf"
    gguf.write_bytes(b"GGUF")
    with pytest.raises(InputError, match="is a GGUF; give the PEFT adapter folder"):
        parse_spec({**base, "previousAdapter": str(gguf)}, base_dir=tmp_path)
    with pytest.raises(InputError, match="with method 'full' give the previous round's model folder"):
        parse_spec({**base, "method": "full", "previousAdapter": str(tmp_path)}, base_dir=tmp_path)
    assert (
        parse_spec({**base, "method": "full", "previousAdapter": str(tiny_hf)}, base_dir=tmp_path).previous_adapter
        == tiny_hf
    )


def test_spec_file_problems(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        load_spec(tmp_path / "nope.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    with pytest.raises(InputError, match="not valid JSON"):
        load_spec(broken)
    listed = tmp_path / "list.json"
    listed.write_text("[]")
    with pytest.raises(InputError, match="must be a JSON object"):
        load_spec(listed)


def test_whole_floats_are_accepted_for_integer_fields(tmp_path, tiny_hf, dataset):
    spec = parse_spec(
        {"baseModel": str(tiny_hf), "datasetPath": str(dataset), "outputDir": "o", "epochs": 2.0, "seed": 12345},
        base_dir=Path(tmp_path),
    )
    assert spec.epochs == 2 and isinstance(spec.epochs, int)
    assert spec.seed == 12345
