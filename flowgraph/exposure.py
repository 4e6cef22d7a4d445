"""Exposure semantics: which side of a deal holds what, and who depends on whom.

A deal is a money flow ``payer -> payee``. Whether the payer or the payee carries the risk
depends on the kind of deal and on whether the money has already moved:

- a **commercial** flow not yet paid (``compute_contract``, ``chip_purchase``, ``lease``,
  ``capacity_backstop``, ``revenue_share``, ``other``) makes the *payee* depend on the
  *payer*: revenue at risk if the payer fails (risk kind ``revenue``). What is paid already
  carries no future revenue risk: only the unpaid part counts (see below).
- an **investment** (``equity_investment``, ``acquisition``) makes the *holder* (the payer,
  who gets the shares) exposed to the *issuer* (the payee): value at risk if the issuer fails
  (risk kind ``equity``), whether the money was paid already or is still promised. While the
  money is still promised, the issuer also depends on the payer for it (risk kind
  ``funding``).
- ``debt_financing`` works the same way with risk kind ``credit`` for the lender.
- a ``warrant`` row ``A -> B`` records that company A *grants* B warrants on A's own shares
  (for example AMD -> OpenAI): the *payee* holds A's equity, so the payee is exposed to the
  payer (risk kind ``equity``); no cash is promised, so there is no funding dependency.

What is paid comes from the one paid rule of the summary
(:func:`flowgraph.firmness.firmness_split`: ``paid_usd_bn``, as of the graph's date, and a
``disbursed`` row in full unless it says less). Revenue and funding at risk are the unpaid
part of each deal (a deal paid in full creates none); stakes and loans count the whole
amount, paid or not; the ``paid`` column says how much of each deal is paid.

The mapping is a table (:data:`DEFAULT_SEMANTICS`, shown by :func:`semantics_table`) that
callers can override per flow type with ``semantics=``. Amounts that are unknown stay NaN with
``amount_known = False``: they are never summed as zero, and summaries count them separately
(``n_unknown``).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd

from . import schema
from .errors import ParameterError
from .graph import check_company

__all__ = [
    "DEFAULT_SEMANTICS",
    "DEFAULT_STATUSES",
    "EXPOSURE_COLUMNS",
    "PENDING_STATUSES",
    "RISK_KINDS",
    "CompanyExposure",
    "company_exposure",
    "exposures",
    "semantics_table",
]


@dataclass(frozen=True)
class RiskKind:
    """What a kind of exposure means and which deal statuses create it.

    Attributes
    ----------
    name : str
        ``revenue``, ``funding``, ``equity`` or ``credit``.
    counts_pending : bool
        Whether promised (not yet paid) deals create this exposure.
    counts_paid : bool
        Whether paid (``disbursed``) deals create it.
    transmits : {"payment", "value"}
        How a failure reaches the exposed side: through a payment that does not come
        (``payment``: shock share ``loss``) or through a fall in the value of a stake
        (``value``: shock share ``equity_loss``).
    meaning : str
        One line in plain words.
    """

    name: str
    counts_pending: bool
    counts_paid: bool
    transmits: str
    meaning: str


RISK_KINDS: dict[str, RiskKind] = {
    "revenue": RiskKind(
        "revenue", True, False, "payment",
        "revenue at risk: the counterparty has promised to pay for goods or services",
    ),
    "funding": RiskKind(
        "funding", True, False, "payment",
        "funding at risk: the counterparty has promised to invest or lend, not yet paid",
    ),
    "equity": RiskKind(
        "equity", True, True, "value",
        "value at risk: a stake (shares, warrants, acquired business) in the counterparty",
    ),
    "credit": RiskKind(
        "credit", True, True, "payment",
        "credit at risk: a loan to the counterparty that it has to repay",
    ),
}
"""The four kinds of exposure and when they arise."""

_RISK_ORDER = {k: i for i, k in enumerate(RISK_KINDS)}

DEFAULT_SEMANTICS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "compute_contract": (("payee", "payer", "revenue"),),
    "chip_purchase": (("payee", "payer", "revenue"),),
    "lease": (("payee", "payer", "revenue"),),
    "capacity_backstop": (("payee", "payer", "revenue"),),
    "revenue_share": (("payee", "payer", "revenue"),),
    "other": (("payee", "payer", "revenue"),),
    "equity_investment": (("payer", "payee", "equity"), ("payee", "payer", "funding")),
    "acquisition": (("payer", "payee", "equity"), ("payee", "payer", "funding")),
    "debt_financing": (("payer", "payee", "credit"), ("payee", "payer", "funding")),
    "warrant": (("payee", "payer", "equity"),),
}
"""flow_type -> rules ``(exposed side, counterparty side, risk kind)``; sides are ``payer`` or
``payee``. A deal creates one exposure per rule whose risk kind counts for its status."""

PENDING_STATUSES: tuple[str, ...] = ("announced", "committed")
"""Statuses of money promised but not yet paid that count by default."""

DEFAULT_STATUSES: tuple[str, ...] = ("announced", "committed", "disbursed")
"""Statuses counted by default: promised deals plus paid ones (the latter only for stakes
and loans, see :data:`RISK_KINDS`). Rumored deals are left out unless asked for."""

EXPOSURE_COLUMNS: tuple[str, ...] = (
    "exposed", "counterparty", "risk", "amount", "amount_known", "deal_id", "flow_type",
    "status", "payer", "payee", "announced", "confidence", "estimate", "midpoint",
    "conditional", "source_url", "source_title", "paid",
)
"""Columns of :func:`exposures`."""


def _normalize_semantics(semantics: Any) -> dict[str, tuple[tuple[str, str, str], ...]]:
    table = dict(DEFAULT_SEMANTICS)
    if semantics is None:
        return table
    if isinstance(semantics, pd.DataFrame):
        need = {"flow_type", "exposed", "counterparty", "risk"}
        if not need.issubset(semantics.columns):
            raise ParameterError(
                "semantics table needs columns flow_type, exposed, counterparty, risk"
            )
        rules: dict[str, list[tuple[str, str, str]]] = {}
        for rec in semantics.to_dict("records"):
            rules.setdefault(str(rec["flow_type"]), []).append(
                (str(rec["exposed"]), str(rec["counterparty"]), str(rec["risk"]))
            )
        given: Mapping[str, Any] = rules
    elif isinstance(semantics, Mapping):
        given = semantics
    else:
        raise ParameterError("semantics must be a dict flow_type -> rules or a DataFrame")
    for ftype, rule in given.items():
        if ftype not in schema.FLOW_TYPES:
            raise ParameterError(
                f"semantics: unknown flow type {ftype!r}; valid: {', '.join(schema.FLOW_TYPES)}"
            )
        if rule is None:
            table[ftype] = ()
            continue
        items = list(rule)
        if items and isinstance(items[0], str):  # a single rule given as a flat tuple
            items = [tuple(items)]
        out = []
        for r in items:
            r = tuple(r)
            if len(r) != 3:
                raise ParameterError(
                    f"semantics[{ftype!r}]: each rule is (exposed, counterparty, risk), got {r!r}"
                )
            exposed, counter, risk = r
            if {exposed, counter} != {"payer", "payee"}:
                raise ParameterError(
                    f"semantics[{ftype!r}]: exposed and counterparty must be 'payer' and "
                    f"'payee' (one each), got {exposed!r}, {counter!r}"
                )
            if risk not in RISK_KINDS:
                raise ParameterError(
                    f"semantics[{ftype!r}]: unknown risk kind {risk!r}; "
                    f"valid: {', '.join(RISK_KINDS)}"
                )
            out.append((exposed, counter, risk))
        table[ftype] = tuple(out)
    return table


def semantics_table(semantics: Any = None) -> pd.DataFrame:
    """The exposure semantics as a table: which side of each flow type is exposed to which.

    Parameters
    ----------
    semantics : dict or pandas.DataFrame, optional
        Overrides merged over :data:`DEFAULT_SEMANTICS`: ``{flow_type: (exposed,
        counterparty, risk)}`` or a list of such rules per flow type (``None`` or ``[]``
        for no exposure), or a DataFrame with columns ``flow_type, exposed, counterparty,
        risk``.

    Returns
    -------
    pandas.DataFrame
        Columns ``flow_type, exposed, counterparty, risk, counts_pending, counts_paid,
        transmits, meaning``; one row per rule, in the order of ``schema.FLOW_TYPES``.

    Examples
    --------
    >>> t = semantics_table()
    >>> t.loc[t.flow_type == "warrant", ["exposed", "counterparty", "risk"]].values.tolist()
    [['payee', 'payer', 'equity']]
    """
    table = _normalize_semantics(semantics)
    rows = []
    for ftype in schema.FLOW_TYPES:
        for exposed, counter, risk in table.get(ftype, ()):
            k = RISK_KINDS[risk]
            rows.append({
                "flow_type": ftype, "exposed": exposed, "counterparty": counter, "risk": risk,
                "counts_pending": k.counts_pending, "counts_paid": k.counts_paid,
                "transmits": k.transmits, "meaning": k.meaning,
            })
    return pd.DataFrame(rows, columns=["flow_type", "exposed", "counterparty", "risk",
                                       "counts_pending", "counts_paid", "transmits", "meaning"])


def _check_statuses(statuses: Iterable[str] | str | None) -> tuple[str, ...]:
    if statuses is None:
        return schema.STATUSES
    if isinstance(statuses, str):
        statuses = [statuses]
    out = tuple(statuses)
    bad = [s for s in out if s not in schema.STATUSES]
    if bad:
        raise ParameterError(
            f"unknown status {', '.join(map(repr, bad))}; valid: {', '.join(schema.STATUSES)}"
        )
    return out


def iter_deals(G: nx.Graph, *, weight: str = "amount") -> Iterable[dict[str, Any]]:
    """Yield one record per deal of ``G`` (payer, payee, deal_id, amount, flow_type, ...).

    For a collapsed :class:`~networkx.DiGraph` each edge is one pseudo-deal: its flow type is
    the edge's ``flow_type``, else its single ``flow_types`` entry, else ``"other"``; its
    status is ``status``, else ``weakest_status``, else ``"committed"``.
    """
    if G.is_multigraph():
        edges = ((u, v, k, d) for u, v, k, d in G.edges(keys=True, data=True))
    else:
        edges = ((u, v, f"{u}->{v}", d) for u, v, d in G.edges(data=True))
    for u, v, k, d in edges:
        ftype = d.get("flow_type")
        if not ftype:
            fts = d.get("flow_types") or ()
            ftype = fts[0] if len(fts) == 1 else "other"
        status = d.get("status") or d.get("weakest_status") or "committed"
        a = schema.to_float(d.get(weight, math.nan))
        known = not math.isnan(a) and d.get("amount_known", True) is not False
        yield {
            "payer": u, "payee": v, "deal_id": str(k), "amount": a if known else math.nan,
            "amount_known": known,
            "has_unknown_part": bool(d.get("has_unknown", False)),
            "flow_type": ftype, "status": status,
            "announced": d.get("announced"), "confidence": d.get("confidence"),
            "estimate": d.get("estimate"), "midpoint": d.get("midpoint"),
            "conditional": d.get("conditional"), "source_url": d.get("source_url"),
            "source_title": d.get("source_title"),
        }


def _paid_amounts(G: nx.Graph, weight: str) -> dict[tuple[Any, Any, str], float]:
    """Per deal ``(payer, payee, deal_id)``: the money paid already, by the summary's paid
    rule (:func:`flowgraph.firmness.firmness_split` on the ``weight`` amounts). Empty for a
    collapsed graph, which keeps no payments per deal (then a ``disbursed`` edge counts as
    paid in full, any other as unpaid)."""
    if not G.is_multigraph() or not G.number_of_edges():
        return {}
    from .firmness import firmness_split
    from .summary import deals_frame

    df = deals_frame(G)
    if weight != "amount":
        df = df.assign(amount=df[weight] if weight in df.columns else math.nan)
    paid = firmness_split(df)["paid"].to_numpy(dtype=float)
    return {(u, v, str(k)): float(x)
            for u, v, k, x in zip(df["payer"], df["payee"], df["deal_id"], paid)}


def exposures(
    G: nx.Graph,
    *,
    semantics: Any = None,
    statuses: Iterable[str] | str | None = DEFAULT_STATUSES,
    weight: str = "amount",
) -> pd.DataFrame:
    """Every exposure created by the deals of ``G``: who depends on whom, per deal.

    Parameters
    ----------
    G : networkx.MultiDiGraph or networkx.DiGraph
        The deal graph from :func:`flowgraph.build_graph` (preferred: one edge per deal), or
        a collapsed graph (one pseudo-deal per edge, see :func:`iter_deals`).
    semantics : dict or pandas.DataFrame, optional
        Overrides of the flow type -> (exposed, counterparty, risk) mapping, see
        :func:`semantics_table`.
    statuses : list of str, optional
        Deal statuses that count (default ``announced``, ``committed``, ``disbursed``;
        ``None`` for all). Revenue and funding at risk count only the unpaid part of a deal
        (its amount less ``paid``); a deal paid in full (``disbursed``, or paid as much as
        its amount) creates only the exposures whose risk kind counts paid deals (stakes
        and loans).
    weight : str
        Edge attribute holding the amount (billions of USD).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EXPOSURE_COLUMNS`: ``exposed`` (the side that loses if the other
        fails), ``counterparty``, ``risk``, ``amount`` (NaN when unknown), ``amount_known``,
        then the deal's id, flow type, status, payer, payee, date, confidence, its
        ``estimate``, ``midpoint`` (a range's midpoint stands for the amount) and
        ``conditional`` flags and source, and ``paid`` (the deal's money paid already, by
        the summary's rule; NaN when its amount is unknown): left out of ``amount`` for
        revenue and funding, inside it for equity and credit. Sorted by exposed,
        counterparty, risk, deal_id.

    Examples
    --------
    >>> import networkx as nx
    >>> M = nx.MultiDiGraph()
    >>> _ = M.add_edge("OpenAI", "Oracle", key="d1", amount=300.0, amount_known=True,
    ...                flow_type="compute_contract", status="committed")
    >>> exposures(M)[["exposed", "counterparty", "risk", "amount"]].values.tolist()
    [['Oracle', 'OpenAI', 'revenue', 300.0]]
    """
    table = _normalize_semantics(semantics)
    wanted = set(_check_statuses(statuses))
    paid_of = _paid_amounts(G, weight)
    rows = []
    for deal in iter_deals(G, weight=weight):
        status = deal["status"]
        if status not in wanted:
            continue
        amount, known = deal["amount"], deal["amount_known"]
        in_full = status == "disbursed"  # without a known amount, the status says it
        paid = (paid_of.get((deal["payer"], deal["payee"], deal["deal_id"]),
                            amount if in_full else 0.0) if known else math.nan)
        for exposed_side, counter_side, risk in table.get(deal["flow_type"], ()):
            kind = RISK_KINDS[risk]
            if known:  # the unpaid part for promises, the paid part for what was paid
                part = ((amount - paid if kind.counts_pending else 0.0)
                        + (paid if kind.counts_paid else 0.0))
                if part <= 0 < amount:
                    continue
            elif (in_full and not kind.counts_paid) or (not in_full and not kind.counts_pending):
                continue
            rec = {
                "exposed": deal[exposed_side], "counterparty": deal[counter_side], "risk": risk,
            }
            rec.update({c: deal[c] for c in EXPOSURE_COLUMNS if c in deal})
            rec["paid"] = paid
            if known:
                rec["amount"] = part
            rows.append(rec)
    df = pd.DataFrame(rows, columns=list(EXPOSURE_COLUMNS))
    # typed even when empty: df[df["amount_known"]] must stay a row filter
    df["amount"] = df["amount"].astype(float)
    df["amount_known"] = df["amount_known"].astype(bool)
    df["paid"] = df["paid"].astype(float)
    if len(df):
        df = df.sort_values(["exposed", "counterparty", "risk", "deal_id"], kind="stable")
        df = df.reset_index(drop=True)
    return df


def _summarize(df: pd.DataFrame, by: str, total_of: dict[tuple[str, str], float],
               revenue: Mapping[Any, float]) -> pd.DataFrame:
    """Group exposure rows by (``by``, risk) with amounts, shares and the deals behind them;
    ``of_which_estimated`` / ``of_which_conditional``: the part of ``amount`` on deals whose
    amount is an estimate or a range midpoint / is conditional
    (:func:`flowgraph.firmness.amount_basis`, the one per-deal rule)."""
    from .firmness import amount_basis

    cols = [by, "risk", "amount", "of_which_estimated", "of_which_conditional", "share",
            "to_revenue", "n_deals", "n_unknown", "deal_ids", "flow_types", "statuses",
            "sources"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    basis = amount_basis(df)
    df = df.assign(_est=basis.str.contains("estimate|midpoint"),
                   _cond=basis.str.contains("conditional"))
    rows = []
    for (name, risk), g in df.groupby([by, "risk"], sort=True):
        kg = g[g["amount_known"]]
        known = kg["amount"]
        amount = float(known.sum()) if len(known) else math.nan
        owner = g["_owner"].iloc[0]
        total = total_of.get((owner, risk), math.nan)
        share = amount / total if total and not math.isnan(amount) and total > 0 else math.nan
        rev = revenue.get(owner, math.nan)
        rows.append({
            by: name, "risk": risk, "amount": amount,
            "of_which_estimated": float(known[kg["_est"]].sum()) if len(known) else math.nan,
            "of_which_conditional": float(known[kg["_cond"]].sum()) if len(known)
            else math.nan,
            "share": share,
            "to_revenue": amount / rev if rev > 0 and not math.isnan(amount) else math.nan,
            "n_deals": len(g),
            "n_unknown": int((~g["amount_known"]).sum()),
            "deal_ids": ";".join(sorted(g["deal_id"].astype(str))),
            "flow_types": ";".join(sorted(set(g["flow_type"].astype(str)))),
            "statuses": ";".join(sorted(set(g["status"].astype(str)))),
            "sources": ";".join(sorted({str(s) for s in g["source_url"] if isinstance(s, str)
                                        and s})),
        })
    out = pd.DataFrame(rows, columns=cols)
    out["_r"] = out["risk"].map(_RISK_ORDER)
    out["_a"] = out["amount"].fillna(-1.0)
    out = out.sort_values(["_r", "_a", by], ascending=[True, False, True], kind="stable")
    return out.drop(columns=["_r", "_a"]).reset_index(drop=True)


@dataclass(frozen=True)
class CompanyExposure:
    """Who one company depends on, and who depends on it.

    Attributes
    ----------
    company : str
    depends_on : pandas.DataFrame
        One row per (counterparty, risk) the company is exposed to: ``counterparty, risk,
        amount`` (sum of known amounts, bn USD), ``of_which_estimated`` and
        ``of_which_conditional`` (the part of ``amount`` that is an estimate or a range
        midpoint, and that is conditional: "up to", milestones, letters of intent),
        ``share`` (of the company's total known
        exposure of that risk kind: "share of its backlog"), ``to_revenue`` (amount over the
        exposed company's annual revenue, NaN when unknown), ``n_deals``, ``n_unknown``
        (deals whose amount is unknown, not in ``amount``), ``deal_ids``, ``flow_types``,
        ``statuses``, ``sources``. Sorted by risk kind, then amount (largest first).
    depended_on_by : pandas.DataFrame
        One row per (company, risk) exposed to this company, same columns with ``company``
        instead of ``counterparty``; ``share`` is the share of *that* company's total
        exposure of that risk kind which is on this company.
    deals : pandas.DataFrame
        The exposure rows behind both tables (:data:`EXPOSURE_COLUMNS` plus ``side``:
        ``depends_on`` or ``depended_on_by``).
    totals : pandas.DataFrame
        Per risk kind: ``risk, at_risk`` (known amount the company could lose),
        ``n_unknown_at_risk``, ``owed_to_others`` (known amount others could lose on it),
        ``n_unknown_owed``, and the company's ``revenue_usd_bn`` for scale.

    Examples
    --------
    >>> import flowgraph as fg
    >>> e = fg.company_exposure(fg.build_graph(fg.load_dataset("toy")), "CloudCo")
    >>> e.depends_on[["counterparty", "risk", "amount"]].values.tolist()
    [['LabCo', 'revenue', 30.0]]
    """

    company: str
    depends_on: pd.DataFrame
    depended_on_by: pd.DataFrame
    deals: pd.DataFrame
    totals: pd.DataFrame

    def _repr_html_(self) -> str:
        from ._notebook import frame_html

        drop = ["sources"]
        return (frame_html(self.depends_on.drop(columns=drop, errors="ignore"),
                           caption=f"{self.company} depends on")
                + frame_html(self.depended_on_by.drop(columns=drop, errors="ignore"),
                             caption=f"Depend on {self.company}"))


def company_exposure(
    G: nx.Graph,
    company: str,
    *,
    semantics: Any = None,
    statuses: Iterable[str] | str | None = DEFAULT_STATUSES,
    weight: str = "amount",
) -> CompanyExposure:
    """Exposure of one company: who it depends on and who depends on it, with the deals.

    Parameters
    ----------
    G : networkx.MultiDiGraph or networkx.DiGraph
        Deal graph (see :func:`exposures`).
    company : str
        Company name (case-insensitive); an unknown name raises
        :class:`~flowgraph.errors.UnknownCompanyError` listing close matches.
    semantics, statuses, weight
        As in :func:`exposures`.

    Returns
    -------
    CompanyExposure

    Examples
    --------
    >>> import networkx as nx
    >>> M = nx.MultiDiGraph()
    >>> _ = M.add_edge("OpenAI", "Oracle", key="d1", amount=300.0,
    ...                flow_type="compute_contract", status="committed")
    >>> _ = M.add_edge("Meta", "Oracle", key="d2", amount=100.0,
    ...                flow_type="compute_contract", status="committed")
    >>> e = company_exposure(M, "oracle")
    >>> e.depends_on[["counterparty", "share"]].values.tolist()
    [['OpenAI', 0.75], ['Meta', 0.25]]
    """
    name = check_company(G, company)
    ex = exposures(G, semantics=semantics, statuses=statuses, weight=weight)
    known = ex[ex["amount_known"]]
    total_of = {
        (k[0], k[1]): float(v)
        for k, v in known.groupby(["exposed", "risk"])["amount"].sum().items()
    }
    mine = ex[ex["exposed"] == name].copy()
    mine["_owner"] = name
    theirs = ex[ex["counterparty"] == name].copy()
    theirs["_owner"] = theirs["exposed"]
    revenue = {n: schema.to_float(d.get("revenue_usd_bn")) for n, d in G.nodes(data=True)}
    depends_on = _summarize(mine, "counterparty", total_of, revenue)
    theirs_renamed = theirs.rename(columns={"exposed": "company"})
    depended_on_by = _summarize(theirs_renamed, "company", total_of, revenue)
    deals = pd.concat(
        [mine.assign(side="depends_on"), theirs.assign(side="depended_on_by")],
        ignore_index=True,
    ).drop(columns=["_owner"])
    if len(deals):
        deals = deals.sort_values(["side", "risk", "deal_id"], kind="stable").reset_index(
            drop=True)
    revenue = schema.to_float(G.nodes[name].get("revenue_usd_bn")) if name in G else math.nan
    trows = []
    for risk in RISK_KINDS:
        a = mine[mine["risk"] == risk]
        b = theirs[theirs["risk"] == risk]
        if a.empty and b.empty:
            continue
        trows.append({
            "risk": risk,
            "at_risk": float(a.loc[a["amount_known"], "amount"].sum()),
            "n_unknown_at_risk": int((~a["amount_known"]).sum()),
            "owed_to_others": float(b.loc[b["amount_known"], "amount"].sum()),
            "n_unknown_owed": int((~b["amount_known"]).sum()),
            "revenue_usd_bn": revenue,
        })
    totals = pd.DataFrame(trows, columns=["risk", "at_risk", "n_unknown_at_risk",
                                          "owed_to_others", "n_unknown_owed", "revenue_usd_bn"])
    return CompanyExposure(name, depends_on, depended_on_by, deals, totals)
