"""Money laid out over its years: payment schedules, obligations against means, power and the
life of the hardware.

The spreading rule (one place, :func:`deal_years`): a deal with both ``period_start`` and
``period_end`` is spread evenly, month by month, from the month of ``period_start`` to the last
month of ``period_end`` (the data gives no payment profile). A point-in-time flow
(:data:`POINT_IN_TIME`: an equity investment, a loan or bond, an acquisition, a warrant) falls
on its date (``announced``, else ``period_start``) when it has no ``period_end``, and also when
that end is a maturity: always for a loan or bond (:data:`MATURITY_END`: a bond bought is paid
when it settles, not over its life to 2126), and for any point-in-time flow without a
``period_start`` (the end of a preferred share or a note is not a payment period); an equity
investment or warrant with a start and an end (money put in over a funding period) is spread.
Any other deal without an end date is not laid out and is listed as unscheduled with its money.

Paid money (``disbursed``, or ``paid_usd_bn``) fills the first years of a deal, up to the year
of the as-of date (the graph's ``as_of`` filter, else the data's date, else today): no amount is
ever labelled paid in a later year. Money laid in later years is committed, whatever its status
(a paid figure that would fill them is counted as committed there, and the notes say how much).
The unpaid rest keeps the deal's firmness (committed, announced or rumored, conditional) as
:func:`flowgraph.firmness.money_firmness` splits it.
"""
from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from . import schema
from .errors import ParameterError
from .formatting import money
from .timeframe import is_later

__all__ = [
    "MeansResult",
    "PowerSchedule",
    "Schedule",
    "against_means",
    "deal_years",
    "duration_mismatch",
    "payment_schedule",
    "power_schedule",
    "us_capacity_additions",
]

POINT_IN_TIME: frozenset[str] = schema.INVESTMENT_FLOW_TYPES
"""Flow types that fall on their date when no end date is given, or when the end is a
maturity (see :data:`MATURITY_END`)."""

MATURITY_END: frozenset[str] = frozenset({"debt_financing"})
"""Flow types whose ``period_end`` is always a maturity, never a payment period: the loan or
bond is paid out on its date."""

CASH_FUNDING: frozenset[str] = frozenset({"equity_investment", "debt_financing"})
"""Incoming flow types that bring cash to spend (a warrant or an acquisition does not)."""

NON_CASH: frozenset[str] = frozenset({"warrant"})
"""Outgoing flow types that are not cash to pay."""

SOFT_STATUSES: tuple[str, ...] = tuple(
    s for s in reversed(schema.STATUSES) if schema.status_rank(s) < schema.status_rank("committed"))
"""Statuses whose unpaid money is neither committed nor conditional, firmest first
(``announced``, ``rumored``)."""

SOFT_LABEL = " or ".join(SOFT_STATUSES)
"""How that money is named in words: ``"announced or rumored"``."""

SOFT: str = "_or_".join(SOFT_STATUSES)
"""Its column: ``"announced_or_rumored"`` (money_firmness's ``announced_only``)."""

FIRMNESS: tuple[str, ...] = ("paid", "committed_unpaid", SOFT, "conditional")
"""The firmness columns, firmest first."""

SCHEDULE_RULE = (
    "Each deal with a start and an end is spread evenly over its term (period_start to "
    "period_end, month by month; the data gives no payment profile); equity, loans, bonds, "
    "warrants and acquisitions without an end fall on their date, and so do loans and bonds "
    "with one and any of these with an end but no start: that end is a maturity, not a payment "
    "period; other deals without an end date are not laid out (unscheduled). Paid money fills "
    "a deal's first years up to the year of the as-of date, never later: money laid in later "
    "years is committed, whatever its status.")


# --------------------------------------------------------------------------- the rule
def deal_years(flow_type: Any, announced: Any, period_start: Any, period_end: Any
               ) -> tuple[dict[int, float], str]:
    """How one deal's money falls over calendar years: ``{year: share}`` and the rule used.

    Returns ``({}, reason)`` when the deal is not laid out.

    Examples
    --------
    >>> deal_years("compute_contract", "2025-09-10", "2027", "2031")[0]
    {2027: 0.2, 2028: 0.2, 2029: 0.2, 2030: 0.2, 2031: 0.2}
    >>> deal_years("equity_investment", "2025-03-31", None, None)
    ({2025: 1.0}, 'on its date')
    >>> deal_years("compute_contract", "2025-11-18", "2025", None)
    ({}, 'no end date')
    >>> deal_years("debt_financing", "2026-02-09", None, "2126-02-13")  # a 100-year bond
    ({2026: 1.0}, 'on its date (period_end is a maturity)')
    """
    def lo(v: Any) -> _dt.date | None:
        return schema.date_bounds(v)[0] if not schema.is_blank(v) else None

    def hi(v: Any) -> _dt.date | None:
        return schema.date_bounds(v)[1] if not schema.is_blank(v) else None

    end = hi(period_end)
    if flow_type in POINT_IN_TIME and end is not None and (
            flow_type in MATURITY_END or schema.is_blank(period_start)):
        when = lo(announced) if not schema.is_blank(announced) else lo(period_start)
        if when is None:
            return {}, "no date"
        return {when.year: 1.0}, "on its date (period_end is a maturity)"
    start = lo(period_start) or lo(announced)
    if end is not None and start is not None:
        if end < start:
            return {}, "ends before it starts"
        # month by month: every month of the term (first to last, inclusive) an equal share
        first_m = start.year * 12 + start.month - 1
        last_m = end.year * 12 + end.month - 1
        months = last_m - first_m + 1
        out: dict[int, float] = {}
        for y in range(start.year, end.year + 1):
            a = max(first_m, y * 12)
            b = min(last_m, y * 12 + 11)
            out[y] = (b - a + 1) / months
        return out, "spread evenly over its term"
    if flow_type in POINT_IN_TIME and end is None:
        when = lo(announced) if not schema.is_blank(announced) else lo(period_start)
        if when is None:
            return {}, "no date"
        return {when.year: 1.0}, "on its date"
    return {}, "no end date" if end is None else "no start date"


