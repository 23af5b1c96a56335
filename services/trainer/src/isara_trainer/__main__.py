"""``python -m isara_trainer``: runs the CLI (see ``cli.py``)."""

import sys

from isara_trainer.cli import main

if __name__ == "__main__":
    sys.exit(main())
