"""Parsing CSV, JSON and Excel files into tables of raw cells, refusing what cannot be read
exactly.

Every refusal is a :class:`~flowgraph.errors.DataError` naming the file (and the row or
cell when there is one). What the readers refuse, and why:

- a NUL byte anywhere in a text file (binary content, or a field silently cut short);
- a zip archive, an encrypted workbook or JSON Lines under a ``.csv``/``.json`` name;
- a quote that is never closed (it would swallow every following row into one field);
- two columns with the same header, or two keys with the same name in one JSON record
  (pandas and ``json`` would silently keep one);
- a header row shorter than every data row (a trailing separator): the columns would shift;
- JSON nested deeper than a table, or integers too long to be a number;
- values in a column without a name (a blank CSV header cell, cells right of a workbook's
  last header, a JSON field named ``""``): a name would have to be made up and the file
  would not be written back as it was. A CSV column without a header and without values (a
  separator left at the end of every line) is dropped with a warning;
- in a workbook: an Excel error value (``#DIV/0!``), a formula without a saved value, or a
  workbook with several sheets and none named for the table (choose with ``sheet=``).

Text files are UTF-8 (a byte-order mark is dropped), or UTF-16 or UTF-32 when a byte-order
mark says so (Excel's "Unicode Text"); anything else that is not UTF-8 is refused.

Text cells reading ``NA``, ``None`` or ``NULL`` stay text in every format (a ticker ``NA`` is
not a blank).

CSV is parsed by pyarrow's multithreaded reader, every column as text, where it reads the
table exactly as pandas' C parser does (quotes that open, close or double inside fields,
lines ending in LF or CRLF); anything else (a quote inside an unquoted field or left open, a
lone CR, rows longer or shorter than the header, a blank header) goes to pandas' parser,
which decides or refuses as described above.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io as _io
import json
import re
from typing import Any

import pandas as pd

from .errors import DataError, Problem

__all__ = ["read_csv_text", "read_json_text", "read_xlsx"]

_XML_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")
"""OOXML's escape of a character in a cell's text (``_x000D_`` is a CR)."""
MAX_VALUE_DEPTH = 2
"""A record's value may be an object or list of plain values (reported by validation as
not a single value); anything nested deeper is refused here."""


def _near_duplicates(names: list[str]) -> list[str]:
    seen: set[str] = set()
    dups = []
    for n in names:
        key = str(n).strip()
        if key in seen and key not in dups:
            dups.append(key)
        seen.add(key)
    return dups


def _check_headers(names: list[Any], label: str) -> None:
    dups = _near_duplicates([str(n) for n in names])
    if dups:
        raise DataError(
            f"{label}: duplicate column header{'s' if len(dups) > 1 else ''} "
            f"{', '.join(map(repr, dups))}: each column must have its own name",
            [Problem("error", "duplicate column header", label, 0, d) for d in dups])


def is_blank_name(name: Any) -> bool:
    """Whether a column name or JSON key is blank (empty or spaces only): no name, which the
    readers refuse for a column holding values and the writers refuse outright. The one rule
    of both."""
    return not str(name).strip()


def blank_names(names: Any) -> list[int]:
    """The positions (from 1) of the blank names among ``names`` (:func:`is_blank_name`)."""
    return [i + 1 for i, n in enumerate(names) if is_blank_name(n)]


def _sniff_binary(raw: bytes, label: str) -> None:
    if raw[:4] == b"PK\x03\x04":
        raise DataError(f"{label}: a zip archive (an .xlsx workbook?), not a text table; "
                        "give it a .xlsx name or save it as CSV")
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise DataError(f"{label}: an encrypted or old-format (.xls) Office file; save it "
                        "unprotected as .xlsx or CSV")


_WIDE_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
              (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
"""Byte-order marks of UTF-32 and UTF-16 text (as Excel's "Unicode Text" saves), longest
first: such a file says its own encoding, so it is read exactly."""


def wide_encoding(raw: bytes) -> str | None:
    """``"utf-16"`` or ``"utf-32"`` when ``raw`` starts with that encoding's byte-order mark,
    else None (the text must then be UTF-8)."""
    return next((enc for bom, enc in _WIDE_BOMS if raw.startswith(bom)), None)


def utf8_body(raw: bytes) -> bytes | None:
    """The bytes of the text :func:`decode` returns for ``raw`` (``raw`` without a UTF-8
    byte-order mark), once :func:`decode` accepted them; None for UTF-16 or UTF-32 text,
    whose bytes are not the text's UTF-8."""
    if wide_encoding(raw):
        return None
    return raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw


def decode(raw: bytes | str, label: str) -> str:
    """Bytes as text: UTF-8 (a BOM dropped), or UTF-16/UTF-32 where a byte-order mark says
    so; refusing binary content and NUL bytes anywhere."""
    if isinstance(raw, bytes):
        _sniff_binary(raw, label)
        wide = wide_encoding(raw)
        try:
            text = raw.decode(wide or "utf-8-sig")
        except UnicodeDecodeError as exc:
            if wide:
                raise DataError(f"{label}: not {wide.upper()} text after its byte-order mark "
                                f"(byte {exc.start}); save the file as UTF-8") from None
            raise DataError(
                f"{label}: not UTF-8 text (byte {exc.start}: {raw[exc.start:exc.start + 1]!r});"
                " save the file as UTF-8"
            ) from None
    else:
        text = raw.lstrip("\ufeff")
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise DataError(f"{label}: a NUL byte on line {line} (binary content, not a text table)")
    return text


def read_csv_text(text: str, label: str, *, data: bytes | None = None
                  ) -> tuple[pd.DataFrame, list[Problem]]:
    """A CSV text as a table of strings (blank cells as NaN, every other text kept), and
    the warnings of reading it. ``data``: ``text`` as UTF-8 bytes, when the caller has them
    (the file's bytes after :func:`decode`, without a byte-order mark)."""
    stripped = text.lstrip()
    if stripped.startswith("{") and "\n{" in stripped:
        raise DataError(f"{label}: looks like JSON Lines (one object per line), not CSV; "
                        "save it as a JSON list of records with a .json name")
    end = text.find("\n")
    sep, header = _header(text if end < 0 else text[:end])
    _check_headers(header, label)
    fast = _arrow_csv(text, header, sep, data=data)
    if fast is not None:
        (df, marked), problems = fast, []
    else:
        (df, problems), marked = _exact_csv(text, label, sep), None
        if len(df.columns) == len(header):
            df, problems = _unnamed_columns(df, header, label, problems)
    _unmark(df, df.columns if marked is None else marked)
    return df, problems


def _unnamed_columns(df: pd.DataFrame, header: list[str], label: str,
                     problems: list[Problem]) -> tuple[pd.DataFrame, list[Problem]]:
    """The columns whose header cell is blank: dropped with one warning when they hold
    nothing (a separator left at the end of the header and the rows), refused when they hold
    values (a name would have to be made up, and the file not written back as it was)."""
    blank = [i - 1 for i in blank_names(header)]
    if not blank:
        return df, problems
    errors = []
    for i in blank:
        col = df.iloc[:, i]
        filled = col.notna().to_numpy()
        if filled.any():
            row = int(filled.argmax()) + 1
            errors.append(Problem(
                "error", f"column {i + 1} has values but no header; name the column",
                label, row, None, _short(col.iloc[row - 1])))
    if errors:
        raise DataError(f"{label}: {errors[0].message} (from row {errors[0].row}: "
                        f"{errors[0].value!r})", errors)
    keep = [c for k, c in enumerate(df.columns) if k not in set(blank)]
    where = ", ".join(str(i + 1) for i in blank)
    return df[keep].copy(), [*problems, Problem(
        "warning", f"column{'s' if len(blank) > 1 else ''} {where} without a header and "
        "without values (a trailing separator?); ignored", label)]


def read_csv_bytes(raw: bytes, label: str) -> tuple[pd.DataFrame, list[Problem]]:
    """:func:`read_csv_text` of ``decode(raw, label)``: the same table, warnings and
    refusals, without first decoding the whole file into one string where pyarrow's reader
    can take the bytes (it checks that every cell is UTF-8). Whatever it cannot take so
    (a NUL byte, text that is not UTF-8, a file starting with white space or ``{``, one
    column, a repeated header, anything :func:`_arrow_csv` declines) is decoded and read by
    :func:`read_csv_text`, which gives the messages."""
    fast = _arrow_csv_bytes(raw, label)  # None for UTF-16/32 text (no UTF-8 body)
    if fast is not None:
        return fast, []
    return read_csv_text(decode(raw, label), label, data=utf8_body(raw))


def _arrow_csv_bytes(raw: bytes, label: str) -> pd.DataFrame | None:
    """The table :func:`read_csv_bytes` reads from the bytes themselves, or None."""
    _sniff_binary(raw, label)
    body = utf8_body(raw)
    if not body or b"\x00" in body:
        return None
    first = chr(body[0])
    if not first.isascii() or first.isspace() or first == "{":  # str.lstrip's white space
        return None
    end = body.find(b"\n")
    try:
        header_line = (body if end < 0 else body[:end]).decode("utf-8")
    except UnicodeDecodeError:
        return None
    sep, header = _header(header_line)
    if len(header) < 2 or _near_duplicates([str(n) for n in header]):
        return None
    fast = _arrow_csv(None, header, sep, data=body)  # header >= 2 columns: text not needed
    if fast is None:
        return None
    df, marked = fast
    _unmark(df, marked)
    return df


def _header(line: str) -> tuple[str, list[str]]:
    """The separator and the column names of a CSV header line."""
    # spreadsheets in many locales save CSV with ';' (or tabs) between the columns
    sep = next((c for c in (";", "\t") if c in line and "," not in line), ",")
    try:
        header = next(csv.reader(_io.StringIO(line), delimiter=sep))
    except (StopIteration, csv.Error):
        header = []
    return sep, header


def _unmark(df: pd.DataFrame, columns: Any) -> None:
    """Drop the apostrophe flowgraph's writers put before '=', '+', '-', '@' (in place)."""
    from .escape import unspreadsheet

    for c in columns:
        col = df[c]
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            mark = col.str.startswith("'", na=False)
            if mark.any():
                df.loc[mark, c] = col[mark].map(unspreadsheet)


_BLANK_LINE = re.compile(r"(?:^|[\r\n])[ \t\f\v]+(?:[\r\n]|$)")


def _arrow_csv(text: str | None, header: list[str], sep: str, *, data: bytes | None = None
               ) -> tuple[pd.DataFrame, list[str]] | None:
    """The table as :func:`_exact_csv` reads it, parsed by pyarrow's (multithreaded) CSV
    reader with every column as text, and the columns with a cell starting with an
    apostrophe; None where pyarrow cannot decide that it reads the same: any parse error (a
    quote never closed, a row with more or fewer fields than the header, a lone CR ending a
    line), a blank header, or a one-column file with a line of spaces (pandas skips it).
    ``data``: the text as UTF-8 bytes (encoded here when not given); ``text`` may be None
    when ``data`` is given and the header has more than one column."""
    if not header or blank_names(header):  # a blank header: see read_csv_text
        return None
    if len(header) == 1 and (text is None or _BLANK_LINE.search(text)):
        return None
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    if data is None:
        data = (text or "").encode("utf-8")
    quoted = b'"' in data  # the bytes of a quote or a CR are never part of another character
    if b"\r" in data and not _crs_end_lines(data):
        return None
    if quoted and not _quotes_are_fields(data, sep):
        return None
    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(use_threads=True),
            parse_options=pacsv.ParseOptions(delimiter=sep, quote_char='"', double_quote=True,
                                             escape_char=False,
                                             newlines_in_values=quoted,
                                             ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(  # large_string: pandas' own str layout
                column_types={h: pa.large_string() for h in header}, check_utf8=True,
                strings_can_be_null=True,
                null_values=[""], quoted_strings_can_be_null=True,
                include_columns=list(header)))
    except (pa.ArrowException, ValueError, OSError):
        return None
    if table.column_names != list(header):
        return None
    import pyarrow.compute as pc

    marked = [name for name, col in zip(table.column_names, table.columns)
              if col.null_count < len(col) and pc.any(pc.starts_with(col, "'")).as_py()]
    df = table.to_pandas()
    for c in df.columns:  # pandas' own reader gives NaN for a blank object cell
        if df[c].dtype == object:
            df[c] = df[c].where(df[c].notna(), float("nan"))
    return df, marked


def _crs_end_lines(data: bytes) -> bool:
    """Whether every CR is followed by a LF (pandas and pyarrow split lines at a lone CR
    differently)."""
    import numpy as np

    buf = np.frombuffer(data, dtype=np.uint8)
    cr = np.flatnonzero(buf == 13)
    return bool(len(cr) == 0 or (cr[-1] + 1 < len(buf) and (buf[cr + 1] == 10).all()))


def _quotes_are_fields(data: bytes, sep: str) -> bool:
    """Whether every quote in the file opens a field, closes one, or is doubled inside one,
    and every quoted field is closed (vectorised over the quote positions). Then both parsers
    read the quotes alike; a quote inside an unquoted field, text after a closing quote, or
    a quote left open (pyarrow would read it to the end of the file) go to the exact reader."""
    import numpy as np

    buf = np.frombuffer(data, dtype=np.uint8)
    q = np.flatnonzero(buf == 34)
    if not len(q):
        return True
    if len(q) % 2:
        return False
    ends = np.array([ord(sep), 10, 13], dtype=np.uint8)
    opening, closing = q[0::2], q[1::2]
    before = buf[np.maximum(opening - 1, 0)]
    doubled = np.zeros(len(opening), dtype=bool)  # the second quote of a '""' in a field
    doubled[1:] = opening[1:] == closing[:-1] + 1
    ok_open = (opening == 0) | np.isin(before, ends) | doubled
    after_pos = closing + 1
    after = buf[np.minimum(after_pos, len(buf) - 1)]
    pair = np.zeros(len(closing), dtype=bool)  # the first quote of a '""' in a field
    pair[:-1] = opening[1:] == closing[:-1] + 1
    ok_close = (after_pos >= len(buf)) | np.isin(after, ends) | pair
    return bool(ok_open.all() and ok_close.all())


def _exact_csv(text: str, label: str, sep: str) -> tuple[pd.DataFrame, list[Problem]]:
    """The CSV text read by pandas' C parser (every column as text), with the refusals and
    the trailing-separator repair of :func:`read_csv_text` (and its warning)."""
    try:
        df = pd.read_csv(
            _io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""],
            skipinitialspace=False, sep=sep,
        )
    except pd.errors.EmptyDataError:
        raise DataError(f"{label}: empty file, not a table") from None
    except pd.errors.ParserError as exc:
        msg = str(exc)
        if "EOF inside string" in msg:
            m = re.search(r"row (\d+)", msg)
            where = f" (the quote opens on data row {m.group(1)})" if m else ""
            raise DataError(f"{label}: a quote is never closed{where}; it would swallow the "
                            "rows after it. Close the quote or remove it") from None
        _check_field_counts(text, label, sep)  # a row too long: name it, and every other
        text = " ".join(msg.replace("C error: ", "").split())
        raise DataError(f"{label}: not a CSV table ({text})") from None
    if not isinstance(df.index, pd.RangeIndex):
        # every data row has one field more than the header: pandas takes the first field
        # as a row label and shifts the columns. Put them back, then judge the extra field.
        names = list(df.columns)
        first = pd.Series(df.index.to_numpy(), dtype=object)
        if isinstance(df.index, pd.MultiIndex):
            raise DataError(f"{label}: every data row has more fields than the header has "
                            "columns; the columns would shift")
        fixed = pd.DataFrame({names[0]: first.to_numpy()})
        for k in range(1, len(names)):
            fixed[names[k]] = df[names[k - 1]].to_numpy()
        extra = df[names[-1]]
        if extra.notna().any():
            row = int(extra.notna().to_numpy().argmax()) + 1
            raise DataError(
                f"{label}: every data row has one field more than the header (from row {row}: "
                f"{_short(extra.dropna().iloc[0])!r}); the columns would shift. Add the "
                "missing header or remove the extra field")
        return fixed, [Problem(
            "warning", "every data row ends with an extra empty field (a trailing separator);"
            " ignored", label)]
    _check_field_counts(text, label, sep)  # pandas fills a row cut short with blanks
    return df, []


