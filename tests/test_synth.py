"""The synthetic-province generator: schema, vocabularies, integrity, determinism, realism."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from ecocredit import synth
from ecocredit.codes import JIANGXI_COUNTIES, valid_region_mask, valid_uscc_mask
from ecocredit.synth import (
    COLUMNS,
    DEFAULT_MIX,
    EXAMPLES,
    HISTORY_GRADES,
    INDICATORS,
    INDUSTRIES,
    Mix,
    generate,
    iter_chunks,
    write,
    write_chunks,
)
from ecocredit.synth.columns import _VETO_TYPES
from ecocredit.vocab import (
    EVENT_TYPES,
    FIRM_STATUSES,
    MEDIA,
    PERMIT_TYPES,
    POSITIVE_EVENT_TYPES,
    ADMIN_EVENT_TYPES,
    SEVERITIES,
    SUPERVISION_CLASSES,
    TABLES,
)

YEARS = (2023, 2024, 2025)
LAST_DAY = "2025-12-31"


@pytest.fixture(scope="module")
def tables():
    return generate(800, seed=7)


@pytest.fixture(scope="module")
def large():
    """A population large enough for distribution checks (about 1 s)."""
    return generate(20_000, seed=11, include_examples=False)


def example_firm(tables, what):
    firms = tables["firms"]
    (firm_id,) = firms.loc[firms["name"] == f"示例·{what}", "firm_id"]
    return firm_id


# --- schema -----------------------------------------------------------------------------------

def test_columns_are_the_contracts(tables):
    for name, (required, optional) in TABLES.items():
        assert tuple(tables[name].columns) == COLUMNS[name]
        assert COLUMNS[name][:len(required)] == required
        assert set(COLUMNS[name]) <= set(required + optional)
    # the contract's own optional columns are all generated; only extensions may be left out
    assert "list" in COLUMNS["history"] and "list_until" not in COLUMNS["history"]


def test_every_value_is_a_non_missing_string(tables):
    for frame in tables.values():
        for column in frame.columns:
            values = frame[column]
            assert pd.api.types.is_string_dtype(values.dtype)
            assert not values.isna().any()
            assert values.map(type).eq(str).all()


def test_firms_vocabularies(tables):
    firms = tables["firms"]
    assert valid_uscc_mask(firms["firm_id"]).all()
    assert firms["firm_id"].is_unique
    assert valid_region_mask(firms["region_code"]).all()
    assert set(firms["region_code"]) <= {c for c, _ in JIANGXI_COUNTIES}
    assert (firms["firm_id"].str[2:8] == firms["region_code"]).all()
    assert set(firms["industry_code"]) <= {i.code for i in INDUSTRIES}
    assert firms["industry_code"].str.fullmatch(r"[BCD]\d{4}").all()
    assert set(firms["supervision_class"]) <= set(SUPERVISION_CLASSES)
    assert set(firms["permit_type"]) <= set(PERMIT_TYPES)
    assert set(firms["status"]) <= set(FIRM_STATUSES)
    assert set(firms["key_discharger"]) | set(firms["positive_list"]) <= {"true", "false"}
    assert firms["included_since"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    pd.to_datetime(firms["included_since"], format="%Y-%m-%d")
    assert (firms["included_since"] <= LAST_DAY).all()
    assert firms["name"].str.endswith("公司").sum() == len(firms) - len(EXAMPLES)


def test_events_vocabularies(tables):
    events = tables["events"]
    assert events["event_id"].is_unique
    assert events["event_id"].str.fullmatch(r"EV\d{9}").all()
    assert set(events["event_type"]) <= set(EVENT_TYPES)
    for column in ("event_date", "recorded_at"):
        dates = pd.to_datetime(events[column], format="%Y-%m-%d")
        assert dates.dt.year.isin(YEARS).all()
    assert (events["recorded_at"] >= events["event_date"]).all()
    assert (events["recorded_at"] <= LAST_DAY).all()
    lag = (pd.to_datetime(events["recorded_at"]) - pd.to_datetime(events["event_date"])).dt.days
    assert lag.max() <= DEFAULT_MIX.recorded_lag_days

    with_amount = events["amount"] != ""
    assert set(events.loc[with_amount, "event_type"]) <= {"fine", "daily_penalty"}
    amounts = events.loc[with_amount, "amount"].astype(int)
    assert (amounts >= 1000).all() and (amounts % 100 == 0).all()
    assert (events.loc[events["event_type"] == "fine", "amount"] != "").all()

    with_severity = events["severity"] != ""
    assert (with_severity == (events["event_type"] == "incident")).all()
    assert set(events.loc[with_severity, "severity"]) <= set(SEVERITIES)
    assert set(events["medium"]) <= set(MEDIA) | {""}
    assert (events.loc[events["event_type"] == "hazwaste_illegal", "medium"]
            == "hazardous_waste").all()


def test_events_happen_after_inclusion(tables):
    events = tables["events"].merge(tables["firms"][["firm_id", "included_since"]], on="firm_id")
    assert (events["event_date"] >= events["included_since"]).all()


def test_measurements_vocabularies(tables):
    m = tables["measurements"]
    assert set(m["period"]) <= {str(y) for y in YEARS}
    assert set(m["indicator"]) == set(INDICATORS)
    assert not m.duplicated(["firm_id", "period", "indicator"]).any()
    by = {name: m.loc[m["indicator"] == name, "value"] for name in INDICATORS}
    for rate in ("discharge_compliance_rate", "solid_waste_handling_rate"):
        assert by[rate].str.fullmatch(r"(0\.\d{3}|1\.000)").all()
    assert set(by["hazwaste_assessment"]) <= {"pass", "basic", "fail"}
    assert set(by["siting_compliant"]) <= {"yes", "no"}
    noise = by["noise_exceedance_db"]
    assert noise.str.fullmatch(r"\d+\.\d").all()
    nonzero = noise.astype(float)[noise != "0.0"]
    assert ((nonzero >= 0.5) & (nonzero <= 10)).all()


def test_history_vocabularies(tables):
    h = tables["history"]
    assert set(h["period"]) == {"2023", "2024"}
    assert set(h["grade"]) <= set(HISTORY_GRADES)
    assert not h.duplicated(["firm_id", "period"]).any()
    assert set(h.loc[h["list"] == "red", "grade"]) <= {"green"}
    assert set(h.loc[h["list"] == "black", "grade"]) <= {"red"}
    assert set(h["list"]) <= {"", "red", "black"}


# --- referential integrity ----------------------------------------------------------------------

def test_every_row_names_an_existing_firm(tables):
    firm_ids = set(tables["firms"]["firm_id"])
    for name in ("events", "measurements", "history"):
        assert set(tables[name]["firm_id"]) <= firm_ids


def test_references_name_an_earlier_event_of_the_same_firm(tables):
    events = tables["events"]
    refs = events[events["ref_event_id"] != ""]
    assert set(refs["event_type"]) == {"revocation", "rectification_completed"}
    assert (events.loc[events["event_type"].isin(["revocation", "rectification_completed"]),
                       "ref_event_id"] != "").all()
    target = events.set_index("event_id").loc[refs["ref_event_id"]]
    assert (target["firm_id"].to_numpy() == refs["firm_id"].to_numpy()).all()
    assert (target["event_date"].to_numpy() < refs["event_date"].to_numpy()).all()
    assert (target.index.to_numpy() < refs["event_id"].to_numpy()).all()
    adverse = set(EVENT_TYPES) - POSITIVE_EVENT_TYPES - ADMIN_EVENT_TYPES
    assert set(target["event_type"]) <= adverse
    revoked = target[refs["event_type"].to_numpy() == "revocation"]
    assert not revoked["event_type"].isin(list(DEFAULT_MIX.revocation_exempt)).any()


def test_measurements_and_history_start_with_inclusion(tables):
    firms = tables["firms"].set_index("firm_id")
    for name in ("measurements", "history"):
        frame = tables[name]
        since = firms.loc[frame["firm_id"], "included_since"].str[:4].to_numpy()
        assert (frame["period"].to_numpy() >= since).all()


# --- determinism --------------------------------------------------------------------------------

def test_same_seed_same_tables(tables):
    again = generate(800, seed=7)
    for name in tables:
        pd.testing.assert_frame_equal(tables[name], again[name])


def test_another_seed_other_tables(tables):
    other = generate(800, seed=8)
    assert not tables["events"].equals(other["events"])
    random_ids = set(tables["firms"]["firm_id"][len(EXAMPLES):])
    assert not random_ids & set(other["firms"]["firm_id"][len(EXAMPLES):])


def test_written_files_are_byte_identical_plain_utf8(tables, tmp_path):
    paths = write(tables, tmp_path / "a")
    write(generate(800, seed=7), tmp_path / "b")
    for name, path in paths.items():
        assert path.name == f"{name}.csv"
        data = path.read_bytes()
        assert data == (tmp_path / "b" / path.name).read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        assert data.split(b"\n", 1)[0].decode() == ",".join(COLUMNS[name])
        back = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        pd.testing.assert_frame_equal(back, tables[name].astype(object), check_dtype=False)


def test_parquet_holds_string_columns(tables, tmp_path):
    paths = write(tables, tmp_path, fmt="parquet")
    for name, path in paths.items():
        table = pq.read_table(path)
        assert table.column_names == list(COLUMNS[name])
        assert all(str(t) in ("string", "large_string") for t in table.schema.types)
        assert table.num_rows == len(tables[name])
    with pytest.raises(ValueError):
        write(tables, tmp_path, fmt="xlsx")


# --- the illustrative firms ----------------------------------------------------------------------

def test_examples_come_first_with_fixed_ids(tables):
    firms = tables["firms"]
    assert firms["name"].head(len(EXAMPLES)).tolist() == [ex.name for ex in EXAMPLES]
    other = generate(5, seed=1, years=(2020, 2021))
    assert (other["firms"]["firm_id"].head(len(EXAMPLES)).to_numpy()
            == firms["firm_id"].head(len(EXAMPLES)).to_numpy()).all()
    assert not generate(5, include_examples=False)["firms"]["name"].str.startswith("示例").any()


def test_example_events_are_as_documented(tables):
    events = tables["events"]

    def of(what):
        return events[events["firm_id"] == example_firm(tables, what)].reset_index(drop=True)

    clean = of("清白企业")
    assert clean["event_type"].tolist() == ["liability_insurance", "cleaner_production_audit"]
    assert of("未批先建")[["event_date", "event_type"]].values.tolist() == [
        ["2025-05-12", "eia_unapproved_construction"]]
    assert of("一般突发环境事件")["severity"].tolist() == ["general"]
    assert of("较大突发环境事件")["severity"].tolist() == ["larger"]
    assert of("罚款两次")["amount"].tolist() == ["50000", "120000"]
    revoked = of("处罚已撤销")
    assert revoked["event_type"].tolist() == ["fine", "revocation"]
    assert revoked.loc[1, "ref_event_id"] == revoked.loc[0, "event_id"]
    suspended = of("停产整治")
    assert suspended[["event_date", "event_type"]].values.tolist() == [
        ["2025-08-31", "production_suspension"]]
    for what in ("达标率低", "历年不良", "黑名单", "新纳入"):
        assert of(what).empty
    assert events["event_id"].head(3).tolist() == ["EV000000001", "EV000000002", "EV000000003"]


def test_example_measurements_history_and_inclusion(tables):
    m, h, firms = tables["measurements"], tables["history"], tables["firms"]
    low = m[(m["firm_id"] == example_firm(tables, "达标率低")) & (m["period"] == "2025")
            & (m["indicator"] == "discharge_compliance_rate")]
    assert low["value"].tolist() == ["0.600"]
    clean = m[m["firm_id"] == example_firm(tables, "清白企业")]
    assert len(clean) == len(YEARS) * len(INDICATORS)
    bad = h[h["firm_id"] == example_firm(tables, "历年不良")]
    assert bad[["period", "grade"]].values.tolist() == [["2023", "red"], ["2024", "red"]]
    black = h[h["firm_id"] == example_firm(tables, "黑名单")]
    assert black[["period", "grade", "list"]].values.tolist()[-1] == ["2024", "red", "black"]
    new = firms[firms["name"] == "示例·新纳入"]
    assert new["included_since"].tolist() == ["2025-06-01"]
    assert set(m.loc[m["firm_id"] == new["firm_id"].item(), "period"]) == {"2025"}
    assert h[h["firm_id"] == new["firm_id"].item()].empty


# --- realism --------------------------------------------------------------------------------------

def test_distributions_are_in_the_published_ranges(large):
    firms, events, h = large["firms"], large["events"], large["history"]
    n = len(firms)
    shares = firms["supervision_class"].value_counts(normalize=True)
    assert shares["A"] == pytest.approx(0.12, abs=0.01)
    assert shares["C"] == pytest.approx(0.55, abs=0.01)
    assert (firms["key_discharger"] == "true").mean() == pytest.approx(0.35, abs=0.01)
    assert (firms["positive_list"] == "true").mean() == pytest.approx(0.04, abs=0.01)
    assert (firms["status"] == "operating").mean() == pytest.approx(0.97, abs=0.01)
    assert (firms["included_since"] >= "2025-01-01").mean() == pytest.approx(0.05, abs=0.01)
    heavy = firms["industry_code"].isin([i.code for i in INDUSTRIES if i.heavy])
    assert (firms.loc[heavy, "supervision_class"] == "A").mean() > (
        firms.loc[~heavy, "supervision_class"] == "A").mean()

    last = events[events["event_date"] >= "2025-01-01"]
    adverse = last[~last["event_type"].isin(POSITIVE_EVENT_TYPES | ADMIN_EVENT_TYPES)]
    assert 0.60 <= 1 - adverse["firm_id"].nunique() / n <= 0.75
    veto_types = _VETO_TYPES
    veto = adverse[adverse["event_type"].isin(veto_types)
                   | adverse["severity"].isin(["larger", "major", "especially_major"])]
    assert 0.008 <= veto["firm_id"].nunique() / n <= 0.025
    commitments = events.loc[events["event_type"] == "credit_commitment", "firm_id"].nunique()
    assert commitments / n == pytest.approx(0.10, abs=0.015)
    insured = events.loc[events["event_type"] == "liability_insurance", "firm_id"].nunique()
    assert insured / n == pytest.approx(synth.DEFAULT_MIX.insurance_firms, abs=0.03)
    revocations = (events["event_type"] == "revocation").sum()
    all_adverse = ~events["event_type"].isin(POSITIVE_EVENT_TYPES | ADMIN_EVENT_TYPES)
    assert 0.0005 < revocations / all_adverse.sum() < 0.005
    positive = firms.loc[firms["positive_list"] == "true", "firm_id"]
    any_adverse = set(events.loc[all_adverse, "firm_id"])
    assert not set(positive) & any_adverse

    grades = h["grade"].value_counts(normalize=True)
    for grade, share in DEFAULT_MIX.history_grades.items():
        assert grades[grade] == pytest.approx(share, abs=0.01)
    fines = events.loc[events["event_type"] == "fine", "amount"].astype(float)
    assert 20_000 <= fines.median() <= 200_000 and (fines > 1_000_000).any()


def test_history_grades_follow_the_events(large):
    events, h = large["events"], large["history"]
    adverse = events[~events["event_type"].isin(POSITIVE_EVENT_TYPES | ADMIN_EVENT_TYPES)]
    counts = adverse.assign(period=adverse["event_date"].str[:4]).groupby(
        ["firm_id", "period"]).size().rename("n")
    joined = h.join(counts, on=["firm_id", "period"]).fillna({"n": 0})
    mean = joined.groupby("grade")["n"].mean()
    assert mean["green"] < mean["blue"] < mean["yellow"] < mean["red"]


def test_events_per_firm_year_sets_the_volume():
    tables = generate(3000, seed=3, include_examples=False, events_per_firm_year=6.0)
    assert len(tables["events"]) / (3000 * 3) == pytest.approx(6.0, rel=0.05)


def test_mix_can_be_tuned_and_is_validated():
    quiet = dataclasses.replace(DEFAULT_MIX, adverse_per_firm_year=0.0)
    events = generate(300, seed=1, include_examples=False, mix=quiet)["events"]
    assert set(events["event_type"]) <= POSITIVE_EVENT_TYPES
    with pytest.raises(ValueError, match="credit_commitment"):
        Mix(adverse_types={"credit_commitment": 1.0})
    with pytest.raises(ValueError, match="key_discharger_share"):
        dataclasses.replace(DEFAULT_MIX, key_discharger_share=1.5)
    with pytest.raises(ValueError):
        generate(10, years=(2025, 2024))


def test_edge_sizes():
    only_examples = generate(0)
    assert len(only_examples["firms"]) == len(EXAMPLES)
    empty = generate(0, include_examples=False)
    assert all(len(frame) == 0 for frame in empty.values())
    assert tuple(empty["events"].columns) == COLUMNS["events"]
    one_year = generate(20, years=(2025,))
    assert one_year["history"].empty
    assert set(one_year["events"]["event_date"].str[:4]) == {"2025"}


# --- chunks and the command line ------------------------------------------------------------

def test_chunks_make_one_valid_province(tmp_path):
    chunks = list(iter_chunks(700, chunk_firms=300, seed=5))
    assert [len(c["firms"]) for c in chunks] == [300 + len(EXAMPLES), 300, 100]
    first = generate(300, seed=5)
    for name in first:
        pd.testing.assert_frame_equal(chunks[0][name], first[name])
    whole = {name: pd.concat([c[name] for c in chunks], ignore_index=True) for name in first}
    assert whole["firms"]["firm_id"].is_unique
    assert whole["events"]["event_id"].is_unique
    numbers = whole["events"]["event_id"].str[2:].astype(int)
    assert (numbers.to_numpy() == np.arange(1, len(numbers) + 1)).all()
    assert set(whole["events"]["firm_id"]) <= set(whole["firms"]["firm_id"])
    refs = whole["events"].loc[whole["events"]["ref_event_id"] != "", "ref_event_id"]
    assert set(refs) <= set(whole["events"]["event_id"])
    rows = write_chunks(iter(chunks), tmp_path)
    assert rows == {name: len(frame) for name, frame in whole.items()}
    back = pd.read_csv(tmp_path / "events.csv", dtype=str, keep_default_na=False)
    assert back["event_id"].tolist() == whole["events"]["event_id"].tolist()


def test_command_line(tmp_path, capsys):
    assert synth.main(["--firms", "40", "--seed", "3", "--years", "2024", "2025",
                       "--out", str(tmp_path), "--by-type"]) == 0
    out = capsys.readouterr().out
    firms = pd.read_csv(tmp_path / "firms.csv", dtype=str, keep_default_na=False)
    assert f"firms: {len(firms)} rows" in out
    assert len(firms) == 40 + len(EXAMPLES)
    assert "  fine: " in out          # 示例·罚款两次 has two
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "events.csv", "firms.csv", "history.csv", "measurements.csv"]
    with pytest.raises(SystemExit):
        synth.main(["--firms", "5", "--years", "2025", "2024", "--out", str(tmp_path)])
