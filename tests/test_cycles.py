"""Cycle semantics on hand-built graphs and the toy dataset (worked out by hand), and the
``flowgraph cycles`` command."""
from __future__ import annotations

import datetime as dt
import json
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import flowgraph as fg
from flowgraph.cycles import CycleResult, cycle_participation, find_cycles
from flowgraph.errors import ParameterError, UnknownCompanyError

D = dt.date


def deal(M, u, v, key, amount, ftype="other", status="committed", lo=None, hi=None, **kw):
    M.add_edge(u, v, key=key, deal_id=key, amount=amount, flow_type=ftype, status=status,
               date_lo=lo, date_hi=hi if hi is not None else lo, **kw)


def row(res, path):
    c = res.cycles
    hit = c[c["path"] == path]
    assert len(hit) == 1, (path, c["path"].tolist())
    return hit.iloc[0]


# --------------------------------------------------------------------------- amounts
def test_bottleneck_gross_and_limiting_hop():
    G = nx.DiGraph()
    G.add_edge("A", "B", amount=10.0)
    G.add_edge("B", "C", amount=4.0)
    G.add_edge("C", "A", amount=7.0)
    r = find_cycles(G)
    c = r.cycles.iloc[0]
    assert c["path"] == "A -> B -> C -> A"
    assert c["round_trip"] == 4.0 and c["gross"] == 21.0
    assert c["limiting_hop"] == 1 and (c["limiting_payer"], c["limiting_payee"]) == ("B", "C")
    assert not c["round_trip_is_upper_bound"] and not c["has_unknown"]
    assert r.hops["is_limiting"].tolist() == [False, True, False]


def test_unknown_hop_gives_an_upper_bound_never_zero():
    G = nx.DiGraph()
    G.add_edge("A", "B", amount=10.0)
    G.add_edge("B", "C", amount=math.nan)
    G.add_edge("C", "A", amount=4.0)
    c = find_cycles(G).cycles.iloc[0]
    assert c["round_trip"] == 4.0 and c["round_trip_bound"] == "upper"
    assert c["round_trip_is_upper_bound"] and c["has_unknown"]
    assert c["gross"] == 14.0  # known hops only
    assert "At most $4bn" in c["description"]
    assert "an undisclosed amount" in c["description"]


def test_a_hop_known_only_by_a_floor_or_a_cap_says_so():
    # "more than $100B" or "up to $10B" is reported: the sentence never calls it undisclosed,
    # and the figure never becomes a hop amount
    nan = math.nan
    deals = pd.DataFrame({
        "deal_id": ["f", "b", "c", "d"], "payer": ["A", "B", "A", "C"],
        "payee": ["B", "A", "C", "A"], "amount_usd_bn": [nan, 5.0, nan, 2.0],
        "amount_low_usd_bn": [100.0, nan, nan, nan], "amount_high_usd_bn": [nan, nan, 10.0, nan],
        "flow_type": ["chip_purchase", "warrant", "other", "other"],
        "status": "committed"})
    res = find_cycles(fg.build_graph(deals), sort="length")
    text = {r["path"]: r["description"] for r in res.cycles.to_dict("records")}
    assert "A buys at least $100bn of chips from B" in text["A -> B -> A"]
    assert "At most $5bn can come back to A" in text["A -> B -> A"]
    assert "A pays up to $10bn to C" in text["A -> C -> A"]
    assert "undisclosed amount" not in text["A -> B -> A"] + text["A -> C -> A"]
    hop = res.hops[res.hops["payer"] == "A"]
    assert hop["amount"].isna().all()  # still unknown as an amount


def test_all_hops_unknown_is_nan_and_sorted_last():
    G = nx.DiGraph()
    G.add_edge("A", "B", amount=math.nan)
    G.add_edge("B", "A", amount=math.nan)
    G.add_edge("C", "D", amount=1.0)
    G.add_edge("D", "C", amount=1.0)
    r = find_cycles(G)
    assert r.cycles["path"].tolist() == ["C -> D -> C", "A -> B -> A"]
    last = r.cycles.iloc[1]
    assert math.isnan(last["round_trip"]) and not last["round_trip_is_upper_bound"]
    assert last["round_trip_bound"] == "unknown"
    assert last["has_unknown"] and last["limiting_hop"] == -1
    assert "not known" in last["description"]


