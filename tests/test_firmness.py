"""How firm each number is: the sourcing columns, their validation, --reported-only, the
promises-against-cash split, and sentences that never tell a midpoint as a fact."""
from __future__ import annotations

import math

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

import flowgraph as fg
from flowgraph import schema
from flowgraph.cli import main
from flowgraph.io import read_deals, validate_companies, validate_deals, write_deals
from flowgraph.revenue_tables import (
    read_revenue_projections,
    read_revenue_shares,
    validate_revenue_projections,
    validate_revenue_shares,
    write_revenue_projections,
    write_revenue_shares,
)


def _deal(**kw):
    row = {"deal_id": "d1", "payer": "A", "payee": "B", "amount_usd_bn": "10",
           "flow_type": "other", "status": "committed", "source_url": "https://x.org/a",
           "confidence": "medium"}
    row.update(kw)
    return row


def _problems(*rows, severity=None):
    df = pd.DataFrame(list(rows), dtype=object)
    out = validate_deals(df, source="deals.csv")
    return [p for p in out if severity is None or p.severity == severity]


def _where(problems):
    return {(p.severity, p.row, p.column, p.value) for p in problems}


# --------------------------------------------------------------------------- data model
def test_new_columns_in_canonical_order():
    cols = schema.DEAL_COLUMNS
    assert cols[cols.index("estimate"):] == (
        "estimate", "estimate_inputs", "source_kind", "other_sources", "conditional",
        "paid_usd_bn", "paid_as_of", "paid_source", "status_dates", "bis_category", "gw",
        "overlap_group", "checked")
    assert schema.COMPANY_COLUMNS[-3:] == ("useful_life_years", "useful_life_source", "notes")
    assert list(fg.load_dataset("toy").deals.columns[:len(cols)]) == list(cols)


def test_sourcing_columns_round_trip(tmp_path):
    rows = [
        _deal(source_kind="filing", other_sources="https://a.org/1 https://b.org/2",
              conditional="true", paid_usd_bn="2.5", paid_as_of="2025-09-30",
              paid_source="https://sec.gov/x", status_dates="announced@2025-01;committed@2025-03-02",
              bis_category="supplier_finances_customer", gw="4.5", overlap_group="g1",
              checked="2026-12-01", confidence="high", extra="kept"),
        _deal(deal_id="d2", payer="B", payee="A", conditional="", overlap_group="g1"),
    ]
    df = read_deals(pd.DataFrame(rows))
    assert df.loc[0, "conditional"] is True and df.loc[1, "conditional"] is None
    assert df.loc[0, "paid_usd_bn"] == 2.5 and df.loc[0, "gw"] == 4.5
    for suffix in (".csv", ".json"):
        path = tmp_path / f"d{suffix}"
        write_deals(df, path)
        back = read_deals(path)
        pd.testing.assert_frame_equal(back.drop(columns="extra"), df.drop(columns="extra"),
                                      check_dtype=False)
        assert list(back["extra"].fillna("")) == ["kept", ""]
    text = (tmp_path / "d.csv").read_text(encoding="utf-8")
    write_deals(read_deals(tmp_path / "d.csv"), tmp_path / "again.csv")
    assert (tmp_path / "again.csv").read_text(encoding="utf-8") == text


# --------------------------------------------------------------------------- validation
def test_enumerations_and_numbers_are_checked_with_row_column_value():
    errs = _problems(
        _deal(source_kind="blog"),
        _deal(deal_id="d2", bis_category="circular"),
        _deal(deal_id="d3", conditional="maybe"),
        _deal(deal_id="d4", paid_usd_bn="lots"),
        _deal(deal_id="d5", paid_usd_bn="-1"),
        _deal(deal_id="d6", gw="0"),
        _deal(deal_id="d7", gw="10GW"),
        _deal(deal_id="d8", paid_as_of="2025-13"),
        _deal(deal_id="d9", checked="yesterday"),
        severity="error")
    got = _where(errs)
    for row, col, val in [(1, "source_kind", "blog"), (2, "bis_category", "circular"),
                          (3, "conditional", "maybe"), (4, "paid_usd_bn", "lots"),
                          (5, "paid_usd_bn", "-1"), (6, "gw", "0"), (7, "gw", "10GW"),
                          (8, "paid_as_of", "2025-13"), (9, "checked", "yesterday")]:
        assert ("error", row, col, val) in got, (row, col)
    first = next(p for p in errs if p.row == 1)
    assert "deals.csv: row 1, column 'source_kind', value 'blog': unknown source_kind" in str(first)
    assert len(errs) == 9


