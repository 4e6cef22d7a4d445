"""Benchmark: maximal circulation, flowgraph vs networkx vs scipy HiGHS (not run by pytest).

Same seeded random weighted graphs (heavy-tailed degrees and amounts, amounts to 0.001) for
every solver; each run happens in a fresh subprocess so that peak memory (ru_maxrss) is the
run's own. Prints a markdown table (median seconds of repeated runs, ratio to flowgraph, peak
memory, circulation value agreement) and the machine, then self-funded amounts and keystones
for the top companies of the largest graph.

    python benchmarks/bench_circulation.py            # 10k, 100k, 1M edges
    python benchmarks/bench_circulation.py --quick    # 10k, 100k
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

SIZES = {"10k": (1_000, 10_000), "100k": (10_000, 100_000), "1M": (100_000, 1_000_000)}
# peers skipped where they would take more than ~2 minutes (measured on this machine:
# networkx network simplex 7.9 s at 10k edges, HiGHS 9 s at 100k, no answer in 5 min at 1M)
SKIP = {("networkx", "100k"), ("networkx", "1M"), ("highs", "1M")}
# keystones for the largest graph: the default selection (top KEYSTONE_TOP_LARGE companies by
# circular inflow above LARGE_FLOW_NETWORK cyclic pairs): one circulation solve, then a
# warm-started re-routing per company
KEYSTONES_TOP = None


def make_edges(n: int, m: int, seed: int = 1):
    import numpy as np

    rng = np.random.default_rng(seed)
    w = np.arange(1, n + 1, dtype=float) ** -0.6
    p = w / w.sum()
    s = rng.choice(n, m, p=p)
    t = rng.choice(n, m, p=p[rng.permutation(n)])
    keep = s != t
    s, t = s[keep], t[keep]
    key = s.astype(np.int64) * n + t
    _, first = np.unique(key, return_index=True)
    s, t = s[first], t[first]
    amount = np.round(rng.lognormal(-1.0, 1.6, len(s)), 3) + 0.001
    return s, t, amount


def run_one(solver: str, size: str, seed: int) -> dict:
    import resource

    import numpy as np
    import pandas as pd

    import networkx  # noqa: F401  (imports are not timed)
    import ortools.graph.python.max_flow
    import ortools.graph.python.min_cost_flow  # noqa: F401
    import scipy.optimize  # noqa: F401

    import flowgraph.circulation  # noqa: F401

    n, m = SIZES[size]
    s, t, a = make_edges(n, m, seed)
    t0 = time.perf_counter()
    if solver == "flowgraph":
        from flowgraph.circulation import maximal_circulation

        res = maximal_circulation(pd.DataFrame({"payer": s, "payee": t, "amount": a}))
        value = res.circular_flow
    elif solver == "networkx":
        import networkx as nx

        G = nx.DiGraph()
        G.add_nodes_from(range(n))
        for u, v, x in zip(s.tolist(), t.tolist(), np.rint(a * 1000).astype(int).tolist()):
            G.add_edge(u, v, capacity=x, weight=-1)
        cost, _ = nx.network_simplex(G)
        value = -cost / 1000
    elif solver == "highs":
        from scipy.optimize import linprog
        from scipy.sparse import csr_matrix

        k = len(s)
        rows = np.concatenate([s, t])
        cols = np.concatenate([np.arange(k), np.arange(k)])
        vals = np.concatenate([np.ones(k), -np.ones(k)])
        A = csr_matrix((vals, (rows, cols)), shape=(n, k))
        r = linprog(-np.ones(k), A_eq=A, b_eq=np.zeros(n), bounds=np.c_[np.zeros(k), a],
                    method="highs")
        value = -r.fun
    elif solver == "selffunded":
        from flowgraph.circulation import keystones, self_funded

        df = pd.DataFrame({"payer": s, "payee": t, "amount": a})
        marks: list[tuple[float, str]] = []
        t1 = time.perf_counter()
        sf = self_funded(df, top=20).table
        t_sf = time.perf_counter() - t1
        t1 = time.perf_counter()
        ks = keystones(df, top=KEYSTONES_TOP, progress=lambda msg: marks.append(
            (time.perf_counter(), msg))).table
        t_ks = time.perf_counter() - t1
        # the part after the one circulation solve: re-routing per company
        t_solved = next((t for t, msg in marks if msg.startswith("keystones: re-routing")), t1)
        value = float(sf["self_funded"].sum())
        return {"seconds": time.perf_counter() - t0, "value": value, "sf_seconds": t_sf,
                "ks_seconds": t_ks, "ks_solve_seconds": t_solved - t1,
                "ks_per_company": (t1 + t_ks - t_solved) / max(1, len(ks)), "ks_n": len(ks),
                "sf": sf.head(5).to_dict("list"),
                "ks": ks.to_dict("list"),
                "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    else:
        raise ValueError(solver)
    return {"seconds": time.perf_counter() - t0, "value": float(value), "edges": len(s),
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def subprocess_run(solver: str, size: str, seed: int, timeout: float) -> dict | None:
    cmd = [sys.executable, __file__, "--child", solver, size, str(seed)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", nargs=3)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    if args.child:
        solver, size, seed = args.child
        print(json.dumps(run_one(solver, size, int(seed))))
        return
    sizes = ["10k", "100k"] if args.quick else ["10k", "100k", "1M"]
    print(f"Machine: {machine()}\n")
    print("| edges | solver | median s | runs | vs flowgraph | peak MB | circulation | agrees |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for size in sizes:
        base = None
        for solver in ("flowgraph", "highs", "networkx"):
            if (solver, size) in SKIP:
                print(f"| {size} | {solver} | skipped (> ~2 min) | | | | | |")
                continue
            runs = [subprocess_run(solver, size, 1, 300) for _ in range(args.repeats)]
            ok = [r for r in runs if r is not None]
            if not ok:
                print(f"| {size} | {solver} | timeout | | | | | |")
                continue
            med = statistics.median(r["seconds"] for r in ok)
            value = ok[0]["value"]
            peak = max(r["maxrss_mb"] for r in ok)
            if solver == "flowgraph":
                base = (med, value)
            ratio = f"{med / base[0]:.1f}x" if base else ""
            agrees = ("yes" if base and abs(value - base[1]) <= 1e-6 * max(1, base[1])
                      else "NO")
            print(f"| {size} ({ok[0]['edges']:,}) | {solver} | {med:.2f} | {len(ok)} | {ratio} "
                  f"| {peak:.0f} | {value:,.3f} | {agrees} |", flush=True)
    size = sizes[-1]
    runs = [subprocess_run("selffunded", size, 1, 900) for _ in range(args.repeats)]
    ok = [r for r in runs if r is not None]
    if ok:
        r = ok[0]

        def med(key: str) -> float:
            return statistics.median(x[key] for x in ok)

        print(f"\nOn the {size} graph (median of {len(ok)}): self-funded amounts of the top 20 "
              f"companies by flow in {med('sf_seconds'):.1f} s; keystone impact of the top "
              f"{r['ks_n']} by circular inflow in {med('ks_seconds'):.1f} s (circulation "
              f"solve {med('ks_solve_seconds'):.1f} s, then {med('ks_per_company'):.2f} s per "
              f"company; peak {max(x['maxrss_mb'] for x in ok):.0f} MB).")
        print("Top self-funded:", json.dumps(r["sf"]))
        print("Keystones:", json.dumps(r["ks"]))


if __name__ == "__main__":
    main()
