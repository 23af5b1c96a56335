"""Training rows: reading the JSONL dataset, wrapping each row in the ISARA conversation format and
turning it into token ids whose labels cover the RESPONSE only.

Each row becomes ``BEGINNING OF CONVERSATION: USER: {prompt} ASSISTANT: {response} END OF
CONVERSATION`` followed by the tokenizer's end-of-sequence token, which is exactly the text that
generation prompts end with (``... ASSISTANT:``) plus what the model should write, so training and
generation see the same tokens. The prompt part is everything up to and including ``ASSISTANT:``;
its tokens get the label -100 (ignored by the loss), so the model learns to answer, not to ask.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import torch

from isara_trainer.errors import InputError

IGNORE_INDEX = -100
log = logging.getLogger("isara_trainer.dataset")


@dataclass(frozen=True)
class Row:
    """One training pair as read from the dataset."""

    prompt: str
    response: str


@dataclass(frozen=True)
class Example:
    """One tokenised row: ``labels[i]`` is ``input_ids[i]`` for response tokens, -100 otherwise."""

    input_ids: list[int]
    labels: list[int]


def conversation_prompt(prompt: str) -> str:
    """The part of a row the model is conditioned on (no loss), ending with ``ASSISTANT:``."""
    return f"BEGINNING OF CONVERSATION: USER: {prompt} ASSISTANT:"


def conversation_text(prompt: str, response: str) -> str:
    """The whole row as trained on (without the end-of-sequence token)."""
    return f"{conversation_prompt(prompt)} {response} END OF CONVERSATION"


def load_rows(path: Path) -> list[Row]:
    """Reads ``{prompt, response}`` JSONL; blank lines are skipped, other keys are ignored.
    Raises ``InputError`` naming the line of the first bad row."""
    rows: list[Row] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise InputError(f"dataset {path} is not UTF-8 text; write it as UTF-8 JSONL") from None
    except OSError as err:
        raise InputError(f"cannot read dataset {path}: {err.strerror}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(
                f"dataset {path} line {number} is not valid JSON ({err.msg}); each line must be one object"
            ) from None
        if not isinstance(value, dict):
            raise InputError(f"dataset {path} line {number} is not a JSON object with prompt and response")
        for key in ("prompt", "response"):
            text = value.get(key)
            if not isinstance(text, str) or not text.strip():
                raise InputError(f"dataset {path} line {number}: '{key}' must be a non-empty string")
        rows.append(Row(prompt=value["prompt"], response=value["response"]))
    if not rows:
        raise InputError(f"dataset {path} has no rows; write one {{prompt, response}} JSON object per line")
    return rows


def encode_row(tokenizer, row: Row, max_length: int) -> Example:
    """Tokenises one row, masks its prompt tokens and truncates it to ``max_length`` tokens.

    The boundary is found with the tokenizer's character offsets on the WHOLE text (not by
    tokenising the prompt alone), so a token is never split or merged differently from how the
    full text tokenises; a token that starts before the end of ``ASSISTANT:`` counts as prompt.
    """
    prompt_chars = len(conversation_prompt(row.prompt))
    encoding = tokenizer(
        conversation_text(row.prompt, row.response),
        add_special_tokens=False,
        return_offsets_mapping=True,
    )
    ids = list(encoding["input_ids"])
    labels = [
        tid if start >= prompt_chars else IGNORE_INDEX
        for tid, (start, _end) in zip(ids, encoding["offset_mapping"], strict=True)
    ]
    bos = _leading_bos(tokenizer)
    if bos is not None:
        ids.insert(0, bos)
        labels.insert(0, IGNORE_INDEX)
    if tokenizer.eos_token_id is not None:
        ids.append(tokenizer.eos_token_id)
        labels.append(tokenizer.eos_token_id)
    return Example(input_ids=ids[:max_length], labels=labels[:max_length])


def encode_rows(tokenizer, rows: list[Row], max_length: int) -> list[Example]:
    """Encodes every row; rows left with no response token after truncation are dropped with a
    warning. Raises ``InputError`` when none is left."""
    examples = [encode_row(tokenizer, row, max_length) for row in rows]
    kept = [ex for ex in examples if any(label != IGNORE_INDEX for label in ex.labels)]
    if len(kept) < len(examples):
        log.warning(
            "%d of %d rows have no response token within maxSequenceLength=%d and are skipped",
            len(examples) - len(kept),
            len(examples),
            max_length,
        )
    if not kept:
        raise InputError(
            f"no row keeps a response token within maxSequenceLength={max_length}; raise maxSequenceLength"
        )
    return kept


def collate(examples: list[Example], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-pads a batch; padding is masked out of attention and loss."""
    width = max(len(ex.input_ids) for ex in examples)
    input_ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE_INDEX, dtype=torch.long)
    attention = torch.zeros((len(examples), width), dtype=torch.long)
    for i, ex in enumerate(examples):
        n = len(ex.input_ids)
        input_ids[i, :n] = torch.tensor(ex.input_ids)
        labels[i, :n] = torch.tensor(ex.labels)
        attention[i, :n] = 1
    return {"input_ids": input_ids, "labels": labels, "attention_mask": attention}


def _leading_bos(tokenizer) -> int | None:
    """The BOS id when this tokenizer puts one in front of a text (as generation then does too)."""
    bos = tokenizer.bos_token_id
    if bos is None:
        return None
    with_special = tokenizer("a", add_special_tokens=True)["input_ids"]
    return bos if with_special and with_special[0] == bos else None
