"""Fitting a text table to the terminal: wrap text columns, then leave columns out.

A table wider than the terminal first leaves out URLs and the columns that matter least, then
wraps its text columns (and long headers at ``_``) onto more lines per row, then leaves out
columns from the right. A URL is never cut: it is shown whole or not at all. The caller
states which columns were left out and that ``--wide`` shows them.
"""
from __future__ import annotations

import os
import re
import sys
import textwrap

DEFAULT_WIDTH = 100
"""Width used when the output is not a terminal and ``COLUMNS`` is not set."""

LOW_PRIORITY: tuple[str, ...] = (
    "description", "source_title", "n_counterparties", "deal_ids", "statuses", "flow_types", "missing",
    "buffer_basis", "baseline_default", "round_hit", "paid_share", "unknown_counterparties",
    "revenue_as_of", "cash_as_of", "in time order", "confidence", "announced", "n_unknown",
    "n_unknown_at_risk", "n_unknown_owed", "revenue_usd_bn", "effective_n",
    "n_counterparties", "indirect_loss", "direct_loss", "exposure", "shocked",
)
"""Columns left out first (after URLs) when a table does not fit, in this order."""


def terminal_width() -> int:
    """``COLUMNS`` when set, else the terminal's width, else :data:`DEFAULT_WIDTH`."""
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        if sys.stdout.isatty():
            return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError, AttributeError):
        pass
    return DEFAULT_WIDTH


def _is_url_column(name: str, cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return "url" in name.lower() or (bool(filled) and all(
        c.startswith(("http://", "https://")) for c in filled))


def _header_tokens(h: str) -> list[str]:
    return re.findall(r"[^_ ]+[_ ]?|[_ ]", h) or [h]


def _wrap_header(h: str, w: int) -> list[str]:
    lines, cur = [], ""
    for tok in _header_tokens(h):
        if cur and len(cur + tok.rstrip()) > w:
            lines.append(cur.rstrip())
            cur = ""
        cur += tok
    lines.append(cur.rstrip())
    return lines


def _min_width(name: str, cells: list[str], numeric: bool) -> int:
    head = max(len(t.rstrip()) for t in _header_tokens(name))
    if numeric:
        return max([head, *(len(c) for c in cells)])
    longest_word = max([0, *(len(w) for c in cells for w in c.split())])
    return max(head, min(longest_word, 24), 6)


def fit(cols: list[str], rows: list[list[str]], numeric: list[bool],
        width: int | None) -> tuple[list[int], list[int], list[str]]:
    """Column widths that fit ``width``: ``(kept column positions, their widths, the names
    of the columns left out)``. ``width`` None keeps every column at its natural width."""
    n = len(cols)
    natural = [max([len(cols[j])] + [len(r[j]) for r in rows]) for j in range(n)]
    keep = list(range(n))
    widths = dict(enumerate(natural))
    if width is None:
        return keep, [natural[j] for j in keep], []
    urls = {j for j in range(n) if not numeric[j] and _is_url_column(cols[j], [r[j] for r in rows])}
    mins = {j: (natural[j] if j in urls else
                min(natural[j], _min_width(cols[j], [r[j] for r in rows], numeric[j])))
            for j in range(n)}
    dropped: list[str] = []

    def total() -> int:
        return sum(widths[j] for j in keep) + 2 * (len(keep) - 1)

    # first leave out URLs and the columns that matter least (rows stay one line each)
    spare = ([j for j in reversed(range(n)) if j in urls]
             + [j for name in LOW_PRIORITY for j in range(n) if cols[j] == name and j not in urls])
    for j in spare:
        if total() <= width or len(keep) <= 1:
            break
        if j in keep and j != keep[0]:
            keep.remove(j)
            dropped.append(cols[j])
    while total() > width:
        can = [j for j in keep if widths[j] > mins[j]]
        if can:
            j = max(can, key=lambda k: (widths[k] - mins[k] > 0, widths[k], -k))
            widths[j] -= 1
            continue
        if len(keep) <= 1:
            break
        order = ([j for j in reversed(keep) if j in urls]
                 + [j for name in LOW_PRIORITY for j in keep if cols[j] == name and j not in urls]
                 + [j for j in reversed(keep) if j != keep[0]])
        victim = order[0]
        keep.remove(victim)
        dropped.append(cols[victim])
        for j in keep:  # columns may widen back now that there is room
            widths[j] = natural[j]
    return keep, [widths[j] for j in keep], dropped


def layout(cols: list[str], rows: list[list[str]], numeric: list[bool],
           width: int | None) -> tuple[list[str], list[list[str]], list[str]]:
    """The table as text: header lines, each row's lines, and the columns left out."""
    keep, widths, dropped = fit(cols, rows, numeric, width)

    def cell_lines(text: str, j: int, w: int) -> list[str]:
        if len(text) <= w or numeric[j]:
            return [text]
        return textwrap.wrap(text, width=w, break_long_words=True,
                             break_on_hyphens=False) or [""]

    def join(groups: list[list[str]]) -> list[str]:
        height = max(len(g) for g in groups)
        out = []
        for i in range(height):
            parts = []
            for (j, w), g in zip(zip(keep, widths), groups):
                cell = g[i] if i < len(g) else ""
                parts.append(cell.rjust(w) if numeric[j] else cell.ljust(w))
            out.append("  ".join(parts).rstrip())
        return out

    head = join([_wrap_header(cols[j], w) if len(cols[j]) > w else [cols[j]]
                 for j, w in zip(keep, widths)])
    head.append("  ".join("-" * w for w in widths))
    body = [join([cell_lines(r[j], j, w) for j, w in zip(keep, widths)]) for r in rows]
    return head, body, dropped


def dropped_note(dropped: list[str]) -> str:
    """The sentence under a table that left columns out."""
    return (f"Not shown at this width: {', '.join(dropped)} (--wide shows every column)."
            if dropped else "")
