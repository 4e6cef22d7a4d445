"""Tests for flowgraph.report (write_report), flowgraph.charts and `flowgraph report`.

Expected figures for the toy dataset are the hand-worked results in datasets/README.md.
"""
from __future__ import annotations

import copy
import math
import re

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner
from PIL import Image

import flowgraph as fg
from flowgraph.charts import bar_chart, plot_commitments, plot_cycles, plot_flows
from flowgraph.cli import main
from flowgraph.errors import ParameterError, UnknownCompanyError
from flowgraph.report import Report, write_report

from browser_support import assert_offline, page_data, parse


@pytest.fixture(scope="module")
def toy():
    return fg.build_graph(fg.load_dataset("toy"))


@pytest.fixture(scope="module")
def toy_report(toy, tmp_path_factory) -> Report:
    return write_report(toy, tmp_path_factory.mktemp("rep") / "out")


def _text(html: str) -> str:
    """Visible text, tags dropped and entities decoded, whitespace squeezed."""
    import html as h

    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"\s+", " ", h.unescape(re.sub(r"<[^>]+>", " ", body)))


def test_files_written(toy_report):
    r = toy_report
    assert r.index.exists() and r.markdown.exists() and r.graph.exists()
    assert r.index.parent == r.path == r.markdown.parent
    names = sorted(p.name for p in r.charts)
    assert names == ["commitments.png", "concentration.png", "cycles.png", "flows.png",
                     "null_circularity.png"]
    for p in r.charts:
        with Image.open(p) as im:
            assert im.format == "PNG"
            w, h = im.size
            assert w > 300 and h > 100
            colours = im.convert("RGB").getcolors(maxcolors=1_000_000)
            assert colours is not None and len(colours) > 5  # not a blank picture


def test_index_is_offline(toy_report):
    page = toy_report.index.read_text(encoding="utf-8")
    assert_offline(page)
    p = parse(page)
    # the only embedded things are the local graph page and the local charts
    srcs = [v for tag, name, v in p.refs if name == "src"]
    assert "graph.html" in srcs
    assert all(not re.match(r"^[a-z]+:", s) for s in srcs)
    for s in srcs:
        assert (toy_report.path / s).exists(), s
    assert_offline(toy_report.graph.read_text(encoding="utf-8"))


def test_headline_numbers_match_hand_worked_toy(toy_report):
    text = _text(toy_report.index.read_text(encoding="utf-8"))
    # datasets/README.md: 6 companies, 8 headline deals, sum W = 86, e8 unknown,
    # committed/disbursed e1,e2,e3,e4,e6,e7 = 10+30+6+8+12+15 = 81, of which disbursed
    # (paid) e3,e4,e7 = 6+8+15 = 29 and committed, not yet paid 81-29 = 52; announced e5 = 5;
    # no toy row records 'conditional' or 'source_kind' (all press-only: 100%);
    # three simple cycles, circularity index 38/86 = 0.4419
    assert "6 Companies" in text
    assert "8 Deals" in text
    assert "$86bn as given (90% of plausible versions: " in text
    assert "Known money in these deals" in text
    assert "$29bn Paid" in text
    assert "$52bn Committed, not yet paid" in text
    assert "$5bn Only announced or rumored" in text
    assert "not recorded Conditional (up to, milestones, LOIs)" in text
    assert "100% Conditional or press-only share" in text
    assert "1 Deals of unknown amount (not counted)" in text
    assert "3 Loops found" in text
    assert "44.2% as given (90% of plausible versions: " in text
    assert "$38bn (44.2%) can go round" in text


def test_as_of_filters_and_scenario_printed(toy, tmp_path):
    G = fg.build_graph(fg.load_dataset("toy"), statuses=["committed", "disbursed"])
    r = write_report(G, tmp_path / "r", charts=False)
    page = r.index.read_text(encoding="utf-8")
    text = _text(page)
    assert "Data as of: 2024-11-30" in text
    assert "statuses: committed, disbursed" in text
    assert "Scenario: base" in text
    # README: without the announced backstop cycle B disappears and the index is 30/81
    assert "2 Loops found" in text
    assert "37.0% as given (90% of plausible versions: " in text
    md = r.markdown.read_text(encoding="utf-8")
    assert "2024-11-30" in md and "statuses: committed, disbursed" in md


