"""Tests for flowgraph.html (the interactive offline graph) and `flowgraph html`."""
from __future__ import annotations

import copy
import json
import math
import random

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

import flowgraph as fg
from flowgraph.cli import main
from flowgraph.errors import ParameterError, UnknownCompanyError
from flowgraph.html import fmt_bn, safe_url, script_json, to_html

from browser_support import assert_offline, page_data, parse


@pytest.fixture(scope="module")
def toy():
    return fg.build_graph(fg.load_dataset("toy"))


@pytest.fixture(scope="module")
def toy_page(toy):
    return to_html(toy, top=0)


# ------------------------------------------------------------------ helpers' own tests
def test_fmt_bn():
    assert fmt_bn(300.0) == "$300bn"
    assert fmt_bn(12.5) == "$12.5bn"
    assert fmt_bn(6.0) == "$6bn"
    assert fmt_bn(0.25) == "$250m"
    assert fmt_bn(0.0662) == "$66.2m" and fmt_bn(0.0) == "$0"
    assert fmt_bn(1500.0) == "$1.5tn"
    assert fmt_bn(float("nan")) == "unknown"
    assert fmt_bn(None) == "unknown"


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://example.org/x?a=1", True),
        ("http://example.org", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("//evil.example", False),
        ("https://example.org/\"onmouseover=alert(1)", False),
        ("", False),
        (None, False),
        (float("nan"), False),
    ],
)
def test_safe_url(url, ok):
    assert (safe_url(url) is not None) is ok


