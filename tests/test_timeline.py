"""The timeline: every row is the web as of its period's end, as the other commands give it."""
from __future__ import annotations

import json
import math
import time

import pandas as pd
import pytest
from click.testing import CliRunner

import flowgraph as fg
from flowgraph import circulation as circ
from flowgraph.cli import main
from flowgraph.concentration import company_concentration
from flowgraph.firmness import money_firmness


@pytest.fixture(scope="module")
def ds() -> fg.Dataset:
    return fg.load_dataset("ai-capital")


@pytest.fixture(scope="module")
def quarterly(ds) -> fg.TimelineResult:
    return fg.timeline(ds, freq="quarter")


def _close(a, b) -> bool:
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return a == pytest.approx(b, rel=1e-9, abs=1e-9)


def test_each_row_equals_the_as_of_analyses(ds, quarterly):
    p = quarterly.periods
    assert p["period_end"].iloc[-1] == ds.as_of
    assert p["period"].is_unique
    for _, row in p.iterrows():
        G = fg.build_graph(ds, as_of=row["period_end"])
        s = fg.summarize(G)
        assert row["deals"] == s.n_deals and row["unknown_amounts"] == s.n_unknown
        assert _close(row["known_money"], s.total)
        m = money_firmness(G)
        for col in ("paid", "committed_unpaid", "announced_only", "conditional"):
            assert _close(row[col], getattr(m, col)), (row["period"], col)
        assert row["companies"] == sum(1 for n in G if G.degree(n))
        cyc = fg.find_cycles(G, max_length=6)
        assert row["loops"] == cyc.n_found
        if cyc.n_found:
            assert _close(row["largest_round_trip"], float(cyc.cycles["round_trip"].max()))
        if G.number_of_edges():
            assert _close(row["circularity_index"],
                          circ.maximal_circulation(G).circularity_index)
            sf = circ.self_funded(G).table
            sf = sf[sf["self_funded"] > 0]
            if len(sf):
                assert _close(row["self_funded_share"], float(sf["self_funded_share"].max()))
            hhi = company_concentration(G, direction="in")["hhi"]
            assert _close(row["hhi"], float(hhi.max()))


def test_rows_match_the_cli_with_as_of(ds, quarterly):
    p = quarterly.periods
    for _, row in p.iloc[[-1, -3, -6]].iterrows():
        r = CliRunner().invoke(main, ["circulation", "--as-of", row["period_end"], "--format",
                                      "json"])
        assert r.exit_code == 0, r.output
        summary = {d["measure"]: d["value"] for d in json.loads(r.output)["Maximal circulation"]}
        assert _close(row["circularity_index"], summary["circularity index C/W"])
        r = CliRunner().invoke(main, ["summary", "--as-of", row["period_end"], "--format",
                                      "json"])
        head = {d["figure"]: d["value"] for d in json.loads(r.output)["Headline"]}
        assert row["deals"] == head["deals"]


def test_last_row_is_todays_headline(ds, quarterly):
    """On the bundled data every headline deal is dated, so the timeline's last row (the web
    as of the data's as-of date) is exactly the headline of the commands without --as-of."""
    last = quarterly.periods.iloc[-1]
    full = fg.build_graph(ds)
    s = fg.summarize(full)
    undated = [k for *_, k, d in full.edges(keys=True, data=True) if d["date_lo"] is None]
    assert undated == []
    assert last["deals"] == s.n_deals
    assert _close(last["known_money"], s.total)
    assert last["companies"] == full.number_of_nodes() - sum(
        1 for n in full if full.degree(n) == 0)
    assert last["loops"] == fg.find_cycles(full, max_length=6).n_found
    circ = fg.maximal_circulation(full)
    assert _close(last["circularity_index"], circ.circularity_index)


def test_undated_deals_are_left_out_of_every_row_and_said():
    rows = pd.DataFrame({
        "deal_id": ["A", "B", "C"], "payer": ["X", "Y", "Z"], "payee": ["Y", "X", "X"],
        "amount_usd_bn": [1.0, 2.0, 5.0], "flow_type": ["other"] * 3,
        "status": ["committed"] * 3, "announced": ["2025-01", "2025-02", None],
        "source_url": ["https://example.org"] * 3})
    res = fg.timeline(rows, freq="month")
    assert res.periods.iloc[-1]["deals"] == 2
    assert any("1 deal with no date left out" in n for n in res.notes)


