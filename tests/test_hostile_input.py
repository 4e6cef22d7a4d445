"""Hostile or odd input: every case is refused or warned about, never read silently wrong."""
from __future__ import annotations

import json

import pandas as pd
import pytest

import flowgraph as fg
from flowgraph.errors import DataError, ParameterError

HEAD = "deal_id,payer,payee,amount_usd_bn,flow_type,status,announced,source_url"


def write(tmp_path, text, name="deals.csv"):
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8", newline="")
    return p


def rows(*lines):
    return HEAD + "\n" + "\n".join(lines) + "\n"


def good(i, payer, payee, amount="1"):
    return f"D{i},{payer},{payee},{amount},equity_investment,committed,2025-01,https://x.org/{i}"


def errors(path_or_df, **kw):
    rep = fg.validate_file(path_or_df, **kw)
    return [p for p in rep.problems if p.severity == "error"]


def warnings(path_or_df):
    return [p for p in fg.validate_file(path_or_df).problems if p.severity == "warning"]


def frame(records):
    base = {"flow_type": "equity_investment", "status": "committed", "source_url": "https://x.org"}
    return pd.DataFrame([{**base, **r} for r in records])


# ----------------------------------------------------------------- line breaks and quotes
def test_unclosed_quote_swallowing_rows_is_an_error_naming_the_row(tmp_path):
    text = (HEAD + "\n"
            'D1,A,B,10,equity_investment,committed,2025-01,"https://example.org/1\n'
            "D2,B,C,8,compute_contract,committed,2025-02,https://example.org/2\n"
            'D3,C,A,5,chip_purchase,committed,2025-03,https://example.org/3"\n')
    errs = errors(write(tmp_path, text))
    assert errs, "the swallowed rows must not validate"
    assert any(p.row == 1 and p.column == "source_url" and "line break" in p.message
               for p in errs)
    with pytest.raises(DataError):
        fg.read_deals(write(tmp_path, text))


def test_quote_never_closed_to_the_end_of_file_is_an_error(tmp_path):
    text = rows(good(1, "A", "B"), 'D2,B,C,8,other,committed,2025-02,"https://x.org/2')
    errs = errors(write(tmp_path, text))
    assert len(errs) == 1 and "never closed" in errs[0].message


@pytest.mark.parametrize("column,value", [
    ("payer", '"A\nB"'), ("deal_id", '"D\r9"'), ("flow_type", '"other\n"x'),
    ("announced", '"2025\n-01"'), ("amount_usd_bn", '"1\n"')])
def test_line_break_in_a_one_line_column_is_an_error(tmp_path, column, value):
    cells = {"deal_id": "D9", "payer": "P", "payee": "Q", "amount_usd_bn": "1",
             "flow_type": "other", "status": "committed", "announced": "2025-01",
             "source_url": "https://x.org"}
    cells[column] = value
    text = rows(",".join(cells[c] for c in HEAD.split(",")))
    errs = errors(write(tmp_path, text))
    assert any(p.row == 1 and p.column == column and "line break" in p.message
               for p in errs), errs


def test_line_break_in_description_is_fine(tmp_path):
    text = ("deal_id,payer,payee,amount_usd_bn,flow_type,status,source_url,description\n"
            'D1,A,B,1,other,committed,https://x.org,"two\nlines"\n')
    assert errors(write(tmp_path, text)) == []


def test_url_with_whitespace_is_an_error(tmp_path):
    errs = errors(write(tmp_path, rows("D1,A,B,1,other,committed,2025,https://x.org/a b")))
    assert [(p.row, p.column) for p in errs] == [(1, "source_url")]


# ----------------------------------------------------------------- supersession structure
def struct(records):
    return frame([{"amount_usd_bn": 1.0, **r} for r in records])


def test_part_of_cycle_is_an_error():
    df = struct([{"deal_id": "D1", "payer": "A", "payee": "B", "part_of": "D2"},
                 {"deal_id": "D2", "payer": "A", "payee": "B", "part_of": "D1"}])
    errs = errors(df)
    assert any("cycle of tranches" in p.message for p in errs)


def test_supersedes_and_part_of_the_same_row_is_an_error():
    df = struct([{"deal_id": "D1", "payer": "A", "payee": "B", "amount_usd_bn": 5},
                 {"deal_id": "D2", "payer": "A", "payee": "B", "part_of": "D1",
                  "supersedes": "D1"}])
    assert any("both supersede" in p.message for p in errors(df))


def test_tranche_with_other_payer_is_an_error():
    df = struct([{"deal_id": "D1", "payer": "A", "payee": "B", "amount_usd_bn": 5},
                 {"deal_id": "D2", "payer": "C", "payee": "B", "part_of": "D1"}])
    errs = errors(df)
    assert any(p.row == 2 and "tranche must have its headline's payer" in p.message
               for p in errs)


