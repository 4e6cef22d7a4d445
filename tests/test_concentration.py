"""Concentration: HHI, dependency shares, centralities and commitments against fundamentals."""
from __future__ import annotations

import math
import sys

import networkx as nx
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import flowgraph as fg
from flowgraph.cli import main
from flowgraph.concentration import (
    centrality,
    commitments,
    company_concentration,
    concentration_band,
    dependency_matrix,
    hhi,
    mutual_dependencies,
    network_concentration,
)
from flowgraph.errors import ParameterError


@pytest.fixture(scope="module")
def toy():
    return fg.build_graph(fg.load_dataset("toy"))


def random_digraph(seed: int, n: int = 12, p: float = 0.3) -> nx.DiGraph:
    rng = np.random.default_rng(seed)
    D = nx.gnp_random_graph(n, p, seed=seed, directed=True)
    H = nx.DiGraph()
    H.add_nodes_from(f"c{i:02d}" for i in D.nodes)
    for u, v in D.edges:
        H.add_edge(f"c{u:02d}", f"c{v:02d}", amount=float(rng.integers(1, 100)))
    return H


# --------------------------------------------------------------------------- HHI
def test_hhi_published_examples():
    # 1992/1997 Horizontal Merger Guidelines example quoted on industrialorganization.blogspot.com
    # ("nine firms" example): shares 25,20,15,10,9,8,7,6 -> post-merger HHI 1580 (moderately
    # concentrated); shares 45,15,10,8,7,6,5,4 -> 2540 (highly concentrated).
    assert hhi([25, 20, 15, 10, 9, 8, 7, 6]) == pytest.approx(1580)
    assert concentration_band(hhi([25, 20, 15, 10, 9, 8, 7, 6])) == "moderately concentrated"
    assert hhi([45, 15, 10, 8, 7, 6, 5, 4]) == pytest.approx(2540)
    assert concentration_band(2540) == "highly concentrated"
    # thedangerouseconomist.blogspot.com (2023-07): firms at 40/30/20/10 % -> HHI 3000
    assert hhi([40, 30, 20, 10]) == pytest.approx(3000)


def test_hhi_scale_and_invariance():
    assert hhi([5.0]) == 10000.0
    assert hhi([1, 1, 1, 1]) == pytest.approx(2500)
    assert hhi([2, 6]) == pytest.approx(hhi([1, 3]))  # scale invariant
    assert hhi([1, float("nan"), 1]) == pytest.approx(5000)  # unknowns ignored
    assert math.isnan(hhi([]))
    with pytest.raises(ParameterError):
        hhi([1, -1])


def test_bands_edges_and_custom_thresholds():
    assert concentration_band(999.99) == "unconcentrated"
    assert concentration_band(1000) == "moderately concentrated"
    assert concentration_band(1800) == "moderately concentrated"
    assert concentration_band(1800.01) == "highly concentrated"
    assert concentration_band(2000, thresholds=(1500, 2500)) == "moderately concentrated"
    assert concentration_band(float("nan")) == "no known amounts"
    with pytest.raises(ParameterError):
        concentration_band(10, thresholds=(2000, 1000))


# --------------------------------------------------------------------------- per company
def test_toy_concentration_by_hand(toy):
    # datasets/README.md: LabCo receives 15 (FundCo) + 10 (ChipCo): shares 60/40, HHI 5200.
    # ChipCo receives 6 (CloudCo) + 8 (LeaseCo): HHI (6/14)^2+(8/14)^2 = 5102.04.
    t = company_concentration(toy).set_index(["company", "direction"])
    lab = t.loc[("LabCo", "in")]
    assert lab["hhi"] == pytest.approx(5200)
    assert lab["effective_n"] == pytest.approx(10000 / 5200)
    assert (lab["top_counterparty"], lab["top_share"]) == ("FundCo", pytest.approx(0.6))
    assert t.loc[("ChipCo", "in"), "hhi"] == pytest.approx(1e4 * ((6 / 14) ** 2 + (8 / 14) ** 2))
    # CloudCo: 30 known from LabCo, BankCo's loan has no amount: flagged, not zero
    cloud = t.loc[("CloudCo", "in")]
    assert cloud["n_unknown"] == 1 and cloud["unknown_counterparties"] == 1
    assert cloud["total"] == 30.0 and cloud["hhi"] == 10000.0
    # BankCo only pays an unknown amount: no HHI at all
    assert math.isnan(t.loc[("BankCo", "out"), "hhi"])
    assert t.loc[("BankCo", "out"), "band"] == "no known amounts"


