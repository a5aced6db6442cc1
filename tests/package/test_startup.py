"""The command line and ``import ecosim`` start without loading the heavy libraries.

What is imported is measured with ``python -X importtime`` (the time itself is a
benchmark matter, see ``benchmarks/bench_startup.py``): the command's help and
``ecosim params`` must not import scipy, pandas or matplotlib, and ``ecosim run``
loads the model's libraries only when the run starts, after its options and
scenario are checked.
"""

from __future__ import annotations

import json
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
    assert "pandas" in imported_modules("-c", "import ecosim, ecosim.model")


#: Libraries the model and its files need, loaded only once a run starts.
RUN_LIBRARIES = ("scipy", "pandas", "matplotlib", "mesa", "pyarrow", "networkx")

PROBE = ("import json, sys\n"
         "{imports}\n"
         "print(json.dumps(sorted({{name.split('.')[0] for name in sys.modules}})))")


def loaded_after(*modules: str) -> set[str]:
    """Top-level names in ``sys.modules`` of a fresh interpreter after importing ``modules``."""
    code = PROBE.format(imports="\n".join(f"import {m}" for m in modules))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_importing_the_command_line_loads_no_heavy_library():
    loaded = loaded_after("ecosim.cli")
    assert "ecosim" in loaded and "typer" in loaded
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_what_ecosim_run_imports_before_the_run_loads_no_model_library():
    """``ecosim run`` imports these three modules to check its options; the model's libraries come with the run."""
    loaded = loaded_after("ecosim.cli", "ecosim.runner", "ecosim.outputs.files")
    assert not loaded & set(RUN_LIBRARIES), sorted(loaded & set(RUN_LIBRARIES))


def test_the_sys_modules_check_can_fail():
    """The same probe sees the model's libraries once the model is imported."""
    assert set(RUN_LIBRARIES) - {"matplotlib"} <= loaded_after("ecosim.runner", "ecosim.model", "ecosim.equity.returns")
