"""Maximal circulation, self-funded amounts and keystones.

References are independent of flowgraph's solver: hand-worked examples (including the toy
dataset's results worked out in datasets/README.md), scipy's HiGHS linear programming solver,
networkx's network simplex and networkx's maximum flow.
"""
from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import flowgraph.circulation as circ
from circulation_reference import lp_value
from flowgraph.errors import ParameterError, UnknownCompanyError


# --------------------------------------------------------------------------- helpers
def digraph(edges, weight="amount"):
    G = nx.DiGraph()
    G.add_weighted_edges_from(edges, weight=weight)
    return G


def lp_max_circulation(G, weight="amount"):
    """Independent reference: the LP max sum(C), 0 <= C <= W, balance, solved by HiGHS."""
    return lp_value([(u, v, d[weight]) for u, v, d in G.edges(data=True)])


def simplex_max_circulation(G, weight="amount", scale=1000):
    """Independent reference: networkx network simplex with cost -1 per unit (integer data)."""
    H = nx.DiGraph()
    for u, v, d in G.edges(data=True):
        H.add_edge(u, v, capacity=round(d[weight] * scale), weight=-1)
    cost, _ = nx.network_simplex(H)
    return -cost / scale


def random_graph(rng, n, p, decimals=3, low=0.001, high=50.0):
    G = nx.gnp_random_graph(n, p, seed=int(rng.integers(1 << 30)), directed=True)
    W = nx.DiGraph()
    W.add_nodes_from(G.nodes)
    for u, v in G.edges():
        W.add_edge(u, v, amount=round(float(rng.uniform(low, high)), decimals))
    return W


def check_invariants(G, res, tol=1e-9):
    e = res.edges
    # C + D = W, 0 <= C <= W
    assert np.allclose(e["circular"] + e["directional"], e["amount"], atol=tol)
    assert (e["circular"] >= -tol).all()
    assert (e["circular"] <= e["amount"] + tol).all()
    # balanced at every company
    bal = {}
    for r in e.itertuples():
        bal[r.payer] = bal.get(r.payer, 0.0) + r.circular
        bal[r.payee] = bal.get(r.payee, 0.0) - r.circular
    assert max((abs(x) for x in bal.values()), default=0.0) <= 1e-7
    # D acyclic on edges carrying directional money
    Dg = nx.DiGraph()
    Dg.add_edges_from((r.payer, r.payee) for r in e.itertuples() if r.directional > 1e-9)
    assert nx.is_directed_acyclic_graph(Dg)
    # totals
    assert res.total_flow == pytest.approx(e["amount"].sum())
    assert res.circular_flow == pytest.approx(e["circular"].sum())
    assert res.directional_flow == pytest.approx(e["directional"].sum())


# --------------------------------------------------------------------------- hand-worked
def test_single_cycle():
    G = digraph([("A", "B", 5.0), ("B", "C", 3.0), ("C", "A", 4.0)])
    r = circ.maximal_circulation(G)
    # the bottleneck 3 goes round all three edges
    assert r.circular_flow == 9.0
    assert r.total_flow == 12.0
    assert r.circularity_index == 0.75
    assert r.exact and r.optimality_gap == 0.0
    assert r.edges.set_index(["payer", "payee"])["directional"].to_dict() == {
        ("A", "B"): 2.0, ("C", "A"): 1.0, ("B", "C"): 0.0}
    check_invariants(G, r)


def test_two_cycles_sharing_an_edge():
    # A->B is shared by A->B->A (2 edges) and A->B->C->A (3 edges); the longer cycle is
    # worth more per unit: fill it first (x3 = 2, limited by C->A), then x2 = 4 - 2 = 2.
    G = digraph([("A", "B", 4.0), ("B", "A", 3.0), ("B", "C", 5.0), ("C", "A", 2.0)])
    r = circ.maximal_circulation(G)
    assert r.circular_flow == 3 * 2 + 2 * 2
    c = r.edges.set_index(["payer", "payee"])["circular"].to_dict()
    assert c == {("A", "B"): 4.0, ("B", "A"): 2.0, ("B", "C"): 2.0, ("C", "A"): 2.0}
    check_invariants(G, r)


