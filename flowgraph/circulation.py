"""How much money goes round: maximal circulation, self-funded shares, keystones, Finn's index.

The flow network ``W`` is the collapsed payer -> payee graph (edge weight ``amount``).

*Maximal circulation* splits ``W`` into a circular part ``C`` (balanced at every company:
what flows in also flows out) and a directional part ``D = W - C``, with ``sum(C)`` as large
as possible. ``D`` then has no cycle left: it is the money that goes somewhere and does not
come back. The *circularity index* is ``sum(C) / sum(W)``. The split of the total is unique;
the split over edges need not be (the tables show one optimal ``C``).

*Self-funded amount* of a company ``v``: the most money that can leave ``v`` and come back to
``v`` through the network (a maximum flow from ``v`` to itself, with ``v`` split into a
source keeping its out-edges and a sink receiving its in-edges), as an amount and as a share
of ``v``'s inflow. It answers "how much of this company's revenue could be its own money
coming back?" and is unique.

*Keystone impact*: how much maximal circulation vanishes when one company is removed.

*Finn's cycling index* (Finn 1976), with the conventions of the R package enaR
(``enaFlow``): the share of total system throughflow that is cycled.

Amounts that are unknown (NaN) are never read as zero: the unknown part of a payer -> payee
pair is left out of ``W`` and every result says how many pairs and deals that concerns. More
money can only add circulation, so circular amounts are then lower bounds, but only when
every known amount is a reported, unconditional figure: estimates, range midpoints,
conditional amounts ("up to", milestones, letters of intent) and amounts above their reported
low may be more than is paid. The note (``unknown_treatment``) says which holds for the
input, from its deals (:class:`_AmountBasis`).

Solvers: OR-tools (C++) min-cost circulation and push-relabel maximum flow, on strongly
connected components only (edges between components lie on no cycle). Amounts are scaled to
integers with a quantum chosen so that the scaling is exact for decimal data (see
:func:`maximal_circulation`); the invariants of every answer are verified.
"""
from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import _circulation_engine as eng
from ._params import Notes, number, renamed, whole
from .errors import MissingDataError, ParameterError, SolverError
from .graph import check_company, check_weight, edge_columns, is_graph, pair_sums
from .schema import count_noun, to_float

__all__ = [
    "DEFAULT_TOP",
    "KEYSTONE_TOP_LARGE",
    "LARGE_FLOW_NETWORK",
    "SMALL_NETWORK",
    "CirculationResult",
    "CompanyCirculationResult",
    "CompanyTableResult",
    "FinnResult",
    "KeystoneResult",
    "SelfFundedResult",
    "company_circulation",
    "finn_cycling_index",
    "keystones",
    "maximal_circulation",
    "self_funded",
]

SMALL_NETWORK = 500
"""Networks with at most this many companies get per-company analyses for every company."""

DEFAULT_TOP = 20
"""Companies analysed by default in larger networks (the largest by flow through them)."""

LARGE_FLOW_NETWORK = 200_000
"""Networks with more payer -> payee pairs on cycles than this get fewer keystones by default."""

KEYSTONE_TOP_LARGE = 10
"""Keystones computed by default in networks above :data:`LARGE_FLOW_NETWORK` cyclic pairs.

Each keystone re-routes the money of one company after one circulation solve; on a
1,000,000-pair network the solve takes 20-60 s and each company about 3 s on two cores, so
ten companies keep the default run near a minute.
"""

Progress = Callable[[str], None] | None


# --------------------------------------------------------------------------- edge extraction
@dataclass(frozen=True)
class _AmountBasis:
    """What the known amounts of a flow network rest on, in deals (the words of the note of
    every circulation result).

    Attributes
    ----------
    estimated : int
        Known amounts that are estimates or range midpoints.
    conditional : int
        Other known amounts that are conditional ("up to", milestones, letters of intent).
    above_low : int
        Other known amounts above their reported low end (a range's top or a point figure
        with a lower one reported).
    recorded : bool
        Whether the input carries deal detail to tell (False for a bare weighted graph or
        matrix: nothing is then claimed either way).
    """

    estimated: int = 0
    conditional: int = 0
    above_low: int = 0
    recorded: bool = True

    @property
    def firm(self) -> bool:
        """Every known amount is a reported, unconditional figure at its low end."""
        return self.recorded and not (self.estimated or self.conditional or self.above_low)

    def words(self) -> str:
        """``"22 estimates or range midpoints, 24 conditional amounts ..."``; ``""`` when
        :attr:`firm`."""
        parts = []
        if self.estimated:
            parts.append(count_noun(self.estimated, "estimate") + " or range midpoints"
                         if self.estimated > 1 else "1 estimate or range midpoint")
        if self.conditional:
            parts.append(count_noun(self.conditional, "conditional amount")
                         + " (up to, milestones, letters of intent)")
        if self.above_low:
            parts.append(count_noun(self.above_low, "amount") + " above "
                         + ("its" if self.above_low == 1 else "their") + " reported low end")
        return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1] \
            if parts else ""


def _basis_of(flags: dict[str, np.ndarray], amount: np.ndarray, low: np.ndarray | None
              ) -> _AmountBasis:
    """:class:`_AmountBasis` of per-deal flags (``estimate``, ``midpoint``, ``conditional``),
    amounts and reported lows (None: not known)."""
    known = np.isfinite(amount)
    est = (flags["estimate"] | flags["midpoint"]) & known
    cond = flags["conditional"] & known & ~est
    if low is None:
        above = np.zeros(len(amount), bool)
    else:
        with np.errstate(invalid="ignore"):
            above = known & ~est & ~cond & np.isfinite(low) & (amount > low * (1 + 1e-12))
    return _AmountBasis(int(est.sum()), int(cond.sum()), int(above.sum()))


def _frame_basis(G: pd.DataFrame, a: np.ndarray, weight: str) -> _AmountBasis:
    from ._checks import is_true

    if weight != "amount":
        return _AmountBasis(recorded=False)
    n = len(G)
    flags = {c: is_true(G[c]) if c in G.columns else np.zeros(n, bool)
             for c in ("estimate", "midpoint", "conditional")}
    low = (pd.to_numeric(G["amount_low"], errors="coerce").to_numpy(dtype=float,
                                                                      na_value=np.nan)
           if "amount_low" in G.columns else None)
    return _basis_of(flags, a, low)


def _graph_basis(G: Any, a: np.ndarray, weight: str) -> _AmountBasis:
    from .schema import parse_bool

    if weight != "amount" or not G.number_of_edges():
        return _AmountBasis(recorded=weight == "amount")
    data = [d for *_, d in G.edges(data=True)]
    if not G.is_multigraph():  # collapsed: per pair, estimates and low sums only
        est = np.array([bool(d.get("has_estimate") or d.get("estimate") is True)
                        for d in data], bool)
        zero = np.zeros(len(data), bool)
        low = np.array([to_float(d.get("amount_low", math.nan)) for d in data], float)
        basis = _basis_of({"estimate": est, "midpoint": zero, "conditional": zero}, a, low)
        return _AmountBasis(basis.estimated, basis.conditional, basis.above_low,
                           recorded=any("has_estimate" in d or "estimate" in d for d in data))
    flags = {c: np.array([parse_bool(d.get(c)) is True for d in data], bool)
             for c in ("estimate", "midpoint", "conditional")}
    low = np.array([to_float(d.get("amount_low", math.nan)) for d in data], float)
    return _basis_of(flags, a, low)