def test_partly_unknown_hop_and_deals_added_up():
    M = nx.MultiDiGraph()
    deal(M, "A", "B", "d1", 3.0)
    deal(M, "A", "B", "d2", math.nan)
    deal(M, "A", "B", "d3", 2.0)
    deal(M, "B", "A", "d4", 9.0)
    r = find_cycles(M)
    h = r.hops_of(1)
    assert h.loc[0, "amount"] == 5.0 and h.loc[0, "has_unknown"]
    assert not h.loc[0, "amount_known"]
    assert h.loc[0, "deal_ids"] == ("d1", "d2", "d3")
    c = r.cycles.iloc[0]
    assert c["round_trip"] == 5.0 and not c["round_trip_is_upper_bound"] and c["has_unknown"]
    assert c["round_trip_bound"] == "lower"  # the limiting hop has an undisclosed deal on top
    assert c["description"].endswith("At least $5bn can come back to A "
                                      "(some amounts undisclosed).")
    assert c["n_deals"] == 4
    assert list(r.deals["deal_id"]) == ["d1", "d2", "d3", "d4"]
    assert "at least $5bn" in c["description"]


def test_bound_kinds():
    M = nx.MultiDiGraph()
    deal(M, "A", "B", "d1", 5.0)
    deal(M, "A", "B", "d2", math.nan)  # A -> B is at least 5
    deal(M, "B", "C", "d3", math.nan)  # B -> C entirely unknown
    deal(M, "C", "A", "d4", 9.0)
    c = find_cycles(M).cycles.iloc[0]
    assert c["round_trip"] == 5.0 and c["round_trip_bound"] == "approximate"
    assert not c["round_trip_is_upper_bound"]
    # with an exact hop at the same minimum the figure is again an upper bound
    M.remove_edge("C", "A", key="d4")
    deal(M, "C", "A", "d5", 5.0)
    c = find_cycles(M).cycles.iloc[0]
    assert c["round_trip"] == 5.0 and c["round_trip_bound"] == "upper"
    exact = nx.DiGraph([("A", "B", {"amount": 2.0}), ("B", "A", {"amount": 3.0})])
    assert find_cycles(exact).cycles.loc[0, "round_trip_bound"] == "exact"


def test_low_high_range():
    M = nx.MultiDiGraph()
    deal(M, "A", "B", "d1", 10.0, amount_low=8.0, amount_high=12.0)
    deal(M, "B", "A", "d2", 9.0, amount_low=9.0, amount_high=9.0)
    c = find_cycles(M).cycles.iloc[0]
    # low: min(8, 9) = 8 on A -> B; high: min(12, 9) = 9 on B -> A
    assert (c["round_trip"], c["round_trip_low"], c["round_trip_high"]) == (9.0, 8.0, 9.0)


def test_min_amount_semantics_with_unknowns():
    G = nx.DiGraph()
    G.add_edge("A", "B", amount=10.0)
    G.add_edge("B", "A", amount=math.nan)
    G.add_edge("C", "D", amount=math.nan)
    G.add_edge("D", "C", amount=math.nan)
    G.add_edge("E", "F", amount=3.0)
    G.add_edge("F", "E", amount=30.0)
    assert find_cycles(G).n_found == 3
    r = find_cycles(G, min_amount=5)
    # A-B may reach 5 (upper bound 10); C-D is not known to; E-F tops out at 3
    assert r.cycles["path"].tolist() == ["A -> B -> A"]
    assert find_cycles(G, min_amount=11).n_found == 0


def test_digraph_from_collapse_keeps_unknowns_unknown():
    M = nx.MultiDiGraph()
    deal(M, "A", "B", "d1", math.nan)
    deal(M, "B", "A", "d2", 4.0)
    H = fg.collapse(M)
    assert H["A"]["B"]["has_unknown"]
    c = find_cycles(H).cycles.iloc[0]
    assert c["round_trip"] == 4.0 and c["round_trip_is_upper_bound"]
    # an older collapse convention (0.0 plus has_unknown) means unknown too
    H["A"]["B"]["amount"] = 0.0
    c = find_cycles(H).cycles.iloc[0]
    assert c["round_trip"] == 4.0 and c["round_trip_is_upper_bound"]


def test_custom_weight_attribute_and_edges_frame():
    G = nx.DiGraph()
    G.add_edge("A", "B", usd=2.0)
    G.add_edge("B", "A", usd=5.0)
    assert find_cycles(G, weight="usd").cycles.loc[0, "round_trip"] == 2.0
    df = pd.DataFrame({"source": ["A", "B", "B"], "target": ["B", "A", "A"],
                       "usd": [2.0, 5.0, 1.0]})
    r = find_cycles(df, weight="usd")
    assert r.cycles.loc[0, "round_trip"] == 2.0 and r.hops.loc[1, "amount"] == 6.0


