"""Interactive, offline HTML view of a deal graph.

:func:`to_html` writes ONE self-contained HTML file: the vis-network library (vendored in
``flowgraph/_static``), the page's own script and styles are inlined, and a Content Security
Policy forbids the page from loading anything from the network. Node and edge data are built
with pyvis and embedded as JSON; every text from the data is shown with ``textContent`` (never
parsed as HTML) and only ``http``/``https`` source URLs become links.
"""
from __future__ import annotations

import html as _html
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from . import schema
from .errors import ParameterError
from ._params import renamed
from .formatting import basis_words, money

__all__ = ["FLOW_TYPE_COLORS", "KIND_COLORS", "to_html"]

KIND_COLORS: dict[str, str] = {
    "chipmaker": "#E69F00",
    "ai_lab": "#56B4E9",
    "hyperscaler": "#009E73",
    "neocloud": "#CC79A7",
    "investor": "#0072B2",
    "datacenter_developer": "#D55E00",
    "financier": "#6A3D9A",
    "spv": "#8C8C8C",
    "other": "#B8B8B8",
    "unknown": "#E4E4E4",
}
"""Node fill colour per company kind (Okabe-Ito based, readable for colour-blind readers)."""

FLOW_TYPE_COLORS: dict[str, str] = {
    "equity_investment": "#1F5FA8",
    "compute_contract": "#F28E2B",
    "chip_purchase": "#C8313A",
    "lease": "#3E9C97",
    "debt_financing": "#4B8B3B",
    "capacity_backstop": "#B59A00",
    "revenue_share": "#8E5BA6",
    "warrant": "#E377A4",
    "acquisition": "#7A5230",
    "other": "#8A8A8A",
}
"""Edge colour per flow type."""

_FIRM_STATUSES = frozenset({"committed", "disbursed"})
_STATIC = "_static"


# --------------------------------------------------------------------------------------------
# small helpers shared with flowgraph.report
# --------------------------------------------------------------------------------------------
def _isnan(x: Any) -> bool:
    """True when ``x`` is missing or not a number (NaN to :func:`flowgraph.schema.to_float`)."""
    return math.isnan(schema.to_float(x))


_blank = schema.is_blank


def _text(x: Any) -> str | None:
    """Plain text of a cell, None when blank."""
    if _blank(x):
        return None
    if hasattr(x, "isoformat"):
        return x.isoformat()
    return str(x)


fmt_bn = money
"""The money format (:func:`flowgraph.formatting.money`), under its older name."""


def safe_url(url: Any) -> str | None:
    """Return ``url`` when it is an absolute http(s) URL, else None (``javascript:`` etc.).

    Examples
    --------
    >>> safe_url("https://example.org/a"), safe_url("javascript:alert(1)")
    ('https://example.org/a', None)
    """
    text = _text(url)
    if text is None:
        return None
    text = text.strip()
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(c in text for c in "\x00\r\n\t <>\"'`"):
        return None
    return text


