"""datasets/README.md describes ai-capital with figures; they must match the data."""
from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

import flowgraph as fg
from flowgraph import schema

README = Path(__file__).resolve().parent.parent / "datasets" / "README.md"
_DATA = README.parent / "ai-capital"

pytestmark = pytest.mark.skipif(not README.exists(), reason="not a source checkout")


def _section(text: str, title: str) -> str:
    start = text.index(title)
    nxt = text.find("\n## ", start + len(title))
    return text[start:] if nxt < 0 else text[start:nxt]


def _table_after(text: str, marker: str) -> list[list[str]]:
    lines = text[text.index(marker):].splitlines()
    rows, seen = [], False
    for line in lines[1:]:
        if line.startswith("|"):
            seen = True
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not set("".join(cells)) <= set("-: "):
                rows.append(cells)
        elif seen:
            break
    return rows[1:]  # without the header


@pytest.fixture(scope="module")
def doc() -> str:
    return _section(README.read_text(encoding="utf-8"), "## `ai-capital`")


@pytest.fixture(scope="module")
def data():
    return fg.load_dataset("ai-capital")


def test_row_counts_match(doc, data):
    d = data.deals
    n_super = d["supersedes"].dropna().astype(str).str.split(r"[;,\s]+").explode()
    n_super = n_super[n_super != ""].nunique()
    tranches = int(d["part_of"].notna().sum())
    m = re.search(r"(\d+) deal rows: (\d+) headline rows,\s+(\d+) superseded rows?, (\d+) tranches; "
                  r"(\d+) rows are estimates\. (\d+) companies\.", doc)
    assert m, "row-count sentence not found"
    total, headline, superseded, tr, est, companies = map(int, m.groups())
    assert total == len(d)
    assert tr == tranches
    assert superseded == n_super
    assert headline == len(d) - tranches - n_super
    assert est == int(d["estimate"].sum())
    assert companies == len(data.companies)


def test_headline_totals_table_matches(doc, data):
    rows = _table_after(doc, "Headline totals by flow type")
    assert rows
    got = {r[0]: r[1:] for r in rows}
    by_scenario = {s: fg.filter_deals(data, scenario=s) for s in ("base", "low", "high")}
    base = by_scenario["base"]
    assert set(got) == set(base["flow_type"])
    for ftype, (n, known, *sums) in got.items():
        part = base[base["flow_type"] == ftype]
        assert int(n) == len(part), ftype
        assert int(known) == int(part["amount_known"].sum()), ftype
        for s, shown in zip(("base", "low", "high"), sums):
            f = by_scenario[s]
            total = float(f.loc[f["flow_type"] == ftype, "amount"].sum())
            assert math.isclose(float(shown), round(total, 1), abs_tol=0.051), (ftype, s)


def test_every_estimate_is_in_the_estimates_table_with_its_range(doc, data):
    rows = _table_after(doc, "### Estimates")
    table = {r[0].strip("`"): r[2] for r in rows}
    est = data.deals[data.deals["estimate"]]
    assert set(table) == set(est["deal_id"])
    for _, r in est.iterrows():
        shown = table[r["deal_id"]]
        nums = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", shown)]
        lo, hi, a = r["amount_low_usd_bn"], r["amount_high_usd_bn"], r["amount_usd_bn"]
        if not (math.isnan(lo) or math.isnan(hi)):
            assert nums[:2] == [lo, hi], r["deal_id"]
        elif not math.isnan(a):
            assert nums[0] == a and "point" in shown, r["deal_id"]
        elif not math.isnan(lo):  # a floor only: no base amount
            assert nums[0] == lo and shown.startswith("at least"), r["deal_id"]
        else:
            assert nums[0] == hi and shown.startswith("at most"), r["deal_id"]


def test_count_of_headline_rows_without_a_base_amount(doc, data):
    m = re.search(r"(\d+) headline rows have no base amount", doc)
    assert m
    assert int(m.group(1)) == int((~fg.filter_deals(data)["amount_known"]).sum())