def _deals(G: Any) -> pd.DataFrame:
    from .summary import deals_frame

    if isinstance(G, pd.DataFrame):
        return G.reset_index(drop=True)
    if isinstance(G, nx.Graph) and G.is_multigraph():
        return deals_frame(G)
    raise ParameterError("needs the deal graph from build_graph (a MultiDiGraph) or the table "
                         f"from filter_deals, got {type(G).__name__}")


def _names(G: Any, companies: Any) -> list[str] | None:
    from .graph import check_company

    if companies is None:
        return None
    if isinstance(companies, str):
        companies = [companies]
    known = G if isinstance(G, nx.Graph) else set(G["payer"]).union(G["payee"])
    return [check_company(known, c) for c in companies]


def _as_of_limit(G: Any) -> _dt.date | None:
    """The last day of the graph's as-of date (its ``as_of`` filter's, else the dataset's),
    if any; a table from :func:`flowgraph.filter_deals` has none."""
    from .timeframe import view_as_of

    as_of = view_as_of(G)
    if not as_of:
        return None
    try:
        return schema.date_bounds(as_of)[1]
    except ValueError:
        return None


def _limit_name(G: Any) -> str:
    """What :func:`_as_of_limit` is, in words: the as-of date asked for, or the data's."""
    meta = G.graph if isinstance(G, nx.Graph) else getattr(G, "attrs", {}) or {}
    return "the as-of date" if (meta.get("filters") or {}).get("as_of") else "the data's date"


def _paid_note(limit: _dt.date | None, last_paid_year: int, late_paid: float,
               n_late: int, limit_name: str) -> str:
    """The paid rule as applied, in words: up to which year money is paid, and how much paid
    money the data gives was laid in later years and shown as committed."""
    when = (f"{limit_name}, {limit.isoformat()}" if limit is not None
            else "today (the data gives no date)")
    text = (f"Paid money is only in years up to {last_paid_year}, the year of {when}; money "
            "laid in later years is committed, whatever its status.")
    if n_late:
        text += (f" {money(late_paid)} the data counts as paid ({schema.count_noun(n_late, 'deal')}"
                 f") falls in years after {last_paid_year} by the spreading rule, so it is "
                 "shown as committed there: the paid column is that much below the firmness "
                 "summary's paid.")
    return text


# --------------------------------------------------------------------------- schedules
@dataclass(frozen=True)
class Schedule:
    """Deals laid out over calendar years (billions of USD, the graph's scenario).

    Attributes
    ----------
    deals : pandas.DataFrame
        One row per deal and year: ``deal_id, payer, payee, flow_type, year, amount`` and the
        firmness split ``paid, committed_unpaid, announced_or_rumored, conditional``, ``rule``
        (paid only up to the year of the as-of date).
    companies : pandas.DataFrame
        One row per company, year and direction (``out``: it pays, ``in``: it is paid):
        ``company, year, direction, paid, committed_unpaid, announced_or_rumored, conditional,
        total, n_deals``; sorted by company, year, direction.
    unscheduled : pandas.DataFrame
        Deals not laid out: ``deal_id, payer, payee, flow_type, amount, reason``.
    notes : tuple of str

    Examples
    --------
    >>> import flowgraph as fg
    >>> s = fg.payment_schedule(fg.build_graph(fg.load_dataset("toy")))
    >>> laid_out = float(s.deals["amount"].sum()) + float(s.unscheduled["amount"].sum())
    >>> round(laid_out, 6) == round(fg.summarize(fg.build_graph(fg.load_dataset("toy"))).total, 6)
    True
    """

    deals: pd.DataFrame
    companies: pd.DataFrame
    unscheduled: pd.DataFrame
    notes: tuple[str, ...] = field(default=())


