"""Stress tests: what one or more failures do to the rest of the network.

Shocked companies fail to pay a share ``loss`` of what they owe and their equity loses a
share ``equity_loss`` (default: the same). The damage then travels along the exposures of
:mod:`flowgraph.exposure` under one of four models:

``debtrank``
    DebtRank of Battiston, Puliga, Kaushik, Tasca & Caldarelli (2012), *Sci. Rep.* 2:541:
    distress ``h`` (share of buffer lost) travels with impact ``W_ij = min(1, A_ij / E_i)``;
    each company passes its distress on once (undistressed -> distressed -> inactive).
``differential-debtrank``
    The differential DebtRank of Bardoscia, Battiston, Caccioli & Caldarelli (2015),
    *PLoS ONE* 10(6): e0130406: every *increase* of distress is passed on with
    ``Lambda_ij = A_ij / E_i`` until nothing changes (reverberation along cycles counts).
``eisenberg-noe``
    Clearing of payment obligations (Eisenberg & Noe 2001, *Management Science* 47(2)),
    greatest clearing vector by the fictitious default algorithm. Obligations are the
    promised, unpaid flows (revenue and funding at risk) plus paid loans still to be repaid;
    external assets default to the buffer column (cash); there are no external liabilities
    unless given. All obligations are treated as due at once, so companies may default
    without any shock: the table reports this baseline and measures the shock against it.
``cascade``
    A default cascade (Furfine 2003 style): a company whose losses reach its buffer fails
    and passes on ``default_loss`` (default 100%) of what it owes and of its equity; rounds
    are counted until no new company fails.

Matrix-level engines (:func:`debtrank_propagate`, :func:`clearing_vector`,
:func:`threshold_cascade`) take plain arrays and are what the published examples are tested
against.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from .errors import MissingDataError, ParameterError, SolverError
from .exposure import DEFAULT_STATUSES, RISK_KINDS, exposures
from . import schema
from .formatting import money
from .graph import check_company
from .schema import count_noun, to_float
from .timeframe import is_stale

__all__ = [
    "BUFFER_COLUMNS",
    "MODELS",
    "CascadeRun",
    "ClearingRun",
    "DebtRankRun",
    "StressResult",
    "clearing_vector",
    "debtrank_propagate",
    "stress_test",
    "threshold_cascade",
]

MODELS: tuple[str, ...] = ("debtrank", "differential-debtrank", "eisenberg-noe", "cascade")
"""Available contagion models."""

BUFFER_COLUMNS: tuple[str, ...] = (
    "equity_usd_bn", "market_value_usd_bn", "cash_usd_bn", "revenue_usd_bn", "debt_usd_bn",
)
"""Companies-table columns usable as loss buffers."""

_DEFAULT_BUFFER = {
    "debtrank": "equity_usd_bn",
    "differential-debtrank": "equity_usd_bn",
    "cascade": "equity_usd_bn",
    "eisenberg-noe": "cash_usd_bn",
}

_TOL = 1e-12


# --------------------------------------------------------------------------- engines
def _as_matrix(A: Any, n: int | None = None) -> Any:
    from scipy import sparse

    M = sparse.csr_matrix(A, dtype=float)
    if n is not None and M.shape != (n, n):
        raise ParameterError(f"matrix must be {n} x {n}, got {M.shape[0]} x {M.shape[1]}")
    if M.shape[0] != M.shape[1]:
        raise ParameterError("matrix must be square")
    if M.nnz and (M.data < 0).any():
        raise ParameterError("exposures and obligations must be non-negative")
    M.setdiag(0.0)
    M.eliminate_zeros()
    return M


def _vec(x: Any, n: int, name: str, default: float | None = None) -> np.ndarray:
    if x is None:
        if default is None:
            raise ParameterError(f"{name} is required")
        return np.full(n, float(default))
    v = np.asarray(x, dtype=float).reshape(-1)
    if v.size == 1 and n != 1:
        v = np.full(n, float(v[0]))
    if v.size != n:
        raise ParameterError(f"{name} must have {n} entries, got {v.size}")
    return v


def _check_share(x: np.ndarray, name: str) -> None:
    if np.isnan(x).any() or (x < 0).any() or (x > 1).any():
        raise ParameterError(f"{name} must be between 0 and 1")


def _exposure_matrices(exposures: Any, value_exposures: Any) -> tuple[Any, Any]:
    """The payment exposure matrix and the optional value (stakes) matrix of the same size."""
    A = _as_matrix(exposures)
    V = _as_matrix(value_exposures, A.shape[0]) if value_exposures is not None else None
    return A, V


def _share_vec(x: Any, n: int, name: str, fallback: np.ndarray | None = None) -> np.ndarray:
    """A vector of shares in [0, 1]; ``fallback`` (copied) when ``x`` is not given."""
    v = fallback.copy() if x is None and fallback is not None else _vec(x, n, name)
    _check_share(v, name)
    return v


def _debtrank_impacts(A: Any, V: Any, E: np.ndarray, d_pay: np.ndarray, d_val: np.ndarray,
                      shocked: np.ndarray, *, differential: bool) -> tuple[Any, Any, np.ndarray]:
    """Relative impact matrices (uncapped ``Lam``, capped ``W``) and first-round distress."""
    from scipy import sparse

    total = A if V is None else sparse.csr_matrix(A + V)
    total.eliminate_zeros()
    inv_e = 1.0 / E
    # relative impact matrix: row i scaled by 1 / E_i
    Lam = sparse.csr_matrix(sparse.diags(inv_e) @ total)
    W = Lam.copy()
    if not differential:
        W.data = np.minimum(W.data, 1.0)

    # first round: per-pair loss c_ij = A_ij d_pay_j + V_ij d_val_j, relative to E_i
    C_abs = sparse.csr_matrix(A @ sparse.diags(d_pay))
    if V is not None:
        C_abs = sparse.csr_matrix(C_abs + V @ sparse.diags(d_val))
    C = sparse.csr_matrix(sparse.diags(inv_e) @ C_abs)
    if not differential:
        # Battiston's cap W_ij = min(1, A_ij / E_i) applied to the pair's loss share
        # s_ij = c_ij / A_ij: W_ij * s_ij = min(c_ij / E_i, c_ij / A_ij)
        t_inv = total.copy()
        t_inv.data = 1.0 / t_inv.data
        C = sparse.csr_matrix(C.minimum(sparse.csr_matrix(C_abs.multiply(t_inv))))
    n = A.shape[0]
    first = np.asarray(C[:, shocked].sum(axis=1)).reshape(-1) if shocked.any() else np.zeros(n)
    return Lam, W, first


def _reverberate(Lam: Any, h: np.ndarray, h_new: np.ndarray, round_hit: np.ndarray, *,
                 tol: float, max_rounds: int) -> tuple[np.ndarray, int]:
    """Differential DebtRank: pass on every increase of distress until nothing changes.

    ``round_hit`` is filled in place; returns the final distress and the rounds run.
    """
    rounds = 1
    delta = h_new - h
    h = h_new
    while np.any(delta > tol):
        if rounds >= max_rounds:
            raise SolverError(
                f"differential DebtRank did not converge in {max_rounds} rounds "
                f"(largest change {float(delta.max()):.3g}); raise max_rounds"
            )
        rounds += 1
        h_new = np.minimum(1.0, h + Lam @ delta)
        round_hit[(h_new > h + _TOL) & (round_hit < 0)] = rounds
        delta = h_new - h
        h = h_new
    return h, rounds


def _pass_on_once(W: Any, h: np.ndarray, shocked: np.ndarray,
                  round_hit: np.ndarray) -> tuple[np.ndarray, int]:
    """Original DebtRank: each distressed company passes its distress on once.

    ``round_hit`` is filled in place; returns the final distress and the rounds run.
    """
    n = len(h)
    rounds = 1
    # states: 0 undistressed, 1 distressed, 2 inactive
    state = np.zeros(n, dtype=np.int8)
    state[shocked] = 2  # the shocked companies passed on their distress in round 1
    state[(h > 0) & (state == 0)] = 1
    while (state == 1).any():
        rounds += 1
        active = state == 1
        push = np.where(active, h, 0.0)
        h_new = np.minimum(1.0, h + W @ push)
        state[active] = 2
        round_hit[(h_new > h + _TOL) & (round_hit < 0)] = rounds
        state[(h_new > 0) & (state == 0)] = 1
        h = h_new
        if rounds > n + 2:  # every company becomes inactive at most once
            break
    return h, rounds


@dataclass(frozen=True)
class DebtRankRun:
    """Result of :func:`debtrank_propagate` (arrays indexed like the input matrix).

    Attributes
    ----------
    h0 : numpy.ndarray
        Initial distress (the shock).
    h1 : numpy.ndarray
        Distress after the first round (direct impact of the shock).
    h : numpy.ndarray
        Final distress, in [0, 1]; 1 means the buffer is gone (default).
    round_hit : numpy.ndarray
        Round in which each company's distress first rose (0 for shocked companies, -1 if
        never).
    rounds : int
        Rounds until nothing changed.
    value : float
        DebtRank ``R = sum_i v_i (h_i - h0_i)``: the weighted distress added by the
        propagation (the initial shock excluded), with weights ``v`` summing to 1.
    """

    h0: np.ndarray
    h1: np.ndarray
    h: np.ndarray
    round_hit: np.ndarray
    rounds: int
    value: float


def debtrank_propagate(
    exposures: Any,
    buffers: Any,
    shock: Any,
    *,
    value_exposures: Any = None,
    payment_shock: Any = None,
    value_shock: Any = None,
    weights: Any = None,
    differential: bool = False,
    max_rounds: int = 10000,
    tol: float = 1e-12,
) -> DebtRankRun:
    """Propagate distress with DebtRank (original or differential) on an exposure matrix.

    Parameters
    ----------
    exposures : array_like or scipy sparse matrix, shape (n, n)
        ``A[i, j]`` = what company i stands to lose if company j fails entirely (i's asset
        on j; the "assets" convention of NetworkRiskMeasures). With ``value_exposures``,
        the part that travels through payments.
    buffers : array_like, shape (n,)
        Loss buffers ``E`` (capital); must be positive.
    shock : array_like, shape (n,) or float
        Initial distress ``h0`` in [0, 1] (share of buffer lost by the shocked companies).
    value_exposures : array_like, optional
        A second exposure matrix (stakes) hit in the first round by ``value_shock`` instead
        of ``payment_shock``; later rounds treat both matrices alike.
    payment_shock, value_shock : array_like, optional
        Share of what each shocked company fails to pay / of its equity value lost, used in
        the first round only (default: ``shock``).
    weights : array_like, optional
        Economic weights ``v`` for the DebtRank value (normalised to sum 1; default: the
        buffers).
    differential : bool
        False: Battiston et al. (2012), impacts ``min(1, A_ij / E_i)``, each company passes
        on its distress once. True: Bardoscia et al. (2015), impacts ``A_ij / E_i``, every
        increase of distress passed on until convergence.
    max_rounds : int
        Stop after this many rounds (differential only); raises SolverError when the
        distress still changes by more than ``tol``.
    tol : float
        Convergence tolerance on the largest change of distress.

    Returns
    -------
    DebtRankRun

    Examples
    --------
    The example of the R package NetworkRiskMeasures (README, "debt_rank_shock"):

    >>> A = [[0, 1, 0], [10, 0, 3], [3, 2, 0]]
    >>> run = debtrank_propagate(A, [2, 5, 2], [0.1, 0.1, 0.1], weights=[10, 100, 30])
    >>> [round(float(x), 2) for x in run.h], round(run.value, 4)
    ([0.15, 0.26, 0.3], 0.1607)
    """
    A, V = _exposure_matrices(exposures, value_exposures)
    n = A.shape[0]
    E = _vec(buffers, n, "buffers")
    if np.isnan(E).any() or (E <= 0).any():
        raise ParameterError("buffers must be positive numbers")
    h0 = _share_vec(shock, n, "shock")
    d_pay = _share_vec(payment_shock, n, "payment_shock", fallback=h0)
    d_val = _share_vec(value_shock, n, "value_shock", fallback=h0)
    v = _vec(weights, n, "weights") if weights is not None else E.copy()
    if np.isnan(v).any() or (v < 0).any() or v.sum() <= 0:
        raise ParameterError("weights must be non-negative with a positive sum")
    v = v / v.sum()
    if max_rounds < 1:
        raise ParameterError("max_rounds must be at least 1")

    shocked = (h0 > 0) | (d_pay > 0) | (d_val > 0)
    Lam, W, first = _debtrank_impacts(A, V, E, d_pay, d_val, shocked,
                                      differential=differential)
    round_hit = np.full(n, -1, dtype=np.int64)
    round_hit[shocked] = 0
    h_new = np.minimum(1.0, h0 + first)
    round_hit[(h_new > h0 + _TOL) & (round_hit < 0)] = 1
    h1 = h_new.copy()
    if differential:
        # the initial shock itself was passed on in the first round
        h, rounds = _reverberate(Lam, h0, h_new, round_hit, tol=tol, max_rounds=max_rounds)
    else:
        h, rounds = _pass_on_once(W, h_new, shocked, round_hit)
    value = float(np.dot(v, h - h0))
    return DebtRankRun(h0=h0, h1=h1, h=h, round_hit=round_hit, rounds=rounds, value=value)


@dataclass(frozen=True)
class ClearingRun:
    """Result of :func:`clearing_vector`.

    Attributes
    ----------
    payments : numpy.ndarray
        Greatest clearing vector ``p`` (what each company pays in total).
    obligations : numpy.ndarray
        ``p_bar``: what each company owes (network plus external liabilities).
    limit : numpy.ndarray
        The most each company pays (``p_bar``, or less where a shock caps it).
    defaults : numpy.ndarray of bool
        Companies paying less than their limit.
    default_round : numpy.ndarray
        Step of the fictitious default algorithm in which each company defaulted (-1: never).
    rounds : int
        Steps of the fictitious default algorithm.
    """

    payments: np.ndarray
    obligations: np.ndarray
    limit: np.ndarray
    defaults: np.ndarray
    default_round: np.ndarray
    rounds: int


def clearing_vector(
    liabilities: Any,
    external_assets: Any,
    *,
    external_liabilities: Any = None,
    max_payment: Any = None,
) -> ClearingRun:
    """Eisenberg-Noe greatest clearing vector by the fictitious default algorithm.

    Solves ``p_i = min(limit_i, e_i + sum_j Pi_ji p_j)`` with ``Pi_ij = L_ij / p_bar_i`` and
    ``p_bar_i = sum_j L_ij + external_liabilities_i`` (Eisenberg & Noe 2001, section 3).

    Parameters
    ----------
    liabilities : array_like or scipy sparse matrix, shape (n, n)
        ``L[i, j]`` = what company i owes company j.
    external_assets : array_like, shape (n,)
        ``e``: what each company has from outside the network (non-negative).
    external_liabilities : array_like, optional
        What each company owes outside the network (default 0); paid pro rata with ``L``.
    max_payment : array_like, optional
        Caps on total payments (a shocked company paying at most ``(1 - loss) p_bar``).

    Returns
    -------
    ClearingRun

    Examples
    --------
    The example of the R package systemicrisk (``default_clearing``; Rogers & Veraart 2013):

    >>> L = [[0, .5, .5], [.5, 0, .5], [.5, .5, 0]]
    >>> run = clearing_vector(L, [1/2, 5/8, 3/4], external_liabilities=[3/2, 1/2, 1/2])
    >>> run.defaults.astype(int).tolist()
    [1, 1, 0]
    """
    from scipy import sparse
    from scipy.sparse.linalg import spsolve

    L = _as_matrix(liabilities)
    n = L.shape[0]
    e = _vec(external_assets, n, "external_assets")
    if np.isnan(e).any() or (e < 0).any():
        raise ParameterError("external assets must be non-negative numbers")
    el = _vec(external_liabilities, n, "external_liabilities", default=0.0)
    if np.isnan(el).any() or (el < 0).any():
        raise ParameterError("external liabilities must be non-negative numbers")
    pbar = np.asarray(L.sum(axis=1)).reshape(-1) + el
    limit = pbar.copy()
    if max_payment is not None:
        cap = _vec(max_payment, n, "max_payment")
        if np.isnan(cap).any() or (cap < 0).any():
            raise ParameterError("max_payment must be non-negative")
        limit = np.minimum(limit, cap)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.where(pbar > 0, 1.0 / pbar, 0.0)
    Pi = (sparse.diags(inv) @ L).tocsr()
    PiT = Pi.T.tocsr()

    default_round = np.full(n, -1, dtype=np.int64)
    p = limit.copy()
    in_default = np.zeros(n, dtype=bool)
    rounds = 0
    while True:
        value = e + PiT @ p
        new = (value < limit - 1e-12 * np.maximum(1.0, limit)) & ~in_default
        if not new.any():
            break
        rounds += 1
        default_round[new] = rounds
        in_default |= new
        D = np.flatnonzero(in_default)
        N = np.flatnonzero(~in_default)
        # defaulting companies pay everything they have: p_D = e_D + PiT_DD p_D + PiT_DN p_N
        M = sparse.identity(len(D), format="csc") - PiT[D][:, D].tocsc()
        rhs = e[D] + (PiT[D][:, N] @ limit[N] if len(N) else 0.0)
        pD = None
        try:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pD = np.asarray(spsolve(M, rhs)).reshape(-1)
            if not np.all(np.isfinite(pD)):
                pD = None
        except Exception:
            pD = None
        if pD is None:
            pD = _picard(PiT, e, limit, D, N)
        p = limit.copy()
        p[D] = np.clip(pD, 0.0, limit[D])
        if rounds > n + 1:  # pragma: no cover - each step adds a company
            raise SolverError("fictitious default algorithm did not terminate")
    return ClearingRun(payments=p, obligations=pbar, limit=limit, defaults=in_default,
                       default_round=default_round, rounds=rounds)


def _picard(PiT: Any, e: np.ndarray, limit: np.ndarray, D: np.ndarray, N: np.ndarray,
            max_iter: int = 100000) -> np.ndarray:
    """Greatest solution of p_D = min(limit, e_D + PiT_D p) by monotone iteration from above."""
    p = limit.copy()
    for _ in range(max_iter):
        new = p.copy()
        new[D] = np.minimum(limit[D], e[D] + PiT[D] @ p)
        if np.max(np.abs(new - p), initial=0.0) < 1e-13 * max(1.0, float(limit.max(initial=0))):
            return new[D]
        p = new
    raise SolverError("clearing payments did not converge")


@dataclass(frozen=True)
class CascadeRun:
    """Result of :func:`threshold_cascade`.

    Attributes
    ----------
    losses : numpy.ndarray
        Final losses of each company.
    direct : numpy.ndarray
        Losses in round 1 (from the initially shocked companies only).
    failed : numpy.ndarray of bool
        Companies that failed (losses reached their buffer), shocked ones excluded.
    fail_round : numpy.ndarray
        Round in which each company failed (0: shocked, -1: never).
    round_hit : numpy.ndarray
        Round in which each company first lost money (-1: never; 0: shocked).
    rounds : int
        Rounds until no new company failed.
    """

    losses: np.ndarray
    direct: np.ndarray
    failed: np.ndarray
    fail_round: np.ndarray
    round_hit: np.ndarray
    rounds: int


def threshold_cascade(
    exposures: Any,
    buffers: Any,
    shock: Any,
    *,
    value_exposures: Any = None,
    value_shock: Any = None,
    default_loss: float = 1.0,
    can_fail: Any = None,
) -> CascadeRun:
    """Default cascade: a company whose losses reach its buffer fails and passes on losses.

    Round 1: every company loses ``A_ij * shock_j`` on each shocked company j (and
    ``V_ij * value_shock_j`` on stakes). A company whose total loss reaches its buffer
    (``loss >= E``; a buffer below 0 means it has already failed) fails and, from the next
    round on, its counterparties lose ``default_loss`` of their exposure to it. Repeat until
    no new company fails.

    Parameters
    ----------
    exposures : array_like, shape (n, n)
        ``A[i, j]``: what i loses if j pays nothing (payment exposures).
    buffers : array_like, shape (n,)
        Loss buffers (net worth); NaN or ``can_fail = False`` means never fails.
    shock : array_like or float
        Share of its obligations each company fails to pay at the start (0 for most).
    value_exposures, value_shock : optional
        Stakes and the share of equity value the shocked companies lose.
    default_loss : float
        Share lost on exposures to a company that failed in the cascade (1 - recovery).
    can_fail : array_like of bool, optional
        Companies allowed to fail (default: those with a known buffer).

    Returns
    -------
    CascadeRun

    Examples
    --------
    The example of the R package systemicrisk (``default_cascade``, recovery rate 0):
    net worth ``e + colSums(L) - rowSums(L) - el`` = (-1, 1/8, 1/4) and exposures = L^T.

    >>> L = np.array([[0, .5, .5], [.5, 0, .5], [.5, .5, 0]])
    >>> run = threshold_cascade(L.T, [-1, 1/8, 1/4], 0.0)
    >>> run.failed.astype(int).tolist()
    [1, 1, 1]
    """
    A, V = _exposure_matrices(exposures, value_exposures)
    n = A.shape[0]
    E = _vec(buffers, n, "buffers")
    s = _share_vec(shock, n, "shock")
    sv = _share_vec(value_shock, n, "value_shock", fallback=s)
    if not 0 <= default_loss <= 1:
        raise ParameterError("default_loss must be between 0 and 1")
    fail_ok = (_vec(can_fail, n, "can_fail").astype(bool) if can_fail is not None
               else ~np.isnan(E))
    fail_ok &= ~np.isnan(E)

    d_pay = s.copy()
    d_val = sv.copy()
    shocked = (s > 0) | (sv > 0)
    fail_round = np.full(n, -1, dtype=np.int64)
    fail_round[shocked] = 0
    failed = np.zeros(n, dtype=bool)
    round_hit = np.full(n, -1, dtype=np.int64)
    round_hit[shocked] = 0

    def losses_now() -> np.ndarray:
        out = A @ d_pay
        if V is not None:
            out = out + V @ d_val
        return np.asarray(out).reshape(-1)

    rounds = 0
    loss = np.zeros(n)
    direct = None
    while True:
        rounds += 1
        loss = losses_now()
        if direct is None:
            direct = loss.copy()
        hit = (loss > 0) & (round_hit < 0)
        round_hit[hit] = rounds
        new = fail_ok & ~failed & (loss >= E - 1e-12 * np.maximum(1.0, np.abs(np.nan_to_num(E))))
        if not new.any():
            break
        failed |= new
        fail_round[new & (fail_round < 0)] = rounds
        d_pay[new] = np.maximum(d_pay[new], default_loss)
        d_val[new] = np.maximum(d_val[new], default_loss)
        if rounds > n + 1:  # pragma: no cover - each round adds a failure
            break
    failed_out = failed & ~shocked
    return CascadeRun(losses=loss, direct=direct if direct is not None else loss,
                      failed=failed_out, fail_round=fail_round, round_hit=round_hit,
                      rounds=rounds)


# --------------------------------------------------------------------------- graph level
@dataclass(frozen=True)
class StressResult:
    """Outcome of a stress test.

    Attributes
    ----------
    model : str
        One of :data:`MODELS`.
    failed : tuple of str
        The shocked companies.
    loss, equity_loss : float
        Share of their obligations the shocked companies fail to pay, and share of their
        equity value lost.
    buffer : str
        The companies-table column used as loss buffer (external assets for
        Eisenberg-Noe).
    companies : pandas.DataFrame
        One row per company of the network: ``company, kind, shocked, buffer``
        (bn USD), ``buffer_basis`` (the column, or the assumption used when it was
        missing), ``exposure`` (what the company could lose on others, bn USD),
        ``direct_loss`` (on the shocked companies, first round), ``indirect_loss`` (passed
        on by others), ``loss`` (both), ``loss_share`` (loss / buffer), ``distress``
        (DebtRank models: share of buffer lost, 0-1), ``round_hit`` (round of the first
        loss; 0 for the shocked companies, empty if never), ``fails``; for
        ``eisenberg-noe`` also ``obligations``, ``payments``, ``paid_share``,
        ``baseline_default``. Sorted by loss (largest first), then name.
    total_loss : float
        Sum of ``loss`` over all companies (bn USD).
    direct_loss, indirect_loss : float
        Its two parts.
    debtrank : float
        DebtRank value (DebtRank models): buffer-weighted distress added by the propagation,
        the initial shock excluded (0-1). NaN for the other models.
    n_failed : int
        Companies that fail because of the shock (shocked ones and, for Eisenberg-Noe,
        baseline defaults not counted).
    rounds : int
        Propagation rounds.
    n_unknown : int
        Exposures left out because their amount is unknown.
    assumptions : str
        Everything assumed: statuses counted, buffers missing and what was used instead,
        how unknown amounts and external assets were treated.

    Examples
    --------
    >>> import flowgraph as fg
    >>> r = fg.stress_test(fg.build_graph(fg.load_dataset("toy")), ["LabCo"], loss=0.5,
    ...                    model="cascade")
    >>> r.n_failed, float(r.total_loss)
    (1, 33.5)
    """

    model: str
    failed: tuple[str, ...]
    loss: float
    equity_loss: float
    buffer: str
    companies: pd.DataFrame
    total_loss: float
    direct_loss: float
    indirect_loss: float
    debtrank: float
    n_failed: int
    rounds: int
    n_unknown: int
    assumptions: str

    def _repr_html_(self) -> str:
        from ._notebook import frame_html

        return (frame_html(self.headline(), caption=f"Stress test ({self.model})")
                + frame_html(self.companies, caption="Companies, largest loss first"))

    def headline(self, *, raw: bool = False) -> pd.DataFrame:
        """The scalar results as a two-column table (``measure``, ``value``).

        ``raw=True`` gives the numbers themselves (shares as fractions) rather than text
        formatted for reading, e.g. for CSV or JSON output.
        """
        # (measure, number, text for reading)
        items: list[tuple[str, Any, str]] = [
            ("model", self.model, self.model),
            ("shocked", ", ".join(self.failed), ", ".join(self.failed)),
            ("share of obligations unpaid", self.loss, f"{self.loss:.0%}"),
            ("share of equity value lost", self.equity_loss, f"{self.equity_loss:.0%}"),
            ("buffer", self.buffer, self.buffer),
            ("total loss (bn USD)", self.total_loss, f"{self.total_loss:,.2f}"),
            ("direct loss (bn USD)", self.direct_loss, f"{self.direct_loss:,.2f}"),
            ("indirect loss (bn USD)", self.indirect_loss, f"{self.indirect_loss:,.2f}"),
            ("companies failing", self.n_failed, str(self.n_failed)),
            ("rounds", self.rounds, str(self.rounds)),
        ]
        if not math.isnan(self.debtrank):
            items.insert(8, ("DebtRank", self.debtrank, f"{self.debtrank:.4f}"))
        if self.n_unknown:
            items.append(("exposures with unknown amount (left out)", self.n_unknown,
                          str(self.n_unknown)))
        rows = [(m, number if raw else text) for m, number, text in items]
        return pd.DataFrame(rows, columns=["measure", "value"])


def _values_from(G: nx.Graph, names: list[Any], spec: Any, what: str) -> np.ndarray:
    """Per-company numbers from a column name, a list of columns (summed) or a mapping."""
    if isinstance(spec, Mapping):
        out = np.full(len(names), math.nan)
        for i, n in enumerate(names):
            if n in spec and spec[n] is not None:
                out[i] = float(spec[n])
        return out
    cols = [spec] if isinstance(spec, str) else list(spec)
    present = [c for c in cols if any(c in G.nodes[n] for n in G)]
    if not present:
        avail = sorted({k for n in G for k, v in G.nodes[n].items()
                        if k.endswith("_usd_bn")})
        raise MissingDataError(
            f"no company has {what} column {', '.join(cols)}"
            + (f"; available: {', '.join(avail)}" if avail else "; the graph has no companies "
               "table (load one with --companies)")
        )
    arr = np.array([[to_float(G.nodes[n].get(c)) for c in cols] for n in names], dtype=float)
    return arr.sum(axis=1) if arr.size else np.full(len(names), math.nan)


def _check_loss(x: float, name: str) -> float:
    try:
        f = float(x)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a number between 0 and 1, got {x!r}") from None
    if math.isnan(f) or not 0 <= f <= 1:
        raise ParameterError(f"{name} must be between 0 and 1 (a share), got {x!r}")
    return f


def _spec_label(spec: str | Sequence[str] | Mapping[str, float]) -> str:
    """How a per-company figure given as a column, columns or a mapping is named in notes."""
    if isinstance(spec, str):
        return spec
    return "given per company" if isinstance(spec, Mapping) else " + ".join(spec)


def _shocked_companies(G: nx.Graph, fail: str | Iterable[str]) -> list[str]:
    """The graph's names of the companies to fail, in the order given, each once."""
    fails = [fail] if isinstance(fail, str) else list(fail)
    if not fails:
        raise ParameterError("name at least one company to fail")
    shocked_names: list[str] = []
    for f in fails:
        name = check_company(G, f)
        if name not in shocked_names:
            shocked_names.append(name)
    return shocked_names


