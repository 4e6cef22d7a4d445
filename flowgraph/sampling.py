"""How sure are the numbers? Monte Carlo over the amounts that are not known exactly.

A quarter of the amounts in a deal network are ranges, floors, caps or estimates, and some
deals may never happen. :func:`sample_amounts` draws plausible versions of the network: every
amount from what the data says of it, and every deal kept or dropped with a probability per
status. :func:`uncertainty` runs a measure (circularity, self-funded amounts, loops,
concentration, stress) on each version and gives each number a median and an interval.

Drawing rule for one deal (amounts in billions; ``p`` the point amount, ``l``/``h`` the low and
high ends of its range, as reported or estimated):

=========================  =====================================================
what the data has          what is drawn
=========================  =====================================================
``p`` only                 ``p`` (exact: the same in every sample)
a range ``l..h``           from ``l`` to ``h``, mode ``p`` if given, else the midpoint
a floor ``l`` only         from ``l`` to ``open_factor * l``, mode ``l`` ("more than $l")
a cap ``h`` only           from ``h / open_factor`` to ``h``, mode ``h`` ("up to $h")
nothing                    left out (``unknown="omit"``, the default: as every other
                           analysis treats it), or drawn from the known amounts of the
                           same flow type in the network (``unknown="prior"``)
=========================  =====================================================

``distribution="triangular"`` (default) or ``"uniform"`` over that span. A point amount with
only one end of a range spans from that end to the point. Deals are kept with probability
``keep[status]`` (default 1 for every status), times ``keep["conditional"]`` when the deal is
conditional; so ``keep={"announced": 0.5}`` asks "what if only half the announced deals
happen".
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from . import _params, schema
from .errors import ParameterError
from .formatting import money, money_range
from .graph import check_company

__all__ = [
    "DISTRIBUTIONS",
    "MEASURES",
    "SURVIVAL_KEEP",
    "AmountSamples",
    "HowSure",
    "UncertaintyResult",
    "how_sure",
    "interval_text",
    "sample_amounts",
    "uncertainty",
]

DISTRIBUTIONS: tuple[str, ...] = ("triangular", "uniform")
"""How an amount is drawn over its span."""

MEASURES: tuple[str, ...] = ("circulation", "cycles", "concentration", "stress")
"""Named measures of :func:`uncertainty` (a callable works too)."""

_RULES = ("exact", "range", "floor", "cap", "unknown")


# --------------------------------------------------------------------------- checks
def _check_int(name: str, value: Any, *, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ParameterError(f"{name} must be a whole number of at least {low}, not {value!r}")
    return int(value)


def _check_prob(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ParameterError(f"{name} must be a probability between 0 and 1, not {value!r}")
    x = float(value)
    if not (0.0 <= x <= 1.0):
        raise ParameterError(f"{name} must be a probability between 0 and 1, not {value!r}")
    return x


def _num(value: Any) -> float:
    if isinstance(value, (bool, np.bool_)):
        return math.nan
    x = schema.to_float(value)
    return x if math.isfinite(x) else math.nan


def _truthy(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    b = schema.parse_bool(value)
    return bool(b)


# --------------------------------------------------------------------------- samples
@dataclass(frozen=True, eq=False)
class AmountSamples:
    """Plausible versions of a deal network's amounts, one row per sample.

    Attributes
    ----------
    deals : pandas.DataFrame
        One row per deal (edge) of the graph: ``deal_id, payer, payee, flow_type, status,
        conditional, rule`` (one of ``exact, range, floor, cap, unknown``), ``low, mode,
        high`` (the span drawn from; NaN for unknown amounts) and ``keep`` (probability the
        deal is kept in a sample).
    amounts : numpy.ndarray
        ``(n, m)`` drawn amounts; NaN where the amount stays unknown (left out).
    kept : numpy.ndarray
        ``(n, m)`` booleans: the deal is part of that sample.
    params : dict
        The options used (n, seed, distribution, open_factor, unknown, keep).
    notes : tuple of str
        The drawing rule in words.

    Examples
    --------
    >>> import flowgraph as fg
    >>> s = fg.sample_amounts(fg.build_graph(fg.load_dataset("toy")), n=10, seed=1)
    >>> len(s), s.exact
    (10, False)
    """

    deals: pd.DataFrame
    amounts: np.ndarray
    kept: np.ndarray
    params: dict[str, Any]
    notes: tuple[str, ...]
    _graph: nx.MultiDiGraph = field(repr=False)

    def __len__(self) -> int:
        return int(self.amounts.shape[0])

    def __repr__(self) -> str:
        return (f"<AmountSamples: {len(self):,} versions of "
                f"{schema.count_noun(self.amounts.shape[1], 'deal')}>")

    @property
    def n_open_ended(self) -> int:
        """How many deals have only a floor or only a cap (no point amount): unknown in the
        numbers as given, drawn in every sample, so totals and inflows are larger in the
        samples than as given, and shares of them smaller."""
        return int(self.deals["rule"].isin(["floor", "cap"]).sum())

    def open_ended_words(self) -> str:
        """``"they also draw the 30 deals known only by a floor or a cap"``, the clause that
        says why an interval over these samples may lie apart from the number as given;
        ``""`` when no deal is open-ended."""
        n = self.n_open_ended
        if not n:
            return ""
        return (f"they also draw the {schema.count_noun(n, 'deal')} known only by a floor or "
                "a cap")

    @property
    def exact(self) -> bool:
        """Whether every sample is the same network (every amount exact, every deal kept)."""
        d = self.deals
        return bool(((d["rule"] == "exact") | (d["rule"] == "unknown")).all()
                    and (d["keep"] == 1.0).all()
                    and (self.params.get("unknown") == "omit" or (d["rule"] != "unknown").all()))

    def frame(self, i: int) -> pd.DataFrame:
        """Sample ``i`` as an edge table ``payer, payee, amount`` (kept deals only).

        Examples
        --------
        >>> import flowgraph as fg
        >>> s = fg.sample_amounts(fg.build_graph(fg.load_dataset("toy")), n=2, seed=1)
        >>> list(s.frame(0).columns)
        ['deal_id', 'payer', 'payee', 'amount']
        """
        k = self.kept[i]
        d = self.deals
        return pd.DataFrame({"deal_id": d["deal_id"].to_numpy()[k],
                             "payer": d["payer"].to_numpy()[k],
                             "payee": d["payee"].to_numpy()[k],
                             "amount": self.amounts[i][k]})

    def graph(self, i: int, *, weight: str = "amount") -> nx.MultiDiGraph:
        """Sample ``i`` as a deal graph: a copy of the graph with the drawn amounts.

        Dropped deals are removed; a drawn amount replaces ``weight`` (and the low/high
        scenario ends, so that the sample is one exact network). Node attributes (the
        companies table) are kept.
        """
        G = self._graph.copy()
        keys = list(self.deals["key"])
        ends = self.deals[["payer", "payee"]].to_numpy()
        amounts, kept = self.amounts[i], self.kept[i]
        for j, key in enumerate(keys):
            u, v = ends[j]
            if not kept[j]:
                G.remove_edge(u, v, key)
                continue
            d = G.edges[u, v, key]
            a = float(amounts[j])
            d[weight] = a
            d["amount_low"] = a
            d["amount_high"] = a
            d["amount_known"] = not math.isnan(a)
        return G


def _spans(G: nx.MultiDiGraph, weight: str, open_factor: float) -> pd.DataFrame:
    rows = []
    for u, v, key, d in G.edges(keys=True, data=True):
        p = _num(d.get("amount_usd_bn", d.get(weight)))
        lo = _num(d.get("amount_low_usd_bn"))
        hi = _num(d.get("amount_high_usd_bn"))
        if "amount_usd_bn" not in d:  # a graph built without the deal columns
            p, lo, hi = _num(d.get(weight)), _num(d.get("amount_low")), _num(d.get("amount_high"))
            if lo == p:
                lo = math.nan
            if hi == p:
                hi = math.nan
        if not math.isnan(p):
            a, b = (lo if not math.isnan(lo) else p), (hi if not math.isnan(hi) else p)
            rule, mode = ("exact" if a == b == p else "range"), p
        elif not math.isnan(lo) and not math.isnan(hi):
            rule, a, b, mode = "range", lo, hi, (lo + hi) / 2
        elif not math.isnan(lo):
            rule, a, b, mode = "floor", lo, lo * open_factor, lo
        elif not math.isnan(hi):
            rule, a, b, mode = "cap", hi / open_factor, hi, hi
        else:
            rule, a, b, mode = "unknown", math.nan, math.nan, math.nan
        rows.append({"key": key, "deal_id": d.get("deal_id", key), "payer": u, "payee": v,
                     "flow_type": d.get("flow_type"), "status": d.get("status"),
                     "conditional": _truthy(d.get("conditional")), "rule": rule,
                     "low": a, "mode": mode, "high": b})
    cols = ["key", "deal_id", "payer", "payee", "flow_type", "status", "conditional", "rule",
            "low", "mode", "high"]
    df = pd.DataFrame(rows, columns=cols)
    return df


def sample_amounts(
    G: nx.MultiDiGraph,
    *,
    n: int = 1000,
    seed: int | None = 0,
    distribution: str = "triangular",
    open_factor: float = 2.0,
    unknown: str = "omit",
    keep: Mapping[str, float] | None = None,
    weight: str = "amount",
) -> AmountSamples:
    """Draw ``n`` plausible versions of the deal amounts (see the module docstring).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Deal graph from :func:`flowgraph.build_graph` (one edge per deal).
    n : int
        Number of samples.
    seed : int or None
        Seed of the random generator: the same seed gives the same samples.
    distribution : {"triangular", "uniform"}
        Shape over each amount's span.
    open_factor : float
        How far an open-ended amount may reach: a floor ``l`` spans ``l .. open_factor*l``,
        a cap ``h`` spans ``h/open_factor .. h``. Must be at least 1.
    unknown : {"omit", "prior"}
        Deals without any amount: left out (as every analysis does), or drawn from the known
        amounts (point or span mode) of deals of the same flow type in ``G`` (all known
        amounts when fewer than three of that type are known).
    keep : mapping, optional
        Probability that a deal of a status (``rumored``, ``announced``, ``committed``,
        ``disbursed``) is kept; ``"conditional"`` multiplies it for conditional deals.
        Unlisted statuses are kept with probability 1.
    weight : str
        Edge attribute holding the amount (for graphs without the deal columns).

    Returns
    -------
    AmountSamples

    Examples
    --------
    >>> import flowgraph as fg
    >>> G = fg.build_graph(fg.load_dataset("toy"))
    >>> s = fg.sample_amounts(G, n=100, seed=7)
    >>> s.amounts.shape
    (100, 8)
    >>> bool(((s.amounts >= s.deals["low"].to_numpy()) | s.deals["low"].isna().to_numpy()).all())
    True
    """
    if not isinstance(G, nx.MultiDiGraph):
        raise ParameterError("sample_amounts needs the deal graph of build_graph "
                             "(a MultiDiGraph, one edge per deal)")
    n = _check_int("n", n)
    seed = _params.seed(seed)
    if distribution not in DISTRIBUTIONS:
        raise ParameterError(f"unknown distribution {distribution!r}; valid: "
                             f"{', '.join(DISTRIBUTIONS)}")
    if isinstance(open_factor, bool) or not isinstance(open_factor, (int, float)) or not (
            math.isfinite(open_factor) and open_factor >= 1):
        raise ParameterError(f"open_factor must be a number of at least 1, not {open_factor!r}")
    if unknown not in ("omit", "prior"):
        raise ParameterError(f"unknown must be 'omit' or 'prior', not {unknown!r}")
    keep = dict(keep or {})
    for k, p in keep.items():
        if k not in schema.STATUSES and k != "conditional":
            raise ParameterError(f"keep: unknown status {k!r}; valid: "
                                 f"{', '.join(schema.STATUSES)}, conditional")
        keep[k] = _check_prob(f"keep[{k!r}]", p)
    d = _spans(G, weight, float(open_factor))
    m = len(d)
    pk = np.array([keep.get(str(s), 1.0) for s in d["status"]], dtype=float)
    pk = np.where(d["conditional"].to_numpy(bool), pk * keep.get("conditional", 1.0), pk)
    d["keep"] = pk
    rng = np.random.default_rng(seed)
    lo, mo, hi = (d[c].to_numpy(float) for c in ("low", "mode", "high"))
    u = rng.random((n, m))
    if distribution == "uniform":
        A = lo + u * (hi - lo)
    else:  # inverse CDF of the triangular distribution, exact at degenerate spans
        span = hi - lo
        with np.errstate(invalid="ignore", divide="ignore"):
            c = np.where(span > 0, (mo - lo) / np.where(span > 0, span, 1.0), 0.5)
            left = lo + np.sqrt(u * span * (mo - lo))
            right = hi - np.sqrt((1 - u) * span * (hi - mo))
        A = np.where(u < c, left, right)
    exact = d["rule"].to_numpy() == "exact"
    A[:, exact] = mo[exact]
    unk = d["rule"].to_numpy() == "unknown"
    A[:, unk] = np.nan
    notes = [
        "Each amount is drawn over its span: a range from its low to its high end, a floor "
        f"'more than $l' from l to {open_factor:g}x l, a cap 'up to $h' from h/{open_factor:g} "
        f"to h; {distribution} distribution, mode at the point amount (the midpoint when "
        "there is none). Point amounts are the same in every sample.",
    ]
    if unk.any():
        if unknown == "omit":
            notes.append(f"{schema.count_noun(int(unk.sum()), 'deal')} without any amount "
                         "left out of every sample (never counted as zero).")
        else:
            A[:, unk] = _draw_prior(d, unk, rng, n)
            notes.append(f"{schema.count_noun(int(unk.sum()), 'deal')} without any amount "
                         "drawn from the known amounts of deals of the same flow type "
                         "(an assumption, not data).")
    K = rng.random((n, m)) < pk
    if (pk < 1).any():
        said = ", ".join(f"{k} {v:.0%}" for k, v in sorted(keep.items()) if v < 1)
        notes.append(f"Deals kept with probability {said} (other deals always kept).")
    params = {"n": n, "seed": seed, "distribution": distribution,
              "open_factor": float(open_factor), "unknown": unknown, "keep": keep,
              "weight": weight}
    return AmountSamples(d, A, K, params, tuple(notes), G)


def _draw_prior(d: pd.DataFrame, unk: np.ndarray, rng: np.random.Generator, n: int
                ) -> np.ndarray:
    known = d[~unk]
    all_vals = known["mode"].to_numpy(float)
    out = np.full((n, int(unk.sum())), np.nan)
    for j, ft in enumerate(d.loc[unk, "flow_type"]):
        vals = known.loc[known["flow_type"] == ft, "mode"].to_numpy(float)
        if len(vals) < 3:
            vals = all_vals
        if len(vals):
            out[:, j] = rng.choice(vals, size=n, replace=True)
    return out


# --------------------------------------------------------------------------- summaries
def interval_text(median: float, low: float, high: float, *, kind: str = "bn",
                  level: float = 0.9) -> str:
    """One way to write a number with its interval: ``"23.1% (90%: 14.0-27.2%)"``.

    Examples
    --------
    >>> interval_text(0.231, 0.14, 0.272, kind="pct")
    '23.1% (90%: 14.0-27.2%)'
    >>> interval_text(64.8, 43.9, 85.4)
    '$64.8bn (90%: $43.9-85.4bn)'
    >>> interval_text(5.0, 5.0, 5.0)
    '$5bn (exact)'
    """
    def f(x: float) -> str:
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return "n/a"
        if kind == "pct":
            return f"{100 * x:.1f}%"
        if kind == "int":
            return f"{x:,.0f}"
        return money(x)
    if low == high:
        return f"{f(median)} (exact)"
    if kind == "bn":
        span = money_range(low, high, unknown="n/a")
    else:
        lo, hi = f(low), f(high)
        span = f"{lo.rstrip('%')}-{hi}" if kind == "pct" else f"{lo}-{hi}"
    return f"{f(median)} ({level:.0%}: {span})"


def _summarise(values: np.ndarray, observed: Sequence[float], level: float) -> pd.DataFrame:
    """Median and central interval per column of ``values`` (samples x quantities)."""
    a = (1 - level) / 2
    with np.errstate(all="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            med = np.nanmedian(values, axis=0)
            lo = np.nanquantile(values, a, axis=0)
            hi = np.nanquantile(values, 1 - a, axis=0)
    return pd.DataFrame({"observed": np.asarray(observed, float), "median": med,
                         "low": lo, "high": hi})


class NumberTable:
    """What the result classes of sampling and nulls share: a ``table`` of numbers, one row
    per ``item`` and ``quantity``, looked up by :meth:`row` and shown in notebooks."""

    table: pd.DataFrame

    def _repr_html_(self) -> str:
        return f"<p>{self.__repr__()[1:-1]}</p>" + self.table.head(50).to_html(index=False)

    def row(self, item: Any, quantity: str) -> pd.Series:
        """The row of one number."""
        t = self.table
        hit = t[(t["item"] == item) & (t["quantity"] == quantity)]
        if not len(hit):
            raise ParameterError(f"no number {quantity!r} for {item!r} in this result")
        return hit.iloc[0]


@dataclass(frozen=True, eq=False)
class UncertaintyResult(NumberTable):
    """Medians and intervals of a measure over plausible versions of the data.

    Attributes
    ----------
    measure : str
        The measure's name.
    table : pandas.DataFrame
        One row per number: ``item`` (a company, a loop or ``"network"``), ``quantity``,
        ``kind`` (``bn``, ``pct``, ``int``, ``num``), ``observed`` (on the data as given),
        ``median``, ``low``, ``high`` (the central ``level`` interval), ``width``, and for
        loops ``p_survive`` (share of samples in which the loop still exists).
    level : float
        Interval coverage (0.9 for a 90% interval).
    samples : AmountSamples
        The samples used.
    notes : tuple of str
        How the samples were drawn and what the numbers mean.

    Examples
    --------
    >>> import flowgraph as fg
    >>> r = fg.uncertainty(fg.build_graph(fg.load_dataset("toy")), "cycles", n=50)
    >>> list(r.table.columns[:4])
    ['item', 'quantity', 'kind', 'observed']
    """

    measure: str
    table: pd.DataFrame
    level: float
    samples: AmountSamples = field(repr=False)
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.table)

    def __repr__(self) -> str:
        return (f"<UncertaintyResult: {self.measure}, {schema.count_noun(len(self), 'number')} "
                f"over {len(self.samples):,} samples>")


    def text(self, item: Any, quantity: str) -> str:
        """One number written with its interval (see :func:`interval_text`)."""
        r = self.row(item, quantity)
        kind = r["kind"] if r["kind"] in ("bn", "pct", "int") else "bn"
        return interval_text(r["median"], r["low"], r["high"], kind=kind, level=self.level)

    def headline(self) -> str:
        """The first number in a plain sentence."""
        if not len(self.table):
            return f"{self.measure}: nothing to measure"
        r = self.table.iloc[0]
        kind = r["kind"] if r["kind"] in ("bn", "pct", "int") else "bn"
        lo = interval_text(r["low"], r["low"], r["low"], kind=kind).replace(" (exact)", "")
        hi = interval_text(r["high"], r["high"], r["high"], kind=kind).replace(" (exact)", "")
        what = str(r["quantity"]).replace("_", " ")
        if r["low"] == r["high"]:
            return f"{what} ({r['item']}): {lo} in every plausible version of the data."
        return (f"In {self.level:.0%} of plausible versions of the data, the {what} "
                f"({r['item']}) is between {lo} and {hi}.")


class _PairArrays:
    """The fixed payer -> payee pair structure of the samples, as node codes."""

    def __init__(self, s: AmountSamples) -> None:
        names = sorted(set(s.deals["payer"]) | set(s.deals["payee"]), key=str)
        self.names = names
        code = {c: i for i, c in enumerate(names)}
        u = np.array([code[x] for x in s.deals["payer"]], dtype=np.int64)
        v = np.array([code[x] for x in s.deals["payee"]], dtype=np.int64)
        self.n = len(names)
        key = u * max(self.n, 1) + v
        uniq, self.pair_of_deal = np.unique(key, return_inverse=True)
        self.src = uniq // max(self.n, 1)
        self.dst = uniq % max(self.n, 1)
        self.code = code



def _pair_weights(pair_of_deal: np.ndarray, n_pairs: int, amounts: np.ndarray,
                  kept: np.ndarray) -> np.ndarray:
    """One sample's amount per pair: the kept deals' drawn amounts summed (unknown: 0)."""
    a = np.where(kept & ~np.isnan(amounts), amounts, 0.0)
    return np.bincount(pair_of_deal, weights=a, minlength=n_pairs)


def _measure_rows(payload: tuple[Any, ...], first: int, last: int) -> np.ndarray:
    """A measure's numbers (``keys``) on samples ``first..last-1``."""
    s, g, keys = payload
    out = np.full((last - first, len(keys)), np.nan)
    for row, i in enumerate(range(first, last)):
        got = dict(g(s.graph(i)))
        out[row] = [float(got.get(k, math.nan)) for k in keys]
    return out


