"""The as-of rule: which rows, amounts and statuses stand for the web as it was on a date.

One rule, used by :func:`flowgraph.filter_deals` and :func:`flowgraph.build_graph` (``as_of=``)
and by everything built on them (the timeline, the schedules, the time slider):

- A row counts as of ``D`` when its date (``announced``, else ``period_start``) falls on or
  before ``D``. A date coarser than ``D`` (``2025`` against ``2025-06-30``) counts when it may
  fall by then (its first day is on or before ``D``); the note says how many such rows count.
- Rows with no date at all are left out under ``as_of`` (and the note says how many).
- A row listed in another row's ``supersedes`` is replaced only from the superseding row's own
  date: before it, the old row counts.
- A headline row with tranches (rows whose ``part_of`` names it) counts as a whole only when
  it and every tranche are dated by ``D``; otherwise its tranches dated by ``D`` count instead
  (the headline carries the later total under the first announcement's date).
- The status is the status at ``D`` where the data dates the changes (``status_dates``). Before
  the first dated entry the deal had not yet reached that status: it is taken one step below
  it (``disbursed`` -> ``committed``, ``committed`` -> ``announced``, ``announced`` ->
  ``rumored``; ``rumored`` stays). Without a dated history, a ``disbursed`` row whose
  ``paid_as_of`` falls after ``D`` was ``committed`` then.
- A paid amount (``paid_usd_bn``) counts from its ``paid_as_of`` date. A row ``disbursed`` at
  ``D`` whose only paid figure is dated later (or undated) counts that figure as paid, an
  upper bound (payments only add up: what was paid by ``D`` cannot exceed a later total), and
  the rest as committed, not paid; never the full amount. Any other paid figure dated later
  is left out.
- A row dated by its period (no ``announced``: a total of payments over ``period_start`` ..
  ``period_end``, or over ``period_start``'s own month or year without an end, such as years
  of chip purchases) whose period runs past ``D`` counts at the period's whole total, a
  figure known only when the period ends, and keeps its status (money was flowing; a
  running flow is no promise). Disbursed, it counts as paid as an upper bound, like a later
  paid figure: what was paid by ``D`` is at most the period's total. Nothing is pro-rated.
- The note says how many rows count a figure known only later so (:func:`paid_bounds`), and
  that it is an upper bound from after the date; :func:`flowgraph.money_firmness` says how
  much of the paid money it is, in the sentence that gives the paid money.

Without ``as_of`` the same rule runs with every row counted as dated, which is the plain
"latest view": superseded rows and tranches out, headlines in, statuses as recorded.
"""
from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import schema

__all__ = ["AsOfCounts", "as_of_limit", "as_of_note", "company_figures_note", "is_later",
           "is_stale", "paid_bounds", "paid_dated_later", "period_ends", "rows_as_of",
           "select_rows", "view_as_of", "view_date_words", "view_limit"]


@dataclass(frozen=True)
class AsOfCounts:
    """What the as-of rule did to a deals table (all counts are numbers of rows).

    Attributes
    ----------
    as_of : str or None
        The date asked for, as given.
    limit : datetime.date or None
        The last day it stands for (``2025-12`` -> 2025-12-31).
    undated : int
        Rows with no date, left out (they pass every other filter).
    later : int
        Rows dated after the limit, not counted.
    coarse : int
        Rows counted whose date is coarser than the limit and may fall after it.
    split_headlines : tuple of str
        Headline rows counted by their tranches dated by then instead of their later total.
    superseded_later : int
        Rows counted because the row that supersedes them came later.
    status_rewound : int
        Rows counted at an earlier status than the one recorded (from ``status_dates``, a
        history starting after the limit, or a payment dated after it).
    paid_later : int
        Paid amounts left out because they are dated after the limit (or not dated).
    paid_bound : int
        Rows disbursed by then counted as paid up to a figure known only later
        (:func:`paid_bounds`): a paid figure dated later (or undated), the rest as committed,
        not paid; or the total of a period ending after the limit. An upper bound.
    period_running : int
        Rows dated by a period that ends after the limit: counted at the period's whole
        total, known only when the period ends.
    """

    as_of: str | None = None
    limit: _dt.date | None = None
    undated: int = 0
    later: int = 0
    coarse: int = 0
    split_headlines: tuple[str, ...] = field(default=())
    superseded_later: int = 0
    status_rewound: int = 0
    paid_later: int = 0
    paid_bound: int = 0
    period_running: int = 0


