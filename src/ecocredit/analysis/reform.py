"""Reforms: a baseline ruleset plus an override file, no code.

A regulator drafting a new method asks "what if the yellow band started at 65, this deduction
doubled, this veto were dropped?". A *reform file* answers in data::

    format: 1
    reform: yellow-at-65
    title: {zh: 警示线提高到65分, en: yellow band from 65}
    baseline: chongqing-2017          # a bundled id, or a ruleset file (relative to this file)
    changes:
      - set: scoring.bands[yellow].min   # a key path in the ruleset; [x] picks by index, id or grade
        value: 65
      - set: rules[CQ-D02].points        # a rule's points...
        value: -10
        from: 2024-07-01                 # ...from a date: the old rule ends the day before
      - disable: CQ-V02                  # a rule (or list rule, or measure) dropped
      - add:                             # a rule added, written as in a ruleset
          {id: CQ-X01, kind: event_points, ...}

The overrides are applied to the baseline's YAML *data* before validation, so the reformed
ruleset is validated and linted exactly like a ruleset file (the same pydantic models and the same
lint, see :mod:`ecocredit.ruleset`); every problem names the file, line and key: the reform file's
line for what the reform changed, the baseline's for the rest.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from ..errors import Problem, RulesetError
# the ruleset file format's own reader, pydantic problems and lint: a reform is validated and
# linted exactly like a ruleset
from ..rules.base import Model as _Model
from ..rules.base import Text
from ..ruleset import Ruleset, load_ruleset
from ..ruleset.lint import lint_document as _lint
from ..ruleset.sources import lint_sources as _lint_sources
from ..ruleset.loader import bundled_dir as _bundled_dir
from ..ruleset.models import FORMAT_VERSION
from ..ruleset.reader import Reader as _Reader
from ..ruleset.reader import format_path
from ..ruleset.reader import pydantic_problems as _pydantic_problems

__all__ = ["Reform", "ReformError", "load_reform", "lint_reform", "load_ruleset_or_reform"]

PathT = tuple[str | int, ...]
_SEGMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)((?:\[[^\]]+\])*)$")
_LISTS_WITH_IDS = (("rules",), ("lists", "rules"), ("measures",))


class ReformError(RulesetError):
    """A reform file (or the ruleset it makes) is invalid; ``problems`` lists every problem."""

    reason_code = "invalid_reform"
    #: how the command line names it and which command lints it (``ecocredit.cli.common``)
    document = "reform"
    lint_command = "lint-reform"


class Change(_Model):
    """One override: ``set`` a key path to ``value``, ``disable`` a rule, or ``add`` one."""

    set: str | None = Field(None, description="Key path in the ruleset, e.g. rules[CQ-D02].points")
    value: Any = None
    disable: str | None = Field(None, description="Id of a rule, list rule or measure to drop.")
    add: dict[str, Any] | None = Field(
        None, description="A rule, written as in a ruleset, or a not_scored entry (types, "
        "reason, reference): a reform that stops scoring a behaviour says why (coverage lint).")
    to: Literal["rules", "lists.rules", "measures", "not_scored"] = Field(
        "rules", description="Where an added item goes.")
    from_: dt.date | None = Field(None, alias="from",
                                  description="A rule's change applies from this date.")
    note: str = ""

    @model_validator(mode="after")
    def _one(self) -> "Change":
        given = [k for k in ("set", "disable", "add") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a change needs exactly one of 'set', 'disable' or 'add'")
        if self.set is not None and "value" not in self.model_fields_set:
            raise ValueError("'set' needs a 'value'")
        return self


class ReformDoc(_Model):
    """The reform file."""

    format: int = FORMAT_VERSION
    reform: str = Field(pattern=r"^[a-z][a-z0-9\-]*$")
    title: Text | None = None
    baseline: str
    description: str = ""
    changes: list[Change] = Field(min_length=1)


class Reform:
    """A reform: the baseline ruleset, the reformed ruleset and the document that made it.

    Attributes
    ----------
    id : str
    baseline : Ruleset
    ruleset : Ruleset
        The reformed ruleset (same id as the baseline, version ``<v>+<reform id>``), so that
        inspection policies and measures keyed by ruleset id still apply.
    changes : list of Change
    source, sha256 : str
        The reform file and its SHA-256.
    """

    def __init__(self, doc: ReformDoc, baseline: Ruleset, ruleset: Ruleset, source: str,
                 sha256: str) -> None:
        self.id, self.doc, self.baseline, self.ruleset = doc.reform, doc, baseline, ruleset
        self.changes, self.source, self.sha256 = doc.changes, source, sha256

    def __repr__(self) -> str:
        return (f"Reform(id={self.id!r}, baseline={self.baseline.id!r}, "
                f"changes={len(self.changes)})")


def _split(path: str) -> list[tuple[str, list[str]]] | None:
    out = []
    for seg in path.split("."):
        m = _SEGMENT.match(seg.strip())
        if not m:
            return None
        out.append((m.group(1), re.findall(r"\[([^\]]+)\]", m.group(2))))
    return out


def _pick(items: list[Any], sel: str) -> int | None:
    """Index of ``sel`` in a list: an integer, or an item's ``id`` (a band's ``grade``)."""
    if re.fullmatch(r"-?\d+", sel):
        i = int(sel)
        return i if -len(items) <= i < len(items) else None
    for i, it in enumerate(items):
        if isinstance(it, dict) and sel in (it.get("id"), it.get("grade")):
            return i
    return None


def _resolve(data: Any, path: str) -> tuple[PathT | None, str]:
    """The data path of a reform's key path, or None and why."""
    parts = _split(path)
    if parts is None:
        return None, f"'{path}' is not a key path (write it like rules[CQ-D02].points)."
    cur, out = data, []
    for n, (key, sels) in enumerate(parts):
        last = n == len(parts) - 1 and not sels
        if not isinstance(cur, dict) or (key not in cur and not last):
            return None, f"The ruleset has no key '{format_path(tuple(out) + (key,))}'."
        out.append(key)
        cur = cur.get(key)
        for sel in sels:
            if not isinstance(cur, list) or (i := _pick(cur, sel)) is None:
                return None, (f"'{format_path(tuple(out))}' has no item '{sel}' (give an index, "
                              "an id or a band's grade).")
            out.append(i if i >= 0 else len(cur) + i)
            cur = cur[out[-1]]
    return tuple(out), ""