def test_cycles_and_their_deals_are_linked(toy_report):
    page = toy_report.index.read_text(encoding="utf-8")
    p = parse(page)
    # every in-page link points at an element that exists
    targets = [v[1:] for tag, name, v in p.refs if name == "href" and v.startswith("#")]
    assert targets
    missing = [t for t in targets if t not in p.ids]
    assert not missing, missing
    # the three cycles of the README with their bottlenecks 8, 6 and 5 (base scenario)
    text = _text(page)
    assert re.search(r"ChipCo -> LabCo -> LeaseCo -> ChipCo \$8bn", text)
    assert re.search(r"ChipCo -> LabCo -> CloudCo -> ChipCo \$6bn \$5bn \$7bn", text)
    assert re.search(r"ChipCo -> LeaseCo -> ChipCo \$5bn \$4bn \$6bn", text)
    # deal ids of cycle A link to the deals table rows
    for deal in ("T-CHIP-LAB-EQ", "T-LAB-CLOUD-30", "T-CLOUD-CHIP-6"):
        assert f'href="#deal-{deal}"' in page
        assert f'id="deal-{deal}"' in page


def test_deals_table_and_sources(toy, toy_report):
    page = toy_report.index.read_text(encoding="utf-8")
    p = parse(page)
    rows = {i for i in p.ids if i.startswith("deal-")}
    assert rows == {f"deal-{k}" for _u, _v, k in toy.edges(keys=True)}
    links = {v for tag, name, v in p.refs if tag == "a" and name == "href"}
    for _u, _v, d in toy.edges(data=True):
        assert d["source_url"] in links
    # superseded and tranche rows are not in the default graph, nor in the report
    assert "deal-T-CHIP-LAB-LOI" not in rows and "deal-T-LAB-CLOUD-18" not in rows
    text = _text(page)
    # the unknown amount is shown as unknown, not as zero
    assert re.search(r"T-BANK-CLOUD-DEBT BankCo CloudCo unknown", text)
    # ranges and estimates are shown
    assert re.search(r"T-CLOUD-CHIP-6 CloudCo ChipCo \$6bn \$5bn to \$7bn estimate", text)


def test_sections_present(toy_report):
    titles = toy_report.sections
    for want in ("Headline numbers", "Key findings", "The network", "Loops",
                 "How much money goes round", "Concentration", "Promises against means",
                 "Stress test", "Deals", "Sources", "Method and caveats"):
        assert any(t.startswith(want) for t in titles), want
    page = toy_report.index.read_text(encoding="utf-8")
    # stress test of the company with the most money through it (toy: LabCo, 25 in + 42 out)
    assert "Stress test: if LabCo failed" in page
    assert toy_report.notes  # caveats are stated


def test_markdown_mirrors_html(toy_report):
    md = toy_report.markdown.read_text(encoding="utf-8")
    assert md.startswith("# ")
    for title in toy_report.sections:
        assert f"## {title}" in md
    assert "| Known money in these deals | $86bn as given (90% of plausible versions: " in md
    assert "[graph.html](graph.html)" in md
    assert "![Loops by round trip, largest round trip first](charts/cycles.png)" in md
    assert "(<https://example.org/toy/chip-lab-eq>)" in md
    assert "T-LAB-CLOUD-30" in md


