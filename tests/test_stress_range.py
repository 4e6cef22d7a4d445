"""One shock under every model: the range, not-assessed companies, caveats in the sentence."""
from __future__ import annotations

import networkx as nx
import pytest

import flowgraph as fg
from flowgraph.formatting import money
from flowgraph.stress import MODELS, stress_range, stress_test


@pytest.fixture(scope="module")
def ai():
    return fg.build_graph(fg.load_dataset("ai-capital"))


def test_the_range_is_the_models_own_results(ai):
    r = stress_range(ai, "OpenAI")
    assert list(r.models["model"]) == list(MODELS)
    for row in r.models.itertuples():
        one = stress_test(ai, "OpenAI", model=row.model, missing_buffer="exclude")
        c = one.companies
        failing = sorted(c.loc[c["fails"].astype(bool) & ~c["shocked"].astype(bool), "company"])
        assert row.total_loss == pytest.approx(one.total_loss)
        assert row.failing == "; ".join(failing)
        alt = stress_test(ai, "OpenAI", model=row.model, missing_buffer="exposure")
        assert row.total_loss_if_assumed == pytest.approx(alt.total_loss)
    text = r.headline()
    lo, hi = r.models["total_loss"].min(), r.models["total_loss"].max()
    assert money(lo) in text and money(hi) in text
    # no silent buffer: a company without the model's buffer figure never "fails" in that
    # model, it is not assessed (a company may have cash but no book equity: assessed only by
    # the models whose buffer it has)
    comp = {n: d for n, d in ai.nodes(data=True)}
    skipped_somewhere = set()
    for row in r.models.itertuples():
        c = stress_test(ai, "OpenAI", model=row.model, missing_buffer="exclude").companies
        skipped = set(c.loc[c["buffer_basis"].astype(str).str.contains("never fails")
                            & ~c["shocked"].astype(bool), "company"])
        assert not skipped & set(filter(None, row.failing.split("; "))), row.model
        skipped_somewhere |= skipped
    for name in r.not_assessed:
        assert not (comp[name].get("equity_usd_bn") or 0) > 0 or not (
            comp[name].get("cash_usd_bn") or 0) > 0
        assert name in skipped_somewhere
    assert "CoreWeave" in r.not_assessed and "not assessed" in text
    # every failure carries its buffer's date, and an estimate says so in the same sentence
    for f in r.failures.itertuples():
        sentence = text[text.index(f.company):].split(")")[0]
        assert f"dated {f.buffer_as_of}" in sentence
        if f.rests_on_estimate:
            assert "estimated or low-confidence" in sentence


def test_a_stale_buffer_is_named_in_the_same_sentence():
    M = nx.MultiDiGraph(as_of="2026-04-01")
    M.add_node("Lab", equity_usd_bn=5.0, equity_as_of="2026-01", cash_usd_bn=1.0)
    M.add_node("Cloud", equity_usd_bn=10.0, equity_as_of="2024-06-30", cash_usd_bn=2.0)
    M.add_node("Chips")  # no buffer figure: not assessed
    M.add_edge("Lab", "Cloud", key="d1", amount=30.0, flow_type="compute_contract",
               status="committed", confidence="high")
    M.add_edge("Lab", "Chips", key="d2", amount=30.0, flow_type="chip_purchase",
               status="committed", confidence="high", estimate=True)
    r = stress_range(M, "Lab")
    assert set(r.models["failing"]) <= {"Cloud", ""} and "Cloud" in set(r.models["failing"])
    assert r.not_assessed == ("Chips",)
    text = r.headline()
    n = int((r.models["failing"] == "Cloud").sum())
    assert (f"Cloud (in {n} of 4 models; its book equity of $10bn is dated 2024-06-30, more "
            "than a year before the data's 2026-04-01)") in text
    f = r.failures.set_index("company").loc["Cloud"]
    assert f["stale"] and "more than a year before the data's 2026-04-01" in f["caveat"]
    # one model (Eisenberg-Noe) may take another buffer: the sentence says in how many
    k = int((r.models["n_not_assessed"] > 0).sum())
    assert r.not_assessed_models == (k,)
    where = "" if k == 4 else f" in {k} of the 4 models"
    assert (f"1 company with no usable buffer figure{where} is not assessed"
            f"{' there' if where else ''} (Chips)") in text


def test_report_stress_finding_rests_on_reported_amounts(tmp_path):
    ds = fg.load_dataset("ai-capital")
    G, R = fg.build_graph(ds), fg.build_graph(ds, reported_only=True)
    res = fg.write_report(G, tmp_path / "r", charts=False, samples=0, null_samples=0,
                          reported=R, stress_company="OpenAI")
    md = res.markdown.read_text(encoding="utf-8")
    line = next(x for x in md.splitlines() if x.startswith("- Stress test, on"))
    assert "reported amounts only" in line
    assert stress_range(R, "OpenAI").headline() in line
    assert stress_range(G, "OpenAI").headline() not in line  # estimates change the answer


def test_cli_stress_states_the_other_buffer_choice(ai):
    from click.testing import CliRunner

    from flowgraph.cli import main

    r = CliRunner().invoke(main, ["stress", "--fail", "OpenAI", "--format", "json"])
    assert r.exit_code == 0, r.output
    import json

    js = json.loads(r.stdout)
    alt = stress_test(ai, "OpenAI", missing_buffer="exposure")
    head = {x["measure"]: x["value"] for x in js["Stress test"]}
    assert head["total loss (bn USD)"] == pytest.approx(
        stress_test(ai, "OpenAI", missing_buffer="exclude").total_loss)
    assert any(f"total loss {alt.total_loss:,.2f} bn USD" in n for n in js["notes"])


def test_not_assessed_names_say_when_a_model_assesses_them():
    r = stress_range(fg.build_graph(fg.load_dataset("ai-capital"), reported_only=True), "OpenAI")
    text = r.headline()
    per_model = r.models["n_not_assessed"].tolist()
    assert len(r.not_assessed_models) == len(r.not_assessed)
    assert all(1 <= k <= len(per_model) for k in r.not_assessed_models)
    assert sum(r.not_assessed_models) == sum(per_model)
    failing = set(r.failures["company"])
    for name, k in zip(r.not_assessed, r.not_assessed_models):
        if name in failing:  # failing in one model and not assessed in another: never "not
            assert k < len(per_model)  # assessed" without saying where
    usual = max(set(r.not_assessed_models), key=lambda k: (r.not_assessed_models.count(k), k))
    if usual < len(per_model):
        assert f"in {usual} of the {len(per_model)} models are not assessed there" in text
