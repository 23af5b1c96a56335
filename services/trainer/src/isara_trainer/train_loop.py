"""The optimisation loop: AdamW over the trainable parameters, seeded shuffling, one optimiser step
per batch, loss on response tokens only (the labels carry the mask, see ``dataset.py``)."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from isara_trainer.dataset import Example, collate
from isara_trainer.errors import TrainingError
from isara_trainer.model_loading import Placement

#: Gradient norm clip: keeps one bad batch from wrecking a small LoRA.
MAX_GRAD_NORM = 1.0


@dataclass(frozen=True)
class LoopConfig:
    """What the loop needs from the spec."""

    learning_rate: float
    epochs: int
    batch_size: int
    seed: int


def total_steps(n_examples: int, batch_size: int, epochs: int) -> int:
    """Optimiser steps of a run: every epoch covers every example once, the last batch may be short."""
    return epochs * math.ceil(n_examples / batch_size)


def epoch_batches(n_examples: int, batch_size: int, generator: torch.Generator) -> list[list[int]]:
    """A seeded shuffle of the example indices, cut into batches."""
    order = torch.randperm(n_examples, generator=generator).tolist()
    return [order[i : i + batch_size] for i in range(0, n_examples, batch_size)]


def train(
    model: torch.nn.Module,
    examples: list[Example],
    pad_id: int,
    config: LoopConfig,
    placement: Placement,
    on_step: Callable[[int, int, float, float], None],
) -> list[float]:
    """Trains ``model`` in place and returns the loss of every step. ``on_step(step, total, loss,
    tokens_per_second)`` is called after each step. Raises ``TrainingError`` when the loss stops
    being a finite number."""
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise TrainingError("the model has no trainable parameter")
    optimizer = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=0.0)
    generator = torch.Generator().manual_seed(config.seed)
    total = total_steps(len(examples), config.batch_size, config.epochs)
    losses: list[float] = []
    model.train()
    for _epoch in range(config.epochs):
        for indices in epoch_batches(len(examples), config.batch_size, generator):
            started = time.perf_counter()
            batch = {k: v.to(placement.device) for k, v in collate([examples[i] for i in indices], pad_id).items()}
            with _autocast(placement):
                loss = model(**batch).loss
            value = float(loss.detach().float().item())
            if not math.isfinite(value):
                raise TrainingError(f"the loss became {value} at step {len(losses) + 1}; lower learningRate")
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, MAX_GRAD_NORM)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            if placement.device.type == "cuda":
                torch.cuda.synchronize()
            elapsed = max(time.perf_counter() - started, 1e-9)
            losses.append(value)
            tokens = int(batch["attention_mask"].sum().item())
            on_step(len(losses), total, value, tokens / elapsed)
    return losses


def _autocast(placement: Placement):
    if placement.autocast_dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=placement.device.type, dtype=placement.autocast_dtype)
