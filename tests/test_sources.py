"""Sources: every cited address says whether it is the official publication or a secondary
copy (lint code ``url_kind``), ``ecocredit rulesets --sources`` lists each ruleset's documents
by kind, and the README counts the rules resting on secondary copies only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ecocredit.ruleset import bundled_rulesets, lint_ruleset, load_ruleset
from ecocredit.ruleset.sources import (
    citations,
    cited_rules,
    document_number,
    is_official_host,
    secondary_only,
    source_table,
)
from ecocredit.supervision import bundled_policies

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "tests" / "fixtures" / "broken" / "weights-total.yaml"
RULE2 = "    reference: {document: 测试文件, article: 第2条}\n"


def _ruleset(tmp_path: Path, reference: str) -> Path:
    text = BASE.read_text(encoding="utf-8").replace("  weights_total: 0.25\n",
                                                    "  weights_total: 0.2\n")
    assert text.count(RULE2) == 1
    file = tmp_path / "case.yaml"
    file.write_text(text.replace(RULE2, f"    reference: {reference}\n"), encoding="utf-8")
    return file


@pytest.mark.parametrize("url, official", [
    ("https://sthjj.cq.gov.cn/zwgk_249/zfxxgkml/zcwj/xzgfxwj/202201/t20220107_10285419.html", True),
    ("http://cepb.gov.cn/doc/2017/10/19/167080.shtml", True),
    ("http://www.gscredit.gov.cn/blackList/94112.jhtml", True),
    # a mirror whose path copies a government site's is still a mirror
    ("https://itemfoundry.com/zwgk/zdlyxxgk/hjbhxx/qyhjxypjxx/content/post_278664.html", False),
    ("http://gov.cn.example.com/a.html", False),
    ("http://39.105.20.239:8080/detail/2be48e31ee0ed89f80cc6e091dcab9a1", False),
    ("not a url", False),
])
def test_only_a_reviewed_government_domain_is_official(url, official):
    assert is_official_host(url) is official


def test_a_mirror_marked_official_is_refused(tmp_path):
    file = _ruleset(tmp_path, "{document: 测试文件, article: 第2条, url: "
                    "\"https://itemfoundry.com/zwgk/post_278664.html\", url_kind: official}")
    [problem] = lint_ruleset(file)
    assert (problem.code, problem.line, problem.path) == (
        "url_kind", 48, "rules[1].reference.url_kind")
    assert "itemfoundry.com" in problem.message and "secondary" in problem.message


def test_a_kind_without_an_address_is_refused(tmp_path):
    file = _ruleset(tmp_path, "{document: 测试文件, article: 第2条, url_kind: secondary}")
    [problem] = lint_ruleset(file)
    assert problem.code == "url_kind" and "without a 'url'" in problem.message


def test_a_marked_address_is_accepted_and_an_unknown_kind_is_a_bad_value(tmp_path):
    ok = _ruleset(tmp_path, "{document: 测试文件, article: 第2条, url: "
                  "\"http://sthjj.gz.gov.cn/tzggwj/content/post_7277641.html\", url_kind: official}")
    assert lint_ruleset(ok) == []
    bad = _ruleset(tmp_path, "{document: 测试文件, url: \"http://a.cn/x\", url_kind: mirror}")
    assert [p.code for p in lint_ruleset(bad)] == ["bad_value"]


def _two_references(tmp_path, first: str, second: str):
    """The test ruleset with its second rule's reference ``first`` and the third's ``second``
    (YAML flow mappings or anchors), written to a file."""
    text = BASE.read_text(encoding="utf-8").replace("  weights_total: 0.25\n",
                                                    "  weights_total: 0.2\n")
    text = text.replace(RULE2, f"    reference: {first}\n")
    text = text.replace("    reference: {document: 测试文件, article: 第3条}\n",
                        f"    reference: {second}\n")
    file = tmp_path / "case.yaml"
    file.write_text(text, encoding="utf-8")
    return file


def test_a_shared_citation_with_a_missing_kind_is_reported_once_at_its_anchor(tmp_path):
    file = _two_references(tmp_path, "&shared {document: 测试文件, url: \"http://a.cn/x\"}",
                           "*shared")
    assert [(p.code, p.path) for p in lint_ruleset(file)] == [
        ("url_kind", "rules[1].reference.url")]


def test_every_bundled_address_says_what_it_is():
    for doc in [*bundled_rulesets(), *bundled_policies()]:
        for path, owner, ref in citations(doc):
            if ref.url:
                assert ref.url_kind in ("official", "secondary"), (doc.id, path)
                assert (ref.url_kind == "official") == is_official_host(ref.url), (doc.id, owner)


def test_chongqing_2017_cites_the_official_publication_found_and_keeps_the_copy_in_its_note():
    rs = load_ruleset("chongqing-2017")
    [method] = [s for s in source_table(rs) if "渝环〔2017〕174号" in s.document]
    assert method.urls == {"http://cepb.gov.cn/doc/2017/10/19/167080.shtml": "official"}
    assert "creding.com" in rs.rules[0].reference.note


def test_the_sources_table_counts_articles_and_citing_records_per_document():
    rs = load_ruleset("hebei-2024")
    table = {s.document: s for s in source_table(rs)}
    hebei = table["河北省企业生态环境信用管理办法（试行）"]
    assert hebei.kind == "secondary"
    assert len(hebei.articles) == 2 and len(hebei.owners) == 8
    kinds = [s.kind for s in source_table(rs)]
    assert kinds == sorted(kinds, key=["official", "secondary", "none"].index)


def test_the_readme_counts_the_rules_on_secondary_copies_only():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z0-9\-]+)` \| .* \| (\d+ of \d+) \|$", readme, re.M))
    table = readme[readme.index("| id | what | on secondary copies only |"):].split("\n\n")[0]
    assert {line.count("|") for line in table.splitlines()} == {4}, "a row with a stray cell"
    want = {rs.id: f"{len(secondary_only(rs))} of {len(cited_rules(rs))}"
            for rs in bundled_rulesets()}
    assert rows == want


def test_rulesets_sources_lists_each_document_with_its_kind(ecocredit_cli):
    proc = ecocredit_cli("rulesets", "--sources", "chongqing-2017", "jiangxi")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert out[0] == ("chongqing-2017: of 28 rules, list rules and measures, 21 cite an official "
                      "publication, 6 only a secondary copy, 1 no address")
    assert any(line.startswith("official ") and "渝环〔2017〕174号" in line for line in out)
    assert "  official: http://cepb.gov.cn/doc/2017/10/19/167080.shtml" in proc.stdout
    assert any(line.startswith("jiangxi: of 23 ") for line in out)
    assert "traceback" not in proc.stderr.lower()


def test_rulesets_sources_of_an_unknown_id_is_a_usage_error(ecocredit_cli):
    proc = ecocredit_cli("rulesets", "--sources", "nowhere-2030")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "nowhere-2030" in proc.stderr


def test_a_ruleset_saved_before_url_kind_existed_still_loads_but_lint_asks_for_it(tmp_path):
    # a run made before the rule existed must still explain and replay (its ruleset is reloaded)
    text = (ROOT / "rulesets" / "hebei-2024.yaml").read_text(encoding="utf-8")
    old = tmp_path / "hebei-2024.yaml"
    old.write_text("\n".join(l for l in text.split("\n") if "url_kind:" not in l),
                   encoding="utf-8")

    assert load_ruleset(old).id == "hebei-2024"
    assert {p.code for p in lint_ruleset(old)} == {"url_kind"}


def test_one_document_number_is_cited_under_one_title_in_every_bundled_ruleset_and_policy():
    for doc in [*bundled_rulesets(), *bundled_policies()]:
        titles: dict[str, set[str]] = {}
        for _path, _owner, ref in citations(doc):
            for part in re.split(r"[；;]", ref.document):
                if document_number(part.strip()):
                    titles.setdefault(document_number(part.strip()), set()).add(part.strip())
        assert {n: t for n, t in titles.items() if len(t) > 1} == {}, doc.id
    numbers = [document_number(s.document) for s in source_table(load_ruleset("anhui-2019"))]
    assert numbers.count("皖环函〔2019〕662号") == 1  # listed once by rulesets --sources


def test_a_document_number_cited_under_a_second_title_is_a_lint_problem(tmp_path):
    file = _two_references(tmp_path, "{document: 某办法（皖环函〔2019〕662号）}",
                           "{document: 某办法（2019年修订）（皖环函〔2019〕662号）}")
    [problem] = lint_ruleset(file)
    assert problem.code == "document_title" and problem.path.endswith("reference.document")
    assert "皖环函〔2019〕662号" in problem.message
    load_ruleset(file)  # citation metadata: loading tolerates it (lint asks for the fix)


def test_a_citation_of_two_documents_at_once_lists_each_document_once_with_its_addresses():
    rs = load_ruleset("guangdong-2015")
    table = source_table(rs)
    docs = [s.document for s in table]
    assert len(docs) == len(set(docs)) and not any("；" in d or ";" in d for d in docs)
    [annex] = [s for s in table if "环发〔2013〕150号附件" in s.document]
    assert annex.document == "企业环境信用评价指标及评分方法（试行）（环发〔2013〕150号附件）"
    assert annex.kind == "secondary" and len(annex.owners) == 5 and len(annex.urls) == 1
    for rs in bundled_rulesets():  # every bundled ruleset: one row per document
        docs = [s.document for s in source_table(rs)]
        assert len(docs) == len(set(docs)), rs.id
        assert not any(re.search(r"[；;]", d) for d in docs), rs.id