def payment_schedule(G: Any, *, companies: Any = None) -> Schedule:
    """Spread every deal over its years, per company and year, inflows and outflows, split
    into paid, committed (unpaid), announced or rumored and conditional money.

    Paid money is laid only in years up to that of the as-of date (the graph's, else today's):
    money laid in later years is committed, whatever its status.

    Parameters
    ----------
    G : networkx.MultiDiGraph or pandas.DataFrame
        The deal graph from :func:`flowgraph.build_graph` (any filters, ``as_of`` included)
        or the table from :func:`flowgraph.filter_deals`.
    companies : str or list of str, optional
        Only these companies' rows in ``companies`` (their deals with everyone).

    Returns
    -------
    Schedule

    Examples
    --------
    >>> import pandas as pd, flowgraph as fg
    >>> deals = pd.DataFrame({"deal_id": ["c"], "payer": ["Lab"], "payee": ["Cloud"],
    ...     "amount_usd_bn": [30.0], "flow_type": ["compute_contract"], "status": ["committed"],
    ...     "announced": ["2025-09-10"], "period_start": ["2027"], "period_end": ["2031"]})
    >>> s = fg.payment_schedule(fg.build_graph(deals), companies="Lab")
    >>> s.companies.set_index("year")["committed_unpaid"].to_dict()
    {2027: 6.0, 2028: 6.0, 2029: 6.0, 2030: 6.0, 2031: 6.0}
    """
    from .firmness import firmness_split

    df = _deals(G)
    names = _names(G, companies)
    limit = _as_of_limit(G)
    last_paid_year = (limit or _dt.date.today()).year
    split = firmness_split(df).rename(columns={"announced_only": SOFT})[list(FIRMNESS)]
    split = split.to_dict("records")  # money_firmness's rule
    rows: list[dict[str, Any]] = []
    unscheduled: list[dict[str, Any]] = []
    late_paid = 0.0
    late_ids: set[Any] = set()
    for rec, parts in zip(df.to_dict("records"), split):
        amount = rec.get("amount")
        known = amount is not None and not (isinstance(amount, float) and math.isnan(amount))
        shares, rule = deal_years(rec.get("flow_type"), rec.get("announced"),
                                  rec.get("period_start"), rec.get("period_end"))
        base = {"deal_id": rec.get("deal_id"), "payer": rec.get("payer"),
                "payee": rec.get("payee"), "flow_type": rec.get("flow_type")}
        if not shares or not known:
            unscheduled.append({**base, "amount": float(amount) if known else math.nan,
                                "reason": rule if not shares else "amount unknown"})
            continue
        paid_left = parts["paid"]
        rest_kind = max(("committed_unpaid", SOFT, "conditional"), key=lambda k: parts[k])
        for year in sorted(shares):
            amt = float(amount) * shares[year]
            filled = min(paid_left, amt)
            paid_left -= filled
            row = {**base, "year": year, "amount": amt, "paid": 0.0,
                   "committed_unpaid": 0.0, SOFT: 0.0, "conditional": 0.0, "rule": rule}
            if year <= last_paid_year:
                row["paid"] = filled
            else:  # nothing is paid after the date: a later year's money is committed
                row["committed_unpaid"] = filled
                if filled > 1e-12:
                    late_paid += filled
                    late_ids.add(rec.get("deal_id"))
            row[rest_kind] += amt - filled
            rows.append(row)
    cols = ["deal_id", "payer", "payee", "flow_type", "year", "amount", *FIRMNESS, "rule"]
    deals = pd.DataFrame(rows, columns=cols)
    per = []
    for direction, who in (("out", "payer"), ("in", "payee")):
        if not len(deals):
            break
        g = deals.groupby([who, "year"], sort=True)
        t = g[list(FIRMNESS)].sum()
        t["total"] = t[list(FIRMNESS)].sum(axis=1)
        t["n_deals"] = g["deal_id"].nunique()
        t = t.reset_index().rename(columns={who: "company"})
        t.insert(2, "direction", direction)
        per.append(t)
    ccols = ["company", "year", "direction", *FIRMNESS, "total", "n_deals"]
    comp = pd.concat(per, ignore_index=True) if per else pd.DataFrame(columns=ccols)
    if names is not None:
        comp = comp[comp["company"].isin(names)]
    comp = comp.sort_values(["company", "year", "direction"], ascending=[True, True, False],
                            kind="stable").reset_index(drop=True)[ccols]
    uns = pd.DataFrame(unscheduled, columns=["deal_id", "payer", "payee", "flow_type", "amount",
                                             "reason"])
    if names is not None:
        uns = uns[uns["payer"].isin(names) | uns["payee"].isin(names)]
    uns = uns.sort_values(["amount", "deal_id"], ascending=[False, True],
                          na_position="last").reset_index(drop=True)
    notes = [SCHEDULE_RULE, _paid_note(limit, last_paid_year, late_paid, len(late_ids),
                                          _limit_name(G))]
    if len(uns):
        known_uns = uns["amount"].dropna()
        notes.append(f"{schema.count_noun(len(uns), 'deal')} not laid out "
                     f"({money(float(known_uns.sum()))} of known money): no end date, no "
                     "date or no known amount; see the unscheduled table.")
    return Schedule(deals, comp, uns, tuple(notes))


