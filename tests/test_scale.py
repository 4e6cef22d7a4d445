"""The large-network (table) path gives the same answers as the graph path: the vectorised
table -> arrays conversion is checked against the per-deal conversion of the MultiDiGraph."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from flowgraph import _checks, cycles, graph, schema
from flowgraph.synthetic import synthetic_network


def _table(seed: int, n: int = 40, m: int = 260) -> pd.DataFrame:
    deals = synthetic_network(n, m, seed=seed, reciprocity=0.95).deals.copy()
    rng = np.random.default_rng(seed)
    deals.loc[rng.random(len(deals)) < 0.1, "estimate"] = True
    deals.loc[rng.random(len(deals)) < 0.05, "status"] = None
    deals.loc[rng.random(len(deals)) < 0.05, "confidence"] = None
    deals.loc[rng.random(len(deals)) < 0.05, "announced"] = None
    return deals


@pytest.mark.parametrize("seed", range(4))
def test_table_path_matches_graph_path(seed):
    deals = _table(seed)
    G = graph.build_graph(deals)
    table = graph.filter_deals(deals)
    for kw in ({"max_length": 4}, {"max_length": 5, "window": 120}, {"max_length": 3,
                                                                      "min_amount": 0.01}):
        a = cycles.find_cycles(G, limit=None, **kw)
        b = cycles.find_cycles(table, limit=None, **kw)
        assert len(a.cycles) > 0
        pd.testing.assert_frame_equal(a.cycles, b.cycles)
        pd.testing.assert_frame_equal(a.hops, b.hops)


def test_arrays_from_the_table_match_the_graphs():
    deals = _table(7)
    G = graph.build_graph(deals)
    table = graph.filter_deals(deals)
    A = cycles._from_multigraph(G, "amount")
    B = cycles._from_frame(table, "amount")
    assert list(A.labels) == list(B.labels)
    # the graph lists edges pair by pair, the table row by row: compare deal by deal
    a_info = A.info.take(np.arange(len(A.src)))
    b_info = B.info.take(np.arange(len(B.src)))
    ka = pd.Index(a_info["deal_id"]).get_indexer(b_info["deal_id"])
    for name in ("src", "dst", "amount", "low", "high", "dlo", "dhi"):
        np.testing.assert_array_equal(getattr(A, name)[ka], getattr(B, name), err_msg=name)
    for col in ("flow_type", "status", "confidence", "estimate"):
        assert a_info[col][ka].tolist() == b_info[col].tolist(), col


def test_vectorised_helpers_on_odd_values():
    days = cycles._ordinals(pd.Series([dt.date(2024, 1, 2), None, np.nan, "2024-01-02",
                                       dt.datetime(2024, 1, 2, 5), "not a date"],
                                      dtype=object))
    assert days.tolist() == [dt.date(2024, 1, 2).toordinal(), -1, -1,
                             dt.date(2024, 1, 2).toordinal(), dt.date(2024, 1, 2).toordinal(),
                             -1]
    odd = np.array(["a", None, np.nan, pd.NA, pd.NaT, ""], dtype=object)
    assert cycles._blanks_as_none(odd).tolist() == ["a", None, None, None, None, ""]
    assert [cycles._deal_text(v) for v in odd] == ["a", None, None, None, None, ""]
    assert odd[2] is np.nan  # the table's cells are read, never changed
    assert cycles._as_text(np.array(["d1", 7, None], dtype=object)).tolist() == [
        "d1", "7", "None"]
    assert _checks.is_true(pd.Series([True, "true", 1, None, False], dtype=object)).tolist() == [
        True, False, False, False, False]
    flags = pd.Series([True, False])
    out = _checks.is_true(flags)
    out[0] = False  # a new array: the table's column is untouched
    assert flags.tolist() == [True, False]
    # labels of mixed types sort as Python sorts them (by type name, then text)
    labels, s, t = cycles._vertex_codes(pd.Series([1, "b"], dtype=object),
                                        pd.Series(["a", 2], dtype=object))
    assert labels == cycles._sorted_labels([1, "b", "a", 2])
    assert [labels[i] for i in s] == [1, "b"] and [labels[i] for i in t] == ["a", 2]
    assert cycles._ranks(np.array(["committed", None, "x", "rumored"], dtype=object),
                         ("rumored", "announced", "committed")).tolist() == [
        2, cycles._MISSING_RANK, cycles._MISSING_RANK, 0]


@pytest.mark.parametrize("seed", range(3))
def test_vertex_ids_from_pyarrow_match_the_general_path(seed, monkeypatch):
    """Large tables take vertex ids from pyarrow's hash and sort; labels and ids equal the
    pandas path's on names with accents, combining marks, emoji, capitals and spaces."""
    rng = np.random.default_rng(seed)
    parts = np.array(["a", "B", "é", "e\u0301", "Z", "ß", "\U0001F600", "日本", "ab", "a b",
                      "Ω", "z"], dtype=object)
    n = 6000
    s = pd.Series(rng.choice(parts, n) + rng.choice(parts, n), dtype=object)
    t = pd.Series(rng.choice(parts, n) + rng.choice(parts, n), dtype=object)
    assert n >= cycles._VERTEX_ARROW_MIN
    fast = cycles._text_vertex_codes(s, t)
    monkeypatch.setattr(cycles, "_VERTEX_ARROW_MIN", 10 ** 12)
    labels, src, dst = cycles._vertex_codes(s, t)
    assert fast is not None and fast[0] == labels == sorted(set(s) | set(t))
    assert np.array_equal(fast[1], src) and np.array_equal(fast[2], dst)
    assert [labels[i] for i in fast[1]] == list(s)


