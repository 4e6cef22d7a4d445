"""Schedules: money over its years, against means, power and the life of the hardware."""
from __future__ import annotations

import math

import pandas as pd
import pytest
from click.testing import CliRunner

import flowgraph as fg
from flowgraph.cli import main
from flowgraph.firmness import money_firmness
from flowgraph.schedule import deal_years


def _deals(rows: list[tuple]) -> pd.DataFrame:
    cols = ["deal_id", "payer", "payee", "amount_usd_bn", "flow_type", "status", "announced",
            "period_start", "period_end", "paid_usd_bn", "paid_as_of", "conditional"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows])


ROWS = [
    ("big", "Lab", "Cloud", 300.0, "compute_contract", "committed", "2025-09-10", "2027", "2031",
     None, None, None),
    ("lease", "Lab", "Cloud", 10.0, "lease", "committed", "2024-01", "2024-01", "2025-12",
     7.0, "2025-06-30", None),
    ("eq", "Fund", "Lab", 40.0, "equity_investment", "committed", "2026-03-31", None, None,
     None, None, None),
    ("opt", "Fund", "Lab", 20.0, "equity_investment", "announced", "2026-05", None, None,
     None, None, "true"),
    ("open", "Lab", "Chips", 50.0, "chip_purchase", "committed", "2025-10-06", "2026", None,
     None, None, None),
]
COMPANIES = pd.DataFrame({"name": ["Lab", "Cloud"], "revenue_usd_bn": [13.0, 50.0],
                          "revenue_as_of": ["2025", "2025"], "cash_usd_bn": [20.0, 5.0],
                          "useful_life_years": [None, 6.0]})


def test_deal_years_by_month():
    shares, rule = deal_years("compute_contract", "2025-02-01", "2025-03-10", "2030")
    assert rule == "spread evenly over its term"
    assert shares[2025] == pytest.approx(10 / 70) and shares[2030] == pytest.approx(12 / 70)
    assert sum(shares.values()) == pytest.approx(1.0)
    assert deal_years("debt_financing", "2025-10", None, None) == ({2025: 1.0}, "on its date")
    assert deal_years("lease", "2025-10", "2026", None) == ({}, "no end date")
    assert deal_years("lease", None, "2026", "2024")[1] == "ends before it starts"


def test_payment_schedule_by_hand():
    G = fg.build_graph(_deals(ROWS), COMPANIES)
    s = fg.payment_schedule(G)
    per_deal = s.deals.groupby("deal_id")["amount"].sum()
    assert per_deal["big"] == pytest.approx(300.0) and per_deal["lease"] == pytest.approx(10.0)
    big = s.deals[s.deals["deal_id"] == "big"].set_index("year")["committed_unpaid"]
    assert big.to_dict() == pytest.approx({y: 60.0 for y in range(2027, 2032)})
    lease = s.deals[s.deals["deal_id"] == "lease"].set_index("year")
    assert lease.loc[2024, "paid"] == pytest.approx(5.0)  # paid fills the first year
    assert lease.loc[2025, "paid"] == pytest.approx(2.0)
    assert lease.loc[2025, "committed_unpaid"] == pytest.approx(3.0)
    opt = s.deals[s.deals["deal_id"] == "opt"].iloc[0]
    assert opt["year"] == 2026 and opt["conditional"] == pytest.approx(20.0)
    assert list(s.unscheduled["deal_id"]) == ["open"]
    assert s.unscheduled.loc[0, "reason"] == "no end date"
    # the firmness split is money_firmness's, deal by deal
    scheduled = fg.filter_deals(_deals(ROWS))
    scheduled = scheduled[scheduled["deal_id"] != "open"]
    m = money_firmness(scheduled)
    for col, attr in (("paid", "paid"), ("committed_unpaid", "committed_unpaid"),
                      ("announced_or_rumored", "announced_only"), ("conditional", "conditional")):
        assert s.deals[col].sum() == pytest.approx(getattr(m, attr)), col
    lab = s.companies[s.companies["company"] == "Lab"]
    out = lab[lab["direction"] == "out"].set_index("year")["total"]
    assert out[2027] == pytest.approx(60.0) and out[2024] == pytest.approx(5.0)
    only = fg.payment_schedule(G, companies="lab")
    assert set(only.companies["company"]) == {"Lab"}
    with pytest.raises(fg.UnknownCompanyError):
        fg.payment_schedule(G, companies="Nobody")


def test_schedule_follows_as_of():
    G = fg.build_graph(_deals(ROWS), COMPANIES, as_of="2025-03")
    s = fg.payment_schedule(G)
    assert set(s.deals["deal_id"]) == {"lease"}  # the others came later
    # paid 7 was reported 2025-06-30: as of 2025-03 nothing is paid yet
    assert s.deals["paid"].sum() == 0.0


