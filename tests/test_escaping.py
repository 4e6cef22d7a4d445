"""Data text is escaped in every output format, and every writer round-trips exactly."""
from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from click.testing import CliRunner

import flowgraph as fg
from flowgraph import escape
from flowgraph.cli import format_markdown, format_table, main

HOSTILE = ["<img src=x onerror=alert(1)>", "[click](javascript:alert(1))", "=HYPERLINK(\"x\")",
           "+1 Capital", "-Minus Co", "@SUM(A1)", "|pipe|Co", "*bold* _em_"]


def hostile_deals(tmp_path, extra=None):
    recs = []
    names = [*HOSTILE, "Plain"]
    for i, (a, b) in enumerate(zip(names, names[1:] + names[:1])):
        rec = {"deal_id": f"D{i}", "payer": a, "payee": b, "amount_usd_bn": 1.0 + i,
               "flow_type": "other", "status": "committed", "source_url": "https://x.org",
               "description": f"row {i} \u202egnp.exe\r\n=1+1", **(extra or {})}
        recs.append(rec)
    p = tmp_path / "hostile.json"
    p.write_text(json.dumps(recs), encoding="utf-8")
    return p


def test_markdown_output_renders_no_html_and_no_unsafe_links(tmp_path):
    md_it = pytest.importorskip("markdown_it")
    p = hostile_deals(tmp_path)
    res = CliRunner().invoke(main, ["deals", "--deals", str(p), "--format", "markdown"])
    assert res.exit_code == 0, res.output
    html = md_it.MarkdownIt("commonmark").enable("table").render(res.output)
    assert "<img" not in html
    assert 'href="javascript' not in html
    assert "<strong>" not in html and "<em>" not in html
    # every row still has its cells: no '|' from the data opened a new column
    rows = [r for r in res.output.splitlines() if r.startswith("| D")]
    assert len(rows) == len(HOSTILE) + 1
    widths = {r.replace("\\|", "").count("|") for r in rows}
    assert len(widths) == 1


def test_markdown_link_only_for_http():
    assert escape.markdown_link("x", "javascript:alert(1)") == "x"
    assert escape.markdown_link("x", "https://a.org") == "[x](<https://a.org>)"