def _check_field_counts(text: str, label: str, sep: str) -> None:
    """Refuse rows with fewer or more fields than the header, naming every one (rows from
    1 after the header; blank lines are skipped, as the parser skips them). A row cut short
    would read with its last cells blank (a tranche losing its ``part_of``, counted on top of
    its headline), one too long would shift its cells."""
    rows = csv.reader(_io.StringIO(text), delimiter=sep, quotechar='"', doublequote=True,
                      strict=False)
    try:
        width = len(next(rows))
    except (StopIteration, csv.Error):
        return
    problems, row = [], 0
    try:
        for fields in rows:
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue  # a blank line, which the parser skips too
            row += 1
            if len(fields) != width:
                what = "cut short?" if len(fields) < width else "a separator inside a value?"
                problems.append(Problem(
                    "error", f"{len(fields)} fields where the header has {width} columns "
                    f"({what})", label, row, None, _short(sep.join(fields))))
    except csv.Error:  # the parser decides (its own message)
        return
    if problems:
        first = problems[0]
        more = f" and {len(problems) - 1} more row{'s' if len(problems) > 2 else ''}" \
            if len(problems) > 1 else ""
        raise DataError(f"{label}: row {first.row} has {first.message}{more}; the cells would "
                        "shift or be read as blank. Complete the row (empty fields between "
                        "separators) or quote the value", problems)


