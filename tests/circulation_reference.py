"""Independent reference solves shared by the circulation tests."""
from __future__ import annotations

import numpy as np
from scipy.optimize import linprog


def lp_value(edges):
    """HiGHS: max sum(C), 0 <= C <= W, balance (edges: list of (u, v, w))."""
    edges = [e for e in edges if e[2] > 0]
    if not edges:
        return 0.0
    nodes = sorted({u for u, _, _ in edges} | {v for _, v, _ in edges})
    idx = {x: i for i, x in enumerate(nodes)}
    A = np.zeros((len(nodes), len(edges)))
    for k, (u, v, _) in enumerate(edges):
        A[idx[u], k] += 1
        A[idx[v], k] -= 1
    res = linprog(-np.ones(len(edges)), A_eq=A, b_eq=np.zeros(len(nodes)),
                  bounds=[(0, w) for _, _, w in edges], method="highs")
    assert res.status == 0
    return -res.fun
