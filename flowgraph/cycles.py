"""Circular money flows: bounded simple cycles of the payer -> payee graph, with detail.

A *cycle* (loop) is a sequence of distinct companies ``A -> B -> ... -> A`` where each
company pays the next. Every payer -> payee pair is one *hop*; the deals of a pair are
added up (like :func:`flowgraph.collapse`). For each loop flowgraph reports:

- the **round trip**: the smallest hop amount, i.e. the most money that can go all the way
  round once (the bottleneck), the hop that limits it, and the **gross** (sum of the hops);
- the ``low`` and ``high`` scenario round trips (from each deal's ``amount_low`` /
  ``amount_high``), the mix of flow types, the weakest status ("rumored" < "announced" <
  "committed" < "disbursed") and the lowest confidence on the loop;
- whether the loop is **time-ordered**: one deal per hop can be chosen so that their dates
  follow each other round the loop (money invested before it is spent);
- a plain-language sentence.

Unknown amounts
---------------
A hop's amount is the sum of its deals with a known amount. A hop none of whose deals has
a known amount has an unknown (NaN) amount; it never counts as zero. A hop with both known
and unknown deals is *at least* its shown amount. The round trip is the minimum over the
hops whose amount is known; ``round_trip_bound`` says what that figure is:

- ``"exact"``: every hop that matters is fully known;
- ``"upper"`` (``round_trip_is_upper_bound``): some hop is entirely unknown and might carry
  less, while the limiting hop is fully known, so the real round trip is at most the figure;
- ``"lower"``: no hop is entirely unknown but the limiting hop has undisclosed deals on top
  of the known ones, so the real round trip is at least the figure;
- ``"approximate"``: both at once (neither bound holds);
- ``"unknown"``: no hop amount is known; the round trip is NaN.

``has_unknown`` flags loops where any deal's amount is unknown. ``min_amount`` keeps loops
whose known hops all reach the threshold and that have at least one known hop (so loops with
an entirely unknown hop are kept as upper bounds).

Time order
----------
Each deal's date is an interval ``[date_lo, date_hi]`` (a year-only date spans the whole
year). Deal ``a`` comes *before* deal ``b`` only when this is certain: ``a.date_hi <
b.date_lo``. So a year-only date does not order against any date in the same year, and two
deals on the same day are not ordered either (they are simultaneous, not one funding the
other). A loop is ``"ordered"`` when some rotation and one dated deal per hop give strictly
increasing dates round the loop (and, with a ``window``, when the last deal's ``date_hi``
is at most ``window`` days after the first deal's ``date_lo``). It is ``"concurrent"`` when
it is not ordered for certain but could be if deals whose date ranges overlap (same day,
same month, a year-only date) happened at the same time: packages announced together are
typically concurrent (the ``window`` does not apply to this weaker test; a loop in order but
slower than the ``window`` is "not ordered"). It is ``"unknown"`` when neither holds with the
dated deals but some hop has an undated deal, and ``"not ordered"`` otherwise (going round, some date must
fall back). ``time_ordered=True`` keeps only ``"ordered"`` loops.

Self-loops (payer == payee) are invalid data and are ignored.

Examples
--------
>>> import networkx as nx
>>> D = nx.DiGraph()
>>> D.add_edge("A", "B", amount=5.0); D.add_edge("B", "A", amount=3.0)
>>> find_cycles(D).cycles[["path", "round_trip"]].to_dict("records")
[{'path': 'A -> B -> A', 'round_trip': 3.0}]
"""
from __future__ import annotations

import contextlib
import contextvars
import datetime as _dt
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from . import _checks, _process, schema
from .errors import ParameterError
from .formatting import basis_words, money, money_range
from .graph import check_company, is_graph

if TYPE_CHECKING:  # networkx only for a graph given (graph.is_graph)
    import networkx as nx

__all__ = [
    "MAX_WORK",
    "QUICK_WORK",
    "SORTS",
    "STATUS_SUMMARY",
    "CycleResult",
    "count_work",
    "cycle_counts",
    "cycle_participation",
    "cycles_from_arrays",
    "find_cycles",
    "listing_label",
    "order_label",
    "work_budget",
]

STATUS_SUMMARY: dict[str, str] = {
    "rumored": "includes rumored deals",
    "announced": "only announced",
    "committed": "committed",
    "disbursed": "paid",
}
"""Plain words for the weakest status on a loop."""

_MISSING_RANK = 99
SORTS: tuple[str, ...] = ("round_trip", "length")
"""Orders of :func:`find_cycles`: largest round trip first, or shortest loop first."""

_ORDER_WORDS: dict[str, tuple[str, str]] = {
    "round_trip": ("largest round trip first", "with the largest round trip"),
    "length": ("shortest first, largest round trip first within each length",
               "shortest (largest round trip first within each length)"),
}


def order_label(sort: str, n: int | None = None, *, exact: bool = True) -> str:
    """Words for the order of a :func:`find_cycles` table; the one place that names it.

    With ``n``, the words for the first ``n`` loops of that order ("the 10 with the largest
    round trip"), as a listing that shows only the head of the table says it. ``exact``
    False says the search stopped early, so the ``n`` are the first of the loops found
    before the stop, not of all loops (:func:`listing_label` reads it from a result).

    Examples
    --------
    >>> order_label("round_trip")
    'largest round trip first'
    >>> order_label("length", 3)
    'the 3 shortest (largest round trip first within each length)'
    >>> order_label("round_trip", 3, exact=False)
    '3 of the loops found before the search stopped, largest round trip first (not necessarily the largest overall)'
    """
    if sort not in _ORDER_WORDS:
        raise ParameterError(f"unknown sort {sort!r}; valid: {', '.join(SORTS)}")
    whole, head = _ORDER_WORDS[sort]
    if n is None:
        return whole
    if exact:
        return f"the {n:,} {head}"
    overall = "shortest" if sort == "length" else "largest"
    return (f"{n:,} of the loops found before the search stopped, {whole} (not necessarily "
            f"the {overall} overall)")


def listing_label(result: CycleResult, n: int | None = None) -> str:
    """Words for the loops a :func:`find_cycles` result lists: :func:`order_label` of its
    order, for its first ``n`` loops (default: all it lists), exact unless the search
    stopped early before the listed loops were known to be the first of all loops
    (``params["listing"]``, set by the search: ``"exact"`` or ``"found"``).

    Examples
    --------
    >>> import networkx as nx
    >>> D = nx.complete_graph(7, nx.DiGraph)
    >>> nx.set_edge_attributes(D, 1.0, "amount")
    >>> listing_label(find_cycles(D, limit=3, sort="length"))
    'the 3 shortest (largest round trip first within each length)'
    >>> listing_label(find_cycles(D, limit=3, max_loops=50))
    '3 of the loops found before the search stopped, largest round trip first (not necessarily the largest overall)'
    """
    p = result.params
    shown = len(result.cycles) if n is None else n
    return order_label(p.get("sort", "round_trip"), shown,
                       exact=p.get("listing", "exact" if result.complete else "found") == "exact")


def listed_note(n_found: int, sort: str, n: int) -> str:
    """The note of a search that ran to the end and found more loops than it lists.

    Examples
    --------
    >>> listed_note(172, "length", 10)
    'All 172 loops were found (the search ran to the end); listed: the 10 shortest (largest round trip first within each length).'
    """
    return (f"All {n_found:,} loops were found (the search ran to the end); listed: "
            f"{order_label(sort, n)}.")


MAX_WORK = 500_000_000
"""Default work cap of :func:`find_cycles`: hops examined by the search (about ten seconds
compiled on one core); a search that reaches it stops and says so."""
QUICK_WORK = 20_000_000
"""Work cap of each loop search behind the CLI's ``cycles``, ``html`` and ``report`` (their
``--max-work`` default): hops examined, under a second compiled on one core, so a dense
network gives a capped answer ("at least") in seconds. See :func:`work_budget`."""
_CEILING: contextvars.ContextVar[int | None] = contextvars.ContextVar("flowgraph_work_ceiling",
                                                                     default=None)


@contextlib.contextmanager
def work_budget(max_work: int | None) -> Iterator[None]:
    """Cap every loop search run inside the block at ``max_work`` hops examined.

    A search at the default cap (:data:`MAX_WORK`) uses ``max_work`` instead; a search with
    another cap keeps it when it is lower (``max_work`` is then a ceiling, per search).
    None lifts the ceiling. This is how the CLI bounds everything a report or an HTML page
    searches (their loop listings, participation counts, samples and random networks) by
    one option, ``--max-work`` (default :data:`QUICK_WORK`).

    Examples
    --------
    >>> import networkx as nx
    >>> D = nx.complete_graph(8, nx.DiGraph)
    >>> nx.set_edge_attributes(D, 1.0, "amount")
    >>> with work_budget(1_000):
    ...     r = find_cycles(D)
    >>> r.complete, r.params["max_work"]
    (False, 1000)
    """
    from ._params import whole

    whole("max_work", max_work, minimum=1)
    token = _CEILING.set(max_work)
    try:
        yield
    finally:
        _CEILING.reset(token)


def _work_cap(max_work: int | None) -> int | None:
    """The cap a search uses: its own ``max_work`` under the ceiling of :func:`work_budget`
    (which replaces the default cap)."""
    ceiling = _CEILING.get()
    if ceiling is None:
        return max_work
    if max_work is None or max_work == MAX_WORK:
        return ceiling
    return min(int(max_work), ceiling)
_BATCH = 1 << 16  # cycles per engine call before the best are kept (tests lower it)
_PY_STEPS: int | None = None  # interpreted-search budget; None = engine default (tests set it)
_BIG = 1 << 40

CYCLE_COLUMNS: tuple[str, ...] = (
    "rank", "length", "path", "companies", "round_trip", "round_trip_bound",
    "round_trip_is_upper_bound", "has_unknown", "round_trip_low", "round_trip_high", "gross", "limiting_hop",
    "limiting_payer", "limiting_payee", "flow_types", "weakest_status", "status_summary",
    "lowest_confidence", "has_estimate", "round_trip_basis", "time_order", "time_order_start",
    "time_span_days", "n_deals", "deal_ids", "description",
)
HOP_COLUMNS: tuple[str, ...] = (
    "rank", "hop", "payer", "payee", "amount", "amount_known", "has_unknown", "amount_low",
    "amount_high", "is_limiting", "n_deals", "deal_ids", "flow_types", "weakest_status",
    "lowest_confidence", "time_order_deal",
)
DEAL_COLUMNS: tuple[str, ...] = (
    "rank", "hop", "deal_id", "payer", "payee", "amount", "amount_known", "amount_low",
    "amount_high", "flow_type", "status", "confidence", "date", "date_lo", "date_hi",
    "estimate", "source_url", "source_title", "in_time_order",
)


