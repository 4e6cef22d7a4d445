"""Is the web more circular than chance? Null models of a deal network and empirical p-values.

:func:`null_model` draws random networks that keep what the observed one is made of and
scramble who pays whom; :func:`significance` compares the observed loop counts, circularity
index, self-funded shares and loop participation with their distribution over those
networks.

The null models work on the payer -> payee pair graph (one edge per pair, its known amount):

``"degree"``
    Degree-preserving rewiring (Maslov and Sneppen 2002, *Science* 296:910; directed form
    as in Milo et al. 2003, arXiv:cond-mat/0312028): repeatedly pick two edges ``a -> b``
    and ``c -> d`` at random and rewire them to ``a -> d`` and ``c -> b`` unless that makes
    a self-loop or a duplicate pair. Every company keeps exactly its number of payers and of
    payees. ``swaps`` (default 10) times the number of edges are attempted per sample, the
    customary mixing time.
``"kinds"``
    The same swaps, allowed only when ``b`` and ``d`` are of the same company kind and the
    two pairs carry the same main flow type (the type with the most money on the pair), so
    every edge keeps its payer, the kind of its payee and its flow type: "Nvidia funds its
    customers" is tested against networks where chipmakers still sell to clouds.

Amounts (``amounts=``): ``"carry"`` keeps each amount on its edge, so every company's
outflow (out-strength) is exact and its inflow changes; ``"strength"`` (default) then
rescales the rewired amounts by iterative proportional fitting (Deming and Stephan 1940;
the RAS method, Bacharach 1970) towards the observed inflow and outflow of every company:
outflows exact, inflows as close as the new pattern of edges allows (the largest remaining
relative gap is reported in the notes).

p-values are empirical and one-sided (is the observed value at least as large as chance
gives?): ``p = (1 + #{null >= observed}) / (n + 1)`` (Davison and Hinkley 1997, ch. 4;
North, Curtis and Sham 2002, *Am. J. Hum. Genet.* 71:439), with its Monte Carlo standard
error ``sqrt(p (1 - p) / n)``; no normal approximation.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from . import _params, schema
from .errors import ParameterError
from .graph import check_company
from .sampling import NumberTable, _check_int

__all__ = [
    "AMOUNT_RULES",
    "NULL_MODELS",
    "NullSamples",
    "SignificanceResult",
    "null_model",
    "significance",
]

NULL_MODELS: tuple[str, ...] = ("degree", "kinds")
"""Null models of :func:`null_model`."""

AMOUNT_RULES: tuple[str, ...] = ("strength", "carry")
"""How amounts follow rewired edges."""


NULL_WORK_FACTOR = 200
"""Each random network's loop count may examine this many times the observed one's hops."""
NULL_WORK_FLOOR = 5_000_000
"""... and at least this many (a fraction of a second)."""


# --------------------------------------------------------------------------- pair graph
@dataclass(frozen=True, eq=False)
class _Pairs:
    names: list[Any]
    src: np.ndarray
    dst: np.ndarray
    w: np.ndarray
    kind: np.ndarray      # kind code per node
    ftype: np.ndarray     # main flow type code per edge


def _pairs(G: nx.Graph, weight: str) -> _Pairs:
    if not isinstance(G, nx.Graph) or not G.is_directed():
        raise ParameterError("null models need a directed deal graph (build_graph)")
    names = sorted(G.nodes, key=str)
    code = {c: i for i, c in enumerate(names)}
    acc: dict[tuple[int, int], dict[str, float]] = {}
    for u, v, d in G.edges(data=True):
        if u == v:
            continue
        a = schema.to_float(d.get(weight, math.nan))
        by_type = acc.setdefault((code[u], code[v]), {})
        ft = str(d.get("flow_type", "other"))
        by_type[ft] = by_type.get(ft, 0.0) + (a if math.isfinite(a) else 0.0)
    keys = sorted(acc)
    src = np.array([k[0] for k in keys], dtype=np.int64)
    dst = np.array([k[1] for k in keys], dtype=np.int64)
    w = np.array([sum(acc[k].values()) for k in keys], dtype=float)
    ftypes = [max(sorted(acc[k]), key=lambda t, k=k: acc[k][t]) for k in keys]
    fcode = {t: i for i, t in enumerate(sorted(set(ftypes)))}
    kinds = [str(G.nodes[c].get("kind", "unknown")) for c in names]
    kcode = {t: i for i, t in enumerate(sorted(set(kinds)))}
    return _Pairs(names, src, dst, w, np.array([kcode[k] for k in kinds], dtype=np.int64),
                  np.array([fcode[t] for t in ftypes], dtype=np.int64))


_PY_SECONDS_PER_SWAP = 1.5e-6
"""About how long one attempted swap takes interpreted (measured on a 2-core machine)."""
_PY_SECONDS_PER_FIT = 6e-3
"""About how long one sample's proportional fit (200 rounds of numpy calls) takes
interpreted."""
_LOAD_SECONDS = 1.0
"""About how long loading numba and the first cached kernels takes in a fresh process."""


def _kernels(n: int, n_swaps: int, amounts: str) -> Any:
    """The null model's kernels (:mod:`flowgraph._nulls_kernels`): compiled once numba is
    loaded (:func:`flowgraph._numba.warm`) or when interpreting ``n`` samples of ``n_swaps``
    attempted swaps would take longer than loading them; else the same functions
    interpreted. The samples are the same to the last bit either way."""
    from . import _nulls_kernels as NK
    from ._numba import compiled, warm

    fit = _PY_SECONDS_PER_FIT if amounts == "strength" else 0.0
    if warm() or n * (n_swaps * _PY_SECONDS_PER_SWAP + fit) > _LOAD_SECONDS:
        return compiled(NK)
    return NK


def _rewire(P: _Pairs, rng: np.random.Generator, n_swaps: int, kinds: bool,
            kernels: Any) -> tuple[np.ndarray, int]:
    """Targets after ``n_swaps`` attempted double-edge swaps (sources stay): (dst, done)."""
    m = len(P.src)
    if m < 2:
        return P.dst.copy(), 0
    picks = rng.integers(0, m, size=(n_swaps, 2))
    dst, done = kernels.rewire(P.src, P.dst, P.kind, P.ftype, len(P.names), picks,
                               bool(kinds))
    return dst, int(done)


def _moved_share(nodes: np.ndarray, x: np.ndarray, target: np.ndarray, n: int) -> float:
    """Share of the money that a company's total (inflow or outflow) misses or exceeds."""
    total = target.sum()
    if total <= 0:
        return 0.0
    got = np.bincount(nodes, weights=x, minlength=n)
    return float(np.abs(got - target).sum() / (2 * total))