def _circulation_rows(payload: tuple[Any, ...], first: int, last: int) -> np.ndarray:
    """Circularity, self-funded and keystone numbers of samples ``first..last-1``."""
    from . import _circulation_engine as eng
    from .circulation import self_funded_arrays

    n, src, dst, pair_of_deal, amounts_all, kept_all, idx, kidx, width = payload
    out = np.full((last - first, width), np.nan)
    k0 = 2 + 2 * len(idx)
    for row, i in enumerate(range(first, last)):
        w = _pair_weights(pair_of_deal, len(src), amounts_all[i], kept_all[i])
        total = w.sum()
        c = eng.max_circulation(n, src, dst, w, certify=False).circular.sum()
        out[row, 0] = c / total if total > 0 else math.nan
        out[row, 1] = c
        if idx:
            amounts, _ = self_funded_arrays(n, src, dst, w, idx)
            inflow = np.bincount(dst, weights=w, minlength=n)[idx]
            with np.errstate(invalid="ignore", divide="ignore"):
                share = np.where(inflow > 0, amounts / np.where(inflow > 0, inflow, 1), np.nan)
            out[row, 2:k0:2] = amounts
            out[row, 3:k0:2] = share
        for j, v in enumerate(kidx):
            wv = np.where((src == v) | (dst == v), 0.0, w)
            out[row, k0 + j] = c - eng.max_circulation(n, src, dst, wv,
                                                        certify=False).circular.sum()
        out[row, -1] = total
    return out


