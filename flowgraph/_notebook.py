"""Small HTML views of results for notebooks (Jupyter, VS Code): ``_repr_html_`` helpers.

Every text is HTML-escaped; no script, no external resource, so the views work offline.
"""
from __future__ import annotations

import html
import math
from typing import Any

MAX_ROWS = 20
"""Rows a notebook view shows; the caption says when there are more."""


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:,.4g}" if abs(v) < 1000 else f"{v:,.0f}"
    if isinstance(v, (tuple, list)):
        return ", ".join(map(str, v))
    return str(v)


def frame_html(df: Any, *, caption: str | None = None, max_rows: int = MAX_ROWS) -> str:
    """A DataFrame as a small HTML table (first ``max_rows`` rows), escaped.

    Examples
    --------
    >>> import pandas as pd
    >>> frame_html(pd.DataFrame({"a": ["<b>"]}))[:7]
    '<table>'
    >>> "&lt;b&gt;" in frame_html(pd.DataFrame({"a": ["<b>"]}))
    True
    """
    n = len(df)
    shown = df.head(max_rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in rec) + "</tr>"
        for rec in shown.itertuples(index=False, name=None))
    more = f" (first {max_rows} of {n:,} rows)" if n > max_rows else ""
    cap = (f"<caption style='caption-side:top;text-align:left'>"
           f"{html.escape((caption or '') + more)}</caption>") if caption or more else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
