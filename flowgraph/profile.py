"""One company on one page: fundamentals, deals, loops, dependence, circulation and stress.

:func:`company_profile` gathers what the other analyses say about one company: its figures
from the companies table with their dates (and whether they are older than the data by more
than a year), every deal it pays or receives with its source, the loops through it, who it
depends on and who depends on it (with both dependence measures, see :func:`dependence`),
the share of its inflow that is its own money coming back, how much circulation would go if
it were removed, and what its failure does to the others under every stress model.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd

from . import schema
from .timeframe import is_stale, view_limit
from ._params import renamed
from .errors import MissingDataError
from .exposure import DEFAULT_STATUSES, company_exposure
from .graph import check_company
from .schema import to_float

__all__ = ["CompanyProfile", "company_profile", "dependence", "reported_revenue_shares",
           "revenue_shares_then"]

FUNDAMENTALS: tuple[tuple[str, str], ...] = (
    ("revenue", "revenue (annual)"),
    ("market_value", "market value"),
    ("cash", "cash"),
    ("debt", "debt"),
    ("equity", "book equity"),
)
"""Companies-table figures a profile shows: column stem -> words."""


def _text(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    s = str(v).strip()
    return s or None


def _day(v: Any) -> Any:
    try:
        return schema.date_bounds(v)[1] if _text(v) else None
    except (ValueError, TypeError):
        return None


def _share_period_end(row: Any) -> Any:
    """The last day of a revenue share's period: its ``as_of`` (the period's last day), else
    its ``period`` when that is a date (``2024`` -> 2024-12-31); None when neither reads."""
    return _day(row.get("as_of")) or _day(row.get("period"))


def revenue_shares_then(revenue_shares: pd.DataFrame | None, company: str,
                        as_of: Any = None) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The rows of ``company`` in a revenue-shares table known as of a date, and the
    counterparties whose only figures are for a later period.

    As of a date a share counts when its period has ended by then (the last day of its
    ``as_of``, else of its ``period``, is on or before the date;
    :func:`flowgraph.timeframe.is_later`); a row whose period end cannot be read is left out
    too (it cannot be placed in time). The table records when a period ended, not when the
    figure was published, so a share may have been published after the date. Without a date
    every row counts.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"company": ["C", "C", "C"], "counterparty": ["M", "M", "N"],
    ...                   "share": [0.35, 0.67, 0.1], "period": ["2023", "2025", "2025"]})
    >>> rows, later = revenue_shares_then(t, "C", "2024-06-30")
    >>> rows["share"].tolist(), later
    ([0.35], ('N',))
    """
    from .timeframe import as_of_limit, is_later

    if revenue_shares is None or not len(revenue_shares):
        return pd.DataFrame(columns=list(getattr(revenue_shares, "columns", []))), ()
    t = revenue_shares[revenue_shares["company"].astype(str) == str(company)]
    limit = as_of_limit(as_of)
    if limit is None or not len(t):
        return t.copy(), ()
    ends = [_share_period_end(r) for r in t.to_dict("records")]
    known = pd.Series([e is not None and not is_later(e, limit) for e in ends], index=t.index,
                      dtype=bool)
    kept = t[known].copy()
    names = set(map(str, t["counterparty"]))
    later = tuple(sorted(names - set(map(str, kept["counterparty"]))))
    return kept, later


