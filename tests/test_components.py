"""Strong components: flowgraph's Tarjan kernel against networkx and scipy on random graphs,
the routines of the one rule (compiled, interpreted, scipy's) against each other, which one
runs when, and the order of the labels."""
from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from flowgraph import _circulation_engine as eng
from flowgraph import _components_kernels as CK


def _random_edges(seed: int, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Random edges with self-loops and repeated pairs, in no particular order."""
    rng = np.random.default_rng(seed)
    src = rng.integers(0, n, m)
    dst = rng.integers(0, n, m)
    dup = rng.integers(0, m, m // 10)  # repeated pairs
    loops = rng.integers(0, n, max(1, n // 20))  # self-loops
    return (np.concatenate([src, src[dup], loops]).astype(np.int64),
            np.concatenate([dst, dst[dup], loops]).astype(np.int64))


def _partition(labels: np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for v, lab in enumerate(labels.tolist()):
        groups.setdefault(lab, set()).add(v)
    return {frozenset(g) for g in groups.values()}


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("density", [0.5, 1.0, 1.5, 3.0])
def test_components_match_networkx_and_scipy(seed, density):
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    n = 40 + 37 * seed
    src, dst = _random_edges(seed, n, int(density * n))
    count, labels = eng.strong_components(n, src, dst)
    G = nx.DiGraph()
    G.add_nodes_from(range(n))
    G.add_edges_from(zip(src.tolist(), dst.tolist()))
    want = {frozenset(c) for c in nx.strongly_connected_components(G)}
    assert _partition(labels) == want
    assert count == len(want) and sorted(set(labels.tolist())) == list(range(count))
    k, ref = connected_components(csr_matrix((np.ones(len(src)), (src, dst)), shape=(n, n)),
                                  directed=True, connection="strong")
    assert k == count and _partition(ref) == want


@pytest.mark.parametrize("seed", range(4))
def test_the_three_routines_give_the_same_partition(seed, monkeypatch):
    """Compiled and interpreted kernel: the very same labels; scipy's routine (small graphs
    past the interpreted budget): the same partition."""
    n = 300
    src, dst = _random_edges(seed, n, 600)
    indptr, indices = eng.csr_arrays(n, src, dst)
    monkeypatch.setattr(eng, "_SCC_PY_USED", [0])
    a = eng.csr_components(n, indptr, indices, compiled=False)
    assert eng._SCC_PY_USED == [len(indices)]  # the interpreted kernel ran
    b = eng.csr_components(n, indptr, indices, compiled=True)
    assert a[0] == b[0] and np.array_equal(a[1], b[1])
    monkeypatch.setattr(eng, "_SCC_PY_USED", [eng.SCC_PY_BUDGET])
    c = eng.csr_components(n, indptr, indices, compiled=False)
    assert eng._SCC_PY_USED == [eng.SCC_PY_BUDGET]  # scipy's ran
    assert c[0] == a[0] and _partition(c[1]) == _partition(a[1])


def test_labels_are_in_completion_order():
    """A component is labelled before every component that reaches it: along an edge between
    two components the label goes down (the condensation in reverse topological order)."""
    n = 500
    src, dst = _random_edges(11, n, 700)
    _, labels = CK.strong_components(n, *eng.csr_arrays(n, src, dst))  # the kernel's own numbering
    across = labels[src] != labels[dst]
    assert across.sum() > 100
    assert (labels[src][across] > labels[dst][across]).all()


def test_a_long_chain_and_a_long_ring_need_no_recursion():
    n = 200_000  # far deeper than Python's recursion limit
    chain = np.arange(n - 1, dtype=np.int64)
    count, labels = eng.csr_components(n, *eng.csr_arrays(n, chain, chain + 1), compiled=True)
    assert count == n and labels.tolist() == list(range(n - 1, -1, -1))
    ring = np.arange(n, dtype=np.int64)
    count, labels = eng.strong_components(n, ring, (ring + 1) % n)
    assert count == 1 and not labels.any()


def test_small_graphs_without_edges_and_the_empty_graph():
    assert eng.strong_components(0, np.zeros(0, np.int64), np.zeros(0, np.int64))[0] == 0
    count, labels = eng.strong_components(3, np.zeros(0, np.int64), np.zeros(0, np.int64))
    assert count == 3 and sorted(labels.tolist()) == [0, 1, 2]
    count, labels = CK.strong_components(1, np.array([0, 1]), np.array([0]))  # a self-loop
    assert count == 1 and labels.tolist() == [0]


def test_the_size_rule_picks_the_interpreted_kernel_for_small_graphs(monkeypatch):
    """Small graphs never load numba for their components (while it is not loaded anyway):
    the interpreted kernel within its budget, scipy past it; large ones always run
    compiled."""
    from flowgraph import _numba

    calls = []
    real = _numba.compiled
    monkeypatch.setattr(_numba, "compiled", lambda module: calls.append(module) or real(module))
    monkeypatch.setattr(_numba, "warm", lambda: False)
    monkeypatch.setattr(eng, "_SCC_PY_USED", [0])
    ring = np.arange(eng.SCC_PY_MAX_EDGES, dtype=np.int64)
    indptr, indices = eng.csr_arrays(len(ring), ring, (ring + 1) % len(ring))
    for _ in range(eng.SCC_PY_BUDGET // len(ring) + 2):  # past the budget: scipy's routine
        assert eng.csr_components(len(ring), indptr, indices)[0] == 1
    assert calls == []
    assert eng._SCC_PY_USED == [eng.SCC_PY_BUDGET // len(ring) * len(ring)]
    big = np.arange(eng.SCC_PY_MAX_EDGES + 1, dtype=np.int64)
    indptr, indices = eng.csr_arrays(len(big), big, (big + 1) % len(big))
    assert eng.csr_components(len(big), indptr, indices)[0] == 1
    assert calls == [CK, CK]  # the counting sort of the CSR build, then the components


def test_small_graphs_run_compiled_once_a_kernel_is_loaded(monkeypatch):
    """Once any compiled kernel is loaded (numba's machinery is then paid for), a small graph
    goes to the compiled kernels too (its CSR sort and its components), not to the
    interpreted one nor to scipy."""
    from flowgraph import _numba

    calls = []
    real = _numba.compiled
    monkeypatch.setattr(_numba, "compiled", lambda module: calls.append(module) or real(module))
    monkeypatch.setattr(_numba, "warm", lambda: True)
    monkeypatch.setattr(eng, "_SCC_PY_USED", [0])
    indptr, indices = eng.csr_arrays(3, np.array([0, 1, 2]), np.array([1, 2, 0]))
    assert eng.csr_components(3, indptr, indices)[0] == 1
    assert calls == [CK, CK] and eng._SCC_PY_USED == [0]  # the CSR sort, the components


@pytest.mark.parametrize("seed", range(5))
def test_counting_sorts_give_numpys_stable_order(seed):
    """The CSR build's counting sorts, interpreted and compiled, give the order numpy's stable
    sort gives (ties in position order), also with empty input and one vertex."""
    from flowgraph._numba import compiled

    rng = np.random.default_rng(seed)
    for kernels in (CK, compiled(CK)):
        for n, m in ((1, 0), (1, 5), (7, 0), (7, 60), (300, 2000)):
            a, b = rng.integers(0, n, m), rng.integers(0, n, m)
            np.testing.assert_array_equal(kernels.stable_order(a, n),
                                          np.argsort(a, kind="stable"))
            np.testing.assert_array_equal(kernels.pair_order(a, b, n),
                                          np.argsort(a * n + b, kind="stable"))


@pytest.mark.parametrize("compiled", [False, True])
def test_sort_wrappers_agree_by_either_route(compiled, monkeypatch):
    monkeypatch.setattr(eng, "sort_compiled", lambda m: compiled)
    rng = np.random.default_rng(9)
    a, b = rng.integers(0, 50, 4000), rng.integers(0, 50, 4000)
    np.testing.assert_array_equal(eng.stable_order(a, 50), np.argsort(a, kind="stable"))
    np.testing.assert_array_equal(eng.pair_order(a, b, 50), np.lexsort((b, a)))
    indptr, indices = eng.csr_arrays(50, a, b)
    assert indptr[-1] == 4000 and (np.diff(indptr) == np.bincount(a, minlength=50)).all()
    np.testing.assert_array_equal(indices, b[np.argsort(a, kind="stable")])


def test_the_compiled_sort_refuses_a_key_out_of_range():
    from flowgraph._numba import compiled

    for bad in (np.array([0, 3]), np.array([-1, 0])):
        with pytest.raises(ValueError, match="out of range"):
            compiled(CK).stable_order(bad, 3)
        with pytest.raises(ValueError, match="out of range"):
            compiled(CK).pair_order(bad, np.array([0, 0]), 3)