def test_against_means_by_hand():
    G = fg.build_graph(_deals(ROWS), COMPANIES)
    r = fg.against_means(G, companies="Lab", start_year=2026)
    t = r.table.set_index("year")
    # 2026: cash 20 + revenue 13 + equity 40 = 73 against the lease's unpaid 3 of 2025 (due
    # in the first year); 2027: 86 against 63; 2028: 99 against 123 -> short
    assert t.loc[2026, "cum_means"] == pytest.approx(73.0)
    assert t.loc[2026, "obligations"] == pytest.approx(3.0)
    assert t.loc[2027, "cum_obligations"] == pytest.approx(63.0)
    assert not t.loc[2027, "short"] and t.loc[2028, "short"]
    first = r.first_short.set_index("company").loc["Lab"]
    assert first["first_year_short"] == 2028 and first["gap_then"] == pytest.approx(24.0)
    # the chip purchase with no end date is not in the obligations, and that is said
    assert first["not_laid_out"] == 50.0 and first["n_not_laid_out"] == 1
    assert any("Lab: 1 deal ($50bn of known money)" in n for n in r.notes)
    # the conditional 20 counts only in the _all columns
    assert t.loc[2026, "cum_means_all"] == pytest.approx(93.0)
    assert any("held flat" in n for n in r.notes)
    assert t.loc[2026, "revenue_basis"].startswith("held flat at $13bn (revenue as of 2025)")


def test_against_means_with_projections():
    G = fg.build_graph(_deals(ROWS), COMPANIES, as_of="2026-06")
    proj = pd.DataFrame({"company": ["Lab"] * 4, "year": [2026, 2027, 2028, 2029],
                         "revenue_usd_bn": [20.0, 40.0, 80.0, 999.0],
                         "kind": ["projection"] * 4,
                         "reported_on": ["2025-09", "2025-09", "2025-09", "2027-01"]})
    r = fg.against_means(G, companies="Lab", revenue_projections=proj)
    t = r.table.set_index("year")
    assert t.index[0] == 2026  # the as-of year
    assert list(t.loc[2026:2030, "revenue"]) == [20.0, 40.0, 80.0, 80.0, 80.0]  # 2029 not yet reported
    assert "held flat at the 2028 figure" in t.loc[2029, "revenue_basis"]
    assert pd.isna(r.first_short.loc[0, "first_year_short"])


def test_power_against_us_additions():
    rows = _deals(ROWS[:1] + ROWS[4:])
    rows["gw"] = [4.5, 6.0]
    rows["overlap_group"] = [None, "g1"]
    extra = rows.iloc[[1]].assign(deal_id="open2", payer="Chips", payee="Lab", gw=6.0,
                                  flow_type="warrant")
    res = fg.power_schedule(fg.build_graph(pd.concat([rows, extra], ignore_index=True)))
    assert any("overlap_group count once" in n for n in res.notes)
    p = res.table.set_index("year")
    assert p.loc[2025, "gw_signed"] == pytest.approx(10.5)  # the group of two counts once
    assert p.loc[2025, "deals_signed"] == 2
    assert p.loc[2027, "gw_starting"] == pytest.approx(4.5)
    assert p.loc[2026, "gw_starting"] == pytest.approx(6.0)
    assert p.loc[2024, "us_additions_gw"] == 48.6 and p.loc[2024, "us_additions_kind"] == "actual"
    assert p.loc[2025, "signed_share_of_us_additions"] == pytest.approx(10.5 / 64)


def test_us_capacity_table_is_sourced():
    t = fg.us_capacity_additions()
    assert list(t["year"]) == sorted(t["year"]) and t["year"].is_unique
    assert set(t["kind"]) <= {"actual", "planned"}
    assert t["source_url"].str.startswith("https://").all()
    assert t["reported_on"].notna().all() and (t["gw"] > 0).all()


def test_duration_mismatch_by_hand():
    G = fg.build_graph(_deals(ROWS), COMPANIES)
    h = fg.duration_mismatch(G).set_index("deal_id")
    assert h.loc["big", "term_years"] == 5.0 and h.loc["big", "useful_life_years"] == 6.0
    assert h.loc["big", "mismatch_years"] == -1.0
    assert "re-let" in h.loc["big", "reading"]
    assert h.loc["lease", "term_years"] == 2.0
    assert "eq" not in h.index and "open" not in h.index
    long = _deals([("l15", "Lab", "Cloud", 15.0, "lease", "committed", "2025", "2025", "2039",
                    None, None, None)])
    comp = COMPANIES.assign(useful_life_years=[None, 4.0])
    r = fg.duration_mismatch(fg.build_graph(long, comp)).iloc[0]
    assert r["mismatch_years"] == 11.0 and "replaced" in r["reading"]


