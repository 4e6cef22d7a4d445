"""Headline figures of a deal graph: size, money by flow type and status, largest players."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pandas as pd

from . import schema
from .errors import ParameterError

__all__ = ["Summary", "deals_frame", "summarize"]


def deals_frame(G: nx.MultiDiGraph) -> pd.DataFrame:
    """The deals behind a deal graph as a table, one row per edge, sorted by ``deal_id``.

    Columns: every deal attribute (``deal_id``, ``payer``, ``payee``, ``amount`` in the graph's
    scenario, ``amount_known``, ...).

    Examples
    --------
    >>> import flowgraph as fg
    >>> deals_frame(fg.build_graph(fg.load_dataset("toy"))).columns[0]
    'deal_id'
    """
    if not (isinstance(G, nx.Graph) and G.is_multigraph()):
        raise ParameterError("needs the deal graph from build_graph (a MultiDiGraph, one edge "
                             f"per deal), got {type(G).__name__}")
    rows = []
    for u, v, k, d in G.edges(keys=True, data=True):
        row = dict(d)
        row.setdefault("deal_id", k)
        row["payer"], row["payee"] = u, v
        rows.append(row)
    cols = ["deal_id", "payer", "payee", "amount", "amount_known"]
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame(columns=cols)
    first = [c for c in ["deal_id", "payer", "payee", *schema.DEAL_COLUMNS] if c in df.columns]
    ordered = list(dict.fromkeys(first + [c for c in df.columns if c not in first]))
    return df[ordered].sort_values("deal_id", kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class Summary:
    """Headline figures of a deal graph (amounts in billions of USD, graph's scenario).

    Attributes
    ----------
    n_companies, n_deals : int
        Companies that pay or receive a deal of the view
        (:func:`flowgraph.graph.companies_with_deals`), and its deals.
    total : float
        Sum of known amounts.
    n_unknown : int
        Deals whose amount is unknown in this scenario (not counted in any sum).
    n_estimates : int
        Deals counted at an estimated amount (flagged ``estimate`` with an amount in the
        scenario; one flagged but without any amount is among ``n_unknown``), as
        :func:`flowgraph.firmness.estimates_note` counts them.
    by_flow_type, by_status : pandas.DataFrame
        ``deals``, ``amount``, ``unknown`` (deals without amount) and ``share`` per group.
    payers, payees : pandas.DataFrame
        Companies by money paid / received, largest first: ``company``, ``amount``,
        ``of_which_estimated`` and ``of_which_conditional`` (the part of ``amount`` that is
        an estimate or range midpoint / conditional, :func:`flowgraph.firmness.basis_masks`)
        and ``deals``.
    committed, announced, disbursed, rumored : float
        Known money by status; ``announced`` + ``rumored`` is "only announced".
    firmness : MoneyFirmness or None
        Promises against cash (paid, committed but unpaid, only announced, conditional) and
        the conditional-or-press-only share (:func:`flowgraph.money_firmness`).
    estimates : str
        Whether estimated amounts or range midpoints are among the figures
        (:func:`flowgraph.firmness.estimates_note`); empty when there are none.
    scenario : str
    as_of : str or None
        The dataset's as-of date.
    filters : dict

    Examples
    --------
    >>> import flowgraph as fg
    >>> s = fg.summarize(fg.build_graph(fg.load_dataset("toy")))
    >>> s.n_companies, s.n_deals, float(s.total), s.n_unknown
    (6, 8, 86.0, 1)
    """

    n_companies: int
    n_deals: int
    total: float
    n_unknown: int
    n_estimates: int
    by_flow_type: pd.DataFrame = field(repr=False)
    by_status: pd.DataFrame = field(repr=False)
    payers: pd.DataFrame = field(repr=False)
    payees: pd.DataFrame = field(repr=False)
    committed: float = 0.0
    announced: float = 0.0
    disbursed: float = 0.0
    rumored: float = 0.0
    scenario: str = "base"
    as_of: str | None = None
    filters: dict = field(default_factory=dict, repr=False)
    firmness: Any = field(default=None, repr=False)
    estimates: str = ""

    def _repr_html_(self) -> str:
        from ._notebook import frame_html

        return (frame_html(self.headline(), caption="Summary")
                + frame_html(self.by_flow_type, caption="By flow type")
                + frame_html(self.payers, caption="Largest payers"))

    def headline(self) -> pd.DataFrame:
        """The scalar figures as a two-column table (``figure``, ``value``)."""
        rows = [
            ("companies", self.n_companies),
            ("deals", self.n_deals),
            ("total known flow (USD bn)", round(self.total, 3)),
            ("deals with unknown amount (not counted)", self.n_unknown),
            ("deals counted at an estimated amount", self.n_estimates),
        ]
        if self.firmness is not None and self.firmness.n_midpoints:
            rows.append(("deals counted at a range midpoint", self.firmness.n_midpoints))
        if self.firmness is not None:
            rows += list(self.firmness.headline().itertuples(index=False, name=None))
        rows += [
            ("scenario", self.scenario),
            ("dataset as of", self.as_of or ""),
        ]
        return pd.DataFrame(rows, columns=["figure", "value"])


def _group(deals: pd.DataFrame, key: str, order: tuple[str, ...]) -> pd.DataFrame:
    known = deals["amount"].notna()
    g = deals.assign(_known=known, _unknown=~known).groupby(key, observed=True)
    out = pd.DataFrame({
        "deals": g.size(),
        "amount": g["amount"].sum(min_count=1),
        "unknown": g["_unknown"].sum().astype(int),
    })
    total = out["amount"].sum()
    out["share"] = out["amount"] / total if total else math.nan
    rank = {v: i for i, v in enumerate(order)}
    out = out.reset_index()
    out["_r"] = out[key].map(lambda v: rank.get(v, len(rank)))
    return out.sort_values(["amount", "_r"], ascending=[False, True]).drop(columns="_r").reset_index(drop=True)


def summarize(G: nx.MultiDiGraph, *, top: int = 10) -> Summary:
    """Headline figures of a deal graph.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A deal graph from :func:`flowgraph.build_graph`.
    top : int
        How many largest payers and payees to list.

    Returns
    -------
    Summary

    Examples
    --------
    >>> import flowgraph as fg
    >>> s = fg.summarize(fg.build_graph(fg.load_dataset("toy")))
    >>> s.n_deals > 0
    True
    """
    deals = deals_frame(G)
    if deals.empty:
        empty = pd.DataFrame(columns=["deals", "amount", "unknown", "share"])
        people = pd.DataFrame(columns=["company", "amount", "deals"])
        return Summary(G.number_of_nodes(), 0, 0.0, 0, 0, empty, empty, people, people,
                       scenario=G.graph.get("scenario", "base"), as_of=G.graph.get("as_of"),
                       filters=dict(G.graph.get("filters", {})))
    deals["amount"] = pd.to_numeric(deals["amount"], errors="coerce")
    by_type = _group(deals, "flow_type", schema.FLOW_TYPES)
    by_status = _group(deals, "status", schema.STATUSES)

    from .firmness import basis_masks

    estimated, conditional = basis_masks(deals)
    parts = deals.assign(
        of_which_estimated=deals["amount"].where(estimated & deals["amount"].notna(), 0.0),
        of_which_conditional=deals["amount"].where(conditional & deals["amount"].notna(), 0.0))

    def players(col: str) -> pd.DataFrame:
        g = parts.groupby(col)
        df = pd.DataFrame({"amount": g["amount"].sum(min_count=1),
                           "of_which_estimated": g["of_which_estimated"].sum(),
                           "of_which_conditional": g["of_which_conditional"].sum(),
                           "deals": g.size()}).reset_index()
        df = df.rename(columns={col: "company"})
        return (df.sort_values(["amount", "company"], ascending=[False, True], na_position="last")
                .head(top).reset_index(drop=True))

    status_amount = deals.groupby("status")["amount"].sum()
    from .graph import companies_with_deals

    from .firmness import estimates_note, money_firmness

    firm = money_firmness(G)  # counts estimates as estimates_note does: one rule

    return Summary(
        n_companies=companies_with_deals(G),
        n_deals=len(deals),
        total=float(deals["amount"].sum()),
        n_unknown=int(deals["amount"].isna().sum()),
        n_estimates=firm.n_estimates,
        by_flow_type=by_type,
        by_status=by_status,
        payers=players("payer"),
        payees=players("payee"),
        committed=float(status_amount.get("committed", 0.0)),
        announced=float(status_amount.get("announced", 0.0)),
        disbursed=float(status_amount.get("disbursed", 0.0)),
        rumored=float(status_amount.get("rumored", 0.0)),
        scenario=G.graph.get("scenario", "base"),
        as_of=G.graph.get("as_of"),
        filters=dict(G.graph.get("filters", {})),
        firmness=firm,
        estimates=estimates_note(G),
    )
