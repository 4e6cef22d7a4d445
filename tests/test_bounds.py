"""Runs are bounded: the loop search stops at a work or loop cap, says so, counts 'at least',
and the top loops by round trip stay exact within bounded work."""
from __future__ import annotations

import time

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

import flowgraph as fg
from flowgraph import _topk
from flowgraph import cycles as cyc
from flowgraph.cli import main


def dense(n, seed=0):
    """A complete directed network: every company pays every other (distinct amounts)."""
    D = nx.DiGraph()
    for i in range(n):
        for j in range(n):
            if i != j:
                D.add_edge(f"C{i:02d}", f"C{j:02d}", amount=float(1 + (i * 7 + j * 3 + seed) % 97))
    return D


def test_dense_network_stops_at_the_work_cap_within_seconds():
    D = dense(60)  # billions of loops of at most 6 hops
    t0 = time.perf_counter()
    r = fg.find_cycles(D, max_work=2_000_000, limit=5)
    assert time.perf_counter() - t0 < 30
    assert not r.complete and r.truncated and r.n_found > 0
    assert any("stopped early" in n and "at least" in n and "--max-length" in n
               and "--min-amount" in n for n in r.notes)
    assert len(r.cycles) == 5


def test_loop_cap_stops_and_says_so():
    r = fg.find_cycles(dense(12), max_loops=1000, max_work=None, limit=3)
    assert not r.complete and r.n_found >= 1000
    assert any("--max-loops" in n for n in r.notes)


def test_complete_search_is_unchanged_by_the_cap():
    D = dense(6)
    full = fg.find_cycles(D, max_work=None, limit=None)
    capped = fg.find_cycles(D, limit=None)  # the default cap is far above this search
    assert full.complete and capped.complete
    assert full.n_found == capped.n_found
    pd.testing.assert_frame_equal(full.cycles, capped.cycles)


def test_progress_moves_during_a_long_search():
    seen = []
    fg.find_cycles(dense(40), max_work=20_000_000, limit=1, progress=seen.append)
    work = [m for m in seen if "of the work cap" in m]
    assert len({m.split(",")[1] for m in work}) > 2, work[:5]
    assert seen[-1].endswith("stopped early, done")


def test_largest_loops_are_exact_with_bounded_work():
    D = dense(8, seed=5)
    full = fg.find_cycles(D, max_length=5, max_work=None, limit=None, sort="round_trip")
    assert full.complete
    top = 7
    want = full.cycles.head(top)[["path", "round_trip"]].reset_index(drop=True)
    got = _topk.largest(D, top=top, max_length=5, max_work=4_000)  # the full search: 13,420
    assert not got.complete and got.n_found >= full.n_found // 100
    # every loop at or above the threshold was found: the top is the true top (ties included)
    assert got.cycles["round_trip"].head(top).tolist() == want["round_trip"].tolist()
    floor = got.params["round_trip_floor"]
    assert (full.cycles["round_trip"] >= floor).sum() >= top
    assert any("largest by round trip" in n and "at least" in n for n in got.notes)


def test_cli_cycles_on_a_dense_file_says_at_least(tmp_path, monkeypatch):
    rows = ["deal_id,payer,payee,amount_usd_bn,flow_type,status,source_url"]
    k = 0
    for i in range(30):
        for j in range(30):
            if i != j:
                k += 1
                rows.append(f"D{k},C{i:02d},C{j:02d},{1 + (i * 7 + j) % 13},other,committed,"
                            "https://x.org")
    p = tmp_path / "dense.csv"
    p.write_text("\n".join(rows) + "\n")
    monkeypatch.setitem(cyc.find_cycles.__kwdefaults__, "max_work", 3_000_000)
    t0 = time.perf_counter()
    res = CliRunner().invoke(main, ["cycles", "--deals", str(p), "--limit", "3"])
    assert res.exit_code == 0, res.output
    assert time.perf_counter() - t0 < 60
    assert res.output.startswith("at least ")
    assert "stopped early" in res.output
    res2 = CliRunner().invoke(main, ["cycles", "--deals", str(p), "--limit", "3",
                                     "--max-loops", "50"])
    assert res2.exit_code == 0 and "--max-loops" in res2.output


def test_html_top_zero_runs_no_search(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("searched")

    monkeypatch.setattr(_topk, "largest", boom)
    page = fg.to_html(dense(5), top_cycles=0)
    assert page.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("bad", [0, -1, 2.5, "9"])
def test_caps_must_be_positive_whole_numbers(bad):
    with pytest.raises(fg.ParameterError):
        fg.find_cycles(dense(3), max_work=bad)
    with pytest.raises(fg.ParameterError):
        fg.find_cycles(dense(3), max_loops=bad)


def test_report_on_a_dense_network_is_bounded_and_says_at_least(tmp_path, monkeypatch):
    monkeypatch.setitem(cyc.find_cycles.__kwdefaults__, "max_work", 20_000)
    D = nx.MultiDiGraph()
    for k, (u, v, d) in enumerate(dense(10).edges(data=True)):
        D.add_edge(u, v, key=f"D{k}", amount=d["amount"], flow_type="other",
                   status="committed", deal_id=f"D{k}", source_url="https://x.org")
    t0 = time.perf_counter()
    rep = fg.write_report(D, tmp_path / "r", charts=False, samples=0)
    assert time.perf_counter() - t0 < 120
    md = rep.markdown.read_text(encoding="utf-8")
    assert "At least " in md and "stopped early" in md