@dataclass(frozen=True)
class _StressNetwork:
    """The known exposures of a graph as matrices over its companies (sorted by name)."""

    names: list[Any]
    index: dict[Any, int]
    known: pd.DataFrame
    n_unknown: int
    A_pay: Any
    A_val: Any
    total_exposure: np.ndarray

    @property
    def n(self) -> int:
        return len(self.names)

    def matrix(self, rows: pd.DataFrame, r: str, c: str) -> Any:
        """Sparse n x n matrix of ``amount`` with rows from column ``r``, columns from ``c``."""
        return _amount_matrix(rows, self.index, r, c)


def _amount_matrix(rows: pd.DataFrame, index: dict[Any, int], r: str, c: str) -> Any:
    """Sparse matrix of ``rows["amount"]`` over the companies of ``index``."""
    from scipy import sparse

    n = len(index)
    if rows.empty:
        return sparse.csr_matrix((n, n))
    ri = rows[r].map(index).to_numpy()
    ci = rows[c].map(index).to_numpy()
    return sparse.csr_matrix((rows["amount"].to_numpy(float), (ri, ci)), shape=(n, n))


def _stress_network(G: nx.Graph, *, semantics: Any, statuses: Any,
                    weight: str) -> _StressNetwork:
    """Payment and value exposures with a known, positive amount between companies."""
    names = sorted(G.nodes, key=str)
    ex = exposures(G, semantics=semantics, statuses=statuses, weight=weight)
    n_unknown = int((~ex["amount_known"]).sum()) if len(ex) else 0
    known = ex[ex["amount_known"] & (ex["amount"] > 0) & (ex["exposed"] != ex["counterparty"])]
    index = {n: i for i, n in enumerate(names)}
    value_kinds = [k for k, v in RISK_KINDS.items() if v.transmits == "value"]
    is_value = known["risk"].isin(value_kinds)
    A_pay = _amount_matrix(known[~is_value], index, "exposed", "counterparty")
    A_val = _amount_matrix(known[is_value], index, "exposed", "counterparty")
    total_exposure = np.asarray((A_pay + A_val).sum(axis=1)).reshape(-1)
    return _StressNetwork(names, index, known, n_unknown, A_pay, A_val, total_exposure)