def _find_item(data: dict, item_id: str) -> tuple[PathT, int] | None:
    for lp in _LISTS_WITH_IDS:
        cur: Any = data
        for k in lp:
            cur = cur.get(k) if isinstance(cur, dict) else None
        for i, it in enumerate(cur or []):
            if isinstance(it, dict) and it.get("id") == item_id:
                return lp, i
        if lp == ("lists", "rules") and isinstance(data.get("lists"), dict):
            cap = data["lists"].get("black_cap") or {}
            if cap.get("id") == item_id:
                return ("lists", "black_cap"), -1
    return None


def _get(data: Any, path: PathT) -> Any:
    for k in path:
        data = data[k]
    return data


def apply_changes(base: dict, changes: list[Change], change_lines: list[int | None],
                  reform_lines: dict[PathT, int] | None = None
                  ) -> tuple[dict, dict[str, int | None], list[tuple[int, str, str, str]]]:
    """Apply a reform's changes to the baseline's YAML data (a deep copy is changed).

    Returns the new data, a map of changed key paths (formatted, in the new data) to the
    reform line that changed them (every key of an added rule or of a mapping set as a value
    keeps its own line, from ``reform_lines``, the reform file's lines by key path), and the problems as ``(change index, key, code, message)``.
    Removals happen last, so key paths named by the changes stay valid while they apply.
    """
    data = copy.deepcopy(base)
    touched: dict[str, int | None] = {}
    problems: list[tuple[int, str, str, str]] = []
    drops: list[tuple[PathT, int]] = []
    for n, (ch, line) in enumerate(zip(changes, change_lines)):
        if ch.set is not None:
            path, why = _resolve(data, ch.set)
            if path is None:
                problems.append((n, "set", "unknown_key", why))
                continue
            if ch.from_ is not None:
                path = _split_rule_at(data, path, ch.from_, problems, n, drops)
                if path is None:
                    continue
            parent = _get(data, path[:-1])
            parent[path[-1]] = _plain(ch.value)
            _keep_lines(touched, reform_lines, ("changes", n, "value"), path, line)
        elif ch.disable is not None:
            found = _find_item(data, ch.disable)
            if found is None:
                problems.append((n, "disable", "unknown_rule",
                                 f"No rule, list rule or measure is called '{ch.disable}'."))
            elif found[1] < 0:
                problems.append((n, "disable", "bad_value", "The black cap cannot be disabled; "
                                 "set lists.black_cap.grade to the best grade instead."))
            elif ch.from_ is not None:
                item = _get(data, found[0])[found[1]]
                item["end"] = ch.from_ - dt.timedelta(days=1)
                touched[format_path(found[0] + (found[1], "end"))] = line
            else:
                drops.append(found)
        else:
            target = tuple(ch.to.split("."))
            parent = data
            for k in target[:-1]:
                parent = parent.setdefault(k, {})
            items = parent.setdefault(target[-1], [])
            rule = _plain(ch.add)
            if ch.from_ is not None and isinstance(rule, dict):
                rule.setdefault("effective", ch.from_)
            items.append(rule)
            _keep_lines(touched, reform_lines, ("changes", n, "add"), target + (len(items) - 1,),
                        line)
    return _drop(data, drops, touched), touched, problems


