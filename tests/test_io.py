"""Reading, validation and writing of deals and companies tables."""
from __future__ import annotations

import json
import math

import pandas as pd
import pytest

import flowgraph as fg
from flowgraph.errors import DataError, DatasetNotFoundError, FlowgraphError

HEADER = ("deal_id,payer,payee,amount_usd_bn,amount_low_usd_bn,amount_high_usd_bn,flow_type,"
          "status,announced,period_start,period_end,description,source_url,source_title,"
          "confidence,supersedes,part_of,estimate")


def write(tmp_path, text, name="deals.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def good_rows():
    return [
        "D1,A,B,10,,,equity_investment,committed,2025-01,2025,,inv,https://a.org,T,high,,,false",
        "D2,B,C,,4,6,compute_contract,announced,2025,,,\"rng, quoted\",https://b.org,T,medium,,,",
        "D3,C,A,5,,,chip_purchase,disbursed,2025-03-02,,,chips,https://c.org,T,low,,,true",
    ]


def test_read_csv_keeps_types_and_precision(tmp_path):
    p = write(tmp_path, HEADER + "\n" + "\n".join(good_rows()) + "\n")
    df = fg.read_deals(p)
    assert list(df.columns[:18]) == HEADER.split(",")
    assert df.loc[0, "amount_usd_bn"] == 10.0
    assert math.isnan(df.loc[1, "amount_usd_bn"])
    assert df.loc[1, "announced"] == "2025"  # year precision kept, not 2025-01-01
    assert df.loc[0, "announced"] == "2025-01"
    assert df["estimate"].tolist() == [False, False, True]
    assert df.loc[1, "description"] == "rng, quoted"


def test_unknown_columns_are_preserved_and_written_back(tmp_path):
    text = HEADER + ",analyst_note\n" + "\n".join(r + ",note " + str(i) for i, r in
                                                   enumerate(good_rows())) + "\n"
    df = fg.read_deals(write(tmp_path, text))
    assert df["analyst_note"].tolist() == ["note 0", "note 1", "note 2"]
    out = tmp_path / "out.csv"
    fg.write_deals(df, out)
    back = pd.read_csv(out, dtype=str)
    assert back["analyst_note"].tolist() == ["note 0", "note 1", "note 2"]


@pytest.mark.parametrize("name", ["toy", "ai-capital"])
@pytest.mark.parametrize("ext", ["csv", "json"])
def test_round_trip_every_bundled_dataset(tmp_path, name, ext):
    ds = fg.load_dataset(name)
    for table, writer, reader in ((ds.deals, fg.write_deals, fg.read_deals),
                                  (ds.companies, fg.write_companies, fg.read_companies)):
        path = tmp_path / f"t.{ext}"
        writer(table, path)
        back = reader(path)
        pd.testing.assert_frame_equal(
            back.reset_index(drop=True), table.reset_index(drop=True),
            check_dtype=False, check_like=False,
        )


def test_read_json_and_excel(tmp_path):
    df = fg.read_deals(write(tmp_path, HEADER + "\n" + "\n".join(good_rows()) + "\n"))
    fg.write_deals(df, tmp_path / "d.json")
    data = json.loads((tmp_path / "d.json").read_text())
    assert isinstance(data, list) and data[0]["deal_id"] == "D1"
    fg.write_deals(df, tmp_path / "d.xlsx")
    for path in (tmp_path / "d.json", tmp_path / "d.xlsx"):
        back = fg.read_deals(path)
        assert back["deal_id"].tolist() == ["D1", "D2", "D3"]
        assert back.loc[2, "amount_usd_bn"] == 5.0
        assert back.loc[1, "announced"] == "2025"


def test_dataframe_input_is_not_mutated():
    raw = pd.DataFrame({"deal_id": ["d"], "payer": ["A"], "payee": ["B"], "amount_usd_bn": ["1"],
                        "flow_type": ["other"], "status": ["committed"]})
    before = raw.copy()
    fg.read_deals(raw)
    pd.testing.assert_frame_equal(raw, before)


def test_validation_lists_every_problem_with_location(tmp_path):
    rows = [
        "D1,A,B,10,,,equity_investment,committed,2025-01,,,x,https://a.org,T,high,,,",
        "D1,A,C,1,,,equity_investment,committed,2025-01,,,dup id,https://a.org,T,high,,,",
        "D3,,B,1,,,other,committed,,,,empty payer,https://a.org,T,high,,,",
        "D4,A,A,1,,,other,committed,,,,self,https://a.org,T,high,,,",
        "D5,A,B,-2,,,other,committed,,,,neg,https://a.org,T,high,,,",
        "D6,A,B,abc,,,other,committed,,,,nan,https://a.org,T,high,,,",
        "D7,A,B,,9,3,other,committed,,,,low>high,https://a.org,T,high,,,",
        "D8,A,B,20,1,3,other,committed,,,,outside,https://a.org,T,high,,,",
        "D9,A,B,1,,,gift,paid,2025-13,,,enums,https://a.org,T,sure,,,",
        "D10,A,B,1,,,other,committed,,,,sup,https://a.org,T,high,NOPE,MISSING,maybe",
        "D11,A,B,1,,,other,committed,,,,cyc,https://a.org,T,high,D12,,",
        "D12,A,B,1,,,other,committed,,,,cyc,https://a.org,T,high,D11,,",
        "D13,A,B,,,,other,committed,,,,no amount no source,,T,high,,,",
    ]
    p = write(tmp_path, HEADER + "\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError) as info:
        fg.read_deals(p)
    err = info.value
    assert isinstance(err, ValueError) and isinstance(err, FlowgraphError)
    found = {(p.row, p.column) for p in err.errors}
    expected = {
        (2, "deal_id"), (3, "payer"), (4, "payee"), (5, "amount_usd_bn"), (6, "amount_usd_bn"),
        (7, "amount_low_usd_bn"), (8, "amount_usd_bn"), (9, "flow_type"), (9, "status"),
        (9, "confidence"), (9, "announced"), (10, "supersedes"), (10, "part_of"),
        (10, "estimate"),
    }
    assert expected <= found
    assert any("cycle of supersessions" in p.message for p in err.errors)
    msgs = {(p.row, p.column): p for p in err.errors}
    assert msgs[(9, "flow_type")].value == "gift"
    assert "equity_investment" in msgs[(9, "flow_type")].message  # lists the valid values
    assert "deals.csv: row 5, column 'amount_usd_bn', value '-2'" in err.details()
    warnings = {(p.row, p.column) for p in err.problems if p.severity == "warning"}
    assert (13, "amount_usd_bn") in warnings and (13, "source_url") in warnings


def test_missing_required_column(tmp_path):
    p = write(tmp_path, "deal_id,payer,amount_usd_bn\nD1,A,1\n")
    with pytest.raises(DataError) as info:
        fg.read_deals(p)
    cols = {p.column for p in info.value.errors}
    assert {"payee", "flow_type", "status"} <= cols


def test_not_utf8_and_not_a_table(tmp_path):
    p = tmp_path / "latin.csv"
    p.write_bytes((HEADER + "\nD1,Soci\xe9t\xe9,B,1,,,other,committed,,,,,,,,,,\n").encode("latin-1"))
    with pytest.raises(DataError, match="not UTF-8"):
        fg.read_deals(p)
    empty = write(tmp_path, "", "empty.csv")
    with pytest.raises(DataError, match="empty file"):
        fg.read_deals(empty)
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\x00\x01\x02PK\x03\x04")
    with pytest.raises(DataError):
        fg.read_deals(binary)
    bad_json = write(tmp_path, '{"a": 1}', "x.json")
    with pytest.raises(DataError, match="list of records"):
        fg.read_deals(bad_json)
    with pytest.raises(DataError, match="no such file"):
        fg.read_deals(tmp_path / "missing.csv")


def test_validate_file_collects_instead_of_raising(tmp_path):
    p = tmp_path / "latin.csv"
    p.write_bytes("a,b\n\xe9,1\n".encode("latin-1"))
    report = fg.validate_file(p)
    assert not report.ok and "UTF-8" in report.errors[0].message


def test_unknown_company_is_a_warning():
    deals = pd.DataFrame({"deal_id": ["d"], "payer": ["A"], "payee": ["Zed"],
                          "amount_usd_bn": [1.0], "flow_type": ["other"], "status": ["committed"],
                          "source_url": ["https://x.org"]})
    companies = pd.DataFrame({"name": ["A"], "kind": ["chipmaker"]})
    with pytest.warns(fg.DataWarning) as caught:
        df = fg.read_deals(deals, companies=companies)
    assert len(caught) == 1 and "problems" not in df.attrs
    assert [(p.column, p.value) for p in caught[0].message.problems] == [("payee", "Zed")]


def test_companies_validation():
    bad = pd.DataFrame({"name": ["A", "A", ""], "kind": ["bank", "chipmaker", "other"],
                        "revenue_usd_bn": ["x", "-1", "2"], "equity_usd_bn": ["-5", "", ""],
                        "revenue_as_of": ["2025-02-30", "", ""], "listed": ["maybe", "yes", ""]})
    problems = fg.validate_companies(bad)
    got = {(p.row, p.column) for p in problems}
    assert {(1, "kind"), (2, "name"), (3, "name"), (1, "revenue_usd_bn"), (2, "revenue_usd_bn"),
            (1, "revenue_as_of"), (1, "listed")} <= got
    assert (1, "equity_usd_bn") not in got  # negative book equity is possible


def test_companies_aliases_from_reference_layout():
    df = fg.read_companies(pd.DataFrame({"company": ["Nvidia"], "kind": ["chipmaker"],
                                         "market_cap_usd_bn": ["5054"]}))
    assert df.loc[0, "name"] == "Nvidia" and df.loc[0, "market_value_usd_bn"] == 5054.0


def test_bundled_datasets_validate_without_errors_and_every_row_has_a_source():
    listing = fg.list_datasets()
    assert {"toy", "ai-capital"} <= set(listing["name"])
    for name in listing["name"]:
        ds = fg.load_dataset(name)  # raises on any error
        assert ds.as_of
        assert ds.deals["source_url"].notna().all(), name
        assert ds.deals["source_url"].str.match(r"^https?://").all(), name
        assert not [p for p in ds.warnings if p.column == "source_url"]


def test_ai_capital_estimates_carry_their_inputs():
    deals = fg.load_dataset("ai-capital").deals
    est = deals[deals["estimate"]]
    assert len(est) >= 5
    assert est["estimate_inputs"].notna().all()


def test_unknown_dataset():
    with pytest.raises(DatasetNotFoundError, match="available: .*toy"):
        fg.load_dataset("nope")


def test_semicolon_and_tab_separated_files(tmp_path):
    # spreadsheets in many locales save "CSV" with ';' between the columns
    rows = [["deal_id", "payer", "payee", "flow_type", "status", "amount_usd_bn"],
            ["d1", "A", "B", "lease", "committed", "2.5"],
            ["d2", "B", "A", "other", "announced", ""]]
    for name, sep in (("semi.csv", ";"), ("tabs.tsv", "\t")):
        p = tmp_path / name
        p.write_text("\n".join(sep.join(r) for r in rows) + "\n", encoding="utf-8")
        df = fg.read_deals(p)
        assert df["deal_id"].tolist() == ["d1", "d2"]
        assert df["amount_usd_bn"].tolist()[0] == 2.5
        assert fg.validate_file(p).ok
    # a comma-separated file with ';' inside values is still read with commas
    p = tmp_path / "comma.csv"
    p.write_text("deal_id,payer,payee,flow_type,status,description\n"
                 'd1,A,B,lease,committed,"a; b"\n', encoding="utf-8")
    df = fg.read_deals(p)
    assert df["payer"].tolist() == ["A"] and df["description"].tolist() == ["a; b"]


# --------------------------------------------------------------------------- warnings
def _warned_deals(tmp_path, n_missing=5):
    """A deals file whose every row lacks an amount (one warning each) and one row lacks a
    source (another), so that the warnings outnumber what the message quotes."""
    lines = ["deal_id,payer,payee,flow_type,status,source_url"]
    lines += [f"d{i},A,B,lease,committed,https://x.org/{i}" for i in range(n_missing - 1)]
    lines.append(f"d{n_missing - 1},B,A,other,announced,")
    p = tmp_path / "warned.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_read_problems_are_one_data_warning_per_read(tmp_path):
    import warnings

    p = _warned_deals(tmp_path)
    expected = [q for q in fg.validate_file(p).problems if q.severity == "warning"]
    assert len(expected) == 6  # five missing amounts, one missing source
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = fg.read_deals(p)
    assert len(caught) == 1
    w = caught[0]
    assert w.category is fg.DataWarning and issubclass(fg.DataWarning, UserWarning)
    assert w.message.problems == tuple(expected) and w.message.source == str(p)
    text = str(w.message)
    assert text.startswith(f"{p}: 6 warnings: ")
    first = [str(q)[len(str(p)) + 2:] for q in expected[:fg.DataWarning.FIRST]]
    assert text == f"{p}: 6 warnings: " + "; ".join(first) + (
        "; and 3 more (the warning's .problems lists every one)")
    assert w.filename == __file__  # points at the caller's line
    # the table carries provenance for flowgraph's own functions only, no notes
    assert set(df.attrs) <= {"flowgraph_normalized", "flowgraph_validated"}
    # without validation nothing is checked, so nothing is said
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fg.read_deals(p, validate=False)


def test_one_warning_and_its_count(tmp_path):
    w = fg.DataWarning("x.csv", [fg.Problem("warning", "odd", "x.csv", 2, "payer", "Q")])
    assert str(w) == "x.csv: 1 warning: row 2, column 'payer', value 'Q': odd"
    assert w.problems[0].row == 2 and isinstance(w.problems, tuple)


def test_companies_and_revenue_readers_warn_the_same_way(tmp_path):
    p = tmp_path / "companies.csv"
    p.write_text("name,kind,revenue_usd_bn,revenue_as_of\nA,chipmaker,5,2020-01\n",
                 encoding="utf-8")
    with pytest.warns(fg.DataWarning) as caught:
        df = fg.read_companies(p, as_of="2025-06")
    assert len(caught) == 1 and caught[0].filename == __file__
    assert any("older than" in q.message for q in caught[0].message.problems)
    assert "problems" not in df.attrs and "source" not in df.attrs
    from flowgraph.revenue_tables import read_revenue_shares

    shares = pd.DataFrame({"company": ["CoreWeave"], "counterparty": ["Microsoft"],
                           "share": ["0.62"], "source_url": ["https://example.org"]})
    with pytest.warns(fg.DataWarning, match="no period") as caught:
        out = read_revenue_shares(shares)
    assert len(caught) == 1 and caught[0].filename == __file__
    assert "problems" not in out.attrs


def test_load_dataset_keeps_the_warnings_and_issues_none():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = fg.load_dataset("toy")
    assert ds.warnings and all(isinstance(q, fg.Problem) for q in ds.warnings)
    assert all(q.severity == "warning" for q in ds.warnings)
    # the same problems a validation of the files finds
    from flowgraph.io import _dataset_dirs

    d = _dataset_dirs()["toy"]
    report = fg.validate_file(str(d / "deals.csv"), str(d / "companies.csv"))
    assert sorted(map(str, ds.warnings)) == sorted(
        str(q).replace(str(d / "deals.csv"), "toy/deals.csv")
        .replace(str(d / "companies.csv"), "toy/companies.csv") for q in report.warnings)
    assert "problems" not in ds.deals.attrs and "problems" not in ds.companies.attrs


def test_validate_file_lists_the_warnings_without_issuing_them(tmp_path):
    import warnings

    p = _warned_deals(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = fg.validate_file(p)
    assert report.ok and len(report.warnings) == 6


def test_cli_prints_no_read_warning_and_keeps_them(tmp_path):
    from click.testing import CliRunner

    from flowgraph import cli

    p = _warned_deals(tmp_path)
    res = CliRunner().invoke(cli.main, ["summary", "--deals", str(p)])
    assert res.exit_code == 0, res.output
    assert "DataWarning" not in res.output and "warning" not in res.stderr.lower()
    opts = cli.Options(deals=str(p))
    ds = cli.ctx_dataset(opts)
    assert len(ds.warnings) == 6
    # validate still lists each one
    res = CliRunner().invoke(cli.main, ["validate", str(p)])
    assert res.output.count("warning: ") == 6


def test_a_byte_order_mark_is_dropped_and_the_bytes_parse_as_the_text(tmp_path):
    """A UTF-8 file with a byte-order mark reads like the same file without it (the fast
    reader takes the file's own bytes after the mark)."""
    from flowgraph.synthetic import synthetic_network

    deals = synthetic_network(30, 120, seed=3).deals.copy()
    deals.loc[0, "description"] = "Société, 日本 \"quoted\""
    plain = tmp_path / "plain.csv"
    fg.write_deals(deals, plain)
    marked = tmp_path / "marked.csv"
    marked.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    a, b = fg.read_deals(plain), fg.read_deals(marked)
    pd.testing.assert_frame_equal(a, b)
    assert a.columns[0] == "deal_id" and a.loc[0, "description"] == "Société, 日本 \"quoted\""


def test_an_unreadable_amount_is_one_error_not_also_a_missing_amount(tmp_path):
    """A cell that holds something other than an amount gets its error only; a blank amount
    still gets the warning that no amount is reported."""
    p = tmp_path / "d.csv"
    p.write_text("deal_id,payer,payee,amount_usd_bn,flow_type,status,source_url\n"
                 "D1,A,B,\"1,000\",other,committed,https://x.example/1\n"
                 "D2,A,B,true,other,committed,https://x.example/2\n"
                 "D3,A,B,inf,other,committed,https://x.example/3\n"
                 "D4,A,B,,other,committed,https://x.example/4\n"
                 "D5,A,B,2.5,other,committed,https://x.example/5\n")
    rep = fg.validate_file(p)
    amount = [(x.row, x.severity) for x in rep.problems if x.column == "amount_usd_bn"]
    assert sorted(amount) == [(1, "error"), (2, "error"), (3, "error"), (4, "warning")]
    assert "no amount reported" in next(x.message for x in rep.problems if x.row == 4)


def test_a_json_object_in_an_amount_is_one_error(tmp_path):
    p = tmp_path / "d.json"
    p.write_text(json.dumps([
        {"deal_id": "D1", "payer": "A", "payee": "B", "amount_usd_bn": {"v": 1},
         "flow_type": "other", "status": "committed", "source_url": "https://x.example/1"},
        {"deal_id": "D2", "payer": "B", "payee": "A", "amount_usd_bn": "lots",
         "flow_type": "other", "status": "committed", "source_url": "https://x.example/2"}]))
    rep = fg.validate_file(p)
    amount = sorted((x.row, x.message) for x in rep.problems if x.column == "amount_usd_bn")
    assert [row for row, _ in amount] == [1, 2]
    assert "JSON object" in amount[0][1] and "not a number" in amount[1][1]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_unicode_text_with_a_byte_order_mark_reads_as_utf8_does(tmp_path, encoding):
    """Excel's "Unicode Text" (UTF-16 with a byte-order mark, tab-separated) and UTF-32 say
    their encoding, so they read exactly, CSV and JSON alike; without the mark they are not
    read as anything but UTF-8."""
    text = ("deal_id\tpayer\tpayee\tamount_usd_bn\tflow_type\tstatus\tsource_url\r\n"
            "D1\tSoci\u00e9t\u00e9\tB\t1.5\tother\tcommitted\thttps://x.example/1\r\n"
            "D2\tB\t\u6771\u4eac\t2\tother\tcommitted\thttps://x.example/2\r\n")
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    wide = tmp_path / "wide.csv"
    wide.write_bytes(bom + text.encode(encoding))
    plain = write(tmp_path, text, "plain.csv")
    pd.testing.assert_frame_equal(fg.read_deals(wide), fg.read_deals(plain))
    js = tmp_path / "wide.json"
    js.write_bytes(bom + json.dumps([{"deal_id": "D1", "payer": "\u00c9", "payee": "B",
                                      "flow_type": "other", "status": "committed",
                                      "source_url": "https://x.example/1",
                                      "amount_usd_bn": 1}]).encode(encoding))
    assert fg.read_deals(js)["payer"].tolist() == ["\u00c9"]


def test_utf16_without_its_byte_order_mark_or_cut_short_is_refused(tmp_path):
    body = "deal_id,payer\r\nD1,A\r\n".encode("utf-16-le")
    no_bom = tmp_path / "nobom.csv"
    no_bom.write_bytes(body)
    with pytest.raises(DataError, match="NUL byte"):
        fg.read_deals(no_bom)
    cut = tmp_path / "cut.csv"
    cut.write_bytes(b"\xff\xfe" + body[:-1])
    with pytest.raises(DataError, match="not UTF-16 text after its byte-order mark"):
        fg.read_deals(cut)