def test_tranches_above_the_headline_high_end_are_an_error():
    df = struct([{"deal_id": "H", "payer": "A", "payee": "B", "amount_usd_bn": 5},
                 {"deal_id": "T1", "payer": "A", "payee": "B", "part_of": "H",
                  "amount_usd_bn": 3},
                 {"deal_id": "T2", "payer": "A", "payee": "B", "part_of": "H",
                  "amount_usd_bn": 3}])
    errs = errors(df)
    assert any(p.row == 1 and "add up to 6" in p.message for p in errs)
    ok = df.assign(amount_usd_bn=[6.0, 3.0, 3.0])
    assert errors(ok) == []


def test_superseding_a_flow_in_the_other_direction_is_an_error():
    df = struct([{"deal_id": "D1", "payer": "A", "payee": "B"},
                 {"deal_id": "D2", "payer": "B", "payee": "A", "supersedes": "D1"}])
    assert any("other direction" in p.message for p in errors(df))


def test_bundled_datasets_still_validate():
    for name in ("toy", "ai-capital"):
        fg.load_dataset(name)


# ----------------------------------------------------------------- amounts
@pytest.mark.parametrize("value", [True, "inf", "Infinity", "-inf", "1e400", "1e-320",
                                   "1" * 400, 2e6])
def test_non_amounts_are_errors(value):
    df = frame([{"deal_id": "D1", "payer": "A", "payee": "B", "amount_usd_bn": value}])
    errs = errors(df)
    assert [(p.row, p.column) for p in errs] == [(1, "amount_usd_bn")], errs


def test_json_true_as_amount_is_an_error(tmp_path):
    rec = {"deal_id": "D1", "payer": "A", "payee": "B", "amount_usd_bn": True,
           "flow_type": "other", "status": "committed", "source_url": "https://x.org"}
    p = write(tmp_path, json.dumps([rec]), "d.json")
    assert [p_.column for p_ in errors(p)] == ["amount_usd_bn"]


def test_edge_amounts_in_range_are_accepted():
    df = frame([{"deal_id": "D1", "payer": "A", "payee": "B", "amount_usd_bn": 1e6},
                {"deal_id": "D2", "payer": "A", "payee": "B", "amount_usd_bn": 1e-9},
                {"deal_id": "D3", "payer": "A", "payee": "B", "amount_usd_bn": 0.0}])
    assert errors(df) == []


# ----------------------------------------------------------------- excel
def _workbook(path, sheets):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, table in sheets.items():
        ws = wb.create_sheet(name)
        for r in table:
            ws.append(r)
    wb.save(path)
    return path


XHEAD = ["deal_id", "payer", "payee", "amount_usd_bn", "flow_type", "status", "source_url"]


def test_xlsx_keeps_na_text(tmp_path):
    p = _workbook(tmp_path / "c.xlsx", {"Sheet": [["name", "ticker"], ["Nacorp", "NA"],
                                                  ["Nullco", "NULL"], ["Noneco", "None"]]})
    df = fg.read_companies(p)
    assert df["ticker"].tolist() == ["NA", "NULL", "None"]


def test_xlsx_sheet_choice(tmp_path):
    deals = [XHEAD, ["D1", "A", "B", 1, "other", "committed", "https://x.org"]]
    p = _workbook(tmp_path / "d.xlsx", {"notes": [["x"], [1]], "deals": deals})
    with pytest.warns(fg.DataWarning) as caught:
        df = fg.read_deals(p)
    assert df["deal_id"].tolist() == ["D1"]
    assert any("read sheet 'deals'" in w.message for w in caught[0].message.problems)
    p2 = _workbook(tmp_path / "e.xlsx", {"a": deals, "b": deals})
    with pytest.raises(DataError, match="--sheet"):
        fg.read_deals(p2)
    assert fg.read_deals(p2, sheet="b")["deal_id"].tolist() == ["D1"]
    with pytest.raises(DataError, match="no sheet 'c'"):
        fg.read_deals(p2, sheet="c")


def test_xlsx_error_and_uncached_formula_cells_are_errors(tmp_path):
    deals = [XHEAD, ["D1", "A", "B", "=1/0", "other", "committed", "https://x.org"],
             ["D2", "B", "A", "=2*3", "other", "committed", "https://x.org"]]
    p = _workbook(tmp_path / "d.xlsx", {"deals": deals})  # openpyxl saves no cached values
    with pytest.raises(DataError) as exc:
        fg.read_deals(p)
    assert {(q.row, q.column) for q in exc.value.problems} == {(1, "amount_usd_bn"),
                                                              (2, "amount_usd_bn")}
    import openpyxl

    wb = openpyxl.load_workbook(p)
    ws = wb["deals"]
    ws["D2"] = "#DIV/0!"
    ws["D2"].data_type = "e"
    ws["D3"] = 6
    wb.save(p)
    with pytest.raises(DataError, match="error value"):
        fg.read_deals(p)