def _keep_lines(touched: dict[str, int | None], reform_lines: dict[PathT, int] | None,
                src: PathT, dst: PathT, line: int | None) -> None:
    """Record the reform lines of the keys under ``src`` (in the reform) at ``dst`` (in the
    ruleset); the change's own line stands for the rest."""
    touched[format_path(dst)] = (reform_lines or {}).get(src, line)
    for k, v in (reform_lines or {}).items():
        if k[:len(src)] == src and len(k) > len(src):
            touched[format_path(dst + k[len(src):])] = v


def _split_rule_at(data: dict, path: PathT, day: dt.date, problems: list, n: int,
                   drops: list) -> PathT | None:
    """A change ``from`` a date: the rule ends the day before, a copy takes effect that day."""
    if path[:1] != ("rules",) or len(path) < 3 or not isinstance(path[1], int):
        problems.append((n, "from", "bad_value",
                         "Only a rule's values can change from a date (rules[ID].key); bands "
                         "and other parameters apply to the whole period."))
        return None
    rules = data["rules"]
    old = rules[path[1]]
    new = copy.deepcopy(old)
    new["id"] = f"{old['id']}.{day.isoformat()}"
    new["effective"] = day
    old["end"] = day - dt.timedelta(days=1)
    rules.append(new)
    return ("rules", len(rules) - 1) + path[2:]


def _drop(data: dict, drops: list[tuple[PathT, int]], touched: dict[str, int | None]) -> dict:
    for lp, i in sorted(drops, key=lambda d: -d[1]):
        items = _get(data, lp)
        del items[i]
        # later items moved up by one: so did the keys the reform changed in them
        pre = format_path(lp)
        for key in sorted(touched):
            m = re.match(re.escape(pre) + r"\[(\d+)\](.*)$", key)
            if m and int(m.group(1)) > i:
                touched[f"{pre}[{int(m.group(1)) - 1}]{m.group(2)}"] = touched.pop(key)
    return data


def _plain(v: Any) -> Any:
    """YAML floats were read as Decimal by the reader; keep them so (exact points)."""
    return copy.deepcopy(v)


def _remap_lines(lines: dict[PathT, int], base: dict, data: dict) -> dict[PathT, int]:
    """Baseline lines for the items that survive in ``data``, found by id in each list."""
    out = dict(lines)
    for lp in _LISTS_WITH_IDS:
        try:
            old, new = _get(base, lp), _get(data, lp)
        except (KeyError, TypeError):
            continue
        where = {it.get("id"): i for i, it in enumerate(old) if isinstance(it, dict)}
        for k in [k for k in out if k[:len(lp)] == lp and len(k) > len(lp)]:
            del out[k]
        for j, it in enumerate(new):
            i = where.get(it.get("id")) if isinstance(it, dict) else None
            if i is None:
                continue
            for k, v in lines.items():
                if k[:len(lp) + 1] == lp + (i,):
                    out[lp + (j,) + k[len(lp) + 1:]] = v
    return out


def _relocate(p: Problem, touched: dict[str, int | None], reform_file: str) -> Problem:
    """A problem in what the reform changed points at the reform file's line."""
    best = None
    for key, line in touched.items():
        if p.path == key or p.path.startswith(key + ".") or p.path.startswith(key + "["):
            if best is None or len(key) > len(best[0]):
                best = (key, line)
    if best is None:
        return p
    return Problem(reform_file, best[1], p.path, p.code, p.message + " (set by the reform)")


