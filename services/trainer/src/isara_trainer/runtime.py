"""Process-wide settings a training run needs before it touches torch or transformers: thread
count, determinism, and quiet, offline libraries (models are local files; nothing is downloaded)."""

from __future__ import annotations

import logging
import os
import random
import warnings

import numpy as np
import torch

from isara_trainer.errors import InputError

DEFAULT_THREADS = 2


def configure_threads() -> int:
    """Uses ``ISARA_TRAINER_THREADS`` torch threads (default 2, so a trainer beside llama.cpp on a
    small machine leaves cores free). Returns the count."""
    raw = os.environ.get("ISARA_TRAINER_THREADS", "").strip()
    threads = DEFAULT_THREADS
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            raise InputError(f"ISARA_TRAINER_THREADS must be a whole number >= 1 (got {raw!r})")
        threads = int(raw)
    torch.set_num_threads(threads)
    # Tiny gradients late in training become denormal floats, which some CPUs process ~100x slower.
    torch.set_flush_denormal(True)
    return threads


def configure_determinism() -> None:
    """Deterministic kernels where torch has them (warn, not fail, where it has not), and the
    cuBLAS workspace setting CUDA needs for repeatable matrix products."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False


def seed_everything(seed: int) -> None:
    """Seeds every random source training uses (LoRA init, dropout, shuffling)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def quiet_libraries() -> None:
    """Keeps library logs to warnings, so stderr carries our log lines and real problems (the
    environment side, progress bars and hub access, is ``cli.LIBRARY_ENV``)."""
    logging.getLogger("gguf").setLevel(logging.WARNING)  # GGUFWriter narrates every file at INFO
    warnings.filterwarnings("ignore", category=FutureWarning)  # library deprecations, not ours to fix
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_warning()
    hf_logging.disable_progress_bar()
