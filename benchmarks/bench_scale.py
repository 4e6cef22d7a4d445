"""Benchmark: flowgraph end to end on a large network, next to its engine, igraph and the bare
readers, all in one run.

The network is benchmarks/bench_cycles.py's G(n, m) graph (seed 42) written as a deals table
(one deal per pair, amounts, flow types, statuses, dates) to CSV and Parquet. Every
measurement runs in a fresh process, the runs of all measurements interleaved (so that load
from other jobs spreads over all of them), and the table gives medians:

- bare readers: ``pyarrow.csv.read_csv`` and ``pyarrow.parquet.read_table`` of the files;
- ``read_deals`` (parse, normalize and validate every row) of the same files;
- the engine alone: ``cycles_from_arrays`` on the integer pair arrays, every cycle of at most
  4 hops with its detail (as in README_cycles.md);
- igraph ``Graph.simple_cycles(max=4)``, the enumeration alone;
- the CLI end to end (process start to output written): ``flowgraph cycles --deals FILE
  --max-length 4 --format json --max-work 10**15 -o out.json`` (the whole search, no work
  cap), from CSV and from Parquet, and from Parquet
  with ``--workers 1`` and ``--workers 2`` (a local Dask cluster, its start-up included);
- ``flowgraph circulation --format json`` end to end against the solver alone
  (``_circulation_engine.max_circulation`` on the pair arrays);
- the floor, from CSV and from Parquet, timed like the CLI (process start to answer): the
  least any program on this stack does to answer the same question, and nothing else. It
  imports pandas and pyarrow, loads the compiled search in the background
  (``cycles.warm_up``, as the CLI does) while pyarrow reads the file bare, turns payer and
  payee into integer ids with pyarrow, and runs the engine on them, as the engine row does.
  No validation, no filter, no detail, no output file. The CLI cannot be faster than this
  row, so its ratio to the engine bounds what the CLI's ratio to the engine can reach.

The outputs are checked: the CLI's json is the same from every input and worker count, and
its loop count equals the engine's and igraph's. Not run by pytest.

    python benchmarks/bench_scale.py                      # 100k companies / 500k deals
    python benchmarks/bench_scale.py --deals 1000000 --runs 3
    python benchmarks/bench_scale.py --scaling            # the split search, 1 and 2 workers
"""
from __future__ import annotations

import argparse
import collections
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SEED = 42
BOUND = 4


def make(n: int, m: int, stem: str) -> None:
    import numpy as np
    import pandas as pd

    sys.path.insert(0, HERE)
    from bench_cycles import gnm

    import flowgraph as fg

    s, t = gnm(n, m, SEED)
    rng = np.random.default_rng(SEED)
    days = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 7 * 365, m), unit="D")
    df = pd.DataFrame({
        "deal_id": [f"D{i:07d}" for i in range(m)],
        "payer": [f"C{u:06d}" for u in s], "payee": [f"C{v:06d}" for v in t],
        "amount_usd_bn": np.round(rng.lognormal(-3, 1.5, m), 4) + 0.0001,
        "flow_type": rng.choice(["compute_contract", "chip_purchase", "equity_investment"], m),
        "status": rng.choice(["announced", "committed", "disbursed"], m),
        "announced": days.strftime("%Y-%m-%d"), "source_url": "synthetic://bench",
        "confidence": "medium"})
    fg.write_deals(df, stem + ".csv")
    fg.write_deals(df, stem + ".parquet")
    np.savez(stem + ".npz", src=s, dst=t, amount=df["amount_usd_bn"].to_numpy(), n=n)