def _circulation_values(s: AmountSamples, companies: list[Any] | None, top: int,
                        n_keystones: int) -> tuple[list[tuple[Any, str, str]], np.ndarray]:
    """Circularity, self-funded and keystone numbers of every sample, on arrays.

    Per sample: one min-cost circulation, one max flow per company, and for each keystone
    one circulation without that company's edges (the definition of
    :func:`flowgraph.keystones`, solved from scratch on the small sample network).
    """
    from .circulation import keystones, self_funded

    if companies is None:
        sf0 = self_funded(s._graph).table
        sf0 = sf0[sf0["self_funded"] > 0]
        companies = list(sf0["company"].head(top))
    stones: list[Any] = []
    if n_keystones:
        ks0 = keystones(s._graph).table
        stones = list(ks0.loc[ks0["circulation_lost"] > 0, "company"].head(n_keystones))
    P = _PairArrays(s)
    missing = [c for c in companies if c not in P.code]
    if missing:
        check_company(s._graph, missing[0])
    idx = [P.code[c] for c in companies]
    kidx = [P.code[c] for c in stones]
    quantities = [("network", "circularity_index", "pct"), ("network", "circular_flow", "bn")]
    for c in companies:
        quantities += [(c, "self_funded", "bn"), (c, "self_funded_share", "pct")]
    for c in stones:
        quantities += [(c, "keystone_loss", "bn")]
    quantities += [("network", "total_flow", "bn")]
    payload = (P.n, P.src, P.dst, P.pair_of_deal, s.amounts, s.kept, idx, kidx,
               len(quantities))
    from .distributed import by_range

    return quantities, by_range(_circulation_rows, payload, len(s), what="samples")