def as_of_limit(as_of: Any) -> _dt.date | None:
    """The last day an as-of date stands for, or None when no date is given.

    Raises
    ------
    ValueError
        When the text is not ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    Examples
    --------
    >>> as_of_limit("2025-02")
    datetime.date(2025, 2, 28)
    """
    if as_of is None:
        return None
    if isinstance(as_of, _dt.date):
        return as_of
    return schema.date_bounds(as_of)[1]


def view_as_of(G: Any) -> str | None:
    """The date a view stands at: the as-of date a graph or table was built for
    (``build_graph(as_of=)``, ``filter_deals(as_of=)``), as given, else the data's own as-of
    date; None when neither is stated. The one rule of "the view's date" for every caption
    and header (:func:`view_date_words`).

    Parameters
    ----------
    G : networkx.Graph or pandas.DataFrame
        A graph from :func:`flowgraph.build_graph` (``G.graph``) or a table from
        :func:`flowgraph.filter_deals` (``df.attrs``).

    Examples
    --------
    >>> import flowgraph as fg
    >>> ds = fg.load_dataset("ai-capital")
    >>> view_as_of(fg.build_graph(ds, as_of="2025-09-30")), view_as_of(fg.build_graph(ds))
    ('2025-09-30', '2026-06-30')
    """
    meta = G.graph if hasattr(G, "graph") else getattr(G, "attrs", {})
    filters = meta.get("filters")
    asked = filters.get("as_of") if isinstance(filters, dict) else None
    if schema.is_blank(asked):
        asked = getattr(meta.get("as_of_counts"), "as_of", None)
    if not schema.is_blank(asked):
        return str(asked)
    data = meta.get("as_of")
    return None if schema.is_blank(data) else str(data)


def view_limit(G: Any) -> _dt.date | None:
    """The last day a view was built as of (``build_graph(as_of=)``,
    ``filter_deals(as_of=)``: its :class:`AsOfCounts`' ``limit``); None for the latest view.
    The one place that reads it from a graph or a table.

    Examples
    --------
    >>> import flowgraph as fg
    >>> ds = fg.load_dataset("ai-capital")
    >>> view_limit(fg.build_graph(ds, as_of="2025-09")), view_limit(fg.build_graph(ds))
    (datetime.date(2025, 9, 30), None)
    """
    meta = G.graph if hasattr(G, "graph") else getattr(G, "attrs", {})
    return getattr(meta.get("as_of_counts"), "limit", None)


def view_date_words(G: Any) -> str:
    """The view's date in words, for a caption or a page header: ``"As of 2025-09-30 (data
    to 2026-06-30)"`` for a view as of a date, ``"Data as of 2026-06-30"`` for the latest
    view, ``"Data date not stated"`` when neither date is known (:func:`view_as_of`).

    Examples
    --------
    >>> import flowgraph as fg
    >>> ds = fg.load_dataset("ai-capital")
    >>> view_date_words(fg.build_graph(ds, as_of="2025-09-30"))
    'As of 2025-09-30 (data to 2026-06-30)'
    >>> view_date_words(fg.build_graph(ds))
    'Data as of 2026-06-30'
    """
    meta = G.graph if hasattr(G, "graph") else getattr(G, "attrs", {})
    data = None if schema.is_blank(meta.get("as_of")) else str(meta.get("as_of"))
    view = view_as_of(G)
    if view is None:
        return "Data date not stated"
    if view == data:
        return f"Data as of {data}"
    return f"As of {view}" + (f" (data to {data})" if data else "")