def test_graph_in_report_highlights_cycles(toy_report):
    data = page_data(toy_report.graph.read_text(encoding="utf-8"))
    assert len(data["cycles"]) == 3
    assert {c["path"] for c in data["cycles"]} == {
        "ChipCo → LabCo → LeaseCo → ChipCo",
        "ChipCo → LabCo → CloudCo → ChipCo",
        "ChipCo → LeaseCo → ChipCo",
    }
    node = {n["label"]: n["info"] for n in data["nodes"]}
    # ChipCo is on all three loops; FundCo and BankCo only pay, so they are on none
    assert node["ChipCo"]["cycles"] == 3
    assert node["FundCo"]["cycles"] == 0 and node["BankCo"]["cycles"] == 0
    # ChipCo receives 6 + 8 = 14 and all of it can be its own money coming back (README:
    # the circulation through ChipCo is 14 in and 14 out)
    assert node["ChipCo"]["self_funded"] == pytest.approx(1.0)


def test_escaping_in_report(tmp_path):
    payload = "<script>window.__fgPwned=1</script><img src=x onerror=alert(1)>"
    deals = pd.DataFrame({
        "deal_id": ["X<1>", "X2"],
        "payer": ["A" + payload, "B"],
        "payee": ["B", "A" + payload],
        "amount_usd_bn": [1.0, 2.0],
        "flow_type": ["other", "other"],
        "status": ["committed", "committed"],
        "description": [payload, payload],
        "source_url": ["javascript:alert(1)", "https://example.org/x"],
        "source_title": [payload, "ok"],
        "confidence": ["high", "high"],
    })
    G = fg.build_graph(deals)
    r = write_report(G, tmp_path / "r", charts=False, title="T " + payload)
    page = r.index.read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "<img src=x" not in page
    hrefs = [v for tag, name, v in parse(page).refs if name == "href"]
    assert hrefs and all(h.startswith(("#", "https://", "graph.html")) for h in hrefs), hrefs
    assert "&lt;script&gt;" in page
    assert 'href="https://example.org/x"' in page
    md = r.markdown.read_text(encoding="utf-8")
    assert "<script" not in md and "<img" not in md
    assert "](javascript" not in md and "<javascript" not in md


def test_does_not_mutate_graph(toy, tmp_path):
    nodes = copy.deepcopy(dict(toy.nodes(data=True)))
    edges = [(u, v, k, dict(d)) for u, v, k, d in toy.edges(keys=True, data=True)]
    write_report(toy, tmp_path / "r", charts=False)
    assert dict(toy.nodes(data=True)) == nodes
    for (u, v, k, d), (u2, v2, k2, d2) in zip(toy.edges(keys=True, data=True), edges):
        assert (u, v, k) == (u2, v2, k2) and d.keys() == d2.keys()
        for key in d:
            assert d[key] == d2[key] or (isinstance(d[key], float) and math.isnan(d[key])), key


def test_bad_parameters(toy, tmp_path):
    with pytest.raises(ParameterError):
        write_report(toy, tmp_path / "r", top=0)
    with pytest.raises(UnknownCompanyError):
        write_report(toy, tmp_path / "r", stress_company="Nobody")
    with pytest.raises(ParameterError):
        write_report(nx.Graph(), tmp_path / "r")


def test_stress_company_option(toy, tmp_path):
    r = write_report(toy, tmp_path / "r", charts=False, stress_company="chipco")
    assert "Stress test: if ChipCo failed" in r.index.read_text(encoding="utf-8")


# ------------------------------------------------------------------ charts
def test_bar_chart_leaves_out_unknown(tmp_path):
    p = bar_chart(["a", "b", "c"], [3.0, float("nan"), 1.0], tmp_path / "b.png", title="t",
                  xlabel="x")
    assert p.exists()
    with pytest.raises(ParameterError):
        bar_chart(["a"], [1.0, 2.0], tmp_path / "c.png", title="t", xlabel="x")


def test_chart_functions(toy, tmp_path):
    cyc = fg.find_cycles(toy).cycles
    assert plot_cycles(cyc, tmp_path / "c.png", value="round_trip", label="path").exists()
    with pytest.raises(ParameterError):
        plot_cycles(cyc, tmp_path / "c.png", value="nope")
    assert plot_flows(toy, tmp_path / "f.png").exists()
    assert plot_commitments(fg.commitments(toy), tmp_path / "m.png").exists()
    with pytest.raises(ParameterError):
        plot_commitments(pd.DataFrame({"company": []}), tmp_path / "m.png")


