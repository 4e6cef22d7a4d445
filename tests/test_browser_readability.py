"""The HTML graph read at laptop and desktop sizes: legend, label size, tooltips, labels.

Screens of 1280x720 and 1920x1080 in headless Chromium, offline. Skipped when Chromium or
playwright is missing on a developer machine; fails instead when ``CI`` is set.
"""
from __future__ import annotations


import pytest

import flowgraph as fg

from browser_support import launched_chromium

SCREENS = [(1280, 720), (1920, 1080)]


@pytest.fixture(scope="module")
def page_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("g") / "graph.html"
    fg.to_html(fg.build_graph(fg.load_dataset("ai-capital")), path)
    return path


@pytest.fixture(scope="module")
def browser():
    yield from launched_chromium()


@pytest.fixture(params=SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def page(browser, page_file, request):
    w, h = request.param
    ctx = browser.new_context(offline=True, viewport={"width": w, "height": h})
    pg = ctx.new_page()
    pg.goto(page_file.as_uri())
    pg.wait_for_selector("body[data-ready='1']", state="attached", timeout=60_000)
    yield pg
    ctx.close()


def test_legend_is_visible_without_scrolling(page):
    box = page.evaluate("""() => { const r = document.getElementById('fg-legend')
        .getBoundingClientRect(); return [r.top, r.bottom, r.left, r.right, innerHeight,
        innerWidth, document.querySelector('.fg-side').scrollTop]; }""")
    top, bottom, _left, right, vh, vw, scrolled = box
    assert scrolled == 0 and 0 <= top and bottom <= vh and right <= vw, box


def test_labels_are_readable_once_fitted(page):
    px = page.evaluate("""() => { const s = fgNetwork.getScale();
        return [fgNetwork.body.nodes[fgNodes.getIds()[0]].options.font.size * s,
                fgNetwork.body.edges[fgEdges.getIds()[0]].options.font.size * s]; }""")
    assert px[0] >= 12 - 1e-6 and px[1] >= 10 - 1e-6, px


def test_largest_flow_labels_do_not_cover_a_company(page):
    # the label boxes as vis-network drew them, against every other company's dot; the
    # labels are level, so the box measured is the box drawn
    hits = page.evaluate("""() => {
        const pos = fgNetwork.getPositions(), out = [];
        const top = fgEdges.get().filter(e => e.label && e.label !== '?')
            .sort((a, b) => b.width - a.width).slice(0, 5);
        for (const e of top) {
          const edge = fgNetwork.body.edges[e.id], lab = edge.labelModule.size;
          if (edge.options.font.align !== 'horizontal') out.push([e.label, 'not level']);
          for (const id of Object.keys(pos)) {
            if (id === String(e.from) || id === String(e.to)) continue;
            const n = fgNetwork.body.nodes[id], r = n.options.size, p = pos[id];
            if (lab.left < p.x + r && p.x - r < lab.left + lab.width
                && lab.top < p.y + r && p.y - r < lab.top + lab.height) {
              out.push([e.label, n.options.label]);
            }
          }
        }
        return out; }""")
    assert hits == []


def test_the_largest_flow_keeps_its_label_and_a_label_left_off_says_so(page):
    # the largest known flow of the page's data is labelled on its arrow (not moved to the
    # tooltip); any label left off because it would cover a company is named in its tooltip
    largest, shown, left_off = page.evaluate("""() => {
        const data = JSON.parse(document.getElementById('fg-data').textContent);
        const top = data.edges.filter(e => e.label && e.label !== '?')
            .sort((a, b) => b.width - a.width)[0];
        const off = fgEdges.get().filter(e => !e.label && e.title
            && e.title.textContent.includes('not written on the arrow'));
        return [top.label, fgEdges.get(top.id).label,
                [fgLabelMoves.filter(m => m.left_off).length, off.length]]; }""")
    assert shown == largest
    assert left_off[0] == left_off[1]


def test_tooltip_sits_beside_the_hovered_company(page):
    centre = page.evaluate("""() => { const id = fgNodes.get().sort((a, b) => b.size - a.size)[0].id;
        const c = fgNetwork.canvasToDOM(fgNetwork.getPosition(id));
        const r = document.getElementById('fg-graph').getBoundingClientRect();
        return [c.x + r.left, c.y + r.top, fgNodes.get(id).size * fgNetwork.getScale()]; }""")
    x, y, radius = centre
    page.mouse.move(x - 40, y - 40)
    page.mouse.move(x, y)
    page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
    page.wait_for_timeout(200)
    tip = page.evaluate("""() => { const r = document.querySelector('div.vis-tooltip')
        .getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }""")
    left, _top, right, _bottom = tip
    # not over the company's dot: entirely to one side of it
    assert left >= x + radius or right <= x - radius, (tip, centre)
