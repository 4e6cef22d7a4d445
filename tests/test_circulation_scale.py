"""Keystones at scale: the warm-started re-optimisation against full re-solves.

The keystone engine starts from the optimal circulation of the whole network and only
re-routes the money that went through the removed company. These differential tests compare
it with independent full re-solves without the company: OR-tools' min-cost flow on the
reduced network, scipy's HiGHS linear programming solver and networkx's network simplex, on
random networks with several strongly connected components, self-loops, ties (equal amounts)
and amounts without a decimal step.
"""
from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import flowgraph.circulation as circ
from flowgraph import _circulation_engine as eng
from circulation_reference import lp_value


def simplex_value(edges, scale=1000):
    H = nx.DiGraph()
    loops = 0.0
    for u, v, w in edges:
        if u == v:
            loops += w
            continue
        H.add_edge(u, v, capacity=round(w * scale), weight=-1)
    if H.number_of_edges() == 0:
        return loops
    cost, _ = nx.network_simplex(H)
    return -cost / scale + loops


def blocks_graph(rng, blocks, size, p, ties=False, loops=0, decimals=3):
    """Several dense random blocks joined by one-way edges (one strong component each)."""
    edges = []
    for b in range(blocks):
        base = b * size
        for u in range(size):
            for v in range(size):
                if u != v and rng.random() < p:
                    w = (float(rng.integers(1, 4)) if ties
                         else round(float(rng.uniform(0.001, 20.0)), decimals))
                    edges.append((base + u, base + v, w))
        if b:
            edges.append((base - 1, base, 5.0))  # between blocks: on no cycle
    for _ in range(loops):
        x = int(rng.integers(0, blocks * size))
        edges.append((x, x, 2.0))
    seen = {}
    for u, v, w in edges:
        seen[(u, v)] = seen.get((u, v), 0.0) + w
    return [(u, v, w) for (u, v), w in seen.items()]


def as_graph(edges):
    G = nx.DiGraph()
    for u, v, w in edges:
        G.add_edge(u, v, amount=w)
    return G


def without(edges, x):
    return [e for e in edges if x not in (e[0], e[1])]


@pytest.mark.parametrize("seed", range(10))
def test_keystones_match_highs_and_network_simplex(seed):
    rng = np.random.default_rng(1000 + seed)
    edges = blocks_graph(rng, int(rng.integers(1, 4)), int(rng.integers(3, 9)),
                         float(rng.uniform(0.2, 0.6)), ties=seed % 2 == 0, loops=seed % 3)
    G = as_graph(edges)
    total = lp_value(edges)
    res = circ.keystones(G, list(G.nodes))
    ks = res.table.set_index("company")
    assert res.circular_flow == pytest.approx(total, abs=1e-7)
    for x in G.nodes:
        ref = lp_value(without(edges, x))
        assert ks.loc[x, "circular_flow_without"] == pytest.approx(ref, abs=1e-7)
        assert ks.loc[x, "circular_flow_without"] == pytest.approx(
            simplex_value(without(edges, x)), abs=1e-9)


@pytest.mark.parametrize("seed", range(6))
def test_warm_start_matches_full_resolve_on_larger_networks(seed):
    # integer capacities, many ties: every company against a full OR-tools re-solve
    from ortools.graph.python import min_cost_flow

    rng = np.random.default_rng(2000 + seed)
    n, m = 120, int(rng.integers(400, 1200))
    s = rng.integers(0, n, m)
    t = (s + rng.integers(1, n, m)) % n if seed % 2 else rng.integers(0, n, m)
    keep = s != t
    s, t = s[keep], t[keep]
    cap = rng.integers(1, 6 if seed < 3 else 1000, len(s)).astype(np.int64)
    full = eng.max_circulation(n, s, t, cap.astype(float), quantum=1.0, certify=False)
    inner = full.component[s] == full.component[t]
    flow = np.rint(full.circular[inner]).astype(np.int64)
    ks = eng.KeystoneSolver(n, s[inner], t[inner], cap[inner], flow)
    for v in range(n):
        keep_v = (s != v) & (t != v)
        mcf = min_cost_flow.SimpleMinCostFlow()
        for i in range(n):
            mcf.set_node_supply(i, 0)
        if keep_v.any():
            mcf.add_arcs_with_capacity_and_unit_cost(
                s[keep_v].astype(np.int32), t[keep_v].astype(np.int32), cap[keep_v],
                np.full(int(keep_v.sum()), -1, dtype=np.int64))
            assert mcf.solve() == mcf.OPTIMAL
            ref = -mcf.optimal_cost()
        else:
            ref = 0
        assert ks.value_without(v) == ref


