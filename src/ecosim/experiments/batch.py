"""Running a batch of tasks into a store: skip what is stored, stream the rest in as it finishes.

:func:`run_batch` is the loop every experiment shares. It asks the store which
keys are complete, sends only the others to the executor, writes outcomes in
small batches as they arrive, and returns a :class:`BatchReport`. A Ctrl-C
writes what has finished before the interrupt propagates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ecosim.experiments.executors import check_executor, execute
from ecosim.experiments.progress import RunProgress
from ecosim.experiments.store import ResultStore
from ecosim.experiments.tasks import Task


@dataclass
class BatchReport:
    """What a batch did.

    Attributes:
        total: Distinct runs asked for.
        skipped: Runs already in the store.
        completed: Runs finished now.
        failed: Failed runs: ``key, scenario, seed, error`` (traceback in the store).
    """

    total: int
    skipped: int
    completed: int = 0
    failed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["key", "scenario", "seed", "error"]))

    @property
    def ok(self) -> bool:
        """Whether every run is now in the store."""
        return len(self.failed) == 0


def run_batch(
    tasks: list[Task],
    store: ResultStore,
    *,
    executor: str = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    description: str = "runs",
    scenario_toml: dict[str, str] | None = None,
) -> BatchReport:
    """Run the tasks the store does not hold yet.

    Args:
        tasks: Tasks (repeated keys run once).
        store: Where results go.
        executor: ``serial``, ``processes`` or ``dask``.
        workers: Worker processes.
        scheduler: Address of a running Dask scheduler.
        progress: Show a progress bar.
        description: Label of the progress bar.
        scenario_toml: Resolved scenario TOML by content hash, saved for provenance.
    """
    executor = check_executor(executor, scheduler)
    unique = list({t.key: t for t in tasks}.values())
    for h, text in (scenario_toml or {}).items():
        store.save_scenario(h, text)
    done = store.completed_keys()
    todo = [t for t in unique if t.key not in done]
    report = BatchReport(total=len(unique), skipped=len(unique) - len(todo))
    failures = []
    bar = RunProgress(len(todo), description, enabled=progress and bool(todo), skipped=report.skipped)
    try:
        with bar.shown():
            if todo:
                for outcome in execute(todo, executor, workers=workers, scheduler=scheduler):
                    store.add(outcome)
                    bar.update(outcome.ok)
                    if outcome.ok:
                        report.completed += 1
                    else:
                        t = outcome.task
                        failures.append({"key": t.key, "scenario": t.scenario, "seed": t.seed, "error": outcome.error})
    finally:
        store.flush()
    if failures:
        report.failed = pd.DataFrame(failures)
    return report
