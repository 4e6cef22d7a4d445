"""The ``flowgraph`` command line: parses options, calls the library, formats output.

No analysis logic lives here. Library modules are imported inside the commands so that
``flowgraph --help`` starts fast. Every :class:`~flowgraph.errors.FlowgraphError` becomes a
one-line message on stderr and exit status 1; usage errors exit with status 2.
"""
from __future__ import annotations

import functools
import json
import math
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import click

from . import escape as _esc
from . import schema
from .errors import FlowgraphError

FORMATS = ("table", "markdown", "csv", "json")
_SCENARIOS = ("base", "low", "high")
_FLOW_TYPES = ("equity_investment", "compute_contract", "chip_purchase", "lease",
               "debt_financing", "capacity_backstop", "revenue_share", "warrant",
               "acquisition", "other")
_STATUSES = ("rumored", "announced", "committed", "disbursed")
_CONFIDENCES = ("low", "medium", "high")


# --------------------------------------------------------------------------- error handling
class _Group(click.Group):
    """A click group that turns errors into one line and never shows a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except FlowgraphError as exc:
            _fail(str(exc) or exc.__class__.__name__, getattr(exc, "problems", None))
        except KeyboardInterrupt:
            click.echo("flowgraph: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(1)
        except MemoryError:
            _fail("out of memory; try a smaller --max-length, a --min-amount or a filter")
        except OSError as exc:
            _fail(f"{exc.filename + ': ' if getattr(exc, 'filename', None) else ''}"
                  f"{exc.strerror or exc}")
        except Exception as exc:
            if os.environ.get("FLOWGRAPH_DEBUG"):
                raise
            _fail(f"internal error ({exc.__class__.__name__}: {exc}); "
                  "set FLOWGRAPH_DEBUG=1 to see the traceback and please report it")


def _fail(message: str, problems: Any = None) -> None:
    lines = [f"flowgraph: error: {message}"]
    if problems:
        lines += [f"  {p}" for p in problems if getattr(p, "severity", "error") == "error"]
    click.echo(_esc.terminal("\n".join(lines), newlines=True), err=True)  # no escapes from data
    sys.exit(1)


# --------------------------------------------------------------------------- common options
@dataclass
class Options:
    """The common options every analysis command takes."""

    dataset: str = "ai-capital"
    deals: str | None = None
    companies: str | None = None
    as_of: str | None = None
    flow_types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    min_confidence: str | None = None
    scenario: str = "base"
    include_superseded: bool = False
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    company: tuple[str, ...] = ()
    around: tuple[str, ...] = ()
    hops: int = 1
    fmt: str = "table"
    output: str | None = None
    raw_csv: bool = False
    sheet: str | None = None
    table: str | None = None
    wide: bool = False
    empty: str | None = None  # why no deal passes the filters, once ctx_graph found out
    source: Any = None  # the Dataset read, once ctx_graph read it
    as_of_note: str = ""  # what --as-of left out, set when the data is loaded
    reported_only: bool = False
    estimates_note: str = ""  # whether estimates are in, set when the data is loaded

    def filters_text(self) -> str:
        """The filters in force, as one line."""
        parts = [f"data: {self.deals or self.dataset}", f"scenario: {self.scenario}"]
        if self.as_of:
            parts.append(f"as of {self.as_of}")
        if self.flow_types:
            parts.append("flow types: " + ", ".join(self.flow_types))
        if self.statuses:
            parts.append("statuses: " + ", ".join(self.statuses))
        if self.min_confidence:
            parts.append(f"confidence >= {self.min_confidence}")
        if self.company or self.around:
            from .selection import selection_text

            parts.append(selection_text(company=self.company, around=self.around,
                                        hops=self.hops))
        if self.include:
            parts.append("only deals among: " + ", ".join(self.include))
        if self.exclude:
            parts.append("excluding: " + ", ".join(self.exclude))
        if self.include_superseded:
            parts.append("superseded rows and tranches included")
        empty = f"{self.empty[0].upper()}{self.empty[1:]}." if self.empty else ""
        from .formatting import sentences

        return sentences("; ".join(parts), self.as_of_note, self.estimates_note, empty)

    def filter_labels(self) -> dict[str, str]:
        """For each data filter in force, the option as the user wrote it."""
        out = {}
        if self.as_of:
            out["as_of"] = f"--as-of {self.as_of}"
        if self.flow_types:
            out["flow_types"] = " ".join(f"--flow-type {t}" for t in self.flow_types)
        if self.statuses:
            out["statuses"] = " ".join(f"--status {t}" for t in self.statuses)
        if self.min_confidence:
            out["min_confidence"] = f"--min-confidence {self.min_confidence}"
        if self.include:
            out["include"] = " ".join(f"--among {n}" for n in self.include)
        if self.exclude:
            out["exclude"] = " ".join(f"--exclude {n}" for n in self.exclude)
        if self.reported_only:
            out["reported_only"] = "--reported-only"
        return out


def _date_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Check a date option (``--as-of``, ``timeline --start``) as it is read (the one
    place): a date of the as-of rule
    (:func:`flowgraph.timeframe.as_of_limit`), else a usage error naming the value and the
    forms accepted. A blank value is refused, never taken as no date."""
    if value is None:
        return None
    from .timeframe import as_of_limit

    text = value.strip()
    why = " (it is blank)"
    if text:
        try:
            if as_of_limit(text) is not None:
                return text
        except ValueError as exc:  # "day is out of range for month", "month out of range"
            reason = str(exc).replace(f" in {text!r}", "")
            why = "" if reason.startswith("not a date") else f" ({reason})"
    raise click.BadParameter(
        f"{value!r} is not a date{why}; give YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2025, "
        "2025-03 or 2025-03-31", ctx=ctx, param=param)


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add the data-selection and output options; the command receives ``opts: Options``."""
    options = [
        click.option("--dataset", default="ai-capital", show_default=True, metavar="NAME",
                     help="Bundled dataset (see `flowgraph datasets`)."),
        click.option("--deals", "deals_path", type=click.Path(dir_okay=False), metavar="PATH",
                     help="Deals file (CSV, JSON, XLSX or Parquet) instead of a bundled dataset."),
        click.option("--companies", "companies_path", type=click.Path(dir_okay=False),
                     metavar="PATH", help="Companies file to go with --deals."),
        click.option("--as-of", metavar="DATE", callback=_date_option,
                     help="The web as it stood on this date (YYYY, YYYY-MM or YYYY-MM-DD): "
                          "deals, tranches and statuses dated by then; deals with no date "
                          "are left out (and counted in the notes)."),
        click.option("--flow-type", "flow_types", multiple=True,
                     type=click.Choice(_FLOW_TYPES), help="Keep this flow type (repeatable)."),
        click.option("--status", "statuses", multiple=True, type=click.Choice(_STATUSES),
                     help="Keep this status (repeatable)."),
        click.option("--min-confidence", type=click.Choice(_CONFIDENCES),
                     help="Keep deals of at least this confidence."),
        click.option("--scenario", type=click.Choice(_SCENARIOS), default="base",
                     show_default=True, help="Amounts: reported (base), low or high end."),
        click.option("--company", "touching", multiple=True, metavar="NAME",
                     help="Keep every deal touching this company (repeatable: any of them)."),
        click.option("--among", "include", multiple=True, metavar="NAME",
                     help="Keep only deals between two of these companies (repeatable)."),
        click.option("--around", "around", multiple=True, metavar="NAME",
                     help="This company, its counterparties up to --hops away and every deal "
                          "among them."),
        click.option("--hops", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Reach of --around, in deals."),
        click.option("--exclude", "exclude", multiple=True, metavar="NAME",
                     help="Drop deals touching this company (repeatable)."),
        click.option("--include-superseded", is_flag=True,
                     help="Also count superseded rows and tranches (may double count)."),
        click.option("--reported-only", is_flag=True,
                     help="Leave out estimated amounts and range midpoints (a row reporting "
                          "only a range has no base amount)."),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
                     show_default=True, help="Output format."),
        click.option("--sheet", metavar="NAME",
                     help="Excel --deals: the sheet to read (default: the one named deals, "
                          "else the only one)."),
        click.option("--raw-csv", is_flag=True,
                     help="CSV: write text cells as they are; by default text a spreadsheet "
                          "would run as a formula (=, +, -, @ first) gets a leading '."),
        click.option("-o", "--output", type=click.Path(), metavar="PATH",
                     help="Write the output to this file instead of standard output; csv/json "
                          "to an existing folder (or a PATH ending in /): one file per table."),
        click.option("--wide", "wide", is_flag=True,
                     help="Tables: every column at full width (default: fit the terminal, "
                          "wrapping text and leaving columns out, named under the table)."),
        click.option("--table", "table", metavar="NAME",
                     help="Only this table of a command that prints several (csv needs one "
                          "table per file); names as in the json output."),
    ]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        opts = Options(
            dataset=kwargs.pop("dataset"),
            deals=kwargs.pop("deals_path"),
            companies=kwargs.pop("companies_path"),
            as_of=kwargs.pop("as_of"),
            flow_types=tuple(kwargs.pop("flow_types")),
            statuses=tuple(kwargs.pop("statuses")),
            min_confidence=kwargs.pop("min_confidence"),
            scenario=kwargs.pop("scenario"),
            include=tuple(kwargs.pop("include")),
            exclude=tuple(kwargs.pop("exclude")),
            company=tuple(kwargs.pop("touching")),
            around=tuple(kwargs.pop("around")),
            hops=kwargs.pop("hops"),
            include_superseded=kwargs.pop("include_superseded"),
            reported_only=kwargs.pop("reported_only"),
            fmt=kwargs.pop("fmt"),
            output=kwargs.pop("output"),
            raw_csv=kwargs.pop("raw_csv"),
            sheet=kwargs.pop("sheet"),
            table=kwargs.pop("table"),
            wide=kwargs.pop("wide"),
        )
        if opts.companies and not opts.deals:
            raise click.UsageError("--companies needs --deals")
        return func(*args, opts=opts, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def samples_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--samples N --seed S --keep STATUS=P``: Monte Carlo over the uncertain amounts."""
    func = click.option(
        "--keep", "keep", multiple=True, metavar="STATUS=P",
        help="With --samples: keep deals of this status (or 'conditional') with probability "
             "P, e.g. --keep announced=0.5 (default: every deal kept).")(func)
    func = click.option("--seed", "sample_seed", type=int, default=0, show_default=True,
                        help="With --samples: random seed (same seed, same answer).")(func)
    func = click.option(
        "--samples", type=click.IntRange(min=1), metavar="N",
        help="Give each number a median and 90% interval over N plausible versions of the "
             "data (amounts drawn over their ranges, floors and caps).")(func)
    return func


