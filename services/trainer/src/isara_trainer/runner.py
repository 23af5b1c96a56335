"""One training run from a validated spec to its outputs: read and tokenise the rows, load the
base model (or the previous full model), attach the LoRA, train, save, export GGUF, write
``result.json``. Progress goes to an ``EventWriter``; nothing here touches stdout directly."""

from __future__ import annotations

import logging
import time

from isara_trainer import architectures, gguf_lora, outputs
from isara_trainer.dataset import encode_rows, load_rows
from isara_trainer.errors import InputError
from isara_trainer.lora import attach_lora
from isara_trainer.model_loading import load_model, load_tokenizer, pick_placement
from isara_trainer.progress import EventWriter
from isara_trainer.runtime import configure_determinism, configure_threads, seed_everything
from isara_trainer.spec import TrainSpec
from isara_trainer.train_loop import LoopConfig, total_steps, train

log = logging.getLogger("isara_trainer.runner")


def run_training(spec: TrainSpec, events: EventWriter) -> dict:
    """Trains as ``spec`` says and returns the ``TrainResult`` dict also written to result.json.
    Raises ``InputError`` for input found bad while loading, anything else for a crash."""
    started = time.perf_counter()
    threads = configure_threads()
    configure_determinism()
    placement = pick_placement()
    try:
        spec.output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"cannot create outputDir {spec.output_dir}: {err.strerror}") from None
    # A result.json left by an earlier run in this folder must not pass for this run's.
    (spec.output_dir / outputs.RESULT_FILE).unlink(missing_ok=True)

    rows = load_rows(spec.dataset_path)
    # A LoRA must become a GGUF adapter llama.cpp applies: refuse any other architecture before the
    # slow loading, rather than train an adapter that generation would never use.
    if spec.method == "lora":
        architectures.check_base_model(spec.base_model)
    # A full fine-tune continues from the previous round's whole model; a LoRA from the base model.
    source = spec.previous_adapter if spec.method == "full" and spec.previous_adapter else spec.base_model
    tokenizer = load_tokenizer(source)
    examples = encode_rows(tokenizer, rows, spec.max_sequence_length)

    seed_everything(spec.seed)
    model = load_model(source)
    model_config = model.config
    if spec.method == "lora":
        architectures.check_loaded(model_config.model_type, spec.base_model)
        model = attach_lora(model, spec)
    model.to(placement.device)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)

    steps = total_steps(len(examples), spec.batch_size, spec.epochs)
    events.emit(
        "start",
        method=spec.method,
        examples=len(examples),
        totalSteps=steps,
        device=placement.device.type,
        dtype=placement.dtype_name,
        threads=threads,
        trainableParameters=trainable,
    )
    log.info(
        "training %d examples for %d steps on %s (%s), %d trainable parameters",
        len(examples),
        steps,
        placement.device.type,
        placement.dtype_name,
        trainable,
    )
    loop = LoopConfig(spec.learning_rate, spec.epochs, spec.batch_size, spec.seed)
    losses = train(model, examples, tokenizer.pad_token_id, loop, placement, events.progress)

    model.to("cpu")
    result: dict = {}
    if spec.method == "lora":
        # save_embedding_layers=False: only the LoRA matrices; the embeddings are never trained here.
        def save_adapter(folder):
            model.save_pretrained(str(folder), save_embedding_layers=False)

        adapter_dir = outputs.write_folder(spec.output_dir, outputs.ADAPTER_DIR, save_adapter)
        result["adapterDir"] = str(adapter_dir)
        # Every LoRA gets its GGUF: the architecture was checked before training.
        gguf_path = gguf_lora.write_gguf_lora(adapter_dir, model_config, spec.output_dir / outputs.GGUF_ADAPTER)
        result["ggufAdapterPath"] = str(gguf_path)
    else:

        def save_full(folder):
            model.save_pretrained(str(folder))
            tokenizer.save_pretrained(str(folder))

        result["adapterDir"] = str(outputs.write_folder(spec.output_dir, outputs.MODEL_DIR, save_full))
    result.update(steps=len(losses), finalLoss=losses[-1], losses=losses)
    outputs.write_result(spec.output_dir, result)
    log.info(
        "done in %.1f s: final loss %.4f, outputs in %s", time.perf_counter() - started, losses[-1], spec.output_dir
    )
    events.emit("done", **result)
    return result
