"""Monte Carlo over uncertain amounts: sample_amounts and uncertainty.

References: scipy.stats for the drawing distributions; flowgraph's own exact analyses
(maximal_circulation, self_funded, find_cycles) run on each sample as a graph, against the
vectorised per-sample path.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import stats

import flowgraph as fg
from flowgraph.cli import main


def _table(rows):
    base = {"flow_type": "compute_contract", "status": "committed", "announced": "2025-01",
            "source_url": "https://example.org/x"}
    return pd.DataFrame([{**base, **r} for r in rows])


def _ranged_graph():
    nan = math.nan
    return fg.build_graph(_table([
        {"deal_id": "AB", "payer": "A", "payee": "B", "amount_usd_bn": 10.0},
        {"deal_id": "BC", "payer": "B", "payee": "C", "amount_usd_bn": nan,
         "amount_low_usd_bn": 4.0, "amount_high_usd_bn": 12.0},
        {"deal_id": "CA", "payer": "C", "payee": "A", "amount_usd_bn": 6.0,
         "amount_low_usd_bn": 3.0, "amount_high_usd_bn": 9.0},
        {"deal_id": "BA", "payer": "B", "payee": "A", "amount_usd_bn": nan,
         "amount_low_usd_bn": 2.0, "status": "announced"},
        {"deal_id": "CB", "payer": "C", "payee": "B", "amount_usd_bn": nan,
         "amount_high_usd_bn": 5.0, "conditional": "true"},
        {"deal_id": "AD", "payer": "A", "payee": "D", "amount_usd_bn": nan,
         "flow_type": "equity_investment"},
    ]))


def test_spans_follow_the_documented_rule():
    s = fg.sample_amounts(_ranged_graph(), n=2000, seed=3, open_factor=2.0)
    d = s.deals.set_index("deal_id")
    assert d.loc["AB", "rule"] == "exact" and (s.amounts[:, d.index.get_loc("AB")] == 10).all()
    assert tuple(d.loc["BC", ["rule", "low", "mode", "high"]]) == ("range", 4.0, 8.0, 12.0)
    assert tuple(d.loc["CA", ["rule", "low", "mode", "high"]]) == ("range", 3.0, 6.0, 9.0)
    assert tuple(d.loc["BA", ["rule", "low", "mode", "high"]]) == ("floor", 2.0, 2.0, 4.0)
    assert tuple(d.loc["CB", ["rule", "low", "mode", "high"]]) == ("cap", 2.5, 5.0, 5.0)
    assert d.loc["AD", "rule"] == "unknown" and np.isnan(s.amounts[:, d.index.get_loc("AD")]).all()
    for j, r in enumerate(s.deals.itertuples()):
        if r.rule != "unknown":
            assert (s.amounts[:, j] >= r.low).all() and (s.amounts[:, j] <= r.high).all()


@pytest.mark.parametrize("distribution", ["triangular", "uniform"])
def test_draws_follow_the_distribution(distribution):
    s = fg.sample_amounts(_ranged_graph(), n=4000, seed=11, distribution=distribution)
    j = list(s.deals["deal_id"]).index("BA")  # floor 2 -> span 2..4, mode 2
    if distribution == "triangular":
        ref = stats.triang(c=0.0, loc=2.0, scale=2.0)
    else:
        ref = stats.uniform(loc=2.0, scale=2.0)
    assert stats.kstest(s.amounts[:, j], ref.cdf).pvalue > 1e-3
    j = list(s.deals["deal_id"]).index("CA")  # 3..9 around 6
    ref = (stats.triang(c=0.5, loc=3.0, scale=6.0) if distribution == "triangular"
           else stats.uniform(loc=3.0, scale=6.0))
    assert stats.kstest(s.amounts[:, j], ref.cdf).pvalue > 1e-3


def test_same_seed_same_samples_other_seed_other_samples():
    G = _ranged_graph()
    a = fg.sample_amounts(G, n=50, seed=5)
    b = fg.sample_amounts(G, n=50, seed=5)
    c = fg.sample_amounts(G, n=50, seed=6)
    assert np.array_equal(a.amounts, b.amounts, equal_nan=True)
    assert not np.array_equal(a.amounts, c.amounts, equal_nan=True)
    r1 = fg.uncertainty(G, "circulation", n=60, seed=9)
    r2 = fg.uncertainty(G, "circulation", n=60, seed=9)
    pd.testing.assert_frame_equal(r1.table, r2.table)


def test_keep_probabilities_per_status_and_conditional():
    G = _ranged_graph()
    s = fg.sample_amounts(G, n=4000, seed=2, keep={"announced": 0.5, "conditional": 0.2})
    ids = list(s.deals["deal_id"])
    frac = s.kept.mean(axis=0)
    assert frac[ids.index("AB")] == 1.0
    # binomial(4000, p): 5 standard deviations
    assert abs(frac[ids.index("BA")] - 0.5) < 5 * math.sqrt(0.25 / 4000)
    assert abs(frac[ids.index("CB")] - 0.2) < 5 * math.sqrt(0.16 / 4000)
    assert any("announced 50%" in n for n in s.notes)
    with pytest.raises(fg.ParameterError, match="keep"):
        fg.sample_amounts(G, keep={"signed": 0.5})
    with pytest.raises(fg.ParameterError, match="probability"):
        fg.sample_amounts(G, keep={"announced": 1.5})


def test_unknown_prior_draws_known_amounts_of_the_same_flow_type():
    rows = [{"deal_id": f"E{i}", "payer": "X", "payee": f"Y{i}", "amount_usd_bn": a,
             "flow_type": "equity_investment"} for i, a in enumerate([1.0, 2.0, 3.0])]
    rows += [{"deal_id": "U", "payer": "X", "payee": "Z", "amount_usd_bn": math.nan,
              "flow_type": "equity_investment"},
             {"deal_id": "C", "payer": "Z", "payee": "X", "amount_usd_bn": 50.0}]
    s = fg.sample_amounts(fg.build_graph(_table(rows)), n=500, seed=1, unknown="prior")
    j = list(s.deals["deal_id"]).index("U")
    assert set(np.unique(s.amounts[:, j])) == {1.0, 2.0, 3.0}
    assert any("same flow type" in n for n in s.notes)


def test_exact_amounts_give_zero_width_intervals():
    G = fg.build_graph(_table([
        {"deal_id": "AB", "payer": "A", "payee": "B", "amount_usd_bn": 10.0},
        {"deal_id": "BA", "payer": "B", "payee": "A", "amount_usd_bn": 4.0},
        {"deal_id": "BC", "payer": "B", "payee": "C", "amount_usd_bn": 3.0},
        {"deal_id": "CA", "payer": "C", "payee": "A", "amount_usd_bn": 2.5},
    ]))
    for measure, n in (("circulation", 30), ("cycles", 30), ("concentration", 8)):
        r = fg.uncertainty(G, measure, n=n, seed=1)
        assert r.samples.exact
        assert (r.table["width"] == 0).all(), measure
        assert np.allclose(r.table["median"], r.table["observed"], equal_nan=True), measure
    r = fg.uncertainty(G, "circulation", n=30)
    assert "(exact)" in r.text("network", "circularity_index")
    assert "every plausible version" in r.headline()


def test_vectorised_circulation_equals_the_exact_analyses_on_each_sample():
    G = fg.build_graph(fg.load_dataset("ai-capital"))
    r = fg.uncertainty(G, "circulation", n=12, seed=4, top=3, keystones=2)
    t = r.table
    comps = list(t.loc[t["quantity"] == "self_funded", "item"])
    stones = list(t.loc[t["quantity"] == "keystone_loss", "item"])
    assert len(comps) == 3 and len(stones) == 2
    s = r.samples
    vals = []
    for i in range(len(s)):
        f = s.frame(i)
        circ = fg.maximal_circulation(f)
        sf = fg.self_funded(f, comps).table.set_index("company")
        ks = fg.keystones(f, stones).table.set_index("company")  # warm-started solver: independent
        vals.append([circ.circularity_index, circ.circular_flow]
                    + [x for c in comps for x in (sf.at[c, "self_funded"],
                                                  sf.at[c, "self_funded_share"])]
                    + [ks.at[c, "circulation_lost"] for c in stones]
                    + [circ.total_flow])
    vals = np.array(vals)
    med = np.median(vals, axis=0)
    assert np.allclose(r.table["median"].to_numpy(), med, rtol=1e-9, atol=1e-9)
    obs = fg.maximal_circulation(G)
    assert r.row("network", "circularity_index")["observed"] == pytest.approx(
        obs.circularity_index)


def test_vectorised_loops_equal_find_cycles_on_each_sample():
    G = _ranged_graph()
    r = fg.uncertainty(G, "cycles", n=25, seed=8, keep={"announced": 0.5})
    s = r.samples
    per_sample = []
    for i in range(len(s)):
        found = fg.find_cycles(s.graph(i), limit=None).cycles.set_index("path")["round_trip"]
        per_sample.append([float(found.get(p, 0.0)) for p in r.table["item"]])
    per_sample = np.array(per_sample)
    assert np.allclose(r.table["median"], np.median(per_sample, axis=0))
    alive = (per_sample > 0).mean(axis=0)
    assert np.allclose(r.table["p_survive"], alive)
    assert r.table["p_survive"].min() < 1  # the announced B -> A loop is dropped sometimes


def test_custom_measure_and_stress():
    G = fg.build_graph(fg.load_dataset("toy"))
    r = fg.uncertainty(G, lambda H: {"deals": H.number_of_edges()}, n=20,
                       keep={"announced": 0.5}, seed=1)
    row = r.row("network", "deals")
    assert row["observed"] == G.number_of_edges() and row["low"] < row["observed"]
    st = fg.uncertainty(G, "stress", n=10, seed=1)
    assert set(st.table["quantity"]) == {"total_loss", "failures"}


def test_bad_arguments_raise_parameter_errors():
    G = fg.build_graph(fg.load_dataset("toy"))
    for kw in ({"n": 0}, {"n": "3"}, {"seed": "x"}, {"distribution": "normal"},
               {"open_factor": 0.5}, {"unknown": "zero"}):
        with pytest.raises(fg.ParameterError):
            fg.sample_amounts(G, **kw)
    with pytest.raises(fg.ParameterError, match="measure"):
        fg.uncertainty(G, "magic", n=5)
    with pytest.raises(fg.ParameterError, match="level"):
        fg.uncertainty(G, n=5, level=1.0)
    with pytest.raises(fg.ParameterError):
        fg.sample_amounts(fg.collapse(G))


def test_cli_samples_on_circulation_and_cycles():
    res = CliRunner().invoke(main, ["circulation", "--dataset", "toy", "--samples", "200",
                                    "--seed", "3"])
    assert res.exit_code == 0, res.output
    assert "90%" in res.output and "samples" in res.output
    res = CliRunner().invoke(main, ["cycles", "--dataset", "toy", "--samples", "100",
                                    "--format", "csv"])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(pd.io.common.StringIO(res.output))
    assert {"median", "low", "high", "p_survive"} <= set(df.columns)


def test_report_says_how_sure(tmp_path):
    G = fg.build_graph(fg.load_dataset("toy"))
    fg.write_report(G, tmp_path / "r", charts=False, samples=200, null_samples=40, seed=2)
    md = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    sec = md[md.index("## How sure are we?"):]
    sec = sec[:sec.index("\n## ", 5)]
    r = fg.uncertainty(G, "circulation", n=200, seed=2, top=5)
    c = r.row("network", "circularity_index")
    assert f"circularity index {c['low']:.1%}-{c['high']:.1%}" in sec
    assert "survives" in sec and "p = " in sec
    head = md[:md.index("## How sure are we?")]
    assert f"44.2% as given (90% of plausible versions: {c['low']:.1%}-{c['high']:.1%})" in head
    fg.write_report(G, tmp_path / "q", charts=False, samples=0, null_samples=0)
    md = (tmp_path / "q" / "report.md").read_text(encoding="utf-8")
    assert "How sure are we?" not in md and "plausible versions" not in md
    with pytest.raises(fg.ParameterError, match="samples"):
        fg.write_report(G, tmp_path / "p", charts=False, samples=-1)


def test_an_interval_that_also_draws_open_ended_deals_says_so(tmp_path):
    # a floor-only deal is unknown as given but drawn in every sample: the interval of the
    # total lies above the total as given, and the sentence must say why
    deals = pd.DataFrame({
        "deal_id": ["a", "b", "c"], "payer": ["A", "B", "C"], "payee": ["B", "A", "A"],
        "amount_usd_bn": ["10", "10", ""], "amount_low_usd_bn": ["", "", "5"],
        "flow_type": "other", "status": "committed", "source_url": "https://x.org/a",
        "confidence": "medium"})
    G = fg.build_graph(deals)
    sure = fg.how_sure(G, n=100, seed=3)
    assert sure.circulation.samples.n_open_ended == 1
    words = "; they also draw the 1 deal known only by a floor or a cap)"
    total = sure.money_text(20.0)
    assert total.startswith("$20bn as given (90% of plausible versions: $") and total.endswith(words)
    r = sure.circulation.row("network", "total_flow")
    assert r["low"] > 20.0  # the drawn floor is always there
    ci = sure.circularity_text(1.0)
    assert ci.startswith("100.0% as given") and ci.endswith(words)
    toy = fg.how_sure(fg.build_graph(fg.load_dataset("toy")), n=50)
    assert toy.circulation.samples.n_open_ended == 0
    assert "they also draw" not in toy.circularity_text(0.5)
    rep = fg.write_report(G, tmp_path / "r", charts=False, samples=100, null_samples=0, seed=3)
    md = rep.markdown.read_text(encoding="utf-8")
    assert "known only by a floor or a cap in the money it is a share of" in md


def test_html_graph_shows_the_interval_and_loop_survival(tmp_path):
    import html as _h
    import re

    G = fg.build_graph(fg.load_dataset("toy"))
    sure = fg.how_sure(G, n=300, seed=1, limit=10)
    page = fg.to_html(G, samples=sure)
    ci = fg.maximal_circulation(G).circularity_index
    head = re.search(r'id="fg-sure">([^<]*)<', page).group(1)
    assert _h.unescape(head).startswith(f"Circularity index {sure.circularity_text(ci)}")
    # the announced backstop loop survives in about half the versions, the others always
    want = sure.survival_of("ChipCo -> LeaseCo -> ChipCo")
    assert 0.35 < want < 0.65
    assert f"Survives in {want:.0%} of versions if each rumored" in page
    assert "Survives in 100% of versions" in page
    assert 'id="fg-sure"' not in fg.to_html(G)
    with pytest.raises(fg.ParameterError):
        fg.to_html(G, samples=-3)
    res = CliRunner().invoke(main, ["html", "--dataset", "toy", "--samples", "50", "-o",
                                    str(tmp_path / "g.html")])
    assert res.exit_code == 0, res.output
    assert 'id="fg-sure"' in (tmp_path / "g.html").read_text(encoding="utf-8")


def test_samples_and_significance_on_a_users_own_file(tmp_path):
    path = tmp_path / "mine.csv"
    rows = _table([
        {"deal_id": "AB", "payer": "A", "payee": "B", "amount_usd_bn": 10.0},
        {"deal_id": "BC", "payer": "B", "payee": "C", "amount_low_usd_bn": 4.0,
         "amount_high_usd_bn": 12.0},
        {"deal_id": "CA", "payer": "C", "payee": "A", "amount_usd_bn": 6.0},
        {"deal_id": "BA", "payer": "B", "payee": "A", "amount_usd_bn": 3.0},
        {"deal_id": "CD", "payer": "C", "payee": "D", "amount_usd_bn": 1.0},
        {"deal_id": "DA", "payer": "D", "payee": "A", "amount_usd_bn": 2.0},
    ])
    rows.to_csv(path, index=False)
    for args in (["cycles", "--samples", "50"], ["circulation", "--samples", "50"],
                 ["significance", "--samples", "30"]):
        res = CliRunner().invoke(main, [*args, "--deals", str(path), "--format", "json"])
        assert res.exit_code == 0, res.output
        assert "mine.csv" in res.output