def reported_revenue_shares(revenue_shares: pd.DataFrame | None, company: str, *,
                            as_of: Any = None) -> pd.DataFrame:
    """The latest reported share of ``company``'s revenue from each counterparty.

    Parameters
    ----------
    revenue_shares : pandas.DataFrame or None
        A dataset's revenue-shares table (``company, counterparty, share`` (0-1), ``period``,
        ``as_of``, ``source_url``, ...), or None.
    company : str
        The company whose revenue is split.
    as_of : str or datetime.date, optional
        Only shares whose period had ended by then (:func:`revenue_shares_then`): the latest
        such per counterparty; a counterparty with only later figures is left out.

    Returns
    -------
    pandas.DataFrame
        ``counterparty, share, period, source_url``: per counterparty the row of the latest
        ``period`` (then ``as_of``). Empty when there is no table or no row.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"company": ["C", "C"], "counterparty": ["M", "M"],
    ...                   "share": [0.35, 0.67], "period": ["2023", "2025"],
    ...                   "source_url": ["https://a.example", "https://b.example"]})
    >>> reported_revenue_shares(t, "C")[["counterparty", "share", "period"]].values.tolist()
    [['M', 0.67, '2025']]
    >>> reported_revenue_shares(t, "C", as_of="2024-06-30")["share"].tolist()
    [0.35]
    """
    cols = ["counterparty", "share", "period", "source_url"]
    t, _ = revenue_shares_then(revenue_shares, company, as_of)
    if not len(t):
        return pd.DataFrame(columns=cols)
    for c in ("period", "as_of", "source_url"):
        if c not in t.columns:
            t[c] = None
    t["_p"] = t["period"].map(lambda v: str(_day(v) or ""))
    t["_a"] = t["as_of"].map(lambda v: str(_day(v) or ""))
    t = t.sort_values(["counterparty", "_p", "_a"], kind="stable")
    t = t.groupby("counterparty", sort=True).tail(1)
    t["share"] = t["share"].map(to_float)
    return t[cols].sort_values(["share", "counterparty"], ascending=[False, True],
                               kind="stable").reset_index(drop=True)


def dependence(
    G: nx.Graph,
    company: str,
    *,
    revenue_shares: pd.DataFrame | None = None,
    statuses: Iterable[str] | str | None = DEFAULT_STATUSES,
) -> pd.DataFrame:
    """How much of ``company``'s business comes from each customer, measured two ways.

    *Share of contracted backlog* is the customer's part of the company's known contracted,
    unpaid revenue in the deals (:func:`flowgraph.company_exposure`, risk ``revenue``).
    *Share of reported revenue* is what the company's reports say a customer was of its
    revenue in a period (the dataset's revenue-shares table); public reporting usually quotes
    this one. The two differ: CoreWeave's largest customer by reported revenue need not hold
    most of its future backlog.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Deal graph from :func:`flowgraph.build_graph`.
    company : str
        Company name (case-insensitive).
    revenue_shares : pandas.DataFrame, optional
        The dataset's revenue-shares table (``Dataset.revenue_shares``). For a graph built as
        of a date, only shares whose period had ended by then count
        (:func:`reported_revenue_shares` ``as_of=``).
    statuses : list of str
        Deal statuses counted for the backlog.

    Returns
    -------
    pandas.DataFrame
        ``counterparty, contracted_backlog`` (bn USD, known amounts), ``n_unknown`` (deals of
        unknown amount), ``share_of_contracted_backlog``, ``share_of_reported_revenue``,
        ``revenue_period``, ``revenue_source``; one row per customer in either measure,
        largest backlog first, then largest reported share.

    Examples
    --------
    >>> import flowgraph as fg
    >>> d = dependence(fg.build_graph(fg.load_dataset("toy")), "CloudCo")
    >>> d[["counterparty", "share_of_contracted_backlog"]].values.tolist()
    [['LabCo', 1.0]]
    """
    name = check_company(G, company)
    e = company_exposure(G, name, statuses=statuses)
    rev = e.depends_on[e.depends_on["risk"] == "revenue"]
    rows: dict[str, dict[str, Any]] = {}
    for r in rev.itertuples():
        rows[str(r.counterparty)] = {
            "counterparty": str(r.counterparty), "contracted_backlog": float(r.amount),
            "n_unknown": int(r.n_unknown), "share_of_contracted_backlog": float(r.share),
            "share_of_reported_revenue": math.nan, "revenue_period": None,
            "revenue_source": None}
    for r in reported_revenue_shares(revenue_shares, name,
                                     as_of=view_limit(G)).itertuples():
        row = rows.setdefault(str(r.counterparty), {
            "counterparty": str(r.counterparty), "contracted_backlog": math.nan,
            "n_unknown": 0, "share_of_contracted_backlog": math.nan})
        row.update({"share_of_reported_revenue": float(r.share),
                    "revenue_period": _text(r.period), "revenue_source": _text(r.source_url)})
    cols = ["counterparty", "contracted_backlog", "n_unknown", "share_of_contracted_backlog",
            "share_of_reported_revenue", "revenue_period", "revenue_source"]
    out = pd.DataFrame(list(rows.values()), columns=cols)
    if len(out):
        out = out.assign(_b=out["contracted_backlog"].fillna(-1.0),
                         _r=out["share_of_reported_revenue"].fillna(-1.0))
        out = out.sort_values(["_b", "_r", "counterparty"], ascending=[False, False, True],
                              kind="stable").drop(columns=["_b", "_r"])
    return out.reset_index(drop=True)


