"""One story as a picture: a static SVG and PNG of one loop or one company's neighbourhood.

:func:`figure` draws the companies as labelled dots and each payer -> payee pair as an arrow
with its amount (``est.`` when the amount is an estimate or a range's midpoint, "undisclosed"
when unknown) and a footnote number for its sources; the line style gives the weakest status
(solid: paid or committed, dashed: only announced, dotted: rumored). A legend, the sources
as footnotes and the view's date (an as-of view's, then the data's) are part of the picture,
which is sized for an article column (6.5 inches wide). Labels are placed so that no two text
boxes overlap; the result lists every text box so that this can be checked.
"""
from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from . import schema
from .errors import ParameterError

__all__ = ["FigureResult", "figure"]

WIDTH_IN = 6.5
"""Width of the picture in inches (an article column)."""

_STYLE = {  # weakest status -> (line style, colour, legend words)
    "disbursed": ("-", "#1F5FA8", "paid"),
    "committed": ("-", "#4A90C8", "committed, not yet paid"),
    "announced": ("--", "#C98A12", "only announced"),
    "rumored": (":", "#888888", "rumored"),
}


@dataclass(frozen=True)
class FigureResult:
    """The picture written and what is in it.

    Attributes
    ----------
    paths : tuple of pathlib.Path
        The files written (``.svg`` and ``.png``).
    title : str
    labels : tuple of str
        Every text drawn (company names, amounts, legend, footnotes, title, notes).
    text_boxes : tuple of (float, float, float, float)
        The box of every text in the picture, in pixels ``(x0, y0, x1, y1)``, same order as
        ``labels``.
    sources : tuple of str
        The footnoted source URLs, in footnote order.
    notes : tuple of str
        What was left out (pairs beyond ``max_pairs``) and how amounts read.

    Examples
    --------
    >>> import flowgraph as fg, tempfile, os
    >>> G = fg.build_graph(fg.load_dataset("toy"))
    >>> r = fg.figure(G, loop=["ChipCo", "LeaseCo"], path=os.path.join(tempfile.mkdtemp(), "f"))
    >>> sorted(p.suffix for p in r.paths)
    ['.png', '.svg']
    """

    paths: tuple[Path, ...]
    title: str
    labels: tuple[str, ...]
    text_boxes: tuple[tuple[float, float, float, float], ...]
    sources: tuple[str, ...]
    notes: tuple[str, ...]

    def _repr_html_(self) -> str:
        import html

        svg = next((p for p in self.paths if p.suffix == ".svg"), None)
        if svg is None:
            return f"<p>{html.escape(self.title)}</p>"
        return svg.read_text(encoding="utf-8")


def _loop_names(G: nx.Graph, loop: str | Sequence[str]) -> list[str]:
    from .graph import check_company

    parts = ([p.strip() for p in loop.replace("->", ">").split(">")] if isinstance(loop, str)
             else [str(p) for p in loop])
    parts = [p for p in parts if p]
    if len(parts) > 1 and parts[0] == parts[-1]:
        parts = parts[:-1]
    if len(parts) < 2:
        raise ParameterError("a loop needs at least two companies, as 'A>B' or 'A>B>C'")
    names = [check_company(G, p) for p in parts]
    for a, b in zip(names, names[1:] + names[:1]):
        if not G.has_edge(a, b):
            raise ParameterError(f"no deal {a} -> {b} in the data: {' > '.join(names)} is not a "
                                 "loop of it")
    return names


def _pairs(G: nx.MultiDiGraph, edges: list[tuple[Any, Any]]) -> list[dict[str, Any]]:
    out = []
    for u, v in edges:
        datas = list(G.get_edge_data(u, v).values()) if G.is_multigraph() else [G[u][v]]
        known = [d for d in datas if d.get("amount_known", True)
                 and not math.isnan(float(d.get("amount", math.nan)))]
        amount = sum(float(d["amount"]) for d in known) if known else math.nan
        statuses = [d.get("status") for d in datas if d.get("status") in schema.STATUSES]
        weakest = min(statuses, key=schema.STATUSES.index) if statuses else "committed"
        out.append({
            "payer": u, "payee": v, "amount": amount, "n_unknown": len(datas) - len(known),
            "estimate": any(d.get("estimate") is True or d.get("midpoint") is True
                            for d in known),
            "status": weakest,
            "sources": sorted({str(d["source_url"]) for d in datas
                               if isinstance(d.get("source_url"), str) and d["source_url"]}),
        })
    return out


