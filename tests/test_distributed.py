"""Runs on a real dask.distributed LocalCluster (two worker processes, started here) give the
same answers as one machine: cycles split by start vertex, self-funded amounts and keystones
one task per group of companies, partitioned files collapsed by dask.dataframe."""
from __future__ import annotations

import logging

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from flowgraph import circulation as circ
from flowgraph import cycles, distributed, graph
from flowgraph.cli import main
from flowgraph.errors import ParameterError
from flowgraph.synthetic import synthetic_network
import itertools

dd = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def cluster():
    with dd.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                         dashboard_address=None, silence_logs=logging.ERROR) as lc:
        with dd.Client(lc) as client:
            yield lc, client


def _deals(seed: int, n: int = 120, m: int = 900) -> pd.DataFrame:
    return synthetic_network(n, m, seed=seed, reciprocity=0.95).deals


def _same_cycles(a, b) -> None:
    assert a.n_found == b.n_found and a.truncated == b.truncated
    pd.testing.assert_frame_equal(a.cycles, b.cycles)
    pd.testing.assert_frame_equal(a.hops, b.hops)
    pd.testing.assert_frame_equal(a.deals, b.deals)
    pa, pb = a.participation, b.participation
    pd.testing.assert_frame_equal(pa.drop(columns="round_trip_sum"),
                                  pb.drop(columns="round_trip_sum"))
    # the same round trips, added in another order
    np.testing.assert_allclose(pa["round_trip_sum"], pb["round_trip_sum"], rtol=1e-12)
    pd.testing.assert_frame_equal(a.hop_participation, b.hop_participation)


@pytest.mark.parametrize("seed", [1, 2])
def test_cycles_split_by_start_vertex_match_one_machine(cluster, seed):
    _, client = cluster
    table = graph.filter_deals(_deals(seed))
    cases = [dict(max_length=4, limit=None), dict(max_length=5, limit=25, sort="length"),
             dict(max_length=4, limit=40, time_ordered=True, window=400),
             dict(max_length=3, limit=None, min_amount=0.02)]
    for kw in cases:
        one = cycles.find_cycles(table, **kw)
        assert one.n_found > 0, kw
        with distributed.connect(client=client):
            assert distributed.active() is client
            many = cycles.find_cycles(table, **kw)
        _same_cycles(one, many)
    assert distributed.active() is None
    through = one.cycles["companies"].iloc[0][0]
    _same_cycles(cycles.find_cycles(table, max_length=4, through=[through]),
                 distributed.find_cycles(table, max_length=4, through=[through], client=client))


def test_split_really_runs_tasks_on_the_workers(cluster, monkeypatch):
    _, client = cluster
    table = graph.filter_deals(_deals(4))
    messages: list[str] = []
    res = distributed.find_cycles(table, max_length=4, client=client, progress=messages.append)
    assert res.n_found == cycles.find_cycles(table, max_length=4).n_found
    per_task = [m for m in messages if "% of start companies" in m]
    # one progress line per finished task: several tasks per worker
    assert len(per_task) >= 2 * distributed.TASKS_PER_WORKER
    assert per_task[-1].startswith("cycles: 100.0%")
    assert len(client.scheduler_info()["workers"]) == 2


def test_ranges_cover_every_start_once():
    w = np.array([0, 3, 0, 1, 1, 5, 0, 2], float)
    r = distributed._ranges(w, 3)
    assert r[0][0] == 0 and r[-1][1] == len(w)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(r))
    assert distributed._ranges(np.zeros(0), 4) == []
    assert distributed._ranges(np.ones(5), 1) == [(0, 5)]


def test_self_funded_and_keystones_match_one_machine(cluster):
    _, client = cluster
    table = graph.filter_deals(_deals(5))
    sf, ks = circ.self_funded(table, top=9), circ.keystones(table, top=9)
    cc = circ.company_circulation(table, top=6)
    assert (sf.table["self_funded"] > 0).sum() >= 3
    assert (ks.table["circulation_lost"] > 0).sum() >= 3
    got = distributed.self_funded(table, top=9, client=client)
    pd.testing.assert_frame_equal(got.table, sf.table)
    assert got.notes == sf.notes
    messages: list[str] = []
    got = distributed.keystones(table, top=9, client=client, progress=messages.append)
    pd.testing.assert_frame_equal(got.table, ks.table)
    assert got.notes == ks.notes and got.circular_flow == ks.circular_flow
    assert any("tasks on the cluster" in m for m in messages)
    got = distributed.company_circulation(table, top=6, client=client)
    pd.testing.assert_frame_equal(got.table, cc.table)
    assert got.notes == cc.notes and got.circularity_index == cc.circularity_index


