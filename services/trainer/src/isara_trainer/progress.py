"""Machine-readable progress: one JSON object per line on the events stream (the process's real
stdout), so the caller (the TypeScript ``Trainer`` adapter, a Kubernetes log reader) can follow a
run without parsing logs. Logs go to stderr, never here.

Events, in order: ``start`` once, ``progress`` after every optimiser step, then ``done`` (with the
``TrainResult`` fields) or ``error`` (with ``kind`` and ``exitCode``).
"""

from __future__ import annotations

import json
import math
from typing import Any, TextIO


class EventWriter:
    """Writes events as JSON lines and flushes each, so a reader sees it at once."""

    def __init__(self, stream: TextIO | None):
        self._stream = stream

    def emit(self, event: str, **fields: Any) -> None:
        if self._stream is None:
            return
        line = json.dumps({"event": event, **{k: _plain(v) for k, v in fields.items()}}, allow_nan=False)
        self._stream.write(line + "\n")
        self._stream.flush()

    def progress(self, step: int, total_steps: int, loss: float, tokens_per_second: float) -> None:
        """A ``TrainProgress`` of packages/core/src/ports.ts."""
        self.emit("progress", step=step, totalSteps=total_steps, loss=loss, tokensPerSecond=tokens_per_second)


def _plain(value: Any) -> Any:
    """JSON has no NaN/Infinity: non-finite floats become null rather than invalid JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