def test_vertex_ids_from_pyarrow_leave_blanks_and_other_values_to_the_general_path():
    obj = lambda v: pd.Series(v, dtype=object)  # noqa: E731
    for payer in ([1, 2], ["a", None], ["\ud800", "b"], [float("nan"), "b"]):
        assert cycles._text_vertex_codes(obj(payer), obj(["a", "b"])) is None


def test_never_filled_columns_share_one_read_only_code_array():
    from flowgraph import _checks

    a = pd.Series([None, None, None], dtype="string")
    b = pd.Series([None, None, None], dtype="string")
    ca, ua = _checks.text_factors(a)
    cb, _ub = _checks.text_factors(b)
    assert ca is cb and not ca.flags.writeable and list(ca) == [-1, -1, -1] and len(ua) == 0
    with pytest.raises(ValueError):
        ca[0] = 0  # a rule that wrote into shared codes would fail loudly, never corrupt them
    cells = _checks.Cells(ca, ua)
    for per, fill in ((np.array([], dtype=bool), False), (np.array([], dtype=bool), True),
                      (np.array([], dtype=object), None), (np.array([], dtype=np.int64), 0),
                      (np.array([], dtype=object), False)):
        mask = cells.spread(per, fill)  # masks handed to the rules stay theirs to change
        assert mask.flags.writeable and list(mask) == [fill] * 3
        assert all(type(v) is type(fill) for v in mask.tolist())
        mask[0] = fill


def test_a_table_with_blank_columns_reads_and_validates_like_a_filled_one(tmp_path):
    import flowgraph as fg
    from flowgraph.errors import DataError

    deals = synthetic_network(40, 260, seed=3, reciprocity=0.95).deals
    path = tmp_path / "d.csv"
    fg.write_deals(deals, path)  # every canonical column, most of them never filled
    back = fg.read_deals(path)
    assert back["bis_category"].isna().all() and back["payer"].notna().all()
    pd.testing.assert_frame_equal(
        cycles.find_cycles(graph.filter_deals(back), max_length=4, limit=None).cycles,
        cycles.find_cycles(graph.filter_deals(deals), max_length=4, limit=None).cycles)
    bad = deals.copy()
    bad["source_kind"] = None
    bad.loc[5, "source_kind"] = "tabloid"  # one bad cell in an otherwise blank column
    fg.write_deals(bad, path)
    with pytest.raises(DataError) as err:
        fg.read_deals(path)
    errors = [p for p in err.value.problems if p.severity == "error"]
    assert [(p.row, p.column, p.value) for p in errors] == [(6, "source_kind", "tabloid")]


