"""``python -m xl_wacheck`` is the same as the ``xl-wacheck`` command."""

import sys

from .cli import main

sys.exit(main())
