"""The public functions say what they raise (numpydoc ``Raises``), checked mechanically.

For every function of ``ecocredit.__all__`` and ``ecocredit.supervision.__all__``: each
exception class its own body raises (``raise X(...)``) is named in its ``Raises`` section.
The supervision functions (issue 15) also have the sections a user needs: ``Parameters`` when
they take any, ``Returns`` and ``Raises``. Errors raised deeper down cannot be found by reading
the body; those are listed by hand and kept honest by the tests that trigger them.
"""

from __future__ import annotations

import inspect
import re

import pytest

import ecocredit
import ecocredit.supervision as supervision


def _section(doc: str, name: str) -> str | None:
    m = re.search(rf"^{name}\n-+\n(.*?)(?=^\w[\w ]*\n-+\n|\Z)", doc, re.M | re.S)
    return m.group(1) if m else None


def _functions(module) -> list[tuple[str, object]]:
    return [(n, getattr(module, n)) for n in module.__all__
            if inspect.isfunction(getattr(module, n))]


PUBLIC = sorted({f"{f.__module__}.{f.__qualname__}": f
                 for _, f in _functions(ecocredit) + _functions(supervision)}.items())


@pytest.mark.parametrize("name,fn", PUBLIC, ids=[n for n, _ in PUBLIC])
def test_every_exception_a_public_function_raises_itself_is_named_in_its_raises_section(
        name: str, fn) -> None:
    raised = set(re.findall(r"\braise (\w+)\(", inspect.getsource(fn)))
    doc = inspect.getdoc(fn) or ""
    section = _section(doc, "Raises") or ""
    named = set(re.findall(r"^(\w+)", section, re.M))
    assert raised <= named, f"{name} raises {sorted(raised - named)} without saying so"


SUPERVISION = [(n, f) for n, f in _functions(supervision) if n != "format_fraction"]
#: functions that report problems instead of raising (their Returns says how)
REPORT_NOT_RAISE = {"lint_policy", "frequency_from", "quarter_quota"}


@pytest.mark.parametrize("name,fn", SUPERVISION, ids=[n for n, _ in SUPERVISION])
def test_every_public_supervision_function_documents_parameters_returns_and_raises(
        name: str, fn) -> None:
    doc = inspect.getdoc(fn) or ""
    takes = [p for p in inspect.signature(fn).parameters if p not in ("self",)]
    if takes:
        params = _section(doc, "Parameters") or ""
        for p in takes:
            assert re.search(rf"(^|[ ,]){p}\b", params, re.M), f"{name}: parameter {p}"
    assert _section(doc, "Returns"), f"{name}: no Returns section"
    if name not in REPORT_NOT_RAISE:
        assert _section(doc, "Raises") is not None, f"{name}: no Raises section"