def test_xlsx_true_as_amount_is_an_error(tmp_path):
    deals = [XHEAD, ["D1", "A", "B", True, "other", "committed", "https://x.org"]]
    p = _workbook(tmp_path / "d.xlsx", {"deals": deals})
    assert [q.column for q in errors(p)] == ["amount_usd_bn"]


# ----------------------------------------------------------------- duplicates and NUL
def test_duplicate_csv_headers_are_an_error(tmp_path):
    text = "deal_id,payer,payee,amount_usd_bn,amount_usd_bn,flow_type,status\n" \
           "D1,A,B,1,2,other,committed\n"
    with pytest.raises(DataError, match="duplicate column header 'amount_usd_bn'"):
        fg.read_deals(write(tmp_path, text))


def test_duplicate_json_keys_are_an_error(tmp_path):
    text = ('[{"deal_id": "D1", "payer": "A", "payer": "C", "payee": "B", "flow_type": "other",'
            ' "status": "committed"}]')
    with pytest.raises(DataError, match="duplicate key 'payer'"):
        fg.read_deals(write(tmp_path, text, "d.json"))


def test_nul_after_4kb_is_an_error(tmp_path):
    lines = [good(i, "A", "B") for i in range(200)] + [good(999, "Evil\x00Co", "B")]
    with pytest.raises(DataError, match="NUL"):
        fg.read_deals(write(tmp_path, rows(*lines)))


def test_nul_in_a_dataframe_cell_is_an_error():
    df = frame([{"deal_id": "D1", "payer": "A\x00", "payee": "B", "amount_usd_bn": 1}])
    assert [p.column for p in errors(df)] == ["payer"]


# ----------------------------------------------------------------- unicode
def test_nfd_and_nfc_names_are_one_company(tmp_path):
    nfc, nfd = "Soci\u00e9t\u00e9", "Socie\u0301te\u0301"
    df = fg.read_deals(write(tmp_path, rows(good(1, nfc, "B"), good(2, "B", nfd))))
    assert df["payer"][0] == df["payee"][1] == nfc
    G = fg.build_graph(df)
    assert G.number_of_nodes() == 2


@pytest.mark.parametrize("name", ["Open\u200bAI", "OpenAI\u200f", "\u200b\u200b",
                                  "Open\u00a0AI", "A\x1b[2J"])
def test_invisible_and_control_characters_in_names_are_errors(name):
    df = frame([{"deal_id": "D1", "payer": name, "payee": "B", "amount_usd_bn": 1}])
    assert [p.column for p in errors(df)] == ["payer"], errors(df)


@pytest.mark.parametrize("a,b", [("openai", "OpenAI"), ("Nvidia", "Nvid\u0456a"),
                                 ("Oracle", "\uff2fracle"), ("Open AI", "OpenAI"),
                                 ("core weave", "CoreWeave")])
def test_lookalike_names_warn_with_both_spellings(a, b):
    df = frame([{"deal_id": "D1", "payer": a, "payee": "X", "amount_usd_bn": 1},
                {"deal_id": "D2", "payer": "X", "payee": b, "amount_usd_bn": 1}])
    warn = [p for p in warnings(df) if "differ only" in p.message]
    assert len(warn) == 1
    assert repr(a) in warn[0].message and repr(b) in warn[0].message


def test_lookalike_company_names_warn():
    probs = fg.validate_companies(pd.DataFrame({"name": ["OpenAI", "openai"]}))
    assert any("differ only by letter case" in p.message for p in probs)


@pytest.mark.parametrize("a,b,how", [("OpenAI", "openai", "letter case"),
                                     ("Open AI", "OpenAI", "spacing"),
                                     ("core weave", "CoreWeave", "letter case and spacing"),
                                     ("Nvidia", "Nvid\u0456a", "look-alike letters")])
def test_lookalike_warnings_say_what_differs(a, b, how):
    probs = fg.validate_companies(pd.DataFrame({"name": [a, b]}))
    assert [p for p in probs if f"differ only by {how}" in p.message], probs


def test_names_differing_by_more_than_spacing_do_not_warn():
    probs = fg.validate_companies(pd.DataFrame({"name": ["OpenAI", "Open AIR", "OpenAl"]}))
    assert not [p for p in probs if "differ only" in p.message]


def test_json_object_as_name_is_an_error(tmp_path):
    rec = {"deal_id": "D1", "payer": {"name": "A"}, "payee": ["B"], "flow_type": "other",
           "status": "committed"}
    errs = errors(write(tmp_path, json.dumps([rec]), "d.json"))
    assert {p.column for p in errs} == {"payer", "payee"}
    assert all("JSON" in p.message for p in errs)


# ----------------------------------------------------------------- clear messages
def test_header_with_spaces_or_case_suggests_the_column(tmp_path):
    text = "deal_id, payer,payee,Flow_Type,status\nD1,A,B,other,committed\n"
    errs = errors(write(tmp_path, text))
    msgs = " ".join(p.message for p in errs)
    assert "' payer'" in msgs and "'Flow_Type'" in msgs