def test_concentration_directions_and_sorting(toy):
    t = company_concentration(toy, direction="in", sort="hhi")
    assert set(t["direction"]) == {"in"}
    h = t["hhi"].fillna(-1).tolist()
    assert h == sorted(h, reverse=True)
    # by default: money at risk (the amount tied to the largest counterparty) first
    t = company_concentration(toy, direction="in")
    risk = (t["total"] * t["top_share"]).fillna(-1).tolist()
    assert risk == sorted(risk, reverse=True)
    with pytest.raises(ParameterError):
        company_concentration(toy, sort="vibes")
    with pytest.raises(ParameterError):
        company_concentration(toy, direction="sideways")
    with pytest.raises(ParameterError):
        company_concentration(toy, basis="vibes")


def test_concentration_on_exposures(toy):
    t = company_concentration(toy, basis="exposures", direction="in").set_index("company")
    # LeaseCo depends on LabCo (12, compute) and ChipCo (5, announced backstop)
    assert t.loc["LeaseCo", "hhi"] == pytest.approx(1e4 * ((12 / 17) ** 2 + (5 / 17) ** 2))


@pytest.mark.parametrize("seed", range(5))
def test_hhi_matches_definition_on_random_graphs(seed):
    H = random_digraph(seed)
    t = company_concentration(H, direction="in").set_index("company")
    for v in H:
        amounts = [d["amount"] for _, _, d in H.in_edges(v, data=True)]
        if not amounts:
            assert v not in t.index
            continue
        s = np.array(amounts) / sum(amounts)
        assert t.loc[v, "hhi"] == pytest.approx(10000 * float((s ** 2).sum()))


# --------------------------------------------------------------------------- dependencies
@pytest.mark.parametrize("seed", range(3))
def test_dependency_matrix_against_adjacency(seed):
    H = random_digraph(seed)
    names = sorted(H)
    A = nx.to_numpy_array(H, nodelist=names, weight="amount")  # A[u, v] = u pays v
    inflow = A.sum(axis=0)
    m = dependency_matrix(H, direction="in")
    for j, v in enumerate(names):
        for i, u in enumerate(names):
            got = m.loc[v, u]
            if inflow[j] == 0:
                assert math.isnan(got)
            else:
                assert got == pytest.approx(A[i, j] / inflow[j])
    out = dependency_matrix(H, direction="out")
    rows = out.dropna(how="all").sum(axis=1)
    assert np.allclose(rows, 1.0)


def test_mutual_dependencies_toy(toy):
    # ChipCo gets 8 of its 14 from LeaseCo; LeaseCo gets 5 of its 17 from ChipCo (README).
    m = mutual_dependencies(toy)
    assert m[["company_a", "company_b"]].values.tolist() == [["ChipCo", "LeaseCo"]]
    assert m.loc[0, "a_from_b"] == pytest.approx(8 / 14)
    assert m.loc[0, "b_from_a"] == pytest.approx(5 / 17)
    assert m.loc[0, "weaker"] == pytest.approx(5 / 17)
    assert mutual_dependencies(toy, min_share=0.5).empty


# --------------------------------------------------------------------------- network level
@pytest.mark.parametrize("seed", range(3))
def test_centrality_matches_networkx(seed):
    H = random_digraph(seed, n=15)
    c = centrality(H).set_index("company")
    pr = nx.pagerank(H, weight="amount")
    for _, _, d in H.edges(data=True):
        d["dist"] = 1.0 / d["amount"]
    bc = nx.betweenness_centrality(H, weight="dist")
    for v in H:
        assert c.loc[v, "in_strength"] == pytest.approx(H.in_degree(v, weight="amount"))
        assert c.loc[v, "out_strength"] == pytest.approx(H.out_degree(v, weight="amount"))
        assert c.loc[v, "pagerank"] == pytest.approx(pr[v], abs=1e-6)
        assert c.loc[v, "betweenness"] == pytest.approx(bc[v])


