"""The large-network (table) path gives the same answers as the graph path: the vectorised
table -> arrays conversion is checked against the per-deal conversion of the MultiDiGraph."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from flowgraph import cycles, graph
from flowgraph.synthetic import synthetic_network


def _table(seed: int, n: int = 40, m: int = 260) -> pd.DataFrame:
    deals = synthetic_network(n, m, seed=seed, reciprocity=0.95).deals.copy()
    rng = np.random.default_rng(seed)
    deals.loc[rng.random(len(deals)) < 0.1, "estimate"] = True
    deals.loc[rng.random(len(deals)) < 0.05, "status"] = None
    deals.loc[rng.random(len(deals)) < 0.05, "confidence"] = None
    deals.loc[rng.random(len(deals)) < 0.05, "announced"] = None
    return deals


@pytest.mark.parametrize("seed", range(4))
def test_table_path_matches_graph_path(seed):
    deals = _table(seed)
    G = graph.build_graph(deals)
    table = graph.filter_deals(deals)
    for kw in ({"max_length": 4}, {"max_length": 5, "window": 120}, {"max_length": 3,
                                                                      "min_amount": 0.01}):
        a = cycles.find_cycles(G, limit=None, **kw)
        b = cycles.find_cycles(table, limit=None, **kw)
        assert len(a.cycles) > 0
        pd.testing.assert_frame_equal(a.cycles, b.cycles)
        pd.testing.assert_frame_equal(a.hops, b.hops)


def test_arrays_from_the_table_match_the_graphs():
    deals = _table(7)
    G = graph.build_graph(deals)
    table = graph.filter_deals(deals)
    A = cycles._from_multigraph(G, "amount")
    B = cycles._from_frame(table, "amount")
    assert list(A.labels) == list(B.labels)
    # the graph lists edges pair by pair, the table row by row: compare deal by deal
    ka = pd.Index(A.info["deal_id"]).get_indexer(B.info["deal_id"])
    for name in ("src", "dst", "amount", "low", "high", "dlo", "dhi"):
        np.testing.assert_array_equal(getattr(A, name)[ka], getattr(B, name), err_msg=name)
    for col in ("flow_type", "status", "confidence", "estimate"):
        assert A.info[col].to_numpy()[ka].tolist() == B.info[col].tolist(), col


def test_vectorised_helpers_on_odd_values():
    days = cycles._ordinals(pd.Series([dt.date(2024, 1, 2), None, np.nan, "2024-01-02",
                                       dt.datetime(2024, 1, 2, 5), "not a date"],
                                      dtype=object))
    assert days.tolist() == [dt.date(2024, 1, 2).toordinal(), -1, -1,
                             dt.date(2024, 1, 2).toordinal(), dt.date(2024, 1, 2).toordinal(),
                             -1]
    assert cycles._texts(pd.Series(["a", None, np.nan, pd.NA], dtype=object)).tolist() == [
        "a", None, None, None]
    assert cycles._is_true(pd.Series([True, "true", 1, None, False], dtype=object)).tolist() == [
        True, False, False, False, False]
    # labels of mixed types sort as Python sorts them (by type name, then text)
    labels, s, t = cycles._vertex_codes(pd.Series([1, "b"], dtype=object),
                                        pd.Series(["a", 2], dtype=object))
    assert labels == cycles._sorted_labels([1, "b", "a", 2])
    assert [labels[i] for i in s] == [1, "b"] and [labels[i] for i in t] == ["a", 2]
    assert cycles._ranks(np.array(["committed", None, "x", "rumored"], dtype=object),
                         ("rumored", "announced", "committed")).tolist() == [
        2, cycles._MISSING_RANK, cycles._MISSING_RANK, 0]
