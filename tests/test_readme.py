"""The sample outputs in README.md are what the commands print today.

Each ``$ flowgraph ...`` line in a README code block is run on the bundled dataset; the lines
shown under it must be the first lines of the real output (a line ``...`` marks where the
README cuts it short).
"""
from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowgraph.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"


def _samples() -> list[tuple[str, list[str]]]:
    if not README.exists():
        return []
    blocks, current = [], None
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            if current is None:
                current = [line]
            else:
                blocks.append(current)
                current = None
        elif current is not None:
            current.append(line)
    out = []
    for block in blocks:
        if block[0] != "```":  # a python or other fenced block, not a terminal sample
            continue
        cmd, shown = None, []
        for line in block[1:]:
            if line.startswith("$ flowgraph "):
                if cmd:
                    out.append((cmd, shown))
                cmd, shown = line[2:], []
            elif cmd is not None:
                shown.append(line.rstrip())
        if cmd:
            out.append((cmd, shown))
    return out


SAMPLES = _samples()


def test_the_readme_has_samples():
    if not README.exists():
        pytest.skip("not a source checkout")
    assert len(SAMPLES) >= 5


@pytest.mark.parametrize(("command", "shown"), SAMPLES, ids=[c for c, _ in SAMPLES])
def test_readme_sample_is_the_real_output(command, shown):
    if "..." in shown:
        shown = shown[:shown.index("...")]
    result = CliRunner().invoke(main, shlex.split(command)[1:])
    assert result.exit_code == 0, result.output
    real = [line.rstrip() for line in result.stdout.splitlines()]
    assert real[:len(shown)] == shown
