"""How amounts read for people: the one money format of every human output.

Amounts are billions of US dollars. Terminal tables, Markdown, the HTML graph, the report,
loop sentences and figures all write money with :func:`money` (and ranges with
:func:`money_range`), so one page never shows "$5B" beside "$14bn". Machine formats (csv,
json) keep the full-precision numbers.
"""
from __future__ import annotations

import math
from typing import Any

__all__ = ["money", "money_range"]


def _nan(x: Any) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def money(x: Any, *, unknown: str = "unknown") -> str:
    """An amount in billions of USD for people: ``$30bn``, ``$2.5bn``, ``$1.23tn``, ``$66.2m``.

    Three significant figures at most (whole billions from $100bn), millions under a
    billion, trillions from $1,000bn; ``unknown`` for a missing amount.

    Examples
    --------
    >>> money(30.0), money(2.5), money(1234.0), money(0.0662), money(float("nan"))
    ('$30bn', '$2.5bn', '$1.23tn', '$66.2m', 'unknown')
    >>> money(None, unknown="an undisclosed amount")
    'an undisclosed amount'
    """
    if _nan(x):
        return unknown
    v = float(x)
    sign = "-" if v < 0 else ""
    v = abs(v)
    if v >= 1000:
        return f"{sign}${v / 1000:.3g}tn"
    if v >= 100:
        return f"{sign}${v:,.0f}bn"
    if v >= 10:
        s = f"{v:.1f}".rstrip("0").rstrip(".")
    elif v >= 1:
        s = f"{v:.2f}".rstrip("0").rstrip(".")
    elif v == 0:
        return "$0"
    else:  # under a billion reads better in millions
        m = v * 1000
        s = f"{m:,.0f}" if m >= 100 else f"{m:.3g}"
        return f"{sign}${s}m"
    return f"{sign}${s}bn"


def money_range(low: Any, high: Any, *, unknown: str = "unknown") -> str:
    """A range of amounts, the unit written once when both ends share it: ``$34-96bn``.

    Examples
    --------
    >>> money_range(34, 96), money_range(0.3, 1.2), money_range(5, 5)
    ('$34-96bn', '$300m-1.2bn', '$5bn')
    """
    a, b = money(low, unknown=unknown), money(high, unknown=unknown)
    if a == b:
        return a
    for unit in ("tn", "bn", "m"):
        if a.endswith(unit) and b.endswith(unit) and a.startswith("$") and b.startswith("$"):
            return f"{a[:-len(unit)]}-{b[1:]}"
    return f"{a}-{b[1:] if b.startswith('$') else b}"
