"""Attaching a trainable LoRA to the base model: a fresh one, or the previous round's adapter
loaded trainable so the rounds of an ISARA run build on each other."""

from __future__ import annotations

import logging

from isara_trainer.errors import InputError
from isara_trainer.spec import TrainSpec

log = logging.getLogger("isara_trainer.lora")

#: Every linear projection of a llama block. All seven have llama.cpp GGUF equivalents; q and k are
#: exported with llama.cpp's row permutation (see gguf_lora.py).
TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


def attach_lora(model, spec: TrainSpec):
    """Wraps ``model`` in a PEFT model whose only trainable parameters are the LoRA matrices.

    With ``previousAdapter`` its weights AND its config (rank, alpha, dropout, targets) are kept:
    changing the rank mid-run would throw the learned update away. A spec whose rank or alpha
    differs from it gets a warning, not an error."""
    from peft import LoraConfig, PeftModel, get_peft_model

    if spec.previous_adapter is None:
        config = LoraConfig(
            r=spec.lora_rank,
            lora_alpha=spec.lora_alpha,
            lora_dropout=spec.lora_dropout,
            target_modules=list(TARGET_MODULES),
            bias="none",
            task_type="CAUSAL_LM",
        )
        peft_model = get_peft_model(model, config)
    else:
        try:
            peft_model = PeftModel.from_pretrained(model, str(spec.previous_adapter), is_trainable=True)
        except (RuntimeError, ValueError, KeyError, OSError) as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise InputError(
                f"previousAdapter {spec.previous_adapter} does not fit baseModel {spec.base_model}: {first}"
            ) from None
        config = peft_model.peft_config["default"]
        if config.r != spec.lora_rank or float(config.lora_alpha) != spec.lora_alpha:
            log.warning(
                "previousAdapter has rank %s alpha %s; keeping them (spec asked rank %s alpha %s)",
                config.r,
                config.lora_alpha,
                spec.lora_rank,
                spec.lora_alpha,
            )
    peft_model.peft_config["default"].base_model_name_or_path = str(spec.base_model)
    return peft_model
