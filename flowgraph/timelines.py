"""How the web formed: one row per period of the web as it stood at the period's end.

Every row is what the other analyses give with ``as_of`` at the period's end (the as-of rule of
:mod:`flowgraph.timeframe`): money by firmness, companies, deals and loops, the largest round
trip, the circularity index, the most self-funded company, the most concentrated payee, and the
loops that closed in the period with the deal that closed each. Periods whose deals did not
change reuse the previous period's analyses. (The module is ``timelines`` so that it does not
shadow the function :func:`flowgraph.timeline`.)
"""
from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pandas as pd

from . import schema
from .errors import ParameterError

__all__ = ["TIMELINE_COLUMNS", "TimelineResult", "timeline"]

TIMELINE_COLUMNS: tuple[str, ...] = (
    "period", "period_end", "companies", "deals", "unknown_amounts", "known_money", "paid",
    "paid_bound", "n_paid_bound", "committed_unpaid", "announced_only", "conditional", "loops",
    "largest_round_trip", "largest_round_trip_bound", "largest_round_trip_basis",
    "largest_loop", "circularity_index", "circular_flow", "most_self_funded",
    "self_funded_share", "most_concentrated", "hhi", "new_loops", "closing_deals",
)
"""Columns of :attr:`TimelineResult.periods`."""

LOOP_COLUMNS: tuple[str, ...] = (
    "order", "period", "loop", "length", "round_trip", "round_trip_bound", "round_trip_basis",
    "closed_by", "closing_hop", "closed_on",
)
"""Columns of :attr:`TimelineResult.loops`."""


@dataclass(frozen=True)
class TimelineResult:
    """The web period by period (amounts in billions of USD, the scenario asked for).

    Attributes
    ----------
    periods : pandas.DataFrame
        One row per period, oldest first (:data:`TIMELINE_COLUMNS`): ``period`` label,
        ``period_end`` (the as-of date of the row; the last period ends at the data's date),
        ``companies`` (companies in a deal counted by then), ``deals``, ``unknown_amounts``
        (deals of unknown amount, never summed), ``known_money`` and its split ``paid``,
        ``committed_unpaid``, ``announced_only``, ``conditional`` (as
        :func:`flowgraph.firmness.money_firmness`), ``paid_bound`` and ``n_paid_bound`` (the
        part of ``paid`` that is an upper bound as of the period's end, and the deals
        counted so: ``MoneyFirmness.paid_bound``, the rule of
        :func:`flowgraph.timeframe.paid_bounds`), ``loops`` (loops of at most
        ``max_length`` hops; a floor where the search stopped at its work cap),
        ``largest_round_trip`` with its ``largest_round_trip_bound``,
        ``largest_round_trip_basis`` (estimated, conditional: the loop's
        ``round_trip_basis``) and ``largest_loop``, ``circularity_index`` and
        ``circular_flow`` (maximal circulation), ``most_self_funded`` and its
        ``self_funded_share`` (the company with the largest self-funded share of its
        inflow), ``most_concentrated`` and its ``hhi`` (money received, as the concentration
        table sorts it: highest HHI, then largest total), ``new_loops`` (loops that closed in
        the period; NaN when this period or the one before has more than ``max_loops`` loops,
        so that not every loop is kept, or its search stopped at its work cap) and
        ``closing_deals`` (the deals that closed them).
    loops : pandas.DataFrame
        The loops in the order they closed (:data:`LOOP_COLUMNS`): the period, the loop, its
        round trip then with its bound and basis, and the deal that closed it (``closed_by``: the new deal on the hop
        that came last; ``closing_hop``; ``closed_on``: that deal's date as the data gives it).
    freq : str
    scenario : str
    params : dict
        The options used.
    notes : tuple of str
        How to read the table, in words.
    pairs : pandas.DataFrame
        The web's arrows period by period: ``period, payer, payee, firm`` (committed or
        paid, against only announced or rumored), ``amount`` (known money, NaN when none is
        known), ``n_deals``, ``n_unknown``, ``has_estimate``.
    top_loops : pandas.DataFrame
        Per period the loops of largest round trip then (``top_loops`` of them): ``period,
        rank, loop, companies, length, round_trip, round_trip_bound, round_trip_basis``.

    Examples
    --------
    >>> import flowgraph as fg
    >>> t = fg.timeline(fg.load_dataset("toy"), freq="year")
    >>> last = t.periods.iloc[-1]
    >>> int(last["loops"]) == fg.find_cycles(fg.build_graph(fg.load_dataset("toy"),
    ...                                     as_of=last["period_end"])).n_found
    True
    """

    periods: pd.DataFrame
    loops: pd.DataFrame
    freq: str
    scenario: str
    params: dict = field(default_factory=dict, repr=False)
    notes: tuple[str, ...] = field(default=())
    pairs: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    top_loops: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def headline(self) -> pd.DataFrame:
        """The last period's figures as a two-column table (``figure``, ``value``)."""
        if not len(self.periods):
            return pd.DataFrame(columns=["figure", "value"])
        last = self.periods.iloc[-1]
        rows = [(c, last[c]) for c in TIMELINE_COLUMNS if c != "closing_deals"]
        return pd.DataFrame(rows, columns=["figure", "value"])