def test_cycle_plus_tail():
    # the tail X -> A -> ... and ... -> B -> Y carries no circulation
    G = digraph([("X", "A", 7.0), ("A", "B", 2.0), ("B", "A", 2.0), ("B", "Y", 9.0)])
    r = circ.maximal_circulation(G)
    assert r.circular_flow == 4.0
    assert r.circularity_index == pytest.approx(4 / 20)
    e = r.edges.set_index(["payer", "payee"])
    assert e.loc[("X", "A"), "circular"] == 0 and e.loc[("X", "A"), "component"] == -1
    assert e.loc[("B", "Y"), "directional"] == 9.0
    comp = r.companies.set_index("company")
    assert comp.loc["A", "circular_inflow"] == 2.0
    assert comp.loc["A", "circular_share_of_inflow"] == pytest.approx(2 / 9)
    assert comp.loc["X", "component"] == -1
    assert len(r.components) == 1 and r.components.loc[0, "n_companies"] == 2
    check_invariants(G, r)


def test_no_cycle_and_empty():
    r = circ.maximal_circulation(digraph([("A", "B", 1.0), ("B", "C", 2.0)]))
    assert r.circular_flow == 0 and r.circularity_index == 0 and len(r.components) == 0
    empty = circ.maximal_circulation(nx.DiGraph())
    assert empty.total_flow == 0 and math.isnan(empty.circularity_index)
    assert list(empty.edges.columns)[:4] == ["payer", "payee", "amount", "circular"]


def test_self_loop_is_circular():
    G = digraph([("A", "A", 2.5), ("A", "B", 1.0)])
    r = circ.maximal_circulation(G)
    assert r.circular_flow == 2.5


# --------------------------------------------------------------------------- toy dataset
@pytest.fixture(scope="module")
def toy():
    from flowgraph.io import load_dataset

    return load_dataset("toy")


def test_toy_dataset_matches_hand_worked_results(toy):
    # datasets/README.md: base 38/86, low 36/84, high 40/88, committed+disbursed 30/81
    from flowgraph.graph import build_graph

    cases = [({}, 38, 86), ({"scenario": "low"}, 36, 84), ({"scenario": "high"}, 40, 88),
             ({"statuses": ["committed", "disbursed"]}, 30, 81)]
    for kwargs, c, w in cases:
        r = circ.maximal_circulation(build_graph(toy, **kwargs))
        assert r.circular_flow == pytest.approx(c)
        assert r.total_flow == pytest.approx(w)
        assert r.circularity_index == pytest.approx(c / w)
    r = circ.maximal_circulation(build_graph(toy))
    # the unique base optimum: e1 10, e2 6, e3 6, e4 8, e5 4, e6 4, e7 0
    c = r.edges.set_index(["payer", "payee"])["circular"].to_dict()
    assert c == {("ChipCo", "LabCo"): 10, ("LabCo", "CloudCo"): 6, ("CloudCo", "ChipCo"): 6,
                 ("LeaseCo", "ChipCo"): 8, ("ChipCo", "LeaseCo"): 4, ("LabCo", "LeaseCo"): 4,
                 ("FundCo", "LabCo"): 0, ("BankCo", "CloudCo"): 0}
    # BankCo -> CloudCo has an unknown amount: left out and said so
    assert r.excluded_unknown_edges == 1 and r.excluded_unknown_deals == 1
    # toy's known amounts include an estimate and a range midpoint: not a lower bound
    assert "not lower bounds" in r.unknown_treatment
    assert "2 estimates or range midpoints" in r.unknown_treatment
    assert r.scenario == "base"


