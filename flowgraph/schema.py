"""Column names, enumerations, partial dates and amount scenarios of the deal data model.

Deals are money flows from a ``payer`` to a ``payee`` in billions of US dollars. Dates keep
the precision they were reported with (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``).
"""
from __future__ import annotations

import calendar
import datetime as _dt
import math
import re
from typing import Any, NamedTuple

__all__ = [
    "BIS_CATEGORIES",
    "COMMERCIAL_FLOW_TYPES",
    "COMPANY_COLUMNS",
    "COMPANY_KINDS",
    "CONFIDENCES",
    "DEAL_COLUMNS",
    "FIRM_SOURCE_KINDS",
    "FLOW_TYPES",
    "INVESTMENT_FLOW_TYPES",
    "PROJECTION_KINDS",
    "REQUIRED_DEAL_COLUMNS",
    "REVENUE_PROJECTION_COLUMNS",
    "REVENUE_SHARE_COLUMNS",
    "SCENARIOS",
    "SOURCE_KINDS",
    "STATUSES",
    "ScenarioAmounts",
    "confidence_rank",
    "date_bounds",
    "is_blank",
    "parse_bool",
    "parse_date",
    "parse_status_dates",
    "scenario_amount",
    "scenario_amounts",
    "split_ids",
    "status_rank",
    "to_float",
]

DEAL_COLUMNS: tuple[str, ...] = (
    "deal_id",
    "payer",
    "payee",
    "amount_usd_bn",
    "amount_low_usd_bn",
    "amount_high_usd_bn",
    "flow_type",
    "status",
    "announced",
    "period_start",
    "period_end",
    "description",
    "source_url",
    "source_title",
    "confidence",
    "supersedes",
    "part_of",
    "estimate",
    "estimate_inputs",
    "source_kind",
    "other_sources",
    "conditional",
    "paid_usd_bn",
    "paid_as_of",
    "paid_source",
    "status_dates",
    "bis_category",
    "gw",
    "overlap_group",
    "checked",
)
"""Known deal columns, in their canonical order. Other columns are kept as they are."""

REQUIRED_DEAL_COLUMNS: tuple[str, ...] = ("deal_id", "payer", "payee", "flow_type", "status")
"""Columns a deals table must have. The amount columns may be absent (then unknown)."""

COMPANY_COLUMNS: tuple[str, ...] = (
    "name",
    "kind",
    "listed",
    "ticker",
    "country",
    "revenue_usd_bn",
    "revenue_as_of",
    "revenue_source",
    "market_value_usd_bn",
    "market_value_as_of",
    "market_value_source",
    "cash_usd_bn",
    "cash_as_of",
    "cash_source",
    "debt_usd_bn",
    "debt_as_of",
    "debt_source",
    "equity_usd_bn",
    "equity_as_of",
    "equity_source",
    "useful_life_years",
    "useful_life_source",
    "notes",
)
"""Known company columns, in their canonical order."""

FUNDAMENTALS: tuple[str, ...] = (
    "revenue_usd_bn",
    "market_value_usd_bn",
    "cash_usd_bn",
    "debt_usd_bn",
    "equity_usd_bn",
)

FLOW_TYPES: tuple[str, ...] = (
    "equity_investment",
    "compute_contract",
    "chip_purchase",
    "lease",
    "debt_financing",
    "capacity_backstop",
    "revenue_share",
    "warrant",
    "acquisition",
    "other",
)
"""Allowed ``flow_type`` values."""

INVESTMENT_FLOW_TYPES: frozenset[str] = frozenset(
    {"equity_investment", "debt_financing", "warrant", "acquisition"}
)
"""Flow types where the payer acquires a claim on the payee (equity, debt, warrants)."""

COMMERCIAL_FLOW_TYPES: frozenset[str] = frozenset(
    {"compute_contract", "chip_purchase", "lease", "capacity_backstop", "revenue_share", "other"}
)
"""Flow types where the payer buys goods or services: revenue for the payee."""

STATUSES: tuple[str, ...] = ("rumored", "announced", "committed", "disbursed")
"""Allowed ``status`` values, weakest first."""

CONFIDENCES: tuple[str, ...] = ("low", "medium", "high")
"""Allowed ``confidence`` values, weakest first."""

SOURCE_KINDS: tuple[str, ...] = ("filing", "company", "wire_or_major", "trade_press", "secondary")
"""Allowed ``source_kind`` values, firmest first: a regulator's filing, the company's own
release, a wire service or major paper, the trade press, secondary sites (aggregators, blogs)."""

FIRM_SOURCE_KINDS: frozenset[str] = frozenset({"filing", "company"})
"""Source kinds that are the parties' own word (a filing or the company's release): money on
any other source is *press-only*."""

BIS_CATEGORIES: tuple[str, ...] = (
    "investor_is_customer_or_supplier",
    "supplier_finances_customer",
    "customer_finances_supplier",
)
"""Allowed ``bis_category`` values: the kinds of circular relationship of BIS Bulletin 137."""

