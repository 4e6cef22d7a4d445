"""The compiled cycle engine against independent references.

networkx.simple_cycles and igraph's Graph.simple_cycles on random graphs, the closed-form
count of cycles of the complete digraph (OEIS A002807), and brute force for the pruning
options (min_amount, through, time order), which must give the same sets as filtering a
full enumeration afterwards.
"""
from __future__ import annotations

import itertools
import math
import random

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from flowgraph import cycles as cy
from flowgraph.cycles import cycles_from_arrays, find_cycles


def canon(cycle):
    """Rotate a cycle (sequence of nodes) to start at its smallest node."""
    cycle = list(cycle)
    i = cycle.index(min(cycle))
    return tuple(cycle[i:] + cycle[:i])


def nx_cycles(G, bound=None):
    out = set()
    for c in nx.simple_cycles(G, length_bound=bound):
        if len(c) >= 2:  # self-loops are ignored by flowgraph
            out.add(canon(c))
    return out


def fg_cycles(G, **kw):
    r = find_cycles(G, limit=None, describe=False, **kw)
    got = [tuple(c) for c in r.cycles["companies"]]
    assert len(got) == len(set(got)), "a cycle was reported twice"
    assert r.n_found == len(got)
    for c in got:
        assert c == canon(c), "not rotated to its smallest node"
    return set(got)


def random_digraph(n, m, seed, self_loops=True):
    G = nx.gnm_random_graph(n, m, seed=seed, directed=True)
    rng = random.Random(seed)
    for u, v in G.edges:
        G[u][v]["amount"] = float(rng.randint(1, 20))
    if self_loops:
        for u in rng.sample(range(n), min(3, n)):
            G.add_edge(u, u, amount=5.0)
    return G


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("n,m", [(6, 15), (9, 30), (12, 40), (25, 70)])
@pytest.mark.parametrize("bound", [None, 2, 3, 5])
def test_same_cycles_as_networkx_gnm(seed, n, m, bound, monkeypatch):
    monkeypatch.setattr(cy, "_PY_STEPS", 0 if seed % 2 else None)  # compiled / interpreted
    G = random_digraph(n, m, seed)
    assert fg_cycles(G, max_length=bound) == nx_cycles(G, bound)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("p", [0.1, 0.3])
def test_same_cycles_as_networkx_gnp(seed, p):
    G = nx.gnp_random_graph(14, p, seed=seed, directed=True)
    nx.set_edge_attributes(G, 1.0, "amount")
    for bound in (4, 6):
        assert fg_cycles(G, max_length=bound) == nx_cycles(G, bound)


def test_two_cycles_and_self_loops():
    G = nx.DiGraph()
    G.add_edge("A", "B", amount=1.0)
    G.add_edge("B", "A", amount=2.0)
    G.add_edge("A", "A", amount=9.0)
    r = find_cycles(G)
    assert r.cycles["path"].tolist() == ["A -> B -> A"]
    assert r.n_self_loops == 1
    assert any("payer == payee" in n for n in r.notes)


def kn_count(n, bound=None):
    bound = n if bound is None else min(bound, n)
    return sum(math.comb(n, k) * math.factorial(k - 1) for k in range(2, bound + 1))


def test_complete_digraph_counts_oeis_a002807():
    expected = [0, 1, 5, 20, 84, 409, 2365]  # OEIS A002807, n = 1..7
    for n, want in zip(range(1, 8), expected):
        G = nx.complete_graph(n, create_using=nx.DiGraph)
        nx.set_edge_attributes(G, 1.0, "amount")
        assert find_cycles(G, max_length=None, limit=0).n_found == want
        assert kn_count(n) == want


@pytest.mark.parametrize("n,bound", [(8, 3), (9, 4), (10, 5), (8, 8)])
def test_complete_digraph_counts_with_bound(n, bound):
    src, dst = zip(*[(u, v) for u in range(n) for v in range(n) if u != v])
    r = cycles_from_arrays(np.array(src), np.array(dst), np.ones(len(src)), max_length=bound,
                           limit=0)
    assert r.n_found == kn_count(n, bound)
    # every vertex of K_n lies on the same number of cycles: sum_k k * C(n,k)(k-1)! / n
    per = sum(k * math.comb(n, k) * math.factorial(k - 1) for k in range(2, bound + 1)) // n
    assert set(r.participation["n_cycles"]) == {per}