def test_trailing_separator_on_every_row(tmp_path):
    text = "deal_id,payer,payee,flow_type,status\nD1,A,B,other,committed,\nD2,B,A,other,committed,\n"
    with pytest.warns(fg.DataWarning) as caught:
        df = fg.read_deals(write(tmp_path, text))
    assert df["deal_id"].tolist() == ["D1", "D2"] and df["status"].tolist() == ["committed"] * 2
    assert any("extra empty field" in p.message for p in caught[0].message.problems)
    text2 = "deal_id,payer,payee,flow_type,status\nD1,A,B,other,committed,x\n" \
            "D2,B,A,other,committed,y\n"
    with pytest.raises(DataError, match="one field more than the header"):
        fg.read_deals(write(tmp_path, text2))


def test_zip_named_csv_and_json_lines(tmp_path):
    import zipfile

    z = tmp_path / "d.csv"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("x", "y")
    with pytest.raises(DataError, match="zip archive"):
        fg.read_deals(z)
    jl = '{"deal_id": "D1"}\n{"deal_id": "D2"}\n'
    with pytest.raises(DataError, match="JSON Lines"):
        fg.read_deals(write(tmp_path, jl, "d2.csv"))
    with pytest.raises(DataError, match="JSON Lines"):
        fg.read_deals(write(tmp_path, jl, "d3.json"))


def test_encrypted_xlsx_is_named_as_such(tmp_path):
    p = write(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "d.xlsx")
    with pytest.raises(DataError, match="encrypted"):
        fg.read_deals(p)


def test_deep_json_and_long_integers_are_input_errors(tmp_path):
    deep = "[" * 5000 + "]" * 5000
    with pytest.raises(DataError, match="nested too deeply"):
        fg.read_deals(write(tmp_path, deep, "a.json"))
    nested = json.dumps([{"deal_id": "D1", "payer": [[["A"]]]}])
    with pytest.raises(DataError, match="nested too deeply"):
        fg.read_deals(write(tmp_path, nested, "b.json"))
    big = '[{"deal_id": "D1", "amount_usd_bn": ' + "9" * 5000 + "}]"
    with pytest.raises(DataError, match="not readable JSON"):
        fg.read_deals(write(tmp_path, big, "c.json"))


def test_huge_cell_is_cut_in_messages():
    df = frame([{"deal_id": "D1", "payer": "A", "payee": "B", "amount_usd_bn": "x" * 10_000_000}])
    text = str(errors(df)[0])
    assert len(text) < 400


def test_read_deals_of_a_number_is_a_parameter_error():
    with pytest.raises(ParameterError, match="source"):
        fg.read_deals(123)


def test_separator_in_a_deal_id_is_an_error():
    df = frame([{"deal_id": "D,1", "payer": "A", "payee": "B", "amount_usd_bn": 1},
                {"deal_id": "D2", "payer": "B", "payee": "A", "amount_usd_bn": 1,
                 "supersedes": "D,1"}])
    errs = errors(df)
    assert any(p.row == 1 and p.column == "deal_id" and "reserved" in p.message for p in errs)


def test_validate_rows_are_whole_numbers(tmp_path):
    from click.testing import CliRunner

    from flowgraph.cli import main

    p = write(tmp_path, "deal_id,payer,payee,flow_type,status\nD1,A,A,other,committed\n")
    out = CliRunner().invoke(main, ["validate", str(p), "--format", "csv"]).output
    assert ",1,payee," in out and "1.0" not in out
    data = json.loads(CliRunner().invoke(main, ["validate", str(p), "--format", "json"]).output)
    assert data[0]["row"] == 1 and isinstance(data[0]["row"], int)


# ----------------------------------------------------------------- library calls
def bad_frame():
    return pd.DataFrame({"deal_id": ["a", "b", "c"], "payer": ["A", "B", "C"],
                         "payee": ["B", "A", "C"], "amount_usd_bn": [-5.0, 3.0, 1.0],
                         "flow_type": ["gift", "other", "other"],
                         "status": ["committed"] * 3})


def test_build_graph_validates_a_dataframe():
    with pytest.raises(DataError) as exc:
        fg.build_graph(bad_frame())
    cols = sorted(p.column for p in exc.value.errors)
    assert cols == ["amount_usd_bn", "flow_type", "payee"]
    with pytest.raises(DataError):
        fg.filter_deals(bad_frame())
    G = fg.build_graph(bad_frame(), validate=False)  # trusted input: the caller's choice
    assert G.number_of_edges() == 3
    fg.build_graph(fg.read_deals(bad_frame().iloc[1:2]))  # read and checked: not again


