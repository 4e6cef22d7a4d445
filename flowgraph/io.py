"""Reading, validating and writing deals and companies tables, and the bundled datasets.

Tables come from CSV, JSON (a list of records), Excel (``.xlsx``) or Parquet files, or from a
DataFrame. Validation collects *every* problem with its file, row, column and value: errors
stop a load (all of them listed in one :class:`~flowgraph.errors.DataError`), warnings are
issued as one :class:`~flowgraph.errors.DataWarning` per read (its ``.problems`` lists them;
:func:`load_dataset` keeps them in ``Dataset.warnings``). Columns flowgraph does not know are
kept and written back out.
"""
from __future__ import annotations

import json
import math
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import _checks, schema
from .errors import DataError, DatasetNotFoundError, ParameterError, Problem, warn_problems

__all__ = [
    "Dataset",
    "ValidationReport",
    "list_datasets",
    "load_dataset",
    "normalize_companies",
    "normalize_deals",
    "read_companies",
    "read_deals",
    "subset_deals",
    "validate_companies",
    "validate_deals",
    "validate_file",
    "write_companies",
    "write_deals",
]

AMOUNT_COLUMNS = ("amount_usd_bn", "amount_low_usd_bn", "amount_high_usd_bn")
DEAL_NUMERIC = (*AMOUNT_COLUMNS, "paid_usd_bn", "gw")
DEAL_FLAGS: dict[str, bool | None] = {"estimate": False, "conditional": None}
DATE_COLUMNS = ("announced", "period_start", "period_end", "paid_as_of", "checked")
COMPANY_ALIASES = {
    "company": "name",
    "annual_revenue_usd_bn": "revenue_usd_bn",
    "market_cap_usd_bn": "market_value_usd_bn",
    "market_cap_date": "market_value_as_of",
    "total_debt_usd_bn": "debt_usd_bn",
}
COMPANY_NUMERIC = (*schema.FUNDAMENTALS, "useful_life_years")
COMPANY_DATES = tuple(c for c in schema.COMPANY_COLUMNS if c.endswith("_as_of"))
MAX_PROBLEMS_PER_KIND = 1000
_URL_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


# --------------------------------------------------------------------------- datasets
@dataclass(frozen=True)
class Dataset:
    """A bundled (or user-assembled) dataset: deals, companies and metadata.

    Attributes
    ----------
    name : str
    deals : pandas.DataFrame
    companies : pandas.DataFrame
    meta : dict
        ``title``, ``description``, ``as_of``, ``unit`` ... from ``meta.json``.
    revenue_shares, revenue_projections : pandas.DataFrame or None
        The optional company-side tables (``revenue_shares.csv``,
        ``revenue_projections.csv``; see :mod:`flowgraph.revenue_tables`), None when the
        dataset has none.
    warnings : tuple of Problem
        The non-fatal problems found in its tables when it was loaded (what the readers
        issue as a :class:`~flowgraph.errors.DataWarning`; :func:`load_dataset` keeps them
        here and issues none).

    Examples
    --------
    >>> ds = load_dataset("toy")
    >>> ds.name
    'toy'
    """

    name: str
    deals: pd.DataFrame = field(repr=False)
    companies: pd.DataFrame = field(repr=False)
    meta: dict[str, Any] = field(default_factory=dict, repr=False)
    revenue_shares: pd.DataFrame | None = field(default=None, repr=False)
    revenue_projections: pd.DataFrame | None = field(default=None, repr=False)
    warnings: tuple[Problem, ...] = field(default=(), repr=False)

    @property
    def as_of(self) -> str | None:
        """Date of the latest information in the dataset."""
        return self.meta.get("as_of")

    @property
    def title(self) -> str:
        """Human-readable title."""
        return str(self.meta.get("title", self.name))


def _datasets_root() -> Any:
    try:
        root = resources.files("flowgraph._datasets")
        if root.is_dir():
            return root
    except (ModuleNotFoundError, TypeError):
        pass
    here = Path(__file__).resolve().parent.parent / "datasets"  # a source checkout
    return here


def _dataset_dirs() -> dict[str, Any]:
    root = _datasets_root()
    out = {}
    for entry in root.iterdir():
        if entry.is_dir() and entry.joinpath("deals.csv").is_file():
            out[entry.name] = entry
    return dict(sorted(out.items()))


def list_datasets() -> pd.DataFrame:
    """The bundled datasets with their size and as-of date.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``title``, ``deals``, ``companies``, ``as_of``, ``description``.

    Examples
    --------
    >>> "ai-capital" in set(list_datasets()["name"])
    True
    """
    rows = []
    for name in _dataset_dirs():
        ds = load_dataset(name, validate=False)
        rows.append(
            {
                "name": name,
                "title": ds.title,
                "deals": len(ds.deals),
                "companies": len(ds.companies),
                "as_of": ds.as_of,
                "description": ds.meta.get("description", ""),
            }
        )
    return pd.DataFrame(rows, columns=["name", "title", "deals", "companies", "as_of", "description"])


