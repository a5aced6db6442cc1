"""The run's dashboard drawn by a helper process that gets ready while the model runs.

Drawing ``dashboard.png`` takes matplotlib's import (about 0.3 s) and about half a
second of figure work, all of it holding the interpreter, so drawn beside the
tables on a thread it slows them and is slowed by them. :class:`DashboardPainter`
starts a second Python process when a run starts: it imports the dashboard's
modules on another core while the model runs, then draws the finished run's
metrics while the run's own process writes the tables. ``ecosim run`` uses it
(:func:`ecosim.runner.run_to_dir`).

The picture is the one :func:`ecosim.outputs.dashboard.draw_dashboard` draws in
process, byte for byte. The helper is an optimisation only: when it cannot start,
dies, times out or fails to draw, :meth:`DashboardPainter.draw` returns False and
the caller draws the dashboard itself, which raises any error the drawing has.

The request goes to the helper's standard input as a pickle (the metrics frame,
the file's path and the title) and its answer comes back on standard output; the
helper reads nothing else and is a child of the run's own process.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

#: Longest wait for the helper's drawing (seconds) before the run draws the dashboard itself.
DRAW_TIMEOUT = 120.0

#: What the helper answers when the file is written.
DONE = b"drawn"

# The helper runs this module's ``serve`` with the same ecosim as its parent (the package's
# folder first on its path, whether ecosim is installed or read from a source tree).
_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from ecosim.outputs.painter import serve; serve()"


class DashboardPainter:
    """A helper process that draws one run's dashboard (a context manager that ends it).

    Example:
        >>> with DashboardPainter() as painter:          # doctest: +SKIP
        ...     result = simulate(scenario, seed, keep_model=True)
        ...     if not painter.draw(result.metrics, out / "dashboard.png", "baseline — seed 1"):
        ...         draw_dashboard(result.metrics, out / "dashboard.png", "baseline — seed 1")
    """

    def __init__(self, python: str | None = None) -> None:
        """Start the helper (it imports matplotlib and the dashboard, then waits for a request).

        Args:
            python: The interpreter to run it with (default: this one).
        """
        package_parent = str(Path(__file__).resolve().parents[2])
        try:
            self._proc: subprocess.Popen | None = subprocess.Popen(
                [python or sys.executable, "-c", _BOOT, package_parent],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            )
        except OSError:
            self._proc = None  # no helper: the run draws its dashboard itself

    def draw(self, metrics: pd.DataFrame, path: Path | str, title: str = "") -> bool:
        """Have the helper draw the dashboard of ``metrics`` into ``path`` and wait until it has.

        A painter draws once; later calls return False.

        Returns:
            True when the helper wrote the file; False when it could not (the caller then
            draws the dashboard in its own process).
        """
        proc, self._proc = self._proc, None
        if proc is None:
            return False
        request = pickle.dumps((metrics, str(Path(path).resolve()), title), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            answer, _ = proc.communicate(request, timeout=DRAW_TIMEOUT)
        except (OSError, subprocess.SubprocessError):
            _end(proc)
            return False
        return proc.returncode == 0 and answer == DONE

    def close(self) -> None:
        """End the helper if it has not drawn (a run that failed or wrote no dashboard)."""
        proc, self._proc = self._proc, None
        if proc is not None:
            _end(proc)

    def __enter__(self) -> DashboardPainter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _end(proc: subprocess.Popen) -> None:
    """Stop a helper and collect it (its pipes closed, no zombie left)."""
    proc.kill()
    proc.communicate()


def serve() -> None:
    """The helper's side: import the dashboard, then draw the one request read from standard input.

    Exits without drawing when the input closes empty (the run ended without a request). A
    drawing that fails exits with status 1 and no answer: the run then draws the dashboard
    itself and reports the error there, once.
    """
    answer = sys.stdout.buffer
    sys.stdout = sys.stderr  # anything the drawing prints stays off the answer's channel
    from ecosim.outputs.dashboard import draw_dashboard

    request = sys.stdin.buffer.read()
    if not request:
        return
    try:
        metrics, path, title = pickle.loads(request)
        draw_dashboard(metrics, Path(path), title)
    except Exception:
        sys.exit(1)
    answer.write(DONE)
    answer.flush()
    os._exit(0)  # the file is written and closed: skip tearing down matplotlib and pandas (a tenth of a second or more)
