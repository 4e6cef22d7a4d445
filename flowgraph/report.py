"""The full report: one folder with ``index.html`` (offline), ``report.md``, the interactive
graph and PNG charts.

The numbers come from the analysis modules (:mod:`flowgraph.summary`, :mod:`flowgraph.cycles`,
:mod:`flowgraph.circulation`, :mod:`flowgraph.concentration`, :mod:`flowgraph.stress`); this
module only lays them out, links every deal id to a deals table with its source, and states
the data's as-of date, the filters and how unknown amounts were treated.
"""
from __future__ import annotations

import html as _html
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from . import _files, schema
from ._params import renamed
from .cycles import listing_label, order_label
from .errors import MissingDataError, ParameterError
from .formatting import marked_money, whole
from .html import _isnan, _text, filters_text, fmt_bn, safe_url

__all__ = ["Report", "write_report"]


@dataclass(frozen=True)
class Report:
    """Where :func:`write_report` wrote the report, and what went into it.

    Attributes
    ----------
    path : Path
        The report folder.
    index : Path
        ``index.html``, the page to open or share.
    markdown : Path
        ``report.md``, the same report in Markdown.
    graph : Path
        ``graph.html``, the interactive graph (embedded in ``index.html``).
    charts : tuple of Path
        The PNG charts.
    sections : tuple of str
        Section titles, in order.
    notes : tuple of str
        Caveats printed on the report (unknown amounts, truncation, assumptions).

    Examples
    --------
    >>> import tempfile, flowgraph as fg
    >>> rep = fg.write_report(fg.build_graph(fg.load_dataset("toy")), tempfile.mkdtemp())
    >>> rep.index.name, rep.markdown.exists()
    ('index.html', True)
    """

    path: Path
    index: Path
    markdown: Path
    graph: Path
    charts: tuple[Path, ...]
    sections: tuple[str, ...]
    notes: tuple[str, ...] = ()


# --------------------------------------------------------------------------- table model
@dataclass
class _Table:
    df: pd.DataFrame
    fmt: dict[str, str] = field(default_factory=dict)  # column -> bn|pct|int|num|deals|text
    caption: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    row_ids: list[str] | None = None


@dataclass
class _Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    tables: list[_Table] = field(default_factory=list)
    chart: Path | None = None
    chart_alt: str = ""
    notes: list[str] = field(default_factory=list)
    raw_html: str | None = None


def _anchor(deal_id: Any) -> str:
    return "deal-" + re.sub(r"[^A-Za-z0-9_-]", "_", str(deal_id))


def _ids(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(v) for v in value]
    return [p.strip() for p in re.split(r"[;,]", str(value)) if p.strip()]


def _cell_text(v: Any, kind: str) -> str:
    if kind == "deals":
        return ", ".join(_ids(v))
    if v is None or (not isinstance(v, str) and _isnan(v) and isinstance(v, float)):
        return "unknown" if kind == "bn" else ""
    if kind == "bn":
        return fmt_bn(v)
    if kind == "pct":
        return "" if _isnan(v) else f"{float(v) * 100:.1f}%"
    if kind == "int":  # counts and the HHI: rounded as every table rounds them, never cut
        return whole(v)
    if kind == "num":
        return "" if _isnan(v) else f"{float(v):,.2f}"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (list, tuple, set, frozenset)):
        return ", ".join(map(str, v))
    t = _text(v)
    return "" if t is None else t


