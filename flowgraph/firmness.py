"""How firm the money is: promises against cash, conditional and press-only money, estimates.

A deal's amount may be paid already, signed but not yet paid, only announced, or conditional
("up to", milestones, options, letters of intent). It may rest on the parties' own word (a
filing or the company's release) or only on press reports. :func:`money_firmness` splits the
known money of a deal graph that way; :func:`estimates_note` says in one sentence whether
estimated amounts and range midpoints are among the figures. The checks of the sourcing
columns used when a table is read live here too, next to the rules they check.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import schema
from .timeframe import is_stale
from .errors import ParameterError, Problem

__all__ = ["MoneyFirmness", "amount_basis", "estimates_note", "firmness_split", "money_firmness",
           "uncounted_money"]

PRESS_RULE = ("high needs a filing, the company's own release, or two independent "
              "wire_or_major reports (the second in other_sources)")
"""The confidence rule, in the words of the validation messages."""


# --------------------------------------------------------------------------- the money split
def _deal_table(G: Any) -> pd.DataFrame:
    from .graph import is_graph

    if isinstance(G, pd.DataFrame):
        return G
    if is_graph(G) and G.is_multigraph():
        from .summary import deals_frame

        return deals_frame(G)
    raise ParameterError("needs the deal graph from build_graph (a MultiDiGraph) or the deals "
                         f"table from filter_deals, got {type(G).__name__}")


def _floats(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df.columns:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)


def _flags(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df.columns:
        return np.zeros(len(df), dtype=bool)
    # parse_bool once per distinct value (values that compare equal, like 1 and True,
    # parse alike)
    codes, uniques = pd.factorize(df[col], use_na_sentinel=True)
    table = np.array([schema.parse_bool(u) is True for u in uniques] + [False], dtype=bool)
    return table[codes]


def _midpoints(df: pd.DataFrame) -> np.ndarray:
    """Rows whose amount in the graph is the midpoint of a range (no point amount reported)."""
    if "midpoint" in df.columns:
        from ._checks import is_true

        return is_true(df["midpoint"])
    a, lo, hi = (_floats(df, c) for c in schema.DEAL_COLUMNS[3:6])
    return np.isnan(a) & ~np.isnan(lo) & ~np.isnan(hi)


@dataclass(frozen=True)
class MoneyFirmness:
    """Known money of a deal graph split into cash and promises, and how much of it is
    conditional or rests on press reports alone (billions of USD, the graph's scenario).

    ``paid + committed_unpaid + announced_only + conditional == total``: paid money first (a
    ``disbursed`` row counts in full unless ``paid_usd_bn`` says less; other rows count their
    ``paid_usd_bn``), then the unpaid rest of a conditional row is *conditional*, of a
    committed or disbursed row *committed, unpaid*, of an announced or rumored row *only
    announced*. As of a date (:mod:`flowgraph.timeframe`), a row disbursed by then whose
    paid figure is dated later counts that figure as paid, and one whose amount is the total
    of a period ending later counts that total: upper bounds. ``paid_bound`` says how much of
    ``paid`` is such a bound, and :meth:`sentence` and ``notes`` say so.

    Attributes
    ----------
    total, paid, committed_unpaid, announced_only, conditional : float
    conditional_or_press_only : float
        Money on rows that are conditional or whose ``source_kind`` is not ``filing`` or
        ``company`` (a blank ``source_kind`` counts as press-only: it is not known to be
        firmer).
    share_conditional_or_press_only : float
        ``conditional_or_press_only / total`` (NaN when the total is 0).
    n_deals, n_known : int
        Deals, and deals with a known amount (only these are summed).
    n_source_kind_missing : int
        Deals with a known amount and no ``source_kind``.
    n_conditional_missing : int
        Deals with a known amount that do not say whether they are ``conditional`` (counted
        as not conditional).
    n_estimates, n_midpoints : int
        Deals whose amount is an estimate, or the midpoint of a reported range.
    estimated : float
        Money on those deals.
    scenario : str
    notes : tuple of str
    paid_bound : float
        As of a date, the part of ``paid`` that rests on figures known only later (a paid
        figure dated after it or undated, or the total of a period ending after it), counted
        as upper bounds of what was paid by then (0 otherwise;
        :func:`flowgraph.timeframe.paid_bounds`).
    n_paid_bound : int
        Deals counted so.
    as_of_limit : datetime.date or None
        The as-of date of the graph (None for the latest view).

    Examples
    --------
    >>> import flowgraph as fg
    >>> m = fg.money_firmness(fg.build_graph(fg.load_dataset("toy")))
    >>> round(m.paid + m.committed_unpaid + m.announced_only + m.conditional, 6) == m.total
    True
    """

    total: float
    paid: float
    committed_unpaid: float
    announced_only: float
    conditional: float
    conditional_or_press_only: float
    share_conditional_or_press_only: float
    n_deals: int
    n_known: int
    n_source_kind_missing: int
    n_conditional_missing: int
    n_estimates: int
    n_midpoints: int
    estimated: float
    scenario: str = "base"
    notes: tuple[str, ...] = field(default=())
    paid_bound: float = 0.0
    n_paid_bound: int = 0
    as_of_limit: Any = None

    def headline(self) -> pd.DataFrame:
        """The split as a two-column table (``figure``, ``value``)."""
        rows = [
            ("paid (USD bn)", round(self.paid, 3)),
            ("committed, not yet paid (USD bn)", round(self.committed_unpaid, 3)),
            ("only announced or rumored (USD bn)", round(self.announced_only, 3)),
            ("conditional: up to, milestones, LOIs (USD bn)",
             round(self.conditional, 3) if self.conditional_recorded else None),
            ("conditional or press-only share", self.share_conditional_or_press_only),
        ]
        return pd.DataFrame(rows, columns=["figure", "value"])

    def sentence(self, fmt: Any = None) -> str:
        """One sentence for people: cash against promises, and the soft share.

        ``fmt`` formats an amount (default ``$12.3bn`` as in the report).
        """
        if fmt is None:
            from .formatting import money as fmt
        share = ""
        if not math.isnan(self.share_conditional_or_press_only):
            share = (f"; {self.share_conditional_or_press_only:.0%} of it is conditional or "
                     "rests on press reports alone")
            if self.n_source_kind_missing:
                n = self.n_source_kind_missing
                share += (f" ({schema.count_noun(n, 'deal')} without a recorded source kind "
                          f"{'counts' if n == 1 else 'count'} as press-only)")
        head = (f"Of {fmt(self.total)} of known money, {fmt(self.paid)} is paid"
                f"{self._bound_clause(fmt)}, {fmt(self.committed_unpaid)} committed but not "
                "yet paid")
        if not self.conditional_recorded:
            return (f"{head} and {fmt(self.announced_only)} only announced or rumored (no deal "
                    f"records whether it is conditional){share}.")
        cond = f"{fmt(self.conditional)} conditional"
        if self.n_conditional_missing:
            cond += (f" ({schema.count_noun(self.n_conditional_missing, 'deal')} not saying "
                     "whether conditional)")
        return f"{head}, {fmt(self.announced_only)} only announced or rumored and {cond}{share}."

    def _bound_clause(self, fmt: Any) -> str:
        """`` (at most: $X of it is ... an upper bound ...)`` when part of the paid money is a
        paid figure dated after the as-of date, else ``""``."""
        if not self.n_paid_bound:
            return ""
        words = _bound_words(self.paid_bound, self.n_paid_bound, self.as_of_limit, fmt)
        return f" (at most: {words})"

    @property
    def conditional_recorded(self) -> bool:
        """Whether any summed deal says whether it is conditional."""
        return not (self.n_known and self.n_conditional_missing == self.n_known)


def _split(df: pd.DataFrame, amt: np.ndarray, known: np.ndarray, status: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per deal: paid, committed-unpaid, only announced and conditional money (the rule of
    :class:`MoneyFirmness`), and the conditional flags."""
    paid_raw = _floats(df, "paid_usd_bn")
    disbursed = status == "disbursed"
    paid = np.where(~np.isnan(paid_raw), np.minimum(np.nan_to_num(paid_raw), amt),
                    np.where(disbursed, amt, 0.0))
    paid = np.where(known, paid, 0.0)
    rest = amt - paid
    cond = _flags(df, "conditional")
    firm_status = np.isin(status, ["committed", "disbursed"])
    conditional = np.where(cond, rest, 0.0)
    committed_unpaid = np.where(~cond & firm_status, rest, 0.0)
    announced_only = np.where(~cond & ~firm_status, rest, 0.0)
    return paid, committed_unpaid, announced_only, conditional, cond


def _per_value(series: pd.Series, f: Any, blank: Any) -> np.ndarray:
    """``f`` of each cell, computed once per distinct value of a text column (``blank`` for a
    missing cell); cell by cell when the column holds other values (``1`` and ``True`` are
    one value for pandas but not for ``f``)."""
    from ._checks import text_factors

    fac = text_factors(series)
    if fac is None:
        return np.array([blank if v is None or (isinstance(v, float) and v != v) else f(v)
                         for v in series.to_numpy(dtype=object)], dtype=object)
    codes, uniques = fac
    per = np.array([f(u) for u in uniques] + [blank], dtype=object)
    return per[codes]


def _estimated(df: pd.DataFrame, amt: np.ndarray, known: np.ndarray) -> tuple[int, int, float]:
    """How many known amounts are estimates, how many are range midpoints (not themselves
    estimates), and the money the two hold."""
    est = _flags(df, "estimate")
    mid = _midpoints(df) & known & ~est
    return (int((est & known).sum()), int(mid.sum()),
            float(np.where((est | mid) & known, amt, 0.0).sum()))


def _known_amounts(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per deal: the amount (0 when unknown) and whether it is known."""
    a = _floats(df, "amount")
    known = ~np.isnan(a)
    return np.where(known, a, 0.0), known


def _money(df: pd.DataFrame) -> tuple[np.ndarray, ...]:
    """Per deal: the amount (0 when unknown), whether it is known, and :func:`_split`."""
    amt, known = _known_amounts(df)
    status = (_per_value(df["status"], lambda v: v if isinstance(v, str) else "", "")
              if "status" in df.columns
              else np.full(len(df), "", dtype=object))
    return (amt, known, *_split(df, amt, known, status))


def firmness_split(G: Any) -> pd.DataFrame:
    """Per deal, the split that :func:`money_firmness` sums: ``deal_id, paid,
    committed_unpaid, announced_only, conditional`` (0 where the amount is unknown), in the
    order of the deal table.

    Examples
    --------
    >>> import flowgraph as fg
    >>> G = fg.build_graph(fg.load_dataset("toy"))
    >>> t = firmness_split(G)
    >>> round(float(t["paid"].sum()), 6) == round(fg.money_firmness(G).paid, 6)
    True
    """
    df = _deal_table(G)
    n = len(df)
    _, _, paid, committed_unpaid, announced_only, conditional, _ = _money(df)
    ids = df["deal_id"].to_numpy() if "deal_id" in df.columns else np.arange(n)
    return pd.DataFrame({"deal_id": ids, "paid": paid, "committed_unpaid": committed_unpaid,
                         "announced_only": announced_only, "conditional": conditional})


def money_firmness(G: Any) -> MoneyFirmness:
    """Split the known money of a deal graph into paid, committed-unpaid, only announced and
    conditional, and measure the conditional-or-press-only share.

    Parameters
    ----------
    G : networkx.MultiDiGraph or pandas.DataFrame
        The deal graph from :func:`flowgraph.build_graph`, or the table from
        :func:`flowgraph.filter_deals`.

    Returns
    -------
    MoneyFirmness

    Examples
    --------
    >>> import flowgraph as fg
    >>> m = fg.money_firmness(fg.build_graph(fg.load_dataset("toy")))
    >>> float(m.total)
    86.0
    """
    df = _deal_table(G)
    scenario = (G.graph.get("scenario") if hasattr(G, "graph") else
                getattr(df, "attrs", {}).get("scenario")) or "base"
    n = len(df)
    amt, known, paid, committed_unpaid, announced_only, conditional, cond = _money(df)
    cond_missing = (_per_value(df["conditional"], lambda v: schema.parse_bool(v) is None,
                               True).astype(bool)
                    if "conditional" in df.columns else np.ones(n, dtype=bool))
    kind_text = (_per_value(df["source_kind"], lambda v: v.strip() if isinstance(v, str)
                            else "", "") if "source_kind" in df.columns
                 else np.full(n, "", dtype=object))
    firm_source = np.isin(kind_text, sorted(schema.FIRM_SOURCE_KINDS))
    soft = np.where(cond | ~firm_source, amt, 0.0)
    n_estimates, n_midpoints, estimated = _estimated(df, amt, known)
    total = float(amt.sum())
    n_missing = int((known & (kind_text == "")).sum())
    from .timeframe import view_limit

    limit = view_limit(G if hasattr(G, "graph") else df)
    bound = _paid_bounds(df, limit) & known
    paid_bound = float(paid[bound].sum())
    notes = []
    if bound.any():
        k = int(bound.sum())
        notes.append(f"Paid money as of {limit.isoformat()} is at most "
                     f"{_money_text(float(paid.sum()))}: "
                     f"{_bound_words(paid_bound, k, limit, _money_text)}.")
    if n_missing:
        notes.append(f"{schema.count_noun(n_missing, 'deal')} with a known amount "
                     f"{'has' if n_missing == 1 else 'have'} no source_kind and "
                     f"{'counts' if n_missing == 1 else 'count'} as press-only.")
    return MoneyFirmness(
        total=total,
        paid=float(paid.sum()),
        committed_unpaid=float(committed_unpaid.sum()),
        announced_only=float(announced_only.sum()),
        conditional=float(conditional.sum()),
        conditional_or_press_only=float(soft.sum()),
        share_conditional_or_press_only=float(soft.sum()) / total if total else math.nan,
        n_deals=n,
        n_known=int(known.sum()),
        n_source_kind_missing=n_missing,
        n_conditional_missing=int((known & cond_missing).sum()),
        n_estimates=n_estimates,
        n_midpoints=n_midpoints,
        estimated=estimated,
        scenario=str(scenario),
        notes=tuple(notes),
        paid_bound=paid_bound,
        n_paid_bound=int(bound.sum()),
        as_of_limit=limit,
    )


def _bound_words(amount: float, k: int, limit: Any, fmt: Any) -> str:
    """``$X of it rests on figures of 1 disbursed deal known only after ...``: the one wording
    of paid money counted as an upper bound (:meth:`MoneyFirmness.sentence` and its note)."""
    when = limit.isoformat() if limit is not None else "the date"
    return (f"{fmt(amount)} of it rests on figures of {schema.count_noun(k, 'disbursed deal')} "
            f"known only after {when} (a later or undated paid figure, or the total of a "
            "period ending later), counted as an upper bound of what was paid by then")


def _money_text(x: float) -> str:
    from .formatting import money

    return money(x)


def _paid_bounds(df: pd.DataFrame, limit: Any) -> np.ndarray:
    """As of ``limit``, the rows whose paid money is an upper bound from a figure known only
    later (:func:`flowgraph.timeframe.paid_bounds`, the as-of rule's own test, on the table
    built as of the date: its statuses and paid amounts are those then)."""
    from .timeframe import paid_bounds

    if limit is None or "status" not in df.columns:
        return np.zeros(len(df), dtype=bool)
    return paid_bounds(df, limit)


def estimated_money(G: Any, company: Any, *, direction: str = "in") -> tuple[float, float]:
    """How much of a company's known money rests on estimates or range midpoints.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The deal graph from :func:`flowgraph.build_graph`.
    company : str
        A company in ``G``.
    direction : {"in", "out", "both"}
        The deals it receives, pays, or both.

    Returns
    -------
    (estimated, known) : tuple of float
        The estimated part (as :func:`estimates_note` counts it) and all known money of those
        deals, in the graph's scenario.

    Examples
    --------
    >>> import flowgraph as fg
    >>> est, known = estimated_money(fg.build_graph(fg.load_dataset("ai-capital")), "AMD")
    >>> est > 0 and est <= known
    True
    """
    if direction not in ("in", "out", "both"):
        raise ValueError(f"direction must be 'in', 'out' or 'both', got {direction!r}")
    keys = list(G.in_edges(company, keys=True)) if direction in ("in", "both") else []
    if direction in ("out", "both"):
        seen = set(keys)  # a self-loop is both an in- and an out-edge
        keys += [e for e in G.out_edges(company, keys=True) if e not in seen]
    if not keys:
        return 0.0, 0.0
    m = money_firmness(G.edge_subgraph(keys))
    return m.estimated, m.total


def uncounted_money(G: Any, company: Any, *, direction: str = "in") -> tuple[int, float]:
    """The deals of a company whose amount is unknown in the graph's scenario, left out of
    every sum of its known money, and the least they hold.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The deal graph from :func:`flowgraph.build_graph`.
    company : str
        A company in ``G``.
    direction : {"in", "out"}
        The deals it receives, or pays.

    Returns
    -------
    (count, floor) : tuple of (int, float)
        How many deals have no amount in the scenario, and the sum of the reported floors
        ("more than $X") among them (0 when none has one): a lower bound of the money they
        hold, never an estimate of it.

    Examples
    --------
    >>> import flowgraph as fg
    >>> n, floor = uncounted_money(fg.build_graph(fg.load_dataset("ai-capital")), "AMD")
    >>> n >= 1 and floor >= 100   # Meta's "more than $100 billion" of AMD chips
    True
    """
    if direction not in ("in", "out"):
        raise ValueError(f"direction must be 'in' or 'out', got {direction!r}")
    if company not in G:
        return 0, 0.0
    edges = G.in_edges(company, data=True) if direction == "in" else G.out_edges(company,
                                                                                  data=True)
    count, floor = 0, 0.0
    for _, _, d in edges:
        amount = d.get("amount", math.nan)
        if amount is None or (isinstance(amount, float) and math.isnan(amount)):
            count += 1
            low = d.get("amount_low", math.nan)
            if low is not None and not (isinstance(low, float) and math.isnan(low)):
                floor += float(low)
    return count, floor


def uncounted_clause(G: Any, company: Any, *, direction: str = "in",
                     fmt: Any = None) -> str:
    """``"; 4 more deals it receives have no known amount and are not counted (at least
    $100bn among them)"``: what a sentence about a company's known money leaves out, said in
    that sentence (:func:`uncounted_money`); ``""`` when nothing is left out. ``fmt``: the
    money format (:func:`flowgraph.formatting.money` unless given)."""
    if fmt is None:
        from .formatting import money as fmt
    count, floor = uncounted_money(G, company, direction=direction)
    if not count:
        return ""
    verb = "it receives" if direction == "in" else "it pays"
    text = (f"; {schema.count_noun(count, 'more deal')} {verb} "
            f"{'has' if count == 1 else 'have'} no known amount and "
            f"{'is' if count == 1 else 'are'} not counted")
    if floor > 0:
        text += f" (at least {fmt(floor)} {'in it' if count == 1 else 'among them'})"
    return text


def amount_basis(deals: pd.DataFrame) -> pd.Series:
    """Per deal, what its amount is when it is not a firm reported figure: ``estimate``,
    ``midpoint`` (of a reported range), ``conditional``, joined by ``, ``; blank otherwise.

    Parameters
    ----------
    deals : pandas.DataFrame
        Deals as in :func:`flowgraph.deals_frame` or :func:`flowgraph.filter_deals`.

    Examples
    --------
    >>> import flowgraph as fg
    >>> t = fg.filter_deals(fg.load_dataset("toy"))
    >>> dict(zip(t["deal_id"], amount_basis(t)))["T-CHIP-LEASE-BACKSTOP"]
    'midpoint'
    """
    est, mid, cond = _basis_flags(deals)
    words = [", ".join(w for w, on in (("estimate", e), ("midpoint", m), ("conditional", c)) if on)
             for e, m, c in zip(est, mid, cond)]
    return pd.Series(words, index=deals.index, dtype=object)


def _basis_flags(deals: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per deal: an estimate, a range midpoint (not also an estimate, with an amount),
    conditional. The flags of :func:`amount_basis` and :func:`basis_masks`."""
    est, mid, cond = _flags(deals, "estimate"), _midpoints(deals), _flags(deals, "conditional")
    mid &= ~est & ~np.isnan(_floats(deals, "amount"))
    return est, mid, cond


def basis_masks(deals: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per deal, whether its amount is estimated (an estimate or the midpoint of a reported
    range) and whether it is conditional: the rule of :func:`amount_basis` as two masks, for
    the "of which estimated / conditional" parts of a sum.

    Examples
    --------
    >>> import flowgraph as fg
    >>> t = fg.filter_deals(fg.load_dataset("toy"))
    >>> est, cond = basis_masks(t)
    >>> bool(est[list(t["deal_id"]).index("T-CHIP-LEASE-BACKSTOP")])
    True
    """
    est, mid, cond = _basis_flags(deals)
    return est | mid, cond


def estimates_note(G: Any) -> str:
    """One sentence saying whether estimates and range midpoints are among the amounts.

    Parameters
    ----------
    G : networkx.MultiDiGraph or pandas.DataFrame
        The deal graph from :func:`flowgraph.build_graph` or the table from
        :func:`flowgraph.filter_deals`.

    Returns
    -------
    str
        ``"Reported figures only: ..."`` when the graph was built with ``reported_only=True``,
        else which estimates are in (empty when there are none).

    Examples
    --------
    >>> import flowgraph as fg
    >>> estimates_note(fg.build_graph(fg.load_dataset("toy"), reported_only=True))
    'Reported figures only: estimated amounts and range midpoints are left out.'
    """
    filters = (G.graph.get("filters") if hasattr(G, "graph") else
               getattr(G, "attrs", {}).get("filters")) or {}
    if filters.get("reported_only"):
        return "Reported figures only: estimated amounts and range midpoints are left out."
    from .graph import is_graph

    if is_graph(G) and not G.is_multigraph():  # collapsed: one edge per pair
        n = sum(1 for *_, d in G.edges(data=True) if d.get("has_estimate") or d.get("estimate"))
        if not n:
            return ""
        return (f"Estimates are in: {schema.count_noun(n, 'payer-payee pair')} "
                f"{'carries' if n == 1 else 'carry'} estimated amounts or range midpoints; "
                "the reported-only view (--reported-only, reported_only=True) leaves them out.")
    df = _deal_table(G)
    amt, known = _known_amounts(df)
    n_estimates, n_midpoints, estimated = _estimated(df, amt, known)  # as money_firmness does
    parts = []
    if n_estimates:
        parts.append(schema.count_noun(n_estimates, "estimated amount"))
    if n_midpoints:
        parts.append(schema.count_noun(n_midpoints, "range midpoint"))
    if not parts:
        return ""
    from .formatting import money

    total = float(amt.sum())
    share = f" ({estimated / total:.0%} of the known money)" if total else ""
    return (f"Estimates are in: {' and '.join(parts)}, {money(estimated)}{share}; "
            "the reported-only view (--reported-only, reported_only=True) leaves them out.")


# --------------------------------------------------------------------------- validation
def _cells(df: pd.DataFrame, col: str, factors: Any = None) -> Any:
    """A column as :class:`~flowgraph._checks.Cells` of its cells as stripped text (blanks as
    None), computed once per unique value of a text column (``factors(col)``, when given,
    returns the column's :func:`~flowgraph._checks.text_factors`, cached by the caller)."""
    from ._checks import Cells, blank_codes, take_or, text_factors

    n = len(df)
    if col not in df.columns:
        return Cells(blank_codes(n), np.array([], dtype=object))
    fac = factors(col) if factors is not None else text_factors(df[col])
    if fac is None:
        fac = _number_factors(df[col])
    if fac is not None and not len(fac[1]):  # all blank
        return Cells(fac[0], fac[1])
    arr = df[col].to_numpy(dtype=object) if fac is None else fac[1]
    out = np.full(len(arr), None, dtype=object)
    present = np.flatnonzero(~pd.isna(arr))
    if len(present):  # each cell (or unique value) as stripped text, blanks as None
        cells = pd.Series(arr[present], dtype=object).map(str, na_action="ignore")
        cells = cells.str.strip().to_numpy(dtype=object)
        cells[cells == ""] = None
        out[present] = cells
    if fac is None:
        c = Cells.of(out)
        c._values = out
        return c
    codes = fac[0]
    ccodes, cuniques = pd.factorize(out, use_na_sentinel=True)
    ccodes = np.asarray(ccodes, dtype=np.intp)
    return Cells(take_or(ccodes, codes, -1, np.intp), np.asarray(cuniques, dtype=object))


def _number_factors(series: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """``(codes, uniques)`` of a column of numbers or yes/no flags (a Parquet file's typed
    columns), so that :func:`_cells` writes each distinct value once; None for any other
    column, or when a zero is negative (it equals 0 but is written "-0.0")."""
    dtype = series.dtype
    if not (pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype)):
        return None
    if pd.api.types.is_float_dtype(dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        if np.signbit(values[values == 0]).any():
            return None
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.intp), np.asarray(uniques, dtype=object)


def _text(df: pd.DataFrame, col: str) -> list[Any]:
    return _cells(df, col).values.tolist()


def _number(v: Any) -> float | None:
    """The cell as a float; None when blank; NaN when not a number."""
    if v is None:
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return math.nan
    return x


def _numbers(c: Any) -> tuple[np.ndarray, np.ndarray]:
    """The blank mask and the numbers (:func:`_number`, NaN when blank) of some cells."""
    per = np.array([_number(u) for u in c.uniques], dtype=float)
    return c.isna(), c.spread(per, np.nan)


def _positive_cells(df: pd.DataFrame, col: str, add: Any, *, example: str, name: str) -> Any:
    """The positive numbers of an optional numeric column, as ``(row, value)``; a cell that is
    not a number, or not positive, is reported through ``add`` (blank cells are skipped)."""
    c = _cells(df, col)
    blank, x = _numbers(c)
    for i in np.flatnonzero(~blank):
        i = int(i)
        if math.isnan(x[i]):
            add("error", f"not a number ({example})", i, col, c.values[i])
        elif x[i] <= 0:
            add("error", f"{name} must be positive", i, col, c.values[i])
        else:
            yield i, float(x[i])


def _unknown(c: Any, allowed: Any) -> np.ndarray:
    return np.flatnonzero(~c.isna() & ~c.isin(allowed))


def _paid_problems(df: pd.DataFrame, text: Any, add: Any) -> None:
    """The paid amount: a number, not negative, at most the deal's high end, with its date and
    source (each failing row's problems in the order of the rule)."""
    paid, as_of, src = text("paid_usd_bn"), text("paid_as_of"), text("paid_source")
    blank, x = _numbers(paid)
    _, amount = _numbers(text("amount_usd_bn"))
    _, high = _numbers(text("amount_high_usd_bn"))
    cap = np.where(~np.isnan(high), high, amount)
    with np.errstate(invalid="ignore"):
        nan, neg = ~blank & np.isnan(x), ~blank & (x < 0)
        ok = ~blank & ~nan & ~neg
        over = ok & ~np.isnan(cap) & (x > cap + 1e-9)
    no_date, no_src = ok & as_of.isna(), ok & src.isna()
    date_alone = blank & ~as_of.isna()
    for i in np.flatnonzero(date_alone | nan | neg | over | no_date | no_src):
        i = int(i)
        v = paid.values[i]
        if date_alone[i]:
            add("warning", "paid_as_of without paid_usd_bn", i, "paid_as_of", as_of.values[i])
        elif nan[i]:
            add("error", "not a number (amounts are billions of USD, e.g. 2.5)", i,
                "paid_usd_bn", v)
        elif neg[i]:
            add("error", "negative amount", i, "paid_usd_bn", v)
        else:
            if over[i]:
                add("error", f"paid is more than the deal's amount (high end {cap[i]:g})", i,
                    "paid_usd_bn", v)
            if no_date[i]:
                add("warning", "paid amount without paid_as_of (the date it was paid by)", i,
                    "paid_as_of")
            if no_src[i]:
                add("warning", "paid amount without paid_source (the page saying so)", i,
                    "paid_source")


def _confidence_problems(kinds: Any, others: Any, text: Any, add: Any) -> None:
    """The confidence rule on ``high`` rows (each failing row's problems in rule order)."""
    high = text("confidence").isin(["high"])
    if not high.any():
        return
    kind = kinds.values
    no_other = others.isna()
    est = text("estimate").where(lambda v: schema.parse_bool(v) is True)
    rumored = text("status").isin(["rumored"])
    secondary = kinds.isin(["secondary"])
    one_secondary = high & secondary & no_other
    press = high & ~one_secondary & (kinds.isin(["secondary", "trade_press"])
                                     | (kinds.isin(["wire_or_major"]) & no_other))
    for i in np.flatnonzero(one_secondary | press | (high & (est | rumored))):
        i = int(i)
        if one_secondary[i]:
            add("error", f"a high-confidence row cannot rest on one secondary source; "
                f"{PRESS_RULE}", i, "confidence", "high")
        elif press[i]:
            add("warning", f"high confidence on {kind[i].replace('_', ' ')} sources: "
                f"{PRESS_RULE}", i, "confidence", "high")
        if est[i]:
            add("warning", "an estimate rated high (estimates are low confidence)", i,
                "confidence", "high")
        if rumored[i]:
            add("warning", "a rumored (unconfirmed) deal rated high", i, "confidence", "high")


def deal_problems(df: pd.DataFrame, source: str, *, factors: Any = None) -> list[Problem]:
    """Problems in the sourcing columns of a raw deals table (see :func:`validate_deals`).

    Errors: unknown ``source_kind`` or ``bis_category``; ``conditional`` not true/false;
    ``paid_usd_bn`` or ``gw`` not a number, negative (``gw`` not positive), or paid above the
    deal's high end; a malformed ``status_dates`` (not ``status@date`` in time order ending in
    the row's ``status``); a ``high`` row on one ``secondary`` source. Warnings: other breaks of
    the confidence rule, a paid amount without its date or source, a source that is not a URL,
    an overlap group of one row.

    Each check is computed per unique value of a column, or with masks over whole columns;
    only the failing rows are formatted. ``factors(col)``, when given, returns a column's
    :func:`~flowgraph._checks.text_factors` (the validator's cache).
    """
    from .io import _URL_RE

    problems: list[Problem] = []
    n = len(df)
    if n == 0:
        return problems

    def add(sev: str, msg: str, i: int, col: str, val: Any = None) -> None:
        problems.append(Problem(sev, msg, source, i + 1, col,
                                None if val is None else str(val)))

    cache: dict[str, Any] = {}

    def text(col: str) -> Any:
        if col not in cache:
            cache[col] = _cells(df, col, factors)
        return cache[col]

    cols = set(df.columns)
    kinds = text("source_kind")
    for col, allowed in (("source_kind", schema.SOURCE_KINDS),
                         ("bis_category", schema.BIS_CATEGORIES)):
        if col in cols:
            c = text(col)
            for i in _unknown(c, allowed):
                add("error", f"unknown {col}; valid: {', '.join(allowed)}", int(i), col,
                    c.values[i])
    if "conditional" in cols:
        c = text("conditional")
        for i in np.flatnonzero(~c.isna() & c.where(lambda v: schema.parse_bool(v) is None)):
            add("error", "conditional must be true or false", int(i), "conditional",
                c.values[i])
    others = text("other_sources")
    for col in ("other_sources", "paid_source"):
        if col not in cols:
            continue
        c = text(col)
        bad = [[url for url in u.split() if not _URL_RE.match(url)] for u in c.uniques]
        has_bad = c.spread(np.array([bool(b) for b in bad], dtype=bool), False)
        for i in np.flatnonzero(has_bad):
            for url in bad[c.codes[i]]:
                add("warning", "source is not a URL", int(i), col, url)
    if "paid_usd_bn" in cols:
        _paid_problems(df, text, add)
    if "gw" in cols:
        list(_positive_cells(df, "gw", add, example="gigawatts, e.g. 4.5", name="gw"))
    if "status_dates" in cols:
        statuses, histories = text("status").values, text("status_dates")
        seen: dict[tuple[Any, Any], str | None] = {}
        for i in np.flatnonzero(~histories.isna()):
            i = int(i)
            v = histories.values[i]
            st = statuses[i] if statuses[i] in schema.STATUSES else None
            if (v, st) not in seen:
                try:
                    schema.parse_status_dates(v, st)
                    seen[(v, st)] = None
                except ValueError as exc:
                    seen[(v, st)] = f"status_dates: {exc}"
            if seen[(v, st)] is not None:
                add("error", seen[(v, st)], i, "status_dates", v)
    if "confidence" in cols:
        _confidence_problems(kinds, others, text, add)
    if "overlap_group" in cols:
        groups = text("overlap_group")
        counts = np.bincount(groups.codes[groups.codes >= 0], minlength=len(groups.uniques))
        for i in np.flatnonzero(groups.spread(counts == 1, False)):
            add("warning", "overlap_group with only this row (a group names rows that may "
                "count the same money twice)", int(i), "overlap_group", groups.values[i])
    return problems


_FIGURES = ("revenue", "market_value", "cash", "debt", "equity")


def company_problems(df: pd.DataFrame, source: str, as_of: Any = None) -> list[Problem]:
    """Problems in the dates, sources and useful lives of a raw companies table.

    Errors: ``useful_life_years`` not a number or not positive. Warnings: a figure without a
    source; a figure more than 12 months older than ``as_of`` (the dataset's date); book
    equity older than the same company's cash or debt.
    """
    problems: list[Problem] = []
    if len(df) == 0:
        return problems
    cols = set(df.columns)

    def add(sev: str, msg: str, i: int, col: str, val: Any = None) -> None:
        problems.append(Problem(sev, msg, source, i + 1, col,
                                None if val is None else str(val)))

    if "useful_life_years" in cols:
        src = _text(df, "useful_life_source")
        for i, _x in _positive_cells(df, "useful_life_years", add, example="years, e.g. 6",
                                     name="useful life"):
            if src[i] is None:
                add("warning", "figure without a source", i, "useful_life_source")
    def bounds(v: Any) -> tuple[Any, Any]:
        try:
            return schema.date_bounds(v)
        except ValueError:
            return (None, None)

    dates: dict[str, list[tuple[Any, Any]]] = {}
    for fig in _FIGURES:
        vcol, dcol, scol = f"{fig}_usd_bn", f"{fig}_as_of", f"{fig}_source"
        if vcol not in cols:
            continue
        vals = _text(df, vcol)
        ds = _text(df, dcol)
        srcs = _text(df, scol)
        dates[fig] = []
        for i, v in enumerate(vals):
            b = bounds(ds[i]) if v is not None else (None, None)
            dates[fig].append(b)
            if v is None:
                continue
            if scol in cols and srcs[i] is None:
                add("warning", "figure without a source", i, scol)
            if as_of is not None and is_stale(ds[i], as_of):
                add("warning", f"figure more than 12 months older than the dataset's as-of "
                    f"date {as_of}", i, dcol, ds[i])
    if "equity" in dates:
        eq_dates = _text(df, "equity_as_of")
        for i, (_lo, e_hi) in enumerate(dates["equity"]):
            if e_hi is None:
                continue
            newer = [fig for fig in ("cash", "debt") if fig in dates
                     and dates[fig][i][0] is not None and dates[fig][i][0] > e_hi]
            if newer:
                add("warning", f"book equity is older than the {' and '.join(newer)} figure"
                    f"{'s' if len(newer) > 1 else ''} (buffers would mix dates)", i,
                    "equity_as_of", eq_dates[i])
    return problems
