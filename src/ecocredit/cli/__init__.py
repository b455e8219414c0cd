"""The ``ecocredit`` command line: one module per group of commands, each parsing its options
and calling the library; no rule lives here.

====================  ===========================================================================
module                commands
====================  ===========================================================================
:mod:`.run`           ``score``, ``explain``, ``replay``
:mod:`.rulesets`      ``rulesets``, ``lint``, ``schema``
:mod:`.decisions`     ``repair``, ``measures``
:mod:`.supervision`   ``policies``, ``lint-policy``, ``inspection-frequency``, ``draw``, ``discretion``
:mod:`.cycle`         ``publish``, ``objections``, ``adjust``, ``register show|verify``
:mod:`.analysis`      ``whatif``, ``backtest``, ``report``, ``lint-reform``
====================  ===========================================================================

:mod:`.common` holds the group, the error handling (exit status 0, 1 or 2, one line on stderr,
no traceback unless ``ECOCREDIT_DEBUG=1``) and the helpers several commands share.
"""

from __future__ import annotations

from . import decisions, rulesets, run, supervision  # noqa: F401  (they register their commands)
from .analysis import backtest_cmd, lint_reform_cmd, report_cmd, whatif_cmd
from .common import cli
from .cycle import adjust_cmd, objections_cmd, publish_cmd, register_group

__all__ = ["main", "cli"]

for _command in (publish_cmd, objections_cmd, adjust_cmd, register_group,
                 whatif_cmd, backtest_cmd, report_cmd, lint_reform_cmd):
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``ecocredit`` console script."""
    cli.main(args=argv, prog_name="ecocredit")