def cluster_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--scheduler ADDRESS`` / ``--workers N``: run the command's cycle search,
    per-company work and per-sample work (``--samples``, null samples) on a Dask cluster
    (:mod:`flowgraph.distributed`; same answers)."""
    @functools.wraps(func)
    def wrapper(*args: Any, scheduler: str | None = None, workers: int | None = None,
                **kwargs: Any) -> Any:
        if scheduler and workers:
            raise click.UsageError("give --scheduler or --workers, not both")
        if scheduler or workers:
            from .distributed import connect

            click.get_current_context().with_resource(
                connect(scheduler=scheduler, workers=workers))
        return func(*args, **kwargs)

    wrapper = click.option(
        "--workers", type=click.IntRange(min=1), metavar="N",
        help="Run on a local Dask cluster of N worker processes (the same answers; needs "
             "pip install 'flowgraph[distributed]').")(wrapper)
    return click.option(
        "--scheduler", metavar="ADDRESS",
        help="Run on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786).")(wrapper)


def work_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--max-work N``: every loop search of the command stops after N hops examined
    (default :data:`flowgraph.cycles.QUICK_WORK`) and says so ("at least")."""
    @functools.wraps(func)
    def wrapper(*args: Any, max_work: int | None = None, **kwargs: Any) -> Any:
        from .cycles import QUICK_WORK, work_budget

        with work_budget(QUICK_WORK if max_work is None else max_work):
            return func(*args, **kwargs)

    return click.option(
        "--max-work", type=click.IntRange(min=1), metavar="N",
        help="Stop each loop search after N hops examined (it says so, and counts 'at "
             "least') [default: 20 million, about a second].")(wrapper)


def _keep_map(keep: tuple[str, ...]) -> dict[str, float]:
    out = {}
    for item in keep:
        status, sep, value = item.partition("=")
        try:
            out[status.strip()] = float(value) if sep else float("nan")
        except ValueError:
            raise click.BadParameter(f"{item!r}: expected STATUS=P, e.g. announced=0.5",
                                     param_hint="--keep") from None
        if not sep:
            raise click.BadParameter(f"{item!r}: expected STATUS=P, e.g. announced=0.5",
                                     param_hint="--keep")
    return out


def emit_uncertainty(G: Any, measure: str, opts: Options, *, samples: int, seed: int,
                     keep: tuple[str, ...], **kwargs: Any) -> None:
    """Run :func:`flowgraph.uncertainty` and print its table (numbers with intervals)."""
    import pandas as pd

    from .sampling import interval_text, uncertainty

    res = uncertainty(G, measure, n=samples, seed=seed, keep=_keep_map(keep), **kwargs)
    t = res.table
    what = schema.count_noun(len(t), "loop" if measure == "cycles" else "number")
    head = (f"{measure}: {what} over {samples:,} plausible "
            f"versions of the data (seed {seed}); median and {res.level:.0%} interval")
    notes = [head, opts.filters_text(), *res.notes]
    if opts.fmt in ("csv", "json"):
        emit(t, opts, title=head, notes=notes[1:])
        return
    view = pd.DataFrame({
        "item": t["item"], "number": t["quantity"].str.replace("_", " "),
        "observed": [interval_text(o, o, o, kind=k).replace(" (exact)", "")
                     for o, k in zip(t["observed"], t["kind"])],
        f"median ({res.level:.0%} interval)": [
            interval_text(m, lo, hi, kind=k, level=res.level)
            for m, lo, hi, k in zip(t["median"], t["low"], t["high"], t["kind"])],
    })
    if "upper_bound" in t.columns:  # loops with an undisclosed hop: bounds, not amounts
        ub = t["upper_bound"].astype(bool)
        for col in ("observed", f"median ({res.level:.0%} interval)"):
            view[col] = ["<= " + x if b else x for x, b in zip(view[col], ub)]
        if ub.any():
            notes.append("<= : a hop of the loop has an undisclosed amount; the numbers are "
                         "those of its known hops, upper bounds on what goes round.")
    if "p_survive" in t.columns:
        view["survives"] = [f"{p:.0%}" for p in t["p_survive"]]
        view = view.drop(columns="number").rename(columns={"item": "loop"})
    emit(view, opts, title=head, notes=notes[1:])


def ctx_dataset(opts: Options) -> Any:
    """Load the bundled dataset or the files named by the options."""
    from .io import Dataset, load_dataset, read_companies, read_deals

    if opts.deals:
        _large_file_settings(opts.deals)
        companies, found = (_read_quietly(read_companies, opts.companies) if opts.companies
                            else (None, []))
        deals, more = _read_quietly(read_deals, opts.deals, companies=companies,
                                    sheet=opts.sheet)
        name = os.path.basename(opts.deals)
        import pandas as pd

        return Dataset(name=name, deals=deals,
                       companies=companies if companies is not None else pd.DataFrame(),
                       meta={"title": name}, warnings=(*more, *found))
    return load_dataset(opts.dataset)


def _large_file_settings(path: Any) -> None:
    """Before reading a large deals file (:func:`flowgraph._process.is_large_file`): let the
    allocator keep freed memory (:func:`flowgraph._process.keep_freed_memory`) and the
    process end without freeing its objects one by one (:func:`flowgraph._process.leave`)."""
    from ._process import allow_quick_exit, is_large_file, keep_freed_memory

    if is_large_file(path):
        keep_freed_memory()
        allow_quick_exit()


def _read_quietly(read: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, list[Any]]:
    """``read(*args, **kwargs)`` and the problems of the :class:`~flowgraph.errors.DataWarning`
    it issued: kept for the dataset's ``warnings``, not printed (the analysis commands never
    printed a file's warnings; ``flowgraph validate`` lists them). Other warnings show."""
    import warnings

    from .errors import DataWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        out = read(*args, **kwargs)
    problems: list[Any] = []
    for w in caught:
        if isinstance(w.message, DataWarning):
            problems += w.message.problems
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    return out, problems


def _filter_kwargs(opts: Options) -> dict[str, Any]:
    """The options as keyword arguments of :func:`flowgraph.build_graph`/``filter_deals``."""
    return dict(
        as_of=opts.as_of,
        flow_types=opts.flow_types or None,
        statuses=opts.statuses or None,
        min_confidence=opts.min_confidence,
        include=opts.include or None,
        exclude=opts.exclude or None,
        scenario=opts.scenario,
        include_superseded=opts.include_superseded,
        include_tranches=opts.include_superseded,
        reported_only=opts.reported_only,
    )


def ctx_graph(opts: Options) -> Any:
    """The filtered deal graph (MultiDiGraph) the options describe."""
    from .graph import build_graph

    ds = opts.source = ctx_dataset(opts)
    G = build_graph(ds, **_filter_kwargs(opts))
    opts.as_of_note = G.graph.get("as_of_note") or ""
    _note_estimates(opts, G)
    return _select(G, ds, opts)


def _select(G: Any, ds: Any, opts: Options) -> Any:
    """Apply --company/--around, and say (on stderr and in the notes) which filter left no
    deal when none is left: an empty result is never silent."""
    n_before = G.number_of_edges() if hasattr(G, "number_of_edges") else len(G)
    if opts.company or opts.around:
        from .selection import select_companies

        G = select_companies(G, company=opts.company or None, around=opts.around or None,
                             hops=opts.hops)
    n = G.number_of_edges() if hasattr(G, "number_of_edges") else len(G)
    if n == 0:
        from .selection import explain_empty, selection_text

        if n_before:
            rule = selection_text(company=opts.company, around=opts.around, hops=opts.hops)
            opts.empty = (f"no deals pass the filters: the other filters keep "
                          f"{schema.count_noun(n_before, 'deal')} and the selection ({rule}) "
                          "keeps none of them")
        else:
            opts.empty = explain_empty(ds, _filter_kwargs(opts), opts.filter_labels())
        click.echo(f"flowgraph: {opts.empty}", err=True)
    return G


def _note_estimates(opts: Options, data: Any) -> None:
    """Record in the options whether estimates are in the data (said by filters_text)."""
    from .firmness import estimates_note

    opts.estimates_note = estimates_note(data)


LARGE_NETWORK = 50_000
"""Deal count above which commands that accept a deals table skip building a networkx graph."""


def ctx_data(opts: Options) -> Any:
    """The filtered deals as a MultiDiGraph, or for very large inputs as the filtered deals
    table (:func:`flowgraph.filter_deals`), which cycle and circulation analyses accept too
    and answer identically, without the cost of a networkx graph of millions of edges."""
    from .graph import build_graph, filter_deals

    ds = ctx_dataset(opts)
    kwargs = _filter_kwargs(opts)
    if len(ds.deals) > LARGE_NETWORK:
        data = filter_deals(ds, **kwargs)
        from .timeframe import as_of_note

        counts = data.attrs.get("as_of_counts")
        opts.as_of_note = as_of_note(counts) if counts is not None else ""
        _note_estimates(opts, data)
        return _select(data, ds, opts)
    data = build_graph(ds, **kwargs)
    opts.as_of_note = data.graph.get("as_of_note") or ""
    _note_estimates(opts, data)
    return _select(data, ds, opts)


def progress_printer(enabled: bool | None = None) -> Callable[[str], None] | None:
    """A progress callback writing to stderr when it is a terminal (or when forced)."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return None

    def report(message: str) -> None:
        click.echo(f"\r\033[K{message}", err=True, nl=False)
        if message.endswith("done") or message.endswith("\n"):
            click.echo("", err=True)

    return report


# --------------------------------------------------------------------------- formatting
def _is_share(column: Any) -> bool:
    """Measures shown as a percentage in table and markdown (a fraction in csv/json)."""
    name = str(column).lower()
    return ("share" in name or name.endswith("_pct")
            or name in ("circularity_index", "circularity index c/w", "a_from_b", "b_from_a",
                        "weaker"))


_RATIO_ENDINGS = ("_to_revenue", "_to_cash", "_to_market_value", "_to_equity", "_to_buffer")


def _is_ratio(column: Any) -> bool:
    """Measures shown as a multiple ('6.9x': 6.9 times) in table and markdown."""
    name = str(column).lower()
    return name.startswith("to_") or name.endswith(_RATIO_ENDINGS)


def _cell_keys(df: Any) -> list[list[Any]]:
    """Per cell, the name deciding its format: the column, or in a ``measure, value`` table
    the row's measure (so that 'circularity index C/W' shows as a percentage)."""
    cols = list(df.columns)
    if cols in (["measure", "value"], ["figure", "value"]):
        return [[cols[0], m] for m in df[cols[0]]]
    return [cols] * len(df)


def _fmt_cell(v: Any, column: Any, style: str | None = None) -> str:
    if _is_share(column) and isinstance(v, (float, int)) and not isinstance(v, bool):
        return "" if isinstance(v, float) and math.isnan(v) else f"{v:.1%}"
    if _is_ratio(column) and isinstance(v, (float, int)) and not isinstance(v, bool):
        if isinstance(v, float) and math.isnan(v):
            return ""
        return f"{v:,.1f}x" if abs(v) >= 10 else f"{v:.2f}x"
    return _fmt_value(v, style=style)


def _column_styles(df: Any) -> list[str | None]:
    """How each float column is shown, so that a column reads evenly: ``"whole"`` (every value
    a whole number, and the HHI, quoted in whole points), ``"fraction"`` (every value below 1:
    four decimals) or ``"amount"`` (one decimal from 1 up, three significant digits below).
    None where each cell decides for itself: a ``measure, value`` table mixes quantities."""
    if list(df.columns) == ["measure", "value"]:
        return [None, None]
    out: list[str | None] = []
    for c in df.columns:
        col = df[c]
        if getattr(col.dtype, "kind", "O") != "f":
            out.append(None)
            continue
        vals = col.dropna()
        if str(c).lower() == "hhi" or (
                len(vals) and bool((vals == vals.round()).all()) and bool((vals.abs() < 1e15).all())):
            out.append("whole")
        elif len(vals) and bool((vals.abs() < 1).all()):
            out.append("fraction")
        else:
            out.append("amount")
    return out