def script_json(data: Any) -> str:
    """JSON safe to embed inside a ``<script>`` element.

    ``<``, ``>`` and ``&`` become ``\\u003c``/``\\u003e``/``\\u0026`` (so neither ``</script>``
    nor ``<!--`` can appear), as do U+2028/U+2029.

    Examples
    --------
    >>> script_json({"a": "</script>"})
    '{"a": "\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _static_text(name: str) -> str:
    """Read a vendored asset (``flowgraph/_static`` ships with the package)."""
    # The package's own directory: unambiguous even where importlib.resources would
    # merge it with a stale copy left in site-packages by an earlier install.
    return (Path(__file__).resolve().parent / _STATIC / name).read_text(encoding="utf-8")


def filters_text(G: nx.Graph) -> str:
    """Plain-language summary of the filters recorded in ``G.graph`` by ``build_graph``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph(filters={"statuses": ["committed"], "scenario": "base"})
    >>> filters_text(G)
    'statuses: committed; scenario: base'
    """
    f = G.graph.get("filters") or {}
    parts: list[str] = []
    labels = [
        ("as_of", "deals up to"),
        ("flow_types", "flow types"),
        ("statuses", "statuses"),
        ("min_confidence", "confidence at least"),
        ("include", "only companies"),
        ("exclude", "excluding"),
    ]
    for key, label in labels:
        val = f.get(key)
        if val is None or val == [] or val == ():
            continue
        if isinstance(val, (list, tuple, set)):
            val = ", ".join(map(str, val))
        parts.append(f"{label}: {val}")
    scen = f.get("scenario", G.graph.get("scenario"))
    if scen:
        parts.append(f"scenario: {scen}")
    if f.get("include_superseded"):
        parts.append("superseded deals included")
    if f.get("include_tranches"):
        parts.append("tranches included")
    from .firmness import estimates_note
    from .formatting import sentences

    # every output says when estimates are in
    return sentences("; ".join(parts) if parts else "none", G.graph.get("as_of_note") or "",
                     estimates_note(G))


# --------------------------------------------------------------------------------------------
# cycles and company metrics from the analysis modules (imported lazily)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Cycle:
    rank: int
    nodes: tuple[Any, ...]
    bottleneck: float
    upper_bound: bool
    line: str


def _cycle_table(cycles: Any) -> Any:
    """The loops DataFrame of a CycleResult (or the DataFrame itself)."""
    return getattr(cycles, "cycles", cycles)


def _cycles(
    G: nx.Graph,
    *,
    weight: str,
    top: int,
    company: Any,
    cycles: Any,
    max_length: int | None,
    progress: Callable[[str], None] | None,
) -> tuple[list[_Cycle], str | None, Any]:
    """The cycles to highlight, a note, and the per-company loop counts when known."""
    if cycles is not None:
        table = _cycle_table(cycles)
        part = getattr(cycles, "participation", None)
        if company is not None and "companies" in getattr(table, "columns", ()):
            table = table[table["companies"].map(lambda c: company in tuple(c))]
        listed = _cycles_from_table(table, top=top)
        note = None
        sort = (getattr(cycles, "params", None) or {}).get("sort")
        n_found = getattr(cycles, "n_found", len(table))
        if sort is not None and company is None and n_found > len(listed):
            from .cycles import listing_label, order_label

            floor = "at least " if not getattr(cycles, "complete", True) else ""
            label = (listing_label(cycles, len(listed)) if hasattr(cycles, "params")
                     else order_label(sort, len(listed)))
            note = (f"{floor}{schema.count_noun(n_found, 'cycle')} found; {label} are "
                    "listed")
        return listed, note, part
    if top <= 0:
        return [], None, None
    from ._topk import largest  # bounded work: never a full enumeration for the top few
    from .cycles import listing_label

    # The panel lists the loops with the most money going round (the library's order).
    res = largest(G, top=top, weight=weight, max_length=6 if max_length is None else max_length,
                  through=company, progress=progress)
    note = None
    if res.n_found > len(res.cycles):
        note = (("at least " if not res.complete else "")
                + f"{schema.count_noun(res.n_found, 'cycle')} found"
                + (f" through {company}" if company is not None else "")
                + f"; {listing_label(res)} are listed")
    part = res.participation if company is None else None
    return _cycles_from_table(res.cycles, top=top), note, part


def _cycles_from_table(table: Any, *, top: int) -> list[_Cycle]:
    out: list[_Cycle] = []
    if table is None or len(table) == 0:
        return out
    for i, rec in enumerate(table.to_dict("records")):
        if i >= top:
            break
        nodes = rec.get("companies")
        if nodes is None or (isinstance(nodes, float) and math.isnan(nodes)):
            nodes = [p.strip() for p in str(rec.get("path", "")).split("->")]
        nodes = tuple(nodes)
        if len(nodes) > 1 and nodes[0] == nodes[-1]:
            nodes = nodes[:-1]
        bott = rec.get("round_trip", math.nan)
        line = _text(rec.get("description")) or " -> ".join(map(str, (*nodes, nodes[0])))
        out.append(
            _Cycle(
                rank=int(rec.get("rank", i + 1)),
                nodes=nodes,
                bottleneck=math.nan if _isnan(bott) else float(bott),
                upper_bound=bool(rec.get("round_trip_is_upper_bound", False)),
                line=line,
            )
        )
    return out


def _company_metrics(
    G: nx.Graph, *, weight: str, max_length: int | None,
    progress: Callable[[str], None] | None, participation: Any = None,
) -> dict[Any, dict[str, Any]]:
    """Cycle count and self-funded share per company, from the analysis modules."""
    from .circulation import self_funded
    from .cycles import cycle_participation

    out: dict[Any, dict[str, Any]] = {n: {} for n in G}
    part = participation
    if part is None:
        kwargs: dict[str, Any] = {"weight": weight, "progress": progress}
        if max_length is not None:
            kwargs["max_length"] = max_length
        part = cycle_participation(G, **kwargs)
    for rec in part.to_dict("records"):
        if rec["company"] in out:  # a search stopped at its cap counts a floor
            n = int(rec["n_cycles"])
            out[rec["company"]]["cycles"] = n if rec.get("complete", True) else f"at least {n:,}"
    sf = self_funded(G, weight=weight, progress=progress).table
    for rec in sf.to_dict("records"):
        if rec["company"] in out:
            val = rec["self_funded_share"]
            out[rec["company"]]["self_funded"] = None if _isnan(val) else float(val)
    return out


# --------------------------------------------------------------------------------------------
# building the page data
# --------------------------------------------------------------------------------------------
def _deal_records(G: nx.Graph, weight: str) -> list[tuple[Any, Any, dict[str, Any]]]:
    """(payer, payee, deal dict) for each deal; a DiGraph edge stands for its deals. A
    deal's ``estimated`` (an estimate or a range's midpoint) and ``conditional`` are
    :func:`flowgraph.firmness.basis_masks`', the one per-deal rule."""
    if G.is_multigraph():
        edges = list(G.edges(keys=True, data=True))
        estimated, conditional = _basis(edges, weight)
        return [(u, v, {**_deal_record(k, d, weight), "estimated": bool(e),
                        "conditional": bool(c)})
                for (u, v, k, d), e, c in zip(edges, estimated, conditional)]
    return [(u, v, _pair_record(d, weight)) for u, v, d in G.edges(data=True)]


_BASIS_COLUMNS = ("estimate", "midpoint", "conditional", *schema.DEAL_COLUMNS[3:6])
"""The deal attributes :func:`flowgraph.firmness.basis_masks` reads (besides the amount)."""


def _basis(edges: Sequence[tuple[Any, Any, Any, Mapping[str, Any]]], weight: str
           ) -> tuple[Any, Any]:
    """Per deal (``G.edges(keys=True, data=True)`` order), whether its amount is estimated
    and whether it is conditional, by :func:`flowgraph.firmness.basis_masks`."""
    import pandas as pd

    from .firmness import basis_masks

    cols = {c: [d.get(c) for *_, d in edges] for c in _BASIS_COLUMNS
            if any(c in d for *_, d in edges)}  # an attribute no deal has stays absent
    cols["amount"] = [d.get(weight, math.nan) for *_, d in edges]
    return basis_masks(pd.DataFrame(cols, index=range(len(edges))))