@pytest.mark.parametrize("seed", range(3))
def test_same_cycles_as_igraph(seed, monkeypatch):
    ig = pytest.importorskip("igraph")
    monkeypatch.setattr(cy, "_PY_STEPS", 0)  # compiled
    rng = np.random.default_rng(seed)
    n, m = 300, 1200
    pairs = {(int(a), int(b)) for a, b in rng.integers(0, n, size=(m, 2)) if a != b}
    edges = sorted(pairs)
    g = ig.Graph(n=n, edges=edges, directed=True)
    for bound in (3, 4):
        want = {canon(c) for c in g.simple_cycles(max=bound)}
        src = np.array([e[0] for e in edges])
        dst = np.array([e[1] for e in edges])
        r = cycles_from_arrays(src, dst, np.ones(len(edges)), max_length=bound, limit=None)
        got = {tuple(c) for c in r.cycles["companies"]}
        assert got == want
        assert r.n_found == len(want)


def test_parallel_edges_in_arrays_are_one_hop():
    r = cycles_from_arrays([0, 0, 1], [1, 1, 0], [2.0, 3.0, 10.0])
    assert r.n_found == 1
    assert r.cycles.loc[0, "round_trip"] == 5.0  # 2 + 3 on the 0 -> 1 hop
    assert r.hops.loc[0, "n_deals"] == 2


@pytest.mark.parametrize("seed", range(5))
def test_min_amount_pruning_equals_filtering(seed):
    G = random_digraph(12, 45, seed, self_loops=False)
    rng = random.Random(seed)
    for u, v in rng.sample(list(G.edges), 5):
        G[u][v]["amount"] = math.nan  # unknown hops
    full = find_cycles(G, max_length=5, limit=None, describe=False).cycles
    for t in (0.0, 3.0, 8.0, 15.0):
        keep = full[full["round_trip"] >= t]  # NaN (all hops unknown) fails
        got = find_cycles(G, max_length=5, min_amount=t, limit=None, describe=False)
        assert set(got.cycles["companies"]) == set(keep["companies"])
        assert got.n_found == len(keep)


@pytest.mark.parametrize("seed", range(4))
def test_through_equals_filtering(seed):
    G = random_digraph(12, 45, seed, self_loops=False)
    full = fg_cycles(G, max_length=5)
    for through in ([0], [3, 7], [1, 2, 5]):
        want = {c for c in full if set(through) <= set(c)}
        assert fg_cycles(G, max_length=5, through=through) == want


# ------------------------------------------------------------------ time order, brute force
def _random_date(rng):
    year = rng.choice([2023, 2024, 2025])
    kind = rng.random()
    if kind < 0.15:
        return None, None
    if kind < 0.3:
        return f"{year}", (np.datetime64(f"{year}-01-01"), np.datetime64(f"{year}-12-31"))
    month = rng.randint(1, 12)
    if kind < 0.55:
        last = (np.datetime64(f"{year}-{month:02d}") + 1).astype("datetime64[D]") - 1
        return f"{year}-{month:02d}", (np.datetime64(f"{year}-{month:02d}-01"), last)
    day = rng.randint(1, 28)
    d = np.datetime64(f"{year}-{month:02d}-{day:02d}")
    return str(d), (d, d)


def random_deal_graph(seed, n=8, m=30):
    rng = random.Random(seed)
    M = nx.MultiDiGraph()
    M.add_nodes_from(range(n))
    for i in range(m):
        u, v = rng.sample(range(n), 2)
        _, bounds = _random_date(rng)
        lo = hi = None
        if bounds is not None:
            lo = bounds[0].astype(object)
            hi = bounds[1].astype(object)
        M.add_edge(u, v, key=f"d{i:03d}", deal_id=f"d{i:03d}", amount=float(rng.randint(1, 9)),
                   date_lo=lo, date_hi=hi, flow_type="other", status="committed")
    return M