def test_loops_close_once_and_in_order(quarterly):
    loops = quarterly.loops
    assert loops["loop"].is_unique
    assert list(loops["order"]) == list(range(1, len(loops) + 1))
    order = {p: i for i, p in enumerate(quarterly.periods["period"])}
    assert loops["period"].map(order).is_monotonic_increasing
    assert int(quarterly.periods["new_loops"].sum()) == len(loops)
    # the loops: OpenAI's $38B to Amazon came 2025-11-03; Amazon's investment was
    # first reported as talks of "$10 billion or more" on 2025-12-16 (AMZN-OAI-10, superseded
    # by the $50B reported 2026-01-29 and signed 2026-02-27), which closes the loop
    row = loops[loops["loop"] == "Amazon -> OpenAI -> Amazon"].iloc[0]
    assert row["period"] == "2025Q4" and row["closed_by"] == "AMZN-OAI-10"


def _toy_rows() -> pd.DataFrame:
    return pd.DataFrame({
        "deal_id": ["ab", "ba", "bc", "ca"],
        "payer": ["A", "B", "B", "C"], "payee": ["B", "A", "C", "A"],
        "amount_usd_bn": [10.0, 4.0, 3.0, 2.0],
        "flow_type": ["compute_contract", "equity_investment", "lease", "other"],
        "status": ["committed", "disbursed", "committed", "announced"],
        "announced": ["2024-01-15", "2024-05-02", "2024-08-01", "2024-08-09"],
    })


def test_small_table_by_hand():
    t = fg.timeline(_toy_rows(), freq="quarter")
    p = t.periods.set_index("period")
    # no dataset date: the last period ends at the latest deal
    assert list(p.index) == ["2024Q1", "2024Q2", "2024Q3 (to 2024-08-09)"]
    p = p.rename(index={"2024Q3 (to 2024-08-09)": "2024Q3"})
    assert list(p["deals"]) == [1, 2, 4] and list(p["loops"]) == [0, 1, 2]
    assert list(p["known_money"]) == [10.0, 14.0, 19.0]
    assert list(p["paid"]) == [0.0, 4.0, 4.0] and p.loc["2024Q3", "announced_only"] == 2.0
    # circulation: 4 round A-B-A (8 of 14); then 2 more round A-B-C-A (8 + 6 of 19)
    assert p.loc["2024Q2", "circularity_index"] == pytest.approx(8 / 14)
    assert p.loc["2024Q3", "circularity_index"] == pytest.approx(14 / 19)
    assert math.isnan(p.loc["2024Q1", "circularity_index"]) or p.loc["2024Q1", "circularity_index"] == 0
    loops = t.loops
    assert list(loops["loop"]) == ["A -> B -> A", "A -> B -> C -> A"]
    assert list(loops["closed_by"]) == ["ba", "ca"]  # ca (08-09) came after bc (08-01)
    assert list(loops["round_trip"]) == [4.0, 2.0]
    # a period with no change reuses the previous row
    y = fg.timeline(_toy_rows(), freq="month", start="2024-01")
    assert y.periods.set_index("period").loc["2024-03", "deals"] == 1


def test_monthly_bundled_timeline_is_fast(ds):
    t0 = time.perf_counter()
    t = fg.timeline(ds, freq="month")
    assert time.perf_counter() - t0 < 20  # a few seconds on a laptop; shared CI is slower
    assert len(t.periods) > 80


def test_bad_input():
    with pytest.raises(fg.ParameterError, match="deal rows"):
        fg.timeline(fg.build_graph(_toy_rows()))
    with pytest.raises(fg.ParameterError, match="freq"):
        fg.timeline(_toy_rows(), freq="week")
    with pytest.raises(fg.ParameterError, match="before it starts"):
        fg.timeline(_toy_rows(), start="2024-06", end="2024-02")


def test_cli_timeline():
    r = CliRunner().invoke(main, ["timeline", "--freq", "year", "--as-of", "2025-12"])
    assert r.exit_code == 0, r.output
    assert "How the web formed, by year" in r.output and "2025" in r.output
    assert "2026" not in r.output.split("Loops in the order they closed")[0]
    assert "Loops in the order they closed" in r.output


