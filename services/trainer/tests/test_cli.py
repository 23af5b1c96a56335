"""The command line as the TypeScript adapter runs it: JSON lines on stdout, logs on stderr, exit
codes that tell bad input (2) from a training failure (3)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import torch


def _run(*args: str, parent_pid: int | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "ISARA_TRAINER_DEVICE": "cpu"}
    if parent_pid is not None:
        env["ISARA_TRAINER_PARENT_PID"] = str(parent_pid)
    return subprocess.run(
        [sys.executable, "-m", "isara_trainer", *args], capture_output=True, text=True, env=env, timeout=300
    )


def _events(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]  # every stdout line must be JSON


def test_successful_run_streams_json_events_and_exits_0(make_spec, tmp_path):
    proc = _run("train", "--spec", str(make_spec()))
    assert proc.returncode == 0, proc.stderr
    events = _events(proc.stdout)
    assert [e["event"] for e in events] == ["start", "progress", "progress", "progress", "done"]
    assert set(events[1]) == {"event", "step", "totalSteps", "loss", "tokensPerSecond"}
    done = events[-1]
    assert done["steps"] == 3 and Path(done["adapterDir"]).is_dir() and Path(done["ggufAdapterPath"]).is_file()
    assert json.loads((tmp_path / "out" / "result.json").read_text()) == {k: v for k, v in done.items() if k != "event"}
    assert "isara-trainer INFO" in proc.stderr  # logs go to stderr


def test_bad_input_exits_2_with_one_line(make_spec, tmp_path):
    proc = _run("train", "--spec", str(make_spec(datasetPath=str(tmp_path / "nope.jsonl"), loraRank=0)))
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if line.startswith("isara-trainer: error:")]
    assert len(errors) == 1
    assert "nope.jsonl is not a file" in errors[0] and "loraRank must be between 1" in errors[0]
    (event,) = _events(proc.stdout)
    assert event["event"] == "error" and event["kind"] == "bad_input" and event["exitCode"] == 2
    assert not (tmp_path / "out").exists()

    usage = _run("train")
    assert usage.returncode == 2 and "--spec" in usage.stderr and usage.stdout == ""


def test_training_failure_exits_3(make_spec, tmp_path, tiny_hf):
    from transformers import AutoModelForCausalLM

    broken = tmp_path / "broken"
    model = AutoModelForCausalLM.from_pretrained(str(tiny_hf))
    with torch.no_grad():
        model.model.norm.weight.fill_(float("inf"))
    model.save_pretrained(str(broken))
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (broken / name).write_bytes((tiny_hf / name).read_bytes())

    proc = _run("train", "--spec", str(make_spec(baseModel=str(broken))))
    assert proc.returncode == 3
    events = _events(proc.stdout)
    assert [e["event"] for e in events] == ["start", "error"]
    assert events[-1]["kind"] == "training_failed" and "loss became nan" in events[-1]["message"]
    assert "Traceback" in proc.stderr


def test_a_trainer_whose_orchestrator_is_already_gone_ends_itself(make_spec):
    """The orchestrator may die while Python is still starting, before ``prctl`` could register; the
    trainer must not train on as an orphan. A process id that names no process stands for it."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    proc = _run("train", "--spec", str(make_spec()), parent_pid=dead.pid)
    assert proc.returncode == -15, proc.stderr  # SIGTERM, before any training
    assert proc.stdout == ""


def test_a_trainer_whose_orchestrator_lives_trains(make_spec):
    proc = _run("train", "--spec", str(make_spec()), parent_pid=os.getpid())
    assert proc.returncode == 0, proc.stderr