def _amounts(d: Mapping[str, Any], weight: str) -> dict[str, float | None]:
    """The amount (NaN when unknown) and the reported low and high ends (None when blank)."""
    a = d.get(weight, math.nan)
    return {
        "amount": math.nan if _isnan(a) else float(a),
        "low": None if _isnan(d.get("amount_low")) else float(d["amount_low"]),
        "high": None if _isnan(d.get("amount_high")) else float(d["amount_high"]),
    }


def _deal_record(key: Any, d: Mapping[str, Any], weight: str) -> dict[str, Any]:
    """One deal of a deal graph (MultiDiGraph edge) as the page shows it."""
    status = _text(d.get("status"))
    return {
        "id": _text(d.get("deal_id")) or _text(key) or "",
        **_amounts(d, weight),
        "flow_type": _text(d.get("flow_type")) or "other",
        "status": status,
        "firm": status in _FIRM_STATUSES if status else True,
        "date": _text(d.get("announced")) or _text(d.get("period_start")),
        "period": " to ".join(
            t for t in (_text(d.get("period_start")), _text(d.get("period_end"))) if t
        ) or None,
        "confidence": _text(d.get("confidence")),
        "estimate": bool(schema.parse_bool(d.get("estimate"))),
        "description": _text(d.get("description")),
        "url": safe_url(d.get("source_url")),
        "source": _text(d.get("source_title")) or _text(d.get("source_url")),
    }


def _pair_record(d: Mapping[str, Any], weight: str) -> dict[str, Any]:
    """The deals of one payer -> payee pair of a collapsed graph (DiGraph edge)."""
    status = _text(d.get("weakest_status")) or _text(d.get("status"))
    ftypes = d.get("flow_types") or (d.get("flow_type"),)
    if isinstance(ftypes, str):
        ftypes = (ftypes,)
    ids = d.get("deal_ids") or ()
    return {
        "id": ", ".join(map(str, ids)) if ids else "",
        **_amounts(d, weight),
        "flow_type": _text(ftypes[0]) or "other",
        "flow_types": [str(t) for t in ftypes if not _blank(t)],
        "status": status,
        "firm": status in _FIRM_STATUSES if status else True,
        "unknown_part": bool(d.get("has_unknown")),
        "estimate": bool(d.get("has_estimate") or d.get("estimate") is True),
        "confidence": _text(d.get("lowest_confidence")) or _text(d.get("confidence")),
        "n_deals": int(d.get("n_deals", 1) or 1),
        "description": _text(d.get("description")),
        "url": safe_url(d.get("source_url")),
        "source": _text(d.get("source_title")),
    }


def _basis_flows(rows: Sequence[tuple[Any, Any, dict[str, Any]]]
                 ) -> dict[Any, list[float]]:
    """Per company, the estimated and conditional parts of its known inflow and outflow:
    ``[in estimated, in conditional, out estimated, out conditional]`` (a collapsed graph's
    pair counts whole when some of its deals are estimated)."""
    parts: dict[Any, list[float]] = {}
    for u, v, d in rows:
        a = d["amount"]
        if math.isnan(a):
            continue
        for n, at in ((v, 0), (u, 2)):
            p = parts.setdefault(n, [0.0, 0.0, 0.0, 0.0])
            p[at] += a if d.get("estimated", d.get("estimate")) else 0.0
            p[at + 1] += a if d.get("conditional") else 0.0
    return parts


def _basis_text(total: float, estimated: float, conditional: float, *, exact: bool) -> str:
    """``", of which $18.4bn estimated and $5bn conditional"`` (``"all of it estimated"``
    when it all is) after a company's known inflow or outflow ``total``
    (:func:`flowgraph.formatting.basis_words`); ``""`` when none of it is. ``exact`` false
    (a collapsed graph: only whether a pair has estimated deals is known): ``", some of it
    estimated"``.

    Examples
    --------
    >>> _basis_text(43.0, 18.45, 0.0, exact=True), _basis_text(5.0, 5.0, 1.0, exact=True)
    (', of which $18.4bn estimated', ', all of it estimated and $1bn conditional')
    """
    if not exact:
        return f", some of it {basis_words(estimated=True)}" if estimated > 0 else ""
    parts = [("all of it" if x >= total * (1 - 1e-9) else fmt_bn(x)) + " "
             + basis_words(**{key: True})
             for x, key in ((estimated, "estimated"), (conditional, "conditional")) if x > 0]
    if not parts:
        return ""
    return (", " if parts[0].startswith("all") else ", of which ") + " and ".join(parts)


def _flows(rows: Sequence[tuple[Any, Any, dict[str, Any]]]) -> dict[Any, list[float]]:
    """Known inflow, outflow and unknown-amount count per company."""
    flow: dict[Any, list[float]] = {}
    for u, v, d in rows:
        for n in (u, v):
            flow.setdefault(n, [0.0, 0.0, 0])
        a = d["amount"]
        if math.isnan(a):
            flow[u][2] += 1
            flow[v][2] += 1
        else:
            flow[u][1] += a
            flow[v][0] += a
    return flow


def _on_loops(G: nx.Graph, nodes: list[Any]) -> list[Any]:
    """The nodes of ``G`` in a strong component of two or more (the companies on some loop),
    in ``nodes`` order, by the package's one strong-component rule."""
    import numpy as np

    from ._circulation_engine import csr_arrays
    from ._cycle_engine import scc_labels

    pos = {n: i for i, n in enumerate(nodes)}
    pairs = [(pos[u], pos[v]) for u, v in G.edges() if u != v]
    if not pairs:
        return []
    src, dst = (np.array(side, dtype=np.int64) for side in zip(*pairs))
    labels = scc_labels(len(nodes), *csr_arrays(len(nodes), src, dst))  # -1: on no loop
    return [n for n, lab in zip(nodes, labels.tolist()) if lab >= 0]