def _short(v: Any, limit: int = 60) -> str:
    text = str(v)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _depth(v: Any, limit: int) -> int:
    stack = [(v, 1)]
    deepest = 0
    while stack:
        x, d = stack.pop()
        deepest = max(deepest, d)
        if deepest > limit:
            return deepest
        if isinstance(x, dict):
            stack.extend((y, d + 1) for y in x.values())
        elif isinstance(x, list):
            stack.extend((y, d + 1) for y in x)
    return deepest


def read_json_text(text: str, label: str) -> pd.DataFrame:
    """A JSON list of records (or ``{"records": [...]}``) as a table of raw values."""
    dup_keys: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in items:
            if k in out and k not in dup_keys:
                dup_keys.append(k)
            out[k] = v
        return out

    try:
        # NaN and Infinity are not JSON (RFC 8259); read as the text they are, they get the
        # message the same text gets in a CSV file instead of passing as a blank cell
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=str)
    except json.JSONDecodeError as exc:
        hint = ""
        if exc.msg == "Extra data" and text.lstrip().startswith("{"):
            hint = "; one object per line is JSON Lines: put the records in a list"
        raise DataError(f"{label}: not valid JSON ({exc}){hint}") from None
    except RecursionError:
        raise DataError(f"{label}: JSON nested too deeply to be a table of records") from None
    except ValueError as exc:  # an integer beyond Python's digit limit
        raise DataError(f"{label}: not readable JSON ({_short(exc, 120)})") from None
    if dup_keys:
        raise DataError(
            f"{label}: duplicate key{'s' if len(dup_keys) > 1 else ''} "
            f"{', '.join(map(repr, dup_keys))} in a record: each field must appear once",
            [Problem("error", "duplicate key in a JSON record", label, None, k)
             for k in dup_keys])
    if isinstance(data, dict) and isinstance(data.get("records", data.get("data")), list):
        data = data.get("records", data.get("data"))
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise DataError(f"{label}: JSON must be a list of records (objects)")
    unnamed = [Problem("error", "a field with a blank name; name the field", label, i + 1,
                       None, _short(json.dumps(rec[k]), 60))
               for i, rec in enumerate(data) for k in rec if is_blank_name(k)]
    if unnamed:  # no column of another format could be named so
        raise DataError(f"{label}: {unnamed[0].message} (record {unnamed[0].row})", unnamed)
    deep = [Problem("error", "a value nested too deeply (an object or list holding others)",
                    label, i + 1, str(k), _short(json.dumps(v), 60))
            for i, rec in enumerate(data) for k, v in rec.items()
            if isinstance(v, (dict, list)) and _depth(v, MAX_VALUE_DEPTH) > MAX_VALUE_DEPTH]
    if deep:
        raise DataError(f"{label}: JSON nested too deeply to be a table of records "
                        f"({deep[0]})", deep)
    return _exact_integers(pd.DataFrame.from_records(data), data)


