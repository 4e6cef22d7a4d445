"""Every label that says "largest" names rows that really are the largest.

The reference is independent of flowgraph's cycle engine: networkx's ``simple_cycles`` on
the payer -> payee pairs, with the round trip taken as the smallest pair amount on the loop.
"""
from __future__ import annotations

import math
import random

import networkx as nx
import pandas as pd
import pytest

import flowgraph as fg
from flowgraph import charts, html, report
from flowgraph.cycles import order_label


def _reference_loops(G: nx.MultiDiGraph) -> list[tuple[tuple, float, bool]]:
    """(companies from the smallest label, round trip, every amount reported: known and
    neither an estimate nor a range midpoint) per loop."""
    pairs: dict[tuple, list[float]] = {}
    estimated: set[tuple] = set()  # pairs with an estimated amount: not "reported"
    for u, v, d in G.edges(data=True):
        if u != v:
            pairs.setdefault((u, v), []).append(float(d["amount"]))
            if d.get("estimate") is True or d.get("midpoint") is True:
                estimated.add((u, v))
    P = nx.DiGraph(list(pairs))
    out = []
    for cyc in nx.simple_cycles(P, length_bound=6):
        i = cyc.index(min(cyc, key=str))
        cyc = tuple(cyc[i:] + cyc[:i])
        pair_keys = [(cyc[k], cyc[(k + 1) % len(cyc)]) for k in range(len(cyc))]
        hops = [pairs[p] for p in pair_keys]
        known = (all(not math.isnan(a) for h in hops for a in h)
                 and not estimated.intersection(pair_keys))
        # a hop whose every amount is undisclosed bounds nothing: the round trip is the
        # smallest known hop (an upper bound), as flowgraph documents
        sums = [sum(a for a in h if not math.isnan(a)) for h in hops
                if any(not math.isnan(a) for a in h)]
        if sums:
            out.append((cyc, min(sums), known))
    return out


def _path(companies: tuple) -> str:
    return " -> ".join(map(str, companies + companies[:1]))


def _random_graph(seed: int) -> nx.MultiDiGraph:
    rng = random.Random(seed)
    names = [f"C{i}" for i in range(7)]
    rows = []
    for k in range(22):
        a, b = rng.sample(names, 2)
        amount = "" if rng.random() < 0.15 else rng.randint(1, 60)
        rows.append({"deal_id": f"D{k}", "payer": a, "payee": b, "amount_usd_bn": amount,
                     "flow_type": "compute_contract", "status": "committed",
                     "announced": "2025-01", "source_url": f"https://example.org/{k}"})
    return fg.build_graph(pd.DataFrame(rows).replace("", float("nan")))


GRAPHS = [("toy", lambda: fg.build_graph(fg.load_dataset("toy")))] + [
    (f"random{s}", lambda s=s: _random_graph(s)) for s in range(4)]


@pytest.mark.parametrize(("name", "make"), GRAPHS, ids=[g[0] for g in GRAPHS])
def test_html_panel_lists_the_loops_with_the_largest_round_trip(name, make):
    G = make()
    ref = _reference_loops(G)
    if len(ref) < 2:
        pytest.skip("too few loops")
    top = 2
    listed, note, _ = html._cycles(G, weight="amount", top=top, company=None, cycles=None,
                                   max_length=6, progress=None)
    want = sorted(rt for _, rt, _ in ref)[::-1][:top]
    assert [c.bottleneck for c in listed] == pytest.approx(want)
    if len(ref) > top:
        assert note is not None and order_label("round_trip", top) in note


@pytest.mark.parametrize(("name", "make"), GRAPHS, ids=[g[0] for g in GRAPHS])
def test_report_findings_name_the_largest_loops(name, make):
    G = make()
    ref = _reference_loops(G)
    if not ref:
        pytest.skip("no loops")
    every = fg.find_cycles(G, limit=None).cycles.set_index("path")["description"]
    # a listing of one loop, shortest first: the findings must still look at every loop
    cyc = fg.find_cycles(G, limit=1, sort="length")
    bullets = report._largest_loop_bullets(
        report._largest_loops(G, cyc, weight="amount", max_length=6, top=1, progress=None))
    known = [r for r in ref if r[2]]
    if known:
        best = max(known, key=lambda r: (r[1], ))
        best_rt = best[1]
        line = next(b for b in bullets if b.startswith("Largest loop with every amount reported"))
        named = [p for p, d in every.items() if d in line]
        assert len(named) == 1
        named_rt = next(rt for c, rt, _ in ref if _path(c) == named[0])
        assert named_rt == pytest.approx(best_rt)
    biggest = max(rt for _, rt, _ in ref)
    if not known or max(r[1] for r in known) < biggest:
        line = next(b for b in bullets
                    if not b.startswith("Largest loop with every amount reported"))
        named = [p for p, d in every.items() if d in line]
        named_rt = next(rt for c, rt, _ in ref if _path(c) == named[0])
        assert named_rt == pytest.approx(biggest)


def test_report_on_the_toy_names_the_8bn_loop_not_the_shortest(tmp_path):
    # Shortest first, the toy's first loop is the $5bn ChipCo <-> LeaseCo one; an $8bn loop exists.
    rep = fg.write_report(fg.build_graph(fg.load_dataset("toy")), tmp_path / "r", top=1,
                          charts=False)
    md = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    line = next(x for x in md.splitlines() if "Largest loop with every amount reported" in x)
    assert "Up to $8bn can come back to ChipCo" in line and "LabCo" in line
    assert rep is not None


def test_cycle_chart_draws_the_largest_whatever_the_order_given(tmp_path, monkeypatch):
    seen = {}

    def fake_bar_chart(labels, values, path, **kw):
        seen["values"] = values
        seen["title"] = kw["title"]
        return path

    monkeypatch.setattr(charts, "bar_chart", fake_bar_chart)
    t = pd.DataFrame({"path": ["a", "b", "c", "d"], "round_trip": [1.0, float("nan"), 9.0, 4.0]})
    charts.plot_cycles(t, tmp_path / "c.png", top=2)
    assert seen["values"] == [9.0, 4.0] and "Largest" in seen["title"]


def test_order_label_names_the_order_the_table_has():
    G = fg.build_graph(fg.load_dataset("toy"))
    for sort in ("round_trip", "length"):
        res = fg.find_cycles(G, limit=1, sort=sort)
        assert order_label(sort, 1) in repr(res)
        assert any(order_label(sort, 1) in n for n in res.notes)
    with pytest.raises(fg.ParameterError):
        order_label("size")
