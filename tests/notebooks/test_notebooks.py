"""Every notebook in ``notebooks/`` (jupytext py:percent) executes top to bottom and shows its charts.

The committed ``.py`` files are converted with jupytext and run with nbclient on
the project's Python kernel; any cell error fails the test, and every chart cell
must show its figure as an ``image/png`` output (no backend is forced at import,
so the notebook's inline backend draws them). Executed notebooks
are written to ``ECOSIM_NOTEBOOK_OUT`` when that is set (build artefacts, not committed).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.py"))
#: A chart cell draws with pyplot or ends on a figure (``fig`` or a ``*_figure(...)`` call).
CHART_CELL = re.compile(r"\bplt\.|(^|\n)\s*(fig|\w+_figure\(.*)\s*$", re.S)


def chart_cells(nb) -> list:
    """The code cells of a notebook that draw a chart."""
    return [c for c in nb.cells if c.cell_type == "code" and CHART_CELL.search(c.source.rstrip())]


def shows_png(cell) -> bool:
    """Whether an executed cell has an ``image/png`` output."""
    return any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))


def test_chart_cells_are_found():
    """Every notebook has chart cells by this rule, so the image check below cannot pass vacuously."""
    jupytext = pytest.importorskip("jupytext")
    for path in NOTEBOOKS:
        assert chart_cells(jupytext.read(path)), path.stem


def test_all_five_notebooks_are_present():
    names = {p.stem for p in NOTEBOOKS}
    assert names == {"01_baseline_tour", "02_due_diligence_exemption", "03_fund_cluster",
                     "04_risk_sharing_and_pool", "05_data_platforms_and_brokers"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path: Path, tmp_path: Path, monkeypatch):
    jupytext = pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")

    # the kernel runs in a scratch folder: make it import this checkout's ecosim whatever the caller's path
    paths = [str(ROOT / "src"), *(str(Path(p).resolve()) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))
    nb = jupytext.read(path)
    assert any(c.cell_type == "markdown" and "Question" in c.source for c in nb.cells), "state the question"
    client = nbclient.NotebookClient(nb, timeout=900, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError on any error
    missing = [c.source.splitlines()[-1] for c in chart_cells(nb) if not shows_png(c)]
    assert not missing, f"chart cells without an image/png output: {missing}"
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert printed.strip(), "the conclusions cell printed nothing"
    out = os.environ.get("ECOSIM_NOTEBOOK_OUT")
    if out:
        import nbformat

        Path(out).mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, Path(out) / f"{path.stem}.ipynb")
