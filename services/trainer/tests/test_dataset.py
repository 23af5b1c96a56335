"""Rows become the ISARA conversation text, and only response tokens carry a label."""

from __future__ import annotations

import pytest
import torch

from conftest import write_rows
from isara_trainer.dataset import (
    IGNORE_INDEX,
    Row,
    collate,
    conversation_prompt,
    conversation_text,
    encode_row,
    encode_rows,
    load_rows,
)
from isara_trainer.errors import InputError
from tiny_models import build_model, build_tokenizer


@pytest.fixture(scope="module")
def tokenizer():
    return build_tokenizer()


def test_conversation_wrapper_matches_the_generation_prompt():
    assert conversation_text("Hi there?", "Hello.") == (
        "BEGINNING OF CONVERSATION: USER: Hi there? ASSISTANT: Hello. END OF CONVERSATION"
    )
    assert conversation_text("Hi there?", "Hello.").startswith(conversation_prompt("Hi there?"))
    assert conversation_prompt("Hi there?").endswith("ASSISTANT:")


def test_only_the_response_and_end_marker_are_labelled(tokenizer):
    row = Row(prompt="How do I water a cactus?", response="Rarely, and deeply.")
    example = encode_row(tokenizer, row, max_length=256)

    assert len(example.input_ids) == len(example.labels)
    labelled = [tid for tid, label in zip(example.input_ids, example.labels, strict=True) if label != IGNORE_INDEX]
    masked = [tid for tid, label in zip(example.input_ids, example.labels, strict=True) if label == IGNORE_INDEX]
    assert tokenizer.decode(masked) == conversation_prompt(row.prompt)
    assert tokenizer.decode(labelled) == " Rarely, and deeply. END OF CONVERSATION" + tokenizer.eos_token
    # The labelled tokens are one contiguous tail, and each label is the token itself.
    first = example.labels.index(next(label for label in example.labels if label != IGNORE_INDEX))
    assert all(label == tid for tid, label in zip(example.input_ids[first:], example.labels[first:], strict=True))
    assert example.input_ids[-1] == tokenizer.eos_token_id


def test_model_loss_ignores_the_prompt_tokens(tokenizer):
    """The loss the model trains on equals the cross-entropy over the response positions alone, and
    differs from the cross-entropy over every token."""
    model = build_model(len(tokenizer))
    example = encode_row(tokenizer, Row("What is a prime number?", "Two divisors."), max_length=256)
    batch = collate([example], pad_id=tokenizer.eos_token_id)
    with torch.no_grad():
        out = model(**batch)
    logits = out.logits[0, :-1]
    targets = torch.tensor(example.input_ids[1:])
    keep = torch.tensor(example.labels[1:]) != IGNORE_INDEX
    expected = torch.nn.functional.cross_entropy(logits[keep], targets[keep])
    everything = torch.nn.functional.cross_entropy(logits, targets)
    assert torch.allclose(out.loss, expected, atol=1e-6)
    assert not torch.allclose(out.loss, everything, atol=1e-4)


def test_truncation_drops_rows_without_response_tokens(tokenizer, caplog):
    long_prompt = Row(prompt="word " * 60, response="short")
    fine = Row(prompt="Hi?", response="Hello.")
    kept = encode_rows(tokenizer, [long_prompt, fine], max_length=32)
    assert len(kept) == 1
    assert all(len(ex.input_ids) <= 32 for ex in kept)
    assert "1 of 2 rows have no response token" in caplog.text
    with pytest.raises(InputError, match="raise maxSequenceLength"):
        encode_rows(tokenizer, [long_prompt], max_length=32)


def test_collate_pads_on_the_right_and_masks_padding(tokenizer):
    short = encode_row(tokenizer, Row("Hi?", "Yo."), 256)
    longer = encode_row(tokenizer, Row("How are you today?", "Fine, thanks."), 256)
    batch = collate([short, longer], pad_id=0)
    n = len(short.input_ids)
    assert batch["input_ids"].shape == (2, len(longer.input_ids))
    assert batch["attention_mask"][0, :n].all() and not batch["attention_mask"][0, n:].any()
    assert (batch["labels"][0, n:] == IGNORE_INDEX).all()


def test_load_rows_reports_the_bad_line(tmp_path):
    path = write_rows(tmp_path / "ok.jsonl", [{"prompt": "a", "response": "b", "extra": 1}])
    assert load_rows(path) == [Row("a", "b")]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "a", "response": "b"}\n\n{"prompt": "a"}\n')
    with pytest.raises(InputError, match=r"line 3: 'response' must be a non-empty string"):
        load_rows(bad)
    bad.write_text('{"prompt": "a", "response": "b"}\nnot json\n')
    with pytest.raises(InputError, match="line 2 is not valid JSON"):
        load_rows(bad)
    bad.write_text("\n\n")
    with pytest.raises(InputError, match="has no rows"):
        load_rows(bad)