def load_dataset(name: str = "ai-capital", *, validate: bool = True) -> Dataset:
    """Load a bundled dataset by name.

    Parameters
    ----------
    name : str
        ``"ai-capital"`` (the sourced AI deal network) or ``"toy"`` (a small worked example).
    validate : bool
        Validate both tables (errors raise :class:`~flowgraph.errors.DataError`).

    Raises
    ------
    DatasetNotFoundError
        No bundled dataset of that name.

    Examples
    --------
    >>> ds = load_dataset("toy")
    >>> len(ds.deals) > 0
    True
    """
    dirs = _dataset_dirs()
    if name not in dirs:
        raise DatasetNotFoundError(
            f"no bundled dataset {name!r}; available: {', '.join(dirs) or 'none'}"
        )
    d = dirs[name]
    meta: dict[str, Any] = {}
    if d.joinpath("meta.json").is_file():
        meta = json.loads(d.joinpath("meta.json").read_text(encoding="utf-8"))
    with d.joinpath("deals.csv").open("rb") as fh:
        deals, found = _read_deals(fh, validate=validate, label=f"{name}/deals.csv")
    companies = pd.DataFrame(columns=list(schema.COMPANY_COLUMNS))
    more: list[Problem] = []
    if d.joinpath("companies.csv").is_file():
        with d.joinpath("companies.csv").open("rb") as fh:
            companies, more = _read_companies(fh, validate=validate,
                                              label=f"{name}/companies.csv",
                                              as_of=meta.get("as_of"))
    if validate:
        found += _unknown_company_warnings(deals, companies, f"{name}/deals.csv")
    found += more
    from .revenue_tables import _read as read_revenue_table

    optional = {}
    for table in ("revenue_shares", "revenue_projections"):
        if d.joinpath(f"{table}.csv").is_file():
            with d.joinpath(f"{table}.csv").open("rb") as fh:
                optional[table], more = read_revenue_table(
                    fh, table, validate, f"{name}/{table}.csv",
                    companies if validate else None)
            found += more
    return Dataset(name=name, deals=deals, companies=companies, meta=meta, **optional,
                   warnings=tuple(found))


# --------------------------------------------------------------------------- reading
def _label(source: Any, label: str | None) -> str:
    if label:
        return label
    if isinstance(source, pd.DataFrame):
        return "<DataFrame>"
    if isinstance(source, (str, os.PathLike)):
        return str(source)
    return getattr(source, "name", "<stream>")


def _read_table(source: Any, label: str, *, sheet: str | None = None,
                kind: str = "deals") -> tuple[pd.DataFrame, list[Problem]]:
    """Read a file or stream as a table of raw cells (numbers are coerced later), with the
    reader's warnings; see :mod:`flowgraph._readers` for what is refused."""
    from . import _readers

    if isinstance(source, pd.DataFrame):
        return source.copy(), []
    if not isinstance(source, (str, os.PathLike)) and not hasattr(source, "read"):
        raise ParameterError(f"source must be a file path, a file object or a DataFrame, "
                             f"got {type(source).__name__}")
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise DataError(f"{label}: no such file")
        if path.is_dir():
            raise DataError(f"{label}: is a directory, not a table file")
        suffix = path.suffix.lower()
    else:
        suffix = Path(str(getattr(source, "name", "x.csv"))).suffix.lower() or ".csv"
    try:
        if suffix in (".xlsx", ".xlsm"):
            return _readers.read_xlsx(source, label, sheet=sheet, kind=kind)
        if suffix == ".parquet":
            from . import _parquet

            return _parquet.read_table(source, label), []
        raw = Path(source).read_bytes() if isinstance(source, (str, os.PathLike)) else source.read()
        if suffix != ".json" and isinstance(raw, bytes):
            return _readers.read_csv_bytes(raw, label)
        text = _readers.decode(raw, label)
        if suffix == ".json":
            return _readers.read_json_text(text, label), []
        return _readers.read_csv_text(text, label)
    except DataError:
        raise
    except OSError as exc:
        raise DataError(f"{label}: cannot read ({exc.strerror or exc})") from None


def _clean_text(v: Any) -> str | None:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    text = _nfc(v.strip()) if isinstance(v, str) else str(v)
    return text or None


def _nfc(text: str) -> str:
    """Text in Unicode NFC, so that one accented letter typed two ways is one name."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _bools(series: pd.Series, default: bool | None = None) -> pd.Series:
    """:func:`schema.parse_bool` of each cell (object dtype: True, False or None; ``default``
    for a blank or unreadable cell when given), computed once per distinct value."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    parsed = [schema.parse_bool(u) for u in uniques] + [None]
    if default is not None:
        parsed = [default if v is None else v for v in parsed]
    return pd.Series(np.array(parsed, dtype=object)[codes], index=series.index, dtype=object)