def _fmt_value(v: Any, *, style: str | None = None) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        if style == "whole" or (style is None and v == int(v) and abs(v) < 1e15):
            from .formatting import whole

            return whole(v)
        if style == "fraction":
            return f"{v:.4f}"
        if abs(v) >= 1:
            return f"{v:,.1f}"
        if v == 0:
            return "0" if style is None else "0.0"
        return f"{v:.3g}"
    if isinstance(v, (list, tuple, set, frozenset)):
        return ", ".join(map(str, v))
    import numpy as np
    import pandas as pd

    if isinstance(v, np.generic):
        return _fmt_value(v.item())
    if v is pd.NA or v is pd.NaT:
        return ""
    return str(v)


def format_table(df: Any, *, max_width: int = 60, width: int | str | None = "cut") -> str:
    """A plain-text table with aligned columns (numbers right-aligned).

    ``width``: fit the table to this many columns (text wraps, then columns are left out and
    named under the table; a URL is never cut); None: every column at full width; "cut"
    (default): cells longer than ``max_width`` are cut with an ellipsis.
    """
    if df is None or len(df) == 0:
        return "(no rows)"
    if width != "cut":
        head, body, dropped = _table_lines(df, width)
        from ._fit import dropped_note

        import textwrap

        note = textwrap.wrap(dropped_note(dropped), width=width or 100)
        return "\n".join([*head, *(ln for r in body for ln in r), *note])
    cols = [str(c) for c in df.columns]
    styles = _column_styles(df)
    rows = [[_fmt_cell(v, c, st) for v, c, st in zip(rec, keys, styles)]
            for rec, keys in zip(df.itertuples(index=False, name=None), _cell_keys(df))]
    cols = [_esc.terminal(c) for c in cols]  # data cannot move the cursor or retitle
    rows = [[_esc.terminal(c) for c in r] for r in rows]
    rows = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in r] for r in rows]
    numeric = []
    for c in df.columns:
        kind = getattr(df[c].dtype, "kind", "O")
        numeric.append(kind in "iuf")
    widths = [max([len(cols[j])] + [len(r[j]) for r in rows]) for j in range(len(cols))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            (cell.rjust(widths[j]) if numeric[j] else cell.ljust(widths[j]))
            for j, cell in enumerate(cells)
        ).rstrip()

    out = [line(cols), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    return "\n".join(out)


def _table_lines(df: Any, width: int | None) -> tuple[list[str], list[list[str]], list[str]]:
    """Header lines, each row's lines and the columns left out, fitted to ``width``."""
    from ._fit import layout

    cols = [_esc.terminal(str(c)) for c in df.columns]
    styles = _column_styles(df)
    rows = [[_esc.terminal(_fmt_cell(v, c, st)) for v, c, st in zip(rec, keys, styles)]
            for rec, keys in zip(df.itertuples(index=False, name=None), _cell_keys(df))]
    numeric = [getattr(df[c].dtype, "kind", "O") in "iuf" for c in df.columns]
    return layout(cols, rows, numeric, width)


def table_width(opts: Options) -> int | None:
    """The width tables fit: None with --wide (every column), else the terminal's."""
    from ._fit import terminal_width

    return None if opts.wide else terminal_width()


def format_markdown(df: Any) -> str:
    """A GitHub-flavoured Markdown table."""
    if df is None or len(df) == 0:
        return "_(no rows)_"

    esc = _esc.markdown  # no HTML, links or emphasis from the data

    cols = [esc(str(c)) for c in df.columns]
    numeric = [getattr(df[c].dtype, "kind", "O") in "iuf" for c in df.columns]
    out = ["| " + " | ".join(cols) + " |",
           "| " + " | ".join("---:" if n else "---" for n in numeric) + " |"]
    styles = _column_styles(df)
    for rec, keys in zip(df.itertuples(index=False, name=None), _cell_keys(df)):
        out.append("| " + " | ".join(esc(_fmt_cell(v, c, st)) for v, c, st in zip(rec, keys, styles))
                   + " |")
    return "\n".join(out)


def _json_default(v: Any) -> Any:
    import datetime as dt

    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, (set, frozenset, tuple)):
        return list(v)
    import numpy as np

    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    return str(v)


def _records(df: Any) -> list[dict[str, Any]]:
    """The rows of a table as JSON-ready dicts: Python numbers, NaN as None (null)."""
    import numpy as np

    keys = [str(k) for k in df.columns]
    columns = []
    for k in range(df.shape[1]):
        col = df.iloc[:, k]
        if getattr(col.dtype, "kind", "O") == "f":
            arr = col.to_numpy(dtype=float, na_value=np.nan)
            values = np.where(np.isnan(arr), None, arr.astype(object)).tolist()
        elif getattr(col.dtype, "kind", "O") in "iub" and not col.hasnans:
            values = col.to_numpy().tolist()
        elif getattr(col.dtype, "kind", "O") in "iub":  # a nullable integer or bool with NA
            arr = col.to_numpy(dtype=object, na_value=None)
            values = [v.item() if isinstance(v, np.generic) else v for v in arr.tolist()]
        else:
            values = [None if isinstance(v, float) and math.isnan(v) else v
                      for v in col.to_numpy(dtype=object).tolist()]
        columns.append(values)
    return [dict(zip(keys, row)) for row in zip(*columns)] if columns else [{}] * len(df)


def _json_text(value: Any) -> str:
    """JSON of a list of records (one per line) or of a dict of such lists and notes; the
    C encoder writes each record (an indented dump goes through Python's slower one)."""
    enc = json.JSONEncoder(default=_json_default)
    if isinstance(value, list):
        return "[\n" + ",\n".join(map(enc.encode, value)) + "\n]" if value else "[]"
    return "{\n" + ",\n".join(f"{enc.encode(str(k))}: {_json_text(v)}"
                               for k, v in value.items()) + "\n}"


def render(tables: Iterable[tuple[str | None, Any]], opts: Options,
           notes: Iterable[str] = ()) -> str:
    """Render titled tables in the chosen format (one JSON object for several tables)."""
    tables = list(tables)
    notes = [n for n in notes if n]
    if opts.fmt == "json":
        if len(tables) == 1 and not notes:
            return _json_text(_records(tables[0][1]))
        payload: dict[str, Any] = {}
        for title, df in tables:
            payload[title or "rows"] = _records(df)
        if notes:
            payload["notes"] = notes
        return _json_text(payload)
    if opts.fmt == "csv":  # one table per CSV file: emit() chooses it
        if len(tables) != 1:
            raise click.UsageError("csv holds one table: choose it with --table NAME")
        return _esc.csv_text(tables[0][1], spreadsheet_safe=not opts.raw_csv).rstrip("\n")
    parts = []
    for title, df in tables:
        if opts.fmt == "markdown":
            parts.append((f"### {title}\n\n" if title else "") + format_markdown(df))
        else:
            parts.append((f"{title}\n" if title else "") + format_table(df, width=table_width(opts)))
    if notes:
        if opts.fmt == "markdown":
            parts.append("\n".join(f"> {n}" for n in notes))
        else:
            import textwrap  # notes fit a terminal, as in the cycles listing

            parts.append("\n".join(
                "\n".join(textwrap.wrap(f"Note: {n}", width=100, subsequent_indent="      ",
                                        break_long_words=False, break_on_hyphens=False))
                for n in notes))
    return "\n\n".join(parts)


def table_name(title: str | None) -> str:
    """The name of a table in ``--table``, in ``-o DIR`` file names: its title in lower case
    with ``_`` between words ('Largest payers' -> 'largest_payers'); json keys are titles."""
    import re

    return re.sub(r"[^0-9a-z]+", "_", (title or "rows").lower()).strip("_") or "rows"


def _to_folder(output: str | None) -> bool:
    return bool(output) and (os.path.isdir(output) or output.endswith(("/", os.sep)))


def emit(df: Any, opts: Options, *, title: str | None = None, notes: Iterable[str] = (),
         tables: Iterable[tuple[str | None, Any]] | None = None) -> None:
    """Print (or write to ``-o``) one table, or several titled ``tables``, with notes.

    ``--table NAME`` keeps one of several tables (by :func:`table_name` or title). csv holds
    one table per file: several tables need ``--table`` or ``-o DIR`` (one file per table,
    named ``<table_name>.csv``; json likewise with ``-o DIR``).
    """
    chosen = list(tables) if tables is not None else [(title, df)]
    names = [table_name(t) for t, _ in chosen]
    if opts.table:
        want = table_name(opts.table)
        if want not in names:
            raise click.UsageError(f"no table {opts.table!r} here; tables: {', '.join(names)}")
        chosen = [chosen[names.index(want)]]
        names = [want]
    if _to_folder(opts.output):
        if opts.fmt not in ("csv", "json"):
            raise click.UsageError("-o DIR (one file per table) is for --format csv or json; "
                                   "give a file name for table or markdown")
        os.makedirs(opts.output, exist_ok=True)
        for name, one in zip(names, chosen):
            path = os.path.join(opts.output, f"{name}.{opts.fmt}")
            write_text(render([one], opts), path)
            click.echo(f"wrote {path}", err=True)
        return
    if opts.fmt == "csv" and len(chosen) > 1:
        raise click.UsageError(
            f"this prints {schema.count_noun(len(chosen), 'table')} ({', '.join(names)}) and "
            "a csv file holds one: choose one with --table NAME, or give -o DIR for one file "
            "per table")
    text = render(chosen, opts, notes)
    write_text(text, opts.output)


def write_text(text: str, output: str | None) -> None:
    """Write text to a file (atomically: a temporary file, then a rename) or to standard
    output (control characters escaped when it is a terminal)."""
    if output:
        from ._files import write_text as atomic_write

        atomic_write(output, text + "\n")
    else:
        click.echo(_esc.terminal(text, newlines=True) if sys.stdout.isatty() else text)


# --------------------------------------------------------------------------- the group
@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"],
                                           "max_content_width": 100})
@click.version_option(package_name="flowgraph", prog_name="flowgraph")
def main() -> None:
    """Find and measure circular money flows in company networks.

    \b
    Start with:
      flowgraph report            write the full report for the bundled AI-deal dataset
      flowgraph cycles            which loops exist and how much money can go round them
      flowgraph summary           companies, deals, money by type and status
    Every analysis command takes --dataset or --deals/--companies, filters
    (--as-of, --flow-type, --status, --min-confidence, --scenario) and
    --format table|markdown|csv|json with -o FILE.
    """


# --- foundation commands ---------------------------------------------------------------
@main.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="PATH")
def datasets(fmt: str, output: str | None) -> None:
    """List the bundled datasets with their size and as-of date.

    rows counts every row of the deals table; deals counts the headline deals the analyses
    use (superseded rows and the tranches of a headline deal left out, as every other
    command counts them).
    """
    from .graph import filter_deals
    from .io import list_datasets, load_dataset

    df = list_datasets().rename(columns={"deals": "rows"})
    df.insert(df.columns.get_loc("rows") + 1, "deals",
              [len(filter_deals(load_dataset(n))) for n in df["name"]])
    opts = Options(fmt=fmt, output=output)
    notes = ["rows: every row of the deals table; deals: the headline deals the analyses use "
             "(superseded rows and tranches left out)."]
    if fmt == "table":
        df = df.drop(columns=["description"])
    if fmt in ("csv", "json"):
        notes = []
    emit(df, opts, notes=notes)


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--companies", "companies_path", type=click.Path(dir_okay=False), metavar="PATH",
              help="Also validate this companies file and check the deals' companies in it.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="PATH")
