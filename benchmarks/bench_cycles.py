"""Benchmark: bounded simple-cycle enumeration, flowgraph vs igraph vs networkx.

Runs every tool on the same seeded random directed graphs (G(n, m): m distinct ordered pairs,
no self-loops), each measurement in its own subprocess so that peak memory (``ru_maxrss``)
belongs to that tool alone, checks that the cycle sets are identical, and prints Markdown
tables with medians, ratios, peak memory and the machine. Not run by pytest.

    python benchmarks/bench_cycles.py            # everything (about 5-8 minutes)
    python benchmarks/bench_cycles.py --quick    # small graphs only

flowgraph times include building the internal arrays from the input and the per-cycle
detail tables (round trip, hops, limiting hop, ...). igraph and networkx times are the
enumeration alone (``Graph.simple_cycles(max=k)``, ``list(nx.simple_cycles(G,
length_bound=k))``).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

NX_CAP = 90  # seconds; networkx runs longer than this are stopped and reported as such
# name, n, m, length bound, flowgraph runs, igraph runs, networkx runs (0 = skipped)
CASES = [
    ("1k/5k", 1_000, 5_000, 5, 5, 5, 1),
    ("2k/6k", 2_000, 6_000, 4, 5, 5, 1),
    ("10k/50k", 10_000, 50_000, 5, 3, 3, 0),
    ("100k/500k", 100_000, 500_000, 4, 3, 1, 0),
    ("100k/1M", 100_000, 1_000_000, 4, 3, 1, 0),
]
NX_SKIPPED = ("networkx skipped on the larger graphs: more than 300 s reported for 10k/50k "
              "bound 5, more for larger ones")


def gnm(n: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """m distinct random ordered pairs (u, v), u != v, in random order."""
    rng = np.random.default_rng(seed)
    k = int(m * 1.05) + 100
    while True:
        s = rng.integers(0, n, k)
        t = rng.integers(0, n, k)
        ok = s != t
        s, t = s[ok], t[ok]
        _, idx = np.unique(s.astype(np.int64) * n + t, return_index=True)
        if idx.shape[0] >= m:
            idx = np.sort(idx)[:m]
            return s[idx].astype(np.int64), t[idx].astype(np.int64)
        k *= 2


def digest(cycles) -> str:
    """Hash of the set of cycles, each rotated to start at its smallest vertex."""
    canon = []
    for c in cycles:
        c = list(c)
        i = c.index(min(c))
        canon.append(tuple(c[i:] + c[:i]))
    canon.sort()
    return hashlib.sha1(repr(canon).encode()).hexdigest()[:12]


def warm_up() -> None:
    """Load the compiled kernels (from numba's cache) before timing."""
    import flowgraph.cycles as cy

    cy._PY_STEPS = 0
    cy.cycles_from_arrays(np.array([0, 1]), np.array([1, 0]), np.ones(2))
    cy._PY_STEPS = None


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# --------------------------------------------------------------------------- workers
def worker(tool: str, n: int, m: int, bound: int, runs: int, seed: int) -> dict:
    src, dst = gnm(n, m, seed)
    out: dict = {"tool": tool}
    base_rss = maxrss_mb()
    if tool == "flowgraph":
        from flowgraph.cycles import cycles_from_arrays

        warm_up()
        amount = np.ones(m)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            r = cycles_from_arrays(src, dst, amount, max_length=bound, limit=None)
            times.append(time.perf_counter() - t0)
        out["count"] = r.n_found
        out["digest"] = digest(r.cycles["companies"])
        out["times"] = times
    elif tool == "flowgraph-nx":
        import networkx as nx

        from flowgraph.cycles import _as_deals, find_cycles

        G = nx.DiGraph()
        G.add_nodes_from(range(n))
        G.add_weighted_edges_from(zip(src.tolist(), dst.tolist(), [1.0] * m), weight="amount")
        warm_up()
        base_rss = maxrss_mb()
        times, conv = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            _as_deals(G, "amount")
            conv.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            r = find_cycles(G, max_length=bound, limit=None, describe=False)
            times.append(time.perf_counter() - t0)
        out["count"] = r.n_found
        out["digest"] = digest(r.cycles["companies"])
        out["times"] = times
        out["conversion"] = conv
    elif tool == "igraph":
        import igraph as ig

        t0 = time.perf_counter()
        g = ig.Graph(n=n, edges=np.column_stack([src, dst]).tolist(), directed=True)
        out["build"] = time.perf_counter() - t0
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            cyc = g.simple_cycles(max=bound)
            times.append(time.perf_counter() - t0)
        out["count"] = len(cyc)
        out["digest"] = digest(cyc)
        out["times"] = times
    elif tool == "networkx":
        import networkx as nx

        G = nx.DiGraph()
        G.add_nodes_from(range(n))
        G.add_edges_from(zip(src.tolist(), dst.tolist()))
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            cyc = list(nx.simple_cycles(G, length_bound=bound))
            times.append(time.perf_counter() - t0)
        out["count"] = len(cyc)
        out["digest"] = digest(cyc)
        out["times"] = times
    else:
        raise SystemExit(f"unknown tool {tool}")
    out["maxrss_mb"] = maxrss_mb()
    out["base_rss_mb"] = base_rss
    return out


def pruning_worker(seed: int) -> dict:
    """min_amount and time-order pruning vs enumerating everything and filtering after."""
    from flowgraph.cycles import cycles_from_arrays

    n, m, bound = 20_000, 160_000, 5
    src, dst = gnm(n, m, seed)
    rng = np.random.default_rng(seed + 1)
    amount = np.round(rng.lognormal(0.0, 1.5, m), 3)
    days = rng.integers(0, 3 * 365, m)
    date_lo = (np.datetime64("2023-01-01") + days).astype("datetime64[D]")
    warm_up()
    res = {}

    def timed(**kw):
        ts = []
        for _ in range(3):
            t0 = time.perf_counter()
            r = cycles_from_arrays(src, dst, amount, date_lo=date_lo, max_length=bound,
                                   limit=None, **kw)
            ts.append(time.perf_counter() - t0)
        return statistics.median(ts), r

    t_all, r_all = timed()
    threshold = float(np.quantile(amount, 0.5))
    t_min, r_min = timed(min_amount=threshold)
    after = r_all.cycles[r_all.cycles["round_trip"] >= threshold]
    res["min_amount"] = {
        "threshold": threshold, "all": t_all, "pruned": t_min, "n_all": r_all.n_found,
        "n_kept": r_min.n_found, "same": set(after["companies"]) == set(r_min.cycles["companies"]),
    }
    t_time, r_time = timed(time_ordered=True, window=365)
    t_allw, r_allw = timed(window=365)
    after = r_allw.cycles[r_allw.cycles["time_order"] == "ordered"]
    res["time_ordered"] = {
        "all": t_allw, "pruned": t_time, "n_all": r_allw.n_found, "n_kept": r_time.n_found,
        "same": set(after["companies"]) == set(r_time.cycles["companies"]),
    }
    res["graph"] = {"n": n, "m": m, "bound": bound}
    return res


# --------------------------------------------------------------------------- driver
def run_worker(args: list[str], env: dict | None = None, timeout: int = 900) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                          cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import igraph
    import networkx
    import numba

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{model}, {os.cpu_count()} cores, {mem:.0f} GB RAM; Python "
            f"{platform.python_version()}, numba {numba.__version__}, igraph "
            f"{igraph.__version__}, networkx {networkx.__version__}")


