"""Building the deal graph: one edge per deal, then one edge per payer -> payee pair.

The deal graph is a :class:`networkx.MultiDiGraph` whose edge keys are deal ids; the collapsed
graph is a :class:`networkx.DiGraph` with summed amounts, which is what cycle and circulation
analyses work on.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import schema
from .errors import ParameterError, UnknownCompanyError
from .timeframe import AsOfCounts, as_of_note, select_rows

if TYPE_CHECKING:  # networkx is imported where a graph is built, read or written
    import networkx as nx


__all__ = [
    "build_graph",
    "check_company",
    "check_weight",
    "collapse",
    "edge_columns",
    "ensure_collapsed",
    "filter_deals",
    "from_dataframes",
    "pair_sums",
    "to_dataframes",
    "write_gexf",
    "write_graphml",
]


def is_graph(obj: Any) -> bool:
    """Whether ``obj`` is a networkx graph, without importing networkx: the large-table
    path (:func:`filter_deals`, then cycles or circulation on the table) never needs it.

    Examples
    --------
    >>> import networkx as nx
    >>> is_graph(nx.DiGraph()), is_graph([("A", "B")])
    (True, False)
    """
    import sys

    nx = sys.modules.get("networkx")  # no graph exists before networkx is imported
    return nx is not None and isinstance(obj, nx.Graph)


def _as_list(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    out = list(value)
    return out or None


def _check_enum(values: list[str] | None, allowed: tuple[str, ...], what: str) -> None:
    if values is None:
        return
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ParameterError(
            f"unknown {what} {', '.join(map(repr, bad))}; valid: {', '.join(allowed)}"
        )


def _date_cache(values: Iterable[Any]) -> dict[Any, tuple[Any, Any]]:
    cache: dict[Any, tuple[Any, Any]] = {}
    for v in values:
        if v in cache:
            continue
        try:
            cache[v] = schema.date_bounds(v)
        except ValueError:
            cache[v] = (None, None)
    return cache


def _check_table(deals: pd.DataFrame) -> None:
    """Validate a deals table not read (and so checked) by :func:`flowgraph.read_deals`."""
    if deals.attrs.get("flowgraph_validated") is True:
        return
    from .errors import DataError
    from .io import validate_deals

    problems = validate_deals(deals)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataError(
            f"<DataFrame>: {schema.count_noun(len(errors), 'error')} in the deals table "
            f"(first: {errors[0]}); pass validate=False to skip the checks for trusted input",
            problems)


def _deals_table(deals: Any, *, validate: bool) -> pd.DataFrame:
    """The deals DataFrame of a table or a dataset, checked unless ``validate`` is False."""
    from .io import Dataset

    if isinstance(deals, Dataset):
        deals = deals.deals
    if not isinstance(deals, pd.DataFrame):
        raise ParameterError("deals must be a pandas DataFrame or a Dataset, got "
                             f"{type(deals).__name__}")
    if validate:
        _check_table(deals)
    return deals


def _as_of_limit(as_of: str | None) -> Any:
    """The last day an ``as_of`` date may mean, or None without one."""
    if as_of is None:
        return None
    try:
        return schema.date_bounds(as_of)[1]
    except ValueError as exc:
        raise ParameterError(f"--as-of: {exc}") from None


def _names_as_in_data(df: pd.DataFrame, include: list[str] | None,
                      exclude: list[str] | None) -> tuple[list[str] | None, list[str] | None]:
    """Names as spelled in the data ('openai' -> 'OpenAI'), or UnknownCompanyError."""
    if not (include or exclude):
        return include, exclude
    known_names = set(df["payer"].dropna()).union(df["payee"].dropna())
    if include is not None:
        include = [check_company(known_names, name) for name in include]
    if exclude is not None:
        exclude = [check_company(known_names, name) for name in exclude]
    return include, exclude


def _deal_dates(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """First and last day each deal's date may mean (``announced``, else ``period_start``)."""
    date_text = df["announced"].where(df["announced"].notna(), df["period_start"])
    codes, uniques = pd.factorize(date_text, use_na_sentinel=True)
    cache = _date_cache(uniques)
    lo_u = np.array([cache[v][0] for v in uniques], dtype=object)
    hi_u = np.array([cache[v][1] for v in uniques], dtype=object)
    return _spread_kept(lo_u, codes), _spread_kept(hi_u, codes)


