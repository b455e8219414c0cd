"""Reading a YAML document safely, keeping the line of every key: :class:`Reader` composes
with the safe loader, refuses duplicate keys and reads floats as exact decimals; pydantic's
validation errors become :class:`~ecocredit.errors.Problem` records with file, line and key path.
Used for rulesets and for inspection policies alike.
"""

from __future__ import annotations

import datetime as dt
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
        loader = yaml.SafeLoader(self.text)
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            self.problems.append(Problem(self.file, line, "", "yaml_syntax",
                                         f"Not valid YAML: {getattr(exc, 'problem', exc)}."))
            return None
        finally:
            loader.dispose()
        if node is None:
            return None
        return self._build(node, (), yaml.SafeLoader(""))

    def _build(self, node: yaml.Node, path: PathT, ctor: yaml.SafeLoader) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for knode, vnode in node.value:
                key = ctor.construct_object(knode, deep=True)
                if isinstance(key, (dt.date, int, float, bool)) or key is None:
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
        if node.tag == "tag:yaml.org,2002:float":
            try:
                return Decimal(node.value.replace("_", ""))
            except Exception:  # .inf, .nan
                return ctor.construct_object(node)
        return ctor.construct_object(node)


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