@dataclass(frozen=True)
class _Edges:
    names: list[Any]
    src: np.ndarray
    dst: np.ndarray
    w: np.ndarray  # known amounts (unknown parts left out), >= 0
    n_deals: np.ndarray
    has_unknown: np.ndarray
    unknown_deals: int | None
    scenario: str | None
    weight: str
    kinds: dict[Any, Any] = field(default_factory=dict)
    basis: _AmountBasis = field(default_factory=lambda: _AmountBasis(recorded=False))

    @property
    def n(self) -> int:
        return len(self.names)

    def unknown_text(self) -> str:
        """The note of every circulation result: what was left out, and whether the circular
        amounts are then lower bounds (only when every known amount is firm,
        :attr:`_AmountBasis.firm`)."""
        k = int(self.has_unknown.sum())
        b = self.basis
        if b.recorded and not b.firm:
            rest = (f"The circular amounts are not lower bounds on the true ones: the known "
                    f"amounts include {b.words()}, which may be more than will be paid "
                    "(missing money can only add circulation; money that is not paid takes "
                    "some away). The low and "
                    "high scenarios (scenario='low'/'high', --scenario) give the span the "
                    "reported ranges allow.")
            if k == 0:
                return "All amounts are known; nothing was left out. " + rest
            deals = (f" ({count_noun(self.unknown_deals, 'deal')})"
                     if self.unknown_deals is not None else "")
            return (f"{k:,} of {count_noun(len(self.w), 'payer->payee pair')} "
                    f"include amounts that are unknown{deals}; the unknown parts are left out "
                    "of the flows (never read as zero) and shares may move either way. " + rest)
        if k == 0:
            return ("All amounts are known; nothing was left out.")
        deals = (f" ({count_noun(self.unknown_deals, 'deal')})"
                 if self.unknown_deals is not None else "")
        firm = ("every known amount is a reported, unconditional figure, so "
                if b.recorded else "")
        return (f"{k:,} of {count_noun(len(self.w), 'payer->payee pair')} "
                f"include amounts that are unknown{deals}; the unknown parts are left out of "
                f"the flows (never read as zero); {firm}circular amounts are lower bounds on "
                "the true ones (more money can only add circulation) and shares may move "
                "either way. Run with the low and high scenarios for the range of reported "
                "amounts.")


def _codes(u: Sequence[Any], v: Sequence[Any], extra: Iterable[Any] = ()
           ) -> tuple[list[Any], np.ndarray, np.ndarray]:
    """Sorted node names and integer codes of the two endpoint columns."""
    extra = list(extra)
    both = pd.Series(list(u) + list(v) + extra, dtype=object)
    try:
        codes, uniques = pd.factorize(both, sort=True)
    except TypeError:  # names of mixed types: sort by their text
        codes, uniques = pd.factorize(both.map(str), sort=True)
        first = {}
        for name, code in zip(both, codes):
            first.setdefault(code, name)
        uniques = [first[i] for i in range(len(first))]
    m = len(u)
    return list(uniques), codes[:m].astype(np.int64), codes[m:2 * m].astype(np.int64)


