"""Exposure semantics: which side of a deal depends on which, per flow type and status."""
from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

import flowgraph as fg
from flowgraph import schema
from flowgraph.cli import main
from flowgraph.errors import ParameterError, UnknownCompanyError
from flowgraph.exposure import (
    DEFAULT_SEMANTICS,
    EXPOSURE_COLUMNS,
    RISK_KINDS,
    company_exposure,
    exposures,
    semantics_table,
)


DATASETS = Path(__file__).resolve().parent.parent / "datasets"


def deal_graph(rows):
    """A MultiDiGraph from (deal_id, payer, payee, amount, flow_type, status) tuples."""
    M = nx.MultiDiGraph()
    for did, u, v, a, ftype, status in rows:
        M.add_edge(u, v, key=did, amount=a, amount_known=not math.isnan(a), flow_type=ftype,
                   status=status, source_url=f"https://example.org/{did}")
    return M


@pytest.fixture(scope="module")
def toy():
    return fg.build_graph(fg.load_dataset("toy"))


@pytest.fixture(scope="module")
def ai():
    return fg.build_graph(fg.load_dataset("ai-capital"))


def test_every_flow_type_has_a_rule_and_every_rule_is_valid():
    assert set(DEFAULT_SEMANTICS) == set(schema.FLOW_TYPES)
    t = semantics_table()
    assert set(t["flow_type"]) == set(schema.FLOW_TYPES)
    assert set(t["risk"]) <= set(RISK_KINDS)
    assert ((t["exposed"] == "payer") ^ (t["counterparty"] == "payer")).all()


@pytest.mark.parametrize("ftype", sorted(schema.COMMERCIAL_FLOW_TYPES))
def test_unpaid_commercial_flow_makes_payee_depend_on_payer(ftype):
    M = deal_graph([("d", "Buyer", "Seller", 7.0, ftype, "committed")])
    e = exposures(M)
    assert e[["exposed", "counterparty", "risk", "amount"]].values.tolist() == [
        ["Seller", "Buyer", "revenue", 7.0]]


@pytest.mark.parametrize("ftype", sorted(schema.COMMERCIAL_FLOW_TYPES))
def test_paid_commercial_flow_carries_no_revenue_risk(ftype):
    M = deal_graph([("d", "Buyer", "Seller", 7.0, ftype, "disbursed")])
    assert exposures(M).empty


def test_paid_equity_stake_is_still_value_at_risk_but_no_longer_funding():
    M = deal_graph([("d", "Holder", "Issuer", 5.0, "equity_investment", "disbursed")])
    e = exposures(M)
    assert e[["exposed", "counterparty", "risk"]].values.tolist() == [
        ["Holder", "Issuer", "equity"]]


def test_promised_investment_creates_stake_and_funding_dependency():
    M = deal_graph([("d", "Nvidia", "OpenAI", 100.0, "equity_investment", "committed")])
    e = exposures(M).set_index("risk")
    assert (e.loc["equity", "exposed"], e.loc["equity", "counterparty"]) == ("Nvidia", "OpenAI")
    assert (e.loc["funding", "exposed"], e.loc["funding", "counterparty"]) == ("OpenAI", "Nvidia")


def test_loan_makes_lender_a_creditor():
    M = deal_graph([("d", "Bank", "Builder", 9.0, "debt_financing", "disbursed")])
    e = exposures(M)
    assert e[["exposed", "counterparty", "risk"]].values.tolist() == [["Bank", "Builder", "credit"]]


def test_warrant_row_is_held_by_the_payee(ai):
    # datasets/ai-capital: AMD-OAI-WARRANT is AMD -> OpenAI, "Warrant for up to 160M AMD
    # shares": OpenAI holds AMD equity, so OpenAI is exposed to AMD.
    e = exposures(ai)
    row = e[e["deal_id"] == "AMD-OAI-WARRANT"]
    assert row[["exposed", "counterparty", "risk"]].values.tolist() == [["OpenAI", "AMD", "equity"]]
    # the flag and the amount agree: unknown amounts stay NaN, never zero
    assert bool(row["amount_known"].iloc[0]) == (not math.isnan(row["amount"].iloc[0]))


