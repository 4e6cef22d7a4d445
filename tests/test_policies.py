"""One source of truth per rule: the forms of one rule agree with each other.

- the scenario rule: ``schema.scenario_amount`` (one deal) and ``filter_deals`` (a table);
- the table path and the graph path give the same answers and say the same scenario;
- the one money format everywhere a human reads an amount.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

import flowgraph as fg
from flowgraph import schema
from flowgraph.formatting import money


@pytest.mark.parametrize("scenario", schema.SCENARIOS)
@pytest.mark.parametrize("name", ["toy", "ai-capital"])
def test_scalar_and_vectorised_scenario_rules_agree(name, scenario):
    ds = fg.load_dataset(name)
    t = fg.filter_deals(ds.deals, scenario=scenario)
    want = [schema.scenario_amount(a, lo, hi, scenario) for a, lo, hi in
            zip(t["amount_usd_bn"], t["amount_low_usd_bn"], t["amount_high_usd_bn"])]
    got = t["amount"].to_numpy(float)
    assert np.allclose(got, np.asarray(want, float), equal_nan=True)
    assert (t["amount_known"].to_numpy(bool) == ~np.isnan(np.asarray(want, float))).all()


@pytest.mark.parametrize("scenario", schema.SCENARIOS)
def test_table_and_graph_paths_agree_and_carry_the_scenario(scenario):
    ds = fg.load_dataset("ai-capital")
    table = fg.filter_deals(ds.deals, scenario=scenario)
    graph = fg.build_graph(ds, scenario=scenario)
    ct, cg = fg.find_cycles(table, limit=None), fg.find_cycles(graph, limit=None)
    assert ct.params["scenario"] == cg.params["scenario"] == scenario
    assert ct.n_found == cg.n_found
    assert list(ct.cycles["path"]) == list(cg.cycles["path"])
    assert np.allclose(ct.cycles["round_trip"], cg.cycles["round_trip"], equal_nan=True)
    mt, mg = fg.maximal_circulation(table), fg.maximal_circulation(graph)
    assert mt.scenario == mg.scenario == scenario
    assert mt.circular_flow == pytest.approx(mg.circular_flow)


def test_every_human_amount_uses_the_one_money_format(tmp_path):
    G = fg.build_graph(fg.load_dataset("toy"))
    res = fg.find_cycles(G, limit=None)
    text = " ".join(res.cycles["description"])
    rep = fg.write_report(G, tmp_path / "r", charts=False, samples=50, null_samples=10)
    md = rep.markdown.read_text(encoding="utf-8")
    page = fg.to_html(G)
    # the data's own words (descriptions, source titles) are quoted as they are: take them out
    deals = fg.load_dataset("toy").deals
    quoted = [str(x) for c in ("description", "source_title", "estimate_inputs")
              for x in deals[c].dropna()]
    for where in (text, md, page):
        for q in sorted(quoted, key=len, reverse=True):
            where = where.replace(q, "").replace(q.replace("$", "\\$"), "")
        # no "$8B" / "$300M" style anywhere flowgraph writes money
        assert not re.search(r"\$\d[\d.,]*[BM]\b", where), re.findall(
            r".{40}\$\d[\d.,]*[BM]\b.{10}", where)
    assert money(8.0) in text and money(8.0) in md


def test_money_format_reference_values():
    assert [money(x) for x in (1234.5, 300.0, 30.25, 2.5, 0.0662, 0.0)] == [
        "$1.23tn", "$300bn", "$30.2bn", "$2.5bn", "$66.2m", "$0"]
    assert money(math.nan) == "unknown" and money(-2.5) == "-$2.5bn"
    assert fg.to_html.__module__ == "flowgraph.html"
    from flowgraph.html import fmt_bn

    assert fmt_bn is money
    assert isinstance(pd.Series([1.0]).map(money).iloc[0], str)


def test_one_name_per_idea_old_keywords_warn_and_still_work():
    import warnings

    import flowgraph as fg

    ds = fg.load_dataset("ai-capital")
    G = fg.build_graph(ds)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = fg.to_html(G, top_cycles=0, max_cycle_length=3)
    assert {str(w.message) for w in caught} >= {"to_html: top_cycles is now called top",
                                               "to_html: max_cycle_length is now called "
                                               "max_length"}
    assert all(issubclass(w.category, DeprecationWarning) for w in caught)
    new = fg.to_html(G, top=0, max_length=3)
    assert old == new
    with pytest.raises(fg.ParameterError, match="not both"):
        fg.to_html(G, top=0, top_cycles=0)
    import inspect
    for func in (fg.to_html, fg.write_report, fg.company_circulation, fg.company_profile):
        params = inspect.signature(func).parameters
        assert "max_length" in params and "max_cycle_length" not in params, func.__name__
    assert "through" in inspect.signature(fg.to_html).parameters


def test_results_show_their_headline_and_summary_is_the_old_name():
    import warnings

    import flowgraph as fg

    G = fg.build_graph(fg.load_dataset("ai-capital"))
    res = fg.maximal_circulation(G)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = res.summary()
    assert caught and issubclass(caught[0].category, DeprecationWarning)
    pd.testing.assert_frame_equal(old, res.headline())


@pytest.mark.parametrize("revenue_as_of, stale", [("2024", True), ("2025", False),
                                                   ("2025-06-29", True), ("2025-06-30", False)])
def test_one_stale_rule_for_validation_the_company_page_and_the_report(revenue_as_of, stale):
    import flowgraph as fg
    from flowgraph.timeframe import is_stale

    assert is_stale(revenue_as_of, "2026-06-30") is stale
    companies = pd.DataFrame({"name": ["A", "B"], "kind": ["other", "other"],
                              "revenue_usd_bn": [1.0, 2.0],
                              "revenue_as_of": [revenue_as_of, "2026-03"],
                              "revenue_source": ["https://example.org"] * 2})
    problems = fg.validate_companies(companies, as_of="2026-06-30")
    warned = any("older than the dataset" in p.message for p in problems)
    assert warned is stale
    deals = pd.DataFrame({"deal_id": ["D1", "D2"], "payer": ["A", "B"], "payee": ["B", "A"],
                          "amount_usd_bn": [1.0, 1.0], "flow_type": ["other"] * 2,
                          "status": ["committed"] * 2, "announced": ["2026-01", "2026-02"],
                          "source_url": ["https://example.org"] * 2})
    G = fg.build_graph(deals, companies)
    G.graph["as_of"] = "2026-06-30"
    prof = fg.company_profile(G, "A", stress=False)
    row = prof.fundamentals.set_index("measure").iloc[0]
    assert bool(row["stale"]) is stale