def test_does_not_mutate_the_graph():
    M = nx.MultiDiGraph()
    deal(M, "A", "B", "d1", 1.0)
    deal(M, "B", "A", "d2", 2.0)
    deal(M, "A", "A", "d3", 2.0)
    before = (sorted(M.edges(keys=True, data=True), key=str), dict(M.graph))
    find_cycles(M, through="A", time_ordered=True, min_amount=0.5)
    assert (sorted(M.edges(keys=True, data=True), key=str), dict(M.graph)) == before


# --------------------------------------------------------------------------- statuses, text
def test_status_confidence_and_flow_type_mix():
    M = nx.MultiDiGraph()
    deal(M, "A", "B", "d1", 5.0, "equity_investment", "disbursed", confidence="high")
    deal(M, "B", "A", "d2", 5.0, "chip_purchase", "announced", confidence="medium")
    deal(M, "C", "D", "d3", 5.0, "lease", "disbursed", confidence="high")
    deal(M, "D", "C", "d4", 5.0, "lease", "disbursed", confidence="low")
    deal(M, "E", "F", "d5", 5.0, "warrant", "rumored")
    deal(M, "F", "E", "d6", 5.0, "other", "committed")
    r = find_cycles(M)
    a = row(r, "A -> B -> A")
    assert a["weakest_status"] == "announced" and a["status_summary"] == "only announced"
    assert a["lowest_confidence"] == "medium"
    assert a["flow_types"] == ("chip_purchase", "equity_investment")
    c = row(r, "C -> D -> C")
    assert c["status_summary"] == "paid" and c["lowest_confidence"] == "low"
    e = row(r, "E -> F -> E")
    assert e["weakest_status"] == "rumored" and e["status_summary"] == "includes rumored deals"
    assert "(rumored)" in e["description"]


def test_sentence_for_the_nvidia_openai_oracle_loop():
    M = nx.MultiDiGraph()
    deal(M, "Nvidia", "OpenAI", "n1", 30.0, "equity_investment", "committed")
    deal(M, "OpenAI", "Oracle", "o1", 300.0, "compute_contract", "committed")
    deal(M, "Oracle", "Nvidia", "c1", 40.0, "chip_purchase", "committed")
    c = find_cycles(M).cycles.iloc[0]
    assert c["description"] == (
        "Nvidia invests $30bn in OpenAI; OpenAI commits $300bn to Oracle for cloud compute; "
        "Oracle buys $40bn of chips from Nvidia. Up to $30bn can come back to Nvidia.")


def test_sentence_verbs_estimates_and_announced():
    M = nx.MultiDiGraph()
    deal(M, "A", "B", "d1", 1.5, "lease", "announced")
    deal(M, "A", "B", "d2", 0.25, "debt_financing", "committed")
    deal(M, "B", "A", "d3", 6.0, "capacity_backstop", "committed", estimate=True,
         amount_low=5.0, amount_high=7.0)
    text = find_cycles(M).cycles.iloc[0]["description"]
    assert text == ("A leases $1.5bn of capacity from B (announced) and lends $250m to B; "
                    "B guarantees to buy an estimated $5-7bn of capacity from A. "
                    "Up to $1.75bn can come back to A.")


# --------------------------------------------------------------------------- through
def test_through_and_unknown_company():
    G = nx.DiGraph([("A", "B"), ("B", "A"), ("B", "C"), ("C", "B"), ("A", "C"), ("C", "A")])
    nx.set_edge_attributes(G, 1.0, "amount")
    r = find_cycles(G, through=["C"])
    assert sorted(r.cycles["path"]) == ["A -> B -> C -> A", "A -> C -> A", "A -> C -> B -> A",
                                        "B -> C -> B"]
    assert find_cycles(G, through=["A", "B", "C"]).n_found == 2
    assert find_cycles(G, through="c").n_found == 4  # case-insensitive match
    with pytest.raises(UnknownCompanyError, match="unknown company"):
        find_cycles(G, through=["Nvidia"])


@pytest.mark.parametrize("kw", [{"max_length": 1}, {"max_length": "3"}, {"min_amount": -1},
                                {"limit": -1}, {"window": -5}, {"sort": "size"},
                                {"window": 1.5}])
def test_bad_parameters(kw):
    G = nx.DiGraph([("A", "B", {"amount": 1.0}), ("B", "A", {"amount": 1.0})])
    with pytest.raises(ParameterError):
        find_cycles(G, **kw)


def test_undirected_graph_is_refused():
    with pytest.raises(ParameterError):
        find_cycles(nx.Graph([("A", "B")]))