def test_pair_table_from_partitioned_files(cluster, tmp_path):
    _, client = cluster
    deals = _deals(6)
    parts = np.array_split(np.arange(len(deals)), 3)
    for i, rows in enumerate(parts):
        deals.iloc[rows].to_parquet(tmp_path / f"part-{i}.parquet")
        deals.iloc[rows].to_csv(tmp_path / f"part-{i}.csv", index=False)
    files = sorted(tmp_path.glob("*.parquet"))
    got = distributed.pair_table(files, client=client)
    # an independent reference: networkx sums over the deal graph collapsed to pairs
    ref = graph.collapse(graph.build_graph(deals))
    known = got[got["amount"].notna()].set_index(["payer", "payee"])
    unknown = got[got["amount"].isna()].set_index(["payer", "payee"])
    assert len(known) + len(unknown) == len(got) and not known.index.duplicated().any()
    assert set(known.index) | set(unknown.index) == set(ref.edges)
    for (u, v), d in ref.edges.items():
        total = int(known["n_deals"].get((u, v), 0) + unknown["n_deals"].get((u, v), 0))
        assert total == d["n_deals"]
        assert bool((u, v) in unknown.index) == bool(d["has_unknown"])
        if (u, v) in known.index:
            assert known.loc[(u, v), "amount"] == pytest.approx(d["amount"], rel=1e-12)
    csv = distributed.pair_table(sorted(tmp_path.glob("*.csv")), client=client)
    pd.testing.assert_frame_equal(csv, got, check_exact=False, rtol=1e-12)
    # the pair table gives the same loops as the deals (amounts summed in another order)
    a = cycles.find_cycles(graph.filter_deals(deals), max_length=4, limit=None)
    b = cycles.find_cycles(got, max_length=4, limit=None)
    assert a.n_found == b.n_found > 0
    ka = a.cycles.set_index("path")
    kb = b.cycles.set_index("path")
    assert set(ka.index) == set(kb.index)
    np.testing.assert_allclose(kb.loc[ka.index, "round_trip"], ka["round_trip"], rtol=1e-12)
    assert (kb.loc[ka.index, "round_trip_bound"] == ka["round_trip_bound"]).all()
    ca, cb = (circ.maximal_circulation(x).circular_flow
              for x in (graph.filter_deals(deals), got))
    assert cb == pytest.approx(ca, rel=1e-9)


def test_cli_scheduler_gives_the_same_output(cluster, tmp_path):
    lc, _ = cluster
    path = tmp_path / "d.csv"
    _deals(8).to_csv(path, index=False)
    runner = CliRunner()
    for args in (["cycles", "--max-length", "4", "--format", "csv"],
                 ["circulation", "--view", "keystones", "--top", "5"],
                 ["circulation", "--view", "self-funded", "--top", "5", "--format", "csv"],
                 ["circulation", "--samples", "12", "--format", "json"],
                 ["concentration", "--samples", "12", "--format", "json"],
                 ["significance", "--samples", "8", "--max-length", "4", "--format", "csv"]):
        one = runner.invoke(main, [*args, "--deals", str(path)])
        many = runner.invoke(main, [*args, "--deals", str(path), "--scheduler",
                                    lc.scheduler_address])
        assert one.exit_code == many.exit_code == 0, many.output
        assert one.output == many.output and len(one.output.splitlines()) > 4
    r = runner.invoke(main, ["cycles", "--deals", str(path), "--workers", "2", "--scheduler",
                             lc.scheduler_address])
    assert r.exit_code == 2 and "not both" in r.output


def test_connect_needs_exactly_one_way_in():
    with pytest.raises(ParameterError, match="exactly one"):
        with distributed.connect():
            pass
    with pytest.raises(ParameterError, match="exactly one"):
        with distributed.connect(workers=2, scheduler="tcp://x:1"):
            pass
    with pytest.raises(ParameterError, match="at least 1"):
        with distributed.connect(workers=0):
            pass


def test_small_graph_on_the_cluster(cluster):
    _, client = cluster
    G = nx.DiGraph([("A", "B", {"amount": 1.0}), ("B", "A", {"amount": 2.0}),
                    ("B", "C", {"amount": 3.0}), ("C", "A", {"amount": 0.5})])
    _same_cycles(cycles.find_cycles(G), distributed.find_cycles(G, client=client))
    empty = nx.DiGraph([("A", "B", {"amount": 1.0})])
    assert distributed.find_cycles(empty, client=client).n_found == 0