def _cycles_result(s: AmountSamples, level: float, max_length: int | None, limit: int | None
                   ) -> tuple[pd.DataFrame, list[str]]:
    """Round trip of each loop of the network in every sample, on the fixed loop set."""
    from scipy import sparse

    from .cycles import find_cycles

    res = find_cycles(s._graph, max_length=max_length, limit=limit, sort="round_trip",
                      describe=False)
    loops, hops = res.cycles, res.hops
    col = {k: j for j, k in enumerate(s.deals["key"])}
    rows, cols = [], []
    hop_rank = hops["rank"].to_numpy()
    for i, ids in enumerate(hops["deal_ids"]):
        for did in ids:
            rows.append(i)
            cols.append(col[did])
    H = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(hops), len(col)))
    A = np.where(s.kept & ~np.isnan(s.amounts), s.amounts, 0.0)
    known_any = (s.kept & ~np.isnan(s.amounts)).astype(float)
    kept_any = s.kept.astype(float)
    hop_sum = np.asarray(H @ A.T).T          # samples x hops
    hop_known = np.asarray(H @ known_any.T).T > 0
    hop_kept = np.asarray(H @ kept_any.T).T > 0
    order = np.argsort(hop_rank, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(hop_rank[order]) != 0])
    val = np.where(hop_known, hop_sum, np.inf)[:, order]
    rt = np.minimum.reduceat(val, starts, axis=1)
    alive = np.logical_and.reduceat(hop_kept[:, order], starts, axis=1)
    rt = np.where(np.isinf(rt), np.nan, rt)
    rt = np.where(alive, rt, 0.0)
    obs = loops["round_trip"].to_numpy(float)
    t = _summarise(rt, obs, level)
    t.insert(0, "kind", "bn")
    t.insert(0, "quantity", "round_trip")
    t.insert(0, "item", loops["path"].to_numpy())
    t["p_survive"] = alive.mean(axis=0)
    t["upper_bound"] = loops["round_trip_is_upper_bound"].to_numpy(bool)
    notes = [] if res.complete else [n for n in res.notes if "stopped early" in n]
    return t, notes