def test_the_command_line_keeps_freed_memory_for_large_files_only(tmp_path, monkeypatch,
                                                                   request):
    import os
    import platform
    import sys

    import pyarrow as pa
    from click.testing import CliRunner

    import flowgraph as fg
    from flowgraph import _process
    from flowgraph.cli import main

    pool = pa.default_memory_pool()
    request.addfinalizer(lambda: pa.set_memory_pool(pool))  # the other tests keep theirs
    monkeypatch.setattr(_process, "_applied", None)
    monkeypatch.setattr(_process, "_quick_exit", False)
    for k in [k for k in os.environ if k.startswith("MALLOC_")]:
        monkeypatch.delenv(k)
    small = tmp_path / "small.csv"
    fg.write_deals(synthetic_network(40, 260, seed=1).deals, small)
    assert CliRunner().invoke(main, ["cycles", "--deals", str(small)]).exit_code == 0
    assert _process._applied is None  # a small file: the process is left as it is
    assert _process._quick_exit is False
    big = tmp_path / "big.csv"
    fg.write_deals(synthetic_network(3000, 15000, seed=1).deals, big)
    assert big.stat().st_size >= cycles.WARM_UP_BYTES
    res = CliRunner().invoke(main, ["cycles", "--deals", str(big), "--max-length", "3"])
    assert res.exit_code == 0, res.output
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert _process._applied is glibc
    assert _process._quick_exit is True
    if glibc and "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
        assert pa.default_memory_pool().backend_name == "system"
    monkeypatch.setattr(_process, "_applied", None)
    assert CliRunner().invoke(main, ["validate", str(big)]).exit_code == 0
    assert _process._applied is glibc
    monkeypatch.setattr(_process, "_applied", None)
    monkeypatch.setenv("MALLOC_ARENA_MAX", "2")  # the user's own settings win
    assert _process.keep_freed_memory() is False


def test_a_large_run_exits_at_once_with_its_output_whole_and_its_status(tmp_path):
    """From the command line, a large run ends without the object-by-object teardown
    (:func:`flowgraph._process.leave`): its files and standard output are complete and equal to
    the in-process run's, and the exit status is kept (0, 1 for a refused request)."""
    import subprocess
    import sys

    from click.testing import CliRunner

    import flowgraph as fg
    from flowgraph import _process
    from flowgraph.cli import main

    big = tmp_path / "big.csv"
    fg.write_deals(synthetic_network(3000, 15000, seed=2).deals, big)
    assert _process.is_large_file(big)
    args = ["cycles", "--deals", str(big), "--max-length", "3", "--format", "csv"]
    expected = CliRunner().invoke(main, args)
    assert expected.exit_code == 0, expected.output

    def cli(*more: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "flowgraph.cli", *more],
                              capture_output=True, text=True, timeout=300)

    out = cli(*args)
    assert out.returncode == 0, out.stderr
    assert out.stdout == expected.stdout and len(out.stdout) > 1000
    written = tmp_path / "loops.json"
    res = cli("cycles", "--deals", str(big), "--max-length", "3", "--format", "json", "-o",
              str(written))
    assert res.returncode == 0, res.stderr
    again = CliRunner().invoke(main, ["cycles", "--deals", str(big), "--max-length", "3",
                                      "--format", "json"])
    assert written.read_text() == again.stdout
    refused = cli("exposure", "No Such Company", "--deals", str(big))
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith("flowgraph: error: unknown company")
    assert refused.stderr.count("\n") == 1


