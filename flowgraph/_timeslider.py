"""The time slider of the HTML graph: per period, which arrows are drawn with what label, the
headline numbers and the loops then (precomputed from a timeline, so the page stays offline)."""
from __future__ import annotations

import math
from typing import Any

from . import schema


def _label(amount: float, n_unknown: int, estimate: bool) -> str:
    from .html import fmt_bn

    if amount != amount:  # nothing known
        return "?"
    return ("~" if estimate else "") + fmt_bn(amount) + ("+?" if n_unknown else "")


def _headline(row: Any) -> str:
    """One period's numbers in a sentence; the largest round trip marked as the report's
    table marks it (:func:`flowgraph.formatting.marked_money`: its bound, estimated,
    conditional)."""
    from .formatting import marked_money
    from .html import fmt_bn

    ci = row["circularity_index"]
    ci_text = "" if ci != ci else f"; circularity index {ci:.1%}"
    rt = row["largest_round_trip"]
    rt_text = ""
    if row["loops"] and rt == rt:
        rt_text = "; largest round trip " + marked_money(
            rt, row["largest_round_trip_bound"], row.get("largest_round_trip_basis", ""),
            fmt=fmt_bn)
    return (f"As of {row['period_end']}: {schema.count_noun(int(row['deals']), 'deal')} between "
            f"{schema.count_noun(int(row['companies']), 'company', 'companies')}, "
            f"{fmt_bn(row['known_money'])} of known money ({fmt_bn(row['paid'])} paid, "
            f"{fmt_bn(row['committed_unpaid'])} committed, not yet paid, "
            f"{fmt_bn(row['announced_only'])} only announced, {fmt_bn(row['conditional'])} "
            f"conditional); {schema.count_noun(int(row['loops']), 'loop')}{rt_text}{ci_text}.")


def slider_data(tl: Any, edge_ids: dict[tuple[str, str, bool], str],
                node_ids: dict[str, int]) -> dict[str, Any]:
    """Page data for the slider.

    Parameters
    ----------
    tl : TimelineResult
    edge_ids : dict
        ``(payer, payee, firm) -> vis edge id`` of the arrows drawn.
    node_ids : dict
        ``company -> vis node id`` of the companies drawn.
    """
    from .formatting import marked_money
    from .html import fmt_bn

    by_pair: dict[tuple[str, str], list[str]] = {}
    for (u, v, _firm), eid in edge_ids.items():
        by_pair.setdefault((u, v), []).append(eid)
    pairs = tl.pairs.groupby("period", sort=False) if len(tl.pairs) else None
    tops = tl.top_loops.groupby("period", sort=False) if len(tl.top_loops) else None
    closed = tl.loops.groupby("period", sort=False) if len(tl.loops) else None
    periods = []
    for _, row in tl.periods.iterrows():
        label = row["period"]
        shown: dict[str, list] = {}  # eid -> [amount, n_unknown, estimate, other firmness]
        not_drawn = 0
        if pairs is not None and label in pairs.groups:
            for r in pairs.get_group(label).itertuples(index=False):
                eid = edge_ids.get((r.payer, r.payee, bool(r.firm)))
                other = False
                if eid is None:
                    eid = edge_ids.get((r.payer, r.payee, not bool(r.firm)))
                    other = eid is not None
                if eid is None:
                    not_drawn += 1
                    continue
                acc = shown.setdefault(eid, [math.nan, 0, False, False])
                if r.amount == r.amount:
                    acc[0] = r.amount if acc[0] != acc[0] else acc[0] + r.amount
                acc[1] += int(r.n_unknown)
                acc[2] = acc[2] or bool(r.has_estimate)
                acc[3] = acc[3] or other
        edges = []
        for eid in sorted(shown, key=lambda e: int(e[1:])):
            amt, unk, est, other = shown[eid]
            text = _label(amt, unk, est)
            if other:
                text += " (other status then)"
            edges.append([eid, text])
        cycles = []
        if tops is not None and label in tops.groups:
            for r in tops.get_group(label).itertuples(index=False):
                comp = list(r.companies)
                hops = list(zip(comp, comp[1:] + comp[:1]))
                eids = [e for u, v in hops for e in by_pair.get((str(u), str(v)), [])]
                nodes = [node_ids[str(c)] for c in comp if str(c) in node_ids]
                rt = marked_money(r.round_trip, r.round_trip_bound,
                                  getattr(r, "round_trip_basis", ""), fmt=fmt_bn)
                cycles.append({"rank": int(r.rank), "path": " \u2192 ".join(
                    [str(c) for c in comp] + [str(comp[0])]), "bottleneck": rt, "edges": eids,
                    "nodes": nodes, "complete": len(nodes) == len(comp), "line": ""})
        new = []
        if closed is not None and label in closed.groups:
            for r in closed.get_group(label).itertuples(index=False):
                new.append(f"{r.loop} (closed by {r.closed_by}, {r.closed_on})")
        periods.append({"label": str(label), "end": str(row["period_end"]),
                        "headline": _headline(row), "edges": edges, "cycles": cycles,
                        "new_loops": new, "not_drawn": not_drawn})
    return {"freq": tl.freq, "periods": periods,
            "note": ("Each position shows the web as of the period's end (deals, tranches and "
                     "statuses dated by then; deals with no date left out); the last position "
                     "shows every deal drawn.")}
