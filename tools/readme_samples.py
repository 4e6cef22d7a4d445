"""Refresh the ``$ flowgraph ...`` samples in README.md with the commands' real output.

Each sample keeps as many lines as it shows now (up to its ``...`` line, when it has one), so
a sample that was cut short stays short; check the result with ``git diff README.md``.
tests/test_readme.py checks that the samples are the real first lines of the output.

Usage::

    python tools/readme_samples.py          # rewrite README.md in place
    python tools/readme_samples.py --check  # exit 1 and list the samples that are out of date
"""
from __future__ import annotations

import shlex
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def _run(command: str) -> list[str]:
    from click.testing import CliRunner

    from flowgraph.cli import main

    result = CliRunner().invoke(main, shlex.split(command)[1:])
    if result.exit_code != 0:
        raise SystemExit(f"{command!r} failed (exit {result.exit_code}):\n{result.output}")
    return [line.rstrip() for line in result.stdout.splitlines()]


def refresh(text: str) -> tuple[str, list[str]]:
    """README text with every terminal sample replaced by the real output, and the commands
    whose sample changed."""
    lines = text.splitlines()
    out: list[str] = []
    changed: list[str] = []
    i = 0
    in_block = plain = False
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            in_block, plain = (not in_block), (line == "```" and not in_block)
            out.append(line)
            i += 1
            continue
        if not (in_block and plain and line.startswith("$ flowgraph ")):
            out.append(line)
            i += 1
            continue
        command = line[2:]
        j = i + 1
        while j < len(lines) and not lines[j].startswith(("$ flowgraph ", "```")):
            j += 1
        shown = lines[i + 1:j]
        cut = shown.index("...") if "..." in shown else None
        n = cut if cut is not None else len(shown)
        real = _run(command)[:n]
        new = real + (shown[cut:] if cut is not None else [])
        if new != shown:
            changed.append(command)
        out.append(line)
        out.extend(new)
        i = j
    return "\n".join(out) + ("\n" if text.endswith("\n") else ""), changed


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    new, changed = refresh(text)
    if "--check" in argv:
        for c in changed:
            print(f"out of date: {c}")
        return 1 if changed else 0
    if new != text:
        README.write_text(new, encoding="utf-8")
    for c in changed:
        print(f"refreshed: {c}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