def _edges(G: Any, weight: str, quantum: Any = None) -> _Edges:
    """Edge arrays from a MultiDiGraph, DiGraph or edge DataFrame (see maximal_circulation);
    ``quantum``, when given, is checked to be a positive number."""

    number("quantum", quantum, positive=True)
    kinds: dict[Any, Any] = {}
    scenario = None
    unknown_deals: int | None
    if isinstance(G, pd.DataFrame):

        cols = set(G.columns)
        pair = edge_columns(G)
        if pair is None:
            raise ParameterError("an edge table needs payer/payee or source/target columns")
        uc, vc = pair
        if weight not in cols:
            raise ParameterError(f"the edge table has no {weight!r} column")
        a = pd.to_numeric(G[weight], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        names, su, sv = _codes(G[uc].to_numpy(dtype=object), G[vc].to_numpy(dtype=object))
        src, dst, w, n_deals, nu = pair_sums(su, sv, a, len(names))
        unknown_deals = int(nu.sum())
        has_unknown = nu > 0
        scenario = G.attrs.get("scenario")  # a filter_deals table says its scenario
        basis = _frame_basis(G, a, weight)
    elif is_graph(G):
        if not G.is_directed():
            raise ParameterError("money flows need a directed graph (DiGraph or MultiDiGraph)")

        check_weight(G, weight)
        scenario = G.graph.get("scenario")
        kinds = {n: d.get("kind") for n, d in G.nodes(data=True) if d.get("kind") is not None}
        us, vs, aa = [], [], []
        unk, nd = [], []
        multi = G.is_multigraph()
        for u, v, d in G.edges(data=True):
            us.append(u)
            vs.append(v)
            x = to_float(d.get(weight, math.nan))
            aa.append(x)
            if not multi:
                unk.append(bool(d.get("has_unknown", False)) or not math.isfinite(x))
                ndeal = d.get("n_deals", 1)
                nd.append(int(ndeal) if isinstance(ndeal, (int, np.integer)) else 1)
        names, su, sv = _codes(us, vs, G.nodes)
        a = np.asarray(aa, dtype=float)
        basis = _graph_basis(G, a, weight)
        if multi:
            src, dst, w, n_deals, nu = pair_sums(su, sv, a, len(names))
            unknown_deals = int(nu.sum())
            has_unknown = nu > 0
        else:
            src, dst = su, sv
            w = np.where(np.isfinite(a), a, 0.0)
            w = np.where(np.isinf(a), a, w)
            has_unknown = np.asarray(unk, dtype=bool)
            n_deals = np.asarray(nd, dtype=np.int64)
            unknown_deals = 0 if not has_unknown.any() else None
    else:
        raise ParameterError("expected a networkx DiGraph/MultiDiGraph or an edge DataFrame")
    if np.any(np.isinf(w)):
        raise ParameterError(f"infinite {weight!r} amounts are not allowed")
    if np.any(w < 0):
        raise ParameterError(f"negative {weight!r} amounts are not allowed in a flow network")
    return _Edges(names=names, src=np.asarray(src, dtype=np.int64),
                  dst=np.asarray(dst, dtype=np.int64), w=np.asarray(w, dtype=float),
                  n_deals=np.asarray(n_deals, dtype=np.int64),
                  has_unknown=np.asarray(has_unknown, dtype=bool), unknown_deals=unknown_deals,
                  scenario=scenario, weight=weight, kinds=kinds, basis=basis)


# --------------------------------------------------------------------------- maximal circulation
SOLVER_NAME = ("OR-tools SimpleMinCostFlow (cost-scaling push-relabel), unit cost -1 per "
               "edge, on strongly connected components")


@dataclass(frozen=True, eq=False)
class CirculationResult:
    """The split of a flow network into a circular and a directional part.

    Attributes
    ----------
    total_flow : float
        ``sum(W)``: all known amounts.
    circular_flow : float
        ``sum(C)`` of a maximal circulation (unique).
    directional_flow : float
        ``sum(D) = total_flow - circular_flow``.
    circularity_index : float
        ``circular_flow / total_flow`` (NaN when there is no flow at all).
    edges : pandas.DataFrame
        One row per payer -> payee pair: ``payer, payee, amount`` (W), ``circular`` (C),
        ``directional`` (D), ``circular_share`` (C/W), ``n_deals``, ``has_unknown``,
        ``component`` (strongly connected component id, -1 when the pair lies on no cycle).
        Sorted by circular amount, then amount (largest first), then names.
    companies : pandas.DataFrame
        One row per company: ``company, kind, inflow, outflow, circular_inflow`` (= circular
        outflow), ``circular_share_of_inflow``, ``circular_share_of_outflow``, ``component``,
        ``component_size``. Sorted by circular inflow, inflow (largest first), then name.
    components : pandas.DataFrame
        One row per strongly connected component with more than one company (or a self-loop):
        ``component, companies, n_companies, n_edges, amount, circular, circularity_index``.
    excluded_unknown_edges : int
        Pairs whose amount is partly or wholly unknown (their unknown parts are left out).
    excluded_unknown_deals : int or None
        Deals of unknown amount (None when the input was a collapsed graph without deal detail).
    unknown_treatment : str
        How unknown amounts were treated, in words.
    scenario, weight : str
        The amount scenario of the graph (``G.graph["scenario"]``) and the edge attribute used.
    solver : str
        The algorithm.
    quantum : float
        Integer scaling step of the amounts (amounts in units of ``quantum``).
    exact : bool
        True when every amount is a whole number of quanta: the answer is then exactly optimal.
    optimality_gap : float
        Certified upper bound on circulation the rounding to quanta can have missed (0 when
        exact; NaN when it could not be certified within the work budget).
    max_imbalance : float
        Largest ``|inflow - outflow|`` of ``C`` over companies (verification, ~0).
    solve_seconds : float
        Time spent in the solver.
    """

    total_flow: float
    circular_flow: float
    directional_flow: float
    circularity_index: float
    edges: pd.DataFrame
    companies: pd.DataFrame
    components: pd.DataFrame
    excluded_unknown_edges: int
    excluded_unknown_deals: int | None
    unknown_treatment: str
    scenario: str | None
    weight: str
    solver: str
    quantum: float
    exact: bool
    optimality_gap: float
    max_imbalance: float
    solve_seconds: float

    def summary(self) -> pd.DataFrame:
        """Deprecated name of :meth:`headline`."""
        return _deprecated_summary(self)

    def headline(self) -> pd.DataFrame:
        """The headline numbers as a two-column table (``measure``, ``value``)."""
        rows = [
            ("total flow (sum W)", self.total_flow),
            ("circular flow (sum C)", self.circular_flow),
            ("directional flow (sum D)", self.directional_flow),
            ("circularity index C/W", self.circularity_index),
            ("companies", len(self.companies)),
            ("payer->payee pairs", len(self.edges)),
            ("cyclic components", len(self.components)),
            ("pairs with unknown amounts (left out)", self.excluded_unknown_edges),
        ]
        if self.excluded_unknown_deals is not None:
            rows.append(("deals with unknown amounts (left out)", self.excluded_unknown_deals))
        rows.append(("scenario", self.scenario if self.scenario is not None else "n/a"))
        rows.append(("exact", self.exact))
        if not self.exact:
            rows.append(("certified optimality gap", self.optimality_gap))
        return pd.DataFrame(rows, columns=["measure", "value"])

    @property
    def notes(self) -> tuple[str, ...]:
        """Plain-language notes on how to read the result (a tuple)."""
        notes = [self.unknown_treatment]
        notes.append(
            "The total circular flow is unique; how it is spread over edges may not be "
            "(the tables show one maximal circulation)."
        )
        if not self.exact:
            gap = ("could not be certified" if math.isnan(self.optimality_gap)
                   else f"is at most {self.optimality_gap:.6g}")
            notes.append(f"Amounts were rounded down to multiples of {self.quantum:g}; the "
                         f"circulation this can have missed {gap}.")
        return Notes(notes)


def maximal_circulation(
    G: Any,
    *,
    weight: str = "amount",
    quantum: float | None = None,
    progress: Progress = None,
) -> CirculationResult:
    """Split a money-flow network into a maximal circular part and an acyclic directional part.

    Parameters
    ----------
    G : networkx.MultiDiGraph, networkx.DiGraph or pandas.DataFrame
        The deal graph from :func:`flowgraph.build_graph` (deals on one payer -> payee pair
        are summed), a collapsed graph (:func:`flowgraph.collapse`) or any DiGraph with the
        ``weight`` attribute, or an edge table with ``payer``/``payee`` (or
        ``source``/``target``) columns and a ``weight`` column (rows on one pair are summed).
    weight : str
        Edge attribute (or column) holding the amount. NaN means unknown.
    quantum : float, optional
        Integer scaling step. By default the coarsest power of ten (1 down to 1e-9) of which
        every amount is a whole multiple, which makes the answer exact; for amounts without
        such a step, a step small enough for 2**52 units in total, and the result carries a
        certified bound on what the rounding can miss.
    progress : callable, optional
        Called with short progress messages.

    Returns
    -------
    CirculationResult

    Raises
    ------
    ParameterError
        Negative or infinite amounts, an undirected graph, or a bad ``quantum``.
    SolverError
        The solver failed or its answer did not pass verification.

    Notes
    -----
    The linear program ``max sum(C)`` subject to ``0 <= C <= W`` and balance at every node is
    a min-cost circulation with unit cost -1 per edge; it is solved by OR-tools'
    cost-scaling push-relabel algorithm on the edges inside strongly connected components.
    At an optimum the directional part ``D = W - C`` has no cycle (otherwise more could go
    round it). The answer is verified: balance in exact integer arithmetic, ``0 <= C <= W``.

    Examples
    --------
    >>> import networkx as nx
    >>> W = nx.DiGraph()
    >>> W.add_weighted_edges_from([("A", "B", 5), ("B", "C", 3), ("C", "A", 4)], weight="amount")
    >>> r = maximal_circulation(W)
    >>> r.circular_flow, round(r.circularity_index, 4)
    (9.0, 0.75)
    """
    ed = _edges(G, weight, quantum)
    res = eng.max_circulation(ed.n, ed.src, ed.dst, ed.w, quantum=quantum, progress=progress)
    return _circulation_result(ed, res, weight, progress)


def _circulation_result(ed: _Edges, res: Any, weight: str, progress: Progress
                        ) -> CirculationResult:
    """Verify a raw circulation (:class:`CirculationArrays`) and turn it into tables."""
    c = res.circular
    d = np.maximum(ed.w - c, 0.0)
    # D is acyclic beyond rounding remainders (each less than one quantum)
    if not eng.directional_is_acyclic(ed.n, ed.src, ed.dst, d, res.quantum * (1 - 1e-9)):

        raise SolverError("directional part has a cycle: circulation is not maximal")
    total = float(ed.w.sum())
    circ = float(c.sum())
    comp = res.component
    on_cycle = (comp[ed.src] == comp[ed.dst]) if ed.n else np.zeros(0, dtype=bool)
    # renumber components that carry cycles 0.. by size of their circulation
    cyc_labels = np.unique(comp[ed.src[on_cycle]]) if on_cycle.any() else np.zeros(0, np.int64)
    comp_circ = {int(lab): float(c[on_cycle & (comp[ed.src] == lab)].sum()) for lab in cyc_labels}
    comp_names: dict[int, list[Any]] = {}
    for i, lab in enumerate(comp):
        if int(lab) in comp_circ:
            comp_names.setdefault(int(lab), []).append(ed.names[i])
    order = sorted(comp_circ, key=lambda lab: (-comp_circ[lab], str(comp_names[lab][0])))
    relabel = {lab: k for k, lab in enumerate(order)}
    node_comp = np.array([relabel.get(int(lab), -1) for lab in comp], dtype=np.int64)
    edge_comp = np.where(on_cycle, node_comp[ed.src] if ed.n else 0, -1)

    names = np.array(ed.names, dtype=object)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(ed.w > 0, c / np.where(ed.w > 0, ed.w, 1.0), np.nan)
    # names are sorted, so their codes order them: sort by C, W (largest first), names
    eo = np.lexsort((ed.dst, ed.src, -ed.w, -c))
    edges = pd.DataFrame({
        "payer": names[ed.src[eo]] if len(eo) else np.array([], dtype=object),
        "payee": names[ed.dst[eo]] if len(eo) else np.array([], dtype=object),
        "amount": ed.w[eo],
        "circular": c[eo],
        "directional": d[eo],
        "circular_share": share[eo],
        "n_deals": ed.n_deals[eo],
        "has_unknown": ed.has_unknown[eo],
        "component": edge_comp[eo],
    })

    inflow = np.bincount(ed.dst, weights=ed.w, minlength=ed.n)
    outflow = np.bincount(ed.src, weights=ed.w, minlength=ed.n)
    cin = np.bincount(ed.dst, weights=c, minlength=ed.n)
    cout = np.bincount(ed.src, weights=c, minlength=ed.n)
    sizes = np.bincount(node_comp[node_comp >= 0], minlength=len(order))
    comp_size = np.where(node_comp >= 0, sizes[np.maximum(node_comp, 0)] if len(sizes) else 1, 1)
    no = np.lexsort((np.arange(ed.n), -inflow, -cin))
    with np.errstate(invalid="ignore", divide="ignore"):
        companies = pd.DataFrame({
            "company": names[no] if ed.n else np.array([], dtype=object),
            "kind": [ed.kinds.get(ed.names[i], "unknown") for i in no],
            "inflow": inflow[no],
            "outflow": outflow[no],
            "circular_inflow": cin[no],
            "circular_share_of_inflow": np.where(inflow > 0, cin / np.where(inflow > 0, inflow, 1),
                                                 np.nan)[no],
            "circular_share_of_outflow": np.where(outflow > 0,
                                                  cout / np.where(outflow > 0, outflow, 1),
                                                  np.nan)[no],
            "component": node_comp[no],
            "component_size": comp_size[no].astype(np.int64),
        })

    crow = []
    for lab in order:
        k = relabel[lab]
        mask = edge_comp == k
        members = sorted(comp_names[lab], key=str)
        amt = float(ed.w[mask].sum())
        crow.append({
            "component": k,
            "companies": ", ".join(map(str, members)),
            "n_companies": len(members),
            "n_edges": int(mask.sum()),
            "amount": amt,
            "circular": float(c[mask].sum()),
            "circularity_index": float(c[mask].sum()) / amt if amt > 0 else math.nan,
        })
    components = pd.DataFrame(crow, columns=["component", "companies", "n_companies", "n_edges",
                                             "amount", "circular", "circularity_index"])
    if progress:
        progress("circulation: done")
    return CirculationResult(
        total_flow=total,
        circular_flow=circ,
        directional_flow=total - circ,
        circularity_index=circ / total if total > 0 else math.nan,
        edges=edges,
        companies=companies,
        components=components,
        excluded_unknown_edges=int(ed.has_unknown.sum()),
        excluded_unknown_deals=ed.unknown_deals,
        unknown_treatment=ed.unknown_text(),
        scenario=ed.scenario,
        weight=weight,
        solver=SOLVER_NAME,
        quantum=res.quantum,
        exact=res.exact,
        optimality_gap=res.gap,
        max_imbalance=res.max_imbalance,
        solve_seconds=res.solve_seconds,
    )


def _sort(df: pd.DataFrame, desc: list[str], asc: list[str]) -> pd.DataFrame:
    if not len(df):
        return df.reset_index(drop=True)
    key = df[asc].astype(str)
    tmp = pd.concat([df[desc], key.add_prefix("_k_")], axis=1)
    order = tmp.sort_values(desc + ["_k_" + a for a in asc],
                            ascending=[False] * len(desc) + [True] * len(asc),
                            kind="mergesort", na_position="last").index
    return df.loc[order].reset_index(drop=True)


# --------------------------------------------------------------------------- company selection
def _select(ed: _Edges, companies: Iterable[str] | str | None, top: int | None,
            score: np.ndarray, score_name: str, eligible: np.ndarray | None = None,
            default_top: int = DEFAULT_TOP, why: str = "", measure: str = ""
            ) -> tuple[np.ndarray, str, int | None]:
    """Indices of the companies to analyse, a sentence saying how they were chosen, and how
    many rows to keep once the result is sorted by its measure (None: all).

    In networks of at most :data:`SMALL_NETWORK` companies every company is computed, so
    ``top`` keeps the ``top`` largest by the ``measure`` itself; above that, ``top`` bounds the
    work: the companies with the largest ``score`` are computed (and the sentence says so).
    """
    if companies is not None:
        if isinstance(companies, str):
            companies = [companies]
        names = [check_company(ed.names, c) for c in companies]
        index = {n: i for i, n in enumerate(ed.names)}
        idx = np.array(sorted({index[n] for n in names}), dtype=np.int64)
        return idx, f"the {count_noun(len(idx), 'company', 'companies')} asked for", None

    whole("top", top, minimum=1)
    pool = np.arange(ed.n) if eligible is None else np.flatnonzero(eligible)
    if ed.n <= SMALL_NETWORK:
        every = f"all {len(pool)} companies" if eligible is None else (
            f"all {len(pool)} companies with {score_name} (the others are 0)")
        if top is None or top >= len(pool):
            return pool, every, None
        return pool, f"{every}; the {top} with the largest {measure} shown", top
    k = default_top if top is None else top
    names = np.array([str(x) for x in ed.names], dtype=object)
    order = sorted(pool.tolist(), key=lambda i: (-score[i], names[i]))
    chosen = np.array(sorted(order[:k]), dtype=np.int64)
    return chosen, (f"the top {len(chosen)} of {ed.n} companies by {score_name}"
                    + (f" (a network of more than {SMALL_NETWORK} companies; others not "
                       "computed)" if top is not None else f" (default for networks of more "
                       f"than {SMALL_NETWORK} companies{why}; others not computed)")), None


# --------------------------------------------------------------------------- per-company results
@dataclass(frozen=True, eq=False)
class CompanyTableResult:
    """What the per-company results share: a ``table`` sorted by its measure, how its
    companies were chosen (``selection``) and how unknown amounts were treated.

    For one release the result also behaves as its table did when the functions returned a
    DataFrame (``res["company"]``, ``res.head()``, ``len(res)``, ``res.attrs``), with a
    :class:`DeprecationWarning` saying to use ``.table`` (and ``.notes``).

    Attributes
    ----------
    table : pandas.DataFrame
    selection : str
        Which companies were computed and shown, as a sentence.
    unknown_treatment : str
        How unknown amounts were treated, in words.
    """

    table: pd.DataFrame = field(repr=False)
    selection: str
    unknown_treatment: str

    _title = "Companies"
    _measure = ("", "")  # the column the table is sorted by (largest first), in words
    _scalars = ()  # the fields old code read from ``df.attrs``

    @property
    def notes(self) -> tuple[str, ...]:
        """How to read the result: which companies were computed, how unknown amounts were
        treated."""
        return Notes((self.selection, self.unknown_treatment))

    def _first_rows(self) -> list[tuple[str, Any]]:
        """The first row of the table by its measure, said as "largest" only because the
        table is sorted by that measure, largest first."""
        t, (column, what) = self.table, self._measure
        if not len(t) or not t[column].notna().any():
            return [(f"largest {what}", "none computed")]
        row = t.iloc[0]
        return [(f"largest {what} (of the companies computed)", row["company"]),
                (f"its {what}", float(row[column]))]

    def headline(self) -> pd.DataFrame:
        """The headline numbers as a two-column table (``measure``, ``value``)."""
        rows = [(name.replace("_", " "), getattr(self, name)) for name in self._scalars]
        rows.append(("companies shown", len(self.table)))
        rows += self._first_rows()
        return pd.DataFrame(rows, columns=["measure", "value"])

    def __repr__(self) -> str:
        return (f"<{type(self).__name__}: "
                f"{count_noun(len(self.table), 'company', 'companies')}; {self.selection}>")

    def _repr_html_(self) -> str:
        import html

        from ._notebook import frame_html

        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self.notes)
        return (frame_html(self.headline(), caption=self._title)
                + frame_html(self.table, caption=f"{self._title}, by {self._measure[1]}")
                + notes)

    # ---- the DataFrame these functions returned before, for one release
    def _old_table(self, use: str) -> pd.DataFrame:
        import warnings

        warnings.warn(f"{type(self).__name__} is no longer a DataFrame: {use}",
                      DeprecationWarning, stacklevel=3)
        return self.table

    def __getattr__(self, name: str) -> Any:
        # only names the dataclass lacks get here; never private or dunder names (copy and
        # pickle look those up before the fields are set)
        if name.startswith("_") or name in type(self).__dataclass_fields__:
            raise AttributeError(name)
        if name == "attrs":
            self._old_table("use .notes and the result's fields, not .attrs")
            return {"selection": self.selection, "unknown_treatment": self.unknown_treatment,
                    **{k: getattr(self, k) for k in self._scalars}}
        return getattr(self._old_table(f"use .table.{name}"), name)

    def __getitem__(self, key: Any) -> Any:
        return self._old_table(f"use .table[{key!r}]")[key]

    def __len__(self) -> int:
        return len(self._old_table("use len(.table)"))

    def __iter__(self) -> Any:
        return iter(self._old_table("iterate over .table"))

    def __bool__(self) -> bool:  # a result is always there, even with an empty table
        return True


