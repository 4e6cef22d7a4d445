"""Null models and empirical significance: null_model and significance.

Checks: rewiring keeps exactly what it claims (degrees, kinds, flow types, out-strength);
p-values of networks drawn from the null itself are close to uniform (calibration); planted
loops are found; loop counts agree with networkx's simple_cycles.
"""
from __future__ import annotations

import math
from collections import Counter

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import flowgraph as fg
from flowgraph.cli import main


def _random_deals(seed: int, n: int = 10, m: int = 26, kinds: bool = False) -> nx.MultiDiGraph:
    rng = np.random.default_rng(seed)
    names = [f"N{i}" for i in range(n)]
    pairs = set()
    while len(pairs) < m:
        a, b = rng.choice(n, 2, replace=False)
        pairs.add((int(a), int(b)))
    rows = []
    for k, (a, b) in enumerate(sorted(pairs)):
        rows.append({"deal_id": f"D{k}", "payer": names[a], "payee": names[b],
                     "amount_usd_bn": round(float(rng.lognormal(1.0, 0.8)), 3),
                     "flow_type": ["compute_contract", "chip_purchase"][k % 2] if kinds
                     else "compute_contract",
                     "status": "committed", "announced": "2025-01",
                     "source_url": f"https://example.org/{k}"})
    companies = None
    if kinds:
        companies = pd.DataFrame({"name": names,
                                  "kind": ["chipmaker", "ai_lab", "neocloud"] * (n // 3)
                                  + ["hyperscaler"] * (n % 3)})
    return fg.build_graph(pd.DataFrame(rows), companies)


def _degrees(src, dst, n):
    return np.bincount(src, minlength=n), np.bincount(dst, minlength=n)


@pytest.mark.parametrize("model", ["degree", "kinds"])
@pytest.mark.parametrize("amounts", ["carry", "strength"])
def test_rewiring_keeps_what_it_claims(model, amounts):
    G = _random_deals(1, kinds=True)
    s = fg.null_model(G, n=40, seed=2, model=model, amounts=amounts)
    k = len(s.names)
    out0, in0 = _degrees(s.src, s.observed_dst, k)
    kind = {c: G.nodes[c].get("kind") for c in G.nodes}
    names = np.asarray(s.names, dtype=object)
    ftype0 = s._pairs.ftype
    changed = 0
    for i in range(len(s)):
        out, inn = _degrees(s.src, s.dst[i], k)
        assert np.array_equal(out, out0) and np.array_equal(inn, in0)
        assert not np.any(s.src == s.dst[i])                      # no self-loops
        assert len(set(zip(s.src, s.dst[i]))) == len(s.src)       # no duplicate pairs
        if model == "kinds":
            before = Counter(zip(s.src, [kind[c] for c in names[s.observed_dst]], ftype0))
            after = Counter(zip(s.src, [kind[c] for c in names[s.dst[i]]], ftype0))
            assert before == after
        if amounts == "carry":
            assert np.array_equal(s.amounts[i], s.observed_amounts)
        else:
            assert s.amounts[i].sum() == pytest.approx(s.observed_amounts.sum(), rel=1e-6)
        changed += int(not np.array_equal(s.dst[i], s.observed_dst))
    assert changed > 0  # the model rewires something


def test_strength_fit_is_closer_to_observed_inflows_than_carrying():
    G = _random_deals(4)
    carry = fg.null_model(G, n=30, seed=1, amounts="carry")
    fit = fg.null_model(G, n=30, seed=1, amounts="strength")
    assert fit.params["inflow_gap"] < carry.params["inflow_gap"]
    assert carry.params["outflow_gap"] == 0.0


def test_loop_counts_agree_with_networkx():
    G = _random_deals(7, n=9, m=24)
    r = fg.significance(G, n=5, seed=3, max_length=5, companies=[])
    s = r.samples
    for i in range(len(s)):
        f = s.frame(i)
        D = nx.DiGraph(list(zip(f["payer"], f["payee"])))
        want = Counter(len(c) for c in nx.simple_cycles(D, length_bound=5))
        got = r.null_values.iloc[i]
        for L in range(2, 6):
            assert got[f"network: loops_length_{L}"] == want.get(L, 0)


def test_p_values_of_null_networks_are_close_to_uniform():
    # Calibration: networks drawn from the null model itself must not look significant.
    G0 = _random_deals(11, n=10, m=28)
    ps = []
    for seed in range(60):
        star = fg.null_model(G0, n=1, seed=seed, amounts="carry").frame(0)
        star = star.assign(deal_id=[f"S{k}" for k in range(len(star))],
                           amount_usd_bn=star["amount"], flow_type="compute_contract",
                           status="committed", announced="2025-01",
                           source_url="https://example.org/s").drop(columns="amount")
        r = fg.significance(fg.build_graph(star), n=39, seed=1000 + seed, amounts="carry",
                            companies=[], max_length=4)
        ps.append(r.row("network", "circularity_index")["p_value"])
    ps = np.array(ps)
    # discrete uniform on {1/40, ..., 1}: mean 0.5125, sd of a 60-mean 0.037
    assert abs(ps.mean() - 0.5125) < 0.15
    assert (ps <= 0.1).mean() < 0.25
    assert (ps >= 0.9).mean() < 0.3


def test_planted_loops_are_found():
    rng = np.random.default_rng(5)
    rows = []
    n = 20
    for a in range(n):           # a sparse acyclic background of small amounts
        for b in range(a + 1, n):
            if rng.random() < 0.12:
                rows.append((f"N{a}", f"N{b}", round(float(rng.uniform(1, 2)), 2)))
    idx = rng.choice(n, 12, replace=False)
    planted = [(f"N{idx[2 * i]}", f"N{idx[2 * i + 1]}") for i in range(6)]
    for a, b in planted:         # six strong two-way loops
        rows += [(a, b, 40.0), (b, a, 40.0)]
    df = pd.DataFrame(rows, columns=["payer", "payee", "amount_usd_bn"]).drop_duplicates(
        ["payer", "payee"], keep="last")
    df = df.assign(deal_id=[f"P{k}" for k in range(len(df))], flow_type="compute_contract",
                   status="committed", announced="2025-01", source_url="https://example.org/p")
    r = fg.significance(fg.build_graph(df), n=99, seed=2, amounts="carry", max_length=4,
                        top=20)
    assert r.row("network", "circularity_index")["p_value"] <= 0.05
    assert r.row("network", "loops_length_2")["p_value"] <= 0.05
    sf = r.table[r.table["quantity"] == "self_funded_share"]
    assert set(sf.loc[sf["excess"] > 0.5, "item"]) <= {c for p in planted for c in p}
    assert sf.iloc[0]["item"] in {c for p in planted for c in p}


def test_deterministic_for_a_seed_and_p_value_formula():
    G = _random_deals(3)
    a = fg.significance(G, n=30, seed=4)
    b = fg.significance(G, n=30, seed=4)
    pd.testing.assert_frame_equal(a.table, b.table)
    row = a.row("network", "circularity_index")
    null = a.null_values["network: circularity_index"].to_numpy()
    assert row["p_value"] == pytest.approx((1 + np.sum(null >= row["observed"] - 1e-12)) / 31)
    assert row["p_error"] == pytest.approx(math.sqrt(row["p_value"] * (1 - row["p_value"]) / 30))
    assert "p =" in a.headline()


def test_bad_arguments():
    G = _random_deals(3)
    for kw in ({"n": 0}, {"model": "er"}, {"amounts": "keep"}, {"swaps": 0}, {"seed": 1.5}):
        with pytest.raises(fg.ParameterError):
            fg.null_model(G, **kw)
    with pytest.raises(fg.UnknownCompanyError):
        fg.significance(G, n=3, companies=["Nobody"])


def test_cli_significance():
    res = CliRunner().invoke(main, ["significance", "--dataset", "toy", "--samples", "40",
                                    "--seed", "2"])
    assert res.exit_code == 0, res.output
    assert "p-value" in res.output and "circularity" in res.output
    res = CliRunner().invoke(main, ["significance", "--dataset", "toy", "--samples", "20",
                                    "--format", "json"])
    assert res.exit_code == 0, res.output


def test_a_dense_network_is_refused_quickly_not_counted_wrong():
    import time

    G = nx.complete_graph(40, create_using=nx.DiGraph)
    nx.set_edge_attributes(G, 1.0, "amount")
    t0 = time.perf_counter()
    with pytest.raises(fg.ParameterError, match="max_length"):
        fg.significance(G, n=5, max_length=6, max_work=2_000_000)
    # seconds of search at most; the bound leaves room for compiling the kernel on first use
    assert time.perf_counter() - t0 < 60


def test_the_report_goes_on_and_says_why_when_loops_are_too_many_to_count():
    from flowgraph import report

    G = nx.complete_graph(40, create_using=nx.MultiDiGraph)
    nx.set_edge_attributes(G, 1.0, "amount")
    sure, sig, note = report._how_sure(G, weight="amount", samples=0, null_samples=5, seed=0,
                                       top=3, max_length=6, say=lambda _m: None)
    assert sig is None and sure is None
    assert note.startswith("The test against chance was not run: ") and "max_length" in note


# ----------------------------------------------------------- compiled and interpreted kernels
def _reference_rewire(src, dst, kind, ftype, n, picks, kinds):
    """The swaps written out with a Python set, as the model's definition reads."""
    dst = dst.copy()
    present = set((src * n + dst).tolist())
    done = 0
    for i, j in picks.tolist():
        a, b, c, d = int(src[i]), int(dst[i]), int(src[j]), int(dst[j])
        if i == j or a == d or c == b or b == d:
            continue
        if kinds and (kind[b] != kind[d] or ftype[i] != ftype[j]):
            continue
        if a * n + d in present or c * n + b in present:
            continue
        present -= {a * n + b, c * n + d}
        present |= {a * n + d, c * n + b}
        dst[i], dst[j] = d, b
        done += 1
    return dst, done


def _reference_fit(src, dst, w, out_t, in_t, n, iters):
    """Proportional fitting with numpy's own bincount."""
    x = w.astype(float).copy()
    for _ in range(iters):
        inn = np.bincount(dst, weights=x, minlength=n)
        x = x * np.where(inn > 0, in_t / np.where(inn > 0, inn, 1.0), 1.0)[dst]
        out = np.bincount(src, weights=x, minlength=n)
        x = x * np.where(out > 0, out_t / np.where(out > 0, out, 1.0), 1.0)[src]
    return x


@pytest.mark.parametrize("seed", range(6))
def test_null_kernels_compiled_and_interpreted_match_the_reference_to_the_bit(seed):
    from flowgraph import _nulls_kernels as NK
    from flowgraph._numba import compiled

    rng = np.random.default_rng(seed)
    n, m = 30, 120
    pairs = sorted({(int(a), int(b)) for a, b in rng.integers(0, n, (m, 2)) if a != b})
    src = np.array([p[0] for p in pairs], np.int64)
    dst = np.array([p[1] for p in pairs], np.int64)
    kind = rng.integers(0, 3, n).astype(np.int64)
    ftype = rng.integers(0, 2, len(src)).astype(np.int64)
    w = rng.lognormal(0, 1, len(src))
    picks = rng.integers(0, len(src), (10 * len(src), 2))
    for kinds in (False, True):
        want = _reference_rewire(src, dst, kind, ftype, n, picks, kinds)
        assert want[1] > 0
        for K in (NK, compiled(NK)):
            got = K.rewire(src, dst, kind, ftype, n, picks, kinds)
            assert got[0].tolist() == want[0].tolist() and int(got[1]) == want[1]
    new = want[0]
    out_t = np.bincount(src, weights=w, minlength=n)
    in_t = np.bincount(dst, weights=w, minlength=n)
    want = _reference_fit(src, new, w, out_t, in_t, n, 200)
    for K in (NK, compiled(NK)):
        assert np.array_equal(K.fit_strengths(src, new, w, out_t, in_t, n, 200), want)


def test_null_model_draws_the_same_samples_compiled_or_interpreted(monkeypatch):
    from flowgraph import _numba, nulls

    G = _random_deals(4, kinds=True)
    seen = []
    real = nulls._kernels
    monkeypatch.setattr(nulls, "_kernels", lambda *a: seen.append(real(*a)) or seen[-1])
    draws = []
    for warm, load in ((False, 1e9), (True, 1e9), (False, 0.0)):
        monkeypatch.setattr(_numba, "warm", lambda warm=warm: warm)
        monkeypatch.setattr(nulls, "_LOAD_SECONDS", load)
        for model in ("degree", "kinds"):
            draws.append(fg.null_model(G, n=30, seed=9, model=model))
    from flowgraph import _nulls_kernels as NK

    assert [k is NK for k in seen] == [True, True, False, False, False, False]
    for a, b in zip(draws[:2] * 2, draws[2:]):
        assert np.array_equal(a.dst, b.dst) and np.array_equal(a.amounts, b.amounts)
        assert a.notes == b.notes