def test_caps_stop_a_split_search_as_they_stop_one_machine(cluster):
    _, client = cluster
    table = graph.filter_deals(_deals(9))
    one = cycles.find_cycles(table, max_length=5, max_work=5_000)
    many = distributed.find_cycles(table, max_length=5, max_work=5_000, client=client)
    assert not one.complete and not many.complete
    assert any("stopped early" in n for n in many.notes)
    full = cycles.find_cycles(table, max_length=5, max_work=10**9)
    assert full.complete
    _same_cycles(full, distributed.find_cycles(table, max_length=5, max_work=10**9,
                                               client=client))
    capped = distributed.find_cycles(table, max_length=5, max_loops=50, client=client)
    assert not capped.complete and capped.n_found == 50


@pytest.mark.parametrize("seed", [3, 9])
def test_loop_cap_holds_overall_as_on_one_machine(cluster, seed):
    """--max-loops N on a cluster: the first N loops in start-vertex order, exactly one
    machine's loops, counts per company and hop, and stop (each task once got the whole
    cap, so two workers found several times N)."""
    _, client = cluster
    table = graph.filter_deals(_deals(seed))
    total = cycles.find_cycles(table, max_length=4, limit=0).n_found
    assert total > 300
    for cap, kw in [(5, {}), (37, dict(sort="length", limit=10)), (300, dict(limit=None)),
                    (total, dict(limit=20)), (total + 1, dict(limit=20)),
                    (120, dict(time_ordered=True, limit=None))]:
        one = cycles.find_cycles(table, max_length=4, max_loops=cap, **kw)
        many = distributed.find_cycles(table, max_length=4, max_loops=cap, client=client, **kw)
        _same_cycles(one, many)
        assert many.n_found == one.n_found <= cap
        assert (many.complete, many.params["stopped"], many.notes) == (
            one.complete, one.params["stopped"], one.notes), (cap, kw)
    # one more than there are: complete, as one machine says
    assert distributed.find_cycles(table, max_length=4, max_loops=total + 1, limit=0,
                                   client=client).complete


def test_cli_loop_cap_on_workers_is_one_machines(cluster, tmp_path):
    lc, _ = cluster
    path = tmp_path / "d.csv"
    _deals(8).to_csv(path, index=False)
    runner = CliRunner()
    args = ["cycles", "--deals", str(path), "--max-length", "4", "--max-loops", "5"]
    one = runner.invoke(main, args)
    many = runner.invoke(main, [*args, "--scheduler", lc.scheduler_address])
    assert one.exit_code == many.exit_code == 0, many.output
    assert one.output == many.output
    assert many.output.startswith("at least 5 loops") and "stopped at --max-loops 5" in many.output


def _sample_graph(seed: int):
    deals = _deals(seed, n=40, m=220).copy()
    # ranges on some deals, so that samples really differ
    k = deals.index[::3]
    deals.loc[k, "amount_low_usd_bn"] = deals.loc[k, "amount_usd_bn"] * 0.5
    deals.loc[k, "amount_high_usd_bn"] = deals.loc[k, "amount_usd_bn"] * 1.5
    return graph.build_graph(deals)


@pytest.mark.parametrize("measure", ["circulation", "concentration"])
def test_monte_carlo_samples_on_the_cluster_match_one_machine(cluster, measure):
    from flowgraph.sampling import uncertainty

    _, client = cluster
    G = _sample_graph(7)
    one = uncertainty(G, measure, n=24, seed=3)
    with dd.get_task_stream(client=client) as stream:
        many = distributed.uncertainty(G, measure, n=24, seed=3, client=client)
    pd.testing.assert_frame_equal(many.table, one.table)
    assert one.table["width"].max() > 0  # the samples differ, so the check can fail
    names = {t["key"].split("-")[0] if isinstance(t["key"], str) else str(t["key"])
             for t in stream.data}
    assert any("_rows" in k for k in names)  # the samples ran as tasks on the workers


def test_rows_come_back_in_sample_order(cluster):
    _, client = cluster

    def rows(payload, first, last):
        return np.arange(first, last, dtype=float)[:, None] * payload

    with distributed.connect(client=client):
        got = distributed.map_rows(rows, 2.0, 37, what="samples")
    np.testing.assert_array_equal(got, np.arange(37, dtype=float)[:, None] * 2.0)


def test_null_model_test_on_the_cluster_matches_one_machine(cluster):
    from flowgraph.nulls import null_model, significance

    _, client = cluster
    G = _sample_graph(8)
    nulls = null_model(G, n=12, seed=5)
    one = significance(G, samples=nulls, max_length=4)
    with dd.get_task_stream(client=client) as stream:
        with distributed.connect(client=client):
            many = significance(G, samples=nulls, max_length=4)
    pd.testing.assert_frame_equal(many.table, one.table)
    assert any("_null_rows" in str(t["key"]) for t in stream.data)