@pytest.mark.parametrize("code, more, status, printed", [
    ("3", "", 3, "kept"),                      # at once, with the text flushed
    ("None", "", 0, "kept"),
    ("'a message'", "", 1, "kept"),            # not a status number: the usual exit
    ("4", "import distributed", 9, "kept"),    # a distributed client's exit handlers run
])
def test_leave_exits_at_once_only_when_allowed_and_safe(code, more, status, printed):
    import subprocess
    import sys

    if more:
        pytest.importorskip("distributed")
    prog = ("import sys\n" + more + "\nfrom flowgraph import _process\n"
            "_process.allow_quick_exit()\nprint('kept', end='')\n"
            f"_process.leave({code})\nsys.exit(9 if {code} == 4 else {code})\n")
    r = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == status, r.stderr
    assert r.stdout == printed


def test_leave_returns_when_not_allowed():
    from flowgraph import _process

    saved = _process._quick_exit
    try:
        _process._quick_exit = False
        assert _process.leave(0) is None  # still here
    finally:
        _process._quick_exit = saved


@pytest.mark.parametrize("dirty", [None, " ", "\t", "\x1f", "\x0b", "", "\xa0", "é", "e\u0301",
                                   "\u2003"])
def test_long_text_columns_clean_exactly_as_cell_by_cell(dirty):
    from flowgraph import _checks
    from flowgraph.io import _text_cells

    rng = np.random.default_rng(0)
    cells = [f"C{i:05d} {'x' * int(rng.integers(0, 3))}y" for i in range(_checks.VECTOR_MIN + 50)]
    cells[7] = None
    if dirty is not None:  # one cell that stripping or NFC changes, or that is empty
        cells[100] = dirty + cells[100] if dirty.strip() else cells[100] + dirty
        cells[200] = dirty
    series = pd.Series(cells, dtype="string[pyarrow]")
    assert _checks.clean_ascii(series) is (dirty is None)
    got = list(_text_cells(series).values)
    import unicodedata
    want = [None if v is None else (unicodedata.normalize("NFC", v.strip()) or None)
            for v in cells]
    assert got == want


def _names_table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = np.array(["a", "B", "é", "e\u0301", "Z", "ß", "日本", "ab", "a b", " c"],
                     dtype=object)
    return pd.DataFrame({
        "deal_id": [f"d{i}" for i in range(n)],
        "payer": rng.choice(parts, n) + rng.choice(parts, n),
        "payee": rng.choice(parts, n) + rng.choice(parts, n),
        "amount_usd_bn": rng.random(n), "flow_type": rng.choice(["lease", "other", None], n),
        "status": rng.choice(["committed", "rumored", None], n)})


@pytest.mark.parametrize("seed", range(2))
def test_vertex_ids_recalled_from_the_reader_match_the_general_path(seed, monkeypatch):
    """The reader keeps the codes of its large text columns; the cycle search takes its
    vertex ids from them, equal to the ids computed from the cells."""
    from flowgraph import io

    df = io.normalize_deals(_names_table(6000, seed))
    got = cycles._recalled_vertex_codes(df["payer"], df["payee"])
    monkeypatch.setattr(cycles, "_VERTEX_ARROW_MIN", 10 ** 12)
    labels, src, dst = cycles._vertex_codes(df["payer"], df["payee"])
    assert got is not None and got[0] == labels
    assert np.array_equal(got[1], src) and np.array_equal(got[2], dst)
    assert [labels[i] for i in got[1]] == df["payer"].tolist()
    for col, order in (("status", schema.STATUSES), ("flow_type", schema.FLOW_TYPES)):
        rows = np.random.default_rng(seed).permutation(len(df))
        kept = cycles._factors_at(df[col].to_numpy(dtype=object), rows)
        assert np.array_equal(cycles._rank_codes(*kept, order),
                              cycles._ranks(df[col].to_numpy(dtype=object)[rows], order))