def uncertainty(
    G: nx.MultiDiGraph,
    measure: str | Callable[[nx.MultiDiGraph], Mapping[str, float]] = "circulation",
    *,
    n: int = 1000,
    seed: int | None = 0,
    level: float = 0.9,
    samples: AmountSamples | None = None,
    companies: Sequence[str] | None = None,
    top: int = 5,
    keystones: int = 3,
    stress_company: str | Sequence[str] | None = None,
    stress_options: Mapping[str, Any] | None = None,
    max_length: int | None = 6,
    limit: int | None = 200,
    **sample_options: Any,
) -> UncertaintyResult:
    """Median and interval of each number of a measure over plausible versions of the data.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Deal graph from :func:`flowgraph.build_graph`.
    measure : str or callable
        ``"circulation"``: circularity index, circular flow, self-funded amount and share
        of ``companies`` (default: the ``top`` companies with the largest self-funded
        amounts), the circulation lost without each of the ``keystones`` companies that
        matter most (:func:`flowgraph.keystones`), and the total known money (last row); ``"cycles"``: the round trip of every loop (at most ``limit``, largest
        first; ``max_length`` hops) and the probability that it survives; ``"concentration"``:
        HHI and largest payer's share of each company's income (``top`` most concentrated by
        money at risk, or ``companies``) and the funding gap of the three companies with
        the largest (:func:`flowgraph.commitments`); ``"stress"``: total loss and number of failures when
        ``stress_company`` (default: the company with most money through it) pays nothing
        (``stress_options`` go to :func:`flowgraph.stress_test`: model, loss, buffer...).
        A callable gets each sample's graph and returns ``{name: value}``.
    n, seed : int
        Number of samples and the random seed (deterministic for a given seed).
    level : float
        Coverage of the central interval (0.9: the 5th to the 95th percentile).
    samples : AmountSamples, optional
        Samples drawn before (then ``n``, ``seed`` and the sample options are theirs).
    **sample_options
        Passed to :func:`sample_amounts` (``distribution``, ``open_factor``, ``unknown``,
        ``keep``).

    Returns
    -------
    UncertaintyResult

    Examples
    --------
    >>> import flowgraph as fg
    >>> G = fg.build_graph(fg.load_dataset("toy"))
    >>> r = fg.uncertainty(G, "circulation", n=200, seed=1)
    >>> row = r.row("network", "circularity_index")
    >>> bool(row["low"] <= row["median"] <= row["high"])
    True
    """
    level = _check_prob("level", level)
    if not 0 < level < 1:
        raise ParameterError(f"level must be between 0 and 1 (exclusive), not {level!r}")
    top = _check_int("top", top)
    if samples is None:
        samples = sample_amounts(G, n=n, seed=seed, **sample_options)
    elif not isinstance(samples, AmountSamples):
        raise ParameterError("samples must come from sample_amounts")
    notes = list(samples.notes)
    name = measure if isinstance(measure, str) else getattr(measure, "__name__", "custom")
    if isinstance(measure, str) and measure not in MEASURES:
        raise ParameterError(f"unknown measure {measure!r}; valid: {', '.join(MEASURES)} "
                             "or a function of a graph")
    if measure == "cycles":
        table, stop_notes = _cycles_result(samples, level, max_length, limit)
        notes.extend(stop_notes)
        notes.append("Round trip of each loop found in the data as given, in every sample; "
                     "0 where a deal the loop needs was dropped. p_survive: share of samples "
                     "in which every hop of the loop still has a deal.")
    else:
        if isinstance(keystones, bool) or not isinstance(keystones, int) or keystones < 0:
            raise ParameterError(f"keystones must be a whole number of at least 0, "
                                 f"not {keystones!r}")
        table = _per_sample_table(G, samples, measure, level, companies=companies, top=top,
                                  n_keystones=keystones, stress_company=stress_company,
                                  stress_options=stress_options, notes=notes)
    table["width"] = table["high"] - table["low"]
    cols = ["item", "quantity", "kind", "observed", "median", "low", "high", "width"]
    table = table[cols + [c for c in table.columns if c not in cols]].reset_index(drop=True)
    notes.append(f"Intervals: the central {level:.0%} of {len(samples):,} samples "
                 f"(seed {samples.params['seed']}); 'observed' is the number on the data as "
                 "given (unknown amounts left out).")
    return UncertaintyResult(name, table, level, samples, tuple(notes))