def _amount_text(p: dict[str, Any]) -> str:
    from .html import fmt_bn

    if math.isnan(p["amount"]):
        return "undisclosed"
    text = fmt_bn(p["amount"]) + (" est." if p["estimate"] else "")
    return text + (" +undisclosed" if p["n_unknown"] else "")


def _overlap(a: Any, b: Any) -> bool:
    return not (a.x1 <= b.x0 or b.x1 <= a.x0 or a.y1 <= b.y0 or b.y1 <= a.y0)


def figure(
    G: nx.MultiDiGraph,
    *,
    loop: str | Sequence[str] | None = None,
    rank: int | None = None,
    company: str | None = None,
    hops: int = 1,
    path: str | Path = "flowgraph-figure",
    formats: Sequence[str] = ("svg", "png"),
    max_pairs: int = 16,
    title: str | None = None,
) -> FigureResult:
    """Draw one loop, or one company's neighbourhood, as a static picture.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Deal graph from :func:`flowgraph.build_graph` (its filters, such as
        ``reported_only``, are the picture's). Not modified.
    loop : str or list of str, optional
        The companies of the loop in payment order, ``"A>B>C"`` or a list.
    rank : int, optional
        The loop of this rank (1-based) in :func:`flowgraph.find_cycles` order (shortest
        first, as ``flowgraph cycles`` lists them).
    company : str, optional
        Draw this company, its counterparties up to ``hops`` away and the deals among them.
    hops : int
        Reach of ``company``.
    path : str or pathlib.Path
        File path without suffix (a ``.svg``/``.png`` suffix is replaced); one file per
        format is written.
    formats : list of str
        ``"svg"`` and/or ``"png"``.
    max_pairs : int
        Most payer -> payee arrows in a neighbourhood (the largest; the rest are named in
        ``notes``).
    title : str, optional
        Heading (default: the loop's sentence, or the company's name).

    Returns
    -------
    FigureResult

    Raises
    ------
    ParameterError
        When none or more than one of ``loop``, ``rank``, ``company`` is given, or the loop is
        not in the data.
    UnknownCompanyError
        For a name not in ``G``.

    Examples
    --------
    >>> import flowgraph as fg, tempfile, os
    >>> G = fg.build_graph(fg.load_dataset("toy"))
    >>> r = figure(G, rank=1, path=os.path.join(tempfile.mkdtemp(), "loop"))
    >>> r.title.startswith("ChipCo")
    True
    """
    if sum(x is not None for x in (loop, rank, company)) != 1:
        raise ParameterError("give exactly one of loop, rank or company")
    bad = set(formats) - {"svg", "png"}
    if bad or not formats:
        raise ParameterError(f"formats are 'svg' and 'png', got {sorted(bad) or 'none'}")
    if rank is not None:
        loop = _loop_of_rank(G, rank)
    layout = (_loop_layout(G, loop, title) if loop is not None else
              _neighbourhood_layout(G, company, hops=hops, max_pairs=max_pairs, title=title))
    pairs = _pairs(layout.graph, layout.edges)
    sources = _footnote_sources(pairs)
    sub_lines, foot_lines = _caption_lines(G, layout.sentence, sources, layout.notes)
    drawing = _draw(layout, pairs, sub_lines, foot_lines)
    renderer = _place_labels(drawing)
    boxes = ([_box(t, renderer) for t in drawing.texts]
             + [drawing.legend.get_window_extent(renderer)])
    labels = [t.get_text().replace("\\$", "$") for t in drawing.texts] + [
        " ".join(h.get_label() for h in drawing.handles)]
    out_paths = _save_figure(drawing.fig, path, formats)
    from .charts import _plt

    _plt().close(drawing.fig)
    return FigureResult(tuple(out_paths), layout.heading, tuple(labels),
                        tuple((b.x0, b.y0, b.x1, b.y1) for b in boxes), tuple(sources),
                        tuple(layout.notes))


@dataclass(frozen=True)
class _Layout:
    """What one picture draws: the deal graph the pairs come from, the payer -> payee pairs,
    where each company sits, the heading, the loop's sentence and notes."""

    graph: nx.MultiDiGraph
    edges: list[tuple[Any, Any]]
    pos: dict[Any, tuple[float, float]]
    heading: str
    sentence: str | None
    notes: list[str]