@dataclass(frozen=True)
class _Buffers:
    """Loss buffers per company and what was assumed where the figure is missing."""

    label: str
    raw: np.ndarray
    values: np.ndarray
    basis: np.ndarray
    participates: np.ndarray
    missing_idx: np.ndarray


def _stress_buffers(G: nx.Graph, net: _StressNetwork, spec: Any, *, model: str,
                    missing_buffer: str) -> _Buffers:
    """Read the buffers and fill the missing ones as ``missing_buffer`` says."""
    label = _spec_label(spec)
    E_raw = _values_from(G, net.names, spec, "buffer")
    usable = ~np.isnan(E_raw) & (E_raw > 0)
    if not usable.any():
        raise MissingDataError(
            f"no company in the network has a positive {label}; choose another buffer "
            f"column ({', '.join(BUFFER_COLUMNS)}) or give buffers per company"
        )
    missing_idx = np.flatnonzero(~usable)
    basis = np.array([label] * net.n, dtype=object)
    E = E_raw.copy()
    participates = np.ones(net.n, dtype=bool)
    total_exposure = net.total_exposure
    for i in missing_idx:
        # a reported buffer of zero or less (negative book equity) is not a usable buffer
        why = "missing" if np.isnan(E_raw[i]) else "not positive"
        if missing_buffer == "exposure" and total_exposure[i] > 0:
            E[i] = total_exposure[i]
            basis[i] = f"{why}: assumed total exposure"
        else:
            E[i] = math.nan
            basis[i] = (f"{why}: never fails" if total_exposure[i] > 0 or model == "eisenberg-noe"
                        else f"{why}: nothing at stake")
            participates[i] = False
    return _Buffers(label, E_raw, E, basis, participates, missing_idx)