# --------------------------------------------------------------------------- result
@dataclass(frozen=True)
class CycleResult:
    """Loops found by :func:`find_cycles`, best first.

    Attributes
    ----------
    cycles : pandas.DataFrame
        One row per reported loop, sorted by round trip (largest first, unknown last), then
        by the sequence of companies (with ``sort="length"``: shortest loops first). Columns: ``rank`` (1-based), ``length`` (hops),
        ``path`` ("A -> B -> A"), ``companies`` (tuple, starting at the company that sorts
        first), ``round_trip``, ``round_trip_bound`` ("exact", "upper", "lower",
        "approximate", "unknown"; see the module docstring), ``round_trip_is_upper_bound``,
        ``has_unknown``,
        ``round_trip_low``, ``round_trip_high`` (the round trip from the deals' low and high
        estimates; NaN where undisclosed amounts leave that bound open: the low for "upper",
        the high for "lower", both for "approximate"), ``gross`` (sum of known hop amounts),
        ``limiting_hop`` (0-based position of the bottleneck hop, -1 if none known),
        ``limiting_payer``, ``limiting_payee``, ``flow_types`` (sorted tuple),
        ``weakest_status``, ``status_summary`` ("paid", "committed", "only announced",
        "includes rumored deals"), ``lowest_confidence``, ``has_estimate``,
        ``round_trip_basis`` (what the round trip rests on besides reported, unconditional
        amounts, :func:`flowgraph.formatting.basis_words`: "estimated" when an estimated hop
        sets it or could go below it, "conditional" when a hop without its conditional deals
        would carry less, both, or ""), ``time_order``
        ("ordered", "concurrent", "unknown", "not ordered"; see the module docstring),
        ``time_order_start`` (for ordered loops, the company whose payment starts the
        chain), ``time_span_days`` (for ordered loops, a certain upper bound on the days from
        the first to the last deal of the chain), ``n_deals``, ``deal_ids`` and
        ``description`` (a sentence).
    hops : pandas.DataFrame
        One row per hop of each reported loop (``rank``, ``hop`` position, ``payer``,
        ``payee``, ``amount``, ``amount_known``, ``has_unknown``, ``amount_low``,
        ``amount_high``, ``is_limiting``, ``n_deals``, ``deal_ids``, ``flow_types``,
        ``weakest_status``, ``lowest_confidence``, ``time_order_deal``).
    deals : pandas.DataFrame
        One row per deal behind each hop (``rank``, ``hop``, ``deal_id``, ``payer``,
        ``payee``, amounts, ``flow_type``, ``status``, ``confidence``, ``date``,
        ``date_lo``, ``date_hi``, ``estimate``, ``source_url``, ``source_title``,
        ``in_time_order``). Empty when the input had no deal-level detail.
    participation : pandas.DataFrame
        Per company, over *all* loops found (not only the reported ones): ``company``,
        ``n_cycles``, ``share`` (of all loops), ``round_trip_sum`` (sum of known round
        trips of its loops; loops overlap, so this double counts), ``round_trip_max`` and
        ``complete`` (False when the search stopped early: the columns then cover the loops
        found, and ``n_cycles`` is a floor, "at least").
    hop_participation : pandas.DataFrame
        Per hop: ``payer``, ``payee``, ``n_cycles`` over all loops found.
    n_found : int
        Number of loops that pass every filter.
    truncated : bool
        True when ``n_found`` exceeds ``limit`` and only the best ``limit`` are reported.
    limit : int or None
    params : dict
        The options used (``max_length``, ``min_amount``, ``through``, ``time_ordered``,
        ``window``, ``weight``, ``scenario``, ``max_work``, ``max_loops``), and ``stopped``:
        the cap that stopped the search (``"work"`` or ``"loops"``), None when complete.
    n_self_loops : int
        Deals or edges with payer == payee, ignored.
    notes : tuple of str
        How unknown amounts and dates are treated, in words.
    complete : bool
        False when the search stopped early at ``max_work`` or ``max_loops``: ``n_found``
        is then a floor ("at least") and the loops shown the best of those found.
    work : int
        Hops the search examined (what ``max_work`` caps).

    Examples
    --------
    >>> import flowgraph as fg
    >>> res = fg.find_cycles(fg.build_graph(fg.load_dataset("toy")), sort="round_trip")
    >>> res.n_found, res.cycles.loc[0, "path"], float(res.cycles.loc[0, "round_trip"])
    (3, 'ChipCo -> LabCo -> LeaseCo -> ChipCo', 8.0)
    """

    cycles: pd.DataFrame
    hops: pd.DataFrame
    deals: pd.DataFrame
    participation: pd.DataFrame
    hop_participation: pd.DataFrame
    n_found: int
    truncated: bool
    limit: int | None
    params: dict[str, Any] = field(default_factory=dict)
    n_self_loops: int = 0
    notes: tuple[str, ...] = ()
    complete: bool = True
    work: int = 0

    def __len__(self) -> int:
        return len(self.cycles)

    def __repr__(self) -> str:
        more = f" (showing {listing_label(self)})" if self.truncated else ""
        floor = "" if self.complete else "at least "
        return (f"<CycleResult: {floor}{schema.count_noun(self.n_found, 'loop')} of at most "
                f"{self.params.get('max_length')} hops{more}>")

    def _repr_html_(self) -> str:
        cols = ["rank", "path", "round_trip", "round_trip_low", "round_trip_high",
                "weakest_status", "time_order", "description"]
        head = f"<p>{self.__repr__()[1:-1]}</p>"
        return head + self.cycles[cols].head(50).to_html(index=False)

    def hops_of(self, rank: int) -> pd.DataFrame:
        """The hops of the loop with this rank (1-based).

        Examples
        --------
        >>> import networkx as nx
        >>> r = find_cycles(nx.DiGraph([("A", "B", {"amount": 1.0}), ("B", "A", {"amount": 2.0})]))
        >>> list(r.hops_of(1)["payer"])
        ['A', 'B']
        """
        out = self.hops[self.hops["rank"] == rank]
        return out.reset_index(drop=True)


# --------------------------------------------------------------------------- input -> arrays
@dataclass
class _Deals:
    """Deal-level arrays (one row per deal or per DiGraph edge)."""

    labels: np.ndarray  # node label per vertex id (sorted order)
    src: np.ndarray
    dst: np.ndarray
    amount: np.ndarray
    low: np.ndarray
    high: np.ndarray
    dlo: np.ndarray  # day ordinal or -1
    dhi: np.ndarray
    info: _Info | None  # deal_id, flow_type, status, confidence, date, ...; None = none
    has_deals: bool
    weight: str
    scenario: str | None
    floor: np.ndarray = field(init=False, repr=False)  # reported floor of an unknown amount
    cap: np.ndarray = field(init=False, repr=False)  # reported cap of an unknown amount

    def __post_init__(self) -> None:
        """The one clean-up of every reader: a low/high end never makes an unknown base
        amount known, and a missing end is the base; a deal missing either date bound has
        no date. The floor ("more than $X") or cap ("up to $X") of an unknown amount is
        kept apart, for the loop sentences only: it is never a hop amount."""
        unknown = np.isnan(self.amount)
        raw_low = np.asarray(self.low, dtype=float)
        raw_high = np.asarray(self.high, dtype=float)
        self.floor = np.where(unknown, raw_low, np.nan)
        self.cap = np.where(unknown & np.isnan(raw_low), raw_high, np.nan)
        self.low = np.where(unknown, np.nan, np.where(np.isnan(self.low), self.amount, self.low))
        self.high = np.where(unknown, np.nan,
                             np.where(np.isnan(self.high), self.amount, self.high))
        undated = (self.dlo < 0) | (self.dhi < 0)
        self.dlo = np.where(undated, -1, self.dlo).astype(np.int64)
        self.dhi = np.where(undated, -1, self.dhi).astype(np.int64)


def _sorted_labels(nodes: Iterable[Any]) -> list[Any]:
    nodes = list(nodes)
    try:
        return sorted(nodes)
    except TypeError:
        return sorted(nodes, key=lambda x: (type(x).__name__, str(x)))


def _ordinal(d: Any) -> int:
    if d is None:
        return -1
    if isinstance(d, float) and math.isnan(d):
        return -1
    if isinstance(d, _dt.datetime):
        return d.date().toordinal()
    if isinstance(d, _dt.date):
        return d.toordinal()
    try:
        ts = pd.Timestamp(d)
    except (TypeError, ValueError):
        return -1
    if ts is pd.NaT:
        return -1
    return ts.date().toordinal()


def _float(v: Any) -> float:
    if v is None:
        return math.nan
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _deal_text(v: Any) -> Any:
    """One cell with a blank (None, NaN, NA, NaT) as None."""
    return None if v is None or (not isinstance(v, str) and pd.api.types.is_scalar(v)
                                 and bool(pd.isna(v))) else v


def _from_multigraph(G: nx.MultiDiGraph, weight: str) -> _Deals:
    labels = _sorted_labels(G.nodes)
    index = {n: i for i, n in enumerate(labels)}
    rows = list(G.edges(keys=True, data=True))
    m = len(rows)
    src = np.fromiter((index[u] for u, _, _, _ in rows), np.int64, m)
    dst = np.fromiter((index[v] for _, v, _, _ in rows), np.int64, m)
    amount = np.fromiter((_float(d.get(weight)) for *_, d in rows), np.float64, m)
    low = np.fromiter((_float(d.get("amount_low", d.get(weight))) for *_, d in rows),
                      np.float64, m)
    high = np.fromiter((_float(d.get("amount_high", d.get(weight))) for *_, d in rows),
                       np.float64, m)
    dlo = np.fromiter((_ordinal(d.get("date_lo")) for *_, d in rows), np.int64, m)
    dhi = np.fromiter((_ordinal(d.get("date_hi")) for *_, d in rows), np.int64, m)

    def date_text(d: dict[str, Any]) -> Any:
        for col in ("announced", "period_start"):
            v = _deal_text(d.get(col))
            if v is not None and str(v).strip():
                return str(v)
        lo = d.get("date_lo")
        return lo.isoformat() if isinstance(lo, _dt.date) else None

    info = _Info({
        "deal_id": [str(d.get("deal_id", k)) for _, _, k, d in rows],
        "flow_type": [_deal_text(d.get("flow_type")) for *_, d in rows],
        "status": [_deal_text(d.get("status")) for *_, d in rows],
        "confidence": [_deal_text(d.get("confidence")) for *_, d in rows],
        "date": [date_text(d) for *_, d in rows],
        "date_lo": [d.get("date_lo") for *_, d in rows],
        "date_hi": [d.get("date_hi") for *_, d in rows],
        # a range's midpoint standing for the amount is an estimate too
        "estimate": [d.get("estimate") is True or d.get("midpoint") is True for *_, d in rows],
        "conditional": [schema.parse_bool(d.get("conditional")) is True for *_, d in rows],
        "source_url": [_deal_text(d.get("source_url")) for *_, d in rows],
        "source_title": [_deal_text(d.get("source_title")) for *_, d in rows],
    })
    return _Deals(np.array(labels, dtype=object), src, dst, amount, low, high, dlo, dhi, info,
                  True, weight, G.graph.get("scenario"))


def _vertex_ids(labels: list[Any], nodes: Sequence[Any]) -> np.ndarray:
    """Index of each node in ``labels`` (identity fast path for nodes 0..n-1)."""
    n = len(labels)
    if n and type(labels[0]) is int and labels[0] == 0 and labels[-1] == n - 1:
        try:
            return np.fromiter(nodes, np.int64, len(nodes))
        except (TypeError, ValueError):  # pragma: no cover - mixed node types
            pass
    index = {x: i for i, x in enumerate(labels)}
    return np.fromiter(map(index.__getitem__, nodes), np.int64, len(nodes))


def _floats(ds: Sequence[dict[str, Any]], key: str, default: Any = math.nan) -> np.ndarray:
    try:
        out = np.fromiter((d.get(key, default) for d in ds), np.float64, len(ds))
    except (TypeError, ValueError):
        out = np.fromiter((_float(d.get(key, default)) for d in ds), np.float64, len(ds))
    return out


def _from_digraph(G: nx.DiGraph, weight: str) -> _Deals:
    from itertools import chain, repeat

    labels = _sorted_labels(G.nodes)
    adj = [(u, nbrs) for u, nbrs in G.adjacency() if nbrs]
    us = list(chain.from_iterable(repeat(u, len(nbrs)) for u, nbrs in adj))
    vs = list(chain.from_iterable(nbrs.keys() for _, nbrs in adj))
    ds = list(chain.from_iterable(nbrs.values() for _, nbrs in adj))
    m = len(ds)
    keys: set[str] = set().union(*ds) if m else set()
    src = _vertex_ids(labels, us)
    dst = _vertex_ids(labels, vs)
    amount = _floats(ds, weight)
    has_flag = "has_unknown" in keys
    if has_flag:
        partly = np.fromiter((bool(d.get("has_unknown")) for d in ds), bool, m)
        # an older collapse convention: all deals unknown -> amount 0 with has_unknown
        amount[partly & (amount == 0.0)] = np.nan
    else:
        partly = np.zeros(m, bool)
    low = _floats(ds, "amount_low") if "amount_low" in keys else amount.copy()
    high = _floats(ds, "amount_high") if "amount_high" in keys else amount.copy()
    if "date_lo" in keys:
        dlo = np.fromiter((_ordinal(d.get("date_lo")) for d in ds), np.int64, m)
        dhi = np.fromiter((_ordinal(d.get("date_hi", d.get("date_lo"))) for d in ds),
                          np.int64, m)
    else:
        dlo = np.full(m, -1, np.int64)
        dhi = dlo.copy()
    info = None
    if keys & {"flow_types", "flow_type", "deal_ids"}:
        rows = list(zip(us, vs, ds))
        def ftype(d: dict[str, Any]) -> Any:
            if d.get("flow_type"):
                return d["flow_type"]
            fts = d.get("flow_types") or ()
            return fts[0] if len(fts) == 1 else ("other" if fts else None)

        def ids(u: Any, v: Any, d: dict[str, Any]) -> str:
            did = d.get("deal_ids") or d.get("deal_id")
            if isinstance(did, (tuple, list)):
                return ";".join(map(str, did))
            return str(did) if did else f"{u}->{v}"

        info = _Info({
            "deal_id": [ids(u, v, d) for u, v, d in rows],
            "flow_type": [ftype(d) for _, _, d in rows],
            "status": [d.get("weakest_status", d.get("status")) for _, _, d in rows],
            "confidence": [d.get("lowest_confidence", d.get("confidence")) for _, _, d in rows],
            "date": [None] * m,
            "date_lo": [d.get("date_lo") for _, _, d in rows],
            "date_hi": [d.get("date_hi") for _, _, d in rows],
            "estimate": [bool(d.get("has_estimate", d.get("estimate") is True))
                         for _, _, d in rows],
            "conditional": [schema.parse_bool(d.get("conditional")) is True
                            for _, _, d in rows],
            "source_url": [None] * m,
            "source_title": [None] * m,
        })
    deals = _Deals(np.array(labels, dtype=object), src, dst, amount, low, high, dlo, dhi, info,
                   False, weight, G.graph.get("scenario"))
    deals.partly_unknown = partly  # type: ignore[attr-defined]
    return deals