def brute_time_order(M, cycle, window=None):
    """Independent check: any rotation, any one deal per hop, strictly certain order."""
    k = len(cycle)
    hops = [[d for d in M[cycle[i]][cycle[(i + 1) % k]].values()] for i in range(k)]
    any_undated = any(d["date_lo"] is None for h in hops for d in h)
    slow = False
    for r in range(k):
        rot = hops[r:] + hops[:r]
        dated = [[d for d in h if d["date_lo"] is not None] for h in rot]
        for choice in itertools.product(*dated):
            if all(choice[i]["date_hi"] < choice[i + 1]["date_lo"] for i in range(k - 1)):
                span = (choice[-1]["date_hi"] - choice[0]["date_lo"]).days
                if window is None or span <= window:
                    return "ordered"
                slow = True  # in order, but slower than the window: not concurrent
    if window is not None and slow:
        return "unknown" if any_undated else "not ordered"
    for r in range(k):  # possibly ordered: some days within the ranges never go back
        rot = hops[r:] + hops[:r]
        dated = [[d for d in h if d["date_lo"] is not None] for h in rot]
        for choice in itertools.product(*dated):
            t = choice[0]["date_lo"]
            for d in choice[1:]:
                t = max(t, d["date_lo"])
                if t > d["date_hi"]:
                    break
            else:
                return "concurrent"
    return "unknown" if any_undated else "not ordered"


@pytest.mark.parametrize("seed", range(8))
def test_time_order_matches_brute_force(seed):
    M = random_deal_graph(seed)
    for window in (None, 200):
        r = find_cycles(M, max_length=5, window=window, limit=None, describe=False)
        for comps, status in zip(r.cycles["companies"], r.cycles["time_order"]):
            assert status == brute_time_order(M, comps, window), comps


@pytest.mark.parametrize("seed", range(8))
def test_time_ordered_pruning_equals_filtering(seed):
    M = random_deal_graph(seed, n=9, m=40)
    for window in (None, 150, 400):
        full = find_cycles(M, max_length=5, window=window, limit=None, describe=False).cycles
        want = set(full.loc[full["time_order"] == "ordered", "companies"])
        got = find_cycles(M, max_length=5, time_ordered=True, window=window, limit=None,
                          describe=False)
        assert set(got.cycles["companies"]) == want
        assert got.n_found == len(want)
        assert (got.cycles["time_order"] == "ordered").all()


def test_time_ordered_with_min_amount_and_through_combined():
    M = random_deal_graph(3, n=9, m=45)
    full = find_cycles(M, max_length=5, limit=None, describe=False).cycles
    want = full[(full["time_order"] == "ordered") & (full["round_trip"] >= 3)
                & full["companies"].map(lambda c: 2 in c)]
    got = find_cycles(M, max_length=5, limit=None, describe=False, time_ordered=True,
                      min_amount=3, through=[2])
    assert set(got.cycles["companies"]) == set(want["companies"])


# ------------------------------------------------------------------ limit, order, batches
def test_limit_keeps_the_best_and_batches_do_not_change_them(monkeypatch):
    rng = np.random.default_rng(7)
    n = 6
    src, dst = zip(*[(u, v) for u in range(n) for v in range(n) if u != v])
    amount = rng.integers(1, 6, len(src)).astype(float)  # many ties
    full = cycles_from_arrays(np.array(src), np.array(dst), amount, max_length=None,
                              limit=None)
    assert full.n_found == 409 and not full.truncated
    rt = full.cycles["round_trip"].to_numpy()
    assert (np.diff(rt) <= 0).all()
    # ties broken by the node sequence
    for a, b in zip(full.cycles.itertuples(), full.cycles.iloc[1:].itertuples()):
        if a.round_trip == b.round_trip:
            assert a.companies < b.companies
    monkeypatch.setattr(cy, "_BATCH", 16)  # many engine calls, resumed mid-search
    top = cycles_from_arrays(np.array(src), np.array(dst), amount, max_length=None, limit=25)
    assert top.truncated and top.n_found == 409 and len(top) == 25
    assert top.cycles["companies"].tolist() == full.cycles["companies"].head(25).tolist()
    assert top.participation.equals(full.participation)


