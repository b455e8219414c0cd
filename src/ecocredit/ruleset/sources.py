"""Where a document's rules come from: every citation, whether its address is the official
publication or a secondary copy, and the lint that makes every cited address say which.

A citation (:class:`~ecocredit.rules.base.Reference`) names the document (title and 文号) and the
article first; its ``url`` is an address where the text was read, and ``url_kind`` says what
that address is:

``official``
    the text as a government body publishes it on its own site: the issuer's notice, or a
    local authority's notice carrying it (a city's copy of a provincial text). Only hosts of
    :data:`OFFICIAL_DOMAINS` may be marked official.
``secondary``
    anything else: a news report, a repost, an aggregator, a mirror of a government page.

The split is written in each ruleset (reviewed by hand when the file is checked against its
sources), and the lint checks it against the reviewed list of official domains, so that a
mirror is never presented as the publication. ``ecocredit rulesets --sources`` prints
:func:`source_table`; the README counts :func:`secondary_only` per ruleset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator
from urllib.parse import urlsplit

from ..errors import Problem
from ..rules.base import PathT, Reference
from .reader import format_path, line_for

__all__ = ["OFFICIAL_DOMAINS", "URL_KINDS", "is_official_host", "url_host", "citations",
           "lint_sources", "lint_document_titles", "document_number", "document_parts",
           "Source", "source_table", "secondary_only", "cited_rules"]

#: Reviewed official domains: a host is official when it is one of these or a subdomain of
#: one. Every government site of the mainland is under ``gov.cn`` (the provincial and city
#: ecology and environment departments, credit platforms such as gscredit.gov.cn and
#: credit.suzhou.gov.cn); news sites, state media included, publish reports, not the text.
OFFICIAL_DOMAINS: tuple[str, ...] = ("gov.cn",)

#: The values of ``url_kind``.
URL_KINDS: tuple[str, ...] = ("official", "secondary")


def url_host(url: str) -> str:
    """The host of ``url``, lower case, without port ('' when the URL has none).

    Examples
    --------
    >>> url_host("http://sthjj.gz.gov.cn:80/tzggwj/content/post_7277641.html")
    'sthjj.gz.gov.cn'
    """
    try:
        return (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""


def is_official_host(url: str) -> bool:
    """Whether ``url`` is on a reviewed official domain (:data:`OFFICIAL_DOMAINS`).

    Examples
    --------
    >>> is_official_host("https://sthjj.cq.gov.cn/zwgk_249/t20220107_10285419.html")
    True
    >>> is_official_host("http://www.paper.com.cn/news/daynews/2020/200309090444570031.htm")
    False
    """
    host = url_host(url)
    return any(host == d or host.endswith("." + d) for d in OFFICIAL_DOMAINS)


def citations(doc: Any) -> Iterator[tuple[PathT, str, Reference]]:
    """Every citation of a ruleset or policy: ``(key path, owner, reference)``.

    The owner is the id of the nearest record that carries one (a rule, a list rule, a
    measure), else the section's name (``repair``, ``not_scored[0]``, ``publication``).
    """
    yield from _walk(doc, (), "")


def _walk(obj: Any, path: PathT, owner: str) -> Iterator[tuple[PathT, str, Reference]]:
    if isinstance(obj, Reference):
        yield path, owner, obj
    elif isinstance(obj, (list, tuple)):
        for i, x in enumerate(obj):
            yield from _walk(x, path + (i,), owner)
    elif hasattr(obj, "__pydantic_fields__"):
        own = getattr(obj, "id", None) if path else None
        here = own if isinstance(own, str) and own else (owner or format_path(path))
        for name in type(obj).model_fields:
            yield from _walk(getattr(obj, name), path + (name,), here)


def lint_sources(doc: Any, lines: dict[PathT, int], file: str) -> list[Problem]:
    """Every cited address says whether it is the official publication or a secondary copy.

    Problems (reason code ``url_kind``): a ``url`` without ``url_kind``; a ``url_kind``
    without a ``url``; ``official`` on a host outside :data:`OFFICIAL_DOMAINS` (a mirror or
    a news site: mark it ``secondary``, and name the official page if one is found).
    """
    problems: list[Problem] = []
    # a citation written once and reused by YAML aliases is reported once, at its first use
    # (the anchor); the message counts the others
    uses: dict[Reference, int] = {}
    for _path, _owner, ref in citations(doc):
        uses[ref] = uses.get(ref, 0) + 1
    for path, _owner, ref in citations(doc):
        if uses.pop(ref, None) is None:
            continue
        msg = _problem(ref)
        if msg:
            n = sum(1 for _p, _o, r in citations(doc) if r == ref)
            if n > 1:
                msg += f" ({n} citations share this one.)"
            where = path + ("url_kind",) if ref.url_kind else path + ("url",)
            problems.append(Problem(file, line_for(lines, where), format_path(where),
                                    "url_kind", msg))
    return problems


#: a document number (文号): issuer's abbreviation, year in 〔〕 (or [] 【】), number, 号
_NUMBER = re.compile(r"([\u4e00-\u9fff]+)\s*[〔\[【(（](\d{4})[〕\]】)）]\s*(\d+)\s*号")


def document_number(document: str) -> str:
    """The document number (文号) a citation's ``document`` names, normalised ('' if none).

    Examples
    --------
    >>> document_number("安徽省企业环境信用评价实施方案（皖环函〔2019〕662号）")
    '皖环函〔2019〕662号'
    >>> document_number("企业环境信用评价指标及评分方法（试行）（环发〔2013〕150号附件）")
    '环发〔2013〕150号附件'
    >>> document_number("芜湖市生态环境局 2021年度企业环境信用评价工作安排")
    ''

    An annex (附件) is its own entry; a citation of two documents at once (``A；B``) is
    checked part by part (:func:`lint_document_titles`).
    """
    m = _NUMBER.search(document)
    if not m:
        return ""
    issuer = m.group(1)[-4:]  # the abbreviation (环发, 皖环函, 环办信用) ends the Han run
    annex = "附件" if document[m.end():].lstrip().startswith("附件") else ""
    return f"{issuer}〔{m.group(2)}〕{m.group(3)}号{annex}"


def lint_document_titles(doc: Any, lines: dict[PathT, int], file: str) -> list[Problem]:
    """One document, one title: a document number (文号) cited under two titles is reported
    (code ``document_title``) at the first citation of each later title, so that
    ``rulesets --sources`` lists each document once."""
    first: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    problems: list[Problem] = []
    for path, _owner, ref in citations(doc):
        for part in document_parts(ref.document):
            number = document_number(part)
            if not number:
                continue
            title = first.setdefault(number, part)
            if title == part or (number, part) in seen:
                continue
            seen.add((number, part))
            where = path + ("document",)
            problems.append(Problem(file, line_for(lines, where), format_path(where),
                                    "document_title",
                                    f"{number} is cited as '{part}' here and as '{title}' "
                                    "before: cite one document under one title."))
    return problems


def _problem(ref: Reference) -> str:
    if ref.url and not ref.url_kind:
        kind = "official" if is_official_host(ref.url) else "secondary"
        return (f"The URL {ref.url} does not say what it is: add 'url_kind: official' for the "
                "publication on a government site or 'url_kind: secondary' for a copy "
                f"(a news report, repost or mirror); this host suggests '{kind}'.")
    if ref.url_kind and not ref.url:
        return f"'url_kind: {ref.url_kind}' without a 'url': give the address or drop the kind."
    if ref.url_kind == "official" and not is_official_host(ref.url):
        return (f"'{url_host(ref.url) or ref.url}' is not a reviewed official domain "
                f"({', '.join('*.' + d for d in OFFICIAL_DOMAINS)}): a copy there is "
                "'url_kind: secondary'.")
    return ""


@dataclass
class Source:
    """One cited document of a ruleset, as ``ecocredit rulesets --sources`` lists it.

    Attributes
    ----------
    document : str
        Title and number of one document, as cited (one part of a citation ``A；B``).
    articles : list of str
        The distinct articles (sections, annex items) cited, in first-cited order.
    owners : list of str
        The rules, measures and sections citing it, in file order, each once.
    urls : dict of str to str
        Each address cited for it → its ``url_kind`` (``official``, ``secondary``, or ``''``).
    """

    document: str
    articles: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """``official`` if any address is official, else ``secondary`` if any is cited,
        else ``none`` (named only, no address)."""
        kinds = set(self.urls.values())
        return "official" if "official" in kinds else ("secondary" if self.urls else "none")


def document_parts(document: str) -> list[str]:
    """The documents one citation names: ``A；B`` (a rule resting on two documents at once)
    is ``[A, B]``, anything else itself.

    Examples
    --------
    >>> document_parts("评分方法（环发〔2013〕150号附件）；广东省2015年企业环境信用评价操作指引")
    ['评分方法（环发〔2013〕150号附件）', '广东省2015年企业环境信用评价操作指引']
    >>> document_parts("企业环境信用评价办法（试行）")
    ['企业环境信用评价办法（试行）']
    """
    parts = [p.strip() for p in re.split(r"[；;]", document)]
    return [p for p in parts if p] or [document]


def source_table(doc: Any) -> list[Source]:
    """The documents ``doc`` cites, official ones first, then secondary, then unlinked; each
    kind in first-cited order.

    A citation of two documents at once (``A；B``, :func:`document_parts`) counts for each:
    its article, its citing record and its address go to both, so that each document is
    listed once with every address it is cited with."""
    by_doc: dict[str, Source] = {}
    for _path, owner, ref in citations(doc):
        for part in document_parts(ref.document):
            s = by_doc.setdefault(part, Source(part))
            if ref.article and ref.article not in s.articles:
                s.articles.append(ref.article)
            if owner and owner not in s.owners:
                s.owners.append(owner)
            if ref.url:
                s.urls.setdefault(ref.url, ref.url_kind or "")
    order = {"official": 0, "secondary": 1, "none": 2}
    return sorted(by_doc.values(), key=lambda s: order[s.kind])  # stable: file order kept


def cited_rules(rs: Any) -> list[tuple[str, Reference]]:
    """The rules whose citation decides a result or a consequence: the scoring rules, the
    list rules, the black cap and the measures, each ``(id, reference)``."""
    out = [(r.id, r.reference) for r in rs.rules]
    if rs.lists is not None:
        out += [(r.id, r.reference) for r in rs.lists.rules]
        out.append((rs.lists.black_cap.id, rs.lists.black_cap.reference))
    out += [(m.id, m.reference) for m in rs.measures]
    return out


def secondary_only(rs: Any) -> list[str]:
    """Ids of the rules of :func:`cited_rules` that rest on a secondary copy only: their
    citation's address is ``secondary`` (a rule with no address at all is not counted)."""
    return [rid for rid, ref in cited_rules(rs) if ref.url and ref.url_kind != "official"]