def test_report_section_how_the_web_formed(tmp_path, ds, quarterly):
    G = fg.build_graph(ds)
    r = fg.write_report(G, tmp_path / "rep", timeline=quarterly, charts=True, top=3)
    assert "How the web formed" in r.sections
    md = r.markdown.read_text(encoding="utf-8")
    part = md.split("## How the web formed", 1)[1].split("\n## ", 1)[0]
    assert "Loops in the order they closed" in part and "charts/timeline.png" in part
    assert (tmp_path / "rep" / "charts" / "timeline.png").is_file()
    first = quarterly.loops.iloc[0]
    assert first["closed_by"] in part and first["loop"] in part
    peak = quarterly.periods["circularity_index"].astype(float).idxmax()
    assert f"in {quarterly.periods['period'][peak]}" in part
    html = r.index.read_text(encoding="utf-8")
    assert 'id="formation"' in html or "How the web formed" in html
    # without a timeline the section is left out
    r2 = fg.write_report(G, tmp_path / "rep2", charts=False, top=3)
    assert "How the web formed" not in r2.sections


# --- audit fixes: basis marks, paid upper bounds, the listing limit said as it is ---------
def test_cli_timeline_round_trips_carry_their_basis(quarterly):
    from flowgraph.cli import _cycles_money
    from flowgraph.formatting import marked_money

    y = fg.timeline(fg.load_dataset("ai-capital"), freq="year")
    r = CliRunner().invoke(main, ["timeline", "--freq", "year", "--wide"])
    assert r.exit_code == 0, r.output
    table, loops = r.stdout.split("Loops in the order they closed")
    p = y.periods
    assert (p["largest_round_trip_basis"] != "").any()
    for n, v, b, basis in zip(p["loops"], p["largest_round_trip"],
                              p["largest_round_trip_bound"], p["largest_round_trip_basis"]):
        if n:
            assert marked_money(v, b, basis, fmt=_cycles_money) in table
    assert "100.1 (conditional)" in table
    assert "round_trip_basis" in y.loops.columns
    for v, b, basis in zip(y.loops["round_trip"], y.loops["round_trip_bound"],
                           y.loops["round_trip_basis"]):
        assert marked_money(v, b, basis, fmt=_cycles_money) in loops
    assert (y.loops["round_trip_basis"] != "").any()
    # csv keeps numbers, the basis in its own column
    c = CliRunner().invoke(main, ["timeline", "--freq", "year", "--format", "csv", "--table",
                                  "how_the_web_formed_by_year"])
    df = pd.read_csv(__import__("io").StringIO(c.stdout))
    assert pd.api.types.is_float_dtype(df["largest_round_trip"])
    assert "largest_round_trip_basis" in df.columns and "paid_bound" in df.columns


def test_paid_upper_bounds_per_period_and_their_note(ds, quarterly):
    p = quarterly.periods
    for _, row in p.iterrows():
        m = money_firmness(fg.build_graph(ds, as_of=row["period_end"]))
        assert _close(row["paid_bound"], m.paid_bound), row["period"]
        assert row["n_paid_bound"] == m.n_paid_bound
    bound = p[p["n_paid_bound"] > 0]
    assert len(bound)  # the bundled data has disbursed deals paid by figures dated later
    note = next(n for n in quarterly.notes if "upper bound of what was paid" in n)
    assert f"in {len(bound)} periods" in note
    assert bound["period"].iloc[0] in note and bound["period"].iloc[-1] in note
    from flowgraph.formatting import money

    assert f"up to {money(bound['paid_bound'].max())}" in note
    r = CliRunner().invoke(main, ["timeline"])
    assert f"in {len(bound)} periods" in " ".join(r.stdout.split())
    # no bound, no note
    t = fg.timeline(_toy_rows(), freq="quarter")
    assert not any("upper bound of what was paid" in n for n in t.notes)
    assert (t.periods["n_paid_bound"] == 0).all()


def test_max_loops_is_a_listing_limit_and_the_note_says_so(ds):
    full = fg.timeline(ds, freq="year")
    few = fg.timeline(ds, freq="year", max_loops=50)
    # every loop is still counted: max_loops limits what is kept, not the search
    assert list(few.periods["loops"]) == list(full.periods["loops"])
    over = (few.periods["loops"] > 50).to_numpy()
    after = over | pd.Series(over).shift(1, fill_value=False).to_numpy()
    assert few.periods["new_loops"].isna().to_numpy().tolist() == after.tolist()
    note = next(n for n in few.notes if "not told apart" in n)
    assert f"In {int(after.sum())} periods (with more than 50 loops" in note
    assert "listing limit" in note and "stopped" not in note and "floor" not in note
    assert not any("not told apart" in n for n in full.notes)