def test_order_is_deterministic_under_shuffled_insertion():
    G = random_digraph(15, 60, 11, self_loops=False)
    edges = list(G.edges(data=True))
    base = find_cycles(G, max_length=5, limit=None).cycles
    for seed in range(3):
        random.Random(seed).shuffle(edges)
        H = nx.DiGraph()
        H.add_nodes_from(random.Random(seed).sample(list(G.nodes), G.number_of_nodes()))
        H.add_edges_from(edges)
        other = find_cycles(H, max_length=5, limit=None).cycles
        assert other[["path", "round_trip", "description"]].equals(
            base[["path", "round_trip", "description"]])


def test_arrays_entry_point_matches_graph_entry_point():
    G = random_digraph(20, 80, 5, self_loops=False)
    src = np.array([u for u, v in G.edges])
    dst = np.array([v for u, v in G.edges])
    amt = np.array([G[u][v]["amount"] for u, v in G.edges])
    a = cycles_from_arrays(src, dst, amt, max_length=5, limit=None).cycles
    b = find_cycles(G, max_length=5, limit=None, describe=False).cycles
    assert a["companies"].tolist() == b["companies"].tolist()
    assert np.allclose(a["round_trip"], b["round_trip"])


def test_arrays_with_labels_dates_and_names():
    r = cycles_from_arrays(
        ["b", "a"], ["a", "b"], [1.0, 2.0],
        date_lo=np.array(["2024-01-01", "2024-05-01"], dtype="datetime64[D]"),
    )
    assert r.cycles.loc[0, "path"] == "a -> b -> a"
    assert r.cycles.loc[0, "time_order"] == "ordered"
    assert r.cycles.loc[0, "time_order_start"] == "b"
    r2 = cycles_from_arrays(np.array([0, 1]), np.array([1, 0]), [1.0, 2.0], names=["X", "Y"])
    assert r2.cycles.loc[0, "path"] == "X -> Y -> X"


def test_progress_callback_receives_messages():
    G = random_digraph(30, 120, 2, self_loops=False)
    messages = []
    find_cycles(G, max_length=4, progress=messages.append)
    assert messages and all(isinstance(m, str) for m in messages)
    assert messages[-1].endswith("done")


# ------------------------------------------------------------------ interpreted vs compiled
@pytest.mark.parametrize("seed", range(4))
def test_interpreted_compiled_and_switching_give_identical_results(seed, monkeypatch):
    M = random_deal_graph(seed, n=10, m=50)
    results = []
    for steps in (0, 10**9, 37):  # compiled only, interpreted only, switch mid-search
        monkeypatch.setattr(cy, "_PY_STEPS", steps)
        for kw in ({}, {"time_ordered": True}, {"min_amount": 4.0, "window": 300}):
            r = find_cycles(M, max_length=5, limit=None, **kw)
            results.append((steps, kw, r))
    by_kw: dict[str, list] = {}
    for _steps, kw, r in results:
        by_kw.setdefault(repr(kw), []).append(r)
    for rs in by_kw.values():
        first = rs[0]
        for other in rs[1:]:
            assert other.n_found == first.n_found
            pd.testing.assert_frame_equal(other.cycles, first.cycles)
            pd.testing.assert_frame_equal(other.hops, first.hops)
            pd.testing.assert_frame_equal(other.participation, first.participation)


@pytest.mark.parametrize("seed", range(6))
def test_strong_components_match_networkx(seed):
    from flowgraph import _cycle_engine as eng

    G = nx.gnm_random_graph(60, 90, seed=seed, directed=True)
    src = np.array([u for u, v in sorted(G.edges)], np.int64)
    dst = np.array([v for u, v in sorted(G.edges)], np.int64)
    indptr = np.zeros(61, np.int64)
    np.cumsum(np.bincount(src, minlength=60), out=indptr[1:])
    labels = eng.scc_labels(60, indptr, dst)
    want = {frozenset(c) for c in nx.strongly_connected_components(G) if len(c) > 1}
    got: dict[int, set] = {}
    for v, lab in enumerate(labels):
        if lab >= 0:
            got.setdefault(int(lab), set()).add(v)
    assert {frozenset(c) for c in got.values()} == want