def test_weight_typo_raises_on_graphs():
    G = fg.build_graph(fg.load_dataset("toy"))
    for call in (lambda: fg.maximal_circulation(G, weight="amont"),
                 lambda: fg.find_cycles(G, weight="amont"),
                 lambda: fg.collapse(G, weight="amont"),
                 lambda: fg.maximal_circulation(fg.collapse(G), weight="amont")):
        with pytest.raises(ParameterError, match="amont"):
            call()


@pytest.mark.parametrize("call,name", [
    (lambda G: fg.maximal_circulation(G, quantum="1"), "quantum"),
    (lambda G: fg.self_funded(G, top="3"), "top"),
    (lambda G: fg.keystones(G, top=2.5), "top"),
    (lambda G: fg.write_report(G.__class__(list(G.edges())), "/nonexistent/never",
                               charts=False), "weight"),
])
def test_wrong_argument_types_name_the_argument(call, name):
    G = fg.build_graph(fg.load_dataset("toy"))
    with pytest.raises(ParameterError, match=name):
        call(G)


def test_cli_sheet_option(tmp_path):
    from click.testing import CliRunner

    from flowgraph.cli import main

    deals = [XHEAD, ["D1", "A", "B", 1, "other", "committed", "https://x.org"],
             ["D2", "B", "A", 2, "other", "committed", "https://x.org"]]
    p = _workbook(tmp_path / "d.xlsx", {"first": deals, "second": deals[:2]})
    res = CliRunner().invoke(main, ["validate", str(p)])
    assert res.exit_code == 1 and "--sheet" in res.output
    res = CliRunner().invoke(main, ["validate", str(p), "--sheet", "second"])
    assert res.exit_code == 0 and "read sheet 'second'" in res.output
    res = CliRunner().invoke(main, ["deals", "--deals", str(p), "--sheet", "first",
                                    "--format", "csv"])
    assert res.exit_code == 0 and "D2" in res.output


def test_json_400_digit_integer_amount_is_an_input_error(tmp_path):
    rec = {"deal_id": "D1", "payer": "A", "payee": "B", "flow_type": "other",
           "status": "committed", "amount_usd_bn": int("9" * 400)}
    p = write(tmp_path, json.dumps([rec]), "d.json")
    assert [(q.row, q.column) for q in errors(p)] == [(1, "amount_usd_bn")]
    with pytest.raises(DataError):
        fg.read_deals(p)


# ----------------------------------------------------------------- the fast CSV parser
_CSV_CHARS = [*"ab ,\"\n\r;\t'=", "é", "\u2028", "\x85", "\x0b"]


def _csv_cell(draw, st):
    text = draw(st.lists(st.sampled_from(_CSV_CHARS), max_size=5).map("".join))
    if draw(st.booleans()) or any(c in text for c in ',"\n\r'):
        if draw(st.integers(0, 9)):
            return '"' + text.replace('"', '""') + '"'
    return text


def _exact_or_refusal(text, header):
    from flowgraph import _readers

    try:
        return _readers._exact_csv(text, "x.csv", ",")[0], None
    except DataError as exc:
        return None, str(exc)


def _cells(df):
    return [[None if pd.isna(v) else v for v in df.iloc[:, k].tolist()]
            for k in range(df.shape[1])]