@click.option("--sheet", metavar="NAME",
              help="Excel: the sheet to check (default: the one named deals, else the only one).")
def validate(path: str, companies_path: str | None, fmt: str, output: str | None,
             sheet: str | None) -> None:
    """Check a deals file (CSV, JSON, XLSX or Parquet) and list every problem.

    Problems are listed file by file, in row order. Rows are numbered from 1, the first row
    after the header (line 2 of a CSV file). Exits with status 1 when there is any error;
    warnings alone exit 0.
    """
    from .io import validate_file

    if not os.path.exists(path):
        raise click.BadParameter(f"no such file: {path}", param_hint="PATH")
    _large_file_settings(path)
    report = validate_file(path, companies_path, sheet=sheet)
    opts = Options(fmt=fmt, output=output)
    n_err, n_warn = len(report.errors), len(report.warnings)
    if fmt in ("table", "markdown"):
        ordered = sorted(report.problems, key=lambda p: (p.source, p.row or 0))
        lines = [str(p) if p.severity == "error" else f"warning: {p}" for p in ordered]
        checked = f"{path} and {companies_path}" if companies_path else path
        verdict = (f"{checked}: {schema.count_noun(n_err, 'error')}, {schema.count_noun(n_warn, 'warning')}"
                   + ("" if n_err else " - valid"))
        if fmt == "markdown":
            lines = [f"- {line}" for line in lines]
        write_text("\n".join([*lines, verdict]) if lines else verdict, output)
    else:
        emit(report.to_frame(), opts)
    if n_err:
        sys.exit(1)


@main.command()
@common_options
@click.option("--sort", type=click.Choice(["amount", "date", "id"]), default="amount",
              show_default=True, help="Order of the listing.")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many deals.")
@click.option("--all-columns", is_flag=True, help="Show every column (always so for csv/json).")
def deals(opts: Options, sort: str, limit: int | None, all_columns: bool) -> None:
    """List the deals that pass the filters, with their sources.

    \b
    --format csv|json write the file's own columns for the deals listed, plus the rows
    they rest on, as the file has them: rows superseded by a listed row, and the headline
    or the tranches of a deal counted the other way (so that the file reads back with
    its references). Two columns say which is which: counted (true for the rows listed
    and summed by every command, false for the others) and not_counted_because
    (superseded by ..., tranche of ..., headline of ...). Sum only counted rows. (These
    two columns are written afresh: a file read back replaces them.)
    """
    from .summary import deals_frame

    G = ctx_graph(opts)
    df = deals_frame(G)
    if len(df):
        if sort == "amount":
            df = df.sort_values(["amount", "deal_id"], ascending=[False, True], na_position="last")
        elif sort == "date":
            df = df.assign(_d=df["date_lo"].map(lambda d: d.isoformat() if d else "9999"))
            df = df.sort_values(["_d", "deal_id"]).drop(columns="_d")
    # columns a written listing adds describe that listing, not this one: never shown stale
    df = df.drop(columns=["date_lo", "date_hi", *COUNTED_COLUMNS], errors="ignore")
    if opts.fmt in ("csv", "json"):  # the file's own rows and columns: read_deals reads it back
        if limit:
            raise click.UsageError("--limit is for table and markdown: csv and json give the "
                                   "whole table, which reads back with read_deals")
        _write_deals_text(opts, df["deal_id"].tolist())
        return
    if limit:
        df = df.head(limit)
    if opts.fmt in ("table", "markdown") and not all_columns:
        from .firmness import amount_basis

        # an amount that is an estimate, a range's midpoint or conditional says so
        df = df.assign(amount_is=amount_basis(df))
        cols = ["deal_id", "payer", "payee", "amount", "amount_is", "flow_type", "status",
                "announced", "confidence", "source_url"]
        df = df[[c for c in cols if c in df.columns]]
    emit(df.reset_index(drop=True), opts, notes=[opts.filters_text()])


def _export_rows(opts: Options) -> Any:
    """The file's rows that pass the filters, with the file's own columns (not the graph's
    derived ones); superseded rows and tranches stay, as in the file, so that the rows read
    back (their references resolve) and an unfiltered export gives back the same table."""
    from .graph import filter_deals

    ds = opts.source if opts.source is not None else ctx_dataset(opts)
    kw = {**_filter_kwargs(opts), "include_superseded": True, "include_tranches": True}
    kept = _select_rows(filter_deals(ds, **kw), ds, opts)
    if opts.as_of:
        kept = kept[~kept["deal_id"].isin(_split_headlines(ds, opts))]
    from .io import subset_deals  # ids of rows left out are dropped from supersedes/part_of
    from .timeframe import rows_as_of

    # as of a date: statuses and payments as they were then, nothing learned later
    return rows_as_of(subset_deals(ds.deals, kept["deal_id"]), opts.as_of)


def _select_rows(kept: Any, ds: Any, opts: Options) -> Any:
    """--company/--around on the rows written, with the names known as the graph of the
    table view knows them (the companies table and the deals passing the filters, less
    those excluded): a known company that no row passing the other filters touches keeps
    no row, as the table view lists none; an unknown one is refused with close matches."""
    if not (opts.company or opts.around):
        return kept
    from .selection import _check, select_companies

    ends = set(kept["payer"]) | set(kept["payee"])
    table = getattr(ds, "companies", None)
    names = set(table["name"]) if table is not None and "name" in table.columns else set()
    excluded = {str(n).lower() for n in opts.exclude}
    known = ends | {n for n in names if str(n).lower() not in excluded}
    filters = dict(kept.attrs.get("filters") or {})
    company = [n for n in _check(list(opts.company), known, filters) if n in ends]
    around = [n for n in _check(list(opts.around), known, filters) if n in ends]
    if (opts.company and not company) or (opts.around and not around):
        return kept.iloc[:0]
    return select_companies(kept, company=company or None, around=around or None,
                            hops=opts.hops)


def _split_headlines(ds: Any, opts: Options) -> set[Any]:
    """The headline rows counted, as of the date, by their tranches dated by then instead
    (their total, under the first announcement's date, was known only later): an export as
    of the date leaves them out and writes those tranches on their own, so that the file
    read back counts what the as-of view counts. From :func:`flowgraph.filter_deals`' own
    rule: a headline not counted while a tranche of it is."""
    from .graph import filter_deals

    if "part_of" not in ds.deals.columns:
        return set()
    counted = set(filter_deals(ds, **_filter_kwargs(opts))["deal_id"])
    out = set()
    for d, parts in zip(ds.deals["deal_id"], ds.deals["part_of"]):
        if d in counted and not schema.is_blank(parts):
            out.update(h for h in schema.split_ids(parts) if h not in counted)
    return out


COUNTED_COLUMNS = ("counted", "not_counted_because")
"""The columns ``deals --format csv|json`` adds: whether each row is counted, and why not."""


def _not_counted_because(opts: Options, rows: Any, counted: Any) -> list[str | None]:
    """Why each row written but not listed is not counted (None for a counted row), from
    the rules of :func:`flowgraph.filter_deals` themselves: a row that passes only with
    ``include_superseded`` is superseded, one that passes only with ``include_tranches``
    is a tranche of a headline counted whole, or a headline counted by its tranches."""
    out: list[str | None] = [None] * len(rows)
    left = [i for i, c in enumerate(counted) if not c]
    if not left:
        return out
    from .graph import filter_deals

    ds = opts.source if opts.source is not None else ctx_dataset(opts)
    kw = _filter_kwargs(opts)
    superseded = set(filter_deals(ds, **{**kw, "include_superseded": True,
                                         "include_tranches": False})["deal_id"])
    split = set(filter_deals(ds, **{**kw, "include_superseded": False,
                                    "include_tranches": True})["deal_id"])
    by: dict[Any, list[str]] = {}  # superseded id -> the rows that name it
    blank = [None] * len(ds.deals)
    for d, names in zip(ds.deals["deal_id"], ds.deals.get("supersedes", blank)):
        for x in schema.split_ids(names) if not schema.is_blank(names) else ():
            by.setdefault(x, []).append(str(d))
    ids = rows["deal_id"].to_numpy()
    part_of = rows["part_of"].to_numpy() if "part_of" in rows.columns else [None] * len(rows)
    when = f"dated by {opts.as_of}" if opts.as_of else "dated"
    for i in left:
        d, why = ids[i], []
        if d in superseded:
            why.append(f"superseded by {', '.join(by.get(d, [])) or 'a later row'}")
        if d in split:
            why.append(f"tranche of {part_of[i]}, which is counted whole"
                       if not schema.is_blank(part_of[i])
                       else f"headline whose tranches {when} are counted instead")
        out[i] = "; ".join(why) or "outside the companies selected"
    return out


def _write_deals_text(opts: Options, first: list[Any]) -> None:
    """The deals passing the filters as :func:`flowgraph.write_deals` writes them (csv or
    json), to standard output or ``-o``: the ids in ``first`` in that order, then the
    superseded rows and tranches in file order."""
    import tempfile

    from .io import write_deals

    rows = _export_rows(opts)
    pos = {d: i for i, d in enumerate(first)}
    order = sorted(range(len(rows)),
                   key=lambda i: (pos.get(rows["deal_id"].iloc[i], len(pos)), i))
    rows = rows.iloc[order]
    counted = rows["deal_id"].isin(pos).to_numpy()
    rows = rows.drop(columns=list(COUNTED_COLUMNS), errors="ignore").assign(
        counted=["true" if c else "false" for c in counted],  # as the file's yes/no columns
        not_counted_because=_not_counted_because(opts, rows, counted))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"deals.{opts.fmt}")
        write_deals(rows, path, spreadsheet_safe=not opts.raw_csv)
        with open(path, encoding="utf-8", newline="") as fh:  # a CR in a field stays a CR
            text = fh.read()
    out = opts.output
    if _to_folder(out):
        os.makedirs(out, exist_ok=True)
        out = os.path.join(out, f"deals.{opts.fmt}")
    write_text(text.rstrip("\n"), out)


@main.command()
@common_options
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many largest payers and payees to list.")
def summary(opts: Options, top: int) -> None:
    """Companies, deals, money by flow type and status, largest payers and payees."""
    from .summary import summarize

    s = summarize(ctx_graph(opts), top=top)
    notes = [opts.filters_text(),
             "Amounts in USD billions; deals with unknown amounts are counted but not summed.",
             *(s.firmness.notes if s.firmness is not None else ())]
    emit(None, opts, tables=[
        ("Headline", s.headline()),
        ("By flow type", s.by_flow_type),
        ("By status", s.by_status),
        ("Largest payers", s.payers),
        ("Largest payees", s.payees),
    ], notes=notes)


@main.command("export")
@common_options
@click.option("--to", "target", type=click.Choice(["graphml", "gexf", "deals-csv", "deals-json",
                                                    "deals-parquet", "companies-csv",
                                                    "companies-json", "companies-parquet"]),
              required=True, help="What to write.")
@click.option("--collapsed", is_flag=True,
              help="Graph formats: one edge per payer -> payee pair instead of one per deal.")
