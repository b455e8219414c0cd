"""Reading inspection policy files: parse, lint, load by bundled id or path, list the bundled."""

from __future__ import annotations

from pathlib import Path

from ..errors import Problem
from ..ruleset.loader import data_dir as _data_dir
from ..ruleset.loader import lint_document_file as _lint_document_file
from ..ruleset.loader import load_document as _load_document
from ..ruleset.loader import parse_document as _parse_document
from .lint import lint as _lint
from .policy import Policy, PolicyError


def _parse(text: str, file: str) -> tuple[Policy | None, list[Problem]]:
    # a policy is immutable: the same text gives the same Policy (a draw over several quarters
    # loads it once; the lint reads the bundled rulesets' grades)
    return _parse_document(text, file, Policy, _lint, "policy")


def _policies_dir() -> Path:
    return _data_dir("policies")


def lint_policy(path: str | Path) -> list[Problem]:
    """Every problem of the inspection policy file at ``path``: an empty list means it is valid.

    The same checks as :func:`~ecocredit.ruleset.lint_ruleset` (YAML, duplicate and unknown
    keys, types, citations), then the policy's own: known event types and groups, one county
    rate per class, categories in a sensible order, grade maps that cover the bundled
    rulesets' grades. Each :class:`~ecocredit.errors.Problem` names file, line and key path.

    Parameters
    ----------
    path : str or Path
        A policy file (YAML).

    Returns
    -------
    list of Problem
        Every problem found (empty: valid). An unreadable file is one problem, not an error.

    Examples
    --------
    >>> lint_policy(_policies_dir() / "jiangxi-2020.yaml")
    []
    """
    return _lint_document_file(path, _parse)


def load_policy(name_or_path: str | Path | Policy) -> Policy:
    """The inspection policy with this bundled id (see :func:`bundled_policies`) or file path.

    Parameters
    ----------
    name_or_path : str, Path or Policy
        ``jiangxi-2020``, or a YAML file written in the policy format (``docs/inspection.md``);
        a Policy is returned as it is.

    Returns
    -------
    Policy
        Validated and linted, stamped with the file's SHA-256 (``policy.sha256``).

    Raises
    ------
    PolicyError
        Listing all the problems of an invalid file (see :func:`lint_policy`).

    Examples
    --------
    >>> load_policy("jiangxi-2020").rate("A", "county").share
    Decimal('0.25')
    """
    if isinstance(name_or_path, Policy):
        return name_or_path
    return _load_document(name_or_path, _policies_dir(), _parse, PolicyError,
                          "inspection policy")


def bundled_policies() -> list[Policy]:
    """The inspection policies shipped with ecocredit, sorted by id.

    Returns
    -------
    list of Policy
        Each bundled policy, loaded and validated.

    Raises
    ------
    PolicyError
        A bundled policy file is invalid (a broken installation).

    Examples
    --------
    >>> [p.id for p in bundled_policies()]
    ['jiangxi-2020']
    """
    return sorted((load_policy(f) for f in sorted(_policies_dir().glob("*.yaml"))),
                  key=lambda p: (p.id, p.valid_from))
