"""Error kinds and the exit codes they map to, so a caller can tell "fix your input" from "the
training itself broke" without parsing messages."""

#: Training finished and every output was written.
EXIT_OK = 0
#: Bad input: the spec, the dataset, the base model path or the previous adapter is wrong. Retrying
#: the same spec fails the same way; the message says what to fix. (argparse usage errors use 2 too.)
EXIT_BAD_INPUT = 2
#: The run crashed after its input was accepted (out of memory, NaN loss, a library error, a full
#: disk). Retrying may help; the traceback is on stderr.
EXIT_TRAINING_FAILED = 3
#: Interrupted by Ctrl-C (SIGINT), the shell convention 128 + 2.
EXIT_INTERRUPTED = 130


class InputError(Exception):
    """Something the caller gave is wrong. The message is one line that names the field, file or
    line and says how to fix it; the CLI prints it and exits with ``EXIT_BAD_INPUT``."""


class TrainingError(Exception):
    """Training went wrong in a way we detect ourselves (e.g. the loss became NaN); the CLI exits
    with ``EXIT_TRAINING_FAILED`` like for any other crash."""
