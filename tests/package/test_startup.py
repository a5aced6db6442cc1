"""The command line and ``import ecosim`` start without loading the heavy libraries.

What is imported is measured with ``python -X importtime`` (the time itself is a
benchmark matter, see ``benchmarks/bench_startup.py``): the command's help and
``ecosim params`` must not import scipy, pandas or matplotlib.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("scipy", "pandas", "matplotlib")


def imported_modules(*args: str) -> set[str]:
    """Top-level names of every module a Python command imports (from ``-X importtime``)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", *args], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            names.add(name.split(".")[0])
    assert "ecosim" in names or args[-1] == "pass", "importtime output was not read"
    return names


@pytest.mark.parametrize("command", [
    ("-m", "ecosim", "--help"),
    ("-m", "ecosim", "params"),
    ("-m", "ecosim", "params", "guarantee"),
    ("-m", "ecosim", "compare", "--help"),
    ("-c", "import ecosim"),
], ids=["help", "params", "params-section", "compare-help", "import"])
def test_start_up_does_not_import_heavy_libraries(command):
    loaded = imported_modules(*command)
    assert not loaded & set(HEAVY), f"{' '.join(command)} imported {sorted(loaded & set(HEAVY))}"


def test_the_check_can_fail():
    """The same reading sees pandas when a command does import it."""
    assert "pandas" in imported_modules("-c", "import ecosim, ecosim.runner")
