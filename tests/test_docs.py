"""The documentation cannot drift from the code: the data-format page is regenerated and
compared, every bad value it shows is fed to ``ecocredit.score`` and must be rejected with the
reason code it names, every Chinese alias it lists must be accepted, the published JSON Schema is
the one the code produces, and every command of the CLI is in the README's table and in
``docs/cli.md``. (The examples themselves run in ``tests/test_docs_examples.py``.)"""

from __future__ import annotations

import json
import re
from itertools import cycle
from pathlib import Path

import pandas as pd
import pytest
from conftest import make_firm_id

import ecocredit
from ecocredit.cli import cli
from ecocredit.docgen import COLUMN_FORMATS, RECORD_REASON_CODES, UNUSED_REASON_CODES, data_format_markdown
from ecocredit.vocab import (
    BOOLEAN_VALUES,
    COLUMN_ALIASES,
    EVENT_TYPES,
    REASON_CODES,
    TABLES,
    VALUE_ALIASES,
)

ROOT = Path(__file__).resolve().parents[1]
A, B = make_firm_id(1), make_firm_id(2)
TODAY = "2026-01-01"


def _base() -> dict[str, pd.DataFrame]:
    """Two firms, valid in every column of every table (guangdong-2015's indicators)."""
    firm = {"name": "甲", "region_code": "360102", "industry_code": "2610",
            "supervision_class": "A", "key_discharger": "true", "permit_type": "key",
            "positive_list": "false", "status": "operating", "included_since": "2020-01-01"}
    return {
        "firms": pd.DataFrame([{"firm_id": A, **firm}, {"firm_id": B, **firm}]),
        "events": pd.DataFrame([
            {"event_id": "E1", "firm_id": A, "event_date": "2025-03-01", "event_type": "fine",
             "amount": "1000", "severity": "general", "medium": "water", "ref_event_id": "",
             "recorded_at": "2025-03-05"},
            {"event_id": "E2", "firm_id": B, "event_date": "2025-04-01", "event_type": "warning",
             "amount": "", "severity": "", "medium": "", "ref_event_id": "",
             "recorded_at": ""}]),
        "measurements": pd.DataFrame([
            {"firm_id": A, "period": "2025", "indicator": "discharge_compliance_rate",
             "value": "0.95"},
            {"firm_id": B, "period": "2025", "indicator": "discharge_compliance_rate",
             "value": "0.9"}]),
        "history": pd.DataFrame([
            {"firm_id": A, "period": "2024", "grade": "green", "list": "", "list_until": ""},
            {"firm_id": B, "period": "2024", "grade": "blue", "list": "", "list_until": ""}]),
    }


RULESET = ecocredit.load_ruleset("guangdong-2015")


def _score(t: dict[str, pd.DataFrame]) -> ecocredit.ScoreResult:
    return ecocredit.score(t["firms"], t["events"], RULESET, period="2025",
                           measurements=t["measurements"], history=t["history"], today=TODAY)


def test_the_data_format_page_is_the_generated_one():
    page = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    assert page == data_format_markdown(), ("docs/data-format.md is stale: python -m "
                                            "ecocredit.docgen data-format > docs/data-format.md")


def test_every_column_and_every_reason_code_is_documented():
    for table, (required, optional) in TABLES.items():
        assert list(COLUMN_FORMATS[table]) == [*required, *optional]
    shown = {code for cols in COLUMN_FORMATS.values() for col in cols.values()
             for code, _ in col.rejects}
    assert shown | set(UNUSED_REASON_CODES) | set(RECORD_REASON_CODES) == set(REASON_CODES)
    assert not shown & set(UNUSED_REASON_CODES)
    assert not shown & set(RECORD_REASON_CODES)


def test_the_valid_base_tables_are_scored_without_rejects():
    result = _score(_base())
    assert result.rejects.empty
    assert len(result.scores) == 2


BAD_VALUES = [(table, column, code, example)
              for table, cols in COLUMN_FORMATS.items() for column, col in cols.items()
              for code, example in col.rejects]