def _input_notes(net: _StressNetwork, buf: _Buffers, *, statuses: Any, model: str,
                 missing_buffer: str) -> list[str]:
    """Notes on what the run counts: statuses, unknown amounts, missing buffers."""
    st_text = ", ".join(statuses) if statuses is not None and not isinstance(statuses, str) \
        else (statuses or "all")
    notes = [
        f"Exposures from deals with status {st_text}; paid (disbursed) deals count only for "
        "stakes and loans, never as revenue or funding at risk."
    ]
    n_unknown = net.n_unknown
    if n_unknown:
        notes.append("1 exposure with an unknown amount is left out (not zero)."
                     if n_unknown == 1 else
                     f"{n_unknown:,} exposures with unknown amounts are left out (not zero).")
    miss_names = [str(net.names[i]) for i in buf.missing_idx if net.total_exposure[i] > 0]
    if len(miss_names) and model != "eisenberg-noe":
        what = ("assumed equal to their total exposure to the network"
                if missing_buffer == "exposure" else "excluded: they absorb losses but never fail")
        notes.append(f"No positive {buf.label} for "
                     f"{count_noun(len(miss_names), 'company', 'companies')} ({what}): "
                     + ", ".join(sorted(miss_names)) + ".")
    return notes


@dataclass(frozen=True)
class _ModelRun:
    """What one model gives per company, before the table is made."""

    loss_total: np.ndarray
    loss_direct: np.ndarray
    fails: np.ndarray
    round_hit: np.ndarray
    debtrank: float
    rounds: int
    notes: tuple[str, ...]
    extra: dict[str, Any]
    buffer: np.ndarray | None = None  # replaces the buffer column (eisenberg-noe)
    basis: np.ndarray | None = None


