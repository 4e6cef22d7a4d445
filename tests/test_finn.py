"""Finn's cycling index, following the conventions of enaR's enaFlow.

Published reference: the Cone Spring ecosystem (Tilly 1968; flows as in Szyrmer & Ulanowicz
1987, Fig. 1, and the R package NetIndices' ``Conesprings``), whose Finn cycling index is
0.092 (Finn 1976). Random networks are checked against an independent computation of each
node's return probability (absorbing Markov chain hitting probabilities).
"""
from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from flowgraph.circulation import finn_cycling_index
from flowgraph.errors import MissingDataError, ParameterError

# kcal m^-2 y^-1; F[i, j] = flow from i to j
CONE_NODES = ["Plants", "Detritus", "Bacteria", "Detritivores", "Carnivores"]
CONE_FLOWS = {
    ("Plants", "Detritus"): 8881,
    ("Detritus", "Bacteria"): 5205,
    ("Detritus", "Detritivores"): 2309,
    ("Bacteria", "Detritus"): 1600,
    ("Bacteria", "Detritivores"): 75,
    ("Detritivores", "Detritus"): 200,
    ("Detritivores", "Carnivores"): 370,
    ("Carnivores", "Detritus"): 167,
}
CONE_INPUTS = {"Plants": 11184, "Detritus": 635}


def cone_matrix():
    F = pd.DataFrame(0.0, index=CONE_NODES, columns=CONE_NODES)
    for (a, b), v in CONE_FLOWS.items():
        F.loc[a, b] = v
    z = [CONE_INPUTS.get(n, 0.0) for n in CONE_NODES]
    return F, z


def test_cone_spring_published_fci():
    F, z = cone_matrix()
    r = finn_cycling_index(F, inputs=z)
    assert r.fci == pytest.approx(0.092, abs=5e-4)  # Finn (1976)
    # throughflow = inflow + boundary input (enaR's T)
    T = r.nodes.set_index("node")["throughflow"]
    assert T["Plants"] == 11184
    assert T["Detritus"] == 8881 + 1600 + 200 + 167 + 635
    assert r.tst == pytest.approx(11184 + 11483 + 5205 + 2384 + 370)
    assert r.balanced  # outputs default to the balancing losses
    # Plants and Carnivores' cycling: Plants are on no cycle
    eff = r.nodes.set_index("node")["cycling_efficiency"]
    assert eff["Plants"] == 0.0
    assert eff["Carnivores"] > 0


def test_cone_spring_from_a_graph_with_given_boundaries():
    F, z = cone_matrix()
    G = nx.DiGraph()
    for (a, b), v in CONE_FLOWS.items():
        G.add_edge(a, b, amount=float(v))
    # graph nodes are sorted by name, so pass inputs in that order
    names = sorted(CONE_NODES)
    r = finn_cycling_index(G, inputs=[CONE_INPUTS.get(n, 0.0) for n in names])
    assert r.fci == pytest.approx(finn_cycling_index(F, inputs=z).fci, rel=1e-12)


def test_two_node_hand_worked():
    # A -> B 8, B -> A 4, input 4 into A; T = (8, 8); G_AB = 1, G_BA = 1/2;
    # N = inv([[1, -1], [-1/2, 1]]) = [[2, 2], [1, 2]]: N_AA = N_BB = 2,
    # so half of each throughflow is cycled: TSTc = 8, TST = 16, FCI = 1/2.
    r = finn_cycling_index(np.array([[0.0, 8.0], [4.0, 0.0]]), inputs=[4.0, 0.0],
                           nodes=["A", "B"])
    assert r.fci == pytest.approx(0.5)
    assert r.tst_cycled == pytest.approx(8.0)
    assert r.boundary_output == pytest.approx(4.0)


def test_acyclic_network_has_zero_fci():
    r = finn_cycling_index(np.array([[0, 3.0, 0], [0, 0, 2.0], [0, 0, 0]]), inputs=[3, 0, 0])
    assert r.fci == 0.0