def test_numba_cache_dir_falls_back_to_a_user_directory(monkeypatch, tmp_path):
    from flowgraph import _numba

    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(_numba.os, "access", lambda path, mode: False)  # read-only install
    _numba.configure_cache()
    assert _numba.os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "flowgraph" / "numba")
    assert (tmp_path / "flowgraph" / "numba").is_dir()
    monkeypatch.setenv("NUMBA_CACHE_DIR", "/somewhere/else")  # the user's choice wins
    _numba.configure_cache()
    assert _numba.os.environ["NUMBA_CACHE_DIR"] == "/somewhere/else"


def test_both_engines_compile_by_one_convention():
    """The cycle and circulation kernels are plain Python (no numba import) compiled by
    flowgraph._numba.compiled, the one place that sets the cache."""
    import inspect

    from flowgraph import _circulation_numba, _cycles_kernels, _numba

    for mod in (_cycles_kernels, _circulation_numba):
        assert "import numba" not in inspect.getsource(mod)
        jit = _numba.compiled(mod)
        assert set(vars(jit)) == set(mod.KERNELS)
        assert _numba.compiled(mod) is jit


@pytest.mark.parametrize("steps", [0, None])
def test_tiny_buffers_with_long_cycles(monkeypatch, steps):
    monkeypatch.setattr(cy, "_BATCH", 4)  # buffer of a few cycles, shorter than the longest
    monkeypatch.setattr(cy, "_PY_STEPS", steps)
    G = random_digraph(25, 70, 3)
    assert fg_cycles(G, max_length=None) == nx_cycles(G)


def test_warm_up_loads_the_compiled_search_and_changes_no_result(monkeypatch, tmp_path):
    from flowgraph import _cycle_engine as eng
    from flowgraph import cycles

    ring = np.arange(3000)
    want = cycles.cycles_from_arrays(ring, (ring + 1) % 3000, np.ones(3000), max_length=3000)
    small = tmp_path / "small.csv"
    small.write_text("deal_id,payer,payee\n")
    monkeypatch.setattr(eng, "_JIT", None)
    monkeypatch.setattr(eng, "_WARMING", None)
    cycles.warm_up(small)  # a small file: nothing started
    assert eng._WARMING is None and eng._JIT is None
    cycles.warm_up()
    assert eng._WARMING is not None
    eng._WARMING.join(timeout=120)
    assert eng._JIT is not None  # the kernels are loaded
    got = cycles.cycles_from_arrays(ring, (ring + 1) % 3000, np.ones(3000), max_length=3000)
    assert got.n_found == want.n_found == 1
    pd.testing.assert_frame_equal(got.cycles, want.cycles)