def _per_sample_table(G: nx.MultiDiGraph, s: AmountSamples, measure: Any, level: float, *,
                      companies: Sequence[str] | None, top: int, n_keystones: int,
                      stress_company: Any,
                      stress_options: Mapping[str, Any] | None, notes: list[str]
                      ) -> pd.DataFrame:
    n = len(s)
    if measure == "circulation":
        quantities, vals = _circulation_values(s, list(companies) if companies else None, top,
                                               n_keystones)
        obs = _observed_circulation(G, quantities)
    else:
        if measure == "concentration":
            g = _concentration_measure(G, companies, top)
        elif measure == "stress":
            g = _stress_measure(G, stress_company, notes, stress_options)
        else:
            g = measure
        first = dict(g(G))
        keys = list(first)
        obs = [float(first[k]) for k in keys]
        from .distributed import by_range

        vals = by_range(_measure_rows, (s, g, keys), n, what="samples")
        quantities = [_split_key(k) for k in keys]
    t = _summarise(vals, obs, level)
    t.insert(0, "kind", [q[2] for q in quantities])
    t.insert(0, "quantity", [q[1] for q in quantities])
    t.insert(0, "item", [q[0] for q in quantities])
    return t


def _split_key(key: Any) -> tuple[Any, str, str]:
    """``(item, quantity, kind)`` from a measure's key: a tuple, or ``"item: quantity"``."""
    if isinstance(key, tuple) and len(key) == 3:
        return key
    if isinstance(key, tuple) and len(key) == 2:
        return key[0], str(key[1]), "num"
    return "network", str(key), "num"