@dataclass(frozen=True, eq=False)
class NullSamples:
    """Random networks from a null model of a deal network's pair graph.

    Attributes
    ----------
    names : list
        Company names; node codes index it.
    src : numpy.ndarray
        Payer code of each edge (the same in every sample).
    dst : numpy.ndarray
        ``(n, m)`` payee code of each edge in each sample.
    amounts : numpy.ndarray
        ``(n, m)`` amount of each edge in each sample.
    observed_dst, observed_amounts : numpy.ndarray
        The observed pair graph.
    params : dict
        ``model, amounts, n, seed, swaps``, and the median ``inflow_gap`` /
        ``outflow_gap`` (share of the money the refit misses).
    notes : tuple of str
        What the model keeps, and how well.

    Examples
    --------
    >>> import flowgraph as fg
    >>> s = fg.null_model(fg.build_graph(fg.load_dataset("toy")), n=5, seed=1)
    >>> s.dst.shape == (5, len(s.src))
    True
    """

    names: list[Any]
    src: np.ndarray
    dst: np.ndarray
    amounts: np.ndarray
    observed_dst: np.ndarray
    observed_amounts: np.ndarray
    params: dict[str, Any]
    notes: tuple[str, ...]
    _pairs: _Pairs = field(repr=False)

    def __len__(self) -> int:
        return int(self.dst.shape[0])

    def __repr__(self) -> str:
        return (f"<NullSamples: {len(self):,} {self.params['model']}-preserving networks of "
                f"{schema.count_noun(len(self.src), 'pair')}>")

    def frame(self, i: int) -> pd.DataFrame:
        """Sample ``i`` as an edge table ``payer, payee, amount``.

        Examples
        --------
        >>> import flowgraph as fg
        >>> s = fg.null_model(fg.build_graph(fg.load_dataset("toy")), n=3, seed=1)
        >>> list(s.frame(0).columns)
        ['payer', 'payee', 'amount']
        """
        names = np.asarray(self.names, dtype=object)
        return pd.DataFrame({"payer": names[self.src], "payee": names[self.dst[i]],
                             "amount": self.amounts[i]})