def is_stale(figure_as_of: Any, data_as_of: Any) -> bool:
    """Whether a figure is more than a year older than the data: even the last day its date
    may stand for (``2024`` -> 2024-12-31) falls before the same day a year before the data's
    as-of date. The one rule for "stale" figures (validation warnings, the company page, the
    stress caveats, the report); a missing or unreadable date is not called stale.

    Examples
    --------
    >>> is_stale("2024", "2026-06-30"), is_stale("2025", "2026-06-30")
    (True, False)
    """
    fig, data = _last_day(figure_as_of), _last_day(data_as_of)
    if fig is None or data is None:
        return False
    try:
        year_before = data.replace(year=data.year - 1)
    except ValueError:  # 29 February
        year_before = data.replace(year=data.year - 1, day=28)
    return fig < year_before


def _last_day(v: Any) -> _dt.date | None:
    """The last day a date may stand for (``2024`` -> 2024-12-31); None when blank or
    unreadable."""
    if schema.is_blank(v):
        return None
    try:
        return schema.date_bounds(str(v).strip())[1]
    except (ValueError, TypeError):
        return None


def is_later(figure_as_of: Any, limit: Any) -> bool:
    """Whether a figure's date may fall after an as-of date: the last day it may stand for
    (``2025`` -> 2025-12-31) is after the limit. A figure's date is the end of the period it
    covers or the day it was measured, so an annual revenue "2025" is not known on
    2025-03-31. The one rule for figures "later than the as-of date" (the company page, the
    report, :func:`company_figures_note`); no limit, or a missing or unreadable date, is not
    later.

    Examples
    --------
    >>> is_later("2025", "2025-03-31"), is_later("2024-12-31", "2025-03-31")
    (True, False)
    """
    fig, lim = _last_day(figure_as_of), as_of_limit(limit) if not schema.is_blank(limit) else None
    return fig is not None and lim is not None and fig > lim


def _dated(dates: np.ndarray, limit: _dt.date | None) -> tuple[np.ndarray, np.ndarray]:
    """Rows with a date, and rows dated on or before ``limit`` (all rows when None); each
    distinct date is compared once."""
    codes, uniques = pd.factorize(pd.Series(dates, dtype=object), use_na_sentinel=True)
    has = codes >= 0
    if limit is None:
        return has, np.ones(len(codes), dtype=bool)
    ok = np.array([d is not None and d <= limit for d in uniques] + [False], dtype=bool)
    return has, ok[codes]


def _positions(ids: pd.Series, wanted: list[str]) -> np.ndarray:
    """Row position of each wanted deal id (-1 when absent; the first when repeated)."""
    index = pd.Index(ids.astype(object))
    if index.is_unique:
        return index.get_indexer(wanted)
    first: dict[Any, int] = {}
    for i, d in enumerate(ids.tolist()):
        first.setdefault(d, i)
    return np.array([first.get(w, -1) for w in wanted], dtype=int)