def _exact_integers(df: pd.DataFrame, records: list[dict[str, Any]]) -> pd.DataFrame:
    """The columns pandas made floats only because of a null, back as the integers they are
    (pandas' nullable ``Int64``, or Python integers beyond its range): a float would change
    9007199254740993 and write ``100`` back as ``100.0``."""
    for col in [c for c in df.columns if df[c].dtype.kind == "f"]:
        vals = [r.get(col) for r in records]
        if not all(v is None or (type(v) is int) for v in vals) or all(v is None for v in vals):
            continue
        fits = all(v is None or -2 ** 63 <= v < 2 ** 63 for v in vals)
        df[col] = (pd.array(vals, dtype="Int64") if fits
                   else pd.Series(vals, dtype=object, index=df.index))
    return df


def read_xlsx(source: Any, label: str, *, sheet: str | None = None,
              kind: str = "deals") -> tuple[pd.DataFrame, list[Problem]]:
    """One sheet of a workbook as a table of raw cell values, and the warnings of reading it.

    The sheet is ``sheet`` when given, else the one named ``kind`` (``deals`` or
    ``companies``), else the only sheet. Text cells stay text (``NA`` is a ticker, not a
    blank); an error value or a formula without a saved result is refused with its cell.
    """
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
        raise DataError(f"{label}: reading Excel needs openpyxl ({exc})") from None
    if hasattr(source, "read"):
        blob = source.read()
        open_src = lambda: _io.BytesIO(blob)  # noqa: E731
    else:
        with open(source, "rb") as fh:
            head = fh.read(8)
        if head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise DataError(f"{label}: an encrypted (password-protected) or old-format .xls "
                            "workbook; save it unprotected as .xlsx")
        open_src = lambda: source  # noqa: E731
    try:
        wb = openpyxl.load_workbook(open_src(), data_only=True, read_only=False)
        wb_f = openpyxl.load_workbook(open_src(), data_only=False, read_only=False)
    except Exception as exc:
        raise DataError(f"{label}: not a readable Excel workbook ({_short(exc, 120)})") from None
    names = list(wb.sheetnames)
    problems: list[Problem] = []
    if sheet is not None:
        if sheet not in names:
            raise DataError(f"{label}: no sheet {sheet!r}; the workbook has: "
                            f"{', '.join(map(repr, names))}")
        chosen = sheet
    elif kind in names:
        chosen = kind
    elif len(names) == 1:
        chosen = names[0]
    else:
        raise DataError(f"{label}: the workbook has {len(names)} sheets "
                        f"({', '.join(map(repr, names))}) and none is named {kind!r}; "
                        "choose one with --sheet NAME")
    if len(names) > 1:
        others = ", ".join(repr(n) for n in names if n != chosen)
        problems.append(Problem("warning", f"read sheet {chosen!r}; other sheets ignored: "
                                f"{others}", label))
    ws, ws_f = wb[chosen], wb_f[chosen]
    rows = list(ws.iter_rows())
    if not rows:
        raise DataError(f"{label}: sheet {chosen!r} is empty, not a table")
    bad: list[Problem] = []
    header = [None if isinstance(c.value, str) and is_blank_name(c.value) else c.value
              for c in rows[0]]  # a header cell of spaces is no name either
    while header and header[-1] is None:
        header.pop()
    width = len(header)
    if any(h is None for h in header):
        raise DataError(f"{label}: sheet {chosen!r} has a column without a header")
    header = [str(h) for h in header]
    _check_headers(header, label)
    records = []
    for r, row in enumerate(rows[1:], start=1):
        for cell in row[width:]:  # beyond the last header: refused, never dropped unseen
            v = cell.value
            if v is not None and not (isinstance(v, str) and is_blank_name(v)):
                bad.append(Problem("error", f"a value in cell {cell.coordinate}, a column "
                                   "without a header; name the column", label, r, None,
                                   _short(v)))
        vals = []
        for j in range(width):
            cell = row[j] if j < len(row) else None
            v = None if cell is None else cell.value
            if cell is not None and cell.data_type == "e":
                bad.append(Problem("error", f"an Excel error value in cell {cell.coordinate}, "
                                   "not a value", label, r, header[j], _short(v)))
                v = None
            elif v is None and cell is not None:
                f = ws_f[cell.coordinate].value
                if isinstance(f, str) and f.startswith("="):
                    bad.append(Problem(
                        "error", f"a formula without a saved result in cell {cell.coordinate}"
                        " (open and save the workbook in Excel, or paste values)",
                        label, r, header[j], _short(f)))
            if isinstance(v, str):
                v = _XML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), v) or None
                if v is not None and v.strip() == "":
                    v = None
            elif isinstance(v, _dt.datetime) and v.time() == _dt.time(0):
                v = v.date().isoformat()
            elif isinstance(v, _dt.date):
                v = v.isoformat()
            vals.append(v)
        records.append(vals)
    while records and all(v is None for v in records[-1]):
        records.pop()
    if bad:
        raise DataError(f"{label}: {len(bad)} unreadable cell{'s' if len(bad) > 1 else ''} "
                        f"in sheet {chosen!r} (row {bad[0].row}: {bad[0].message})", bad)
    return pd.DataFrame(records, columns=header, dtype=object), problems