def _csv_cells(text):
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def test_csv_output_neutralises_formulas_and_round_trips(tmp_path):
    p = hostile_deals(tmp_path)
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(main, ["deals", "--deals", str(p), "--format", "csv", "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    live = [c for c in _csv_cells(text) if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert live == []
    back = fg.read_deals(out)
    orig = fg.read_deals(p)
    assert sorted(back["payer"]) == sorted(orig["payer"])
    assert sorted(back["description"]) == sorted(orig["description"])
    raw = tmp_path / "raw.csv"
    CliRunner().invoke(main, ["deals", "--deals", str(p), "--format", "csv", "--raw-csv",
                              "-o", str(raw)])
    assert any(c.startswith("=HYPERLINK") for c in _csv_cells(raw.read_text(encoding="utf-8")))


def test_analysis_csv_neutralises_formulas(tmp_path):
    p = hostile_deals(tmp_path)
    res = CliRunner().invoke(main, ["summary", "--deals", str(p), "--format", "csv",
                                    "--table", "Largest payers"])
    if res.exit_code != 0:  # table names differ by version: any csv table will do
        res = CliRunner().invoke(main, ["cycles", "--deals", str(p), "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert [c for c in _csv_cells(res.output) if c[:1] in ("=", "+", "@")] == []


def test_spreadsheet_escape_is_inverted_by_the_reader():
    for text in ["=a", "'=a", "''=a", "'plain", "-", "@", "\tx", "ok", "''"]:
        assert escape.unspreadsheet(escape.spreadsheet(text)) == text


def test_xlsx_never_holds_a_live_formula(tmp_path):
    import openpyxl

    ds = fg.read_deals(hostile_deals(tmp_path))
    out = tmp_path / "d.xlsx"
    fg.write_deals(ds, out)
    wb = openpyxl.load_workbook(out)
    kinds = {c.data_type for row in wb.active.iter_rows() for c in row}
    assert "f" not in kinds
    back = fg.read_deals(out)
    assert back["payer"].tolist() == ds["payer"].tolist()
    assert back["description"].tolist() == ds["description"].tolist()


def test_terminal_table_escapes_control_characters(tmp_path):
    p = hostile_deals(tmp_path, extra={"note": "\x1b]0;owned\x07\x1b[2J"})
    res = CliRunner().invoke(main, ["deals", "--deals", str(p), "--all-columns"])
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.output and "\x07" not in res.output and "\u202e" not in res.output
    df = pd.DataFrame({"name": ["a\x1b[31mb", "c\u202ed"]})
    assert "\x1b" not in format_table(df) and "\u202e" not in format_table(df)
    assert "a\\x1b[31mb" in format_table(df)
    assert "<" not in format_markdown(pd.DataFrame({"n": ["<b>"]})).split("\n", 2)[2]


def test_chart_labels_are_plain_text(tmp_path):
    pytest.importorskip("matplotlib")
    from flowgraph.charts import bar_chart

    out = bar_chart(["A $\\frac{1}{$ Co", "$x^2$"], [1.0, 2.0], tmp_path / "c.png", title="t",
                    xlabel="x", note="costs $5bn and $3bn")
    assert out.exists() and out.stat().st_size > 0


def test_report_with_mathtext_names(tmp_path):
    pytest.importorskip("matplotlib")
    df = pd.DataFrame([
        {"deal_id": "D1", "payer": "A $\\frac{1}{$", "payee": "B$x^2$", "amount_usd_bn": 5.0},
        {"deal_id": "D2", "payer": "B$x^2$", "payee": "A $\\frac{1}{$", "amount_usd_bn": 3.0}])
    df["flow_type"], df["status"], df["source_url"] = "other", "committed", "https://x.org"
    rep = fg.write_report(fg.build_graph(df), tmp_path / "r", samples=0)
    assert rep.index.exists()


# ----------------------------------------------------------------- exact round trips
EDGE_FLOATS = [0.1 + 0.2, 1 / 3, 123456.789123456789, 1e-9 * 3.3333333333333335,
               999999.9999999999, 2.5e-7, 0.0]


@pytest.mark.parametrize("ext", ["csv", "json", "xlsx"])
def test_floats_and_cr_round_trip_exactly(tmp_path, ext):
    n = len(EDGE_FLOATS)
    df = pd.DataFrame({
        "deal_id": [f"D{i}" for i in range(n)], "payer": ["A"] * n, "payee": ["B"] * n,
        "amount_usd_bn": EDGE_FLOATS, "flow_type": ["other"] * n, "status": ["committed"] * n,
        "source_url": ["https://x.org"] * n,
        "description": ["bare\rcr", "crlf\r\nx", 'q"uote', "a,b", "=1", "'=1", "x"]})
    src = fg.read_deals(df)
    out = tmp_path / f"d.{ext}"
    fg.write_deals(src, out)
    back = fg.read_deals(out)
    assert back["amount_usd_bn"].tolist() == src["amount_usd_bn"].tolist()
    assert back["description"].tolist() == src["description"].tolist()


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path, monkeypatch):
    out = tmp_path / "d.csv"
    ds = fg.load_dataset("toy")
    fg.write_deals(ds.deals, out)
    before = out.read_bytes()
    import flowgraph._files as files

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", boom)
    with pytest.raises(OSError):
        fg.write_deals(ds.deals.head(1), out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["d.csv"]


def test_report_refuses_a_folder_of_other_files(tmp_path):
    G = fg.build_graph(fg.load_dataset("toy"))
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "index.html").write_text("my own page")
    with pytest.raises(fg.ParameterError, match="force"):
        fg.write_report(G, folder, charts=False)
    assert (folder / "index.html").read_text() == "my own page"
    res = CliRunner().invoke(main, ["report", "--dataset", "toy", "-o", str(folder),
                                    "--no-charts"])
    assert res.exit_code == 1 and "--force" in res.output
    fg.write_report(G, folder, charts=False, force=True, samples=0)
    fresh = tmp_path / "new"
    fg.write_report(G, fresh, charts=False, samples=0)
    fg.write_report(G, fresh, charts=False, samples=0)  # an earlier report is replaced


def test_deals_csv_of_a_filtered_subset_validates(tmp_path):
    out = tmp_path / "x.csv"
    res = CliRunner().invoke(main, ["deals", "--status", "committed", "--format", "csv",
                                    "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert fg.validate_file(out).ok, fg.validate_file(out).errors


def test_error_messages_escape_control_characters(tmp_path):
    bad = tmp_path / "evil\x1b]0;x\x07.csv"
    bad.write_text("deal_id,payer,payee,flow_type,status\nD1,A,A,other,committed\n")
    res = CliRunner().invoke(main, ["summary", "--deals", str(bad)])
    assert res.exit_code == 1
    assert "\x1b" not in res.output and "\x07" not in res.output


def test_export_raw_csv_keeps_formula_text(tmp_path):
    p = hostile_deals(tmp_path)
    safe, raw = tmp_path / "s.csv", tmp_path / "r.csv"
    for out, extra in ((safe, []), (raw, ["--raw-csv"])):
        res = CliRunner().invoke(main, ["export", "--deals", str(p), "--to", "deals-csv",
                                        "-o", str(out), *extra])
        assert res.exit_code == 0, res.output
    assert not any(c.startswith("=") for c in _csv_cells(safe.read_text(encoding="utf-8")))
    assert any(c.startswith("=") for c in _csv_cells(raw.read_text(encoding="utf-8")))
    assert fg.read_deals(safe)["payer"].tolist() == fg.read_deals(p)["payer"].tolist()
