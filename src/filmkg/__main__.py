"""``python -m filmkg`` runs the command line."""

import sys

from filmkg.cli import main

sys.exit(main())
