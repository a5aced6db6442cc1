"""Running one task in whatever process it lands in, turning errors into records.

:func:`run_task` is the only function executors send to workers. It calls
``ecosim.runner.simulate`` and returns a plain :class:`Outcome`; an exception
becomes a failed outcome with its message and traceback, so one bad run never
stops the others.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from ecosim.experiments.tasks import Task


@dataclass
class Outcome:
    """What came back from one task.

    Attributes:
        task: The task.
        ok: Whether the run finished.
        summary: Summary figures (``ecosim.runner.summarise``) when ok.
        metrics: Monthly metrics when ok.
        error: ``Type: message`` when failed.
        traceback: Full traceback when failed.
        wall_seconds: Run time in the worker.
        host: ``hostname:pid`` of the worker.
        finished_at: Unix time the run ended.
    """

    task: Task
    ok: bool
    summary: dict[str, float] = field(default_factory=dict)
    metrics: pd.DataFrame | None = None
    error: str = ""
    traceback: str = ""
    wall_seconds: float = 0.0
    host: str = ""
    finished_at: float = 0.0
    arrow: pa.Table | None = field(default=None, repr=False)

    def metrics_table(self) -> pa.Table:
        """The monthly metrics as an Arrow table (converted in the worker, so the writer only concatenates)."""
        if self.arrow is None:
            self.arrow = pa.Table.from_pandas(self.metrics, preserve_index=False)
        return self.arrow


def run_task(task: Task) -> Outcome:
    """Run one task; never raises for errors inside the model."""
    from ecosim.runner import simulate

    host = f"{socket.gethostname()}:{os.getpid()}"
    start = time.perf_counter()
    try:
        result = simulate(task.scenario_data, task.seed, plugins=task.plugins)
    except Exception as exc:  # noqa: BLE001 - every model error becomes a record
        return Outcome(task=task, ok=False, error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc(),
                       wall_seconds=time.perf_counter() - start, host=host, finished_at=time.time())
    outcome = Outcome(task=task, ok=True, summary=result.summary, metrics=result.metrics,
                      wall_seconds=result.wall_seconds, host=host, finished_at=time.time())
    outcome.metrics_table()
    return outcome