COMPANY_KINDS: tuple[str, ...] = (
    "chipmaker",
    "ai_lab",
    "hyperscaler",
    "neocloud",
    "investor",
    "datacenter_developer",
    "financier",
    "spv",
    "other",
)
"""Allowed company ``kind`` values; companies missing from the table get ``"unknown"``."""

SCENARIOS: tuple[str, ...] = ("base", "low", "high")
"""Amount scenarios."""

REVENUE_SHARE_COLUMNS: tuple[str, ...] = (
    "company", "counterparty", "share", "period", "as_of", "source_url", "source_kind", "notes",
)
"""Columns of the optional ``revenue_shares`` table: the share (0-1) of ``company``'s revenue
that came from ``counterparty`` in ``period`` (free text such as ``2024``, ``2025-Q2``,
``FY2026-Q2``), the period's last day in ``as_of``."""

REVENUE_PROJECTION_COLUMNS: tuple[str, ...] = (
    "company", "year", "revenue_usd_bn", "kind", "reported_on", "source_url", "source_kind",
    "notes",
)
"""Columns of the optional ``revenue_projections`` table: a company's revenue for a calendar
or fiscal ``year`` (billions of USD), a ``projection`` or an ``actual``, as reported on
``reported_on``."""

PROJECTION_KINDS: tuple[str, ...] = ("projection", "actual")
"""Allowed ``kind`` values of the revenue projections table."""

_DATE_RE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")
"""A date as written: ASCII digits only (``\\d`` would take any script's digits, ``２０２５``
or ``٢٠٢٥``, which amounts refuse)."""


def is_blank(value: Any) -> bool:
    """True for a missing cell: None, NaN, ``pd.NA``/``NaT`` or a blank string.

    Examples
    --------
    >>> is_blank(" "), is_blank(float("nan")), is_blank("x")
    (True, True, False)
    """
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return True
    except ImportError:  # pragma: no cover
        pass
    return isinstance(value, str) and value.strip() == ""


def parse_date(value: Any) -> tuple[int, int | None, int | None] | None:
    """Parse a partial date into ``(year, month, day)`` keeping its precision.

    Parameters
    ----------
    value : str or None
        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; blank means no date.

    Returns
    -------
    tuple or None
        ``(year, month or None, day or None)``, or None when blank.

    Raises
    ------
    ValueError
        If the text is not one of the three forms or is not a real date.

    Examples
    --------
    >>> parse_date("2025-09")
    (2025, 9, None)
    """
    if is_blank(value):
        return None
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():  # a year read as a float
        text = text[:-2]
    m = _DATE_RE.match(text)
    if not m:
        raise ValueError(f"not a date of the form YYYY, YYYY-MM or YYYY-MM-DD: {text!r}")
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"month out of range in {text!r}")
    if day is not None:
        _dt.date(year, month, day)  # raises ValueError for an impossible day
    return year, month, day


def date_bounds(value: Any) -> tuple[_dt.date | None, _dt.date | None]:
    """First and last day a partial date may stand for.

    Examples
    --------
    >>> date_bounds("2025")
    (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    >>> date_bounds("2025-02")
    (datetime.date(2025, 2, 1), datetime.date(2025, 2, 28))
    """
    parsed = parse_date(value)
    if parsed is None:
        return None, None
    year, month, day = parsed
    if month is None:
        return _dt.date(year, 1, 1), _dt.date(year, 12, 31)
    if day is None:
        return _dt.date(year, month, 1), _dt.date(year, month, calendar.monthrange(year, month)[1])
    d = _dt.date(year, month, day)
    return d, d


def to_float(value: Any) -> float:
    """``value`` as a float; NaN when it is missing or not a number (the one reading of a
    number cell or attribute that may be blank).

    Examples
    --------
    >>> to_float("2.5"), to_float(None), to_float(""), to_float("n/a")
    (2.5, nan, nan, nan)
    """
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def scenario_amount(amount: Any, low: Any, high: Any, scenario: str = "base") -> float:
    """The amount of one deal in a scenario, NaN when unknown.

    ``base`` is the reported figure, else the midpoint of a reported range (both ends needed);
    ``low`` is the low end, else the base; ``high`` the high end, else the base. The rule is
    :func:`scenario_amounts`', for one deal.

    Examples
    --------
    >>> scenario_amount(None, 2, 6)
    4.0
    >>> scenario_amount(10, None, 12, "high")
    12.0
    """
    return float(scenario_amounts([to_float(amount)], [to_float(low)], [to_float(high)], scenario).amount[0])


class ScenarioAmounts(NamedTuple):
    """Per-deal amounts of one scenario (arrays), from :func:`scenario_amounts`."""

    amount: Any
    """The scenario's amount, NaN when unknown."""
    low: Any
    """The low end, else the base amount."""
    high: Any
    """The high end, else the base amount."""
    midpoint: Any
    """The amount is the midpoint of a reported range (an estimate)."""