# --------------------------------------------------------------------------- against means
@dataclass(frozen=True)
class MeansResult:
    """Obligations per company and year against revenue, cash and promised funding.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per company and year from the data's year: ``company, year, obligations``
        (committed, unpaid money it is due to pay that year; unpaid money of earlier years is
        carried into the first year), ``obligations_soft`` (announced or rumored, or conditional),
        ``revenue`` and ``revenue_basis``, ``funding_in`` (committed, unpaid equity and loans
        due to it that year), ``funding_in_soft``, ``cash`` (cash at the start, first year
        only; blank when not known, counted as none), ``cash_known``, ``cum_obligations``, ``cum_means`` (cash + revenue + funding so far), ``gap``
        (``cum_obligations - cum_means``), ``short`` (gap above 0), and the same with the
        soft money on both sides: ``cum_obligations_all``, ``cum_means_all``, ``short_all``.
    first_short : pandas.DataFrame
        Per company: ``company``, ``first_year_short`` (first year committed obligations
        exceed everything it has and is promised; NaN if never within the schedule),
        ``gap_then``, ``first_year_short_all`` (counting announced and conditional money
        too), ``revenue_basis``, ``cash_known`` and ``cash_basis`` (the cash figure and its
        date, or that it is unknown, then or at all, and none is assumed: the first year short
        is then no latest date), ``not_laid_out`` and ``n_not_laid_out`` (known money and
        number of its outgoing deals the schedule cannot lay out, such as contracts with no end
        date: left out of the obligations, so the shortfall can only come earlier); sorted by
        first year short, then company.
    notes : tuple of str

    Examples
    --------
    >>> import flowgraph as fg
    >>> r = fg.against_means(fg.build_graph(fg.load_dataset("toy")), start_year=2025)
    >>> list(r.first_short.columns[:2])
    ['company', 'first_year_short']
    """

    table: pd.DataFrame
    first_short: pd.DataFrame
    notes: tuple[str, ...] = field(default=())


def _revenue_path(name: str, node: dict[str, Any], years: list[int],
                  projections: pd.DataFrame | None, limit: _dt.date | None
                  ) -> tuple[list[float], list[str]]:
    rev = node.get("revenue_usd_bn")
    rev = float(rev) if rev is not None and not schema.is_blank(rev) else math.nan
    rev_as_of = node.get("revenue_as_of")
    rev_as_of = None if schema.is_blank(rev_as_of) else rev_as_of
    later = (f", later than the as-of date {limit.isoformat()}"
             if rev_as_of and limit is not None and is_later(rev_as_of, limit.isoformat())
             else "")
    flat = f"held flat at {money(rev)}" + (f" (revenue as of {rev_as_of}{later})"
                                           if rev_as_of else " (revenue undated)")
    by_year: dict[int, tuple[float, str]] = {}
    if projections is not None and len(projections):
        p = projections[projections["company"] == name]
        for rec in p.to_dict("records"):
            reported = rec.get("reported_on")
            if limit is not None and not schema.is_blank(reported):
                try:
                    if schema.date_bounds(reported)[0] > limit:
                        continue  # not yet reported as of the date asked for
                except ValueError:
                    continue
            try:
                y = int(float(rec["year"]))
                v = float(rec["revenue_usd_bn"])
            except (TypeError, ValueError):
                continue
            if math.isnan(v):
                continue
            prev = by_year.get(y)
            tag = f"{rec.get('kind') or 'projection'} reported {reported or 'undated'}"
            if prev is None or str(reported or "") > prev[1].rsplit(" ", 1)[-1]:
                by_year[y] = (v, tag)
    out_v, out_b = [], []
    last: tuple[float, str] | None = None
    for y in years:
        if y in by_year:
            last = by_year[y]
            out_v.append(last[0])
            out_b.append(last[1])
        elif last is not None:
            out_v.append(last[0])
            out_b.append(f"held flat at the {max(k for k in by_year if k < y)} figure")
        else:  # before the first projection, or no projections: the companies table
            out_v.append(rev)
            out_b.append(flat if not math.isnan(rev) else "no revenue in the data")
    return out_v, out_b


def _per_year(t: pd.DataFrame, cols: list[str], start_year: int, years: list[int]
              ) -> list[float]:
    """Money per year of ``years``; earlier years' money is due in the first."""
    s = t.assign(_y=t["year"].clip(lower=start_year)).groupby("_y")[cols].sum().sum(axis=1)
    return [float(s.get(y, 0.0)) for y in years]


