"""``python -m numatix.sim``: see ``numatix.sim.cli``."""

import sys

from numatix.sim.cli import main

sys.exit(main())
