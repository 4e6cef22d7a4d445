"""Stress tests: DebtRank, differential DebtRank, Eisenberg-Noe clearing and default cascade.

Expected numbers come from published examples of the reference packages (NetworkRiskMeasures,
systemicrisk, NEVA) or from independent formulations (the linear programme of Eisenberg &
Noe's clearing vector, NEVA's valuation iteration), never from this module's own output.
"""
from __future__ import annotations

import dataclasses

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import flowgraph as fg
from flowgraph.cli import main
from flowgraph.errors import MissingDataError, ParameterError, SolverError, UnknownCompanyError
from flowgraph.stress import (
    StressResult,
    clearing_vector,
    debtrank_propagate,
    stress_test,
    threshold_cascade,
)

# NetworkRiskMeasures (Carlos Cinelli, R), README "Example usage":
#   assets_matrix <- matrix(c(0, 10, 3, 1, 0, 2, 0, 3, 0), ncol = 3)   # column-major
#   buffer <- c(a = 2, b = 5, c = 2); weights <- c(a = 10, b = 100, c = 30)
# A[i, j] = i's asset on j ("A -> B means that A has an asset with B").
NRM_A = np.array([[0, 1, 0], [10, 0, 3], [3, 2, 0]], dtype=float)
NRM_BUFFER = [2, 5, 2]
NRM_WEIGHTS = [10, 100, 30]


@pytest.fixture(scope="module")
def toy():
    return fg.build_graph(fg.load_dataset("toy"))


# --------------------------------------------------------------------------- DebtRank
def test_debtrank_networkriskmeasures_shock_example():
    # README: debt_rank_shock(..., shock = 0.1 for every vertex):
    #   "Shock causes additional stress of 16.07% in the network."
    #   final stress a 0.15, b 0.26, c 0.30; additional defaulted entities: 0
    run = debtrank_propagate(NRM_A, NRM_BUFFER, [0.1, 0.1, 0.1], weights=NRM_WEIGHTS)
    assert run.h == pytest.approx([0.15, 0.26, 0.30])
    assert run.value == pytest.approx(0.1607, abs=5e-5)
    assert int((run.h >= 1).sum() - (run.h0 >= 1).sum()) == 0


@pytest.mark.parametrize("vertex, additional_stress, additional_defaults", [
    # README: debt_rank(assets_matrix, buffer, weights), each vertex defaulting in turn:
    #   a 0.9285714 (2 additional defaults), c 0.6642857 (0), b 0.2500000 (1)
    (0, 0.9285714, 2),
    (2, 0.6642857, 0),
    (1, 0.2500000, 1),
])
def test_debtrank_networkriskmeasures_default_example(vertex, additional_stress,
                                                      additional_defaults):
    shock = np.zeros(3)
    shock[vertex] = 1.0
    run = debtrank_propagate(NRM_A, NRM_BUFFER, shock, weights=NRM_WEIGHTS)
    assert run.value == pytest.approx(additional_stress, abs=5e-7)
    assert int((run.h >= 1).sum() - (run.h0 >= 1).sum()) == additional_defaults


def neva_linear_debtrank(A, E0, shock, iters=10000):
    """Fixed point of NEVA's Linear DebtRank valuation (neva/ibeval.py ``lin_dr``):
    E_i = E0_i (1 - shock_i) - sum_j A_ij rel_loss(E_j, E0_j), with
    rel_loss = 0 above E0, 1 - E/E0 in between, 1 below 0 (Barucca et al. 2020)."""
    A = np.asarray(A, float)
    E0 = np.asarray(E0, float)
    base = E0 * (1 - np.asarray(shock, float))
    E = base.copy()
    for _ in range(iters):
        rel = np.clip(1 - E / E0, 0, 1)
        new = base - A @ rel
        if np.max(np.abs(new - E)) < 1e-14:
            break
        E = new
    return np.clip(1 - E / E0, 0, 1)


