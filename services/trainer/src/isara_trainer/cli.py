"""Command line: ``python -m isara_trainer train --spec spec.json``, and ``python -m isara_trainer
architectures`` (the supported architectures as JSON, for the Node side's check).

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

#: Environment defaults applied before torch and transformers are imported (they read them at import
#: time), without overriding the caller's: never reach for a model hub (models are local files), no
#: tokenizer thread pool beside torch's, no progress bars (our progress is the JSON events).
LIBRARY_ENV = {"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "TQDM_DISABLE": "1"}

#: The orchestrator's process id, set by the TypeScript subprocess backend (see ``die_with_parent``).
PARENT_PID_ENV = "ISARA_TRAINER_PARENT_PID"


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
    commands.add_parser(
        "architectures",
        help="print the supported model architectures as JSON",
        description="Prints the architectures LoRA training supports (GGUF name, transformers model types, "
        "whether llama.cpp permutes q/k) as one JSON array on stdout.",
    )
    return parser


def die_with_parent() -> None:
    """Asks Linux to send SIGTERM when the process that started us dies.

    The orchestrator may be killed with SIGKILL (a user's ``kill -9``, the OOM killer); without this the
    trainer would run on as an orphan, still writing into the run folder while the resumed run starts a
    new training in the same place. SIGTERM ends the trainer through Python's default handler, so its
    partial outputs are left unfinished (``result.json`` is written last) and the resumed run redoes them.

    A parent that dies before ``prctl`` runs (Python still starting, on a busy machine) sends nothing,
    and by then ``getppid()`` already names the new parent, so it cannot tell. The orchestrator names
    itself in ``ISARA_TRAINER_PARENT_PID``: when that process is gone, the trainer ends itself the same
    way. Elsewhere than Linux this is a no-op.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != parent or not _alive(os.environ.get(PARENT_PID_ENV, "")):
        os.kill(os.getpid(), signal.SIGTERM)


def _alive(pid: str) -> bool:
    """Whether the process ``pid`` exists; true when ``pid`` is not a process id (nothing to check)."""
    if not pid.isdigit() or int(pid) <= 0:
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def main(argv: list[str] | None = None) -> int:
    """Runs the CLI and returns the exit code (usage errors exit 2 inside argparse)."""
    args = build_parser().parse_args(argv)
    if args.command == "architectures":
        from isara_trainer.architectures import as_json

        print(as_json())
        return EXIT_OK
    die_with_parent()
    for key, value in LIBRARY_ENV.items():
        os.environ.setdefault(key, value)
    events = EventWriter(_claim_stdout())
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="isara-trainer %(levelname)s %(message)s")
    try:
        from isara_trainer.runtime import quiet_libraries

        quiet_libraries()
        from isara_trainer.runner import run_training
        from isara_trainer.spec import load_spec

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