def _select_nodes(
    G: nx.Graph,
    flow: Mapping[Any, list[float]],
    priority: Iterable[Any],
    max_nodes: int,
) -> tuple[list[Any], str]:
    """Which companies to draw when there are too many, and how they were chosen."""
    nodes = list(G.nodes)
    if len(nodes) <= max_nodes:
        return nodes, ""

    def thru(n: Any) -> float:
        f = flow.get(n, [0.0, 0.0, 0])
        return f[0] + f[1]

    keep: list[Any] = []
    seen: set[Any] = set()
    for n in priority:
        if n in G and n not in seen and len(keep) < max_nodes:
            keep.append(n)
            seen.add(n)
    core = _on_loops(G, nodes)
    core.sort(key=lambda n: (-thru(n), str(n)))
    for n in core:
        if len(keep) >= max_nodes:
            break
        if n not in seen:
            keep.append(n)
            seen.add(n)
    rest = sorted((n for n in nodes if n not in seen), key=lambda n: (-thru(n), str(n)))
    for n in rest:
        if len(keep) >= max_nodes:
            break
        keep.append(n)
        seen.add(n)
    how = (
        "the companies on the highlighted cycles first, then the strongly connected core "
        "(companies that both pay into and are paid from a loop), then the rest, each ranked "
        "by the money flowing through them"
    )
    return keep, how


def _node_size(thru: float) -> float:
    return round(10.0 + 9.0 * math.log10(1.0 + max(thru, 0.0)), 2)


def _edge_width(amount: float) -> float:
    if math.isnan(amount):
        return 1.0
    return round(1.0 + 2.6 * math.log10(1.0 + max(amount, 0.0)), 2)


def _fundamentals(d: Mapping[str, Any]) -> list[list[str | None]]:
    out: list[list[str | None]] = []
    labels = {
        "revenue_usd_bn": "Revenue",
        "market_value_usd_bn": "Market value",
        "cash_usd_bn": "Cash",
        "debt_usd_bn": "Debt",
        "equity_usd_bn": "Book equity",
    }
    for col, label in labels.items():
        val = d.get(col)
        if _isnan(val):
            continue
        base = col[: -len("_usd_bn")]
        src = _text(d.get(base + "_source"))
        out.append([label, fmt_bn(val), _text(d.get(base + "_as_of")), src, safe_url(src)])
    return out


def _build_page_data(
    G: nx.Graph,
    *,
    weight: str,
    max_nodes: int,
    top: int,
    company: Any,
    cycles: Any,
    max_length: int | None,
    title: str | None,
    seed: int,
    progress: Callable[[str], None] | None,
    timeline: Any = None,
) -> dict[str, Any]:
    """Everything the page shows, as the JSON its script reads."""
    from .graph import check_company

    if company is not None:
        company = check_company(G, company)
    say = progress or (lambda _msg: None)
    rows = _deal_records(G, weight)
    flow = _flows(rows)
    for n in G:
        flow.setdefault(n, [0.0, 0.0, 0])

    say("finding cycles")
    cyc_list, cyc_note, participation = _cycles(
        G, weight=weight, top=top, company=company, cycles=cycles,
        max_length=max_length, progress=progress,
    )
    say("computing company metrics")
    metrics = _company_metrics(G, weight=weight, max_length=max_length,
                               progress=progress, participation=participation)
    shown, how = _select_nodes(G, flow, _priority(G, company, cyc_list), max_nodes)
    node_id = {n: i for i, n in enumerate(sorted(shown, key=str))}

    import pyvis.network  # heavy (pulls in IPython): imported only here

    net = pyvis.network.Network(directed=True, cdn_resources="remote")
    _add_nodes(net, G, node_id, flow, metrics, _basis_flows(rows))
    groups, hidden = _group_deals(rows, node_id)
    gkeys, edge_ids_by_pair, n_deals_shown = _add_edges(net, groups, node_id)
    cycle_data = _cycle_data(cyc_list, node_id, edge_ids_by_pair)
    time_data = None
    if timeline is not None:  # the slider: the web as of each period, precomputed
        from ._timeslider import slider_data

        time_data = slider_data(
            timeline, {(str(u), str(v), firm): f"e{i}" for i, (u, v, firm) in enumerate(gkeys)},
            {str(n): i for n, i in node_id.items()})
    nodes_data, edges_data, _h, _hh, _w, _opts = net.get_network_data()
    n_total = G.number_of_nodes()
    # companies drawn with no deal in the view (the companies table's other rows, kept in
    # the graph): not counted as companies of the web (graph.companies_with_deals)
    n_idle_shown = sum(1 for n in shown if G.degree(n) == 0)
    n_deals_total = len(rows) if G.is_multigraph() else sum(
        int(G.edges[e].get("n_deals", 1) or 1) for e in G.edges
    )
    notes = _page_notes(len(shown), n_total, how, hidden, cyc_note)
    scen = G.graph.get("scenario") or (G.graph.get("filters") or {}).get("scenario")
    dataset = G.graph.get("dataset")
    heading = title or (
        f"Money flows in {dataset}" if dataset else "Money flows between companies"
    )
    from .timeframe import view_as_of, view_date_words, view_limit

    view = view_as_of(G)
    return {
        "title": heading,
        "dataset": _text(dataset),
        "as_of": view,  # the view's date: an as-of view's, else the data's
        "data_as_of": _text(G.graph.get("as_of")),
        "date_words": view_date_words(G) if view else None,
        "as_of_view": view_limit(G) is not None,
        "scenario": _text(scen),
        "filters": filters_text(G),
        # promises against cash and the conditional-or-press-only share of the money
        "money": _money_sentence(G),
        "company": None if company is None else str(company),
        "counts": {
            "companies_total": n_total,
            "companies_shown": len(nodes_data),
            "companies_with_deals_shown": len(nodes_data) - n_idle_shown,
            "companies_idle_shown": n_idle_shown,
            "edges_shown": len(edges_data),
            "deals_total": n_deals_total,
            "deals_shown": n_deals_shown,
        },
        "notes": notes,
        "nodes": nodes_data,
        "edges": edges_data,
        "cycles": cycle_data,
        "options": _vis_options(len(nodes_data), len(edges_data), seed),
        "kinds": {k: v for k, v in KIND_COLORS.items()},
        "flow_types": {k: v for k, v in FLOW_TYPE_COLORS.items()},
        "legend_widths": [[fmt_bn(a), _edge_width(a)] for a in (1.0, 10.0, 100.0)],
        "time": time_data,
    }