def _run_debtrank(net: _StressNetwork, buf: _Buffers, shocked: np.ndarray, *, loss: float,
                  equity_loss: float, weights: Mapping[str, float] | None,
                  differential: bool, max_rounds: int) -> _ModelRun:
    """DebtRank or differential DebtRank on the network, excluded companies included."""
    from scipy import sparse

    A_pay, A_val, n = net.A_pay, net.A_val, net.n
    # companies without a usable buffer under "exclude" take no distress of their own
    part = buf.participates
    E_run = np.where(part, buf.values, 1.0)
    mask = sparse.diags(part.astype(float))
    h0 = np.where(shocked & part, equity_loss, 0.0)
    wv = (np.array([float(weights.get(x, 0.0)) for x in net.names]) if weights is not None
          else np.where(part, E_run, 0.0))
    run = debtrank_propagate(
        (mask @ A_pay).tocsr(), E_run, h0, value_exposures=(mask @ A_val).tocsr(),
        payment_shock=np.where(shocked, loss, 0.0),
        value_shock=np.where(shocked, equity_loss, 0.0),
        weights=wv, differential=differential, max_rounds=max_rounds,
    )
    loss_total = np.where(part, (run.h - run.h0) * E_run, 0.0)
    loss_direct = np.where(part, (run.h1 - run.h0) * E_run, 0.0)
    # excluded companies: value of their claims lost at the final distress of debtors
    if (~part).any():
        pay_share = np.where(shocked, loss, np.where(part, run.h, 0.0))
        val_share = np.where(shocked, equity_loss, np.where(part, run.h, 0.0))
        ex_loss = A_pay @ pay_share + A_val @ val_share
        ex_direct = (A_pay @ np.where(shocked, loss, 0.0)
                     + A_val @ np.where(shocked, equity_loss, 0.0))
        loss_total = np.where(part, loss_total, ex_loss)
        loss_direct = np.where(part, loss_direct, ex_direct)
    fails_arr = part & (run.h >= 1.0 - 1e-12) & ~shocked
    round_hit = run.round_hit.astype(float)
    if (~part).any():
        # an excluded company is hit one round after its first distressed counterparty
        src = np.where(shocked, 0.0, np.where(part & (run.h > 0) & (round_hit >= 0),
                                              round_hit, np.inf))
        Ac = (A_pay + A_val).tocoo()
        first = np.full(n, np.inf)
        np.minimum.at(first, Ac.row, src[Ac.col] + 1)
        hit_ex = (~part) & (loss_total > 0) & np.isfinite(first)
        round_hit = np.where(hit_ex, first, round_hit)
    note = (
        "DebtRank: distress = share of buffer lost; "
        + ("each company passes its distress on once (Battiston et al. 2012), impact "
           "min(1, exposure / buffer)." if not differential else
           "every increase of distress is passed on until nothing changes (Bardoscia et "
           "al. 2015), impact exposure / buffer.")
        + f" Shocked companies fail to pay {loss:.0%} and lose {equity_loss:.0%} of "
        "their equity value in the first round; later rounds pass on distress. DebtRank is "
        "weighted by " + ("the given weights." if weights is not None else "buffers.")
    )
    return _ModelRun(loss_total, loss_direct, fails_arr, round_hit, run.value, run.rounds,
                     (note,), {"distress": np.where(part, run.h, np.nan)})


def _run_cascade(net: _StressNetwork, buf: _Buffers, shocked: np.ndarray, *, loss: float,
                 equity_loss: float, default_loss: float) -> _ModelRun:
    """The default cascade on the network."""
    part = buf.participates
    run_c = threshold_cascade(
        net.A_pay, np.where(part, buf.values, np.nan), np.where(shocked, loss, 0.0),
        value_exposures=net.A_val, value_shock=np.where(shocked, equity_loss, 0.0),
        default_loss=default_loss, can_fail=part & ~shocked,
    )
    round_hit = run_c.round_hit.astype(float)
    round_hit[shocked] = 0
    note = (
        f"Cascade: a company fails when its losses reach its buffer; shocked companies "
        f"fail to pay {loss:.0%} and lose {equity_loss:.0%} of equity value, companies "
        f"failing in the cascade pass on {default_loss:.0%} of what they owe and of their "
        "equity value."
    )
    return _ModelRun(run_c.losses, run_c.direct, run_c.failed, round_hit, math.nan,
                     run_c.rounds, (note,), {})


def _clearing_inputs(G: nx.Graph, net: _StressNetwork, buf: _Buffers, *,
                     external_assets: Any, external_liabilities: Mapping[str, float] | None,
                     ) -> tuple[Any, np.ndarray, np.ndarray, str]:
    """Eisenberg-Noe obligations ``L``, external assets and liabilities, and their label."""
    known = net.known
    L = net.matrix(known[known["risk"].isin(["revenue", "funding"])], "counterparty",
                   "exposed")
    credit = known[(known["risk"] == "credit") & (known["status"] == "disbursed")]
    L = (L + net.matrix(credit, "counterparty", "exposed")).tocsr()
    if external_assets is not None:
        e = _values_from(G, net.names, external_assets, "external assets")
        ea_label = _spec_label(external_assets)
    else:
        e = buf.raw.copy()
        ea_label = buf.label
    el = np.zeros(net.n)
    if external_liabilities is not None:
        for k, v in external_liabilities.items():
            el[net.index[check_company(G, k)]] = float(v)
    return L, e, el, ea_label