# ------------------------------------------------------------------ CLI
def test_cli_report(tmp_path):
    out = tmp_path / "rep"
    runner = CliRunner()
    r = runner.invoke(main, ["report", "--dataset", "toy", "-o", str(out), "--no-charts"])
    assert r.exit_code == 0, r.output
    assert (out / "index.html").exists() and (out / "report.md").exists()
    # writing again into the existing folder works
    r = runner.invoke(main, ["report", "--dataset", "toy", "-o", str(out), "--no-charts",
                             "--status", "committed", "--status", "disbursed"])
    assert r.exit_code == 0, r.output
    assert "statuses: committed, disbursed" in (out / "index.html").read_text(encoding="utf-8")


def test_cli_report_errors(tmp_path):
    r = CliRunner().invoke(main, ["report", "--dataset", "toy", "-o", str(tmp_path / "x"),
                                  "--stress", "Nobody", "--no-charts"])
    assert r.exit_code == 1
    assert "unknown company" in r.output
    f = tmp_path / "file"
    f.write_text("x")
    r = CliRunner().invoke(main, ["report", "--dataset", "toy", "-o", str(f)])
    assert r.exit_code == 2


def test_collapsed_graph_is_refused_with_a_clear_error(tmp_path):
    import flowgraph as fg
    from flowgraph.errors import ParameterError

    G = fg.build_graph(fg.load_dataset("toy"))
    for call in (lambda: fg.write_report(fg.collapse(G), tmp_path / "r"),
                 lambda: fg.summarize(fg.collapse(G))):
        with pytest.raises(ParameterError, match="MultiDiGraph"):
            call()


def test_cycle_chart_marks_upper_bounds(tmp_path, monkeypatch):
    import pandas as pd

    from flowgraph import charts
    from flowgraph.errors import ParameterError

    drawn = {}
    real_save = charts._save

    def spy(fig, path):
        ax = fig.axes[0]
        drawn["hatches"] = [p.get_hatch() for p in ax.patches]
        drawn["labels"] = [t.get_text() for t in ax.texts]
        return real_save(fig, path)

    monkeypatch.setattr(charts, "_save", spy)
    t = pd.DataFrame({"path": ["A -> B -> A", "C -> D -> C"], "round_trip": [5.0, 3.0],
                      "round_trip_is_upper_bound": [True, False]})
    charts.plot_cycles(t, tmp_path / "c.png", value="round_trip")
    assert drawn["hatches"] == ["///", None]
    assert drawn["labels"] == ["<= 5.0", "3.0"]
    with pytest.raises(ParameterError):
        charts.bar_chart(["a"], [1.0], tmp_path / "x.png", title="t", xlabel="x",
                         upper_bounds=[True, False])