def export_cmd(opts: Options, target: str, collapsed: bool) -> None:
    """Write the filtered data to GraphML/GEXF (Gephi) or back to CSV/JSON/Parquet (needs -o)."""
    from . import graph as g
    from .io import write_companies, write_deals

    if not opts.output:
        raise click.UsageError("export needs -o/--output PATH")
    if target.startswith("deals") or target.startswith("companies"):
        from pathlib import Path

        kind, fmt = target.split("-")
        if Path(opts.output).suffix.lower() != f".{fmt}":
            raise click.UsageError(f"--to {target} writes {fmt.upper()}: give an -o path "
                                   f"ending in .{fmt}")
        ds = opts.source = ctx_dataset(opts)
        if kind == "deals":
            write_deals(_export_rows(opts), opts.output, spreadsheet_safe=not opts.raw_csv)
        else:
            companies = ds.companies
            if companies is None or not len(companies):
                raise FlowgraphError("no companies table to export (load one with --companies)")
            names = set(ctx_graph(opts).nodes)
            write_companies(companies[companies["name"].isin(names)], opts.output,
                            spreadsheet_safe=not opts.raw_csv)
    else:
        G = ctx_graph(opts)
        if collapsed:
            G = g.collapse(G)
        (g.write_graphml if target == "graphml" else g.write_gexf)(G, opts.output)
    click.echo(f"wrote {opts.output}", err=True)


# --- cycles commands -------------------------------------------------------------------
MACHINE_CYCLES = 10_000
"""Loops csv and json give without --limit (find_cycles' own bound; its notes say when it
is reached)."""


def _cycles_money(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "unknown"
    return f"{x:,.3g}" if abs(x) < 10 else f"{x:,.1f}".removesuffix(".0")


def _round_trips(values: Any, bounds: Any, bases: Any, *, unknown: str = "unknown") -> list[str]:
    """Round trips for the terminal tables: the number (:func:`_cycles_money`, billions)
    with what it is, by the one rule (:func:`flowgraph.formatting.marked_money`: ``<=``,
    ``>=``, ``~`` in front, "(estimated)", "(conditional)" after), as the loop sentences and
    the report say it. csv/json keep the number, its bound and its basis in their columns."""
    from .formatting import marked_money

    return [marked_money(v, b, basis, fmt=_cycles_money, unknown=unknown)
            for v, b, basis in zip(values, bounds, bases)]


def _cycles_display(res: Any) -> Any:
    """The terminal view of a CycleResult: one short row per loop."""
    import pandas as pd

    c = res.cycles
    rt = _round_trips(c["round_trip"], c["round_trip_bound"], c["round_trip_basis"])
    rng = [f"{_cycles_money(lo)}-{_cycles_money(hi)}"
           if lo != hi and not (math.isnan(lo) or math.isnan(hi)) else ""
           for lo, hi in zip(c["round_trip_low"], c["round_trip_high"])]
    limiting = [f"{a} -> {b}" if isinstance(a, str) else "" for a, b in
                zip(c["limiting_payer"], c["limiting_payee"])]
    return pd.DataFrame({
        "#": range(1, len(c) + 1),
        "loop": c["path"],
        "round trip $bn": rt,
        "low-high": rng,
        "limited by": limiting,
        "status": c["status_summary"].fillna(""),
        "in time order": c["time_order"],
    })


def _cycles_flat(df: Any) -> Any:
    """Tuples as '; '-joined text (for CSV)."""
    out = df.copy()
    for col in out.columns:
        if len(out) and isinstance(out[col].iloc[0], tuple):
            out[col] = out[col].map(lambda t: "; ".join(map(str, t)))
    return out


@main.command(short_help="Loops of money (A pays B, B pays A) and how much can go round them.")
@common_options
@click.option("--max-length", type=click.IntRange(min=2), default=6, show_default=True,
              help="Longest loop, in hops.")
@click.option("--min-amount", type=click.FloatRange(min=0), metavar="USD_BN",
              help="Only loops whose round trip can reach this many USD billions.")
@click.option("--through", multiple=True, metavar="NAME",
              help="Only loops through this company (repeatable: through all of them).")
@click.option("--time-ordered", is_flag=True,
              help="Only loops whose deals can follow each other in time round the loop.")
@click.option("--window", type=click.IntRange(min=0), metavar="DAYS",
              help="Time order must fit within this many days (first to last deal).")
@click.option("--limit", type=click.IntRange(min=1),
              help="Show at most this many loops [default: 20 in table and markdown; csv and "
                   "json give every loop found, up to 10,000].")
@click.option("--sort", type=click.Choice(["length", "round-trip"]), default="length",
              show_default=True,
              help="length: shortest loops first (the direct two-company loops), largest "
                   "round trip first within each length; round-trip: largest round trip first.")
@click.option("--max-loops", type=click.IntRange(min=1), metavar="N",
              help="Stop the search once N loops are found (it says so, and counts 'at "
                   "least'). The search also stops at a work cap (--max-work).")
@work_options
@samples_options
@cluster_options
def cycles(opts: Options, max_length: int, min_amount: float | None, through: tuple[str, ...],
           time_ordered: bool, window: int | None, limit: int | None, sort: str,
           max_loops: int | None, samples: int | None, sample_seed: int,
           keep: tuple[str, ...]) -> None:
    """Loops of money (A pays B ... pays A) and how much can go all the way round.

    The round trip of a loop is its smallest hop: the most money that can come back.
    "<=" marks an upper bound (some hop's amount is undisclosed), ">=" a lower bound (the
    limiting hop has undisclosed deals on top), "~" both; "(estimated)", "(conditional)"
    after it: it rests on such amounts (csv/json: column round_trip_basis); low-high is the
    range from the deals' low and high estimates. json gives every hop and deal with sources.
    """
    from .cycles import find_cycles, warm_up

    if opts.deals:
        warm_up(opts.deals)  # load the compiled search while a large file is parsed
    G = ctx_data(opts)
    if samples:
        emit_uncertainty(G, "cycles", opts, samples=samples, seed=sample_seed, keep=keep,
                         max_length=max_length, limit=limit or 200)
        return
    machine = opts.fmt in ("csv", "json")
    res = find_cycles(G, max_length=max_length, min_amount=min_amount,
                      through=list(through) or None, time_ordered=time_ordered,
                      window=window, limit=limit or (MACHINE_CYCLES if machine else 20),
                      sort=sort.replace("-", "_"), progress=progress_printer(),
                      max_loops=max_loops)
    shown = len(res.cycles)
    what = ["time-ordered " if time_ordered else "", f"loop{'s' if res.n_found != 1 else ''}"]
    stop = res.params.get("stopped")  # the cap that stopped the search, as the search says
    cap = f"--max-{stop} {res.params[f'max_{stop}']:,}" if stop else ""  # loops or work
    head = (("at least " if not res.complete else "")
            + f"{res.n_found:,} {''.join(what)} of at most {max_length} hops"
            + (f" through {', '.join(res.params['through'])}" if res.params["through"] else "")
            + (f" with a round trip of at least ${min_amount:g}bn" if min_amount else "")
            + (f"; stopped at {cap}" if cap else "")
            + (f"; showing the first {shown}" + ("" if limit or machine else
               " (--limit N for more; csv and json give every loop)")
               if res.truncated and shown < res.n_found else ""))
    notes = [head, opts.filters_text(), *res.notes]
    if opts.fmt == "json":
        emit(None, opts, tables=[("cycles", res.cycles), ("hops", res.hops),
                                 ("deals", res.deals)], notes=notes)
        return
    if opts.fmt == "csv":  # the loops; --table hops or deals for the others, -o DIR for all
        tables = [("cycles", _cycles_flat(res.cycles)), ("hops", _cycles_flat(res.hops)),
                  ("deals", _cycles_flat(res.deals))]
        emit(None, opts, tables=tables if opts.table or _to_folder(opts.output) else tables[:1])
        return
    view = _cycles_display(res)
    if opts.fmt == "markdown":
        view["what happens"] = res.cycles["description"]
        emit(view, opts, title=head, notes=notes[1:])
        return
    import textwrap

    from ._fit import dropped_note

    width = table_width(opts)
    head_lines, body, dropped = _table_lines(view, width)
    out = [head, "", *head_lines]
    for row_lines, text in zip(body, res.cycles["description"]):
        out += row_lines
        out += textwrap.wrap(text, width=width or 100, initial_indent="     ",
                             subsequent_indent="     ")
    if dropped:
        out += textwrap.wrap(dropped_note(dropped), width=width or 100)
    out.append("")
    for n in notes[1:]:
        out += textwrap.wrap(f"Note: {n}", width=100, subsequent_indent="      ")
    write_text("\n".join(out), opts.output)


# --- circulation commands --------------------------------------------------------------
_CIRCULATION_VIEWS = ("overview", "edges", "companies", "components", "self-funded",
                      "keystones", "finn")


@main.command("circulation")
@common_options
@click.option("--view", type=click.Choice(_CIRCULATION_VIEWS), default="overview",
              show_default=True,
              help="overview: headline numbers, companies and cyclic groups; edges: C and D per "
                   "payer->payee pair; companies: circular inflow, self-funded amount and "
                   "keystone impact; self-funded, keystones; finn: Finn's cycling index.")
@click.option("--for", "for_companies", multiple=True, metavar="NAME",
              help="self-funded/keystones: compute for this company (repeatable).")
@click.option("--top", type=click.IntRange(min=1), metavar="N",
              help="self-funded/keystones/companies: compute for the N largest companies "
                   "(default: all in networks of up to 500 companies, else 20; keystones: 10 "
                   "in networks with more than 200,000 payer->payee pairs on cycles).")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="Rows shown in table and markdown output (csv/json get every row).")
@click.option("--progress/--no-progress", default=None,
              help="Progress on stderr (default: when stderr is a terminal).")
@samples_options
@cluster_options
def circulation_cmd(opts: Options, view: str, for_companies: tuple[str, ...], top: int | None,
                    limit: int, progress: bool | None, samples: int | None, sample_seed: int,
                    keep: tuple[str, ...]) -> None:
    """Maximal circulation: how much money can go round, and who it goes round.

    Splits the flows into a circular part (balanced at every company) that is as large as
    possible and a directional part with no cycle left; the circularity index is the
    circular share of all flows. Unknown amounts are left out (circulation is then a lower
    bound); compare --scenario low and high.
    """
    from . import circulation as circ

    G = ctx_data(opts)
    if samples:  # circularity and self-funded numbers with their intervals
        emit_uncertainty(G, "circulation", opts, samples=samples, seed=sample_seed, keep=keep,
                         companies=list(for_companies) or None, top=top or 5)
        return
    report = progress_printer(progress)
    full = opts.fmt in ("csv", "json")

    def rows(df: Any) -> Any:
        if full:
            return df
        # the rounding bound only matters when amounts have no decimal step; hide zeros
        if "rounding_bound" in df.columns and not (df["rounding_bound"].fillna(0) > 0).any():
            df = df.drop(columns="rounding_bound")
        if len(df) > limit:  # a table that stops says so
            notes.append(f"Showing the first {limit:,} of {len(df):,} rows (--limit N for more; "
                         "csv and json give every row).")
        return df.head(limit)

    notes = [f"Filters: {opts.filters_text()}"]
    if view in ("overview", "edges", "components"):
        res = circ.maximal_circulation(G, progress=report)
        notes = [*res.notes, *notes]
        if view == "overview":
            tables = [("Maximal circulation", res.headline()),
                      ("Companies by circular inflow", rows(res.companies)),
                      ("Cyclic groups (strongly connected components)", rows(res.components))]
        elif view == "edges":
            tables = [("Circular (C) and directional (D) flow per payer->payee pair",
                       rows(res.edges))]
        else:
            tables = [("Cyclic groups (strongly connected components)", rows(res.components))]
        emit(None, opts, tables=tables, notes=notes)
    elif view == "companies":
        res = circ.company_circulation(G, top=top, progress=report)
        emit(rows(res.table), opts, title="Circulation by company", notes=[*res.notes, *notes])
    elif view in ("self-funded", "keystones"):
        fn = circ.self_funded if view == "self-funded" else circ.keystones
        res = fn(G, list(for_companies) or None, top=top, progress=report)
        title = ("Self-funded: money that can leave a company and come back to it"
                 if view == "self-funded" else
                 "Keystones: circulation lost when a company is removed")
        emit(rows(res.table), opts, title=title, notes=[*res.notes, *notes])
    else:
        res = circ.finn_cycling_index(G)
        emit(None, opts, tables=[("Finn's cycling index", res.headline()),
                                 ("Throughflow and cycling by company", rows(res.nodes))],
             notes=[*res.notes, *notes])