def test_statuses_choose_what_counts():
    M = deal_graph([
        ("a", "X", "Y", 1.0, "compute_contract", "announced"),
        ("c", "X", "Y", 2.0, "compute_contract", "committed"),
        ("r", "X", "Y", 4.0, "compute_contract", "rumored"),
    ])
    assert sorted(exposures(M)["deal_id"]) == ["a", "c"]  # rumored left out by default
    assert sorted(exposures(M, statuses=["committed"])["deal_id"]) == ["c"]
    assert sorted(exposures(M, statuses=None)["deal_id"]) == ["a", "c", "r"]
    with pytest.raises(ParameterError, match="unknown status"):
        exposures(M, statuses=["signed"])


def test_semantics_override_dict_and_dataframe():
    M = deal_graph([("d", "AMD", "OpenAI", 3.0, "warrant", "committed")])
    flipped = exposures(M, semantics={"warrant": ("payer", "payee", "equity")})
    assert flipped[["exposed", "counterparty"]].values.tolist() == [["AMD", "OpenAI"]]
    none = exposures(M, semantics={"warrant": None})
    assert none.empty
    table = pd.DataFrame({"flow_type": ["warrant"], "exposed": ["payer"],
                          "counterparty": ["payee"], "risk": ["credit"]})
    assert exposures(M, semantics=table)["risk"].tolist() == ["credit"]
    # a partial override keeps the defaults of other flow types
    assert (semantics_table({"warrant": None})["flow_type"] == "compute_contract").any()


@pytest.mark.parametrize("bad", [
    {"warrant": ("payer", "payer", "equity")},
    {"warrant": ("payer", "payee", "love")},
    {"swap": ("payer", "payee", "equity")},
    {"warrant": ("payer", "payee")},
    "payer",
])
def test_bad_semantics_are_parameter_errors(bad):
    with pytest.raises(ParameterError):
        semantics_table(bad)


def test_exposure_table_columns_and_sorting(toy):
    e = exposures(toy)
    assert tuple(e.columns) == EXPOSURE_COLUMNS
    key = e[["exposed", "counterparty", "risk", "deal_id"]].astype(str).values.tolist()
    assert key == sorted(key)


def test_toy_exposures_by_hand(toy):
    # datasets/README.md toy deals: e1 ChipCo->LabCo 10 equity committed, e2 LabCo->CloudCo
    # 30 compute committed, e5 ChipCo->LeaseCo backstop announced (4-6, base 5), e6
    # LabCo->LeaseCo 12 committed, e7 FundCo->LabCo 15 equity disbursed; e3/e4 are paid chip
    # purchases (no exposure); e8 BankCo->CloudCo is rumored (not counted by default).
    got = {(r.exposed, r.counterparty, r.risk): r.amount for r in exposures(toy).itertuples()}
    assert got == {
        ("ChipCo", "LabCo", "equity"): 10.0,
        ("LabCo", "ChipCo", "funding"): 10.0,
        ("CloudCo", "LabCo", "revenue"): 30.0,
        ("LeaseCo", "ChipCo", "revenue"): 5.0,
        ("LeaseCo", "LabCo", "revenue"): 12.0,
        ("FundCo", "LabCo", "equity"): 15.0,
    }


def test_unknown_amounts_stay_nan_and_are_counted():
    M = deal_graph([
        ("k", "A", "S", 30.0, "compute_contract", "committed"),
        ("u", "B", "S", math.nan, "compute_contract", "committed"),
    ])
    e = company_exposure(M, "S")
    dep = e.depends_on.set_index("counterparty")
    assert dep.loc["A", "share"] == 1.0  # share of known amounts only
    assert math.isnan(dep.loc["B", "amount"]) and dep.loc["B", "n_unknown"] == 1
    tot = e.totals.set_index("risk")
    assert tot.loc["revenue", "at_risk"] == 30.0
    assert tot.loc["revenue", "n_unknown_at_risk"] == 1


def test_exposure_of_one_company_both_directions():
    M = deal_graph([
        ("o1", "OpenAI", "Oracle", 300.0, "compute_contract", "committed"),
        ("m1", "Meta", "Oracle", 100.0, "compute_contract", "committed"),
        ("n1", "Oracle", "Nvidia", 40.0, "chip_purchase", "announced"),
        ("n2", "Google", "Nvidia", 60.0, "chip_purchase", "committed"),
    ])
    e = company_exposure(M, "ORACLE")
    assert e.company == "Oracle"
    assert e.depends_on[["counterparty", "amount", "share"]].values.tolist() == [
        ["OpenAI", 300.0, 0.75], ["Meta", 100.0, 0.25]]
    by = e.depended_on_by
    assert by[["company", "amount", "share"]].values.tolist() == [["Nvidia", 40.0, 0.4]]
    assert set(e.deals["deal_id"]) == {"o1", "m1", "n1"}
    assert e.depends_on.loc[0, "sources"] == "https://example.org/o1"