def null_model(
    G: nx.Graph,
    *,
    n: int = 500,
    seed: int | None = 0,
    model: str = "degree",
    amounts: str = "strength",
    swaps: int = 10,
    weight: str = "amount",
) -> NullSamples:
    """Draw ``n`` random networks that keep the observed network's degrees (and kinds).

    Parameters
    ----------
    G : networkx.MultiDiGraph or networkx.DiGraph
        Deal graph (:func:`flowgraph.build_graph`); pairs are collapsed, self-deals ignored.
    n : int
        Number of random networks.
    seed : int or None
        Random seed; the same seed gives the same networks.
    model : {"degree", "kinds"}
        See the module docstring.
    amounts : {"strength", "carry"}
        See the module docstring.
    swaps : int
        Attempted swaps per edge and sample.
    weight : str
        Edge attribute with the amount (unknown amounts count as 0 money, but the pair
        stays an edge).

    Returns
    -------
    NullSamples

    Examples
    --------
    >>> import flowgraph as fg
    >>> G = fg.build_graph(fg.load_dataset("toy"))
    >>> s = fg.null_model(G, n=20, seed=3)
    >>> import numpy as np
    >>> bool((np.sort(s.dst, axis=1) == np.sort(s.observed_dst)).all())  # in-degrees kept
    True
    """
    n = _check_int("n", n)
    swaps = _check_int("swaps", swaps)
    seed = _params.seed(seed)
    if model not in NULL_MODELS:
        raise ParameterError(f"unknown null model {model!r}; valid: {', '.join(NULL_MODELS)}")
    if amounts not in AMOUNT_RULES:
        raise ParameterError(f"unknown amounts rule {amounts!r}; valid: "
                             f"{', '.join(AMOUNT_RULES)}")
    P = _pairs(G, weight)
    rng = np.random.default_rng(seed)
    m, k = len(P.src), len(P.names)
    D = np.empty((n, m), dtype=np.int64)
    A = np.empty((n, m), dtype=float)
    out_t = np.bincount(P.src, weights=P.w, minlength=k)
    in_t = np.bincount(P.dst, weights=P.w, minlength=k)
    done = np.zeros(n, dtype=np.int64)
    in_gap = np.zeros(n)
    out_gap = np.zeros(n)
    K = _kernels(n, swaps * max(m, 1), amounts)
    for i in range(n):
        D[i], done[i] = _rewire(P, rng, swaps * max(m, 1), model == "kinds", K)
        A[i] = (K.fit_strengths(P.src, D[i], P.w, out_t, in_t, k, 200)
                if amounts == "strength" else P.w)
        in_gap[i] = _moved_share(D[i], A[i], in_t, k)
        out_gap[i] = _moved_share(P.src, A[i], out_t, k)
    what = ("each company's number of payers and payees" if model == "degree" else
            "each company's number of payers and payees, and each edge's payer, payee kind "
            "and main flow type")
    notes = [f"Null model '{model}': {n:,} rewired networks keeping {what} exactly "
             f"(median {int(np.median(done)):,} successful swaps of "
             f"{swaps * max(m, 1):,} attempted per network)."]
    how = ("refitted by iterative proportional fitting towards every company's observed "
           "inflow and outflow" if amounts == "strength" else "carried with their payer")
    notes.append(f"Amounts {how}: the companies' inflows differ from the observed ones by "
                 f"{np.median(in_gap):.1%} of the money (median; worst {in_gap.max():.1%}), "
                 f"their outflows by {np.median(out_gap):.1%} (worst {out_gap.max():.1%}); "
                 "the rewired edges allow no closer fit.")
    if int(np.median(done)) < m:
        notes.append("Few swaps succeeded: the model leaves little room to rewire, so the "
                     "random networks stay close to the observed one.")
    params = {"model": model, "amounts": amounts, "n": n, "seed": seed, "swaps": swaps,
              "weight": weight, "inflow_gap": float(np.median(in_gap)),
              "outflow_gap": float(np.median(out_gap))}
    return NullSamples(P.names, P.src, D, A, P.dst.copy(), P.w.copy(), params, tuple(notes), P)