def test_fast_csv_parser_reads_exactly_what_the_exact_reader_reads():
    """pyarrow's parser is used only where it reads the same table as pandas' C parser
    (quotes, CR/LF, blank lines, short and long rows, quotes left open, one-column files);
    elsewhere it declines and the exact reader decides (or refuses)."""
    import csv
    import io as _io

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from flowgraph import _readers

    @st.composite
    def texts(draw):
        ncol = draw(st.integers(1, 3))
        lines = [",".join(f"h{i}" for i in range(ncol))]
        for _ in range(draw(st.integers(0, 4))):
            k = ncol if draw(st.integers(0, 9)) else draw(st.integers(1, 4))
            lines.append(",".join(_csv_cell(draw, st) for _ in range(k)))
        nl = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
        text = nl.join(lines) + draw(st.sampled_from([nl, nl, ""]))
        if draw(st.integers(0, 4)) == 0 and len(text) > 3:  # one character changed
            p = draw(st.integers(0, len(text) - 1))
            text = text[:p] + draw(st.sampled_from(_CSV_CHARS)) + text[p + 1:]
        return text

    taken = []

    @settings(max_examples=300, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(texts())
    def check(text):
        try:
            header = next(csv.reader(_io.StringIO(text.split("\n", 1)[0])))
        except (StopIteration, csv.Error):
            header = []
        try:
            _readers._check_headers(header, "x.csv")  # as read_csv_text does first
        except DataError:
            return
        fast = _readers._arrow_csv(text, header, ",")
        if fast is None:
            return
        fast = fast[0]
        taken.append(text)
        exact, refusal = _exact_or_refusal(text, header)
        assert refusal is None, f"the fast parser read what the exact reader refuses: {text!r}"
        assert list(fast.columns) == list(exact.columns)
        assert list(fast.dtypes) == list(exact.dtypes)
        assert _cells(fast) == _cells(exact), repr(text)

    check()
    assert len(taken) > 50  # the fast path is exercised, not always declined


@pytest.mark.parametrize("text", [
    HEAD + "\n" + good(1, "A", "B") + "\n",
    HEAD + "\r\n" + good(1, "A", "B") + "\r\n" + good(2, "B", "A") + "\r\n",
    HEAD + "\n" + 'D1,"A, Inc.",B,1,other,committed,2025,"https://x.org/?q=""a"""\n',
])
def test_fast_csv_parser_takes_ordinary_files(text):
    from flowgraph import _readers

    header = text.split("\n", 1)[0].rstrip("\r").split(",")
    assert _readers._arrow_csv(text, header, ",") is not None


def test_whitespace_list_is_every_character_python_strips():
    import sys

    from flowgraph import _checks

    assert _checks.PY_WHITESPACE == "".join(
        c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())


@pytest.mark.parametrize("seed", range(3))
def test_vectorised_lookalike_filter_keeps_exactly_the_candidates(seed):
    import random

    import numpy as np

    from flowgraph import _checks

    rng = random.Random(seed)
    alphabet = [*"abAB \t\x1c", "\u0430", "\u00e9", "e\u0301", "\uff21", "\u3000"]
    names = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))).strip()
                    + f"{rng.randrange(16)}" for _ in range(_checks.VECTOR_MIN * 3)})
    assert len(names) >= _checks.VECTOR_MIN  # the pyarrow path
    entries = [(i + 1, "payer", n) for i, n in enumerate(names)]
    want = {n for _r, _c, n in _checks.lookalike_candidates(entries)}
    keep = _checks.may_look_alike(np.array(names, dtype=object))
    assert {n for n, k in zip(names, keep) if k} == want
    assert 0 < len(want) < len(names)


def test_a_column_without_a_name_is_refused_when_it_holds_values(tmp_path):
    """Values under a blank CSV header, right of a workbook's last header, or in a JSON
    field named "" are refused, never dropped or renamed unseen; an empty unnamed CSV column
    (a trailing separator on every line) is dropped with a warning."""
    import openpyxl

    head = "deal_id,payer,payee,flow_type,status,"
    p = write(tmp_path, head + "\nD1,A,B,other,committed,hello\nD2,B,A,other,committed,\n")
    with pytest.raises(DataError, match="column 6 has values but no header") as exc:
        fg.read_deals(p, validate=False)
    assert exc.value.problems[0].row == 1 and exc.value.problems[0].value == "hello"
    p = write(tmp_path, head + "\nD1,A,B,other,committed,\nD2,B,A,other,committed,\n")
    assert any("column 6 without a header and without values" in x.message
               for x in fg.validate_file(p).warnings)
    df = fg.read_deals(p, validate=False)
    assert not [c for c in df.columns if not str(c).strip() or str(c).startswith("Unnamed")]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["deal_id", "payer", "payee", "flow_type", "status", None])
    ws.append(["D1", "A", "B", "other", "committed", "hello"])
    xlsx = tmp_path / "d.xlsx"
    wb.save(xlsx)
    with pytest.raises(DataError, match="F2, a column without a header"):
        fg.read_deals(xlsx, validate=False)
    p = write(tmp_path, "deal_id,payer,payee,flow_type,status, \nD1,A,B,other,committed,x\n")
    with pytest.raises(DataError, match="column 6 has values but no header"):
        fg.read_deals(p, validate=False)  # a header of spaces is no name either
    ws.cell(row=1, column=6, value="  ")
    wb.save(xlsx)
    with pytest.raises(DataError, match="F2, a column without a header"):
        fg.read_deals(xlsx, validate=False)
    js = tmp_path / "d.json"
    js.write_text('[{"deal_id": "D1", "payer": "A", "payee": "B", "": 1}]')
    with pytest.raises(DataError, match="a field with a blank name"):
        fg.read_deals(js, validate=False)


def test_a_column_with_a_blank_name_is_neither_written_nor_read_from_parquet(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    df = pd.DataFrame({"deal_id": ["D1"], "payer": ["A"], "payee": ["B"], " ": ["v"]})
    for ext in ("csv", "json", "xlsx", "parquet"):
        with pytest.raises(fg.ParameterError, match="has a blank name; rename it"):
            fg.write_deals(df, tmp_path / f"out.{ext}")
        assert not (tmp_path / f"out.{ext}").exists()
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), tmp_path / "b.parquet")
    with pytest.raises(DataError, match="column 4 has a blank name"):
        fg.read_deals(tmp_path / "b.parquet", validate=False)