@pytest.mark.parametrize("scenario", ["base", "low", "high"])
def test_lower_bound_note_follows_the_amounts(scenario):
    """The note says "lower bound" only when every known amount is reported, unconditional
    and at its low end; otherwise it counts, from the deals, what breaks the bound."""
    from flowgraph import build_graph, filter_deals, load_dataset

    data = load_dataset("ai-capital")
    t = filter_deals(data, scenario=scenario)
    known = t["amount"].notna().to_numpy()
    est = (t["estimate"].eq(True) | t["midpoint"].eq(True)).to_numpy() & known
    cond = t["conditional"].eq(True).to_numpy() & known & ~est
    above = (known & ~est & ~cond
             & (t["amount"] > t["amount_low"]).fillna(False).to_numpy())
    assert est.sum() and cond.sum()  # the bundled data has both
    for form in (t, build_graph(data, scenario=scenario)):
        note = circ.maximal_circulation(form).unknown_treatment
        assert "not lower bounds" in note and "are lower bounds" not in note
        assert f"{int(est.sum())} estimates or range midpoints" in note
        assert f"{int(cond.sum())} conditional amounts" in note
        assert ("above their reported low end" in note) == bool(above.sum())
    # the low scenario circulates less: the base figure was no floor
    if scenario == "low":
        assert (circ.maximal_circulation(t).circular_flow
                < circ.maximal_circulation(filter_deals(data)).circular_flow)
    # reported, unconditional point amounts only (and an unknown one): a lower bound again
    firm = t[known & ~est & ~cond & ~above | ~known].assign(conditional=False)
    note = circ.maximal_circulation(firm).unknown_treatment
    assert "every known amount is a reported, unconditional figure" in note
    assert "circular amounts are lower bounds" in note


def test_lower_bound_note_without_unknown_amounts():
    M = nx.MultiDiGraph()
    M.add_edge("A", "B", key="d1", amount=2.0, amount_low=2.0, estimate=False)
    M.add_edge("B", "A", key="d2", amount=3.0, amount_low=3.0, conditional=True)
    note = circ.maximal_circulation(M).unknown_treatment
    assert note.startswith("All amounts are known") and "1 conditional amount" in note
    M.edges["B", "A", "d2"]["conditional"] = False
    assert circ.maximal_circulation(M).unknown_treatment == (
        "All amounts are known; nothing was left out.")


def test_toy_keystones_by_hand(toy):
    from flowgraph.graph import build_graph

    ks = circ.keystones(build_graph(toy)).table.set_index("company")
    # without LabCo only ChipCo<->LeaseCo remains (5 x 2 = 10): 38 - 10 = 28 lost;
    # without LeaseCo only cycle A (6 x 3 = 18): 20 lost; without CloudCo cycles B and C
    # share LeaseCo->ChipCo (8): best 8 x 3 = 24, 14 lost; without ChipCo nothing is left.
    assert ks["circulation_lost"].to_dict() == {"ChipCo": 38, "LabCo": 28, "LeaseCo": 20,
                                                "CloudCo": 14}
    assert ks.loc["LabCo", "share_of_circulation"] == pytest.approx(28 / 38)


def test_input_forms_agree(toy):
    from flowgraph.graph import build_graph, collapse

    M = build_graph(toy)
    D = collapse(M)
    table = toy.deals.copy()
    a = circ.maximal_circulation(M)
    b = circ.maximal_circulation(D)
    # the raw table still has the superseded row and tranches: compare on the kept rows
    kept = [k for _, _, k in M.edges(keys=True)]
    c = circ.maximal_circulation(table[table["deal_id"].isin(kept)], weight="amount_usd_bn")
    assert a.circular_flow == b.circular_flow == 38
    # the raw table's amount_usd_bn is blank for the range-only backstop (base = midpoint),
    # so that pair is unknown there and cycle B disappears
    assert c.circular_flow == 30
    assert c.excluded_unknown_deals == 2


def test_caller_graph_not_mutated(toy):
    from flowgraph.graph import build_graph

    G = build_graph(toy)
    before = nx.to_dict_of_dicts(G)
    nodes_before = dict(G.nodes(data=True))
    circ.maximal_circulation(G)
    circ.self_funded(G)
    circ.keystones(G)
    assert nx.to_dict_of_dicts(G) == before
    assert dict(G.nodes(data=True)) == nodes_before


# --------------------------------------------------------------------------- unknown amounts
def test_unknown_amounts_are_left_out_not_zeroed():
    M = nx.MultiDiGraph()
    M.add_edge("A", "B", key="d1", amount=4.0)
    M.add_edge("A", "B", key="d2", amount=math.nan)
    M.add_edge("B", "A", key="d3", amount=math.nan)
    r = circ.maximal_circulation(M)
    assert r.circular_flow == 0
    assert r.excluded_unknown_edges == 2
    assert r.excluded_unknown_deals == 2
    e = r.edges.set_index(["payer", "payee"])
    assert e.loc[("A", "B"), "amount"] == 4.0 and bool(e.loc[("A", "B"), "has_unknown"])
    D = nx.DiGraph()
    D.add_edge("A", "B", amount=3.0)
    D.add_edge("B", "A", amount=math.nan)
    r2 = circ.maximal_circulation(D)
    assert r2.circular_flow == 0 and r2.excluded_unknown_edges == 1
    assert r2.excluded_unknown_deals is None  # a collapsed graph has no deal detail


