"""flowgraph figure: a static SVG and PNG of one loop or one company's neighbourhood."""
from __future__ import annotations

import itertools
import struct
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

import flowgraph as fg
from flowgraph.cli import main
from flowgraph.errors import ParameterError
from flowgraph.figures import WIDTH_IN, figure
from flowgraph.html import fmt_bn


@pytest.fixture(scope="module")
def ai():
    return fg.build_graph(fg.load_dataset("ai-capital"))


def _no_overlap(boxes):
    for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2):
        inter = not (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])
        assert not inter, (i, j, a, b)


def _png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("kind", ["loop", "rank", "company"])
def test_figure_parses_has_the_labels_and_no_text_overlaps(ai, tmp_path, kind):
    args = {"loop": {"loop": "Amazon>Anthropic>Microsoft>OpenAI"}, "rank": {"rank": 2},
            "company": {"company": "Oracle"}}[kind]
    r = figure(ai, path=tmp_path / "f", **args)
    svg = next(p for p in r.paths if p.suffix == ".svg")
    ET.parse(svg)  # well-formed XML
    w, _ = _png_size(next(p for p in r.paths if p.suffix == ".png"))
    assert w == pytest.approx(WIDTH_IN * 200, abs=2)  # an article column at 200 dpi
    text = " ".join(r.labels)
    assert f"Data as of {ai.graph['as_of']}" in text
    for i, url in enumerate(r.sources, 1):
        assert f"[{i}]" in text and url.replace("/", "") in text.replace("\n", "").replace(
            " ", "").replace("/", "")
    _no_overlap(r.text_boxes)
    if kind == "loop":  # each hop's amount, as the collapsed graph sums it
        C = fg.collapse(ai)
        names = ["Amazon", "Anthropic", "Microsoft", "OpenAI"]
        for a, b in zip(names, names[1:] + names[:1]):
            assert fmt_bn(C[a][b]["amount"]) in text
            assert a in r.labels


def test_reported_only_figure_has_no_estimates(tmp_path):
    ds = fg.load_dataset("ai-capital")
    full = figure(fg.build_graph(ds), loop="Nvidia>OpenAI", path=tmp_path / "a")
    rep = figure(fg.build_graph(ds, reported_only=True), company="Nvidia",
                 path=tmp_path / "b")
    assert any("est." in x for x in full.labels)
    assert not any(" est." in x for x in rep.labels)
    assert "reported amounts only" in " ".join(rep.labels)


def test_bad_requests_are_refused(ai, tmp_path):
    with pytest.raises(ParameterError):
        figure(ai, path=tmp_path / "x")
    with pytest.raises(ParameterError, match="not a loop"):
        figure(ai, loop="Meta>OpenAI", path=tmp_path / "x")
    with pytest.raises(ParameterError, match="only"):
        figure(ai, rank=10_000, path=tmp_path / "x")


def test_cli_figure(tmp_path):
    r = CliRunner().invoke(main, ["figure", "--rank", "1", "-o", str(tmp_path / "one")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "one.svg").is_file() and (tmp_path / "one.png").is_file()
    r = CliRunner().invoke(main, ["figure"])
    assert r.exit_code == 2


def test_as_of_figure_says_the_views_date(tmp_path):
    ds = fg.load_dataset("ai-capital")
    G = fg.build_graph(ds, as_of="2025-09-30")
    r = figure(G, company="Oracle", path=tmp_path / "f")
    text = " ".join(r.labels).replace("\n", " ")
    assert ds.as_of != "2025-09-30"
    assert f"As of 2025-09-30 (data to {ds.as_of})" in text
    assert f"Data as of {ds.as_of}" not in text


def test_cli_as_of_figure_caption(tmp_path):
    out = tmp_path / "X"
    res = CliRunner().invoke(main, ["figure", "--of", "Oracle", "--as-of", "2025-09-30",
                                    "-o", str(out)])
    assert res.exit_code == 0, res.output
    svg = (tmp_path / "X.svg").read_text(encoding="utf-8")
    assert "As of 2025-09-30 (data to " in svg
    assert "Data as of" not in svg