@dataclass(frozen=True, eq=False, repr=False)
class SelfFundedResult(CompanyTableResult):
    """The result of :func:`self_funded`.

    Attributes
    ----------
    table : pandas.DataFrame
        ``company, inflow, outflow, self_funded, self_funded_share`` (of inflow, NaN when
        there is none), ``self_funded_share_of_outflow, rounding_bound`` (certified bound on
        what rounding amounts to quanta can have missed; 0 for decimal data); sorted by
        ``self_funded`` (largest first), then name.
    selection, unknown_treatment, notes
        As for :class:`CompanyTableResult`.

    Examples
    --------
    >>> import networkx as nx
    >>> W = nx.DiGraph([("A", "B", {"amount": 2.0}), ("B", "A", {"amount": 1.0})])
    >>> self_funded(W).headline().iloc[1].tolist()
    ['largest self-funded amount (of the companies computed)', 'A']
    """

    _title = "Self-funded: money that can leave a company and come back to it"
    _measure = ("self_funded", "self-funded amount")


@dataclass(frozen=True, eq=False, repr=False)
class KeystoneResult(CompanyTableResult):
    """The result of :func:`keystones`.

    Attributes
    ----------
    table : pandas.DataFrame
        ``company, circular_inflow, circular_flow_without, circulation_lost,
        share_of_circulation`` (lost / total circular flow); sorted by ``circulation_lost``
        (largest first), then name.
    circular_flow : float
        The maximal circulation of the whole network (``sum(C)``).
    selection, unknown_treatment, notes
        As for :class:`CompanyTableResult`.

    Examples
    --------
    >>> import networkx as nx
    >>> W = nx.DiGraph([("A", "B", {"amount": 2.0}), ("B", "A", {"amount": 1.0})])
    >>> keystones(W).circular_flow
    2.0
    """

    circular_flow: float

    _title = "Keystones: circulation lost when a company is removed"
    _measure = ("circulation_lost", "circulation lost")
    _scalars = ("circular_flow",)


