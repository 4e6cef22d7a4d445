"""The as-of rule where a figure is only known later: later paid figures (upper bounds),
status histories starting after the date, amounts over a period not over by then, and the
company figures (revenue shares, annual revenue) of a later period."""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

import flowgraph as fg
from flowgraph import timeframe
from flowgraph.firmness import firmness_split, money_firmness
from flowgraph.profile import company_profile, reported_revenue_shares

DATA = Path(__file__).resolve().parent.parent / "datasets" / "ai-capital"

COLS = ["deal_id", "payer", "payee", "amount_usd_bn", "flow_type", "status", "announced",
        "period_start", "period_end", "status_dates", "paid_usd_bn", "paid_as_of", "paid_source"]


def _table(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame([dict(zip(COLS, r)) for r in rows])


def _paid(G) -> dict[str, float]:
    return firmness_split(G).set_index("deal_id")["paid"].to_dict()


@pytest.fixture(scope="module")
def bundled() -> fg.Dataset:
    return fg.load_dataset("ai-capital")


@pytest.fixture(scope="module")
def rows() -> dict[str, dict[str, str]]:
    with open(DATA / "deals.csv", newline="", encoding="utf-8") as fh:
        return {r["deal_id"]: r for r in csv.DictReader(fh)}


# ----------------------------------------------------------------- 1. a later paid figure
LOAN = ("L", "Lenders", "Co", 7.5, "debt_financing", "disbursed", "2024-05-16", None, None,
        "committed@2024-05-16;disbursed@2024-12-31", 4.954, "2025-06-30", "https://x.example")


def test_a_later_paid_figure_is_an_upper_bound_never_the_full_amount():
    df = _table(LOAN)
    then = fg.build_graph(df, as_of="2025-03-31")
    m = money_firmness(then)
    # disbursed then; paid by then is at most the later figure, the rest committed
    assert then["Lenders"]["Co"]["L"]["status"] == "disbursed"
    assert m.paid == pytest.approx(4.954) and m.committed_unpaid == pytest.approx(7.5 - 4.954)
    assert (m.paid_bound, m.n_paid_bound) == (pytest.approx(4.954), 1)
    assert "at most" in m.sentence() and "upper bound" in m.sentence()
    assert any("upper bound" in n and "2025-03-31" in n for n in m.notes)
    counts = then.graph["as_of_counts"]
    assert (counts.paid_bound, counts.paid_later) == (1, 0)
    note = then.graph["as_of_note"]
    assert ("1 deal disbursed by then counted as paid up to a figure known only after the date "
            "(a paid figure dated later or undated, the rest as committed, not paid; or the "
            "total of a period ending later), an upper bound of what was paid by then") in note
    # the latest view: the figure is dated, nothing is a bound
    now = money_firmness(fg.build_graph(df))
    assert now.paid == pytest.approx(4.954) and now.n_paid_bound == 0
    assert "at most" not in now.sentence()
    # before the loan was disbursed: nothing paid, the figure left out
    before = fg.build_graph(df, as_of="2024-09-30")
    assert _paid(before) == {"L": 0.0}
    assert before.graph["as_of_counts"].paid_later == 1


def test_an_undated_paid_figure_of_a_disbursed_row_is_a_bound_too():
    row = ("U", "A", "B", 10.0, "other", "disbursed", "2024-01-10", None, None, None, 3.0, None,
           "https://x.example")
    G = fg.build_graph(_table(row), as_of="2024-06-30")
    assert _paid(G) == {"U": pytest.approx(3.0)}
    assert G.graph["as_of_counts"].paid_bound == 1


def test_a_table_written_as_of_the_date_keeps_the_bound_with_its_later_date():
    # left out, the disbursed row would read back as paid in full (7.5), more than the
    # bound (4.954) the as-of view counts; kept with its date, the file says when it was known
    then = timeframe.rows_as_of(fg.io.normalize_deals(_table(LOAN)), "2025-03-31")
    assert then["paid_usd_bn"].iloc[0] == 4.954 and then["paid_as_of"].iloc[0] == "2025-06-30"
    assert _paid(fg.build_graph(then)) == _paid(fg.build_graph(_table(LOAN),
                                                               as_of="2025-03-31"))
    # a row not yet disbursed then still has its later payment left out
    early = timeframe.rows_as_of(fg.io.normalize_deals(_table(LOAN)), "2024-06-30")
    assert early["status"].iloc[0] == "committed" and math.isnan(early["paid_usd_bn"].iloc[0])


def test_an_export_as_of_a_date_reads_back_as_the_as_of_view(bundled, tmp_path):
    """`export --as-of D` then analysing the file counts what the as-of view counts: the
    same rows (a headline counted by its dated tranches is left out, its tranches written on
    their own), the same amounts and the same paid split, deal by deal."""
    from click.testing import CliRunner

    from flowgraph.cli import main

    for day in ("2024-06-30", "2025-03-31", "2025-09-30", "2026-01-31"):
        out = tmp_path / f"then-{day}.csv"
        res = CliRunner().invoke(main, ["export", "--as-of", day, "--to", "deals-csv",
                                        "-o", str(out)])
        assert res.exit_code == 0, res.output
        view = fg.filter_deals(bundled, as_of=day).set_index("deal_id")
        back = fg.filter_deals(fg.read_deals(out)).set_index("deal_id")
        assert sorted(back.index) == sorted(view.index), day
        pd.testing.assert_series_equal(back["amount"].sort_index(),
                                       view["amount"].sort_index(), check_names=False)
        again = _paid(fg.build_graph(fg.read_deals(out)))
        then = _paid(fg.build_graph(bundled, as_of=day))
        assert again == pytest.approx(then), day


def test_paid_never_falls_as_the_date_moves_on(bundled):
    """Payments only add up: for every deal the paid part as of a month is at most the paid
    part as of any later month (the audit's case paid 9.8 in 2025-03 and 7.3 later)."""
    months = timeframe.period_ends(dt.date(2019, 1, 1), dt.date.fromisoformat(bundled.as_of),
                                   "month")
    last: dict[str, float] = {}
    for day in months:
        for k, v in _paid(fg.build_graph(bundled, as_of=day.isoformat())).items():
            assert v >= last.get(k, 0.0) - 1e-9, (k, day, v, last.get(k))
            last[k] = v
    latest = _paid(fg.build_graph(bundled))
    for k, v in last.items():
        assert v <= latest.get(k, math.inf) + 1e-9, k


def test_the_audit_case_coreweave_ddtl(bundled, rows):
    def paid_of(**kw):
        G = fg.build_graph(bundled, **kw)
        G = G.edge_subgraph([e for e in G.edges(keys=True)
                             if "CoreWeave DDTL lenders" in e[:2]])
        return money_firmness(G).paid

    r1, r2 = rows["CRWV-DDTL1-2.3"], rows["CRWV-DDTL2-7.5"]
    # by hand: DDTL1 disbursed with no paid figure counts whole; DDTL2 at most its later figure
    want = float(r1["amount_usd_bn"]) + float(r2["paid_usd_bn"])
    assert paid_of(as_of="2025-03-31") == pytest.approx(want)
    assert paid_of(as_of="2025-03-31") <= paid_of() + 1e-9


# ------------------------------------------------------- 2. a history starting after the date
@pytest.mark.parametrize("deal", ["OEM-CRWV-FIN-2024", "CRWV-NOTES-2030-2",
                                  "MAGNETAR-CRWV-LOAN"])
def test_before_its_first_dated_status_a_disbursed_deal_was_committed(bundled, rows, deal):
    first_status, first_day = rows[deal]["status_dates"].split(";")[0].split("@")
    assert first_status == "disbursed"
    first = timeframe.as_of_limit(first_day)
    before = (first - dt.timedelta(days=1)).isoformat()
    G = fg.build_graph(bundled, as_of=before)
    got = {k: d for *_, k, d in G.edges(keys=True, data=True)}
    assert deal in got  # its coarse date ("2024", "2025") may fall by then
    assert got[deal]["status"] == "committed"
    assert _paid(G)[deal] == 0.0
    after = {k: d for *_, k, d in fg.build_graph(bundled, as_of=first_day).edges(keys=True,
                                                                                 data=True)}
    assert after[deal]["status"] == "disbursed"


def test_the_status_before_the_first_entry_is_one_step_below_it():
    table = _table(
        ("C", "A", "B", 1.0, "other", "committed", "2024-01", None, None,
         "committed@2024-03-01", None, None, None),
        ("N", "A", "B", 1.0, "other", "announced", "2024-01", None, None,
         "announced@2024-03-01", None, None, None),
        ("R", "A", "B", 1.0, "other", "rumored", "2024-01", None, None,
         "rumored@2024-03-01", None, None, None),
        ("D", "A", "B", 1.0, "other", "disbursed", "2024-01", None, None,
         "disbursed@2024-03-01", None, None, None))
    G = fg.build_graph(table, as_of="2024-02-15")
    got = {k: d["status"] for *_, k, d in G.edges(keys=True, data=True)}
    assert got == {"C": "announced", "N": "rumored", "R": "rumored", "D": "committed"}
    assert G.graph["as_of_counts"].status_rewound == 3
    # a mutated rule (the first entry's status whatever its date) would keep them as recorded
    assert fg.build_graph(table, as_of="2024-03-01").graph["as_of_counts"].status_rewound == 0


# ------------------------------------------------------ 3. an amount over a running period
def _running_by_hand(r: dict[str, str], day: dt.date) -> bool:
    """Dated by its period (no announced date) and the period's last day after ``day``."""
    if r["announced"] or not r["period_start"]:
        return False
    parts = [int(x) for x in (r["period_end"] or r["period_start"]).split("-")]
    y, m = parts[0], parts[1] if len(parts) > 1 else 12
    last = dt.date(y, m, parts[2] if len(parts) > 2 else calendar.monthrange(y, m)[1])
    return last > day


def test_a_total_over_a_period_not_over_is_an_upper_bound_of_the_paid(bundled, rows):
    r = rows["CRWV-NVDA-GPU"]
    assert not r["announced"] and r["period_start"] == "2019" and r["period_end"] == "2024"
    G = fg.build_graph(bundled, as_of="2019-06-30")
    d = G["CoreWeave"]["Nvidia"]["CRWV-NVDA-GPU"]
    assert d["status"] == "disbursed"  # money was flowing: a running flow is no promise
    m = money_firmness(G)
    # by hand: every disbursed deal of a period running past the date, with no paid figure,
    # is paid money that is a bound
    day = dt.date(2019, 6, 30)
    edges = {k: e for *_, k, e in G.edges(keys=True, data=True)}
    want = sum(e["amount"] for k, e in edges.items() if e["amount_known"]
               and e["status"] == "disbursed" and _running_by_hand(rows[k], day))
    assert want == pytest.approx(d["amount"])
    assert m.paid_bound == pytest.approx(want) and m.n_paid_bound == 1
    assert "at most" in m.sentence() and "period ending later" in m.sentence()
    counts = G.graph["as_of_counts"]
    assert counts.period_running == sum(_running_by_hand(rows[k], day) for k in edges)
    assert counts.paid_bound == sum(e["status"] == "disbursed" and _running_by_hand(rows[k], day)
                                    for k, e in edges.items())  # known amount or not
    note = G.graph["as_of_note"]
    assert "dated only by a period ending after the date counted at the period's whole total" \
        in note and "an upper bound of what was paid by then" in note
    # no promise is made up: nothing of it is committed-unpaid
    assert firmness_split(G).set_index("deal_id").loc["CRWV-NVDA-GPU", "committed_unpaid"] == 0
    # once the period is over the total is a fact: paid in full, no bound
    later = fg.build_graph(bundled, as_of="2025-01-31")
    assert _paid(later)["CRWV-NVDA-GPU"] == pytest.approx(d["amount"])
    df = fg.summary.deals_frame(later)
    bound = dict(zip(df["deal_id"], timeframe.paid_bounds(df, dt.date(2025, 1, 31))))
    assert not bound["CRWV-NVDA-GPU"]
    bound = dict(zip(*(lambda f: (f["deal_id"], timeframe.paid_bounds(f, day)))(
        fg.summary.deals_frame(G))))
    assert bound["CRWV-NVDA-GPU"]


def test_a_period_given_by_its_start_alone_runs_to_the_end_of_that_year():
    table = _table(("Y", "A", "B", 2.0, "chip_purchase", "disbursed", None, "2020", None, None,
                    None, None, None),
                   ("S", "A", "B", 3.0, "chip_purchase", "disbursed", "2020-02-01", "2020",
                    "2024", None, None, None, None))
    mid = fg.build_graph(table, as_of="2020-06-30")
    # Y: a 2020 total, not over; S: announced, its amount known at announcement
    c = mid.graph["as_of_counts"]
    assert (c.period_running, c.paid_bound) == (1, 1)
    assert money_firmness(mid).paid_bound == pytest.approx(2.0)
    end = fg.build_graph(table, as_of="2020-12-31")
    assert _paid(end) == {"Y": 2.0, "S": 3.0}
    assert end.graph["as_of_counts"].period_running == 0 and money_firmness(end).paid_bound == 0


# ------------------------------------------------ 4. company figures of a later period
def test_revenue_shares_as_of_a_date_are_those_of_periods_over_by_then():
    shares = pd.read_csv(DATA / "revenue_shares.csv")
    day = dt.date(2024, 6, 30)
    crwv = shares[shares["company"] == "CoreWeave"]
    # by hand: per counterparty, the latest period ended by then
    ended = crwv[[timeframe.as_of_limit(str(a)) <= day for a in crwv["as_of"]]]
    want = ended.sort_values("as_of").groupby("counterparty").tail(1)
    got = reported_revenue_shares(shares, "CoreWeave", as_of=day.isoformat())
    assert dict(zip(got["counterparty"], got["share"])) == \
        dict(zip(want["counterparty"], want["share"]))
    assert dict(zip(got["counterparty"], got["period"].astype(str))) == {"Microsoft": "2023"}


def test_company_page_as_of_a_date_uses_the_shares_known_then(bundled):
    G = fg.build_graph(bundled, as_of="2024-06-30")
    p = company_profile(G, "CoreWeave", revenue_shares=bundled.revenue_shares, stress=False)
    dep = p.dependence.set_index("counterparty")
    assert dep.loc["Microsoft", "share_of_reported_revenue"] == pytest.approx(0.35)
    assert dep.loc["Microsoft", "revenue_period"] == "2023"
    assert "Nvidia" not in dep.index or math.isnan(dep.loc["Nvidia", "share_of_reported_revenue"])
    assert any("Nvidia left out, reported only for a period ending after 2024-06-30" in n
               for n in p.notes)
    assert any("dated after 2024-06-30" in n and "revenue (annual)" in n.lower()
               for n in p.notes)
    # the latest view: the latest share, no as-of notes
    now = company_profile(fg.build_graph(bundled), "CoreWeave",
                          revenue_shares=bundled.revenue_shares, stress=False)
    assert now.dependence.set_index("counterparty").loc["Microsoft", "revenue_period"] == "2025"
    assert not any("left out, reported only" in n for n in now.notes)


def test_a_company_figure_of_a_later_period_is_marked_later():
    from flowgraph.report import _as_of_suffix

    limit = dt.date(2025, 3, 31)
    # annual revenue for 2025 is not known on 2025-03-31
    assert timeframe.is_later("2025", limit) and not timeframe.is_later("2024-12-31", limit)
    assert "later than the as-of date 2025-03-31" in _as_of_suffix("2025", "2026-06-30", limit)
    assert _as_of_suffix("2024-12-31", "2026-06-30", limit) == " (2024-12-31)"
    assert _as_of_suffix("2023-06-30", "2026-06-30", limit) == \
        " (2023-06-30; more than a year older than the as-of date)"
    assert _as_of_suffix("2025", "2026-06-30") == " (2025)"  # the latest view: no mark
    assert _as_of_suffix("2025-12-31", "2026-06-30") == " (2025-12-31)"  # a full date is shown
    import networkx as nx

    G = nx.MultiDiGraph()
    G.add_node("A", revenue_as_of="2025")
    assert "1 company has figures dated after 2025-03-31" in \
        timeframe.company_figures_note(G, limit)