def return_probability(Gm, i):
    """P(a unit leaving i comes back to i): hitting probabilities of i in the chain G."""
    n = Gm.shape[0]
    others = [j for j in range(n) if j != i]
    # h_j = G[j, i] + sum_{k != i} G[j, k] h_k for j != i
    A = np.eye(n - 1) - Gm[np.ix_(others, others)]
    h = np.linalg.solve(A, Gm[others, i])
    return Gm[i, i] + Gm[i, others] @ h


@pytest.mark.parametrize("seed", range(6))
def test_random_networks_against_return_probabilities(seed):
    rng = np.random.default_rng(seed)
    n = 8
    F = rng.uniform(0, 10, (n, n)) * (rng.random((n, n)) < 0.35)
    np.fill_diagonal(F, 0)
    z = rng.uniform(1, 5, n)
    r = finn_cycling_index(F, inputs=z)
    T = F.sum(axis=0) + z
    Gm = F / T[:, None]
    expected = sum(return_probability(Gm, i) * T[i] for i in range(n)) / T.sum()
    assert r.fci == pytest.approx(expected, rel=1e-9, abs=1e-12)
    # the sparse path for large components gives the same
    r2 = finn_cycling_index(F, inputs=z, max_dense=1)
    assert r2.fci == pytest.approx(r.fci, rel=1e-9, abs=1e-12)


def test_deal_network_boundaries_from_imbalance():
    from flowgraph.graph import build_graph
    from flowgraph.io import load_dataset

    G = build_graph(load_dataset("toy"))
    r = finn_cycling_index(G)
    assert r.balanced
    assert r.boundary_input == pytest.approx(r.boundary_output)
    nodes = r.nodes.set_index("node")
    # FundCo only pays 15: all boundary input; CloudCo receives 30 and pays 6: output 24
    assert nodes.loc["FundCo", "input"] == 15 and nodes.loc["FundCo", "output"] == 0
    assert nodes.loc["CloudCo", "output"] == 24
    assert "boundary" in r.boundary
    assert "unknown" in r.unknown_treatment
    assert 0 < r.fci < 1


def test_errors():
    with pytest.raises(ParameterError):
        finn_cycling_index(np.zeros((2, 3)))
    with pytest.raises(MissingDataError):
        finn_cycling_index(np.array([[0, math.nan], [1, 0]]), inputs=[1, 1])
    with pytest.raises(ParameterError):
        finn_cycling_index(np.array([[0, 1.0], [1, 0]]), inputs=[1.0])
    with pytest.raises(ParameterError):
        finn_cycling_index(np.array([[0, -1.0], [1, 0]]), inputs=[1.0, 1.0])


# Oyster reef model (Dame and Patten 1981), enaR's ``oyster`` data set, as entered in the enaR
# authors' example script for the package paper (MKLau/enaR_development, src/table4.R):
# internal flows oriented row (from) to column (to), one input, outputs = respiration.
# The enaR paper (Borrett and Lau 2014, Methods in Ecology and Evolution 5:1206) reports for
# this model TST = 83.58 and FCI = 0.11.
OYSTER_NODES = ["Filter Feeders", "Microbiota", "Meiofauna", "Deposit Feeders", "Predators",
                "Deposited Detritus"]
OYSTER_F_COLUMN_MAJOR = [
    0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 8.1721, 0, 1.2060, 0, 0, 0, 7.2745,
    0, 1.2060, 0.6609, 0, 0, 0.6431, 0.5135, 0, 0,
    0.1721, 0, 0, 15.7910, 0, 4.2403, 1.9076, 0.3262, 0,
]
OYSTER_INPUTS = [41.47, 0, 0, 0, 0, 0]
OYSTER_OUTPUTS = [25.1650, 5.76, 3.5794, 0.4303, 0.3594, 6.1759]