def _take_kept(values: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``values[idx]``, its codes kept too when ``values``' were (:func:`_spread_kept`)."""
    from . import _checks

    kept = _checks.recall(values)
    if kept is None:
        return values[idx]
    cells = _checks.Cells(kept[0][idx], kept[1])
    _checks.remember(cells)
    return cells.values


def _spread_kept(per_unique: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``per_unique[code]`` of each row (None for code -1), with its codes kept for the cycle
    search's day ordinals (:func:`flowgraph._checks.remember`)."""
    from . import _checks

    ucodes, values = pd.factorize(per_unique, use_na_sentinel=True)  # a few distinct days
    cells = _checks.Cells(np.append(ucodes, -1).astype(np.intp)[codes],
                          np.asarray(values, dtype=object))
    _checks.remember(cells)
    return cells.values


def _filter_mask(df: pd.DataFrame, status_then: np.ndarray, *, flow_types: list[str] | None,
                 statuses: list[str] | None, min_confidence: str | None,
                 include: list[str] | None, exclude: list[str] | None,
                 reported_only: bool) -> np.ndarray:
    """The rows that pass the flow type, status, confidence, company and estimate filters."""
    keep = np.ones(len(df), dtype=bool)
    if flow_types is not None:
        keep &= df["flow_type"].isin(flow_types).to_numpy()
    if statuses is not None:
        keep &= np.isin(status_then.astype(str), statuses)
    if min_confidence is not None:
        allowed = schema.CONFIDENCES[schema.confidence_rank(min_confidence):]
        keep &= df["confidence"].isin(allowed).to_numpy()
    if include is not None:
        keep &= (df["payer"].isin(include) & df["payee"].isin(include)).to_numpy()
    if exclude is not None:
        keep &= ~(df["payer"].isin(exclude) | df["payee"].isin(exclude)).to_numpy()
    if reported_only:
        keep &= ~df["estimate"].to_numpy(dtype=bool)
    return keep


def filter_deals(
    deals: Any,
    *,
    as_of: str | None = None,
    flow_types: Iterable[str] | str | None = None,
    statuses: Iterable[str] | str | None = None,
    min_confidence: str | None = None,
    include: Iterable[str] | str | None = None,
    exclude: Iterable[str] | str | None = None,
    scenario: str = "base",
    include_superseded: bool = False,
    include_tranches: bool = False,
    reported_only: bool = False,
    validate: bool = True,
) -> pd.DataFrame:
    """The deals that pass the filters, with the scenario's amounts: the edge table of the
    deal graph, without building a graph.

    This is the fast path for very large deal tables: cycle and circulation analyses accept
    this table wherever they accept a graph, and give the same answers.

    Parameters
    ----------
    deals : pandas.DataFrame or Dataset
        A deals table (raw or from :func:`flowgraph.read_deals`) or a dataset.
    as_of, flow_types, statuses, min_confidence, include, exclude
        Which deals count, as in :func:`build_graph`; what ``as_of`` did is counted in
        ``attrs["as_of_counts"]`` (provenance the analyses read back;
        :func:`flowgraph.timeframe.as_of_note` says it in a sentence).
    scenario, include_superseded, include_tranches, reported_only
        Which amount becomes ``amount`` and which rows count, as in :func:`build_graph`.
    validate : bool
        Check a table that :func:`flowgraph.read_deals` has not checked, as a file is
        checked (negative amounts, unknown flow types, payer equal to payee, ...), and raise
        :class:`~flowgraph.errors.DataError` listing every error. ``False`` skips the checks
        for trusted input.

    Returns
    -------
    pandas.DataFrame
        The kept rows (all deal columns, normalized) plus ``amount`` (NaN when unknown in
        this scenario), ``amount_known``, ``amount_low``, ``amount_high``, ``midpoint`` (the
        amount is the midpoint of a reported range: an estimate), ``date_lo`` and ``date_hi``;
        ``df.attrs["filters"]`` and ``df.attrs["scenario"]`` record the choice.

    Examples
    --------
    >>> import flowgraph as fg
    >>> df = fg.filter_deals(fg.load_dataset("toy"), statuses=["committed"])
    >>> set(df["status"])
    {'committed'}
    """
    from .io import normalize_deals

    deals = _deals_table(deals, validate=validate)
    if scenario not in schema.SCENARIOS:
        raise ParameterError(
            f"unknown scenario {scenario!r}; valid: {', '.join(schema.SCENARIOS)}"
        )
    flow_types = _as_list(flow_types)
    statuses = _as_list(statuses)
    include = _as_list(include)
    exclude = _as_list(exclude)
    _check_enum(flow_types, schema.FLOW_TYPES, "flow type")
    _check_enum(statuses, schema.STATUSES, "status")
    if min_confidence is not None:
        _check_enum([min_confidence], schema.CONFIDENCES, "confidence")
    limit = _as_of_limit(as_of)

    df = normalize_deals(deals)
    include, exclude = _names_as_in_data(df, include, exclude)
    lo, hi = _deal_dates(df)
    # the as-of rule (flowgraph.timeframe): rows, statuses and paid amounts as of the date
    try:
        in_time, status_then, paid_then, time_info = select_rows(
            df, lo, hi, limit=limit, include_superseded=include_superseded,
            include_tranches=include_tranches)
    except ValueError as exc:  # an unreadable status_dates cell
        raise ParameterError(f"--as-of: column 'status_dates': {exc}") from None
    keep = _filter_mask(df, status_then, flow_types=flow_types, statuses=statuses,
                        min_confidence=min_confidence, include=include, exclude=exclude,
                        reported_only=reported_only)
    counts = AsOfCounts(as_of=as_of, limit=limit, **{
        k: (tuple(sorted(map(str, df["deal_id"][m & keep]))) if k == "split_headlines"
            else int((m & keep).sum()))
        for k, m in time_info.items()})
    keep &= in_time

    amounts = schema.scenario_amounts(
        df["amount_usd_bn"].to_numpy(dtype=float), df["amount_low_usd_bn"].to_numpy(dtype=float),
        df["amount_high_usd_bn"].to_numpy(dtype=float), scenario, reported_only=reported_only)
    out = _kept_rows(df, np.flatnonzero(keep), amounts, lo, hi,
                     status_then=status_then if limit is not None else None, paid_then=paid_then)
    filters = dict(as_of=as_of, flow_types=flow_types, statuses=statuses,
                   min_confidence=min_confidence, include=include, exclude=exclude,
                   scenario=scenario, include_superseded=include_superseded,
                   include_tranches=include_tranches, reported_only=reported_only)
    out.attrs = {
        "scenario": scenario, "filters": filters,
        "as_of_counts": counts,
        # the companies in a deal dated by then (None without as_of)
        "as_of_companies": None if limit is None else frozenset(
            df["payer"][in_time].dropna()).union(df["payee"][in_time].dropna()),
    }
    return out


def _kept_rows(df: pd.DataFrame, idx: np.ndarray, amounts: schema.ScenarioAmounts,
               lo: np.ndarray, hi: np.ndarray, *, status_then: np.ndarray | None,
               paid_then: np.ndarray | None) -> pd.DataFrame:
    """The kept rows with the scenario's amounts, their dates and (as of a date) the status
    and paid amount then."""
    out = df.iloc[idx].reset_index(drop=True)
    out["amount"] = amounts.amount[idx]
    out["amount_known"] = ~np.isnan(amounts.amount[idx])
    out["amount_low"] = amounts.low[idx]
    out["amount_high"] = amounts.high[idx]
    out["midpoint"] = amounts.midpoint[idx]
    for col, days in (("date_lo", lo), ("date_hi", hi)):  # a Series is not copied again
        out[col] = pd.Series(_take_kept(days, idx), dtype=object, copy=False)
    if status_then is not None:
        out["status"] = status_then[idx]
        if paid_then is not None:
            out["paid_usd_bn"] = paid_then[idx]
    return out


def build_graph(
    deals: Any,
    companies: pd.DataFrame | None = None,
    *,
    as_of: str | None = None,
    flow_types: Iterable[str] | str | None = None,
    statuses: Iterable[str] | str | None = None,
    min_confidence: str | None = None,
    include: Iterable[str] | str | None = None,
    exclude: Iterable[str] | str | None = None,
    scenario: str = "base",
    include_superseded: bool = False,
    include_tranches: bool = False,
    reported_only: bool = False,
    validate: bool = True,
) -> nx.MultiDiGraph:
    """Build the deal graph: companies as nodes, one edge per deal (payer -> payee).

    Parameters
    ----------
    deals : pandas.DataFrame or Dataset
        The deals table (as read by :func:`flowgraph.read_deals`) or a bundled
        :class:`~flowgraph.io.Dataset`, whose companies table is then used too.
    companies : pandas.DataFrame, optional
        Companies table; its rows become node attributes.
    as_of : str, optional
        The web as it stood on this date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``): deals
        dated by then (a coarser date counts when it may fall by then), a headline by its
        tranches dated by then, a superseded row until its replacement's date, the status
        (``status_dates``) and paid amount (``paid_as_of``) at that date; deals with no date
        are left out. The rule is :mod:`flowgraph.timeframe`'s; what it did is counted in
        ``G.graph["as_of_counts"]`` and said in ``G.graph["as_of_note"]``. Companies stay
        nodes even when none of their deals is dated by then (as with any filter).
    flow_types, statuses : str or list of str, optional
        Keep only these flow types / statuses.
    min_confidence : {"low", "medium", "high"}, optional
        Keep deals of at least this confidence.
    include : list of str, optional
        Keep only deals whose payer and payee are both in this list.
    exclude : list of str, optional
        Drop deals touching these companies.
    scenario : {"base", "low", "high"}
        Which amount becomes the column/attribute ``amount``.
    include_superseded, include_tranches : bool
        Keep rows that another row supersedes, and tranche rows (``part_of`` set). Both are
        left out by default so that no money is counted twice.
    reported_only : bool
        Drop estimates and midpoints: rows flagged ``estimate`` are left out, and a row that
        reports only a range has no base amount (unknown, never its midpoint); the low and
        high scenarios keep the reported ends.
    validate : bool
        Check a DataFrame not read by :func:`flowgraph.read_deals` (see
        :func:`filter_deals`); ``False`` skips the checks for trusted input.

    Returns
    -------
    networkx.MultiDiGraph
        Edge key = ``deal_id``; attributes = all deal columns plus ``amount`` (NaN when
        unknown in this scenario), ``amount_known``, ``amount_low``, ``amount_high``,
        ``midpoint``, ``date_lo`` and ``date_hi``. ``G.graph`` records the scenario and filters, the
        dataset name and its as-of date. The caller's tables are not modified.

    See Also
    --------
    filter_deals : the same rows as a table, for very large inputs.

    Examples
    --------
    >>> import flowgraph as fg
    >>> G = fg.build_graph(fg.load_dataset("toy"))
    >>> G.number_of_edges() > 0
    True
    """
    from .io import Dataset

    dataset_name = None
    dataset_as_of = None
    if isinstance(deals, Dataset):
        dataset_name, dataset_as_of = deals.name, deals.as_of
        if companies is None:
            companies = deals.companies
        deals = deals.deals
    edges = filter_deals(
        deals, as_of=as_of, flow_types=flow_types, statuses=statuses,
        min_confidence=min_confidence, include=include, exclude=exclude, scenario=scenario,
        include_superseded=include_superseded, include_tranches=include_tranches,
        reported_only=reported_only, validate=validate,
    )
    # the table's own copy of what the filters did; its attrs are then dropped, as pandas
    # would copy them deeply on every column read below
    meta, edges.attrs = dict(edges.attrs), {}
    filters = meta["filters"]
    include, exclude = filters["include"], filters["exclude"]
    import networkx as nx

    G = nx.MultiDiGraph()
    G.graph.update({"scenario": scenario, "dataset": dataset_name, "as_of": dataset_as_of,
                    "filters": filters, "as_of_counts": meta["as_of_counts"],
                    "as_of_note": as_of_note(meta["as_of_counts"])})
    if companies is not None and len(companies):
        _add_companies(G, companies, include=include, exclude=exclude)
    limit = meta["as_of_counts"].limit
    if limit is not None:
        _add_idle_companies_note(G, meta["as_of_companies"], limit)
    cols = list(edges.columns)
    ip, iq, ik = cols.index("payer"), cols.index("payee"), cols.index("deal_id")
    G.add_edges_from(
        (row[ip], row[iq], row[ik], dict(zip(cols, row)))
        for row in zip(*(edges[c].tolist() for c in cols))
    )
    for n, data in G.nodes(data=True):
        data.setdefault("name", n)
        kind = data.get("kind")
        if kind is None or (isinstance(kind, float) and math.isnan(kind)) or kind == "":
            data["kind"] = "unknown"
    return G


def _add_companies(G: nx.MultiDiGraph, companies: pd.DataFrame, *,
                   include: list[str] | None, exclude: list[str] | None) -> None:
    """Add the companies table's rows as nodes, those the company filters keep."""
    from .io import normalize_companies

    comp = normalize_companies(companies)
    cols = list(comp.columns)
    for row in zip(*(comp[c].tolist() for c in cols)):
        rec = dict(zip(cols, row))
        name = rec["name"]
        if name is None:
            continue
        if (include is not None and name not in include) or (
                exclude is not None and name in exclude):
            continue
        G.add_node(name, **rec)


def _add_idle_companies_note(G: nx.MultiDiGraph, active: frozenset[Any], limit: Any) -> None:
    """Say in the as-of note how many companies have no deal dated by then, and how old the
    companies' figures are."""
    from .timeframe import company_figures_note

    idle = sum(1 for n in G if n not in active)
    idle_note = (f"{schema.count_noun(idle, 'company', 'companies')} of the companies "
                 f"table {'has' if idle == 1 else 'have'} no deal dated by then (kept in the "
                 "graph, as with any filter)." if idle else "")
    G.graph["as_of_note"] = " ".join(
        t for t in (G.graph["as_of_note"], idle_note, company_figures_note(G, limit)) if t)


def companies_with_deals(G: nx.Graph) -> int:
    """How many companies of a deal graph pay or receive at least one of its deals: the
    count a headline gives. The companies table's other rows stay in the graph as nodes
    (their figures are used, and filters keep them), but a view as of an early date or of a
    few flow types does not count them as companies of the web.

    Examples
    --------
    >>> import flowgraph as fg
    >>> ds = fg.load_dataset("ai-capital")
    >>> G = fg.build_graph(ds, as_of="2024-06-30")
    >>> companies_with_deals(G) < G.number_of_nodes()
    True
    """
    return sum(1 for n in G if G.degree(n) > 0)


def _weakest(values: Iterable[str], order: tuple[str, ...]) -> str | None:
    ranks = [order.index(v) for v in values if v in order]
    return order[min(ranks)] if ranks else None


def collapse(G: nx.MultiDiGraph, *, weight: str = "amount") -> nx.DiGraph:
    """Collapse the deal graph to one edge per payer -> payee pair.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A deal graph from :func:`build_graph` (any multigraph with a numeric ``weight``).
    weight : str
        Edge attribute summed into the collapsed edge's ``amount``.

    Returns
    -------
    networkx.DiGraph
        Edge attributes: ``amount`` (sum of known amounts; NaN when no deal of the pair has
        a known amount), ``amount_low``, ``amount_high`` (sums of the known ends, NaN when
        none is known), ``n_deals``, ``deal_ids`` (sorted tuple), ``has_unknown``
        (some deal amount unknown), ``has_estimate`` (some amount is an estimate or a range
        midpoint), ``flow_types`` (sorted tuple),
        ``weakest_status`` and ``lowest_confidence``.

    Examples
    --------
    >>> import networkx as nx
    >>> M = nx.MultiDiGraph()
    >>> _ = M.add_edge("A", "B", key="d1", amount=2.0)
    >>> _ = M.add_edge("A", "B", key="d2", amount=3.0)
    >>> collapse(M)["A"]["B"]["amount"]
    5.0
    """
    check_weight(G, weight)
    import networkx as nx

    H = nx.DiGraph()
    H.graph.update(G.graph)
    H.add_nodes_from(G.nodes(data=True))
    if not G.is_multigraph():
        H.add_edges_from(G.edges(data=True))
        return H
    edges = list(G.edges(data=True))
    code = {n: i for i, n in enumerate(G.nodes)}
    su = np.array([code[u] for u, _, _ in edges], dtype=np.int64)
    sv = np.array([code[v] for _, v, _ in edges], dtype=np.int64)
    names = list(G.nodes)
    sums = {col: pair_sums(su, sv, np.array([schema.to_float(d.get(col, math.nan))
                                             for *_, d in edges], dtype=float), len(names))
            for col in (weight, "amount_low", "amount_high")}
    src, dst, total, n_rows, n_unknown = sums[weight]
    lo_sum, lo_unknown = sums["amount_low"][2], sums["amount_low"][4]
    hi_sum, hi_unknown = sums["amount_high"][2], sums["amount_high"][4]
    for i, (a, b) in enumerate(zip(src.tolist(), dst.tolist())):
        u, v = names[a], names[b]
        deals = G[u][v]
        H.add_edge(
            u,
            v,
            amount=math.nan if n_unknown[i] == n_rows[i] else float(total[i]),
            amount_low=float(lo_sum[i]) if lo_unknown[i] < n_rows[i] else math.nan,
            amount_high=float(hi_sum[i]) if hi_unknown[i] < n_rows[i] else math.nan,
            n_deals=len(deals),
            deal_ids=tuple(sorted(str(k) for k in deals)),
            has_unknown=bool(n_unknown[i]),
            has_estimate=any(d.get("estimate") is True or d.get("midpoint") is True
                             for d in deals.values()),
            flow_types=tuple(sorted({d["flow_type"] for d in deals.values()
                                     if d.get("flow_type")})),
            weakest_status=_weakest((d["status"] for d in deals.values() if d.get("status")),
                                    schema.STATUSES),
            lowest_confidence=_weakest((d["confidence"] for d in deals.values()
                                        if d.get("confidence")), schema.CONFIDENCES),
        )
    return H


def pair_sums(src: np.ndarray, dst: np.ndarray, values: np.ndarray, n: int
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Add up rows on the same payer -> payee pair: the one per-pair aggregation.

    Parameters
    ----------
    src, dst : numpy.ndarray of int
        Node codes (0 to ``n - 1``) of each row's payer and payee.
    values : numpy.ndarray of float
        Each row's amount; NaN (or any value that is not finite) is unknown and never summed.
    n : int
        Number of nodes.

    Returns
    -------
    tuple of numpy.ndarray
        Per pair, in (src, dst) order: ``src, dst``, the sum of the known values, the number
        of rows and the number of rows with an unknown value.

    Examples
    --------
    >>> import numpy as np
    >>> s, d, known, rows, unknown = pair_sums(np.array([0, 0, 1]), np.array([1, 1, 0]),
    ...                                        np.array([2.0, np.nan, 3.0]), 2)
    >>> s.tolist(), d.tolist(), known.tolist(), rows.tolist(), unknown.tolist()
    ([0, 1], [1, 0], [2.0, 3.0], [2, 1], [1, 0])
    """
    unknown = ~np.isfinite(values)
    known = np.where(unknown, 0.0, values)
    key = src * max(n, 1) + dst
    uniq, inv = np.unique(key, return_inverse=True)
    w = np.bincount(inv, weights=known, minlength=len(uniq))
    nd = np.bincount(inv, minlength=len(uniq)).astype(np.int64)
    nu = np.bincount(inv, weights=unknown.astype(float), minlength=len(uniq)).astype(np.int64)
    return uniq // max(n, 1), uniq % max(n, 1), w, nd, nu


def check_weight(G: Any, weight: Any) -> None:
    """Raise :class:`~flowgraph.errors.ParameterError` unless ``weight`` is a text attribute
    that at least one edge of ``G`` has (a typo would read every amount as unknown).

    Examples
    --------
    >>> import networkx as nx
    >>> D = nx.DiGraph()
    >>> D.add_edge("A", "B", amount=1.0)
    >>> try:
    ...     check_weight(D, "amonut")
    ... except ParameterError as exc:
    ...     print(exc)
    weight='amonut': no edge has this attribute; edge attributes: amount
    """
    if not isinstance(weight, str):
        raise ParameterError(f"weight must be the name of an edge attribute (text), got "
                             f"{type(weight).__name__}")
    if not is_graph(G) or G.number_of_edges() == 0:
        return
    edges = G.edges(keys=True, data=True) if G.is_multigraph() else G.edges(data=True)
    seen: set[str] = set()
    for *_, d in edges:
        if weight in d:
            return
        if len(seen) < 50:
            seen.update(map(str, d))
    raise ParameterError(f"weight={weight!r}: no edge has this attribute; edge attributes: "
                         + (", ".join(sorted(seen)[:20]) or "none"))


def edge_columns(df: pd.DataFrame) -> tuple[str, str] | None:
    """The payer and payee columns of an edge table: ``payer``/``payee`` (a deals table or
    :func:`filter_deals`) or ``source``/``target`` (:func:`to_dataframes`); None if neither.

    Examples
    --------
    >>> import pandas as pd
    >>> edge_columns(pd.DataFrame(columns=["source", "target", "amount"]))
    ('source', 'target')
    """
    cols = set(df.columns)
    for pair in (("payer", "payee"), ("source", "target")):
        if set(pair) <= cols:
            return pair
    return None


def ensure_collapsed(G: nx.Graph, *, weight: str = "amount") -> nx.DiGraph:
    """Return ``G`` collapsed if it is a multigraph, else ``G`` itself (not copied).

    Examples
    --------
    >>> import networkx as nx
    >>> D = nx.DiGraph([("A", "B")])
    >>> ensure_collapsed(D) is D
    True
    """
    if G.is_multigraph():
        return collapse(G, weight=weight)
    return G


def check_company(G: Any, name: str) -> str:
    """Return ``name`` if it is a company of ``G``, else raise with close matches.

    Parameters
    ----------
    G : networkx.Graph or collection of str
        Graph (or set of names) to look the company up in.
    name : str
        Company name; matched exactly, then case-insensitively.

    Raises
    ------
    UnknownCompanyError
        When no such company exists; the message lists close matches.

    Examples
    --------
    >>> import networkx as nx
    >>> check_company(nx.DiGraph([("Nvidia", "OpenAI")]), "nvidia")
    'Nvidia'
    """
    names = list(G.nodes) if is_graph(G) else list(G)
    if name in names:
        return name
    lower = {str(n).lower(): n for n in names}
    if str(name).lower() in lower:
        return lower[str(name).lower()]
    import difflib

    filters = (G.graph.get("filters") or {}) if is_graph(G) else {}
    excluded = {str(n).lower() for n in filters.get("exclude") or ()}
    if str(name).lower() in excluded:
        raise UnknownCompanyError(f"company {name!r} is excluded by the filters")
    close = difflib.get_close_matches(str(name), [str(n) for n in names], n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    if filters.get("include"):
        hint += f" (the filters keep only {', '.join(map(str, filters['include']))})"
    raise UnknownCompanyError(f"unknown company {name!r}{hint}")


def to_dataframes(G: nx.Graph) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes and edges of a graph as two DataFrames.

    Returns
    -------
    nodes : pandas.DataFrame
        One row per node, column ``name`` first, then node attributes; sorted by name.
    edges : pandas.DataFrame
        One row per edge with ``source``, ``target`` (and ``key`` for multigraphs) first;
        sorted by source, target, key.

    Examples
    --------
    >>> import networkx as nx
    >>> nodes, edges = to_dataframes(nx.DiGraph([("A", "B")]))
    >>> list(edges.columns[:2])
    ['source', 'target']
    """
    nrows = []
    for n, d in G.nodes(data=True):
        row = {"name": n}
        row.update({k: v for k, v in d.items() if k != "name"})
        nrows.append(row)
    nodes = pd.DataFrame(nrows, columns=None if nrows else ["name"])
    if len(nodes):
        nodes = nodes.sort_values("name", kind="stable").reset_index(drop=True)
    erows = []
    if G.is_multigraph():
        for u, v, k, d in G.edges(keys=True, data=True):
            row = {"source": u, "target": v, "key": k}
            row.update(d)
            erows.append(row)
        cols = ["source", "target", "key"]
    else:
        for u, v, d in G.edges(data=True):
            row = {"source": u, "target": v}
            row.update(d)
            erows.append(row)
        cols = ["source", "target"]
    edges = pd.DataFrame(erows, columns=None if erows else cols)
    if len(edges):
        edges = edges.sort_values(cols, kind="stable").reset_index(drop=True)
    return nodes, edges


def from_dataframes(
    nodes: pd.DataFrame | None,
    edges: pd.DataFrame,
    *,
    multigraph: bool | None = None,
) -> nx.Graph:
    """Build a graph from a nodes table and an edges table (the inverse of
    :func:`to_dataframes`).

    Parameters
    ----------
    nodes : pandas.DataFrame or None
        Must have a ``name`` column; other columns become node attributes.
    edges : pandas.DataFrame
        Must have ``source`` and ``target``; a ``key`` column makes a MultiDiGraph.
    multigraph : bool, optional
        Force the graph type; by default a MultiDiGraph when ``key`` is present.

    Examples
    --------
    >>> import pandas as pd
    >>> G = from_dataframes(None, pd.DataFrame({"source": ["A"], "target": ["B"], "amount": [1.0]}))
    >>> G["A"]["B"]["amount"]
    1.0
    """
    if multigraph is None:
        multigraph = "key" in edges.columns
    import networkx as nx

    G: nx.Graph = nx.MultiDiGraph() if multigraph else nx.DiGraph()
    if nodes is not None:
        for rec in nodes.to_dict("records"):
            name = rec.get("name")
            G.add_node(name, **rec)
    for rec in edges.to_dict("records"):
        u = rec.pop("source")
        v = rec.pop("target")
        if multigraph:
            k = rec.pop("key", None)
            G.add_edge(u, v, key=k, **rec)
        else:
            rec.pop("key", None)
            G.add_edge(u, v, **rec)
    return G


def _plain_copy(G: nx.Graph) -> nx.Graph:
    """A copy whose attribute values GraphML/GEXF can store (str, int, float, bool)."""
    H = G.__class__()

    def clean(d: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for k, v in d.items():
            if v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            if isinstance(v, (bool, int, float, str)) and not isinstance(v, np.generic):
                out[k] = v
            elif isinstance(v, np.generic):
                out[k] = v.item()
            elif isinstance(v, (tuple, list, set, frozenset)):
                out[k] = ";".join(map(str, v))
            else:
                out[k] = str(v)
        return out

    for n, d in G.nodes(data=True):
        H.add_node(n, **clean(d))
    if G.is_multigraph():
        for u, v, k, d in G.edges(keys=True, data=True):
            H.add_edge(u, v, key=k, **clean(d))
    else:
        for u, v, d in G.edges(data=True):
            H.add_edge(u, v, **clean(d))
    scen = G.graph.get("scenario")
    if scen:
        H.graph["scenario"] = scen
    return H


def write_graphml(G: nx.Graph, path: Any) -> None:
    """Write the graph to GraphML (for Gephi, yEd, Cytoscape).

    Missing values are left out; tuples become ``;``-joined text; dates become ISO text.

    Examples
    --------
    >>> import networkx as nx, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "g.graphml")
    >>> write_graphml(nx.DiGraph([("A", "B")]), p)
    """
    import networkx as nx

    from ._files import atomic_path

    with atomic_path(path) as tmp:
        nx.write_graphml(_plain_copy(G), tmp)


def write_gexf(G: nx.Graph, path: Any) -> None:
    """Write the graph to GEXF (Gephi's native format).

    Examples
    --------
    >>> import networkx as nx, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "g.gexf")
    >>> write_gexf(nx.DiGraph([("A", "B")]), p)
    """
    import networkx as nx

    from ._files import atomic_path

    with atomic_path(path) as tmp:
        nx.write_gexf(_plain_copy(G), tmp)