def _loop_of_rank(G: nx.MultiDiGraph, rank: int) -> list[str]:
    """The companies of the loop of this rank, shortest loops first (as `flowgraph cycles`)."""
    from .cycles import find_cycles

    if rank < 1:
        raise ParameterError(f"rank starts at 1, got {rank}")
    res = find_cycles(G, limit=rank, sort="length")
    if len(res.cycles) < rank:
        raise ParameterError(f"only {schema.count_noun(res.n_found, 'loop')} found; rank "
                             f"{rank} does not exist")
    return list(res.cycles["companies"].iloc[rank - 1])


def _loop_layout(G: nx.MultiDiGraph, loop: str | Sequence[str], title: str | None) -> _Layout:
    """A loop's companies on a circle in payment order, first on top, with its sentence."""
    from .cycles import find_cycles

    names = _loop_names(G, loop)
    edges = list(zip(names, names[1:] + names[:1]))
    res = find_cycles(G, through=names, max_length=len(names), limit=None)
    match = res.cycles[res.cycles["companies"].map(
        lambda c: set(c) == set(names) and len(c) == len(names))]
    sentence = None
    for row in match.itertuples():
        cyc = list(row.companies)
        k = cyc.index(names[0])
        if cyc[k:] + cyc[:k] == names:
            sentence = str(row.description)
    n = len(names)
    pos = {c: (math.cos(math.pi / 2 - 2 * math.pi * i / n),
               math.sin(math.pi / 2 - 2 * math.pi * i / n)) for i, c in enumerate(names)}
    if n == 2:
        pos = {names[0]: (-1.0, 0.0), names[1]: (1.0, 0.0)}
    return _Layout(G, edges, pos, title or " -> ".join([*names, names[0]]), sentence, [])


def _neighbourhood_layout(G: nx.MultiDiGraph, company: str, *, hops: int, max_pairs: int,
                          title: str | None) -> _Layout:
    """A company in the centre and its counterparties on rings, one ring per hop, with the
    ``max_pairs`` largest pairs that lead out ring by ring."""
    from .selection import select_companies

    H = select_companies(G, around=company, hops=hops)
    centre = H.graph["filters"]["around"][0]
    dist = nx.single_source_shortest_path_length(nx.Graph(H.to_undirected()), centre)
    # the deals that lead out from the company ring by ring (not those within a ring)
    ring_edges = {(u, v) for u, v in H.edges()
                  if u != v and abs(dist.get(u, 0) - dist.get(v, 0)) == 1}
    pairs_all = _pairs(H, sorted(ring_edges, key=str))
    pairs_all.sort(key=lambda p: (-(p["amount"] if not math.isnan(p["amount"]) else -1),
                                  str(p["payer"]), str(p["payee"])))
    kept = pairs_all[:max_pairs]
    notes = []
    if len(pairs_all) > max_pairs:
        left = schema.count_noun(len(pairs_all) - max_pairs, "smaller payer -> payee pair")
        notes.append(f"{left} not drawn (the {max_pairs} largest are).")
    edges = [(p["payer"], p["payee"]) for p in kept]
    names = sorted({n for e in edges for n in e} | {centre}, key=str)
    rings: dict[int, list[str]] = {}
    for c in names:
        rings.setdefault(dist.get(c, hops), []).append(c)
    pos = {centre: (0.0, 0.0)}
    for r, members in sorted(rings.items()):
        if r == 0:
            continue
        members = sorted(members, key=str)
        for i, c in enumerate(members):
            a = math.pi / 2 - 2 * math.pi * (i + 0.5 * (r - 1)) / len(members)
            pos[c] = (r * math.cos(a), r * math.sin(a))
    return _Layout(H, edges, pos, title or f"{centre} and its counterparties", None, notes)


def _footnote_sources(pairs: list[dict[str, Any]]) -> list[str]:
    """Number the source URLs in order of first use; each pair gets its footnote numbers."""
    sources: list[str] = []
    for p in pairs:
        p["refs"] = []
        for s in p["sources"]:
            if s not in sources:
                sources.append(s)
            p["refs"].append(sources.index(s) + 1)
    return sources


