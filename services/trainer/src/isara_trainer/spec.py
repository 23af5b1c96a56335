"""The training spec (``TrainSpec`` in packages/core/src/ports.ts) and its validation.

Every problem is collected before failing, so one run tells the caller everything to fix, in one
line. Relative paths are resolved against the folder of the spec file, so a spec kept beside its
data works from any working directory.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isara_trainer.errors import InputError

#: Field defaults: what a spec that leaves a field out gets (the TypeScript port always sends all).
DEFAULTS: dict[str, Any] = {
    "previousAdapter": None,
    "method": "lora",
    "learningRate": 2e-4,
    "epochs": 1,
    "batchSize": 4,
    "maxSequenceLength": 512,
    "loraRank": 8,
    "loraAlpha": 16.0,
    "loraDropout": 0.05,
    "seed": 0,
}
REQUIRED = ("baseModel", "datasetPath", "outputDir")
KNOWN = (*REQUIRED, *DEFAULTS)
MAX_SEED = 2**63 - 1


@dataclass(frozen=True)
class TrainSpec:
    """A validated spec: paths are absolute, numbers are in range, the method is known."""

    base_model: Path
    dataset_path: Path
    previous_adapter: Path | None
    method: str
    learning_rate: float
    epochs: int
    batch_size: int
    max_sequence_length: int
    lora_rank: int
    lora_alpha: float
    lora_dropout: float
    seed: int
    output_dir: Path


def load_spec(path: Path) -> TrainSpec:
    """Reads and validates a spec file; raises ``InputError`` naming the file and every problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"spec file {path} does not exist; pass --spec with the path of a JSON spec") from None
    except OSError as err:
        raise InputError(f"cannot read spec file {path}: {err.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"spec file {path} is not valid JSON (line {err.lineno}: {err.msg})") from None
    return parse_spec(data, base_dir=path.resolve().parent, source=str(path))


def parse_spec(data: object, base_dir: Path, source: str = "spec") -> TrainSpec:
    """Validates a decoded JSON spec; relative paths are taken relative to ``base_dir``."""
    if not isinstance(data, dict):
        raise InputError(f"{source}: the spec must be a JSON object with the TrainSpec fields")
    problems: list[str] = []
    unknown = sorted(set(data) - set(KNOWN))
    if unknown:
        problems.append(f"unknown field(s) {', '.join(unknown)} (known: {', '.join(KNOWN)})")
    merged = {**DEFAULTS, **data}
    for key in REQUIRED:
        if merged.get(key) is None:
            problems.append(f"{key} is required")

    def path_field(key: str) -> Path | None:
        value = merged.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{key} must be a non-empty path string (got {value!r})")
            return None
        return (base_dir / Path(value).expanduser()).resolve()

    base_model = path_field("baseModel")
    dataset = path_field("datasetPath")
    previous = path_field("previousAdapter")
    output_dir = path_field("outputDir")

    method = merged["method"]
    if method not in ("lora", "full"):
        problems.append(f"method must be 'lora' or 'full' (got {method!r})")

    learning_rate = _number(merged, "learningRate", problems, low=0.0, high=1.0, low_open=True)
    lora_alpha = _number(merged, "loraAlpha", problems, low=0.0, high=None, low_open=True)
    lora_dropout = _number(merged, "loraDropout", problems, low=0.0, high=1.0, high_open=True)
    epochs = _integer(merged, "epochs", problems, low=1, high=1000)
    batch_size = _integer(merged, "batchSize", problems, low=1, high=4096)
    max_len = _integer(merged, "maxSequenceLength", problems, low=8, high=1 << 20)
    lora_rank = _integer(merged, "loraRank", problems, low=1, high=4096)
    seed = _integer(merged, "seed", problems, low=0, high=MAX_SEED)

    if base_model is not None:
        _check_base_model(base_model, problems)
    if dataset is not None and not dataset.is_file():
        problems.append(f"datasetPath {dataset} is not a file; write the JSONL rows {{prompt, response}} there")
    if previous is not None and method in ("lora", "full"):
        _check_previous(previous, method, problems)
    if output_dir is not None and output_dir.exists() and not output_dir.is_dir():
        problems.append(f"outputDir {output_dir} exists and is not a folder")

    if problems:
        raise InputError(f"invalid {source}: " + "; ".join(problems))
    assert base_model and dataset and output_dir  # noqa: S101 - guaranteed by the checks above
    return TrainSpec(
        base_model=base_model,
        dataset_path=dataset,
        previous_adapter=previous,
        method=method,
        learning_rate=float(learning_rate),
        epochs=int(epochs),
        batch_size=int(batch_size),
        max_sequence_length=int(max_len),
        lora_rank=int(lora_rank),
        lora_alpha=float(lora_alpha),
        lora_dropout=float(lora_dropout),
        seed=int(seed),
        output_dir=output_dir,
    )


def _number(
    data: dict,
    key: str,
    problems: list[str],
    low: float,
    high: float | None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        problems.append(f"{key} must be a finite number (got {value!r})")
        return 0.0
    too_low = value <= low if low_open else value < low
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        lo = f"{'>' if low_open else '>='} {low:g}"
        hi = "" if high is None else f" and {'<' if high_open else '<='} {high:g}"
        problems.append(f"{key} must be {lo}{hi} (got {value!r})")
    return float(value)


def _integer(data: dict, key: str, problems: list[str], low: int, high: int) -> int:
    value = data[key]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{key} must be a whole number (got {value!r})")
        return 0
    if not low <= value <= high:
        problems.append(f"{key} must be between {low} and {high} (got {value})")
    return value


def _check_base_model(path: Path, problems: list[str]) -> None:
    if path.is_file():
        if path.suffix.lower() != ".gguf":
            problems.append(
                f"baseModel {path} is a file but not a .gguf; give a GGUF file or a Hugging Face model folder"
            )
    elif path.is_dir():
        if not (path / "config.json").is_file():
            problems.append(
                f"baseModel {path} is a folder without config.json; give a Hugging Face model folder or a .gguf file"
            )
    else:
        problems.append(f"baseModel {path} does not exist (run infra/fetch-models.sh for the default GGUF)")


def _check_previous(path: Path, method: str, problems: list[str]) -> None:
    if method == "lora":
        if path.suffix.lower() == ".gguf":
            problems.append(
                f"previousAdapter {path} is a GGUF; give the PEFT adapter folder (adapterDir of the previous result)"
            )
        elif not (path / "adapter_config.json").is_file():
            problems.append(
                f"previousAdapter {path} has no adapter_config.json; give the adapterDir of the previous round"
            )
    elif not (path / "config.json").is_file():
        problems.append(
            f"previousAdapter {path} has no config.json; with method 'full' give the previous round's model folder"
        )
