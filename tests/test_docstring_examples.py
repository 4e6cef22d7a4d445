"""The examples in every module's docstrings run and give the output they show.

Runs on the installed package (not the source files), so it checks what users get.
"""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import flowgraph

MODULES = sorted(
    name for _, name, _ in pkgutil.iter_modules(flowgraph.__path__, "flowgraph.")
    if not name.startswith("flowgraph._datasets")
)


def test_every_module_is_listed():
    assert {"flowgraph.cycles", "flowgraph.circulation", "flowgraph.io", "flowgraph.graph",
            "flowgraph.stress", "flowgraph.html", "flowgraph.report"} <= set(MODULES)


@pytest.mark.parametrize("name", ["flowgraph", *MODULES])
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files must not litter the checkout
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             report=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