def _priority(G: nx.Graph, company: Any, cyc_list: Sequence[_Cycle]) -> list[Any]:
    """The companies to draw first: the company asked for, those on the listed cycles,
    then the company's counterparties."""
    priority: list[Any] = []
    if company is not None:
        priority.append(company)
    for c in cyc_list:
        priority.extend(c.nodes)
    if company is not None:
        priority.extend(sorted(set(G.predecessors(company)) | set(G.successors(company)),
                               key=str))
    return priority


def _add_nodes(net: Any, G: nx.Graph, node_id: Mapping[Any, int],
               flow: Mapping[Any, list[float]], metrics: Mapping[Any, dict[str, Any]],
               basis: Mapping[Any, list[float]]) -> None:
    """One dot per company drawn, coloured by kind and sized by the money through it; its
    known inflow and outflow say how much of them is estimated or conditional."""
    exact = G.is_multigraph()
    for n in node_id:
        d = G.nodes[n]
        kind = _text(d.get("kind")) or "unknown"
        fin, fout, funk = flow[n]
        in_est, in_cond, out_est, out_cond = basis.get(n, (0.0, 0.0, 0.0, 0.0))
        m = metrics.get(n, {})
        info = {
            "name": str(n),
            "kind": kind,
            "listed": _text(d.get("listed")),
            "ticker": _text(d.get("ticker")),
            "country": _text(d.get("country")),
            "notes": _text(d.get("notes")),
            "fundamentals": _fundamentals(d),
            "inflow": fmt_bn(fin),
            "inflow_basis": _basis_text(fin, in_est, in_cond, exact=exact),
            "outflow": fmt_bn(fout),
            "outflow_basis": _basis_text(fout, out_est, out_cond, exact=exact),
            "unknown": int(funk),
            "cycles": m.get("cycles"),
            "self_funded": m.get("self_funded"),
        }
        color = KIND_COLORS.get(kind, KIND_COLORS["other"])
        net.add_node(
            node_id[n],
            label=str(n),
            shape="dot",
            size=_node_size(fin + fout),
            color={
                "background": color,
                "border": "#333333" if kind != "unknown" else "#777777",
                "highlight": {"background": color, "border": "#000000"},
                "hover": {"background": color, "border": "#000000"},
            },
            shapeProperties={"borderDashes": [4, 3] if kind == "unknown" else False},
            info=info,
        )


@dataclass(frozen=True)
class _Hidden:
    """The deals left out with the companies not drawn."""

    deals: int
    amount: float
    unknown: int


def _group_deals(rows: Sequence[tuple[Any, Any, dict[str, Any]]], shown: Mapping[Any, Any]
                 ) -> tuple[dict[tuple[Any, Any, bool], list[dict[str, Any]]], _Hidden]:
    """The deals between companies drawn, grouped per (payer, payee, firm?) so that announced
    money is drawn dashed apart from committed money between the same two companies; and
    what the companies not drawn carry."""
    groups: dict[tuple[Any, Any, bool], list[dict[str, Any]]] = {}
    hidden_deals = 0
    hidden_amount = 0.0
    hidden_unknown = 0
    for u, v, d in rows:
        if u not in shown or v not in shown:
            hidden_deals += 1
            if math.isnan(d["amount"]):
                hidden_unknown += 1
            else:
                hidden_amount += d["amount"]
            continue
        groups.setdefault((u, v, bool(d["firm"])), []).append(d)
    return groups, _Hidden(hidden_deals, hidden_amount, hidden_unknown)


def _add_edges(net: Any, groups: Mapping[tuple[Any, Any, bool], list[dict[str, Any]]],
               node_id: Mapping[Any, int]
               ) -> tuple[list[tuple[Any, Any, bool]], dict[tuple[Any, Any], list[str]], int]:
    """One arrow per group of deals; returns the groups in edge-id order, the edge ids of
    each payer -> payee pair and the number of deals drawn."""
    pair_has_firm = {(u, v) for (u, v, firm) in groups if firm}
    edge_ids_by_pair: dict[tuple[Any, Any], list[str]] = {}
    gkeys = sorted(groups, key=lambda k: (str(k[0]), str(k[1]), not k[2]))
    n_deals_shown = 0
    for i, (u, v, firm) in enumerate(gkeys):
        deals = sorted(groups[(u, v, firm)], key=lambda d: (str(d["id"])))
        n_deals_shown += sum(int(d.get("n_deals", 1)) for d in deals)
        eid = f"e{i}"
        edge_ids_by_pair.setdefault((u, v), []).append(eid)
        roundness = 0.18 if firm or (u, v) not in pair_has_firm else 0.4
        net.add_edge(node_id[u], node_id[v], id=eid,
                     **_edge_attributes(u, v, firm, deals, roundness))
    return gkeys, edge_ids_by_pair, n_deals_shown