# --------------------------------------------------------------------------- statistics
def _stats(n: int, src: np.ndarray, dst: np.ndarray, w: np.ndarray, max_length: int,
           companies: Sequence[int], max_work: int | None = None,
           work: dict[str, Any] | None = None) -> np.ndarray:
    """Loop counts by length 2..L, circularity index, self-funded shares, participation."""
    from . import _circulation_engine as eng
    from .circulation import self_funded_arrays
    from .cycles import MAX_WORK, cycle_counts

    by_length, per_vertex = cycle_counts(src, dst, n=n, max_length=max_length,
                                         max_work=max_work or MAX_WORK, work=work)
    counts = by_length[2:].astype(float)
    total = w.sum()
    circ = eng.max_circulation(n, src, dst, w, certify=False).circular.sum()
    ci = circ / total if total > 0 else math.nan
    part_v = per_vertex[list(companies)].astype(float)
    if len(companies):
        amounts, _ = self_funded_arrays(n, src, dst, w, list(companies))
        inflow = np.bincount(dst, weights=w, minlength=n)[list(companies)]
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(inflow > 0, amounts / np.where(inflow > 0, inflow, 1), np.nan)
    else:
        share = np.zeros(0)
    return np.concatenate([counts, [ci], share, part_v])


@dataclass(frozen=True, eq=False)
class SignificanceResult(NumberTable):
    """Observed numbers against their null distribution.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per number: ``item`` (``"network"`` or a company), ``quantity``
        (``loops_length_k``, ``circularity_index``, ``self_funded_share``,
        ``loop_participation``), ``kind`` (``pct`` or ``int``), ``observed``, ``null_median``, ``null_low``, ``null_high``
        (5th and 95th percentiles), ``excess`` (observed minus null median), ``p_value``
        and ``p_error`` (its Monte Carlo standard error). Network rows first, then companies
        ranked by how far they exceed their null (p-value, then excess).
    null_values : pandas.DataFrame
        Every null sample's value of every number (columns ``item: quantity``), for
        histograms.
    samples : NullSamples
    notes : tuple of str

    Examples
    --------
    >>> import flowgraph as fg
    >>> r = fg.significance(fg.build_graph(fg.load_dataset("toy")), n=20, seed=1)
    >>> r.table.iloc[0]["quantity"]
    'loops_length_2'
    """

    table: pd.DataFrame
    null_values: pd.DataFrame = field(repr=False)
    samples: NullSamples = field(repr=False)
    notes: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return (f"<SignificanceResult: {schema.count_noun(len(self.table), 'number')} against "
                f"{len(self.samples):,} {self.samples.params['model']} null networks>")


    def headline(self) -> str:
        """The circularity index against chance, in one sentence."""
        r = self.row("network", "circularity_index")
        if math.isnan(r["observed"]):
            return "No known amounts: the circularity index is not defined."
        return (f"Circularity index {r['observed']:.1%} against {r['null_median']:.1%} "
                f"(90% of random networks: {r['null_low']:.1%}-{r['null_high']:.1%}) in "
                f"{len(self.samples):,} networks of the '{self.samples.params['model']}' null "
                f"model: p = {r['p_value']:.3f} (+/- {r['p_error']:.3f}).")


def _null_rows(payload: tuple[Any, ...], first: int, last: int) -> np.ndarray:
    """The statistics of null samples ``first..last-1`` (here or as one cluster task)."""
    k, src, dsts, amounts, max_length, chosen, cap = payload
    return np.array([_stats(k, src, dsts[i], amounts[i], max_length, chosen, max_work=cap)
                     for i in range(first, last)])


