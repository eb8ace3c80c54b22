"""`python -m train.cli`: what batch scripts and torchrun call."""

import sys

from train.cli import main

sys.exit(main())