def test_network_concentration_toy(toy):
    # README: W = 86 known; LabCo touches e1 10 + e2 30 + e6 12 + e7 15 = 67.
    nc = network_concentration(toy)
    assert nc.total_flow == pytest.approx(86)
    assert nc.top1 == ("LabCo",)
    assert nc.top1_share == pytest.approx(67 / 86)
    assert nc.n_unknown == 1
    assert nc.top3_share <= 1.0
    assert set(nc.headline()["measure"]) >= {"share of flow touching it"}
    # keystones come from the circulation analysis when it is present
    if nc.keystones is not None:
        assert "company" in nc.keystones.columns


# --------------------------------------------------------------------------- commitments
def test_commitments_toy_by_hand(toy):
    # LabCo promised 30 (CloudCo, committed headline) + 12 (LeaseCo) = 42; revenue 5, cash 8;
    # ChipCo's committed 10 equity is funding promised to LabCo: gap = 42 - 8 - 10 = 24.
    t = commitments(toy).set_index("company")
    lab = t.loc["LabCo"]
    assert lab["commitments_out"] == 42.0 and lab["commercial_out"] == 42.0
    assert lab["funding_in"] == 10.0
    assert lab["commitments_to_revenue"] == pytest.approx(42 / 5)
    assert lab["commitments_to_cash"] == pytest.approx(42 / 8)
    assert lab["funding_gap"] == pytest.approx(24.0)
    assert lab["revenue_as_of"] == "2024-12-31" and lab["cash_source"] == "fictional example"
    # LeaseCo: backlog 12 + 5 (announced backstop) = 17 against revenue 2
    assert t.loc["LeaseCo", "backlog_to_revenue"] == pytest.approx(17 / 2)
    # FundCo has no revenue or market value: NaN ratios and a 'missing' note, not hidden
    assert math.isnan(t.loc["FundCo", "commitments_to_revenue"])
    assert t.loc["FundCo", "missing"] == "revenue;market_value"
    assert t.index[0] == "LabCo"  # largest commitments / revenue first


def test_commitments_unknown_amounts_counted():
    M = nx.MultiDiGraph()
    M.add_node("A", revenue_usd_bn=10.0, cash_usd_bn=1.0)
    M.add_edge("A", "B", key="k", amount=5.0, flow_type="lease", status="committed")
    M.add_edge("A", "C", key="u", amount=float("nan"), amount_known=False, flow_type="lease",
               status="committed")
    M.add_edge("D", "A", key="w", amount=9.0, flow_type="warrant", status="committed")
    t = commitments(M).set_index("company")
    assert t.loc["A", "commitments_out"] == 5.0 and t.loc["A", "n_unknown_out"] == 1
    assert t.loc["D", "commitments_out"] == 0.0  # a warrant promises no cash
    with pytest.raises(ParameterError):
        commitments(M, statuses=["disbursed"])


