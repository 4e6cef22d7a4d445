"""How amounts read for people: the one money format of every human output.

Amounts are billions of US dollars. Terminal tables, Markdown, the HTML graph, the report,
loop sentences and figures all write money with :func:`money` (and ranges with
:func:`money_range`), so one page never shows "$5B" beside "$14bn". Machine formats (csv,
json) keep the full-precision numbers.

What a figure is, when it is not a reported amount, is marked by one rule too:
:data:`BOUND_MARKS` in front of a round trip that is a bound (``>=`` a floor, ``<=`` a cap,
``~`` neither), and :func:`basis_words` after a figure that rests on estimates (or range
midpoints) or on conditional amounts ("up to", milestones, letters of intent);
:func:`marked_money` writes both.
"""
from __future__ import annotations

import math
from typing import Any

__all__ = ["BOUND_MARKS", "basis_words", "marked_money", "money", "money_range", "whole"]

BOUND_MARKS: dict[str, str] = {"upper": "<= ", "lower": ">= ", "approximate": "~ "}
"""The mark in front of a figure that is a bound (``round_trip_bound`` of
:func:`flowgraph.find_cycles`): ``<=`` at most (some amount undisclosed), ``>=`` at least,
``~`` neither bound holds; an exact figure has none."""


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


def whole(x: Any) -> str:
    """A count or an index quoted in whole points (the HHI): rounded to the nearest whole
    number, never cut, with thousands separators; ``""`` when missing.

    Examples
    --------
    >>> whole(8184.94), whole(12), whole(float("nan"))
    ('8,185', '12', '')
    """
    if _nan(x):
        return ""
    return f"{round(float(x)):,}"


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


def basis_words(*, estimated: bool = False, conditional: bool = False) -> str:
    """What a figure rests on besides reported, unconditional amounts, in words:
    ``"estimated"``, ``"conditional"``, ``"estimated, conditional"`` or ``""``.

    The words of the ``round_trip_basis`` column of :func:`flowgraph.find_cycles` and of the
    mark :func:`marked_money` adds.

    Examples
    --------
    >>> basis_words(estimated=True, conditional=True), basis_words()
    ('estimated, conditional', '')
    """
    return ", ".join(w for w, on in (("estimated", estimated), ("conditional", conditional))
                     if on)


def marked_money(x: Any, bound: Any = "exact", basis: Any = "", *, fmt: Any = None,
                 unknown: str = "unknown") -> str:
    """A figure with what it is: its bound mark in front (:data:`BOUND_MARKS`) and its basis
    (:func:`basis_words`) after it, in brackets.

    Parameters
    ----------
    x : float
        The figure, billions of USD.
    bound : str
        ``"exact"``, ``"upper"``, ``"lower"``, ``"approximate"`` (blank or unknown: no mark).
    basis : str
        ``basis_words`` of the figure (blank: reported, unconditional amounts).
    fmt : callable, optional
        The number format (:func:`money` unless given; the terminal tables pass their own).
    unknown : str
        The text of a missing figure (never marked).

    Examples
    --------
    >>> marked_money(13.8, "lower"), marked_money(100, "exact", "conditional")
    ('>= $13.8bn', '$100bn (conditional)')
    >>> marked_money(26, "upper", basis_words(estimated=True))
    '<= $26bn (estimated)'
    >>> marked_money(float("nan"), "unknown")
    'unknown'
    """
    if _nan(x):
        return unknown
    text = (fmt or money)(x)
    mark = BOUND_MARKS.get(bound, "") if isinstance(bound, str) else ""
    words = basis if isinstance(basis, str) and basis.strip() else ""
    return mark + text + (f" ({words})" if words else "")


def sentences(*parts: str) -> str:
    """The non-blank parts joined with one space, each part followed by another ending in
    one full stop (added only where it has none; the last part keeps its own ending): the
    one joiner of the filters lines (the CLI's notes, the report's and the graph page's
    headers), so that no sentence ends in "..".

    Examples
    --------
    >>> sentences("data: toy", "As of 2025 (deals dated by then).", "", "Estimates are in.")
    'data: toy. As of 2025 (deals dated by then). Estimates are in.'
    >>> sentences("data: toy; scenario: base")
    'data: toy; scenario: base'
    """
    out = [p.strip() for p in parts if p and p.strip()]
    return " ".join([p if p.endswith((".", "!", "?")) else p + "." for p in out[:-1]]
                    + out[-1:])