# --------------------------------------------------------------------------- time order
def two_hop(lo1, hi1, lo2, hi2):
    M = nx.MultiDiGraph()
    deal(M, "A", "B", "ab", 1.0, lo=lo1, hi=hi1)
    deal(M, "B", "A", "ba", 1.0, lo=lo2, hi=hi2)
    return find_cycles(M).cycles.iloc[0]


def test_year_only_date_does_not_order_against_the_same_year():
    # not ordered for certain, but the dates overlap: concurrent
    c = two_hop(D(2025, 1, 1), D(2025, 12, 31), D(2025, 6, 1), D(2025, 6, 1))
    assert c["time_order"] == "concurrent"
    assert c["time_order_start"] is None and pd.isna(c["time_span_days"])
    c = two_hop(D(2025, 1, 1), D(2025, 12, 31), D(2025, 12, 31), D(2025, 12, 31))
    assert c["time_order"] == "concurrent"  # Dec 31 is inside the year


def test_year_only_date_orders_against_other_years():
    c = two_hop(D(2024, 1, 1), D(2024, 12, 31), D(2025, 1, 1), D(2025, 1, 1))
    assert c["time_order"] == "ordered" and c["time_order_start"] == "A"
    assert c["time_span_days"] == 366  # 2024-01-01 .. 2025-01-01
    c = two_hop(D(2026, 1, 1), D(2026, 12, 31), D(2025, 3, 1), D(2025, 3, 31))
    assert c["time_order"] == "ordered" and c["time_order_start"] == "B"


def test_same_day_is_concurrent_and_missing_date_is_unknown():
    assert two_hop(D(2025, 9, 22), None, D(2025, 9, 22), None)["time_order"] == "concurrent"
    assert two_hop(D(2025, 9, 22), None, None, None)["time_order"] == "unknown"


def test_concurrent_needs_every_step_to_stay_possible():
    M = nx.MultiDiGraph()
    # A -> B and B -> C announced together in March; C -> A in January: from C the chain
    # goes Jan -> Mar -> Mar (possible with March deals on the same day), so concurrent
    deal(M, "A", "B", "ab", 1.0, lo=D(2025, 3, 1), hi=D(2025, 3, 31))
    deal(M, "B", "C", "bc", 1.0, lo=D(2025, 3, 1), hi=D(2025, 3, 31))
    deal(M, "C", "A", "ca", 1.0, lo=D(2025, 1, 10))
    assert find_cycles(M).cycles.iloc[0]["time_order"] == "concurrent"
    assert find_cycles(M, time_ordered=True).n_found == 0
    # going the other way round (Mar -> Jan) is impossible
    M2 = nx.MultiDiGraph()
    deal(M2, "A", "B", "ab", 1.0, lo=D(2025, 3, 1), hi=D(2025, 3, 31))
    deal(M2, "B", "C", "bc", 1.0, lo=D(2025, 1, 10))
    deal(M2, "C", "A", "ca", 1.0, lo=D(2025, 3, 1), hi=D(2025, 3, 31))
    deal(M2, "C", "A", "ca2", 1.0, lo=D(2024, 12, 1), hi=D(2024, 12, 31))
    # from B: Jan 10 -> (Mar or Dec 2024) -> Mar: Jan -> Mar -> Mar works
    assert find_cycles(M2).cycles.iloc[0]["time_order"] == "concurrent"
    M2.remove_edge("C", "A", key="ca")
    # now C -> A is only December 2024: Jan 2025 -> Dec 2024 falls back from any start
    assert find_cycles(M2).cycles.iloc[0]["time_order"] == "not ordered"


def test_three_hops_one_rotation_and_multi_deal_hop_with_window():
    M = nx.MultiDiGraph()
    # A -> B has two deals: only the 2024-01 one can start the chain
    deal(M, "A", "B", "ab-late", 1.0, lo=D(2025, 3, 1), hi=D(2025, 3, 31))
    deal(M, "A", "B", "ab-early", 1.0, lo=D(2024, 1, 1), hi=D(2024, 1, 31))
    deal(M, "B", "C", "bc", 1.0, lo=D(2024, 6, 1), hi=D(2024, 6, 30))
    deal(M, "C", "A", "ca", 1.0, lo=D(2024, 9, 30))
    r = find_cycles(M)
    c = r.cycles.iloc[0]
    assert c["time_order"] == "ordered" and c["time_order_start"] == "A"
    assert c["time_span_days"] == (D(2024, 9, 30) - D(2024, 1, 1)).days  # 273
    assert r.hops["time_order_deal"].tolist() == ["ab-early", "bc", "ca"]
    assert r.deals.loc[r.deals["in_time_order"], "deal_id"].tolist() == ["ab-early", "bc", "ca"]
    assert find_cycles(M, window=273).cycles.iloc[0]["time_order"] == "ordered"
    # 272 days: in order, but slower than the window: not ordered within it (and not
    # "concurrent": the deals do not overlap in time)
    assert find_cycles(M, window=272).cycles.iloc[0]["time_order"] == "not ordered"
    assert find_cycles(M, time_ordered=True, window=272).n_found == 0
    assert find_cycles(M, time_ordered=True).n_found == 1


