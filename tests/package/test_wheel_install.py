"""A wheel of the package installs into a fresh environment and runs, scenarios included.

The wheel is built from a copy of the sources (``pip wheel --no-deps``) and
installed without dependencies into a new virtual environment outside the
repository; that environment reuses the test environment's installed
libraries through a path entry (which, unlike a site folder, does not load
the editable install of this checkout), so the test works offline and
quickly. Commands run from a scratch folder with a clean ``PYTHONPATH``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

USER_SCENARIO = """extends = "baseline"
name = "no_exemption"
[exemption]
enabled = false
"""


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str], Path]:
    """(the new environment's bin folder, its environment variables, a scratch folder)."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src-copy"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "src", src / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", SCENARIO_VAR)}
    dist = base / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(src)], base, env)
    wheels = list(dist.glob("ecosim-*.whl"))
    assert len(wheels) == 1
    target = base / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    bindir = target / ("Scripts" if os.name == "nt" else "bin")
    new_python = bindir / "python"
    purelib = Path(subprocess.run([str(new_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    (purelib / "test-env-libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(new_python), "install", "--no-deps", "--no-index", "--quiet",
          str(wheels[0])], base, env)
    work = base / "work"
    work.mkdir()
    return bindir, env, work


SCENARIO_VAR = "ECOSIM_SCENARIO_PATH"


def test_the_installed_package_is_the_wheel_not_this_checkout(installed):
    bindir, env, work = installed
    out = _run([str(bindir / "python"), "-c", "import ecosim, ecosim.scenario as s; print(ecosim.__file__); "
                "print(s.SCENARIO_DIR)"], work, env).stdout.splitlines()
    assert all(str(ROOT) not in line for line in out), out
    assert out[1].endswith(os.path.join("ecosim", "scenarios"))


def test_run_baseline_by_name_from_the_wheel(installed):
    bindir, env, work = installed
    proc = _run([str(bindir / "ecosim"), "run", "baseline", "--firms", "100", "--months", "6", "--quiet",
                 "--out", "b"], work, env)
    assert "baseline: 100 initial startups, 6 months" in proc.stdout
    assert (work / "b" / "metrics.csv").read_text().count("\n") == 7
    assert (work / "b" / "dashboard.png").stat().st_size > 10_000


def test_a_user_scenario_that_extends_a_bundled_one(installed):
    bindir, env, work = installed
    (work / "no_exemption.toml").write_text(USER_SCENARIO)
    proc = _run([str(bindir / "ecosim"), "run", "no_exemption.toml", "--firms", "100", "--months", "6", "--quiet",
                 "--out", "u"], work, env)
    assert "no_exemption: 100 initial startups" in proc.stdout
    resolved = (work / "u" / "run.json").read_text()
    assert '"enabled": false' in resolved.split('"exemption"')[1][:200]
    folder = work / "mine"
    folder.mkdir()
    shutil.copy(work / "no_exemption.toml", folder / "no_exemption.toml")
    by_name = _run([str(bindir / "ecosim"), "--scenario-dir", str(folder), "run", "no_exemption", "--firms", "100",
                    "--months", "2", "--quiet", "--out", "n"], work, env)
    assert "no_exemption: 100 initial startups, 2 months" in by_name.stdout