def _label(end: _dt.date, freq: str, last: bool, limit: _dt.date) -> str:
    if freq == "month":
        text = f"{end.year}-{end.month:02d}"
    elif freq == "quarter":
        text = f"{end.year}Q{(end.month - 1) // 3 + 1}"
    else:
        text = str(end.year)
    if last:
        import calendar

        full = {"month": calendar.monthrange(end.year, end.month)[1] == end.day,
                "quarter": end.month % 3 == 0 and calendar.monthrange(
                    end.year, end.month)[1] == end.day,
                "year": (end.month, end.day) == (12, 31)}[freq]
        if not full:
            text += f" (to {limit.isoformat()})"
    return text


def _signature(G: nx.MultiDiGraph) -> tuple:
    """What the analyses of a period depend on: the deals with their amounts and statuses."""
    out = []
    for u, v, k, d in G.edges(keys=True, data=True):
        a = d.get("amount")
        out.append((str(k), str(u), str(v), None if a is None or a != a else float(a),
                    str(d.get("status")), repr(d.get("paid_usd_bn")),
                    repr(d.get("conditional")), repr(d.get("source_kind"))))
    return tuple(sorted(out))


def _analyse(G: nx.MultiDiGraph, max_length: int | None, max_loops: int,
             top_loops: int = 10) -> dict[str, Any]:
    from . import circulation as circ
    from .concentration import company_concentration
    from .cycles import MAX_WORK, find_cycles
    from .firmness import money_firmness

    money = money_firmness(G)
    # one period gets a tenth of a search's work cap: a timeline runs one search per period
    res = find_cycles(G, max_length=max_length, limit=max_loops, sort="round_trip",
                      describe=False, max_work=MAX_WORK // 10)
    c = res.cycles
    row: dict[str, Any] = {
        "companies": sum(1 for n in G if G.degree(n)),
        "deals": G.number_of_edges(),
        "unknown_amounts": sum(1 for *_, d in G.edges(data=True)
                               if not d.get("amount_known", False)),
        "known_money": money.total, "paid": money.paid, "paid_bound": money.paid_bound,
        "n_paid_bound": money.n_paid_bound,
        "committed_unpaid": money.committed_unpaid, "announced_only": money.announced_only,
        "conditional": money.conditional,
        "loops": res.n_found,
    }
    if len(c):
        row.update(largest_round_trip=float(c["round_trip"].iloc[0]),
                   largest_round_trip_bound=str(c["round_trip_bound"].iloc[0]),
                   largest_round_trip_basis=str(c["round_trip_basis"].iloc[0]),
                   largest_loop=str(c["path"].iloc[0]))
    else:
        row.update(largest_round_trip=math.nan, largest_round_trip_bound="",
                   largest_round_trip_basis="", largest_loop="")
    if G.number_of_edges():
        m = circ.maximal_circulation(G)
        row.update(circularity_index=m.circularity_index, circular_flow=m.circular_flow)
        sf = circ.self_funded(G).table.dropna(subset=["self_funded_share"])
        sf = sf[sf["self_funded"] > 0].sort_values(["self_funded_share", "company"],
                                                   ascending=[False, True])
        row.update(most_self_funded=str(sf["company"].iloc[0]) if len(sf) else "",
                   self_funded_share=float(sf["self_funded_share"].iloc[0]) if len(sf)
                   else math.nan)
        ci = company_concentration(G, direction="in", sort="hhi")  # most concentrated first
        ci = ci.dropna(subset=["hhi"])
        row.update(most_concentrated=str(ci["company"].iloc[0]) if len(ci) else "",
                   hhi=float(ci["hhi"].iloc[0]) if len(ci) else math.nan)
    else:
        row.update(circularity_index=math.nan, circular_flow=0.0, most_self_funded="",
                   self_funded_share=math.nan, most_concentrated="", hhi=math.nan)
    loops = {}
    for comp, path, rt, bound, length, basis in zip(
            c["companies"], c["path"], c["round_trip"], c["round_trip_bound"], c["length"],
            c["round_trip_basis"]):
        loops[tuple(comp)] = (path, float(rt), str(bound), int(length), str(basis))
    # the arrows of the web then: one per payer -> payee pair and firmness (as the HTML draws)
    pairs: dict[tuple, list] = {}
    for u, v, d in G.edges(data=True):
        firm = str(d.get("status")) in ("committed", "disbursed")
        acc = pairs.setdefault((str(u), str(v), firm), [0.0, 0, 0, 0, False])
        a = d.get("amount")
        if a is None or a != a:
            acc[3] += 1
        else:
            acc[0] += float(a)
            acc[1] += 1
        acc[2] += 1
        acc[4] = acc[4] or d.get("estimate") is True or d.get("midpoint") is True
    # not every loop kept: more than max_loops found (a listing limit: all are counted), or
    # the search stopped at its work cap (then the count is a floor too)
    return {"row": row, "loops": loops, "truncated": bool(res.truncated),
            "complete": bool(res.complete), "pairs": pairs,
            "top": [(tuple(k), *loops[tuple(k)]) for k in c["companies"].head(top_loops)]}


def _reused(prev: dict[str, Any], G: nx.MultiDiGraph) -> dict[str, Any]:
    """The previous period's analyses for a period whose deals did not change, but for what
    the date itself decides: which paid figures are upper bounds (a figure dated later than
    one period's end may be dated by the next's)."""
    from .firmness import money_firmness

    m = money_firmness(G)
    return {**prev, "row": {**prev["row"], "paid_bound": m.paid_bound,
                            "n_paid_bound": m.n_paid_bound}}


def _lite(df: pd.DataFrame) -> pd.DataFrame:
    """The same table without the lists and dicts in its ``attrs`` (a caller's own, or the
    filters of a filtered table), which pandas would copy deeply on every column access of
    every period."""
    out = df.copy(deep=False)
    out.attrs = {k: v for k, v in df.attrs.items() if not isinstance(v, (list, tuple, dict))}
    return out


def _closing_deal(G: nx.MultiDiGraph, prev: nx.MultiDiGraph | None,
                  companies: tuple) -> tuple[str, str, str]:
    """The deal that closed a loop: of the loop's hops new since the previous period (or, when
    every hop was there, of the hops with a new deal), the one whose first new deal is the
    latest; that deal."""
    hops = [(companies[i], companies[(i + 1) % len(companies)]) for i in range(len(companies))]
    best: tuple | None = None
    for u, v in hops:
        had = prev.has_edge(u, v) if prev is not None else False
        old = set(prev[u][v]) if had else set()
        new = [(d.get("date_lo") or _dt.date.min, str(k), d) for k, d in G[u][v].items()
               if k not in old]
        if not new:
            continue
        first = min(new, key=lambda t: (t[0], t[1]))
        key = (not had, first[0], first[1])
        if best is None or key > best[0]:
            best = (key, u, v, first)
    if best is None:
        return "", "", ""
    _, u, v, (_, k, d) = best
    date = d.get("announced") if not schema.is_blank(d.get("announced")) else d.get("period_start")
    return k, f"{u} -> {v}", "" if schema.is_blank(date) else str(date)


def timeline(
    deals: Any,
    companies: pd.DataFrame | None = None,
    *,
    freq: str = "quarter",
    start: str | None = None,
    end: str | None = None,
    max_length: int | None = 6,
    max_loops: int = 2_000,
    top_loops: int = 10,
    progress: Callable[[str], None] | None = None,
    **filters: Any,
) -> TimelineResult:
    """The web period by period, from the first dated deal to the data's as-of date.

    Parameters
    ----------
    deals : pandas.DataFrame or Dataset
        The deal rows, as :func:`flowgraph.build_graph` takes them. A built graph is not
        enough: it has dropped the superseded rows and tranches that earlier dates need.
    companies : pandas.DataFrame, optional
        Companies table (a Dataset brings its own).
    freq : {"quarter", "month", "year"}
        Length of a period.
    start, end : str, optional
        First and last date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``). By default from the
        first dated deal to the dataset's as-of date (else the latest deal date).
    max_length : int or None
        Longest loop, in hops (as :func:`flowgraph.find_cycles`).
    max_loops : int
        Most loops kept per period, those of largest round trip (a listing limit: the
        search still counts every loop); where a period has more, the loops that closed in
        it and the next are not told apart (NaN, and the notes say in how many periods).
    top_loops : int
        Loops of largest round trip kept per period in ``top_loops``.
    progress : callable, optional
        Called with a short message per period.
    **filters
        Any other :func:`flowgraph.build_graph` filter (``flow_types``, ``statuses``,
        ``scenario``, ...); ``as_of`` sets ``end``.

    Returns
    -------
    TimelineResult

    Raises
    ------
    ParameterError
        A graph instead of rows, an unknown ``freq``, unreadable dates or no dated deal.

    Examples
    --------
    >>> import flowgraph as fg
    >>> t = fg.timeline(fg.load_dataset("toy"), freq="year")
    >>> list(t.periods.columns[:3])
    ['period', 'period_end', 'companies']
    """
    from .graph import build_graph, filter_deals
    from .timeframe import period_ends

    if isinstance(deals, nx.Graph):
        raise ParameterError(
            "timeline needs the deal rows (a DataFrame or Dataset), not a built graph: a graph "
            "has dropped the superseded rows and tranches that earlier dates need")
    if freq not in ("month", "quarter", "year"):
        raise ParameterError(f"unknown freq {freq!r}; valid: month, quarter, year")
    if max_loops < 1:
        raise ParameterError(f"max_loops must be at least 1, got {max_loops!r}")
    deals, companies, data_as_of = _timeline_input(deals, companies)
    as_of = filters.pop("as_of", None)
    if as_of is not None and end is None:
        end = as_of
    rows = filter_deals(deals, **{k: v for k, v in filters.items()
                                  if k not in ("include_superseded", "include_tranches")},
                        include_superseded=True, include_tranches=True)
    first, last, data_limit = _timeline_span(rows, start, end, data_as_of)
    ends = period_ends(first, last, freq)
    scenario = filters.get("scenario", "base")

    tables = _TimelineTables()
    prev_sig: tuple | None = None
    prev_G: nx.MultiDiGraph | None = None
    prev_an: dict[str, Any] | None = None
    for i, day in enumerate(ends):
        label = _label(day, freq, i == len(ends) - 1, last)
        if progress:
            progress(f"timeline: {label} ({i + 1}/{len(ends)})")
        G = build_graph(deals, companies, as_of=day.isoformat(), **filters)
        sig = _signature(G)
        if prev_an is not None and sig == prev_sig:
            an = _reused(prev_an, G)
            new: list[tuple] = []
        else:
            an = _analyse(G, max_length, max_loops, top_loops)
            before = prev_an["loops"] if prev_an is not None else {}
            new = [k for k in an["loops"] if k not in before]
        tables.add_period(label, day, G, an, new, prev_G, prev_an)
        prev_sig, prev_G, prev_an = sig, G, an

    notes = _timeline_notes(last, data_limit, max_length, prev_G, tables, max_loops)
    params = {"freq": freq, "start": first.isoformat(), "end": last.isoformat(),
              "max_length": max_length, "max_loops": max_loops, **filters}
    return TimelineResult(tables.periods(), tables.loops(), freq, str(scenario), params,
                          tuple(notes), tables.pairs(), tables.top())


def _timeline_input(deals: Any, companies: pd.DataFrame | None,
                    ) -> tuple[Any, pd.DataFrame | None, str | None]:
    """The deal rows and companies table, normalized once, and the dataset's as-of date."""
    from .io import Dataset

    data_as_of = deals.as_of if isinstance(deals, Dataset) else None
    if isinstance(deals, Dataset):
        companies = deals.companies if companies is None else companies
        deals = deals.deals
    if isinstance(deals, pd.DataFrame):
        from .io import normalize_companies, normalize_deals

        # the rows are read once per period: normalized once, keeping the table's flags but
        # not its lists or dicts (pandas copies ``attrs`` deeply on every column access)
        deals = _lite(normalize_deals(deals))
        if companies is not None and len(companies):
            companies = _lite(normalize_companies(companies))
    return deals, companies, data_as_of


def _timeline_span(rows: pd.DataFrame, start: str | None, end: str | None,
                   data_as_of: str | None) -> tuple[_dt.date, _dt.date, _dt.date | None]:
    """First and last day of the timeline, and the last day the data's as-of date means."""
    from .timeframe import as_of_limit

    try:
        lo_limit = schema.date_bounds(start)[0] if start is not None else None
        hi_limit = as_of_limit(end) if end is not None else None
        data_limit = as_of_limit(data_as_of) if data_as_of else None
    except ValueError as exc:
        raise ParameterError(f"timeline dates: {exc}") from None
    dated = [d for d in rows["date_lo"] if d is not None]
    if not dated:
        raise ParameterError("no dated deal to lay out in time")
    first = lo_limit or min(dated)
    last = hi_limit or data_limit or max(dated)
    if last < first:
        raise ParameterError(f"the timeline ends ({last}) before it starts ({first})")
    return first, last, data_limit


class _TimelineTables:
    """The rows of the timeline's four tables, period by period."""

    def __init__(self) -> None:
        self.out_rows: list[dict[str, Any]] = []
        self.loop_rows: list[dict[str, Any]] = []
        self.pair_rows: list[dict[str, Any]] = []
        self.top_rows: list[dict[str, Any]] = []
        self.n_listed = 0  # periods whose new loops are unknown: more than max_loops loops
        self.n_stopped = 0  # ... or a search stopped at its work cap
        self.paid_bound: list[tuple[str, float, int]] = []  # periods whose paid is a bound
        self.labels: list[str] = []

    def add_period(self, label: str, day: _dt.date, G: nx.MultiDiGraph, an: dict[str, Any],
                   new: list[tuple], prev_G: nx.MultiDiGraph | None,
                   prev_an: dict[str, Any] | None) -> None:
        """Add one period: its row, its arrows, its largest loops and the loops it closed."""
        row = {"period": label, "period_end": day.isoformat(), **an["row"]}
        for (u, v, firm), (amt, n_known, n, n_unknown, est) in sorted(an["pairs"].items()):
            self.pair_rows.append({"period": label, "payer": u, "payee": v, "firm": firm,
                                   "amount": amt if n_known else math.nan, "n_deals": n,
                                   "n_unknown": n_unknown, "has_estimate": est})
        self.labels.append(label)
        if an["row"]["n_paid_bound"]:
            self.paid_bound.append((label, an["row"]["paid_bound"], an["row"]["n_paid_bound"]))
        for rank, (comp, path, rt, bound, length, basis) in enumerate(an["top"], start=1):
            self.top_rows.append({"period": label, "rank": rank, "loop": path,
                                  "companies": comp, "length": length, "round_trip": rt,
                                  "round_trip_bound": bound, "round_trip_basis": basis})
        unreliable = an["truncated"] or (prev_an is not None and prev_an["truncated"])
        if unreliable:
            if an["complete"] and (prev_an is None or prev_an["complete"]):
                self.n_listed += 1
            else:
                self.n_stopped += 1
            row["new_loops"] = math.nan
            row["closing_deals"] = ""
        else:
            closing = self._add_closed_loops(label, G, an, new, prev_G)
            row["new_loops"] = len(new)
            row["closing_deals"] = "; ".join(closing)
        self.out_rows.append(row)

    def _add_closed_loops(self, label: str, G: nx.MultiDiGraph, an: dict[str, Any],
                          new: list[tuple], prev_G: nx.MultiDiGraph | None) -> list[str]:
        """Add the loops that closed in the period, largest round trip first; the deals that
        closed them."""
        loops = an["loops"]
        new = sorted(new, key=lambda k: (-loops[k][1] if loops[k][1] == loops[k][1]
                                         else math.inf, loops[k][3], loops[k][0]))
        closing: list[str] = []
        for k in new:
            path, rt, bound, length, basis = loops[k]
            deal, hop, when = _closing_deal(G, prev_G, k)
            self.loop_rows.append({"order": len(self.loop_rows) + 1, "period": label,
                                   "loop": path, "length": length, "round_trip": rt,
                                   "round_trip_bound": bound, "round_trip_basis": basis,
                                   "closed_by": deal,
                                   "closing_hop": hop, "closed_on": when})
            if deal and deal not in closing:
                closing.append(deal)
        return closing

    def periods(self) -> pd.DataFrame:
        periods = pd.DataFrame(self.out_rows, columns=list(TIMELINE_COLUMNS))
        periods["new_loops"] = periods["new_loops"].astype(float)
        periods["n_paid_bound"] = periods["n_paid_bound"].astype(int)
        return periods

    def loops(self) -> pd.DataFrame:
        return pd.DataFrame(self.loop_rows, columns=list(LOOP_COLUMNS))

    def pairs(self) -> pd.DataFrame:
        return pd.DataFrame(self.pair_rows, columns=["period", "payer", "payee", "firm",
                                                     "amount", "n_deals", "n_unknown",
                                                     "has_estimate"])

    def top(self) -> pd.DataFrame:
        return pd.DataFrame(self.top_rows, columns=["period", "rank", "loop", "companies",
                                                    "length", "round_trip",
                                                    "round_trip_bound", "round_trip_basis"])


def _spans(labels: list[str], chosen: set[str]) -> str:
    """The chosen periods as runs of consecutive ones: ``2019 to 2024, 2026``."""
    runs: list[list[str]] = []
    prev = False
    for lab in labels:
        on = lab in chosen
        if on:
            if prev:
                runs[-1][1] = lab
            else:
                runs.append([lab, lab])
        prev = on
    return ", ".join(a if a == b else f"{a} to {b}" for a, b in runs)


def _timeline_notes(last: _dt.date, data_limit: _dt.date | None, max_length: int | None,
                    last_G: nx.MultiDiGraph | None, tables: _TimelineTables,
                    max_loops: int) -> list[str]:
    """How to read the timeline, in words (the counts from what the periods found)."""
    notes = [
        f"Each row is the web as of the period's end (the rule of --as-of: deals, tranches and "
        f"statuses dated by then; deals with no date left out); the last period ends at "
        f"{last.isoformat()}" + (" (the data's as-of date)." if data_limit == last else "."),
        "companies: those in a deal counted by then; known_money = paid + committed_unpaid + "
        "announced_only + conditional; deals of unknown amount are counted, never summed.",
        f"Loops of at most {max_length} hops; largest_round_trip is the loop with the largest "
        "round trip (bound and basis as in `flowgraph cycles`: 'upper' when a hop is "
        "undisclosed, 'estimated' or 'conditional' when it rests on such amounts); "
        "most_self_funded: the largest self-funded share of inflow; most_concentrated: the "
        "highest HHI of money received (ties: the larger total).",
        "A loop closes in the period it first appears; closed_by is the new deal on the hop "
        "that came last (the earliest new deal on it).",
    ]
    if tables.paid_bound:
        from .formatting import money

        bound = tables.paid_bound
        most = max(b for _, b, _ in bound)
        k = max(n for *_, n in bound)
        notes.append(
            f"The paid figure is an upper bound of what was paid by the period's end in "
            f"{schema.count_noun(len(bound), 'period')} "
            f"({_spans(tables.labels, {lab for lab, *_ in bound})}): up to {money(most)} of "
            f"it, on at most {schema.count_noun(k, 'disbursed deal')} (paid_bound, "
            "n_paid_bound), rests on figures known only later (a paid figure dated later or "
            "undated, or the total of a period ending later).")
    if last_G is not None and last_G.graph.get("as_of_note"):
        notes.append("At the last period's end: " + last_G.graph["as_of_note"])
    if tables.n_listed:
        k = tables.n_listed
        notes.append(
            f"In {schema.count_noun(k, 'period')} (with more than {max_loops:,} loops, or "
            "after one that had) the loops that closed are not told apart (NaN): every loop "
            f"is counted, but only the {max_loops:,} of largest round trip are kept "
            "(max_loops, a listing limit; the search itself went on).")
    if tables.n_stopped:
        k = tables.n_stopped
        notes.append(
            f"In {schema.count_noun(k, 'period')} the loop search of the period or of the one "
            "before stopped at its work cap: the loops that closed there are not told apart "
            "(NaN), and where the search stopped the count of loops is a floor (at least) and "
            "the largest round trip the largest among the loops found.")
    return notes