def test_a_figure_a_thousand_times_too_large_is_a_warning():
    """Millions typed as billions: a deal over $2tn, a revenue over $2tn or a market value
    over $20tn is a warning naming the cell (an error only beyond the accepted range)."""
    from flowgraph import _checks

    df = frame([{"deal_id": "D1", "payer": "A", "payee": "B", "amount_usd_bn": 5000},
                {"deal_id": "D2", "payer": "B", "payee": "A", "amount_usd_bn": 2000}])
    unit = [p for p in warnings(df) if "is it in millions" in p.message]
    assert [(p.row, p.column, p.value) for p in unit] == [(1, "amount_usd_bn", "5000")]
    assert not errors(df)
    comp = fg.validate_companies(pd.DataFrame({
        "name": ["A", "B", "C"], "revenue_usd_bn": [130_000, 700, None],
        "market_value_usd_bn": [5_000, 25_000, 19_999]}))
    unit = sorted((p.row, p.column) for p in comp if "is it in millions" in p.message)
    assert unit == [(1, "revenue_usd_bn"), (2, "market_value_usd_bn")]
    assert _checks.UNIT_CHECK < _checks.UNIT_CHECK_MARKET_VALUE < _checks.MAX_AMOUNT


# --- near misses, cut rows, exact JSON numbers, time zones, seeds ----------------------------

@pytest.mark.parametrize("header", ["Part_Of", "part_of ", " part_of", "part-of",
                                    "part_of\u200b", "ＰＡＲＴ＿ＯＦ"])
def test_known_column_typed_otherwise_is_an_error_not_an_unknown_column(tmp_path, header):
    # read as an unknown column, the tranche would count on top of its headline
    text = (HEAD + f",{header}\n" + good(1, "A", "B", "10") + ",\n"
            + good(2, "A", "B", "4") + ",D1\n" + good(3, "B", "A", "2") + ",\n")
    errs = errors(write(tmp_path, text))
    assert [(e.column, e.row) for e in errs] == [(header, None)]
    assert "'part_of'" in errs[0].message and "rename" in errs[0].message
    fixed = errors(write(tmp_path, text.replace(header, "part_of"), "ok.csv"))
    assert fixed == []
    kept = fg.filter_deals(fg.read_deals(tmp_path / "ok.csv"))
    assert sorted(kept["deal_id"]) == ["D1", "D3"]  # the tranche D2 counts within D1


def test_known_amount_column_with_a_trailing_space_is_an_error(tmp_path):
    text = rows(good(1, "A", "B")).replace("amount_usd_bn,", "amount_usd_bn ,", 1)
    errs = errors(write(tmp_path, text))
    # the required-column rules say nothing of it (amount_usd_bn is optional): this one does
    assert [e.column for e in errs] == ["amount_usd_bn "]


def test_unknown_columns_unlike_any_known_one_stay_allowed(tmp_path):
    text = HEAD + ",Partner,amount_eur_bn\n" + good(1, "A", "B") + ",x,2\n"
    assert errors(write(tmp_path, text)) == []


def test_company_column_typed_otherwise_is_an_error(tmp_path):
    p = write(tmp_path, "name,Cash_usd_bn,Market_Cap_USD_bn\nA,5,20\n", "c.csv")
    errs = [e for e in fg.validate_companies(pd.read_csv(p, dtype=str), source="c.csv")
            if e.severity == "error"]
    assert sorted(e.column for e in errs) == ["Cash_usd_bn", "Market_Cap_USD_bn"]
    assert "'cash_usd_bn'" in " ".join(e.message for e in errs)


@pytest.mark.parametrize("cut", [1, 3])
def test_a_row_cut_short_is_refused_naming_it(tmp_path, cut):
    short = good(2, "B", "A")
    short = ",".join(short.split(",")[:-cut])  # fewer fields than the header
    p = write(tmp_path, rows(good(1, "A", "B"), short, good(3, "A", "C")))
    with pytest.raises(DataError) as err:
        fg.read_deals(p)
    assert [(q.row, q.severity) for q in err.value.problems] == [(2, "error")]
    assert f"{8 - cut} fields where the header has 8 columns" in str(err.value)


def test_rows_too_long_are_refused_naming_every_one(tmp_path):
    p = write(tmp_path, rows(good(1, "A", "B"), good(2, "B", "A") + ",x", "",
                             good(3, "A", "C") + ",y,z"))
    with pytest.raises(DataError) as err:
        fg.read_deals(p)
    msg = str(err.value)
    assert "\n" not in msg.splitlines()[0] and "row 2 has 9 fields" in msg
    assert [(q.row, q.message.split(" ")[0]) for q in err.value.problems] == [(2, "9"),
                                                                              (3, "10")]


def test_quoted_separators_and_line_breaks_are_not_miscounted(tmp_path):
    text = rows(good(1, "A", "B"), 'D2,"B, Inc.",A,1,other,committed,2025,"https://x.org/a"',
                'D3,A,C,1,other,committed,2025,"https://x.org/\nb"')
    with pytest.raises(DataError) as err:  # the line break in a URL is refused, by its rule
        fg.read_deals(write(tmp_path, text))
    assert all("fields where the header" not in q.message for q in err.value.problems)