def _as_of_notes(G: Any, name: str, fundamentals: pd.DataFrame,
                 revenue_shares: pd.DataFrame | None) -> list[str]:
    """For a graph built as of a date: the company's figures dated after it, and the
    customers whose reported revenue share is known only for a later period (left out)."""
    from .timeframe import is_later

    limit = view_limit(G)
    if limit is None:
        return []
    day = limit.isoformat()
    out = []
    later = [f"{r.measure} ({r.as_of})" for r in fundamentals.itertuples()
             if is_later(r.as_of, limit)]
    if later:
        out.append(f"{', '.join(later).capitalize()} of {name} "
                   f"{'is' if len(later) == 1 else 'are'} dated after {day}: the latest in the "
                   "data, not figures as of then.")
    if revenue_shares is not None and len(revenue_shares):
        _, only_later = revenue_shares_then(revenue_shares, name, limit)
        if only_later:
            out.append(f"Share of reported revenue as of {day}: "
                       f"{', '.join(only_later)} left out, reported only for a period ending "
                       f"after {day}; the other shares are the latest for a period ended by "
                       "then (the table does not record when each was published).")
        elif len(revenue_shares_then(revenue_shares, name, None)[0]):
            out.append(f"Share of reported revenue as of {day}: the latest for a period ended "
                       "by then (the table does not record when each was published).")
    return out