def _baseline_path(name: str, reform_file: str) -> Path:
    p = Path(name)
    if not p.suffix:
        return _bundled_dir() / f"{name}.yaml"
    return p if p.is_absolute() else Path(reform_file).resolve().parent / p


def parse_reform(text: str, file: str) -> tuple[Reform | None, list[Problem]]:
    """Read, apply, validate and lint a reform file; every problem with file, line and key."""
    reader = _Reader(file, text)
    raw = reader.read()
    problems = list(reader.problems)
    if any(p.code == "yaml_syntax" for p in problems):
        return None, problems
    if not isinstance(raw, dict):
        return None, problems + [Problem(file, 1, "", "bad_value",
                                         "A reform file must be a YAML mapping.")]
    try:
        doc = ReformDoc.model_validate(raw)
    except ValidationError as exc:
        return None, problems + _pydantic_problems(exc, raw, reader.lines, file, "reform")
    bpath = _baseline_path(doc.baseline, file)
    try:
        btext = bpath.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None, problems + [Problem(file, reader.lines.get(("baseline",)), "baseline",
                                         "unknown_ruleset",
                                         f"The baseline ruleset '{doc.baseline}' cannot be read "
                                         f"({bpath}); give a bundled id or a ruleset file.")]
    breader = _Reader(str(bpath), btext)
    bdata = breader.read()
    if breader.problems or not isinstance(bdata, dict):
        return None, problems + breader.problems
    lines = [reader.lines.get(("changes", i)) for i in range(len(doc.changes))]
    data, touched, errs = apply_changes(bdata, doc.changes, lines, reader.lines)
    for n, key, code, msg in errs:
        path = ("changes", n, key)
        problems.append(Problem(file, reader.lines.get(path, lines[n]), format_path(path), code,
                                msg))
    if errs:
        return None, problems
    data["version"] = f"{data.get('version', '')}+{doc.reform}"
    blines = _remap_lines(breader.lines, bdata, data)
    try:
        rs = Ruleset.model_validate(data)
    except ValidationError as exc:
        found = _pydantic_problems(exc, data, blines, str(bpath))
        return None, problems + [_relocate(p, touched, file) for p in found]
    found = _lint(rs, blines, str(bpath)) + _lint_sources(rs, blines, str(bpath))
    problems += [_relocate(p, touched, file) for p in found]
    if problems:
        return None, problems
    base = Ruleset.model_validate(bdata)
    base._sha256 = hashlib.sha256(btext.encode("utf-8")).hexdigest()
    base._source = str(bpath)
    rs._sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    rs._source = file
    return Reform(doc, base, rs, file, rs._sha256), []


def lint_reform(path: str | Path) -> list[Problem]:
    """Every problem of a reform file and of the ruleset it makes (empty when valid).

    Examples
    --------
    >>> import tempfile, os
    >>> f = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
    >>> _ = f.write("reform: r\\nbaseline: chongqing-2017\\nchanges:\\n  - disable: CQ-X9\\n")
    >>> f.close()
    >>> [(p.line, p.path, p.code) for p in lint_reform(f.name)]
    [(4, 'changes[0].disable', 'unknown_rule')]
    >>> os.unlink(f.name)
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(str(p), None, "", "unreadable", f"Cannot read the file: {exc}.")]
    return parse_reform(text, str(p))[1]


def load_reform(path: str | Path) -> Reform:
    """Load a reform file: the baseline with the overrides applied, validated and linted.

    Raises
    ------
    ReformError
        With every problem found, each naming file, line and key path.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReformError([Problem(str(p), None, "", "unreadable",
                                   f"Cannot read the file: {exc}.")], str(p)) from None
    reform, problems = parse_reform(text, str(p))
    if reform is None:
        raise ReformError(problems, str(p))
    return reform


def is_reform_file(path: str | Path) -> bool:
    """A YAML file whose top level has a ``reform:`` key (a ruleset has ``id:``)."""
    p = Path(path)
    if not p.is_file():
        return False
    try:
        head = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^reform\s*:", head, flags=re.M) is not None


def load_ruleset_or_reform(name_or_path: str | Path) -> tuple[Ruleset, Reform | None]:
    """A bundled ruleset id, a ruleset file, or a reform file → the ruleset to score with."""
    if is_reform_file(name_or_path):
        r = load_reform(name_or_path)
        return r.ruleset, r
    return load_ruleset(name_or_path), None
