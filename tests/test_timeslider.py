"""The HTML graph's time slider: precomputed per period, true to --as-of, and in a browser."""
from __future__ import annotations

import pytest

import flowgraph as fg
from flowgraph.html import to_html

from browser_support import page_data
from test_browser import _wait_ready, browser, session  # noqa: F401 (fixtures)


@pytest.fixture(scope="module")
def ds():
    return fg.load_dataset("ai-capital")


@pytest.fixture(scope="module")
def page_and_timeline(ds, tmp_path_factory):
    tl = fg.timeline(ds, freq="quarter")
    path = tmp_path_factory.mktemp("slider") / "graph.html"
    page = to_html(fg.build_graph(ds), path, timeline=tl)
    return path, page_data(page), tl


def _drawn(data) -> dict[tuple[str, str, bool], str]:
    return {(e["info"]["payer"], e["info"]["payee"], e["info"]["firm"]): e["id"]
            for e in data["edges"]}


def test_each_position_is_the_web_as_of_its_date(ds, page_and_timeline):
    _, data, tl = page_and_timeline
    periods = data["time"]["periods"]
    assert [p["label"] for p in periods] == list(tl.periods["period"])
    drawn = _drawn(data)
    for p, end in zip(periods, tl.periods["period_end"]):
        G = fg.build_graph(ds, as_of=end)
        want = set()
        for u, v, d in G.edges(data=True):
            firm = d["status"] in ("committed", "disbursed")
            eid = drawn.get((u, v, firm)) or drawn.get((u, v, not firm))
            assert eid is not None, (end, u, v)
            want.add(eid)
        assert {e for e, _ in p["edges"]} == want, end
        row = tl.periods[tl.periods["period_end"] == end].iloc[0]
        assert p["headline"].startswith(f"As of {end}: {int(row['deals'])} deal")
    # OpenAI -> Amazon reads $38bn at the end of 2025 ($138bn only from 2026-02-27)
    eid = drawn[("OpenAI", "Amazon", True)]
    q4 = next(p for p in periods if p["label"] == "2025Q4")
    assert dict(q4["edges"])[eid] == "$38bn"


def _rests_on_conditional(ds, end):
    """Independently of the timeline: does the largest loop as of ``end`` rest on a
    conditional deal (some hop without its conditional rows below the round trip)?"""
    G = fg.build_graph(ds, as_of=end)
    res = fg.find_cycles(G, limit=1, sort="round_trip", describe=False)
    if not len(res.cycles):
        return None
    rt = float(res.cycles["round_trip"].iloc[0])
    flag = dict(zip(ds.deals["deal_id"], ds.deals["conditional"]))
    deals = res.deals
    for _, hop in res.hops.iterrows():
        rows = deals[deals["hop"] == hop["hop"]]
        cond = sum(a for i, a in zip(rows["deal_id"], rows["amount"])
                   if flag.get(i) is True and a == a)
        if cond > 0 and hop["amount"] - cond < rt:
            return True
    return False


def test_headline_marks_the_largest_round_trip_as_the_report_table_does(ds, page_and_timeline):
    from flowgraph import report

    _, data, tl = page_and_timeline
    sec = report._formation_section(tl, None)
    cells = dict(zip(sec.tables[0].df["period"], sec.tables[0].df["largest_round_trip"]))
    seen_lower = seen_cond = False
    for p, (_, row) in zip(data["time"]["periods"], tl.periods.iterrows()):
        if not row["loops"]:
            continue
        # the report's cell, word for word, in the slider's sentence
        assert f"largest round trip {cells[p['label']]};" in p["headline"], p["label"]
        if row["largest_round_trip_bound"] == "lower":
            assert "largest round trip >= " in p["headline"]
            seen_lower = True
        if p["label"] >= "2025Q2":  # where the audit found the marks missing
            cond = _rests_on_conditional(ds, row["period_end"])
            assert ("conditional" in cells[p["label"]]) == cond, p["label"]
            seen_cond = seen_cond or cond
    assert seen_lower and seen_cond  # both marks are exercised by the bundled data


def test_page_without_timeline_has_no_slider(ds, tmp_path):
    page = to_html(fg.build_graph(fg.load_dataset("toy")), tmp_path / "g.html")
    assert page_data(page)["time"] is None and 'id="fg-time"' not in page


@pytest.mark.browser
def test_moving_the_slider_changes_the_web(session, page_and_timeline):  # noqa: F811
    path, data, _ = page_and_timeline
    page = session.page
    page.goto(path.as_uri())
    _wait_ready(page)
    n = len(data["time"]["periods"])
    total = page.evaluate("fgEdges.length")
    visible = "fgEdges.get().filter(e => !e.hidden).length"
    assert page.evaluate(visible) == total  # the last position: every deal drawn
    head0 = page.locator("#fg-money").text_content()
    slider = page.locator("#fg-time")
    slider.focus()
    page.keyboard.press("Home")  # the first period
    for _ in range(n - 6):  # then forward by the keyboard, as a reader would
        page.keyboard.press("ArrowRight")
    i = n - 6
    p = data["time"]["periods"][i]
    assert page.evaluate("document.body.getAttribute('data-time')") == str(i)
    assert page.evaluate(visible) == len(p["edges"]) < total
    assert page.locator("#fg-time-count").text_content().startswith(f"{len(p['edges'])} arrows")
    head = page.locator("#fg-money").text_content()
    assert head == p["headline"] and head != head0
    assert page.locator(".fg-cycle").count() == len(p["cycles"])
    labels = dict(page.evaluate("fgEdges.get().filter(e => !e.hidden).map(e => [e.id, e.label])"))
    assert labels == dict(p["edges"])
    # back to the end: everything again
    page.keyboard.press("End")
    assert page.evaluate(visible) == total
    assert page.locator("#fg-money").text_content() == head0
    session.assert_clean()


def test_cli_html_has_a_monthly_slider_unless_a_selection_cuts_the_web(tmp_path):
    from click.testing import CliRunner

    from flowgraph.cli import main

    out = tmp_path / "g.html"
    r = CliRunner().invoke(main, ["html", "--dataset", "toy", "-o", str(out)])
    assert r.exit_code == 0, r.output
    data = page_data(out.read_text(encoding="utf-8"))
    labels = [p["label"] for p in data["time"]["periods"]]
    assert labels and all(len(lab.split(" ")[0]) == 7 for lab in labels)  # YYYY-MM
    cut = tmp_path / "c.html"
    r = CliRunner().invoke(main, ["html", "--dataset", "toy", "--company", "LabCo", "-o",
                                  str(cut)])
    assert r.exit_code == 0 and "time slider is left out" in r.stderr
    assert page_data(cut.read_text(encoding="utf-8"))["time"] is None