def test_script_json_cannot_close_script():
    text = script_json({"a": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


# ------------------------------------------------------------------ the page
def test_page_is_self_contained_and_offline(toy_page):
    assert toy_page.startswith("<!DOCTYPE html>")
    assert_offline(toy_page)
    # vis-network is inlined, not linked
    assert "vis-network" in toy_page and "new vis.Network" in toy_page
    assert "Content-Security-Policy" in toy_page and "default-src 'none'" in toy_page


def test_counts_match_graph(toy, toy_page):
    data = page_data(toy_page)
    assert len(data["nodes"]) == toy.number_of_nodes() == 6
    # one arrow per payer -> payee pair and firmness; the toy has one deal per pair
    groups = {
        (u, v, d["status"] in ("committed", "disbursed")) for u, v, d in toy.edges(data=True)
    }
    assert len(data["edges"]) == len(groups) == toy.number_of_edges()
    assert data["counts"]["deals_shown"] == toy.number_of_edges()
    names = sorted(n["label"] for n in data["nodes"])
    assert names == sorted(toy.nodes)


def test_edges_encode_status_estimate_unknown(toy, toy_page):
    data = page_data(toy_page)
    label = {n["id"]: n["label"] for n in data["nodes"]}
    by_pair = {(label[e["from"]], label[e["to"]]): e for e in data["edges"]}
    # announced backstop ChipCo -> LeaseCo (midpoint 5 of 4..6) is dashed, and its label
    # marks the midpoint as not a reported figure, as every other output does
    e = by_pair[("ChipCo", "LeaseCo")]
    assert e["dashes"] and e["label"] == "~$5bn"
    assert e["info"]["deals"][0]["range"] == "$4bn to $6bn"
    # committed deals are solid
    assert by_pair[("ChipCo", "LabCo")]["dashes"] is False
    # the estimate is marked with ~, the unknown amount with ?
    assert by_pair[("CloudCo", "ChipCo")]["label"] == "~$6bn"
    unknown = by_pair[("BankCo", "CloudCo")]
    assert unknown["label"] == "?" and unknown["info"]["total"] == "unknown"
    assert unknown["width"] == 1.0
    # arrows go payer -> payee
    assert all(e["arrows"] == "to" for e in data["edges"])
    # colours by flow type, widths grow with the amount (log scale)
    assert by_pair[("LabCo", "CloudCo")]["color"]["color"] == fg.html.FLOW_TYPE_COLORS[
        "compute_contract"]
    w = {p: e["width"] for p, e in by_pair.items()}
    assert w[("LabCo", "CloudCo")] > w[("FundCo", "LabCo")] > w[("LabCo", "LeaseCo")] > w[
        ("ChipCo", "LabCo")]
    assert w[("LabCo", "CloudCo")] < 3 * w[("ChipCo", "LabCo")]  # log, not linear (30 vs 10)
    # source links survive as http(s) URLs
    deal = by_pair[("ChipCo", "LabCo")]["info"]["deals"][0]
    assert deal["id"] == "T-CHIP-LAB-EQ"
    assert deal["url"] == "https://example.org/toy/chip-lab-eq"
    assert deal["status"] == "committed" and deal["date"] == "2024-03-15"


def test_nodes_coloured_by_kind_and_sized_by_flow(toy, toy_page):
    data = page_data(toy_page)
    node = {n["label"]: n for n in data["nodes"]}
    assert node["ChipCo"]["color"]["background"] == fg.html.KIND_COLORS["chipmaker"]
    assert node["LabCo"]["color"]["background"] == fg.html.KIND_COLORS["ai_lab"]
    # throughput: LabCo 10+15 in, 30+12 out = 67; FundCo 15; BankCo only unknown
    assert node["LabCo"]["size"] > node["FundCo"]["size"] > node["BankCo"]["size"]
    info = node["LabCo"]["info"]
    assert info["inflow"] == "$25bn" and info["outflow"] == "$42bn"
    assert node["CloudCo"]["info"]["unknown"] == 1
    assert ["Revenue", "$5bn", "2024-12-31", "fictional example", None] in info["fundamentals"]


def test_two_exports_are_byte_identical(toy, tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    to_html(toy, a)
    to_html(toy, b)
    assert a.read_bytes() == b.read_bytes()
    assert len(page_data(a.read_text())["cycles"]) == 3
    c = to_html(toy, seed=8)
    assert page_data(c)["options"]["layout"]["randomSeed"] == 8
    assert page_data(a.read_text())["options"]["layout"]["randomSeed"] == 7


def test_physics_stops_after_stabilisation(toy_page):
    data = page_data(toy_page)
    stab = data["options"]["physics"]["stabilization"]
    assert stab["enabled"] and stab["iterations"] > 0
    assert "stabilizationIterationsDone" in toy_page
    assert "physics: { enabled: false }" in toy_page


def test_filters_and_as_of_on_page():
    G = fg.build_graph(fg.load_dataset("toy"), statuses=["committed", "disbursed"])
    page = to_html(G, top=0)
    data = page_data(page)
    assert data["as_of"] == "2024-11-30"
    assert "statuses: committed, disbursed" in data["filters"]
    assert "statuses: committed, disbursed" in page  # also in the static header
    assert "2024-11-30" in page


def test_does_not_mutate_graph(toy):
    before_nodes = copy.deepcopy(dict(toy.nodes(data=True)))
    before_edges = copy.deepcopy(list(toy.edges(keys=True, data=True)))
    to_html(toy, top=0)
    assert dict(toy.nodes(data=True)) == before_nodes
    after = list(toy.edges(keys=True, data=True))
    assert len(after) == len(before_edges)
    for (u, v, k, d), (u2, v2, k2, d2) in zip(after, before_edges):
        assert (u, v, k) == (u2, v2, k2)
        assert d.keys() == d2.keys()
        for key in d:
            same = d[key] == d2[key] or (
                isinstance(d[key], float) and math.isnan(d[key]) and math.isnan(d2[key]))
            assert same, key


def test_collapsed_digraph_input(toy):
    H = fg.collapse(toy)
    page = to_html(H, top=0)
    data = page_data(page)
    assert len(data["nodes"]) == 6 and len(data["edges"]) == 8
    label = {n["id"]: n["label"] for n in data["nodes"]}
    by_pair = {(label[e["from"]], label[e["to"]]): e for e in data["edges"]}
    assert by_pair[("ChipCo", "LeaseCo")]["dashes"]  # weakest status announced
    assert by_pair[("BankCo", "CloudCo")]["label"] == "?"


def test_announced_and_committed_between_same_pair_are_separate_arrows():
    M = nx.MultiDiGraph()
    M.add_edge("A", "B", key="d1", amount=10.0, status="committed", flow_type="lease")
    M.add_edge("A", "B", key="d2", amount=90.0, status="announced", flow_type="lease")
    M.add_edge("A", "B", key="d3", amount=1.0, status="disbursed", flow_type="lease")
    data = page_data(to_html(M, top=0))
    assert len(data["edges"]) == 2
    firm = next(e for e in data["edges"] if not e["dashes"])
    soft = next(e for e in data["edges"] if e["dashes"])
    assert firm["label"] == "$11bn" and soft["label"] == "$90bn"
    assert data["counts"]["deals_shown"] == 3
    # parallel arrows are bent differently so both stay visible
    assert firm["smooth"]["roundness"] != soft["smooth"]["roundness"]


def test_unknown_amount_not_counted_as_zero():
    M = nx.MultiDiGraph()
    M.add_edge("A", "B", key="d1", amount=4.0, status="committed", flow_type="lease")
    M.add_edge("A", "B", key="d2", amount=math.nan, status="committed", flow_type="lease")
    data = page_data(to_html(M, top=0))
    (e,) = data["edges"]
    assert e["label"] == "$4bn+?"
    assert e["info"]["any_unknown"] is True
    amounts = sorted(d["amount"] for d in e["info"]["deals"])
    assert amounts == ["$4bn", "unknown"]


# ------------------------------------------------------------------ security
XSS_SCRIPT = "<script>window.__fgPwned=1;alert(1)</script>"
XSS_IMG = "<img src=x onerror=\"window.__fgPwned=2;alert(2)\">"


def xss_graph() -> nx.MultiDiGraph:
    deals = pd.DataFrame(
        {
            "deal_id": ["X1", "X2", "X3"],
            "payer": ["Evil " + XSS_IMG, "Good", "Other"],
            "payee": ["Good", "Evil " + XSS_IMG, "Good"],
            "amount_usd_bn": [1.0, 2.0, 3.0],
            "flow_type": ["other", "other", "lease"],
            "status": ["committed", "announced", "committed"],
            "description": [XSS_SCRIPT, "</script><!-- " + XSS_IMG, "plain & <b>bold</b>"],
            "source_url": ["javascript:window.__fgPwned=3", "https://example.org/ok",
                           "data:text/html,<script>alert(4)</script>"],
            "source_title": [XSS_IMG, "fine", XSS_SCRIPT],
            "confidence": ["high", "high", "high"],
        }
    )
    return fg.build_graph(deals)


def test_data_text_is_escaped():
    G = xss_graph()
    page = to_html(G, top=0, title="Title " + XSS_SCRIPT)
    assert_offline(page)
    low = page.lower()
    assert "<script>window.__fgpwned" not in low
    assert "<img src=x" not in low
    assert "javascript:window" not in low
    assert "data:text/html" not in low
    # exactly the three script elements we put there (data, vis-network, our code)
    parser = parse(page)
    assert parser.tags.count("script") == 3
    assert "img" not in parser.tags and "iframe" not in parser.tags
    data = page_data(page)
    deals = {d["id"]: d for e in data["edges"] for d in e["info"]["deals"]}
    # the text itself is kept (shown as text), the bad URLs are dropped
    assert deals["X1"]["description"] == XSS_SCRIPT
    assert deals["X1"]["url"] is None and deals["X3"]["url"] is None
    assert deals["X2"]["url"] == "https://example.org/ok"
    assert "Title &lt;script&gt;" in page
    # our script never parses data as HTML
    own = fg.html._static_text("graph.js")
    assert "innerHTML" not in own and "insertAdjacentHTML" not in own
    assert "document.write" not in own


# ------------------------------------------------------------------ large networks
def big_graph(n: int = 1200, m: int = 3000, seed: int = 3) -> nx.MultiDiGraph:
    rng = random.Random(seed)
    M = nx.MultiDiGraph()
    for i in range(n):
        M.add_node(f"C{i:04d}", kind="other")
    for j in range(m):
        u, v = rng.sample(range(n), 2)
        M.add_edge(f"C{u:04d}", f"C{v:04d}", key=f"D{j}", amount=rng.uniform(0.1, 50),
                   status="committed", flow_type="other")
    return M


def test_large_network_is_trimmed_with_a_note():
    M = big_graph()
    page = to_html(M, max_nodes=60, top=0)
    data = page_data(page)
    assert len(data["nodes"]) == 60
    assert data["counts"]["companies_total"] == 1200
    assert any("Showing 60 of 1,200 companies" in n for n in data["notes"])
    shown = {n["label"] for n in data["nodes"]}
    # every drawn arrow joins two drawn companies
    ids = {n["id"] for n in data["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"])
    # the deals left out are counted in the note
    left = sum(1 for u, v in M.edges() if u not in shown or v not in shown)
    assert any(f"{left:,} deals" in n for n in data["notes"])
    # the strongly connected core is preferred over companies outside any loop
    H = nx.DiGraph(M)
    core = set().union(*(c for c in nx.strongly_connected_components(H) if len(c) > 1))
    assert shown <= core


def test_max_nodes_keeps_the_highest_flow_companies_when_there_is_no_loop():
    M = nx.MultiDiGraph()
    for i in range(10):
        M.add_edge("Hub", f"S{i}", key=f"d{i}", amount=float(i + 1), status="committed")
    data = page_data(to_html(M, max_nodes=3, top=0))
    assert sorted(n["label"] for n in data["nodes"]) == ["Hub", "S8", "S9"]


# ------------------------------------------------------------------ errors
def test_bad_parameters(toy):
    with pytest.raises(ParameterError):
        to_html(toy, max_nodes=0)
    with pytest.raises(ParameterError):
        to_html(toy, top=-1)
    with pytest.raises(ParameterError):
        to_html(nx.Graph([("a", "b")]))
    with pytest.raises(UnknownCompanyError, match="ChipCo"):
        to_html(toy, through="Chipco Inc")


def test_empty_graph():
    data = page_data(to_html(nx.MultiDiGraph(), top=0))
    assert data["nodes"] == [] and data["edges"] == []


# ------------------------------------------------------------------ CLI
def test_cli_html_writes_file(tmp_path):
    out = tmp_path / "g.html"
    r = CliRunner().invoke(main, ["html", "--dataset", "toy", "--top", "0", "-o", str(out)])
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    assert_offline(page)
    assert len(page_data(page)["nodes"]) == 6


def test_cli_html_filters(tmp_path):
    out = tmp_path / "g.html"
    r = CliRunner().invoke(main, ["html", "--dataset", "toy", "--top", "0", "--status",
                                  "committed", "--status", "disbursed", "-o", str(out)])
    assert r.exit_code == 0, r.output
    data = page_data(out.read_text(encoding="utf-8"))
    assert len(data["edges"]) == 6  # toy: the announced backstop and rumored debt drop out


def test_cli_html_unknown_company(tmp_path):
    r = CliRunner().invoke(main, ["html", "--dataset", "toy", "--through", "Nope",
                                  "-o", str(tmp_path / "g.html")])
    assert r.exit_code == 1
    assert "unknown company" in r.output


def test_cycles_through_a_company_and_given_cycles(toy):
    # README: LeaseCo is on cycles B and C, CloudCo only on A
    data = page_data(to_html(toy, through="leaseco"))
    assert data["company"] == "LeaseCo"
    assert sorted(c["path"] for c in data["cycles"]) == [
        "ChipCo → LabCo → LeaseCo → ChipCo", "ChipCo → LeaseCo → ChipCo"]
    res = fg.find_cycles(toy)
    data = page_data(to_html(toy, cycles=res, top=1))
    (only,) = data["cycles"]
    assert only["path"] == "ChipCo → LabCo → LeaseCo → ChipCo"  # bottleneck 8, the largest
    label = {n["id"]: n["label"] for n in data["nodes"]}
    pairs = {(label[e["from"]], label[e["to"]]): e["id"] for e in data["edges"]}
    assert sorted(only["edges"]) == sorted(
        [pairs[("ChipCo", "LabCo")], pairs[("LabCo", "LeaseCo")], pairs[("LeaseCo", "ChipCo")]])
    assert sorted(label[i] for i in only["nodes"]) == ["ChipCo", "LabCo", "LeaseCo"]


# ------------------------------------------------------------------ the view's date and counts
@pytest.fixture(scope="module")
def ai_mid2024():
    return fg.build_graph(fg.load_dataset("ai-capital"), as_of="2024-06-30")


@pytest.fixture(scope="module")
def ai_mid2024_data(ai_mid2024):
    return page_data(to_html(ai_mid2024, top=0))


def _header(page: str) -> str:
    import re

    return re.search(r'id="fg-sub">(.*?)</p>', page).group(1)


def test_as_of_header_names_the_view_and_counts_companies_with_deals(ai_mid2024):
    page = to_html(ai_mid2024, top=0)
    data, sub = page_data(page), _header(page)
    data_date = fg.load_dataset("ai-capital").as_of
    assert data_date != "2024-06-30"
    # the companies in a deal of the view, from the edges themselves
    active = {n for e in ai_mid2024.edges() for n in e}
    idle = ai_mid2024.number_of_nodes() - len(active)
    assert len(active) == 22 and idle > 0  # 27 deals between 22 companies by mid-2024
    assert sub.startswith(f"{len(active)} companies (and {idle} of the companies table with "
                          "no deal by 2024-06-30, drawn without arrows) · 27 deals")
    assert f"as of 2024-06-30 (data to {data_date})" in sub
    assert f"data as of {data_date}" not in sub
    assert data["as_of"] == "2024-06-30" and data["data_as_of"] == data_date
    assert data["counts"]["companies_with_deals_shown"] == fg.summarize(ai_mid2024).n_companies


def test_latest_view_header_is_unchanged_in_meaning(toy):
    page = to_html(toy, top=0)
    sub = _header(page)
    assert sub.startswith(f"{toy.number_of_nodes()} companies · ")  # every toy company deals
    assert "data as of 2024-11-30" in sub and "data to" not in sub


def test_cli_html_as_of_header_agrees_with_the_time_slider(tmp_path):
    out = tmp_path / "g.html"
    res = CliRunner().invoke(main, ["html", "--as-of", "2024-06-30", "-o", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    data = page_data(page)
    last = data["time"]["periods"][-1]
    assert last["end"] == "2024-06-30"
    n_comp, n_deals = data["counts"]["companies_with_deals_shown"], data["counts"]["deals_shown"]
    assert f"{n_deals} deals between {n_comp} companies" in last["headline"]
    assert _header(page).startswith(f"{n_comp} companies (and ")
    assert "as of 2024-06-30 (data to " in _header(page)


def _info(data, name):
    return next(n["info"] for n in data["nodes"] if n["info"]["name"] == name)


def test_company_flows_mark_their_estimated_part(ai_mid2024_data):
    # MSFT-NVDA-GPU: a reported range only, so its amount is the range's midpoint
    row = fg.load_dataset("ai-capital").deals.set_index("deal_id").loc["MSFT-NVDA-GPU"]
    assert pd.isna(row["amount_usd_bn"])
    mid = (float(row["amount_low_usd_bn"]) + float(row["amount_high_usd_bn"])) / 2
    msft = _info(ai_mid2024_data, "Microsoft")
    assert msft["outflow"] == "$43bn"
    assert msft["outflow_basis"] == f", of which {fmt_bn(mid)} estimated"
    assert msft["inflow_basis"] == ""


def test_company_flow_parts_agree_with_the_summary(ai_mid2024, ai_mid2024_data):
    s = fg.summarize(ai_mid2024, top=10_000)
    for table, side in ((s.payers, "outflow"), (s.payees, "inflow")):
        for rec in table.to_dict("records"):
            info = _info(ai_mid2024_data, rec["company"])
            text = info[side] + " known" + info[side + "_basis"]
            known = 0.0 if math.isnan(rec["amount"]) else rec["amount"]  # none known: $0
            assert text.startswith(fmt_bn(known) + " known")
            for part, word in (("of_which_estimated", "estimated"),
                               ("of_which_conditional", "conditional")):
                if rec[part] > 0:
                    assert (f"{fmt_bn(rec[part])} {word}" in text
                            or f"all of it {word}" in text), (rec, text)
                else:
                    assert word not in text, (rec, text)


def test_conditional_part_is_marked_in_the_latest_view():
    G = fg.build_graph(fg.load_dataset("ai-capital"))
    data = page_data(to_html(G, top=0))
    s = fg.summarize(G, top=10_000)
    cond = s.payees[s.payees["of_which_conditional"] > 0]
    assert len(cond)
    for rec in cond.to_dict("records"):
        assert "conditional" in _info(data, rec["company"])["inflow_basis"], rec



def test_arrow_labels_mark_every_estimate_and_range_midpoint():
    """An arrow's ``~`` says some deal on it is an estimate or the midpoint of a reported
    range (firmness.basis_masks, read from the rows), so a midpoint such as OAI-CEREBRAS-20
    is never drawn as a reported figure."""
    from flowgraph.firmness import basis_masks

    ds = fg.load_dataset("ai-capital")
    rows = fg.filter_deals(ds)
    estimated = set(rows.loc[basis_masks(rows)[0], "deal_id"])
    assert "OAI-CEREBRAS-20" in estimated and not rows.set_index("deal_id").loc[
        "OAI-CEREBRAS-20", "estimate"]
    data = page_data(fg.to_html(fg.build_graph(ds), max_nodes=1000))
    checked = 0
    for e in data["edges"]:
        ids = {d["id"] for d in e["info"]["deals"]}
        if e["label"] == "?":
            continue
        assert e["label"].startswith("~") == bool(ids & estimated), (e["label"], ids)
        checked += 1
    assert checked > 50
