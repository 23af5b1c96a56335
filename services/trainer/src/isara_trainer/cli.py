"""Command line: ``python -m isara_trainer train --spec spec.json``.

stdout carries only the JSON-lines events (see ``progress.py``); everything else, including any
library that prints, goes to stderr. Exit codes (``errors.py``): 0 done, 2 bad input (one-line
message on stderr and in the ``error`` event), 3 training failed (traceback on stderr), 130
interrupted.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys
from pathlib import Path
from typing import TextIO

from isara_trainer.errors import EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_TRAINING_FAILED, InputError
from isara_trainer.progress import EventWriter

log = logging.getLogger("isara_trainer")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m isara_trainer",
        description="Trains an ISARA LoRA adapter (or a full fine-tune) from a JSON TrainSpec.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    train = commands.add_parser(
        "train",
        help="train from a spec file",
        description="Trains as the spec says, streams JSON-lines events on stdout and writes "
        "outputDir/{adapter/,adapter.gguf,result.json}. Exit codes: 0 done, 2 bad input, 3 training failed.",
    )
    train.add_argument("--spec", required=True, type=Path, help="JSON file with the TrainSpec fields")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs the CLI and returns the exit code (usage errors exit 2 inside argparse)."""
    args = build_parser().parse_args(argv)
    events = EventWriter(_claim_stdout())
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="isara-trainer %(levelname)s %(message)s")
    try:
        from isara_trainer.runner import run_training
        from isara_trainer.runtime import quiet_libraries
        from isara_trainer.spec import load_spec

        quiet_libraries()
        run_training(load_spec(args.spec), events)
        return EXIT_OK
    except InputError as err:
        message = str(err)
        print(f"isara-trainer: error: {message}", file=sys.stderr)
        events.emit("error", kind="bad_input", message=message, exitCode=EXIT_BAD_INPUT)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        events.emit("error", kind="interrupted", message="interrupted", exitCode=EXIT_INTERRUPTED)
        return EXIT_INTERRUPTED
    except Exception as err:  # noqa: BLE001 - every crash must end as an error event and exit 3
        log.exception("training failed")
        first = str(err).strip().splitlines()[0] if str(err).strip() else ""
        message = f"{type(err).__name__}: {first}" if first else type(err).__name__
        print(f"isara-trainer: training failed: {message}", file=sys.stderr)
        events.emit("error", kind="training_failed", message=message, exitCode=EXIT_TRAINING_FAILED)
        return EXIT_TRAINING_FAILED


def _claim_stdout() -> TextIO:
    """Keeps the real stdout for events and points file descriptor 1 and ``sys.stdout`` at stderr,
    so no library print (Python or C) can break the JSON-lines stream."""
    sys.stdout.flush()
    events_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return io.TextIOWrapper(os.fdopen(events_fd, "wb", buffering=0), encoding="utf-8", line_buffering=True)