def test_errors():
    with pytest.raises(ParameterError):
        circ.maximal_circulation(digraph([("A", "B", -1.0), ("B", "A", 1.0)]))
    with pytest.raises(ParameterError):
        circ.maximal_circulation(nx.Graph([("A", "B")]))
    with pytest.raises(ParameterError):
        circ.maximal_circulation(pd.DataFrame({"x": [1]}))
    with pytest.raises(ParameterError):
        circ.maximal_circulation(digraph([("A", "B", 1.0)]), quantum=0)
    with pytest.raises(UnknownCompanyError):
        circ.self_funded(digraph([("A", "B", 1.0)]), "Nvidia")
    with pytest.raises(ParameterError):
        circ.self_funded(digraph([("A", "B", 1.0)]), top=0)


# --------------------------------------------------------------------------- random networks
@pytest.mark.parametrize("seed", range(12))
def test_random_graphs_match_linprog_and_network_simplex(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 25))
    G = random_graph(rng, n, float(rng.uniform(0.08, 0.35)))
    r = circ.maximal_circulation(G)
    assert r.exact
    check_invariants(G, r)
    ref = lp_max_circulation(G)
    assert r.circular_flow == pytest.approx(ref, rel=1e-9, abs=1e-9)
    assert r.circular_flow == pytest.approx(simplex_max_circulation(G), rel=1e-12, abs=1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_amounts_without_decimal_step_are_within_certified_gap(seed):
    rng = np.random.default_rng(100 + seed)
    G = random_graph(rng, 15, 0.3, decimals=15)
    r = circ.maximal_circulation(G)
    assert not r.exact
    assert r.optimality_gap >= 0 and r.optimality_gap < 1e-6
    ref = lp_max_circulation(G)
    assert r.circular_flow <= ref + 1e-7
    assert r.circular_flow >= ref - r.optimality_gap - 1e-7
    check_invariants(G, r, tol=1e-7)


def test_medium_random_network_invariants():
    rng = np.random.default_rng(7)
    n, m = 2000, 20000
    s = rng.integers(0, n, m)
    t = rng.integers(0, n, m)
    keep = s != t
    df = pd.DataFrame({"payer": s[keep], "payee": t[keep],
                       "amount": np.round(rng.lognormal(0, 1.5, keep.sum()), 3) + 0.001})
    r = circ.maximal_circulation(df)
    e = r.edges
    assert (e["circular"] <= e["amount"] + 1e-12).all()
    bal = (e.groupby("payer")["circular"].sum().sub(e.groupby("payee")["circular"].sum(),
                                                    fill_value=0))
    assert bal.abs().max() < 1e-6
    Dg = nx.DiGraph()
    Dg.add_edges_from(e.loc[e["directional"] > 1e-9, ["payer", "payee"]].itertuples(
        index=False, name=None))
    assert nx.is_directed_acyclic_graph(Dg)
    # sorted: circular amounts never increase down the table
    assert (np.diff(e["circular"].to_numpy()) <= 0).all()


# --------------------------------------------------------------------------- self-funded
def nx_self_funded(G, v, weight="amount"):
    """Independent reference: networkx maximum flow with v split into source and sink."""
    H = nx.DiGraph()
    sink = ("__sink__", v)
    for a, b, d in G.edges(data=True):
        if a == b:
            continue
        head = sink if b == v else b
        if H.has_edge(a, head):
            H[a][head]["capacity"] += d[weight]
        else:
            H.add_edge(a, head, capacity=d[weight])
    if v not in H or sink not in H:
        return 0.0
    return nx.maximum_flow_value(H, v, sink)


@pytest.mark.parametrize("seed", range(8))
def test_self_funded_matches_networkx_maximum_flow(seed):
    rng = np.random.default_rng(200 + seed)
    G = random_graph(rng, int(rng.integers(4, 18)), 0.3)
    result = circ.self_funded(G)
    sf = result.table.set_index("company")
    res = circ.maximal_circulation(G).companies.set_index("company")
    for v in G.nodes:
        ref = nx_self_funded(G, v)
        assert sf.loc[v, "self_funded"] == pytest.approx(ref, abs=1e-9)
        # any circulation through v is money that leaves v and comes back
        assert sf.loc[v, "self_funded"] >= res.loc[v, "circular_inflow"] - 1e-9
        inflow = sum(d["amount"] for _, _, d in G.in_edges(v, data=True))
        if inflow > 0:
            assert sf.loc[v, "self_funded_share"] == pytest.approx(ref / inflow)
    assert result.selection.startswith("Computed for all")


def test_self_funded_hand_worked():
    # Nvidia -> OpenAI 100 (investment); OpenAI -> Oracle 300 (cloud contract);
    # Oracle -> Nvidia 40 (GPUs); Microsoft -> OpenAI 13; OpenAI -> Microsoft 10 (Azure).
    G = digraph([("Nvidia", "OpenAI", 100.0), ("OpenAI", "Oracle", 300.0),
                 ("Oracle", "Nvidia", 40.0), ("Microsoft", "OpenAI", 13.0),
                 ("OpenAI", "Microsoft", 10.0)])
    sf = circ.self_funded(G).table.set_index("company")
    assert sf.loc["Nvidia", "self_funded"] == 40.0  # 40 of its 40 revenue can be its own money
    assert sf.loc["Nvidia", "self_funded_share"] == 1.0
    assert sf.loc["Microsoft", "self_funded"] == 10.0
    assert sf.loc["Microsoft", "self_funded_share"] == 1.0  # it receives 10, all possibly its own
    assert sf.loc["OpenAI", "self_funded"] == 50.0  # 40 via Oracle/Nvidia + 10 via Microsoft
    assert sf.loc["OpenAI", "self_funded_share"] == pytest.approx(50 / 113)
    only = circ.self_funded(G, "nvidia")
    assert only.table["company"].tolist() == ["Nvidia"]


def test_self_funded_top_selection():
    G = digraph([("A", "B", 5.0), ("B", "A", 4.0), ("B", "C", 1.0), ("C", "B", 1.0)])
    sf = circ.self_funded(G, top=2)
    assert sorted(sf.table["company"]) == ["A", "B"]
    assert "the 2 with the largest self-funded amount shown" in sf.selection


def test_top_is_the_largest_by_the_measure_not_by_flow(monkeypatch):
    # X has the most flow through it but nothing comes back; A and B keep money circling
    G = digraph([("X", "Y", 50.0), ("A", "B", 3.0), ("B", "A", 3.0), ("C", "D", 1.0),
                 ("D", "C", 1.0)])
    every = circ.self_funded(G).table
    sf = circ.self_funded(G, top=2).table
    assert list(sf["company"]) == list(every["company"].head(2)) == ["A", "B"]
    ks = circ.keystones(G, top=1).table
    assert list(ks["company"]) == list(circ.keystones(G).table["company"].head(1))
    # above SMALL_NETWORK companies, top bounds the work: the largest flows are computed
    monkeypatch.setattr(circ, "SMALL_NETWORK", 3)
    big = circ.self_funded(G, top=2)
    assert "X" in set(big.table["company"]) and "others not computed" in big.selection


# --------------------------------------------------------------------------- keystones
@pytest.mark.parametrize("seed", range(5))
def test_keystones_match_linprog_without_the_company(seed):
    rng = np.random.default_rng(300 + seed)
    G = random_graph(rng, 10, 0.35)
    total = lp_max_circulation(G)
    ks = circ.keystones(G, list(G.nodes)).table.set_index("company")
    for v in G.nodes:
        H = G.copy()
        H.remove_node(v)
        expected = total - lp_max_circulation(H)
        assert ks.loc[v, "circulation_lost"] == pytest.approx(expected, abs=1e-7)
        assert ks.loc[v, "circular_flow_without"] == pytest.approx(total - expected, abs=1e-7)


def test_company_circulation_table(toy):
    from flowgraph.graph import build_graph

    res = circ.company_circulation(build_graph(toy))
    t = res.table.set_index("company")
    assert t.loc["ChipCo", "keystone_loss"] == 38
    assert t.loc["FundCo", "keystone_loss"] == 0
    assert t.loc["FundCo", "self_funded"] == 0
    assert t.loc["ChipCo", "kind"] == "chipmaker"
    # self-funded amount is at least the circular inflow
    assert (t["self_funded"] >= t["circular_inflow"] - 1e-9).all()
    assert res.circularity_index == pytest.approx(38 / 86)


def test_company_table_counts_cycles(toy):
    from flowgraph.graph import build_graph

    t = circ.company_circulation(build_graph(toy)).table.set_index("company")
    # datasets/README.md: ChipCo is on all three loops, LabCo on A and C, LeaseCo on B and C
    assert t["n_cycles"].to_dict() == {"ChipCo": 3, "LabCo": 2, "LeaseCo": 2, "CloudCo": 1,
                                       "BankCo": 0, "FundCo": 0}


# --------------------------------------------------------------------------- per-company results
def _per_company_results():
    G = digraph([("A", "B", 5.0), ("B", "A", 3.0), ("B", "C", 2.0), ("C", "B", 1.0),
                 ("C", "D", 4.0)])
    return G, circ.self_funded(G), circ.keystones(G), circ.company_circulation(G)


def test_per_company_results_are_frozen_dataclasses_with_notes():
    import dataclasses

    G, sf, ks, cc = _per_company_results()
    assert isinstance(sf, circ.SelfFundedResult) and isinstance(ks, circ.KeystoneResult)
    assert isinstance(cc, circ.CompanyCirculationResult)
    for res in (sf, ks, cc):
        assert isinstance(res, circ.CompanyTableResult)
        assert isinstance(res.table, pd.DataFrame) and res.table.attrs == {}
        assert res.notes == (res.selection, res.unknown_treatment)
        assert isinstance(res.notes, tuple) and all(isinstance(n, str) and n for n in res.notes)
        with pytest.raises(dataclasses.FrozenInstanceError):
            res.selection = "changed"
    assert sf.selection == "Computed for all 4 companies."
    assert "nothing was left out" in sf.unknown_treatment
    m = circ.maximal_circulation(G)
    assert ks.circular_flow == m.circular_flow == 3 * 2 + 1 * 2
    assert cc.circularity_index == pytest.approx(m.circularity_index)
    assert ks.selection.startswith("Computed for all 3 companies with circular inflow")
    assert cc.selection.startswith("Self-funded amounts and keystone impact computed")
    # an unknown amount is said in the notes, not in the table's attrs
    M = nx.MultiDiGraph()
    M.add_edge("A", "B", key="d1", amount=2.0, amount_known=True)
    M.add_edge("B", "A", key="d2", amount=float("nan"), amount_known=False)
    for res in (circ.self_funded(M), circ.keystones(M), circ.company_circulation(M)):
        assert "lower bounds" in res.notes[1] and res.table.attrs == {}


def test_per_company_headlines_name_the_first_row_of_the_sorted_table():
    _, sf, ks, cc = _per_company_results()
    for res, column in ((sf, "self_funded"), (ks, "circulation_lost"),
                        (cc, "circular_inflow")):
        head = res.headline()
        assert list(head.columns) == ["measure", "value"]
        values = dict(zip(head["measure"], head["value"]))
        assert values["companies shown"] == len(res.table)
        label = next(k for k in values if k.startswith("largest "))
        # "largest" is true: no company in the table has more
        top = res.table.set_index("company")[column]
        assert top[values[label]] == top.max()
        assert values[f"its {label.split('largest ', 1)[1].split(' (', 1)[0]}"] == top.max()
    assert dict(zip(*ks.headline().T.values))["circular flow"] == ks.circular_flow
    assert dict(zip(*cc.headline().T.values))["circularity index"] == cc.circularity_index
    # no loop: no keystone, and the headline does not name one
    none = circ.keystones(digraph([("A", "B", 1.0)])).headline()
    assert none["measure"].tolist() == ["circular flow", "companies shown",
                                        "largest circulation lost"]
    assert none["value"].tolist() == [0.0, 0, "none computed"]


def test_per_company_results_show_in_notebooks_escaped():
    G = digraph([("<b>A</b>", "B&B", 2.0), ("B&B", "<b>A</b>", 1.0)])
    for res in (circ.self_funded(G), circ.keystones(G), circ.company_circulation(G)):
        out = res._repr_html_()
        assert out.startswith("<table>") and out.count("<table>") == 2
        assert "<b>A</b>" not in out and "&lt;b&gt;A&lt;/b&gt;" in out and "B&amp;B" in out
        assert all(f"<p>{n}</p>" in out for n in res.notes)
        assert repr(res).startswith(f"<{type(res).__name__}: 2 companies; ")


def test_old_dataframe_use_still_works_with_a_deprecation_warning():
    _, sf, ks, cc = _per_company_results()
    with pytest.warns(DeprecationWarning, match=r"use \.table\['company'\]"):
        assert sf["company"].tolist() == sf.table["company"].tolist()
    with pytest.warns(DeprecationWarning, match=r"use \.table\.set_index"):
        got = ks.set_index("company")
    pd.testing.assert_frame_equal(got, ks.table.set_index("company"))
    with pytest.warns(DeprecationWarning, match=r"use \.table\.iloc"):
        assert cc.iloc[0]["company"] == cc.table.iloc[0]["company"]
    with pytest.warns(DeprecationWarning, match=r"len\(\.table\)"):
        assert len(sf) == len(sf.table)
    with pytest.warns(DeprecationWarning, match="iterate over .table"):
        assert list(iter(ks)) == list(ks.table.columns)
    with pytest.warns(DeprecationWarning, match=r"\.notes"):
        assert ks.attrs == {"selection": ks.selection,
                            "unknown_treatment": ks.unknown_treatment,
                            "circular_flow": ks.circular_flow}
    with pytest.warns(DeprecationWarning):
        assert cc.attrs["circularity_index"] == cc.circularity_index
    # the warning points at the caller's line
    with pytest.warns(DeprecationWarning) as caught:
        sf.head()
    assert caught[0].filename == __file__
    # names neither the result nor a DataFrame has still fail, without a warning
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError):
            sf._no_such_thing  # noqa: B018
        assert bool(circ.self_funded(digraph([("A", "B", 1.0)]), top=1))
    import copy
    import pickle

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for res in (copy.deepcopy(sf), pickle.loads(pickle.dumps(ks))):
            assert res.notes and len(res.table)


