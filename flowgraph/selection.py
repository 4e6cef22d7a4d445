"""Choosing companies: every deal touching some companies, or a company's neighbourhood.

:func:`build_graph`'s ``include`` keeps the deals *among* the companies named (both ends
named). Asking about one company usually means something else: every deal that touches it
(:func:`select_companies` with ``company``), or its neighbourhood, the companies up to a
number of hops away from it with every deal between them (``around`` and ``hops``).
:func:`explain_empty` says which filter left nothing when a selection is empty.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx
import pandas as pd

from .errors import ParameterError

__all__ = ["explain_empty", "select_companies", "selection_text"]


def _names(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _ends(data: Any) -> tuple[list[Any], list[Any]]:
    if isinstance(data, pd.DataFrame):
        from .graph import edge_columns

        cols = edge_columns(data)
        if cols is None:
            raise ParameterError("the deals table needs payer and payee columns")
        return data[cols[0]].tolist(), data[cols[1]].tolist()
    ends = list(data.edges())
    return [u for u, _ in ends], [v for _, v in ends]


def _check(names: list[str], known: Iterable[Any], filters: dict[str, Any]) -> list[str]:
    from .graph import check_company

    G = nx.Graph()
    G.add_nodes_from(known)
    G.graph["filters"] = filters
    return [check_company(G, n) for n in names]


def selection_text(*, company: Iterable[str] = (), around: Iterable[str] = (),
                   hops: int = 1) -> str:
    """The selection rule in words, as outputs state it.

    Examples
    --------
    >>> selection_text(company=["CoreWeave"])
    'every deal touching CoreWeave'
    >>> selection_text(around=["CoreWeave"], hops=2)
    'CoreWeave, the companies up to 2 hops from it and every deal among them'
    """
    company, around = list(company), list(around)
    parts = []
    if company:
        parts.append("every deal touching " + " or ".join(company))
    if around:
        who = ", ".join(around)
        reach = "1 hop" if hops == 1 else f"{hops} hops"
        it = "it" if len(around) == 1 else "them"
        parts.append(f"{who}, the companies up to {reach} from {it} and every deal among them")
    return "; ".join(parts)


def select_companies(
    G: nx.MultiDiGraph | pd.DataFrame,
    *,
    company: str | Iterable[str] | None = None,
    around: str | Iterable[str] | None = None,
    hops: int = 1,
) -> nx.MultiDiGraph | pd.DataFrame:
    """Keep the deals touching ``company``, or the neighbourhood ``around`` a company.

    Parameters
    ----------
    G : networkx.MultiDiGraph or pandas.DataFrame
        A deal graph from :func:`flowgraph.build_graph`, or an edges table from
        :func:`flowgraph.filter_deals` (``payer``/``payee`` columns). Not modified.
    company : str or list of str, optional
        Keep every deal with one of these companies as payer or payee.
    around : str or list of str, optional
        Keep these companies, every company up to ``hops`` deals away from them (in either
        direction), and every deal between two kept companies.
    hops : int
        Reach of ``around`` (at least 1).

    Returns
    -------
    networkx.MultiDiGraph or pandas.DataFrame
        The same kind as ``G``, with the kept deals (and, for a graph, the kept companies
        with their attributes). ``G.graph["filters"]`` (a graph) or ``.attrs["filters"]`` (a
        table: provenance the analyses read back) gains ``company``, ``around`` and ``hops``;
        a graph also gets ``G.graph["selection"]``, the rule in words
        (:func:`selection_text`).

    Raises
    ------
    UnknownCompanyError
        For a name not in ``G`` (the message lists close matches).
    ParameterError
        For ``hops`` below 1.

    Examples
    --------
    >>> import flowgraph as fg
    >>> G = fg.build_graph(fg.load_dataset("toy"))
    >>> H = select_companies(G, company="LeaseCo")
    >>> sorted({n for e in H.edges() for n in e})
    ['ChipCo', 'LabCo', 'LeaseCo']
    >>> H.graph["selection"]
    'every deal touching LeaseCo'
    """
    company_l, around_l = _names(company), _names(around)
    if int(hops) < 1:
        raise ParameterError(f"hops must be at least 1, got {hops}")
    hops = int(hops)
    is_table = isinstance(G, pd.DataFrame)
    filters = dict((G.attrs if is_table else G.graph).get("filters") or {})
    payers, payees = _ends(G)
    known = set(payers) | set(payees) | (set() if is_table else set(G.nodes))
    company_l = _check(company_l, known, filters)
    around_l = _check(around_l, known, filters)
    keep = [True] * len(payers)
    kept_nodes: set[Any] | None = None
    if company_l:
        chosen = set(company_l)
        keep = [k and (u in chosen or v in chosen) for k, u, v in zip(keep, payers, payees)]
    if around_l:
        U = nx.Graph()
        U.add_nodes_from(known)
        U.add_edges_from(zip(payers, payees))
        near: set[Any] = set()
        for name in around_l:
            near |= set(nx.single_source_shortest_path_length(U, name, cutoff=hops))
        keep = [k and u in near and v in near for k, u, v in zip(keep, payers, payees)]
        kept_nodes = near
    text = selection_text(company=company_l, around=around_l, hops=hops)
    filters.update({"company": company_l or None, "around": around_l or None,
                    "hops": hops if around_l else None})
    if is_table:
        out = G[pd.Series(keep, index=G.index, dtype=bool)].copy()
        out.attrs = {**G.attrs, "filters": filters}
        return out
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    H.graph["filters"] = filters
    H.graph["selection"] = text
    edges = [e for e, k in zip(G.edges(keys=True, data=True), keep) if k]
    nodes = {n for u, v, _, _ in edges for n in (u, v)} | set(company_l) | set(around_l)
    if kept_nodes is not None:
        nodes |= kept_nodes
    H.add_nodes_from((n, dict(d)) for n, d in G.nodes(data=True) if n in nodes)
    H.add_edges_from((u, v, k, dict(d)) for u, v, k, d in edges)
    return H


def explain_empty(deals: Any, filters: dict[str, Any], labels: dict[str, str]) -> str:
    """Which filters leave no deals: a sentence for an empty result.

    Parameters
    ----------
    deals : Dataset or pandas.DataFrame
        The data before filtering.
    filters : dict
        Keyword arguments of :func:`flowgraph.filter_deals` in force.
    labels : dict
        For each filter keyword in force, how the user wrote it (``{"as_of": "--as-of
        1990"}``); only these are tried.

    Returns
    -------
    str
        For example ``"no deals pass the filters: --as-of 1990 alone leaves none of 11"``.

    Examples
    --------
    >>> import flowgraph as fg
    >>> explain_empty(fg.load_dataset("toy"), {"as_of": "1990"}, {"as_of": "--as-of 1990"})
    'no deals pass the filters: --as-of 1990 alone leaves none of the 8 deals'
    """
    from . import schema
    from .graph import filter_deals

    base = {k: v for k, v in filters.items() if k in ("scenario", "include_superseded",
                                                       "include_tranches")}
    total = len(filter_deals(deals, **base))
    if total == 0:
        return "no deals pass the filters: the data has no deals"
    emptying, kept = [], []
    for key, label in labels.items():
        n = len(filter_deals(deals, **base, **{key: filters[key]}))
        (emptying if n == 0 else kept).append((label, n))
    of = f"of the {schema.count_noun(total, 'deal')}"
    if emptying:
        who = " and ".join(label for label, _ in emptying)
        alone = "alone leaves" if len(emptying) == 1 else "each alone leave"
        return f"no deals pass the filters: {who} {alone} none {of}"
    each = "; ".join(f"{label} keeps {n:,}" for label, n in kept)
    return f"no deals pass the filters together ({each} {of})"