@dataclass(frozen=True, eq=False, repr=False)
class CompanyCirculationResult(CompanyTableResult):
    """The result of :func:`company_circulation`.

    Attributes
    ----------
    table : pandas.DataFrame
        ``company, kind, n_cycles, inflow, outflow, circular_inflow,
        circular_share_of_inflow, self_funded, self_funded_share, keystone_loss,
        keystone_share, component``, sorted like :attr:`CirculationResult.companies`
        (circular inflow, then inflow, largest first, then name).
    circularity_index : float
        ``sum(C) / sum(W)`` of the whole network.
    selection, unknown_treatment, notes
        As for :class:`CompanyTableResult`.

    Examples
    --------
    >>> import networkx as nx
    >>> W = nx.DiGraph([("A", "B", {"amount": 3.0}), ("B", "A", {"amount": 1.0})])
    >>> company_circulation(W).circularity_index
    0.5
    """

    circularity_index: float

    _title = "Circulation by company"
    _measure = ("circular_inflow", "circular inflow")
    _scalars = ("circularity_index",)


# --------------------------------------------------------------------------- self-funded share
def self_funded(
    G: Any,
    companies: Iterable[str] | str | None = None,
    *,
    weight: str = "amount",
    top: int | None = None,
    quantum: float | None = None,
    progress: Progress = None,
) -> SelfFundedResult:
    """The most money that can leave each company and come back to it through the network.

    For company ``v`` this is the maximum flow from ``v`` to itself: ``v`` is split into a
    source that keeps ``v``'s out-edges and a sink that receives ``v``'s in-edges, and edge
    amounts are capacities. Money that comes back can only travel inside ``v``'s strongly
    connected component, so only that component is searched.

    Parameters
    ----------
    G : networkx.MultiDiGraph, networkx.DiGraph or pandas.DataFrame
        As for :func:`maximal_circulation`.
    companies : str or list of str, optional
        Companies to compute. By default every company in networks of at most
        :data:`SMALL_NETWORK` companies, else the :data:`DEFAULT_TOP` companies with the most
        flow through them (``max(inflow, outflow)``); ``top`` sets that number.
    weight, quantum, progress
        As for :func:`maximal_circulation`.

    Returns
    -------
    SelfFundedResult
        ``table``: ``company, inflow, outflow, self_funded, self_funded_share`` (of inflow,
        NaN when there is none), ``self_funded_share_of_outflow, rounding_bound`` (certified
        bound on what rounding amounts to quanta can have missed; 0 for decimal data); sorted
        by ``self_funded`` (largest first), then name. ``selection`` (how the companies were
        chosen) and ``unknown_treatment`` are its ``notes``.

    Examples
    --------
    >>> import networkx as nx
    >>> W = nx.DiGraph()
    >>> W.add_weighted_edges_from([("A", "B", 5), ("B", "A", 3), ("A", "C", 2)], weight="amount")
    >>> self_funded(W).table.set_index("company")["self_funded"].to_dict()
    {'A': 3.0, 'B': 3.0, 'C': 0.0}
    """
    ed = _edges(G, weight, quantum)
    inflow = np.bincount(ed.dst, weights=ed.w, minlength=ed.n)
    outflow = np.bincount(ed.src, weights=ed.w, minlength=ed.n)
    idx, selection, head = _select(ed, companies, top, np.maximum(inflow, outflow),
                                   "flow through them (the larger of inflow and outflow)",
                                   measure="self-funded amount")
    amounts, bounds = self_funded_arrays(
        ed.n, ed.src, ed.dst, ed.w, idx, quantum=quantum,
        progress=(lambda k, v: progress(f"self-funded: {k + 1}/{len(idx)} {ed.names[v]}"))
        if progress else None)
    with np.errstate(invalid="ignore", divide="ignore"):
        df = pd.DataFrame({
            "company": [ed.names[i] for i in idx],
            "inflow": inflow[idx],
            "outflow": outflow[idx],
            "self_funded": amounts,
            "self_funded_share": np.where(inflow[idx] > 0, amounts / np.where(
                inflow[idx] > 0, inflow[idx], 1), np.nan),
            "self_funded_share_of_outflow": np.where(outflow[idx] > 0, amounts / np.where(
                outflow[idx] > 0, outflow[idx], 1), np.nan),
            "rounding_bound": bounds,
        })
    df = _sort(df, ["self_funded"], ["company"])
    if head is not None:
        df = df.head(head).reset_index(drop=True)
    if progress:
        progress("self-funded: done")
    return SelfFundedResult(df, f"Computed for {selection}.", ed.unknown_text())