def test_differential_debtrank_on_neva_shock_cycle():
    # NEVA data/shock_cycle.json: A lends 0.5 to B, B to C, C to A; external assets 10/5/3,
    # external liabilities 9/4/2, so every equity is 1. A 50% shock to A goes round the
    # cycle: h_A = 0.5 + h_A/8, h_C = h_A/2, h_B = h_A/4, i.e. (4/7, 1/7, 2/7).
    A = np.array([[0, 0.5, 0], [0, 0, 0.5], [0.5, 0, 0]])
    run = debtrank_propagate(A, [1, 1, 1], [0.5, 0, 0], differential=True)
    assert run.h == pytest.approx([4 / 7, 1 / 7, 2 / 7], abs=1e-10)
    assert run.h == pytest.approx(neva_linear_debtrank(A, [1, 1, 1], [0.5, 0, 0]), abs=1e-10)
    # the original DebtRank passes distress on once: A's second-round distress stays put
    orig = debtrank_propagate(A, [1, 1, 1], [0.5, 0, 0])
    assert orig.h == pytest.approx([0.5 + 0.5 ** 4, 0.125, 0.25])


@pytest.mark.parametrize("seed", range(8))
def test_differential_debtrank_equals_neva_linear_debtrank(seed):
    rng = np.random.default_rng(seed)
    n = 10
    A = rng.uniform(0, 1, (n, n)) * (rng.uniform(size=(n, n)) < 0.3)
    np.fill_diagonal(A, 0)
    E = rng.uniform(0.5, 3, n)
    shock = np.where(rng.uniform(size=n) < 0.2, rng.uniform(0.1, 1, n), 0.0)
    shock[0] = 0.7
    run = debtrank_propagate(A, E, shock, differential=True)
    assert run.h == pytest.approx(neva_linear_debtrank(A, E, shock), abs=1e-9)
    orig = debtrank_propagate(A, E, shock)
    assert np.all(orig.h <= run.h + 1e-12)  # reverberation only adds distress


def test_debtrank_variants_agree_on_a_tree_without_caps():
    # On an acyclic network where no exposure exceeds a buffer, each company is reached once
    # and both variants coincide (Bardoscia et al. 2015, section "DebtRank").
    A = np.array([[0, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0], [0, 1, 1, 0]], dtype=float)
    E = [2, 2, 4, 5]
    a = debtrank_propagate(A, E, [1, 0, 0, 0])
    b = debtrank_propagate(A, E, [1, 0, 0, 0], differential=True)
    assert a.h == pytest.approx(b.h)
    assert a.h == pytest.approx([1, 0.5, 0.25, 0.5 / 5 + 0.25 / 5])
    assert a.round_hit.tolist() == [0, 1, 1, 2]


def test_debtrank_input_checks():
    with pytest.raises(ParameterError):
        debtrank_propagate(NRM_A, [2, 0, 2], [1, 0, 0])
    with pytest.raises(ParameterError):
        debtrank_propagate(NRM_A, NRM_BUFFER, [1.5, 0, 0])
    with pytest.raises(ParameterError):
        debtrank_propagate(-NRM_A, NRM_BUFFER, [1, 0, 0])
    with pytest.raises(SolverError):
        A = np.array([[0, 0.9], [0.9, 0]])
        debtrank_propagate(A, [10, 10], [0.01, 0], differential=True, max_rounds=3)


# --------------------------------------------------------------------------- Eisenberg-Noe
# systemicrisk (Gandy & Veraart, R), ?default_clearing / ?default_cascade example, from
# Rogers & Veraart (2013): ea <- c(1/2,5/8,3/4); el <- c(3/2,1/2,1/2); x <- 0.5;
# L <- matrix(c(0,x,1-x,1-x,0,x,x,1-x,0), nrow=3)  (column-major; symmetric for x = 0.5)
SR_L = np.array([[0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]])
SR_EA = [1 / 2, 5 / 8, 3 / 4]
SR_EL = [3 / 2, 1 / 2, 1 / 2]


def lp_clearing(L, e, el):
    """Clearing vector as the linear programme used by systemicrisk's ``clearingvector``:
    max sum p  s.t.  (I - Pi^T) p <= e,  0 <= p <= p_bar."""
    from scipy.optimize import linprog

    L = np.asarray(L, float)
    pbar = L.sum(axis=1) + np.asarray(el, float)
    Pi = np.divide(L, pbar[:, None], out=np.zeros_like(L), where=pbar[:, None] > 0)
    n = len(pbar)
    res = linprog(-np.ones(n), A_ub=np.eye(n) - Pi.T, b_ub=np.asarray(e, float),
                  bounds=list(zip(np.zeros(n), pbar)), method="highs")
    assert res.status == 0
    return res.x, pbar


