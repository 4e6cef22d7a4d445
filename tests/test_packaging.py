"""A normal (non-editable) install of the wheel works from any directory."""
from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _dependency_dirs() -> list[str]:
    """The site-packages folders the running interpreter imports installed packages from."""
    dirs = list(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    return [d for d in dict.fromkeys(dirs) if Path(d).is_dir()]


@pytest.mark.slow
def test_wheel_installs_and_ships_the_datasets(tmp_path):
    if not (ROOT / "setup.cfg").exists():
        pytest.skip("not a source checkout")
    dist = tmp_path / "dist"
    # Build from a copy so the checkout is left untouched (no build/ or egg-info).
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", "flowgraph-report",
        ".venv", "benchmarks"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(dist), str(src)], check=True, capture_output=True, text=True)
    wheels = list(dist.glob("flowgraph-*.whl"))
    assert len(wheels) == 1
    env_dir = tmp_path / "venv"
    # The fresh environment sees the dependencies installed for the interpreter running the
    # tests (a virtual environment's own site-packages, or the system's), but gets its own
    # flowgraph from the wheel, which must win over any other copy.  A nested venv with
    # system_site_packages=True would see the *base* interpreter's packages instead, which in
    # a fresh virtual environment lack pandas and the rest, so the running interpreter's
    # site-packages folders are appended by a .pth file, after the new environment's own.
    # Plain paths, not site.addsitedir: the .pth files in those folders (such as an editable
    # flowgraph's import hook) are not run, so the checkout cannot shadow the wheel.
    venv.EnvBuilder(with_pip=False, system_site_packages=False).create(env_dir)
    py = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip()
    (Path(purelib) / "_flowgraph_test_deps.pth").write_text(
        "".join(f"{d}\n" for d in _dependency_dirs()), encoding="utf-8")
    # --ignore-installed: pip would otherwise call a same-version flowgraph seen through those
    # folders "already installed" and do nothing.
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps",
                    "--ignore-installed", "-q", str(wheels[0])],
                   check=True, capture_output=True, text=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    where = subprocess.run([str(py), "-c", "import flowgraph, sys; print(flowgraph.__file__)"],
                           cwd=work, env=env, check=True, capture_output=True, text=True)
    assert str(env_dir) in where.stdout, where.stdout
    exe = env_dir / "bin" / "flowgraph"
    out = subprocess.run([str(exe), "datasets", "--format", "json"], cwd=work, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    names = {d["name"]: d for d in json.loads(out.stdout)}
    assert {"toy", "ai-capital"} <= set(names)
    assert names["ai-capital"]["deals"] > 50
    summary = subprocess.run([str(exe), "summary", "--dataset", "toy"], cwd=work, env=env,
                             capture_output=True, text=True)
    assert summary.returncode == 0, summary.stderr
    assert not (work / "lib").exists()