def test_bundled_openai_and_oracle():
    ds = fg.load_dataset("ai-capital")
    G = fg.build_graph(ds)
    s = fg.payment_schedule(G, companies="OpenAI")
    oracle = s.deals[s.deals["deal_id"] == "OAI-ORCL-300"].set_index("year")["amount"]
    assert oracle.to_dict() == pytest.approx({y: 60.0 for y in range(2027, 2032)})
    # revenue held flat (the reported projections, bundled since, can cover the obligations)
    r = fg.against_means(G, companies="OpenAI", revenue_projections=None)
    first = r.first_short.iloc[0]
    assert first["company"] == "OpenAI" and not pd.isna(first["first_year_short"])
    t = r.table.set_index("year")
    y = int(first["first_year_short"])
    assert t.loc[y, "cum_obligations"] > t.loc[y, "cum_means"]
    assert (t.loc[:y - 1, "cum_obligations"] <= t.loc[:y - 1, "cum_means"]).all()


@pytest.mark.parametrize("view", ["payments", "means", "power", "hardware"])
def test_cli_schedule(view):
    r = CliRunner().invoke(main, ["schedule", "--view", view, "--company", "OpenAI"])
    assert r.exit_code == 0, r.output
    assert "Note:" in r.output
    if view == "means":
        assert "First year short" in r.output and "OpenAI" in r.output


def test_nan_amounts_never_scheduled_as_zero():
    rows = _deals([("u", "Lab", "Cloud", None, "compute_contract", "committed", "2025", "2025",
                    "2026", None, None, None)])
    s = fg.payment_schedule(fg.build_graph(rows))
    assert s.deals.empty and s.unscheduled.loc[0, "reason"] == "amount unknown"
    assert math.isnan(s.unscheduled.loc[0, "amount"])


# --------------------------------------------------------------------------- audit fixes
def test_bonds_fall_on_their_date_not_over_their_maturity():
    # the data's facts: GOOG-BONDS-2026-02 is $27.5bn, disbursed, priced 2026-02-09, its
    # period_end the 100-year note's maturity 2126-02-13
    ds = fg.load_dataset("ai-capital")
    raw = ds.deals.set_index("deal_id").loc["GOOG-BONDS-2026-02"]
    assert raw["status"] == "disbursed" and raw["period_end"] == "2126-02-13"
    G = fg.build_graph(ds)
    s = fg.payment_schedule(G)
    bond = s.deals[s.deals["deal_id"] == "GOOG-BONDS-2026-02"]
    assert bond["year"].tolist() == [2026] and bond["paid"].sum() == pytest.approx(27.5)
    assert "maturity" in bond["rule"].iloc[0]
    # no paid money after the data's date (2026-06-30), and none laid out to 2126
    assert s.deals.loc[s.deals["year"] > 2026, "paid"].sum() == 0.0
    debt = s.deals[s.deals["flow_type"] == "debt_financing"]
    assert (debt.groupby("deal_id")["year"].nunique() == 1).all()  # every loan on one date
    bonds = s.companies[s.companies["company"] == "Alphabet bond investors"]
    assert bonds["year"].max() <= 2026
    # an equity investment put in over a funding period is still spread (AMZN-ANT-2023:
    # 2023 to 2024); a preferred with only an end falls on its date
    amzn = s.deals[s.deals["deal_id"] == "AMZN-ANT-2023"]
    assert sorted(amzn["year"]) == [2023, 2024]
    assert s.deals.loc[s.deals["deal_id"] == "ORCL-PREF-2026-5", "year"].tolist() == [2026]
    assert deal_years("equity_investment", "2026-02-01", None, "2029-01-15")[0] == {2026: 1.0}
    assert deal_years("debt_financing", "2025-10-16", "2025", "2049")[0] == {2025: 1.0}


