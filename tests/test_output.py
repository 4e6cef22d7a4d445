"""Output a script can trust, and choosing one company's deals.

Machine formats (csv, json) give every row and one table per CSV; what `deals` and `export`
write reads back with read_deals to the same table; human formats round and choose percent or
multiple once per measure; --company means every deal touching the company, --among the old
"deals among these", --around a neighbourhood; an empty result says which filter did it.
"""
from __future__ import annotations

import io
import json
import re

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

import flowgraph as fg
from flowgraph.cli import main
from flowgraph.selection import select_companies


def run(*args):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def ai():
    return fg.load_dataset("ai-capital")


# ----------------------------------------------------------------------------- machine formats
def test_cycles_csv_and_json_give_every_loop_and_the_table_says_it_stops():
    found = fg.find_cycles(fg.build_graph(fg.load_dataset("ai-capital")), limit=None)
    assert found.n_found > 20  # else the test would not test the default limit
    csv = run("cycles", "--format", "csv")
    assert csv.exit_code == 0, csv.output
    assert len(pd.read_csv(io.StringIO(csv.stdout))) == found.n_found
    js = json.loads(run("cycles", "--format", "json").stdout)
    assert len(js["cycles"]) == found.n_found
    assert {h["rank"] for h in js["hops"]} == set(range(1, found.n_found + 1))
    table = run("cycles")
    assert f"{found.n_found} loops" in table.stdout and "showing the first 20" in table.stdout
    assert "--limit N for more" in table.stdout
    limited = run("cycles", "--format", "csv", "--limit", "5")
    assert len(pd.read_csv(io.StringIO(limited.stdout))) == 5


def test_multi_table_csv_is_one_table_per_file(tmp_path):
    r = run("stress", "--dataset", "toy", "--fail", "LabCo", "--format", "csv")
    assert r.exit_code == 2 and "--table NAME" in r.output and "stress_test, companies" in r.output
    r = run("stress", "--dataset", "toy", "--fail", "LabCo", "--format", "csv", "--table",
            "companies")
    assert r.exit_code == 0, r.output
    df = pd.read_csv(io.StringIO(r.stdout))
    assert "company" in df.columns and "LabCo" in set(df["company"])
    out = tmp_path / "tables"
    out.mkdir()
    r = run("summary", "--dataset", "toy", "--format", "csv", "-o", str(out))
    assert r.exit_code == 0, r.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["by_flow_type.csv", "by_status.csv", "headline.csv", "largest_payees.csv",
                     "largest_payers.csv"]
    for p in out.iterdir():
        pd.read_csv(p)  # each one parses
    payload = json.loads(run("summary", "--dataset", "toy", "--format", "json").stdout)
    assert set(payload) == {"Headline", "By flow type", "By status", "Largest payers",
                            "Largest payees", "notes"}
    r = run("summary", "--dataset", "toy", "--table", "nope")
    assert r.exit_code == 2 and "by_flow_type" in r.output
    r = run("cycles", "--dataset", "toy", "--format", "csv", "--table", "deals")
    assert "source_url" in pd.read_csv(io.StringIO(r.stdout)).columns


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_deals_output_reads_back_to_the_same_table(tmp_path, ai, fmt):
    r = run("deals", "--format", fmt)
    assert r.exit_code == 0, r.output
    path = tmp_path / f"d.{fmt}"
    path.write_text(r.stdout, encoding="utf-8")
    back = fg.read_deals(path)
    assert not fg.validate_file(path).errors
    key = "deal_id"
    listing = ["counted", "not_counted_because"]  # what the listing adds to each row
    assert list(back.columns[-2:]) == listing
    back = back.drop(columns=listing)
    pd.testing.assert_frame_equal(back.sort_values(key).reset_index(drop=True),
                                  ai.deals.sort_values(key).reset_index(drop=True))
    # a filtered listing: the rows that pass, as export writes them
    r = run("deals", "--format", fmt, "--company", "CoreWeave")
    path.write_text(r.stdout, encoding="utf-8")
    exported = tmp_path / f"e.{fmt}"
    assert run("export", "--to", f"deals-{fmt}", "--company", "CoreWeave",
               "-o", str(exported)).exit_code == 0
    a, b = fg.read_deals(path).drop(columns=listing), fg.read_deals(exported)
    pd.testing.assert_frame_equal(a.sort_values(key).reset_index(drop=True),
                                  b.sort_values(key).reset_index(drop=True))
    assert run("deals", "--format", fmt, "--limit", "3").exit_code == 2


