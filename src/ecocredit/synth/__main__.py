"""``python -m ecocredit.synth --firms 3000 --out sample_data``: see :func:`ecocredit.synth.main`."""

import sys

from .cli import main

sys.exit(main())