def test_commitments_with_no_promised_deals(toy):
    # a graph whose deals are all paid (or none at all) has nothing promised: zeros, no crash
    M = nx.MultiDiGraph()
    M.add_node("A", revenue_usd_bn=10.0, cash_usd_bn=2.0)
    M.add_edge("A", "B", key="p", amount=5.0, flow_type="lease", status="disbursed")
    t = commitments(M).set_index("company")
    assert t.loc["A", "commitments_out"] == 0.0 and t.loc["B", "backlog_in"] == 0.0
    assert t.loc["A", "funding_gap"] == -2.0
    empty = fg.build_graph(fg.load_dataset("toy"), as_of="1990")
    assert empty.number_of_edges() == 0
    assert (commitments(empty)["commitments_out"] == 0).all()
    r = CliRunner().invoke(main, ["concentration", "--dataset", "toy", "--as-of", "1990",
                                  "--view", "commitments", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("company,")
    assert "--as-of 1990 alone leaves none" in r.stderr  # the empty result says why


def test_dependencies_with_no_deals():
    empty = fg.build_graph(fg.load_dataset("toy"), as_of="1990")
    assert mutual_dependencies(empty).empty
    m = dependency_matrix(empty)
    assert m.shape == (6, 6) and m.isna().all().all()  # no inflow: shares undefined
    assert company_concentration(empty, basis="exposures").empty
    r = CliRunner().invoke(main, ["concentration", "--dataset", "toy", "--status", "rumored",
                                  "--flow-type", "lease", "--view", "mutual"])
    assert r.exit_code == 0, r.output
    assert "(no rows)" in r.output


def test_cli_network_json_carries_numbers():
    import json

    r = CliRunner().invoke(main, ["concentration", "--dataset", "toy", "--view", "network",
                                  "--format", "json"])
    assert r.exit_code == 0, r.output
    head = {x["measure"]: x["value"] for x in json.loads(r.output)["Network concentration"]}
    assert head["total known flow (bn USD)"] == 86.0
    assert head["share of flow touching them"] == pytest.approx(1.0)
    assert head["largest company"] == "LabCo"
    r = CliRunner().invoke(main, ["concentration", "--dataset", "toy", "--view", "network"])
    assert "100.0%" in r.output


def test_caller_graph_not_mutated(toy):
    before = (nx.to_dict_of_dicts(toy), dict(toy.nodes(data=True)))
    company_concentration(toy)
    commitments(toy)
    network_concentration(toy)
    assert (nx.to_dict_of_dicts(toy), dict(toy.nodes(data=True))) == before


# --------------------------------------------------------------------------- CLI
@pytest.mark.parametrize("view", ["companies", "commitments", "mutual", "network"])
def test_cli_concentration_views(view):
    r = CliRunner().invoke(main, ["concentration", "--dataset", "toy", "--view", view])
    assert r.exit_code == 0, r.output
    assert "Note:" in r.output


def test_cli_concentration_top_and_formats():
    r = CliRunner().invoke(main, ["concentration", "--dataset", "toy", "--top", "1",
                                  "--direction", "in", "--format", "csv"])
    assert r.exit_code == 0, r.output
    lines = r.output.strip().splitlines()
    assert lines[0].startswith("company,direction")
    assert len(lines) == 2 and lines[1].startswith("CloudCo,in")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0.01, max_value=1e6), min_size=1, max_size=30))
def test_hhi_bounds_property(amounts):
    h = hhi(amounts)
    assert 10000 / len(amounts) - 1e-6 <= h <= 10000 + 1e-6
    assert hhi([*amounts, 0.0]) == pytest.approx(h)  # a zero share changes nothing


def test_betweenness_without_igraph(monkeypatch):
    # igraph is optional: the networkx fallback gives the same numbers
    H = random_digraph(7, n=14)
    with_ig = centrality(H).set_index("company")["betweenness"]
    monkeypatch.setitem(sys.modules, "igraph", None)
    without = centrality(H).set_index("company")["betweenness"]
    assert without.to_dict() == pytest.approx(with_ig.to_dict())
    assert centrality(H, betweenness=False)["betweenness"].isna().all()


