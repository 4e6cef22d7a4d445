"""The exported graph and the report in a real, offline, headless Chromium.

Skipped when Chromium (or the playwright package) is missing on a developer machine; fails
instead when the ``CI`` environment variable is set, so CI never silently skips them.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pytest

import flowgraph as fg
from flowgraph.html import to_html
from flowgraph.report import write_report

from browser_support import launched_chromium, page_data

READY_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def browser():
    yield from launched_chromium()


@dataclass
class Session:
    page: Any
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.console_errors == []
        assert self.page_errors == []
        assert self.dialogs == []
        assert self.blocked == []
        assert self.requests and all(u.startswith("file://") for u in self.requests), \
            self.requests


@pytest.fixture
def session(browser):
    context = browser.new_context(offline=True, viewport={"width": 1280, "height": 860},
                                  java_script_enabled=True)
    page = context.new_page()
    s = Session(page)

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            s.blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page.on("console", lambda m: s.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: s.page_errors.append(str(e)))
    page.on("request", lambda r: s.requests.append(r.url))

    def on_dialog(d):
        s.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    yield s
    context.close()


def _wait_ready(target) -> None:
    target.wait_for_selector("body[data-ready='1']", state="attached", timeout=READY_TIMEOUT_MS)


def _canvas_ink(target) -> int:
    """Pixels of the graph canvas that are not transparent."""
    return target.evaluate(
        """() => {
            const c = document.querySelector('#fg-graph canvas');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) n++; }
            return n;
        }"""
    )


def _distinct_colours(png: bytes) -> int:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        colours = im.convert("RGB").getcolors(maxcolors=1 << 24)
    return len(colours)


@pytest.fixture(scope="module")
def toy():
    return fg.build_graph(fg.load_dataset("toy"))


# ------------------------------------------------------------------ the graph page
def test_graph_page_draws_offline(session, toy, tmp_path):
    path = tmp_path / "graph.html"
    to_html(toy, path)
    page = session.page
    page.goto(path.as_uri())
    _wait_ready(page)
    counts = page.evaluate("[fgNodes.length, fgEdges.length]")
    # toy: 6 companies and 8 headline deals, one payer -> payee pair each
    assert counts == [toy.number_of_nodes(), toy.number_of_edges()] == [6, 8]
    labels = sorted(page.evaluate("fgNodes.get().map(n => n.label)"))
    assert labels == sorted(toy.nodes)
    assert _canvas_ink(page) > 2000
    shot = page.screenshot()
    assert _distinct_colours(shot) > 50
    # physics stopped after stabilisation
    assert page.evaluate("fgNetwork.physics.physicsEnabled") is False
    # the three loops are listed
    assert page.locator(".fg-cycle").count() == 3
    session.assert_clean()


def test_clicking_a_cycle_highlights_it(session, toy, tmp_path):
    path = tmp_path / "graph.html"
    to_html(toy, path)
    page = session.page
    page.goto(path.as_uri())
    _wait_ready(page)
    data = page_data(path.read_text(encoding="utf-8"))
    page.locator(".fg-cycle").nth(2).click()
    cyc = data["cycles"][2]
    state = page.evaluate(
        "ids => fgEdges.get().map(e => [e.id, e.width, e.color.opacity])", cyc["edges"])
    base = {e["id"]: e["width"] for e in data["edges"]}
    on = set(cyc["edges"])
    assert on
    for eid, width, opacity in state:
        if eid in on:
            assert width > base[eid] and opacity == 1
        else:
            assert opacity < 0.5
    assert page.locator(".fg-cycle.fg-active").count() == 1
    # clicking "Clear" restores every arrow
    page.click("#fg-clear")
    state = page.evaluate("fgEdges.get().map(e => [e.id, e.width, e.color.opacity])")
    assert all(opacity == 1 and width == base[eid] for eid, width, opacity in state)
    session.assert_clean()


PAYLOAD_SCRIPT = "<script>window.__fgPwned = 1; alert(1)</script>"
PAYLOAD_IMG = '<img src=x onerror="window.__fgPwned = 2; alert(2)">'
# ids may not hold ';' (it separates supersedes lists): the same markup, one statement
PAYLOAD_IMG_ID = '<img src=x onerror="window.__fgPwned = 2">'


def test_injected_markup_does_not_run(session, tmp_path):
    deals = pd.DataFrame({
        "deal_id": ["X1" + PAYLOAD_IMG_ID, "X2"],
        "payer": ["Evil " + PAYLOAD_IMG, "Good"],
        "payee": ["Good", "Evil " + PAYLOAD_IMG],
        "amount_usd_bn": [1.0, 2.0],
        "flow_type": ["other", "lease"],
        "status": ["committed", "announced"],
        "description": [PAYLOAD_SCRIPT, "</script><!-- " + PAYLOAD_IMG],
        "source_url": ["javascript:window.__fgPwned=3", "https://example.org/ok"],
        "source_title": [PAYLOAD_IMG, PAYLOAD_SCRIPT],
        "confidence": ["high", "high"],
    })
    G = fg.build_graph(deals)
    path = tmp_path / "evil.html"
    to_html(G, path, title="Evil " + PAYLOAD_SCRIPT)
    page = session.page
    page.goto(path.as_uri())
    _wait_ready(page)
    assert page.evaluate("fgNodes.length") == 2 and page.evaluate("fgEdges.length") == 2
    # open every rich box (details panel with links), as a click would
    for nid in page.evaluate("fgNodes.getIds()"):
        page.evaluate("id => fgDetails.node(id)", nid)
    for eid in page.evaluate("fgEdges.getIds()"):
        page.evaluate("id => fgDetails.edge(id)", eid)
        details = page.inner_text("#fg-details")
        assert "__fgPwned" in details  # the payload is there, as text
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__fgPwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('img, [onerror]').length") == 0
    hrefs = page.evaluate("[...document.querySelectorAll('a')].map(a => a.href)")
    assert all(h.startswith("https://") for h in hrefs), hrefs
    assert page.evaluate("document.scripts.length") == 3
    assert page.title().startswith("Evil <script>")
    session.assert_clean()


# ------------------------------------------------------------------ the report
def test_report_opens_offline(session, toy, tmp_path):
    rep = write_report(toy, tmp_path / "rep")
    page = session.page
    page.goto(rep.index.as_uri())
    page.wait_for_load_state("load")
    frame = next(f for f in page.frames if f.url.endswith("/graph.html"))
    _wait_ready(frame)
    assert frame.evaluate("[fgNodes.length, fgEdges.length]") == [6, 8]
    # browsers draw a frame only once it is on screen: scroll to it, then it is drawn
    page.locator("iframe.graph").scroll_into_view_if_needed()
    for _ in range(50):
        if _canvas_ink(frame) > 2000:
            break
        page.wait_for_timeout(100)
    assert _canvas_ink(frame) > 2000
    # every chart is loaded and drawn
    imgs = page.evaluate(
        "[...document.images].map(i => [i.getAttribute('src'), i.complete, i.naturalWidth])")
    assert len(imgs) == len(rep.charts) == 5  # the null-model histogram is the fifth
    assert all(ok and w > 100 for _src, ok, w in imgs), imgs
    # a deal link jumps to its row in the deals table, which links to the source
    page.click('a[href="#deal-T-CLOUD-CHIP-6"]')
    assert page.evaluate("location.hash") == "#deal-T-CLOUD-CHIP-6"
    row = page.inner_text("#deal-T-CLOUD-CHIP-6")
    assert "CloudCo" in row and "estimate" in row
    page.evaluate("window.scrollTo(0, 0)")
    shot = page.screenshot(full_page=False)
    assert _distinct_colours(shot) > 50
    (tmp_path / "report.png").write_bytes(page.screenshot(full_page=True))
    session.assert_clean()


def test_as_of_page_marks_estimated_flows_in_the_panel(session, tmp_path):
    G = fg.build_graph(fg.load_dataset("ai-capital"), as_of="2024-06-30")
    path = tmp_path / "graph.html"
    to_html(G, path, top=0)
    page = session.page
    page.goto(path.as_uri())
    _wait_ready(page)
    data = page_data(path.read_text(encoding="utf-8"))
    # MSFT-NVDA-GPU: a range of 12.1-24.8, counted at its midpoint
    row = fg.load_dataset("ai-capital").deals.set_index("deal_id").loc["MSFT-NVDA-GPU"]
    mid = fg.formatting.money((row["amount_low_usd_bn"] + row["amount_high_usd_bn"]) / 2)
    msft = next(n["id"] for n in data["nodes"] if n["label"] == "Microsoft")
    page.evaluate(f"fgDetails.node({msft})")
    panel = page.locator("#fg-details").inner_text()
    assert f"$43bn known, of which {mid} estimated" in panel
    sub = page.locator("#fg-sub").inner_text()
    assert sub.startswith("22 companies (and ") and "as of 2024-06-30 (data to " in sub
    session.assert_clean()