def test_paid_cannot_exceed_the_high_end():
    errs = _problems(_deal(amount_usd_bn="", amount_low_usd_bn="5", amount_high_usd_bn="8",
                           paid_usd_bn="9", paid_as_of="2025", paid_source="https://x.org"),
                     _deal(deal_id="d2", paid_usd_bn="10", paid_as_of="2025",
                           paid_source="https://x.org"),
                     _deal(deal_id="d3", paid_usd_bn="10.5", paid_as_of="2025",
                           paid_source="https://x.org"),
                     severity="error")
    assert _where(errs) == {("error", 1, "paid_usd_bn", "9"), ("error", 3, "paid_usd_bn", "10.5")}
    assert "high end 8" in errs[0].message


def test_paid_needs_its_date_and_source():
    warns = _problems(_deal(paid_usd_bn="1"), severity="warning")
    assert {(p.column) for p in warns} == {"paid_as_of", "paid_source"}


@pytest.mark.parametrize(("history", "status", "fragment"), [
    ("announced@2025-09-22;committed", "committed", "not status@date"),
    ("announced@2025-10;committed@2025-09-30", "committed", "out of time order"),
    ("announced@2025-09;committed@2025-10", "disbursed", "the last entry is 'committed'"),
    ("signed@2025-09", "committed", "unknown status 'signed'"),
    ("committed@2025-02-30", "committed", "is not YYYY"),
])
def test_status_dates_malformed(history, status, fragment):
    errs = _problems(_deal(status=status, status_dates=history), severity="error")
    assert len(errs) == 1
    assert (errs[0].row, errs[0].column, errs[0].value) == (1, "status_dates", history)
    assert fragment in errs[0].message


def test_status_dates_well_formed_pass():
    assert not _problems(_deal(status="disbursed",
                               status_dates="announced@2025;committed@2025-10-06;"
                                            "disbursed@2025-12-26"), severity="error")


def test_confidence_rule():
    rows = [
        _deal(confidence="high", source_kind="secondary"),
        _deal(deal_id="d2", confidence="high", source_kind="wire_or_major"),
        _deal(deal_id="d3", confidence="high", source_kind="wire_or_major",
              other_sources="https://reuters.com/x"),
        _deal(deal_id="d4", confidence="high", source_kind="filing"),
        _deal(deal_id="d5", confidence="high", source_kind="trade_press"),
        _deal(deal_id="d6", confidence="high", source_kind="company", estimate="true"),
        _deal(deal_id="d7", confidence="medium", source_kind="secondary"),
    ]
    probs = [p for p in _problems(*rows) if p.column == "confidence"]
    assert {(p.severity, p.row) for p in probs} == {
        ("error", 1), ("warning", 2), ("warning", 5), ("warning", 6)}
    err = next(p for p in probs if p.severity == "error")
    assert "cannot rest on one secondary source" in err.message


def test_overlap_group_of_one_row_warns():
    warns = _problems(_deal(overlap_group="solo"), _deal(deal_id="d2", overlap_group="pair"),
                      _deal(deal_id="d3", overlap_group="pair"), severity="warning")
    assert [(p.row, p.value) for p in warns if p.column == "overlap_group"] == [(1, "solo")]


def test_company_figures_stale_and_equity_older_than_cash():
    comp = pd.DataFrame([
        {"name": "A", "kind": "chipmaker", "cash_usd_bn": "5", "cash_as_of": "2025-10-26",
         "cash_source": "https://x.org", "debt_usd_bn": "8", "debt_as_of": "2025-10-26",
         "debt_source": "https://x.org", "equity_usd_bn": "80", "equity_as_of": "2025-04-27",
         "equity_source": "https://x.org"},
        {"name": "B", "kind": "ai_lab", "revenue_usd_bn": "3", "revenue_as_of": "2025-06-29",
         "revenue_source": "https://x.org", "useful_life_years": "six"},
        {"name": "C", "kind": "ai_lab", "revenue_usd_bn": "3", "revenue_as_of": "2025-06-30",
         "useful_life_years": "6"},
    ], dtype=object)
    probs = validate_companies(comp, source="companies.csv", as_of="2026-06-30")
    got = _where(probs)
    assert ("warning", 1, "equity_as_of", "2025-04-27") in got
    assert ("warning", 2, "revenue_as_of", "2025-06-29") in got  # a year and a day older
    assert not any(p.row == 3 and p.column == "revenue_as_of" for p in probs)  # exactly a year
    assert ("error", 2, "useful_life_years", "six") in got
    assert ("warning", 3, "revenue_source", None) in got
    assert ("warning", 3, "useful_life_source", None) in got
    # without the dataset's date there is no staleness to judge
    assert not any("12 months" in p.message
                   for p in validate_companies(comp, source="companies.csv"))