def _html_table(t: _Table, known_deals: set[str]) -> str:
    esc = _html.escape
    cols = list(t.df.columns)
    out = ['<div class="tbl"><table>']
    if t.caption:
        out.append(f"<caption>{esc(t.caption)}</caption>")
    out.append("<thead><tr>")
    for c in cols:
        kind = t.fmt.get(c, "text")
        cls = ' class="n"' if kind in ("bn", "pct", "int", "num") else ""
        out.append(f"<th{cls}>{esc(t.labels.get(c, c.replace('_', ' ')))}</th>")
    out.append("</tr></thead><tbody>")
    for i, rec in enumerate(t.df.itertuples(index=False, name=None)):
        rid = f' id="{esc(t.row_ids[i])}"' if t.row_ids else ""
        out.append(f"<tr{rid}>")
        for c, v in zip(cols, rec):
            kind = t.fmt.get(c, "text")
            if kind == "deals":
                links = []
                for d in _ids(v):
                    if d in known_deals:
                        links.append(f'<a href="#{esc(_anchor(d))}">{esc(d)}</a>')
                    else:
                        links.append(esc(d))
                out.append(f'<td class="ids">{", ".join(links)}</td>')
            elif kind == "url":
                url = safe_url(v)
                text = _text(v) or ""
                cell = (f'<a href="{esc(url)}" rel="noopener noreferrer">{esc(url)}</a>'
                        if url else esc(text))
                out.append(f"<td>{cell}</td>")
            elif kind == "source":
                title, url = v if isinstance(v, tuple) else (v, None)
                url = safe_url(url)
                text = _text(title) or (url or "")
                cell = (f'<a href="{esc(url)}" rel="noopener noreferrer">{esc(text)}</a>'
                        if url else esc(text))
                out.append(f"<td>{cell}</td>")
            else:
                cls = ' class="n"' if kind in ("bn", "pct", "int", "num") else ""
                out.append(f"<td{cls}>{esc(_cell_text(v, kind))}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def _md_escape(text: str) -> str:
    from .escape import markdown  # the one Markdown escaping (no HTML, links or emphasis)

    return markdown(text)


def _md_table(t: _Table) -> str:
    cols = list(t.df.columns)
    if not len(t.df):
        return "_(none)_"
    head = "| " + " | ".join(_md_escape(t.labels.get(c, c.replace("_", " "))) for c in cols)
    align = "| " + " | ".join(
        "---:" if t.fmt.get(c) in ("bn", "pct", "int", "num") else "---" for c in cols
    )
    lines = [head + " |", align + " |"]
    for rec in t.df.itertuples(index=False, name=None):
        cells = []
        for c, v in zip(cols, rec):
            kind = t.fmt.get(c, "text")
            if kind == "source":
                title, url = v if isinstance(v, tuple) else (v, None)
                url = safe_url(url)
                text = _md_escape(_text(title) or (url or ""))
                cells.append(f"[{text}](<{url}>)" if url else text)
            elif kind == "url":
                url = safe_url(v)
                cells.append(f"<{url}>" if url else _md_escape(_text(v) or ""))
            else:
                cells.append(_md_escape(_cell_text(v, kind)))
        lines.append("| " + " | ".join(cells) + " |")
    out = "\n".join(lines)
    if t.caption:
        out = f"*{_md_escape(t.caption)}*\n\n" + out
    return out


# --------------------------------------------------------------------------- sections
def _deals_section(df: pd.DataFrame) -> _Section:
    """Every deal (rows of :func:`flowgraph.summary.deals_frame`), largest first, each row
    anchored so that deal ids elsewhere link to it."""
    rows = []
    for rec in df.to_dict("records") if len(df) else []:
        lo, hi = rec.get("amount_low"), rec.get("amount_high")
        rng = (f"{fmt_bn(lo)} to {fmt_bn(hi)}"
               if not _isnan(lo) and not _isnan(hi) and float(lo) != float(hi) else "")
        est = " (estimate)" if rec.get("estimate") is True or str(
            rec.get("estimate")).lower() in ("true", "yes", "1") else ""
        rows.append({
            "deal_id": str(rec["deal_id"]),
            "payer": rec["payer"],
            "payee": rec["payee"],
            "amount": rec.get("amount"),
            "range": rng,
            "note": est.strip(" ()"),
            "flow_type": (_text(rec.get("flow_type")) or "").replace("_", " "),
            "status": _text(rec.get("status")) or "",
            "date": _text(rec.get("announced")) or _text(rec.get("period_start")) or "",
            "confidence": _text(rec.get("confidence")) or "",
            "source": (_text(rec.get("source_title")), _text(rec.get("source_url"))),
        })
    table = pd.DataFrame(rows, columns=["deal_id", "payer", "payee", "amount", "range", "note",
                                        "flow_type", "status", "date", "confidence",
                                        "source"])
    if len(table):
        table = table.assign(_a=table["amount"].astype(float)).sort_values(
            ["_a", "deal_id"], ascending=[False, True], na_position="last", kind="stable"
        ).drop(columns="_a").reset_index(drop=True)
    return _Section(
        "deals", "Deals",
        paragraphs=[
            "Every deal counted in this report, largest first. Amounts are in billions of US "
            "dollars in the report's scenario; 'unknown' amounts are not counted in any sum. "
            "Ranges are the low and high figures reported. Each deal id elsewhere in the "
            "report links here."
        ],
        tables=[_Table(table, {"amount": "bn"}, labels={"deal_id": "deal"},
                       row_ids=[_anchor(d) for d in table["deal_id"]] if len(table) else None)],
    )


def _sources_section(df: pd.DataFrame) -> _Section:
    """The sources of the deals, one row per URL with the deals it backs."""
    src: dict[str, dict[str, Any]] = {}
    for rec in df.to_dict("records") if len(df) else []:
        url = _text(rec.get("source_url"))
        key = url or ("(no URL) " + (_text(rec.get("source_title")) or ""))
        entry = src.setdefault(key, {"source": (_text(rec.get("source_title")), url),
                                     "deals": []})
        entry["deals"].append(str(rec["deal_id"]))
    srows = [{"source": v["source"], "deals": tuple(sorted(v["deals"]))}
             for _k, v in sorted(src.items())]
    stable = pd.DataFrame(srows, columns=["source", "deals"])
    n_nourl = sum(1 for k in src if k.startswith("(no URL)"))
    return _Section(
        "sources", "Sources",
        paragraphs=["Where each deal comes from. Links open the original report or filing."],
        tables=[_Table(stable, {"deals": "deals", "source": "source"})],
        notes=[f"{schema.count_noun(n_nourl, 'source')} without a link."] if n_nourl else [],
    )


def _as_of_suffix(as_of: Any, data_as_of: Any = None, limit: Any = None) -> str:
    """`` (2024)`` after a figure whose date is given, with "later than the as-of date" when
    the graph is as of a date ``limit`` and the figure's date may fall after it
    (:func:`flowgraph.timeframe.is_later`), else "more than a year older than" the as-of date
    (or, without one, the data) when it is (:func:`flowgraph.timeframe.is_stale`); nothing
    without a date."""
    from .timeframe import is_later, is_stale

    if schema.is_blank(as_of):  # a date such as 2025-12-31 is not a number: not _isnan
        return ""
    if is_later(as_of, limit):
        return (f" ({as_of}; later than the as-of date {limit.isoformat()}: the latest figure "
                "in the data, not one known then)")
    if limit is not None:  # as of a date, a figure is stale against that date
        stale = ("; more than a year older than the as-of date" if is_stale(as_of, limit)
                 else "")
    else:
        stale = "; more than a year older than the data" if is_stale(as_of, data_as_of) else ""
    return f" ({as_of}{stale})"


REPORT_MARKER = ".flowgraph-report"
"""The file that marks a folder as a flowgraph report (one that a new report may replace)."""


def _check_report_folder(out: Path, *, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ParameterError(f"{out}: is a file, not a folder; give a folder for the report")
    if force or not out.is_dir() or (out / REPORT_MARKER).is_file():
        return
    others = sorted(p.name for p in out.iterdir())
    if others:
        shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
        raise ParameterError(
            f"{out}: the folder holds other files ({shown}) and is not an earlier flowgraph "
            "report; choose a new or empty folder, or use --force (force=True) to write "
            "into it anyway")


@renamed(max_cycle_length="max_length")
def write_report(
    G: nx.MultiDiGraph,
    path: str | Path = "flowgraph-report",
    *,
    weight: str = "amount",
    top: int = 10,
    max_length: int | None = 6,
    max_nodes: int = 300,
    stress_company: str | None = None,
    title: str | None = None,
    charts: bool = True,
    progress: Callable[[str], None] | None = None,
    force: bool = False,
    timeline: Any = None,
    samples: int = 1000,
    null_samples: int = 200,
    seed: int = 0,
    profiles: Sequence[str] = (),
    revenue_shares: pd.DataFrame | None = None,
    reported: nx.MultiDiGraph | None = None,
) -> Report:
    """Write the full report folder: ``index.html``, ``report.md``, ``graph.html``, charts.

    The report has the headline numbers (companies, deals, money paid, committed and only
    announced, circularity index), the top cycles with their plain-language lines, the
    self-funded shares and keystones, concentration and funding-gap tables, a stress test of
    the most central company, money by flow type, the interactive graph, and a deals table
    and sources list that every deal id links to. It states the dataset's as-of date, the
    filters and the scenario, and how unknown amounts were treated. ``index.html`` works
    offline: nothing is loaded from the network.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A deal graph from :func:`flowgraph.build_graph` (the filters recorded in ``G.graph``
        are printed on the report). A collapsed DiGraph works but has no deals table.
    path : str or Path
        Folder to write: new, empty, or an earlier flowgraph report (it holds the marker file
        ``.flowgraph-report``), whose files are replaced. Any other folder with files in it
        is refused unless ``force=True``, so that no one's files are overwritten.
    weight : str
        Edge attribute with the amount.
    top : int
        Rows in the cycles, self-funded, concentration and commitment tables.
    max_length : int or None
        Longest loop to search (hops).
    max_nodes : int
        Most companies drawn in the interactive graph.
    stress_company : str, optional
        Company to shock in the stress test; by default the one with the most money
        flowing through it (flow-weighted strength).
    title : str, optional
        Report title.
    charts : bool
        Draw the PNG charts (matplotlib).
    progress : callable, optional
        Called with a short message before each slow step.
    force : bool
        Write into a folder that holds other files.
    timeline : TimelineResult, optional
        :func:`flowgraph.timeline` of the same rows and filters: adds the section "How the
        web formed" (the timeline needs the deal rows, which ``G`` no longer holds).
    samples : int
        Plausible versions of the data (:func:`flowgraph.uncertainty`) behind the intervals
        of the headline numbers and the loops' survival; 0 leaves them out.
    null_samples : int
        Random networks (:func:`flowgraph.significance`) for the section on chance; 0 leaves
        it out.
    seed : int
        Random seed of both (the same seed gives the same report).
    profiles : list of str
        Companies to give a section of their own (:func:`flowgraph.company_profile`).
    revenue_shares : pandas.DataFrame, optional
        The dataset's revenue-shares table, for the profiles' share of reported revenue.
    reported : networkx.MultiDiGraph, optional
        The same rows and filters built with ``reported_only=True``: the stress finding then
        rests on reported amounts only (and says so); without it, on ``G``'s amounts.

    Returns
    -------
    Report

    Raises
    ------
    ParameterError
        If ``top`` < 1, or ``path`` is a file or a folder of other files (without ``force``).
    UnknownCompanyError
        If ``stress_company`` is not in the graph.

    Examples
    --------
    >>> import flowgraph as fg, tempfile
    >>> r = write_report(fg.build_graph(fg.load_dataset("toy")), tempfile.mkdtemp(),
    ...                  charts=False)
    >>> r.index.name, r.markdown.name
    ('index.html', 'report.md')
    """
    from .graph import check_company, check_weight

    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise ParameterError(f"top must be a positive integer, got {top!r}")
    if not isinstance(G, nx.DiGraph):
        raise ParameterError("G must be a directed deal graph (MultiDiGraph from build_graph)")
    check_weight(G, weight)
    if stress_company is not None:
        stress_company = check_company(G, stress_company)
    out = Path(path)
    _prepare_folder(out, force=force, charts=charts)
    o = _Options(weight=weight, top=top, max_length=max_length, out=out,
                 chart_dir=out / "charts" if charts else None, max_nodes=max_nodes, title=title,
                 timeline=timeline, profiles=tuple(profiles), revenue_shares=revenue_shares,
                 progress=progress)
    r = _analyse(G, o, stress_company=stress_company, reported=reported, samples=samples,
                 null_samples=null_samples, seed=seed)
    sections = [sec for build in _SECTION_BUILDERS for sec in build(G, o, r)]
    return _write_pages(G, o, sections)


# --------------------------------------------------------------------------- analyses
@dataclass(frozen=True)
class _Options:
    """The report's options, as the analyses and the section builders read them."""

    weight: str
    top: int
    max_length: int | None
    out: Path
    chart_dir: Path | None  # None: no charts are drawn
    max_nodes: int
    title: str | None
    timeline: Any
    profiles: tuple[str, ...]
    revenue_shares: pd.DataFrame | None
    progress: Callable[[str], None] | None

    def say(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)


@dataclass(frozen=True)
class _StressRun:
    """The stress test the report shows: the company shocked, its outcome under the default
    model and over every model, why it was not run, and which amounts it rests on."""

    company: Any
    result: Any
    range: Any
    note: str | None
    basis: str


@dataclass(frozen=True)
class _Results:
    """Every analysis the report lays out, each run once before the sections are built."""

    summary: Any
    cycles: Any  # shortest loops first, as `flowgraph cycles` lists them
    largest: Any  # loops ranked by round trip: what "the largest" reads
    circulation: Any
    self_funded: Any  # circulation.SelfFundedResult
    keystones: Any  # circulation.KeystoneResult
    sure: Any  # intervals over plausible data (None when samples=0)
    sig: Any  # the test against chance (None when not run)
    sig_note: str | None  # why the test against chance was not run
    network: Any  # concentration of the whole network
    received: pd.DataFrame  # concentration of the money each company receives
    commitments: pd.DataFrame
    stress: _StressRun


def _prepare_folder(out: Path, *, force: bool, charts: bool) -> None:
    """Check the report folder, create it with its marker file (and the charts folder)."""
    _check_report_folder(out, force=force)
    out.mkdir(parents=True, exist_ok=True)
    _files.write_text(out / REPORT_MARKER, "This folder is a flowgraph report; flowgraph "
                      "report replaces its files.\n")
    if charts:
        (out / "charts").mkdir(exist_ok=True)


def _analyse(G: nx.MultiDiGraph, o: _Options, *, stress_company: str | None,
             reported: nx.MultiDiGraph | None, samples: int, null_samples: int,
             seed: int) -> _Results:
    """Run every analysis of the report, in the order its progress messages name them."""
    from . import circulation as circ
    from . import concentration as conc
    from .cycles import find_cycles
    from .summary import summarize

    o.say("report: summary")
    summary = summarize(G)
    o.say("report: finding cycles")
    # Shortest loops first (as `flowgraph cycles`): longer loops mostly chain the same deals.
    cyc = find_cycles(G, weight=o.weight, max_length=o.max_length, limit=o.top,
                      sort="length", progress=o.progress)
    big = _largest_loops(G, cyc, weight=o.weight, max_length=o.max_length, top=o.top,
                         progress=o.progress)
    o.say("report: maximal circulation")
    circ_res = circ.maximal_circulation(G, weight=o.weight, progress=o.progress)
    o.say("report: self-funded shares")
    sf = circ.self_funded(G, weight=o.weight, progress=o.progress)
    o.say("report: keystones")
    ks = circ.keystones(G, weight=o.weight, progress=o.progress)
    sure, sig, sig_note = _how_sure(G, weight=o.weight, samples=samples,
                                    null_samples=null_samples, seed=seed, top=o.top,
                                    max_length=o.max_length, say=o.say)
    o.say("report: concentration")
    netc = conc.network_concentration(G, weight=o.weight, include_keystones=False)
    conc_in = conc.company_concentration(G, direction="in", weight=o.weight)
    commits = conc.commitments(G, weight=o.weight)
    o.say("report: stress test")
    stress = _run_stress(G, reported, stress_company, netc, weight=o.weight)
    return _Results(summary, cyc, big, circ_res, sf, ks, sure, sig, sig_note, netc, conc_in,
                    commits, stress)


def _run_stress(G: nx.MultiDiGraph, reported: nx.MultiDiGraph | None, company: str | None,
                network: Any, *, weight: str) -> _StressRun:
    """Shock ``company`` (by default the one with the most money flowing through it), on
    the reported amounts when ``reported`` is given."""
    from . import stress as st

    central = company
    if central is None and len(network.companies):
        central = network.companies.iloc[0]["company"]
    result = rng = note = None
    if central is not None:
        S = reported if reported is not None else G  # the finding on reported amounts
        try:
            result = st.stress_test(S, central, weight=weight, missing_buffer="exclude")
            rng = st.stress_range(S, central, weight=weight)
        except MissingDataError as exc:
            note = f"Stress test of {central} not run: {exc}."
    basis = ("reported amounts only (estimates and range midpoints left out)"
             if reported is not None or (G.graph.get("filters") or {}).get("reported_only")
             else "every amount with estimates included (--reported-only leaves them out)")
    return _StressRun(central, result, rng, note, basis)


# --------------------------------------------------------------------------- the sections
# Each builder yields the sections it lays out (none when its part does not apply), in the
# order of the report; write_report calls them in the order of _SECTION_BUILDERS.
def _headline_section(G: nx.MultiDiGraph, o: _Options, r: _Results) -> Iterator[_Section]:
    """The headline numbers, as cards: companies, deals, money by firmness, loops and the
    circularity index (with their intervals over plausible data when sampled)."""
    s, sure, circ_res, cyc = r.summary, r.sure, r.circulation, r.cycles
    firm = s.firmness  # promises against cash: the one split summary, report and HTML show
    share = ("n/a" if firm is None or _isnan(firm.share_conditional_or_press_only)
             else f"{firm.share_conditional_or_press_only:.0%}")
    cond_recorded = firm is not None and firm.conditional_recorded
    headline = [
        ("Companies", f"{s.n_companies:,}"),
        ("Deals", f"{s.n_deals:,}"),
        ("Known money in these deals",
         sure.money_text(s.total) if sure is not None else fmt_bn(s.total)),
        ("Paid", fmt_bn(firm.paid if firm else 0.0)),
        ("Committed, not yet paid", fmt_bn(firm.committed_unpaid if firm else 0.0)),
        ("Only announced or rumored", fmt_bn(firm.announced_only if firm else 0.0)),
        ("Conditional (up to, milestones, LOIs)",
         fmt_bn(firm.conditional) if cond_recorded else "not recorded"),
        ("Conditional or press-only share", share),
        ("Deals of unknown amount (not counted)", f"{s.n_unknown:,}"),
        ("Loops found", ("at least " if not cyc.complete else "") + f"{cyc.n_found:,}"),
        ("Circularity index", "n/a" if _isnan(circ_res.circularity_index) else
         sure.circularity_text(circ_res.circularity_index) if sure is not None else
         f"{circ_res.circularity_index:.1%}"),
    ]
    sec = _Section("headline", "Headline numbers")
    sec.paragraphs.append(
        f"{schema.count_noun(s.n_deals, 'deal')} between "
        f"{schema.count_noun(s.n_companies, 'company', 'companies')}. "
        + (firm.sentence(fmt_bn) + " " if firm is not None else "")
        + f"{schema.count_noun(s.n_unknown, 'deal')} "
        f"{'has' if s.n_unknown == 1 else 'have'} no known amount and "
        f"{'is' if s.n_unknown == 1 else 'are'} not counted."
        + (f" {s.estimates}" if s.estimates else "")
    )
    if not _isnan(circ_res.circularity_index):
        sec.paragraphs.append(
            f"Of the known money, {fmt_bn(circ_res.circular_flow)} "
            f"({circ_res.circularity_index:.1%}) can go round in loops at the same time "
            f"(maximal circulation); the rest, {fmt_bn(circ_res.directional_flow)}, flows one "
            "way and does not come back."
        )
    sec.tables.append(_Table(pd.DataFrame(headline, columns=["figure", "value"])))
    yield sec


def _findings_section(G: nx.MultiDiGraph, o: _Options, r: _Results) -> Iterator[_Section]:
    """Key findings: the largest loops, the most self-funded company, the keystone, the
    largest commitments against revenue, the stress test and the three largest companies."""
    from .firmness import uncounted_clause

    sec = _Section("findings", "Key findings")
    sec.bullets.extend(_largest_loop_bullets(r.largest))
    row = _first_known(r.self_funded.table, "self_funded_share",
                       order=["self_funded_share", "company"])
    if row is not None:
        left_out = uncounted_clause(G, row["company"], direction="in", fmt=fmt_bn)
        sec.bullets.append(
            f"{row['company']}: up to {row['self_funded_share']:.0%} of the "
            f"{'known ' if left_out else ''}money it "
            f"receives ({fmt_bn(row['self_funded'])} of {fmt_bn(row['inflow'])}) could be "
            "its own money coming back through the network"
            + _estimate_clause(G, row["company"], "in", "of that inflow") + left_out + ".")
    ks = r.keystones.table
    if len(ks) and float(ks.iloc[0]["circulation_lost"]) > 0:
        row = ks.iloc[0]
        sec.bullets.append(
            f"Keystone: without {row['company']}, {fmt_bn(row['circulation_lost'])} "
            f"({row['share_of_circulation']:.0%}) of the circular flow would vanish"
            + _estimate_clause(G, row["company"], "both", "of its deals' money") + ".")
    row = _first_known(r.commitments, "commitments_to_revenue")
    if row is not None:
        from .timeframe import view_limit

        _limit = view_limit(G)
        sec.bullets.append(
            f"{row['company']} has promised {fmt_bn(row['commitments_out'])} of payments "
            f"not yet made, {row['commitments_to_revenue']:.1f} times its annual revenue "
            f"of {fmt_bn(row['revenue'])}"
            f"{_as_of_suffix(row.get('revenue_as_of'), G.graph.get('as_of'), _limit)}"
            + _basis_clause(G, _promised_keys(G, row["company"], o.weight), "promised") + ".")
    if r.stress.range is not None:
        sec.bullets.append(f"Stress test, on {r.stress.basis}: {r.stress.range.headline()}")
    netc = r.network
    sec.bullets.append(
        f"The three companies with the most money flowing through them "
        f"({', '.join(map(str, netc.top3))}) touch {netc.top3_share:.0%} of all known money.")
    yield sec


def _estimate_clause(G: nx.MultiDiGraph, company: Any, direction: str, what: str) -> str:
    """:func:`_basis_clause` of the deals ``company`` receives (``"in"``) or both receives
    and pays (``"both"``): what a finding about its money rests on, in its own sentence."""
    if not G.is_multigraph() or company not in G:
        return ""
    keys = list(G.in_edges(company, keys=True))
    if direction == "both":
        seen = set(keys)  # a self-loop is both an in- and an out-edge
        keys += [e for e in G.out_edges(company, keys=True) if e not in seen]
    return _basis_clause(G, keys, what)


def _promised_keys(G: nx.MultiDiGraph, company: Any, weight: str) -> dict[tuple, float]:
    """The deals :func:`flowgraph.commitments` sums as ``company``'s ``commitments_out``, by
    its one rule (:func:`flowgraph.concentration._promised_deals`: what it pays, announced
    or committed or the unpaid rest of a disbursed deal, no warrant), as edge key -> the
    amount it counts (what is not yet paid; NaN when unknown)."""
    from .concentration import _promised_deals

    if not G.is_multigraph() or company not in G:
        return {}
    f = _promised_deals(G, weight=weight)
    f = f.loc[f["payer"] == company]
    return {(u, v, k): float(a) for u, v, k, a in zip(f["payer"], f["payee"], f["deal_id"],
                                                       f["amount"]) if G.has_edge(u, v, k)}


def _basis_clause(G: nx.MultiDiGraph, keys: Sequence[tuple] | dict[tuple, float],
                  what: str) -> str:
    """``"; $X of the $Y <what> is estimated (estimates or range midpoints) and $Z
    conditional (up to, milestones, letters of intent)"``: how much of the known money of the
    deals ``keys`` (edge keys of ``G``) a finding sums rests on estimates or is conditional,
    per :func:`flowgraph.firmness.amount_basis` (the one per-deal rule); ``""`` when none.
    ``keys`` may map each key to the amount the finding counts of that deal (what is not
    yet paid of a promise, :func:`_promised_keys`); else each deal's amount counts.

    Examples
    --------
    >>> import flowgraph as fg
    >>> G = fg.build_graph(fg.load_dataset("toy"))
    >>> _basis_clause(G, list(G.in_edges("ChipCo", keys=True)), "it receives")
    '; $6bn of the $14bn it receives is estimated (estimates or range midpoints)'
    """
    from .firmness import amount_basis
    from .summary import deals_frame

    if not keys:
        return ""
    df = deals_frame(G.edge_subgraph(list(keys)))
    amt = pd.to_numeric(df["amount"], errors="coerce")
    if isinstance(keys, dict):  # the amounts the finding counts, by edge key
        amt = pd.Series([keys.get(k, math.nan) for k in zip(df["payer"], df["payee"],
                                                             df["deal_id"])],
                        index=df.index, dtype=float)
    amt = amt.fillna(0.0)
    basis = amount_basis(df)
    known = float(amt.sum())
    est = float(amt[basis.str.contains("estimate|midpoint")].sum())
    cond = float(amt[basis.str.contains("conditional")].sum())
    if known <= 0 or (est <= 0 and cond <= 0):
        return ""
    parts = [(w, x) for w, x in (("estimated (estimates or range midpoints)", est),
                                 ("conditional (up to, milestones, letters of intent)", cond))
             if x > 0]

    def every(x: float) -> bool:
        return x >= known * (1 - 1e-9)

    (word, x), rest = parts[0], parts[1:]
    text = (f"; all {fmt_bn(known)} {what} is {word}" if every(x)
            else f"; {fmt_bn(x)} of the {fmt_bn(known)} {what} is {word}")
    for word2, x2 in rest:
        text += f" and {'all of it' if every(x2) else fmt_bn(x2)} {word2}"
    return text


def _first_known(df: pd.DataFrame, column: str, *, order: list[str] | None = None) -> Any:
    """The first row of ``df`` whose ``column`` is known, in the table's order or sorted by
    ``order`` (its first column largest first, the others ascending); None when none is."""
    if not len(df):
        return None
    known = df.dropna(subset=[column])
    if order:
        known = known.sort_values(order, ascending=[False] + [True] * (len(order) - 1))
    return known.iloc[0] if len(known) else None


def _graph_section(G: nx.MultiDiGraph, o: _Options, r: _Results) -> Iterator[_Section]:
    """The interactive graph: writes ``graph.html`` and embeds it."""
    from .html import to_html

    o.say("report: interactive graph")
    to_html(G, o.out / "graph.html", weight=o.weight, max_nodes=o.max_nodes,
            top=o.top, cycles=r.largest, max_length=o.max_length, title=o.title,
            progress=o.progress, timeline=o.timeline, samples=r.sure or 0)
    sec = _Section("graph", "The network")
    sec.paragraphs.append(
        "Companies are dots coloured by kind and sized by the money flowing through them; "
        "arrows go from payer to payee, coloured by the kind of deal, as wide as the amount "
        "(log scale), dashed when only announced or rumored. The largest loops are "
        "highlighted; click one in the side panel, or a company or an arrow for its deals "
        "and sources."
    )
    sec.raw_html = (
        '<iframe class="graph" src="graph.html" title="Interactive network of the deals" '
        'loading="eager"></iframe><p class="small"><a href="graph.html">Open the interactive '
        "graph on its own page</a></p>"
    )
    yield sec


def _cycles_section(G: nx.MultiDiGraph, o: _Options, r: _Results) -> Iterator[_Section]:
    """The loops, shortest first, with their plain-language lines, and the chart of the
    largest round trips."""
    cyc, ct = r.cycles, r.cycles.cycles
    sec = _Section("cycles", "Loops: money that comes back")
    sec.paragraphs.append(
        ("At least " if not cyc.complete else "")
        + f"{schema.count_noun(cyc.n_found, 'loop')} of at most "
        f"{o.max_length or 'any number of'} hops: chains "
        "of deals where money paid by a company can come back to it. The round trip is the "
        "smallest hop on the loop, the most that can go all the way round once; loops share "
        "deals, so their round trips cannot be added up."
        + (f" Listed here: {listing_label(cyc)}"
           " (the cycles command with --sort round-trip ranks them by round trip)."
           if cyc.truncated else "")
    )
    for _i, row in ct.iterrows():
        sec.bullets.append(f"{int(row['rank'])}. {row['description']}")
    if len(ct):
        view = ct[["rank", "path", "round_trip", "round_trip_low", "round_trip_high",
                   "round_trip_is_upper_bound", "status_summary", "time_order",
                   "deal_ids"]].copy()
        sec.tables.append(_Table(
            view, {"round_trip": "bn", "round_trip_low": "bn", "round_trip_high": "bn",
                   "deal_ids": "deals", "rank": "int"},
            labels={"round_trip": "round trip", "round_trip_low": "low",
                    "round_trip_high": "high", "round_trip_is_upper_bound": "upper bound",
                    "status_summary": "status", "time_order": "time order",
                    "deal_ids": "deals"},
        ))
        if o.chart_dir is not None:
            from .charts import plot_cycles

            o.say("report: charts")
            bt = r.largest.cycles
            sec.chart = plot_cycles(bt.assign(label=bt["path"]), o.chart_dir / "cycles.png",
                                    top=o.top, value="round_trip", label="label")
            sec.chart_alt = f"Loops by round trip, {order_label(r.largest.params['sort'])}"
    sec.notes.extend(cyc.notes)
    yield sec


def _circulation_section(G: nx.MultiDiGraph, o: _Options, r: _Results
                         ) -> Iterator[_Section]:
    """How much money goes round: the maximal circulation, self-funded shares, keystones."""
    from .firmness import uncounted_money

    circ_res, sf, ks = r.circulation, r.self_funded.table, r.keystones.table
    sec = _Section("circulation", "How much money goes round")
    sec.paragraphs.append(
        "The maximal circulation splits the known money into a circular part (balanced at "
        "every company: what goes in comes out) as large as possible, and a one-way part. "
        "The circularity index is the circular share. A company's self-funded share is the "
        "most of the known money it receives that could be its own money coming back (deals "
        "of unknown amount are not counted in it: the table says how many each company "
        "receives); a keystone "
        "is a company whose removal makes much circulation vanish."
    )
    crow = [
        ("known money (sum of W)", fmt_bn(circ_res.total_flow)),
        ("circular: can go round at the same time (sum of C)", fmt_bn(circ_res.circular_flow)),
        ("one way: does not come back (sum of D)", fmt_bn(circ_res.directional_flow)),
        ("circularity index C/W", _cell_text(circ_res.circularity_index, "pct")),
        ("groups of companies with loops (strongly connected)",
         f"{len(circ_res.components):,}"),
        ("payer -> payee pairs with unknown amounts (left out)",
         f"{circ_res.excluded_unknown_edges:,}"),
    ]
    sec.tables.append(_Table(pd.DataFrame(crow, columns=["measure", "value"]),
                             caption="Circulation"))
    sfv = sf[sf["self_funded"].astype(float).fillna(0) > 0].head(o.top)[
        ["company", "inflow", "self_funded", "self_funded_share"]].copy()
    left = [uncounted_money(G, c, direction="in") for c in sfv["company"]]
    sfv["not_counted"] = [
        "" if not n else schema.count_noun(n, "deal") + (f" (at least {fmt_bn(f)})" if f > 0
                                                          else "")
        for n, f in left]
    sec.tables.append(_Table(
        sfv, {"inflow": "bn", "self_funded": "bn", "self_funded_share": "pct",
              "not_counted": "text"},
        caption="Self-funded shares (largest self-funded amounts)",
        labels={"inflow": "known inflow", "self_funded": "could be its own money",
                "self_funded_share": "share of known inflow",
                "not_counted": "deals in of unknown amount (not counted)"},
    ))
    ksv = ks.head(o.top)[["company", "circular_inflow", "circulation_lost",
                          "share_of_circulation"]]
    sec.tables.append(_Table(
        ksv, {"circular_inflow": "bn", "circulation_lost": "bn", "share_of_circulation": "pct"},
        caption="Keystones: circulation lost without each company",
    ))
    sec.notes.extend(circ_res.notes)
    sec.notes.append(f"Self-funded shares: {r.self_funded.selection}")
    yield sec


def _concentration_section(G: nx.MultiDiGraph, o: _Options, r: _Results
                           ) -> Iterator[_Section]:
    """Who depends on few counterparties: the HHI of the money each company receives and
    its largest payer's share."""
    from .concentration import concentration_order

    sec = _Section("concentration", "Concentration: who depends on few counterparties")
    sec.paragraphs.append(
        "For each company, how concentrated the money it receives is (Herfindahl-Hirschman "
        "index, 0-10,000; above 1,800 counts as highly concentrated in the 2023 US Merger "
        "Guidelines) and its largest payer's share."
    )
    sec.tables.append(_Table(r.network.headline(), caption="Whole network"))
    cview = r.received.head(o.top)[["company", "total", "n_counterparties", "hhi",
                                    "top_counterparty", "top_share", "band", "n_unknown"]]
    sec.tables.append(_Table(
        cview, {"total": "bn", "n_counterparties": "int", "hhi": "int", "top_share": "pct",
                "n_unknown": "int"},
        caption=f"Money received, {concentration_order('at_risk')}",
        labels={"total": "received", "n_counterparties": "payers", "top_counterparty":
                "largest payer", "top_share": "its share", "n_unknown": "unknown amounts"},
    ))
    if o.chart_dir is not None and len(cview):
        from .charts import bar_chart

        sec.chart = bar_chart(
            list(cview["company"]), list(cview["top_share"]), o.chart_dir / "concentration.png",
            title="Share of each company's incoming money paid by its largest payer",
            xlabel="% of known money received", percent=True, color="#1F5FA8",
        )
        sec.chart_alt = "Largest payer's share by company"
    yield sec


def _commitments_section(G: nx.MultiDiGraph, o: _Options, r: _Results
                         ) -> Iterator[_Section]:
    """Promises against means: payments promised but not made, against revenue and cash."""
    commits = r.commitments
    sec = _Section("commitments", "Promises against means: commitments and funding gaps")
    sec.paragraphs.append(
        "Money each company has promised to pay but not yet paid (announced and committed "
        "deals), against its revenue and cash. Contract totals often run for several years, "
        "so 'times revenue' reads as years of current revenue. The funding gap is what it "
        "promised minus its cash and the funding promised to it; future revenue is not "
        "counted."
    )
    comv = commits[commits["commitments_out"].astype(float).fillna(0) > 0].head(o.top)[
        ["company", "commitments_out", "revenue", "cash", "commitments_to_revenue",
         "funding_in", "funding_gap", "revenue_as_of", "missing"]]
    sec.tables.append(_Table(
        comv, {"commitments_out": "bn", "revenue": "bn", "cash": "bn", "funding_in": "bn",
               "funding_gap": "bn", "commitments_to_revenue": "num"},
        labels={"commitments_out": "promised", "commitments_to_revenue": "times revenue",
                "funding_in": "funding promised to it", "funding_gap": "funding gap",
                "revenue_as_of": "revenue as of", "missing": "missing data"},
    ))
    if o.chart_dir is not None:
        from .charts import plot_commitments

        sec.chart = plot_commitments(commits, o.chart_dir / "commitments.png", top=o.top)
        sec.chart_alt = "Promised payments against revenue"
    yield sec


def _stress_section(G: nx.MultiDiGraph, o: _Options, r: _Results) -> Iterator[_Section]:
    """If the most central company failed: the outcome under each model and the companies
    hit; or why the stress test was not run."""
    run = r.stress
    res, rng = run.result, run.range
    if res is None:
        if run.note:
            yield _Section("stress", "Stress test", notes=[run.note])
        return
    sec = _Section("stress", f"Stress test: if {run.company} failed")
    sec.paragraphs.append(
        f"{run.company} has the most money flowing through it. Here it pays none of what it "
        "owes and its shares lose their value; the damage travels through the other "
        f"companies' exposures ({res.model}, losses measured against each "
        "company's buffer)."
    )
    if rng is not None:
        sec.paragraphs.append(rng.headline())
        sec.tables.append(_Table(
            rng.models[["model", "total_loss", "n_failing", "failing",
                        "n_failing_if_assumed", "assumes"]],
            {"total_loss": "bn", "n_failing": "int", "n_failing_if_assumed": "int"},
            caption=f"The same shock under each model, on {run.basis}",
            labels={"total_loss": "loss to others", "n_failing": "how many fail",
                    "failing": "who fails",
                    "n_failing_if_assumed": "how many, if no buffer = whole exposure",
                    "assumes": "what the model assumes"}))
    sec.tables.append(_Table(res.headline(), caption=f"Outcome ({res.model})"))
    sc = res.companies
    sc = sc[sc["loss"].fillna(0) > 0].head(o.top)
    cols = [c for c in ["company", "kind", "buffer", "direct_loss", "indirect_loss", "loss",
                        "loss_share", "fails"] if c in sc.columns]
    sec.tables.append(_Table(
        sc[cols], {"buffer": "bn", "direct_loss": "bn", "indirect_loss": "bn", "loss": "bn",
                   "loss_share": "pct"},
        caption="Companies hit, largest loss first",
        labels={"loss_share": "share of buffer"},
    ))
    sec.notes.append(res.assumptions)
    yield sec


def _chance_section(G: nx.MultiDiGraph, o: _Options, r: _Results) -> Iterator[_Section]:
    """How sure are we: intervals over plausible data and the test against chance, when
    either was run (or why the test was not)."""
    if r.sure is None and r.sig is None and not r.sig_note:
        return
    sec = _how_sure_section(r.sure, r.sig, o.chart_dir)
    if r.sig_note:
        sec.notes.append(r.sig_note)
    yield sec


def _timeline_section(G: nx.MultiDiGraph, o: _Options, r: _Results) -> Iterator[_Section]:
    """How the web formed, when a timeline was given."""
    if o.timeline is not None:
        o.say("report: how the web formed")
        yield _formation_section(o.timeline, o.chart_dir)


def _profile_sections(G: nx.MultiDiGraph, o: _Options, r: _Results) -> Iterator[_Section]:
    """A page for each company asked for."""
    for name in o.profiles:
        o.say(f"report: profile of {name}")
        yield _profile_section(G, name, revenue_shares=o.revenue_shares, top=o.top)


def _money_section(G: nx.MultiDiGraph, o: _Options, r: _Results) -> Iterator[_Section]:
    """Money by kind of deal and by status."""
    s = r.summary
    sec = _Section("money", "Money by kind of deal and status")
    sec.tables.append(_Table(
        s.by_flow_type, {"amount": "bn", "share": "pct", "deals": "int", "unknown": "int"},
        caption="By flow type", labels={"unknown": "unknown amounts"}))
    sec.tables.append(_Table(
        s.by_status, {"amount": "bn", "share": "pct", "deals": "int", "unknown": "int"},
        caption="By status", labels={"unknown": "unknown amounts"}))
    if o.chart_dir is not None and G.is_multigraph():
        from .charts import plot_flows

        sec.chart = plot_flows(G, o.chart_dir / "flows.png", weight=o.weight)
        sec.chart_alt = "Money by flow type and status"
    yield sec


def _deals_and_sources(G: nx.MultiDiGraph, o: _Options, r: _Results) -> Iterator[_Section]:
    """The deals table every deal id links to, and the list of sources."""
    from .summary import deals_frame

    df = deals_frame(G) if G.is_multigraph() else pd.DataFrame()
    yield _deals_section(df)
    yield _sources_section(df)


def _method_section(G: nx.MultiDiGraph, o: _Options, r: _Results) -> Iterator[_Section]:
    """Method and caveats: the scenario, unknown amounts, superseded rows, estimates."""
    sec = _Section("method", "Method and caveats")
    sec.bullets.extend([
        "Amounts are in billions of US dollars in the '"
        + str(G.graph.get("scenario") or "base")
        + "' scenario (base: the reported figure, else the midpoint of a reported range; "
        "low/high: the range ends).",
        "Unknown amounts are never counted as zero: they are left out of every sum (they "
        "could only add circulation), and the round trip of a loop with an unknown hop is an "
        "upper bound. Whether circular amounts are then lower bounds depends on the known "
        "amounts too: estimates, range midpoints and conditional amounts may be more than is "
        "paid (the circulation note below says which the data holds).",
        "Superseded rows and tranches of a headline deal are left out unless asked for, so "
        "no money is counted twice.",
        "Estimates are flagged; their derivation is in the deal's description.",
    ])
    for n in r.circulation.notes[:1]:
        if n not in sec.bullets:
            sec.bullets.append(n)
    yield sec


_SECTION_BUILDERS: tuple[
    Callable[[nx.MultiDiGraph, _Options, _Results], Iterator[_Section]], ...] = (
    _headline_section, _findings_section, _graph_section, _cycles_section,
    _circulation_section, _concentration_section, _commitments_section, _stress_section,
    _chance_section, _timeline_section, _profile_sections, _money_section,
    _deals_and_sources, _method_section,
)
"""The report's sections, in order."""


def _write_pages(G: nx.MultiDiGraph, o: _Options, sections: Sequence[_Section]) -> Report:
    """Write ``index.html`` and ``report.md`` (``graph.html`` and the charts are written by
    their sections)."""
    from .timeframe import view_as_of

    o.say("report: writing")
    meta = {
        "title": o.title or _default_title(G),
        "dataset": _text(G.graph.get("dataset")),
        "as_of": _text(G.graph.get("as_of")),
        "view_as_of": _text(view_as_of(G)),  # the date the report stands at (--as-of)
        "filters": filters_text(G),
        "scenario": _text(G.graph.get("scenario")) or "base",
    }
    deals = next(sec for sec in sections if sec.key == "deals").tables[0].df
    known_deals = set(deals["deal_id"]) if len(deals) else set()
    index = o.out / "index.html"
    _files.write_text(index, _render_html(meta, sections, known_deals, o.out))
    md = o.out / "report.md"
    _files.write_text(md, _render_md(meta, sections, o.out))
    o.say("report: done")
    charts = tuple(sec.chart for sec in sections if sec.chart is not None)
    all_notes = tuple(n for sec in sections for n in sec.notes)
    return Report(o.out, index, md, o.out / "graph.html", charts,
                  tuple(sec.title for sec in sections), all_notes)


def _how_sure(G: nx.Graph, *, weight: str, samples: int, null_samples: int, seed: int,
              top: int, max_length: int | None, say: Callable[[str], None]
              ) -> tuple[Any, Any, str | None]:
    """The uncertainty of the circulation and the loops, the significance test, and why
    the test was not run when its loop counts would pass the work cap."""
    for name, v in (("samples", samples), ("null_samples", null_samples), ("seed", seed)):
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            raise ParameterError(f"{name} must be a whole number of at least 0, not {v!r}")
    sure = sig = None
    if samples and isinstance(G, nx.MultiDiGraph) and G.number_of_edges():
        from .sampling import how_sure

        say(f"report: {samples:,} plausible versions of the amounts")
        sure = how_sure(G, n=samples, seed=seed, top=min(top, 5), max_length=max_length,
                        limit=top, weight=weight)
    if null_samples and G.number_of_edges():
        from .nulls import significance

        say(f"report: {null_samples:,} random networks of the same shape")
        try:
            from .cycles import count_work  # refuse before drawing any random network

            count_work(G, weight=weight, max_length=max_length or 6)
            sig = significance(G, n=null_samples, seed=seed, max_length=max_length or 6,
                               top=min(top, 5), weight=weight)
        except ParameterError as exc:  # too many loops to count exactly: say so, go on
            return sure, None, f"The test against chance was not run: {exc}."
    return sure, sig, None


def _point_text(value: Any, kind: str) -> str:
    """One number of a table of intervals, written as its intervals are (money, share...)."""
    from .sampling import interval_text

    return interval_text(value, value, value, kind=kind).replace(" (exact)", "")


def _how_sure_section(sure: Any, sig: Any, chart_dir: Path | None) -> _Section:
    """The section "How sure are we?": intervals over plausible data and a test against
    chance (random networks of the same shape)."""
    sec = _Section("how-sure", "How sure are we? Ranges, and chance")
    if sure is not None:
        _add_circulation_intervals(sec, sure.circulation)
        _add_loop_survival(sec, sure)
    if sig is not None:
        _add_test_against_chance(sec, sig, chart_dir)
    return sec


def _add_circulation_intervals(sec: _Section, unc: Any) -> None:
    """The circular flow and every circulation number over plausible versions of the data
    (a :class:`~flowgraph.sampling.Uncertainty`)."""
    from .sampling import interval_text

    if unc is not None:
        r = unc.row("network", "circular_flow")
        c = unc.row("network", "circularity_index")
        outside = (f" The index as given lies outside its interval because the samples "
                   f"also count the {schema.count_noun(unc.samples.n_open_ended, 'deal')} "
                   "known only by a floor or a cap in the money it is a share of."
                   if unc.samples.n_open_ended
                   and not c["low"] <= c["observed"] <= c["high"] else "")
        if r["low"] == r["high"]:
            sec.paragraphs.append(
                f"Every amount that matters here is exact: {fmt_bn(r['observed'])} goes round "
                "in every plausible version of the data"
                + ("." if c["low"] == c["high"] else
                   f"; the circularity index is {c['low']:.1%}-{c['high']:.1%} in "
                   f"{unc.level:.0%} of them ({c['observed']:.1%} as given).{outside}"))
        else:
            sec.paragraphs.append(
                f"Drawing every range, floor, cap and estimate {len(unc.samples):,} times: in "
                f"{unc.level:.0%} of plausible versions of the data between "
                f"{fmt_bn(r['low'])} and {fmt_bn(r['high'])} go round in loops (circularity "
                f"index {c['low']:.1%}-{c['high']:.1%}); on the amounts as given, "
                f"{fmt_bn(r['observed'])} ({c['observed']:.1%})."
                + (" The amounts as given sit near the top of their ranges (headline figures "
                   "whose reported low ends are far lower), so most plausible versions "
                   "carry less." if r["observed"] > r["high"] else
                   " The amounts as given sit near the bottom of their ranges, so most "
                   "plausible versions carry more." if r["observed"] < r["low"] else "")
                + outside)
        t = unc.table
        view = pd.DataFrame({
            "company": t["item"], "number": t["quantity"].str.replace("_", " "),
            "as given": [_point_text(o, k) for o, k in zip(t["observed"], t["kind"])],
            "median and interval": [interval_text(m, lo, hi, kind=k, level=unc.level)
                                    for m, lo, hi, k in zip(t["median"], t["low"], t["high"],
                                                            t["kind"])],
        })
        sec.tables.append(_Table(view, caption="Circulation over plausible versions of the data"))
        open_ends = unc.samples.n_open_ended
        if open_ends:
            sec.notes.append(
                f"{schema.count_noun(open_ends, 'deal')} with only a floor or a cap (no point "
                "amount) count as unknown in the numbers as given and are drawn in every "
                "sample: totals and inflows can only be larger in the samples, and shares of "
                "inflow smaller.")
        sec.notes.extend(unc.notes)


def _add_loop_survival(sec: _Section, sure: Any) -> None:
    """The listed loops' round trips over plausible amounts, and how often each survives."""
    from .sampling import SURVIVAL_WORDS, interval_text

    loops = sure.loops
    if loops is not None and len(loops.table):
        lt = loops.table
        lview = pd.DataFrame({
            "loop": lt["item"],
            "round trip as given": [("<= " if ub else "") + fmt_bn(o)
                                    for o, ub in zip(lt["observed"], lt["upper_bound"])],
            "median and interval": [("<= " if ub else "")
                                    + interval_text(m, lo, hi, level=loops.level)
                                    for m, lo, hi, ub in zip(lt["median"], lt["low"],
                                                             lt["high"], lt["upper_bound"])],
            "survives": [f"{sure.survival_of(p):.0%}" for p in lt["item"]],
        })
        sec.tables.append(_Table(lview, caption="Loops, largest round trip first: how much "
                                 "goes round over plausible amounts, and how often the loop "
                                 f"survives {SURVIVAL_WORDS} (an assumption, not data)"))


def _add_test_against_chance(sec: _Section, sig: Any, chart_dir: Path | None) -> None:
    """Observed numbers against random networks of the same shape, and the histogram of
    the circularity index over them."""
    sec.paragraphs.append(sig.headline())
    t = sig.table
    sview = pd.DataFrame({
        "company": t["item"], "number": t["quantity"].str.replace("_", " "),
        "observed": [_point_text(o, k) for o, k in zip(t["observed"], t["kind"])],
        "random networks (5-95%)": [
            f"{_point_text(a, k)} - {_point_text(b, k)}"
            for a, b, k in zip(t["null_low"], t["null_high"], t["kind"])],
        "p-value": [f"{p:.3f} +/- {e:.3f}" for p, e in zip(t["p_value"], t["p_error"])],
    })
    sec.tables.append(_Table(sview, caption="Observed against random networks of the "
                             "same shape (one-sided empirical p-values)"))
    sec.notes.extend(sig.notes)
    if chart_dir is not None:
        from .charts import plot_null

        vals = sig.null_values["network: circularity_index"]
        obs = sig.row("network", "circularity_index")["observed"]
        if vals.notna().any():
            sec.chart = plot_null(
                vals, obs, chart_dir / "null_circularity.png", percent=True,
                title="Circularity index of random networks of the same shape",
                xlabel="circularity index (%)")
            sec.chart_alt = "Circularity index: observed against random networks"


def _profile_section(G: Any, name: str, *, revenue_shares: Any, top: int) -> _Section:
    """A company's page (flowgraph.company_profile) as a report section."""
    from .profile import company_profile

    p = company_profile(G, name, revenue_shares=revenue_shares, loops=top)
    sec = _Section(f"profile-{re.sub(r'[^A-Za-z0-9_-]', '_', p.company)}",
                   f"{p.company}: one company's page")
    head = dict(p.headline().values.tolist())
    sec.paragraphs.append(
        f"{p.company} ({p.kind}) pays {head['deals paid (out)']} and receives "
        f"{head['deals received (in)']} of the deals; "
        f"{_cell_text(head['self-funded share of inflow'], 'pct')} of its inflow can be its own "
        "money coming back round a loop, and removing it would take "
        f"{fmt_bn(head['circulation lost without it (bn USD)'])} of circulation away.")
    f = p.fundamentals
    sec.tables.append(_Table(f[["measure", "value_usd_bn", "as_of", "stale", "source"]],
                             {"value_usd_bn": "bn", "source": "source"},
                             caption="Fundamentals and their dates",
                             labels={"value_usd_bn": "value",
                                     "stale": "over a year older than the data"}))
    dep = p.dependence
    if len(dep):
        sec.tables.append(_Table(
            dep[["counterparty", "contracted_backlog", "share_of_contracted_backlog",
                 "share_of_reported_revenue", "revenue_period"]],
            {"contracted_backlog": "bn", "share_of_contracted_backlog": "pct",
             "share_of_reported_revenue": "pct"},
            caption="Customers by share of contracted backlog and share of reported revenue",
            labels={"counterparty": "customer", "contracted_backlog": "contracted backlog",
                    "share_of_contracted_backlog": "share of contracted backlog",
                    "share_of_reported_revenue": "share of reported revenue",
                    "revenue_period": "period"}))
    sec.tables.append(_Table(p.deals[["direction", "counterparty", "deal_id", "amount",
                                      "flow_type", "status", "announced"]],
                             {"amount": "bn", "deal_id": "deals"},
                             caption="Its deals (sources in the deal list)",
                             labels={"deal_id": "deal"}))
    sec.bullets += [str(d) for d in p.loops["description"]]
    if p.stress is not None:
        sec.paragraphs.append(p.stress.headline())
    sec.notes += list(p.notes)
    return sec


def _date_line(meta: dict[str, Any]) -> tuple[str, str, str | None]:
    """The header's date: ("As of", the view's date, the data's date) for a report as of an
    earlier date, else ("Data as of", the data's date, None); the rule of
    :func:`flowgraph.timeframe.view_date_words`."""
    data, view = meta.get("as_of") or None, meta.get("view_as_of") or None
    if view and view != data:
        return "As of", view, data
    return "Data as of", data or "not stated", None


def _formation_section(tl: Any, chart_dir: Path | None) -> _Section:
    """The section "How the web formed": the timeline table, its chart and the loops in the
    order they closed (a :class:`~flowgraph.timelines.TimelineResult`)."""
    sec = _Section("formation", "How the web formed")
    p, loops = tl.periods, tl.loops
    if not len(p):
        sec.paragraphs.append("No dated deal: nothing to lay out in time.")
        return sec
    ci = p["circularity_index"].astype(float)
    text = (f"The web {tl.freq} by {tl.freq}, from {p['period'].iloc[0]} to "
            f"{p['period'].iloc[-1]}: each row is the web as it stood at the period's end, "
            f"counted as the other sections count it with that as-of date. "
            f"{schema.count_noun(len(loops), 'loop')} closed over the period.")
    if ci.notna().any() and ci.max() > 0:
        at = int(ci.idxmax())
        text += (f" The circularity index was highest, {ci[at]:.1%}, in {p['period'].iloc[at]}; "
                 f"it stood at {ci.iloc[-1]:.1%} at the end.")
    sec.paragraphs.append(text)
    view = p[["period", "companies", "deals", "known_money", "paid", "committed_unpaid",
              "announced_only", "conditional", "loops", "new_loops", "largest_round_trip",
              "circularity_index", "closing_deals"]].assign(largest_round_trip=[
                  "" if n == 0 else marked_money(v, b, basis, fmt=fmt_bn, unknown="")
                  for n, v, b, basis in zip(p["loops"], p["largest_round_trip"],
                                            p["largest_round_trip_bound"],
                                            p["largest_round_trip_basis"])])
    sec.tables.append(_Table(
        view, {"companies": "int", "deals": "int", "known_money": "bn", "paid": "bn",
               "committed_unpaid": "bn", "announced_only": "bn", "conditional": "bn",
               "loops": "int", "new_loops": "int", "largest_round_trip": "text",
               "circularity_index": "pct", "closing_deals": "deals"},
        caption="The web as of each period's end",
        labels={"known_money": "known money", "committed_unpaid": "committed, unpaid",
                "announced_only": "only announced", "new_loops": "loops closed",
                "largest_round_trip": "largest round trip",
                "circularity_index": "circularity", "closing_deals": "deals that closed loops"}))
    if len(loops):
        marked = [marked_money(v, b, basis, fmt=fmt_bn, unknown="unknown")
                  for v, b, basis in zip(loops["round_trip"], loops["round_trip_bound"],
                                         loops["round_trip_basis"])]
        sec.tables.append(_Table(
            loops[["order", "period", "loop", "closed_by", "closed_on"]].assign(
                round_trip=marked)[["order", "period", "loop", "round_trip", "closed_by",
                                    "closed_on"]],
            {"order": "int", "round_trip": "text", "closed_by": "deals"},
            caption="Loops in the order they closed",
            labels={"round_trip": "round trip then", "closed_by": "closed by",
                    "closed_on": "deal dated"}))
    if chart_dir is not None:
        from . import charts as ch

        sec.chart = ch.plot_timeline(p, loops, chart_dir / "timeline.png")
        sec.chart_alt = "Money by firmness, circularity index and loops as the web formed"
    sec.notes.extend(tl.notes)
    return sec


_ALL_LOOPS_MAX = 20_000
"""Up to this many loops, the report ranks every loop by round trip for its findings."""


def _largest_loops(G: nx.Graph, cyc: Any, *, weight: str, max_length: int | None, top: int,
                   progress: Callable[[str], None] | None) -> Any:
    """Loops ranked by round trip, largest first: every loop when there are few, else the top.

    The findings and the chart name "the largest" loops, so they read this table, never the
    shortest-first listing. The report counts loops once: this table carries the count of
    ``cyc`` (the listing's search), so that every "at least N loops" of the report and of
    its graph page is the same N.
    """
    import dataclasses

    from .cycles import find_cycles

    if cyc.params["sort"] == "round_trip" and not cyc.truncated:
        return cyc
    if not cyc.complete:  # the count stopped at the work cap: the top by a bounded search
        from ._topk import largest

        big = largest(G, top=max(top, 1), weight=weight, max_length=max_length,
                      progress=progress)
        return dataclasses.replace(big, n_found=cyc.n_found, complete=cyc.complete,
                                   truncated=True, participation=cyc.participation,
                                   hop_participation=cyc.hop_participation)
    limit = None if cyc.n_found <= _ALL_LOOPS_MAX else max(top, 1)
    return find_cycles(G, weight=weight, max_length=max_length, limit=limit,
                       sort="round_trip", progress=progress)


def _loop_label(row: Any) -> str:
    """What the findings call a loop, from what its amounts are: reported in full, or
    counting estimates, or resting on undisclosed amounts."""
    words = []
    if bool(row["has_estimate"]):
        words.append("counting estimated amounts")
    if row["round_trip_bound"] in ("upper", "approximate", "unknown"):
        words.append("if the undisclosed amounts are large enough")
    elif row["round_trip_bound"] == "lower":
        words.append("with some amounts undisclosed")
    return "Largest loop " + (" and ".join(words) if words else "with every amount reported")


def _largest_loop_bullets(big: Any) -> list[str]:
    """Findings naming the largest loop whose every amount is reported (disclosed, not
    estimated) and, when another loop is larger, that one with what its amounts are."""
    bt = big.cycles
    if not len(bt):
        return []
    floor = "at least " if not getattr(big, "complete", True) else ""
    scope = (f" (listed: {listing_label(big)}, of {floor}"
             f"{schema.count_noun(big.n_found, 'loop')})" if big.truncated else "")
    reported = bt[(bt["round_trip_bound"] == "exact") & ~bt["has_estimate"].astype(bool)]
    out = []
    if len(reported):
        out.append(f"{_loop_label(reported.iloc[0])}{scope}: "
                   + str(reported.iloc[0]["description"]))
    if not len(reported) or reported.index[0] != bt.index[0]:
        out.append(f"{_loop_label(bt.iloc[0])}{scope}: " + str(bt.iloc[0]["description"]))
    return out


def _default_title(G: nx.Graph) -> str:
    ds = G.graph.get("dataset")
    return f"Circular money flows: {ds}" if ds else "Circular money flows"


_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b;
margin:0;background:#fff;line-height:1.5;font-size:15px}
header{background:#f6f7f9;border-bottom:1px solid #ddd;padding:18px 28px}
header h1{margin:0 0 4px;font-size:26px}
.meta{color:#444;margin:2px 0;font-size:14px}
nav{padding:8px 28px;border-bottom:1px solid #eee;font-size:14px}
nav a{margin-right:14px;white-space:nowrap}
main{max-width:1180px;margin:0 auto;padding:8px 28px 40px}
h2{font-size:21px;margin:32px 0 8px;border-bottom:2px solid #1f5fa8;padding-bottom:3px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:10px;
margin:12px 0}
.card{border:1px solid #dde3ea;border-radius:6px;padding:10px 12px;background:#fbfcfe}
.card .v{font-size:24px;font-weight:700;color:#1f5fa8}
.card .k{font-size:13px;color:#444}
.card a{color:inherit;text-decoration:none}
.tbl{overflow-x:auto;margin:10px 0 14px}
table{border-collapse:collapse;font-size:13.5px;min-width:50%}
caption{text-align:left;font-weight:600;padding:4px 0;color:#333}
th,td{border-bottom:1px solid #e4e4e4;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f5f7;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.ids{font-size:12.5px}
tr:target{background:#fff3c4}
ul.find li{margin-bottom:6px}
ol.lines li{margin-bottom:6px}
.note{color:#555;font-size:13px;background:#fafafa;border-left:3px solid #ccc;
padding:4px 10px;margin:6px 0}
img.chart{max-width:100%;height:auto;border:1px solid #eee;margin:6px 0}
iframe.graph{width:100%;height:760px;border:1px solid #ccc;border-radius:4px}
.small{font-size:13px}
a{color:#1f5fa8}
footer{color:#666;font-size:12.5px;border-top:1px solid #eee;padding:12px 28px}
"""

_REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "frame-src 'self'; child-src 'self'; script-src 'none'; base-uri 'none'; "
    "form-action 'none'"
)


def _render_html(meta: dict[str, Any], sections: Sequence[_Section], known: set[str],
                 out: Path) -> str:
    esc = _html.escape
    from . import __version__

    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_REPORT_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{esc(meta['title'])}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{esc(meta['title'])}</h1>",
    ]
    if meta.get("dataset"):
        parts.append(f'<p class="meta">Dataset: <b>{esc(meta["dataset"])}</b></p>')
    label, date, data = _date_line(meta)
    parts.append(
        f'<p class="meta">{label}: <b id="as-of">{esc(date)}</b>'
        + (f" (data to {esc(data)})" if data else "")
        + f' · Scenario: <b>{esc(meta["scenario"])}</b> · Amounts in billions of US dollars'
        "</p>"
    )
    parts.append(f'<p class="meta">Filters: <span id="filters">{esc(meta["filters"])}</span>'
                 "</p></header>")
    parts.append("<nav>" + " ".join(
        f'<a href="#{esc(s.key)}">{esc(s.title.split(":")[0])}</a>' for s in sections
    ) + "</nav><main>")
    for sec in sections:
        parts.append(f'<section id="{esc(sec.key)}"><h2>{esc(sec.title)}</h2>')
        for p in sec.paragraphs:
            parts.append(f"<p>{esc(p)}</p>")
        if sec.key == "headline" and sec.tables:
            df = sec.tables[0].df
            parts.append('<div class="cards">')
            for fig, val in zip(df["figure"], df["value"]):
                parts.append(f'<div class="card"><div class="v">{esc(str(val))}</div>'
                             f'<div class="k">{esc(str(fig))}</div></div>')
            parts.append("</div>")
        if sec.bullets:
            tag = "ol" if sec.key == "cycles" else "ul"
            cls = "lines" if sec.key == "cycles" else "find"
            parts.append(f'<{tag} class="{cls}">')
            for b in sec.bullets:
                text = re.sub(r"^\d+\.\s+", "", b) if tag == "ol" else b
                parts.append(f"<li>{esc(text)}</li>")
            parts.append(f"</{tag}>")
        if sec.raw_html:
            parts.append(sec.raw_html)
        if sec.chart is not None:
            rel = sec.chart.relative_to(out).as_posix()
            parts.append(f'<img class="chart" src="{esc(rel)}" alt="{esc(sec.chart_alt)}">')
        for t in sec.tables if sec.key != "headline" else []:
            parts.append(_html_table(t, known))
        for n in sec.notes:
            parts.append(f'<p class="note">{esc(n)}</p>')
        parts.append("</section>")
    parts.append(
        f"</main><footer>Made with flowgraph {esc(__version__)}. Every number traces back "
        "to the deals table and its sources; unknown amounts are never counted as zero."
        "</footer></body></html>\n"
    )
    return "\n".join(parts)


def _render_md(meta: dict[str, Any], sections: Sequence[_Section], out: Path) -> str:
    lines = [f"# {_md_escape(meta['title'])}", ""]
    if meta.get("dataset"):
        lines.append(f"- Dataset: **{_md_escape(meta['dataset'])}**")
    label, date, data = _date_line(meta)
    lines.append(f"- {label}: **{_md_escape(date)}**"
                 + (f" (data to {_md_escape(data)})" if data else ""))
    lines.append(f"- Scenario: **{_md_escape(meta['scenario'])}**; amounts in billions of "
                 "US dollars")
    lines.append(f"- Filters: {_md_escape(meta['filters'])}")
    lines.append("")
    for sec in sections:
        lines.append(f"## {_md_escape(sec.title)}")
        lines.append("")
        for p in sec.paragraphs:
            lines.extend([_md_escape(p), ""])
        if sec.key == "graph":
            lines.extend(["Interactive graph: [graph.html](graph.html)", ""])
        for b in sec.bullets:
            m = re.match(r"^(\d+)\.\s+(.*)$", b)
            lines.append(f"{m.group(1)}. {_md_escape(m.group(2))}" if m
                         else f"- {_md_escape(b)}")
        if sec.bullets:
            lines.append("")
        if sec.chart is not None:
            rel = sec.chart.relative_to(out).as_posix()
            lines.extend([f"![{_md_escape(sec.chart_alt)}]({rel})", ""])
        for t in sec.tables:
            lines.extend([_md_table(t), ""])
        for n in sec.notes:
            lines.extend([f"> {_md_escape(n)}", ""])
    return "\n".join(lines).rstrip() + "\n"