def _observed_circulation(G: nx.MultiDiGraph, quantities: list[tuple[Any, str, str]]
                          ) -> list[float]:
    from .circulation import keystones, maximal_circulation, self_funded

    r = maximal_circulation(G)
    out = [r.circularity_index, r.circular_flow]
    comps = [q[0] for q in quantities if q[1] == "self_funded"]
    if comps:
        sf = self_funded(G, comps).table.set_index("company")
        for c in comps:
            out += [sf.at[c, "self_funded"], sf.at[c, "self_funded_share"]]
    stones = [q[0] for q in quantities if q[1] == "keystone_loss"]
    if stones:
        ks = keystones(G, stones).table.set_index("company")
        out += [ks.at[c, "circulation_lost"] for c in stones]
    return [*out, r.total_flow]


def _concentration_measure(G: nx.MultiDiGraph, companies: Sequence[str] | None, top: int
                           ) -> Callable[[nx.MultiDiGraph], dict]:
    from .concentration import commitments, company_concentration

    com0 = commitments(G)
    com0 = com0[com0["commitments_out"] > 0]
    gap_names = list(com0.dropna(subset=["funding_gap"]).sort_values(
        ["funding_gap", "company"], ascending=[False, True])["company"].head(3))
    base = company_concentration(G, direction="in")
    base = base[base["total"] > 0]
    if companies is None:
        at_risk = base["total"] * base["top_share"]
        names = list(base.assign(_r=at_risk).sort_values(["_r", "company"],
                                                          ascending=[False, True])
                     ["company"].head(top))
    else:
        names = list(companies)

    def g(H: nx.MultiDiGraph) -> dict:
        c = company_concentration(H, direction="in").set_index("company")
        out = {}
        for name in names:
            ok = name in c.index
            out[(name, "hhi", "int")] = c.at[name, "hhi"] if ok else math.nan
            out[(name, "top_share", "pct")] = c.at[name, "top_share"] if ok else math.nan
        if gap_names:
            com = commitments(H).set_index("company")
            for name in gap_names:
                ok = name in com.index
                out[(name, "funding_gap", "bn")] = com.at[name, "funding_gap"] if ok else math.nan
        return out
    return g