# --------------------------------------------------------------------------- command line
def test_cli_circulation_views():
    import json

    from click.testing import CliRunner

    from flowgraph.cli import main

    runner = CliRunner()
    res = runner.invoke(main, ["circulation", "--dataset", "toy", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    summary = {r["measure"]: r["value"] for r in data["Maximal circulation"]}
    assert summary["circular flow (sum C)"] == 38
    assert any("lower bound" in n for n in data["notes"])
    res = runner.invoke(main, ["circulation", "--dataset", "toy", "--view", "edges",
                               "--format", "csv", "--scenario", "high"])
    assert res.exit_code == 0
    edges = pd.read_csv(__import__("io").StringIO(res.output))
    assert edges["circular"].sum() == 40
    res = runner.invoke(main, ["circulation", "--dataset", "toy", "--view", "self-funded",
                               "--for", "ChipCo", "--format", "json"])
    payload = json.loads(res.output)
    rows = next(v for k, v in payload.items() if k != "notes")
    assert rows[0]["company"] == "ChipCo" and rows[0]["self_funded"] == 14
    for view in ("companies", "keystones", "components", "finn", "overview"):
        res = runner.invoke(main, ["circulation", "--dataset", "toy", "--view", view])
        assert res.exit_code == 0, (view, res.output)
    res = runner.invoke(main, ["circulation", "--dataset", "toy", "--view", "keystones",
                               "--for", "Nope"])
    assert res.exit_code == 1
    assert "unknown company" in res.output


def test_circulation_notes_are_a_tuple_and_the_old_call_warns():
    import warnings

    import flowgraph as fg

    G = nx.MultiDiGraph()
    G.add_edge("A", "B", amount=3.0)
    G.add_edge("B", "A", amount=2.0)
    res = fg.maximal_circulation(G)
    assert isinstance(res.notes, tuple) and res.notes[0] == res.unknown_treatment
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = res.notes()
    assert old == list(res.notes)
    assert any(issubclass(w.category, DeprecationWarning) and "tuple" in str(w.message)
               for w in caught)