def test_oracle_backlog_share_of_openai_matches_the_deals_table(ai):
    # Independent path: read deals.csv with pandas, keep Oracle's unpaid commercial inflows
    # that build_graph keeps by default (no superseded rows, no tranches, rumored excluded).
    d = pd.read_csv(DATASETS / "ai-capital" / "deals.csv")
    superseded = {x for v in d["supersedes"].dropna() for x in schema.split_ids(v)}
    d = d[~d["deal_id"].isin(superseded) & d["part_of"].isna()]
    back = d[(d["payee"] == "Oracle") & d["flow_type"].isin(schema.COMMERCIAL_FLOW_TYPES)
             & d["status"].isin(["announced", "committed"])]
    known = back.dropna(subset=["amount_usd_bn"])
    expected = known.loc[known["payer"] == "OpenAI", "amount_usd_bn"].sum() / known[
        "amount_usd_bn"].sum()
    e = company_exposure(ai, "Oracle").depends_on
    row = e[(e["counterparty"] == "OpenAI") & (e["risk"] == "revenue")]
    assert row["share"].iloc[0] == pytest.approx(expected)
    assert e.loc[e["risk"] == "revenue", "n_unknown"].sum() == back["amount_usd_bn"].isna().sum()


def test_unknown_company_suggests_close_matches(toy):
    with pytest.raises(UnknownCompanyError, match="did you mean LabCo"):
        company_exposure(toy, "LabCoo")


def test_collapsed_graph_is_accepted(toy):
    D = fg.collapse(toy)
    e = exposures(D)
    # each collapsed edge is one pseudo-deal with its single flow type and weakest status
    assert ("CloudCo", "LabCo", "revenue") in set(zip(e.exposed, e.counterparty, e.risk))


def test_caller_graph_not_mutated(toy):
    before = nx.to_dict_of_dicts(toy)
    exposures(toy)
    company_exposure(toy, "LabCo")
    assert nx.to_dict_of_dicts(toy) == before


def test_cli_exposure():
    r = CliRunner().invoke(main, ["exposure", "labco", "--dataset", "toy", "--show-deals"])
    assert r.exit_code == 0, r.output
    assert "LabCo depends on" in r.output and "Depend on LabCo" in r.output
    assert "T-LAB-CLOUD-30" in r.output
    r = CliRunner().invoke(main, ["exposure", "LabCo", "--dataset", "toy", "--format", "json"])
    assert r.exit_code == 0
    bad = CliRunner().invoke(main, ["exposure", "Labb", "--dataset", "toy"])
    assert bad.exit_code == 1 and "did you mean" in bad.output


def test_exposure_relative_to_revenue(toy):
    # toy companies table: CloudCo revenue 200; LabCo owes it 30 -> 0.15 of a year's revenue.
    dep = company_exposure(toy, "CloudCo").depends_on.set_index("counterparty")
    assert dep.loc["LabCo", "to_revenue"] == pytest.approx(30 / 200)
    # FundCo has no revenue: NaN, not zero
    assert math.isnan(company_exposure(toy, "FundCo").depends_on["to_revenue"].iloc[0])


def test_cli_exposure_in_a_fresh_process():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "flowgraph.cli", "exposure", "CloudCo",
                        "--dataset", "toy", "--semantics"], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert "CloudCo depends on" in r.stdout and "Exposure semantics" in r.stdout


def test_company_exposure_when_no_deal_passes_the_filters():
    # the company is in the graph but no deal is left (e.g. --status rumored --flow-type lease)
    G = fg.build_graph(fg.load_dataset("toy"), as_of="1990")
    assert "LabCo" in G and G.number_of_edges() == 0
    e = fg.company_exposure(G, "LabCo")
    assert e.depends_on.empty and e.depended_on_by.empty
    assert fg.exposures(G)["amount_known"].dtype == bool
    r = CliRunner().invoke(main, ["exposure", "LabCo", "--dataset", "toy", "--as-of", "1990",
                                  "--show-deals"])
    assert r.exit_code == 0, r.output
    assert "LabCo depends on" in r.output and "(no rows)" in r.output