def test_nothing_paid_after_the_as_of_year():
    rows = _deals([("c", "Lab", "Cloud", 30.0, "compute_contract", "disbursed", "2024-01",
                    "2024-01", "2026-12", None, None, None)])
    G = fg.build_graph(rows, as_of="2024-12-31")
    s = fg.payment_schedule(G)
    t = s.deals.set_index("year")
    assert t.loc[2024, "paid"] == pytest.approx(10.0)
    for y in (2025, 2026):  # disbursed by the data, but laid in later years: committed
        assert t.loc[y, "paid"] == 0.0 and t.loc[y, "committed_unpaid"] == pytest.approx(10.0)
    assert any("$20bn the data counts as paid (1 deal)" in n and "after 2024" in n
               for n in s.notes)
    # bundled: as of 2024-06-30 Google paid nothing in 2025
    g = fg.payment_schedule(fg.build_graph(fg.load_dataset("ai-capital"), as_of="2024-06-30"),
                            companies="Google")
    assert g.companies.loc[g.companies["year"] > 2024, "paid"].sum() == 0.0
    assert g.companies["total"].sum() == pytest.approx(
        g.companies[["paid", "committed_unpaid", "announced_or_rumored",
                     "conditional"]].sum().sum())


def test_soft_label_names_the_statuses_counted():
    from flowgraph import schedule as sch

    rows = _deals([("r", "Lab", "Cloud", 10.0, "compute_contract", "rumored", "2025", "2025",
                    "2025", None, None, None)])
    s = fg.payment_schedule(fg.build_graph(rows))
    assert s.deals["announced_or_rumored"].sum() == pytest.approx(10.0)
    assert sch.SOFT_LABEL == "announced or rumored" and "announced_or_rumored" in sch.FIRMNESS
    r = fg.against_means(fg.build_graph(rows, COMPANIES), companies="Lab", start_year=2025)
    assert any("announced or rumored and conditional" in n for n in r.notes)


def test_means_says_when_cash_is_unknown():
    ds = fg.load_dataset("ai-capital")
    comp = ds.companies.set_index("name")
    assert pd.isna(comp.loc["Anthropic", "cash_usd_bn"])  # the data's fact
    G = fg.build_graph(ds)
    r = fg.against_means(G, companies=["Anthropic", "OpenAI"])
    f = r.first_short.set_index("company")
    assert not f.loc["Anthropic", "cash_known"] and "no cash assumed" in f.loc["Anthropic",
                                                                             "cash_basis"]
    openai_cash = comp.loc["OpenAI", "cash_usd_bn"]
    assert f.loc["OpenAI", "cash_known"]
    assert f.loc["OpenAI", "cash_basis"] == (
        f"${openai_cash:g}bn as of {comp.loc['OpenAI', 'cash_as_of']}")
    t = r.table.set_index(["company", "year"])
    assert pd.isna(t["cash"].loc["Anthropic"].iloc[0])
    assert any("Cash unknown" in n and "Anthropic" in n and "not the latest" in n
               for n in r.notes)
    assert not any("the first year short is the latest" in n and "where cash is known" not in n
                   for n in r.notes)
    # as of a date before the cash figure's, the figure is not used, and that is said
    old = fg.against_means(fg.build_graph(ds, as_of="2024-06-30"), companies="OpenAI")
    row = old.first_short.iloc[0]
    assert not row["cash_known"] and "later; not used" in row["cash_basis"]
    assert str(comp.loc["OpenAI", "cash_as_of"]) in row["cash_basis"]
    assert pd.isna(old.table["cash"].iloc[0])
    assert "later than the as-of date 2024-06-30" in row["revenue_basis"]


def test_power_as_of_uses_only_figures_reported_by_then():
    ref = fg.us_capacity_additions().set_index("year")
    G = fg.build_graph(fg.load_dataset("ai-capital"), as_of="2024-06-30")
    p = fg.power_schedule(G)
    t = p.table.set_index("year")
    # the table's facts: 2023's figure was reported 2023-02-06, 2024's on 2025-02-24
    assert ref.loc[2023, "reported_on"] <= "2024-06-30" < ref.loc[2024, "reported_on"]
    assert t.loc[2023, "us_additions_gw"] == ref.loc[2023, "gw"]
    assert pd.isna(t.loc[2024, "us_additions_gw"]) and 2025 not in t.index
    assert any("none known then for 2024, 2025, 2026" in n for n in p.notes)
    # a later report of the same year replaces an earlier one only once it is out
    adds = pd.DataFrame({"year": [2025, 2025], "gw": [60.0, 64.0],
                         "kind": ["planned", "actual"],
                         "reported_on": ["2025-02", "2026-02-24"]})
    rows = _deals(ROWS[:1]).assign(gw=[1.0])
    mid = fg.power_schedule(fg.build_graph(rows, as_of="2025-12-31"), additions=adds).table
    assert mid.set_index("year").loc[2025, "us_additions_gw"] == 60.0
    late = fg.power_schedule(fg.build_graph(rows), additions=adds).table
    assert late.set_index("year").loc[2025, "us_additions_gw"] == 64.0