_INFO_COLUMNS = ("deal_id", "flow_type", "status", "confidence", "date", "date_lo", "date_hi",
                 "estimate", "conditional", "source_url", "source_title")
_FLAG_COLUMNS = ("estimate", "conditional")  # yes/no per deal (a missing key: no)


def _objects(values: Any) -> np.ndarray:
    """``values`` as a one-dimensional object array (an object array as it is, not copied)."""
    if isinstance(values, np.ndarray) and values.dtype == object and values.ndim == 1:
        return values
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype=object)
    return np.fromiter(values, dtype=object, count=len(values))


def _blanks_as_none(values: np.ndarray) -> np.ndarray:
    """A copy of an object array with every blank (None, NaN, NA, NaT) as None."""
    out = np.array(values, dtype=object, copy=True)
    out[pd.isna(out)] = None
    return out


def _as_text(values: np.ndarray) -> np.ndarray:
    """Deal ids as str (``str`` of any other value, as ``astype(str)`` gives)."""
    return np.fromiter((v if type(v) is str else str(v) for v in values), dtype=object,
                       count=len(values))


class _Info:
    """The per-deal detail the search carries (:data:`_INFO_COLUMNS`), one array per column,
    read where it is needed: the columns of a large table are its own arrays, not copied
    and not cleaned; a blank may be None, NaN or NA until :meth:`take` or :meth:`text` reads
    it (the per-hop ranks treat every blank alike)."""

    __slots__ = ("_cols",)

    def __init__(self, columns: dict[str, Any]) -> None:
        self._cols = {k: (np.asarray(columns.get(k, np.zeros(len(columns["deal_id"]), bool)),
                                     dtype=bool) if k in _FLAG_COLUMNS
                          else _objects(columns[k])) for k in _INFO_COLUMNS}

    def raw(self, name: str) -> np.ndarray:
        """Every deal's cell as given (read only)."""
        return self._cols[name]

    def ids(self, rows: np.ndarray) -> np.ndarray:
        """The deal ids of ``rows``, as str."""
        return _as_text(self._cols["deal_id"][rows])

    def text(self, name: str, rows: np.ndarray) -> np.ndarray:
        """The cells of ``rows``, blanks as None."""
        return _blanks_as_none(self._cols[name][rows])

    def take(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """Every column at ``rows``: ids as str, text with blanks as None."""
        out = {k: self.text(k, rows) for k in _INFO_COLUMNS
               if k != "deal_id" and k not in _FLAG_COLUMNS}
        return {"deal_id": self.ids(rows), **{k: self._cols[k][rows] for k in _FLAG_COLUMNS},
                **out}


def _ordinals(values: Any) -> np.ndarray:
    """:func:`_ordinal` of each value, computed once per distinct value (a large table has
    few distinct dates)."""
    s = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object))
    if np.issubdtype(s.dtype, np.datetime64):
        return _to_day(s.to_numpy(), len(s))
    kept = _checks.recall(s)  # the codes filter_deals kept for its date columns
    codes, uniques = kept if kept is not None else pd.factorize(s, use_na_sentinel=True)
    table = np.fromiter((_ordinal(u) for u in uniques), np.int64, len(uniques))
    return np.append(table, np.int64(-1))[codes]


def _vertex_codes(s: pd.Series, t: pd.Series) -> tuple[list[Any], np.ndarray, np.ndarray]:
    """Sorted labels and the vertex id of each payer and payee, vectorised (one hash pass)."""
    m = len(s)
    if m >= _VERTEX_ARROW_MIN:
        fast = _recalled_vertex_codes(s, t)
        if fast is None:
            fast = _text_vertex_codes(s, t)
        if fast is not None:
            return fast
    try:
        both = pd.concat([s, t], ignore_index=True)
        codes, uniques = pd.factorize(both, sort=True, use_na_sentinel=True)
        labels = list(uniques)
        if (codes < 0).any() or labels != _sorted_labels(labels):
            raise TypeError
    except TypeError:  # labels of mixed types, or blanks: sort them as Python does
        labels = _sorted_labels(set(s).union(t))
        index = {n: i for i, n in enumerate(labels)}
        return (labels, np.fromiter((index[u] for u in s), np.int64, m),
                np.fromiter((index[v] for v in t), np.int64, m))
    codes = codes.astype(np.int64)
    return labels, codes[:m], codes[m:]


_VERTEX_ARROW_MIN = 4096
"""Tables from this many deals up take their vertex ids from pyarrow (:func:`_text_vertex_codes`)."""


def _recalled_vertex_codes(s: pd.Series, t: pd.Series
                           ) -> tuple[list[Any], np.ndarray, np.ndarray] | None:
    """:func:`_vertex_codes` from the codes the reader kept for these very columns
    (:func:`_checks.recall`, which checks every cell): only their distinct names are hashed
    and sorted. None when either column was not kept or has a blank."""
    got = [_checks.recall(x) for x in (s, t)]
    if any(g is None or (g[0] < 0).any() for g in got):
        return None
    (cs, us), (ct, ut) = got
    ucodes, names = pd.factorize(np.concatenate([us, ut]), use_na_sentinel=True)
    order = np.array(sorted(range(len(names)), key=names.__getitem__), dtype=np.int64)
    rank = np.empty(len(names), dtype=np.int64)  # all str: sorted in Python's order
    rank[order] = np.arange(len(names), dtype=np.int64)
    per = rank[ucodes]
    return (np.asarray(names, dtype=object)[order].tolist(), per[:len(us)][cs],
            per[len(us):][ct])


def _text_vertex_codes(s: pd.Series, t: pd.Series
                       ) -> tuple[list[Any], np.ndarray, np.ndarray] | None:
    """:func:`_vertex_codes` of payer and payee columns that hold only text, with pyarrow's
    hash and sort (about twice as fast as pandas' on Python strings); None when some cell is
    blank or not text (the general path then decides). UTF-8 bytes sort in code-point
    order, which is the order ``sorted`` gives Python strings."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        both = pa.concat_arrays([pa.array(np.asarray(x, dtype=object), type=pa.string())
                                 for x in (s, t)])
    except (pa.ArrowException, TypeError, ValueError, UnicodeError):
        return None  # numbers, other objects or text that is not valid Unicode
    if both.null_count:
        return None
    enc = both.dictionary_encode()
    order = pc.array_sort_indices(enc.dictionary).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    codes = rank[enc.indices.to_numpy(zero_copy_only=False)]
    labels = enc.dictionary.take(pa.array(order)).to_pylist()
    m = len(s)
    return labels, codes[:m], codes[m:]


def _from_frame(df: pd.DataFrame, weight: str) -> _Deals:
    from .graph import edge_columns

    cols = set(df.columns)
    pair = edge_columns(df)
    if pair is None:
        raise ParameterError("an edges table needs columns source/target or payer/payee")
    s_col, t_col = pair
    labels, src, dst = _vertex_codes(df[s_col], df[t_col])
    m = len(df)
    if weight not in cols:
        hint = " (a deals table: use build_graph first)" if "amount_usd_bn" in cols else ""
        raise ParameterError(f"the edges table has no {weight!r} column; pass weight=...{hint}")
    amount = pd.to_numeric(df[weight], errors="coerce").to_numpy(np.float64)
    low = (pd.to_numeric(df["amount_low"], errors="coerce").to_numpy(np.float64)
           if "amount_low" in cols else amount.copy())
    high = (pd.to_numeric(df["amount_high"], errors="coerce").to_numpy(np.float64)
            if "amount_high" in cols else amount.copy())
    dlo = _ordinals(df["date_lo"]) if "date_lo" in cols else np.full(m, -1, np.int64)
    dhi = _ordinals(df["date_hi"]) if "date_hi" in cols else dlo.copy()

    def col(name: str) -> np.ndarray:  # as given: blanks are read as None where used
        if name in cols:
            return df[name].to_numpy(dtype=object)
        return np.full(m, None, dtype=object)

    def true(name: str) -> np.ndarray:
        return _checks.is_true(df[name]) if name in cols else np.zeros(m, bool)

    ids = (col("deal_id") if "deal_id" in cols else col("key") if "key" in cols
           else np.array([f"row {i}" for i in range(m)], dtype=object))
    info = _Info({
        "deal_id": ids,
        "flow_type": col("flow_type"),
        "status": col("status"),
        "confidence": col("confidence"),
        "date": col("announced"),
        "date_lo": col("date_lo"),
        "date_hi": col("date_hi"),
        "estimate": true("estimate") | true("midpoint"),
        "conditional": true("conditional"),
        "source_url": col("source_url"),
        "source_title": col("source_title"),
    })
    # a filter_deals table says its scenario, as a graph of build_graph does
    return _Deals(np.array(labels, dtype=object), src, dst, amount, low, high, dlo, dhi, info,
                  True, weight, df.attrs.get("scenario"))


def _as_deals(G: Any, weight: str) -> _Deals:
    if isinstance(G, pd.DataFrame):
        return _from_frame(G, weight)
    if is_graph(G):
        if not G.is_directed():
            raise ParameterError("cycles need a directed graph (payer -> payee)")
        from .graph import check_weight

        check_weight(G, weight)
        if G.is_multigraph():
            return _from_multigraph(G, weight)
        return _from_digraph(G, weight)
    raise ParameterError("expected a networkx DiGraph/MultiDiGraph or an edges DataFrame")


# --------------------------------------------------------------------------- hops
@dataclass
class _Hops:
    src: np.ndarray
    dst: np.ndarray
    amount: np.ndarray  # sum of known deal amounts; NaN if none known
    low: np.ndarray
    high: np.ndarray
    has_unknown: np.ndarray
    n_deals: np.ndarray
    dptr: np.ndarray  # deals of hop h: dorder[dptr[h]:dptr[h+1]]
    dorder: np.ndarray  # deal row per sorted deal position
    dlo: np.ndarray  # per sorted deal position
    dhi: np.ndarray
    minhi: np.ndarray
    maxlo: np.ndarray
    dated: np.ndarray
    undated_any: np.ndarray
    status_rank: np.ndarray  # weakest per hop, _MISSING_RANK if none
    conf_rank: np.ndarray
    ftype_mask: np.ndarray
    estimate: np.ndarray
    ftype_names: list[str]
    n_self_loops: int


def _sum_known(values: np.ndarray, starts: np.ndarray, n_known: np.ndarray) -> np.ndarray:
    """Per hop, the sum of its deals' known values (NaN when none is known)."""
    if values.shape[0] == 0:
        return np.zeros(0)
    total = np.add.reduceat(np.where(np.isnan(values), 0.0, values), starts)
    total[n_known == 0] = np.nan
    return total