def _caption_lines(G: nx.MultiDiGraph, sentence: str | None, sources: Sequence[str],
                   notes: Sequence[str]) -> tuple[list[str], list[str]]:
    """The lines under the heading (the loop's sentence, the view's date, how amounts read)
    and the footnotes (numbered sources, then the notes)."""
    sub_parts = []
    if sentence:
        sub_parts.append(sentence)
    from .timeframe import view_date_words

    filt = G.graph.get("filters") or {}
    # the view's date (an as-of view says its date, then the data's), not the data's alone
    sub_parts.append(view_date_words(G) + "; amounts in USD, summed per payer -> payee"
                     + ("; reported amounts only" if filt.get("reported_only")
                        else "; est. = estimated or a range's midpoint") + ".")
    sub_lines = [ln for s in sub_parts for ln in textwrap.wrap(s, 105)]
    foot_lines = []
    for i, s in enumerate(sources, 1):
        foot_lines += textwrap.wrap(f"[{i}] {s}", 125, break_long_words=True,
                                    break_on_hyphens=False, subsequent_indent="     ")
    foot_lines += [ln for n in notes for ln in textwrap.wrap(n, 125)]
    return sub_lines, foot_lines or ["No source listed."]


@dataclass
class _Drawing:
    """The picture being made, with every text in it (amount labels also on their own)."""

    fig: Any
    texts: list[Any]
    amount_labels: list[Any]
    handles: list[Any]
    legend: Any


def _draw(layout: _Layout, pairs: list[dict[str, Any]], sub_lines: list[str],
          foot_lines: list[str]) -> _Drawing:
    """Lay out the heading, the graph, the legend and the footnotes, one above the other."""
    from .charts import _plain, _plt

    plt = _plt()
    pos = layout.pos
    xs = [x for x, _ in pos.values()]
    ys = [y for _, y in pos.values()]
    pad_x, pad_y = 0.85, 0.45
    span_x = max(xs) - min(xs) + 2 * pad_x
    span_y = max(ys) - min(ys) + 2 * pad_y
    graph_w = WIDTH_IN - 0.2
    graph_h = min(graph_w * span_y / span_x, 5.0)
    foot_h = 0.105 * len(foot_lines)  # a 5.5 pt DejaVu line is about 0.105 in
    foot_gap = 0.04 + 0.03 * foot_h  # clear of the legend, however many sources
    parts_in = [0.42, 0.13 * len(sub_lines) + 0.1, graph_h, 0.3, foot_gap + foot_h * 1.03 + 0.15]
    height = sum(parts_in)
    fig = plt.figure(figsize=(WIDTH_IN, height), dpi=100)
    top_graph = parts_in[0] + parts_in[1]
    ax = fig.add_axes((0.1 / WIDTH_IN, 1 - (top_graph + graph_h) / height,
                       graph_w / WIDTH_IN, graph_h / height))
    ax.set_axis_off()
    ax.set_xlim(min(xs) - pad_x, max(xs) + pad_x)
    ax.set_ylim(min(ys) - pad_y, max(ys) + pad_y)
    texts = _draw_companies(ax, pos)
    amount_labels = _draw_arrows(ax, pos, pairs)
    texts += amount_labels
    texts.append(fig.text(0.1 / WIDTH_IN, 1 - 0.12 / height, _plain(layout.heading),
                          fontsize=11, weight="bold", va="top"))
    texts.append(fig.text(0.1 / WIDTH_IN, 1 - parts_in[0] / height,
                          _plain("\n".join(sub_lines)), fontsize=7, va="top", color="#333333"))
    legend_y = 1 - (top_graph + graph_h + parts_in[3]) / height
    handles, leg = _draw_legend(fig, pairs, legend_y)
    texts.append(fig.text(0.1 / WIDTH_IN, legend_y - foot_gap / height,
                          _plain("\n".join(foot_lines)), fontsize=5.5, va="top",
                          color="#333333", family="DejaVu Sans"))
    return _Drawing(fig, texts, amount_labels, handles, leg)


def _draw_companies(ax: Any, pos: dict[Any, tuple[float, float]]) -> list[Any]:
    """A dot per company with its name above (below for the lower half)."""
    from .charts import _plain

    texts: list[Any] = []
    for c, (x, y) in pos.items():
        ax.plot([x], [y], "o", ms=11, color="#333333", zorder=3)
        dy = 0.16 if y >= 0 else -0.16
        texts.append(ax.text(x, y + dy, _plain(str(c)), ha="center",
                             va="bottom" if y >= 0 else "top", fontsize=9, weight="bold",
                             zorder=4))
    return texts