def test_clearing_systemicrisk_example():
    run = clearing_vector(SR_L, SR_EA, external_liabilities=SR_EL)
    # systemicrisk default_clearing(L, ea, el)$defaultind: banks 1 and 2 default, 3 does not
    assert run.defaults.astype(int).tolist() == [1, 1, 0]
    p_lp, pbar = lp_clearing(SR_L, SR_EA, SR_EL)
    assert run.payments == pytest.approx(p_lp, abs=1e-8)
    assert run.obligations == pytest.approx(pbar)
    assert run.default_round.tolist() == [1, 2, -1]  # bank 2 fails only after bank 1


def test_cascade_systemicrisk_example():
    # systemicrisk default_cascade(L, ea, el) (recovery rate 0): all three banks default.
    # Net worth = ea + colSums(L) - rowSums(L) - el = (-1, 1/8, 1/4); exposures = L^T.
    networth = np.array(SR_EA) + SR_L.sum(axis=0) - SR_L.sum(axis=1) - np.array(SR_EL)
    assert networth == pytest.approx([-1, 1 / 8, 1 / 4])
    run = threshold_cascade(SR_L.T, networth, 0.0)
    assert run.failed.astype(int).tolist() == [1, 1, 1]
    assert run.fail_round.tolist() == [1, 2, 2]
    # with a recovery rate of 90% the banks lose 0.05 each on bank 1: only bank 1 fails
    run = threshold_cascade(SR_L.T, networth, 0.0, default_loss=0.1)
    assert run.failed.astype(int).tolist() == [1, 0, 0]


@pytest.mark.parametrize("seed", range(10))
def test_clearing_equals_linear_programme_on_random_networks(seed):
    rng = np.random.default_rng(seed)
    n = 12
    L = rng.uniform(0, 10, (n, n)) * (rng.uniform(size=(n, n)) < 0.35)
    np.fill_diagonal(L, 0)
    e = rng.uniform(0, 8, n)
    el = rng.uniform(0, 3, n) * (rng.uniform(size=n) < 0.5)
    run = clearing_vector(L, e, external_liabilities=el)
    p_lp, pbar = lp_clearing(L, e, el)
    assert run.payments == pytest.approx(p_lp, abs=1e-7)
    # the fixed-point condition itself
    Pi = np.divide(L, pbar[:, None], out=np.zeros_like(L), where=pbar[:, None] > 0)
    assert run.payments == pytest.approx(np.minimum(pbar, e + Pi.T @ run.payments), abs=1e-9)


def test_clearing_with_closed_default_cycle():
    # two companies owing each other with no outside money: every payment vector on the
    # diagonal clears; the greatest one pays in full.
    run = clearing_vector([[0, 5], [5, 0]], [0, 0])
    assert run.payments == pytest.approx([5, 5])
    capped = clearing_vector([[0, 5], [5, 0]], [0, 0], max_payment=[2, 5])
    assert capped.payments == pytest.approx([2, 2])
    # defaults are measured against each limit: the capped company pays its cap
    assert capped.defaults.tolist() == [False, True]


# --------------------------------------------------------------------------- graph level
def test_toy_cascade_by_hand(toy):
    # datasets/README.md: LabCo owes CloudCo 30 and LeaseCo 12; ChipCo holds 10 of LabCo
    # equity (committed), FundCo 15 (paid). LabCo pays half and loses half its value:
    # CloudCo 15, FundCo 7.5, LeaseCo 6 (> buffer 4: fails), ChipCo 5. Nobody depends on
    # LeaseCo, so nothing more happens.
    r = stress_test(toy, "LabCo", loss=0.5, model="cascade")
    t = r.companies.set_index("company")
    assert t.loc["CloudCo", "loss"] == pytest.approx(15)
    assert t.loc["FundCo", "loss"] == pytest.approx(7.5)
    assert t.loc["ChipCo", "loss"] == pytest.approx(5)
    assert t.loc["LeaseCo", "loss"] == pytest.approx(6)
    assert bool(t.loc["LeaseCo", "fails"]) and r.n_failed == 1
    assert r.total_loss == pytest.approx(33.5) and r.indirect_loss == pytest.approx(0)
    assert t.loc["LabCo", "round_hit"] == 0 and t.loc["CloudCo", "round_hit"] == 1