def _first_default_hit(L: Any, shocked: np.ndarray, default_round: np.ndarray,
                       delta: np.ndarray, loss_total: np.ndarray) -> np.ndarray:
    """Round hit: one step after the first debtor (shocked: step 0) defaulted."""
    dr = np.where(shocked, 0, default_round).astype(float)
    dr[dr < 0] = np.inf
    dr[~(delta > 0)] = np.inf
    Lc = L.tocoo()
    hit = np.full(len(shocked), np.inf)
    np.minimum.at(hit, Lc.col, dr[Lc.row] + 1)
    round_hit = np.where(np.isfinite(hit) & (loss_total > 0), hit, -1.0)
    round_hit[shocked] = 0
    return round_hit


def _run_eisenberg_noe(G: nx.Graph, net: _StressNetwork, buf: _Buffers, shocked: np.ndarray,
                       *, loss: float, external_assets: Any,
                       external_liabilities: Mapping[str, float] | None) -> _ModelRun:
    """Eisenberg-Noe clearing with the shock, measured against clearing without it."""
    L, e, el, ea_label = _clearing_inputs(G, net, buf, external_assets=external_assets,
                                          external_liabilities=external_liabilities)
    names = net.names
    pbar_net = np.asarray(L.sum(axis=1)).reshape(-1)
    no_e = np.isnan(e) | (e < 0)
    e_shown = np.where(no_e, np.nan, e)
    e = np.where(no_e, pbar_net + el, e)
    basis = np.where(no_e, np.where(pbar_net + el > 0, "assumed: can pay its obligations",
                                    "missing: owes nothing"), ea_label).astype(object)
    notes = []
    owing = [str(names[i]) for i in np.flatnonzero(no_e & (pbar_net + el > 0))]
    if owing:
        notes.append(
            f"No {ea_label} for {count_noun(len(owing), 'company', 'companies')} "
            "that owe money (assumed able to pay what they owe from their own means): "
            + ", ".join(sorted(owing)) + "."
        )
    # the shocked companies pay exactly (1 - loss) of what they owe, whatever their own
    # means: give them enough external assets, and compare with them paying in full
    pbar0 = pbar_net + el
    e = np.where(shocked, np.maximum(np.nan_to_num(e), pbar0), e)
    base = clearing_vector(L, e, external_liabilities=el)
    pbar = base.obligations
    cap = np.where(shocked, (1.0 - loss) * pbar, pbar)
    shock_run = clearing_vector(L, e, external_liabilities=el, max_payment=cap)
    LT = L.T.tocsr()
    with np.errstate(divide="ignore", invalid="ignore"):
        unpaid_share_base = np.where(pbar > 0, 1.0 - base.payments / pbar, 0.0)
        unpaid_share = np.where(pbar > 0, 1.0 - shock_run.payments / pbar, 0.0)
        paid_share = np.where(pbar > 0, shock_run.payments / pbar, np.nan)
    delta = np.maximum(unpaid_share - unpaid_share_base, 0.0)
    loss_total = np.asarray(LT @ delta).reshape(-1)
    loss_direct = np.asarray(LT @ np.where(shocked, delta, 0.0)).reshape(-1)
    new_default = shock_run.defaults & ~base.defaults & ~shocked
    round_hit = _first_default_hit(L, shocked, shock_run.default_round, delta, loss_total)
    extra = {"obligations": pbar, "payments": shock_run.payments, "paid_share": paid_share,
             "baseline_default": base.defaults}
    nb = int(base.defaults.sum())
    notes.append(
        "Eisenberg-Noe: obligations are promised unpaid flows (revenue and funding at "
        "risk) and paid loans, all treated as due now; external assets = "
        f"{ea_label}; external liabilities "
        + ("as given" if external_liabilities else "none")
        + f". Shocked companies pay exactly {1 - loss:.0%} of what they owe, whatever "
        "their own means; equity stakes are not cleared (equity_loss unused). Losses are "
        "measured against the clearing in which the shocked companies pay in full, where "
        f"{count_noun(nb, 'other company', 'other companies')} already default"
        + ("s" if nb == 1 else "") + " (column baseline_default)."
    )
    return _ModelRun(loss_total, loss_direct, new_default, round_hit, math.nan,
                     shock_run.rounds, tuple(notes), extra, buffer=e_shown, basis=basis)


def _check_losses(loss: float, equity_loss: float | None,
                  default_loss: float) -> tuple[float, float, float]:
    """The three loss shares, checked; ``equity_loss`` defaults to ``loss``."""
    loss = _check_loss(loss, "loss")
    equity_loss = loss if equity_loss is None else _check_loss(equity_loss, "equity_loss")
    return loss, equity_loss, _check_loss(default_loss, "default_loss")


def _run_model(G: nx.Graph, net: _StressNetwork, buf: _Buffers, shocked: np.ndarray,
               model: str, *, loss: float, equity_loss: float, default_loss: float,
               weights: Mapping[str, float] | None, max_rounds: int, external_assets: Any,
               external_liabilities: Mapping[str, float] | None) -> _ModelRun:
    """Run the chosen model with the options it reads."""
    if model in ("debtrank", "differential-debtrank"):
        return _run_debtrank(net, buf, shocked, loss=loss, equity_loss=equity_loss,
                             weights=weights, differential=(model == "differential-debtrank"),
                             max_rounds=max_rounds)
    if model == "cascade":
        return _run_cascade(net, buf, shocked, loss=loss, equity_loss=equity_loss,
                            default_loss=default_loss)
    return _run_eisenberg_noe(G, net, buf, shocked, loss=loss, external_assets=external_assets,
                              external_liabilities=external_liabilities)


def _stress_table(G: nx.Graph, net: _StressNetwork, buf: _Buffers, shocked: np.ndarray,
                  run: _ModelRun, loss_direct: np.ndarray, indirect: np.ndarray) -> pd.DataFrame:
    """One row per company, largest loss first, then shocked first, then by name."""
    E = buf.values if run.buffer is None else run.buffer
    basis = buf.basis if run.basis is None else run.basis
    loss_total = run.loss_total
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where((E > 0) & ~np.isnan(E), loss_total / E, np.nan)
    df = pd.DataFrame({
        "company": net.names,
        "kind": [G.nodes[x].get("kind", "unknown") for x in net.names],
        "shocked": shocked,
        "buffer": np.where(np.isnan(E), np.nan, E),
        "buffer_basis": basis,
        "exposure": net.total_exposure,
        "direct_loss": loss_direct,
        "indirect_loss": indirect,
        "loss": loss_total,
        "loss_share": share,
    })
    for k, v in run.extra.items():
        df[k] = v
    round_hit = run.round_hit
    rh = pd.array(np.where(round_hit >= 0, round_hit, -1).astype(np.int64), dtype="Int64")
    df["round_hit"] = rh
    df.loc[df["round_hit"] < 0, "round_hit"] = pd.NA
    df["fails"] = np.asarray(run.fails).astype(bool)
    df["_n"] = df["company"].astype(str)
    return df.sort_values(["loss", "shocked", "_n"], ascending=[False, False, True],
                          kind="stable").drop(columns="_n").reset_index(drop=True)