def significance(
    G: nx.Graph,
    *,
    n: int = 500,
    seed: int | None = 0,
    model: str = "degree",
    amounts: str = "strength",
    max_length: int = 6,
    companies: Sequence[str] | None = None,
    top: int = 10,
    samples: NullSamples | None = None,
    weight: str = "amount",
    max_work: int | None = None,
) -> SignificanceResult:
    """Compare the observed network's circularity with what its null model gives by chance.

    Parameters
    ----------
    G : networkx.MultiDiGraph or networkx.DiGraph
        Deal graph (:func:`flowgraph.build_graph`).
    n, seed, model, amounts, weight
        As in :func:`null_model` (ignored when ``samples`` is given).
    max_length : int
        Longest loop counted (hops).
    companies : list of str, optional
        Companies to test; default the ``top`` companies with the most loops through them.
    samples : NullSamples, optional
        Null networks drawn before.
    max_work : int, optional
        Work cap of the observed loop count (hops examined; default that of
        :func:`flowgraph.find_cycles`); each random network may take
        :data:`NULL_WORK_FACTOR` times what the observed one took. A count that reaches its
        cap raises :class:`ParameterError`: a partial count would give a wrong p-value.

    Returns
    -------
    SignificanceResult

    Examples
    --------
    >>> import flowgraph as fg
    >>> r = fg.significance(fg.build_graph(fg.load_dataset("toy")), n=50, seed=1)
    >>> bool(0 < r.row("network", "circularity_index")["p_value"] <= 1)
    True
    """
    max_length = _check_int("max_length", max_length, low=2)
    top = _check_int("top", top)
    if samples is None:
        samples = null_model(G, n=n, seed=seed, model=model, amounts=amounts, weight=weight)
    elif not isinstance(samples, NullSamples):
        raise ParameterError("samples must come from null_model")
    names = samples.names
    k = len(names)
    if companies is None:
        from .cycles import cycle_counts

        per_vertex = cycle_counts(samples.src, samples.observed_dst, n=k,
                                  max_length=max_length)[1]
        ranked = sorted((v for v in range(k) if per_vertex[v] > 0),
                        key=lambda v: (-per_vertex[v], str(names[v])))
        chosen = ranked[:top]
    else:
        code = {c: i for i, c in enumerate(names)}
        chosen = []
        for c in companies:
            if c not in code:
                check_company(G, c)
            chosen.append(code[c])
    used: dict[str, Any] = {}
    obs = _stats(k, samples.src, samples.observed_dst, samples.observed_amounts, max_length,
                 chosen, max_work=max_work, work=used)
    # a random network may hold far more loops than the observed one: each may take at most
    # NULL_WORK_FACTOR times the observed search (and never less than a small floor), and a
    # network past that stops the test with the options that make it tractable
    cap = max(NULL_WORK_FACTOR * used.get("steps", 0), NULL_WORK_FLOOR)
    from .distributed import by_range

    payload = (k, samples.src, samples.dst, samples.amounts, max_length, chosen, cap)
    null = by_range(_null_rows, payload, len(samples), what="null samples")
    quantities = ([("network", f"loops_length_{L}") for L in range(2, max_length + 1)]
                  + [("network", "circularity_index")]
                  + [(names[c], "self_funded_share") for c in chosen]
                  + [(names[c], "loop_participation") for c in chosen])
    nn = len(samples)
    with np.errstate(invalid="ignore"):
        ge = np.sum(null >= obs[None, :] - 1e-12 * np.maximum(1.0, np.abs(obs[None, :])), axis=0)
    p = (1 + ge) / (nn + 1)
    p = np.where(np.isnan(obs), np.nan, p)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        med = np.nanmedian(null, axis=0)
        lo = np.nanquantile(null, 0.05, axis=0)
        hi = np.nanquantile(null, 0.95, axis=0)
    kinds = ["pct" if q[1] in ("circularity_index", "self_funded_share") else "int"
             for q in quantities]
    table = pd.DataFrame({
        "item": [q[0] for q in quantities], "quantity": [q[1] for q in quantities],
        "kind": kinds, "observed": obs, "null_median": med, "null_low": lo, "null_high": hi,
        "excess": obs - med, "p_value": p, "p_error": np.sqrt(p * (1 - p) / nn),
    })
    net = table[table["item"] == "network"]
    comp = table[table["item"] != "network"].copy()
    comp["_q"] = (comp["quantity"] != "self_funded_share").astype(int)
    comp = comp.sort_values(["_q", "p_value", "excess", "item"],
                            ascending=[True, True, False, True], kind="stable").drop(columns="_q")
    table = pd.concat([net, comp], ignore_index=True)
    null_values = pd.DataFrame(null, columns=[f"{a}: {b}" for a, b in quantities])
    notes = [
        *samples.notes,
        f"p-value: share of the {nn:,} random networks (plus the observed one) at least as "
        "large as observed, one-sided; p_error is its Monte Carlo standard error. Loops are "
        f"counted up to {max_length} hops on the payer -> payee pairs.",
        "Unknown amounts count as no money in the circularity and self-funded numbers (as in "
        "maximal_circulation); their pairs still count as edges for the loops.",
    ]
    return SignificanceResult(table, null_values, samples, tuple(notes))
