"""The optional company-side tables of a dataset: revenue shares and revenue projections.

``revenue_shares`` says how much of a company's revenue came from one counterparty (a
customer concentration reported in filings: Microsoft was 62% of CoreWeave's 2024 revenue);
``revenue_projections`` holds a company's reported or projected revenue per year, dated and
sourced. Both are optional: a dataset without them loads as before. They are read, validated
and written like the deals and companies tables (every problem with its file, row, column and
value; unknown columns kept; writers round-trip through the readers).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import schema
from .errors import DataError, Problem, warn_problems

__all__ = [
    "read_revenue_projections",
    "read_revenue_shares",
    "validate_revenue_projections",
    "validate_revenue_shares",
    "write_revenue_projections",
    "write_revenue_shares",
]

_SHARE_NUMERIC = ("share",)
_PROJECTION_NUMERIC = ("year", "revenue_usd_bn")


def _normalize(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    from .io import _canonical

    if df.attrs.get("flowgraph_normalized") == kind:
        return df
    columns, numeric = ((schema.REVENUE_SHARE_COLUMNS, _SHARE_NUMERIC) if kind == "revenue_shares"
                        else (schema.REVENUE_PROJECTION_COLUMNS, _PROJECTION_NUMERIC))
    return _canonical(df.reset_index(drop=True), df.attrs, kind, columns, numeric=numeric,
                      flags={})


def _cells(df: pd.DataFrame, col: str) -> list[str | None]:
    from .io import _text

    if col not in df.columns:
        return [None] * len(df)
    return list(_text(df[col]).to_numpy())


def _common(df: pd.DataFrame, source: str, required: tuple[str, ...],
            date_col: str, key: tuple[str, ...], companies: Any) -> list[Problem]:
    """Checks both tables share: required columns and cells, the date, the source, the
    source kind, duplicate rows, companies missing from the companies table."""
    from .io import _URL_RE

    problems: list[Problem] = []

    def add(sev: str, msg: str, i: int | None, col: str | None, val: Any = None) -> None:
        problems.append(Problem(sev, msg, source, None if i is None else i + 1, col,
                                None if val is None else str(val)))

    for c in required:
        if c not in df.columns:
            add("error", f"missing required column {c!r}", None, c)
    if problems:
        return problems
    for c in required:
        for i, v in enumerate(_cells(df, c)):
            if v is None:
                add("error", f"empty {c}", i, c)
    for i, v in enumerate(_cells(df, date_col)):
        try:
            schema.parse_date(v)
        except ValueError:
            add("error", "unparseable date; use YYYY, YYYY-MM or YYYY-MM-DD", i, date_col, v)
    if "source_url" in df.columns:
        for i, v in enumerate(_cells(df, "source_url")):
            if v is None:
                add("warning", "no source URL", i, "source_url")
            elif not _URL_RE.match(v):
                add("warning", "source is not a URL", i, "source_url", v)
    else:
        add("warning", "no source_url column: figures cannot be traced to sources", None,
            "source_url")
    for i, v in enumerate(_cells(df, "source_kind")):
        if v is not None and v not in schema.SOURCE_KINDS:
            add("error", f"unknown source_kind; valid: {', '.join(schema.SOURCE_KINDS)}", i,
                "source_kind", v)
    keys = list(zip(*(_cells(df, c) for c in key)))
    first: dict[tuple[Any, ...], int] = {}
    for i, k in enumerate(keys):
        if any(x is None for x in k):
            continue
        if k in first:
            add("warning", f"same {', '.join(key)} as row {first[k] + 1}", i, key[-1], k[-1])
        else:
            first[k] = i
    if companies is not None and len(companies):
        from .io import normalize_companies

        known = set(normalize_companies(companies)["name"].dropna())
        seen: set[str] = set()
        for i, v in enumerate(_cells(df, "company")):
            if v is not None and v not in known and v not in seen:
                seen.add(v)
                add("warning", "company not in the companies table", i, "company", v)
    return problems


def _numbers(df: pd.DataFrame, col: str) -> tuple[list[str | None], np.ndarray]:
    cells = _cells(df, col)
    vals = pd.to_numeric(pd.Series(cells, dtype=object), errors="coerce").to_numpy(dtype=float)
    return cells, vals


def validate_revenue_shares(df: pd.DataFrame, *, source: str = "<DataFrame>",
                            companies: pd.DataFrame | None = None) -> list[Problem]:
    """Check a raw revenue-shares table and return every problem found.

    Errors: a missing or empty ``company``, ``counterparty`` or ``share``; a share that is
    not a number from 0 to 1; an unparseable ``as_of``; an unknown ``source_kind``.
    Warnings: no period, no source URL, a repeated company/counterparty/period, shares of one
    company and period adding up to more than 1, a company not in ``companies``.

    Examples
    --------
    >>> import pandas as pd
    >>> bad = pd.DataFrame({"company": ["A"], "counterparty": ["B"], "share": ["62%"]})
    >>> [(p.row, p.column) for p in validate_revenue_shares(bad) if p.severity == "error"]
    [(1, 'share')]
    """
    df = df.reset_index(drop=True)
    problems = _common(df, source, ("company", "counterparty", "share"), "as_of",
                       ("company", "counterparty", "period"), companies)
    if any(p.row is None and p.severity == "error" for p in problems):
        return problems
    cells, vals = _numbers(df, "share")
    for i, (v, x) in enumerate(zip(cells, vals)):
        if v is None:
            continue
        if np.isnan(x):
            problems.append(Problem("error", "not a number (a fraction from 0 to 1, e.g. 0.62)",
                                    source, i + 1, "share", v))
        elif not 0 <= x <= 1:
            problems.append(Problem("error", "share must be between 0 and 1", source, i + 1,
                                    "share", v))
    periods = _cells(df, "period")
    for i, v in enumerate(periods):
        if v is None:
            problems.append(Problem("warning", "no period (the year or quarter of the share)",
                                    source, i + 1, "period"))
    totals: dict[tuple[Any, Any], list[int]] = {}
    for i, (c, per, x) in enumerate(zip(_cells(df, "company"), periods, vals)):
        if c is not None and per is not None and not np.isnan(x):
            totals.setdefault((c, per), []).append(i)
    for (c, per), rows in totals.items():
        total = float(sum(vals[r] for r in rows))
        if total > 1 + 1e-9:
            problems.append(Problem(
                "warning", f"shares of {c}'s revenue in {per} add up to {total:.0%} "
                "(overlapping counterparties?)", source, rows[-1] + 1, "share",
                _cells(df, "share")[rows[-1]]))
    return problems


def validate_revenue_projections(df: pd.DataFrame, *, source: str = "<DataFrame>",
                                 companies: pd.DataFrame | None = None) -> list[Problem]:
    """Check a raw revenue-projections table and return every problem found.

    Errors: a missing or empty ``company``, ``year`` or ``revenue_usd_bn``; a year that is
    not a whole year from 1900 to 2100; revenue not a number or negative; ``kind`` other than
    ``projection``/``actual``; an unparseable ``reported_on``; an unknown ``source_kind``.
    Warnings: no ``reported_on`` date, no source URL, a repeated company/year/kind/date, a
    company not in ``companies``.

    Examples
    --------
    >>> import pandas as pd
    >>> bad = pd.DataFrame({"company": ["A"], "year": ["2027.5"], "revenue_usd_bn": [10],
    ...                     "kind": ["guess"]})
    >>> sorted(p.column for p in validate_revenue_projections(bad) if p.severity == "error")
    ['kind', 'year']
    """
    df = df.reset_index(drop=True)
    problems = _common(df, source, ("company", "year", "revenue_usd_bn"), "reported_on",
                       ("company", "year", "kind", "reported_on"), companies)
    if any(p.row is None and p.severity == "error" for p in problems):
        return problems
    cells, years = _numbers(df, "year")
    for i, (v, y) in enumerate(zip(cells, years)):
        if v is not None and (np.isnan(y) or y != round(y) or not 1900 <= y <= 2100):
            problems.append(Problem("error", "year must be a whole year such as 2027", source,
                                    i + 1, "year", v))
    cells, rev = _numbers(df, "revenue_usd_bn")
    for i, (v, x) in enumerate(zip(cells, rev)):
        if v is None:
            continue
        if np.isnan(x):
            problems.append(Problem("error", "not a number (billions of USD)", source, i + 1,
                                    "revenue_usd_bn", v))
        elif x < 0:
            problems.append(Problem("error", "negative value", source, i + 1, "revenue_usd_bn",
                                    v))
    if "kind" in df.columns:
        for i, v in enumerate(_cells(df, "kind")):
            if v is None or v not in schema.PROJECTION_KINDS:
                problems.append(Problem(
                    "error", f"{'empty' if v is None else 'unknown'} kind; valid: "
                    f"{', '.join(schema.PROJECTION_KINDS)}", source, i + 1, "kind", v))
    for i, v in enumerate(_cells(df, "reported_on")):
        if v is None:
            problems.append(Problem("warning", "no reported_on date (when the figure was "
                                    "reported)", source, i + 1, "reported_on"))
    return problems


def _read(source: Any, kind: str, validate: bool, label: str | None,
          companies: pd.DataFrame | None) -> tuple[pd.DataFrame, list[Problem]]:
    """The table of ``kind`` and its warnings (every error raised)."""
    from .io import _label, _read_table

    name = _label(source, label)
    raw, problems = _read_table(source, name)
    if validate:
        check = validate_revenue_shares if kind == "revenue_shares" else validate_revenue_projections
        problems += check(raw, source=name, companies=companies)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            what = kind.replace("_", " ")
            raise DataError(f"{name}: {schema.count_noun(len(errors), 'error')} in the {what} "
                            "table", problems)
    return _normalize(raw, kind), problems


def read_revenue_shares(source: Any, *, validate: bool = True, label: str | None = None,
                        companies: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read a revenue-shares table (CSV, JSON, Excel, a stream or a DataFrame).

    Columns (:data:`flowgraph.schema.REVENUE_SHARE_COLUMNS`): ``company``, ``counterparty``,
    ``share`` (0-1), ``period``, ``as_of``, ``source_url``, ``source_kind``, ``notes``; other
    columns are kept. With ``validate``, errors raise :class:`~flowgraph.errors.DataError`
    listing all of them; warnings are issued as one :class:`~flowgraph.errors.DataWarning`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = read_revenue_shares(pd.DataFrame({"company": ["CoreWeave"],
    ...     "counterparty": ["Microsoft"], "share": ["0.62"], "period": ["2024"],
    ...     "source_url": ["https://example.org"]}))
    >>> float(df.loc[0, "share"])
    0.62
    """
    return _warned(_read(source, "revenue_shares", validate, label, companies))