def stress_test(
    G: nx.Graph,
    fail: str | Iterable[str],
    *,
    loss: float = 1.0,
    equity_loss: float | None = None,
    model: str = "debtrank",
    buffer: str | Sequence[str] | Mapping[str, float] | None = None,
    missing_buffer: str = "exposure",
    default_loss: float = 1.0,
    external_assets: str | Sequence[str] | Mapping[str, float] | None = None,
    external_liabilities: Mapping[str, float] | None = None,
    weights: Mapping[str, float] | None = None,
    semantics: Any = None,
    statuses: Iterable[str] | str | None = DEFAULT_STATUSES,
    max_rounds: int = 10000,
    weight: str = "amount",
    progress: Callable[[str], None] | None = None,
) -> StressResult:
    """Shock one or more companies and follow the damage through the network.

    Parameters
    ----------
    G : networkx.MultiDiGraph or networkx.DiGraph
        Deal graph from :func:`flowgraph.build_graph`, with the companies table as node
        attributes.
    fail : str or list of str
        The companies that fail (case-insensitive names).
    loss : float
        Share (0-1) of their obligations (promised payments, promised funding, loans) the
        failing companies do not pay. Default 1: they pay nothing.
    equity_loss : float, optional
        Share (0-1) of their equity value lost (hits holders of their shares and warrants);
        default: ``loss``. Not used by ``eisenberg-noe``, which clears payments only.
    model : {"debtrank", "differential-debtrank", "eisenberg-noe", "cascade"}
        Propagation model, see the module documentation.
    buffer : str, list of str or dict, optional
        Loss buffer per company: a companies-table column (default ``equity_usd_bn``; for
        ``eisenberg-noe`` ``cash_usd_bn``, used as external assets), several columns to add
        up, or a dict company -> amount.
    missing_buffer : {"exposure", "exclude"}
        What to assume for a company without a positive buffer. ``exposure`` (default): its
        buffer is its total exposure to the network (it fails only if it loses everything it
        has at stake there). ``exclude``: it absorbs losses without ever failing or passing
        distress on. For ``eisenberg-noe`` both mean it can pay what it owes from its own
        means (external assets = its obligations). The companies concerned are listed in
        ``assumptions``.
    default_loss : float
        ``cascade``: share lost on exposures to a company that fails in the cascade
        (default 1: no recovery).
    external_assets : str, list of str or dict, optional
        ``eisenberg-noe``: external assets (default: the buffer).
    external_liabilities : dict, optional
        ``eisenberg-noe``: what companies owe outside the network (default none).
    weights : dict, optional
        DebtRank economic weights (default: the buffers, so DebtRank is the share of all
        buffers lost).
    semantics, statuses
        Exposure semantics and deal statuses counted, as in
        :func:`flowgraph.exposure.exposures`.
    max_rounds : int
        Round limit for the differential DebtRank.
    weight : str
        Edge attribute with the amount.
    progress : callable, optional
        Called with short progress messages.

    Returns
    -------
    StressResult

    Raises
    ------
    UnknownCompanyError
        A name in ``fail`` is not in the graph.
    ParameterError
        ``loss``, ``equity_loss`` or ``default_loss`` outside [0, 1], or an unknown model.
    MissingDataError
        No company has a usable buffer.

    Examples
    --------
    >>> import networkx as nx
    >>> M = nx.MultiDiGraph()
    >>> M.add_node("Lab", equity_usd_bn=10.0)
    >>> M.add_node("Cloud", equity_usd_bn=40.0)
    >>> _ = M.add_edge("Lab", "Cloud", key="d1", amount=30.0,
    ...                flow_type="compute_contract", status="committed")
    >>> r = stress_test(M, "Lab", loss=0.5)
    >>> float(r.companies.set_index("company").loc["Cloud", "loss"])
    15.0
    """
    if model not in MODELS:
        raise ParameterError(f"unknown model {model!r}; valid: {', '.join(MODELS)}")
    loss, equity_loss, default_loss = _check_losses(loss, equity_loss, default_loss)
    if missing_buffer not in ("exposure", "exclude"):
        raise ParameterError("missing_buffer must be 'exposure' or 'exclude'")
    shocked_names = _shocked_companies(G, fail)
    say = progress or (lambda _m: None)

    say(f"building exposures of {G.number_of_nodes()} companies")
    net = _stress_network(G, semantics=semantics, statuses=statuses, weight=weight)
    buf = _stress_buffers(G, net, buffer if buffer is not None else _DEFAULT_BUFFER[model],
                          model=model, missing_buffer=missing_buffer)
    shocked = np.zeros(net.n, dtype=bool)
    shocked[[net.index[s] for s in shocked_names]] = True
    notes = _input_notes(net, buf, statuses=statuses, model=model,
                         missing_buffer=missing_buffer)

    say(f"running {model}")
    run = _run_model(G, net, buf, shocked, model, loss=loss, equity_loss=equity_loss,
                     default_loss=default_loss, weights=weights, max_rounds=max_rounds,
                     external_assets=external_assets,
                     external_liabilities=external_liabilities)
    notes.extend(run.notes)
    loss_total = np.asarray(run.loss_total, dtype=float)
    loss_direct = np.minimum(np.asarray(run.loss_direct, dtype=float), loss_total)
    indirect = np.maximum(loss_total - loss_direct, 0.0)
    df = _stress_table(G, net, buf, shocked, run, loss_direct, indirect)
    say("done")
    return StressResult(
        model=model, failed=tuple(shocked_names), loss=loss, equity_loss=equity_loss,
        buffer=buf.label, companies=df, total_loss=float(loss_total.sum()),
        direct_loss=float(loss_direct.sum()), indirect_loss=float(indirect.sum()),
        debtrank=float(run.debtrank), n_failed=int(np.asarray(run.fails).sum()),
        rounds=int(run.rounds), n_unknown=net.n_unknown, assumptions="\n".join(notes),
    )


# --------------------------------------------------------------------------- across models
MODEL_ASSUMES: dict[str, str] = {
    "debtrank": "a loss passes on in proportion to the share of each company's buffer "
                "(book equity) it takes; each company passes distress on once",
    "differential-debtrank": "as DebtRank, but every further loss passes on again, round "
                             "after round along loops; the shocked companies themselves are "
                             "not counted as failing",
    "eisenberg-noe": "payments clear: a company pays what it owes from its cash and what it "
                     "is paid, and fails only when it cannot pay in full, so a loss far above "
                     "its cash is no failure when it owes little",
    "cascade": "a company fails when its losses reach its buffer (book equity), and its own "
               "counterparties then lose what it owes them",
}
"""What each model assumes, in one line (as reports state it beside the results)."""