def _stress_measure(G: nx.MultiDiGraph, company: Any, notes: list[str],
                    options: Mapping[str, Any] | None = None
                    ) -> Callable[[nx.MultiDiGraph], dict]:
    from .stress import MODEL_ASSUMES, stress_test

    options = dict(options or {})
    if company is None:
        through: dict[Any, float] = {}
        for u, v, d in G.edges(data=True):
            a = _num(d.get("amount"))
            if not math.isnan(a):
                through[u] = through.get(u, 0.0) + a
                through[v] = through.get(v, 0.0) + a
        if not through:
            raise ParameterError("no known amounts: nothing to stress")
        company = sorted(through, key=lambda k: (-through[k], str(k)))[0]
    label = company if isinstance(company, str) else ", ".join(map(str, company))
    model = options.get("model", "debtrank")
    loss = options.get("loss", 1.0)
    notes.append(f"Stress: {label} fails to pay {loss:.0%} of what it owes; {model}: "
                 f"{MODEL_ASSUMES.get(model, model)}. failures: other companies that fail.")

    def g(H: nx.MultiDiGraph) -> dict:
        r = stress_test(H, company, **options)
        c = r.companies
        fails = int((c["fails"].astype(bool) & ~c["shocked"].astype(bool)).sum())
        return {(label, "total_loss", "bn"): r.total_loss,
                (label, "failures", "int"): fails}
    return g


SURVIVAL_KEEP: dict[str, float] = {"rumored": 0.5, "announced": 0.5, "conditional": 0.5}
"""The stated scenario behind "how often a loop survives" in the report and the HTML graph:
each rumored, announced or conditional deal happens with probability 1/2 (an assumption, not
data; committed and paid deals always happen)."""

SURVIVAL_WORDS = ("if each rumored, announced or conditional deal happens with probability "
                  "1/2")


@dataclass(frozen=True, eq=False)
class HowSure:
    """The numbers the report and the HTML graph show with their uncertainty.

    Attributes
    ----------
    circulation : UncertaintyResult
        Circularity index, circular flow and self-funded numbers over plausible amounts.
    loops : UncertaintyResult
        Round trip of the largest loops over plausible amounts (every deal kept).
    survival : UncertaintyResult
        The same loops under :data:`SURVIVAL_KEEP` (``p_survive``: share of samples in
        which every hop still has a deal).

    Examples
    --------
    >>> import flowgraph as fg
    >>> h = fg.how_sure(fg.build_graph(fg.load_dataset("toy")), n=50)
    >>> h.circularity_text(0.5).startswith("50.0% as given")
    True
    """

    circulation: UncertaintyResult
    loops: UncertaintyResult
    survival: UncertaintyResult

    def circularity_text(self, observed: float) -> str:
        """The circularity index as given, with its interval over plausible data."""
        r = self.circulation.row("network", "circularity_index")
        if math.isnan(observed):
            return "n/a"
        if r["low"] == r["high"]:
            return f"{observed:.1%} (the same in every plausible version of the data)"
        return (f"{observed:.1%} as given ({self.circulation.level:.0%} of plausible "
                f"versions: {r['low']:.1%}-{r['high']:.1%}{self._open_ends()})")

    def _open_ends(self) -> str:
        words = self.circulation.samples.open_ended_words()
        return f"; {words}" if words else ""

    def money_text(self, observed: float) -> str:
        """The known money as given, with its interval over plausible data."""
        r = self.circulation.row("network", "total_flow")
        if r["low"] == r["high"]:
            return money(observed)
        return (f"{money(observed)} as given ({self.circulation.level:.0%} of plausible "
                f"versions: {money_range(r['low'], r['high'])}{self._open_ends()})")

    def survival_of(self, path: str) -> float:
        """Share of samples (under :data:`SURVIVAL_KEEP`) in which the loop survives."""
        t = self.survival.table
        hit = t.loc[t["item"] == path, "p_survive"]
        return float(hit.iloc[0]) if len(hit) else math.nan


def how_sure(G: nx.MultiDiGraph, *, n: int = 1000, seed: int | None = 0, top: int = 5,
             max_length: int | None = 6, limit: int | None = 10, weight: str = "amount"
             ) -> HowSure:
    """Uncertainty of the circulation and the largest loops, and the loops' survival.

    Examples
    --------
    >>> import flowgraph as fg
    >>> h = fg.how_sure(fg.build_graph(fg.load_dataset("toy")), n=100)
    >>> h.survival_of("ChipCo -> LeaseCo -> ChipCo") < 1   # its backstop is only announced
    True
    """
    circ = uncertainty(G, "circulation", n=n, seed=seed, top=top, weight=weight)
    loops = uncertainty(G, "cycles", samples=circ.samples, max_length=max_length, limit=limit)
    surv = uncertainty(G, "cycles", n=n, seed=seed, keep=SURVIVAL_KEEP,
                       max_length=max_length, limit=limit, weight=weight)
    return HowSure(circ, loops, surv)

