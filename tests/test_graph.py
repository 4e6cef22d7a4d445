"""Building the deal graph, filters, collapsing, conversions and Gephi exports."""
from __future__ import annotations

import math

import networkx as nx
import pandas as pd
import pytest

import flowgraph as fg
from flowgraph.errors import ParameterError, UnknownCompanyError


def deals_df():
    return pd.DataFrame({
        "deal_id": ["a", "b", "c", "d", "e", "f", "g"],
        "payer": ["X", "X", "Y", "Z", "X", "X", "X"],
        "payee": ["Y", "Y", "Z", "X", "Y", "Y", "Y"],
        "amount_usd_bn": [1.0, 2.0, None, 4.0, 100.0, 1.5, 0.5],
        "amount_low_usd_bn": [None, 1.0, 3.0, None, None, None, None],
        "amount_high_usd_bn": [None, 3.0, 5.0, 6.0, None, None, None],
        "flow_type": ["equity_investment", "compute_contract", "chip_purchase", "lease",
                      "equity_investment", "equity_investment", "equity_investment"],
        "status": ["disbursed", "announced", "committed", "rumored", "announced", "committed",
                   "committed"],
        "announced": ["2024-05", "2025", None, "2026-01-15", "2023", "2024-06", "2024-07"],
        "period_start": [None, None, "2025", None, None, None, None],
        "confidence": ["high", "low", "medium", "high", "low", "high", "high"],
        "supersedes": [None, None, None, None, None, "e", None],
        "part_of": [None, None, None, None, None, None, "f"],
        "source_url": ["https://s.org"] * 7,
        "extra_col": ["k"] * 7,
    })


def test_one_edge_per_deal_with_attributes():
    G = fg.build_graph(deals_df())
    assert isinstance(G, nx.MultiDiGraph)
    # e is superseded by f, g is a tranche of f: both left out by default
    assert sorted(k for _, _, k in G.edges(keys=True)) == ["a", "b", "c", "d", "f"]
    b = G["X"]["Y"]["b"]
    assert b["amount"] == 2.0 and b["amount_known"] and b["extra_col"] == "k"
    c = G["Y"]["Z"]["c"]
    assert c["amount"] == 4.0  # midpoint of the reported range
    assert str(c["date_lo"]) == "2025-01-01" and str(c["date_hi"]) == "2025-12-31"
    assert G.nodes["X"]["kind"] == "unknown"


def test_switches_keep_superseded_and_tranches():
    G = fg.build_graph(deals_df(), include_superseded=True, include_tranches=True)
    assert G.number_of_edges() == 7


def test_scenarios_and_unknown_amounts_stay_flagged():
    df = deals_df()
    df.loc[0, ["amount_usd_bn", "amount_low_usd_bn", "amount_high_usd_bn"]] = [None, None, None]
    for scenario, expect_b, expect_c, expect_d in (("base", 2.0, 4.0, 4.0),
                                                    ("low", 1.0, 3.0, 4.0),
                                                    ("high", 3.0, 5.0, 6.0)):
        G = fg.build_graph(df, scenario=scenario)
        assert G["X"]["Y"]["b"]["amount"] == expect_b
        assert G["Y"]["Z"]["c"]["amount"] == expect_c
        assert G["Z"]["X"]["d"]["amount"] == expect_d
        a = G["X"]["Y"]["a"]
        assert math.isnan(a["amount"]) and a["amount_known"] is False
        assert G.graph["scenario"] == scenario


def test_filters():
    df = deals_df()
    assert set(k for *_, k in fg.build_graph(df, as_of="2024-12").edges(keys=True)) == {"a", "f"}
    # a year-only date may fall before a date in the same year: kept
    assert "b" in {k for *_, k in fg.build_graph(df, as_of="2025-02-01").edges(keys=True)}
    assert {k for *_, k in fg.build_graph(df, flow_types=["lease"]).edges(keys=True)} == {"d"}
    got = {k for *_, k in fg.build_graph(df, statuses=["committed", "disbursed"]).edges(keys=True)}
    assert got == {"a", "c", "f"}
    got = {k for *_, k in fg.build_graph(df, min_confidence="medium").edges(keys=True)}
    assert got == {"a", "c", "d", "f"}
    G = fg.build_graph(df, exclude=["Z"])
    assert "Z" not in G and {k for *_, k in G.edges(keys=True)} == {"a", "b", "f"}
    G = fg.build_graph(df, include=["X", "Y"])
    assert set(G) == {"X", "Y"}