def read_revenue_projections(source: Any, *, validate: bool = True, label: str | None = None,
                             companies: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read a revenue-projections table (CSV, JSON, Excel, a stream or a DataFrame).

    Columns (:data:`flowgraph.schema.REVENUE_PROJECTION_COLUMNS`): ``company``, ``year``,
    ``revenue_usd_bn``, ``kind`` (``projection`` or ``actual``), ``reported_on``,
    ``source_url``, ``source_kind``, ``notes``; other columns are kept.

    Examples
    --------
    >>> import pandas as pd
    >>> df = read_revenue_projections(pd.DataFrame({"company": ["OpenAI"], "year": [2029],
    ...     "revenue_usd_bn": [100], "kind": ["projection"], "reported_on": ["2024-10"],
    ...     "source_url": ["https://example.org"]}))
    >>> int(df.loc[0, "year"])
    2029
    """
    return _warned(_read(source, "revenue_projections", validate, label, companies))


def _warned(read: tuple[pd.DataFrame, list[Problem]]) -> pd.DataFrame:
    """The table, once its warnings are issued (one DataWarning, pointing at the caller)."""
    df, problems = read
    if problems:
        warn_problems(problems[0].source, problems, stacklevel=4)
    return df


def write_revenue_shares(df: pd.DataFrame, path: Any) -> None:
    """Write a revenue-shares table to CSV, JSON (records) or Excel, keeping every column.

    Examples
    --------
    >>> import tempfile, os, pandas as pd
    >>> write_revenue_shares(pd.DataFrame({"company": ["A"], "counterparty": ["B"],
    ...     "share": [0.5]}), os.path.join(tempfile.mkdtemp(), "s.csv"))
    """
    from .io import _out_frame, _write

    _write(_out_frame(_normalize(df, "revenue_shares"), ()), path)


def write_revenue_projections(df: pd.DataFrame, path: Any) -> None:
    """Write a revenue-projections table to CSV, JSON (records) or Excel, keeping every column.

    Examples
    --------
    >>> import tempfile, os, pandas as pd
    >>> write_revenue_projections(pd.DataFrame({"company": ["A"], "year": [2027],
    ...     "revenue_usd_bn": [1.5]}), os.path.join(tempfile.mkdtemp(), "p.csv"))
    """
    from .io import _out_frame, _write

    _write(_out_frame(_normalize(df, "revenue_projections"), ()), path)