def _text_cells(series: pd.Series, factors: Any = None, clean: bool | None = None
                ) -> _checks.Cells:
    """:func:`_text` of a column as :class:`_checks.Cells`: a text column is stripped and
    put in NFC once per unique value (``factors``: its :func:`_checks.text_factors`;
    ``clean``: its :func:`_checks.clean_ascii`, when the caller has them)."""
    fac = factors if factors is not None else _checks.text_factors(series)
    if fac is None:  # not all text: each cell on its own
        arr = series.to_numpy(dtype=object)
        out = np.full(len(arr), None, dtype=object)
        present = np.flatnonzero(~pd.isna(series).to_numpy())
        if len(present):
            out[present] = [(_nfc(v.strip()) or None) if type(v) is str else _clean_text(v)
                            for v in arr[present]]
        cells = _checks.Cells.of(out)
        cells._values = out
        return cells
    codes, uniques = fac
    if not len(uniques) or (len(uniques) >= _checks.VECTOR_MIN
                            and (clean if clean is not None else _checks.clean_ascii(series))):
        return _checks.Cells(codes, uniques, fac)  # all blank, or nothing to strip or normalise
    clean = np.array([(v.strip() if v.isascii() else _nfc(v.strip())) or None
                      for v in uniques], dtype=object)
    if len(clean) and (clean == uniques).all():  # nothing to strip or normalise
        return _checks.Cells(codes, uniques, fac)
    ccodes, cuniques = pd.factorize(clean, use_na_sentinel=True)
    ccodes = np.asarray(ccodes, dtype=np.intp)
    out = _checks.take_or(ccodes, codes, -1, np.intp)
    return _checks.Cells(out, np.asarray(cuniques, dtype=object), fac)


_PARALLEL_ROWS = 200_000
"""Tables from this many rows up have their text columns factorized on two threads."""


def _parallel_text_factors(src: pd.DataFrame, cols: list[str], *,
                           numbers: Iterable[str] = ()) -> dict[str, tuple[Any, bool | None]]:
    """``(text_factors, clean_ascii)`` (:mod:`flowgraph._checks`) of the pyarrow-backed text
    columns of a large table, computed on two threads (pyarrow hashes and scans outside the
    interpreter lock); ``clean_ascii`` only where :func:`_text_cells` asks for it (not for
    the ``numbers`` columns), else None. {} for a small table; other columns are judged
    where they are used."""
    numbers = set(numbers)
    cols = [c for c in cols if getattr(src[c].array, "_pa_array", None) is not None]
    if len(src) < _PARALLEL_ROWS or len(cols) < 2:
        return {}
    from concurrent.futures import ThreadPoolExecutor

    def judge(col: str) -> tuple[Any, bool | None]:
        fac = _checks.text_factors(src[col])
        wide = (fac is not None and len(fac[1]) >= _checks.VECTOR_MIN
                and col not in numbers)
        return fac, (_checks.clean_ascii(src[col]) if wide else None)

    with ThreadPoolExecutor(2) as pool:
        found = dict(zip(cols, pool.map(judge, cols)))
    return {c: f for c, f in found.items() if f[0] is not None}


def _text(series: pd.Series) -> pd.Series:
    """Strings stripped, blanks as None (object dtype)."""
    return pd.Series(_text_cells(series).values, index=series.index, dtype=object)