def test_bad_filter_values():
    with pytest.raises(ParameterError, match="valid: .*lease"):
        fg.build_graph(deals_df(), flow_types=["gift"])
    with pytest.raises(ParameterError, match="as-of"):
        fg.build_graph(deals_df(), as_of="yesterday")
    with pytest.raises(UnknownCompanyError, match="did you mean"):
        fg.build_graph(deals_df(), exclude=["Zz"])
    with pytest.raises(ParameterError):
        fg.build_graph(deals_df(), scenario="worst")


def test_collapse_sums_and_flags():
    G = fg.build_graph(deals_df(), include_superseded=True)
    H = fg.collapse(G)
    assert isinstance(H, nx.DiGraph)
    xy = H["X"]["Y"]
    assert xy["n_deals"] == 4 and xy["deal_ids"] == ("a", "b", "e", "f")
    assert xy["amount"] == pytest.approx(1 + 2 + 100 + 1.5)
    assert xy["weakest_status"] == "announced" and xy["lowest_confidence"] == "low"
    assert xy["flow_types"] == ("compute_contract", "equity_investment")
    assert not xy["has_unknown"]
    df = deals_df()
    df.loc[2, ["amount_low_usd_bn", "amount_high_usd_bn"]] = [None, None]
    H = fg.collapse(fg.build_graph(df))
    assert H["Y"]["Z"]["has_unknown"] and math.isnan(H["Y"]["Z"]["amount"])


def test_build_and_collapse_do_not_mutate_inputs():
    df = deals_df()
    before = df.copy()
    G = fg.build_graph(df)
    pd.testing.assert_frame_equal(df, before)
    snapshot = nx.to_dict_of_dicts(G)
    fg.collapse(G)
    assert nx.to_dict_of_dicts(G) == snapshot


def test_node_attributes_from_companies():
    companies = pd.DataFrame({"name": ["X", "Y"], "kind": ["chipmaker", "ai_lab"],
                              "revenue_usd_bn": [10, None], "revenue_as_of": ["2025", None]})
    G = fg.build_graph(deals_df(), companies)
    assert G.nodes["X"]["kind"] == "chipmaker" and G.nodes["X"]["revenue_usd_bn"] == 10.0
    assert G.nodes["Z"]["kind"] == "unknown"


def test_dataframe_round_trip():
    G = fg.build_graph(deals_df())
    nodes, edges = fg.to_dataframes(G)
    assert list(edges.columns[:3]) == ["source", "target", "key"]
    H = fg.from_dataframes(nodes, edges)
    assert isinstance(H, nx.MultiDiGraph)
    assert sorted(H.edges(keys=True)) == sorted(G.edges(keys=True))
    assert H["X"]["Y"]["b"]["amount"] == 2.0
    D = fg.collapse(G)
    n2, e2 = fg.to_dataframes(D)
    D2 = fg.from_dataframes(n2, e2)
    assert not D2.is_multigraph() and D2["X"]["Y"]["amount"] == D["X"]["Y"]["amount"]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_gephi_exports(tmp_path, fmt):
    G = fg.build_graph(fg.load_dataset("toy"))
    path = tmp_path / f"g.{fmt}"
    (fg.write_graphml if fmt == "graphml" else fg.write_gexf)(G, path)
    H = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    assert H.number_of_edges() == G.number_of_edges()
    assert H.number_of_nodes() == G.number_of_nodes()


def test_check_company():
    G = nx.DiGraph([("Nvidia", "OpenAI")])
    assert fg.check_company(G, "openai") == "OpenAI"
    with pytest.raises(UnknownCompanyError, match="Nvidia") as info:
        fg.check_company(G, "Nvidea")
    assert isinstance(info.value, LookupError)


def test_include_exclude_match_names_case_insensitively():
    ds = fg.load_dataset("toy")
    G = fg.build_graph(ds, exclude=["labco"])  # accepted as LabCo, so it must be left out
    assert "LabCo" not in G
    assert all("LabCo" not in (u, v) for u, v in G.edges())
    assert G.graph["filters"]["exclude"] == ["LabCo"]
    G = fg.build_graph(ds, include=["chipco", "LEASECO"])
    assert set(G) == {"ChipCo", "LeaseCo"} and G.number_of_edges() == 2
    # asking for a filtered-out company says why
    with pytest.raises(UnknownCompanyError, match="excluded by the filters"):
        fg.check_company(fg.build_graph(ds, exclude=["LabCo"]), "labco")
    with pytest.raises(UnknownCompanyError, match="keep only ChipCo, LeaseCo"):
        fg.check_company(G, "LabCo")