def child(what: str, stem: str) -> dict:
    """One measurement in this (fresh) process."""
    import numpy as np

    out: dict = {}
    if what == "pyarrow-csv":
        import pyarrow.csv as pc

        t0 = time.perf_counter()
        pc.read_csv(stem + ".csv")
    elif what == "pyarrow-parquet":
        import pyarrow.parquet as pq

        t0 = time.perf_counter()
        pq.read_table(stem + ".parquet")
    elif what in ("read-csv", "read-parquet"):
        # the modules read_deals uses are imported before the clock starts, as pyarrow's
        # are for the bare reads: both rows time the reading itself
        import flowgraph as fg
        import flowgraph._checks
        import flowgraph._deal_rules
        import flowgraph._parquet
        import flowgraph._readers
        import flowgraph.firmness
        import flowgraph.io
        import pyarrow.compute
        import pyarrow.csv
        import pyarrow.parquet  # noqa: F401

        t0 = time.perf_counter()
        fg.read_deals(stem + (".csv" if what == "read-csv" else ".parquet"))
    elif what == "engine":
        from flowgraph.cycles import cycles_from_arrays

        a = np.load(stem + ".npz")
        ring = np.arange(3000)  # big enough for the compiled kernels: load them first
        cycles_from_arrays(ring, (ring + 1) % 3000, np.ones(3000))
        t0 = time.perf_counter()
        r = cycles_from_arrays(a["src"], a["dst"], np.ones(len(a["src"])), max_length=BOUND,
                               limit=None)
        out["count"] = int(r.n_found)
    elif what == "igraph":
        import igraph as ig

        a = np.load(stem + ".npz")
        g = ig.Graph(n=int(a["n"]), edges=np.column_stack([a["src"], a["dst"]]).tolist(),
                     directed=True)
        t0 = time.perf_counter()
        out["count"] = len(g.simple_cycles(max=BOUND))
    elif what in ("floor-csv", "floor-parquet"):
        # timed by the parent from process start (see FLOOR); here only the loop count
        out["count"] = floor(stem + (".csv" if what == "floor-csv" else ".parquet"))
        return out
    elif what == "solver":
        from flowgraph import _circulation_engine as eng

        a = np.load(stem + ".npz")
        eng.max_circulation(3, np.array([0, 1, 2]), np.array([1, 2, 0]), np.ones(3))
        t0 = time.perf_counter()
        eng.max_circulation(int(a["n"]), a["src"], a["dst"], a["amount"])
    else:
        raise SystemExit(f"unknown measurement {what}")
    out["s"] = time.perf_counter() - t0
    return out


def floor(path: str) -> int:
    """The floor measurement's program (see the module docstring): the loop count."""
    import numpy as np
    import pandas  # noqa: F401  (the library's tables are pandas')
    import pyarrow as pa
    import pyarrow.compute as pc

    from flowgraph import cycles

    cycles.warm_up()  # the compiled search loads while the file is read, as in the CLI
    if path.endswith(".csv"):
        import pyarrow.csv as pcsv

        table = pcsv.read_csv(path)
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(path)
    payer, payee = table.column("payer"), table.column("payee")
    names = pc.unique(pa.chunked_array(payer.chunks + payee.chunks))
    src = pc.index_in(payer, value_set=names).to_numpy()
    dst = pc.index_in(payee, value_set=names).to_numpy()
    r = cycles.cycles_from_arrays(src, dst, np.ones(len(src)), max_length=BOUND, limit=None)
    return int(r.n_found)


FLOOR = ("floor-csv", "floor-parquet")

CLI = {
    "cli-csv": ["cycles", "--deals", "{stem}.csv"],
    "cli-parquet": ["cycles", "--deals", "{stem}.parquet"],
    "cli-parquet-w1": ["cycles", "--deals", "{stem}.parquet", "--workers", "1"],
    "cli-parquet-w2": ["cycles", "--deals", "{stem}.parquet", "--workers", "2"],
}
# the full search, as the engine and igraph run it: no work cap (the CLI's default cap of
# 20 million hops stops the search on 1M deals, and a capped search on a cluster covers a
# different part of the search than one process does)
CYCLE_ARGS = ["--max-length", str(BOUND), "--format", "json", "--max-work", str(10 ** 15)]


def run(what: str, stem: str, tmp: str) -> dict:
    if what in CLI or what == "cli-circulation":
        if what == "cli-circulation":
            args = ["circulation", "--deals", stem + ".parquet", "--format", "json"]
        else:
            args = [a.format(stem=stem) for a in CLI[what]] + CYCLE_ARGS
        path = os.path.join(tmp, what + ".json")
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "flowgraph.cli", *args, "-o", path], check=True,
                       capture_output=True, cwd=ROOT)
        return {"s": time.perf_counter() - t0, "output": path}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--child", what, stem], check=True,
                          capture_output=True, text=True, cwd=ROOT)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if what in FLOOR:  # process start to answer, as the CLI rows are timed
        out["s"] = time.perf_counter() - t0
    return out