@pytest.mark.parametrize("view", ["companies", "network"])
def test_cli_concentration_in_a_fresh_process(view):
    # a fresh interpreter: 'flowgraph.concentration' is both a module and a function name
    import subprocess

    r = subprocess.run([sys.executable, "-m", "flowgraph.cli", "concentration", "--dataset",
                        "toy", "--view", view, "--thresholds", "1000", "1800"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "LabCo" in r.stdout


# ------------------------------------------------------------------ promised, not yet paid
def _unpaid_by_hand(G, statuses=("announced", "committed")):
    """Independent reading of the rows: per deal counted as a promise, the amount less what
    paid_usd_bn says is paid (a disbursed row only for the rest its paid figure leaves)."""
    out, paid_out, into = {}, {}, {}
    for u, v, d in G.edges(data=True):
        a = d["amount"]
        if math.isnan(a) or d["flow_type"] == "warrant":
            continue
        p = d.get("paid_usd_bn")
        if p is None or (isinstance(p, float) and math.isnan(p)):  # no paid figure
            p = a if d["status"] == "disbursed" else 0.0
        p = min(float(p), a)
        if d["status"] in statuses or (d["status"] == "disbursed" and p < a):
            if a - p > 0:
                out[u] = out.get(u, 0.0) + a - p
                paid_out[u] = paid_out.get(u, 0.0) + p
                into[v] = into.get(v, 0.0) + a - p
    return out, paid_out, into


@pytest.mark.parametrize("as_of", [None, "2025-08-25", "2025-09-30"])
def test_commitments_count_only_what_is_not_yet_paid(as_of):
    """Partly paid promises count their unpaid rest, as of the date (a payment dated after
    it is not subtracted), company by company against the rows read by hand, and in all as
    the summary's own split of the same deals."""
    ds = fg.load_dataset("ai-capital")
    G = fg.build_graph(ds, as_of=as_of)
    t = commitments(G).set_index("company")
    want, want_paid, want_in = _unpaid_by_hand(G)
    for company in t.index:
        assert t.loc[company, "commitments_out"] == pytest.approx(want.get(company, 0.0))
        assert t.loc[company, "paid_out"] == pytest.approx(want_paid.get(company, 0.0))
        got_in = t.loc[company, "backlog_in"] + t.loc[company, "funding_in"]
        assert got_in == pytest.approx(want_in.get(company, 0.0))
    row = ds.deals.set_index("deal_id").loc["USG-INTC-8.9"]
    paid_by_then = as_of is None or row["paid_as_of"] <= as_of
    usg = row["amount_usd_bn"] - (row["paid_usd_bn"] if paid_by_then else 0.0)
    assert 0 < row["paid_usd_bn"] < row["amount_usd_bn"]
    assert t.loc["US Government", "commitments_out"] == pytest.approx(usg)
    # the summary's split of these deals: everything not paid
    from flowgraph.firmness import firmness_split

    split = firmness_split(G).set_index("deal_id")
    promised = [k for u, v, k, d in G.edges(keys=True, data=True)
                if d["flow_type"] != "warrant" and d["status"] != "rumored"]
    unpaid = split.loc[promised, ["committed_unpaid", "announced_only", "conditional"]]
    assert t["commitments_out"].sum() == pytest.approx(float(unpaid.to_numpy().sum()))


def test_commitments_partly_and_fully_paid_by_hand():
    M = nx.MultiDiGraph()
    M.add_node("A", revenue_usd_bn=10.0, cash_usd_bn=1.0)
    for key, amount, paid, status in [("part", 10.0, 4.0, "committed"),
                                      ("all", 5.0, 5.0, "committed"),
                                      ("rest", 8.0, 6.0, "disbursed"),
                                      ("done", 3.0, None, "disbursed"),
                                      ("none", 2.0, None, "announced")]:
        M.add_edge("A", "B", key=key, amount=amount, amount_high=2 * amount, paid_usd_bn=paid,
                   flow_type="compute_contract", status=status)
    t = commitments(M).set_index("company")
    assert t.loc["A", "commitments_out"] == pytest.approx(6.0 + 2.0 + 2.0)
    assert t.loc["A", "paid_out"] == pytest.approx(4.0 + 6.0)
    assert t.loc["B", "backlog_in"] == pytest.approx(10.0) and t.loc["B", "paid_in"] == 10.0
    assert t.loc["A", "funding_gap"] == pytest.approx(10.0 - 1.0)
    only = commitments(M, statuses=["announced"]).set_index("company")
    assert only.loc["A", "commitments_out"] == pytest.approx(2.0)
    # another weight: the same payments against its amounts
    high = commitments(M, weight="amount_high").set_index("company")
    assert high.loc["A", "commitments_out"] == pytest.approx(16.0 + 5.0 + 10.0 + 4.0)
    assert high.loc["A", "paid_out"] == pytest.approx(4.0 + 5.0 + 6.0)


def test_cli_commitments_say_what_paid_money_is_left_out():
    r = CliRunner().invoke(main, ["concentration", "--view", "commitments", "--format", "csv"])
    assert r.exit_code == 0, r.output
    import io

    import pandas as pd

    t = pd.read_csv(io.StringIO(r.stdout)).set_index("company")
    G = fg.build_graph(fg.load_dataset("ai-capital"))
    want, _, _ = _unpaid_by_hand(G)
    assert t.loc["US Government", "commitments_out"] == pytest.approx(want["US Government"])
    r = CliRunner().invoke(main, ["concentration", "--view", "commitments"])
    paid = float(commitments(G)["paid_out"].sum())
    from flowgraph.formatting import money

    assert paid > 0 and money(paid) in " ".join(r.output.split())