def test_recalled_codes_are_checked_against_every_cell():
    """A column changed in place after it was read, a copy, or a new array are never
    answered from the kept codes (the caller hashes them itself); a freed column's codes
    are dropped."""
    import gc

    from flowgraph import io

    df = io.normalize_deals(_names_table(6000, 3))
    assert _checks.recall(df["payer"]) is not None
    df.loc[7, "payer"] = "someone else"  # in place or copied: either way not answered
    assert _checks.recall(df["payer"]) is None
    labels, src, _ = cycles._vertex_codes(df["payer"], df["payee"])
    assert [labels[i] for i in src] == df["payer"].tolist()
    kept = _checks.Cells.of(_names_table(6000, 4)["payer"].to_numpy(dtype=object))
    _checks.remember(kept)
    cells = kept.values  # the very array kept, changed in place below
    assert _checks.recall(cells) is not None
    old = cells[7]
    cells[7] = "someone else"
    assert _checks.recall(cells) is None
    cells[7] = "".join(list(old))  # equal text, another object: not trusted either
    assert _checks.recall(cells) is None
    cells[7] = None
    assert _checks.recall(cells) is None
    cells[7] = old
    assert _checks.recall(cells) is not None
    df = io.normalize_deals(_names_table(6000, 3))
    assert _checks.recall(df["payer"].copy()) is None
    assert _checks.recall(pd.Series(list(df["payer"]), dtype=object)) is None
    before = len(_checks._REMEMBERED)
    del df, cells, kept
    gc.collect()
    assert len(_checks._REMEMBERED) < before


def test_the_parquet_blank_check_agrees_with_trimming():
    """Parquet text cells that are empty or white space only read as blank: the quick check
    gives the same answer as trimming every cell, for every white-space character."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from flowgraph import _parquet

    chars = [chr(i) for i in range(0x3100)] + ["\ufeff", "\u200b", "\u2060", "\u3000"]
    for cells in ([c for c in chars], [c * 2 for c in chars], [c + "x" for c in chars]):
        for one in cells:
            col = pa.chunked_array([pa.array(["a", one, None])])
            trimmed = pc.any(pc.equal(pc.utf8_trim_whitespace(col), "")).as_py() is True
            assert _parquet._has_blank(pc, col) is trimmed, repr(one)
    assert _parquet._has_blank(pc, pa.chunked_array([pa.array(["a", ""])]))


def test_the_quick_cell_look_agrees_with_the_patterns():
    """Printable ASCII text skips the pattern searches: for every column kind and every
    ASCII character the quick answer is the patterns' answer."""
    def by_patterns(col, joined, count):
        probe = _checks._CONTROL if col in _checks.MULTILINE_COLUMNS else _checks._LINEBREAK
        return bool(probe.search(joined) or _checks._CONTROL.search(joined)
                    or (col == "deal_id" and (";" in joined or joined.count(",") > count - 1))
                    or (col in _checks.NAME_COLUMNS and (_checks._INVISIBLE.search(joined)
                                                         or not joined.isascii()))
                    or (col == "source_url" and _checks._SPACE.search(joined)))

    for col in ("deal_id", "payer", "description", "source_url", "status", "part_of"):
        for code in range(128):
            for cells in (["a" + chr(code) + "b", "c"], [chr(code)], ["x", "y" + chr(code)]):
                joined = ",".join(cells)
                assert _checks._needs_look(col, joined, len(cells)) == by_patterns(
                    col, joined, len(cells)), (col, code, cells)
        assert _checks._needs_look(col, "é,b", 2) == by_patterns(col, "é,b", 2)