def test_a_self_funded_share_says_what_the_known_inflow_leaves_out(tmp_path):
    import networkx as nx

    from flowgraph.firmness import uncounted_clause, uncounted_money

    nan = float("nan")
    D = nx.MultiDiGraph()
    rows = [("A", "B", 10.0, nan), ("B", "A", 8.0, nan), ("C", "A", nan, 50.0),
            ("D", "A", nan, nan), ("B", "C", 1.0, nan)]
    for k, (u, v, amt, low) in enumerate(rows):
        D.add_edge(u, v, key=f"D{k}", deal_id=f"D{k}", amount=amt, amount_known=amt == amt,
                   amount_low=low, amount_high=nan, midpoint=False, estimate=False,
                   flow_type="other", status="committed", source_url="https://example.org",
                   source_kind="filing")
    assert uncounted_money(D, "A") == (2, 50.0)
    assert uncounted_money(D, "A", direction="out") == (0, 0.0)
    assert uncounted_money(D, "B") == (0, 0.0)
    assert uncounted_clause(D, "B") == ""
    assert uncounted_clause(D, "A") == ("; 2 more deals it receives have no known amount and "
                                        "are not counted (at least $50bn among them)")
    rep = fg.write_report(D, tmp_path / "r", charts=False, samples=0)
    md = rep.markdown.read_text(encoding="utf-8")
    line = next(x for x in md.splitlines() if "could be its own money coming back" in x)
    # A's whole known inflow ($8bn) can come back, but A also receives $50bn or more
    assert line.startswith("- A: up to 100% of the known money it receives ($8bn of $8bn)")
    assert line.endswith("2 more deals it receives have no known amount and are not counted "
                         "(at least $50bn among them).")
    table = md[md.index("*Self-funded shares"):]
    assert "| share of known inflow | deals in of unknown amount (not counted) |" in table
    assert "| A | $8bn | $8bn | 100.0% | 2 deals (at least $50bn) |" in table
    page = fg.company_profile(D, "A")
    assert page.inflow_uncounted == uncounted_clause(D, "A")
    from flowgraph._company_text import page as company_page

    text = " ".join(company_page(page, filters="").split())
    assert "of its known inflow ($8bn of $8bn)" in text and "at least $50bn among them" in text


def test_bundled_finding_on_amd_counts_metas_floor_as_left_out():
    G = fg.build_graph(fg.load_dataset("ai-capital"))
    from flowgraph.firmness import uncounted_money

    n, floor = uncounted_money(G, "AMD")
    assert n >= 1 and floor >= 100  # Meta's "more than $100 billion" (META-AMD-6GW)
    assert math.isnan(next(d["amount"] for _, _, k, d in G.in_edges("AMD", keys=True, data=True)
                           if k == "META-AMD-6GW"))


def test_findings_about_a_company_say_when_they_rest_on_estimates(tmp_path):
    import networkx as nx

    D = nx.MultiDiGraph()
    rows = [("A", "B", 10.0, False), ("B", "A", 8.0, True), ("B", "C", 1.0, False)]
    for k, (u, v, amt, est) in enumerate(rows):
        D.add_edge(u, v, key=f"D{k}", deal_id=f"D{k}", amount=amt, amount_known=True,
                   amount_low=float("nan"), amount_high=float("nan"), midpoint=False,
                   estimate=est, flow_type="other", status="committed",
                   source_url="https://example.org", source_kind="filing")
    rep = fg.write_report(D, tmp_path / "r", charts=False, samples=0)
    md = rep.markdown.read_text(encoding="utf-8")
    line = next(x for x in md.splitlines() if "could be its own money coming back" in x)
    assert line.startswith("- A:") and "all $8bn of that inflow is estimated" in line
    key = next(x for x in md.splitlines() if x.startswith("- Keystone"))
    assert "is estimated" in key


def test_hhi_cells_are_rounded_as_the_cli_rounds_them():
    from flowgraph import report
    from flowgraph.cli import _fmt_value

    G = fg.build_graph(fg.load_dataset("ai-capital"))
    h = fg.company_concentration(G, direction="in")["hhi"].dropna()
    assert (h.astype(int) != h.round()).any()  # some HHI (Microsoft's 8,184.9) rounds up
    for v in h:
        assert report._cell_text(v, "int") == _fmt_value(float(v), style="whole") == (
            f"{round(v):,}")