def normalize_deals(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of a deals table in canonical form.

    Known columns are added when absent and put first, in canonical order; amounts become
    floats (NaN when blank or unreadable), ``estimate`` a bool, text columns stripped strings
    (None when blank). Unknown columns are kept as they are, after the known ones.

    Examples
    --------
    >>> import pandas as pd
    >>> out = normalize_deals(pd.DataFrame({"deal_id": ["a"], "payer": ["X"], "payee": ["Y"],
    ...                                     "amount_usd_bn": ["2"], "flow_type": ["other"],
    ...                                     "status": ["committed"], "note": ["kept"]}))
    >>> float(out.loc[0, "amount_usd_bn"]), out.columns[-1]
    (2.0, 'note')
    """
    if df.attrs.get("flowgraph_normalized") == "deals":
        return df
    return _normalize_deals(df, None)


def _normalize_deals(df: pd.DataFrame, cells: dict[str, _checks.Cells] | None,
                     factors: dict[str, Any] | None = None) -> pd.DataFrame:
    """:func:`normalize_deals`; ``cells`` (when given) receives the cleaned text columns and
    ``factors`` the :func:`_checks.text_factors` of the raw number columns of text."""
    return _canonical(df.reset_index(drop=True), df.attrs, "deals", schema.DEAL_COLUMNS,
                      numeric=DEAL_NUMERIC, flags=DEAL_FLAGS, cells=cells, factors=factors)


def normalize_companies(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of a companies table in canonical form (see :func:`normalize_deals`).

    Common alternative headers are renamed (``company`` -> ``name``, ``market_cap_usd_bn`` ->
    ``market_value_usd_bn`` ...).

    Examples
    --------
    >>> import pandas as pd
    >>> normalize_companies(pd.DataFrame({"company": ["X"]})).loc[0, "name"]
    'X'
    """
    if df.attrs.get("flowgraph_normalized") == "companies":
        return df
    src = df.reset_index(drop=True)
    src = src.rename(columns={k: v for k, v in COMPANY_ALIASES.items() if v not in src.columns})
    return _canonical(src, df.attrs, "companies", schema.COMPANY_COLUMNS,
                      numeric=COMPANY_NUMERIC, flags={"listed": None})


def _canonical(src: pd.DataFrame, attrs: dict[str, Any], kind: str, columns: tuple[str, ...],
               *, numeric: tuple[str, ...], flags: dict[str, bool | None],
               cells: dict[str, _checks.Cells] | None = None,
               factors: dict[str, Any] | None = None) -> pd.DataFrame:
    """Known ``columns`` first (numbers as floats, yes/no ``flags`` parsed with the given
    default for a blank, text stripped), then every other column as it is. ``cells`` (when
    given) receives the cleaned text columns, and ``factors`` the text factors of the number
    columns read as text, for the validation rules."""
    out = pd.DataFrame(index=range(len(src)))
    judged = _parallel_text_factors(src, [c for c in columns if c in src and c not in flags],
                                    numbers=numeric)
    for col in columns:
        if col in numeric:
            fac = judged.get(col, (None, None))[0]
            if fac is not None and factors is not None:
                factors[col] = fac
            out[col] = (_checks.numeric(src[col], fac) if col in src
                        else np.nan)
        elif col in flags:
            default = flags[col]
            if col not in src:
                out[col] = pd.Series([default] * len(src), dtype=object if default is None
                                     else bool)
            elif default is None:
                out[col] = _bools(src[col])
            else:
                out[col] = _bools(src[col], default).astype(bool)
        elif col in src:
            text = _text_cells(src[col], *judged.get(col, (None, None)))
            if cells is not None:
                cells[col] = text
            out[col] = pd.Series(text.values, dtype=object, copy=False)
            _checks.remember(text)
        else:
            out[col] = pd.Series(np.full(len(src), None, dtype=object), dtype=object,
                                 copy=False)
    for col in src.columns:
        if col not in out.columns:
            out[col] = src[col].array  # its own type (a nullable integer stays one)
    out.attrs = dict(attrs)
    out.attrs["flowgraph_normalized"] = kind
    return out


def read_deals(
    source: Any, *, validate: bool = True, companies: pd.DataFrame | None = None,
    label: str | None = None, sheet: str | None = None,
) -> pd.DataFrame:
    """Read a deals table from a CSV, JSON or Excel file, a stream, or a DataFrame.

    Parameters
    ----------
    source : path, file object or pandas.DataFrame
    validate : bool
        Check every row; raise :class:`~flowgraph.errors.DataError` listing all errors.
        Warnings are issued as one :class:`~flowgraph.errors.DataWarning` (its
        ``.problems`` lists them).
    companies : pandas.DataFrame, optional
        When given, payers and payees missing from it are reported as warnings.
    label : str, optional
        Name used for the source in messages.
    sheet : str, optional
        Excel only: the sheet to read; by default the one named ``deals``, else the only one.

    Returns
    -------
    pandas.DataFrame
        The normalized table (see :func:`normalize_deals`).

    Examples
    --------
    >>> import pandas as pd
    >>> df = read_deals(pd.DataFrame({"deal_id": ["d1"], "payer": ["A"], "payee": ["B"],
    ...                               "amount_usd_bn": [1.5], "flow_type": ["chip_purchase"],
    ...                               "status": ["committed"], "source_url": ["https://x.org"]}))
    >>> df.loc[0, "amount_usd_bn"]
    np.float64(1.5)
    """
    df, found = _read_deals(source, validate=validate, companies=companies, label=label,
                            sheet=sheet)
    warn_problems(_label(source, label), found)
    return df


def _read_deals(source: Any, *, validate: bool = True, companies: pd.DataFrame | None = None,
                label: str | None = None, sheet: str | None = None
                ) -> tuple[pd.DataFrame, list[Problem]]:
    """:func:`read_deals` without the warning: the table and its warnings."""
    name = _label(source, label)
    raw, read_problems = _read_table(source, name, sheet=sheet, kind="deals")
    cells: dict[str, _checks.Cells] = {}
    factors: dict[str, Any] = {}
    df = normalize_deals(raw) if raw.attrs.get("flowgraph_normalized") else \
        _normalize_deals(raw, cells, factors)
    if validate:
        problems = read_problems + validate_deals(raw, source=name, _cells=cells,
                                                  _factors=factors)
        if companies is not None:
            problems += _unknown_company_warnings(raw, companies, name)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise DataError(
                f"{name}: {schema.count_noun(len(errors), 'error')} in the deals table", problems
            )
    else:
        problems = []
    df.attrs["flowgraph_validated"] = bool(validate)
    return df, problems  # no error is left in them


def read_companies(
    source: Any, *, validate: bool = True, label: str | None = None, sheet: str | None = None,
    as_of: str | None = None,
) -> pd.DataFrame:
    """Read a companies table from a CSV, JSON or Excel file, a stream, or a DataFrame.

    ``as_of`` (the dataset's date) turns on the warning for figures more than 12 months
    older than it.

    Examples
    --------
    >>> import pandas as pd
    >>> read_companies(pd.DataFrame({"name": ["A"], "kind": ["chipmaker"]})).loc[0, "kind"]
    'chipmaker'
    """
    df, found = _read_companies(source, validate=validate, label=label, sheet=sheet,
                                as_of=as_of)
    warn_problems(_label(source, label), found)
    return df


def _read_companies(source: Any, *, validate: bool = True, label: str | None = None,
                    sheet: str | None = None, as_of: str | None = None
                    ) -> tuple[pd.DataFrame, list[Problem]]:
    """:func:`read_companies` without the warning: the table and its warnings."""
    name = _label(source, label)
    raw, read_problems = _read_table(source, name, sheet=sheet, kind="companies")
    problems: list[Problem] = []
    if validate:
        problems = read_problems + validate_companies(raw, source=name, as_of=as_of)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise DataError(f"{name}: {schema.count_noun(len(errors), 'error')} in the companies table", problems)
    return normalize_companies(raw), problems


# --------------------------------------------------------------------------- validation
@dataclass(frozen=True)
class ValidationReport:
    """All problems found in a deals (and companies) table.

    ``warnings`` holds the non-fatal ones, among them what the readers would issue as a
    :class:`~flowgraph.errors.DataWarning` (:func:`validate_file` issues none).

    Examples
    --------
    >>> ValidationReport(()).ok
    True
    """

    problems: tuple[Problem, ...]

    @property
    def errors(self) -> list[Problem]:
        """Problems that stop a load."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems reported but not blocking."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when there is no error."""
        return not self.errors

    def to_frame(self) -> pd.DataFrame:
        """The problems as a table (severity, source, row, column, value, message); rows are
        whole numbers (None for a whole-table problem), values cut to a readable length."""
        cols = ["severity", "source", "row", "column", "value", "message"]
        out = pd.DataFrame(
            [{c: getattr(p, c) for c in cols} for p in self.problems], columns=cols
        )
        out["row"] = pd.Series([p.row for p in self.problems], dtype=object)
        out["value"] = pd.Series([None if p.value is None else _checks.short(p.value, 200)
                                  for p in self.problems], dtype=object)
        return out


def _cell(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return str(v)


def _blank_mask(series: pd.Series) -> np.ndarray:
    return _checks.blank_mask(series)


def validate_deals(df: pd.DataFrame, *, source: str = "<DataFrame>",
                   _cells: dict[str, _checks.Cells] | None = None,
                   _factors: dict[str, Any] | None = None) -> list[Problem]:
    """Check a raw deals table and return every problem found.

    Errors: missing required column, duplicate or empty ``deal_id``, empty payer or payee,
    payer equal to payee, negative or non-numeric amount, low > high, headline outside
    [low, high], unknown ``flow_type``/``status``/``confidence``, unparseable date, a
    ``supersedes``/``part_of`` id that does not exist, a cycle of supersessions, an
    ``estimate`` that is not true/false; and in the sourcing columns an unknown
    ``source_kind``/``bis_category``, ``conditional`` not true/false, ``paid_usd_bn`` or
    ``gw`` not a non-negative number or paid above the high end, a ``status_dates`` history
    that is malformed, out of order or does not end in ``status``, and a ``high`` row resting
    on one ``secondary`` source. Warnings: no amount at all, no source URL, period end before
    period start, other breaks of the confidence rule (see :mod:`flowgraph.firmness`).

    Rows are numbered from 1 (the first row after the header).

    Examples
    --------
    >>> import pandas as pd
    >>> bad = pd.DataFrame({"deal_id": ["d1"], "payer": ["A"], "payee": ["A"],
    ...                     "flow_type": ["gift"], "status": ["committed"]})
    >>> sorted(p.column for p in validate_deals(bad) if p.severity == "error")
    ['flow_type', 'payee']
    """
    from . import _deal_rules

    problems: list[Problem] = []
    for c in schema.REQUIRED_DEAL_COLUMNS:
        if c not in df.columns:
            problems.append(Problem("error", f"missing required column {c!r}"
                                    f"{_near_column(c, df.columns)}", source, None, c, None))
    problems += near_miss_headers(df.columns, schema.DEAL_COLUMNS, source=source,
                                  skip=schema.REQUIRED_DEAL_COLUMNS)
    if len(df) == 0:
        problems.append(Problem("warning", "the deals table has no rows", source, None, None,
                                None))
        return problems
    return problems + _deal_rules.run(df.reset_index(drop=True), source=source, cells=_cells,
                                      factors=_factors,
                                      max_per_kind=MAX_PROBLEMS_PER_KIND)


def _header_key(name: Any) -> str:
    """A column header as the known name it would be if typed carefully: compatibility
    forms folded (NFKC), invisible characters (zero-width space, BOM, ...) dropped, ends
    stripped, lower case, runs of spaces or hyphens as one ``_``."""
    text = unicodedata.normalize("NFKC", str(name))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def near_miss_headers(columns: Any, known: Iterable[str], *, source: str = "<DataFrame>",
                      skip: Iterable[str] = ()) -> list[Problem]:
    """An error for each header that is a known column's name typed with other spaces, case,
    hyphens or invisible characters (``Part_Of``, ``amount_usd_bn `` with a trailing space)
    while the known column itself is absent: read as it is, such a column would be kept as
    an unknown one and not read, so that tranches or amounts would silently count wrong.
    ``skip``: known names reported otherwise (a missing required column names its look-alike).

    Examples
    --------
    >>> [p.message for p in near_miss_headers(["deal_id", "Part_Of"], ["deal_id", "part_of"])]
    ["the header 'Part_Of' is the known column 'part_of' written with other spaces, case or \
invisible characters: rename it 'part_of' (as it is, it is kept but not read)"]
    """
    present = {str(c) for c in columns}
    known = set(known) - set(skip)
    out = []
    for c in columns:
        name = str(c)
        key = _header_key(name)
        if name not in known and key in known and key not in present:
            out.append(Problem(
                "error", f"the header {name!r} is the known column {key!r} written with other "
                f"spaces, case or invisible characters: rename it {key!r} (as it is, it is "
                "kept but not read)", source, None, name))
    return out


def _near_column(name: str, columns: Any) -> str:
    """A hint for a missing column whose header differs by spaces or case, or is close."""
    cols = [str(c) for c in columns]
    for c in cols:
        if _header_key(c) == name:
            return (f"; the header {c!r} differs only by spaces, case or invisible characters:"
                    f" rename it {name!r}")
    import difflib

    close = difflib.get_close_matches(name, cols, n=1, cutoff=0.8)
    return f"; did you mean {close[0]!r}?" if close else ""


def _name_cells(*columns: tuple[str, Any], only: np.ndarray | None = None
                ) -> list[tuple[int, str, str]]:
    """``(row, column, name)`` of each first use of a name, for the look-alike check, in row
    order (at one row, names first used in an earlier column first). Columns are Series of
    text or :class:`_checks.Cells`; ``only``: the names to list (all when None)."""
    if only is not None and not len(only):
        return []
    per_col = []
    for col, s in columns:
        c = s if isinstance(s, _checks.Cells) else _checks.Cells.of(s.to_numpy(dtype=object))
        present = np.flatnonzero(c.codes >= 0)
        used, at = _first_uses(c.codes[present])
        if only is not None:
            pick = np.isin(c.uniques[used], only)
            used, at = used[pick], at[pick]
        per_col.append((col, c.uniques[used], present[at]))
    if not per_col:
        return []
    names = np.concatenate([u for _c, u, _r in per_col]) if per_col else np.array([], object)
    rows = np.concatenate([r for _c, _u, r in per_col]).astype(np.int64)
    which = np.concatenate([np.full(len(u), k) for k, (_c, u, _r) in enumerate(per_col)])
    codes, _ = pd.factorize(names)
    # the first column holding each name decides its place among names of the same row; its
    # earliest row over all columns is the row reported (an earlier column wins a tie)
    order = np.lexsort((rows, which, codes))
    codes_o = codes[order]
    first_of = order[np.r_[True, codes_o[1:] != codes_o[:-1]]] if len(order) else order
    best = np.lexsort((which, rows, codes))
    codes_b = codes[best]
    best_of = best[np.r_[True, codes_b[1:] != codes_b[:-1]]] if len(best) else best
    # first_of and best_of are in code order: one entry per name
    key_rank = np.lexsort((rows[first_of], which[first_of], rows[best_of]))
    return [(int(rows[best_of[k]]) + 1, per_col[which[best_of[k]]][0], names[best_of[k]])
            for k in key_rank]


def _first_uses(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``codes`` in increasing order and the position of each one's first use
    (``np.unique(codes, return_index=True)``, with one hash pass instead of a sort of every
    position)."""
    at = np.flatnonzero(~pd.Series(codes, copy=False).duplicated().to_numpy())
    order = np.argsort(codes[at], kind="stable")
    return codes[at][order], at[order]


def _fmt(x: float) -> str:
    return "" if math.isnan(x) else f"{x:g}"


def _find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """One cycle in a small successor dict, or None (iterative DFS)."""
    color: dict[str, int] = {}
    for start in sorted(graph):
        if color.get(start):
            continue
        stack = [(start, iter(graph.get(start, [])))]
        path = [start]
        color[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                color[node] = 2
                stack.pop()
                path.pop()
                continue
            c = color.get(nxt, 0)
            if c == 1:
                return path[path.index(nxt):]
            if c == 0:
                color[nxt] = 1
                path.append(nxt)
                stack.append((nxt, iter(graph.get(nxt, []))))
    return None


def validate_companies(df: pd.DataFrame, *, source: str = "<DataFrame>",
                       as_of: str | None = None) -> list[Problem]:
    """Check a raw companies table and return every problem found.

    Errors: no ``name`` column, empty or duplicate name, unknown ``kind``, non-numeric
    fundamentals, negative revenue, market value, cash or debt (book equity may be
    negative), unparseable as-of date, ``listed`` not true/false, ``useful_life_years`` not a
    positive number. Warnings: a figure without its source, a figure more than 12 months
    older than ``as_of`` (the dataset's as-of date, when given), book equity older than the
    company's cash or debt.

    Examples
    --------
    >>> import pandas as pd
    >>> [p.column for p in validate_companies(pd.DataFrame({"name": ["A"], "kind": ["bank"]}))]
    ['kind']
    """
    problems: list[Problem] = []
    df = df.reset_index(drop=True).rename(
        columns={k: v for k, v in COMPANY_ALIASES.items() if v not in df.columns})
    if "name" not in df.columns:
        return [Problem("error", "missing required column 'name'"
                        + _near_column("name", df.columns), source, None, "name")]
    problems += near_miss_headers(
        df.columns, [*schema.COMPANY_COLUMNS,
                     *(k for k, v in COMPANY_ALIASES.items() if v not in df.columns)],
        source=source, skip=("name",))
    problems += _checks.cell_problems(df, source=source, columns=schema.COMPANY_COLUMNS)
    names = _text(df["name"])
    problems += _checks.lookalike_warnings(_name_cells(("name", names)), source=source)
    for i in np.flatnonzero(names.isna().to_numpy()):
        problems.append(Problem("error", "empty company name", source, int(i) + 1, "name"))
    seen: dict[str, int] = {}
    for i, v in enumerate(names.to_numpy()):
        if v is None:
            continue
        if v in seen:
            problems.append(Problem("error", f"duplicate company (first on row {seen[v] + 1})",
                                    source, i + 1, "name", v))
        else:
            seen[v] = i
    if "kind" in df.columns:
        kinds = _text(df["kind"])
        for i, v in enumerate(kinds.to_numpy()):
            if v is not None and v not in schema.COMPANY_KINDS:
                problems.append(Problem(
                    "error", f"unknown kind; valid: {', '.join(schema.COMPANY_KINDS)}",
                    source, i + 1, "kind", v))
    for c in schema.FUNDAMENTALS:
        if c not in df.columns:
            continue
        raw = df[c]
        found, vals, not_number, _ = _checks.amount_column(raw, c, source=source)
        problems += found
        for i in np.flatnonzero(not_number):
            problems.append(Problem("error", "not a number (billions of USD)", source,
                                    int(i) + 1, c, _cell(raw.iloc[i])))
        if c != "equity_usd_bn":
            for i in np.flatnonzero(~np.isnan(vals) & (vals < 0)):
                problems.append(Problem("error", "negative value", source, int(i) + 1, c,
                                        _cell(raw.iloc[i])))
        large, msg = _checks.unit_check(vals, c)
        for i in np.flatnonzero(large)[:MAX_PROBLEMS_PER_KIND]:
            problems.append(Problem("warning", msg, source, int(i) + 1, c, _cell(raw.iloc[i])))
    for c in COMPANY_DATES:
        if c not in df.columns:
            continue
        for i, v in enumerate(_text(df[c]).to_numpy()):
            try:
                schema.parse_date(v)
            except ValueError:
                problems.append(Problem("error", "unparseable date; use YYYY, YYYY-MM or YYYY-MM-DD",
                                        source, i + 1, c, v))
    if "listed" in df.columns:
        raw = df["listed"]
        blank = _blank_mask(raw)
        for i in np.flatnonzero(~blank & _bools(raw).isna().to_numpy()):
            problems.append(Problem("error", "listed must be true or false", source, int(i) + 1,
                                    "listed", _cell(raw.iloc[i])))
    from .firmness import company_problems  # useful lives, sources, stale figures

    problems += company_problems(df, source, as_of)
    return problems


def _unknown_company_warnings(deals: pd.DataFrame, companies: pd.DataFrame | None,
                              source: str) -> list[Problem]:
    if companies is None or len(companies) == 0:
        return []
    comp = normalize_companies(companies)
    known = set(comp["name"].dropna())
    out = []
    seen = set()
    for col in ("payer", "payee"):
        if col not in deals.columns:
            continue
        for i, v in enumerate(_text(deals[col]).to_numpy()):
            if v is not None and v not in known and v not in seen:
                seen.add(v)
                out.append(Problem("warning", "company not in the companies table (kind unknown)",
                                   source, i + 1, col, v))
    return out


def validate_file(
    deals: Any, companies: Any | None = None, *, sheet: str | None = None,
    as_of: str | None = None,
) -> ValidationReport:
    """Validate a deals file (and optionally a companies file) without raising.

    Unreadable files (not UTF-8, not a table) come back as one error each. ``as_of`` is the
    data's date for the stale-figure warnings; by default the ``as_of`` of a ``meta.json``
    next to the deals file, if there is one.

    Examples
    --------
    >>> import pandas as pd
    >>> validate_file(pd.DataFrame({"deal_id": ["d"], "payer": ["A"], "payee": ["B"],
    ...     "flow_type": ["other"], "status": ["paid"]})).ok
    False
    """
    problems: list[Problem] = []
    comp_raw = None
    if companies is not None:
        label = _label(companies, None)
        try:
            comp_raw, found = _read_table(companies, label, kind="companies")
            problems += found
            problems += validate_companies(comp_raw, source=label,
                                           as_of=as_of or _meta_as_of(deals))
        except DataError as exc:
            problems += exc.problems or [Problem("error", str(exc).split(": ", 1)[-1], label)]
    label = _label(deals, None)
    try:
        raw, found = _read_table(deals, label, sheet=sheet, kind="deals")
    except DataError as exc:
        problems += exc.problems or [Problem("error", str(exc).split(": ", 1)[-1], label)]
        return ValidationReport(tuple(problems))
    problems += found
    problems += validate_deals(raw, source=label)
    if comp_raw is not None:
        problems += _unknown_company_warnings(raw, comp_raw, label)
    return ValidationReport(tuple(problems))


def _meta_as_of(deals: Any) -> str | None:
    """The ``as_of`` of the ``meta.json`` beside a deals file (a dataset folder), or None."""
    if not isinstance(deals, (str, os.PathLike)):
        return None
    meta = Path(deals).parent / "meta.json"
    try:
        value = json.loads(meta.read_text(encoding="utf-8")).get("as_of")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


# --------------------------------------------------------------------------- writing
def _out_frame(df: pd.DataFrame, bool_cols: tuple[str, ...]) -> pd.DataFrame:
    out = df.copy()
    out.attrs = {}
    for c in bool_cols:
        if c in out.columns:
            out[c] = out[c].map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v))
                                else ("true" if schema.parse_bool(v) else "false"))
    return out


def _json_value(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "isoformat") and not isinstance(v, str):
        return v.isoformat()
    return v


def _xlsx_value(v: Any) -> Any:
    """A cell value for openpyxl; a CR in text is written as OOXML's ``_x000D_`` (XML would
    turn a bare CR into LF), and text that looks like such an escape is escaped itself."""
    v = _json_value(v) if not isinstance(v, (list, dict)) else str(v)
    if isinstance(v, str):
        v = re.sub("_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", v).replace("\r", "_x000D_")
    return v


def _write(df: pd.DataFrame, path: Any, *, spreadsheet_safe: bool = True) -> None:
    """Write atomically (temporary file, then rename); floats exactly as they are."""
    from . import _files, escape

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".json", ".csv", "", ".xlsx", ".parquet"):
        raise ParameterError(f"{path}: unknown file type {suffix!r}; use .csv, .json, .xlsx "
                             "or .parquet")
    from ._readers import blank_names

    unnamed = blank_names(df.columns)
    if unnamed:  # the readers refuse a column without a name: it would not read back
        raise ParameterError(f"{path}: column {', '.join(map(str, unnamed))} has a blank name;"
                             " rename it before writing")
    if suffix == ".parquet":
        from . import _parquet

        return _parquet.write_table(df, p)
    cols = [str(c) for c in df.columns]
    if suffix == ".json":
        records = [dict(zip(cols, map(_json_value, rec)))
                   for rec in zip(*(df[c].tolist() for c in df.columns))]
        _files.write_text(p, json.dumps(records, indent=1, ensure_ascii=False, default=str,
                                        allow_nan=False) + "\n")
    elif suffix in (".csv", ""):
        _files.write_text(p, escape.csv_text(df, spreadsheet_safe=spreadsheet_safe))
    else:
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "deals" if "deal_id" in cols else "companies" if "name" in cols else "Sheet"
        ws.append(cols)
        for rec in zip(*(df[c].tolist() for c in df.columns)):
            ws.append([_xlsx_value(v) for v in rec])
        for row in ws.iter_rows(min_row=1):
            for cell in row:
                if cell.data_type == "f":  # text that openpyxl would store as a live formula
                    cell.data_type = "s"
                elif cell.data_type == "n" and type(cell.value) is float:
                    cell._value = repr(cell.value)  # openpyxl writes 16 digits: not exact
        with _files.atomic_path(p) as tmp:
            wb.save(tmp)


def subset_deals(deals: pd.DataFrame, ids: Any) -> pd.DataFrame:
    """The rows of ``deals`` whose ``deal_id`` is in ``ids``, as a table that validates on
    its own: ``supersedes`` and ``part_of`` keep only ids of rows in the subset (a row left
    out can neither be replaced nor hold tranches).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"deal_id": ["a", "b"], "supersedes": [None, "a"]})
    >>> subset_deals(df, {"b"})["supersedes"].tolist()
    [None]
    """
    keep = set(ids)
    out = deals[deals["deal_id"].isin(keep)].copy()
    if "supersedes" in out.columns:
        def trim(v: Any) -> Any:
            if schema.is_blank(v):
                return v
            kept = [t for t in schema.split_ids(v) if t in keep]
            return ";".join(kept) if kept else None
        out["supersedes"] = out["supersedes"].map(trim).astype(object)
    if "part_of" in out.columns:
        out["part_of"] = out["part_of"].map(
            lambda v: v if schema.is_blank(v) or str(v).strip() in keep else None).astype(object)
    return out


def write_deals(df: pd.DataFrame, path: Any, *, spreadsheet_safe: bool = True) -> None:
    """Write a deals table to CSV, JSON (records), Excel or Parquet, keeping every column.

    The file is written to a temporary name and renamed, so a failed write leaves an earlier
    file intact. Floats are written exactly; :func:`read_deals` gives back the same table. In
    CSV, text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR first)
    gets a leading apostrophe unless ``spreadsheet_safe=False`` (the readers take it off);
    Excel cells are always stored as text, never as formulas.

    Examples
    --------
    >>> import tempfile, os
    >>> ds = load_dataset("toy")
    >>> write_deals(ds.deals, os.path.join(tempfile.mkdtemp(), "deals.csv"))
    """
    _write(_out_frame(normalize_deals(df), tuple(DEAL_FLAGS)), path,
           spreadsheet_safe=spreadsheet_safe)


def write_companies(df: pd.DataFrame, path: Any, *, spreadsheet_safe: bool = True) -> None:
    """Write a companies table to CSV, JSON (records) or Excel, keeping every column (written
    as :func:`write_deals` writes).

    Examples
    --------
    >>> import tempfile, os
    >>> write_companies(load_dataset("toy").companies, os.path.join(tempfile.mkdtemp(), "c.json"))
    """
    _write(_out_frame(normalize_companies(df), ("listed",)), path,
           spreadsheet_safe=spreadsheet_safe)
