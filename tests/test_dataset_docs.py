"""datasets/README.md describes ai-capital with figures; they must match the data."""
from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

import flowgraph as fg

README = Path(__file__).resolve().parent.parent / "datasets" / "README.md"

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
        if math.isnan(r["amount_low_usd_bn"]):
            assert nums[0] == r["amount_usd_bn"], r["deal_id"]
        else:
            assert nums[:2] == [r["amount_low_usd_bn"], r["amount_high_usd_bn"]], r["deal_id"]


def test_count_of_headline_rows_without_a_base_amount(doc, data):
    m = re.search(r"(\d+) headline rows have no base amount", doc)
    assert m
    assert int(m.group(1)) == int((~fg.filter_deals(data)["amount_known"]).sum())