@main.command("synthetic")
@click.option("--companies", "n_companies", type=click.IntRange(min=2), default=1000,
              show_default=True, help="Number of companies.")
@click.option("--deals", "n_deals", type=click.IntRange(min=0), default=5000, show_default=True,
              help="Number of deals.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option("--exponent", type=float, default=2.2, show_default=True,
              help="Power-law exponent of expected degrees (> 2).")
@click.option("--unknown-fraction", type=click.FloatRange(0, 1), default=0.05,
              show_default=True, help="Share of deals with no amount reported.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="PATH",
              help="Deals file (.csv, .json or .xlsx); standard output (CSV) if omitted.")
@click.option("--companies-output", type=click.Path(dir_okay=False), metavar="PATH",
              help="Also write the companies table here.")
def synthetic_cmd(n_companies: int, n_deals: int, seed: int, exponent: float,
                  unknown_fraction: float, output: str | None,
                  companies_output: str | None) -> None:
    """Generate a seeded synthetic deal network (heavy-tailed degrees and amounts).

    Example: flowgraph synthetic --companies 100000 --deals 1000000 --seed 1 -o deals.csv
    --companies-output companies.csv
    """
    from .io import write_companies, write_deals
    from .synthetic import synthetic_network

    net = synthetic_network(n_companies, n_deals, seed=seed, exponent=exponent,
                            unknown_fraction=unknown_fraction)
    if output:
        write_deals(net.deals, output)
        click.echo(f"wrote {len(net.deals):,} deals to {output}", err=True)
    else:
        click.echo(net.deals.to_csv(index=False, float_format="%.15g"), nl=False)
    if companies_output:
        write_companies(net.companies, companies_output)
        click.echo(f"wrote {len(net.companies):,} companies to {companies_output}", err=True)

# --- risk commands ---------------------------------------------------------------------
_RISK_NOTE = ("Amounts in USD billions. Deals with unknown amounts are counted (n_unknown) but "
              "never summed as zero. Exposure semantics: docs/risk.md.")


def _risk_statuses(opts: Options) -> Any:
    from .exposure import DEFAULT_STATUSES

    return opts.statuses or DEFAULT_STATUSES


@main.command("concentration")
@common_options
@click.option("--view", type=click.Choice(["companies", "commitments", "mutual", "network"]),
              default="companies", show_default=True,
              help="companies: HHI per company; commitments: promises against revenue, cash "
                   "and market value; mutual: pairs that depend on each other; network: "
                   "share of flow on the largest companies, centralities, keystones.")
@click.option("--direction", type=click.Choice(["both", "in", "out"]), default="both",
              show_default=True, help="Money in (customers, funders) or out (suppliers, "
                                      "investees).")
@click.option("--basis", type=click.Choice(["flows", "exposures"]), default="flows",
              show_default=True, help="Concentration of money flows, or of exposures "
                                      "(what a company depends on / who depends on it).")
@click.option("--top", type=click.IntRange(min=1), metavar="N",
              help="Show only the first N rows (per direction for --view companies).")
@click.option("--thresholds", type=(float, float), default=(1000.0, 1800.0), show_default=True,
              metavar="LOW HIGH", help="HHI band limits (2023 US Merger Guidelines).")
@click.option("--all-columns", is_flag=True, help="Show every column (always so for csv/json).")
@click.option("--sort", "rank", type=click.Choice(["at-risk", "hhi"]), default="at-risk",
              show_default=True,
              help="--view companies: money at risk first (the amount tied to the largest "
                   "counterparty), or the most concentrated (HHI) first.")
@samples_options
@cluster_options
def concentration_cmd(opts: Options, view: str, direction: str, basis: str, top: int | None,
                      thresholds: tuple[float, float], all_columns: bool, rank: str,
                      samples: int | None, sample_seed: int, keep: tuple[str, ...]) -> None:
    """Who depends on few counterparties, and whose promises outrun their means.

    \b
    HHI on the 0-10,000 scale (below 1,000 unconcentrated, 1,000-1,800 moderately,
    above 1,800 highly concentrated), effective number of counterparties (10,000/HHI)
    and the largest counterparty's share.
    """
    from .concentration import (
        commitments,
        company_concentration,
        mutual_dependencies,
        network_concentration,
    )

    G = ctx_graph(opts)
    if samples:  # HHI and largest payer's share of the most concentrated, with intervals
        emit_uncertainty(G, "concentration", opts, samples=samples, seed=sample_seed,
                         keep=keep, top=top or 10)
        return
    notes = [opts.filters_text(), _RISK_NOTE]
    short = opts.fmt in ("table", "markdown") and not all_columns
    if view == "companies":
        from .concentration import concentration_order

        sort = rank.replace("-", "_")
        df = company_concentration(G, direction=direction, basis=basis, thresholds=thresholds,
                                statuses=_risk_statuses(opts) if basis == "exposures" else None,
                                sort=sort)
        if top:
            df = df.groupby("direction", sort=True, group_keys=False).head(top)
        if short:
            df = df[["company", "direction", "total", "top_counterparty", "top_share",
                     "top_amount", "hhi", "band", "n_counterparties", "n_unknown",
                     "effective_n"]]
        notes.insert(0, f"Companies {concentration_order(sort)}, within each direction.")
        if basis == "exposures":
            notes.append("Basis: exposures. 'in' = what the company depends on, 'out' = who "
                         "depends on it.")
        notes.append("HHI overstates concentration where a company also has counterparties "
                     "with unknown amounts (column unknown_counterparties).")
        emit(df.reset_index(drop=True), opts, title="Concentration by company", notes=notes)
    elif view == "commitments":
        from .exposure import PENDING_STATUSES

        st = [s for s in (opts.statuses or PENDING_STATUSES) if s != "disbursed"]
        if not st:
            raise click.UsageError("--view commitments needs a status other than disbursed")
        df = commitments(G, statuses=st)
        from .formatting import money

        paid = float(df["paid_out"].sum())  # each deal once, at its payer
        notes.append(f"Promised money not yet paid (status {', '.join(st)}"
                     + ("; and the unpaid rest of disbursed deals" if "committed" in st else "")
                     + "): each deal's amount less what is paid already, as the summary "
                     f"splits it; {money(paid)} paid on these deals is left out (paid_out, "
                     "paid_in). Totals over the life of each contract, so ratios to annual "
                     "revenue read as years of revenue. funding_gap = commitments_out - cash - "
                     "funding_in (future revenue not counted).")
        if top:
            df = df.head(top)
        if short:
            df = df[["company", "commitments_out", "paid_out", "backlog_in", "funding_in",
                     "revenue", "cash", "funding_gap", "commitments_to_revenue",
                     "commitments_to_cash", "backlog_to_revenue", "revenue_as_of", "cash_as_of",
                     "missing"]]
        emit(df.reset_index(drop=True), opts, title="Commitments against fundamentals",
             notes=notes)
    elif view == "mutual":
        df = mutual_dependencies(G)
        if top:
            df = df.head(top)
        notes.append("a_from_b = share of A's inflow paid by B; weaker = the smaller share.")
        emit(df, opts, title="Mutual dependencies", notes=notes)
    else:
        nc = network_concentration(G)
        comp = nc.companies.head(top) if top else nc.companies
        raw = opts.fmt in ("csv", "json")  # numbers, not text formatted for reading
        tables: list[tuple[str | None, Any]] = [("Network concentration", nc.headline(raw=raw)),
                                                ("Companies by flow", comp)]
        if nc.keystones is not None and len(nc.keystones):
            ks = nc.keystones.head(top) if top else nc.keystones
            tables.append(("Keystones of the circulation", ks))
        notes.append("Betweenness uses distance = 1 / amount (large flows are short links); "
                     "PageRank follows the money (payer -> payee), weighted by amount.")
        emit(None, opts, tables=tables, notes=notes)


@main.command("company")
@click.argument("name")
@common_options
@click.option("--loops", type=click.IntRange(min=0), default=10, show_default=True,
              help="Loops through the company to describe (the shortest first).")
@click.option("--max-length", type=click.IntRange(min=2), default=6, show_default=True,
              help="Longest loop, in hops.")
@click.option("--no-stress", is_flag=True, help="Skip the stress models.")
def company_cmd(name: str, opts: Options, loops: int, max_length: int, no_stress: bool) -> None:
    """One company on one page: fundamentals with dates, deals with sources, customers by
    share of contracted backlog and of reported revenue, loops, circulation, stress."""
    from . import _company_text
    from .profile import company_profile

    G = ctx_graph(opts)
    p = company_profile(G, name, revenue_shares=getattr(opts.source, "revenue_shares", None),
                        statuses=_risk_statuses(opts), max_length=max_length,
                        loops=loops, stress=not no_stress)
    if opts.fmt in ("csv", "json"):
        emit(None, opts, tables=_company_text.tables(p), notes=[opts.filters_text(), *p.notes])
        return
    write_text(_company_text.page(p, filters=opts.filters_text(),
                                  markdown=opts.fmt == "markdown"), opts.output)


@main.command("exposure")
@click.argument("company")
@common_options
@click.option("--show-deals", is_flag=True, help="Also list every deal behind the exposures.")
@click.option("--semantics", "show_semantics", is_flag=True,
              help="Also print the flow type -> (exposed side, counterparty, risk) table.")