def test_toy_debtrank_by_hand(toy):
    # Battiston et al. (2012) with equity buffers from the toy companies table:
    # CloudCo W = min(1, 30/300) = 0.1 -> h = 0.05 (loss 15); LeaseCo W = min(1, 12/4) = 1 ->
    # h = 0.5 (loss 2, capped by the model); ChipCo h = 5/150; then ChipCo's distress reaches
    # LabCo (funding 10, buffer 20: W 0.5) and LeaseCo (backstop 5, buffer 4: W 1).
    r = stress_test(toy, "LabCo", loss=0.5)
    t = r.companies.set_index("company")
    assert t.loc["CloudCo", "loss"] == pytest.approx(15)
    assert t.loc["LeaseCo", "direct_loss"] == pytest.approx(2)
    assert t.loc["LeaseCo", "indirect_loss"] == pytest.approx(4 * (5 / 150))
    assert t.loc["LabCo", "indirect_loss"] == pytest.approx(20 * 0.5 * (5 / 150))
    assert t.loc["LabCo", "distress"] == pytest.approx(0.5 + 0.5 * 5 / 150)
    total_buffer = 150 + 20 + 300 + 4 + 100 + 120
    assert r.debtrank == pytest.approx(r.total_loss / total_buffer)


def test_toy_eisenberg_noe_by_hand(toy):
    # LabCo pays exactly half of its 42 of obligations: CloudCo receives 15 of 30, LeaseCo 6
    # of 12. Nobody else owes anything that depends on those payments: no new default.
    r = stress_test(toy, "LabCo", loss=0.5, model="eisenberg-noe")
    t = r.companies.set_index("company")
    assert t.loc["CloudCo", "loss"] == pytest.approx(15)
    assert t.loc["LeaseCo", "loss"] == pytest.approx(6)
    assert t.loc["LabCo", "paid_share"] == pytest.approx(0.5)
    assert r.total_loss == pytest.approx(21) and r.n_failed == 0
    assert "pay exactly 50%" in r.assumptions


def test_differential_debtrank_at_least_original(toy):
    a = stress_test(toy, ["LabCo", "ChipCo"], loss=0.8)
    b = stress_test(toy, ["LabCo", "ChipCo"], loss=0.8, model="differential-debtrank")
    assert b.total_loss >= a.total_loss - 1e-9
    assert b.debtrank >= a.debtrank - 1e-12


def test_separate_equity_loss(toy):
    # only the equity channel: ChipCo and FundCo lose on their LabCo stakes, CloudCo nothing
    r = stress_test(toy, "LabCo", loss=0.0, equity_loss=0.4, model="cascade")
    t = r.companies.set_index("company")
    assert t.loc["ChipCo", "loss"] == pytest.approx(4) and t.loc["FundCo", "loss"] == 6
    assert t.loc["CloudCo", "loss"] == 0


def test_missing_buffers_are_reported(toy):
    H = toy.copy()
    del H.nodes["LeaseCo"]["equity_usd_bn"]
    r = stress_test(H, "LabCo", loss=0.5, model="cascade")
    t = r.companies.set_index("company")
    assert t.loc["LeaseCo", "buffer_basis"] == "missing: assumed total exposure"
    assert t.loc["LeaseCo", "buffer"] == pytest.approx(17)
    assert "LeaseCo" in r.assumptions
    r2 = stress_test(H, "LabCo", loss=1.0, model="cascade", missing_buffer="exclude")
    t2 = r2.companies.set_index("company")
    assert not t2.loc["LeaseCo", "fails"] and t2.loc["LeaseCo", "loss"] == pytest.approx(12)
    assert "never fail" in r2.assumptions
    assert "equity_usd_bn" in toy.nodes["LeaseCo"]  # the caller's graph is untouched


def test_negative_book_equity_is_not_a_buffer(toy):
    H = toy.copy()
    H.nodes["LeaseCo"]["equity_usd_bn"] = -2.5
    t = stress_test(H, "LabCo", loss=0.5, model="cascade").companies.set_index("company")
    assert t.loc["LeaseCo", "buffer_basis"] == "not positive: assumed total exposure"
    assert t.loc["LeaseCo", "buffer"] == pytest.approx(17)