def test_window_keeps_concurrent_loops_concurrent():
    # deals announced together stay "concurrent" whatever the window
    M = nx.MultiDiGraph()
    deal(M, "A", "B", "ab", 1.0, lo=D(2025, 9, 22))
    deal(M, "B", "A", "ba", 1.0, lo=D(2025, 9, 22))
    assert find_cycles(M, window=30).cycles.iloc[0]["time_order"] == "concurrent"


def test_dates_falling_twice_are_not_ordered_from_any_rotation():
    M = nx.MultiDiGraph()
    deal(M, "A", "B", "ab", 1.0, lo=D(2024, 3, 15))
    deal(M, "B", "C", "bc", 1.0, lo=D(2024, 2, 1), hi=D(2024, 2, 29))
    deal(M, "C", "A", "ca", 1.0, lo=D(2023, 1, 1), hi=D(2023, 12, 31))
    assert find_cycles(M).cycles.iloc[0]["time_order"] == "not ordered"
    assert find_cycles(M, time_ordered=True).n_found == 0


# --------------------------------------------------------------------------- result object
def test_result_object_limit_and_empty():
    G = nx.complete_graph(4, create_using=nx.DiGraph)
    nx.set_edge_attributes(G, 1.0, "amount")
    r = find_cycles(G, limit=3)
    assert isinstance(r, CycleResult)
    assert (r.n_found, len(r), r.truncated, r.limit) == (20, 3, True, 3)
    assert "showing the 3 with the largest round trip" in repr(r)
    assert "All 20 loops were found (the search ran to the end); listed: the 3 with the largest round trip." in r.notes
    assert "<table" in r._repr_html_()
    empty = find_cycles(nx.DiGraph([("A", "B", {"amount": 1.0})]))
    assert empty.n_found == 0 and len(empty.cycles) == 0 and not empty.truncated
    assert list(empty.cycles.columns)[:3] == ["rank", "length", "path"]
    counted = find_cycles(G, limit=0)
    assert counted.n_found == 20 and len(counted.cycles) == 0


def test_sort_by_length():
    G = nx.DiGraph()
    for u, v, a in [("A", "B", 1.0), ("B", "A", 1.0), ("B", "C", 9.0), ("C", "D", 9.0),
                    ("D", "B", 9.0)]:
        G.add_edge(u, v, amount=a)
    assert find_cycles(G).cycles["path"].tolist() == ["B -> C -> D -> B", "A -> B -> A"]
    by_len = find_cycles(G, sort="length", limit=1)
    assert by_len.cycles["path"].tolist() == ["A -> B -> A"]


def test_cycle_participation_counts_all_loops():
    G = nx.complete_graph(4, create_using=nx.DiGraph)
    nx.set_edge_attributes(G, 2.0, "amount")
    G.add_edge(0, 9, amount=1.0)
    p = cycle_participation(G, max_length=3)
    # each vertex of K_4 is on 3 two-cycles and 6 three-cycles (K_4 has 8 three-cycles)
    assert p.set_index("company")["n_cycles"].to_dict() == {0: 9, 1: 9, 2: 9, 3: 9, 9: 0}
    assert p.loc[0, "round_trip_sum"] == 18.0 and p.loc[0, "round_trip_max"] == 2.0
    assert math.isnan(p.set_index("company").loc[9, "round_trip_max"])


# --------------------------------------------------------------------------- toy dataset
@pytest.fixture(scope="module")
def toy():
    return fg.build_graph(fg.load_dataset("toy"))