def test_validate_file_reads_the_as_of_date_beside_the_file(tmp_path):
    ds = fg.load_dataset("toy")
    write_deals(ds.deals, tmp_path / "deals.csv")
    fg.write_companies(ds.companies, tmp_path / "companies.csv")
    plain = fg.validate_file(tmp_path / "deals.csv", tmp_path / "companies.csv")
    assert not any("12 months" in p.message for p in plain.problems)
    (tmp_path / "meta.json").write_text('{"as_of": "2026-06-30"}', encoding="utf-8")
    dated = fg.validate_file(tmp_path / "deals.csv", tmp_path / "companies.csv")
    assert any("12 months older than the dataset's as-of date 2026-06-30" in p.message
               for p in dated.problems)


# --------------------------------------------------------------------------- reported only
def _range_graph_table():
    return pd.DataFrame([
        {"deal_id": "W", "payer": "AMD", "payee": "OpenAI", "amount_low_usd_bn": 34,
         "amount_high_usd_bn": 96, "flow_type": "warrant", "status": "committed"},
        {"deal_id": "C", "payer": "OpenAI", "payee": "AMD", "amount_usd_bn": 100,
         "flow_type": "chip_purchase", "status": "committed"},
        {"deal_id": "E", "payer": "OpenAI", "payee": "Nvidia", "amount_low_usd_bn": 350,
         "amount_high_usd_bn": 500, "flow_type": "chip_purchase", "status": "announced",
         "estimate": True},
        {"deal_id": "R", "payer": "Nvidia", "payee": "OpenAI", "amount_usd_bn": 30,
         "flow_type": "equity_investment", "status": "disbursed"},
    ])


def test_reported_only_drops_estimates_and_midpoints():
    deals = _range_graph_table()
    full = fg.filter_deals(deals)
    assert full.set_index("deal_id").loc["W", "amount"] == 65.0
    assert bool(full.set_index("deal_id").loc["W", "midpoint"])
    rep = fg.filter_deals(deals, reported_only=True).set_index("deal_id")
    assert "E" not in rep.index
    assert math.isnan(rep.loc["W", "amount"]) and not rep.loc["W", "amount_known"]
    assert rep.loc["C", "amount"] == 100.0
    low = fg.filter_deals(deals, reported_only=True, scenario="low").set_index("deal_id")
    assert low.loc["W", "amount"] == 34.0  # the reported low end stays
    G = fg.build_graph(deals, reported_only=True)
    assert set(k for *_, k in G.edges(keys=True)) == {"W", "C", "R"}
    assert G.graph["filters"]["reported_only"] is True
    assert fg.estimates_note(G).startswith("Reported figures only")
    note = fg.estimates_note(fg.build_graph(deals))
    assert "1 estimated amount and 1 range midpoint" in note


@pytest.mark.parametrize("scenario", ["base", "low", "high"])
def test_the_estimates_sentence_gives_money_firmness_figures(scenario):
    from flowgraph.html import fmt_bn

    ds = fg.load_dataset()
    for data in (fg.build_graph(ds, scenario=scenario), fg.filter_deals(ds, scenario=scenario)):
        m = fg.money_firmness(data)
        note = fg.estimates_note(data)
        assert m.n_estimates and bool(m.n_midpoints) is (scenario == "base")
        assert note.startswith(f"Estimates are in: {m.n_estimates} estimated amount")
        assert (f"{m.n_midpoints} range midpoint" in note) is bool(m.n_midpoints)
        assert f"{fmt_bn(m.estimated)} ({m.estimated / m.total:.0%} of the known money)" in note


