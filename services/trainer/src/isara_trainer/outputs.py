"""Writing a run's outputs into ``outputDir``, each one atomically (written under a temporary name,
then renamed), so a reader never sees a half-written adapter; ``result.json`` is written last, so
its presence means the run finished.

Layout: ``adapter/`` (PEFT: adapter_model.safetensors + adapter_config.json, as vLLM loads it),
``adapter.gguf`` (llama.cpp LoRA), or ``model/`` for a full fine-tune, and ``result.json``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

ADAPTER_DIR = "adapter"
GGUF_ADAPTER = "adapter.gguf"
MODEL_DIR = "model"
RESULT_FILE = "result.json"


def write_folder(output_dir: Path, name: str, fill: Callable[[Path], None]) -> Path:
    """Runs ``fill(tmp)`` on a fresh temporary folder, then puts it in place of ``output_dir/name``."""
    target = output_dir / name
    tmp = output_dir / f".{name}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        fill(tmp)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def write_result(output_dir: Path, result: dict) -> Path:
    """Writes ``result.json`` (a ``TrainResult`` of packages/core/src/ports.ts) atomically."""
    target = output_dir / RESULT_FILE
    tmp = output_dir / f".{RESULT_FILE}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, target)
    return target