@pytest.mark.parametrize("as_of", [None, "2025-08-25", "2025-09-30"])
def test_promised_funding_is_what_is_not_yet_paid(as_of):
    """A partly paid promise is funding (or revenue) at risk only for its unpaid rest, as of
    the date (a payment dated later is not subtracted); the stake counts whole."""
    ds = fg.load_dataset("ai-capital")
    row = ds.deals.set_index("deal_id").loc["USG-INTC-8.9"]
    paid = row["paid_usd_bn"] if as_of is None or row["paid_as_of"] <= as_of else 0.0
    e = company_exposure(fg.build_graph(ds, as_of=as_of), "Intel")
    mine = e.deals.set_index(["deal_id", "risk"])
    assert mine.loc[("USG-INTC-8.9", "funding"), "amount"] == pytest.approx(
        row["amount_usd_bn"] - paid)
    assert mine.loc[("USG-INTC-8.9", "funding"), "paid"] == pytest.approx(paid)
    assert mine.loc[("USG-INTC-8.9", "equity"), "amount"] == pytest.approx(row["amount_usd_bn"])


def test_paid_parts_by_hand():
    M = deal_graph([("part", "Buyer", "Seller", 10.0, "chip_purchase", "committed"),
                    ("all", "Buyer", "Seller", 5.0, "chip_purchase", "committed"),
                    ("rest", "Bank", "Borrower", 8.0, "debt_financing", "disbursed")])
    for key, paid in (("part", 4.0), ("all", 5.0), ("rest", 6.0)):
        nx.set_edge_attributes(M, {e: paid for e in M.edges(keys=True) if e[2] == key},
                               "paid_usd_bn")
    e = exposures(M).set_index(["deal_id", "risk"])["amount"].to_dict()
    assert e == {("part", "revenue"): 6.0, ("rest", "credit"): 8.0, ("rest", "funding"): 2.0}


def test_cli_exposure_says_which_paid_money_it_leaves_out():
    out = " ".join(CliRunner().invoke(main, ["exposure", "Intel"]).output.split())
    ex = exposures(fg.build_graph(fg.load_dataset("ai-capital")))
    part = ex[(ex["risk"] == "funding") & (ex["paid"] > 0) & (ex["exposed"] == "Intel")]
    from flowgraph.formatting import money

    assert len(part) == 1 and f"{money(float(part['paid'].sum()))} paid is left out" in out
    assert "USG-INTC-8.9" in out


def test_exposure_tables_say_how_much_is_estimated_or_conditional():
    data = fg.load_dataset("ai-capital")
    G = fg.build_graph(data)
    raw = data.deals.set_index("deal_id")

    def estimated(i):  # from the data as read: flagged, or a range with no point amount
        a, lo, hi = (raw.loc[i, c] for c in ("amount_usd_bn", "amount_low_usd_bn",
                                             "amount_high_usd_bn"))
        return raw.loc[i, "estimate"] is True or (a != a and lo == lo and hi == hi)

    e = fg.company_exposure(G, "Nvidia")
    for table, side, who in ((e.depends_on, "depends_on", "counterparty"),
                             (e.depended_on_by, "depended_on_by", "company")):
        assert {"of_which_estimated", "of_which_conditional"} <= set(table.columns)
        d = e.deals[(e.deals["side"] == side) & e.deals["amount_known"]]
        key = "counterparty" if side == "depends_on" else "exposed"
        for _, r in table.iterrows():
            rows = d[(d[key] == r[who]) & (d["risk"] == r["risk"])]
            if not len(rows):
                assert r["of_which_estimated"] != r["of_which_estimated"]  # NaN: none known
                continue
            est = rows["deal_id"].map(estimated).to_numpy(bool)
            cond = rows["deal_id"].map(lambda i: raw.loc[i, "conditional"] is True).to_numpy(bool)
            amounts = rows["amount"].to_numpy(float)
            assert r["of_which_estimated"] == pytest.approx(float(amounts[est].sum()))
            assert r["of_which_conditional"] == pytest.approx(float(amounts[cond].sum()))
    # the audited cell: OpenAI's $425bn is the midpoint of an estimated, conditional deal
    top = e.depends_on.iloc[0]
    assert top["counterparty"] == "OpenAI" and top["risk"] == "revenue"
    assert top["of_which_estimated"] == top["of_which_conditional"] == top["amount"]