@dataclass(frozen=True)
class CompanyProfile:
    """What the analyses say about one company.

    Attributes
    ----------
    company, kind : str
    as_of : str or None
        The data's as-of date.
    fundamentals : pandas.DataFrame
        ``measure, value_usd_bn, as_of, source, stale`` (more than a year older than the
        data); a missing figure has NaN and no date.
    deals : pandas.DataFrame
        Every deal the company pays (``direction`` "out") or receives ("in"):
        ``direction, counterparty, deal_id, amount, amount_known, estimate`` (an estimate or
        a range's midpoint), ``conditional, flow_type, status, announced, confidence,
        source_url``; out first, then in, largest first.
    loops : pandas.DataFrame
        The loops through it (:func:`flowgraph.find_cycles` ``cycles`` columns), shortest
        first (largest round trip first within a length); ``n_loops`` counts them all.
    n_loops : int
    depends_on, depended_on_by : pandas.DataFrame
        As in :func:`flowgraph.company_exposure` (``share`` is the share of that risk kind's
        exposure: for revenue, of contracted backlog).
    dependence : pandas.DataFrame
        Its customers by both measures (:func:`dependence`).
    self_funded : pandas.DataFrame
        One row of :func:`flowgraph.self_funded` (its ``table``).
    keystone : pandas.DataFrame
        One row of :func:`flowgraph.keystones` (its ``table``).
    stress : StressRange or None
        Its failure under every model (:func:`flowgraph.stress_range`); None when no company
        has a buffer figure.
    notes : tuple of str
    inflow_uncounted : str
        What its known inflow leaves out, as a clause for the sentence that quotes it
        (:func:`flowgraph.firmness.uncounted_clause`): the deals it receives with no known
        amount and the least they hold; ``""`` when none.

    Examples
    --------
    >>> import flowgraph as fg
    >>> p = fg.company_profile(fg.build_graph(fg.load_dataset("toy")), "CloudCo")
    >>> p.company, p.n_loops > 0
    ('CloudCo', True)
    """

    company: str
    kind: str
    as_of: str | None
    fundamentals: pd.DataFrame
    deals: pd.DataFrame
    loops: pd.DataFrame
    n_loops: int
    depends_on: pd.DataFrame
    depended_on_by: pd.DataFrame
    dependence: pd.DataFrame
    self_funded: pd.DataFrame
    keystone: pd.DataFrame
    stress: Any
    notes: tuple[str, ...]
    inflow_uncounted: str = ""

    def headline(self) -> pd.DataFrame:
        """The profile's numbers as a ``measure, value`` table (numbers, shares 0-1).

        Examples
        --------
        >>> import flowgraph as fg
        >>> p = fg.company_profile(fg.build_graph(fg.load_dataset("toy")), "CloudCo")
        >>> list(p.headline()["measure"])[:2]
        ['company', 'kind']
        """
        out_d = self.deals[self.deals["direction"] == "out"]
        in_d = self.deals[self.deals["direction"] == "in"]

        def known(df: pd.DataFrame) -> float:
            k = df.loc[df["amount_known"].astype(bool), "amount"]
            return float(k.sum()) if len(k) else math.nan

        sf = self.self_funded.iloc[0] if len(self.self_funded) else {}
        ks = self.keystone.iloc[0] if len(self.keystone) else {}
        rows: list[tuple[str, Any]] = [
            ("company", self.company), ("kind", self.kind),
            ("deals paid (out)", len(out_d)), ("known money out (bn USD)", known(out_d)),
            ("deals received (in)", len(in_d)), ("known money in (bn USD)", known(in_d)),
            ("loops through it", self.n_loops),
            ("self-funded share of inflow", to_float(sf.get("self_funded_share"))),
            ("circulation lost without it (bn USD)", to_float(ks.get("circulation_lost"))),
            ("share of all circulation lost without it", to_float(ks.get("share_of_circulation"))),
        ]
        if self.stress is not None:
            m = self.stress.models
            rows += [("others' loss if it fails, lowest model (bn USD)",
                      float(m["total_loss"].min())),
                     ("others' loss if it fails, highest model (bn USD)",
                      float(m["total_loss"].max())),
                     ("companies failing, fewest-most across models",
                      f"{int(m['n_failing'].min())}-{int(m['n_failing'].max())}")]
        return pd.DataFrame(rows, columns=["measure", "value"])

    def _repr_html_(self) -> str:
        from ._notebook import frame_html

        parts = [frame_html(self.headline(), caption=f"{self.company} ({self.kind})"),
                 frame_html(self.fundamentals, caption="Fundamentals"),
                 frame_html(self.dependence, caption="Customers: two dependence measures")]
        return "".join(parts)