def test_keystones_without_decimal_step_match_full_resolve():
    # amounts rounded down to the quantum: the same rounded problem as a full re-solve
    rng = np.random.default_rng(3)
    edges = blocks_graph(rng, 2, 7, 0.5, decimals=15)
    G = as_graph(edges)
    ks = circ.keystones(G, list(G.nodes)).table.set_index("company")
    for x in G.nodes:
        ref = circ.maximal_circulation(as_graph(without(edges, x))).circular_flow if without(
            edges, x) else 0.0
        assert ks.loc[x, "circular_flow_without"] == pytest.approx(ref, abs=1e-9)


def random_table(seed: int, n: int, m: int) -> pd.DataFrame:
    """A deals table of m random payer -> payee pairs among n companies, lognormal amounts."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"payer": rng.integers(0, n, m), "payee": rng.integers(0, n, m),
                       "amount": np.round(rng.lognormal(0, 1.2, m), 3) + 0.001})
    return df[df["payer"] != df["payee"]]


def test_keystones_on_a_table_with_many_companies_use_the_top():
    df = random_table(5, 3000, 15000)
    res = circ.keystones(df, top=4)
    ks = res.table
    assert len(ks) == 4 and "top 4" in res.selection
    r = circ.maximal_circulation(df)
    for row in ks.itertuples():
        rest = df[(df["payer"] != row.company) & (df["payee"] != row.company)]
        assert row.circular_flow_without == pytest.approx(
            circ.maximal_circulation(rest).circular_flow, abs=1e-6)
        assert row.circulation_lost == pytest.approx(r.circular_flow - row.circular_flow_without,
                                                     abs=1e-6)


def test_threaded_keystones_match_sequential_and_full_resolves(monkeypatch):
    # the threaded re-routing (used on large networks) gives the same exact answers
    df = random_table(17, 400, 4000)
    monkeypatch.setattr(circ, "SMALL_NETWORK", 100)  # top=6 bounds the work: 6 re-routed
    sequential = circ.keystones(df, top=6).table
    monkeypatch.setattr(circ, "_THREADED_EDGES", 0)
    monkeypatch.setattr(circ, "_usable_cores", lambda: 3)
    messages: list[str] = []
    threaded = circ.keystones(df, top=6, progress=messages.append).table
    pd.testing.assert_frame_equal(threaded, sequential)
    assert "keystones: re-routing 6 companies on 3 threads" in messages
    assert sum(msg.startswith("keystones: ") and "/6 " in msg for msg in messages) == 6
    for row in threaded.head(2).itertuples():
        rest = df[(df["payer"] != row.company) & (df["payee"] != row.company)]
        assert row.circular_flow_without == pytest.approx(
            circ.maximal_circulation(rest).circular_flow, abs=1e-6)


def test_default_keystone_count_shrinks_on_large_flow_networks(monkeypatch):
    rng = np.random.default_rng(11)
    n, m = 700, 6000
    df = pd.DataFrame({"payer": rng.integers(0, n, m), "payee": rng.integers(0, n, m),
                       "amount": np.round(rng.uniform(0.01, 5, m), 2)})
    df = df[df["payer"] != df["payee"]]
    assert len(circ.keystones(df).table) == circ.DEFAULT_TOP
    monkeypatch.setattr(circ, "LARGE_FLOW_NETWORK", 1000)
    ks = circ.keystones(df)
    assert len(ks.table) == circ.KEYSTONE_TOP_LARGE
    assert "1,000 payer->payee pairs on cycles" in ks.selection
    res = circ.company_circulation(df)
    t = res.table
    assert t["self_funded"].notna().sum() == circ.DEFAULT_TOP
    assert t["keystone_loss"].notna().sum() == circ.KEYSTONE_TOP_LARGE
    assert f"keystone impact for the top {circ.KEYSTONE_TOP_LARGE}" in res.selection