def _edge_attributes(u: Any, v: Any, firm: bool, deals: Sequence[dict[str, Any]],
                     roundness: float) -> dict[str, Any]:
    """The arrow of one group of deals: colour of its main flow type, width of its known
    total, label (``~`` estimate, ``+?`` some unknown, ``?`` none known) and details."""
    known = [d["amount"] for d in deals if not math.isnan(d["amount"])]
    total = sum(known)
    any_unknown = len(known) < len(deals) or any(d.get("unknown_part") for d in deals)
    # an estimate or a range's midpoint (the deal's "estimated", basis_masks' rule)
    any_estimate = any(d.get("estimated", d["estimate"]) for d in deals)
    by_type: dict[str, float] = {}
    for d in deals:
        a = 0.0 if math.isnan(d["amount"]) else d["amount"]
        by_type[d["flow_type"]] = by_type.get(d["flow_type"], 0.0) + a
    main_type = sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    if known:
        label = ("~" if any_estimate else "") + fmt_bn(total) + ("+?" if any_unknown else "")
    else:
        label = "?"
    statuses = sorted({d["status"] for d in deals if d["status"]},
                      key=lambda s: schema.STATUSES.index(s) if s in schema.STATUSES else 9)
    info = {
        "payer": str(u),
        "payee": str(v),
        "total": fmt_bn(total) if known else "unknown",
        "any_unknown": any_unknown,
        "any_estimate": any_estimate,
        "firm": firm,
        "deals": [
            {
                **{k: val for k, val in d.items()
                   if k not in ("amount", "low", "high", "estimated")},
                "amount": fmt_bn(d["amount"]),
                "range": (
                    f"{fmt_bn(d['low'])} to {fmt_bn(d['high'])}"
                    if d["low"] is not None and d["high"] is not None
                    and d["low"] != d["high"]
                    else None
                ),
            }
            for d in deals
        ],
    }
    return {
        "arrows": "to",
        "width": _edge_width(total if known else math.nan),
        "color": {"color": FLOW_TYPE_COLORS.get(main_type, FLOW_TYPE_COLORS["other"]),
                  "opacity": 1.0},
        "dashes": [8, 6] if not firm else False,
        "label": label,
        "smooth": {"enabled": True, "type": "curvedCW", "roundness": roundness},
        "flow_type": main_type,
        "statuses": statuses,
        "info": info,
    }


def _cycle_data(cyc_list: Sequence[_Cycle], node_id: Mapping[Any, int],
                edge_ids_by_pair: Mapping[tuple[Any, Any], list[str]]) -> list[dict[str, Any]]:
    """The listed cycles with the arrows and dots to highlight; ``complete`` is false when
    some of its companies are not drawn."""
    cycle_data = []
    for c in cyc_list:
        eids: list[str] = []
        complete = all(n in node_id for n in c.nodes)
        hops = list(zip(c.nodes, c.nodes[1:] + c.nodes[:1]))
        for u, v in hops:
            eids.extend(edge_ids_by_pair.get((u, v), []))
        cycle_data.append(
            {
                "rank": c.rank,
                "line": c.line,
                "path": " \u2192 ".join(str(n) for n in c.nodes + c.nodes[:1]),
                "bottleneck": ("up to " if c.upper_bound else "") + fmt_bn(c.bottleneck),
                "edges": eids,
                "nodes": [node_id[n] for n in c.nodes if n in node_id],
                "complete": complete,
            }
        )
    return cycle_data


def _page_notes(n_shown: int, n_total: int, how: str, hidden: _Hidden, cyc_note: str | None
                ) -> list[str]:
    """What the page leaves out (companies not drawn and their deals) and how the loops
    were chosen."""
    notes: list[str] = []
    if n_shown < n_total:
        notes.append(
            f"Showing {n_shown:,} of {schema.count_noun(n_total, 'company', 'companies')}, "
            f"chosen as {how}. Left out: "
            f"{schema.count_noun(n_total - n_shown, 'company', 'companies')} and "
            f"{schema.count_noun(hidden.deals, 'deal')} carrying {fmt_bn(hidden.amount)} of "
            "known money"
            + (f" plus {schema.count_noun(hidden.unknown, 'deal')} of unknown amount"
               if hidden.unknown else "")
            + ". Raise max_nodes (--max-nodes) to see more."
        )
    if cyc_note:
        notes.append(cyc_note[0].upper() + cyc_note[1:] + ".")
    return notes


_FONT_FACE = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


def _vis_options(n_nodes: int, n_edges: int, seed: int) -> dict[str, Any]:
    """vis-network options: the layout (seeded), physics scaled to the network's size, and
    the node and edge styles (edge labels and edges while dragging hidden on big graphs)."""
    big = n_edges > 600
    iterations = 1000 if n_nodes <= 200 else (600 if n_nodes <= 1000 else 300)
    return {
        "autoResize": True,
        "layout": {"randomSeed": int(seed), "improvedLayout": n_nodes <= 150},
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -90,
                "centralGravity": 0.012,
                "springLength": 140,
                "springConstant": 0.05,
                "damping": 0.5,
                "avoidOverlap": 0.6,
            },
            "maxVelocity": 60,
            "minVelocity": 0.8,
            "stabilization": {
                "enabled": True,
                "iterations": iterations,
                "updateInterval": 25,
                "fit": True,
            },
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": big,
            "navigationButtons": False,
            "keyboard": False,
        },
        "nodes": {
            "shape": "dot",
            "borderWidth": 1.5,
            "font": {"size": 15, "face": _FONT_FACE, "color": "#1b1b1b", "strokeWidth": 4,
                     "strokeColor": "#ffffff"},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.55}},
            "arrowStrikethrough": False,
            "font": {"size": 0 if big else 11, "face": _FONT_FACE, "color": "#333333",
                     "strokeWidth": 4, "strokeColor": "#ffffff", "align": "middle"},
            "selectionWidth": 2,
            "hoverWidth": 1.5,
        },
    }