def test_small_searches_run_interpreted_only_until_a_compiled_kernel_is_loaded(monkeypatch):
    """A small search runs interpreted while no compiled kernel is loaded in the process, and
    compiled once one is (say the circulation engine's): the same loops either way."""
    from flowgraph import _cycle_engine as eng
    from flowgraph import _numba

    eng.jitted()  # compiled before the interpreted kernel is watched below
    calls = []
    real = eng.K.search
    monkeypatch.setattr(eng.K, "search", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(cy, "_PY_STEPS", None)
    G = random_digraph(25, 70, 3)
    want = nx_cycles(G)
    for warm, interpreted in ((False, True), (True, False)):
        monkeypatch.setattr(_numba, "warm", lambda warm=warm: warm)
        calls.clear()
        assert fg_cycles(G, max_length=None) == want
        assert bool(calls) is interpreted


def _rich_deals(seed, n=12, m=120):
    """Deals with several per pair, unknown amounts and ranges, undated and partly dated
    deals, and every status, confidence and flow type (random)."""
    from flowgraph import schema

    rng = np.random.default_rng(seed)
    amount = np.round(rng.uniform(0.1, 9, m), 2)
    amount[rng.random(m) < 0.2] = np.nan
    low = np.where(rng.random(m) < 0.3, amount * 0.5, np.nan)
    high = np.where(rng.random(m) < 0.3, amount * 2, np.nan)
    low[np.isnan(amount) & (rng.random(m) < 0.5)] = 1.0  # a floor of an unknown amount
    dates = ["", "2024", "2025-03", "2025-06-30", "2023-11-02"]
    return pd.DataFrame({
        "deal_id": [f"D{i:04d}" for i in rng.permutation(m)],
        "payer": [f"C{x}" for x in rng.integers(0, n, m)],
        "payee": [f"C{x}" for x in rng.integers(0, n, m)],
        "amount_usd_bn": amount, "amount_low_usd_bn": low, "amount_high_usd_bn": high,
        "flow_type": rng.choice(schema.FLOW_TYPES, m),
        "status": rng.choice(schema.STATUSES, m),
        "confidence": rng.choice(schema.CONFIDENCES, m),
        "estimate": rng.random(m) < 0.3,
        "announced": rng.choice(dates, m),
        "source_url": "https://example.com/deal",
    })


@pytest.mark.parametrize("seed", range(5))
def test_per_hop_reductions_compiled_and_with_numpy_agree(seed, monkeypatch):
    """Every per-hop value (known sums, unknown flags, date bounds, weakest status and
    confidence, flow types, estimates, deal order) is the same whether the reductions and
    the sort run compiled or with numpy, and so is every loop found."""
    import dataclasses

    import flowgraph as fg
    from flowgraph import _cycle_engine as eng
    from flowgraph import _numba

    G = fg.build_graph(fg.read_deals(_rich_deals(seed), validate=False), validate=False)
    D = cy._as_deals(G, "amount")
    hops, found = {}, {}
    calls = []
    real = eng.hop_reduce
    monkeypatch.setattr(eng, "hop_reduce", lambda *a, **k: calls.append(1) or real(*a, **k))
    for compiled in (False, True):  # numba not loaded (numpy), then loaded (compiled)
        monkeypatch.setattr(_numba, "warm", lambda c=compiled: c)
        calls.clear()
        hops[compiled] = cy._build_hops(D)
        assert bool(calls) is compiled
        found[compiled] = find_cycles(G, max_length=5, limit=None)
    assert hops[False].n_deals.max() > 1  # several deals on some hop
    for f in dataclasses.fields(cy._Hops):
        a, b = getattr(hops[False], f.name), getattr(hops[True], f.name)
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype, f.name
            np.testing.assert_array_equal(a, b, err_msg=f.name)  # NaN matches NaN
        else:
            assert a == b, f.name
    assert found[True].n_found == found[False].n_found > 0
    pd.testing.assert_frame_equal(found[True].cycles, found[False].cycles)
    pd.testing.assert_frame_equal(found[True].hops, found[False].hops)


def test_building_the_hops_never_loads_numba_for_a_network_searched_interpreted(monkeypatch):
    """Many deals on few hops (a search that runs interpreted): neither the sort nor the
    reductions load compiled code while numba is not loaded."""
    from flowgraph import _cycle_engine as eng
    from flowgraph import _numba

    rng = np.random.default_rng(3)
    src, dst = rng.integers(0, 30, 8000), rng.integers(0, 30, 8000)
    calls = []
    monkeypatch.setattr(_numba, "compiled", lambda module: calls.append(module))
    monkeypatch.setattr(_numba, "warm", lambda: False)
    D = cy._Deals(np.arange(30).astype(object), src, dst, np.ones(8000), np.ones(8000),
                  np.ones(8000), np.full(8000, -1), np.full(8000, -1), None, False, "amount",
                  None)
    H = cy._build_hops(D)
    assert 0 < len(H.src) <= eng.PY_MAX_EDGES and calls == []
    assert eng.compiled_reductions(eng.PY_MAX_EDGES + 1) and not eng.compiled_reductions(0)


def test_per_hop_reductions_of_no_deals_and_of_self_loops_only():
    r = cycles_from_arrays(np.array([0, 1]), np.array([0, 1]), np.ones(2))
    assert r.n_found == 0


# ------------------------------------------------------------------ the loop cap
@pytest.mark.parametrize("steps,batch", [(0, None), (10**9, None), (37, None), (0, 3),
                                         (10**9, 3), (37, 3)])
def test_max_loops_holds_in_every_mode(steps, batch, monkeypatch):
    """Compiled, interpreted, switching mid-search, and resumed from small buffers: the
    search finds exactly max_loops loops, each a real cycle (networkx), taken in the
    search's order (every loop of a smaller start vertex first), and says it stopped."""
    monkeypatch.setattr(cy, "_PY_STEPS", steps)
    if batch is not None:
        monkeypatch.setattr(cy, "_BATCH", batch)
    G = random_digraph(9, 30, 4, self_loops=False)
    every = nx_cycles(G, bound=5)
    assert len(every) > 12
    for cap in (1, 5, 12, len(every) - 1):
        r = find_cycles(G, max_length=5, max_loops=cap, limit=None, describe=False)
        got = {tuple(c) for c in r.cycles["companies"]}
        assert r.n_found == len(r.cycles) == len(got) == cap
        assert got <= every
        assert not r.complete and r.params["stopped"] == "loops"
        last = max(c[0] for c in got)  # loops are found by increasing smallest vertex
        assert {c for c in every if c[0] < last} <= got
        assert any(f"at least {cap:,} loops" in n and "--max-loops" in n for n in r.notes)
        # the counts per company cover the loops found, no more
        per = r.participation.set_index("company")["n_cycles"]
        for v in G.nodes:
            assert per.get(v, 0) == sum(v in c for c in got)
    full = find_cycles(G, max_length=5, max_loops=len(every) + 1, limit=None, describe=False)
    assert full.complete and full.params["stopped"] is None and full.n_found == len(every)
    assert not any("stopped early" in n for n in full.notes)


def test_max_loops_holds_for_arrays_and_with_a_limit():
    """cycles_from_arrays takes the same cap; limit only chooses which found loops are
    listed (the best), never how many are searched for."""
    rng = np.random.default_rng(5)
    n = 6
    src, dst = map(np.array, zip(*[(u, v) for u in range(n) for v in range(n) if u != v]))
    amount = rng.integers(1, 9, len(src)).astype(float)
    full = cycles_from_arrays(src, dst, amount, max_length=None, limit=None)
    r = cycles_from_arrays(src, dst, amount, max_length=None, max_loops=40, limit=None)
    assert r.n_found == len(r.cycles) == 40 and not r.complete
    assert set(r.cycles["companies"]) <= set(full.cycles["companies"])
    top = cycles_from_arrays(src, dst, amount, max_length=None, max_loops=40, limit=7)
    assert top.n_found == 40 and len(top.cycles) == 7 and top.truncated
    best = r.cycles.sort_values(["round_trip", "companies"], ascending=[False, True],
                                kind="stable")
    assert top.cycles["companies"].tolist() == best["companies"].head(7).tolist()


def test_cli_max_loops_lists_at_most_that_many_and_says_it_stopped():
    import io
    import json

    from click.testing import CliRunner

    from flowgraph.cli import main

    import flowgraph as fg

    every = find_cycles(fg.build_graph(fg.load_dataset("ai-capital")), limit=None,
                        describe=False).n_found
    assert every > 5
    run = CliRunner()
    r = run.invoke(main, ["cycles", "--max-loops", "5", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert len(pd.read_csv(io.StringIO(r.stdout))) == 5
    r = run.invoke(main, ["cycles", "--max-loops", "5", "--format", "json"])
    payload = json.loads(r.stdout)
    assert len(payload["cycles"]) == 5
    head, *notes = payload["notes"]
    assert head.startswith("at least 5 loops") and "stopped at --max-loops 5" in head
    assert not any("All" in n and "were found" in n for n in notes)
    assert any("stopped early at the cap of 5 loops" in n for n in notes)
    text = " ".join(run.invoke(main, ["cycles", "--max-loops", "5"]).output.split())
    assert "stopped at --max-loops 5" in text and "--limit N for more" not in text
    # a cap above the number of loops changes nothing and claims no stop
    r = run.invoke(main, ["cycles", "--max-loops", str(every + 1), "--format", "json"])
    head = json.loads(r.stdout)["notes"][0]
    assert head.startswith(f"{every:,} loops") and "stopped" not in head