def self_funded_arrays(n: int, src: np.ndarray, dst: np.ndarray, w: np.ndarray,
                       companies: Sequence[int], *, quantum: float | None = None,
                       progress: Callable[[int, int], None] | None = None,
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Self-funded amounts of the companies (node codes) of an edge-array network.

    The engine of :func:`self_funded` (which see), for callers that solve many networks of
    one shape (Monte Carlo samples): ``(amounts, certified rounding bounds)`` in the order
    of ``companies``.
    """
    inflow = np.bincount(dst, weights=w, minlength=n)
    outflow = np.bincount(src, weights=w, minlength=n)
    pos = w > 0
    q = quantum if quantum is not None else eng.choose_quantum(w[pos])[0]
    if not (q > 0 and math.isfinite(q)):
        raise ParameterError("quantum must be a positive number")
    s, t, w = src[pos], dst[pos], w[pos]
    _, comp = eng.strong_components(n, s, t)
    loop = s == t
    inner = (comp[s] == comp[t]) & ~loop
    from . import distributed

    remote = None  # on a cluster: one task per group of companies, the same max flows
    if inner.any() and distributed.active() is not None:
        remote = distributed.self_funded_values(n, s[inner], t[inner], w[inner], q,
                                                [int(v) for v in companies], progress)
    solver = (eng.MaxFlowSolver(n, s[inner], t[inner], w[inner], q)
              if inner.any() and remote is None else None)
    loops = np.bincount(s[loop], weights=w[loop], minlength=n)
    amounts = np.zeros(len(companies))
    bounds = np.zeros(len(companies))
    for k, v in enumerate(companies):
        if progress and remote is None:
            progress(k, int(v))
        val, bound = (remote[k] if remote is not None else solver.self_funded(int(v))
                      if solver is not None else (0.0, 0.0))
        amounts[k] = min(val, inflow[v], outflow[v]) + loops[v]
        bounds[k] = bound
    return amounts, bounds


# --------------------------------------------------------------------------- keystones
def keystones(
    G: Any,
    companies: Iterable[str] | str | None = None,
    *,
    weight: str = "amount",
    top: int | None = None,
    quantum: float | None = None,
    progress: Progress = None,
) -> KeystoneResult:
    """How much maximal circulation vanishes when one company is removed.

    Parameters
    ----------
    G : networkx.MultiDiGraph, networkx.DiGraph or pandas.DataFrame
        As for :func:`maximal_circulation`.
    companies : str or list of str, optional
        Companies to compute. By default every company with circular flow through it in
        networks of at most :data:`SMALL_NETWORK` companies, else the :data:`DEFAULT_TOP`
        companies with the most circular inflow (:data:`KEYSTONE_TOP_LARGE` in networks of
        more than :data:`LARGE_FLOW_NETWORK` payer -> payee pairs on cycles; ``top`` sets that
        number). A company with no circular flow through it removes nothing (the same
        circulation stays possible).
    weight, quantum, progress
        As for :func:`maximal_circulation`.

    Returns
    -------
    KeystoneResult
        ``table``: ``company, circular_inflow, circular_flow_without, circulation_lost,
        share_of_circulation`` (lost / total circular flow); sorted by ``circulation_lost``
        (largest first), then name. ``circular_flow`` is the whole network's; ``selection``
        and ``unknown_treatment`` are its ``notes``.

    Notes
    -----
    The circulation is solved once. For each company the money that went through it in that
    optimum is taken out, and the companies that paid it and those it paid are rebalanced by a
    minimum-cost flow in the residual network, started from the optimum's dual potentials
    (Dijkstra on reduced costs, then shortest augmenting paths on arcs of zero reduced cost).
    The result is exactly the maximal circulation without the company, verified for bounds,
    balance and optimality (no residual arc of negative reduced cost), in integer arithmetic.
    On networks with at least 200,000 payer -> payee pairs on cycles the companies are
    re-routed in parallel threads, one per core; the answers are the same.

    Examples
    --------
    >>> import networkx as nx
    >>> W = nx.DiGraph()
    >>> W.add_weighted_edges_from([("A", "B", 2), ("B", "A", 2), ("B", "C", 1), ("C", "B", 1)],
    ...                           weight="amount")
    >>> keystones(W).table.set_index("company")["circulation_lost"].to_dict()
    {'B': 6.0, 'A': 4.0, 'C': 2.0}
    """
    ed = _edges(G, weight, quantum)
    base = eng.max_circulation(ed.n, ed.src, ed.dst, ed.w, quantum=quantum, certify=False,
                               progress=progress)
    return _keystone_table(ed, base, companies, top, progress)


def _keystone_default(ed: _Edges, base: Any) -> tuple[int, str]:
    """Default number of keystone companies for a network, and why (see KEYSTONE_TOP_LARGE)."""
    if ed.n == 0:
        return DEFAULT_TOP, ""
    comp = base.component
    cyclic = int(np.count_nonzero((ed.w > 0) & (comp[ed.src] == comp[ed.dst])))
    if cyclic > LARGE_FLOW_NETWORK:
        return KEYSTONE_TOP_LARGE, (f", {KEYSTONE_TOP_LARGE} in networks of more than "
                                    f"{LARGE_FLOW_NETWORK:,} payer->payee pairs on cycles")
    return DEFAULT_TOP, ""


# re-route companies in threads when each takes long enough to repay a thread's start-up
_THREADED_EDGES = 200_000


def _usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the system reports it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on every platform
        return os.cpu_count() or 1


def _values_without(solver: Any, nodes: list[int], progress: Progress,
                    names: list[str]) -> list[int]:
    """``solver.value_without`` for each node, in order; on large networks spread over the
    machine's cores (the compiled re-routing releases the GIL; each thread has its own
    scratch space, the answers are exact integers, so the result does not depend on it).
    Progress: ``keystones: re-routing N companies``, then ``keystones: i/N NAME`` as each
    one is done."""
    if solver is None:
        return [0] * len(nodes)
    from . import distributed

    if distributed.active() is not None:  # on a cluster: one task per group of companies
        return distributed.values_without(solver, nodes, progress, names)
    total = len(nodes)
    workers = min(total, _usable_cores())
    threaded = workers > 1 and len(solver.cap) >= _THREADED_EDGES
    if progress:
        progress(f"keystones: re-routing {count_noun(total, 'company', 'companies')}"
                 + (f" on {workers} threads" if threaded else ""))
    out = [0] * total
    if not threaded:
        for i, v in enumerate(nodes):
            out[i] = solver.value_without(v)
            if progress:
                progress(f"keystones: {i + 1}/{total} {names[i]}")
        return out
    from concurrent.futures import ThreadPoolExecutor, as_completed

    free = [solver] + [solver.fork() for _ in range(workers - 1)]
    lock = threading.Lock()

    def run(v: int) -> int:
        with lock:
            mine = free.pop()
        try:
            return mine.value_without(v)
        finally:
            with lock:
                free.append(mine)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(run, v): i for i, v in enumerate(nodes)}
        for count, done in enumerate(as_completed(futures), start=1):
            i = futures[done]
            out[i] = done.result()
            if progress:
                progress(f"keystones: {count}/{total} {names[i]}")
    return out


def _keystone_table(ed: _Edges, base: Any, companies: Iterable[str] | str | None,
                    top: int | None, progress: Progress) -> KeystoneResult:
    """Keystone impact from the maximal circulation ``base`` of the edges ``ed``."""
    c = base.circular
    cin = np.bincount(ed.dst, weights=c, minlength=ed.n)
    default_top, why = _keystone_default(ed, base)
    idx, selection, head = _select(ed, companies, top, cin, "circular inflow",
                                   eligible=cin > 0, default_top=default_top, why=why,
                                   measure="circulation lost")
    q = base.quantum
    total = float(c.sum())
    pos = ed.w > 0
    s, t, w = ed.src[pos], ed.dst[pos], ed.w[pos]
    comp = base.component
    loop = s == t
    inner = (comp[s] == comp[t]) & ~loop
    loops_w = np.bincount(s[loop], weights=w[loop], minlength=ed.n)
    lost = np.zeros(len(idx))
    todo = [k for k, v in enumerate(idx) if cin[v] > 0 or loops_w[v] > 0]
    solver = None
    if todo and inner.any():
        # the optimal integer circulation of the cyclic edges, in units of q
        cap = eng.to_units(w[inner], q)
        flow = np.rint(c[pos][inner] / q).astype(np.int64)
        solver = eng.KeystoneSolver(ed.n, s[inner], t[inner], cap, flow)
    without = _values_without(solver, [int(idx[k]) for k in todo], progress,
                              [str(ed.names[idx[k]]) for k in todo])
    for k, value in zip(todo, without):
        gone = (solver.value - value) * q if solver is not None else 0.0
        lost[k] = gone + loops_w[idx[k]]
    without_total = total - lost
    df = pd.DataFrame({
        "company": [ed.names[i] for i in idx],
        "circular_inflow": cin[idx],
        "circular_flow_without": without_total,
        "circulation_lost": lost,
        "share_of_circulation": lost / total if total > 0 else np.full(len(idx), np.nan),
    })
    df = _sort(df, ["circulation_lost"], ["company"])
    if head is not None:
        df = df.head(head).reset_index(drop=True)
    if progress:
        progress("keystones: done")
    return KeystoneResult(df, f"Computed for {selection}.", ed.unknown_text(), total)


# --------------------------------------------------------------------------- per-company table
@renamed(max_cycle_length="max_length")
def company_circulation(
    G: Any,
    *,
    weight: str = "amount",
    top: int | None = None,
    quantum: float | None = None,
    max_length: int | None = 6,
    progress: Progress = None,
) -> CompanyCirculationResult:
    """One table per company: cycles, circular inflow, self-funded amount, keystone impact.

    Parameters
    ----------
    G : networkx.MultiDiGraph, networkx.DiGraph or pandas.DataFrame
        As for :func:`maximal_circulation`.
    top : int, optional
        In networks of more than :data:`SMALL_NETWORK` companies the self-funded amount and
        keystone impact are computed for the ``top`` (default :data:`DEFAULT_TOP`) companies
        with the most circular inflow; elsewhere they are NaN (not computed). Without ``top``,
        networks of more than :data:`LARGE_FLOW_NETWORK` payer -> payee pairs on cycles get
        keystone impact for the top :data:`KEYSTONE_TOP_LARGE` only (``selection`` says
        which).
    max_length : int or None
        Longest loop counted in ``n_cycles`` (from :func:`flowgraph.cycles.cycle_participation`;
        counted only in networks of at most :data:`SMALL_NETWORK` companies, where listing
        loops stays cheap; NaN elsewhere or when None).
    weight, quantum, progress
        As for :func:`maximal_circulation`.

    Returns
    -------
    CompanyCirculationResult
        ``table``: ``company, kind, n_cycles, inflow, outflow, circular_inflow,
        circular_share_of_inflow, self_funded, self_funded_share, keystone_loss,
        keystone_share, component``, sorted like :attr:`CirculationResult.companies`;
        ``circularity_index``; ``selection`` and ``unknown_treatment`` are its ``notes``.

    Examples
    --------
    >>> import networkx as nx
    >>> W = nx.DiGraph()
    >>> W.add_weighted_edges_from([("A", "B", 4), ("B", "A", 1)], weight="amount")
    >>> t = company_circulation(W).table
    >>> t[["company", "circular_inflow", "self_funded"]].to_dict("list")
    {'company': ['B', 'A'], 'circular_inflow': [1.0, 1.0], 'self_funded': [1.0, 1.0]}
    """
    ed = _edges(G, weight, quantum)
    base = eng.max_circulation(ed.n, ed.src, ed.dst, ed.w, quantum=quantum, progress=progress)
    res = _circulation_result(ed, base, weight, progress)
    comp = res.companies.copy()
    names = comp["company"].tolist()
    many = len(names) > SMALL_NETWORK or top is not None
    if many:
        k = DEFAULT_TOP if top is None else top
        kk = min(k, _keystone_default(ed, base)[0]) if top is None else top
        active = comp[comp["circular_inflow"] > 0]["company"].tolist()
        chosen: list[Any] | None = active[:k]
        chosen_ks: list[Any] | None = active[:kk]
        selection = (f"Self-funded amounts computed for the top {len(chosen)} companies by "
                     f"circular inflow, keystone impact for the top {len(chosen_ks)}"
                     + (f" (fewer by default above {LARGE_FLOW_NETWORK:,} payer->payee pairs "
                        f"on cycles, to keep the run near a minute)" if kk < k else "")
                     + "; others are not computed.")
    else:
        chosen = chosen_ks = None
        selection = "Self-funded amounts and keystone impact computed for every company."
    if chosen is not None and not chosen:
        sf = pd.DataFrame(columns=["company", "self_funded", "self_funded_share"])
        ks = pd.DataFrame(columns=["company", "circulation_lost", "share_of_circulation"])
    else:
        sf = self_funded(G, chosen, weight=weight, quantum=quantum, progress=progress).table
        ks = _keystone_table(ed, base, chosen_ks, None, progress).table  # one solve
    out = comp.merge(sf[["company", "self_funded", "self_funded_share"]], on="company",
                     how="left")
    out = out.merge(ks[["company", "circulation_lost", "share_of_circulation"]], on="company",
                    how="left")
    out = out.rename(columns={"circulation_lost": "keystone_loss",
                              "share_of_circulation": "keystone_share"})
    if chosen is None:
        # companies without circular flow through them remove nothing
        out["keystone_loss"] = out["keystone_loss"].fillna(0.0)
        out["keystone_share"] = out["keystone_share"].where(
            out["keystone_share"].notna(), 0.0 if res.circular_flow > 0 else np.nan)
    out["n_cycles"] = np.nan
    if len(names) <= SMALL_NETWORK and max_length is not None:
        from .cycles import cycle_participation

        cp = cycle_participation(G, weight=weight, max_length=max_length,
                                 progress=progress)
        out = out.drop(columns="n_cycles").merge(cp[["company", "n_cycles"]], on="company",
                                                 how="left")
    cols = ["company", "kind", "n_cycles", "inflow", "outflow", "circular_inflow",
            "circular_share_of_inflow", "self_funded", "self_funded_share", "keystone_loss",
            "keystone_share", "component"]
    out = out[cols].astype({"n_cycles": float, "self_funded": float, "self_funded_share": float,
                            "keystone_loss": float, "keystone_share": float})
    return CompanyCirculationResult(out, selection, res.unknown_treatment,
                                    res.circularity_index)


# --------------------------------------------------------------------------- Finn's cycling index
@dataclass(frozen=True, eq=False)
class FinnResult:
    """Finn's cycling index and the throughflow analysis behind it.

    Attributes
    ----------
    fci : float
        Finn's cycling index ``TSTc / TST`` (NaN when there is no throughflow).
    tst : float
        Total system throughflow ``sum(T)``.
    tst_cycled : float
        Cycled throughflow ``TSTc = sum((N_ii - 1) / N_ii * T_i)``.
    boundary_input, boundary_output : float
        Total boundary inputs ``z`` and outputs ``y``.
    nodes : pandas.DataFrame
        ``node, throughflow, input, output, cycling_efficiency`` (``(N_ii - 1) / N_ii``: the
        share of the node's throughflow that comes back to it), ``cycled_throughflow``;
        sorted by cycled throughflow (largest first), then name.
    boundary : str
        How boundary flows were obtained, in words.
    balanced : bool
        Whether inflow + input = outflow + output at every node (within 1e-9 relative).
    unknown_treatment : str
        How unknown amounts were treated.
    notes : tuple of str
        How to read the result: how boundary flows were obtained, how unknown amounts were
        treated, whether the flows balance, and how many nodes are on closed loops.
    n_closed : int
        Nodes of closed groups (strongly connected components nothing leaks out of), whose
        cycling efficiency is 1.
    """

    fci: float
    tst: float
    tst_cycled: float
    boundary_input: float
    boundary_output: float
    nodes: pd.DataFrame
    boundary: str
    balanced: bool
    unknown_treatment: str
    n_closed: int = 0

    def summary(self) -> pd.DataFrame:
        """Deprecated name of :meth:`headline`."""
        return _deprecated_summary(self)

    @property
    def notes(self) -> tuple[str, ...]:
        """How to read the result (a tuple)."""
        notes = [self.boundary, self.unknown_treatment]
        if self.n_closed:
            notes.append(
                f"{self.n_closed:,} nodes are on closed loops (no money leaves their group "
                "and none comes in): all of their throughflow is cycled (cycling efficiency "
                "1, Finn 1976's limit of no leak).")
        if not self.balanced:
            notes.append("The flows do not balance at every company (inflow + input differs "
                         "from outflow + output); throughflow is measured on the input side "
                         "(inflow + input), as enaR does.")
        return Notes(notes)

    def headline(self) -> pd.DataFrame:
        """The headline numbers as a two-column table."""
        return pd.DataFrame(
            [("Finn's cycling index (FCI)", self.fci), ("total system throughflow (TST)",
                                                        self.tst),
             ("cycled throughflow (TSTc)", self.tst_cycled),
             ("boundary inputs", self.boundary_input), ("boundary outputs", self.boundary_output),
             ("balanced", self.balanced)],
            columns=["measure", "value"])


def _deprecated_summary(result: Any) -> pd.DataFrame:
    import warnings

    warnings.warn(f"{type(result).__name__}.summary() is now headline(), as for every result",
                  DeprecationWarning, stacklevel=3)
    return result.headline()


CLOSED_LEAK = 1e-12
"""A strongly connected component whose every node passes on within this share of its
throughflow to the others is closed (:func:`finn_cycling_index`)."""


def _diag_inverse(Gm: Any, labels: np.ndarray, max_dense: int) -> np.ndarray:
    """diag((I - G)^-1), one strongly connected component at a time; ``inf`` for the nodes
    of a closed component (nothing leaks out of it: ``I - G`` is singular there, and a unit
    leaving a node comes back with certainty, see :func:`finn_cycling_index`)."""
    import scipy.sparse as sp

    from .errors import SolverError

    n = Gm.shape[0]
    out = np.ones(n)
    Gm = sp.csr_matrix(Gm)
    for lab in np.unique(labels):
        members = np.flatnonzero(labels == lab)
        sub = Gm[members][:, members]
        if sub.nnz == 0:
            continue  # a single node without a self-loop: nothing comes back
        k = len(members)
        kept = np.asarray(sub.sum(axis=1)).ravel()  # share of T_i passed on inside
        if np.all(kept >= 1.0 - CLOSED_LEAK):
            out[members] = np.inf  # closed: every unit comes back (return probability 1)
            continue
        singular = SolverError(
            f"Finn's cycling index: the throughflows of a group of {k:,} nodes cannot be "
            "solved (I - G is singular: the given boundary inputs and outputs do not balance "
            "the flows); give balancing inputs and outputs, or none (each node's imbalance "
            "then becomes its boundary flow)")
        if k <= max_dense:
            try:
                N = np.linalg.inv(np.eye(k) - sub.toarray())
            except np.linalg.LinAlgError:
                raise singular from None
            out[members] = np.diag(N)
        else:
            from scipy.sparse.linalg import splu

            try:
                lu = splu(sp.csc_matrix(sp.eye(k) - sub))
            except RuntimeError:  # "Factor is exactly singular"
                raise singular from None
            block = 256
            for j0 in range(0, k, block):
                j1 = min(k, j0 + block)
                rhs = np.zeros((k, j1 - j0))
                rhs[np.arange(j0, j1), np.arange(j1 - j0)] = 1.0
                sol = lu.solve(rhs)
                out[members[j0:j1]] = sol[np.arange(j0, j1), np.arange(j1 - j0)]
    return out


def _flow_matrix(F: Any, *, weight: str, nodes: Sequence[Any] | None,
                 ) -> tuple[Any, list[Any], str]:
    """The sparse flow matrix of a graph, an edge table or a square array/DataFrame, its
    node names, and how unknown amounts were treated."""
    import scipy.sparse as sp

    if is_graph(F) or (isinstance(F, pd.DataFrame) and edge_columns(F) is not None):
        ed = _edges(F, weight)
        keep = ed.w > 0
        Fm = sp.csr_matrix((ed.w[keep], (ed.src[keep], ed.dst[keep])), shape=(ed.n, ed.n))
        return Fm, list(ed.names), ed.unknown_text()
    if isinstance(F, pd.DataFrame):
        names = list(F.index)
        if list(F.columns) != names:
            raise ParameterError("a flow matrix DataFrame needs the same labels on rows and "
                                 "columns")
        arr = F.to_numpy(dtype=float)
    else:
        arr = np.asarray(F, dtype=float)
        names = list(nodes) if nodes is not None else list(range(arr.shape[0]))
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ParameterError("the flow matrix must be square")
    if len(names) != arr.shape[0]:
        raise ParameterError("nodes must name every row of the flow matrix")
    if np.any(~np.isfinite(arr)):
        raise MissingDataError("the flow matrix has unknown (NaN) or infinite flows")
    if np.any(arr < 0):
        raise ParameterError("flows must not be negative")
    return sp.csr_matrix(arr), names, "All amounts are known; nothing was left out."


def _boundary_flows(inflow: np.ndarray, outflow: np.ndarray, inputs: Any, outputs: Any,
                    ) -> tuple[np.ndarray, np.ndarray, str]:
    """Boundary inputs ``z`` and outputs ``y`` (given, or each node's imbalance) and how
    they were set, in words."""
    n = len(inflow)
    if inputs is None:
        if outputs is not None:
            raise ParameterError("outputs need inputs too")
        z = np.maximum(outflow - inflow, 0.0)
        y = np.maximum(inflow - outflow, 0.0)
        return z, y, ("Each company's imbalance is treated as a boundary flow: a company that "
                      "pays more than it receives gets the difference as a boundary input, one "
                      "that receives more than it pays gets it as a boundary output.")
    z = np.asarray(inputs, dtype=float)
    if z.shape != (n,):
        raise ParameterError("inputs must have one value per node")
    if outputs is None:
        y = np.maximum(inflow + z - outflow, 0.0)
    else:
        y = np.asarray(outputs, dtype=float)
        if y.shape != (n,):
            raise ParameterError("outputs must have one value per node")
    if np.any(~np.isfinite(z)) or np.any(~np.isfinite(y)):
        raise MissingDataError("boundary flows must be known numbers")
    if np.any(z < 0) or np.any(y < 0):
        raise ParameterError("boundary flows must not be negative")
    return z, y, "Boundary inputs and outputs as given."


def finn_cycling_index(
    F: Any,
    inputs: Sequence[float] | np.ndarray | None = None,
    outputs: Sequence[float] | np.ndarray | None = None,
    *,
    weight: str = "amount",
    nodes: Sequence[Any] | None = None,
    max_dense: int = 3000,
) -> FinnResult:
    """Finn's cycling index (FCI), following enaR's ``enaFlow``.

    Parameters
    ----------
    F : networkx graph, pandas.DataFrame or array
        Either the internal flow matrix (square array or DataFrame, ``F[i, j]`` = flow from
        ``i`` to ``j``, enaR's orientation) or a money-flow graph / edge table as for
        :func:`maximal_circulation`.
    inputs, outputs : array, optional
        Boundary inputs ``z`` and outputs ``y`` per node (for a matrix). Without ``inputs``
        each node's imbalance becomes a boundary flow: a company that pays more than it
        receives gets the difference as a boundary input, one that receives more than it
        pays gets it as a boundary output (so the network is balanced).
    weight : str
        Edge attribute for graphs and edge tables.
    nodes : list, optional
        Node names for a plain array.
    max_dense : int
        Strongly connected components up to this size are inverted densely; larger ones use
        a sparse LU factorisation.

    Returns
    -------
    FinnResult

    Notes
    -----
    As in enaR: throughflow ``T = colSums(F) + z`` (inflow plus boundary input), ``G[i, j] =
    F[i, j] / T[i]``, ``N = (I - G)^-1``, ``TSTc = sum((N_ii - 1) / N_ii * T_i)``, ``FCI =
    TSTc / TST`` with ``TST = sum(T)``. ``N_ii`` only depends on ``i``'s strongly connected
    component, which is how large networks stay tractable.

    A closed group (a strongly connected component none of whose throughflow leaves it,
    such as a loop ``A -> B -> A`` with no money in or out) makes ``I - G`` singular there.
    Its nodes' cycling efficiency ``(N_ii - 1) / N_ii`` is the probability that a unit
    leaving the node comes back to it, which in a closed group is 1 (the limit of Finn 1976
    as the leak goes to zero): all of their throughflow is cycled, and a network that is
    one closed group has FCI 1. ``n_closed`` counts them and a note says so. Given boundary
    flows that make the equations singular otherwise raise :class:`SolverError`.

    Examples
    --------
    >>> import numpy as np
    >>> F = np.array([[0.0, 8.0], [4.0, 0.0]])
    >>> r = finn_cycling_index(F, inputs=[4.0, 0.0])
    >>> round(r.fci, 4)
    0.5
    >>> finn_cycling_index(np.array([[0.0, 1.0], [1.0, 0.0]])).fci  # closed: all cycled
    1.0
    """
    import scipy.sparse as sp

    Fm, names, unknown = _flow_matrix(F, weight=weight, nodes=nodes)
    n = Fm.shape[0]
    inflow = np.asarray(Fm.sum(axis=0)).ravel()
    outflow = np.asarray(Fm.sum(axis=1)).ravel()
    z, y, boundary = _boundary_flows(inflow, outflow, inputs, outputs)
    T = inflow + z  # enaR: input throughflow
    scale = max(1.0, float(np.max(T))) if n else 1.0
    balanced = bool(np.all(np.abs(inflow + z - outflow - y) <= 1e-9 * scale))
    with np.errstate(invalid="ignore", divide="ignore"):
        inv_t = np.where(T > 0, 1.0 / np.where(T > 0, T, 1.0), 0.0)
    Gm = sp.diags(inv_t) @ Fm  # G[i, j] = F[i, j] / T[i]
    rows, cols = Fm.nonzero()
    _, labels = eng.strong_components(n, rows.astype(np.int64), cols.astype(np.int64))
    dN = _diag_inverse(Gm, labels, max_dense)
    closed = np.isinf(dN)
    with np.errstate(invalid="ignore"):
        eff = np.where(closed, 1.0, np.where(dN > 0, (dN - 1.0) / dN, 0.0))
    cycled = eff * T
    tst = float(T.sum())
    tstc = float(cycled.sum())
    table = pd.DataFrame({
        "node": names,
        "throughflow": T,
        "input": z,
        "output": y,
        "cycling_efficiency": eff,
        "cycled_throughflow": cycled,
    })
    table = _sort(table, ["cycled_throughflow"], ["node"])
    return FinnResult(
        fci=tstc / tst if tst > 0 else math.nan,
        tst=tst,
        tst_cycled=tstc,
        boundary_input=float(z.sum()),
        boundary_output=float(y.sum()),
        nodes=table,
        boundary=boundary,
        balanced=balanced,
        unknown_treatment=unknown,
        n_closed=int(closed.sum()),
    )