def select_rows(
    df: pd.DataFrame,
    date_lo: np.ndarray,
    date_hi: np.ndarray,
    *,
    limit: _dt.date | None,
    include_superseded: bool = False,
    include_tranches: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, dict[str, Any]]:
    """Apply the as-of rule to a normalized deals table.

    Parameters
    ----------
    df : pandas.DataFrame
        A deals table from :func:`flowgraph.io.normalize_deals`.
    date_lo, date_hi : numpy.ndarray of datetime.date or None
        Each row's date bounds (``announced``, else ``period_start``).
    limit : datetime.date or None
        The last day of the as-of date; None for the latest view (every row dated).
    include_superseded, include_tranches : bool
        Keep superseded rows / tranche rows as well (as :func:`flowgraph.filter_deals`).

    Returns
    -------
    keep : numpy.ndarray of bool
        Rows that count.
    status : numpy.ndarray of str
        Each row's status at the limit.
    paid : numpy.ndarray of float or None
        Each row's paid amount at the limit (NaN when not yet paid or not dated; for a row
        disbursed by then whose only paid figure is dated later, that figure, an upper
        bound); None when the table has no ``paid_usd_bn`` column.
    info : dict
        Boolean row masks named as the fields of :class:`AsOfCounts` (``undated``, ``later``,
        ``coarse``, ``split_headlines``, ``superseded_later``, ``status_rewound``,
        ``paid_later``, ``paid_bound``, ``period_running``).

    Examples
    --------
    >>> import datetime as dt, numpy as np, pandas as pd
    >>> from flowgraph.io import normalize_deals
    >>> df = normalize_deals(pd.DataFrame({
    ...     "deal_id": ["H", "T1", "T2"], "payer": "A", "payee": "B",
    ...     "amount_usd_bn": [10, 4, 6], "flow_type": "other", "status": "committed",
    ...     "announced": ["2025-01-10", "2025-01-10", "2025-06-01"],
    ...     "part_of": [None, "H", "H"]}))
    >>> lo = np.array([dt.date(2025, 1, 10), dt.date(2025, 1, 10), dt.date(2025, 6, 1)])
    >>> keep, *_ = select_rows(df, lo, lo, limit=dt.date(2025, 3, 31))
    >>> list(df["deal_id"][keep])
    ['T1']
    """
    n = len(df)
    has_date, dated = _dated(date_lo, limit)
    keep = dated.copy()
    info: dict[str, Any] = {}

    in_force, named = _superseded(df, dated)
    info["superseded_later"] = named & ~in_force & dated
    if not include_superseded:
        keep &= ~in_force
    is_tranche = df["part_of"].notna().to_numpy()
    if include_tranches:
        split_mask = np.zeros(n, dtype=bool)
    else:
        tranche_keep, split_mask = _tranche_rule(df, dated, is_tranche)
        keep &= tranche_keep
    info["split_headlines"] = split_mask

    status, rewound, _ = _statuses_then(df, limit)
    paid, paid_later, paid_bound = _paid_then(df, limit, status)
    running = _running_periods(df, limit)
    info["status_rewound"] = rewound & keep
    info["paid_later"] = paid_later & keep
    info["paid_bound"] = paid_bound & keep
    info["period_running"] = running & keep

    info["undated"] = ~has_date if limit is not None else np.zeros(n, dtype=bool)
    later = has_date & ~dated  # counted once: headlines and rows in force, not their parts
    if not include_tranches:
        later &= ~is_tranche
    if not include_superseded:
        later &= ~named
    info["later"] = later
    if limit is None:
        info["coarse"] = np.zeros(n, dtype=bool)
    else:
        _, hi_dated = _dated(date_hi, limit)
        info["coarse"] = keep & ~hi_dated & has_date
    return keep, status, paid, info