def exposure_cmd(company: str, opts: Options, show_deals: bool, show_semantics: bool) -> None:
    """Who COMPANY depends on and who depends on it, with amounts, shares and deals.

    \b
    Risk kinds: revenue (a customer's unpaid promise), funding (a promised investment
    or loan), equity (a stake or warrants), credit (a loan to be repaid).
    """
    from .exposure import company_exposure, semantics_table

    G = ctx_graph(opts)
    st = _risk_statuses(opts)
    e = company_exposure(G, company, statuses=st)
    short = opts.fmt in ("table", "markdown")
    dep = e.depends_on.drop(columns=["sources"]) if short else e.depends_on
    by = e.depended_on_by.drop(columns=["sources"]) if short else e.depended_on_by
    tables: list[tuple[str | None, Any]] = [
        (f"{e.company} depends on", dep),
        (f"Depend on {e.company}", by),
        (f"Totals for {e.company}", e.totals),
    ]
    if show_deals:
        deals = e.deals
        if short:
            deals = deals[["side", "deal_id", "exposed", "counterparty", "risk", "amount",
                           "paid", "flow_type", "status", "announced", "source_url"]]
        tables.append(("Deals", deals))
        from .summary import deals_frame

        # the company's other deals (paid purchases, statuses not counted): listed, not hidden
        mine = deals_frame(G)
        mine = mine[((mine["payer"] == e.company) | (mine["payee"] == e.company))
                    & ~mine["deal_id"].isin(set(e.deals["deal_id"]))]
        cols = ["deal_id", "payer", "payee", "amount", "flow_type", "status", "announced",
                "source_url"]
        tables.append((f"Other deals of {e.company} (no exposure)",
                       mine.reindex(columns=cols) if short
                       else mine.drop(columns=["date_lo", "date_hi"], errors="ignore")))
    if show_semantics:
        tables.append(("Exposure semantics", semantics_table()))
    notes = [opts.filters_text(), f"Statuses counted: {', '.join(st)} (paid money only for "
             "stakes and loans: revenue and funding at risk are what is not yet paid)."
             + _paid_left_out(e.deals), "share = share of the exposed company's total exposure of "
             "that risk kind: for revenue, its share of contracted backlog, which is not its "
             "share of reported revenue (flowgraph company NAME shows both).", _RISK_NOTE]
    emit(None, opts, tables=tables, notes=notes)


def _paid_left_out(deals: Any) -> str:
    """`` N deals are partly paid: $X paid is left out of ...`` for the promised exposures
    (revenue, funding) of ``exposures`` rows whose deal is partly paid, else ``""``."""
    from .exposure import RISK_KINDS
    from .formatting import money

    pending = [k for k, r in RISK_KINDS.items() if not r.counts_paid]
    part = deals[deals["risk"].isin(pending) & (deals["paid"] > 0)].drop_duplicates("deal_id")
    if not len(part):
        return ""
    n = len(part)
    return (f" {schema.count_noun(n, 'deal')} {'is' if n == 1 else 'are'} partly paid: "
            f"{money(float(part['paid'].sum()))} paid is left out of "
            f"{' and '.join(sorted(set(deals.loc[part.index, 'risk'])))} at risk "
            f"({', '.join(map(str, part['deal_id']))}).")


@main.command("stress")
@common_options
@click.option("--fail", "fail", multiple=True, required=True, metavar="NAME",
              help="Company that fails (repeatable).")
@click.option("--loss", type=float, default=1.0, show_default=True,
              help="Share (0-1) of their obligations the failing companies do not pay.")
@click.option("--equity-loss", type=float, default=None,
              help="Share (0-1) of their equity value lost [default: --loss].")
@click.option("--model", type=click.Choice(["debtrank", "differential-debtrank",
                                            "eisenberg-noe", "cascade"]),
              default="debtrank", show_default=True, help="Propagation model.")
@click.option("--buffer", "buffer", metavar="COLUMN",
              help="Companies column used as loss buffer [default: equity_usd_bn; "
                   "cash_usd_bn for eisenberg-noe].")
@click.option("--missing-buffer", type=click.Choice(["exposure", "exclude"]),
              default="exclude", show_default=True,
              help="For companies without a buffer: exclude = not assessed (they absorb "
                   "losses but are never counted as failing), or exposure = assume their whole "
                   "exposure as buffer. The result with the other choice is stated too.")
@click.option("--default-loss", type=float, default=1.0, show_default=True,
              help="cascade: share lost on exposures to a company failing in the cascade.")
@click.option("--top", type=click.IntRange(min=1), metavar="N",
              help="Show only the N companies with the largest losses.")
@samples_options
@cluster_options
def stress_cmd(opts: Options, fail: tuple[str, ...], loss: float, equity_loss: float | None,
               model: str, buffer: str | None, missing_buffer: str, default_loss: float,
               top: int | None, samples: int | None, sample_seed: int,
               keep: tuple[str, ...]) -> None:
    """What happens to the others if companies fail to pay (DebtRank, Eisenberg-Noe, cascade).

    \b
    Example: flowgraph stress --fail OpenAI --loss 0.5 --model debtrank
    """
    from .stress import stress_test

    G = ctx_graph(opts)
    if samples:  # total loss and failures with their intervals
        emit_uncertainty(G, "stress", opts, samples=samples, seed=sample_seed, keep=keep,
                         stress_company=list(fail),
                         stress_options={"loss": loss, "equity_loss": equity_loss,
                                         "model": model, "buffer": buffer,
                                         "missing_buffer": missing_buffer,
                                         "default_loss": default_loss,
                                         "statuses": _risk_statuses(opts)})
        return
    r = stress_test(G, list(fail), loss=loss, equity_loss=equity_loss, model=model,
                    buffer=buffer, missing_buffer=missing_buffer, default_loss=default_loss,
                    statuses=_risk_statuses(opts), progress=progress_printer())
    df = r.companies
    if top:
        df = df.head(top)
    if opts.fmt in ("table", "markdown"):
        keep = ["company", "shocked", "buffer", "buffer_basis", "exposure", "direct_loss",
                "indirect_loss", "loss", "loss_share", "distress", "paid_share",
                "baseline_default", "round_hit", "fails"]
        df = df[[c for c in keep if c in df.columns]]
    from .stress import MODEL_ASSUMES

    notes = [opts.filters_text(), f"{model}: {MODEL_ASSUMES[model]}.",
             *r.assumptions.split("\n"), _RISK_NOTE,
             "fails counts companies failing because of the shock; the shocked companies "
             "show 'no'."]
    other = "exposure" if missing_buffer == "exclude" else "exclude"
    alt = stress_test(G, list(fail), loss=loss, equity_loss=equity_loss, model=model,
                      buffer=buffer, missing_buffer=other, default_loss=default_loss,
                      statuses=_risk_statuses(opts))
    if (alt.n_failed, round(alt.total_loss, 6)) != (r.n_failed, round(r.total_loss, 6)) or any(
            "never fails" in str(b) or "assumed" in str(b) for b in r.companies["buffer_basis"]):
        ac = alt.companies
        names = sorted(map(str, ac.loc[ac["fails"].astype(bool) & ~ac["shocked"].astype(bool),
                                       "company"]))
        words = ("not assessed (they never fail)" if other == "exclude"
                 else "given their whole exposure as buffer")
        notes.append(f"With the companies that have no buffer figure {words} instead: total "
                     f"loss {alt.total_loss:,.2f} bn USD, {schema.count_noun(len(names), 'company', 'companies')} "
                     "failing" + (f" ({', '.join(names)})" if names else "") + ".")
    raw = opts.fmt in ("csv", "json")  # numbers, not text formatted for reading
    emit(None, opts, tables=[("Stress test", r.headline(raw=raw)), ("Companies", df)],
         notes=notes)


@main.command("significance",
              short_help="Is the web more circular than chance? Null models and p-values.")
@common_options
@click.option("--samples", type=click.IntRange(min=1), default=500, show_default=True,
              metavar="N", help="Random networks drawn from the null model.")
@click.option("--seed", "sample_seed", type=int, default=0, show_default=True,
              help="Random seed (same seed, same answer).")
@click.option("--model", type=click.Choice(["degree", "kinds"]), default="degree",
              show_default=True,
              help="degree: keep every company's number of payers and payees; kinds: also keep "
                   "each edge's payee kind and flow type.")
@click.option("--amounts", type=click.Choice(["strength", "carry"]), default="strength",
              show_default=True,
              help="strength: refit amounts to the companies' inflows and outflows; carry: "
                   "amounts stay with their payer.")
@click.option("--max-length", type=click.IntRange(min=2), default=6, show_default=True,
              help="Longest loop counted, in hops.")
@click.option("--for", "for_companies", multiple=True, metavar="NAME",
              help="Test this company (repeatable) [default: the --top with most loops].")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many companies to test.")
@cluster_options
def significance_cmd(opts: Options, samples: int, sample_seed: int, model: str, amounts: str,
                     max_length: int, for_companies: tuple[str, ...], top: int) -> None:
    """Compare loops, circularity and self-funded shares with random networks of the same shape.

    \b
    Each number is set against its distribution over networks rewired at random keeping
    each company's numbers of payers and payees (and, with --model kinds, the kinds of
    counterparty and flow types). The p-value is the share of random networks at least as
    circular as the observed one (empirical, one-sided), with its Monte Carlo error.
    """
    from .nulls import significance

    G = ctx_graph(opts)
    res = significance(G, n=samples, seed=sample_seed, model=model, amounts=amounts,
                       max_length=max_length, companies=list(for_companies) or None, top=top)
    notes = [res.headline(), opts.filters_text(), *res.notes]
    t = res.table
    if opts.fmt in ("csv", "json"):
        emit(t, opts, title="Observed against the null model", notes=notes)
        return
    import pandas as pd

    from .sampling import interval_text

    def one(x: float, kind: str) -> str:
        return interval_text(x, x, x, kind=kind).replace(" (exact)", "")

    view = pd.DataFrame({
        "item": t["item"], "number": t["quantity"].str.replace("_", " "),
        "observed": [one(x, k) for x, k in zip(t["observed"], t["kind"])],
        "null median": [one(x, k) for x, k in zip(t["null_median"], t["kind"])],
        "null 5-95%": [f"{one(a, k)} - {one(b, k)}"
                       for a, b, k in zip(t["null_low"], t["null_high"], t["kind"])],
        "p-value": [f"{p:.3f} +/- {e:.3f}" for p, e in zip(t["p_value"], t["p_error"])],
    })
    emit(view, opts, title="Observed against the null model", notes=notes)


# --- html and report commands ----------------------------------------------------------
@main.command("figure")
@common_options
@click.option("--loop", metavar="A>B>C", help="Draw this loop (companies in payment order).")
@click.option("--rank", type=click.IntRange(min=1), metavar="N",
              help="Draw the loop of this rank in `flowgraph cycles`.")
@click.option("--of", "of_company", metavar="NAME",
              help="Draw this company and its counterparties (up to --hops away).")
@click.option("--title", metavar="TEXT", help="Heading.")
def figure_cmd(opts: Options, loop: str | None, rank: int | None, of_company: str | None,
               title: str | None) -> None:
    """Draw one loop or one company's neighbourhood as a static SVG and PNG (-o PATH).

    Amounts on the arrows (est. = estimated), line style by status, a legend, the sources
    as footnotes and the data's as-of date, sized for an article column; --reported-only
    draws reported amounts only. Writes PATH.svg and PATH.png (default flowgraph-figure).
    """
    from .figures import figure

    if sum(x is not None for x in (loop, rank, of_company)) != 1:
        raise click.UsageError("give one of --loop A>B>C, --rank N or --of NAME")
    G = ctx_graph(opts)
    r = figure(G, loop=loop, rank=rank, company=of_company, hops=opts.hops,
               path=opts.output or "flowgraph-figure", title=title)
    for p in r.paths:
        click.echo(f"wrote {p}", err=True)


for _param in figure_cmd.params:  # a picture: one format, -o names the files
    if _param.name == "fmt":
        _param.hidden = True


@main.command("html")
@common_options
@click.option("--max-nodes", type=click.IntRange(min=1), default=300, show_default=True,
              help="Most companies to draw; larger networks show the cycles and the core first.")
@click.option("--top", "top", type=click.IntRange(min=0), default=10, show_default=True,
              help="How many cycles to list and highlight (0: none).")
