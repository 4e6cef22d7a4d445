"""Print the figures and tables datasets/README.md gives for a bundled dataset, from the data.

tests/test_dataset_docs.py checks the README's figures against the data; this prints them in
the README's form so that they can be pasted after the data changes.

Usage::

    python tools/dataset_tables.py [ai-capital | FOLDER]
    python tools/dataset_tables.py --write     # put them into datasets/README.md
"""
from __future__ import annotations

import math
import re
import sys

import flowgraph as fg
from flowgraph import schema

FIRM = ("filing", "company", "wire_or_major")


def _num(x: float) -> str:
    return f"{round(float(x), 1):.1f}"


def _ends(r: object) -> str:
    lo, hi, a = r.amount_low_usd_bn, r.amount_high_usd_bn, r.amount_usd_bn
    if not math.isnan(lo) and not math.isnan(hi):
        base = a if not math.isnan(a) else (lo + hi) / 2
        return f"{lo:g} - {hi:g} ({base:g})"
    if not math.isnan(a):
        return f"{a:g} (point)"
    if not math.isnan(lo):
        return f"at least {lo:g} (no base)"
    return f"at most {hi:g} (no base)"


def _drop_cited(t: str) -> str:
    """The text without its URLs and the parentheses that hold them (where it was read)."""
    while (i := t.find("http")) >= 0:
        start, depth = i, 0
        while start > 0:
            start -= 1
            if t[start] == ")":
                depth += 1
            elif t[start] == "(":
                if depth == 0:
                    break
                depth -= 1
        if t[start] != "(":  # a bare URL
            end = re.search(r"[\s;]|$", t[i:]).start() + i
            t = t[:i] + t[end:]
            continue
        depth, end = 0, start
        while end < len(t) - 1:
            end += 1
            if t[end] == "(":
                depth += 1
            elif t[end] == ")":
                if depth == 0:
                    break
                depth -= 1
        t = t[:start].rstrip() + t[end + 1:]
    return re.sub(r"\s+", " ", t).replace(" ;", ";").strip()


def _inputs(text: object) -> str:
    t = _drop_cited("" if not isinstance(text, str) else text).replace("|", "/")
    return t if len(t) <= 220 else t[:217].rsplit(" ", 1)[0] + " ..."


def _dataset(name: str) -> fg.Dataset:
    """A bundled dataset by name, or a folder holding deals.csv and companies.csv."""
    from pathlib import Path

    folder = Path(name)
    if not (folder / "deals.csv").is_file():
        return fg.load_dataset(name)
    comp = fg.read_companies(folder / "companies.csv")
    return fg.Dataset(name=folder.name, deals=fg.read_deals(folder / "deals.csv"),
                      companies=comp)