def scenario_amounts(amount: Any, low: Any, high: Any, scenario: str = "base", *,
                     reported_only: bool = False) -> ScenarioAmounts:
    """The amounts of many deals in a scenario: the rule of :func:`scenario_amount` on arrays.

    ``reported_only`` takes no midpoint: a deal reporting only a range has no base amount.

    Examples
    --------
    >>> r = scenario_amounts([None, 10], [2, None], [6, 12], "base")
    >>> r.amount.tolist(), r.high.tolist(), r.midpoint.tolist()
    ([4.0, 10.0], [6.0, 12.0], [True, False])
    """
    import numpy as np

    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; valid: {', '.join(SCENARIOS)}")
    a = np.asarray(amount, dtype=float)
    lo = np.asarray(low, dtype=float)
    hi = np.asarray(high, dtype=float)
    midpoint = np.isnan(a) & ~np.isnan(lo) & ~np.isnan(hi)
    base = a if reported_only else np.where(midpoint, (lo + hi) / 2, a)
    sc_low = np.where(np.isnan(lo), base, lo)
    sc_high = np.where(np.isnan(hi), base, hi)
    chosen = {"base": base, "low": sc_low, "high": sc_high}[scenario]
    return ScenarioAmounts(chosen, sc_low, sc_high,
                           midpoint & (scenario == "base") & (not reported_only))


def status_rank(status: str) -> int:
    """Rank of a status, 0 for the weakest (``rumored``).

    Examples
    --------
    >>> status_rank("committed") > status_rank("announced")
    True
    """
    return STATUSES.index(status)


def confidence_rank(confidence: str) -> int:
    """Rank of a confidence level, 0 for ``low``.

    Examples
    --------
    >>> confidence_rank("high")
    2
    """
    return CONFIDENCES.index(confidence)


def split_ids(value: Any) -> tuple[str, ...]:
    """Split a ``;``-separated list of deal ids.

    Examples
    --------
    >>> split_ids("A; B")
    ('A', 'B')
    """
    if is_blank(value):
        return ()
    return tuple(p.strip() for p in str(value).replace(",", ";").split(";") if p.strip())


def parse_bool(value: Any) -> bool | None:
    """Read a yes/no cell; None when blank or not a boolean word.

    Examples
    --------
    >>> parse_bool("yes"), parse_bool("FALSE"), parse_bool("")
    (True, False, None)
    """
    if isinstance(value, bool):
        return value
    if is_blank(value):
        return None
    text = str(value).strip().lower()
    if text in {"true", "yes", "y", "1", "t", "1.0"}:
        return True
    if text in {"false", "no", "n", "0", "f", "0.0"}:
        return False
    return None


def count_noun(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` with the noun in the right number, for messages (``1 deal``, ``3 deals``).

    Examples
    --------
    >>> count_noun(1, "deal"), count_noun(26, "deal"), count_noun(2, "company", "companies")
    ('1 deal', '26 deals', '2 companies')
    """
    word = singular if n == 1 else (plural or singular + "s")
    return f"{n:,} {word}"


def parse_status_dates(value: Any, status: str | None = None) -> tuple[tuple[str, str], ...]:
    """Read a ``status_dates`` cell: the dated history of a deal's status.

    Parameters
    ----------
    value : str or None
        ``status@date`` entries separated by ``;``, in time order, e.g.
        ``announced@2025-09-22;disbursed@2025-12-26``; blank means no history.
    status : str, optional
        The row's ``status``: the last entry must be this status.

    Returns
    -------
    tuple of (status, date) pairs
        Empty when blank. Dates keep their precision.

    Raises
    ------
    ValueError
        An entry that is not ``status@date``, an unknown status, an unreadable date, entries
        out of time order, or a last entry other than ``status``.

    Examples
    --------
    >>> parse_status_dates("announced@2025-09;committed@2025-10-06", "committed")
    (('announced', '2025-09'), ('committed', '2025-10-06'))
    """
    if is_blank(value):
        return ()
    out: list[tuple[str, str]] = []
    prev: tuple[Any, Any] | None = None
    for part in str(value).split(";"):
        part = part.strip()
        if not part:
            continue
        st, sep, date = (x.strip() for x in part.partition("@"))
        if not sep or not st or not date:
            raise ValueError(f"entry {part!r} is not status@date (e.g. committed@2025-10-06)")
        if st not in STATUSES:
            raise ValueError(f"unknown status {st!r} in {part!r}; valid: {', '.join(STATUSES)}")
        try:
            bounds = date_bounds(date)
        except ValueError:
            raise ValueError(f"date {date!r} in {part!r} is not YYYY, YYYY-MM or YYYY-MM-DD") from None
        if prev is not None and bounds[1] < prev[0]:
            raise ValueError(f"entries out of time order: {part!r} comes before {out[-1][0]}@{out[-1][1]}")
        prev = bounds
        out.append((st, date))
    if not out:
        return ()
    if status is not None and out[-1][0] != status:
        raise ValueError(f"the last entry is {out[-1][0]!r} but the row's status is {status!r}")
    return tuple(out)
