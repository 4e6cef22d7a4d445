"""The rules of :func:`flowgraph.io.validate_deals`, as a table of small named functions.

Each rule reads whole columns of a raw deals table through :class:`_Table` (text cleaned once
per unique value, numbers and dates parsed once per unique value), computes a boolean mask
with numpy, and formats only the failing rows into problems. The rules run in the order of
:data:`RULES`, which is the order of the problems in the result.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from . import _checks, schema
from .errors import Problem


class _Table:
    """A raw deals table with its cleaned columns, computed once and shared by the rules."""

    def __init__(self, df: pd.DataFrame, source: str, cells: dict[str, _checks.Cells] | None,
                 max_per_kind: int, factors: dict[str, Any] | None = None) -> None:
        self.df = df
        self.n = len(df)
        self.source = source
        self.columns = set(df.columns)
        self.max_per_kind = max_per_kind
        self._cells: dict[str, _checks.Cells] = dict(cells or {})
        self._factors: dict[str, Any] = dict(factors or {})
        self.problems: list[Problem] = []
        self.nums: dict[str, np.ndarray] = {}
        self.erred: dict[str, np.ndarray] = {}  # amount cells with an error (no number)
        self.dates: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def factors(self, col: str) -> Any:
        """:func:`_checks.text_factors` of a raw column, cached."""
        if col not in self._factors:
            known = self._cells.get(col)
            self._factors[col] = (known.raw if known is not None and known.raw is not None
                                  else _checks.text_factors(self.df[col]))
        return self._factors[col]

    def text(self, col: str) -> _checks.Cells:
        """The cleaned text of a column (stripped, NFC, blanks as None), per unique value."""
        if col not in self._cells:
            from .io import _text_cells

            if col in self.columns:
                self._cells[col] = _text_cells(self.df[col], self.factors(col))
            else:
                self._cells[col] = _checks.Cells(_checks.blank_codes(self.n),
                                                 np.array([], dtype=object))
        return self._cells[col]

    def add(self, sev: str, msg: str, rows: Any = None, col: str | None = None,
            values: Any = None) -> None:
        """Problems for ``rows`` (a mask or row indexes), at most ``max_per_kind`` of one
        kind and then one line counting the rest; a whole-table problem without rows."""
        if rows is None:
            self.problems.append(Problem(sev, msg, self.source, None, col, None))
            return
        rows = np.asarray(rows)
        if rows.dtype == np.bool_:
            rows = np.flatnonzero(rows)
        from .io import _cell

        for i in rows[:self.max_per_kind]:
            val = _cell(values[i]) if values is not None else None
            self.problems.append(Problem(sev, msg, self.source, int(i) + 1, col, val))
        if len(rows) > self.max_per_kind:
            self.problems.append(Problem(
                sev, f"{msg} ... and {len(rows) - self.max_per_kind} more rows like this",
                self.source, None, col, None))


def cells(t: _Table) -> None:
    """JSON values, control characters, line breaks, invisible characters (see _checks)."""
    t.problems += _checks.cell_problems(t.df, source=t.source, columns=schema.DEAL_COLUMNS,
                                        factors=t.factors)


def deal_ids(t: _Table) -> None:
    """Empty and duplicate ``deal_id``."""
    if "deal_id" not in t.columns:
        return
    ids = t.text("deal_id")
    t.add("error", "empty deal_id", ids.isna(), "deal_id")
    codes = ids.codes
    counts = np.bincount(codes[codes >= 0], minlength=len(ids.uniques))
    dup_rows = np.flatnonzero(ids.spread(counts > 1, False))
    if not len(dup_rows):
        return
    first = np.full(len(ids.uniques), -1, dtype=np.intp)
    dup_codes = codes[dup_rows]
    _, where = np.unique(dup_codes, return_index=True)
    first[dup_codes[where]] = dup_rows[where]
    for i in dup_rows:
        j = first[codes[i]]
        if j != i:
            t.problems.append(Problem(
                "error", f"duplicate deal_id (first used on row {j + 1})", t.source,
                int(i) + 1, "deal_id", ids.uniques[codes[i]]))


def parties(t: _Table) -> None:
    """Empty payer or payee, payer equal to payee, look-alike company names."""
    payer, payee = t.text("payer"), t.text("payee")
    for c, s in (("payer", payer), ("payee", payee)):
        if c in t.columns:
            t.add("error", f"empty {c}", s.isna(), c)
    # the payee's code among the payer's names (-2 for a name no payer has): ints compared
    at = pd.Index(payer.uniques).get_indexer(payee.uniques) if len(payee.uniques) else \
        np.zeros(0, np.intp)
    payee_in_payer = _checks.take_or(at, payee.codes, -2)
    same = (payer.codes >= 0) & (payer.codes == payee_in_payer)
    t.add("error", "payer and payee are the same company", same, "payee", payee.values)
    from .io import _name_cells

    distinct = pd.unique(np.concatenate([payer.uniques, payee.uniques]))
    names = _name_cells(("payer", payer), ("payee", payee),
                        only=distinct[_checks.may_look_alike(distinct)])
    t.problems += _checks.lookalike_warnings(_checks.lookalike_candidates(names),
                                             source=t.source)


def amounts(t: _Table) -> None:
    """Amounts that are not numbers, negative, booleans, infinite or out of range."""
    from .io import AMOUNT_COLUMNS

    for c in AMOUNT_COLUMNS:
        if c not in t.columns:
            t.nums[c] = np.full(t.n, np.nan)
            continue
        raw = t.df[c]
        found, vals, not_number, erred = _checks.amount_column(raw, c, source=t.source,
                                                               factors=t.factors(c))
        t.erred[c] = erred
        t.problems += found
        values = raw.array  # read only at the failing rows
        refused = [p.row - 1 for p in t.problems  # by the cells rule (a JSON object...)
                   if p.column == c and p.severity == "error" and p.row is not None]
        if refused:  # said once: not also "not a number"
            not_number = not_number.copy()
            not_number[np.asarray(refused, dtype=np.intp)] = False
        t.add("error", "not a number (amounts are billions of USD, e.g. 2.5)", not_number, c,
              values)
        neg = ~np.isnan(vals) & (vals < 0)
        t.add("error", "negative amount", neg, c, values)
        large, msg = _checks.unit_check(vals, c)
        t.add("warning", msg, large, c, values)
        t.nums[c] = vals


def ranges(t: _Table) -> None:
    """Low above high, the amount outside its range, no amount at all."""
    from .io import _fmt

    a, lo, hi = (t.nums[c] for c in ("amount_usd_bn", "amount_low_usd_bn",
                                     "amount_high_usd_bn"))
    with np.errstate(invalid="ignore"):
        t.add("error", "low end of the range is above the high end", lo > hi,
              "amount_low_usd_bn", lo)
        outside = (~np.isnan(a)) & (((~np.isnan(lo)) & (a < lo)) | ((~np.isnan(hi)) & (a > hi)))
    for i in np.flatnonzero(outside)[:t.max_per_kind]:
        t.problems.append(Problem(
            "error", f"amount outside its range [{_fmt(lo[i])}, {_fmt(hi[i])}]",
            t.source, int(i) + 1, "amount_usd_bn", _fmt(a[i])))
    no_amount = np.isnan(a) & (np.isnan(lo) | np.isnan(hi)) & np.isnan(hi)
    if "amount_usd_bn" in t.erred:  # a cell with an error says so once, not also "no amount"
        no_amount &= ~t.erred["amount_usd_bn"]
    t.add("warning", "no amount reported (unknown; analyses flag it, never count it as zero)",
          no_amount, "amount_usd_bn")


def enumerations(t: _Table) -> None:
    """Unknown or empty ``flow_type`` and ``status``; unknown or missing ``confidence``."""
    for c, allowed, required in (
        ("flow_type", schema.FLOW_TYPES, True),
        ("status", schema.STATUSES, True),
        ("confidence", schema.CONFIDENCES, False),
    ):
        if c not in t.columns:
            continue
        s = t.text(c)
        t.add("error", f"unknown {c}; valid: {', '.join(allowed)}",
              ~s.isna() & ~s.isin(allowed), c, s.values)
        if required:
            t.add("error", f"empty {c}; valid: {', '.join(allowed)}", s.isna(), c)
        elif s.isna().any():
            t.add("warning", "no confidence given", s.isna(), c)


def _date_ordinals(s: _checks.Cells) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per unique value: first and last day as ordinals (-1 when none) and unparseable."""
    k = len(s.uniques)
    first, last, bad = np.full(k, -1, np.int64), np.full(k, -1, np.int64), np.zeros(k, bool)
    for j, v in enumerate(s.uniques):
        try:
            lo, hi = schema.date_bounds(v)
        except ValueError:
            bad[j] = True
            continue
        first[j] = lo.toordinal() if lo is not None else -1
        last[j] = hi.toordinal() if hi is not None else -1
    return first, last, bad


