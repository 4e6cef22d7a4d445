"""Largest payers and payees say how much of each sum is estimated or conditional."""
from __future__ import annotations

import pandas as pd
import pytest

import flowgraph as fg


def _deal(i, payer, payee, amount, **extra):
    return {"deal_id": f"D{i}", "payer": payer, "payee": payee, "amount_usd_bn": amount,
            "flow_type": "other", "status": "committed", "announced": "2025",
            "source_url": f"https://x.example/{i}", "confidence": "medium", **extra}


def test_parts_of_each_sum_by_hand():
    df = pd.DataFrame([
        _deal(1, "A", "B", 10.0),
        _deal(2, "A", "B", 4.0, estimate=True, estimate_inputs="from a capex guide",
              confidence="low"),
        _deal(3, "A", "C", 6.0, conditional=True),
        _deal(4, "C", "B", None, amount_low_usd_bn=1.0, amount_high_usd_bn=3.0),  # midpoint 2
        _deal(5, "B", "A", None),  # unknown: in no sum
    ])
    s = fg.summarize(fg.build_graph(df))
    payers = s.payers.set_index("company")
    assert payers.loc["A", ["amount", "of_which_estimated", "of_which_conditional"]].tolist() \
        == [20.0, 4.0, 6.0]
    payees = s.payees.set_index("company")
    assert payees.loc["B", ["amount", "of_which_estimated", "of_which_conditional"]].tolist() \
        == [16.0, 6.0, 0.0]
    assert payees.loc["C", "of_which_conditional"] == 6.0
    assert payers.loc["B", "deals"] == 1 and pd.isna(payers.loc["B", "amount"])
    assert payers.loc["B", "of_which_estimated"] == 0


def test_bundled_conditional_parts_match_the_rows():
    G = fg.build_graph(fg.load_dataset("ai-capital"))
    rows = fg.deals_frame(G)
    cond = rows["conditional"].map(lambda v: v is True or str(v).lower() == "true")
    s = fg.summarize(G, top=50)
    for table, col in ((s.payers, "payer"), (s.payees, "payee")):
        for company, got in zip(table["company"], table["of_which_conditional"]):
            mine = rows[(rows[col] == company) & cond & rows["amount_known"]]["amount"].sum()
            assert got == pytest.approx(mine), (col, company)
        assert (table["of_which_estimated"] <= table["amount"].fillna(0) + 1e-9).all()
    nvidia = s.payees.set_index("company").loc["Nvidia"]
    assert 0 < nvidia["of_which_estimated"] <= nvidia["amount"]


def test_company_page_marks_conditional_deals_from_their_rows():
    from click.testing import CliRunner

    from flowgraph.cli import main

    G = fg.build_graph(fg.load_dataset("ai-capital"))
    rows = fg.deals_frame(G)
    mine = rows[(rows["payer"] == "CoreWeave") | (rows["payee"] == "CoreWeave")]
    cond = set(mine.loc[mine["conditional"].map(lambda v: v is True)
                        & mine["amount_known"], "deal_id"])
    out = CliRunner().invoke(main, ["company", "CoreWeave"]).output
    ids = set(mine["deal_id"])
    marked = {t for ln in out.splitlines() if ln[:4] in ("out ", "in  ")
              and " cond " in ln + " " for t in ln.split() if t in ids}
    assert cond and marked == cond
    n_out, n_in = (mine["payer"] == "CoreWeave").sum(), (mine["payee"] == "CoreWeave").sum()
    assert f"Deals: {n_out} as payer, {n_in} as payee" in out


@pytest.mark.parametrize("as_of", [None, "2024-06-30", "2025-09-30"])
def test_headline_company_counts_are_the_companies_with_a_deal_in_the_view(as_of):
    ds = fg.load_dataset("ai-capital")
    rows = fg.filter_deals(ds, as_of=as_of)
    mine = len(set(rows["payer"]) | set(rows["payee"]))
    G = fg.build_graph(ds, as_of=as_of)
    assert fg.summarize(G).n_companies == mine
    assert fg.network_concentration(G, include_keystones=False).n_companies == mine
    if as_of == "2024-06-30":
        assert mine < G.number_of_nodes()  # the companies table's other rows stay as nodes
