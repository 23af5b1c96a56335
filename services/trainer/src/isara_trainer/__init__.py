"""ISARA LoRA trainer: trains a LoRA (or full) fine-tune on ISARA conversation rows and writes the
result as a PEFT safetensors adapter (for vLLM) and a GGUF LoRA adapter (for llama.cpp).

Entry point: ``python -m isara_trainer train --spec spec.json`` (see ``cli.py``)."""

__version__ = "0.1.0"
