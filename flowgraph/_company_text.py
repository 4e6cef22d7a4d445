"""The terminal and Markdown page of ``flowgraph company NAME`` (formatting only)."""
from __future__ import annotations

import math
import textwrap
from typing import Any

import pandas as pd

WIDTH = 100


def _pct(x: Any) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.1%}"


def _bn(x: Any) -> str:
    from .html import fmt_bn

    return fmt_bn(x)


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    return textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False) or [""]


class _Sources:
    """Numbers each source URL once; the list is printed at the end (URLs are never cut)."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def ref(self, url: Any) -> str:
        if not isinstance(url, str) or not url:
            return ""
        if url not in self.urls:
            self.urls.append(url)
        return f"[{self.urls.index(url) + 1}]"


def tables(p: Any) -> list[tuple[str, pd.DataFrame]]:
    """The profile's tables for csv/json (full precision, every row)."""
    out = [("Headline", p.headline()), ("Fundamentals", p.fundamentals), ("Deals", p.deals),
           ("Dependence", p.dependence), ("Depends on", p.depends_on),
           ("Depended on by", p.depended_on_by), ("Loops", p.loops),
           ("Self-funded", p.self_funded), ("Keystone", p.keystone)]
    if p.stress is not None:
        out += [("Stress models", p.stress.models), ("Stress failures", p.stress.failures)]
    return out


def page(p: Any, *, filters: str, width: int = WIDTH, markdown: bool = False) -> str:
    """The one-page view: fundamentals with dates, deals with sources, customers by both
    dependence measures, loops, circulation, stress; sources listed at the end."""
    from .cli import format_markdown, format_table
    from .cycles import order_label

    # tables fit the page: long names wrap, then columns are left out and named
    fmt = format_markdown if markdown else (lambda df: format_table(df, width=width))
    src = _Sources()
    out: list[str] = []

    def title(t: str) -> None:
        out.extend(["", f"### {t}" if markdown else t])
        if markdown:
            out.append("")

    def para(t: str) -> None:
        out.extend([t] if markdown else _wrap(t, width))

    head = f"{p.company} ({p.kind})" + (f", data as of {p.as_of}" if p.as_of else "")
    out.append(f"## {head}" if markdown else head)
    f = p.fundamentals
    title("Fundamentals (USD bn; older than the data by more than a year: stale)")
    out.append(fmt(pd.DataFrame({
        "figure": f["measure"],
        "value": [("" if math.isnan(v) else f"{v:,.2f}") for v in f["value_usd_bn"]],
        "as of": f["as_of"].fillna(""),
        "stale": ["stale" if s else "" for s in f["stale"]],
        "source": [src.ref(u) for u in f["source"]],
    })))
    d = p.deals
    n_out, n_in = int((d["direction"] == "out").sum()), int((d["direction"] == "in").sum())
    title(f"Deals: {n_out} as payer, {n_in} as payee (USD bn; est = estimated or a range's "
          "midpoint; cond = conditional)")
    out.append(fmt(pd.DataFrame({
        "dir": d["direction"], "counterparty": d["counterparty"], "deal_id": d["deal_id"],
        "amount": [("unknown" if not k else f"{a:,.2f}" + (" est" if e else "")
                    + (" cond" if c else ""))
                   for a, k, e, c in zip(d["amount"], d["amount_known"], d["estimate"],
                                         d["conditional"])],
        "flow_type": d["flow_type"], "status": d["status"],
        "announced": d["announced"].fillna(""), "source": [src.ref(u) for u in d["source_url"]],
    })))
    dep = p.dependence
    title("Customers: share of contracted backlog (deals) and share of reported revenue")
    if len(dep):
        out.append(fmt(pd.DataFrame({
            "customer": dep["counterparty"],
            "backlog $bn": [("" if math.isnan(v) else f"{v:,.2f}")
                            for v in dep["contracted_backlog"]],
            "of contracted backlog": [_pct(v) for v in dep["share_of_contracted_backlog"]],
            "of reported revenue": [_pct(v) for v in dep["share_of_reported_revenue"]],
            "period": dep["revenue_period"].fillna(""),
            "source": [src.ref(u) for u in dep["revenue_source"]],
        })))
    else:
        para("No customer with contracted, unpaid revenue in the deals.")
    dep_rows = p.depends_on[p.depends_on["risk"] != "revenue"]
    if len(dep_rows):
        title("Other dependence (funding promised to it, stakes it holds)")
        out.append(fmt(pd.DataFrame({
            "counterparty": dep_rows["counterparty"], "risk": dep_rows["risk"],
            "amount $bn": [("" if math.isnan(v) else f"{v:,.2f}") for v in dep_rows["amount"]],
            "share of that risk": [_pct(v) for v in dep_rows["share"]]})))
    by = p.depended_on_by
    if len(by):
        title(f"Who depends on {p.company}")
        out.append(fmt(pd.DataFrame({
            "company": by["company"], "risk": by["risk"],
            "amount $bn": [("" if math.isnan(v) else f"{v:,.2f}") for v in by["amount"]],
            f"share of its risk on {p.company}"[:40]: [_pct(v) for v in by["share"]]})))
    shown = len(p.loops)
    title(f"Loops through {p.company}: {p.n_loops}"
          + (f" ({order_label('length', shown)})" if shown < p.n_loops else ""))
    if shown:
        for i, r in enumerate(p.loops.itertuples(), 1):
            if markdown:
                out.append(f"{i}. {r.description}")
            else:
                out.extend(textwrap.wrap(f"{i:>2}. {r.description}", width=width,
                                         subsequent_indent="    ", break_long_words=False,
                                         break_on_hyphens=False))
    else:
        para("No loop passes through it.")
    title("Circulation")
    sf = p.self_funded.iloc[0] if len(p.self_funded) else None
    ks = p.keystone.iloc[0] if len(p.keystone) else None
    bits = []
    if sf is not None:
        left_out = p.inflow_uncounted
        bits.append(f"{_pct(sf['self_funded_share'])} of its {'known ' if left_out else ''}"
                    f"inflow ({_bn(sf['self_funded'])} of {_bn(sf['inflow'])}) can be its own "
                    f"money coming back round a loop{left_out}")
    if ks is not None:
        bits.append(f"without it {_bn(ks['circulation_lost'])} of circulation would go "
                    f"({_pct(ks['share_of_circulation'])} of all)")
    para("; ".join(bits) + "." if bits else "Not computed.")
    if p.stress is not None:
        title(f"If {p.company} failed")
        para(p.stress.headline())
    notes = [filters, *p.notes]
    out.append("")
    for n in notes:
        out.extend([f"> {n}"] if markdown else _wrap(f"Note: {n}", width))
    if src.urls:
        title("Sources")
        from .escape import markdown_link

        for i, u in enumerate(src.urls, 1):
            if markdown:
                out.append(f"{i}. {markdown_link(u, u)}")
            elif len(f"[{i}] {u}") > width:  # a URL is never cut: alone on its own line
                out.extend([f"[{i}]", u])
            else:
                out.append(f"[{i}] {u}")
    return "\n".join(out)