def test_toy_cycles_by_hand(toy):
    r = find_cycles(toy)
    assert r.n_found == 3
    c = r.cycles.set_index("path")
    a = c.loc["ChipCo -> LabCo -> CloudCo -> ChipCo"]
    b = c.loc["ChipCo -> LeaseCo -> ChipCo"]
    cc = c.loc["ChipCo -> LabCo -> LeaseCo -> ChipCo"]
    assert (a["round_trip"], a["round_trip_low"], a["round_trip_high"]) == (6, 5, 7)
    assert (b["round_trip"], b["round_trip_low"], b["round_trip_high"]) == (5, 4, 6)
    assert (cc["round_trip"], cc["round_trip_low"], cc["round_trip_high"]) == (8, 8, 8)
    assert (a["limiting_payer"], a["limiting_payee"]) == ("CloudCo", "ChipCo")
    assert (b["limiting_payer"], b["limiting_payee"]) == ("ChipCo", "LeaseCo")
    assert (cc["limiting_payer"], cc["limiting_payee"]) == ("LeaseCo", "ChipCo")
    assert r.cycles["path"].tolist()[0] == "ChipCo -> LabCo -> LeaseCo -> ChipCo"  # 8 > 6 > 5
    assert a["time_order"] == "ordered" and a["time_order_start"] == "ChipCo"
    assert b["time_order"] == "ordered" and b["time_order_start"] == "LeaseCo"
    assert cc["time_order"] == "not ordered"
    assert b["weakest_status"] == "announced" and a["has_estimate"]
    p = r.participation.set_index("company")["n_cycles"].to_dict()
    assert p == {"ChipCo": 3, "LabCo": 2, "LeaseCo": 2, "CloudCo": 1, "BankCo": 0, "FundCo": 0}


def test_toy_filters(toy):
    committed = fg.build_graph(fg.load_dataset("toy"), statuses=["committed", "disbursed"])
    assert "ChipCo -> LeaseCo -> ChipCo" not in find_cycles(committed).cycles["path"].tolist()
    assert find_cycles(toy, time_ordered=True).n_found == 2
    assert find_cycles(toy, min_amount=6).cycles["path"].tolist() == [
        "ChipCo -> LabCo -> LeaseCo -> ChipCo", "ChipCo -> LabCo -> CloudCo -> ChipCo"]
    assert find_cycles(toy, max_length=2).n_found == 1
    assert find_cycles(toy, through=["CloudCo"]).n_found == 1


# --------------------------------------------------------------------------- command line
def _cli():
    from flowgraph.cli import main

    return main


def test_cli_cycles_table_on_toy():
    res = CliRunner().invoke(_cli(), ["cycles", "--dataset", "toy"])
    assert res.exit_code == 0, res.output
    out = res.output
    assert "ChipCo -> LabCo -> LeaseCo -> ChipCo" in out
    assert "Up to $8bn can come back to ChipCo." in out
    assert "3 loops" in out