def test_errors(toy):
    with pytest.raises(UnknownCompanyError, match="did you mean LabCo"):
        stress_test(toy, "Labco Inc")
    for bad in (-0.1, 1.5, float("nan")):
        with pytest.raises(ParameterError, match="between 0 and 1"):
            stress_test(toy, "LabCo", loss=bad)
    with pytest.raises(ParameterError):
        stress_test(toy, "LabCo", equity_loss=2)
    with pytest.raises(ParameterError, match="unknown model"):
        stress_test(toy, "LabCo", model="domino")
    with pytest.raises(MissingDataError, match="no company has buffer column"):
        stress_test(toy, "LabCo", buffer="capital_usd_bn")
    bare = nx.MultiDiGraph()
    bare.add_edge("A", "B", key="d", amount=1.0, flow_type="lease", status="committed")
    with pytest.raises(MissingDataError):
        stress_test(bare, "A")
    with pytest.raises(MissingDataError, match="positive"):
        stress_test(bare, "A", buffer={"A": float("nan")})


def test_result_shape(toy):
    r = stress_test(toy, "LabCo", loss=0.5)
    assert isinstance(r, StressResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.loss = 0.1  # type: ignore[misc]
    cols = {"company", "shocked", "buffer", "buffer_basis", "exposure", "direct_loss",
            "indirect_loss", "loss", "loss_share", "round_hit", "fails"}
    assert cols <= set(r.companies.columns)
    assert r.companies["loss"].tolist() == sorted(r.companies["loss"], reverse=True)
    assert r.total_loss == pytest.approx(r.direct_loss + r.indirect_loss)
    assert len(r.companies) == toy.number_of_nodes()
    assert set(r.headline()["measure"]) >= {"DebtRank", "total loss (bn USD)"}


def test_unknown_amounts_left_out_and_counted():
    M = nx.MultiDiGraph()
    M.add_node("A", equity_usd_bn=10.0)
    M.add_node("B", equity_usd_bn=10.0)
    M.add_node("C", equity_usd_bn=10.0)
    M.add_edge("A", "B", key="k", amount=4.0, flow_type="lease", status="committed")
    M.add_edge("A", "C", key="u", amount=float("nan"), amount_known=False, flow_type="lease",
               status="committed")
    r = stress_test(M, "A", model="cascade")
    t = r.companies.set_index("company")
    assert t.loc["B", "loss"] == 4 and t.loc["C", "loss"] == 0
    assert r.n_unknown == 1 and "1 exposure with an unknown amount is left out" in r.assumptions


def test_larger_network_runs_sparse():
    rng = np.random.default_rng(1)
    n = 1500
    M = nx.MultiDiGraph()
    for i in range(n):
        M.add_node(f"n{i}", equity_usd_bn=float(rng.uniform(1, 50)),
                   cash_usd_bn=float(rng.uniform(0, 20)))
    src = rng.integers(0, n, 6000)
    dst = rng.integers(0, n, 6000)
    for k, (u, v) in enumerate(zip(src, dst)):
        if u != v:
            M.add_edge(f"n{u}", f"n{v}", key=f"d{k}", amount=float(rng.uniform(0.1, 10)),
                       flow_type="compute_contract", status="committed")
    for model in ("debtrank", "differential-debtrank", "cascade", "eisenberg-noe"):
        r = stress_test(M, ["n0", "n1", "n2"], loss=0.6, model=model)
        assert len(r.companies) == n and r.total_loss > 0


# --------------------------------------------------------------------------- CLI
@pytest.mark.parametrize("model", ["debtrank", "differential-debtrank", "eisenberg-noe",
                                   "cascade"])
def test_cli_stress_models(model):
    r = CliRunner().invoke(main, ["stress", "--dataset", "toy", "--fail", "LabCo", "--loss",
                                  "0.5", "--model", model])
    assert r.exit_code == 0, r.output
    assert "Stress test" in r.output and "CloudCo" in r.output


def test_cli_stress_json_and_errors(tmp_path):
    r = CliRunner().invoke(main, ["stress", "--dataset", "toy", "--fail", "labco", "--fail",
                                  "ChipCo", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert '"Companies"' in r.output
    bad = CliRunner().invoke(main, ["stress", "--dataset", "toy", "--fail", "LabCo",
                                    "--loss", "1.5"])
    assert bad.exit_code == 1
    assert bad.output.strip().count("\n") == 0 and "between 0 and 1" in bad.output
    unknown = CliRunner().invoke(main, ["stress", "--dataset", "toy", "--fail", "Lab"])
    assert unknown.exit_code == 1 and "unknown company" in unknown.output
    # a deals file without a companies table has no buffers at all
    deals = fg.load_dataset("toy").deals
    path = tmp_path / "deals.csv"
    pd.DataFrame(deals).to_csv(path, index=False)
    nob = CliRunner().invoke(main, ["stress", "--deals", str(path), "--fail", "LabCo"])
    assert nob.exit_code == 1 and "buffer" in nob.output


def test_eisenberg_noe_external_liabilities_share_the_shortfall(toy):
    # LabCo owes CloudCo 30 and LeaseCo 12 in the network and, say, 18 outside: paying half
    # of 60 pro rata, CloudCo gets 15 of 30 and LeaseCo 6 of 12 (Eisenberg & Noe: payments
    # proportional to claims, Pi_ij = L_ij / p_bar_i).
    r = stress_test(toy, "LabCo", loss=0.5, model="eisenberg-noe",
                    external_liabilities={"labco": 18.0})
    t = r.companies.set_index("company")
    assert t.loc["LabCo", "obligations"] == pytest.approx(60)
    assert t.loc["LabCo", "payments"] == pytest.approx(30)
    assert t.loc["CloudCo", "loss"] == pytest.approx(15)
    assert t.loc["LeaseCo", "loss"] == pytest.approx(6)
    # external assets from another column (market value): nobody defaults at baseline
    r2 = stress_test(toy, "LabCo", loss=0.5, model="eisenberg-noe",
                     external_assets="market_value_usd_bn")
    assert not r2.companies["baseline_default"].any()


def test_cli_stress_in_a_fresh_process():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "flowgraph.cli", "stress", "--dataset", "toy",
                        "--fail", "LabCo", "--loss", "0.5", "--model", "cascade"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "LeaseCo" in r.stdout


def test_debtrank_with_excluded_buffers(toy):
    # LabCo and LeaseCo lose their buffers and are excluded: they still report what they
    # lose on their claims. LabCo is shocked; ChipCo (h = 5/150 after round 1) then hits
    # LabCo's 10 of promised funding in round 2: 10 * 5/150.
    H = toy.copy()
    for name in ("LabCo", "LeaseCo"):
        del H.nodes[name]["equity_usd_bn"]
    r = stress_test(H, "LabCo", loss=0.5, missing_buffer="exclude")
    t = r.companies.set_index("company")
    assert t.loc["LabCo", "loss"] == pytest.approx(10 * 5 / 150)
    assert t.loc["LabCo", "round_hit"] == 2
    assert t.loc["LeaseCo", "direct_loss"] == pytest.approx(6)  # 12 * 50%, uncapped
    assert not t["fails"].any()
    assert np.isnan(t.loc["LeaseCo", "distress"])


def test_cli_stress_csv_and_json_carry_numbers():
    # the headline used to be text formatted for reading ("1,370.54", "50%") in csv/json too
    import json as _json

    args = ["stress", "--dataset", "toy", "--fail", "LabCo", "--loss", "0.5",
            "--model", "cascade"]
    r = CliRunner().invoke(main, [*args, "--format", "json"])
    assert r.exit_code == 0, r.output
    head = {x["measure"]: x["value"] for x in _json.loads(r.output)["Stress test"]}
    assert head["total loss (bn USD)"] == pytest.approx(33.5)
    assert head["share of obligations unpaid"] == 0.5 and head["companies failing"] == 1
    r = CliRunner().invoke(main, [*args, "--format", "csv", "--table", "stress test"])
    assert "share of obligations unpaid,0.5\n" in r.output
    r = CliRunner().invoke(main, args)  # the table keeps the readable text
    assert "50%" in r.output and "33.50" in r.output
