"""Results and graphs display themselves in notebooks: small escaped tables, an inline graph."""
from __future__ import annotations

import html
import re

import networkx as nx
import pytest

import flowgraph as fg


@pytest.fixture(scope="module")
def toy():
    return fg.build_graph(fg.load_dataset("toy"))


def _hostile():
    M = nx.MultiDiGraph()
    M.add_node("<script>alert(1)</script>", equity_usd_bn=5.0, cash_usd_bn=1.0)
    M.add_node("B&B", equity_usd_bn=5.0, cash_usd_bn=1.0)
    M.add_edge("<script>alert(1)</script>", "B&B", key="d1", amount=3.0, amount_known=True,
               flow_type="compute_contract", status="committed")
    M.add_edge("B&B", "<script>alert(1)</script>", key="d2", amount=2.0, amount_known=True,
               flow_type="equity_investment", status="committed")
    return M


@pytest.mark.parametrize("make", [
    lambda G: fg.summarize(G),
    lambda G: fg.company_exposure(G, "B&B"),
    lambda G: fg.stress_test(G, "B&B"),
    lambda G: fg.stress_range(G, "B&B"),
    lambda G: fg.company_profile(G, "B&B"),
    lambda G: fg.self_funded(G),
    lambda G: fg.keystones(G),
    lambda G: fg.company_circulation(G),
])
def test_results_show_as_escaped_tables(make):
    out = make(_hostile())._repr_html_()
    assert out.startswith("<table>") and "</table>" in out
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "B&amp;B" in out


def test_show_is_an_inline_offline_view(toy):
    v = fg.show(toy, height=500)
    frame = v._repr_html_()
    assert frame.startswith('<iframe srcdoc="') and "height:500px" in frame
    page = html.unescape(re.search(r'srcdoc="(.*?)" style', frame, re.S).group(1))
    assert page == v.html and "<html" in page
    # offline: nothing is loaded from the network
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']?https?://", page)
    for name in toy.nodes:
        assert name in page