def test_upper_bound_loops_leave_the_unknown_bound_blank():
    D = nx.MultiDiGraph()
    D.add_edge("A", "B", key="ab", amount=100.0, amount_low=80.0, amount_high=120.0,
               amount_known=True)
    D.add_edge("B", "A", key="ba", amount=float("nan"), amount_low=float("nan"),
               amount_high=float("nan"), amount_known=False)
    D.add_edge("B", "C", key="bc", amount=10.0, amount_low=5.0, amount_high=20.0,
               amount_known=True)
    D.add_edge("C", "B", key="cb", amount=50.0, amount_low=40.0, amount_high=60.0,
               amount_known=True)
    D.add_edge("C", "B", key="cb2", amount=float("nan"), amount_low=float("nan"),
               amount_high=float("nan"), amount_known=False)
    c = fg.find_cycles(D).cycles.set_index("path")
    upper = c.loc["A -> B -> A"]
    assert upper["round_trip_bound"] == "upper"
    assert pd.isna(upper["round_trip_low"]) and upper["round_trip_high"] == 120.0
    exact = c.loc["B -> C -> B"]  # the 10 hop is fully known and limits: exact
    assert exact["round_trip_bound"] == "exact"
    assert (exact["round_trip_low"], exact["round_trip_high"]) == (5.0, 20.0)


# ----------------------------------------------------------------------------- human formats
def test_each_measure_reads_as_percent_or_multiple_once():
    r = run("concentration", "--view", "mutual", "--top", "3")
    head = r.stdout.splitlines()[3]
    assert head.split()[2].endswith("%") and head.split()[-1].endswith("%")
    r = run("exposure", "OpenAI")
    line = next(x for x in r.stdout.splitlines() if x.startswith("Amazon ") and "funding" in x)
    cells = line.split()  # the share reads as a percentage, then the ratio as a multiple
    pct = [i for i, c in enumerate(cells) if c.endswith("%")]
    mult = [i for i, c in enumerate(cells) if c.endswith("x")]
    assert len(pct) == len(mult) == 1 and pct[0] + 1 == mult[0]
    js = json.loads(run("exposure", "OpenAI", "--format", "json").stdout)
    row = next(x for x in js["OpenAI depends on"] if x["counterparty"] == "Amazon")
    assert isinstance(row["to_revenue"], float) and isinstance(row["share"], float)


# ----------------------------------------------------------------------------- choosing deals
def test_company_means_every_deal_touching_it(ai):
    G = fg.build_graph(ai)
    touching = {k for u, v, k in G.edges(keys=True) if "CoreWeave" in (u, v)}
    assert len(touching) > 5
    r = run("deals", "--company", "CoreWeave", "--format", "csv")
    got = set(pd.read_csv(io.StringIO(r.stdout))["deal_id"])
    superseded = set(ai.deals["deal_id"]) - {k for *_, k in G.edges(keys=True)}
    assert touching <= got and got - touching <= superseded
    table = run("deals", "--company", "CoreWeave")
    assert "every deal touching CoreWeave" in table.stdout
    among = run("deals", "--among", "CoreWeave", "--among", "Microsoft", "--format", "csv")
    pairs = pd.read_csv(io.StringIO(among.stdout))
    assert len(pairs) and set(pairs["payer"]) | set(pairs["payee"]) <= {"CoreWeave", "Microsoft"}
    s = run("summary", "--company", "CoreWeave", "--format", "json")
    head = {x["figure"]: x["value"] for x in json.loads(s.stdout)["Headline"]}
    assert head["deals"] == len(touching)


def test_around_is_the_neighbourhood_with_every_deal_among_it(ai):
    G = fg.build_graph(ai)
    U = nx.Graph(G.to_undirected())
    n_edges = G.number_of_edges()
    for hops in (1, 2):
        near = set(nx.single_source_shortest_path_length(U, "CoreWeave", cutoff=hops))
        want = {k for u, v, k in G.edges(keys=True) if u in near and v in near}
        H = select_companies(G, around="CoreWeave", hops=hops)
        assert {k for *_, k in H.edges(keys=True)} == want
        assert set(H.nodes) == near
    assert G.number_of_edges() == n_edges  # the caller's graph is not changed
    r = run("cycles", "--around", "CoreWeave", "--hops", "1", "--format", "json")
    for c in json.loads(r.stdout)["cycles"]:
        assert set(c["companies"]) <= set(select_companies(G, around="CoreWeave").nodes)


def test_an_empty_result_says_which_filter_did_it():
    r = run("deals", "--dataset", "toy", "--as-of", "1990", "--status", "rumored")
    assert r.exit_code == 0
    assert "--as-of 1990 alone leaves none of the 8 deals" in r.stderr
    r = run("summary", "--dataset", "toy", "--company", "BankCo", "--status", "disbursed")
    assert "the selection (every deal touching BankCo) keeps none" in r.stderr
    r = run("deals", "--company", "Corewave")
    assert r.exit_code == 1 and "did you mean CoreWeave" in r.output


def test_datasets_state_rows_and_headline_deals(ai):
    js = {d["name"]: d for d in json.loads(run("datasets", "--format", "json").stdout)}
    assert js["ai-capital"]["rows"] == len(ai.deals)
    assert js["ai-capital"]["deals"] == fg.build_graph(ai).number_of_edges()
    assert js["ai-capital"]["rows"] > js["ai-capital"]["deals"]
    head = dict(pd.DataFrame(json.loads(run("summary", "--format", "json").stdout)["Headline"])
                .set_index("figure")["value"])
    assert head["deals"] == js["ai-capital"]["deals"]  # the number every command says