def _draw_arrows(ax: Any, pos: dict[Any, tuple[float, float]],
                 pairs: list[dict[str, Any]]) -> list[Any]:
    """An arrow per pair, styled by its weakest status, with its amount and footnotes."""
    from matplotlib.patches import FancyArrowPatch

    from .charts import _plain

    pair_set = {(p["payer"], p["payee"]) for p in pairs}
    label_texts = []
    for p in pairs:
        (x0, y0), (x1, y1) = pos[p["payer"]], pos[p["payee"]]
        both = (p["payee"], p["payer"]) in pair_set
        rad = 0.25 if both else 0.08
        ls, color, _ = _STYLE.get(p["status"], _STYLE["committed"])
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=12,
                                     connectionstyle=f"arc3,rad={rad}", shrinkA=9, shrinkB=9,
                                     linestyle=ls, color=color, lw=1.6, zorder=2))
        refs = "".join(f"[{i}]" for i in p["refs"])
        # midpoint of the arc, pushed outwards from the straight line (as arc3 bends it)
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        dx, dy = x1 - x0, y1 - y0
        nx_, ny_ = dy, -dx
        label = ax.text(mx + rad * nx_ / 2, my + rad * ny_ / 2,
                        _plain(f"{_amount_text(p)} {refs}".strip()), ha="center", va="center",
                        fontsize=7.5, color="#222222", zorder=5,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                              "alpha": 0.9})
        label._fg_edge = (x0, y0, x1, y1, rad)  # type: ignore[attr-defined]
        label_texts.append(label)
    return label_texts


def _draw_legend(fig: Any, pairs: list[dict[str, Any]], legend_y: float
                 ) -> tuple[list[Any], Any]:
    """The line styles of the statuses drawn."""
    from matplotlib.lines import Line2D

    used = sorted({p["status"] for p in pairs}, key=lambda s: list(_STYLE).index(s)
                  if s in _STYLE else 9)
    handles = [Line2D([0], [0], color=_STYLE[s][1], ls=_STYLE[s][0], lw=1.6,
                      label=_STYLE[s][2]) for s in used if s in _STYLE]
    leg = fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.02, legend_y),
                     ncol=max(1, len(handles)), fontsize=7, frameon=False,
                     borderaxespad=0.0, title="weakest status of the deals on an arrow:",
                     title_fontsize=7, alignment="left")
    return handles, leg


def _box(t: Any, renderer: Any) -> Any:
    """The box of a text in pixels, with a small margin."""
    return t.get_window_extent(renderer=renderer).expanded(1.02, 1.05)


def _place_labels(d: _Drawing) -> Any:
    """Slide each amount label along its arc until no two text boxes overlap; returns the
    renderer of the final drawing."""
    d.fig.canvas.draw()
    renderer = d.fig.canvas.get_renderer()

    def box(t: Any) -> Any:
        return _box(t, renderer)

    for lab in d.amount_labels:
        x0, y0, x1, y1, rad = lab._fg_edge
        others = [box(t) for t in d.texts if t is not lab]
        if not any(_overlap(box(lab), o) for o in others):
            continue
        for t in (0.35, 0.65, 0.25, 0.75, 0.42, 0.58):
            dx, dy = x1 - x0, y1 - y0
            bend = 4 * t * (1 - t) * rad / 2
            lab.set_position((x0 + t * dx + bend * dy, y0 + t * dy - bend * dx))
            if not any(_overlap(box(lab), o) for o in others):
                break
    d.fig.canvas.draw()
    return renderer


def _save_figure(fig: Any, path: str | Path, formats: Sequence[str]) -> list[Path]:
    """One file per format beside ``path`` (its .svg/.png suffix replaced), without dates."""
    from ._files import atomic_path

    out_paths = []
    base = Path(path)
    if base.suffix.lower() in (".svg", ".png"):
        base = base.with_suffix("")
    base.parent.mkdir(parents=True, exist_ok=True)
    for fmt in formats:
        target = base.with_suffix(f".{fmt}")
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=fmt, dpi=200 if fmt == "png" else 100,
                        metadata={"Software": None} if fmt == "png" else {"Date": None,
                                                                          "Creator": None})
        out_paths.append(target)
    return out_paths