def against_means(G: nx.MultiDiGraph, *, companies: Any = None,
                  revenue_projections: pd.DataFrame | None = None,
                  start_year: int | None = None) -> MeansResult:
    """Per company and year, what it is due to pay against its revenue, cash and the money
    promised to it; the first year its obligations exceed what it has and is promised.

    Revenue comes from ``revenue_projections`` (dated, sourced projections or actuals per
    year, the latest reported by the graph's as-of date) where given; before the first
    projected year it is the companies table's revenue, after the last it is held at the last
    figure; with no projections it is held flat at the companies table's revenue. Every dollar
    of revenue is counted as available for these obligations (no other costs), so where cash
    is known the first year short is the latest the shortfall can come on this data: other
    costs bring it earlier. Where the company's cash is not known (or, as of a date, known only
    from a figure dated later, which is not used) no cash is assumed, and ``cash_basis`` and
    the notes say so.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The deal graph from :func:`flowgraph.build_graph`; companies' ``revenue_usd_bn`` and
        ``cash_usd_bn`` come from its nodes.
    companies : str or list of str, optional
        Only these companies (default: every company with obligations).
    revenue_projections : pandas.DataFrame, optional
        Columns ``company, year, revenue_usd_bn`` (and ``kind``, ``reported_on``).
    start_year : int, optional
        First year of the table (default: the year of the graph's as-of date, else of today's
        latest deal).

    Returns
    -------
    MeansResult

    Examples
    --------
    >>> import pandas as pd, flowgraph as fg
    >>> deals = pd.DataFrame({"deal_id": ["c"], "payer": ["Lab"], "payee": ["Cloud"],
    ...     "amount_usd_bn": [300.0], "flow_type": ["compute_contract"], "status": ["committed"],
    ...     "announced": ["2025-09-10"], "period_start": ["2027"], "period_end": ["2031"]})
    >>> comp = pd.DataFrame({"name": ["Lab"], "revenue_usd_bn": [13.0], "cash_usd_bn": [20.0]})
    >>> r = fg.against_means(fg.build_graph(deals, comp), start_year=2026)
    >>> int(r.first_short.loc[0, "first_year_short"])  # 60 due by 2027; 20 + 13 + 13 to pay it
    2027
    """
    sched = payment_schedule(G)
    d = sched.deals
    names = _names(G, companies)
    limit = _as_of_limit(G)
    if start_year is None:
        start_year = limit.year if limit is not None else _dt.date.today().year
    rows: list[dict[str, Any]] = []
    firsts: list[dict[str, Any]] = []
    out_d = d[~d["flow_type"].isin(NON_CASH)]
    # obligations the schedule cannot lay out (no end date, no amount): they make the
    # shortfall come earlier, never later
    u = sched.unscheduled[~sched.unscheduled["flow_type"].isin(NON_CASH)]
    uns_out = u.groupby("payer")["amount"].sum()
    uns_n = u.groupby("payer").size()
    payers = sorted(set(out_d["payer"])) if names is None else names
    for name in payers:
        mine_out = out_d[out_d["payer"] == name]
        mine_in = d[(d["payee"] == name) & d["flow_type"].isin(CASH_FUNDING)]
        if not len(mine_out) and names is None:
            continue
        years_rows, first = _company_means(G, name, mine_out, mine_in, start_year=start_year,
                                           revenue_projections=revenue_projections,
                                           limit=limit)
        rows.extend(years_rows)
        first.update(not_laid_out=float(uns_out.get(name, 0.0)),
                     n_not_laid_out=int(uns_n.get(name, 0)))
        firsts.append(first)
    table = pd.DataFrame(rows, columns=[
        "company", "year", "obligations", "obligations_soft", "revenue", "revenue_basis",
        "funding_in", "funding_in_soft", "cash", "cash_known", "cum_obligations", "cum_means", "gap", "short",
        "cum_obligations_all", "cum_means_all", "short_all"])
    first_short = pd.DataFrame(firsts, columns=["company", "first_year_short", "gap_then",
                                                "first_year_short_all", "revenue_basis",
                                                "cash_known", "cash_basis", "not_laid_out",
                                                "n_not_laid_out"])
    first_short = first_short.sort_values(["first_year_short", "company"],
                                          na_position="last").reset_index(drop=True)
    for col in ("first_year_short", "first_year_short_all"):  # years, missing when never
        first_short[col] = first_short[col].astype("Int64")
    notes = _means_notes(start_year, first_short, revenue_projections)
    return MeansResult(table, first_short, tuple(notes))