def test_source_kind_table_and_share_match(doc, data):
    rows = _table_after(doc, "Headline rows by the kind of their `source_url`")
    got = {r[0].strip("`"): r[1:] for r in rows}
    base = fg.filter_deals(data)
    assert set(got) == set(schema.SOURCE_KINDS)
    total = float(base.loc[base["amount_known"], "amount"].sum())
    for kind, (n, known, amount, share) in got.items():
        part = base[base["source_kind"] == kind]
        amt = float(part.loc[part["amount_known"], "amount"].sum())
        assert int(n) == len(part), kind
        assert int(known) == int(part["amount_known"].sum()), kind
        assert math.isclose(float(amount), round(amt, 1), abs_tol=0.051), kind
        assert math.isclose(float(share.rstrip("%")), round(100 * amt / total, 1), abs_tol=0.051)
    m = re.search(r"([\d.]+)% of the headline money \(base scenario, \$([\d.]+)B of "
                  r"\$([\d.]+)B\) rests on `filing`, `company` or `wire_or_major` sources", doc)
    assert m, "firm-share sentence not found"
    firm = base["amount_known"] & base["source_kind"].isin(["filing", "company", "wire_or_major"])
    firm_amt = float(base.loc[firm, "amount"].sum())
    assert math.isclose(float(m.group(2)), round(firm_amt, 1), abs_tol=0.051)
    assert math.isclose(float(m.group(3)), round(total, 1), abs_tol=0.051)
    assert math.isclose(float(m.group(1)), round(100 * firm_amt / total, 1), abs_tol=0.051)


def test_promises_and_cash_sentence_matches(doc, data):
    m = re.search(r"Of \$([\d.]+)B of known money, \$([\d.]+)B is paid, \$([\d.]+)B committed "
                  r"but not yet paid, \$([\d.]+)B only announced or rumored and \$([\d.]+)B "
                  r"conditional; (\d+)% of it is conditional or rests on press reports alone",
                  doc)
    assert m, "promises-and-cash sentence not found"
    f = fg.money_firmness(fg.build_graph(data))
    for shown, value in zip(m.groups()[:5], (f.total, f.paid, f.committed_unpaid,
                                             f.announced_only, f.conditional)):
        assert math.isclose(float(shown), round(value, 1), abs_tol=0.051)
    assert int(m.group(6)) == round(100 * f.share_conditional_or_press_only)


def test_overlap_groups_and_structure_listed(doc, data):
    rows = _table_after(doc, "Their sum in the totals can count the same money twice")
    listed = {r[0].strip("`") for r in rows}
    assert listed == set(data.deals["overlap_group"].dropna())
    for r in rows:
        ids = set(re.findall(r"`([^`]+)`", r[1]))
        group = data.deals[data.deals["overlap_group"] == r[0].strip("`")]
        assert ids == set(group["deal_id"]), r[0]
    d = data.deals
    for sup in d.loc[d["supersedes"].notna(), ["deal_id", "supersedes"]].itertuples():
        assert f"`{sup.deal_id}` supersedes `{sup.supersedes}`" in doc
    for head in set(d["part_of"].dropna()):
        assert f"`{head}` is the headline row of tranches" in doc


def test_every_row_validates_and_every_figure_has_a_source(data):
    report = fg.validate_file(_DATA / "deals.csv", _DATA / "companies.csv")
    assert report.ok, [str(p) for p in report.errors]
    d = data.deals
    assert d["source_url"].notna().all() and d["source_kind"].notna().all()
    assert d["checked"].notna().all()
    assert d.loc[d["paid_usd_bn"].notna(), "paid_source"].notna().all()
    assert d.loc[d["estimate"], "estimate_inputs"].notna().all()
    c = data.companies
    for fig in ("revenue", "market_value", "cash", "debt", "equity"):
        has = c[f"{fig}_usd_bn"].notna()
        assert c.loc[has, f"{fig}_source"].notna().all(), fig
        assert c.loc[has, f"{fig}_as_of"].notna().all(), fig
    assert c.loc[c["useful_life_years"].notna(), "useful_life_source"].notna().all()
    # no book equity older than the same company's cash or debt
    assert not [p for p in report.warnings if "book equity is older" in p.message]
    # structure: a tranche's headline is itself a headline row; nothing supersedes a tranche
    ids = set(d["deal_id"])
    tranches = set(d.loc[d["part_of"].notna(), "deal_id"])
    superseded = {x for v in d["supersedes"].dropna() for x in schema.split_ids(v)}
    assert set(d["part_of"].dropna()) <= ids - tranches - superseded
    assert not superseded & tranches


def test_meta_as_of_is_the_latest_announcement(data):
    dates = [schema.date_bounds(v)[0] for v in data.deals["announced"].dropna()]
    assert data.as_of == max(dates).isoformat()