def scaling(n: int, m: int, bound: int, runs: int) -> None:
    """The cycle search alone on one process and on a local cluster of 1 and 2 workers
    (cluster start-up measured apart): a search-heavy case, flowgraph's synthetic network."""
    from flowgraph import cycles, distributed, graph
    from flowgraph.synthetic import synthetic_network

    table = graph.filter_deals(synthetic_network(n, m, seed=1).deals)
    kw = {"max_length": bound, "limit": 100, "describe": False, "max_work": None}
    warm = table.head(5000)
    cycles.find_cycles(warm, **kw)  # compiled code loaded
    times: dict[str, list[float]] = {"one process": [], "1 worker": [], "2 workers": []}
    start: list[float] = []
    found = set()
    for _ in range(runs):
        t0 = time.perf_counter()
        r = cycles.find_cycles(table, **kw)
        times["one process"].append(time.perf_counter() - t0)
        found.add(r.n_found)
        for w in (1, 2):
            t0 = time.perf_counter()
            with distributed.connect(workers=w) as client:
                client.run(lambda: cycles.find_cycles(warm, **kw) and None)
                start.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                r = cycles.find_cycles(table, **kw)
                times[f"{w} worker{'s' if w > 1 else ''}"].append(time.perf_counter() - t0)
                found.add(r.n_found)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"\nCycle search alone, flowgraph synthetic network {n:,} companies / {m:,} deals, "
          f"at most {bound} hops: {found.pop():,} loops (the same count in every run: "
          f"{'yes' if not found else 'NO'}); median of {runs} runs; a local cluster's start "
          f"(processes and compiled code loaded) {statistics.median(start):.1f} s apart.\n")
    print("| search | median s | speed-up |")
    print("| --- | ---: | ---: |")
    for k, v in med.items():
        print(f"| {k} | {v:.1f} | {med['one process'] / v:.2f}x |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--companies", type=int, default=100_000)
    ap.add_argument("--deals", type=int, default=500_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--child", nargs=2, metavar=("WHAT", "STEM"))
    ap.add_argument("--make", nargs=3, metavar=("N", "M", "STEM"))
    ap.add_argument("--scaling", action="store_true",
                    help="only the cycle search on 1 process, 1 and 2 workers (5 hops)")
    ap.add_argument("--only", help="comma-separated measurements to run (default: all)")
    ap.add_argument("--files", metavar="STEM",
                    help="use STEM.csv/.parquet/.npz made before with --make")
    a = ap.parse_args()
    if a.scaling:
        scaling(a.companies, a.deals, 5, a.runs)
        return
    if a.child:
        print(json.dumps(child(*a.child)))
        return
    if a.make:
        make(int(a.make[0]), int(a.make[1]), a.make[2])
        return
    sys.path.insert(0, HERE)
    from bench_cycles import machine

    order = ["pyarrow-csv", "pyarrow-parquet", "read-csv", "read-parquet", "engine", "igraph",
             *CLI, *FLOOR, "solver", "cli-circulation"]
    if a.only:
        only = a.only.split(",")
        unknown = set(only) - set(order)
        if unknown:
            raise SystemExit(f"unknown measurements: {', '.join(sorted(unknown))}")
        order = [w for w in order if w in only]
    with tempfile.TemporaryDirectory() as tmp:
        stem = a.files or os.path.join(tmp, "deals")
        if not a.files:
            subprocess.run([sys.executable, __file__, "--make", str(a.companies), str(a.deals),
                            stem], check=True, cwd=ROOT)
        sizes = {x: os.path.getsize(stem + x) / 1e6 for x in (".csv", ".parquet")}
        res: dict[str, list[dict]] = {w: [] for w in order}
        for r in range(a.runs):
            for w in order:
                res[w].append(run(w, stem, tmp))
                print(f"run {r + 1}/{a.runs} {w}: {res[w][-1]['s']:.2f} s", file=sys.stderr)
        # the same answer from every input and worker count
        outs = {}
        for w in (w for w in CLI if w in order):  # the notes name the input file
            with open(res[w][-1]["output"]) as fh:
                outs[w] = json.loads(fh.read().replace(stem + ".parquet", stem + ".csv"))
        same = all(outs[w] == next(iter(outs.values())) for w in outs)
        first = next(iter(outs.values()), None)
        cli_loops = (f"{len(first['cycles']):,}"
                     + (" (stopped early)" if first["notes"][0].startswith("at least") else "")
                     if first else "not run")
        counts = {w: res[w][-1].get("count", -1) if w in res else -1
                  for w in ("engine", "igraph", *FLOOR)}
    med = collections.defaultdict(lambda: math.nan,
                                  {w: statistics.median(x["s"] for x in res[w]) for w in order})
    print(f"Machine: {machine()}")
    print(f"{a.companies:,} companies, {a.deals:,} deals (CSV {sizes['.csv']:.0f} MB, Parquet "
          f"{sizes['.parquet']:.0f} MB); cycles of at most {BOUND} hops: {counts['engine']:,} "
          f"(igraph {counts['igraph']:,}, the floor {counts['floor-csv']:,} / "
          f"{counts['floor-parquet']:,}, the CLI {cli_loops}); the CLI's json the same from "
          f"every input and worker count: {'yes' if same else 'NO'}. Median of {a.runs} "
          "runs, each in a fresh process.\n")
    print("| measurement | median s | ratio |")
    print("| --- | ---: | --- |")
    rows = [
        ("pyarrow read_csv (bare read)", "pyarrow-csv", ""),
        ("flowgraph read_deals CSV (parse + validate)", "read-csv",
         f"{med['read-csv'] / med['pyarrow-csv']:.1f}x the bare read"),
        ("pyarrow read_table Parquet (bare read)", "pyarrow-parquet", ""),
        ("flowgraph read_deals Parquet (validate)", "read-parquet",
         f"{med['read-parquet'] / med['pyarrow-parquet']:.1f}x the bare read"),
        ("engine alone (cycles_from_arrays)", "engine", ""),
        ("igraph simple_cycles, enumeration alone", "igraph",
         f"{med['igraph'] / med['engine']:.0f}x the engine"),
        ("CLI `cycles` end to end, CSV", "cli-csv",
         f"{med['cli-csv'] / med['engine']:.1f}x the engine; igraph "
         f"{med['igraph'] / med['cli-csv']:.1f}x"),
        ("CLI `cycles` end to end, Parquet", "cli-parquet",
         f"{med['cli-parquet'] / med['engine']:.1f}x the engine; igraph "
         f"{med['igraph'] / med['cli-parquet']:.1f}x"),
        ("CLI `cycles`, Parquet, --workers 1", "cli-parquet-w1",
         f"{med['cli-parquet-w1'] / med['cli-parquet']:.2f}x one process"),
        ("CLI `cycles`, Parquet, --workers 2", "cli-parquet-w2",
         f"{med['cli-parquet-w2'] / med['cli-parquet']:.2f}x one process"),
        ("floor end to end, CSV (start, bare read, ids, engine)", "floor-csv",
         f"{med['floor-csv'] / med['engine']:.1f}x the engine; the CLI "
         f"{med['cli-csv'] / med['floor-csv']:.1f}x the floor"),
        ("floor end to end, Parquet (start, bare read, ids, engine)", "floor-parquet",
         f"{med['floor-parquet'] / med['engine']:.1f}x the engine; the CLI "
         f"{med['cli-parquet'] / med['floor-parquet']:.1f}x the floor"),
        ("circulation solver alone", "solver", ""),
        ("CLI `circulation` end to end, Parquet", "cli-circulation",
         f"{med['cli-circulation'] / med['solver']:.1f}x the solver"),
    ]
    for label, key, ratio in rows:
        if key in order:
            print(f"| {label} | {med[key]:.2f} | {ratio} |")


if __name__ == "__main__":
    main()