@pytest.mark.parametrize("table,column,code,example", BAD_VALUES,
                         ids=[f"{t}.{c}-{r}" for t, c, r, _ in BAD_VALUES])
def test_each_documented_bad_value_gets_its_documented_reason_code(table, column, code, example):
    tables = _base()
    df = tables[table]
    if example.startswith("dup:"):  # the first row repeated
        tables[table] = pd.concat([df, df.iloc[[0]]], ignore_index=True)
    else:
        df.loc[0, column] = example
    rejects = _score(tables).rejects
    found = set(zip(rejects["column"], rejects["reason_code"]))
    assert (column, code) in found, rejects.to_string()


def test_an_undeclared_indicator_is_accepted_as_the_page_says():
    tables = _base()
    tables["measurements"].loc[0, "indicator"] = "an_indicator_nobody_declares"
    assert _score(tables).rejects.empty


def test_every_chinese_header_and_value_the_page_lists_is_accepted():
    tables = _base()
    for table in tables:
        tables[table] = tables[table].rename(
            columns={v: k for k, v in COLUMN_ALIASES[table].items()})
    firms = tables["firms"]
    zh = {v: k for k, v in COLUMN_ALIASES["firms"].items()}
    rows = []
    statuses, permits = cycle(VALUE_ALIASES["status"]), cycle(VALUE_ALIASES["permit_type"])
    for i, boolean in enumerate(BOOLEAN_VALUES):
        row = firms.iloc[0].copy()
        row[zh["firm_id"]] = make_firm_id(100 + i)
        row[zh["status"]], row[zh["permit_type"]] = next(statuses), next(permits)
        row[zh["key_discharger"]] = row[zh["positive_list"]] = boolean.upper()
        rows.append(row)
    tables["firms"] = pd.concat([firms, pd.DataFrame(rows)], ignore_index=True)
    ev = {v: k for k, v in COLUMN_ALIASES["events"].items()}
    sev, med = cycle(VALUE_ALIASES["severity"]), cycle(VALUE_ALIASES["medium"])
    events = [{ev["event_id"]: f"Z{i}", ev["firm_id"]: A, ev["event_date"]: "2025-05-01",
               ev["event_type"]: label, ev["severity"]: next(sev), ev["medium"]: next(med)}
              for i, label in enumerate(VALUE_ALIASES["event_type"])
              if EVENT_TYPES[VALUE_ALIASES["event_type"][label]] and label != "撤销"]
    tables["events"] = pd.concat([tables["events"], pd.DataFrame(events)],
                                 ignore_index=True).fillna("")
    hi = {v: k for k, v in COLUMN_ALIASES["history"].items()}
    tables["history"][hi["list"]] = list(VALUE_ALIASES["list"])
    result = _score(tables)
    assert result.rejects.empty, result.rejects.to_string()
    assert len(result.scores) == 2 + len(BOOLEAN_VALUES)


def test_ecocredit_schema_prints_the_published_json_schema():
    published = (ROOT / "docs" / "ruleset.schema.json").read_text(encoding="utf-8")
    generated = json.dumps(ecocredit.ruleset_json_schema(), indent=2, ensure_ascii=False,
                           sort_keys=True) + "\n"
    assert generated == published, (
        "docs/ruleset.schema.json is stale: ecocredit schema > docs/ruleset.schema.json")


def test_every_command_is_in_the_readme_table_and_in_the_cli_reference():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert re.search(rf"^\| `ecocredit {re.escape(name)}[ `]", readme, re.MULTILINE), name
        assert re.search(rf"^## `ecocredit {re.escape(name)}[ `]", reference, re.MULTILINE), name
        assert re.search(rf"^\$ ecocredit {re.escape(name)} ", reference + "\n", re.MULTILINE) or \
            f"$ ecocredit {name}\n" in reference, f"no example of `ecocredit {name}` in docs/cli.md"