def test_the_summary_counts_estimates_as_the_sentence_does():
    # a row flagged estimate with no amount in the scenario is unknown, not "estimated"
    deals = pd.DataFrame([_deal(deal_id="a", estimate="true", estimate_inputs="x (https://x.org)"),
                          _deal(deal_id="b", amount_usd_bn="", estimate="true",
                                estimate_inputs="y (https://x.org)"),
                          _deal(deal_id="c", amount_usd_bn="", amount_low_usd_bn="2",
                                amount_high_usd_bn="4"),
                          _deal(deal_id="d")], dtype=object)
    G = fg.build_graph(deals)
    s = fg.summarize(G)
    m = fg.money_firmness(G)
    assert (s.n_estimates, m.n_estimates, m.n_midpoints, s.n_unknown) == (1, 1, 1, 1)
    rows = dict(s.headline().itertuples(index=False, name=None))
    assert rows["deals counted at an estimated amount"] == 1
    assert rows["deals counted at a range midpoint"] == 1
    assert fg.estimates_note(G).startswith("Estimates are in: 1 estimated amount and 1 range "
                                           "midpoint")


def test_reported_only_on_every_analysis_command():
    analysis = [name for name, cmd in main.commands.items()
                if any(p.name == "as_of" for p in cmd.params)]
    assert len(analysis) >= 8
    for name in analysis:
        assert any(p.name == "reported_only" for p in main.commands[name].params), name


@pytest.mark.parametrize("args", [["summary"], ["deals"], ["cycles", "--limit", "2"],
                                  ["circulation"], ["concentration"]])
def test_outputs_say_when_estimates_are_in(args):
    runner = CliRunner()
    full = runner.invoke(main, args)
    assert full.exit_code == 0, full.output
    assert "Estimates are in:" in " ".join(full.output.split())
    rep = runner.invoke(main, [*args, "--reported-only"])
    assert rep.exit_code == 0, rep.output
    text = " ".join(rep.output.split())
    assert "Reported figures only" in text and "Estimates are in" not in text


# --------------------------------------------------------------------------- sentences
def test_a_midpoint_is_never_told_as_a_fact():
    G = fg.build_graph(_range_graph_table())
    res = fg.find_cycles(G, through=["AMD"])
    line = res.cycles["description"].iloc[0]
    assert "an estimated $34-96bn" in line
    assert "$65bn" not in line and "worth $" not in line
    assert line.endswith("Up to an estimated $34-96bn can come back to AMD.")
    # the same from the deals table and from the collapsed graph
    for data in (fg.filter_deals(_range_graph_table()), fg.collapse(G)):
        text = fg.find_cycles(data, through=["AMD"]).cycles["description"].iloc[0]
        assert "$65bn" not in text and "an estimated $34-96bn" in text
    # a reported range with a point amount is told as reported
    t = _range_graph_table()
    t.loc[0, "amount_usd_bn"] = 50
    text = fg.find_cycles(fg.build_graph(t), through=["AMD"]).cycles["description"].iloc[0]
    assert "warrants worth $50bn" in text and "estimated" not in text


def test_the_bundled_warrant_is_an_estimated_range():
    res = fg.find_cycles(fg.build_graph(fg.load_dataset("ai-capital")), through=["AMD"],
                         limit=50)
    lines = [d for d in res.cycles["description"] if "AMD grants OpenAI warrants" in d]
    assert lines
    assert all("$65bn" not in d for d in lines)


# --------------------------------------------------------------------------- promises and cash
def _reference_split(df):
    """Row by row, the definition in the MoneyFirmness docstring."""
    out = {"paid": 0.0, "committed_unpaid": 0.0, "announced_only": 0.0, "conditional": 0.0,
           "soft": 0.0, "total": 0.0}
    for rec in df.to_dict("records"):
        a = rec["amount"]
        if a is None or (isinstance(a, float) and math.isnan(a)):
            continue
        out["total"] += a
        p = rec.get("paid_usd_bn")
        if p is not None and not (isinstance(p, float) and math.isnan(p)):
            paid = min(p, a)
        else:
            paid = a if rec["status"] == "disbursed" else 0.0
        out["paid"] += paid
        if rec.get("conditional") is True:
            out["conditional"] += a - paid
        elif rec["status"] in ("committed", "disbursed"):
            out["committed_unpaid"] += a - paid
        else:
            out["announced_only"] += a - paid
        if rec.get("conditional") is True or rec.get("source_kind") not in ("filing", "company"):
            out["soft"] += a
    return out