def dates(t: _Table) -> None:
    """Unparseable dates; a period that ends before it starts."""
    from .io import DATE_COLUMNS

    for c in DATE_COLUMNS:
        if c not in t.columns:
            continue
        s = t.text(c)
        first, last, bad = _date_ordinals(s)
        t.add("error", "unparseable date; use YYYY, YYYY-MM or YYYY-MM-DD", s.spread(bad), c,
              s.values)
        t.dates[c] = (s.spread(first, -1), s.spread(last, -1))
    if "period_start" in t.dates and "period_end" in t.dates:
        start, end = t.dates["period_start"][0], t.dates["period_end"][1]
        t.add("warning", "period_end is before period_start",
              (start >= 0) & (end >= 0) & (end < start), "period_end",
              t.text("period_end").values)


def sources(t: _Table) -> None:
    """No ``source_url`` column, a missing source URL, a source that is not a URL."""
    from .io import _URL_RE

    if "source_url" not in t.columns:
        t.add("warning", "no source_url column: deals cannot be traced to sources",
              col="source_url")
        return
    s = t.text("source_url")
    t.add("warning", "no source URL", s.isna(), "source_url")
    t.add("warning", "source is not a URL", s.spread(np.array(
        [not _URL_RE.match(str(u)) for u in s.uniques], dtype=bool)), "source_url", s.values)