def _company_means(G: nx.MultiDiGraph, name: str, mine_out: pd.DataFrame,
                   mine_in: pd.DataFrame, *, start_year: int,
                   revenue_projections: pd.DataFrame | None,
                   limit: _dt.date | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One company's rows year by year (obligations against means, cumulated) and its
    first year short."""
    soft_cols = [SOFT, "conditional"]
    last_year = int(max([start_year, *mine_out["year"], *mine_in["year"]]))
    years = list(range(start_year, last_year + 1))
    node = dict(G.nodes[name]) if name in G else {}
    ob = _per_year(mine_out, ["committed_unpaid"], start_year, years)
    ob_soft = _per_year(mine_out, soft_cols, start_year, years)
    fi = _per_year(mine_in, ["committed_unpaid"], start_year, years)
    fi_soft = _per_year(mine_in, soft_cols, start_year, years)
    rev, basis = _revenue_path(name, node, years, revenue_projections, limit)
    cash, cash_basis = _cash(node, limit)
    cash_known = not math.isnan(cash)
    rows = []
    cum_o = cum_m = cum_oa = cum_ma = 0.0
    first = first_all = None
    gap_then = math.nan
    for i, y in enumerate(years):
        cum_o += ob[i]
        cum_oa += ob[i] + ob_soft[i]
        start = (cash if cash_known else 0.0) if i == 0 else 0.0
        r = rev[i]
        cum_m += start + (0.0 if math.isnan(r) else r) + fi[i]
        cum_ma += start + (0.0 if math.isnan(r) else r) + fi[i] + fi_soft[i]
        known = not math.isnan(r)
        short = known and cum_o > cum_m + 1e-9
        short_all = known and cum_oa > cum_ma + 1e-9
        if short and first is None:
            first, gap_then = y, cum_o - cum_m
        if short_all and first_all is None:
            first_all = y
        rows.append({"company": name, "year": y, "obligations": ob[i],
                     "obligations_soft": ob_soft[i], "revenue": r, "revenue_basis": basis[i],
                     "funding_in": fi[i], "funding_in_soft": fi_soft[i],
                     "cash": cash if i == 0 else math.nan, "cash_known": cash_known,
                     "cum_obligations": cum_o, "cum_means": cum_m if known else math.nan,
                     "gap": cum_o - cum_m if known else math.nan, "short": short,
                     "cum_obligations_all": cum_oa,
                     "cum_means_all": cum_ma if known else math.nan,
                     "short_all": short_all})
    first_row = {"company": name,
                 "first_year_short": float(first) if first is not None else math.nan,
                 "gap_then": gap_then,
                 "first_year_short_all": float(first_all) if first_all is not None
                 else math.nan,
                 "revenue_basis": basis[0] if basis else "",
                 "cash_known": cash_known, "cash_basis": cash_basis}
    return rows, first_row


def _cash(node: dict[str, Any], limit: _dt.date | None) -> tuple[float, str]:
    """A company's cash at the start (NaN when not known then) and its basis in words: the
    figure and its date, or why there is none. A figure dated after the as-of date
    (:func:`flowgraph.timeframe.is_later`) is not used: it was not known then.

    Examples
    --------
    >>> import datetime as dt
    >>> _cash({"cash_usd_bn": 17.5, "cash_as_of": "2025-06-30"}, dt.date(2026, 6, 30))
    (17.5, '$17.5bn as of 2025-06-30')
    >>> _cash({"cash_usd_bn": 17.5, "cash_as_of": "2025-06-30"}, dt.date(2024, 6, 30))[1]
    'unknown as of 2024-06-30 (the data has $17.5bn as of 2025-06-30, later; not used): no cash assumed'
    >>> _cash({}, None)
    (nan, 'unknown: no cash assumed')
    """
    cash = schema.to_float(node.get("cash_usd_bn"))
    when = node.get("cash_as_of")
    when = None if schema.is_blank(when) else str(when)
    if math.isnan(cash):
        return math.nan, "unknown: no cash assumed"
    if when and limit is not None and is_later(when, limit.isoformat()):
        return math.nan, (f"unknown as of {limit.isoformat()} (the data has {money(cash)} as "
                          f"of {when}, later; not used): no cash assumed")
    return cash, f"{money(cash)} as of {when}" if when else f"{money(cash)} (undated)"


def _means_notes(start_year: int, first_short: pd.DataFrame,
                 revenue_projections: pd.DataFrame | None) -> list[str]:
    """How to read the table against means, in words."""
    no_cash = first_short[~first_short["cash_known"].astype(bool)]
    notes = [
        f"From {start_year}: obligations are committed money not yet paid, laid out by the "
        "schedule rule (unpaid money of earlier years is due in the first year); means are the "
        "cash at the start (cash_basis gives its date), each year's revenue and the equity and "
        "loans committed to the company; customers' payments are part of revenue, not added "
        "again.",
        "Every dollar of revenue is counted as free for these obligations (no other costs): "
        + ("the first year short is the latest the shortfall can come on this data."
           if not len(no_cash) else
           "where cash is known, the first year short is the latest the shortfall can come on "
           "this data."),
    ]
    if len(no_cash):
        names = list(no_cash["company"])
        notes.append(
            "Cash unknown (blank cash, cash_known false) for "
            + ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
            + ": the first year short assumes no cash, so it is not the latest the shortfall "
            "can come (cash would put it later).")
    notes.append(f"The _all columns add {SOFT_LABEL} and conditional money on both sides; the "
                 f"_soft columns are that money alone.")
    short_uns = first_short[first_short["n_not_laid_out"] > 0]
    if len(short_uns):
        parts = [f"{r.company}: {schema.count_noun(int(r.n_not_laid_out), 'deal')} "
                 f"({money(r.not_laid_out)} of known money)"
                 for r in short_uns.head(5).itertuples(index=False)]
        notes.append("Not in the obligations (no end date or no amount, so not laid out over "
                     "years; the shortfall can only come earlier): " + "; ".join(parts)
                     + ("; ..." if len(short_uns) > 5 else "") + ".")
    if revenue_projections is None or not len(revenue_projections):
        notes.append("No revenue projections in the data: revenue is held flat at the "
                     "companies table's latest figure.")
    notes.append(SCHEDULE_RULE)
    return notes


# --------------------------------------------------------------------------- power
def us_capacity_additions() -> pd.DataFrame:
    """The bundled, sourced table of US utility-scale generating-capacity additions per year
    (GW; ``kind`` actual or planned, with ``reported_on``, ``source_url`` and ``notes``).

    Examples
    --------
    >>> t = us_capacity_additions()
    >>> float(t.set_index("year").loc[2024, "gw"])
    48.6
    """
    from .io import _datasets_root

    path = _datasets_root().joinpath("reference").joinpath("us_capacity_additions.csv")
    with path.open("rb") as fh:
        t = pd.read_csv(fh, dtype={"kind": str, "reported_on": str})
    t["year"] = t["year"].astype(int)
    t["gw"] = t["gw"].astype(float)
    return t.sort_values("year").reset_index(drop=True)


@dataclass(frozen=True)
class PowerSchedule:
    """Gigawatts contracted per year against US generating-capacity additions.

    Attributes
    ----------
    table : pandas.DataFrame
        ``year, gw_signed, deals_signed, gw_starting, us_additions_gw, us_additions_kind,
        us_additions_reported, signed_share_of_us_additions``, one row per year. As of a date
        the US figures are those reported by then (blank for a year with none).
    notes : tuple of str
        How to read the table, in words.

    Examples
    --------
    >>> import flowgraph as fg
    >>> p = fg.power_schedule(fg.build_graph(fg.load_dataset("toy")))
    >>> list(p.table.columns[:2])
    ['year', 'gw_signed']
    """

    table: pd.DataFrame
    notes: tuple[str, ...] = field(default=())


def power_schedule(G: Any, *, additions: pd.DataFrame | None = None) -> PowerSchedule:
    """Gigawatts contracted per year (from the deals' ``gw``) against US generating-capacity
    additions per year.

    A deal's gigawatts count in the year it was signed (``gw_signed``: its ``announced`` date,
    else ``period_start``) and in the year its term starts (``gw_starting``: ``period_start``).
    Rows sharing an ``overlap_group`` count once (the largest ``gw`` of the group), so that the
    two sides of one build-out are not added up.

    Parameters
    ----------
    G : networkx.MultiDiGraph or pandas.DataFrame
        The deal graph from :func:`flowgraph.build_graph` or the table from
        :func:`flowgraph.filter_deals`.
    additions : pandas.DataFrame, optional
        ``year, gw, kind`` and ``reported_on`` (default: :func:`us_capacity_additions`). As of
        the graph's date (its ``as_of`` filter, else the data's date) only figures reported by
        then count, the latest per year; a year with none is blank and the notes name it.

    Returns
    -------
    PowerSchedule

    Examples
    --------
    >>> import pandas as pd, flowgraph as fg
    >>> deals = pd.DataFrame({"deal_id": ["a"], "payer": ["Lab"], "payee": ["Chips"],
    ...     "amount_usd_bn": [100.0], "flow_type": ["chip_purchase"], "status": ["committed"],
    ...     "announced": ["2025-10-06"], "period_start": ["2026"], "gw": [6.0]})
    >>> p = fg.power_schedule(fg.build_graph(deals))
    >>> p.table.set_index("year").loc[2025, ["gw_signed", "us_additions_gw"]].tolist()
    [6.0, 64.0]
    """
    df = _deals(G)
    adds = us_capacity_additions() if additions is None else additions
    limit = _as_of_limit(G)
    adds, later = _additions_known(adds, limit)
    recs = []
    groups: dict[str, dict[str, Any]] = {}
    for rec in df.to_dict("records"):
        gw = schema.to_float(rec.get("gw"))
        if math.isnan(gw) or gw <= 0:
            continue
        signed = rec.get("announced") if not schema.is_blank(rec.get("announced")) \
            else rec.get("period_start")
        item = {"deal_id": rec.get("deal_id"), "gw": gw,
                "signed": schema.date_bounds(signed)[0].year if not schema.is_blank(signed)
                else None,
                "starting": schema.date_bounds(rec.get("period_start"))[0].year
                if not schema.is_blank(rec.get("period_start")) else None}
        grp = rec.get("overlap_group")
        if not schema.is_blank(grp):
            prev = groups.get(str(grp))
            if prev is None or gw > prev["gw"]:
                groups[str(grp)] = item
            continue
        recs.append(item)
    recs += list(groups.values())
    t = pd.DataFrame(recs, columns=["deal_id", "gw", "signed", "starting"])
    years = sorted({int(y) for y in [*t["signed"].dropna(), *t["starting"].dropna()]}
                   | set(adds["year"].astype(int)))
    sig = t.dropna(subset=["signed"]).groupby("signed")["gw"]
    st = t.dropna(subset=["starting"]).groupby("starting")["gw"].sum()
    a = adds.set_index("year")
    out = pd.DataFrame({
        "year": years,
        "gw_signed": [float(sig.sum().get(y, 0.0)) for y in years],
        "deals_signed": [int(sig.size().get(y, 0)) for y in years],
        "gw_starting": [float(st.get(y, 0.0)) for y in years],
        "us_additions_gw": [float(a["gw"].get(y, np.nan)) for y in years],
        "us_additions_kind": [str(a["kind"].get(y, "")) if y in a.index else "" for y in years],
        "us_additions_reported": [str(a["reported_on"].get(y, "")) if y in a.index
                                  and "reported_on" in a.columns else "" for y in years],
    })
    with np.errstate(invalid="ignore", divide="ignore"):
        out["signed_share_of_us_additions"] = out["gw_signed"] / out["us_additions_gw"]
    notes = (
        "GW of power the deals report (gw), by the year signed and the year the term starts; "
        "rows of one overlap_group count once. US additions: utility-scale nameplate capacity "
        "added or planned that year (EIA; battery storage included), the kind says which; the "
        "deals' sites are not all in the US and a planned figure is not a built one.",
        f"{schema.count_noun(len(t), 'deal')} (or overlap groups) report gigawatts.",
    )
    if limit is not None:
        when = limit.isoformat()
        text = (f"US additions as of {when} ({_limit_name(G)}): for each year the latest "
                f"figure reported by then (us_additions_reported)")
        if later:
            text += ("; none known then for " + ", ".join(str(y) for y in later)
                     + f" (the table's figures for those years were reported after {when}: "
                     "us_additions_gw is blank, no share)")
        notes = (*notes, text + ".")
    return PowerSchedule(out, notes)


def _additions_known(adds: pd.DataFrame, limit: _dt.date | None
                     ) -> tuple[pd.DataFrame, list[int]]:
    """The US additions known on ``limit``: per year the latest figure whose ``reported_on``
    is not later (:func:`flowgraph.timeframe.is_later`), and the years whose every figure
    came later. With no limit, or no ``reported_on``, the table as given (latest per year).

    Examples
    --------
    >>> import datetime as dt
    >>> known, later = _additions_known(us_capacity_additions(), dt.date(2024, 6, 30))
    >>> known["year"].tolist(), later
    ([2023], [2024, 2025, 2026])
    """
    t = adds.copy()
    t["year"] = t["year"].astype(int)
    if "reported_on" not in t.columns:
        return t.drop_duplicates("year", keep="last"), []
    if limit is not None:
        ok = [not is_later(r, limit.isoformat()) for r in t["reported_on"]]
        kept = t[ok]
    else:
        kept = t
    later = sorted(set(t["year"]) - set(kept["year"]))
    kept = kept.assign(_r=kept["reported_on"].fillna("").astype(str)).sort_values(
        ["year", "_r"], kind="stable").drop_duplicates("year", keep="last").drop(columns="_r")
    return kept.reset_index(drop=True), later


# --------------------------------------------------------------------------- hardware life
def _term_years(start: Any, end: Any) -> float:
    if schema.is_blank(start) or schema.is_blank(end):
        return math.nan
    a = schema.date_bounds(start)[0]
    b = schema.date_bounds(end)[1]
    if a is None or b is None or b < a:
        return math.nan
    return round(((b - a).days + 1) / 365.25, 1)


def _years(x: float) -> str:
    return f"{x:g} year" + ("" if x == 1 else "s")


def duration_mismatch(G: nx.MultiDiGraph) -> pd.DataFrame:
    """For clouds and lessors, the contracts that pay for their compute against the useful
    life of that hardware (``useful_life_years`` of the companies table): the duration
    mismatch.

    One row per compute contract, lease or capacity backstop with a term: the payee sells the
    capacity and holds the hardware (its useful life applies). ``mismatch_years`` = contract
    term - useful life: below 0 the contract ends before the hardware is written off (the rest
    must be re-let); above 0 the contract outlasts the hardware (it must be replaced during
    the contract). ``chips_bought`` is the payee's known chip purchases in the data.

    Returns
    -------
    pandas.DataFrame
        ``deal_id, holder, customer, flow_type, amount, term_years, useful_life_years,
        mismatch_years, reading, chips_bought``; sorted by absolute mismatch (largest first),
        then amount. Rows whose holder has no useful life keep NaN and say so.

    Examples
    --------
    >>> import pandas as pd, flowgraph as fg
    >>> deals = pd.DataFrame({"deal_id": ["l"], "payer": ["Lab"], "payee": ["Cloud"],
    ...     "amount_usd_bn": [10.0], "flow_type": ["compute_contract"], "status": ["committed"],
    ...     "announced": ["2025-03"], "period_start": ["2025-03"], "period_end": ["2030-02"]})
    >>> comp = pd.DataFrame({"name": ["Cloud"], "useful_life_years": [6]})
    >>> fg.duration_mismatch(fg.build_graph(deals, comp))[["term_years", "mismatch_years"]].values.tolist()
    [[5.0, -1.0]]
    """
    df = _deals(G)
    chips = df[df["flow_type"] == "chip_purchase"].groupby("payer")["amount"].sum(min_count=1)
    rows = []
    for rec in df.to_dict("records"):
        if rec.get("flow_type") not in ("compute_contract", "lease", "capacity_backstop"):
            continue
        term = _term_years(rec.get("period_start"), rec.get("period_end"))
        if math.isnan(term):
            continue
        holder = rec.get("payee")
        node = G.nodes[holder] if isinstance(G, nx.Graph) and holder in G else {}
        life = schema.to_float(node.get("useful_life_years"))
        mism = round(term - life, 1) if not math.isnan(life) else math.nan
        if math.isnan(life):
            reading = "no useful life in the data for the holder"
        elif mism < 0:
            reading = (f"contract ends {_years(-mism)} before the hardware is written off: "
                       "the rest must be re-let")
        elif mism > 0:
            reading = (f"contract outlasts the hardware by {_years(mism)}: it must be replaced "
                       "during the contract")
        else:
            reading = "contract and hardware life match"
        rows.append({"deal_id": rec.get("deal_id"), "holder": holder,
                     "customer": rec.get("payer"), "flow_type": rec.get("flow_type"),
                     "amount": rec.get("amount"), "term_years": term,
                     "useful_life_years": life, "mismatch_years": mism, "reading": reading,
                     "chips_bought": float(chips.get(holder, math.nan))})
    out = pd.DataFrame(rows, columns=["deal_id", "holder", "customer", "flow_type", "amount",
                                      "term_years", "useful_life_years", "mismatch_years",
                                      "reading", "chips_bought"])
    if len(out):
        out = out.assign(_a=out["mismatch_years"].abs()).sort_values(
            ["_a", "amount", "deal_id"], ascending=[False, False, True],
            na_position="last").drop(columns="_a").reset_index(drop=True)
    return out