def test_money_split_against_a_row_by_row_reference():
    t = pd.DataFrame([
        {"deal_id": "1", "payer": "A", "payee": "B", "amount_usd_bn": 13, "flow_type": "equity_investment",
         "status": "committed", "paid_usd_bn": 11.6, "source_kind": "filing", "conditional": False},
        {"deal_id": "2", "payer": "B", "payee": "C", "amount_usd_bn": 100, "flow_type": "other",
         "status": "announced", "conditional": True, "source_kind": "company"},
        {"deal_id": "3", "payer": "C", "payee": "A", "amount_usd_bn": 6, "flow_type": "other",
         "status": "disbursed", "source_kind": "wire_or_major", "conditional": False},
        {"deal_id": "4", "payer": "C", "payee": "B", "amount_usd_bn": 4, "flow_type": "other",
         "status": "rumored", "source_kind": "secondary", "conditional": False},
        {"deal_id": "5", "payer": "A", "payee": "C", "flow_type": "other", "status": "committed",
         "conditional": False, "source_kind": "filing"},
    ])
    G = fg.build_graph(t)
    m = fg.money_firmness(G)
    ref = _reference_split(fg.filter_deals(t))
    # by hand: paid 11.6 + 6; committed unpaid 1.4; announced only 4; conditional 100
    assert math.isclose(m.paid, 17.6) and math.isclose(m.committed_unpaid, 1.4)
    assert (m.announced_only, m.conditional, m.total) == (4.0, 100.0, 123.0)
    for key in ("paid", "committed_unpaid", "announced_only", "conditional", "total"):
        assert math.isclose(getattr(m, key), ref[key]), key
    assert math.isclose(m.share_conditional_or_press_only, 110 / 123)
    assert math.isclose(m.paid + m.committed_unpaid + m.announced_only + m.conditional, m.total)
    assert m.n_source_kind_missing == 0 and m.n_conditional_missing == 0
    s = fg.summarize(G).headline().set_index("figure")["value"]
    assert math.isclose(s["conditional or press-only share"], 110 / 123)
    assert math.isclose(s["committed, not yet paid (USD bn)"], 1.4)
    assert "$100bn conditional; 89% of it is conditional or rests on press reports alone" \
        in m.sentence()


def test_bundled_split_matches_reference_and_is_shown_everywhere(tmp_path):
    ds = fg.load_dataset("ai-capital")
    G = fg.build_graph(ds)
    m = fg.money_firmness(G)
    ref = _reference_split(fg.filter_deals(ds))
    for key in ("paid", "committed_unpaid", "announced_only", "conditional", "total"):
        assert math.isclose(getattr(m, key), ref[key], abs_tol=1e-9), key
    assert math.isclose(m.conditional_or_press_only, ref["soft"], abs_tol=1e-9)
    out = CliRunner().invoke(main, ["summary"]).output
    assert "conditional or press-only share" in out
    page = fg.to_html(G)
    assert 'id="fg-money"' in page and "rests on press reports alone" in page
    r = fg.write_report(G, tmp_path / "r", charts=False, max_length=3)
    md = r.markdown.read_text(encoding="utf-8")
    assert "Conditional or press-only share" in md and "committed but not yet paid" in md


def test_money_firmness_needs_deals():
    with pytest.raises(fg.ParameterError):
        fg.money_firmness(nx.DiGraph([("A", "B")]))