def test_payer_equal_to_payee_is_found_on_codes(tmp_path):
    from flowgraph import io

    n = 6000
    df = pd.DataFrame({"deal_id": [f"d{i}" for i in range(n)],
                       "payer": [f"C{i % 50}" for i in range(n)],
                       "payee": [f"C{(i * 7) % 61}" for i in range(n)],
                       "amount_usd_bn": 1.0, "flow_type": "other", "status": "committed",
                       "source_url": "https://example.org/x"})
    df.loc[[3, 10], "payee"] = [None, " C10 "]
    want = [i + 1 for i in range(n) if i not in (3, 10) and f"C{i % 50}" == f"C{(i * 7) % 61}"]
    want.append(11)
    got = sorted(p.row for p in io.validate_deals(df)
                 if p.message == "payer and payee are the same company")
    assert got == sorted(want) and len(want) > 10


def test_the_readers_shared_factors_give_every_problem_unchanged(tmp_path, monkeypatch):
    """With the text factors the reader computed on two threads handed to validation, a
    CSV with dirty numbers, flags and text gives the very table and problems it gives
    without them."""
    from flowgraph import io

    n = 400
    rng = np.random.default_rng(5)
    cells = np.array(["1.5", " 2 ", "abc", "-1", "1e400", "", "0", "3,5", "nan", "true"],
                     dtype=object)
    df = pd.DataFrame({"deal_id": [f"d{i % 397}" for i in range(n)],
                       "payer": rng.choice(["A", "B ", "Ｃ", "", "A\u200b"], n),
                       "payee": rng.choice(["B", "A", "D\n"], n),
                       "amount_usd_bn": rng.choice(cells, n),
                       "amount_low_usd_bn": rng.choice(cells, n),
                       "flow_type": rng.choice(["lease", "gift", ""], n),
                       "status": rng.choice(["committed", "rumored", " x"], n),
                       "estimate": rng.choice(["true", "no", "maybe", ""], n),
                       "source_url": "https://example.org/a b"})
    path = tmp_path / "d.csv"
    df.to_csv(path, index=False)
    raw, _ = io._read_table(str(path), "d.csv")
    plain = io.validate_deals(raw, source="d.csv")
    monkeypatch.setattr(io, "_PARALLEL_ROWS", 10)
    cells_, factors = {}, {}
    table = io._normalize_deals(raw, cells_, factors)
    assert "amount_usd_bn" in factors  # handed over, not hashed again
    shared = io.validate_deals(raw, source="d.csv", _cells=cells_, _factors=factors)
    assert [p.__dict__ for p in shared] == [p.__dict__ for p in plain] and len(plain) > 20
    monkeypatch.setattr(io, "_PARALLEL_ROWS", 10 ** 12)
    pd.testing.assert_frame_equal(table, io._normalize_deals(raw, None))


_PIECES = [b"a", b"B", b"1", b"2.5", b" ", b"\t", b",", b";", b'"', b'""', b"\n", b"\r\n",
           b"\r", b"'=", b"NA", b"{", b"\xc3\xa9", b"\xe2\x80\x8b", b"\xff", b"\xc3", b"\x00",
           b"\x1c", b"\xef\xbb\xbf", b"id", b"payer,payee", b"x,y\n"]


def _read_both(raw):
    from flowgraph import _readers
    from flowgraph.errors import DataError

    out = []
    for read in (lambda: _readers.read_csv_bytes(raw, "x.csv"),
                 lambda: _readers.read_csv_text(_readers.decode(raw, "x.csv"), "x.csv",
                                                data=_readers.utf8_body(raw))):
        try:
            out.append(read())
        except DataError as exc:
            out.append(("refused", str(exc), [str(p) for p in exc.problems]))
    return out