def test_commitments_finding_says_how_much_is_conditional_or_estimated():
    from flowgraph import report
    from flowgraph.html import fmt_bn

    G = fg.build_graph(fg.load_dataset("ai-capital"))
    t = fg.commitments(G).set_index("company")
    for company in ("Fluidstack", "OpenAI"):
        keys = report._promised_keys(G, company, "amount")
        data = [(G.edges[k], a) for k, a in keys.items()]
        # the keys are the deals commitments_out sums, with the unpaid amount it counts
        assert sum(a for _, a in data if a == a) == pytest.approx(
            t.loc[company, "commitments_out"])
        cond = sum(a for d, a in data if d.get("conditional") is True and a == a)
        est = sum(a for d, a in data if (d.get("estimate") is True
                                         or d.get("midpoint") is True) and a == a)
        clause = report._basis_clause(G, keys, "promised")
        assert (f"{fmt_bn(cond)} conditional" in clause
                or f"{fmt_bn(cond)} of the" in clause) == (cond > 0)
        assert ("estimated" in clause) == (est > 0)
    assert "conditional" in report._basis_clause(G, report._promised_keys(G, "Fluidstack",
                                                                          "amount"), "promised")


def test_findings_say_conditional_commitments_in_the_same_sentence(tmp_path):
    import networkx as nx

    D = nx.MultiDiGraph()
    D.add_node("A", revenue_usd_bn=1.0, revenue_as_of="2026-01-01")
    rows = [("A", "B", 10.0, True), ("A", "B", 5.0, False), ("B", "A", 2.0, False)]
    for k, (u, v, amt, cond) in enumerate(rows):
        D.add_edge(u, v, key=f"D{k}", deal_id=f"D{k}", amount=amt, amount_known=True,
                   amount_low=float("nan"), amount_high=float("nan"), midpoint=False,
                   estimate=False, conditional=cond, flow_type="compute_contract",
                   status="committed", source_url="https://example.org", source_kind="filing")
    md = fg.write_report(D, tmp_path / "r", charts=False, samples=0).markdown.read_text(
        encoding="utf-8")
    line = next(x for x in md.splitlines() if x.startswith("- A has promised $15bn"))
    assert line.endswith("; $10bn of the $15bn promised is conditional (up to, milestones, "
                         "letters of intent).")
    # every amount reported, none estimated: the loop finding says so
    loop = next(x for x in md.splitlines() if x.startswith("- Largest loop"))
    assert loop.startswith("- Largest loop with every amount reported: ")
    assert "if the conditional amounts are paid" not in loop  # $5bn firm covers the $2bn


def test_promised_keys_follow_the_one_promised_rule_and_subtract_what_is_paid():
    """The commitments finding reads concentration._promised_deals: a committed deal partly
    paid counts its unpaid rest, a disbursed one its unpaid rest, a fully paid one nothing,
    so the finding's basis clause sums the same money as commitments_out."""
    from flowgraph import report
    from flowgraph.concentration import _promised_deals

    deals = pd.DataFrame([
        dict(deal_id="p1", payer="A", payee="B", amount_usd_bn=10.0, flow_type="compute_contract",
             status="committed", paid_usd_bn=4.0, paid_as_of="2025-01", conditional="yes",
             source_url="https://example.com/1"),
        dict(deal_id="p2", payer="A", payee="C", amount_usd_bn=6.0, flow_type="compute_contract",
             status="disbursed", paid_usd_bn=6.0, paid_as_of="2025-01",
             source_url="https://example.com/2"),
        dict(deal_id="p3", payer="A", payee="B", amount_usd_bn=2.0, flow_type="lease",
             status="announced", source_url="https://example.com/3"),
        dict(deal_id="p4", payer="B", payee="A", amount_usd_bn=1.0, flow_type="lease",
             status="committed", source_url="https://example.com/4"),
    ])
    G = fg.build_graph(deals)
    keys = report._promised_keys(G, "A", "amount")
    rule = _promised_deals(G).query("payer == 'A'")
    assert keys == {(u, v, k): a for u, v, k, a in
                    zip(rule["payer"], rule["payee"], rule["deal_id"], rule["amount"])}
    assert keys == {("A", "B", "p1"): 6.0, ("A", "B", "p3"): 2.0}  # p2 fully paid
    out = fg.commitments(G).set_index("company").loc["A", "commitments_out"]
    assert sum(keys.values()) == pytest.approx(out)
    # the clause says the $6bn unpaid of the conditional deal, of the $8bn promised
    assert report._basis_clause(G, keys, "promised") == (
        "; $6bn of the $8bn promised is conditional (up to, milestones, letters of intent)")