# --------------------------------------------------------------------------- optional tables
def test_revenue_tables_validate_and_round_trip(tmp_path):
    shares = pd.DataFrame([
        {"company": "CoreWeave", "counterparty": "Microsoft", "share": "0.62", "period": "2024",
         "as_of": "2024-12-31", "source_url": "https://sec.gov/x", "source_kind": "filing"},
        {"company": "CoreWeave", "counterparty": "Nvidia", "share": "0.5", "period": "2024",
         "as_of": "2024-12", "source_url": "https://x.org", "source_kind": "secondary"},
        {"company": "X", "counterparty": "Y", "share": "1.2", "period": "", "as_of": "soon",
         "source_kind": "rumour"},
    ], dtype=object)
    probs = validate_revenue_shares(shares, source="revenue_shares.csv")
    got = _where(probs)
    assert {(s, r, c) for s, r, c, _ in got if s == "error"} == {
        ("error", 3, "share"), ("error", 3, "as_of"), ("error", 3, "source_kind")}
    assert ("warning", 3, "period", None) in got and ("warning", 3, "source_url", None) in got
    assert any("add up to 112%" in p.message and p.row == 2 for p in probs)
    with pytest.raises(fg.DataError) as exc:
        read_revenue_shares(shares, label="revenue_shares.csv")
    assert "3 errors" in str(exc.value)
    good = read_revenue_shares(shares.iloc[:2])
    write_revenue_shares(good, tmp_path / "s.csv")
    back = read_revenue_shares(tmp_path / "s.csv")
    pd.testing.assert_frame_equal(back, good, check_dtype=False)

    proj = pd.DataFrame([
        {"company": "OpenAI", "year": "2029", "revenue_usd_bn": "100", "kind": "projection",
         "reported_on": "2024-10", "source_url": "https://x.org", "source_kind": "secondary"},
        {"company": "OpenAI", "year": "2029.5", "revenue_usd_bn": "-1", "kind": "hope",
         "reported_on": "", "source_url": "https://x.org"},
    ], dtype=object)
    probs = validate_revenue_projections(proj, source="p.csv")
    assert {(p.row, p.column) for p in probs if p.severity == "error"} == {
        (2, "year"), (2, "revenue_usd_bn"), (2, "kind")}
    good = read_revenue_projections(proj.iloc[:1])
    write_revenue_projections(good, tmp_path / "p.csv")
    assert (tmp_path / "p.csv").read_text(encoding="utf-8").splitlines()[1].startswith(
        "OpenAI,2029,100,projection,2024-10,")
    pd.testing.assert_frame_equal(read_revenue_projections(tmp_path / "p.csv"), good,
                                  check_dtype=False)
    missing = validate_revenue_projections(pd.DataFrame({"company": ["A"]}))
    assert {p.column for p in missing if p.severity == "error"} == {"year", "revenue_usd_bn"}


def test_datasets_without_the_optional_tables_load():
    ds = fg.load_dataset("toy")
    assert ds.revenue_shares is None and ds.revenue_projections is None


def test_deals_listing_says_what_each_amount_is():
    from flowgraph.firmness import amount_basis

    t = _range_graph_table()
    t["conditional"] = [False, True, False, False]
    f = fg.filter_deals(t)
    assert dict(zip(f["deal_id"], amount_basis(f))) == {
        "W": "midpoint", "C": "conditional", "E": "estimate", "R": ""}

def test_deals_listing_shows_the_basis(tmp_path):
    t = _range_graph_table()
    t["source_url"] = "https://example.org/x"
    write_deals(t, tmp_path / "d.csv")
    out = CliRunner().invoke(main, ["deals", "--deals", str(tmp_path / "d.csv")]).output
    rows = {line.split()[0]: line.split() for line in out.splitlines()[2:] if line.strip()
            and not line.startswith("Note")}
    assert "midpoint" in rows["W"] and "estimate" in rows["E"]
    assert "midpoint" not in rows["C"] and "estimate" not in rows["C"]


def test_gw_cells_are_positive_numbers():
    base = {"payer": "X", "payee": "Y", "amount_usd_bn": 1.0, "flow_type": "other",
            "status": "committed", "source_url": "https://e.org/1"}
    df = pd.DataFrame([{**base, "deal_id": "A", "gw": "-1"},
                       {**base, "deal_id": "B", "payer": "Y", "payee": "X", "gw": "abc"},
                       {**base, "deal_id": "C", "payer": "Y", "payee": "Z", "gw": "4.5"}])
    msgs = [str(p) for p in fg.validate_deals(df) if "'gw'" in str(p)]
    assert len(msgs) == 2
    assert "gw must be positive" in msgs[0] and "not a number (gigawatts" in msgs[1]


@pytest.mark.parametrize("values", [
    [1.5, float("nan"), 2.0, 1.5, -0.0],           # a negative zero: cell by cell
    [1.5, float("nan"), 2.0, 1.5, 0.0, 1e300, float("inf"), -3.0],
    pd.array([True, False, None], dtype="boolean"),
    pd.array([1, 2, None, 2], dtype="Int64"),
    [3, 4, 3],
    [True, False, True],
])
def test_typed_columns_are_written_once_per_value_exactly_as_cell_by_cell(values, monkeypatch):
    """A Parquet file's number and flag columns are turned into text once per distinct value;
    the result is the same as writing every cell."""
    from flowgraph import firmness as fm

    df = pd.DataFrame({"x": values})
    fast = fm._cells(df, "x").values.tolist()
    monkeypatch.setattr(fm, "_number_factors", lambda s: None)
    assert fast == fm._cells(df, "x").values.tolist()
