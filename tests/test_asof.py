"""--as-of is true to its date: the as-of graph against one built by hand from the dated rows."""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import flowgraph as fg
from flowgraph.cli import main

DATA = Path(__file__).resolve().parent.parent / "datasets" / "ai-capital"  # the checkout


# ----------------------------------------------------------------------------- the reference
def _first_day(text: str) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    parts = [int(p) for p in text.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def _last_day(text: str) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return dt.date(*parts)


_ORDER = ["rumored", "announced", "committed", "disbursed"]  # weakest first, written out here


def _status_then(r: dict[str, str], day: dt.date) -> str:
    """A row's status as of ``day``, by hand: the last dated history entry by then, one step
    below the first entry before it; without a history, committed when paid only later."""
    status = r["status"]
    hist = [e.split("@") for e in (r.get("status_dates") or "").split(";") if e.strip()]
    if hist:
        status = _ORDER[max(_ORDER.index(hist[0][0]) - 1, 0)]  # not yet reached the first
        for st, d in hist:
            if _first_day(d) <= day:
                status = st
    elif status == "disbursed" and (r.get("paid_as_of") or "").strip() \
            and _first_day(r["paid_as_of"]) > day:
        status = "committed"  # paid after the date: committed then
    return status


def _paid_by_hand(r: dict[str, str], day: dt.date, amount: float, status: str) -> float:
    """The paid part of a row's amount as of ``day``, by hand: a paid figure dated by then;
    for a row disbursed then, a later (or undated) paid figure as an upper bound, else the
    whole amount; nothing otherwise."""
    if math.isnan(amount):
        return 0.0
    paid = _num(r.get("paid_usd_bn"))
    if not math.isnan(paid):
        when = _first_day(r.get("paid_as_of") or "")
        if (when is not None and when <= day) or status == "disbursed":
            return min(paid, amount)
        return 0.0
    return amount if status == "disbursed" else 0.0


def _num(text: str) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def _by_hand(rows: list[dict[str, str]], day: dt.date) -> dict[str, tuple]:
    """deal_id -> (payer, payee, amount, status) of the web as of ``day``, built row by row."""
    def dated(r: dict[str, str]) -> bool:
        d = _first_day(r.get("announced") or r.get("period_start") or "")
        return d is not None and d <= day

    now = [r for r in rows if dated(r)]
    replaced = {i.strip() for r in now for i in (r.get("supersedes") or "").split(";") if i.strip()}
    ids = {r["deal_id"] for r in rows}
    tranches: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        if (r.get("part_of") or "").strip():
            tranches.setdefault(r["part_of"].strip(), []).append(r)
    whole = {h for h, ts in tranches.items()
             if any(r["deal_id"] == h and dated(r) for r in rows) and all(dated(t) for t in ts)}
    out = {}
    for r in now:
        if r["deal_id"] in replaced:
            continue
        head = (r.get("part_of") or "").strip()
        if head:
            if head not in ids or head in whole:
                continue
        elif r["deal_id"] in tranches and r["deal_id"] not in whole:
            continue
        amount = _num(r.get("amount_usd_bn"))
        if math.isnan(amount):
            lo, hi = _num(r.get("amount_low_usd_bn")), _num(r.get("amount_high_usd_bn"))
            amount = (lo + hi) / 2
        out[r["deal_id"]] = (r["payer"], r["payee"], amount, _status_then(r, day))
    return out


def _month_ends(first: dt.date, last: dt.date):
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        yield dt.date(y, m, calendar.monthrange(y, m)[1])
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _from_graph(G) -> dict[str, tuple]:
    return {k: (u, v, d["amount"], d["status"]) for u, v, k, d in G.edges(keys=True, data=True)}


def _same(a: dict[str, tuple], b: dict[str, tuple]) -> bool:
    if set(a) != set(b):
        return False
    for k in a:
        x, y = a[k], b[k]
        if x[:2] != y[:2] or x[3] != y[3]:
            return False
        if not (x[2] == y[2] or (math.isnan(x[2]) and math.isnan(y[2]))):
            return False
    return True


@pytest.fixture(scope="module")
def bundled_rows() -> list[dict[str, str]]:
    with open(DATA / "deals.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def bundled() -> fg.Dataset:
    return fg.load_dataset("ai-capital")


# ----------------------------------------------------------------------------- differential
def test_every_month_matches_the_graph_built_by_hand(bundled, bundled_rows):
    last = dt.date.fromisoformat(bundled.as_of)
    months = list(_month_ends(dt.date(2023, 1, 1), last))
    assert len(months) >= 40
    for day in months:
        G = fg.build_graph(bundled, as_of=day.isoformat())
        want = _by_hand(bundled_rows, day)
        got = _from_graph(G)
        assert _same(got, want), (day, set(got) ^ set(want))
        # the paid part of every deal, by hand, and the firmness split's
        rows = {r["deal_id"]: r for r in bundled_rows}
        split = fg.firmness.firmness_split(G).set_index("deal_id")["paid"]
        paid = {k: _paid_by_hand(rows[k], day, want[k][2], want[k][3]) for k in want}
        assert split.to_dict() == pytest.approx(paid), day
        # the companies with a deal are those in a deal dated by then
        names = {r[k] for r in bundled_rows for k in ("payer", "payee")
                 if _first_day(r.get("announced") or r.get("period_start") or "") is not None
                 and _first_day(r.get("announced") or r.get("period_start")) <= day}
        assert {n for n in G if G.degree(n)} == names, day


def _own_rows() -> list[dict[str, str]]:
    cols = ["deal_id", "payer", "payee", "amount_usd_bn", "amount_low_usd_bn",
            "amount_high_usd_bn", "flow_type", "status", "announced", "period_start",
            "supersedes", "part_of", "status_dates", "paid_usd_bn", "paid_as_of"]
    data = [
        # a headline of 30 = 10 (2024-02) + 20 (2024-09), dated by its first tranche
        ("H", "A", "B", "30", "", "", "compute_contract", "committed", "2024-02-10", "", "", "", "", "", ""),
        ("H1", "A", "B", "10", "", "", "compute_contract", "committed", "2024-02-10", "", "", "H", "", "", ""),
        ("H2", "A", "B", "20", "", "", "compute_contract", "committed", "2024-09-01", "", "", "H", "", "", ""),
        # a letter of intent replaced by a smaller signed deal
        ("LOI", "B", "C", "100", "", "", "equity_investment", "announced", "2024-03", "", "", "", "", "", ""),
        ("SIGNED", "B", "C", "40", "", "", "equity_investment", "committed", "2025-01-15", "", "LOI", "", "", "", ""),
        # a deal whose status moved, paid later
        ("MOVED", "C", "A", "", "6", "8", "chip_purchase", "disbursed", "2024-01-05", "", "", "",
         "announced@2024-01-05;committed@2024-06;disbursed@2025-02-01", "7", "2025-02-01"),
        # dated only by year, and undated
        ("YEAR", "C", "D", "5", "", "", "lease", "committed", "", "2024", "", "", "", "", ""),
        ("NODATE", "D", "A", "2", "", "", "other", "committed", "", "", "", "", "", "", ""),
        # disbursed, with no dated history but the date of its payment
        ("PAIDLATE", "D", "B", "5", "", "", "equity_investment", "disbursed", "2024-02", "", "",
         "", "", "5", "2025-01-10"),
    ]
    return [dict(zip(cols, r)) for r in data]


def test_own_table_every_month_matches_by_hand():
    rows = _own_rows()
    df = pd.DataFrame(rows)
    for day in _month_ends(dt.date(2023, 1, 1), dt.date(2025, 6, 30)):
        G = fg.build_graph(df, as_of=day.isoformat())
        assert _same(_from_graph(G), _by_hand(rows, day)), day


def test_own_table_details():
    df = pd.DataFrame(_own_rows())
    G = fg.build_graph(df, as_of="2024-06")
    got = _from_graph(G)
    assert got["H1"][2] == 10 and "H" not in got and "H2" not in got
    assert got["LOI"][2] == 100 and "SIGNED" not in got
    assert got["MOVED"][3] == "committed"  # committed@2024-06 may fall by 2024-06-30
    assert G["C"]["A"]["MOVED"]["paid_usd_bn"] != G["C"]["A"]["MOVED"]["paid_usd_bn"]  # NaN
    assert "YEAR" in got and "NODATE" not in got
    assert got["PAIDLATE"][3] == "committed"  # paid 2025-01-10: committed as of 2024-06
    counts = G.graph["as_of_counts"]
    assert (counts.undated, counts.split_headlines, counts.coarse) == (1, ("H",), 1)
    note = G.graph["as_of_note"]
    assert "1 deal with no date left out" in note and "(H)" in note
    assert "dated only to a month or year" in note
    # statuses filter reads the status then
    assert set(fg.filter_deals(df, as_of="2024-03", statuses="announced")["deal_id"]) == {"LOI", "MOVED"}
    later = fg.build_graph(df, as_of="2025-03")
    assert _from_graph(later)["SIGNED"][2] == 40 and "LOI" not in _from_graph(later)
    assert later["C"]["A"]["MOVED"]["status"] == "disbursed"
    assert later["C"]["A"]["MOVED"]["paid_usd_bn"] == 7
    assert later["D"]["B"]["PAIDLATE"]["status"] == "disbursed"
    assert _from_graph(later)["H"][2] == 30
    # the latest view keeps the undated row and says nothing
    latest = fg.build_graph(df)
    assert "NODATE" in _from_graph(latest) and latest.graph["as_of_note"] == ""
    # the caller's table is untouched
    assert list(df["status"]) == [r["status"] for r in _own_rows()]


# ----------------------------------------------------------------------------- the issue's cases
def test_cases_from_the_issue(bundled):
    G = fg.build_graph(bundled, as_of="2025-12")
    D = fg.collapse(G)
    assert D["OpenAI"]["Amazon"]["amount"] == pytest.approx(38.0)
    assert D["Meta"]["CoreWeave"]["amount"] == pytest.approx(14.2)
    assert "NVDA-OAI-LOI-100" in G["Nvidia"]["OpenAI"]
    # OpenAI -> CoreWeave contracts as of 2025-06: 11.9 + 4, not 22.4 (6.5 came 2025-09-25)
    H = fg.build_graph(bundled, as_of="2025-06", flow_types="compute_contract")
    assert fg.collapse(H)["OpenAI"]["CoreWeave"]["amount"] == pytest.approx(15.9)
    later = fg.build_graph(bundled, as_of="2026-03")
    assert "NVDA-OAI-2026-30" in later["Nvidia"]["OpenAI"]
    assert "NVDA-OAI-LOI-100" not in later["Nvidia"]["OpenAI"]


def test_a_lease_signed_in_two_steps_counts_only_the_first_before_the_second(bundled):
    # TeraWulf's Lake Mariner leases: CB-3/CB-4 ($3.7B) announced 2025-08-14, CB-5 only
    # 2025-08-18; the $6.7B headline must not count in a view of 2025-08-15
    def lake_mariner(as_of):
        G = fg.build_graph(bundled, as_of=as_of)
        return {k: d["amount"] for _, _, k, d in G.edges(keys=True, data=True)
                if k.startswith("FSTK-WULF-") and "ABERNATHY" not in k}
    assert lake_mariner("2025-08-15") == {"FSTK-WULF-CB34": pytest.approx(3.7)}
    assert lake_mariner("2025-08-18") == {"FSTK-WULF-LEASE": pytest.approx(6.7)}
    assert lake_mariner("2025-08-13") == {}


def test_rows_reached_in_steps_count_each_step_from_its_own_date(bundled):
    def amounts(as_of, prefix):
        G = fg.build_graph(bundled, as_of=as_of)
        return {k: d["amount"] for _, _, k, d in G.edges(keys=True, data=True)
                if k.startswith(prefix)}
    # Applied Digital's leases: $7B from 2025-06-02, the third lease only from 2025-08-29
    assert amounts("2025-07", "CRWV-APLD-") == {"CRWV-APLD-7": pytest.approx(7.0)}
    assert amounts("2025-09", "CRWV-APLD-") == {"CRWV-APLD-11": pytest.approx(11.0)}
    # Amazon's OpenAI talks: "$10 billion or more" (a floor) before the $50B was reported
    G = fg.build_graph(bundled, as_of="2026-01-15")
    assert {k for *_, k in G.edges(keys=True) if k.startswith("AMZN-OAI-")} == {"AMZN-OAI-10"}
    assert "AMZN-OAI-50" in fg.build_graph(bundled, as_of="2026-02")["Amazon"]["OpenAI"]
    # Oracle's Nvidia chips for Abilene: 64,000 GB200s (no value) from 2025-03-06, $40B only
    # from 2025-05-23
    G = fg.build_graph(bundled, as_of="2025-04")
    early = [d for *_, k, d in G.edges(keys=True, data=True) if k.startswith("ORCL-NVDA-")]
    assert [d["deal_id"] for d in early] == ["ORCL-NVDA-64K"] and early[0]["amount"] != early[0]["amount"]
    # Broadcom's Anthropic orders: $10B from 2025-09-04, $21B only from 2025-12-11
    assert amounts("2025-10", "ANT-AVGO-") == {"ANT-AVGO-10": pytest.approx(10.0)}
    assert amounts("2025-12-11", "ANT-AVGO-2") == {"ANT-AVGO-21": pytest.approx(21.0)}


def test_latest_date_equals_latest_view_without_undated(bundled):
    G = fg.build_graph(bundled, as_of=bundled.as_of)
    full = fg.build_graph(bundled)
    undated = {k for _, _, k, d in full.edges(keys=True, data=True) if d["date_lo"] is None}
    assert set(_from_graph(G)) == set(_from_graph(full)) - undated
    assert G.graph["as_of_counts"].undated == len(undated)


def test_cli_says_how_many_left_out(tmp_path):
    # the bundled data dates every deal: what the rule leaves out there is deals dated later
    counts = fg.build_graph(fg.load_dataset("ai-capital"), as_of="2025-12").graph["as_of_counts"]
    later = f"{counts.later} deals dated later not counted"
    assert counts.later > 0 and counts.undated == 0
    res = CliRunner().invoke(main, ["summary", "--as-of", "2025-12", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert later in " ".join(res.output.split())
    res = CliRunner().invoke(main, ["cycles", "--as-of", "2025-12", "--through", "Amazon"])
    assert res.exit_code == 0
    assert "$138bn" not in res.output and "$38bn to Amazon" in res.output
    assert later in " ".join(res.output.split())
    # a table with an undated deal (NODATE) says it left it out
    path = tmp_path / "deals.csv"
    pd.DataFrame(_own_rows()).assign(source_url="https://example.org").to_csv(path, index=False)
    res = CliRunner().invoke(main, ["summary", "--deals", str(path), "--as-of", "2024-06"])
    assert res.exit_code == 0, res.output
    assert "1 deal with no date left out" in " ".join(res.output.split())


def test_bad_status_dates_is_refused():
    rows = _own_rows()
    rows[5]["status_dates"] = "committed@2024-13"
    with pytest.raises(fg.FlowgraphError, match="status_dates"):
        fg.build_graph(pd.DataFrame(rows), as_of="2024-06")


def test_companies_without_a_deal_by_then_are_counted_in_the_note(bundled, bundled_rows):
    day = dt.date(2019, 12, 31)
    G = fg.build_graph(bundled, as_of=day.isoformat())
    in_web = {r[k] for r in bundled_rows for k in ("payer", "payee")
              if _first_day(r.get("announced") or r.get("period_start") or "") is not None
              and _first_day(r.get("announced") or r.get("period_start")) <= day}
    idle = len(set(G.nodes) - in_web)
    assert idle > 0
    assert f"{idle} companies of the companies table have no deal dated by then" in \
        G.graph["as_of_note"]


def test_deals_written_as_of_a_date_hold_nothing_learned_after_it(tmp_path):
    """`deals --format csv/json` and `export --to deals-csv` with --as-of give each row as it
    stood then: the status then (as the table view says), the history cut at the date, and
    no payment dated later; the file reads back, and without --as-of the rows are the
    file's."""
    path = tmp_path / "d.csv"
    path.write_text(
        "deal_id,payer,payee,amount_usd_bn,flow_type,status,announced,source_url,"
        "paid_usd_bn,paid_as_of,paid_source,status_dates,confidence\n"
        "D1,A,B,10,compute_contract,disbursed,2025-01-01,https://x.example/a,5,2025-06-01,"
        "https://x.example/p,committed@2025-01-01;disbursed@2025-06-01,high\n"
        "D2,B,A,3,chip_purchase,disbursed,2025-02-01,https://x.example/b,3,2025-05-01,"
        "https://x.example/q,,high\n"
        "D3,A,B,1,other,disbursed,2025-01-15,https://x.example/c,1,2025-02-01,"
        "https://x.example/r,,high\n")
    run = CliRunner()
    table = run.invoke(main, ["deals", "--deals", str(path), "--as-of", "2025-03-01"])
    assert table.exit_code == 0, table.output
    shown = {ln.split()[0]: ln.split() for ln in table.output.splitlines()
             if ln[:2] in ("D1", "D2", "D3")}
    assert [("committed" in shown[d], "disbursed" in shown[d]) for d in ("D1", "D2", "D3")] \
        == [(True, False), (True, False), (False, True)]
    for fmt in ("csv", "json"):
        out = tmp_path / f"then.{fmt}"
        res = run.invoke(main, ["deals", "--deals", str(path), "--as-of", "2025-03-01",
                                "--format", fmt, "-o", str(out)])
        assert res.exit_code == 0, res.output
        then = fg.read_deals(out).set_index("deal_id")
        assert then["status"].to_dict() == {"D1": "committed", "D2": "committed",
                                             "D3": "disbursed"}
        assert then.loc["D1", "status_dates"] == "committed@2025-01-01"
        assert math.isnan(then.loc["D1", "paid_usd_bn"]) and then.loc["D1", "paid_as_of"] is None
        assert math.isnan(then.loc["D2", "paid_usd_bn"]) and then.loc["D2", "paid_source"] is None
        assert then.loc["D3", "paid_usd_bn"] == 1 and then.loc["D3", "paid_as_of"] == "2025-02-01"
    exported = tmp_path / "export.csv"
    res = run.invoke(main, ["export", "--deals", str(path), "--as-of", "2025-03-01", "--to",
                            "deals-csv", "-o", str(exported)])
    assert res.exit_code == 0, res.output
    assert fg.read_deals(exported)["status"].tolist() == ["committed", "committed", "disbursed"]
    now = tmp_path / "now.csv"
    assert run.invoke(main, ["deals", "--deals", str(path), "--format", "csv", "-o",
                             str(now)]).exit_code == 0
    assert fg.read_deals(now).set_index("deal_id").loc["D1", "paid_usd_bn"] == 5


# --- an unreadable or blank --as-of is a usage error naming the option and the value -----
@pytest.mark.parametrize(("value", "why"), [
    ("2024-02-30", "day is out of range for month"),
    ("2024-13", "month out of range"),
    ("garbage", ""),
    ("2024-2", ""),
    ("", "blank"),
    ("   ", "blank"),
])
def test_unreadable_as_of_is_a_usage_error(value, why):
    for cmd in (["summary"], ["deals", "--format", "csv"], ["timeline"]):
        r = CliRunner().invoke(main, [*cmd, "--as-of", value])
        assert r.exit_code == 2, (cmd, value, r.output)
        err = " ".join(r.stderr.split())
        assert "--as-of" in err and repr(value) in r.stderr, r.stderr
        assert "YYYY, YYYY-MM or YYYY-MM-DD" in err and why in err
        assert "Traceback" not in r.output


@pytest.mark.parametrize("value", ["2024-02-30", "", "２０２４"])
def test_unreadable_timeline_start_is_a_usage_error_too(value):
    r = CliRunner().invoke(main, ["timeline", "--start", value])
    assert r.exit_code == 2, r.output
    assert "--start" in r.stderr and repr(value) in r.stderr and "YYYY-MM-DD" in r.stderr


def test_readable_as_of_still_reads():
    for value in ("2025", "2025-03", "2025-03-31"):
        r = CliRunner().invoke(main, ["summary", "--as-of", value, "--table", "headline"])
        assert r.exit_code == 0, r.output
        assert f"as of {value}" in r.stdout