def _money_sentence(G: nx.Graph) -> str | None:
    """Paid, committed, only announced and conditional money, and the conditional or
    press-only share (a deal graph only: a collapsed graph has no deal statuses to split)."""
    if not G.is_multigraph() or G.number_of_edges() == 0:
        return None
    from .firmness import money_firmness

    return money_firmness(G).sentence(fmt_bn)


@renamed(max_cycle_length="max_length", top_cycles="top", company="through")
def to_html(
    G: nx.Graph,
    path: str | Path | None = None,
    *,
    weight: str = "amount",
    max_nodes: int = 300,
    top: int = 10,
    through: str | None = None,
    cycles: Any = None,
    max_length: int | None = None,
    title: str | None = None,
    seed: int = 7,
    progress: Callable[[str], None] | None = None,
    timeline: Any = None,
    samples: Any = 0,
) -> str:
    """Interactive graph of the deals as one self-contained HTML page that works offline.

    Companies are dots coloured by kind and sized by the money flowing through them (log
    scale); deals are arrows payer -> payee coloured by flow type, as wide as the amount (log
    scale), dashed when only announced or rumored. One arrow stands for all deals of one
    payer -> payee pair with the same firmness (committed/disbursed versus announced/rumored).
    Labels start with ``~`` when an amount is an estimate, end with ``+?`` when some deal
    amounts are unknown, and are ``?`` when no amount is known: unknown amounts are never
    counted as zero but left out of the sums and flagged. A company's known inflow and
    outflow say how much of them is estimated (estimates or range midpoints) or conditional. The top cycles are listed in a side
    panel and highlighted; clicking one highlights only it. Hovering shows details; clicking a
    company or arrow pins them in the side panel with clickable source links.

    Parameters
    ----------
    G : networkx.MultiDiGraph or networkx.DiGraph
        A deal graph from :func:`flowgraph.build_graph` (deal details shown) or a collapsed
        graph (one edge per pair; ``deal_ids`` and statuses from :func:`flowgraph.collapse`).
    path : str or Path, optional
        Where to write the page (UTF-8). The page is returned either way.
    weight : str
        Edge attribute holding the amount (billions of USD; NaN when unknown).
    max_nodes : int
        Most companies to draw. Larger networks show the companies on the highlighted
        cycles, then the strongly connected core, then the rest by money flowing through
        them; the page says what was left out.
    top : int
        How many cycles to list and highlight (0 for none).
    through : str, optional
        Only highlight cycles through this company (and draw its neighbours first).
    cycles : CycleResult or pandas.DataFrame, optional
        Loops already found by :func:`flowgraph.find_cycles` (or its ``.cycles`` table) to
        highlight instead of searching again; the first ``top`` (through ``through``,
        if given) are used.
    max_length : int, optional
        Longest cycle to look for (passed to :func:`flowgraph.find_cycles`).
    title : str, optional
        Page heading; by default names the dataset.
    seed : int
        Layout seed (vis-network ``layout.randomSeed``): the same data and seed give a
        byte-identical file and the same picture.
    progress : callable, optional
        Called with a short message before each slow step.
    timeline : TimelineResult, optional
        :func:`flowgraph.timeline` of the same rows and filters: adds a time slider that
        shows the web as of each period (arrows, labels, headline numbers and loops then),
        precomputed into the page.
    samples : int or HowSure
        With a number N, the header gives the circularity index with its 90% interval over N
        plausible versions of the data, and each listed loop how often it survives
        (:func:`flowgraph.how_sure`, seed 0); a :class:`flowgraph.HowSure` computed before is
        used as it is. 0 (default): neither.

    Returns
    -------
    str
        The HTML page.

    Raises
    ------
    ParameterError
        If ``max_nodes`` < 1 or ``top`` < 0.
    UnknownCompanyError
        If ``through`` is not in the graph.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_edge("A", "B", amount=2.0)
    >>> G.add_edge("B", "A", amount=1.0)
    >>> page = to_html(G)
    >>> page.startswith("<!DOCTYPE html>") and 'src="http' not in page
    True
    """
    if not isinstance(max_nodes, int) or isinstance(max_nodes, bool) or max_nodes < 1:
        raise ParameterError(f"max_nodes must be a positive integer, got {max_nodes!r}")
    if not isinstance(top, int) or isinstance(top, bool) or top < 0:
        raise ParameterError(f"top must be a non-negative integer, got {top!r}")
    if not isinstance(G, nx.DiGraph):
        raise ParameterError("G must be a directed graph (networkx DiGraph or MultiDiGraph)")
    from .graph import check_weight

    check_weight(G, weight)
    data = _build_page_data(G, weight=weight, max_nodes=max_nodes, top=top,
                            company=through, cycles=cycles, max_length=max_length,
                            title=title, seed=seed, progress=progress, timeline=timeline)
    if samples:
        _add_how_sure(G, data, samples, weight=weight, max_length=max_length,
                      top=top)
    if progress:
        progress("writing the page")
    page = render_page(data)
    if path is not None:
        from ._files import write_text  # a temporary file, then a rename

        write_text(path, page)
    return page