def _hop_reduce_numpy(starts: np.ndarray, amount: np.ndarray, low: np.ndarray,
                      high: np.ndarray, partly: np.ndarray | None, dlo: np.ndarray,
                      dhi: np.ndarray, srank: np.ndarray | None, crank: np.ndarray | None,
                      fmask: np.ndarray | None, est: np.ndarray | None) -> tuple:
    """:func:`flowgraph._cycles_kernels.hop_reduce` with numpy's ``reduceat`` (same answers;
    faster for the small networks searched without compiled code)."""
    nh = starts.shape[0]
    if amount.shape[0] == 0:
        z = np.zeros(0, np.int64)
        return z, z, z, np.zeros(0, bool), z, z, z, z, z, z, np.zeros(0, bool)

    def count(mask: np.ndarray) -> np.ndarray:
        return np.add.reduceat(mask.astype(np.int64), starts)

    dated = dlo >= 0
    any_partly = (np.logical_or.reduceat(partly, starts) if partly is not None
                  else np.zeros(nh, bool))
    if srank is not None:
        status = np.minimum.reduceat(srank, starts)
        conf = np.minimum.reduceat(crank, starts)
        ftype = np.bitwise_or.reduceat(fmask, starts)
        estimate = np.logical_or.reduceat(est, starts)
    else:
        status = np.full(nh, _MISSING_RANK, np.int64)
        conf = np.full(nh, _MISSING_RANK, np.int64)
        ftype = np.zeros(nh, np.int64)
        estimate = np.zeros(nh, bool)
    return (count(~np.isnan(amount)), count(~np.isnan(low)), count(~np.isnan(high)),
            any_partly, np.minimum.reduceat(np.where(dated, dhi, _BIG), starts),
            np.maximum.reduceat(np.where(dated, dlo, -_BIG), starts), count(dated),
            status, conf, ftype, estimate)