def estimates(t: _Table) -> None:
    """An ``estimate`` that is not true or false."""
    if "estimate" not in t.columns:
        return
    from .io import _blank_mask, _bools

    raw = t.df["estimate"]
    bad = ~_blank_mask(raw) & _bools(raw).isna().to_numpy()
    # the cells are read at the failing rows only
    t.add("error", "estimate must be true or false", bad, "estimate", raw.array)


def _reference(t: _Table, col: str, i: int, target: str, own_id: Any, id_set: set[str],
               missing: str, itself: str) -> None:
    """An error when row ``i`` names an id that does not exist, or its own id."""
    if target not in id_set:
        t.problems.append(Problem("error", missing, t.source, i + 1, col, target))
    elif target == own_id:
        t.problems.append(Problem("error", itself, t.source, i + 1, col, target))


def supersessions(t: _Table) -> None:
    """``supersedes`` naming ids that do not exist or the row itself; supersession cycles."""
    if "supersedes" not in t.columns:
        return
    from .io import _find_cycle

    ids = t.text("deal_id").values
    sup = t.text("supersedes")
    if sup.isna().all():
        return
    id_set = set(t.text("deal_id").uniques)
    sup_graph: dict[str, list[str]] = {}
    for i in np.flatnonzero(~sup.isna()):
        i = int(i)
        targets = schema.split_ids(sup.values[i])
        for x in targets:
            _reference(t, "supersedes", i, x, ids[i], id_set,
                       "supersedes a deal_id that does not exist", "a deal cannot supersede itself")
        if ids[i] is not None and targets:
            sup_graph.setdefault(ids[i], []).extend(x for x in targets if x in id_set)
    cycle = _find_cycle(sup_graph)
    if cycle:
        row_of = {d: i for i, d in enumerate(ids) if d is not None}
        t.problems.append(Problem(
            "error", "cycle of supersessions: " + " -> ".join([*cycle, cycle[0]]),
            t.source, row_of.get(cycle[0], -1) + 1, "supersedes", ";".join(cycle)))


def tranches(t: _Table) -> None:
    """``part_of`` naming an id that does not exist or the row itself."""
    if "part_of" not in t.columns:
        return
    part = t.text("part_of")
    if part.isna().all():
        return
    ids = t.text("deal_id").values
    id_set = set(t.text("deal_id").uniques)
    for i in np.flatnonzero(~part.isna()):
        _reference(t, "part_of", int(i), part.values[i], ids[i], id_set,
                   "part_of names a deal_id that does not exist", "a deal cannot be part of itself")


def structure(t: _Table) -> None:
    """Tranches of other payers, tranche loops, tranches above their headline, rows both
    superseding and part of a deal, supersessions across directions (see _checks)."""
    sup = t.text("supersedes").values if "supersedes" in t.columns else None
    part = t.text("part_of").values if "part_of" in t.columns else None
    if (sup is None or t.text("supersedes").isna().all()) and (
            part is None or t.text("part_of").isna().all()):
        return
    t.problems += _checks.structure_problems(
        t.text("deal_id").values, t.text("payer").values, t.text("payee").values, sup, part,
        t.nums["amount_usd_bn"], t.nums["amount_high_usd_bn"], source=t.source,
        split_ids=schema.split_ids)


def sourcing(t: _Table) -> None:
    """The sourcing columns and the confidence rule (see :mod:`flowgraph.firmness`)."""
    from .firmness import deal_problems

    t.problems += deal_problems(t.df, t.source, factors=t.factors)


RULES: tuple[Callable[[_Table], None], ...] = (
    cells, deal_ids, parties, amounts, ranges, enumerations, dates, sources, estimates,
    supersessions, tranches, structure, sourcing,
)
"""The rules in the order their problems are listed."""


def run(df: pd.DataFrame, *, source: str, cells: dict[str, _checks.Cells] | None = None,
        max_per_kind: int, factors: dict[str, Any] | None = None) -> list[Problem]:
    """Every rule of :data:`RULES` over a raw deals table with rows (reset index); ``cells``
    and ``factors``: the cleaned text and raw text factors the reader computed."""
    t = _Table(df, source, cells, max_per_kind, factors)
    for rule in RULES:
        rule(t)
    return t.problems