def rows_as_of(deals: pd.DataFrame, as_of: Any) -> pd.DataFrame:
    """The rows of a normalized deals table as they stood on ``as_of``.

    Each status as it was then (the rule of :func:`select_rows`: from ``status_dates``, one
    step below a history's first status before its first date, ``committed`` for a deal paid
    only later and with no dated history), the status history cut at that date, and a paid
    amount dated later (or undated) left out with its date and source, so that a table
    written as of a date holds no payment learned after it, with one exception: a row
    disbursed by then whose only paid figure is dated later keeps that figure and its later
    date, the upper bound the as-of view counts (:func:`paid_bounds`); left out, the row
    would read back as paid in full. Which rows count is :func:`select_rows`' business;
    every row given is returned, other columns as they are (a copy).

    Examples
    --------
    >>> import pandas as pd
    >>> from flowgraph.io import normalize_deals
    >>> df = normalize_deals(pd.DataFrame({"deal_id": ["D"], "payer": "A", "payee": "B",
    ...     "amount_usd_bn": [10], "flow_type": "other", "status": "disbursed",
    ...     "announced": "2025-01-01", "paid_usd_bn": [5.0], "paid_as_of": "2025-06-01",
    ...     "status_dates": "committed@2025-01-01;disbursed@2025-06-01"}))
    >>> then = rows_as_of(df, "2025-03")
    >>> then["status"].tolist(), then["status_dates"].tolist(), then["paid_usd_bn"].tolist()
    (['committed'], ['committed@2025-01-01'], [nan])
    """
    limit = as_of_limit(as_of)
    out = deals.copy()
    if limit is None or not len(out):
        return out
    status, _, has_hist = _statuses_then(deals, limit)
    # a later paid figure of a row disbursed by then stays, with its later date: without it
    # the row would read back as paid in full, more than the bound the as-of view counts
    paid, paid_later, _ = _paid_then(deals, limit, status)
    out["status"] = pd.Series(status, index=out.index, dtype=object)
    if "status_dates" in out.columns and has_hist.any():
        hist = out["status_dates"].to_numpy(dtype=object).copy()
        for i in np.flatnonzero(has_hist):
            kept = [f"{st}@{d}" for st, d in schema.parse_status_dates(hist[i])
                    if schema.date_bounds(d)[0] <= limit]
            hist[i] = ";".join(kept) or None
        out["status_dates"] = pd.Series(hist, index=out.index, dtype=object)
    if paid is not None and paid_later.any():
        rows = out.index[paid_later]
        out.loc[rows, "paid_usd_bn"] = np.nan
        for col in ("paid_as_of", "paid_source"):
            if col in out.columns:
                out.loc[rows, col] = None
    return out


