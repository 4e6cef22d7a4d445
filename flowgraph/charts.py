"""Static PNG charts for reports (matplotlib, Agg backend, imported only when drawing).

Each function takes data (a graph or a result table), writes one PNG and returns its path.
Charts never make up numbers: unknown amounts are left out of bars and the count of what was
left out is written under the chart.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from . import schema
from .errors import ParameterError

__all__ = ["bar_chart", "plot_commitments", "plot_cycles", "plot_flows", "plot_loops_over_time",
           "plot_money_over_time", "plot_null", "plot_timeline"]

_STATUS_COLORS = {
    "disbursed": "#1F5FA8",
    "committed": "#6BAED6",
    "announced": "#F2B447",
    "rumored": "#E0E0E0",
}


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # no timestamp or software version in the file, so that the same data gives the same bytes
    from ._files import atomic_path

    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, bbox_inches="tight", metadata={"Software": None})
    _plt().close(fig)
    return path


def _footnote(fig: Any, text: str, *, y: float = -0.05) -> None:
    """A grey note under the chart, wrapped to its width, drawn as plain text."""
    fig.text(0.01, y, _plain(text), fontsize=8, color="#555", ha="left", va="top", wrap=True)


def _plain(text: str) -> str:
    """Text drawn as written, never as mathtext (``$`` escaped)."""
    from .escape import matplotlib as plain

    return plain(text)


def plot_null(values: Sequence[float], observed: float, path: str | Path, *, title: str,
              xlabel: str, percent: bool = False, note: str | None = None) -> Path:
    """Histogram of a number over random (null) networks, with the observed value marked.

    Examples
    --------
    >>> import tempfile, os
    >>> p = plot_null([0.1, 0.2, 0.2, 0.3], 0.5, os.path.join(tempfile.mkdtemp(), "n.png"),
    ...               title="t", xlabel="x")
    >>> p.exists()
    True
    """
    vals = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    if not vals:
        raise ParameterError("no null values to draw")
    k = 100.0 if percent else 1.0
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8.2, 3.4))
    ax.hist([v * k for v in vals], bins=min(30, max(5, len(set(vals)))), color="#9EBCDA",
            edgecolor="white")
    if not math.isnan(float(observed)):
        ax.axvline(float(observed) * k, color="#C8313A", linewidth=2)
        ax.text(float(observed) * k, ax.get_ylim()[1] * 0.95,
                _plain(f" observed {observed * k:.1f}{'%' if percent else ''}"),
                color="#C8313A", va="top", fontsize=9)
    ax.set_xlabel(_plain(xlabel))
    ax.set_ylabel("random networks")
    ax.set_title(_plain(title), fontsize=11, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    if note:
        fig.text(0.01, -0.04, _plain(note), fontsize=8, color="#555555", ha="left", va="top",
                 wrap=True)
    return _save(fig, path)


def _short(label: str, n: int = 48) -> str:
    """A data label cut to ``n`` characters, drawn as plain text (never as mathtext)."""
    return _plain(label if len(label) <= n else label[: n - 1] + "…")


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    path: str | Path,
    *,
    title: str,
    xlabel: str,
    note: str | None = None,
    color: str = "#1F5FA8",
    percent: bool = False,
    upper_bounds: Sequence[bool] | None = None,
) -> Path:
    """Horizontal bar chart, first label on top; NaN values are left out and noted.

    Bars flagged in ``upper_bounds`` are only upper bounds (some amount undisclosed): they
    are drawn hatched and pale, labelled with "<=", and a note says so.

    Examples
    --------
    >>> import tempfile, os
    >>> p = bar_chart(["A", "B"], [2.0, 1.0], os.path.join(tempfile.mkdtemp(), "b.png"),
    ...               title="t", xlabel="x")
    >>> p.exists()
    True
    """
    if len(labels) != len(values):
        raise ParameterError("labels and values must have the same length")
    flags = list(upper_bounds) if upper_bounds is not None else [False] * len(labels)
    if len(flags) != len(labels):
        raise ParameterError("upper_bounds must have one flag per label")
    kept = [(str(lab), float(v), bool(f)) for lab, v, f in zip(labels, values, flags)
            if v is not None and not math.isnan(float(v))]
    pairs = [(lab, v) for lab, v, _ in kept]
    bound = [f for _, _, f in kept]
    left_out = len(labels) - len(pairs)
    plt = _plt()
    height = 1.4 + 0.38 * max(len(pairs), 1)
    fig, ax = plt.subplots(figsize=(8.2, height))
    ys = list(range(len(pairs)))[::-1]
    vals = [v * 100 if percent else v for _, v in pairs]
    bars = ax.barh(ys, vals, color=color, height=0.62)
    for bar, is_bound in zip(bars, bound):
        if is_bound:
            bar.set_alpha(0.45)
            bar.set_hatch("///")
    ax.set_yticks(ys, [_short(lab) for lab, _ in pairs], fontsize=9)
    ax.set_xlabel(_plain(xlabel))
    ax.set_title(_plain(title), fontsize=11, loc="left")
    vmax = max(vals) if vals else 1.0
    for y, v, is_bound in zip(ys, vals, bound):
        text = f"{v:.0f}%" if percent else (f"{v:,.1f}" if v < 100 else f"{v:,.0f}")
        ax.text(v + vmax * 0.01, y, ("<= " if is_bound else "") + text, va="center",
                fontsize=8.5)
    ax.set_xlim(0, vmax * 1.15 if vmax > 0 else 1)
    ax.spines[["top", "right"]].set_visible(False)
    notes = [note] if note else []
    if any(bound):
        notes.append("Hatched bars marked <= are upper bounds: some amounts are undisclosed.")
    if left_out:
        notes.append(f"{schema.count_noun(left_out, 'item')} with unknown value left out.")
    if not pairs:
        notes.append("Nothing to show.")
    if notes:
        _footnote(fig, " ".join(notes))
    return _save(fig, path)


def plot_cycles(cycles: pd.DataFrame, path: str | Path, *, top: int = 10,
                value: str = "round_trip", label: str = "path") -> Path:
    """Bar chart of the largest cycles by the money that can go round them once.

    Parameters
    ----------
    cycles : pandas.DataFrame
        A cycles table with a ``value`` column (billions of USD) and a ``label`` column.
    path : str or Path
        PNG file to write.
    top : int
        How many cycles to draw: the ``top`` largest by ``value`` (the chart sorts the
        table itself, so its title is true whatever order it is given in; unknown last).

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> t = pd.DataFrame({"path": ["A -> B -> A"], "round_trip": [3.0]})
    >>> plot_cycles(t, os.path.join(tempfile.mkdtemp(), "c.png")).suffix
    '.png'
    """
    if top < 1:
        raise ParameterError("top must be at least 1")
    for col in (value, label):
        if col not in cycles.columns:
            raise ParameterError(f"cycles table has no column {col!r}")
    t = cycles.sort_values(value, ascending=False, na_position="last", kind="stable").head(top)
    upper = (t["round_trip_is_upper_bound"].fillna(False).astype(bool).tolist()
             if "round_trip_is_upper_bound" in t.columns else None)
    return bar_chart(
        [str(x) for x in t[label]],
        [float(x) for x in t[value]],
        path,
        title="Largest cycles: most money that can go round once (USD bn)",
        xlabel="USD bn (smallest deal on the loop)",
        color="#C8313A",
        upper_bounds=upper,
    )


def plot_flows(G: nx.MultiDiGraph, path: str | Path, *, weight: str = "amount") -> Path:
    """Stacked bars of known money by flow type, split by status (disbursed ... rumored).

    Examples
    --------
    >>> import networkx as nx, tempfile, os
    >>> M = nx.MultiDiGraph()
    >>> _ = M.add_edge("A", "B", key="d", amount=2.0, flow_type="lease", status="committed")
    >>> plot_flows(M, os.path.join(tempfile.mkdtemp(), "f.png")).exists()
    True
    """
    sums: dict[str, dict[str, float]] = {}
    unknown = 0
    for _u, _v, d in G.edges(data=True):
        a = schema.to_float(d.get(weight, math.nan))
        if math.isnan(a):
            unknown += 1
            continue
        ft = str(d.get("flow_type") or "other")
        st = str(d.get("status") or "committed")
        sums.setdefault(ft, {}).setdefault(st, 0.0)
        sums[ft][st] += a
    order = sorted(sums, key=lambda k: -sum(sums[k].values()))
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8.2, 1.4 + 0.42 * max(len(order), 1)))
    ys = list(range(len(order)))[::-1]
    left = [0.0] * len(order)
    for st in ("disbursed", "committed", "announced", "rumored"):
        vals = [sums[k].get(st, 0.0) for k in order]
        if not any(vals):
            continue
        ax.barh(ys, vals, left=left, color=_STATUS_COLORS[st], label=st, height=0.62,
                edgecolor="white", linewidth=0.5)
        left = [a + b for a, b in zip(left, vals)]
    ax.set_yticks(ys, [_short(k.replace("_", " "), 10**6) for k in order], fontsize=9)
    ax.set_xlabel("USD bn (known amounts)")
    ax.set_title("Money by flow type and status", fontsize=11, loc="left", pad=24)
    ax.spines[["top", "right"]].set_visible(False)
    if order:
        ax.legend(fontsize=8, frameon=False, loc="lower left", bbox_to_anchor=(0.0, 1.0),
                  ncol=4, borderaxespad=0.2)
    if unknown:
        fig.text(0.01, -0.05, f"{schema.count_noun(unknown, 'deal')} of unknown amount not shown.",
                 fontsize=8, color="#555", ha="left", va="top")
    return _save(fig, path)


def plot_commitments(table: pd.DataFrame, path: str | Path, *, top: int = 12) -> Path:
    """Money each company has promised to pay but not yet paid, against its revenue.

    Parameters
    ----------
    table : pandas.DataFrame
        The table of :func:`flowgraph.concentration.commitments` (columns ``company``,
        ``commitments_out`` and ``revenue``, billions of USD, NaN when unknown).
    path : str or Path
        PNG file to write.
    top : int
        How many companies to draw, largest commitments first; companies whose revenue is
        unknown are named under the chart instead.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> t = pd.DataFrame({"company": ["A"], "commitments_out": [30.0], "revenue": [5.0]})
    >>> plot_commitments(t, os.path.join(tempfile.mkdtemp(), "c.png")).exists()
    True
    """
    for col in ("company", "commitments_out", "revenue"):
        if col not in table.columns:
            raise ParameterError(f"commitments table has no column {col!r}")
    t = table[table["commitments_out"].astype(float).fillna(0) > 0]
    t = t.sort_values(["commitments_out", "company"], ascending=[False, True], kind="stable")
    known = t[t["revenue"].astype(float).notna()].head(top)
    no_rev = [str(c) for c in t[t["revenue"].astype(float).isna()]["company"]]
    rows = [(str(r.company), float(r.commitments_out), float(r.revenue))
            for r in known.itertuples(index=False)]
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8.2, 1.6 + 0.55 * max(len(rows), 1)))
    ys = list(range(len(rows)))[::-1]
    h = 0.38
    ax.barh([y + h / 2 for y in ys], [r[1] for r in rows], height=h,
            color=_STATUS_COLORS["committed"], label="promised, not yet paid")
    ax.barh([y - h / 2 for y in ys], [r[2] for r in rows], height=h, color="#4B8B3B",
            label="annual revenue")
    ax.set_yticks(ys, [_short(r[0], 10**6) for r in rows], fontsize=9)
    ax.set_xlabel("USD bn")
    ax.set_title("Promised payments against revenue", fontsize=11, loc="left", pad=24)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2,
              borderaxespad=0.2)
    note = ("Promises are contract totals, often over several years; revenue is for one "
            "year. Unknown amounts are not counted.")
    if no_rev:
        note += (" Not shown (revenue unknown): " + ", ".join(no_rev[:8])
                 + (", …" if len(no_rev) > 8 else "."))
    _footnote(fig, note)
    return _save(fig, path)


# --------------------------------------------------------------------------- timeline charts
_FIRMNESS_STYLE = (  # firmest first: paid, committed, only announced, conditional
    ("paid", "paid", _STATUS_COLORS["disbursed"]),
    ("committed_unpaid", "committed, not yet paid", _STATUS_COLORS["committed"]),
    ("announced_only", "only announced or rumored", _STATUS_COLORS["announced"]),
    ("conditional", "conditional", "#C9A0DC"),
)


def _period_axis(ax: Any, labels: list[str]) -> None:
    step = max(1, len(labels) // 10)
    ax.set_xticks(range(0, len(labels), step),
                  [_short(labels[i], 12) for i in range(0, len(labels), step)],
                  rotation=45, ha="right", fontsize=8)


def _draw_money(ax: Any, periods: pd.DataFrame) -> None:
    for col, _, _ in _FIRMNESS_STYLE:
        if col not in periods.columns:
            raise ParameterError(f"timeline table has no column {col!r}")
    labels = [str(p) for p in periods["period"]]
    xs = list(range(len(labels)))
    ax.stackplot(xs, *[periods[c].astype(float).fillna(0).tolist() for c, _, _ in _FIRMNESS_STYLE],
                 labels=[lab for _, lab, _ in _FIRMNESS_STYLE],
                 colors=[col for _, _, col in _FIRMNESS_STYLE])
    _period_axis(ax, labels)
    ax.set_ylabel("USD bn")
    ax.set_title("Known money in the web, by firmness", fontsize=11, loc="left", pad=24)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=4,
              borderaxespad=0.2)


def _draw_loops(ax: Any, periods: pd.DataFrame, loops: pd.DataFrame, annotate: int) -> int:
    labels = [str(p) for p in periods["period"]]
    xs = list(range(len(labels)))
    ci = (periods["circularity_index"].astype(float) * 100).tolist()
    ax.plot(xs, ci, color="#B03A2E", lw=2, label="circularity index (%)")
    ax.set_ylabel("circularity index, %")
    ax2 = ax.twinx()
    ax2.step(xs, periods["loops"].astype(float).tolist(), where="mid", color="#555", lw=1.2,
             label="loops")
    ax2.set_ylabel("loops")
    _period_axis(ax, labels)
    ax.set_title("Circularity and loops as the web formed", fontsize=11, loc="left", pad=24)
    ax.spines[["top"]].set_visible(False)
    ax2.spines[["top"]].set_visible(False)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=8, frameon=False, loc="lower left",
              bbox_to_anchor=(0.0, 1.0), ncol=2, borderaxespad=0.2)
    pos = {p: i for i, p in enumerate(labels)}
    big = loops.dropna(subset=["round_trip"]).sort_values(
        ["round_trip", "order"], ascending=[False, True]).head(annotate).sort_values(
        "order") if len(loops) else loops
    k = 0
    for r in big.itertuples(index=False):
        x = pos.get(str(r.period))
        if x is None:
            continue
        y = ci[x] if not math.isnan(ci[x]) else 0.0
        # labels stacked in the empty upper left, each with a line to its period
        ax.annotate(_short(f"{r.period}: {r.closed_by} closes {r.loop}", 70), (x, y),
                    xytext=(0.02, 0.95 - 0.075 * k), textcoords="axes fraction", fontsize=7,
                    ha="left", va="top", color="#333",
                    arrowprops={"arrowstyle": "-", "color": "#bbb", "lw": 0.6})
        k += 1
    return k


def _timeline_note(periods: pd.DataFrame, n_labelled: int | None) -> str:
    n_unknown = int(periods["unknown_amounts"].iloc[-1]) if len(periods) else 0
    text = ("Each period shows the web as of its end (deals, tranches and statuses dated by "
            "then). Deals of unknown amount are not counted "
            f"({schema.count_noun(n_unknown, 'deal')} at the last period's end).")
    if n_labelled is not None:
        text += (f" Labelled: the deals that closed the {schema.count_noun(n_labelled, 'loop')}"
                 " with the largest round trip when they closed.")
    return text


def _timeline_panel(periods: pd.DataFrame, path: str | Path,
                    draw: Callable[[Any], int | None]) -> Path:
    """One timeline chart: ``draw`` fills the axes (and says how many loops it labelled),
    the note under it says how periods and unknown amounts read."""
    fig, ax = _plt().subplots(figsize=(8.2, 3.8))
    n_labelled = draw(ax)
    _footnote(fig, _timeline_note(periods, n_labelled), y=-0.08)
    return _save(fig, path)


def plot_money_over_time(periods: pd.DataFrame, path: str | Path) -> Path:
    """Stacked area of the known money by firmness, period by period (a timeline's
    :attr:`~flowgraph.timelines.TimelineResult.periods`).

    Examples
    --------
    >>> import tempfile, os, flowgraph as fg
    >>> t = fg.timeline(fg.load_dataset("toy"), freq="year")
    >>> plot_money_over_time(t.periods, os.path.join(tempfile.mkdtemp(), "m.png")).exists()
    True
    """
    return _timeline_panel(periods, path, lambda ax: _draw_money(ax, periods))


def plot_loops_over_time(periods: pd.DataFrame, loops: pd.DataFrame, path: str | Path, *,
                         annotate: int = 5) -> Path:
    """Circularity index and loop count period by period, with the deals that closed the
    ``annotate`` loops of largest round trip (when they closed) written on the chart.

    Examples
    --------
    >>> import tempfile, os, flowgraph as fg
    >>> t = fg.timeline(fg.load_dataset("toy"), freq="year")
    >>> plot_loops_over_time(t.periods, t.loops, os.path.join(tempfile.mkdtemp(), "l.png")).exists()
    True
    """
    return _timeline_panel(periods, path, lambda ax: _draw_loops(ax, periods, loops, annotate))


def plot_timeline(periods: pd.DataFrame, loops: pd.DataFrame, path: str | Path, *,
                  annotate: int = 5) -> Path:
    """Both timeline charts in one picture: money by firmness above, circularity index and
    loops (with the deals that closed the largest loops) below.

    Examples
    --------
    >>> import tempfile, os, flowgraph as fg
    >>> t = fg.timeline(fg.load_dataset("toy"), freq="year")
    >>> plot_timeline(t.periods, t.loops, os.path.join(tempfile.mkdtemp(), "t.png")).exists()
    True
    """
    plt = _plt()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8.2, 8.0))
    _draw_money(top, periods)
    k = _draw_loops(bottom, periods, loops, annotate)
    fig.tight_layout(h_pad=2.5)
    _footnote(fig, _timeline_note(periods, k), y=-0.01)
    return _save(fig, path)
