"""``python -m popsync.cli``."""

import sys

from popsync.cli.main import main

sys.exit(main())
