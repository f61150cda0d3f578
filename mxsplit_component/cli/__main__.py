"""``python -m mxsplit_component.cli``."""

import sys

from .main import main

sys.exit(main())
