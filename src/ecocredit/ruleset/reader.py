"""Reading a YAML document safely, keeping the line of every key: :class:`Reader` composes
with the safe loader, refuses duplicate keys and reads floats as exact decimals; pydantic's
validation errors become :class:`~ecocredit.errors.Problem` records with file, line and key path.
Used for rulesets and for inspection policies alike.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Iterable

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import Problem
from ..rules import RULE_KINDS
from ..rules.base import PathT
from .models import Ruleset

__all__ = ["PathT", "format_path", "Reader", "line_for", "pydantic_problems"]

def format_path(path: Iterable[str | int]) -> str:
    """``('rules', 3, 'tiers', 1, 'min')`` → ``rules[3].tiers[1].min``."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


class Reader:
    """Compose YAML with the safe loader, then build plain values while recording lines."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.text = text
        self.lines: dict[PathT, int] = {}
        self.problems: list[Problem] = []

    def read(self) -> Any:
        """The document's plain values (None on a problem that stops reading).

        Before composing, :func:`_guard` walks the YAML events once (no objects built) and stops
        at the first control character, explicit tag, nesting deeper than :data:`MAX_DEPTH` or
        expansion (aliases counted) beyond :data:`MAX_NODES` values, so time and memory stay
        bounded on any input and no tag ever reaches a constructor.
        """
        node = None
        for loader_cls in _LOADERS:  # libyaml first; the Python parser words any problem
            stop = _guard(self.file, self.text, loader_cls)
            if stop is not None:
                if stop.code == "yaml_syntax" and loader_cls is not yaml.SafeLoader:
                    continue
                self.problems.append(stop)
                return None
            loader = loader_cls(self.text)
            try:
                node = loader.get_single_node()
                break
            except yaml.YAMLError as exc:
                if loader_cls is yaml.SafeLoader:
                    self.problems.append(_syntax_problem(self.file, exc))
                    return None
            finally:
                loader.dispose()
        if node is None:
            return None
        return self._build(node, (), yaml.SafeLoader(""))

    def _problem(self, node: yaml.Node, path: PathT, code: str, msg: str) -> None:
        self.problems.append(Problem(self.file, node.start_mark.line + 1, format_path(path),
                                     code, msg))

    def _build(self, node: yaml.Node, path: PathT, ctor: yaml.SafeLoader) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for knode, vnode in node.value:
                if knode.tag == "tag:yaml.org,2002:merge":
                    self._problem(knode, path, "yaml_merge_key",
                                  "Merge keys ('<<') are not allowed; write the keys out.")
                    continue
                if not isinstance(knode, yaml.ScalarNode):
                    self._problem(knode, path, "bad_value", "A key must be a plain word.")
                    continue
                key = knode.value
                if key in out:
                    self.problems.append(Problem(
                        self.file, knode.start_mark.line + 1, format_path(path + (key,)),
                        "duplicate_key",
                        f"The key '{key}' appears twice; the first is on line "
                        f"{self.lines.get(path + (key,), '?')}. Keep one."))
                    continue
                self.lines[path + (key,)] = knode.start_mark.line + 1
                out[key] = self._build(vnode, path + (key,), ctor)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self._build(v, path + (i,), ctor) for i, v in enumerate(node.value)]
        return self._scalar(node, path, ctor)

    def _scalar(self, node: yaml.Node, path: PathT, ctor: yaml.SafeLoader) -> Any:
        """One scalar: numbers checked for size before they are built, floats as decimals,
        strings free of control characters."""
        if not node.style and _NUMBER.match(node.value):  # plain: None in PyYAML, '' in libyaml
            try:
                d = Decimal(node.value.replace("_", ""))
            except Exception:  # 0x..., 0o..., sexagesimal: YAML 1.1 forms, built below
                d = Decimal(0)
            if len(node.value) > MAX_NUMBER_CHARS or not d.is_finite() or (
                    d != 0 and abs(d.adjusted()) > MAX_EXPONENT):
                self._problem(node, path, "number_out_of_range",
                              f"The number {node.value[:20]}{'…' if len(node.value) > 20 else ''}"
                              f" is out of range; numbers here have at most "
                              f"{MAX_EXPONENT} digits.")
                return None
        if node.tag == "tag:yaml.org,2002:float":
            try:
                return Decimal(node.value.replace("_", ""))
            except Exception:  # .inf, .nan
                return ctor.construct_object(node)
        try:
            value = ctor.construct_object(node)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:  # e.g. the date 2019-02-30
            self._problem(node, path, "bad_value", f"Cannot read {node.value[:40]!r}: {exc}.")
            return None
        if isinstance(value, str) and _CONTROL.search(value):
            self._problem(node, path, "yaml_control_char",
                          "The value holds a control character; remove it.")
            return None
        return value


MAX_DEPTH = 64          #: deepest nesting of mappings and lists a document may have
MAX_NODES = 200_000     #: most values a document may expand to (aliases counted in full)
MAX_NUMBER_CHARS = 40   #: longest number literal read
MAX_EXPONENT = 15       #: largest power of ten (either way) of a number

# C0 and C1 control characters other than tab, LF and CR, and DEL
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# anything a plain scalar could mean as a number, including forms YAML 1.1 reads as strings
_NUMBER = re.compile(r"^[-+]?(\.?[0-9][0-9_,]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?|\.(inf|Inf|INF|nan|NaN|NAN))$")


def _syntax_problem(file: str, exc: Exception) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    return Problem(file, line, "", "yaml_syntax",
                   f"Not valid YAML: {getattr(exc, 'problem', None) or exc}.")


#: the parsers tried in turn: libyaml's (a bundled ruleset in 0.04 s of CPU instead of 0.2 s,
#: part of what ``ecocredit explain`` costs), then PyYAML's own, whose messages a document
#: with a syntax problem gets (the two word them differently)
_LOADERS = tuple(x for x in (getattr(yaml, "CSafeLoader", None), yaml.SafeLoader) if x)


def _guard(file: str, text: str, loader: Any = yaml.SafeLoader) -> Problem | None:
    """The first reason not to compose ``text``, or None; one pass over the YAML events.

    Tracks, for every open collection, how many values it expands to and how deep, and for
    every anchor the size and depth of its value, so an alias costs what it expands to (an
    "alias bomb" of nine levels of nine is stopped after :data:`MAX_NODES` values, not after
    387 million). An alias to an anchor still open (a recursive value) is refused too.
    """
    m = _CONTROL.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        return Problem(file, line, "", "yaml_control_char",
                       f"Control character U+{ord(m.group()):04X} on line {line}; remove it.")
    anchors: dict[str, tuple[int, int]] = {}
    stack: list[list[Any]] = []  # [anchor, size, depth of children]
    total = 0

    def close(anchor: str | None, size: int, depth: int) -> None:
        if anchor is not None:
            anchors[anchor] = (size, depth)
        if stack:
            stack[-1][1] += size
            stack[-1][2] = max(stack[-1][2], depth)

    def where(ev: Any) -> int:
        return ev.start_mark.line + 1

    try:
        for ev in yaml.parse(text, Loader=loader):
            if getattr(ev, "tag", None) is not None and not isinstance(ev, yaml.DocumentStartEvent):
                return Problem(file, where(ev), "", "yaml_tag",
                               f"The tag '{ev.tag}' is not allowed: this file holds plain "
                               "values only and never runs code.")
            if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                stack.append([ev.anchor, 1, 0])
                if len(stack) > MAX_DEPTH:
                    return Problem(file, where(ev), "", "yaml_too_deep",
                                   f"Nesting deeper than {MAX_DEPTH} levels.")
            elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                anchor, size, depth = stack.pop()
                close(anchor, size, depth + 1)
            elif isinstance(ev, yaml.ScalarEvent):
                close(ev.anchor, 1, 1)
            elif isinstance(ev, yaml.AliasEvent):
                if ev.anchor not in anchors:
                    return Problem(file, where(ev), "", "yaml_alias",
                                   f"The alias '*{ev.anchor}' refers to an anchor that is not "
                                   "defined before it or contains it.")
                size, depth = anchors[ev.anchor]
                if len(stack) + depth > MAX_DEPTH:
                    return Problem(file, where(ev), "", "yaml_too_deep",
                                   f"The alias '*{ev.anchor}' nests deeper than {MAX_DEPTH} levels.")
                total += size
                close(None, size, depth)
            else:
                continue
            total += 1
            if total > MAX_NODES:
                return Problem(file, where(ev), "", "yaml_too_large",
                               f"The document expands to more than {MAX_NODES:,} values "
                               "(aliases counted in full).")
    except yaml.YAMLError as exc:
        return _syntax_problem(file, exc)
    return None


def line_for(lines: dict[PathT, int], path: PathT) -> int | None:
    p = tuple(path)
    while p:
        if p in lines:
            return lines[p]
        p = p[:-1]
    return lines.get((), None)


def _data_path(data: Any, loc: Iterable[Any]) -> PathT:
    """Turn a pydantic error location into a path in the data (dropping union tags)."""
    out: list[str | int] = []
    cur = data
    tag_next = False
    for part in loc:
        if tag_next and isinstance(cur, dict) and part == cur.get("kind"):
            # the discriminator tag pydantic puts after rules[i]; it is not a key, even when
            # it is spelled like one ('tiers', 'cap')
            tag_next = False
            continue
        tag_next = False
        if isinstance(cur, dict) and part in cur:
            out.append(part)
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            out.append(part)
            cur = cur[part]
            tag_next = out == ["rules", part]
        elif isinstance(cur, dict) and isinstance(part, str) and not out[-1:] == [part]:
            # a missing or unknown key: keep it in the path if it names a field, skip union tags
            if part in _KNOWN_FIELD_NAMES:
                out.append(part)
                cur = None
        else:
            continue
    return tuple(out)


def _known_field_names() -> frozenset[str]:
    """Every field name of the ruleset format: of :class:`Ruleset` and every model it holds
    (the rule kinds' models included)."""
    names: set[str] = set()
    todo: list[Any] = [Ruleset]
    seen: set[Any] = set()
    while todo:
        t = todo.pop()
        if isinstance(t, type) and issubclass(t, BaseModel):
            if t in seen:
                continue
            seen.add(t)
            names.update(t.model_fields)
            todo.extend(f.annotation for f in t.model_fields.values())
        else:
            todo.extend(getattr(t, "__args__", ()))
    return frozenset(names)


_KNOWN_FIELD_NAMES = _known_field_names()

_PYDANTIC_CODES = {
    "extra_forbidden": "unknown_key",
    "missing": "missing_key",
    "union_tag_invalid": "unknown_rule_kind",
    "union_tag_not_found": "missing_key",
}


def pydantic_problems(exc: ValidationError, data: Any, lines: dict[PathT, int],
                       file: str, what: str = "ruleset") -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        path = _data_path(data, loc)
        code = _PYDANTIC_CODES.get(err["type"], "bad_value")
        if code == "missing_key" and loc and loc[-1] == "reference":
            code = "missing_reference"
        if code == "unknown_key":
            msg = f"Unknown key '{loc[-1]}'; check its spelling against the {what} format."
            path = path if path and path[-1] == loc[-1] else path + (str(loc[-1]),)
        elif code in ("missing_key", "missing_reference"):
            field = loc[-1] if err["type"] == "missing" else "kind"
            what = "citation" if code == "missing_reference" else "key"
            msg = f"The required {what} '{field}' is missing."
            if path[-1:] != (field,):
                path = path + (str(field),)
        elif code == "unknown_rule_kind":
            msg = (f"Unknown rule kind {err.get('input', {}).get('kind')!r}; the kinds are "
                   + ", ".join(k.name for k in RULE_KINDS) + ".")
            path = path + ("kind",)  # point at the offending key, not at the rule
        else:
            msg = err["msg"][0].upper() + err["msg"][1:] + "."
        problems.append(Problem(file, line_for(lines, path), format_path(path), code, msg))
    return problems
