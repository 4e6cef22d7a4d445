"""One company on one page: company_profile, the two dependence measures, `flowgraph company`."""
from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from click.testing import CliRunner

import flowgraph as fg
from flowgraph.cli import main
from flowgraph.profile import company_profile, dependence, reported_revenue_shares


@pytest.fixture(scope="module")
def ai():
    return fg.build_graph(fg.load_dataset("ai-capital"))


@pytest.fixture(scope="module")
def crwv(ai):
    return company_profile(ai, "coreweave")


def test_profile_lists_every_deal_touching_it_with_sources(ai, crwv):
    want = {k for u, v, k in ai.edges(keys=True) if "CoreWeave" in (u, v) and u != v}
    assert set(crwv.deals["deal_id"]) == want
    assert "CRWV-NVDA-GPU" in want  # the paid outflow the exposure view leaves out
    out = crwv.deals[crwv.deals["direction"] == "out"]
    assert set(out["deal_id"]) == {k for u, _, k in ai.edges(keys=True) if u == "CoreWeave"}
    assert crwv.deals["source_url"].notna().all()
    # fundamentals are the companies table's, with their dates
    node = ai.nodes["CoreWeave"]
    f = crwv.fundamentals.set_index("measure")
    assert f.loc["revenue (annual)", "value_usd_bn"] == node["revenue_usd_bn"]
    assert f.loc["cash", "as_of"] == node["cash_as_of"]


def test_profile_numbers_are_the_analyses_own(ai, crwv):
    loops = fg.find_cycles(ai, through="CoreWeave", limit=None)
    assert crwv.n_loops == loops.n_found
    sf = fg.self_funded(ai, ["CoreWeave"]).table.iloc[0]
    head = dict(crwv.headline().values.tolist())
    assert head["self-funded share of inflow"] == pytest.approx(sf["self_funded_share"])
    assert head["loops through it"] == loops.n_found
    r = fg.stress_range(ai, "CoreWeave")
    assert head["others' loss if it fails, highest model (bn USD)"] == pytest.approx(
        r.models["total_loss"].max())


def test_both_dependence_measures_are_named_and_computed(ai):
    shares = pd.DataFrame({
        "company": ["CoreWeave", "CoreWeave", "CoreWeave"],
        "counterparty": ["Microsoft", "Microsoft", "Nvidia"],
        "share": [0.62, 0.67, 0.15], "period": ["2024", "2025", "2024"],
        "as_of": ["2025-03", "2026-03", "2025-03"],
        "source_url": ["https://a.example/24", "https://a.example/25", "https://a.example/n"]})
    d = dependence(ai, "CoreWeave", revenue_shares=shares).set_index("counterparty")
    e = fg.company_exposure(ai, "CoreWeave").depends_on
    rev = e[e["risk"] == "revenue"].set_index("counterparty")
    total = rev["amount"].sum()
    assert d.loc["Microsoft", "share_of_contracted_backlog"] == pytest.approx(
        rev.loc["Microsoft", "amount"] / total)
    assert d.loc["Microsoft", "share_of_reported_revenue"] == 0.67  # the latest period
    assert d.loc["Microsoft", "revenue_period"] == "2025"
    assert d.loc["Nvidia", "share_of_reported_revenue"] == 0.15
    assert reported_revenue_shares(None, "CoreWeave").empty
    p = company_profile(ai, "CoreWeave", revenue_shares=shares, stress=False)
    assert p.dependence.set_index("counterparty").loc["Microsoft",
                                                     "share_of_reported_revenue"] == 0.67


def test_company_command_one_page_fits_and_machine_formats():
    r = CliRunner().invoke(main, ["company", "CoreWeave"], terminal_width=100)
    assert r.exit_code == 0, r.output
    text = r.stdout
    assert "CRWV-NVDA-GPU" in text and "share of contracted backlog" in text
    assert "of reported revenue" in text and "If CoreWeave failed" in text
    # only a URL, alone on its line, may be wider: URLs are never cut
    assert all(len(line) <= 100 or (line.startswith("https://") and " " not in line)
               for line in text.splitlines())
    urls = [line.split()[-1] for line in text.splitlines() if "http" in line
            and line.split()[-1].startswith("http")]
    ds = fg.load_dataset("ai-capital")
    p = company_profile(fg.build_graph(ds), "CoreWeave", stress=False,
                        revenue_shares=ds.revenue_shares)  # as the command does
    assert (set(p.deals["source_url"]) | set(p.fundamentals["source"].dropna())
            | set(p.dependence["revenue_source"].dropna())) == set(urls)
    js = json.loads(CliRunner().invoke(main, ["company", "CoreWeave", "--format", "json"]).stdout)
    assert {"Headline", "Fundamentals", "Deals", "Dependence", "Loops"} <= set(js)
    csv = CliRunner().invoke(main, ["company", "CoreWeave", "--format", "csv", "--table",
                                    "deals"])
    assert "CRWV-NVDA-GPU" in set(pd.read_csv(io.StringIO(csv.stdout))["deal_id"])
    bad = CliRunner().invoke(main, ["company", "Corewave"])
    assert bad.exit_code == 1 and "did you mean CoreWeave" in bad.output


def test_exposure_show_deals_lists_the_deals_without_exposure():
    r = CliRunner().invoke(main, ["exposure", "CoreWeave", "--show-deals", "--format", "json"])
    assert r.exit_code == 0, r.output
    js = json.loads(r.stdout)
    other = {d["deal_id"] for d in js["Other deals of CoreWeave (no exposure)"]}
    behind = {d["deal_id"] for d in js["Deals"]}
    assert "CRWV-NVDA-GPU" in other and not other & behind
    G = fg.build_graph(fg.load_dataset("ai-capital"))
    assert other | behind == {k for u, v, k in G.edges(keys=True) if "CoreWeave" in (u, v)}


def test_report_section_of_a_profile(tmp_path):
    G = fg.build_graph(fg.load_dataset("toy"))
    res = fg.write_report(G, tmp_path / "r", charts=False, profiles=["CloudCo"])
    md = res.markdown.read_text(encoding="utf-8")
    section = md[md.index("## CloudCo: one company's page"):]
    p = company_profile(G, "CloudCo")
    for d in p.deals["deal_id"]:
        assert d in section
    assert "share of contracted backlog" in section
    assert p.stress.headline() in section
