"""Concentration: who depends on few counterparties, and whose promises outrun their means.

- :func:`company_concentration`: per company and direction (money in: customers and funders; money
  out: suppliers and investees), the Herfindahl-Hirschman index on the 0-10,000 scale, the
  effective number of counterparties, the largest counterparty and its share, and the band
  of the 2023 US Merger Guidelines.
- :func:`dependency_matrix` and :func:`mutual_dependencies`: the share of A's inflow that
  comes from B, and the pairs that depend on each other (what makes loops fragile).
- :func:`centrality` and :func:`network_concentration`: flow-weighted strength, PageRank and
  betweenness; the share of all money touching the largest one and three companies.
- :func:`commitments`: promised outflows and backlog against revenue, cash and market
  value, and a funding gap, with the as-of dates and sources of the fundamentals.

Unknown amounts are never counted as zero: they are left out of sums and shares, and every
table counts the deals left out (``n_unknown``).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from . import schema
from .errors import ParameterError
from .exposure import (
    DEFAULT_STATUSES,
    PENDING_STATUSES,
    _check_statuses,
    _paid_amounts,
    exposures,
    iter_deals,
)

__all__ = [
    "MERGER_GUIDELINES_THRESHOLDS",
    "NON_CASH_FLOW_TYPES",
    "NetworkConcentration",
    "centrality",
    "commitments",
    "company_concentration",
    "concentration_band",
    "dependency_matrix",
    "hhi",
    "mutual_dependencies",
    "network_concentration",
]

MERGER_GUIDELINES_THRESHOLDS: tuple[float, float] = (1000.0, 1800.0)
"""HHI bands: below 1,000 unconcentrated, 1,000-1,800 moderately concentrated, above 1,800
highly concentrated (U.S. DOJ/FTC Merger Guidelines, 2023, Guideline 1 and section 2.1)."""

NON_CASH_FLOW_TYPES: frozenset[str] = frozenset({"warrant"})
"""Flow types that promise no cash from the payer (a warrant grants shares)."""

_DIRECTIONS = ("in", "out")


def hhi(amounts: Iterable[float]) -> float:
    """Herfindahl-Hirschman index on the 0-10,000 scale: the sum of squared percent shares.

    Parameters
    ----------
    amounts : iterable of float
        Amounts per counterparty (NaN values are ignored; negative values are an error).

    Returns
    -------
    float
        10,000 for a single counterparty, 10,000/n for n equal ones; NaN when nothing is
        known.

    Examples
    --------
    >>> hhi([30, 30, 20, 20])
    2600.0
    """
    a = np.asarray([x for x in amounts], dtype=float)
    a = a[~np.isnan(a)]
    if (a < 0).any():
        raise ParameterError("HHI needs non-negative amounts")
    total = a.sum()
    if total <= 0:
        return math.nan
    s = 100.0 * a / total
    return float(np.sum(s * s))


def concentration_band(
    value: float, *, thresholds: Sequence[float] = MERGER_GUIDELINES_THRESHOLDS
) -> str:
    """The concentration band of an HHI value.

    Examples
    --------
    >>> concentration_band(2600.0)
    'highly concentrated'
    >>> concentration_band(1800.0)
    'moderately concentrated'
    """
    lo, hi = _check_thresholds(thresholds)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no known amounts"
    if value < lo:
        return "unconcentrated"
    if value <= hi:
        return "moderately concentrated"
    return "highly concentrated"


def _check_thresholds(thresholds: Sequence[float]) -> tuple[float, float]:
    try:
        lo, hi = (float(t) for t in thresholds)
    except (TypeError, ValueError):
        raise ParameterError("thresholds must be two numbers (low, high)") from None
    if not 0 <= lo <= hi <= 10000:
        raise ParameterError(
            f"thresholds must satisfy 0 <= low <= high <= 10000, got {lo:g}, {hi:g}"
        )
    return lo, hi


def _check_direction(direction: str, allow_both: bool = True) -> tuple[str, ...]:
    allowed = ("in", "out", "both") if allow_both else ("in", "out")
    if direction not in allowed:
        raise ParameterError(f"direction must be one of {', '.join(allowed)}, got {direction!r}")
    return _DIRECTIONS if direction == "both" else (direction,)


def _flow_table(G: nx.Graph, statuses: Any, weight: str) -> pd.DataFrame:
    wanted = set(_check_statuses(statuses))
    rows = [d for d in iter_deals(G, weight=weight) if d["status"] in wanted]
    cols = ["payer", "payee", "deal_id", "amount", "amount_known", "flow_type", "status"]
    df = pd.DataFrame(rows, columns=None if rows else cols)
    df = df[cols] if len(df) else pd.DataFrame(columns=cols)
    # typed even when empty: f[f["amount_known"]] must stay a row filter
    return df.astype({"amount": float, "amount_known": bool})


def _pairs(G: nx.Graph, basis: str, statuses: Any, semantics: Any, weight: str) -> pd.DataFrame:
    """Rows (company, counterparty, direction, amount, amount_known) for both directions."""
    if basis == "flows":
        f = _flow_table(G, statuses, weight)
        a = f.rename(columns={"payee": "company", "payer": "counterparty"}).assign(direction="in")
        b = f.rename(columns={"payer": "company", "payee": "counterparty"}).assign(
            direction="out")
    elif basis == "exposures":
        st = DEFAULT_STATUSES if statuses is None else statuses
        e = exposures(G, semantics=semantics, statuses=st, weight=weight)
        a = e.rename(columns={"exposed": "company"}).assign(direction="in")
        b = e.rename(columns={"counterparty": "company", "exposed": "counterparty"}).assign(
            direction="out")
    else:
        raise ParameterError(f"basis must be 'flows' or 'exposures', got {basis!r}")
    cols = ["company", "counterparty", "direction", "deal_id", "amount", "amount_known"]
    out = pd.concat([a[cols], b[cols]], ignore_index=True)
    out["amount"] = out["amount"].astype(float)
    out["amount_known"] = out["amount_known"].astype(bool)
    return out


def company_concentration(
    G: nx.Graph,
    *,
    direction: str = "both",
    basis: str = "flows",
    statuses: Iterable[str] | str | None = None,
    semantics: Any = None,
    thresholds: Sequence[float] = MERGER_GUIDELINES_THRESHOLDS,
    weight: str = "amount",
    sort: str = "at_risk",
) -> pd.DataFrame:
    """Per company: how concentrated its money in and money out are (HHI, top counterparty).

    Parameters
    ----------
    G : networkx.MultiDiGraph or networkx.DiGraph
        Deal graph from :func:`flowgraph.build_graph` (a collapsed graph works too).
    direction : {"both", "in", "out"}
        ``in``: money coming in (customers, funders); ``out``: money going out (suppliers,
        investees).
    basis : {"flows", "exposures"}
        ``flows`` (default) uses the deals as money flows; ``exposures`` uses the exposure
        semantics of :mod:`flowgraph.exposure` instead: ``in`` is what the company depends on
        (revenue, funding, stakes, loans), ``out`` is who depends on it.
    statuses : list of str, optional
        Deal statuses that count; by default every deal in ``G`` for ``flows`` and
        :data:`~flowgraph.exposure.DEFAULT_STATUSES` for ``exposures``.
    semantics : dict or DataFrame, optional
        Exposure semantics overrides (``basis="exposures"`` only).
    thresholds : (float, float)
        HHI band limits, default (1000, 1800) from the 2023 U.S. Merger Guidelines.
    weight : str
        Edge attribute with the amount.
    sort : {"at_risk", "hhi"}
        Order within each direction. ``"at_risk"`` (default): money at risk first, the
        amount tied to the largest counterparty (``top_amount`` = ``total`` x ``top_share``),
        so a company with $300bn from one customer comes before one with $3bn from its only
        one; then HHI. ``"hhi"``: most concentrated first, then total.

    Returns
    -------
    pandas.DataFrame
        One row per company and direction with at least one deal: ``company, direction,
        total`` (known amounts, bn USD), ``n_counterparties`` (with a known positive amount),
        ``n_deals``, ``n_unknown`` (deals with unknown amounts, left out of every share),
        ``unknown_counterparties`` (counterparties known only through such deals: the HHI
        overstates concentration when this is above 0), ``hhi`` (0-10,000), ``effective_n``
        (10,000 / HHI), ``top_counterparty``, ``top_amount``, ``top_share`` (0-1),
        ``band``. Sorted by direction, then as ``sort`` says, then company.

    Examples
    --------
    >>> import networkx as nx
    >>> D = nx.DiGraph()
    >>> D.add_edge("OpenAI", "Oracle", amount=300.0)
    >>> D.add_edge("Meta", "Oracle", amount=100.0)
    >>> t = company_concentration(D, direction="in")
    >>> t.loc[t.company == "Oracle", ["hhi", "top_counterparty", "top_share"]].values.tolist()
    [[6250.0, 'OpenAI', 0.75]]
    """
    dirs = _check_direction(direction)
    _check_thresholds(thresholds)
    pairs = _pairs(G, basis, statuses, semantics, weight)
    pairs = pairs[pairs["direction"].isin(dirs)]
    cols = ["company", "direction", "total", "n_counterparties", "n_deals", "n_unknown",
            "unknown_counterparties", "hhi", "effective_n", "top_counterparty", "top_amount",
            "top_share", "band"]
    if pairs.empty:
        return pd.DataFrame(columns=cols)
    keys = ["company", "direction"]
    pairs = pairs.assign(_unknown=~pairs["amount_known"])
    base = pairs.groupby(keys, sort=True).agg(
        n_deals=("deal_id", "nunique"), n_unknown=("_unknown", "sum"))
    known = pairs[pairs["amount_known"]]
    per = known.groupby([*keys, "counterparty"], sort=True)["amount"].sum().reset_index()
    per = per[per["amount"] > 0]
    tot = per.groupby(keys)["amount"].transform("sum")
    per = per.assign(_sq=(100.0 * per["amount"] / tot) ** 2, _name=per["counterparty"].astype(str))
    agg = per.groupby(keys).agg(total=("amount", "sum"), n_counterparties=("amount", "size"),
                                hhi=("_sq", "sum"))
    top = (per.sort_values([*keys, "amount", "_name"], ascending=[True, True, False, True],
                           kind="stable")
           .groupby(keys).head(1).set_index(keys)[["counterparty", "amount"]]
           .rename(columns={"counterparty": "top_counterparty", "amount": "top_amount"}))
    unk = pairs[pairs["_unknown"]][[*keys, "counterparty"]].drop_duplicates()
    if len(unk) and len(per):
        unk = unk.merge(per[[*keys, "counterparty"]], how="left", on=[*keys, "counterparty"],
                        indicator=True)
        unk = unk[unk["_merge"] == "left_only"]
    unk_n = unk.groupby(keys).size().rename("unknown_counterparties")
    df = base.join(agg).join(top).join(unk_n).reset_index()
    df["total"] = df["total"].fillna(0.0).astype(float)
    df["n_counterparties"] = df["n_counterparties"].fillna(0).astype(int)
    df["n_unknown"] = df["n_unknown"].astype(int)
    df["n_deals"] = df["n_deals"].astype(int)
    df["unknown_counterparties"] = df["unknown_counterparties"].fillna(0).astype(int)
    df["hhi"] = df["hhi"].astype(float)
    df["effective_n"] = 10000.0 / df["hhi"]
    df["top_amount"] = df["top_amount"].astype(float)
    df["top_share"] = df["top_amount"] / df["total"].where(df["total"] > 0)
    df["band"] = [concentration_band(h, thresholds=thresholds) for h in df["hhi"]]
    df = df[cols]
    if sort not in CONCENTRATION_SORTS:
        raise ParameterError(f"sort must be one of {', '.join(CONCENTRATION_SORTS)}, got {sort!r}")
    if len(df):
        by = (["direction", "top_amount", "hhi", "company"] if sort == "at_risk"
              else ["direction", "hhi", "total", "company"])
        df = df.sort_values(by, ascending=[True, False, False, True], na_position="last",
                            kind="stable").reset_index(drop=True)
    return df


CONCENTRATION_SORTS: tuple[str, ...] = ("at_risk", "hhi")
"""Orders of :func:`company_concentration`."""

_SORT_WORDS = {
    "at_risk": "ranked by money at risk: the amount tied to the largest counterparty "
               "(total x top share), largest first",
    "hhi": "ranked by HHI, most concentrated first",
}


def concentration_order(sort: str) -> str:
    """The ranking rule of :func:`company_concentration` in words (outputs state it).

    Examples
    --------
    >>> concentration_order("hhi")
    'ranked by HHI, most concentrated first'
    """
    return _SORT_WORDS[sort]


def dependency_matrix(
    G: nx.Graph,
    *,
    direction: str = "in",
    statuses: Iterable[str] | str | None = None,
    weight: str = "amount",
) -> pd.DataFrame:
    """Share of each company's inflow (or outflow) that comes from (goes to) each other one.

    Parameters
    ----------
    G : networkx.MultiDiGraph or networkx.DiGraph
        Deal graph.
    direction : {"in", "out"}
        ``in``: entry [A, B] is the share of A's known inflow paid by B; ``out``: the share
        of A's known outflow paid to B.
    statuses : list of str, optional
        Deal statuses that count (default: every deal in ``G``).
    weight : str
        Edge attribute with the amount.

    Returns
    -------
    pandas.DataFrame
        Square, index and columns = companies (sorted); rows sum to 1, or are all NaN for a
        company with no known flow in that direction. Deals with unknown amounts are left
        out.

    Examples
    --------
    >>> import networkx as nx
    >>> D = nx.DiGraph()
    >>> D.add_edge("A", "C", amount=3.0)
    >>> D.add_edge("B", "C", amount=1.0)
    >>> float(dependency_matrix(D).loc["C", "A"])
    0.75
    """
    (d,) = _check_direction(direction, allow_both=False)
    f = _flow_table(G, statuses, weight)
    names = sorted(G.nodes, key=str)
    f = f[f["amount_known"]]
    if d == "in":
        m = f.pivot_table(index="payee", columns="payer", values="amount", aggfunc="sum")
    else:
        m = f.pivot_table(index="payer", columns="payee", values="amount", aggfunc="sum")
    m = m.reindex(index=names, columns=names).fillna(0.0).astype(float)
    tot = m.sum(axis=1)
    out = m.div(tot.where(tot > 0), axis=0)
    out.index.name = "company"
    out.columns.name = "counterparty"
    return out


def mutual_dependencies(
    G: nx.Graph,
    *,
    statuses: Iterable[str] | str | None = None,
    min_share: float = 0.0,
    weight: str = "amount",
) -> pd.DataFrame:
    """Pairs of companies that each get money from the other, with both dependency shares.

    Parameters
    ----------
    G : networkx.MultiDiGraph or networkx.DiGraph
        Deal graph.
    statuses : list of str, optional
        Deal statuses that count (default: every deal in ``G``).
    min_share : float
        Keep pairs where both shares are at least this (0-1).
    weight : str
        Edge attribute with the amount.

    Returns
    -------
    pandas.DataFrame
        ``company_a, company_b`` (a < b by name), ``a_from_b`` (share of A's known inflow
        paid by B), ``b_from_a``, ``amount_b_to_a``, ``amount_a_to_b``, ``weaker`` (the
        smaller of the two shares: how mutual the dependence is). Sorted by ``weaker``
        (largest first), then names.

    Examples
    --------
    >>> import networkx as nx
    >>> D = nx.DiGraph()
    >>> D.add_edge("Nvidia", "OpenAI", amount=100.0)
    >>> D.add_edge("OpenAI", "Nvidia", amount=50.0)
    >>> D.add_edge("Microsoft", "Nvidia", amount=50.0)
    >>> mutual_dependencies(D)[["a_from_b", "b_from_a"]].values.tolist()
    [[0.5, 1.0]]
    """
    if not 0 <= min_share <= 1:
        raise ParameterError(f"min_share must be in [0, 1], got {min_share}")
    f = _flow_table(G, statuses, weight)
    f = f[f["amount_known"]]
    amt = f.groupby(["payer", "payee"])["amount"].sum()
    inflow = f.groupby("payee")["amount"].sum()
    cols = ["company_a", "company_b", "a_from_b", "b_from_a", "amount_b_to_a", "amount_a_to_b",
            "weaker"]
    rows = []
    pairs = {(p, q) for p, q in amt.index if p != q}
    for p, q in pairs:
        if (q, p) not in pairs or str(p) > str(q):
            continue
        a, b = p, q
        b_to_a, a_to_b = float(amt[(b, a)]), float(amt[(a, b)])
        if b_to_a <= 0 or a_to_b <= 0:
            continue
        a_from_b = b_to_a / float(inflow[a])
        b_from_a = a_to_b / float(inflow[b])
        w = min(a_from_b, b_from_a)
        if w < min_share:
            continue
        rows.append({"company_a": a, "company_b": b, "a_from_b": a_from_b, "b_from_a": b_from_a,
                     "amount_b_to_a": b_to_a, "amount_a_to_b": a_to_b, "weaker": w})
    df = pd.DataFrame(rows, columns=cols)
    if len(df):
        df = df.sort_values(["weaker", "company_a", "company_b"], ascending=[False, True, True],
                            kind="stable").reset_index(drop=True)
    return df


def _known_digraph(G: nx.Graph, statuses: Any, weight: str) -> tuple[nx.DiGraph, int]:
    f = _flow_table(G, statuses, weight)
    H = nx.DiGraph()
    H.add_nodes_from(G.nodes)
    n_unknown = int((~f["amount_known"]).sum()) if len(f) else 0
    for rec in f[f["amount_known"]].itertuples(index=False):
        if rec.payer == rec.payee or rec.amount <= 0:
            continue
        if H.has_edge(rec.payer, rec.payee):
            H[rec.payer][rec.payee]["amount"] += float(rec.amount)
        else:
            H.add_edge(rec.payer, rec.payee, amount=float(rec.amount))
    return H, n_unknown


def _betweenness(H: nx.DiGraph) -> dict[Any, float]:
    """Normalised betweenness with distance 1 / amount (igraph when available: C speed)."""
    n = H.number_of_nodes()
    try:
        import igraph as ig
    except ImportError:  # igraph is optional: fall back to networkx
        D = nx.DiGraph()
        D.add_nodes_from(H)
        D.add_edges_from((u, v, {"distance": 1.0 / d["amount"]})
                         for u, v, d in H.edges(data=True))
        return nx.betweenness_centrality(D, weight="distance", normalized=True)
    names = list(H.nodes)
    index = {v: i for i, v in enumerate(names)}
    edges = [(index[u], index[v]) for u, v in H.edges]
    dist = [1.0 / d["amount"] for _, _, d in H.edges(data=True)]
    g = ig.Graph(n=n, edges=edges, directed=True)
    raw = g.betweenness(directed=True, weights=dist)
    scale = 1.0 / ((n - 1) * (n - 2)) if n > 2 else 0.0
    return {v: float(b) * scale for v, b in zip(names, raw)}


def centrality(
    G: nx.Graph,
    *,
    statuses: Iterable[str] | str | None = None,
    alpha: float = 0.85,
    betweenness: bool = True,
    weight: str = "amount",
) -> pd.DataFrame:
    """Flow-weighted centralities of every company.

    Parameters
    ----------
    G : networkx.MultiDiGraph or networkx.DiGraph
        Deal graph.
    statuses : list of str, optional
        Deal statuses that count (default: every deal in ``G``).
    alpha : float
        PageRank damping factor.
    betweenness : bool
        Compute betweenness (the slowest part on large networks; NaN when False).
    weight : str
        Edge attribute with the amount.

    Returns
    -------
    pandas.DataFrame
        ``company, kind, in_strength`` (known money received, bn USD), ``out_strength``
        (paid), ``strength`` (both), ``flow_share`` (share of all known money that touches
        the company as payer or payee), ``pagerank`` (weighted by amount, along the money:
        high for companies that receive from companies that receive a lot),
        ``betweenness`` (normalised; shortest paths with distance = 1 / amount, so big
        flows are short links and a company scores high when the cheapest routes of money
        pass through it). Deals with unknown amounts are left out. Sorted by strength
        (largest first), then name.

    Examples
    --------
    >>> import networkx as nx
    >>> D = nx.DiGraph()
    >>> D.add_edge("A", "B", amount=2.0)
    >>> D.add_edge("B", "C", amount=1.0)
    >>> c = centrality(D).set_index("company")
    >>> float(c.loc["B", "strength"]), float(c.loc["B", "betweenness"])
    (3.0, 0.5)
    """
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha must be in (0, 1), got {alpha}")
    H, _ = _known_digraph(G, statuses, weight)
    total = sum(d["amount"] for _, _, d in H.edges(data=True))
    ins = dict(H.in_degree(weight="amount"))
    outs = dict(H.out_degree(weight="amount"))
    if H.number_of_edges():
        pr = nx.pagerank(H, alpha=alpha, weight="amount")
        bc = _betweenness(H) if betweenness else {n: math.nan for n in H}
    else:
        pr = {n: 1.0 / max(len(H), 1) for n in H}
        bc = {n: 0.0 for n in H}
    rows = []
    for n in H.nodes:
        s = float(ins.get(n, 0.0) + outs.get(n, 0.0))
        kind = G.nodes[n].get("kind", "unknown") if n in G else "unknown"
        rows.append({
            "company": n, "kind": kind, "in_strength": float(ins.get(n, 0.0)),
            "out_strength": float(outs.get(n, 0.0)), "strength": s,
            "flow_share": s / total if total > 0 else math.nan,
            "pagerank": float(pr.get(n, 0.0)), "betweenness": float(bc.get(n, 0.0)),
        })
    cols = ["company", "kind", "in_strength", "out_strength", "strength", "flow_share",
            "pagerank", "betweenness"]
    df = pd.DataFrame(rows, columns=cols)
    if len(df):
        df["_n"] = df["company"].astype(str)
        df = df.sort_values(["strength", "_n"], ascending=[False, True], kind="stable")
        df = df.drop(columns="_n").reset_index(drop=True)
    return df


@dataclass(frozen=True)
class NetworkConcentration:
    """How concentrated the whole network is.

    Attributes
    ----------
    total_flow : float
        Sum of known amounts (bn USD).
    n_companies, n_deals, n_unknown : int
        Companies, deals counted, and deals left out because their amount is unknown.
    top1, top3 : tuple of str
        The companies with the largest strength (money in + out).
    top1_share, top3_share : float
        Share of all known money on deals touching (as payer or payee) the top one / any of
        the top three companies (each deal counted once).
    strength_hhi : float
        HHI of the companies' shares of total strength (0-10,000 scale; strength counts each
        deal at both ends, so shares sum to 1 over companies).
    companies : pandas.DataFrame
        :func:`centrality` table.
    keystones : pandas.DataFrame or None
        Keystones of the circulation analysis (the ``table`` of
        :func:`flowgraph.circulation.keystones`), or None when ``include_keystones`` is False.

    Examples
    --------
    >>> import flowgraph as fg
    >>> nc = fg.network_concentration(fg.build_graph(fg.load_dataset("toy")))
    >>> nc.top1, round(nc.top3_share, 3)
    (('LabCo',), 1.0)
    """

    total_flow: float
    n_companies: int
    n_deals: int
    n_unknown: int
    top1: tuple[str, ...]
    top1_share: float
    top3: tuple[str, ...]
    top3_share: float
    strength_hhi: float
    companies: pd.DataFrame
    keystones: pd.DataFrame | None

    def headline(self, *, raw: bool = False) -> pd.DataFrame:
        """The scalar fields as a two-column table (``measure``, ``value``).

        ``raw=True`` gives the numbers themselves (shares as fractions) rather than text
        formatted for reading, e.g. for CSV or JSON output.
        """
        measures = ["total known flow (bn USD)", "companies", "deals counted",
                    "deals with unknown amount (left out)", "largest company",
                    "share of flow touching it", "three largest companies",
                    "share of flow touching them", "HHI of company strength"]
        if raw:
            values: list[Any] = [self.total_flow, self.n_companies, self.n_deals,
                                 self.n_unknown, ", ".join(self.top1), self.top1_share,
                                 ", ".join(self.top3), self.top3_share, self.strength_hhi]
        else:
            values = [f"{self.total_flow:,.1f}", str(self.n_companies), str(self.n_deals),
                      str(self.n_unknown), ", ".join(self.top1), f"{self.top1_share:.1%}",
                      ", ".join(self.top3), f"{self.top3_share:.1%}",
                      f"{self.strength_hhi:,.0f}"]
        return pd.DataFrame({"measure": measures, "value": values})


def _keystones(G: nx.Graph, weight: str) -> pd.DataFrame:
    from .circulation import keystones

    return keystones(G, weight=weight).table


def network_concentration(
    G: nx.Graph,
    *,
    statuses: Iterable[str] | str | None = None,
    include_keystones: bool = True,
    betweenness: bool = True,
    weight: str = "amount",
) -> NetworkConcentration:
    """Network-level concentration: how much of all money touches the largest companies.

    Parameters
    ----------
    G : networkx.MultiDiGraph or networkx.DiGraph
        Deal graph.
    statuses : list of str, optional
        Deal statuses that count (default: every deal in ``G``).
    include_keystones : bool
        Also run the circulation analysis' keystones.
    betweenness : bool
        Compute betweenness in the companies table (see :func:`centrality`).
    weight : str
        Edge attribute with the amount.

    Returns
    -------
    NetworkConcentration

    Examples
    --------
    >>> import networkx as nx
    >>> D = nx.DiGraph()
    >>> D.add_edge("A", "B", amount=3.0)
    >>> D.add_edge("C", "D", amount=1.0)
    >>> nc = network_concentration(D, include_keystones=False)
    >>> nc.top1_share
    0.75
    """
    from .graph import companies_with_deals

    f = _flow_table(G, statuses, weight)
    known = f[f["amount_known"] & (f["amount"] > 0)] if len(f) else f
    comp = centrality(G, statuses=statuses, betweenness=betweenness, weight=weight)
    total = float(known["amount"].sum()) if len(known) else 0.0
    top1 = tuple(comp["company"].head(1)) if len(comp) and total > 0 else ()
    top3 = tuple(comp["company"].head(3)) if len(comp) and total > 0 else ()

    def touching(names: tuple[str, ...]) -> float:
        if not names or total <= 0:
            return math.nan
        mask = known["payer"].isin(names) | known["payee"].isin(names)
        return float(known.loc[mask, "amount"].sum()) / total

    strength = comp["strength"].to_numpy(dtype=float) if len(comp) else np.array([])
    return NetworkConcentration(
        total_flow=total,
        n_companies=companies_with_deals(G),
        n_deals=len(f),
        n_unknown=int((~f["amount_known"]).sum()) if len(f) else 0,
        top1=top1,
        top1_share=touching(top1),
        top3=top3,
        top3_share=touching(top3),
        strength_hhi=hhi(strength) if strength.size else math.nan,
        companies=comp,
        keystones=_keystones(G, weight) if include_keystones else None,
    )


_FUNDAMENTAL_COLS = {
    "revenue": "revenue_usd_bn",
    "cash": "cash_usd_bn",
    "market_value": "market_value_usd_bn",
    "debt": "debt_usd_bn",
    "equity": "equity_usd_bn",
}


def _node_text(data: dict[str, Any], col: str) -> str | None:
    v = data.get(col)
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    text = str(v).strip()
    return text or None


def _ratio(a: float, b: float) -> float:
    if math.isnan(a) or math.isnan(b) or b <= 0:
        return math.nan
    return a / b


def _promised_deals(G: nx.Graph, *, statuses: Any = PENDING_STATUSES,
                    non_cash: Iterable[str] = NON_CASH_FLOW_TYPES,
                    weight: str = "amount") -> pd.DataFrame:
    """The deals :func:`commitments` sums, one row each (``payer, payee, deal_id, amount``:
    what is not yet paid, ``paid``, ``amount_known``, ``flow_type``, ``status``): the one
    rule of which money is promised, for callers that word a finding about those sums."""
    st = _check_statuses(statuses)
    if "disbursed" in st:
        raise ParameterError("commitments counts promised money only; 'disbursed' is paid")
    # a disbursed deal's unpaid rest is committed money (the summary's split)
    f = _flow_table(G, (*st, "disbursed") if "committed" in st else st, weight)
    # .loc with boolean masks: on an empty table, df[empty_mask] would select no columns
    f = f.loc[~f["flow_type"].isin(set(non_cash))]
    return _unpaid(G, f, weight).reset_index(drop=True)


def _unpaid(G: nx.Graph, f: pd.DataFrame, weight: str) -> pd.DataFrame:
    """The deals of a flow table as promises: ``amount`` is what is not yet paid and
    ``paid`` what is, by :func:`flowgraph.exposure._paid_amounts` (the summary's paid rule);
    deals with nothing left to pay, and disbursed deals of unknown amount, are dropped."""
    paid_of = _paid_amounts(G, weight)
    known = f["amount_known"].to_numpy(dtype=bool)
    amount = f["amount"].to_numpy(dtype=float)
    disbursed = (f["status"] == "disbursed").to_numpy()
    paid = np.array([paid_of.get((u, v, d), a if s else 0.0) if k else 0.0
                     for u, v, d, a, s, k in zip(f["payer"], f["payee"], f["deal_id"], amount,
                                                 disbursed, known)], dtype=float)
    rest = np.where(known, amount - paid, amount)
    keep = np.where(known, ~((rest <= 0) & (amount > 0)), ~disbursed)
    return f.assign(amount=rest, paid=paid).loc[keep]


def _promise_sums(f: pd.DataFrame) -> dict[str, pd.Series]:
    """Known promised money per company (out, commercial out, investment out, backlog in,
    funding in) and the promises of unknown amount out and in."""
    def sums(frame: pd.DataFrame, by: str) -> tuple[pd.Series, pd.Series]:
        known = frame["amount_known"].astype(bool)
        return (frame.loc[known].groupby(by)["amount"].sum(),
                frame.loc[~known].groupby(by)["deal_id"].count())

    is_inv = f["flow_type"].isin(set(schema.INVESTMENT_FLOW_TYPES))
    paid = f.loc[f["amount_known"].astype(bool)]
    out_all, out_unk = sums(f, "payer")
    out_com, _ = sums(f.loc[~is_inv], "payer")
    out_inv, _ = sums(f.loc[is_inv], "payer")
    in_back, in_unk_b = sums(f.loc[~is_inv], "payee")
    in_fund, in_unk_f = sums(f.loc[is_inv], "payee")
    return {"out": out_all, "out_unknown": out_unk, "commercial_out": out_com,
            "investment_out": out_inv, "backlog_in": in_back, "funding_in": in_fund,
            "in_unknown": in_unk_b.add(in_unk_f, fill_value=0),
            "paid_out": paid.groupby("payer")["paid"].sum(),
            "paid_in": paid.groupby("payee")["paid"].sum()}


def _commitment_row(n: Any, data: dict[str, Any], sums: dict[str, pd.Series]) -> dict[str, Any]:
    """One company's promises against its fundamentals, with their dates and sources."""
    fund = {k: schema.to_float(data.get(c)) for k, c in _FUNDAMENTAL_COLS.items()}
    c_out = float(sums["out"].get(n, 0.0))
    backlog = float(sums["backlog_in"].get(n, 0.0))
    funding = float(sums["funding_in"].get(n, 0.0))
    cash = fund["cash"]
    gap = c_out - cash - funding if not math.isnan(cash) else math.nan
    missing = [k for k in ("revenue", "cash", "market_value", "debt", "equity")
               if math.isnan(fund[k])]
    row = {
        "company": n, "kind": data.get("kind", "unknown"),
        "commitments_out": c_out, "commercial_out": float(sums["commercial_out"].get(n, 0.0)),
        "investment_out": float(sums["investment_out"].get(n, 0.0)), "backlog_in": backlog,
        "funding_in": funding, "paid_out": float(sums["paid_out"].get(n, 0.0)),
        "paid_in": float(sums["paid_in"].get(n, 0.0)),
        "n_unknown_out": int(sums["out_unknown"].get(n, 0)),
        "n_unknown_in": int(sums["in_unknown"].get(n, 0)),
        **fund,
        "commitments_to_revenue": _ratio(c_out, fund["revenue"]),
        "commitments_to_cash": _ratio(c_out, cash),
        "commitments_to_market_value": _ratio(c_out, fund["market_value"]),
        "backlog_to_revenue": _ratio(backlog, fund["revenue"]),
        "funding_gap": gap,
        "funding_gap_to_revenue": _ratio(gap, fund["revenue"]) if not math.isnan(gap)
        else math.nan,
    }
    for k in ("revenue", "cash", "market_value"):
        row[f"{k}_as_of"] = _node_text(data, f"{_FUNDAMENTAL_COLS[k][:-7]}_as_of")
    for k in ("revenue", "cash", "market_value"):
        row[f"{k}_source"] = _node_text(data, f"{_FUNDAMENTAL_COLS[k][:-7]}_source")
    row["missing"] = ";".join(missing)
    return row


def commitments(
    G: nx.Graph,
    *,
    statuses: Iterable[str] | str | None = PENDING_STATUSES,
    non_cash: Iterable[str] = NON_CASH_FLOW_TYPES,
    weight: str = "amount",
) -> pd.DataFrame:
    """Promises against means: commitments and backlog against revenue, cash and market value.

    Only money not yet paid counts (deals ``announced`` and ``committed`` by default; add
    ``rumored`` to see the rumoured ones too): each deal's amount less what is paid already,
    by the one paid rule of the summary (:func:`flowgraph.firmness.firmness_split`:
    ``paid_usd_bn`` as of the graph's date), and, with ``committed``, the unpaid rest of a
    ``disbursed`` deal whose ``paid_usd_bn`` says less than its amount (committed, not yet
    paid, as the summary counts it). Amounts are the deal totals as reported, not annual
    figures: many contracts run for several years, so ``commitments_to_revenue`` reads as
    "years of current revenue". (A collapsed graph keeps no payments per deal: its promised
    edges count in full.)

    Parameters
    ----------
    G : networkx.MultiDiGraph or networkx.DiGraph
        Deal graph whose nodes carry the companies table (``revenue_usd_bn``,
        ``cash_usd_bn``, ``market_value_usd_bn``, ``debt_usd_bn``, ``equity_usd_bn`` and their
        ``*_as_of`` / ``*_source`` columns).
    statuses : list of str
        Statuses of promised money (``disbursed`` is not allowed: paid money is no longer a
        promise).
    non_cash : iterable of str
        Flow types that promise no cash from the payer (default: ``warrant``).
    weight : str
        Edge attribute with the amount.

    Returns
    -------
    pandas.DataFrame
        One row per company: ``company, kind``;
        ``commitments_out`` (everything it promised to pay: purchases, leases, backstops,
        investments, loans), of which ``commercial_out`` and ``investment_out``;
        ``backlog_in`` (commercial revenue promised to it), ``funding_in`` (investment and
        loans promised to it); ``paid_out`` / ``paid_in`` (money already paid on those deals,
        left out of the sums); ``n_unknown_out`` / ``n_unknown_in`` (promises with unknown
        amounts, not in the sums); the fundamentals ``revenue``, ``cash``, ``market_value``,
        ``debt``, ``equity`` (bn USD, NaN when missing); the ratios
        ``commitments_to_revenue``, ``commitments_to_cash``,
        ``commitments_to_market_value``, ``backlog_to_revenue``; ``funding_gap`` =
        commitments_out - cash - funding_in (positive: it promised more than it holds in
        cash plus the funding promised to it; future revenue and profit are not counted);
        ``funding_gap_to_revenue``; the as-of dates ``revenue_as_of``, ``cash_as_of``,
        ``market_value_as_of``; the sources ``revenue_source``, ``cash_source``,
        ``market_value_source``; ``missing`` (fundamentals missing, ``;``-separated).
        Sorted by ``commitments_to_revenue`` (largest first, NaN last), then
        ``commitments_out``, then name.

    Examples
    --------
    >>> import networkx as nx
    >>> M = nx.MultiDiGraph()
    >>> M.add_node("OpenAI", revenue_usd_bn=13.0, cash_usd_bn=20.0)
    >>> _ = M.add_edge("OpenAI", "Oracle", key="d1", amount=300.0,
    ...                flow_type="compute_contract", status="committed")
    >>> t = commitments(M).set_index("company")
    >>> round(float(t.loc["OpenAI", "commitments_to_revenue"]), 1)
    23.1
    >>> _ = M.add_edge("OpenAI", "Oracle", key="d2", amount=10.0, paid_usd_bn=4.0,
    ...                flow_type="compute_contract", status="committed")
    >>> t = commitments(M).set_index("company")
    >>> float(t.loc["OpenAI", "commitments_out"]), float(t.loc["OpenAI", "paid_out"])
    (306.0, 4.0)
    """
    sums = _promise_sums(_promised_deals(G, statuses=statuses, non_cash=non_cash,
                                         weight=weight))
    rows = [_commitment_row(n, data, sums) for n, data in G.nodes(data=True)]
    cols = ["company", "kind", "commitments_out", "commercial_out", "investment_out",
            "backlog_in", "funding_in", "paid_out", "paid_in", "n_unknown_out",
            "n_unknown_in", "revenue", "cash",
            "market_value", "debt", "equity", "commitments_to_revenue", "commitments_to_cash",
            "commitments_to_market_value", "backlog_to_revenue", "funding_gap",
            "funding_gap_to_revenue", "revenue_as_of", "cash_as_of", "market_value_as_of",
            "revenue_source", "cash_source", "market_value_source", "missing"]
    df = pd.DataFrame(rows, columns=cols)
    if len(df):
        df["_n"] = df["company"].astype(str)
        df = df.sort_values(["commitments_to_revenue", "commitments_out", "_n"],
                            ascending=[False, False, True], na_position="last", kind="stable")
        df = df.drop(columns="_n").reset_index(drop=True)
    return df
