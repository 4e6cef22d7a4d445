"""docs/architecture.md's capability table names modules, functions and commands that exist."""
from __future__ import annotations

import importlib
import re
from pathlib import Path

from click.testing import CliRunner

from flowgraph.cli import main

DOC = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"


def _rows() -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8")
    part = text.split("## Find a capability", 1)[1].split("\n## ", 1)[0]
    rows = [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in part.splitlines() if line.startswith("| ")]
    return [r for r in rows[1:] if set("".join(r)) - {"-", " "}]  # no header, no rule


def _names(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def test_the_table_is_there_and_covers_every_public_name():
    import flowgraph as fg

    rows = _rows()
    assert len(rows) >= 20
    functions = {n for r in rows for n in _names(r[3])}
    public_functions = {name for name, mod in fg._LAZY.items()
                        if callable(getattr(fg, name)) and name[0].islower()}
    # every public function a user can call is findable from a capability
    missing = sorted(public_functions - functions)
    assert not missing, missing


def test_every_module_and_function_named_exists():
    for capability, _cli, modules, functions in _rows():
        mods = [m for m in _names(modules) if not m.endswith(".js")]
        found = [importlib.import_module(f"flowgraph.{m.split('/')[-1]}") for m in mods
                 if not m.startswith("_static")]
        assert found, capability
        for fn in _names(functions):
            assert any(hasattr(m, fn) for m in found), (capability, fn)


def test_every_command_named_exists():
    for capability, cli, *_ in _rows():
        for cmd in _names(cli):
            if cmd.startswith("--"):
                continue
            res = CliRunner().invoke(main, [cmd, "--help"])
            assert res.exit_code == 0, (capability, cmd, res.output)
