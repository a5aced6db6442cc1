"""Running a batch of tasks into a store: skip what is stored, stream the rest in as it finishes.

:func:`run_batch` is the loop every experiment shares. It asks the store which
keys are complete, sends only the others to the executor, writes outcomes in
small batches as they arrive, and returns a :class:`BatchReport`. A Ctrl-C
writes what has finished before the interrupt propagates.
"""

from __future__ import annotations

import time
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
        seconds: Wall time of the batch: workers started, runs done and written, workers stopped.
    """

    total: int
    skipped: int
    completed: int = 0
    failed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["key", "scenario", "seed", "error"]))
    seconds: float = 0.0

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
    start = time.perf_counter()
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
        report.seconds = time.perf_counter() - start
    if failures:
        report.failed = pd.DataFrame(failures)
    return report


@dataclass
class ExperimentRuns:
    """Runs of an experiment, labelled with the experiment's own names.

    Attributes:
        runs: One row per (variant, seed): ``scenario, seed, seed_index, key`` then stored columns.
        store: The result store.
        report: What the batch did.
        tasks: The tasks (for reading monthly rows back).
        tmp: Temporary folder kept alive while the result lives (when no folder was given).
    """

    runs: pd.DataFrame
    store: ResultStore
    report: BatchReport
    tasks: list[Task]
    tmp: object = None

    def monthly(self, names: list[str], metrics=None) -> pd.DataFrame:
        """Monthly rows of these runs, labelled with variant names and ordered like ``names``."""
        frame = self.store.monthly(keys=[t.key for t in self.tasks], columns=list(metrics) if metrics else None)
        frame = frame.drop(columns=["scenario"]).merge(task_labels(self.tasks), on="key").drop(columns=["key"])
        order = {name: i for i, name in enumerate(names)}
        frame = frame.sort_values(["scenario", "seed_index", "month"], key=lambda s: s.map(order) if s.name ==
                                  "scenario" else s, kind="stable")
        front = ["scenario", "seed", "seed_index", "month"]
        return frame[front + [c for c in frame.columns if c not in front]].reset_index(drop=True)


def task_labels(tasks: list[Task]) -> pd.DataFrame:
    """``key, scenario, seed_index`` of each task (a key may serve several variants)."""
    return pd.DataFrame([{"key": t.key, "scenario": t.scenario, "seed_index": t.seed_index} for t in tasks],
                        columns=["key", "scenario", "seed_index"])


def run_experiment(variants, seeds, out, *, description: str, executor: str = "serial", workers: int | None = None,
                   scheduler: str | None = None, progress: bool = True, batch_size: int = 16,
                   plugins=None) -> ExperimentRuns:
    """Run every variant on its seeds into ``out`` (a temporary folder when None) and read the runs back.

    Args:
        variants: Resolved variants (see :func:`ecosim.experiments.variants.resolve_all`).
        seeds: A seed list shared by all variants, or one list per variant.
        out: Results folder or None.
        description: Label of the progress bar.
        executor: ``serial``, ``processes`` or ``dask``.
        workers: Worker processes.
        scheduler: Running Dask scheduler address.
        progress: Show a progress bar.
        batch_size: Runs written to the store per batch (at most this many, or 5 s of runs, are
            lost if the process is killed).
        plugins: Phases and metrics added to every run (:class:`ecosim.plugins.Plugins`).
    """
    import tempfile
    from pathlib import Path

    from ecosim.experiments.tasks import make_tasks

    tasks = make_tasks(variants, seeds, plugins.check() if plugins else None)
    tmp = None
    if out is None:
        tmp = tempfile.TemporaryDirectory(prefix=f"ecosim-{description}-")
        out = tmp.name
    store = ResultStore(Path(out), batch_size=batch_size)
    report = run_batch(tasks, store, executor=executor, workers=workers, scheduler=scheduler, progress=progress,
                       description=description, scenario_toml={v.content_hash: v.scenario.to_toml() for v in variants})
    stored = store.runs(keys=[t.key for t in tasks])
    runs = task_labels(tasks).merge(stored.drop(columns=["scenario", "seed_index"], errors="ignore"), on="key")
    order = {v.name: i for i, v in enumerate(variants)}
    runs = runs.sort_values(["scenario", "seed_index"], key=lambda s: s.map(order) if s.name == "scenario" else s,
                            kind="stable")
    front = ["scenario", "seed", "seed_index", "key"]
    runs = runs[front + [c for c in runs.columns if c not in front]].reset_index(drop=True)
    return ExperimentRuns(runs=runs, store=store, report=report, tasks=tasks, tmp=tmp)


def check_metrics(runs: pd.DataFrame, wanted: list[str]) -> None:
    """Raise a one-line error naming unknown summary keys."""
    from ecosim.experiments.variants import ScenarioError

    missing = [m for m in wanted if not runs.empty and m not in runs.columns]
    if missing:
        known = ", ".join(c for c in runs.columns if runs[c].dtype.kind == "f")
        raise ScenarioError(f"unknown metric(s) {', '.join(missing)} (summary keys: {known})")