def _superseded(df: pd.DataFrame, dated: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows superseded by a row dated by then (supersession takes effect from the
    superseding row's own date), and rows any row supersedes.

    Only rows that name others are read one by one.
    """
    n = len(df)
    deal_id = df["deal_id"]
    superseded_by_dated: set[str] = set()
    superseded_any: set[str] = set()
    sup = df["supersedes"]
    for i in np.flatnonzero(sup.notna().to_numpy()):
        parts = schema.split_ids(sup.iat[i])
        superseded_any.update(parts)
        if dated[i]:
            superseded_by_dated.update(parts)
    in_force = deal_id.isin(superseded_by_dated).to_numpy() if superseded_by_dated \
        else np.zeros(n, dtype=bool)
    named = deal_id.isin(superseded_any).to_numpy() if superseded_any \
        else np.zeros(n, dtype=bool)
    return in_force, named


def _tranche_rule(df: pd.DataFrame, dated: np.ndarray,
                  is_tranche: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Headlines count whole only when they and all their tranches are dated; else their
    tranches count. Returns the rows this rule keeps and the headlines split so."""
    n = len(df)
    keep = np.ones(n, dtype=bool)
    split_mask = np.zeros(n, dtype=bool)
    if not is_tranche.any():
        return keep, split_mask
    part = df["part_of"]
    members_of: dict[str, list[int]] = {}
    for i in np.flatnonzero(is_tranche):
        members_of.setdefault(str(part.iat[i]).strip(), []).append(int(i))
    heads = list(members_of)
    where = _positions(df["deal_id"], heads)
    tranche_ok = np.zeros(n, dtype=bool)
    for head, h in zip(heads, where):
        if h < 0:
            continue  # a tranche of a row not in the table is left out, as before
        members = members_of[head]
        if dated[h] and dated[members].all():
            continue
        if dated[h] or dated[members].any():
            split_mask[h] = True
        keep[h] = False
        tranche_ok[members] = True
    return keep & (~is_tranche | tranche_ok), split_mask


def _status_before(first: str) -> str:
    """The status of a deal before the first entry of its dated history: one step below it
    (``disbursed`` -> ``committed``, ``committed`` -> ``announced``, ``announced`` ->
    ``rumored``); ``rumored`` (or a status not in :data:`schema.STATUSES`) stays.

    The history dates when the deal reached ``first``, so before that date it had not: the
    strongest status short of it is taken (for a payment, ``committed``, the rule for a deal
    paid only later with no dated history).

    Examples
    --------
    >>> _status_before("disbursed"), _status_before("committed"), _status_before("rumored")
    ('committed', 'announced', 'rumored')
    """
    if first not in schema.STATUSES:
        return first
    return schema.STATUSES[max(schema.STATUSES.index(first) - 1, 0)]


def _running_periods(df: pd.DataFrame, limit: _dt.date | None) -> np.ndarray:
    """Rows dated by their period (no ``announced``, a ``period_start``) whose period may run
    past the limit: the last day of ``period_end`` (else of ``period_start``: "2020" is the
    year 2020) falls after it. Their amount is the period's whole total, known only at its
    end. Each distinct end is read once."""
    n = len(df)
    if limit is None or not {"announced", "period_start"} <= set(df.columns):
        return np.zeros(n, dtype=bool)
    by_period = df["announced"].isna().to_numpy() & df["period_start"].notna().to_numpy()
    if not by_period.any():
        return by_period
    ends = df["period_start"]
    if "period_end" in df.columns:
        ends = df["period_end"].where(df["period_end"].notna(), ends)
    codes, uniques = pd.factorize(ends.astype(object), use_na_sentinel=True)
    runs = np.array([(_last_day(u) or limit) > limit for u in uniques] + [False], dtype=bool)
    return by_period & runs[codes]


def _statuses_then(df: pd.DataFrame, limit: _dt.date | None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's status at the limit, the rows whose status was rewound, and the rows with a
    dated history (only rows that carry a history or a payment date are read one by one).

    The status is the last ``status_dates`` entry dated by the limit; before the first entry,
    :func:`_status_before` it. Without a history, a ``disbursed`` row whose ``paid_as_of``
    falls after the limit was ``committed`` then.
    """
    n = len(df)
    status = df["status"].to_numpy(dtype=object).copy()
    rewound = np.zeros(n, dtype=bool)
    has_hist = np.zeros(n, dtype=bool)
    if limit is None:
        return status, rewound, has_hist
    if "status_dates" in df.columns:
        col = df["status_dates"]
        for i in np.flatnonzero(col.notna().to_numpy()):
            cell = col.iat[i]
            if schema.is_blank(cell):
                continue
            hist = schema.parse_status_dates(cell)
            if not hist:
                continue
            has_hist[i] = True
            at = _status_before(hist[0][0])
            for st, d in hist:
                if schema.date_bounds(d)[0] <= limit:
                    at = st
            if at != status[i]:
                status[i] = at
                rewound[i] = True
    if "paid_as_of" in df.columns:
        when = df["paid_as_of"]
        for i in np.flatnonzero(when.notna().to_numpy() & (status == "disbursed") & ~has_hist):
            w = when.iat[i]
            if not schema.is_blank(w) and schema.date_bounds(w)[0] > limit:
                status[i] = "committed"
                rewound[i] = True
    return status, rewound, has_hist


def paid_dated_later(paid: Any, paid_as_of: Any, limit: _dt.date | None) -> np.ndarray:
    """Rows with a paid figure not dated by the limit: its ``paid_as_of`` is blank or its first
    day falls after the limit (none without a limit). The one test of "a paid figure learned
    later", read by :func:`select_rows` and by :func:`flowgraph.money_firmness` (which says
    how much of the paid money, as of a date, is such a figure counted as an upper bound).

    Examples
    --------
    >>> import datetime as dt
    >>> paid_dated_later([4.9, 1.0, None], ["2025-06-30", "2024-12", "2025-06-30"],
    ...                  dt.date(2025, 3, 31)).tolist()
    [True, False, False]
    """
    amounts = pd.to_numeric(pd.Series(paid, dtype=object), errors="coerce").to_numpy(dtype=float)
    has = ~np.isnan(amounts)
    if limit is None or not has.any():
        return np.zeros(len(amounts), dtype=bool)
    if paid_as_of is None:
        return has
    # each distinct date is read once; a blank date is not dated by then
    codes, uniques = pd.factorize(pd.Series(paid_as_of, dtype=object), use_na_sentinel=True)
    firsts = [None if schema.is_blank(u) else schema.date_bounds(u)[0] for u in uniques]
    late = np.array([d is None or d > limit for d in firsts] + [True], dtype=bool)
    return has & late[codes]


def _paid_then(df: pd.DataFrame, limit: _dt.date | None, status: np.ndarray
               ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Each row's paid amount at the limit, the paid figures left out (dated later or not
    dated), and the rows counting a later paid figure as an upper bound.

    A figure dated by the limit counts. A later (or undated) figure of a row ``disbursed`` at
    the limit stays, as an upper bound of what was paid by then (payments only add up; the
    firmness split then counts the rest as committed, not paid): left out, the row would
    count as paid in full, more than the later figure. Any other later figure is left out.
    """
    n = len(df)
    none = np.zeros(n, dtype=bool)
    if "paid_usd_bn" not in df.columns:
        return None, none, none
    paid = pd.to_numeric(df["paid_usd_bn"], errors="coerce").to_numpy(dtype=float).copy()
    if limit is None:
        return paid, none, none
    later = paid_dated_later(paid, df["paid_as_of"] if "paid_as_of" in df.columns else None,
                             limit)
    left_out = later & (status != "disbursed")
    paid[left_out] = math.nan
    return paid, left_out, paid_bounds(df, limit, status=status)


def paid_bounds(df: pd.DataFrame, limit: _dt.date | None, *,
                status: np.ndarray | None = None) -> np.ndarray:
    """The rows that, as of ``limit``, count as paid up to a figure known only later: rows
    ``disbursed`` then (``status``, else the table's own) whose paid figure is dated later or
    undated (:func:`paid_dated_later`), or which have no paid figure and are dated by a period
    that runs past the limit (their amount is the period's total). What was paid by then is
    at most that figure: an upper bound. None without a limit.

    The one rule of such bounds: :func:`select_rows` counts them for the note, and
    :func:`flowgraph.money_firmness` reads them off a table built as of the date (its status
    and paid amount are those then) to say how much of the paid money they are.

    Examples
    --------
    >>> import datetime as dt, pandas as pd
    >>> df = pd.DataFrame({"status": ["disbursed", "disbursed", "committed"],
    ...                    "paid_usd_bn": [4.9, None, 1.0],
    ...                    "paid_as_of": ["2025-06-30", None, "2025-06-30"],
    ...                    "announced": ["2024-05", None, "2024-05"],
    ...                    "period_start": [None, "2019", None],
    ...                    "period_end": [None, "2024", None]})
    >>> paid_bounds(df, dt.date(2022, 12, 31)).tolist()
    [True, True, False]
    """
    n = len(df)
    if limit is None or not n:
        return np.zeros(n, dtype=bool)
    st = df["status"].to_numpy(dtype=object) if status is None else status
    disbursed = st == "disbursed"
    paid = (df["paid_usd_bn"].to_numpy(dtype=object) if "paid_usd_bn" in df.columns
            else np.full(n, None, dtype=object))
    later = paid_dated_later(paid, df["paid_as_of"].to_numpy(dtype=object)
                             if "paid_as_of" in df.columns else None, limit)
    no_figure = np.isnan(pd.to_numeric(pd.Series(paid, dtype=object),
                                       errors="coerce").to_numpy(dtype=float))
    return disbursed & (later | (no_figure & _running_periods(df, limit)))


def as_of_note(counts: AsOfCounts) -> str:
    """One sentence saying what the as-of rule left out or counted differently.

    Examples
    --------
    >>> import datetime as dt
    >>> as_of_note(AsOfCounts("2025-12", dt.date(2025, 12, 31), undated=1, later=40))
    'As of 2025-12-31 (deals dated by then): 1 deal with no date left out; 40 deals dated later not counted.'
    """
    if counts.limit is None:
        return ""
    parts = []
    if counts.undated:
        parts.append(f"{schema.count_noun(counts.undated, 'deal')} with no date left out")
    if counts.later:
        parts.append(f"{schema.count_noun(counts.later, 'deal')} dated later not counted")
    if counts.split_headlines:
        k = len(counts.split_headlines)
        parts.append(f"{schema.count_noun(k, 'headline deal')} counted only by "
                     f"{'its tranches' if k == 1 else 'their tranches'} announced by then "
                     f"({', '.join(counts.split_headlines)})")
    if counts.superseded_later:
        parts.append(f"{schema.count_noun(counts.superseded_later, 'deal')} counted that a "
                     "later row supersedes")
    if counts.status_rewound:
        parts.append(f"{schema.count_noun(counts.status_rewound, 'deal')} at "
                     f"{'its' if counts.status_rewound == 1 else 'their'} status then, "
                     "not today's")
    if counts.paid_later:
        parts.append(f"{schema.count_noun(counts.paid_later, 'paid amount')} dated later "
                     "(or undated) left out")
    if counts.paid_bound:
        k = counts.paid_bound
        parts.append(f"{schema.count_noun(k, 'deal')} disbursed by then counted as paid up to "
                     "a figure known only after the date (a paid figure dated later or "
                     "undated, the rest as committed, not paid; or the total of a period "
                     "ending later), an upper bound of what was paid by then")
    if counts.period_running:
        k = counts.period_running
        parts.append(f"{schema.count_noun(k, 'deal')} dated only by a period ending after "
                     "the date counted at the period's whole total, known only when it ends")
    if counts.coarse:
        parts.append(f"{schema.count_noun(counts.coarse, 'deal')} counted although dated only "
                     "to a month or year that runs past it")
    head = f"As of {counts.limit.isoformat()} (deals dated by then)"
    return head + (": " + "; ".join(parts) if parts else "") + "."


_FREQS = ("month", "quarter", "year")


def period_ends(first: _dt.date, last: _dt.date, freq: str = "quarter") -> list[_dt.date]:
    """The last day of every period from the one holding ``first`` to the one holding
    ``last``; the final entry is ``last`` itself (a period still running ends at ``last``).

    Examples
    --------
    >>> import datetime as dt
    >>> period_ends(dt.date(2025, 2, 3), dt.date(2025, 8, 15), "quarter")
    [datetime.date(2025, 3, 31), datetime.date(2025, 6, 30), datetime.date(2025, 8, 15)]
    """
    import calendar

    if freq not in _FREQS:
        raise ValueError(f"unknown frequency {freq!r}; valid: {', '.join(_FREQS)}")
    step = {"month": 1, "quarter": 3, "year": 12}[freq]
    y, m = first.year, first.month
    m = ((m - 1) // step) * step + step  # last month of the period holding `first`
    out: list[_dt.date] = []
    while True:
        end = _dt.date(y, m, calendar.monthrange(y, m)[1])
        if end >= last:
            out.append(last)
            break
        out.append(end)
        m += step
        if m > 12:
            y, m = y + 1, m - 12
    return out


_FIGURE_DATES = ("revenue_as_of", "market_value_as_of", "cash_as_of", "debt_as_of",
                 "equity_as_of")


def company_figures_note(G: Any, limit: _dt.date) -> str:
    """A sentence when company figures (revenue, cash ...) of ``G``'s companies are dated after
    ``limit`` (:func:`is_later`: a figure for 2025 is not known on 2025-03-31): they are the
    latest the data holds, not figures as of then.

    Examples
    --------
    >>> import datetime as dt, networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("A", revenue_as_of="2026-03")
    >>> company_figures_note(G, dt.date(2025, 12, 31))
    'Company figures are the latest in the data, not as of then: 1 company has figures dated after 2025-12-31.'
    """
    n = sum(1 for _, data in G.nodes(data=True)
            if any(is_later(data.get(col), limit) for col in _FIGURE_DATES))
    if not n:
        return ""
    return (f"Company figures are the latest in the data, not as of then: "
            f"{schema.count_noun(n, 'company', 'companies')} "
            f"{'has' if n == 1 else 'have'} figures dated after {limit.isoformat()}.")