def _json_rows(**extra):
    base = {"payer": "X", "payee": "Y", "amount_usd_bn": 1, "flow_type": "other",
            "status": "committed", "source_url": "https://x.org"}
    return [{**base, "deal_id": f"D{i}", **{k: v[i] for k, v in extra.items()}}
            for i in range(3)]


def test_json_integers_with_a_null_stay_exact_through_every_writer(tmp_path):
    big = [9007199254740993, None, 12345678901234567]
    p = tmp_path / "d.json"
    p.write_text(json.dumps(_json_rows(ext_id=big)))
    df = fg.read_deals(p)
    assert df["ext_id"].tolist()[0] == big[0] and pd.isna(df["ext_id"].tolist()[1])
    for name in ("o.json", "o.csv", "o.parquet"):
        fg.write_deals(df, tmp_path / name)
        back = fg.read_deals(tmp_path / name)
        got = [None if pd.isna(v) else int(v) for v in back["ext_id"]]
        assert got == big, name
    raw = json.loads((tmp_path / "o.json").read_text())
    assert [r["ext_id"] for r in raw] == big  # integers, not 9.007199254740992e15


def test_json_integers_beyond_64_bits_stay_exact(tmp_path):
    p = tmp_path / "d.json"
    p.write_text(json.dumps(_json_rows(ext_id=[2 ** 70, None, 1])))
    assert fg.read_deals(p)["ext_id"].tolist()[0] == 2 ** 70


def test_json_numeric_ids_match_their_references(tmp_path):
    recs = _json_rows(part_of=[None, 0, None])
    for i, r in enumerate(recs):
        r["deal_id"] = 100 + i
    recs[1]["part_of"] = 100
    recs[0]["amount_usd_bn"] = 5
    p = tmp_path / "d.json"
    p.write_text(json.dumps(recs))
    assert errors(p) == []


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_in_an_amount_is_an_error_as_in_csv(tmp_path, token):
    p = tmp_path / "d.json"
    p.write_text(json.dumps(_json_rows()).replace('"amount_usd_bn": 1', f'"amount_usd_bn": '
                                                  f'{token}', 1))
    errs = errors(p)
    assert [(e.row, e.column, e.value) for e in errs] == [(1, "amount_usd_bn", token)]
    csv_errs = errors(write(tmp_path, rows(good(1, "A", "B", token))))
    assert [e.message for e in csv_errs] == [e.message for e in errs]


def test_json_object_in_an_unknown_column_is_refused_not_written_lossily(tmp_path):
    p = tmp_path / "d.json"
    p.write_text(json.dumps(_json_rows(meta=[{"a": 1}, None, [1, 2]])))
    errs = errors(p)
    assert [(e.row, e.column) for e in errs] == [(1, "meta"), (3, "meta")]
    with pytest.raises(DataError):
        fg.read_deals(p)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Asia/Tokyo", "UTC", "America/New_York"])
def test_parquet_timestamps_with_a_zone_read_as_the_date_in_that_zone(tmp_path, zone):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    days = ["2023-01-01", "2024-06-30", "2024-12-31"]
    ts = pd.to_datetime(days).tz_localize(zone)
    t = pa.table({"deal_id": ["a", "b", "c"], "payer": ["A", "B", "C"],
                  "payee": ["B", "C", "A"], "amount_usd_bn": [1.0, 2.0, 3.0],
                  "flow_type": ["other"] * 3, "status": ["committed"] * 3,
                  "announced": pa.array(ts, pa.timestamp("us", tz=zone))})
    pq.write_table(t, tmp_path / "d.parquet")
    assert fg.read_deals(tmp_path / "d.parquet")["announced"].tolist() == days
    late = pa.array(ts + pd.Timedelta(hours=13), pa.timestamp("us", tz=zone))
    pq.write_table(t.set_column(6, "announced", late), tmp_path / "t.parquet")
    with pytest.raises(DataError, match="time of day"):
        fg.read_deals(tmp_path / "t.parquet")


@pytest.mark.parametrize("call", [
    lambda G: fg.sample_amounts(G, n=2, seed=-1),
    lambda G: fg.null_model(G, n=2, seed=-1),
    lambda G: fg.synthetic_network(5, 10, seed=-1),
])
def test_negative_seed_is_a_parameter_error(call):
    G = fg.build_graph(fg.load_dataset("toy"))
    with pytest.raises(ParameterError, match="seed must be at least 0, got -1"):
        call(G)


@pytest.mark.parametrize("date", ["２０２５", "٢٠٢٥", "2025-０１"])
def test_dates_in_other_scripts_digits_are_refused(tmp_path, date):
    errs = errors(write(tmp_path, rows(good(1, "A", "B").replace("2025-01", date))))
    assert [(e.column, e.value) for e in errs] == [("announced", date)]
