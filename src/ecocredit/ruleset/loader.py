"""Loading documents: parse (safe YAML with lines → pydantic model → lint), load by bundled
name or path (stamped with the file's SHA-256), and the bundled rulesets. The generic steps (:func:`parse_document`, :func:`load_document`,
:func:`lint_document_file`, :func:`data_dir`) serve inspection policies too.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path
from typing import Any, Callable, TypeVar

from pydantic import ValidationError

from ..errors import Problem, RulesetError
from .lint import lint_document
from .sources import lint_document_titles, lint_sources
from .models import Document, Ruleset
from .reader import PathT, Reader, pydantic_problems

__all__ = ["parse_document", "lint_document_file", "load_document", "data_dir", "bundled_dir",
           "lint_ruleset", "bundled_rulesets", "load_ruleset"]

_D = TypeVar("_D", bound=Document)


def parse_document(text: str, file: str, model: type[_D],
                    lint: Callable[[_D, dict[PathT, int], str], list[Problem]],
                    what: str = "ruleset") -> tuple[_D | None, list[Problem]]:
    """Read a YAML document with :class:`~ecocredit.ruleset.reader.Reader`, validate it with ``model``, then ``lint`` it.

    Returns the document (None if it could not be validated) and every problem found, each
    with file, line and key path; ``what`` names the kind of file in the messages.
    """
    reader = Reader(file, text)
    data = reader.read()
    early = list(reader.problems)  # duplicate keys, bad values: reported, validation goes on
    if data is None and early:  # reading stopped (syntax, tag, depth, size, control character)
        return None, early
    if not isinstance(data, dict):
        return None, early + [Problem(file, 1, "", "bad_value",
                                      f"A {what} file must be a YAML mapping.")]
    try:
        doc = model.model_validate(data)
    except ValidationError as exc:
        seen = {p.path for p in early}  # a value the reader refused is not reported twice
        return None, early + [p for p in pydantic_problems(exc, data, reader.lines, file, what)
                              if p.path not in seen]
    return doc, (early + lint(doc, reader.lines, file) + lint_sources(doc, reader.lines, file)
                 + lint_document_titles(doc, reader.lines, file))


def _parse(text: str, file: str) -> tuple[Ruleset | None, list[Problem]]:
    return parse_document(text, file, Ruleset, lint_document)


def lint_document_file(path: str | Path,
                        parse: Callable[[str, str], tuple[Any, list[Problem]]]
                        ) -> list[Problem]:
    """Every problem ``parse`` finds in the file at ``path`` (an unreadable file is one)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(str(p), None, "", "unreadable", f"Cannot read the file: {exc}.")]
    return parse(text, str(p))[1]


def lint_ruleset(path: str | Path) -> list[Problem]:
    """Check a ruleset file and return every problem found (empty when it is valid).

    Parameters
    ----------
    path : str or Path
        The YAML file.

    Returns
    -------
    list of Problem
        Each with file, line, key path, reason code and message.
    """
    return lint_document_file(path, _parse)


def data_dir(name: str) -> Path:
    """A folder of bundled YAML files: ``ecocredit/_<name>`` in an installed package (the
    wheel force-includes it, see pyproject.toml), else ``<name>/`` at the top of a checkout."""
    pkg = resources.files("ecocredit") / f"_{name}"
    if pkg.is_dir():
        return Path(str(pkg))
    return Path(__file__).resolve().parents[3] / name


def bundled_dir() -> Path:
    return data_dir("rulesets")


def bundled_rulesets() -> list[Ruleset]:
    """The rulesets shipped with ecocredit, sorted by id.

    Examples
    --------
    >>> [r.id for r in bundled_rulesets()][:1]
    ['anhui-2019']
    """
    return sorted((load_ruleset(p) for p in sorted(bundled_dir().glob("*.yaml"))),
                  key=lambda r: (r.id, r.valid_from))


def load_ruleset(name_or_path: str | Path) -> Ruleset:
    """Load, validate and lint a ruleset, by bundled name (``anhui-2019``) or by file path.

    Parameters
    ----------
    name_or_path : str or Path
        A bundled ruleset id, or the path of a YAML file.

    Returns
    -------
    Ruleset

    Raises
    ------
    RulesetError
        With every problem found, each naming file, line and key path.

    Examples
    --------
    >>> rs = load_ruleset("jiangsu-2020")
    >>> rs.grade_ids
    ['green', 'blue', 'yellow', 'red', 'black']
    """
    return load_document(name_or_path, bundled_dir(), _parse, RulesetError, "ruleset")


#: problem codes that ``lint`` reports (exit 1) but loading tolerates: citation metadata that
#: does not change a result. A ruleset saved with a run before the rule existed still loads, so
#: the run can be explained and replayed; ``ecocredit lint`` still asks for the fix.
LINT_ONLY = frozenset({"url_kind", "document_title"})


def load_document(name_or_path: str | Path, folder: Path,
                   parse: Callable[[str, str], tuple[_D | None, list[Problem]]],
                   error: type[RulesetError], what: str) -> _D:
    """Load a document by bundled name (``folder/<name>.yaml``) or by path, parse it, and
    stamp it with the file's SHA-256 and path; raise ``error`` with every problem found."""
    p = Path(name_or_path)
    if not p.suffix and not p.exists():
        cand = folder / f"{name_or_path}.yaml"
        if not cand.exists():
            names = sorted(x.stem for x in folder.glob("*.yaml"))
            code = "unknown_" + what.split()[-1]
            raise error([Problem(str(name_or_path), None, "", code,
                                 f"No bundled {what} is called '{name_or_path}'; "
                                 f"the bundled ones are {names}.")], str(name_or_path))
        p = cand
    try:
        raw = p.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error([Problem(str(p), None, "", "unreadable",
                             f"Cannot read the file: {exc}.")], str(p)) from None
    doc, problems = parse(text, str(p))
    problems = [x for x in problems if x.code not in LINT_ONLY]
    if problems or doc is None:
        raise error(problems, str(p))
    doc._sha256 = hashlib.sha256(raw).hexdigest()
    doc._source = str(p)
    return doc