# ----------------------------------------------------------------------------- widths
def _tour_commands():
    from pathlib import Path

    readme = Path(__file__).resolve().parent.parent / "README.md"
    if not readme.exists():
        return []
    return sorted({line[2:].strip() for line in readme.read_text(encoding="utf-8").splitlines()
                   if line.startswith("$ flowgraph ")})


@pytest.mark.parametrize("command", _tour_commands())
def test_every_tour_command_fits_100_columns(command, monkeypatch):
    import shlex

    monkeypatch.setenv("COLUMNS", "100")
    r = CliRunner().invoke(main, shlex.split(command)[1:])
    assert r.exit_code == 0, r.output
    # only a URL alone on its line may be wider: a URL is never cut
    wide = [line for line in r.stdout.splitlines() if len(line) > 100
            and not (line.startswith("http") and " " not in line)]
    assert wide == [], wide[:3]
    assert not re.search(r"https?://\S*…", r.stdout)  # no URL cut short


def test_wide_shows_every_column_and_the_note_names_the_left_out(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    narrow = run("deals").stdout
    assert "Not shown at this width: source_url" in narrow and "source_url" not in narrow.split(
        "\n")[0]
    wide = run("deals", "--wide").stdout
    assert "source_url" in wide.splitlines()[0] and "Not shown at this width" not in wide
    ds = fg.load_dataset("ai-capital").deals
    for url in ds["source_url"].dropna().head(20):
        if url in wide:  # whole, never cut
            break
    else:
        raise AssertionError("no full source URL in the --wide listing")


def test_a_table_that_stops_says_so():
    r = run("circulation", "--view", "self-funded")
    n = len(pd.read_csv(io.StringIO(run("circulation", "--view", "self-funded", "--format",
                                        "csv").stdout)))
    assert n > 20
    assert f"Showing the first 20 of {n} rows" in " ".join(r.stdout.split())


def test_json_records_match_pandas_records_with_nan_as_null():
    import datetime as dt
    import math

    import numpy as np

    from flowgraph.cli import _json_default, _json_text, _records

    df = pd.DataFrame({
        "name": ["Née \u00e9", None, "x\"y"],
        "amount": [1.25, float("nan"), 1e-17],
        "n": [1, 2, 3],
        "flag": [True, False, True],
        "mixed": [float("nan"), ("a", "b"), dt.date(2025, 1, 2)],
        "count": pd.array([1, None, 3], dtype="Int64"),
    })
    ref = [{str(k): (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in rec.items()} for rec in df.to_dict("records")]  # pandas' own records
    want = json.loads(json.dumps(ref, default=_json_default))
    got = _records(df)
    assert json.loads(_json_text(got)) == want
    assert json.loads(_json_text({"rows": got, "notes": ["a note"]})) == {"rows": want,
                                                                         "notes": ["a note"]}
    assert _json_text([]) == "[]" and len(_json_text(got).splitlines()) == len(df) + 2
    assert all(type(r["n"]) is int and type(r["flag"]) is bool for r in got)
    assert np.isnan(df["amount"][1]) and got[1]["amount"] is None


# --- the cycles table's round trips say what they rest on, as the sentences do -----------
def test_cycles_table_marks_round_trips_as_the_sentences_do():
    from flowgraph.cli import _cycles_money
    from flowgraph.formatting import marked_money

    res = fg.find_cycles(fg.build_graph(fg.load_dataset("ai-capital")), sort="length",
                         limit=20)
    r = CliRunner().invoke(main, ["cycles", "--wide"])
    assert r.exit_code == 0, r.output
    c = res.cycles
    assert (c["round_trip_basis"] != "").any()  # the bundled data has marked loops
    for v, b, basis, text in zip(c["round_trip"], c["round_trip_bound"],
                                 c["round_trip_basis"], c["description"]):
        cell = marked_money(v, b, basis, fmt=_cycles_money)
        assert cell in r.stdout
        # the cell and the loop's sentence agree on what the figure rests on
        assert cell.endswith(f" ({basis})") if basis else "(" not in cell
        if "conditional" in basis:
            assert "if the conditional amounts are paid" in text
    # the first loop on the bundled data: estimated and conditional, in cell and sentence
    assert "60 (estimated, conditional)" in r.stdout
    md = CliRunner().invoke(main, ["cycles", "--format", "markdown", "--limit", "3"])
    assert "| 60 (estimated, conditional) |" in md.stdout


def test_cycles_csv_json_keep_the_basis_in_its_own_column():
    r = CliRunner().invoke(main, ["cycles", "--format", "csv"])
    assert r.exit_code == 0, r.output
    df = pd.read_csv(io.StringIO(r.stdout), keep_default_na=False)
    assert all(x == "" or float(x) == float(x) for x in df["round_trip"].astype(str))
    assert {"round_trip_bound", "round_trip_basis"} <= set(df.columns)
    assert "estimated, conditional" in set(df["round_trip_basis"])
    j = CliRunner().invoke(main, ["cycles", "--format", "json"])
    rows = json.loads(j.stdout)["cycles"]
    assert all(isinstance(x["round_trip"], (float, int, type(None))) for x in rows)
    assert rows[0]["round_trip_basis"] in ("", "estimated", "conditional",
                                           "estimated, conditional")