def test_cli_cycles_options_and_json():
    runner = CliRunner()
    res = runner.invoke(_cli(), ["cycles", "--dataset", "toy", "--format", "json",
                                 "--time-ordered", "--max-length", "3", "--min-amount", "1",
                                 "--through", "ChipCo", "--window", "1000", "--limit", "5"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    paths = [c["path"] for c in data["cycles"]]
    assert sorted(paths) == ["ChipCo -> LabCo -> CloudCo -> ChipCo",
                             "ChipCo -> LeaseCo -> ChipCo"]
    assert {h["rank"] for h in data["hops"]} == {1, 2}
    assert data["deals"] and "source_url" in data["deals"][0]


def test_cli_cycles_limit_and_csv():
    res = CliRunner().invoke(_cli(), ["cycles", "--dataset", "toy", "--limit", "1",
                                      "--format", "csv", "--sort", "round-trip"])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(pd.io.common.StringIO(res.output))
    assert len(df) == 1 and df.loc[0, "round_trip"] == 8
    res = CliRunner().invoke(_cli(), ["cycles", "--dataset", "toy", "--limit", "1"])
    assert "All 3 loops were found (the search ran to the end); listed: the 1 shortest" in res.output


def test_cli_cycles_errors():
    res = CliRunner().invoke(_cli(), ["cycles", "--dataset", "toy", "--through", "Nvidia"])
    assert res.exit_code == 1
    assert "unknown company" in res.output
    res = CliRunner().invoke(_cli(), ["cycles", "--dataset", "toy", "--max-length", "1"])
    assert res.exit_code == 2


def test_edges_frame_without_the_amount_column_is_refused():
    deals = pd.DataFrame({"payer": ["A", "B"], "payee": ["B", "A"], "amount_usd_bn": [1, 2]})
    with pytest.raises(ParameterError, match="build_graph"):
        find_cycles(deals)
    assert find_cycles(deals, weight="amount_usd_bn").cycles.loc[0, "round_trip"] == 1


def test_arrays_entry_point_errors():
    from flowgraph.cycles import cycles_from_arrays

    with pytest.raises(ParameterError):
        cycles_from_arrays([0, 1], [1])
    with pytest.raises(ParameterError):
        cycles_from_arrays([0, 1], [1, 0], [1.0])
    with pytest.raises(ParameterError):
        cycles_from_arrays([0, 1], [1, 0], names=["only one"])
    with pytest.raises(UnknownCompanyError):
        cycles_from_arrays([0, 1], [1, 0], through=[7])


def test_cli_cycles_markdown():
    res = CliRunner().invoke(_cli(), ["cycles", "--dataset", "toy", "--format", "markdown"])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("### 3 loops")
    assert "| 1 | ChipCo -> LeaseCo -> ChipCo |" in res.output


def test_cycle_counts_agree_with_networkx_at_any_batch_size(monkeypatch):
    from collections import Counter

    import flowgraph.cycles as cy

    rng = np.random.default_rng(3)
    for batch in (1, 7, 1 << 16):
        monkeypatch.setattr(cy, "_BATCH", batch)
        for _ in range(6):
            s, d = rng.integers(0, 11, 40), rng.integers(0, 11, 40)
            by_length, per_vertex = cy.cycle_counts(s, d, n=11, max_length=5)
            P = nx.DiGraph([(a, b) for a, b in zip(s, d) if a != b])
            ref = list(nx.simple_cycles(P, length_bound=5))
            lengths = Counter(len(c) for c in ref)
            through = Counter(v for c in ref for v in c)
            assert by_length.tolist() == [lengths.get(k, 0) for k in range(6)]
            assert per_vertex.tolist() == [through.get(v, 0) for v in range(11)]


def test_search_options_are_find_cycles_own_and_checked_by_name():
    import networkx as nx

    from flowgraph.cycles import cycles_from_arrays

    G = nx.DiGraph([("A", "B", {"amount": 1.0}), ("B", "A", {"amount": 2.0})])
    with pytest.raises(fg.ParameterError, match="max_lenght"):
        cycle_participation(G, max_lenght=3)
    with pytest.raises(fg.ParameterError, match="limit"):
        cycle_participation(G, limit=5)  # participation counts every loop
    with pytest.raises(fg.ParameterError, match="unknown option"):
        cycles_from_arrays([0, 1], [1, 0], [1.0, 2.0], max_work_=5)
    # the defaults are find_cycles' own
    r = cycles_from_arrays([0, 1], [1, 0], [1.0, 2.0])
    assert {k: r.params[k] for k in ("max_length", "sort", "max_work")} == {
        k: find_cycles(G).params[k] for k in ("max_length", "sort", "max_work")}


# --------------------------------------------------------------------------- conditional money
def _split_description(desc: str) -> tuple[list[str], str]:
    """The hop sentences (in hop order) and the closing sentence of a loop's description."""
    head, ending = desc.rsplit(". ", 1)
    return head.split("; "), ending


def _conditional_facts(data, res):
    """Per loop, independently of the sentences: which hops carry a conditional deal, and
    whether some hop without its conditional deals would carry less than the round trip."""
    flag = {i: c is True for i, c in zip(data.deals["deal_id"], data.deals["conditional"])}
    out = {}
    for rank, hops in res.hops.groupby("rank"):
        rt = float(res.cycles.loc[res.cycles["rank"] == rank, "round_trip"].iloc[0])
        deals = res.deals[res.deals["rank"] == rank]
        per_hop, rests = [], False
        for _, hop in hops.sort_values("hop").iterrows():
            rows = deals[deals["hop"] == hop["hop"]]
            conds = [flag[i] for i in rows["deal_id"]]
            per_hop.append(any(conds))
            part = sum(a for c, a in zip(conds, rows["amount"]) if c and a == a)
            rests |= part > 0 and hop["amount"] - part < rt
        out[rank] = (per_hop, rests)
    return out


@pytest.mark.parametrize("as_of", [None, "2025-09-30"])
def test_loop_sentences_say_which_amounts_are_conditional(as_of):
    data = fg.load_dataset("ai-capital")
    G = fg.build_graph(data, as_of=as_of)
    res = find_cycles(G, limit=None, sort="round_trip")
    facts = _conditional_facts(data, res)
    n_cond = n_rests = 0
    for _, c in res.cycles.iterrows():
        hop_text, ending = _split_description(c["description"])
        per_hop, rests = facts[c["rank"]]
        assert len(hop_text) == len(per_hop)
        for text, cond in zip(hop_text, per_hop):
            assert ("conditional" in text) == cond, (c["path"], text)
        assert ("if the conditional amounts are paid" in ending) == rests, (c["path"], ending)
        assert ("conditional" in c["round_trip_basis"]) == rests
        # an estimate named in the closing sentence is in the basis column, and back
        assert ("an estimated" in ending) == ("estimated" in c["round_trip_basis"])
        n_cond += any(per_hop)
        n_rests += rests
    assert n_cond and n_rests  # the bundled data exercises both
    # the table path (filter_deals) tells the same
    t = find_cycles(fg.filter_deals(data, as_of=as_of), limit=None, sort="round_trip").cycles
    assert t["description"].tolist() == res.cycles["description"].tolist()
    assert t["round_trip_basis"].tolist() == res.cycles["round_trip_basis"].tolist()


def test_the_audited_loops_say_conditional():
    data = fg.load_dataset("ai-capital")
    d = data.deals.set_index("deal_id")
    assert d.loc["AMZN-OAI-50", "conditional"] is True  # $35bn of it on a milestone or IPO
    assert d.loc["NVDA-OAI-LOI-100", "conditional"] is True  # a letter of intent
    c = find_cycles(fg.build_graph(data)).cycles.set_index("path")
    hop, ending = _split_description(c.loc["Amazon -> OpenAI -> Amazon", "description"])
    assert hop[0].startswith("Amazon invests $50bn in OpenAI (conditional)")
    assert ending.endswith("if the conditional amounts are paid.")
    c = find_cycles(fg.build_graph(data, as_of="2025-09-30"), sort="round_trip").cycles
    top = c.iloc[0]
    assert top["path"] == "Nvidia -> OpenAI -> Nvidia" and top["round_trip_basis"] == "conditional"
    hop, ending = _split_description(top["description"])
    assert "(announced, " in hop[0] and "conditional)" in hop[0]


def test_conditional_round_trip_on_a_hand_built_loop():
    M = nx.MultiDiGraph()
    deal(M, "A", "B", "ab", 10.0, conditional=True)
    deal(M, "A", "B", "ab2", 4.0)
    deal(M, "B", "A", "ba", 6.0)
    c = find_cycles(M).cycles.iloc[0]
    # without its conditional $10bn, A -> B carries $4bn < the $6bn round trip
    assert c["round_trip_basis"] == "conditional"
    assert "A pays $14bn to B ($10bn of it conditional)" in c["description"]
    assert c["description"].endswith("Up to $6bn can come back to A if the conditional amounts "
                                      "are paid.")
    M.edges["A", "B", "ab2"]["amount"] = 7.0  # $7bn unconditional covers the round trip
    c = find_cycles(M).cycles.iloc[0]
    assert c["round_trip_basis"] == "" and "if the conditional" not in c["description"]
    assert "conditional" in c["description"]  # the hop still says it


def _dense_deals(k: int = 14, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pairs = [(a, b) for a in range(k) for b in range(k) if a != b]
    return pd.DataFrame({"payer": [f"C{a}" for a, _ in pairs],
                         "payee": [f"C{b}" for _, b in pairs],
                         "amount": rng.uniform(0.1, 10, len(pairs)),
                         "deal_id": [f"d{i}" for i in range(len(pairs))]})


def test_capped_shortest_first_listing_is_the_true_shortest():
    """A dense network whose search stops at the work cap: the shortest-first listing is the
    true shortest loops (a search of short loops ran to the end), said so; a round-trip
    listing of a stopped search says its loops are among those found, not the largest."""
    from flowgraph.cycles import listing_label, order_label

    t = _dense_deals()
    capped = find_cycles(t, max_length=6, limit=10, sort="length", max_work=200_000)
    assert not capped.complete and capped.params["stopped"] == "work"
    two = find_cycles(t, max_length=2, limit=10, sort="length", max_work=None)
    assert two.complete and two.n_found == 14 * 13 // 2
    assert capped.cycles["path"].tolist() == two.cycles["path"].tolist()
    assert (capped.cycles["length"] == 2).all()
    assert capped.params["listing"] == "exact"
    assert listing_label(capped) == order_label("length", 10)
    assert any("of all loops (a search of the loops of up to 2 hops ran to the end)" in n
               for n in capped.notes)
    by_rt = find_cycles(t, max_length=6, limit=3, sort="round_trip", max_work=200_000)
    assert by_rt.params["listing"] == "found"
    label = listing_label(by_rt)
    assert label.startswith("3 of the loops found before the search stopped")
    assert "not necessarily the largest overall" in label and "the 3 with" not in label
    assert label in repr(by_rt) and repr(by_rt).startswith("<CycleResult: at least")
    assert any("first in this order among those found, not necessarily overall" in n
               for n in by_rt.notes)
    # a loop cap keeps the loops found first: not relabelled as the shortest
    few = find_cycles(t, max_length=6, limit=3, sort="length", max_loops=20)
    assert few.params["listing"] == "found" and "found before" in listing_label(few)
