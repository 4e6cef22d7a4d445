"""Parquet reading and writing: exact round trips (unknown columns keep their types), and
refusals naming the file, column and row."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import flowgraph as fg
from flowgraph.cli import main
from flowgraph.errors import DataError, ParameterError

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def _deals() -> pd.DataFrame:
    return pd.DataFrame({
        "deal_id": ["d1", "d2", "d3"], "payer": ["A", "B", "C"], "payee": ["B", "C", "A"],
        "amount_usd_bn": [1.5, None, 0.1 + 0.2], "flow_type": ["chip_purchase", "lease", "other"],
        "status": ["committed", "announced", "disbursed"], "announced": ["2024", "2024-05", None],
        "source_url": ["https://x.org"] * 3, "estimate": [False, True, False],
    })


def test_round_trip_keeps_unknown_columns_and_their_types(tmp_path):
    df = _deals()
    df["count"] = pd.array([1, None, 3], dtype="Int64")
    df["rank"] = np.array([3, 2, 1], dtype="int64")
    df["seen"] = pd.to_datetime(["2024-01-02 10:30", "2024-01-03 00:00", "2024-01-04 00:00"])
    df["ok"] = pd.array([True, None, False], dtype="boolean")
    df["note"] = ["x", None, "=1+1"]
    path = tmp_path / "deals.parquet"
    fg.write_deals(df, path)
    back = fg.read_deals(path)
    pd.testing.assert_frame_equal(back, fg.read_deals(df.copy()), check_dtype=True)
    assert str(back["count"].dtype) == "Int64" and back["count"].isna().tolist() == [
        False, True, False]
    assert back["rank"].dtype == np.int64
    assert back["seen"].iloc[0] == pd.Timestamp("2024-01-02 10:30")
    assert back["note"].iloc[2] == "=1+1"  # no spreadsheet apostrophe in a typed format
    assert back.loc[2, "amount_usd_bn"] == 0.1 + 0.2  # floats exactly
    fg.write_deals(back, tmp_path / "again.parquet")
    pd.testing.assert_frame_equal(fg.read_deals(tmp_path / "again.parquet"), back)
    # the file's own types: text as strings, amounts as doubles, flags as booleans
    schema = pq.read_schema(path)
    assert schema.field("payer").type == pa.string()
    assert schema.field("amount_usd_bn").type == pa.float64()
    assert schema.field("estimate").type == pa.bool_()
    assert schema.field("announced").type == pa.string()  # precision kept: '2024', '2024-05'


def test_bundled_dataset_round_trips_through_parquet(tmp_path):
    ds = fg.load_dataset("ai-capital")
    fg.write_deals(ds.deals, tmp_path / "d.parquet")
    fg.write_companies(ds.companies, tmp_path / "c.parquet")
    pd.testing.assert_frame_equal(fg.read_deals(tmp_path / "d.parquet"),
                                  fg.read_deals(tmp_path / "d.parquet"))
    d = fg.read_deals(tmp_path / "d.parquet")
    ref = fg.read_deals(ds.deals.copy())
    pd.testing.assert_frame_equal(d, ref, check_dtype=True)
    c = fg.read_companies(tmp_path / "c.parquet")
    pd.testing.assert_frame_equal(c, fg.read_companies(ds.companies.copy()), check_dtype=True)
    # a CSV written from the Parquet rows reads back the same table
    fg.write_deals(d, tmp_path / "d.csv")
    pd.testing.assert_frame_equal(fg.read_deals(tmp_path / "d.csv"), ref)


def test_dates_typed_as_dates_read_to_the_day(tmp_path):
    df = _deals().drop(columns=["announced"])
    table = pa.Table.from_pandas(df, preserve_index=False).append_column(
        "announced", pa.array([dt.date(2024, 3, 1), None, dt.date(2023, 12, 31)]))
    pq.write_table(table, tmp_path / "d.parquet")
    got = fg.read_deals(tmp_path / "d.parquet")
    assert got["announced"].tolist() == ["2024-03-01", None, "2023-12-31"]
    timed = pa.Table.from_pandas(df, preserve_index=False).append_column(
        "announced", pa.array([dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 2, 9, 30), None]))
    pq.write_table(timed, tmp_path / "t.parquet")
    with pytest.raises(DataError) as err:
        fg.read_deals(tmp_path / "t.parquet")
    p = err.value.problems[0]
    assert (p.row, p.column) == (2, "announced") and "time of day" in p.message
    assert "t.parquet" in str(err.value)


def test_refusals_name_file_and_column(tmp_path):
    (tmp_path / "x.parquet").write_text("deal_id,payer\n")
    with pytest.raises(DataError, match=r"x\.parquet: not a readable Parquet file"):
        fg.read_deals(tmp_path / "x.parquet")
    nested = pa.Table.from_pandas(_deals(), preserve_index=False).append_column(
        "tags", pa.array([[1], [2], []]))
    pq.write_table(nested, tmp_path / "n.parquet")
    with pytest.raises(DataError) as err:
        fg.read_deals(tmp_path / "n.parquet")
    assert err.value.problems[0].column == "tags"
    dup = pa.Table.from_arrays([pa.array(["a"]), pa.array(["b"])], names=["payer", "payer"])
    pq.write_table(dup, tmp_path / "dup.parquet")
    with pytest.raises(DataError, match="duplicate column header"):
        fg.read_deals(tmp_path / "dup.parquet")
    mixed = _deals()
    mixed["odd"] = pd.Series([1, "a", 2.5], dtype=object)
    with pytest.raises(ParameterError, match="'odd' mixes values"):
        fg.write_deals(mixed, tmp_path / "m.parquet")
    assert not (tmp_path / "m.parquet").exists()


def test_validation_messages_are_the_same_as_from_csv(tmp_path):
    df = _deals()
    df.loc[1, "flow_type"] = "loan"
    df.loc[2, "amount_usd_bn"] = -1.0
    df.to_csv(tmp_path / "d.csv", index=False)
    pa_table = pa.Table.from_pandas(df, preserve_index=False)
    pq.write_table(pa_table, tmp_path / "d.parquet")
    msgs = {}
    for name in ("d.csv", "d.parquet"):
        with pytest.raises(DataError) as err:
            fg.read_deals(tmp_path / name)
        msgs[name] = [(p.row, p.column, p.message) for p in err.value.problems
                      if p.severity == "error"]
    assert msgs["d.csv"] == msgs["d.parquet"] and len(msgs["d.csv"]) >= 2


def test_cli_export_parquet_and_analyse_it(tmp_path):
    runner = CliRunner()
    out = tmp_path / "d.parquet"
    r = runner.invoke(main, ["export", "--to", "deals-parquet", "-o", str(out)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["export", "--to", "deals-parquet", "-o", str(tmp_path / "d.csv")])
    assert r.exit_code == 2 and ".parquet" in r.output
    ds = fg.load_dataset("ai-capital")
    fg.write_companies(ds.companies, tmp_path / "c.parquet")
    a = runner.invoke(main, ["cycles", "--max-length", "3", "--format", "csv"])
    b = runner.invoke(main, ["cycles", "--deals", str(out), "--companies",
                             str(tmp_path / "c.parquet"), "--max-length", "3", "--format", "csv"])
    assert a.exit_code == b.exit_code == 0 and a.output == b.output and a.output.count("\n") > 5


def test_text_with_blanks_reads_in_the_layout_csv_gives(tmp_path):
    """A text column with blank cells, some or all, reads from Parquet in the layout the CSV
    reader gives it (pandas' own text type, not Python objects), so both take the same
    checks."""
    from flowgraph import _parquet, _readers

    df = _deals()
    df["note"] = ["x", None, "y"]
    df["description"] = pd.Series([None, None, None], dtype=object)  # known, never filled
    df["empty"] = pd.Series([None, None, None], dtype=object)
    fg.write_deals(df, tmp_path / "d.parquet")
    fg.write_deals(df, tmp_path / "d.csv")
    from_parquet = _parquet.read_table(tmp_path / "d.parquet", "d.parquet")
    from_csv, _ = _readers.read_csv_bytes((tmp_path / "d.csv").read_bytes(), "d.csv")
    for col in ("deal_id", "announced", "note", "payer", "description"):
        assert from_parquet[col].dtype == from_csv[col].dtype, col
        assert from_parquet[col].isna().tolist() == from_csv[col].isna().tolist(), col
    back = fg.read_deals(tmp_path / "d.parquet")
    assert back["empty"].isna().all()  # a column of nulls keeps its own (null) type
    pd.testing.assert_frame_equal(back.drop(columns="empty"),
                                  fg.read_deals(tmp_path / "d.csv").drop(columns="empty"))