def _factors_at(values: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(values[rows])``'s codes and uniques (blanks -1), from the codes the
    reader kept for the column when it can (:func:`_checks.recall`); the uniques' order
    then is the table's, not the rows'."""
    kept = _checks.recall(values)
    if kept is not None:
        return kept[0][rows], kept[1]
    codes, uniques = pd.factorize(np.asarray(values, dtype=object)[rows], use_na_sentinel=True)
    return codes, uniques


def _ranks(values: np.ndarray, order: tuple[str, ...]) -> np.ndarray:
    """Position of each value in ``order`` (weakest first), :data:`_MISSING_RANK` when blank or
    not one of them."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    return _rank_codes(codes, uniques, order)


def _rank_codes(codes: np.ndarray, uniques: np.ndarray, order: tuple[str, ...]) -> np.ndarray:
    """:func:`_ranks` of factorized values (codes -1 for a blank)."""
    rank = {v: i for i, v in enumerate(order)}
    per = np.array([rank.get(u, _MISSING_RANK) for u in uniques] + [_MISSING_RANK],
                   dtype=np.int64)  # once per distinct value; the last for a blank
    return per[codes]


def _by_deal_id(order: np.ndarray, first: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """``order`` (deal rows sorted by pair, a pair's run starting where ``first``) with each
    pair's deals sorted by deal id (ties in row order). Only the pairs with several deals are
    sorted, so a network of one deal per pair sorts no text."""
    group = np.cumsum(first) - 1
    size = np.bincount(group)
    multi = np.flatnonzero(size[group] > 1)
    if multi.shape[0]:
        rank = pd.factorize(_as_text(ids[order[multi]]), sort=True)[0]
        order = order.copy()
        order[multi] = order[multi][np.lexsort((rank, group[multi]))]
    return order


def _build_hops(D: _Deals) -> _Hops:
    keep = D.src != D.dst
    n_self = int((~keep).sum())
    rows = np.flatnonzero(keep)
    from . import _cycle_engine
    from ._circulation_engine import pair_order
    from ._numba import warm

    # compiled only once numba is loaded: the sort alone never pays for loading it
    order = rows[pair_order(D.src[rows], D.dst[rows], len(D.labels), compiled=warm())]
    s, t = D.src[order], D.dst[order]
    m = order.shape[0]
    first = np.ones(m, bool)
    if m:
        first[1:] = (s[1:] != s[:-1]) | (t[1:] != t[:-1])
    if D.info is not None and m:
        order = _by_deal_id(order, first, D.info.raw("deal_id"))
    starts = np.flatnonzero(first)
    dptr = np.append(starts, m).astype(np.int64)
    amount_d, low_d, high_d = D.amount[order], D.low[order], D.high[order]
    n_deals = np.diff(dptr)
    partly = getattr(D, "partly_unknown", None)
    partly_d = partly[order] if partly is not None and m else None
    dlo, dhi = D.dlo[order], D.dhi[order]
    ftype_names = list(schema.FLOW_TYPES)
    if D.info is not None and m:
        info = D.info
        srank_d = _rank_codes(*_factors_at(info.raw("status"), order), schema.STATUSES)
        crank_d = _rank_codes(*_factors_at(info.raw("confidence"), order), schema.CONFIDENCES)
        fcodes, funiq = _factors_at(info.raw("flow_type"), order)
        ucode = []
        for x in funiq:
            if x not in ftype_names:
                ftype_names.append(str(x))
            ucode.append(ftype_names.index(x))
        codes_a = np.append(np.array(ucode, np.int64), np.int64(-1))[fcodes]
        fmask_d = np.where(codes_a >= 0, np.left_shift(np.int64(1), np.maximum(codes_a, 0)),
                           0).astype(np.int64)
        est_d = np.asarray(info.raw("estimate")[order], dtype=bool)
    else:
        srank_d = crank_d = fmask_d = est_d = None
    if _cycle_engine.compiled_reductions(starts.shape[0]):
        (n_amount, n_low, n_high, any_partly, minhi, maxlo, n_dated, status_rank, conf_rank,
         ftype_mask, estimate) = _cycle_engine.hop_reduce(
            starts, amount_d, low_d, high_d, partly_d, dlo, dhi, srank_d, crank_d, fmask_d,
            est_d, big=_BIG, missing=_MISSING_RANK)
    else:
        (n_amount, n_low, n_high, any_partly, minhi, maxlo, n_dated, status_rank, conf_rank,
         ftype_mask, estimate) = _hop_reduce_numpy(
            starts, amount_d, low_d, high_d, partly_d, dlo, dhi, srank_d, crank_d, fmask_d,
            est_d)
    amount = _sum_known(amount_d, starts, n_amount)
    low = _sum_known(low_d, starts, n_low)
    high = _sum_known(high_d, starts, n_high)
    has_unknown = (n_amount < n_deals) | any_partly
    dated = n_dated > 0
    undated_any = n_dated < n_deals
    return _Hops(s[starts], t[starts], amount, low, high, has_unknown, n_deals, dptr, order,
                 dlo, dhi, minhi, maxlo, dated, undated_any, status_rank, conf_rank,
                 ftype_mask, estimate, ftype_names, n_self)


# --------------------------------------------------------------------------- ranking
def _cycle_order(lengths: np.ndarray, seq: np.ndarray, rt: np.ndarray,
                 by_length: bool = False) -> np.ndarray:
    """Order of cycles: round trip descending (NaN last), then vertex sequence.

    With ``by_length``, shorter cycles come first (then the same order).
    """
    nc = lengths.shape[0]
    if nc == 0:
        return np.zeros(0, np.int64)
    width = int(lengths.max())
    starts = np.zeros(nc, np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    row = np.repeat(np.arange(nc), lengths)
    col = np.arange(seq.shape[0]) - np.repeat(starts, lengths)
    mat = np.full((nc, width), -1, np.int64)
    mat[row, col] = seq
    key = np.where(np.isnan(rt), np.inf, -rt)
    keys = [mat[:, j] for j in range(width - 1, -1, -1)] + [key]
    if by_length:
        keys.append(lengths)
    return np.lexsort(keys)


def _top_order(lengths: np.ndarray, seq: np.ndarray, rt: np.ndarray, keep_n: int | None,
               by_length: bool = False) -> np.ndarray:
    """The first ``keep_n`` positions of :func:`_cycle_order` (all when ``keep_n`` is None).

    The leading keys (length with ``by_length``, then round trip) first pick the candidates,
    ties at the cut included, so the full sort runs only on about ``keep_n`` cycles.
    """
    nc = lengths.shape[0]
    if keep_n is None or nc <= keep_n:
        return _cycle_order(lengths, seq, rt, by_length)
    if keep_n == 0:
        return np.zeros(0, np.int64)
    key = np.where(np.isnan(rt), np.inf, -rt)
    if by_length:
        cut_len = np.partition(lengths, keep_n - 1)[keep_n - 1]
        cand = lengths < cut_len
        at = np.flatnonzero(lengths == cut_len)
        need = keep_n - int(cand.sum())
        cut_key = np.partition(key[at], need - 1)[need - 1]
        cand[at[key[at] <= cut_key]] = True
    else:
        cand = key <= np.partition(key, keep_n - 1)[keep_n - 1]
    idx = np.flatnonzero(cand)
    ln_c, seq_c = _take(lengths, seq, idx)
    return idx[_cycle_order(ln_c, seq_c, rt[idx], by_length)[:keep_n]]


def _keep_top(ln: np.ndarray, ed: np.ndarray, rt: np.ndarray, hsrc: np.ndarray,
              keep_n: int | None, by_length: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The first ``keep_n`` cycles in the final order (all when ``keep_n`` is None): the
    order is total, so trimming a part of the cycles never changes the final top."""
    if keep_n is None or ln.shape[0] <= keep_n:
        return ln, ed, rt
    o = _top_order(ln, hsrc[ed], rt, keep_n, by_length)
    ln2, ed2 = _take(ln, ed, o)
    return ln2, ed2, rt[o]


def _take(lengths: np.ndarray, flat: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    starts = np.zeros(lengths.shape[0], np.int64)
    if lengths.shape[0]:
        np.cumsum(lengths[:-1], out=starts[1:])
    ln = lengths[idx]
    if ln.shape[0] == 0:
        return ln, np.zeros(0, flat.dtype)
    offs = np.repeat(starts[idx], ln) + (np.arange(ln.sum()) - np.repeat(np.cumsum(ln) - ln, ln))
    return ln, flat[offs]


# --------------------------------------------------------------------------- formatting
def _money(x: float) -> str:
    """A loop sentence's amount: the one money format, undisclosed when unknown."""
    return money(x, unknown="an undisclosed amount")


def _range_money(lo: float, hi: float) -> str:
    return money_range(lo, hi, unknown="an undisclosed amount")


_VERBS: dict[str, str] = {
    "equity_investment": "invests {amt} in {payee}",
    "compute_contract": "commits {amt} to {payee} for cloud compute",
    "chip_purchase": "buys {amt} of chips from {payee}",
    "lease": "leases {amt} of capacity from {payee}",
    "capacity_backstop": "guarantees to buy {amt} of capacity from {payee}",
    "revenue_share": "pays {amt} in revenue share to {payee}",
    "debt_financing": "lends {amt} to {payee}",
    "warrant": "grants {payee} warrants worth {amt}",
    "acquisition": "pays {payee} {amt} in an acquisition",
    "other": "pays {amt} to {payee}",
}


def _clause_amount(amounts: list[float], lows: list[float], highs: list[float],
                   estimate: bool) -> str:
    known = [a for a in amounts if not math.isnan(a)]
    # a deal with no point amount may still have a reported floor ("more than $X") or cap
    # ("up to $X"): the clause says what is reported, never "undisclosed" over a figure
    floors = [lo for a, lo in zip(amounts, lows) if math.isnan(a) and not math.isnan(lo)]
    caps = [hi for a, lo, hi in zip(amounts, lows, highs)
            if math.isnan(a) and math.isnan(lo) and not math.isnan(hi)]
    if not known:
        if floors:
            return f"at least {_money(sum(floors))}"
        if caps and len(caps) == len(amounts):
            return f"up to {_money(sum(caps))}"
        return "an undisclosed amount"
    total = sum(known)
    if len(known) < len(amounts):
        return f"at least {_money(total + sum(floors))}"
    if estimate:
        lo = sum(x for x in lows if not math.isnan(x))
        hi = sum(x for x in highs if not math.isnan(x))
        if hi > lo:
            return f"an estimated {_range_money(lo, hi)}"
        return f"an estimated {_money(total)}"
    return _money(total)


def _conditional_words(ds: list[dict[str, Any]]) -> str:
    """How much of a clause's money is conditional, in words ("" when none is)."""
    cond = [d for d in ds if d.get("conditional")]
    if not cond:
        return ""
    if len(cond) == len(ds):
        return basis_words(conditional=True)
    part = sum(d["amount"] for d in cond if not math.isnan(d["amount"]))
    return f"{_money(part)} of it conditional" if part > 0 else "partly conditional"


def _hop_sentence(payer: str, payee: str, deals: list[dict[str, Any]]) -> str:
    """One hop in words: per flow type the amount (estimated ones as a range, see
    :func:`_clause_amount`), then in brackets the weakest status when only announced or
    rumored, or "disbursed" when every deal of it is (the verb says what was agreed, the
    bracket that the money has moved), and the conditional money ("up to", milestones,
    letters of intent)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for d in deals:
        groups.setdefault(d.get("flow_type") or "other", []).append(d)
    parts = []
    for ftype, ds in groups.items():
        amt = _clause_amount([d["amount"] for d in ds], [d["low"] for d in ds],
                             [d["high"] for d in ds], any(d.get("estimate") for d in ds))
        verb = _VERBS.get(ftype, _VERBS["other"]).format(amt=amt, payee=payee)
        stat = sorted({d.get("status") for d in ds} & {"announced", "rumored"},
                      key=lambda s: schema.STATUSES.index(s))
        if all(d.get("status") == "disbursed" for d in ds):
            stat = ["disbursed"]
        marks = [w for w in (stat[0] if stat else "", _conditional_words(ds)) if w]
        if marks:
            verb += f" ({', '.join(marks)})"
        parts.append(verb)
    return f"{payer} " + " and ".join(parts)


def _ending(start: str, rt: float, bound: str, estimate: tuple[float, float] | None = None,
            conditional: bool = False) -> str:
    """The closing sentence; ``estimate`` is the (low, high) range when the round trip rests
    on an estimated amount (or a range midpoint), which is then told as a range, never as
    the midpoint; ``conditional`` when it rests on a conditional amount
    (:func:`_round_trip_basis`), which the sentence then says."""
    if bound == "unknown" or math.isnan(rt):
        return f"How much can come back to {start} is not known (amounts undisclosed)."
    amt = _money(rt)
    if estimate is not None:
        lo, hi = estimate
        amt = "an estimated " + (_range_money(lo, hi) if hi > lo else amt)
    back = f"can come back to {start}" + (" if the conditional amounts are paid"
                                          if conditional else "")
    if bound == "upper":
        return f"At most {amt} {back} (some amounts undisclosed)."
    if bound == "lower":
        return f"At least {amt} {back} (some amounts undisclosed)."
    if bound == "approximate":
        return f"By the disclosed amounts, up to {amt} {back} (some amounts undisclosed)."
    return f"Up to {amt} {back}."


def _estimated_round_trip(H: _Hops, hops: list[int], rt: float) -> tuple[float, float]:
    """(low, high) of a round trip that rests on an estimate (:func:`_round_trip_basis`
    says which do)."""
    known = [h for h in hops if not math.isnan(H.amount[h])]
    lo = min(H.low[h] if not math.isnan(H.low[h]) else H.amount[h] for h in known)
    hi = min(H.high[h] if not math.isnan(H.high[h]) else H.amount[h] for h in known)
    return float(lo), float(hi)


# --------------------------------------------------------------------------- validation
def _check_params(max_length: Any, min_amount: Any, limit: Any, window: Any) -> None:
    if max_length is not None and (isinstance(max_length, bool)
                                   or not isinstance(max_length, (int, np.integer))
                                   or max_length < 2):
        raise ParameterError(f"max_length must be an integer >= 2 (or None), got {max_length!r}")
    if min_amount is not None:
        try:
            ok = float(min_amount) >= 0 and not math.isnan(float(min_amount))
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ParameterError(f"min_amount must be a number >= 0, got {min_amount!r}")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, np.integer))
                              or limit < 0):
        raise ParameterError(f"limit must be an integer >= 0 (or None), got {limit!r}")
    if window is not None and (isinstance(window, bool)
                               or not isinstance(window, (int, np.integer)) or window < 0):
        raise ParameterError(f"window must be a whole number of days >= 0, got {window!r}")


def _resolve_through(D: _Deals, through: Any) -> np.ndarray:
    if through is None:
        return np.zeros(0, np.int64)
    names = [through] if isinstance(through, str) else list(through)
    labels = list(D.labels)
    index = {n: i for i, n in enumerate(labels)}
    out = []
    for name in names:
        if name in index:
            out.append(index[name])
            continue
        found = check_company(labels, name) if isinstance(name, str) else None
        if found is None:
            from .errors import UnknownCompanyError

            raise UnknownCompanyError(f"unknown company {name!r}")
        out.append(index[found])
    return np.unique(np.array(out, np.int64))


# --------------------------------------------------------------------------- main entry
def _run(
    D: _Deals,
    *,
    max_length: int | None,
    min_amount: float | None,
    through: Any,
    time_ordered: bool,
    window: int | None,
    limit: int | None,
    describe: bool,
    progress: Callable[[str], None] | None,
    sort: str = "round_trip",
    max_work: int | None = None,
    max_loops: int | None = None,
) -> CycleResult:
    """The search and its tables: every public entry point ends here."""
    max_work = _check_run_options(sort, max_length, min_amount, limit, window, max_work,
                                  max_loops)
    by_length = sort == "length"
    need = _resolve_through(D, through)
    H = _build_hops(D)
    n = len(D.labels)
    L = int(max_length) if max_length is not None else max(n, 2)
    L = max(2, min(L, max(n, 2)))
    pos = _allowed_hops(H, min_amount, time_ordered)
    win = -1 if window is None else int(window)
    keep_n = None if limit is None else int(limit)
    if progress is not None:
        progress(f"cycles: searching {n:,} companies, {pos.shape[0]:,} hops, "
                 f"up to {L} hops per loop")
    stopped: dict[str, Any] = {}
    ln, ed, rt, n_found, vcount, vsum, vmax, ecount, interpreted = _search(
        n, H, pos, L, need, min_on=min_amount is not None, time_on=bool(time_ordered),
        window=win, keep_n=keep_n, by_length=by_length, progress=progress,
        max_work=max_work, max_loops=max_loops, stopped=stopped)
    complete = "reason" not in stopped
    if progress is not None:
        progress(f"cycles: {n_found:,} loops found; "
                 + ("done" if complete else "stopped early, done"))
    hsrc_pos = H.src[pos]
    exact_up_to = None  # the length up to which a shorter search found every loop
    if stopped.get("reason") == "work" and by_length and keep_n:
        shortest = _shortest_first(n, H, pos, L, need, min_on=min_amount is not None,
                                   time_on=bool(time_ordered), window=win, keep_n=keep_n,
                                   max_work=max_work)
        if shortest is not None:
            ln, ed, rt, interpreted, exact_up_to = shortest
    ln, ed = _take(ln, ed, _top_order(ln, hsrc_pos[ed], rt, keep_n, by_length))
    truncated = (keep_n is not None and n_found > keep_n) or not complete
    labels = D.labels
    part = _participation(labels, vcount, vsum, vmax, n_found, complete)
    hp = _hop_participation(labels[hsrc_pos], labels[H.dst[pos]], ecount)
    cycles, hops, deals = _detail(D, H, ln, pos[ed], win, describe,
                                  interpreted and ln.shape[0] <= 5_000)
    params = {"max_length": max_length, "min_amount": min_amount, "sort": sort,
              "through": [str(labels[i]) for i in need] or None,
              "time_ordered": bool(time_ordered), "window": window, "weight": D.weight,
              "scenario": D.scenario, "max_work": max_work, "max_loops": max_loops,
              "stopped": stopped.get("reason"),
              "listing": "exact" if complete or exact_up_to is not None else "found"}
    notes = _run_notes(H.n_self_loops, n_found, stopped.get("reason"), truncated,
                       max_work=max_work, max_loops=max_loops, sort=sort, keep_n=keep_n,
                       exact_up_to=exact_up_to, shown=int(ln.shape[0]))
    return CycleResult(cycles, hops, deals, part, hp, int(n_found), bool(truncated), keep_n,
                       params, H.n_self_loops, notes, complete, int(stopped.get("steps", 0)))


def _shortest_first(n: int, H: _Hops, pos: np.ndarray, L: int, need: np.ndarray, *,
                    min_on: bool, time_on: bool, window: int, keep_n: int,
                    max_work: int | None) -> tuple[Any, ...] | None:
    """The ``keep_n`` shortest loops of a search that stopped at its work cap, when shorter
    searches find them within one more cap of work; else None.

    A search of loops of at most ``k`` hops that runs to the end finds every loop of up to
    ``k`` hops, so once it finds ``keep_n`` of them its first ``keep_n`` in the shortest-
    first order are the first of all loops (any longer loop comes after them). ``k`` goes
    up from 2 while the loops found are fewer; the searches share one more work cap
    (``max_work``). Returns ``(lengths, edges, round trips, interpreted, k)``.
    """
    left = max_work
    for k in range(2, L):
        stopped: dict[str, Any] = {}
        ln, ed, rt, found, *_rest, interpreted = _search(
            n, H, pos, k, need, min_on=min_on, time_on=time_on, window=window,
            keep_n=keep_n, by_length=True, progress=None,
            max_work=None if left is None else max(left, 1), max_loops=None,
            stopped=stopped)
        if "reason" in stopped:
            return None
        if left is not None:
            left -= int(stopped.get("steps", 0))
        if found >= keep_n:
            return ln, ed, rt, interpreted, k
        if left is not None and left <= 0:
            return None
    return None


def _check_run_options(sort: str, max_length: Any, min_amount: Any, limit: Any, window: Any,
                       max_work: Any, max_loops: Any) -> int | None:
    """Check the options of a search; returns the work cap it uses (:func:`_work_cap`)."""
    from ._params import whole

    whole("max_work", max_work, minimum=1)
    whole("max_loops", max_loops, minimum=1)
    if sort not in SORTS:
        raise ParameterError(f"unknown sort {sort!r}; valid: {', '.join(SORTS)}")
    _check_params(max_length, min_amount, limit, window)
    return _work_cap(max_work)


def _allowed_hops(H: _Hops, min_amount: float | None, time_ordered: bool) -> np.ndarray:
    """Positions of the hops that can be on a qualifying loop (the search prunes the rest)."""
    allowed = np.ones(H.src.shape[0], bool)
    if min_amount is not None:
        allowed &= (H.amount >= float(min_amount)) | np.isnan(H.amount)
    if time_ordered:
        allowed &= H.dated
    return np.flatnonzero(allowed)


def _search(n: int, H: _Hops, pos: np.ndarray, L: int, need: np.ndarray, *, min_on: bool,
            time_on: bool, window: int, keep_n: int | None, by_length: bool,
            progress: Callable[[str], None] | None, max_work: int | None,
            max_loops: int | None, stopped: dict[str, Any]) -> tuple[Any, ...]:
    """Run the engine (or its cluster version) on the allowed hops, keeping the best
    ``keep_n`` loops as it goes; :func:`flowgraph._cycle_engine.run_search`'s result."""
    from . import _cycle_engine as eng
    from . import distributed

    hsrc_pos = H.src[pos]

    def keep_top(ln: np.ndarray, ed: np.ndarray, rt: np.ndarray):
        return _keep_top(ln, ed, rt, hsrc_pos, keep_n, by_length)

    def report(done: int, total: int, found: int) -> None:
        if progress is not None:  # the work share moves even while one start holds most loops
            pct = 100.0 * done / total if total else 100.0
            work = (f", {min(stopped.get('steps', 0) / max_work, 1.0):4.0%} of the work cap"
                    if max_work else "")
            progress(f"cycles: {pct:5.1f}% of start companies{work}, {found:,} loops found")

    search = eng.run_search
    if distributed.active() is not None:  # the same search, split by start vertex on a cluster
        search = distributed.cycle_searcher(keep_n, by_length)
    return search(
        n, hsrc_pos, H.dst[pos], H.amount[pos], H.minhi[pos], H.maxlo[pos],
        H.dptr[pos], H.dptr[pos + 1], H.dlo, H.dhi,
        max_len=L, need=need, min_on=min_on, time_on=time_on, window=window,
        keep_top=keep_top, progress=report if progress is not None else None,
        batch_cycles=_BATCH, py_steps=_PY_STEPS, max_steps=max_work, max_found=max_loops,
        stopped=stopped,
    )


def _participation(labels: np.ndarray, vcount: np.ndarray, vsum: np.ndarray,
                   vmax: np.ndarray, n_found: int, complete: bool) -> pd.DataFrame:
    """Loops per company (``CycleResult.participation``)."""
    n = labels.shape[0]
    part = pd.DataFrame({
        "company": labels,
        "n_cycles": vcount,
        "share": vcount / n_found if n_found else np.zeros(n),
        "round_trip_sum": np.where(vcount > 0, vsum, 0.0),
        "round_trip_max": vmax,
        "complete": np.full(n, complete),
    })
    return part.sort_values(["n_cycles", "company"], ascending=[False, True],
                            kind="stable").reset_index(drop=True)


def _hop_participation(payer: np.ndarray, payee: np.ndarray, ecount: np.ndarray
                       ) -> pd.DataFrame:
    """Loops per hop on at least one loop (``CycleResult.hop_participation``)."""
    on = np.flatnonzero(ecount > 0)  # before the frame: most hops of a large network are on none
    hp = pd.DataFrame({"payer": payer[on], "payee": payee[on], "n_cycles": ecount[on]})
    hp = hp.sort_values(["n_cycles", "payer", "payee"], ascending=[False, True, True],
                        kind="stable")
    return hp.reset_index(drop=True)


def _run_notes(n_self_loops: int, n_found: int, reason: str | None, truncated: bool, *,
               max_work: int | None, max_loops: int | None, sort: str,
               keep_n: int | None, exact_up_to: int | None = None,
               shown: int = 0) -> tuple[str, ...]:
    """The notes of a search: how amounts and dates are read, and where it stopped."""
    notes = [
        "Round trip = smallest hop amount (the most that can go all the way round once). "
        "Hop amounts add up the deals with a known amount; unknown amounts are never "
        "counted as zero: a loop with an undisclosed hop shows the round trip of its known "
        "hops as an upper bound ('<=').",
        "Time order: a deal counts as before another only when its whole date range ends "
        "before the other's begins (a year-only date does not order against the same year); "
        "'concurrent' loops could be in order only if deals with overlapping dates (such as "
        "a package announced the same day) happened at the same time.",
    ]
    if n_self_loops:
        notes.append(f"{schema.count_noun(n_self_loops, 'deal')} with payer == payee ignored.")
    if reason is not None:
        work = reason == "work"
        cap = (f"the work cap of {max_work:,} hops examined" if work
               else f"the cap of {max_loops:,} loops")
        helps = ("use a smaller --max-length or a --min-amount, or raise the cap (--max-work; "
                 "max_work=None searches without a cap)" if work else "raise --max-loops")
        shown_words = (
            f"the loops shown are {order_label(sort, shown)} of all loops (a search of the "
            f"loops of up to {exact_up_to} hops ran to the end)" if exact_up_to is not None
            else "the loops shown are the first in this order among those found, not "
            "necessarily overall")
        notes.append(
            f"The search stopped early at {cap}: there are at least {n_found:,} loops; "
            f"{shown_words}, and the counts per company cover the loops found. To search "
            f"fully, {helps}.")
    elif truncated:
        notes.append(listed_note(n_found, sort, keep_n))
    return tuple(notes)


class _Layout(NamedTuple):
    """Where each loop's hops sit in the flat hop array: loop ``c`` is
    ``hop_flat[starts[c]:starts[c] + lengths[c]]``; ``cyc_of`` is the loop of each entry."""

    lengths: np.ndarray
    hop_flat: np.ndarray
    starts: np.ndarray
    ptr: np.ndarray
    cyc_of: np.ndarray


def _layout(lengths: np.ndarray, hop_flat: np.ndarray) -> _Layout:
    nc = lengths.shape[0]
    starts = np.zeros(nc, np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    ptr = np.append(starts, hop_flat.shape[0]).astype(np.int64)
    return _Layout(lengths, hop_flat, starts, ptr, np.repeat(np.arange(nc), lengths))


def _round_trips(H: _Hops, lay: _Layout) -> dict[str, np.ndarray]:
    """Round trip, its bound and its scenario ends, gross and the limiting hop per loop."""
    hop_flat, starts, cyc_of, lengths = lay.hop_flat, lay.starts, lay.cyc_of, lay.lengths
    nc = lengths.shape[0]
    amt = H.amount[hop_flat]
    rt = np.fmin.reduceat(amt, starts)  # NaN only when every hop is unknown
    rt_low = np.fmin.reduceat(H.low[hop_flat], starts)
    rt_high = np.fmin.reduceat(H.high[hop_flat], starts)
    gross = np.add.reduceat(np.nan_to_num(amt), starts)
    n_unknown_hops = np.add.reduceat(np.isnan(amt).astype(np.int64), starts)
    hop_unknown = H.has_unknown[hop_flat]
    # some hop attaining the minimum is fully known -> the real round trip is <= rt
    min_exact = np.logical_or.reduceat((amt == rt[cyc_of]) & ~hop_unknown, starts)
    bound = np.where(np.isnan(rt), "unknown",
                     np.where(n_unknown_hops > 0, np.where(min_exact, "upper", "approximate"),
                              np.where(min_exact, "exact", "lower")))
    # a bound the undisclosed amounts leave open is unknown (blank), not a copy of the other
    rt_low = np.where(np.isin(bound, ("upper", "approximate", "unknown")), np.nan, rt_low)
    rt_high = np.where(np.isin(bound, ("lower", "approximate", "unknown")), np.nan, rt_high)
    first_min = np.full(nc, -1, np.int64)
    idx = np.flatnonzero(amt == rt[cyc_of])
    if idx.shape[0]:
        cyc_ids, first = np.unique(cyc_of[idx], return_index=True)
        first_min[cyc_ids] = idx[first] - starts[cyc_ids]
    is_limiting = np.zeros(hop_flat.shape[0], bool)
    okm = first_min >= 0
    is_limiting[starts[okm] + first_min[okm]] = True
    return {"amt": amt, "rt": rt, "bound": bound, "upper": (n_unknown_hops > 0) & min_exact,
            "has_unknown": np.logical_or.reduceat(hop_unknown, starts),
            "rt_low": rt_low, "rt_high": rt_high,
            "gross": np.where(n_unknown_hops == lengths, np.nan, gross),
            "first_min": first_min, "okm": okm, "is_limiting": is_limiting}


def _round_trip_basis(D: _Deals, H: _Hops, lay: _Layout, rt: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Per loop, whether its round trip rests on an estimate and on a conditional amount.

    It rests on an estimate when an estimated hop (an estimate or a range midpoint among its
    deals) sets it or could go below it (its low end under the round trip); on a
    conditional amount when some hop without its conditional deals ("up to", milestones,
    letters of intent) would carry less than the round trip. The one rule of the
    ``round_trip_basis`` column and of the loop sentences.
    """
    hop_flat, starts = lay.hop_flat, lay.starts
    nc = lay.lengths.shape[0]
    if nc == 0:
        return np.zeros(0, bool), np.zeros(0, bool)
    amt, low = H.amount[hop_flat], H.low[hop_flat]
    rtc = rt[lay.cyc_of]
    known = ~np.isnan(amt)
    with np.errstate(invalid="ignore"):
        est_hop = H.estimate[hop_flat] & known & ((amt <= rtc) | (low < rtc))
    estimated = np.logical_or.reduceat(est_hop, starts) & ~np.isnan(rt)
    conditional = np.zeros(nc, bool)
    if D.info is not None and H.dorder.shape[0]:
        cond_d = D.info.raw("conditional")[H.dorder]
        if cond_d.any():
            a_d = D.amount[H.dorder]
            part = np.add.reduceat(np.where(cond_d & ~np.isnan(a_d), a_d, 0.0), H.dptr[:-1])
            part = part[hop_flat]
            with np.errstate(invalid="ignore"):
                on = known & (part > 0) & (amt - part < rtc * (1 - 1e-12))
            conditional = np.logical_or.reduceat(on, starts) & ~np.isnan(rt)
    return estimated, conditional


def _time_orders(H: _Hops, lay: _Layout, window: int, interpreted: bool
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(span, start, chosen deal per hop, time_order label)`` per loop."""
    from . import _cycle_engine as eng

    def order(win: int, possible: bool = False) -> tuple[np.ndarray, ...]:
        return eng.time_order_many(lay.ptr, lay.hop_flat, H.dptr[:-1].copy(),
                                   H.dptr[1:].copy(), H.dlo, H.dhi, win, possible=possible,
                                   interpreted=interpreted)

    span, tstart, chosen = order(window)
    ordered = span >= 0
    concurrent = ~ordered & (order(-1, possible=True)[0] >= 0)
    if window >= 0 and concurrent.any():
        # A loop that is in order, but slower than the window, is not ordered within it;
        # it is not "concurrent" (its deals need not overlap in time at all).
        concurrent &= order(-1)[0] < 0
    undated = np.logical_or.reduceat(H.undated_any[lay.hop_flat], lay.starts)
    label = np.where(ordered, "ordered",
                     np.where(concurrent, "concurrent",
                              np.where(undated, "unknown", "not ordered"))).astype(object)
    return span, tstart, chosen, label


def _deal_positions(D: _Deals, H: _Hops, lay: _Layout) -> dict[str, Any]:
    """The deals of every hop of every loop (sorted deal positions, rows, ids per hop and
    per loop)."""
    hop_flat = lay.hop_flat
    hop_nd = H.n_deals[hop_flat]
    deal_pos = (np.repeat(H.dptr[hop_flat], hop_nd)
                + (np.arange(hop_nd.sum()) - np.repeat(np.cumsum(hop_nd) - hop_nd, hop_nd)))
    # deal ids at the sorted deal positions that are needed (all positions of used hops)
    used = np.unique(deal_pos)
    if D.info is not None:
        used_ids = D.info.ids(H.dorder[used])
    else:
        rows_u = H.dorder[used]
        used_ids = np.array([f"{D.labels[a]}->{D.labels[b]}" for a, b in
                             zip(D.src[rows_u], D.dst[rows_u])], dtype=object)
    ids_sorted = np.full(H.dorder.shape[0], None, dtype=object)
    ids_sorted[used] = used_ids
    ids_at = ids_sorted[deal_pos]  # deal ids in cycle, hop, deal order
    hop_deal_start = np.cumsum(hop_nd) - hop_nd
    if (hop_nd == 1).all():
        hop_ids = [(x,) for x in ids_at]
    else:
        hop_ids = [tuple(x) for x in np.split(ids_at, hop_deal_start[1:])]
    return {"pos": deal_pos, "hop": np.repeat(np.arange(hop_flat.shape[0]), hop_nd),
            "row": H.dorder[deal_pos], "ids_sorted": ids_sorted, "hop_ids": hop_ids,
            "cyc_ids": [tuple(x) for x in np.split(ids_at, hop_deal_start[lay.starts[1:]])]}


def _ftypes(H: _Hops, masks: np.ndarray) -> list[tuple[str, ...]]:
    """Sorted flow-type names of each bit mask."""
    uniq, inv = np.unique(masks, return_inverse=True)
    names = [tuple(sorted(H.ftype_names[i] for i in range(len(H.ftype_names))
                          if int(mk) >> i & 1)) for mk in uniq]
    return [names[i] for i in inv.ravel()]


def _rank_name(ranks: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """The name of each rank (None when blank)."""
    table = np.array([*names, None], dtype=object)
    return table[np.where((ranks >= 0) & (ranks < len(names)), ranks, len(names))]


def _detail(D: _Deals, H: _Hops, lengths: np.ndarray, hop_flat: np.ndarray, window: int,
            describe: bool, interpreted: bool = False,
            ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The ``cycles``, ``hops`` and ``deals`` tables of the loops kept."""
    if lengths.shape[0] == 0:
        return (pd.DataFrame(columns=list(CYCLE_COLUMNS)), pd.DataFrame(columns=list(HOP_COLUMNS)),
                pd.DataFrame(columns=list(DEAL_COLUMNS)))
    lay = _layout(lengths, hop_flat)
    trip = _round_trips(H, lay)
    timing = _time_orders(H, lay, window, interpreted)
    deals_at = _deal_positions(D, H, lay)
    payer = D.labels[H.src[hop_flat]]
    payee = D.labels[H.dst[hop_flat]]
    cycles = _cycles_table(D, H, lay, trip, timing, deals_at, payer, describe)
    ranks = cycles["rank"].to_numpy()
    hops = _hops_table(H, lay, trip, timing, deals_at, payer, payee, ranks)
    deals = _deals_table(D, lay, timing, deals_at, payer, payee, ranks, hops["hop"].to_numpy())
    return cycles, hops, deals


def _cycles_table(D: _Deals, H: _Hops, lay: _Layout, trip: dict[str, np.ndarray],
                  timing: tuple[np.ndarray, ...], deals_at: dict[str, Any],
                  payer: np.ndarray, describe: bool) -> pd.DataFrame:
    """One row per loop (:data:`CYCLE_COLUMNS`)."""
    hop_flat, starts, lengths = lay.hop_flat, lay.starts, lay.lengths
    nc = lengths.shape[0]
    span, tstart, _chosen, time_order = timing
    ordered = span >= 0
    companies = [tuple(x) for x in np.split(payer, starts[1:])]
    first_min, okm = trip["first_min"], trip["okm"]
    lim = np.maximum(first_min, 0)
    weakest = _rank_name(np.minimum.reduceat(H.status_rank[hop_flat], starts), schema.STATUSES)
    est_rt, cond_rt = _round_trip_basis(D, H, lay, trip["rt"])
    descriptions: list[str | None]
    if describe:
        descriptions = _describe(D, H, companies, lengths, starts, hop_flat, trip["rt"],
                                 trip["bound"], est_rt, cond_rt)
    else:
        descriptions = [None] * nc
    return pd.DataFrame({
        "rank": np.arange(1, nc + 1),
        "length": lengths.astype(np.int64),
        "path": [" -> ".join(map(str, (*c, c[0]))) for c in companies],
        "companies": companies,
        "round_trip": trip["rt"],
        "round_trip_bound": trip["bound"].astype(object),
        "round_trip_is_upper_bound": trip["upper"],
        "has_unknown": trip["has_unknown"],
        "round_trip_low": trip["rt_low"],
        "round_trip_high": trip["rt_high"],
        "gross": trip["gross"],
        "limiting_hop": first_min,
        "limiting_payer": np.where(okm, payer[starts + lim], None),
        "limiting_payee": np.where(okm, D.labels[H.dst[hop_flat]][starts + lim], None),
        "flow_types": _ftypes(H, np.bitwise_or.reduceat(H.ftype_mask[hop_flat], starts)),
        "weakest_status": weakest,
        "status_summary": [STATUS_SUMMARY.get(w) if w else None for w in weakest.tolist()],
        "lowest_confidence": _rank_name(np.minimum.reduceat(H.conf_rank[hop_flat], starts),
                                        schema.CONFIDENCES),
        "has_estimate": np.logical_or.reduceat(H.estimate[hop_flat], starts),
        "round_trip_basis": np.array([basis_words(estimated=e, conditional=c) for e, c in
                                      ((False, False), (True, False), (False, True),
                                       (True, True))], dtype=object)[
            est_rt.astype(np.int64) + 2 * cond_rt.astype(np.int64)],
        "time_order": time_order,
        "time_order_start": np.where(ordered, payer[starts + np.maximum(tstart, 0)], None),
        "time_span_days": pd.Series(span).where(ordered).astype("Int64").to_numpy(),
        "n_deals": np.add.reduceat(H.n_deals[hop_flat], starts).astype(np.int64),
        "deal_ids": deals_at["cyc_ids"],
        "description": descriptions,
    }, columns=list(CYCLE_COLUMNS))


def _hops_table(H: _Hops, lay: _Layout, trip: dict[str, np.ndarray],
                timing: tuple[np.ndarray, ...], deals_at: dict[str, Any], payer: np.ndarray,
                payee: np.ndarray, ranks: np.ndarray) -> pd.DataFrame:
    """One row per hop of each loop (:data:`HOP_COLUMNS`)."""
    hop_flat, cyc_of = lay.hop_flat, lay.cyc_of
    chosen = timing[2]
    amt = trip["amt"]
    ids_sorted = deals_at["ids_sorted"]
    return pd.DataFrame({
        "rank": ranks[cyc_of],
        "hop": (np.arange(hop_flat.shape[0]) - lay.starts[cyc_of]).astype(np.int64),
        "payer": payer,
        "payee": payee,
        "amount": amt,
        "amount_known": ~np.isnan(amt) & ~H.has_unknown[hop_flat],
        "has_unknown": H.has_unknown[hop_flat],
        "amount_low": H.low[hop_flat],
        "amount_high": H.high[hop_flat],
        "is_limiting": trip["is_limiting"],
        "n_deals": H.n_deals[hop_flat].astype(np.int64),
        "deal_ids": deals_at["hop_ids"],
        "flow_types": _ftypes(H, H.ftype_mask[hop_flat]),
        "weakest_status": _rank_name(H.status_rank[hop_flat], schema.STATUSES),
        "lowest_confidence": _rank_name(H.conf_rank[hop_flat], schema.CONFIDENCES),
        "time_order_deal": np.where(chosen >= 0, ids_sorted[np.maximum(chosen, 0)], None),
    }, columns=list(HOP_COLUMNS))


def _deals_table(D: _Deals, lay: _Layout, timing: tuple[np.ndarray, ...],
                 deals_at: dict[str, Any], payer: np.ndarray, payee: np.ndarray,
                 ranks: np.ndarray, hop_pos: np.ndarray) -> pd.DataFrame:
    """One row per deal behind each hop (:data:`DEAL_COLUMNS`); empty without deal detail."""
    if not (D.has_deals and D.info is not None):
        return pd.DataFrame(columns=list(DEAL_COLUMNS))
    deal_hop, deal_row = deals_at["hop"], deals_at["row"]
    sub = D.info.take(deal_row)
    return pd.DataFrame({
        "rank": ranks[lay.cyc_of[deal_hop]],
        "hop": hop_pos[deal_hop],
        "deal_id": sub["deal_id"],
        "payer": payer[deal_hop],
        "payee": payee[deal_hop],
        "amount": D.amount[deal_row],
        "amount_known": ~np.isnan(D.amount[deal_row]),
        "amount_low": D.low[deal_row],
        "amount_high": D.high[deal_row],
        "flow_type": sub["flow_type"],
        "status": sub["status"],
        "confidence": sub["confidence"],
        "date": sub["date"],
        "date_lo": sub["date_lo"],
        "date_hi": sub["date_hi"],
        "estimate": sub["estimate"].astype(bool, copy=False),
        "source_url": sub["source_url"],
        "source_title": sub["source_title"],
        "in_time_order": timing[2][deal_hop] == deals_at["pos"],
    }, columns=list(DEAL_COLUMNS))


def _describe(D: _Deals, H: _Hops, companies: list[tuple[Any, ...]], lengths: np.ndarray,
              starts: np.ndarray, hop_flat: np.ndarray, rt: np.ndarray,
              bound: np.ndarray, est_rt: np.ndarray, cond_rt: np.ndarray) -> list[str]:
    """The loop sentences: each hop (:func:`_hop_sentence`), then how much can come back
    (:func:`_ending`), estimated and conditional as :func:`_round_trip_basis` finds."""
    info = D.info
    ft = info.raw("flow_type") if info is not None else None
    st = info.raw("status") if info is not None else None
    es = info.raw("estimate") if info is not None else None
    co = info.raw("conditional") if info is not None else None
    hop_text: dict[int, str] = {}
    labels = D.labels
    out = []
    for c in range(lengths.shape[0]):
        parts = []
        hops = [int(hop_flat[starts[c] + j]) for j in range(lengths[c])]
        for h in hops:
            if h not in hop_text:
                rows = H.dorder[H.dptr[h]:H.dptr[h + 1]]
                deals = [{
                    "flow_type": _deal_text(ft[r]) if ft is not None else None,
                    "status": _deal_text(st[r]) if st is not None else None,
                    "estimate": bool(es[r]) if es is not None else False,
                    "conditional": bool(co[r]) if co is not None else False,
                    "amount": float(D.amount[r]),
                    "low": float(D.low[r]) if not math.isnan(D.amount[r]) else float(D.floor[r]),
                    "high": float(D.high[r]) if not math.isnan(D.amount[r]) else float(D.cap[r]),
                } for r in rows]
                hop_text[h] = _hop_sentence(str(labels[H.src[h]]), str(labels[H.dst[h]]), deals)
            parts.append(hop_text[h])
        out.append("; ".join(parts) + ". "
                   + _ending(str(companies[c][0]), float(rt[c]), str(bound[c]),
                             _estimated_round_trip(H, hops, float(rt[c])) if est_rt[c]
                             else None, bool(cond_rt[c])))
    return out


def find_cycles(
    G: nx.DiGraph | nx.MultiDiGraph | pd.DataFrame,
    *,
    weight: str = "amount",
    max_length: int | None = 6,
    min_amount: float | None = None,
    through: str | Sequence[str] | None = None,
    time_ordered: bool = False,
    window: int | None = None,
    limit: int | None = 10_000,
    sort: str = "round_trip",
    describe: bool = True,
    progress: Callable[[str], None] | None = None,
    max_work: int | None = MAX_WORK,
    max_loops: int | None = None,
) -> CycleResult:
    """Enumerate the simple cycles (loops) of the payer -> payee graph, with detail.

    Parameters
    ----------
    G : networkx.MultiDiGraph, networkx.DiGraph or pandas.DataFrame
        A deal graph from :func:`flowgraph.build_graph` (deals of a pair are added up into
        one hop and keep their detail), a collapsed DiGraph with the ``weight`` attribute,
        or an edges table with ``payer``/``payee`` (or ``source``/``target``) columns, one
        row per deal. Filters (flow types, statuses, dates, ...) are those of
        :func:`~flowgraph.build_graph`. Self-loops are ignored.
    weight : str
        Edge attribute holding the amount (NaN = unknown).
    max_length : int or None
        Longest loop, in hops (default 6). None means no bound (can take very long).
    min_amount : float, optional
        Keep loops whose round trip is at least this much (every known hop reaches it, at
        least one hop known). Prunes the search itself.
    through : str or list of str, optional
        Companies that must all be on the loop.
    time_ordered : bool
        Keep only loops that are time-ordered (see the module docstring). Prunes the search.
    window : int, optional
        Days allowed between the first and the last deal of a time-ordered chain; applies to
        the ``time_order`` column and, with ``time_ordered``, to the search.
    limit : int or None
        Report at most this many loops (the best ones; default 10,000); ``n_found`` still
        counts them all and ``truncated`` says when the limit was reached. 0 reports none
        (counts and participation only), None reports all.
    sort : {"round_trip", "length"}
        ``"round_trip"``: largest round trip first (unknown last), ties by the sequence of
        companies. ``"length"``: shortest loops first, then the same. With a ``limit``, the
        best loops in this order are kept.
    describe : bool
        Build the plain-language ``description`` column.
    progress : callable, optional
        Called with a one-line status message during long searches.
    max_work : int or None
        Stop after examining this many hops in the search (default :data:`MAX_WORK`, some
        seconds of work); None searches without a cap. A search that stops early says so
        (``complete`` False, ``n_found`` a floor, a note naming the options that help).
    max_loops : int, optional
        Stop once this many loops are found (then as for ``max_work``).

    Returns
    -------
    CycleResult
        ``.cycles``, ``.hops``, ``.deals`` DataFrames, ``.participation``, ``.n_found``,
        ``.truncated``, ``.complete``.

    Raises
    ------
    ParameterError
        For a bad option value.
    UnknownCompanyError
        When a ``through`` company is not in the graph.

    Examples
    --------
    >>> import networkx as nx
    >>> D = nx.DiGraph()
    >>> D.add_edge("Nvidia", "OpenAI", amount=100.0, flow_types=("equity_investment",))
    >>> D.add_edge("OpenAI", "Nvidia", amount=40.0, flow_types=("chip_purchase",))
    >>> r = find_cycles(D)
    >>> r.n_found, float(r.cycles.loc[0, "round_trip"])
    (1, 40.0)
    >>> print(r.cycles.loc[0, "description"])
    Nvidia invests $100bn in OpenAI; OpenAI buys $40bn of chips from Nvidia. Up to $40bn can come back to Nvidia.
    """
    D = _as_deals(G, weight)
    return _run(D, max_length=max_length, min_amount=min_amount, through=through,
                time_ordered=time_ordered, window=window, limit=limit, describe=describe,
                progress=progress, sort=sort, max_work=max_work, max_loops=max_loops)


def _to_day(values: Any, m: int) -> np.ndarray:
    if values is None:
        return np.full(m, -1, np.int64)
    arr = np.asarray(values)
    if arr.shape[0] != m:
        raise ParameterError("date arrays must have one entry per edge")
    if np.issubdtype(arr.dtype, np.datetime64):
        days = arr.astype("datetime64[D]")
        nat = np.isnat(days)
        out = days.astype(np.int64) + _dt.date(1970, 1, 1).toordinal()
        out[nat] = -1
        return out
    if np.issubdtype(arr.dtype, np.integer):
        return arr.astype(np.int64)
    return np.fromiter((_ordinal(x) for x in arr), np.int64, m)


def cycles_from_arrays(
    src: Any,
    dst: Any,
    amount: Any = None,
    *,
    amount_low: Any = None,
    amount_high: Any = None,
    date_lo: Any = None,
    date_hi: Any = None,
    names: Sequence[Any] | None = None,
    describe: bool = False,
    **options: Any,
) -> CycleResult:
    """:func:`find_cycles` on plain arrays, one entry per edge (deal): no networkx needed.

    Parameters
    ----------
    src, dst : array-like
        Payer and payee of each edge: integer vertex ids ``0..n-1`` (then ``names`` may
        give their labels, and the canonical start is the smallest id), or labels of any
        sortable type. Repeated pairs are added up into one hop.
    amount : array-like of float, optional
        Amount per edge, NaN when unknown (all unknown when omitted).
    amount_low, amount_high : array-like of float, optional
        Scenario ends per edge (default: ``amount``).
    date_lo, date_hi : array-like, optional
        Date bounds per edge: ``datetime64``, ``datetime.date`` or day ordinals
        (``date.toordinal()``); NaT/None/-1 for no date. ``date_hi`` defaults to
        ``date_lo``.
    names : sequence, optional
        Label of each vertex id (integer ``src``/``dst`` only).
    describe : bool
        As in :func:`find_cycles`, but off by default here.
    **options
        The search options of :func:`find_cycles` (``max_length``, ``min_amount``,
        ``through`` (vertex labels here), ``time_ordered``, ``window``, ``limit``, ``sort``,
        ``progress``, ``max_work``, ``max_loops``), with its defaults; ``complete`` says
        when a cap stopped the search (``n_found`` is then a floor).

    Returns
    -------
    CycleResult

    Examples
    --------
    >>> r = cycles_from_arrays([0, 1, 1, 2], [1, 2, 0, 0], [5.0, 2.0, 3.0, 1.0])
    >>> r.cycles["path"].tolist()
    ['0 -> 1 -> 0', '0 -> 1 -> 2 -> 0']
    """
    s = np.asarray(src)
    t = np.asarray(dst)
    if s.shape != t.shape or s.ndim != 1:
        raise ParameterError("src and dst must be 1-d arrays of the same length")
    m = s.shape[0]
    if np.issubdtype(s.dtype, np.integer) and np.issubdtype(t.dtype, np.integer):
        n = int(max(s.max(initial=-1), t.max(initial=-1))) + 1
        if m and min(s.min(), t.min()) < 0:
            raise ParameterError("integer vertex ids must be >= 0")
        if names is not None:
            if len(names) < n:
                raise ParameterError(f"names has {len(names)} entries, need {n}")
            labels = np.array(list(names), dtype=object)
        else:
            labels = np.arange(n, dtype=np.int64).astype(object)
        si, ti = s.astype(np.int64), t.astype(np.int64)
    else:
        uniq = _sorted_labels(set(s.tolist()) | set(t.tolist()))
        labels = np.array(uniq, dtype=object)
        index = {x: i for i, x in enumerate(uniq)}
        si = np.fromiter((index[x] for x in s.tolist()), np.int64, m)
        ti = np.fromiter((index[x] for x in t.tolist()), np.int64, m)
    a = np.full(m, np.nan) if amount is None else np.asarray(amount, dtype=np.float64)
    lo = a.copy() if amount_low is None else np.asarray(amount_low, dtype=np.float64)
    hi = a.copy() if amount_high is None else np.asarray(amount_high, dtype=np.float64)
    if a.shape[0] != m or lo.shape[0] != m or hi.shape[0] != m:
        raise ParameterError("amount arrays must have one entry per edge")
    dlo = _to_day(date_lo, m)
    dhi = _to_day(date_hi, m) if date_hi is not None else dlo.copy()
    D = _Deals(labels, si, ti, a, lo, hi, dlo, dhi, None, False, "amount", None)
    opts = _search_options(options, "cycles_from_arrays", describe=describe)
    through = opts["through"]
    if through is not None:
        # vertex labels; integers are ids
        through = [through] if isinstance(through, (str, int, np.integer)) else list(through)
        lab_list = list(labels)
        for x in through:
            if x not in lab_list:
                from .errors import UnknownCompanyError

                raise UnknownCompanyError(f"unknown vertex {x!r}")
        opts["through"] = through
    return _run(D, **opts)


def cycle_counts(src: Any, dst: Any, *, n: int | None = None, max_length: int = 6,
                 max_work: int | None = MAX_WORK, work: dict[str, Any] | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """How many loops there are of each length, and through each vertex: no detail kept.

    The compiled search of :func:`find_cycles` on integer vertex ids, counting instead of
    collecting, for callers that count loops on many networks (null models). Repeated pairs
    are one hop; self-loops are ignored. A count is exact or refused: a search that reaches
    ``max_work`` hops examined raises :class:`ParameterError` (a partial count would be a
    wrong number), naming the options that make it tractable. ``work``, a dict, receives
    ``steps``: the hops the search examined.

    Returns
    -------
    by_length : numpy.ndarray
        ``by_length[k]`` loops of ``k`` hops (``k = 0 .. max_length``; 0 and 1 are 0).
    per_vertex : numpy.ndarray
        Loops through each vertex ``0 .. n-1``.

    Examples
    --------
    >>> by_length, per_vertex = cycle_counts([0, 1, 1, 2], [1, 0, 2, 0], max_length=3)
    >>> by_length.tolist(), per_vertex.tolist()
    ([0, 0, 1, 1], [2, 2, 1])
    """
    from . import _cycle_engine as eng

    si = np.asarray(src, dtype=np.int64)
    ti = np.asarray(dst, dtype=np.int64)
    if si.shape != ti.shape or si.ndim != 1:
        raise ParameterError("src and dst must be 1-d arrays of the same length")
    _check_params(max_length, None, None, None)
    from ._params import whole

    whole("max_work", max_work, minimum=1)
    max_work = _work_cap(max_work)
    if n is None:
        n = int(max(si.max(initial=-1), ti.max(initial=-1))) + 1
    m = si.shape[0]
    a = np.ones(m)
    none = np.full(m, -1, np.int64)
    D = _Deals(np.arange(n, dtype=np.int64).astype(object), si, ti, a, a, a, none, none,
               None, False, "amount", None)
    H = _build_hops(D)
    L = max(2, min(int(max_length), max(n, 2)))
    by_length = np.zeros(int(max_length) + 1, np.int64)

    def tally(ln: np.ndarray, ed: np.ndarray, rt: np.ndarray):
        by_length[:] += np.bincount(ln, minlength=by_length.shape[0])[:by_length.shape[0]]
        return ln[:0], ed[:0], rt[:0]

    stopped: dict[str, Any] = {}
    ln, _ed, _rt, _found, vcount, *_ = eng.run_search(
        n, H.src, H.dst, H.amount, H.minhi, H.maxlo, H.dptr[:-1], H.dptr[1:], H.dlo, H.dhi,
        max_len=L, need=np.zeros(0, np.int64), min_on=False, time_on=False, window=-1,
        keep_top=tally, batch_cycles=_BATCH, py_steps=_PY_STEPS, max_steps=max_work,
        stopped=stopped)
    if work is not None:
        work["steps"] = int(stopped.get("steps", 0))
    if stopped.get("reason"):
        raise ParameterError(
            f"counting loops of up to {L} hops stopped at the work cap of {max_work:,} hops "
            "examined: the network has too many loops to count exactly; use a smaller "
            "max_length (--max-length)")
    if ln.shape[0]:
        tally(ln, _ed, _rt)
    return by_length, np.asarray(vcount, dtype=np.int64)


def count_work(G: nx.DiGraph | nx.MultiDiGraph | pd.DataFrame, *, weight: str = "amount",
               max_length: int = 6, max_work: int | None = MAX_WORK) -> int:
    """Hops examined to count every loop of ``G`` exactly (:func:`cycle_counts`).

    A check to run before work that needs exact loop counts (a test against chance counts
    the loops of hundreds of random networks of the same shape): it raises
    :class:`ParameterError` as :func:`cycle_counts` does when the count would pass
    ``max_work``, within that much work.

    Examples
    --------
    >>> import networkx as nx
    >>> count_work(nx.DiGraph([("A", "B", {"amount": 1.0}), ("B", "A", {"amount": 2.0})]),
    ...            max_length=2) > 0
    True
    """
    D = _as_deals(G, weight)
    work: dict[str, Any] = {}
    cycle_counts(D.src, D.dst, n=len(D.labels), max_length=max_length, max_work=max_work,
                 work=work)
    return int(work["steps"])


def cycle_participation(
    G: nx.DiGraph | nx.MultiDiGraph | pd.DataFrame,
    *,
    weight: str = "amount",
    **options: Any,
) -> pd.DataFrame:
    """How many loops each company is on (all loops found, not only the best ones).

    Parameters
    ----------
    G, weight
        As in :func:`find_cycles`.
    **options
        The search options of :func:`find_cycles` (``max_length``, ``min_amount``,
        ``through``, ``time_ordered``, ``window``, ``progress``, ``max_work``,
        ``max_loops``), with its defaults. A search that reaches ``max_work`` or
        ``max_loops`` stops early, and the ``complete`` column is then False (the counts
        are floors).

    Returns
    -------
    pandas.DataFrame
        One row per company (all companies of ``G``, also those on no loop): ``company``,
        ``n_cycles``, ``share`` (of all loops found), ``round_trip_sum`` (sum of the known
        round trips of its loops; loops share hops, so this double counts),
        ``round_trip_max`` (NaN when on no loop with a known round trip) and ``complete``
        (False when the search stopped early: ``n_cycles`` is then "at least", the shares
        and sums cover the loops found). Sorted by ``n_cycles`` descending, then company.

    Examples
    --------
    >>> import networkx as nx
    >>> D = nx.DiGraph([("A", "B", {"amount": 1.0}), ("B", "A", {"amount": 1.0}),
    ...                 ("B", "C", {"amount": 1.0}), ("C", "B", {"amount": 1.0})])
    >>> cycle_participation(D)[["company", "n_cycles"]].values.tolist()
    [['B', 2], ['A', 1], ['C', 1]]
    """
    opts = _search_options(options, "cycle_participation", limit=0, describe=False)
    return _run(_as_deals(G, weight), **opts).participation


def _ring_search() -> None:
    """A search of a three-company ring through the compiled kernels (and the per-hop
    reductions), with the argument types of a real search (what :func:`warm_up` runs)."""
    from . import _cycle_engine as eng

    ring = np.arange(3, dtype=np.int64)
    none = np.full(3, -1, np.int64)
    D = _Deals(ring.astype(object), ring, (ring + 1) % 3, np.ones(3), np.ones(3), np.ones(3),
               none, none, None, False, "amount", None)
    H = _build_hops(D)
    eng.run_search(3, H.src, H.dst, H.amount, H.minhi, H.maxlo, H.dptr[:-1], H.dptr[1:],
                   H.dlo, H.dhi, max_len=3,
                   need=np.zeros(0, np.int64), min_on=False, time_on=False, window=-1,
                   keep_top=lambda ln, ed, rt: (ln, ed, rt), py_steps=0)
    _build_hops(D)  # numba is loaded now: this loads the compiled per-hop reductions too


WARM_UP_BYTES = _process.LARGE_FILE_BYTES
"""Files from this size up hold networks the search runs compiled (see :func:`warm_up`)."""


def warm_up(path: Any = None) -> None:
    """Start loading the compiled cycle search in the background (about a second: numba,
    the cached kernels of the search and of strong components) and return at once.

    Call it before reading a large deals file: the parser works outside the interpreter, so
    the loading overlaps it, and the first large :func:`find_cycles` starts searching at
    once. It changes no result. With ``path``, it does nothing unless the file has at least
    :data:`WARM_UP_BYTES` (smaller networks are searched without compiled code).

    Examples
    --------
    >>> import flowgraph as fg
    >>> fg.cycles.warm_up("deals.csv")  # a missing or small file: nothing to do
    """
    from . import _cycle_engine as eng

    if path is not None and not _process.is_large_file(path):
        return
    eng.warm_up(_ring_search)


def _search_options(options: dict[str, Any], caller: str, **fixed: Any) -> dict[str, Any]:
    """The search options of :func:`find_cycles` (the one signature that holds them and
    their defaults) with ``options`` given by name, and ``fixed`` ones the caller sets."""
    defaults = dict(find_cycles.__kwdefaults__)
    del defaults["weight"]
    valid = [k for k in defaults if k not in fixed]
    unknown = sorted(set(options) - set(valid))
    if unknown:
        raise ParameterError(f"{caller}() got unknown option(s) {', '.join(unknown)}; valid: "
                             f"{', '.join(valid)}")
    return {**defaults, **options, **fixed}