def test_oyster_reef_published_tst_and_fci():
    F = np.array(OYSTER_F_COLUMN_MAJOR, dtype=float).reshape(6, 6, order="F")
    flows = pd.DataFrame(F, index=OYSTER_NODES, columns=OYSTER_NODES)
    r = finn_cycling_index(flows, inputs=OYSTER_INPUTS, outputs=OYSTER_OUTPUTS)
    assert r.tst == pytest.approx(83.58, abs=0.005)
    assert r.fci == pytest.approx(0.11, abs=0.005)


def test_notes_are_a_tuple_and_say_when_flows_do_not_balance():
    F = np.array([[0.0, 8.0], [4.0, 0.0]])
    ok = finn_cycling_index(F, inputs=[4.0, 0.0])
    assert isinstance(ok.notes, tuple) and ok.balanced
    assert ok.notes[0] == ok.boundary and ok.notes[1] == ok.unknown_treatment
    assert not any("do not balance" in n for n in ok.notes)
    off = finn_cycling_index(F, inputs=[1.0, 0.0], outputs=[0.0, 0.0])
    assert not off.balanced
    assert any("do not balance" in n for n in off.notes)


def test_closed_loop_with_no_leak_cycles_all_its_throughflow():
    """A closed group (no money leaves or enters it) makes I - G singular; every unit
    leaving one of its nodes comes back (return probability 1), so its cycling efficiency
    is 1. Hand-computed: A <-> B 1 each (closed, T = 1, 1) beside a chain C -> D -> E
    (boundary input 1 at C, output 1 at E; T = 1, 1, 1, nothing cycled): TST = 5,
    TSTc = 2, FCI = 2/5."""
    alone = finn_cycling_index(np.array([[0.0, 1.0], [1.0, 0.0]]), nodes=["A", "B"])
    assert alone.fci == 1.0 and alone.tst == 2.0 and alone.tst_cycled == 2.0
    assert alone.n_closed == 2 and any("closed loops" in n for n in alone.notes)
    G = nx.MultiDiGraph()
    for a, b in [("A", "B"), ("B", "A"), ("C", "D"), ("D", "E")]:
        G.add_edge(a, b, amount=1.0)
    r = finn_cycling_index(G)
    assert r.tst == pytest.approx(5.0) and r.tst_cycled == pytest.approx(2.0)
    assert r.fci == pytest.approx(0.4)
    eff = r.nodes.set_index("node")["cycling_efficiency"]
    assert eff.to_dict() == {"A": 1.0, "B": 1.0, "C": 0.0, "D": 0.0, "E": 0.0}
    # the same loop with a tiny leak tends to the closed answer (Finn's limit)
    leak = finn_cycling_index(np.array([[0.0, 1.0], [1.0, 0.0]]), inputs=[1e-9, 0.0],
                              outputs=[0.0, 1e-9])
    assert leak.fci == pytest.approx(1.0, abs=1e-6)
    assert leak.n_closed == 0


def test_singular_given_boundaries_are_a_clear_error():
    from flowgraph.errors import FlowgraphError, SolverError

    # inputs that push more out than comes in: G's rows sum past 1 and I - G is singular
    F = np.array([[0.0, 2.0], [0.5, 0.0]])
    with pytest.raises(SolverError, match="cannot be solved") as exc:
        finn_cycling_index(F, inputs=[0.0, 0.0], outputs=[0.0, 0.0])
    assert isinstance(exc.value, FlowgraphError)


def test_cli_finn_view_of_a_closed_loop(tmp_path):
    from click.testing import CliRunner

    from flowgraph.cli import main

    path = tmp_path / "tiny.csv"
    pd.DataFrame([dict(deal_id=f"d{i}", payer=a, payee=b, amount_usd_bn=1.0, flow_type="other",
                       status="committed", source_url="https://example.com/x")
                  for i, (a, b) in enumerate([("A", "B"), ("B", "A"), ("C", "D"),
                                              ("D", "E")])]).to_csv(path, index=False)
    r = CliRunner().invoke(main, ["circulation", "--deals", str(path), "--view", "finn"])
    assert r.exit_code == 0, r.output
    assert "internal error" not in r.output and "Traceback" not in r.output
    assert "0.4" in r.output or "40" in r.output
