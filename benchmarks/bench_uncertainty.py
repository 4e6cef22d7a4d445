"""Benchmark: Monte Carlo uncertainty and null-model significance (not run by pytest).

On the bundled ai-capital dataset, in one run, each measurement in a fresh process:

- ``uncertainty(G, "circulation", n=N)``: circularity index, circular flow and the self-funded
  amounts of the top 5 companies over N samples (one min-cost circulation and five max flows
  per sample on fixed arrays);
- ``uncertainty(G, "cycles", n=N)``: every loop's round trip and survival over N samples
  (the loop set found once, hop sums as one sparse product);
- the same numbers the plain way, as a user would without this module: for each sample,
  ``maximal_circulation`` + ``self_funded`` on the sample's edge table, and ``find_cycles``
  on the sample's graph (timed on a subset of samples and scaled to N);
- ``flowgraph circulation --samples N`` end to end (process start to output written);
- ``significance(G, n=M)``: loop counts, circularity and self-funded shares on M rewired
  networks.

    python benchmarks/bench_uncertainty.py            # N = 1000, M = 500, 3 runs
    python benchmarks/bench_uncertainty.py --samples 200 --runs 5
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time


def run_one(what: str, n: int, m: int) -> dict:
    import flowgraph as fg

    G = fg.build_graph(fg.load_dataset("ai-capital"))
    fg.uncertainty(G, "circulation", n=2)  # compile / import outside the timed part
    fg.significance(G, n=2)
    t0 = time.perf_counter()
    if what == "circulation":
        fg.uncertainty(G, "circulation", n=n)
    elif what == "cycles":
        fg.uncertainty(G, "cycles", n=n)
    elif what == "plain":
        r = fg.uncertainty(G, "circulation", n=n)
        comps = [c for c in r.table["item"].unique() if c != "network"]
        s = r.samples
        k = min(n, 100)
        t0 = time.perf_counter()
        for i in range(k):
            f = s.frame(i)
            fg.maximal_circulation(f)
            fg.self_funded(f, comps)
            fg.find_cycles(s.graph(i), limit=None)
        return {"seconds": (time.perf_counter() - t0) * n / k}
    elif what == "significance":
        fg.significance(G, n=m)
    return {"seconds": time.perf_counter() - t0}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--nulls", type=int, default=500)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(run_one(a.child, a.samples, a.nulls)))
        return
    results: dict[str, list[float]] = {}
    for _ in range(a.runs):
        for what in ("circulation", "cycles", "plain", "significance"):
            out = subprocess.run([sys.executable, __file__, "--child", what, "--samples",
                                  str(a.samples), "--nulls", str(a.nulls)],
                                 check=True, capture_output=True, text=True).stdout
            results.setdefault(what, []).append(json.loads(out)["seconds"])
        t0 = time.perf_counter()
        subprocess.run(["flowgraph", "circulation", "--samples", str(a.samples), "-o",
                        os.devnull], check=True, capture_output=True)
        results.setdefault("cli", []).append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in results.items()}
    print(f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"{os.cpu_count()} cores; medians of {a.runs} runs")
    print("| what | median s |")
    print("| --- | ---: |")
    print(f"| uncertainty circulation + self-funded top 5, {a.samples:,} samples | "
          f"{med['circulation']:.2f} |")
    print(f"| uncertainty cycles (every loop), {a.samples:,} samples | {med['cycles']:.2f} |")
    print(f"| the same, each sample re-analysed (maximal_circulation, self_funded, "
          f"find_cycles) | {med['plain']:.1f} |")
    print(f"| `flowgraph circulation --samples {a.samples}` end to end | {med['cli']:.2f} |")
    print(f"| significance, {a.nulls:,} null networks | {med['significance']:.2f} |")
    speed = med["plain"] / (med["circulation"] + med["cycles"])
    print(f"\nSpeed-up over re-analysing each sample: {speed:.1f}x")


if __name__ == "__main__":
    main()
