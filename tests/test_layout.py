"""The layout rules of the developers' guide hold for every module of ``src/ecocredit``, read with
``ast`` (nothing is imported): a module has at most 500 lines, a function at most 80 (from its
``def`` to its last line, docstring included) unless its docstring has a sentence starting
"Long because", and no two packages import each other, counting imports inside functions (only
``if TYPE_CHECKING:`` blocks are left out: they never run). A module of the library imports the
stage module that holds a name, not the root facade ``ecocredit`` (which re-exports it lazily),
so that every dependency shows in the graph."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "ecocredit"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80
EXCUSE = "Long because"


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def _dotted(path: Path) -> str:
    """``src/ecocredit/read/validate.py`` → ``ecocredit.read.validate``."""
    parts = ("ecocredit",) + path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package(dotted: str) -> str:
    """The stage a module belongs to: ``ecocredit.read.validate`` → ``read``; a top-level
    module (``ecocredit.errors``) is its own stage; the root facade is ``ecocredit``."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else "ecocredit"


@cache
def _facade() -> dict[str, str]:
    """The root facade's lazy names (``__init__._LAZY``) → the module that holds each."""
    tree = ast.parse((SRC / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "_LAZY":
            table = ast.literal_eval(node.value)
            return {name: "ecocredit" + module for name, (module, _attr) in table.items()}
    raise AssertionError("ecocredit/__init__.py has no _LAZY table")


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _statements(tree: ast.AST):
    """Every node of the tree, except what sits under ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                stack.extend(child.orelse)
            else:
                stack.append(child)


def _absolute(module: str, node: ast.ImportFrom) -> str:
    """The absolute name of what ``from <node.module> import ...`` reads, inside ``module``."""
    if not node.level:
        return node.module or ""
    is_package = (SRC / Path(*module.split(".")[1:]) / "__init__.py").exists()
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


@cache
def _imports() -> dict[str, list[tuple[str, int, str]]]:
    """For each module: (imported module, line, how) for every import that can run.

    An import of the root facade (``import ecocredit`` then ``ecocredit.load_policy``, or
    ``from ecocredit import load_policy``) counts as an import of the module that holds the name
    (``_LAZY``); ``how`` says "facade" for those.
    """
    facade = _facade()
    out: dict[str, list[tuple[str, int, str]]] = {}
    for path in _modules():
        module = _dotted(path)
        if module == "ecocredit":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found: list[tuple[str, int, str]] = []
        facade_aliases: set[str] = set()
        for node in _statements(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "ecocredit":
                        facade_aliases.add(alias.asname or "ecocredit")
                    elif alias.name.startswith("ecocredit."):
                        found.append((alias.name, node.lineno, "import"))
            elif isinstance(node, ast.ImportFrom):
                target = _absolute(module, node)
                if target == "ecocredit":
                    for alias in node.names:
                        if alias.name in facade:
                            found.append((facade[alias.name], node.lineno, "facade"))
                        elif (SRC / alias.name).is_dir() or (SRC / f"{alias.name}.py").exists():
                            found.append((f"ecocredit.{alias.name}", node.lineno, "import"))
                elif target.startswith("ecocredit."):
                    folder = SRC / Path(*target.split(".")[1:])
                    for alias in node.names:  # `from . import charts` reads a submodule
                        sub = ((folder / alias.name).is_dir()
                               or (folder / f"{alias.name}.py").exists())
                        found.append((f"{target}.{alias.name}" if sub else target, node.lineno,
                                      "import"))
        for node in _statements(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in facade_aliases and node.attr in facade):
                found.append((facade[node.attr], node.lineno, "facade"))
        out[module] = found
    return out


def _package_graph() -> dict[str, dict[str, list[str]]]:
    """stage → imported stage → the places (``module:line``) that import it."""
    graph: dict[str, dict[str, list[str]]] = {}
    for module, imports in _imports().items():
        source = _package(module)
        for target, line, _how in imports:
            dest = _package(target)
            if dest != source and dest != "ecocredit":
                graph.setdefault(source, {}).setdefault(dest, []).append(f"{module}:{line}")
    return graph


def _cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """The strongly connected components of more than one stage (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in graph.get(node, {}):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def _long_functions() -> list[tuple[str, str, int]]:
    """(module, function, lines) of every function over the limit without the excuse."""
    found = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                doc = ast.get_docstring(node) or ""
                if lines > MAX_FUNCTION_LINES and EXCUSE not in " ".join(doc.split()):
                    found.append((_dotted(path), node.name, lines))
    return found


def test_no_module_is_over_500_lines():
    long = {str(p.relative_to(SRC)): n for p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_no_function_is_over_80_lines_unless_its_docstring_says_why():
    assert _long_functions() == [], (
        f"split these functions into steps, or say why in a docstring sentence starting "
        f"{EXCUSE!r}")


def test_no_two_packages_import_each_other_even_inside_functions():
    graph = _package_graph()
    detail = {
        " ↔ ".join(component): {f"{a} → {b}": graph[a][b] for a in component for b in component
                                if b in graph.get(a, {})}
        for component in _cycles(graph)}
    assert detail == {}


#: the stages in the order of docs/architecture.md: each imports only stages before it (the
#: primitives first; ``output`` writes files and holds the words shown to people, and imports none)
STAGES = ["errors", "vocab", "codes", "days", "periods", "points", "progress", "output", "rules",
          "ruleset", "read", "engine", "decisions", "supervision", "audit", "cycle", "scale",
          "analysis", "synth", "docgen", "cli"]


def test_each_stage_imports_only_the_stages_before_it():
    graph = _package_graph()
    assert set(graph) | {b for targets in graph.values() for b in targets} <= set(STAGES)
    backwards = {f"{a} → {b}": places for a, targets in graph.items()
                 for b, places in targets.items() if STAGES.index(b) > STAGES.index(a)}
    assert backwards == {}


def test_modules_import_the_stage_that_holds_a_name_not_the_root_facade():
    through_facade = {f"{module}:{line}": target for module, imports in _imports().items()
                      for target, line, how in imports if how == "facade"}
    assert through_facade == {}


@pytest.mark.parametrize("module", ["vectorized", "reference", "explain"])
def test_the_engines_and_explain_read_the_plan_not_the_rulesets_scoring_or_grades(module):
    """The compiled plan (``engine/compile.py``) holds the bounds and bands in hundredths and
    the grades' ids, labels and colours; the engines read those, not the pydantic models."""
    tree = ast.parse((SRC / "engine" / f"{module}.py").read_text(encoding="utf-8"))
    reads = sorted({f"{node.attr}:{node.lineno}" for node in ast.walk(tree)
                    if isinstance(node, ast.Attribute) and node.attr in ("scoring", "grades")})
    assert reads == []


@pytest.mark.parametrize("graph, expected", [
    ({"a": {"b": []}, "b": {"c": []}}, []),
    ({"a": {"b": []}, "b": {"c": []}, "c": {"a": []}}, [["a", "b", "c"]]),
    ({"a": {"b": []}, "b": {"a": []}, "c": {"a": []}}, [["a", "b"]])])
def test_the_cycle_finder_finds_a_cycle_through_any_number_of_packages(graph, expected):
    assert _cycles(graph) == expected


def test_the_import_reader_sees_imports_inside_functions_and_through_the_facade():
    imports = _imports()
    # a module-level import, and the lazy `from . import charts` inside a function
    report = {target for target, _line, _how in imports["ecocredit.analysis.report"]}
    assert "ecocredit.analysis.charts" in report
    # the root facade's table resolves to stage modules
    assert _facade()["double_random_draw"] == "ecocredit.supervision"
