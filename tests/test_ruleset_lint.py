"""The ruleset loader and linter: one broken fixture per failure mode, the bundled rulesets,
the worked example of docs/rulesets.md, and the published JSON schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecocredit.errors import RulesetError
from ecocredit.ruleset.loader import LINT_ONLY
from ecocredit.ruleset import (
    bundled_rulesets,
    lint_ruleset,
    load_ruleset,
    ruleset_json_schema,
)

ROOT = Path(__file__).resolve().parents[1]
BROKEN = ROOT / "tests" / "fixtures" / "broken"
BUNDLED = sorted((ROOT / "rulesets").glob("*.yaml"))

# fixture file → (reason code, line, key path). Each fixture is the same small valid ruleset
# with exactly one defect; the line is the line of the offending key (or of the rule that
# lacks one).
CASES = {
    "yaml-syntax": ("yaml_syntax", 50, ""),  # the '{' opened on line 49 is never closed
    "duplicate-key": ("duplicate_key", 51, "rules[1].points"),
    "unknown-key": ("unknown_key", 39, "rules[0].weigth"),
    "missing-reference": ("missing_reference", 59, "rules[3].reference"),  # the rule's first line
    "unknown-rule-kind": ("unknown_rule_kind", 46, "rules[1].kind"),
    "unknown-event-type": ("unknown_event_type", 49, "rules[1].match.types[0]"),
    "unknown-indicator": ("unknown_indicator", 37, "rules[0].indicator"),
    "unknown-grade-in-band": ("unknown_grade", 27, "scoring.bands[1].grade"),
    "band-overlap": ("band_overlap", 27, "scoring.bands[1].min"),
    "band-gap": ("band_gap", 29, "scoring.bands[3].min"),
    "band-order": ("band_order", 27, "scoring.bands[1].grade"),
    "weights-total": ("weights_sum", 21, "scoring.weights_total"),
    "category-weights": ("weights_sum", 22, "scoring.categories"),
    "unreachable-grade": ("unreachable_grade", 14, "grades[3]"),
    "inexact-points": ("inexact_points", 50, "rules[1].points"),
    "duplicate-rule-id": ("duplicate_id", 52, "rules[2].id"),
    "priority-clash": ("priority_clash", 71, "rules[4].priority"),
    "adverse-bonus": ("adverse_bonus", 56, "rules[2].match.types"),
    "tier-gap": ("tier_gap", 43, "rules[0].tiers[2]"),
    "bad-dates": ("bad_dates", 53, "rules[1].end"),
    "list-not-monotone": ("list_not_monotone", 82, "lists.rules[0].when.grades"),
    "unknown-measure": ("unknown_measure", 90, "measures[1].supersedes[0]"),
    "url-kind": ("url_kind", 48, "rules[1].reference.url"),
    "level-outside-band": ("level_outside_band", 30, "scoring.bands[1].levels[0].min"),
    "level-order": ("level_order", 31, "scoring.bands[1].levels[1].min"),
    "level-gap": ("level_gap", 31, "scoring.bands[1].levels[1].min"),
}


def test_every_broken_fixture_has_a_case():
    assert sorted(p.stem for p in BROKEN.glob("*.yaml")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_broken_ruleset_is_reported_with_file_line_and_key_path(name):
    code, line, path = CASES[name]
    file = BROKEN / f"{name}.yaml"

    problems = lint_ruleset(file)

    assert [(p.code, p.line, p.path) for p in problems] == [(code, line, path)]
    problem = problems[0]
    assert problem.file == str(file)
    assert str(problem).startswith(f"{file}:{line}: ")
    assert problem.message
    if code in LINT_ONLY:  # citation metadata: lint asks for it, loading tolerates it
        assert load_ruleset(file).id
        return
    with pytest.raises(RulesetError) as exc:
        load_ruleset(file)
    assert exc.value.problems == problems
    assert f"{file}:{line}: {path or '<root>'}: " in str(exc.value)
    assert f"[{code}]" in str(exc.value)


@pytest.mark.parametrize("file", BUNDLED, ids=lambda p: p.stem)
def test_a_bundled_ruleset_has_no_problem_and_cites_every_rule(file):
    assert lint_ruleset(file) == []
    rs = load_ruleset(file.stem)
    assert rs.id == file.stem
    assert rs.rules
    for rule in rs.rules:
        assert rule.reference.document.strip(), rule.id


def test_the_ten_rulesets_are_bundled():
    assert [r.id for r in bundled_rulesets()] == [
        "anhui-2019", "chongqing-2017", "chongqing-2021", "guangdong-2015", "guizhou-2019",
        "hebei-2024", "jiangsu-2020", "jiangxi", "jilin-2018", "shandong-2020"]


def test_an_unknown_ruleset_name_lists_the_bundled_ones():
    with pytest.raises(RulesetError) as exc:
        load_ruleset("nope")
    [problem] = exc.value.problems
    assert problem.code == "unknown_ruleset"
    for name in ("anhui-2019", "guangdong-2015", "jiangsu-2020"):
        assert name in str(exc.value)


def valid_base() -> str:
    """The valid ruleset the fixtures are made from (the weights-total fixture, repaired)."""
    text = (BROKEN / "weights-total.yaml").read_text(encoding="utf-8")
    return text.replace("  weights_total: 0.25\n", "  weights_total: 0.2\n")


def write(tmp_path: Path, text: str, *changes: tuple[str, str]) -> Path:
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    file = tmp_path / "case.yaml"
    file.write_text(text, encoding="utf-8")
    return file


def test_the_fixtures_base_is_valid(tmp_path):
    assert lint_ruleset(write(tmp_path, valid_base())) == []


def test_two_defects_are_reported_at_once(tmp_path):
    # a duplicate key (found while reading the YAML) and an unknown key (found by validation)
    file = write(tmp_path, valid_base(),
                 ("    points: -5\n", "    points: -5\n    points: -6\n"),
                 ("    weight: 0.2\n", "    weigth: 0.2\n"))

    problems = lint_ruleset(file)

    assert sorted((p.code, p.line, p.path) for p in problems) == [
        ("duplicate_key", 51, "rules[1].points"),
        ("unknown_key", 39, "rules[0].weigth"),
    ]


def test_two_lint_defects_are_reported_at_once(tmp_path):
    file = write(tmp_path, valid_base(),
                 ("    priority: 20\n", "    priority: 10\n"),
                 ("  weights_total: 0.2\n", "  weights_total: 0.25\n"))

    problems = lint_ruleset(file)

    assert sorted((p.code, p.line, p.path) for p in problems) == [
        ("priority_clash", 71, "rules[4].priority"),
        ("weights_sum", 21, "scoring.weights_total"),
    ]


def test_a_bonus_cap_must_be_exact(tmp_path):
    file = write(tmp_path, valid_base(), ("    cap: 4\n", "    cap: 4.001\n"))

    assert [(p.code, p.line, p.path) for p in lint_ruleset(file)] == [
        ("inexact_points", 58, "rules[2].cap"),
    ]


def test_problems_inside_a_tiers_or_cap_rule_point_at_the_rule_key(tmp_path):
    # pydantic puts the rule kind in the error location, and 'tiers' and 'cap' are also
    # field names: the path must still be the rule's own key
    file = write(tmp_path, valid_base(),
                 ("    weight: 0.2\n", "    weigth: 0.2\n"),
                 ("    missing_points: 65\n", ""),
                 ("    grade: blue\n", ""))

    problems = {(p.code, p.line, p.path) for p in lint_ruleset(file)}

    assert problems == {
        ("unknown_key", 39, "rules[0].weigth"),
        ("missing_key", 33, "rules[0].missing_points"),  # the rule's first line
        ("missing_key", 64, "rules[4].grade"),
    }


def test_the_worked_example_of_the_docs_loads():
    rs = load_ruleset(ROOT / "docs" / "examples" / "worked-example.yaml")
    assert rs.id == "worked-example"
    assert [r.kind for r in rs.rules] == [
        "tiers", "event_points", "event_points", "count_threshold", "bonus", "veto", "cap",
        "downgrade",
    ]


def test_the_worked_example_is_the_one_printed_in_the_docs():
    example = (ROOT / "docs" / "examples" / "worked-example.yaml").read_text(encoding="utf-8")
    doc = (ROOT / "docs" / "rulesets.md").read_text(encoding="utf-8")
    assert example in doc


def _shape(node):
    """The part of a JSON Schema that ecocredit decides: property names, required keys, enums,
    constants and references (pydantic versions differ in how they spell a Decimal's pattern)."""
    if isinstance(node, dict):
        keep = {k: _shape(v) for k, v in node.items()
                if k in ("properties", "$defs", "required", "enum", "const", "$ref", "items",
                         "anyOf", "oneOf", "discriminator", "additionalProperties")}
        if "properties" in node:
            keep["properties"] = {k: _shape(v) for k, v in node["properties"].items()}
        if "$defs" in node:
            keep["$defs"] = {k: _shape(v) for k, v in node["$defs"].items()}
        return keep
    if isinstance(node, list):
        return [_shape(x) for x in node]
    return node


def test_the_published_json_schema_is_current():
    # regenerate with: python -m ecocredit.cli schema > docs/ruleset.schema.json
    published = json.loads((ROOT / "docs" / "ruleset.schema.json").read_text(encoding="utf-8"))
    assert _shape(published) == _shape(ruleset_json_schema())
