"""``python -m ecocredit.cli``: the command line."""

from . import main

main()
