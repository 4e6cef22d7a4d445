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


class GraphView:
    """An interactive graph shown inline in a notebook (Jupyter, VS Code).

    The page of :func:`flowgraph.to_html` sits in an ``<iframe srcdoc>``: everything is inline
    (no file, no server, no network), so it works offline wherever a notebook shows HTML,
    where pyvis's own notebook mode needs files next to the notebook.

    Attributes
    ----------
    html : str
        The whole page.
    height : int
        Height of the frame in pixels.

    Examples
    --------
    >>> v = GraphView("<p>a & b</p>", height=300)
    >>> v._repr_html_()[:45]
    '<iframe srcdoc="&lt;p&gt;a &amp; b&lt;/p&gt;"'
    """

    def __init__(self, html_page: str, height: int = 640) -> None:
        self.html = html_page
        self.height = int(height)

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
                f'style="width:100%;height:{self.height}px;border:0" '
                'sandbox="allow-scripts allow-popups"></iframe>')

    def save(self, path: Any) -> None:
        """Write the page to a file."""
        from pathlib import Path

        Path(path).write_text(self.html, encoding="utf-8")


def show(G: Any, *, height: int = 640, **options: Any) -> GraphView:
    """The interactive graph of ``G`` for a notebook cell (displays itself).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Deal graph from :func:`flowgraph.build_graph`.
    height : int
        Height in pixels.
    **options
        Passed to :func:`flowgraph.to_html` (``max_nodes``, ``top``, ``through``, ...).

    Returns
    -------
    GraphView
        Displays itself in Jupyter and VS Code (``_repr_html_``); ``.html`` is the page.

    Examples
    --------
    >>> import flowgraph as fg
    >>> v = fg.show(fg.build_graph(fg.load_dataset("toy")))
    >>> v._repr_html_().startswith("<iframe srcdoc=")
    True
    """
    from .html import to_html

    return GraphView(to_html(G, None, **options), height=height)
