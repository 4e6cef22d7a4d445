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
    # the counts per company come from the capped search of all loops (floors), not from
    # the loops above the threshold
    assert not got.participation["complete"].any()
    capped = fg.find_cycles(D, max_length=5, max_work=4_000, limit=0)
    pd.testing.assert_frame_equal(got.participation, capped.participation)
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
    page = fg.to_html(dense(5), top=0)
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


def _dense_file(path, n):
    """A deals file of a complete network of n companies (n * (n - 1) deals over two years)."""
    rows = ["deal_id,payer,payee,amount_usd_bn,flow_type,status,announced,source_url"]
    k = 0
    for i in range(n):
        for j in range(n):
            if i != j:
                k += 1
                rows.append(f"D{k},C{i:02d},C{j:02d},{1 + (i * 7 + j * 3) % 97},other,committed,"
                            f"{2024 + k % 2}-{1 + k % 12:02d},https://x.org/{k}")
    path.write_text("\n".join(rows) + "\n")
    return path


def _timed(args):
    """Run the CLI in-process: result, wall seconds, CPU seconds (the machine is shared, so
    CPU time is the steady measure; wall time gets a looser bound)."""
    t0, c0 = time.perf_counter(), time.process_time()
    res = CliRunner().invoke(main, args)
    return res, time.perf_counter() - t0, time.process_time() - c0


def test_cli_cycles_with_defaults_on_a_dense_file_is_capped_in_seconds(tmp_path):
    p = _dense_file(tmp_path / "dense.csv", 50)  # about ten billion loops of at most 6 hops
    res, wall, cpu = _timed(["cycles", "--deals", str(p), "--limit", "3"])
    assert res.exit_code == 0, res.output
    assert cpu < 15 and wall < 60, (cpu, wall)
    assert res.output.startswith("at least ")
    assert f"stopped early at the work cap of {cyc.QUICK_WORK:,} hops" in res.output
    assert "--max-work" in res.output and "--max-length" in res.output
    # an explicit cap is the cap
    res2, _, _ = _timed(["cycles", "--deals", str(p), "--limit", "3", "--max-work", "100000"])
    assert res2.exit_code == 0 and "work cap of 100,000 hops" in res2.output


def test_cli_html_with_defaults_on_a_dense_file_is_capped_in_seconds(tmp_path):
    p = _dense_file(tmp_path / "dense.csv", 50)
    out = tmp_path / "g.html"
    res, wall, cpu = _timed(["html", "--deals", str(p), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert cpu < 20 and wall < 60, (cpu, wall)
    page = out.read_text(encoding="utf-8")
    # under the default cap even the threshold search for the largest loops stops early, so
    # the panel lists the largest of the loops found, and says so (not "the 10 largest")
    from flowgraph._topk import largest

    with cyc.work_budget(cyc.QUICK_WORK):
        capped = largest(fg.build_graph(fg.read_deals(p)), top=10, max_length=6)
    assert capped.params["listing"] == "found"
    assert "At least " in page and ("cycles found; 10 of the loops found before the search "
                                    "stopped, largest round trip first") in page
    # the loops through each company are counted by the capped search: floors, said so
    assert '"cycles": "at least ' in page


def test_cli_report_with_defaults_on_a_dense_file_is_capped_in_seconds(tmp_path):
    p = _dense_file(tmp_path / "dense.csv", 40)
    res, wall, cpu = _timed(["report", "--deals", str(p), "-o", str(tmp_path / "r")])
    assert res.exit_code == 0, res.output
    assert cpu < 30 and wall < 90, (cpu, wall)
    md = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert "At least " in md and "stopped early" in md and "--max-work" in md
    # the test against chance refuses before drawing random networks, and says why
    assert "test against chance was not run" in md and "--max-length" in md


def test_max_work_help_names_the_default_cap():
    res = CliRunner().invoke(main, ["cycles", "--help"])
    assert f"[default: {cyc.QUICK_WORK / 1e6:g} million" in " ".join(res.output.split())


def test_work_budget_replaces_the_default_cap_and_caps_the_others():
    D = dense(12)
    with cyc.work_budget(5_000):
        assert fg.find_cycles(D, limit=1).params["max_work"] == 5_000
        assert fg.find_cycles(D, limit=1, max_work=3_000).params["max_work"] == 3_000
        assert fg.find_cycles(D, limit=1, max_work=10**9).params["max_work"] == 5_000
        assert fg.find_cycles(D, limit=1, max_work=None).params["max_work"] == 5_000
    with cyc.work_budget(10**9):  # raises the default cap
        assert fg.find_cycles(dense(4), limit=1).params["max_work"] == 10**9
    assert fg.find_cycles(dense(4), limit=1).params["max_work"] == cyc.MAX_WORK
    with pytest.raises(fg.ParameterError):
        with cyc.work_budget(0):
            pass


def test_every_entry_point_that_enumerates_loops_is_capped():
    D = dense(12)
    full = fg.cycle_participation(D, max_length=4, max_work=None)
    assert full["complete"].all()
    part = fg.cycle_participation(D, max_length=4, max_work=2_000)
    assert not part["complete"].any()
    # the counts are floors: never above the full counts, and short of them somewhere
    merged = full.merge(part, on="company", suffixes=("", "_capped"))
    assert (merged["n_cycles_capped"] <= merged["n_cycles"]).all()
    assert (merged["n_cycles_capped"] < merged["n_cycles"]).any()
    part2 = fg.cycle_participation(D, max_loops=1000, max_work=None)  # millions of loops
    assert not part2["complete"].any() and part2["n_cycles"].max() >= 1000
    src = [i for i in range(12) for j in range(12) if i != j]
    dst = [j for i in range(12) for j in range(12) if i != j]
    r = fg.cycles_from_arrays(src, dst, [1.0] * len(src), max_length=4, max_work=2_000)
    assert not r.complete and r.truncated
    assert any("at least" in n and "stopped early" in n for n in r.notes)
    r2 = fg.cycles_from_arrays(src, dst, [1.0] * len(src), max_loops=1000, limit=5)
    assert not r2.complete and r2.n_found >= 1000 and any("--max-loops" in n for n in r2.notes)
    with pytest.raises(fg.ParameterError, match="work cap of 2,000"):
        cyc.cycle_counts(src, dst, max_length=4, max_work=2_000)
    with cyc.work_budget(2_000), pytest.raises(fg.ParameterError, match="work cap of 2,000"):
        cyc.count_work(D, max_length=4)
    assert cyc.count_work(D, max_length=4, max_work=None) == fg.find_cycles(
        D, max_length=4, limit=0, max_work=None).work


def test_largest_spends_at_most_twice_its_cap(monkeypatch):
    spent = []
    real = cyc.find_cycles

    def counting(*a, **k):
        r = real(*a, **k)
        spent.append(r.work)
        return r

    monkeypatch.setattr(cyc, "find_cycles", counting)
    _topk.largest(dense(30), top=5, max_work=200_000)
    assert len(spent) >= 2 and sum(spent) <= 2 * 200_000 + len(spent) * 64