def cli_times() -> dict:
    """`flowgraph cycles` on the bundled dataset with an empty (cold) and a warm numba cache."""
    out = {}
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        cmd = [sys.executable, "-m", "flowgraph.cli", "cycles"]
        for label in ("cold", "warm", "warm"):
            t0 = time.perf_counter()
            subprocess.run(cmd, capture_output=True, env=env, cwd=ROOT, check=True)
            out.setdefault(label, []).append(time.perf_counter() - t0)
    return {"cold": out["cold"][0], "warm": statistics.median(out["warm"])}


def fmt_s(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.3f}" if x < 1 else f"{x:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", nargs=6, metavar=("TOOL", "N", "M", "BOUND", "RUNS", "SEED"))
    ap.add_argument("--pruning-worker", type=int, metavar="SEED")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    if a.worker:
        tool, n, m, bound, runs, seed = a.worker
        print(json.dumps(worker(tool, int(n), int(m), int(bound), int(runs), int(seed))))
        return
    if a.pruning_worker is not None:
        print(json.dumps(pruning_worker(a.pruning_worker)))
        return

    cases = CASES[:3] if a.quick else CASES
    print(f"Machine: {machine()}\n", flush=True)
    rows = []
    for name, n, m, bound, fg_runs, ig_runs, nx_runs in cases:
        res = {}
        for tool, runs in (("flowgraph", fg_runs), ("igraph", ig_runs), ("networkx", nx_runs)):
            if runs:
                try:
                    res[tool] = run_worker(["--worker", tool, str(n), str(m), str(bound),
                                            str(runs), str(a.seed)],
                                           timeout=NX_CAP if tool == "networkx" else 1800)
                except subprocess.TimeoutExpired:
                    print(f"  {name} {tool}: stopped after {NX_CAP} s", file=sys.stderr)
                    res[f"{tool}-stopped"] = {"times": [NX_CAP]}
                    continue
                print(f"  {name} {tool}: {res[tool]['count']} cycles, median "
                      f"{statistics.median(res[tool]['times']):.3f} s", file=sys.stderr,
                      flush=True)
        if m >= 1_000_000:
            res["flowgraph-nx"] = run_worker(["--worker", "flowgraph-nx", str(n), str(m),
                                              str(bound), "1", str(a.seed)])
        rows.append((name, n, m, bound, res))

    print("| graph (n/m) | bound | cycles | flowgraph s | igraph s | networkx s | "
          "igraph / flowgraph | networkx / flowgraph | same sets | peak RSS flowgraph / "
          "igraph MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    for name, _n, _m, bound, res in rows:
        f = statistics.median(res["flowgraph"]["times"])
        ig = statistics.median(res["igraph"]["times"]) if "igraph" in res else None
        nxt = statistics.median(res["networkx"]["times"]) if "networkx" in res else None
        digests = {r["digest"] for k, r in res.items() if k in ("flowgraph", "igraph",
                                                                "networkx")}
        counts = {r["count"] for k, r in res.items() if k in ("flowgraph", "igraph",
                                                              "networkx")}
        same = "yes" if len(digests) == 1 and len(counts) == 1 else "NO"
        ratio_ig = f"{ig / f:.1f}x" if ig else "-"
        ratio_nx = f"{nxt / f:.0f}x" if nxt else "skipped"
        nx_text = fmt_s(nxt) if nxt else "skipped"
        if "networkx-stopped" in res:
            nx_text, ratio_nx = f"> {NX_CAP} (stopped)", f"> {NX_CAP / f:.0f}x"
        mem = (f"{res['flowgraph']['maxrss_mb']:.0f} / "
               f"{res['igraph']['maxrss_mb']:.0f}" if "igraph" in res else "-")
        print(f"| {name} | {bound} | {res['flowgraph']['count']:,} | {fmt_s(f)} | "
              f"{fmt_s(ig)} | {nx_text} | {ratio_ig} | {ratio_nx} | "
              f"{same} | {mem} |")
    print(f"\n{NX_SKIPPED}.")
    for name, _n, _m, _bound, res in rows:
        if "flowgraph-nx" in res:
            r = res["flowgraph-nx"]
            print(f"\n{name} from a networkx DiGraph: conversion to arrays "
                  f"{statistics.median(r['conversion']):.2f} s, find_cycles total (conversion "
                  f"included, no sentences) {statistics.median(r['times']):.2f} s, same cycles: "
                  f"{'yes' if r['digest'] == res['flowgraph']['digest'] else 'NO'}; peak RSS "
                  f"{r['maxrss_mb']:.0f} MB with the graph, of which the DiGraph "
                  f"{r['base_rss_mb']:.0f} MB.")

    if not a.quick:
        pr = run_worker(["--pruning-worker", str(a.seed)])
        g = pr["graph"]
        print(f"\nPruning on G({g['n']:,}, {g['m']:,}), bound {g['bound']}, lognormal amounts, "
              "uniform dates over 3 years (median of 3):\n")
        print("| option | all cycles s | pruned search s | speedup | cycles all / kept | "
              "same as filtering after |")
        print("| --- | ---: | ---: | ---: | ---: | --- |")
        mn = pr["min_amount"]
        print(f"| min_amount = {mn['threshold']:.2f} (median amount) | {fmt_s(mn['all'])} | "
              f"{fmt_s(mn['pruned'])} | {mn['all'] / mn['pruned']:.1f}x | "
              f"{mn['n_all']:,} / {mn['n_kept']:,} | {'yes' if mn['same'] else 'NO'} |")
        to = pr["time_ordered"]
        print(f"| time_ordered, window 365 days | {fmt_s(to['all'])} | {fmt_s(to['pruned'])} | "
              f"{to['all'] / to['pruned']:.1f}x | {to['n_all']:,} / {to['n_kept']:,} | "
              f"{'yes' if to['same'] else 'NO'} |")
        ct = cli_times()
        print(f"\n`flowgraph cycles` on the bundled ai-capital dataset, end to end: "
              f"{ct['cold']:.1f} s with an empty numba cache, {ct['warm']:.1f} s warm.")


if __name__ == "__main__":
    main()
