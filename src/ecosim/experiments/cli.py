"""Experiment commands for the ``ecosim`` CLI: compare, sweep, sensitivity, results.

Each command only parses its options and calls the Python API
(:mod:`ecosim.experiments`). Bad input gives a one-line error before any run
starts; failed runs are listed at the end and the command exits with status 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ecosim.options import (
    MAX_DESIGN_POINTS,
    MAX_SEEDS,
    OptionError,
    check_count,
    check_design_size,
    check_out_dir,
    check_seed,
    check_workers,
)
from ecosim.scenario import ScenarioError, parse_overrides

#: Wide when writing to a file or pipe, so tables are not cut to 80 columns.
console = Console(width=None if sys.stdout.isatty() else 160)

ExecutorOpt = Annotated[str, typer.Option("--executor", help="serial, processes or dask.")]
WorkersOpt = Annotated[int | None, typer.Option("--workers", help="Worker processes (default: available cores).")]
SchedulerOpt = Annotated[str | None, typer.Option("--scheduler", help="Running Dask scheduler, e.g. tcp://host:8786.")]
SeedsOpt = Annotated[int, typer.Option("--seeds", help="Seeds per scenario (the same seeds in every scenario).")]
MonthsOpt = Annotated[int | None, typer.Option("--months", help="Horizon of every run.")]
FirmsOpt = Annotated[str | None, typer.Option("--firms", help="Initial startups: a number or demo/small/medium/jinan/large.")]
SetOpt = Annotated[list[str] | None, typer.Option("--set", help="Override for every scenario: section.key=value.")]
RootOpt = Annotated[int, typer.Option("--root-seed", help="Root of the seed tree.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", help="No progress bar.")]


#: Fewest samples of a global sensitivity analysis: Morris trajectories, Sobol base samples (a power of two).
MIN_SAMPLES = {"morris": 2, "sobol": 8}


def _fail(message: str) -> None:
    Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {escape(' '.join(str(message).split()))}",
                                               highlight=False)
    raise typer.Exit(2)


def _check_run_options(out: str, *, seeds: int, workers: int | None, root_seed: int, executor: str,
                       scheduler: str | None) -> Path:
    """Check the options every experiment shares, before any run; returns the results folder."""
    from ecosim.experiments.executors import check_executor, check_scheduler

    check_count(seeds, "--seeds", 1, MAX_SEEDS)
    check_workers(workers)
    check_seed(root_seed, "--root-seed")
    check_executor(executor, scheduler)
    if scheduler is not None:
        check_scheduler(scheduler)
    return check_out_dir(out)


def _check_sensitivity_samples(method: str, samples: int, n_params: int) -> int:
    """Refuse sample sizes too small for the method (or designs too large), before any run; returns the points."""
    if method not in MIN_SAMPLES:
        raise OptionError(f"--method = '{method}': must be one of {', '.join(MIN_SAMPLES)}")
    low = MIN_SAMPLES[method]
    check_count(samples, "--samples", low, MAX_DESIGN_POINTS)
    if method == "sobol" and samples & (samples - 1):
        raise OptionError(f"--samples = {samples}: Sobol base samples must be a power of two (8, 16, 32, ...)")
    return samples * (n_params + 1 if method == "morris" else 2 * n_params + 2)


def _finish(report, out: Path) -> None:
    """List failed runs and exit non-zero when there are any."""
    if report.ok:
        return
    err = Console(stderr=True)
    err.print(f"[bold red]{len(report.failed)} run(s) failed[/] (tracebacks: `ecosim results "
              f"{escape(str(out))} --failures`):")
    for row in report.failed.itertuples():
        err.print(f"  {row.scenario} seed {row.seed}: {row.error}", highlight=False, markup=False)
    raise typer.Exit(1)


def _print_table(df, title: str, floatfmt: str = "{:,.4g}") -> None:
    table = Table(title=Text(title))  # names and values are text, never markup
    for col in df.columns:
        table.add_column(Text(str(col)), justify="right" if df[col].dtype.kind in "fiu" else "left")
    for row in df.itertuples(index=False):
        table.add_row(*[Text(floatfmt.format(v) if isinstance(v, float) else str(v)) for v in row])
    console.print(table)


def compare_cmd(
    scenarios: Annotated[list[str], typer.Argument(help="Scenarios to compare; the first is the reference.")],
    out: Annotated[str, typer.Option("--out", help="Results folder.")] = "results/compare",
    seeds: SeedsOpt = 10,
    months: MonthsOpt = None,
    firms: FirmsOpt = None,
    set_: SetOpt = None,
    metrics: Annotated[list[str] | None, typer.Option("--metric", help="Summary key to compare (repeatable).")] = None,
    ci: Annotated[str, typer.Option("--ci", help="Interval: t (Student t) or bootstrap.")] = "t",
    executor: ExecutorOpt = "processes",
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    root_seed: RootOpt = 20_240_601,
    quiet: QuietOpt = False,
) -> None:
    """Run scenarios on the same seeds; print means and paired differences with 95% CIs; write CSV and figure."""
    from ecosim.experiments.compare import compare

    try:
        out = _check_run_options(out, seeds=seeds, workers=workers, root_seed=root_seed, executor=executor,
                                 scheduler=scheduler)
        res = compare(scenarios, seeds=seeds, months=months, firms=firms, overrides=parse_overrides(set_ or []),
                      executor=executor, workers=workers, scheduler=scheduler, out=out, metrics=metrics, ci=ci,
                      root_seed=root_seed, progress=not quiet)
    except (ScenarioError, OptionError, ValueError) as exc:
        _fail(str(exc))
    show = res.table[["metric", "scenario", "n", "mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high"]]
    _print_table(show, f"{' vs '.join(res.scenarios)}: {len(res.seeds)} common seeds, 95% "
                       f"{'t' if ci == 't' else 'bootstrap'} intervals; diff = paired vs {res.scenarios[0]}")
    console.print(f"table: [bold]{escape(str(out / 'compare.csv'))}[/]  "
                  f"figure: [bold]{escape(str(out / 'compare.png'))}[/]  "
                  f"({res.report.completed} run, {res.report.skipped} already stored)")
    _finish(res.report, out)


def results_cmd(
    path: Annotated[Path, typer.Argument(help="A results folder.")],
    failures: Annotated[bool, typer.Option("--failures", help="Print failed runs with their tracebacks.")] = False,
    sql: Annotated[str | None, typer.Option("--sql", help="Run a DuckDB query over the views runs, monthly, failures.")] = None,
    compact: Annotated[bool, typer.Option("--compact", help="Merge part files into one per table.")] = False,
) -> None:
    """Show what a results folder holds; query it; compact it."""
    from ecosim.experiments.store import ResultStore, StoreError

    if not path.is_dir() or not (path / "store.json").is_file():
        _fail(f"'{path}' is not a results folder (no store.json)")
    store = ResultStore(path)
    try:
        if compact:
            merged = store.compact()
            console.print("compacted: " + ", ".join(f"{t} {n} parts" for t, n in merged.items()))
        if sql:
            try:
                df = store.query(sql, sandbox=True)
            except StoreError:
                raise
            except Exception as exc:  # noqa: BLE001 - any DuckDB error is reported in one line
                _fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            console.print(df.to_string(max_rows=200), markup=False, highlight=False)
            return
        info = store.describe()
        fails = store.failures() if failures else None
    except (StoreError, OSError) as exc:
        _fail(str(exc))
    console.print(f"[bold]{escape(info['path'])}[/]: {info['runs']} runs, {info['monthly_rows']:,} monthly rows, "
                  f"{info['failures']} failed runs; parts: "
                  + ", ".join(f"{k} {v}" for k, v in info["parts"].items()))
    if len(info["by_scenario"]):
        _print_table(info["by_scenario"], "runs by scenario")
    if fails is not None:
        for row in fails.itertuples():
            console.print(f"[red]{escape(str(row.scenario))} seed {row.seed}[/]: {escape(str(row.error))}\n"
                          f"{escape(str(row.traceback))}", highlight=False)


ParamOpt = Annotated[list[str], typer.Option("--param", help="Parameter range: section.key=low:high[:n] or section.key=a,b.")]


def sweep_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario to sweep.")],
    param: ParamOpt,
    out: Annotated[str, typer.Option("--out", help="Results folder.")] = "results/sweep",
    design: Annotated[str, typer.Option("--design", help="grid (every combination) or lhs (Latin hypercube).")] = "grid",
    samples: Annotated[int | None, typer.Option("--samples", help="Points of an lhs design.")] = None,
    seeds: SeedsOpt = 5,
    months: MonthsOpt = None,
    firms: FirmsOpt = None,
    set_: SetOpt = None,
    metrics: Annotated[list[str] | None, typer.Option("--metric", help="Summary key to tabulate (repeatable).")] = None,
    executor: ExecutorOpt = "processes",
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    root_seed: RootOpt = 20_240_601,
    quiet: QuietOpt = False,
) -> None:
    """Run a scenario over a grid or Latin-hypercube design of parameters, every point on the same seeds."""
    from ecosim.experiments.sweeps import sweep

    try:
        from ecosim.experiments.sweeps import parse_params

        params = parse_params(param)
        if design == "grid":
            points = 1
            for p in params:
                points *= len(p.values) if p.values is not None else (p.n or 3)
                check_design_size(points, seeds)
        else:
            points = check_count(samples, "--samples", 1, MAX_DESIGN_POINTS) if samples is not None else 0
        check_design_size(points, seeds)
        out = _check_run_options(out, seeds=seeds, workers=workers, root_seed=root_seed, executor=executor,
                                 scheduler=scheduler)
        res = sweep(scenario, param, design=design, samples=samples, seeds=seeds, months=months, firms=firms,
                    overrides=parse_overrides(set_ or []), executor=executor, workers=workers, scheduler=scheduler,
                    out=out, metrics=metrics, root_seed=root_seed, progress=not quiet)
    except (ScenarioError, OptionError, ValueError) as exc:
        _fail(str(exc))
    if len(res.table):
        show = res.table.pivot_table(index=["point", *res.params], columns="metric", values="mean", sort=True)
        _print_table(show.reset_index().head(60), f"sweep of {scenario}: means over {seeds} seeds per point")
    console.print(f"design: [bold]{escape(str(out / 'design.csv'))}[/]  "
                  f"table: [bold]{escape(str(out / 'sweep.csv'))}[/]  "
                  f"figure: [bold]{escape(str(out / 'sweep.png'))}[/]  "
                  f"({res.report.completed} run, {res.report.skipped} already stored)")
    _finish(res.report, out)


def sensitivity_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario to analyse.")],
    param: ParamOpt,
    out: Annotated[str, typer.Option("--out", help="Results folder.")] = "results/sensitivity",
    method: Annotated[str, typer.Option("--method", help="morris or sobol.")] = "morris",
    samples: Annotated[int, typer.Option("--samples", help="Morris trajectories or Sobol base samples.")] = 8,
    seeds: Annotated[int, typer.Option("--seeds", help="Seeds per sample point (outputs are seed means).")] = 2,
    months: MonthsOpt = None,
    firms: FirmsOpt = None,
    set_: SetOpt = None,
    metrics: Annotated[list[str] | None, typer.Option("--metric", help="Summary key to analyse (repeatable).")] = None,
    executor: ExecutorOpt = "processes",
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    root_seed: RootOpt = 20_240_601,
    quiet: QuietOpt = False,
) -> None:
    """Global sensitivity (SALib Morris or Sobol) of summary figures to parameter ranges, with 95% CIs."""
    from ecosim.experiments.sensitivity import sensitivity

    try:
        from ecosim.experiments.sweeps import parse_params

        check_design_size(_check_sensitivity_samples(method, samples, len(parse_params(param))), seeds,
                          "sensitivity design")
        out = _check_run_options(out, seeds=seeds, workers=workers, root_seed=root_seed, executor=executor,
                                 scheduler=scheduler)
        res = sensitivity(scenario, param, method=method, samples=samples, seeds=seeds, months=months, firms=firms,
                          overrides=parse_overrides(set_ or []), executor=executor, workers=workers,
                          scheduler=scheduler, out=out, metrics=metrics, root_seed=root_seed, progress=not quiet)
    except (ScenarioError, OptionError, ValueError) as exc:
        _fail(str(exc))
    if len(res.table):
        _print_table(res.table, f"{method} indices for {scenario} ({len(res.samples)} points × {seeds} seeds; "
                                "*_conf = 95% CI half-width)")
    console.print(f"table: [bold]{escape(str(out / 'sensitivity.csv'))}[/]  "
                  f"figure: [bold]{escape(str(out / 'sensitivity.png'))}[/]  "
                  f"({res.report.completed} run, {res.report.skipped} already stored)")
    _finish(res.report, out)


def register(app: typer.Typer) -> None:
    """Add the experiment commands to the main ``ecosim`` app."""
    app.command("compare")(compare_cmd)
    app.command("sweep")(sweep_cmd)
    app.command("sensitivity")(sensitivity_cmd)
    app.command("results")(results_cmd)
