"""Small helpers shared by the training tests."""

from __future__ import annotations

import io
import json
from pathlib import Path

from isara_trainer.progress import EventWriter
from isara_trainer.runner import run_training
from isara_trainer.spec import load_spec


def train(spec_file: Path) -> tuple[dict, list[dict]]:
    """Runs a training in process; returns the result and the events it streamed."""
    stream = io.StringIO()
    result = run_training(load_spec(spec_file), EventWriter(stream))
    return result, [json.loads(line) for line in stream.getvalue().splitlines()]