def _add_how_sure(G: nx.Graph, data: dict[str, Any], samples: Any, *, weight: str,
                  max_length: int | None, top: int) -> None:
    """The circularity index with its interval, and each listed loop's survival."""
    from .circulation import maximal_circulation
    from .sampling import SURVIVAL_WORDS, HowSure, how_sure

    if not isinstance(G, nx.MultiDiGraph):
        raise ParameterError("samples needs the deal graph of build_graph (one edge per deal)")
    if isinstance(samples, HowSure):
        sure = samples
    elif isinstance(samples, int) and not isinstance(samples, bool) and samples > 0:
        sure = how_sure(G, n=samples, max_length=max_length or 6, limit=max(top, 1),
                        weight=weight)
    else:
        raise ParameterError(f"samples must be a positive whole number or a HowSure, "
                             f"not {samples!r}")
    ci = maximal_circulation(G, weight=weight).circularity_index
    data["how_sure"] = (f"Circularity index {sure.circularity_text(ci)}, over "
                        f"{len(sure.circulation.samples):,} plausible versions of the amounts.")
    for c in data["cycles"]:
        p = sure.survival_of(c["path"].replace(" \u2192 ", " -> "))
        if not math.isnan(p):
            c["line"] = f"{c['line']} Survives in {p:.0%} of versions {SURVIVAL_WORDS}."


_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:; connect-src 'none'; frame-src 'none'; "
    "form-action 'none'; base-uri 'none'"
)


def render_page(data: Mapping[str, Any]) -> str:
    """Render page data (from the internal builder) into the HTML document."""
    esc = _html.escape
    vis_js = _static_text("vis-network.min.js")
    vis_css = _static_text("vis-network.css")
    own_js = _static_text("graph.js")
    own_css = _static_text("graph.css")
    for text in (vis_js, own_js):
        if "</script" in text.lower():  # pragma: no cover - guards the vendored files
            raise RuntimeError("an inlined script contains </script")
    counts = data["counts"]
    idle = counts.get("companies_idle_shown", 0)
    companies = schema.count_noun(
        counts.get("companies_with_deals_shown", counts["companies_shown"]),
        "company", "companies")
    if idle:  # drawn, but no deal in the view: said, not counted
        when = f"by {data['as_of']}" if data.get("as_of_view") else "in this view"
        companies += (f" (and {idle:,} of the companies table with no deal {when}, drawn "
                      "without arrows)")
    sub = [companies, schema.count_noun(counts["deals_shown"], "deal")]
    if data.get("date_words"):  # the view's date, then the data's
        sub.append(data["date_words"][0].lower() + data["date_words"][1:])
    if data.get("scenario"):
        sub.append(f"scenario {data['scenario']}")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{esc(data['title'])}</title>\n"
        f"<style>\n{vis_css}\n</style>\n<style>\n{own_css}\n</style>\n"
        "</head>\n<body>\n"
        '<header class="fg-header">\n'
        f'<h1 id="fg-title">{esc(data["title"])}</h1>\n'
        f'<p class="fg-sub" id="fg-sub">{esc(" · ".join(sub))}</p>\n'
        + (f'<p class="fg-sub" id="fg-money">{esc(data["money"])}</p>\n'
           if data.get("money") else "")
        + (f'<p class="fg-sub" id="fg-sure">{esc(data["how_sure"])}</p>\n'
           if data.get("how_sure") else "")
        + f'<p class="fg-sub">Filters: <span id="fg-filters">{esc(data["filters"])}</span></p>\n'
        "</header>\n"
        '<main class="fg-main">\n'
        '<div class="fg-canvas-wrap"><div id="fg-graph" role="img" '
        f'aria-label="{esc(data["title"])}: network of companies and deals"></div>\n'
        '<div id="fg-loading" class="fg-loading">Laying out the network… '
        '<span id="fg-loading-pct">0%</span></div>\n'
        '<div class="fg-controls"><input id="fg-search" list="fg-names" '
        'placeholder="Find a company" aria-label="Find a company"><datalist id="fg-names">'
        "</datalist><button id=\"fg-fit\" type=\"button\">Fit</button>"
        '<button id="fg-relayout" type="button">Re-run layout</button></div>\n'
        "</div>\n"
        '<aside class="fg-side">\n'
        '<section id="fg-notes-sec"><ul id="fg-notes" class="fg-notes"></ul></section>\n'
        # the legend first: visible without scrolling, even at 1280x720
        '<section><h2>Legend</h2><div id="fg-legend" class="fg-legend"></div></section>\n'
        + ('<section id="fg-time-sec"><h2>Time</h2><input id="fg-time" type="range" '
           'aria-label="Show the web as of a date">'
           '<p class="fg-time-label" id="fg-time-label"></p>'
           '<p class="fg-hint" id="fg-time-headline"></p>'
           '<p class="fg-hint" id="fg-time-count"></p>'
           '<ul class="fg-notes" id="fg-time-new"></ul></section>\n'
           if data.get("time") else "")
        + '<section><h2>Loops</h2><p class="fg-hint">Money that comes back to where it '
        "started. Click one to highlight it.</p>"
        '<div class="fg-cycle-buttons"><button id="fg-all-cycles" type="button">All listed'
        '</button><button id="fg-clear" type="button">Clear</button></div>'
        '<ol id="fg-cycles" class="fg-cycles"></ol></section>\n'
        '<section><h2>Details</h2><div id="fg-details" class="fg-details">'
        '<p class="fg-hint">Click a company or an arrow.</p></div></section>\n'
        "</aside>\n</main>\n"
        f'<script type="application/json" id="fg-data">{script_json(data)}</script>\n'
        f"<script>\n{vis_js}\n</script>\n<script>\n{own_js}\n</script>\n"
        "</body>\n</html>\n"
    )