def tables(ds: fg.Dataset) -> dict[str, str]:
    """The README's figures and tables for a dataset, by name (``counts``, ``flow_types``,
    ``no_base``, ``source_kinds``, ``firm_share``, ``money``, ``estimates``, ``overlaps``,
    ``structure``)."""
    out: dict[str, list[str]] = {}
    d = ds.deals
    superseded = {x for v in d["supersedes"].dropna() for x in schema.split_ids(v)}
    tranches = int(d["part_of"].notna().sum())
    out["counts"] = [
        f"{len(d)} deal rows: {len(d) - tranches - len(superseded)} headline rows, "
        f"{len(superseded)} superseded rows, {tranches} tranches; {int(d['estimate'].sum())} "
        f"rows are estimates. {len(ds.companies)} companies."]
    sc = {s: fg.filter_deals(ds, scenario=s) for s in ("base", "low", "high")}
    b = sc["base"]
    rows = ["| flow_type | rows | with amount | base | low | high |",
            "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for ft in sorted(set(b["flow_type"])):
        part = b[b["flow_type"] == ft]
        sums = [sc[s].loc[sc[s]["flow_type"] == ft, "amount"].sum() for s in sc]
        rows.append(f"| {ft} | {len(part)} | {int(part['amount_known'].sum())} | "
                    + " | ".join(_num(v) for v in sums) + " |")
    out["flow_types"] = rows
    out["no_base"] = [f"{int((~b['amount_known']).sum())} headline rows have no base amount."]
    known = b["amount_known"]
    total = float(b.loc[known, "amount"].sum())
    rows = ["| source_kind | headline rows | with amount | base (USD bn) | share of base |",
            "| --- | ---: | ---: | ---: | ---: |"]
    for k in schema.SOURCE_KINDS:
        part = b[b["source_kind"] == k]
        amt = float(part.loc[part["amount_known"], "amount"].sum())
        rows.append(f"| `{k}` | {len(part)} | {int(part['amount_known'].sum())} | {_num(amt)} | "
                    f"{amt / total:.1%} |")
    out["source_kinds"] = rows
    firm = float(b.loc[known & b["source_kind"].isin(FIRM), "amount"].sum())
    rep = b[known & ~b["estimate"] & ~b["midpoint"]]
    rep_firm = float(rep.loc[rep["source_kind"].isin(FIRM), "amount"].sum())
    out["firm_share"] = [
        f"{firm / total:.1%} of the headline money (base scenario, ${_num(firm)}B of "
        f"${_num(total)}B) rests on `filing`, `company` or `wire_or_major` sources, and "
        f"{rep_firm / rep['amount'].sum():.1%} of the reported money (estimates and range "
        "midpoints left out)."]
    out["money"] = [fg.money_firmness(b).sentence(lambda x: f"${_num(x)}B")]
    rows = ["| deal_id | flow | low - high (base) | inputs (their URLs are in `estimate_inputs`) |",
            "| --- | --- | --- | --- |"]
    for r in d[d["estimate"]].itertuples():
        rows.append(f"| `{r.deal_id}` | {r.payer} -> {r.payee} | {_ends(r)} | "
                    f"{_inputs(r.estimate_inputs)} |")
    out["estimates"] = rows
    groups = d[d["overlap_group"].notna()]
    heads = set(b["deal_id"])
    rows = ["| overlap_group | rows (headline rows in bold, with their base amount) |",
            "| --- | --- |"]
    for g, part in groups.groupby("overlap_group"):
        cells = []
        for r in part.itertuples():
            amt = b.loc[b["deal_id"] == r.deal_id, "amount"]
            a = "" if amt.empty or math.isnan(amt.iloc[0]) else f" {amt.iloc[0]:g}"
            cells.append(f"**`{r.deal_id}`**{a}" if r.deal_id in heads else f"`{r.deal_id}`")
        rows.append(f"| `{g}` | {', '.join(cells)} |")
    out["overlaps"] = rows
    rows = [f"- `{r.deal_id}` supersedes `{r.supersedes}`."
            for r in d[d["supersedes"].notna()].itertuples()]
    parts: dict[str, list[str]] = {}
    for r in d[d["part_of"].notna()].itertuples():
        parts.setdefault(r.part_of, []).append(r.deal_id)
    rows += [f"- `{head}` is the headline row of tranches {', '.join(f'`{i}`' for i in sorted(ids))}."
             for head, ids in sorted(parts.items())]
    out["structure"] = rows
    return {k: "\n".join(v) for k, v in out.items()}


def _shape(line: str) -> str:
    return re.sub(r"[0-9][0-9.,]*", "#", line)


def write(name: str = "ai-capital") -> list[str]:
    """Replace each block of datasets/README.md by the one computed from the data.

    A block is found by the shape of its first line (numbers aside) and runs to the next
    blank line; returns the first lines of the blocks that were not found.
    """
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "datasets" / "README.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    missing = []
    for text in tables(_dataset(name)).values():
        new = text.split("\n")
        at = [i for i, line in enumerate(lines) if _shape(line) == _shape(new[0])]
        if len(at) != 1 and len(new) == 1:  # a sentence inside a paragraph
            pattern = re.compile(re.sub(r"[0-9][0-9.,]*", lambda m: "[0-9][0-9.,]*",
                                        re.escape(new[0]).replace("\\#", "#")))
            hits = [i for i, line in enumerate(lines) if pattern.search(line)]
            if len(hits) == 1:
                lines[hits[0]] = pattern.sub(lambda m, new=new: new[0], lines[hits[0]], count=1)
                continue
        if len(at) != 1:
            missing.append(new[0])
            continue
        end = at[0]
        while end < len(lines) and lines[end].strip():
            end += 1
        lines[at[0]:end] = new
    path.write_text("\n".join(lines), encoding="utf-8")
    return missing


def main(name: str) -> None:
    for text in tables(_dataset(name)).values():
        print(text + "\n")


if __name__ == "__main__":
    if "--write" in sys.argv:
        for first in write():
            print("not found (paste by hand):", first)
    else:
        main(sys.argv[1] if len(sys.argv) > 1 else "ai-capital")