@dataclass(frozen=True)
class StressRange:
    """One shock under every model: the range of answers and how firm each failure is.

    Companies without a usable buffer figure are **not assessed**: they absorb losses but are
    never counted as failing (``missing_buffer="exclude"``). The results with the other
    choice (their whole exposure taken as their buffer) are given beside them, so the effect
    of that assumption is visible.

    Attributes
    ----------
    failed : tuple of str
        The shocked companies.
    loss : float
        Share of their obligations they do not pay (and of their equity value lost).
    models : pandas.DataFrame
        One row per model: ``model, assumes`` (one line), ``total_loss`` (bn USD),
        ``n_failing``, ``failing`` (names, "; "-joined), ``n_not_assessed``, and with the
        exposure assumption for missing buffers ``total_loss_if_assumed``,
        ``n_failing_if_assumed``, ``failing_if_assumed``.
    failures : pandas.DataFrame
        One row per company failing in at least one model (not assessed ones excluded):
        ``company, n_models, models, buffer_column, buffer, buffer_as_of, stale`` (the figure
        is more than a year older than the data), ``rests_on_estimate`` (its loss on the
        shocked companies comes partly from estimated amounts or low-confidence deals),
        ``caveat`` (the words).
    not_assessed : tuple of str
        Companies with exposure to the network but no usable buffer in some model.
    as_of : str or None
        The data's as-of date.
    notes : tuple of str
    not_assessed_models : tuple of int
        For each of ``not_assessed``, in how many of the models it has no usable buffer (a
        model may take another buffer figure than the rest).

    Examples
    --------
    >>> import flowgraph as fg
    >>> r = fg.stress_range(fg.build_graph(fg.load_dataset("toy")), "LabCo")
    >>> list(r.models["model"])
    ['debtrank', 'differential-debtrank', 'eisenberg-noe', 'cascade']
    """

    failed: tuple[str, ...]
    loss: float
    models: pd.DataFrame
    failures: pd.DataFrame
    not_assessed: tuple[str, ...]
    as_of: str | None
    notes: tuple[str, ...]
    not_assessed_models: tuple[int, ...] = ()

    def headline(self) -> str:
        """The finding in one paragraph: the range across models, who fails with its caveat
        in the same sentence, and who is not assessed.

        Examples
        --------
        >>> import flowgraph as fg
        >>> r = fg.stress_range(fg.build_graph(fg.load_dataset("toy")), "LabCo", loss=0.5)
        >>> r.headline().startswith("If LabCo paid 50% of what it owes")
        True
        """
        who = ", ".join(self.failed)
        paid = ("none" if self.loss == 1 else f"{1 - self.loss:.0%}")
        m = self.models
        lo, hi = float(m["total_loss"].min()), float(m["total_loss"].max())
        nlo, nhi = int(m["n_failing"].min()), int(m["n_failing"].max())
        losses = (money(lo) if lo == hi
                  else f"{money(lo)} to {money(hi)}")
        fails = (f"{nlo}" if nlo == nhi else f"{nlo} to {nhi}")
        text = (f"If {who} paid {paid} of what it owes (and its shares lost "
                f"{self.loss:.0%} of their value), the {len(m)} models give {losses} of losses "
                f"to the others and {fails} other "
                f"{'company' if nhi == 1 else 'companies'} failing among those with a buffer "
                "figure")
        if len(self.failures):
            parts = [f"{r.company} (in {r.n_models} of {len(m)} models"
                     + (f"; {r.caveat})" if r.caveat else ")")
                     for r in self.failures.itertuples()]
            text += ": " + ", ".join(parts)
        text += "."
        if self.not_assessed:
            alt_lo = int(m["n_failing_if_assumed"].min())
            alt_hi = int(m["n_failing_if_assumed"].max())
            alt = f"{alt_lo}" if alt_lo == alt_hi else f"{alt_lo} to {alt_hi}"
            counts = self.not_assessed_models or (len(m),) * len(self.not_assessed)
            usual = max(set(counts), key=lambda k: (counts.count(k), k))
            names = [c if k == usual else f"{c} (in {k} of the {len(m)} models)"
                     for c, k in zip(self.not_assessed, counts)]
            where = "" if usual >= len(m) else f" in {usual} of the {len(m)} models"
            text += (f" {schema.count_noun(len(self.not_assessed), 'company', 'companies')} with no usable "
                     f"buffer figure{where} {'is' if len(self.not_assessed) == 1 else 'are'} "
                     f"not assessed{' there' if where else ''} ({', '.join(names)}); taking "
                     f"their whole exposure as their buffer instead gives {alt} failing.")
        return text

    def _repr_html_(self) -> str:
        from ._notebook import frame_html

        return frame_html(self.models.drop(columns=["assumes"]), caption=self.headline())


def stress_range(
    G: nx.Graph,
    fail: str | Iterable[str],
    *,
    loss: float = 1.0,
    statuses: Iterable[str] | str | None = DEFAULT_STATUSES,
    models: Sequence[str] = MODELS,
    weight: str = "amount",
) -> StressRange:
    """Run one shock under every model and state the range, with the caveats of each failure.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Deal graph from :func:`flowgraph.build_graph` with the companies table.
    fail : str or list of str
        The companies that fail.
    loss : float
        Share (0-1) of their obligations they do not pay; their equity loses the same share.
    statuses : list of str, optional
        Deal statuses counted (as in :func:`stress_test`).
    models : list of str
        Models to run (default all four).
    weight : str
        Edge attribute with the amount.

    Returns
    -------
    StressRange

    Examples
    --------
    >>> import flowgraph as fg
    >>> r = stress_range(fg.build_graph(fg.load_dataset("toy")), "LabCo")
    >>> int(r.models["n_failing"].max()) >= 0
    True
    """
    rows, by_company = [], {}
    not_assessed: dict[str, int] = {}
    buffers: dict[str, tuple[str, float]] = {}
    first: StressResult | None = None
    for model in models:
        r = stress_test(G, fail, loss=loss, model=model, missing_buffer="exclude",
                        statuses=statuses, weight=weight)
        alt = stress_test(G, fail, loss=loss, model=model, missing_buffer="exposure",
                          statuses=statuses, weight=weight)
        first = first or r
        c = r.companies
        out = c[c["fails"].astype(bool) & ~c["shocked"].astype(bool)]
        skipped = c[c["buffer_basis"].astype(str).str.contains("never fails")
                    & ~c["shocked"].astype(bool)]
        for name in map(str, skipped["company"]):
            not_assessed[name] = not_assessed.get(name, 0) + 1
        ac = alt.companies
        alt_out = ac[ac["fails"].astype(bool) & ~ac["shocked"].astype(bool)]
        names = sorted(map(str, out["company"]))
        for rec in out.itertuples():
            by_company.setdefault(str(rec.company), []).append(model)
            buffers.setdefault(str(rec.company), (r.buffer, float(rec.buffer)))
        rows.append({
            "model": model, "assumes": MODEL_ASSUMES[model],
            "total_loss": float(r.total_loss), "n_failing": len(names),
            "failing": "; ".join(names), "n_not_assessed": len(skipped),
            "total_loss_if_assumed": float(alt.total_loss),
            "n_failing_if_assumed": len(alt_out),
            "failing_if_assumed": "; ".join(sorted(map(str, alt_out["company"]))),
        })
    assert first is not None
    data_as_of = G.graph.get("as_of")
    failures = _failures_table(G, by_company, buffers, set(first.failed), data_as_of,
                               statuses=statuses, weight=weight)
    notes = (
        "Companies without a usable buffer figure are not assessed (they absorb losses but "
        "are never counted as failing); the *_if_assumed columns take their whole exposure "
        "to the network as their buffer instead.",
        *(f"{m}: {MODEL_ASSUMES[m]}." for m in models),
        first.assumptions.split("\n")[0],
    )
    names = tuple(sorted(not_assessed))
    return StressRange(tuple(first.failed), float(loss), pd.DataFrame(rows), failures,
                       names, data_as_of, notes, tuple(not_assessed[n] for n in names))


def _failures_table(G: nx.Graph, by_company: dict[str, list[str]],
                    buffers: dict[str, tuple[str, float]], shocked: set[str],
                    data_as_of: str | None, *, statuses: Any, weight: str) -> pd.DataFrame:
    """One row per failing company, most models first: its buffer figure with its date, and
    the caveats of its failure in words."""
    ex = exposures(G, statuses=statuses, weight=weight)
    frows = []
    for name, ms in sorted(by_company.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        col, value = buffers[name]
        as_of = G.nodes[name].get(col.replace("_usd_bn", "_as_of")) if name in G else None
        as_of = None if as_of is None or (isinstance(as_of, float) and math.isnan(as_of)) \
            else str(as_of)
        stale = is_stale(as_of, data_as_of)
        mine = ex[(ex["exposed"] == name) & ex["counterparty"].isin(shocked)
                  & ex["amount_known"]]
        est = mine[(mine["estimate"].map(lambda v: v is True or str(v).lower() == "true"))
                   | (mine["confidence"].astype(str) == "low")]
        caveats = []
        label = col.removesuffix("_usd_bn").replace("_", " ")
        label = "book equity" if label == "equity" else label
        if as_of is None:
            caveats.append(f"its {label} of {money(value)} has no date")
        else:
            caveats.append(f"its {label} of {money(value)} is dated {as_of}"
                           + (f", more than a year before the data's {data_as_of}" if stale
                              else ""))
        if len(est):
            caveats.append(f"{money(float(est['amount'].sum()))} of its loss "
                           "rests on estimated or low-confidence amounts")
        frows.append({"company": name, "n_models": len(ms), "models": "; ".join(ms),
                      "buffer_column": col, "buffer": value, "buffer_as_of": as_of,
                      "stale": stale, "rests_on_estimate": bool(len(est)),
                      "caveat": "; ".join(caveats)})
    return pd.DataFrame(frows, columns=["company", "n_models", "models", "buffer_column",
                                        "buffer", "buffer_as_of", "stale",
                                        "rests_on_estimate", "caveat"])