@pytest.mark.parametrize("seed", range(4))
def test_csv_read_from_bytes_matches_the_decoded_text(seed):
    """read_csv_bytes (no whole-file decode) against decode + read_csv_text on random byte
    strings built from CSV syntax, white space, quotes, BOMs, NUL, bad UTF-8 and JSON."""
    rng = np.random.default_rng(seed)
    refused = read = 0
    for _ in range(150):
        head = [b"id,payer,payee\n", b"a;b\n", b"one\n", b"", b"  x,y\n", b"a,a\n",
                b"\xef\xbb\xbfid,v\n", b"{\"a\": 1}\n"][rng.integers(8)]
        body = b"".join(_PIECES[i] for i in rng.integers(0, len(_PIECES), rng.integers(0, 40)))
        fast, slow = _read_both(head + body)
        if isinstance(slow[0], str):
            refused += 1
            assert isinstance(fast[0], str) and fast == slow, head + body
            continue
        assert not isinstance(fast[0], str), (head + body, fast)
        read += 1
        pd.testing.assert_frame_equal(fast[0], slow[0])
        assert [str(p) for p in fast[1]] == [str(p) for p in slow[1]]
    assert refused and read  # both kinds of outcome were compared


def test_csv_read_from_bytes_takes_the_fast_path_on_a_plain_file(monkeypatch):
    from flowgraph import _readers

    raw = b"deal_id,payer,payee\nd1,A,B\nd2,B,\xc3\xa9\n"
    monkeypatch.setattr(_readers, "decode", lambda *a: pytest.fail("decoded the whole file"))
    df, problems = _readers.read_csv_bytes(raw, "x.csv")
    assert list(df["payee"]) == ["B", "\u00e9"] and problems == []


@pytest.mark.parametrize("seed", range(3))
def test_csv_read_from_bytes_matches_on_near_regular_files(seed):
    """The same comparison on tables that are mostly well formed (so that most take the
    fast path): quoted separators and quotes, UTF-8 text, blanks, marked cells, CRLF, and
    now and then a stray quote, a short row or a byte that is not UTF-8."""
    from flowgraph import _readers

    rng = np.random.default_rng(100 + seed)
    cells = [b"a", b"1.5", b'"x,y"', b'"q""q"', b"\xc3\xa9t\xc3\xa9", b"", b"'=1", b" sp ",
             b"NA", b'"multi\nline"']
    rare = [b"\xff", b'x"y', b"\x00", b"\r"]
    fast = 0
    for _ in range(120):
        k = int(rng.integers(2, 5))
        sep = [b",", b";"][int(rng.integers(2))]
        end = [b"\n", b"\r\n"][int(rng.integers(2))]
        lines = [sep.join(b"c%d" % j for j in range(k))]
        for _r in range(int(rng.integers(0, 8))):
            row = [cells[int(rng.integers(len(cells)))] for _c in range(k)]
            if rng.random() < 0.05:
                row[0] = rare[int(rng.integers(len(rare)))]
            if rng.random() < 0.03:
                row = row[:-1]
            lines.append(sep.join(row))
        raw = end.join(lines) + (end if rng.random() < 0.7 else b"")
        fast += _readers._arrow_csv_bytes(raw, "x.csv") is not None
        got, want = _read_both(raw)
        if isinstance(want[0], str):
            assert isinstance(got[0], str) and got == want, raw
            continue
        assert not isinstance(got[0], str), (raw, got)
        pd.testing.assert_frame_equal(got[0], want[0])
        assert [str(p) for p in got[1]] == [str(p) for p in want[1]]
    assert fast >= 60  # most of them were read from the bytes