def test_capped_report_counts_loops_once_and_lists_the_true_shortest(tmp_path):
    """A dense network whose loop search stops at the work cap: every count of loops in the
    report is the same floor, and the shortest-first listing is the true shortest."""
    import re

    import numpy as np
    from click.testing import CliRunner

    from flowgraph.cli import main

    rng = np.random.default_rng(1)
    pairs = [(a, b) for a in range(16) for b in range(16) if a != b]
    path = tmp_path / "dense.csv"
    pd.DataFrame({"deal_id": [f"d{i}" for i in range(len(pairs))],
                  "payer": [f"C{a}" for a, _ in pairs], "payee": [f"C{b}" for _, b in pairs],
                  "amount_usd_bn": rng.uniform(0.1, 10, len(pairs)).round(2),
                  "flow_type": "other", "status": "committed",
                  "announced": [f"2024-{1 + i % 12:02d}" for i in range(len(pairs))],
                  "source_url": "https://example.com/x"}).to_csv(path, index=False)
    out = tmp_path / "rep"
    r = CliRunner().invoke(main, ["report", "--deals", str(path), "-o", str(out),
                                  "--samples", "0", "--null-samples", "0", "--no-charts",
                                  "--max-work", "300000"])
    assert r.exit_code == 0, r.output
    md = (out / "report.md").read_text()
    counts = set(re.findall(r"[Aa]t least ([\d,]+) loops", md))
    assert len(counts) == 1, counts
    assert "Listed here: the 10 shortest (largest round trip first within each length)" in md
    paths = re.findall(r"^\| (\d+) \| (C\d+(?: -> C\d+)+) \|", md, flags=re.M)
    listing = [p for rank, p in paths][:10]
    assert len(listing) == 10 and all(p.count("->") == 2 for p in listing)  # two-hop loops


def test_loops_in_the_order_they_closed_mark_their_round_trips():
    """The loops table says of each round trip what the timeline computed of it: its bound
    and whether it rests on estimated or conditional amounts, in the same cell."""
    from flowgraph.formatting import BOUND_MARKS
    from flowgraph.report import _formation_section
    from flowgraph.timelines import timeline

    tl = timeline(fg.load_dataset("ai-capital"), freq="year")
    sec = _formation_section(tl, None)
    table = next(t for t in sec.tables if t.caption == "Loops in the order they closed")
    cells = table.df.set_index("order")["round_trip"]
    for order, bound, basis in zip(tl.loops["order"], tl.loops["round_trip_bound"],
                                   tl.loops["round_trip_basis"]):
        cell = cells[order]
        assert ("conditional" in cell) == ("conditional" in (basis or "")), (order, cell)
        assert ("estimated" in cell) == ("estimated" in (basis or "")), (order, cell)
        mark = BOUND_MARKS.get(bound, "")
        assert cell.startswith(mark) if mark else not cell.startswith(("<", ">", "~"))
    assert any("conditional" in c for c in cells)


def test_a_report_as_of_a_date_heads_itself_with_that_date(tmp_path):
    """The header says the date the report stands at (and the data's own date beside it),
    and no header sentence ends in '..' (formatting.sentences joins them)."""
    from flowgraph.timeframe import view_as_of

    ds = fg.load_dataset("ai-capital")
    G = fg.build_graph(ds, as_of="2024-06-30")
    assert view_as_of(G) == "2024-06-30"
    fg.write_report(G, tmp_path / "r", charts=False, samples=20, null_samples=5)
    md = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert f"- As of: **2024-06-30** (data to {ds.as_of})" in md
    assert f"Data as of: **{ds.as_of}**" not in md
    page = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert 'As of: <b id="as-of">2024-06-30</b>' in page
    for text in (md, page):
        assert ".. " not in text.replace("...", "")