@click.option("--through", metavar="NAME",
              help="Highlight the cycles through this company.")
@click.option("--max-length", type=click.IntRange(min=2), metavar="N",
              help="Longest cycle to look for (number of hops).")
@click.option("--title", metavar="TEXT", help="Page heading.")
@click.option("--seed", type=int, default=7, show_default=True, help="Layout seed.")
@click.option("--samples", type=click.IntRange(min=0), default=0, show_default=True,
              metavar="N", help="Show the circularity index with its 90% interval over N "
                                "plausible versions of the data, and how often each listed "
                                "loop survives (0: neither).")
@work_options
def html_cmd(opts: Options, max_nodes: int, top: int, through: str | None,
             max_length: int | None, title: str | None, seed: int, samples: int) -> None:
    """Write the interactive graph as one HTML file that works offline (-o PATH).

    Companies are coloured by kind and sized by the money through them; arrows go payer ->
    payee, coloured by flow type, dashed when only announced. Default file: flowgraph.html.
    """
    from .html import to_html

    G = ctx_graph(opts)
    path = opts.output or "flowgraph.html"
    tl = _cli_timeline(opts, "the time slider", max_length=max_length or 6, freq="month")
    to_html(G, path, max_nodes=max_nodes, top=top, through=through,
            max_length=max_length, title=title, seed=seed,
            progress=progress_printer(), timeline=tl, samples=samples)
    click.echo(f"wrote {path}", err=True)


def _reported_graph(opts: Options) -> Any:
    """The same rows and filters with reported amounts only (None when that is the view
    already): the report's stress finding rests on it."""
    if opts.reported_only:
        return None
    from .graph import build_graph

    R = build_graph(opts.source, **{**_filter_kwargs(opts), "reported_only": True})
    if opts.company or opts.around:
        from .selection import select_companies

        R = select_companies(R, company=opts.company or None, around=opts.around or None,
                             hops=opts.hops)
    return R


@main.command("report")
@common_options
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="Rows in the cycles, self-funded, concentration and commitment tables.")
@click.option("--max-length", type=click.IntRange(min=2), default=6, show_default=True,
              metavar="N", help="Longest loop to look for (hops).")
@click.option("--max-nodes", type=click.IntRange(min=1), default=300, show_default=True,
              help="Most companies drawn in the interactive graph.")
@click.option("--stress", "stress_company", metavar="NAME",
              help="Company to shock in the stress test (default: the most central).")
@click.option("--title", metavar="TEXT", help="Report title.")
@click.option("--no-charts", is_flag=True, help="Skip the PNG charts.")
@click.option("--force", is_flag=True,
              help="Write into a folder that holds other files (not an earlier report).")
@click.option("--profile", "profiles", multiple=True, metavar="NAME",
              help="Add a section on this company (as `flowgraph company NAME`; repeatable).")
@click.option("--samples", type=click.IntRange(min=0), default=1000, show_default=True,
              metavar="N", help="Plausible versions of the data behind the intervals and the "
                                "loops' survival (0: leave them out).")
@click.option("--null-samples", type=click.IntRange(min=0), default=200, show_default=True,
              metavar="N", help="Random networks of the same shape for the test against "
                                "chance (0: leave it out).")
@click.option("--seed", "sample_seed", type=int, default=0, show_default=True,
              help="Random seed of both.")
@work_options
def report_cmd(opts: Options, top: int, max_length: int, max_nodes: int,
               stress_company: str | None, title: str | None, no_charts: bool,
               force: bool, profiles: tuple[str, ...], samples: int, null_samples: int,
               sample_seed: int) -> None:
    """Write the full report to a folder (-o DIR, default flowgraph-report/).

    index.html (opens offline in a browser) with headline numbers, loops, self-funded
    shares, concentration, funding gaps, a stress test, charts, the interactive graph and
    every deal with its source; report.md is the same in Markdown.
    """
    from .report import write_report

    G = ctx_graph(opts)
    tl = _cli_timeline(opts, "the section 'How the web formed'", max_length=max_length)
    res = write_report(G, opts.output or "flowgraph-report", top=top, max_length=max_length,
                       max_nodes=max_nodes, stress_company=stress_company, title=title,
                       charts=not no_charts, progress=progress_printer(), force=force,
                       timeline=tl, profiles=profiles, reported=_reported_graph(opts),
                       revenue_shares=getattr(opts.source, "revenue_shares", None),
                       samples=samples, null_samples=null_samples, seed=sample_seed)
    click.echo(f"wrote {res.index} and {res.markdown}", err=True)


for _param in report_cmd.params:  # the report goes to a folder, and has one format
    if _param.name == "output":
        _param.type = click.Path(file_okay=False)
        _param.metavar = "DIR"
        _param.help = "Report folder (default flowgraph-report)."
    elif _param.name == "fmt":
        _param.hidden = True


# --- time commands ---------------------------------------------------------------------
TIMELINE_MAX_DEALS = 2_000
"""Most deals for which html and report lay the web out period by period on their own."""


def _cli_timeline(opts: Options, what: str, **kwargs: Any) -> Any:
    """The timeline of the same rows and filters for html/report, or None (said on stderr)
    when a selection (--company/--around) cuts the web or the network has more than
    :data:`TIMELINE_MAX_DEALS` deals (a timeline analyses every period)."""
    if opts.company or opts.around:
        click.echo(f"flowgraph: {what} is left out: --company/--around select part of the web "
                   "and the timeline lays out whole periods", err=True)
        return None
    if len(opts.source.deals) > TIMELINE_MAX_DEALS:
        click.echo(f"flowgraph: {what} is left out: more than {TIMELINE_MAX_DEALS:,} deals to "
                   "lay out period by period here (run `flowgraph timeline`, or pass "
                   "timeline=fg.timeline(...) in Python)", err=True)
        return None
    from .timelines import timeline

    return timeline(opts.source, progress=progress_printer(), **kwargs, **_filter_kwargs(opts))


@main.command("timeline")
@common_options
@click.option("--freq", type=click.Choice(["quarter", "month", "year"]), default="quarter",
              show_default=True, help="Length of a period.")
@click.option("--start", metavar="DATE", callback=_date_option,
              help="First date (default: the first dated deal).")
@click.option("--max-length", type=click.IntRange(min=2), default=6, show_default=True,
              help="Longest loop, in hops.")
@click.option("--all-columns", is_flag=True, help="Show every column (always so for csv/json).")
def timeline_cmd(opts: Options, freq: str, start: str | None, max_length: int,
                 all_columns: bool) -> None:
    """How the web formed: one row per period, each the web as of the period's end.

    Money by firmness, deals and loops, the largest round trip, the circularity index
    (--all-columns adds the most self-funded and the most concentrated company), and the
    loops that closed in each period with the deal that closed each. --as-of ends it.
    """
    from .timelines import timeline

    kwargs = _filter_kwargs(opts)
    res = timeline(ctx_dataset(opts), freq=freq, start=start, max_length=max_length,
                   progress=progress_printer(), **kwargs)
    p = res.periods
    notes = [opts.filters_text(), *res.notes]
    if opts.fmt in ("table", "markdown"):
        # paid that is an upper bound as of a period's end (paid_bound) is named, with its
        # periods, by the timeline's own note: the paid column stays a column of numbers
        rt = _round_trips(p["largest_round_trip"], p["largest_round_trip_bound"],
                          p["largest_round_trip_basis"])
        p = p.assign(largest_round_trip=["" if n == 0 else t for n, t in zip(p["loops"], rt)])
        cols = ["period", "deals", "known_money", "paid", "committed_unpaid", "announced_only",
                "loops", "new_loops", "largest_round_trip", "circularity_index", "conditional",
                "companies"]
        if all_columns:
            cols += ["most_self_funded", "self_funded_share", "most_concentrated", "hhi",
                     "closing_deals"]
        # short headers in the terminal (csv/json keep the library's names)
        p = p[cols].rename(columns={"largest_round_trip": "largest round trip",
                                    "known_money": "known", "committed_unpaid": "committed",
                                    "announced_only": "only announced", "new_loops": "closed"})
    loops = res.loops
    if opts.fmt in ("table", "markdown"):
        loops = loops.assign(round_trip=_round_trips(
            loops["round_trip"], loops["round_trip_bound"], loops["round_trip_basis"]))
        loops = loops[["order", "period", "loop", "round_trip", "closed_by", "closed_on"]]
    emit(None, opts, tables=[(f"How the web formed, by {freq}", p),
                             ("Loops in the order they closed", loops)], notes=notes)


@main.command("schedule")
@common_options
@click.option("--view", type=click.Choice(["payments", "means", "power", "hardware"]),
              default="payments", show_default=True,
              help="payments: money per company and year, in and out, by firmness; means: "
                   "obligations against revenue, cash and promised funding, and the first "
                   "year short; power: GW contracted against US capacity additions; "
                   "hardware: contract terms against the hardware's useful life.")
@click.option("--start-year", type=int, metavar="YEAR",
              help="means: first year (default: the year of the data's date or --as-of).")
def schedule_cmd(opts: Options, view: str, start_year: int | None) -> None:
    """Money laid out over its years: when each company pays and is paid, and can it.

    \b
    --company NAME shows that company's rows (its deals with everyone; repeatable).
    Contracts are spread evenly, month by month, over period_start..period_end; equity,
    loans and warrants without an end fall on their date, and so do loans and bonds with one
    (a maturity is not a payment period); other deals without an end are listed unscheduled.
    Nothing is paid in a year after the as-of date: later money is committed.
    """
    from . import schedule as sch

    names = list(opts.company) or None
    G = ctx_graph(opts)
    notes = [opts.filters_text()]
    if view == "payments":
        s = sch.payment_schedule(G, companies=names)
        emit(None, opts, tables=[("Payments by company and year", s.companies),
                                 ("Not laid out", s.unscheduled)],
             notes=[*notes, *s.notes])
    elif view == "means":
        ds = ctx_dataset(opts)
        proj = getattr(ds, "revenue_projections", None)
        r = sch.against_means(G, companies=names, revenue_projections=proj,
                              start_year=start_year)
        table = r.table
        if opts.fmt in ("table", "markdown"):
            table = table[["company", "year", "obligations", "obligations_soft", "revenue",
                           "funding_in", "cash", "cash_known", "cum_obligations",
                           "cum_means", "gap",
                           "short", "short_all"]]
        emit(None, opts, tables=[("First year short", r.first_short),
                                 ("Obligations against means", table)],
             notes=[*notes, *r.notes])
    elif view == "power":
        p = sch.power_schedule(G)
        emit(p.table, opts, title="Gigawatts contracted against US capacity additions",
             notes=[*notes, *p.notes])
    else:
        h = sch.duration_mismatch(G)
        if names:
            h = h[h["holder"].isin(names) | h["customer"].isin(names)].reset_index(drop=True)
        emit(h, opts, title="Contract terms against the hardware's useful life",
             notes=[*notes, "term_years: period_start to period_end; the payee holds the "
                    "hardware; mismatch_years = term - useful life."])


def run() -> None:
    """The ``flowgraph`` command: :func:`main`, then the exit (at once after a large run, see
    :func:`flowgraph._process.leave`)."""
    from ._process import leave

    try:
        main()
    except SystemExit as exc:
        leave(exc.code)
        raise


if __name__ == "__main__":  # pragma: no cover
    run()
