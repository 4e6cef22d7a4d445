"""Reading and writing deals and companies tables as Parquet (through pyarrow).

A Parquet file keeps each column's type, so a table round-trips exactly: known columns are
written with fixed types (text as strings, amounts as float64, yes/no flags as booleans,
dates as their ``YYYY``/``YYYY-MM``/``YYYY-MM-DD`` text, so that their precision is kept),
and every other column with the type it has (integers stay integers, with nulls).

What the reader refuses, naming the file and the column (and the row when there is one):

- a file that is not Parquet (or is damaged), two columns with one name, or a column
  with a blank name;
- a column of lists, structs or maps (not single values);
- a time of day in a known date column (a date is read only to the day).

A ``date``/``timestamp`` at midnight in a known date column reads as ``YYYY-MM-DD`` (a
timestamp with a time zone: the date and midnight in that zone); a decimal
column reads as float64 (as a decimal written in a CSV file does).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import DataError, ParameterError, Problem

__all__ = ["read_table", "write_table"]


def _pa() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet
    except ImportError as exc:  # pragma: no cover - pyarrow is a dependency
        raise ParameterError(f"Parquet needs pyarrow (pip install pyarrow): {exc}") from None
    return pa


def _known_dates() -> tuple[str, ...]:
    from .io import COMPANY_DATES, DATE_COLUMNS

    return (*DATE_COLUMNS, *COMPANY_DATES)


def _int_mapper(pa: Any) -> Any:
    """Integers and booleans with nulls as pandas' nullable types, so that a null does not
    turn an integer column into floats."""
    ints = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
            pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(),
            pa.uint16(): pd.UInt16Dtype(), pa.uint32(): pd.UInt32Dtype(),
            pa.uint64(): pd.UInt64Dtype(), pa.bool_(): pd.BooleanDtype()}
    return ints.get


def _has_blank(pc: Any, col: Any) -> bool:
    """Whether some cell of a text column is empty or only white space (one pass of two
    cheap kernels; most columns have none, and then the trimmed copy is not made)."""
    return (pc.any(pc.utf8_is_space(col)).as_py() is True
            or pc.any(pc.equal(col, "")).as_py() is True)


def read_table(source: Any, label: str) -> pd.DataFrame:
    """A Parquet file (path or binary file object) as a table of raw values.

    Examples
    --------
    >>> import os, tempfile
    >>> import pandas as pd
    >>> p = os.path.join(tempfile.mkdtemp(), "t.parquet")
    >>> pd.DataFrame({"deal_id": ["a"], "n": [3]}).to_parquet(p)
    >>> read_table(p, "t.parquet")["n"].tolist()
    [3]
    """
    pa = _pa()
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(source)
        if hasattr(source, "seek"):
            source.seek(0)
        names = list(schema.names)
        from ._readers import _check_headers, blank_names

        _check_headers(names, label)
        unnamed = blank_names(names)
        if unnamed:
            raise DataError(f"{label}: column {', '.join(map(str, unnamed))} has a blank "
                            "name; name the column",
                            [Problem("error", f"column {i} has a blank name; name the "
                                     "column", label) for i in unnamed])
        table = pq.read_table(source, use_pandas_metadata=False)
    except DataError:
        raise
    except (pa.ArrowException, OSError, ValueError) as exc:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(f"{label}: not a readable Parquet file ({text[:120]})") from None
    problems = []  # blank text reads as missing, as from CSV
    dates = set(_known_dates())
    cols = {}
    for name, col in zip(table.column_names, table.columns):
        t = col.type
        if pa.types.is_dictionary(t):
            col = col.cast(t.value_type)
            t = col.type
        if pa.types.is_nested(t):
            problems.append(Problem("error", f"a column of {t} values, not single values",
                                    label, None, name))
            continue
        if pa.types.is_decimal(t):
            col = col.cast(pa.float64())
        elif name in dates and (pa.types.is_timestamp(t) or pa.types.is_date(t)):
            if pa.types.is_timestamp(t) and t.tz is not None:
                # the date on the calendar of the zone the time was written in, not in UTC
                # (midnight in Berlin is the evening before in UTC)
                col = pc.local_timestamp(col)
                t = col.type
            if pa.types.is_timestamp(t):
                day = pc.cast(pc.floor_temporal(col, unit="day"), t)
                timed = pc.fill_null(pc.not_equal(col, day), False)
                if pc.any(timed).as_py():
                    row = int(pc.index(timed, True).as_py()) + 1
                    problems.append(Problem(
                        "error", "a time of day in a date column (dates are read to the day)",
                        label, row, name, str(col[row - 1].as_py())))
                    continue
            col = pc.strftime(pc.cast(col, pa.timestamp("s")), format="%Y-%m-%d")
        elif ((pa.types.is_string(t) or pa.types.is_large_string(t))
              and col.null_count < len(col) and _has_blank(pc, col)):
            blank = pc.equal(pc.utf8_trim_whitespace(col), "")
            col = pc.if_else(blank, pa.scalar(None, t), col)
        cols[name] = col
    if problems:
        raise DataError(f"{label}: {len(problems)} unreadable column"
                        f"{'s' if len(problems) > 1 else ''} ({problems[0]})", problems)
    mapper = _int_mapper(pa)
    # text in pandas' own layout, as the CSV reader gives it: a mapper, even one that maps
    # no text type, turns a text column of nulls (one never filled) into Python objects
    frame = {name: col.to_pandas(types_mapper=mapper if col.null_count and mapper(col.type)
                                 is not None else None)
             for name, col in cols.items()}
    return pd.DataFrame(frame, index=pd.RangeIndex(table.num_rows), copy=False)


def _arrow_column(pa: Any, name: str, s: pd.Series, kind: str) -> Any:
    """One column as a pyarrow array of a fixed type (known columns) or its own type."""
    if kind == "float":
        return pa.array(pd.to_numeric(s, errors="coerce").to_numpy(dtype=float), pa.float64(),
                        from_pandas=True)
    if kind == "bool":
        from .schema import parse_bool

        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        parsed = [parse_bool(u) for u in uniques] + [None]
        vals = [parsed[k] for k in codes]
        return pa.array(vals, pa.bool_())
    if kind == "text":
        vals = s.to_numpy(dtype=object)
        bad = [i for i, v in enumerate(vals)
               if not (v is None or v is pd.NA or isinstance(v, str)
                       or (isinstance(v, float) and v != v))]
        if bad:
            vals = vals.copy()
            for i in bad:
                vals[i] = str(vals[i])
        return pa.array(vals, pa.string(), from_pandas=True)
    try:
        return pa.Array.from_pandas(s)
    except (pa.ArrowException, TypeError, ValueError) as exc:
        raise ParameterError(
            f"column {name!r} mixes values of several types and cannot be written to Parquet "
            f"exactly ({str(exc).splitlines()[0][:100]}); write CSV or JSON instead") from None


def write_table(df: pd.DataFrame, path: Any) -> None:
    """Write a deals or companies table to a Parquet file, atomically.

    Examples
    --------
    >>> import os, tempfile
    >>> import pandas as pd
    >>> p = os.path.join(tempfile.mkdtemp(), "t.parquet")
    >>> write_table(pd.DataFrame({"deal_id": ["a"], "amount_usd_bn": [1.5]}), p)
    >>> read_table(p, "t.parquet")["amount_usd_bn"].tolist()
    [1.5]
    """
    pa = _pa()
    import pyarrow.parquet as pq

    from . import _files, schema
    from .io import COMPANY_NUMERIC, DEAL_FLAGS, DEAL_NUMERIC

    deals = "deal_id" in df.columns
    known = schema.DEAL_COLUMNS if deals else schema.COMPANY_COLUMNS
    numeric = set(DEAL_NUMERIC if deals else COMPANY_NUMERIC)
    flags = set(DEAL_FLAGS if deals else ("listed",))
    arrays, names = [], []
    for c in df.columns:
        name = str(c)
        kind = ("float" if name in numeric else "bool" if name in flags
                else "text" if name in known else "own")
        arrays.append(_arrow_column(pa, name, df[c].reset_index(drop=True), kind))
        names.append(name)
    table = pa.Table.from_arrays(arrays, names=names)
    with _files.atomic_path(Path(os.fspath(path))) as tmp:
        pq.write_table(table, tmp)
