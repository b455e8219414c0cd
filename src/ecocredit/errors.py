"""The one exception family of ecocredit.

Every error says who, where and how to fix it, in one sentence, and carries structured
attributes (file, line, key path, rule id, firm id) and a reason code from a closed set,
so that callers can act on it without parsing the message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = [
    "EcocreditError",
    "Problem",
    "RulesetError",
    "InputError",
    "PeriodError",
    "ReplayError",
    "missing_column_message",
]


class EcocreditError(Exception):
    """Base class of every error raised by ecocredit."""

    reason_code: str = "error"


@dataclass(frozen=True)
class Problem:
    """One problem found in a ruleset file.

    Attributes
    ----------
    file : str
        The file the problem is in.
    line : int or None
        1-based line of the offending key or value, when known.
    path : str
        Key path inside the file, e.g. ``rules[3].tiers[1].min``.
    code : str
        Reason code from a closed set (``unknown_key``, ``missing_reference``, ...).
    message : str
        One sentence saying what is wrong and how to fix it.
    """

    file: str
    line: int | None
    path: str
    code: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path or '<root>'}: {self.message} [{self.code}]"


class RulesetError(EcocreditError):
    """A ruleset file is invalid; ``problems`` lists every problem found, all at once."""

    reason_code = "invalid_ruleset"

    def __init__(self, problems: list[Problem], source: str = "") -> None:
        self.problems = list(problems)
        self.source = source
        n = len(self.problems)
        head = f"Ruleset {source!r} has {n} problem{'s' if n != 1 else ''}"
        body = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{head}:\n{body}" if body else head)


@dataclass
class _InputErrorData:
    file: str = ""
    column: str = ""
    extra: dict = field(default_factory=dict)


class InputError(EcocreditError):
    """An input table cannot be used at all (unreadable, or a required column is missing).

    Row-level problems never raise: they go to the rejects table.
    """

    def __init__(self, message: str, *, file: str = "", column: str = "",
                 reason_code: str = "bad_input") -> None:
        self.file = file
        self.column = column
        self.reason_code = reason_code
        super().__init__(message)


class PeriodError(EcocreditError):
    """The period (or as-of date) asked for is not covered by the ruleset, or is malformed."""

    reason_code = "period_not_covered"

    def __init__(self, message: str, *, ruleset: str = "", period: str = "") -> None:
        self.ruleset = ruleset
        self.period = period
        super().__init__(message)


class ReplayError(EcocreditError):
    """A saved run cannot be replayed (manifest missing or unreadable, inputs gone)."""

    reason_code = "replay_impossible"


def missing_column_message(file: str, what: str, column: str, aliases: Mapping[str, str],
                           headers: Iterable[object]) -> str:
    """The message of a table that lacks a required column (``missing_column``), in the
    file's own words.

    The headers found are listed as the file writes them (Chinese headers stay Chinese), and
    every header accepted for the missing column is named (its English contract name and
    its Chinese aliases), so the user sees which one to add or rename.

    Parameters
    ----------
    file : str
        The file as the user named it.
    what : str
        The table (``firms``, ``events``, ``inspectors`` ...).
    column : str
        The missing column's contract name.
    aliases : mapping of str to str
        Header → contract name, the table's accepted aliases.
    headers : iterable
        The headers of the file as read.

    Returns
    -------
    str
        One line, for an :class:`InputError` with ``reason_code='missing_column'``.

    Examples
    --------
    >>> missing_column_message("企业.csv", "firms", "firm_id", {"统一社会信用代码": "firm_id"},
    ...                        ["企业名称", "行政区划代码"])
    "企业.csv: the firms table needs the column firm_id (headed firm_id or 统一社会信用代码); \
the file's headers are: 企业名称, 行政区划代码."
    """
    accepted = [column] + [a for a, c in aliases.items() if c == column and a != column]
    found = [str(h).replace("\ufeff", "").strip() for h in headers]
    return (f"{file}: the {what} table needs the column {column} (headed "
            f"{' or '.join(accepted)}); the file's headers are: "
            f"{', '.join(found) if found else '(none)'}.")