@renamed(max_cycle_length="max_length")
def company_profile(
    G: nx.MultiDiGraph,
    company: str,
    *,
    revenue_shares: pd.DataFrame | None = None,
    statuses: Iterable[str] | str | None = DEFAULT_STATUSES,
    max_length: int = 6,
    loops: int = 10,
    stress: bool = True,
) -> CompanyProfile:
    """One company's page: fundamentals, deals, loops, dependence, circulation and stress.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Deal graph from :func:`flowgraph.build_graph` (not modified).
    company : str
        Company name (case-insensitive; close matches suggested when unknown).
    revenue_shares : pandas.DataFrame, optional
        The dataset's revenue-shares table, for the share of reported revenue.
    statuses : list of str
        Deal statuses counted for exposures and stress.
    max_length : int
        Longest loop looked for, in hops.
    loops : int
        Loops kept in ``loops`` (the shortest); ``n_loops`` counts all.
    stress : bool
        Run the stress models (the slowest part).

    Returns
    -------
    CompanyProfile

    Raises
    ------
    UnknownCompanyError
        When the company is not in ``G``.

    Examples
    --------
    >>> import flowgraph as fg
    >>> p = company_profile(fg.build_graph(fg.load_dataset("toy")), "labco", stress=False)
    >>> p.company, sorted(set(p.deals["direction"]))
    ('LabCo', ['in', 'out'])
    """
    from .circulation import keystones, self_funded
    from .firmness import uncounted_clause
    from .cycles import find_cycles
    from .stress import stress_range

    name = check_company(G, company)
    node = G.nodes[name] if name in G else {}
    data_as_of = _text(G.graph.get("as_of"))
    frows = []
    for stem, words in FUNDAMENTALS:
        as_of = _text(node.get(f"{stem}_as_of"))
        frows.append({"measure": words, "value_usd_bn": to_float(node.get(f"{stem}_usd_bn")),
                      "as_of": as_of, "source": _text(node.get(f"{stem}_source")),
                      "stale": is_stale(as_of, data_as_of)})
    fundamentals = pd.DataFrame(frows, columns=["measure", "value_usd_bn", "as_of", "source",
                                                "stale"])
    drows = []
    multi = G.is_multigraph()
    edges = G.edges(keys=True, data=True) if multi else ((u, v, None, d) for u, v, d in
                                                          G.edges(data=True))
    for u, v, k, d in edges:
        if name not in (u, v) or u == v:
            continue
        drows.append({
            "direction": "out" if u == name else "in", "counterparty": v if u == name else u,
            "deal_id": d.get("deal_id", k), "amount": to_float(d.get("amount")),
            "amount_known": bool(d.get("amount_known", not math.isnan(to_float(d.get("amount"))))),
            "estimate": bool(d.get("estimate") is True or d.get("midpoint") is True),
            "conditional": bool(d.get("conditional") is True),
            "flow_type": d.get("flow_type"), "status": d.get("status"),
            "announced": _text(d.get("announced")), "confidence": d.get("confidence"),
            "source_url": _text(d.get("source_url"))})
    deals = pd.DataFrame(drows, columns=["direction", "counterparty", "deal_id", "amount",
                                         "amount_known", "estimate", "conditional",
                                         "flow_type", "status", "announced", "confidence",
                                         "source_url"])
    if len(deals):
        deals = deals.assign(_o=deals["direction"].map({"out": 0, "in": 1}),
                             _a=deals["amount"].fillna(-1.0))
        deals = deals.sort_values(["_o", "_a", "deal_id"], ascending=[True, False, True],
                                  kind="stable").drop(columns=["_o", "_a"])
        deals = deals.reset_index(drop=True)
    cyc = find_cycles(G, through=name, max_length=max_length, limit=loops,
                      sort="length")
    e = company_exposure(G, name, statuses=statuses)
    dep = dependence(G, name, revenue_shares=revenue_shares, statuses=statuses)
    sf = self_funded(G, [name])
    ks = keystones(G, [name]).table
    notes = [*cyc.notes, sf.unknown_treatment]
    stale = [r.measure for r in fundamentals.itertuples() if r.stale]
    if stale:
        notes.append(f"{', '.join(stale).capitalize()} of {name} "
                     f"{'is' if len(stale) == 1 else 'are'} more than a year older than the "
                     f"data ({data_as_of}).")
    if revenue_shares is None or not len(revenue_shares):
        notes.append("Share of reported revenue: the dataset has no revenue-shares table; "
                     "only the share of contracted backlog is known.")
    notes.extend(_as_of_notes(G, name, fundamentals, revenue_shares))
    st = None
    if stress:
        try:
            st = stress_range(G, name, statuses=statuses)
        except MissingDataError as exc:
            notes.append(f"Stress test not run: {exc}.")
    return CompanyProfile(
        company=name, kind=str(node.get("kind", "unknown")), as_of=data_as_of,
        fundamentals=fundamentals, deals=deals, loops=cyc.cycles, n_loops=int(cyc.n_found),
        depends_on=e.depends_on, depended_on_by=e.depended_on_by, dependence=dep,
        self_funded=sf.table, keystone=ks, stress=st, notes=tuple(n for n in notes if n),
        inflow_uncounted=uncounted_clause(G, name, direction="in"))
