"""Benchmark: loading and validating a large deals CSV, then filtering it (not run by pytest).

Writes a seeded synthetic network (``flowgraph.synthetic_network``) of the chosen size to a
temporary CSV, then in fresh subprocesses times ``read_deals`` (parsing + full validation),
``filter_deals`` (the deal graph's edge table without networkx) and, for reference,
pandas' bare ``read_csv`` of the same file. Prints medians and peak memory (ru_maxrss).

    python benchmarks/bench_load.py                 # 1,000,000 deals, 3 runs
    python benchmarks/bench_load.py --deals 100000 --runs 5
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile


def run_one(path: str, what: str) -> dict:
    import resource
    import time

    import pandas as pd

    import flowgraph as fg

    fg.read_deals  # noqa: B018 - resolve the lazy import outside the timed part
    t0 = time.perf_counter()
    if what == "pandas":
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        t1 = t2 = time.perf_counter()
    else:
        df = fg.read_deals(path)
        t1 = time.perf_counter()
        fg.filter_deals(df)
        t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"read": t1 - t0, "filter": t2 - t1, "rows": len(df), "peak_mb": peak}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--deals", type=int, default=1_000_000)
    ap.add_argument("--companies", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--make", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_one(*args.child)))
        return
    if args.make:
        import flowgraph as fg

        fg.write_deals(fg.synthetic_network(args.companies, args.deals, seed=1).deals, args.make)
        return
    # Everything heavy runs in child processes: on Linux a child inherits its parent's peak
    # RSS (ru_maxrss survives fork and exec), so the parent must stay small.
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "deals.csv")
        subprocess.run([sys.executable, __file__, "--make", path, "--deals", str(args.deals),
                        "--companies", str(args.companies)], check=True)
        size_mb = os.path.getsize(path) / 1e6
        results: dict[str, list[dict]] = {"flowgraph": [], "pandas": []}
        for _ in range(args.runs):
            for what in results:
                out = subprocess.run([sys.executable, __file__, "--child", path, what],
                                     capture_output=True, text=True, check=True)
                results[what].append(json.loads(out.stdout))
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print(f"Machine: {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}")
    print(f"{args.deals:,} deals, {args.companies:,} companies, CSV {size_mb:.0f} MB; "
          f"median of {args.runs} runs, each in a fresh process\n")
    print("| step | median s | peak MB |")
    print("| --- | ---: | ---: |")
    med = statistics.median
    pd_runs, fg_runs = results["pandas"], results["flowgraph"]
    print(f"| pandas read_csv alone (reference) | {med(r['read'] for r in pd_runs):.2f} | "
          f"{med(r['peak_mb'] for r in pd_runs):,.0f} |")
    print(f"| flowgraph read_deals (parse + validate every row) | "
          f"{med(r['read'] for r in fg_runs):.2f} | {med(r['peak_mb'] for r in fg_runs):,.0f} |")
    print(f"| flowgraph filter_deals (edge table, scenario amounts, dates) | "
          f"{med(r['filter'] for r in fg_runs):.2f} | |")


if __name__ == "__main__":
    main()