@pytest.mark.parametrize("seed", range(6))
def test_text_factors_of_distinct_columns_match_hashing(seed):
    """The sort that factorizes a column of distinct text (ids) gives pandas' own factorize
    exactly (codes in order of first use, -1 for a blank), and hands any column with a
    repeat, however late, back to hashing."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(_checks.VECTOR_MIN, 3 * _checks.VECTOR_MIN))
    pool = np.array(["a", "b", "é", "e\u0301", " ", "", "Z", "\u200b", "ß"], dtype=object)
    values = ["".join(rng.choice(pool, 3)) + f"|{i}" for i in rng.permutation(n)]
    if seed % 2:  # blanks in places
        for i in rng.choice(n, n // 10, replace=False):
            values[i] = None
    if seed % 3 == 2:  # one repeat, after the first VECTOR_MIN cells
        i = int(rng.integers(_checks.VECTOR_MIN, n))
        values[i] = next(v for v in values if v is not None)
    s = pd.Series(values, dtype="string[pyarrow]")
    got = _checks.text_factors(s)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    assert got[0].dtype == np.intp and got[1].dtype == object
    np.testing.assert_array_equal(got[0], codes)
    assert got[1].tolist() == list(uniques)
    distinct = _checks._distinct_factors(s.array._pa_array)
    assert (distinct is None) == (seed % 3 == 2)


def test_a_late_repeated_id_in_a_large_file_is_reported(tmp_path):
    from flowgraph import io
    from flowgraph.errors import DataError

    n = 3 * _checks.VECTOR_MIN
    ids = [f"d{i}" for i in range(n)]
    ids[n - 5] = ids[n - 900]
    df = pd.DataFrame({"deal_id": ids, "payer": [f"C{i % 97}" for i in range(n)],
                       "payee": [f"C{(i * 7 + 1) % 89}x" for i in range(n)],
                       "amount_usd_bn": "1", "flow_type": "lease", "status": "committed",
                       "source_url": "https://example.org/a"})
    df.to_csv(tmp_path / "d.csv", index=False)
    with pytest.raises(DataError) as err:
        io.read_deals(tmp_path / "d.csv")
    dup = [(p.row, p.value) for p in err.value.problems if p.message.startswith("duplicate")]
    assert dup == [(n - 4, ids[n - 900])]


def test_a_large_table_is_analysed_without_importing_networkx(tmp_path):
    """Above ``cli.LARGE_NETWORK`` deals, ``cycles`` and ``circulation`` work on the deals
    table and never need a graph: networkx (about 0.2 s to import) stays unloaded, estimates
    note included, and the answers equal those of the graph path. The cycle search does not
    load scipy.sparse either."""
    import json
    import subprocess
    import sys

    import flowgraph as fg
    from flowgraph.cli import LARGE_NETWORK

    deals = synthetic_network(8000, LARGE_NETWORK + 1, seed=3).deals.copy()
    deals.loc[np.arange(len(deals)) % 10 == 0, "estimate"] = True
    path = tmp_path / "big.csv"
    fg.write_deals(deals, path)
    prog = """
import json, sys
from flowgraph.cli import main
codes, sparse = [], []
for command, *more in (["cycles", "--max-length", "3"], ["circulation"]):
    try:
        main([command, "--deals", sys.argv[1], *more, "--format", "json",
              "-o", f"{sys.argv[1]}.{command}.json"])
    except SystemExit as exc:
        codes.append(exc.code)
    sparse.append("scipy.sparse" in sys.modules)
print(json.dumps({"codes": codes, "networkx": "networkx" in sys.modules,
                  "scipy.sparse after cycles": sparse[0]}))
"""
    out = subprocess.run([sys.executable, "-c", prog, str(path)], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    # nor does the cycle search need scipy.sparse (strong components are flowgraph's own)
    assert got == {"codes": [0, 0], "networkx": False, "scipy.sparse after cycles": False}
    loops = json.loads((tmp_path / "big.csv.cycles.json").read_text())
    flows = json.loads((tmp_path / "big.csv.circulation.json").read_text())
    assert any("Estimates are in" in n for n in loops["notes"])
    assert any("Estimates are in" in n for n in flows["notes"])
    G = fg.build_graph(fg.read_deals(path))
    found = fg.find_cycles(G, max_length=3, limit=None).cycles
    assert sorted(c["path"] for c in loops["cycles"]) == sorted(found["path"])
    assert len(found) > 1000
