"""Experiment commands for the ``ecosim`` CLI: compare, sweep, sensitivity, discover, optimise, results.

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
PhaseOpt = Annotated[list[str] | None, typer.Option(
    "--phase", help="Add a phase to every run: package.module:function@before:lend (or @after:PHASE, @start, @end).")]
MetricFnOpt = Annotated[list[str] | None, typer.Option(
    "--metric-fn", help="Add summary figures to every run: package.module:function of the finished model.")]


def _fail(message: str) -> None:
    Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {escape(' '.join(str(message).split()))}",
                                               highlight=False)
    raise typer.Exit(2)


def _plugins(phases: list[str] | None, metric_fns: list[str] | None):
    from ecosim.cli import plugins_from_options

    return plugins_from_options(phases, metric_fns)


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
    from ecosim.experiments.sensitivity import METHODS, check_samples, planned_points

    if method not in METHODS:
        raise OptionError(f"--method = '{method}': must be one of {', '.join(METHODS)}")
    try:
        check_samples(method, samples)
    except ScenarioError as exc:
        raise OptionError(f"--{exc}") from None
    check_count(samples, "--samples", 1, MAX_DESIGN_POINTS)
    return planned_points(method, samples, n_params)


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


def _metric_text(key: str) -> str:
    """A metric's human name and unit for a table of raw values (shares stay fractions: "share")."""
    from ecosim.outputs.labels import has_label, metric_label

    if not has_label(key):
        return key
    lab = metric_label(key)
    unit = "share" if lab.is_share else lab.unit.en
    return f"{lab.en} ({unit})" if unit else lab.en


def _print_table(df, title: str, floatfmt: str = "{:,.4g}") -> None:
    if "metric" in df.columns:
        df = df.assign(metric=df["metric"].map(_metric_text))
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
    ci: Annotated[str, typer.Option("--ci", help="Interval: auto (BCa for counts and shares, t otherwise), t, bca "
                                                 "or bootstrap.")] = "auto",
    executor: ExecutorOpt = "processes",
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    root_seed: RootOpt = 20_240_601,
    quiet: QuietOpt = False,
    phase: PhaseOpt = None,
    metric_fn: MetricFnOpt = None,
) -> None:
    """Run scenarios on the same seeds; print means and paired differences with 95% CIs; write CSV and figure."""
    from ecosim.experiments.compare import compare

    try:
        out = _check_run_options(out, seeds=seeds, workers=workers, root_seed=root_seed, executor=executor,
                                 scheduler=scheduler)
        res = compare(scenarios, seeds=seeds, months=months, firms=firms, overrides=parse_overrides(set_ or []),
                      executor=executor, workers=workers, scheduler=scheduler, out=out, metrics=metrics, ci=ci,
                      root_seed=root_seed, progress=not quiet,
                      plugins=_plugins(phase, metric_fn))
    except (ScenarioError, OptionError, ValueError) as exc:
        _fail(str(exc))
    show = res.table[["metric", "scenario", "n", "mean", "ci_low", "ci_high", "ci_method", "diff", "diff_low",
                      "diff_high"]]
    _print_table(show, f"{' vs '.join(res.scenarios)}: {len(res.seeds)} common seeds, 95% intervals "
                       f"(method per row); diff = paired vs {res.scenarios[0]}, {res.table['diff_method'].iloc[0]}")
    console.print(f"table: [bold]{escape(str(out / 'compare.csv'))}[/]  "
                  f"figure: [bold]{escape(str(out / 'compare.png'))}[/]  "
                  f"({res.report.completed} run, {res.report.skipped} already stored)")
    _finish(res.report, out)


def results_cmd(
    path: Annotated[Path, typer.Argument(help="A results folder.")],
    failures: Annotated[bool, typer.Option("--failures", help="Print failed runs with their tracebacks.")] = False,
    sql: Annotated[str | None, typer.Option("--sql", help="Run a DuckDB query over the views runs, monthly, failures.")] = None,
    compact: Annotated[bool, typer.Option("--compact", help="Merge part files into one per table.")] = False,
    csv: Annotated[Path | None, typer.Option("--csv", help="Write the --sql result to this CSV file.")] = None,
    parquet: Annotated[Path | None, typer.Option("--parquet", help="Write the --sql result to this Parquet file.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Export the whole store: xarray (a netCDF file, runs × "
                                                        "months × metrics, parameters as coordinates).")] = None,
    to_path: Annotated[Path | None, typer.Argument(help="Output file of --to.", show_default=False)] = None,
) -> None:
    """Show what a results folder holds; query it (to CSV or Parquet); export it to xarray; compact it."""
    from ecosim.experiments.export import STORE_FORMATS, export_query, export_store, open_store
    from ecosim.experiments.store import StoreError

    if (csv or parquet) and not sql:
        _fail("--csv and --parquet write the result of --sql; give --sql too")
    if csv and parquet:
        _fail("give one of --csv and --parquet")
    if to is not None and to not in STORE_FORMATS:
        _fail(f"--to {to}: must be one of {', '.join(STORE_FORMATS)}")
    if to is not None and to_path is None:
        _fail("--to xarray needs an output file: ecosim results DIR --to xarray out.nc")
    if to is None and to_path is not None:
        _fail(f"unexpected argument '{to_path}' (an output file goes with --to xarray)")
    try:
        store = open_store(path)
        if compact:
            merged = store.compact()
            console.print("compacted: " + ", ".join(f"{t} {n} parts" for t, n in merged.items()))
        if to is not None:
            ds = export_store(store, to, to_path)
            console.print(f"wrote [bold]{escape(str(to_path))}[/]: {ds.sizes['run']} runs × {ds.sizes['month']} months × "
                          f"{sum(1 for v in ds.data_vars if ds[v].dims == ('run', 'month'))} metrics")
            return
        if sql:
            target = csv or parquet
            try:
                df = export_query(store, sql, target) if target else store.query(sql, sandbox=True)
            except (ScenarioError, StoreError, OSError):
                raise
            except Exception as exc:  # noqa: BLE001 - any DuckDB error is reported in one line
                _fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            if target:
                console.print(f"wrote [bold]{escape(str(target))}[/]: {len(df):,} rows × {df.shape[1]} columns")
            else:
                _print_table(df.head(200), f"{len(df):,} rows" + (" (first 200)" if len(df) > 200 else ""))
            return
        info = store.describe()
        fails = store.failures() if failures else None
    except (ScenarioError, StoreError, OSError) as exc:
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
    param: Annotated[list[str] | None, typer.Option("--param", help="Policy lever range: section.key=low:high[:n] "
                                                                    "or section.key=a,b.")] = None,
    uncertainty: Annotated[list[str] | None, typer.Option("--uncertainty", help="Uncertainty range, written like "
                                                                                "--param; sampled with the levers.")] = None,
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
    phase: PhaseOpt = None,
    metric_fn: MetricFnOpt = None,
) -> None:
    """Run a scenario over a grid or Latin-hypercube design of levers and uncertainties, all on the same seeds."""
    from ecosim.experiments.sweeps import sweep

    try:
        from ecosim.experiments.sweeps import parse_params

        params = parse_params([*(param or []), *(uncertainty or [])])
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
        res = sweep(scenario, param or [], uncertainties=uncertainty or [], design=design, samples=samples,
                    seeds=seeds, months=months, firms=firms,
                    overrides=parse_overrides(set_ or []), executor=executor, workers=workers, scheduler=scheduler,
                    out=out, metrics=metrics, root_seed=root_seed, progress=not quiet,
                    plugins=_plugins(phase, metric_fn))
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
    method: Annotated[str, typer.Option("--method", help="morris, sobol, fast, delta, pawn or montecarlo.")] = "morris",
    samples: Annotated[int, typer.Option("--samples", help="Morris trajectories, Sobol base samples, FAST points per "
                                                           "parameter, or delta/PAWN/Monte Carlo points.")] = 8,
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
    phase: PhaseOpt = None,
    metric_fn: MetricFnOpt = None,
) -> None:
    """Global sensitivity (SALib: Morris, Sobol, FAST, delta, PAWN, Monte Carlo) of summary figures to ranges."""
    from ecosim.experiments.sensitivity import sensitivity

    try:
        from ecosim.experiments.sweeps import parse_params

        check_design_size(_check_sensitivity_samples(method, samples, len(parse_params(param))), seeds,
                          "sensitivity design")
        out = _check_run_options(out, seeds=seeds, workers=workers, root_seed=root_seed, executor=executor,
                                 scheduler=scheduler)
        res = sensitivity(scenario, param, method=method, samples=samples, seeds=seeds, months=months, firms=firms,
                          overrides=parse_overrides(set_ or []), executor=executor, workers=workers,
                          scheduler=scheduler, out=out, metrics=metrics, root_seed=root_seed, progress=not quiet,
                          plugins=_plugins(phase, metric_fn))
    except (ScenarioError, OptionError, ValueError) as exc:
        _fail(str(exc))
    if len(res.table):
        _print_table(res.table, f"{method} indices for {scenario} ({len(res.samples)} points × {seeds} seeds; "
                                "*_conf = 95% CI half-width)")
    console.print(f"table: [bold]{escape(str(out / 'sensitivity.csv'))}[/]  "
                  f"figure: [bold]{escape(str(out / 'sensitivity.png'))}[/]  "
                  f"({res.report.completed} run, {res.report.skipped} already stored)")
    _finish(res.report, out)


def discover_cmd(
    store: Annotated[Path, typer.Argument(help="A sweep's results folder.")],
    outcome: Annotated[str, typer.Option("--outcome", help="Summary key, or a condition such as "
                                                           "'mean_npl_ratio>0.03'.")],
    threshold: Annotated[float | None, typer.Option("--threshold", help="Cases of interest lie above it.")] = None,
    below: Annotated[bool, typer.Option("--below", help="Cases of interest lie at or below the threshold.")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Folder for tables and figures (default: "
                                                           "STORE/discover).")] = None,
    max_boxes: Annotated[int, typer.Option("--boxes", help="PRIM boxes to find at most.")] = 2,
    mass_min: Annotated[float, typer.Option("--mass-min", help="Smallest share of runs in a box.")] = 0.05,
    peel_alpha: Annotated[float, typer.Option("--peel-alpha", help="Share of runs PRIM peels per step.")] = 0.05,
) -> None:
    """Scenario discovery (PRIM and CART): where in the levers and uncertainties does an outcome happen?"""
    from ecosim.experiments.discover import discover, restricted_boxes

    target = out or store / "discover"
    try:
        res = discover(store, outcome, threshold, below=below, out=target, max_boxes=max_boxes, mass_min=mass_min,
                       peel_alpha=peel_alpha)
    except ScenarioError as exc:
        _fail(str(exc))
    show = restricted_boxes(res)[["box", "param", "role", "low", "high", "qp_low", "qp_high", "coverage", "density",
                                  "mass", "n"]]
    _print_table(show, f"PRIM boxes of {res.condition}: {res.n_cases} of {res.n_runs} runs are cases of interest")
    console.print(f"boxes: [bold]{target / 'boxes.csv'}[/]  CART: [bold]{target / 'cart_boxes.csv'}[/]  figures: "
                  f"[bold]{target / 'prim_peeling.png'}[/], [bold]{target / 'prim_boxes.png'}[/]")


def optimise_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario whose levers are searched.")],
    lever: Annotated[list[str], typer.Option("--lever", help="Lever range: section.key=low:high or section.key=a,b.")],
    objective: Annotated[list[str], typer.Option("--objective", help="summary_key:max or summary_key:min "
                                                                     "(repeat for a Pareto front).")],
    constraint: Annotated[list[str] | None, typer.Option("--constraint", help="summary_key<=value or "
                                                                              "summary_key>=value.")] = None,
    uncertainty: Annotated[list[str] | None, typer.Option("--uncertainty", help="Uncertainty range for a robust "
                                                                                "search.")] = None,
    scenarios: Annotated[int, typer.Option("--scenarios", help="Uncertainty points per candidate (robust).")] = 8,
    robust: Annotated[str, typer.Option("--robust", help="mean or worst_decile over the uncertainty points.")] = "mean",
    trials: Annotated[int, typer.Option("--trials", help="Total trials (a resumed study counts its own).")] = 30,
    out: Annotated[Path, typer.Option("--out", help="Folder of the study, runs, tables and figures.")] = Path(
        "results/optimise"),
    seeds: Annotated[int, typer.Option("--seeds", help="Seeds per candidate (the same for every candidate).")] = 3,
    months: MonthsOpt = None,
    firms: FirmsOpt = None,
    set_: SetOpt = None,
    executor: ExecutorOpt = "processes",
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    root_seed: RootOpt = 20_240_601,
    sampler_seed: Annotated[int, typer.Option("--sampler-seed", help="Seed of the search itself.")] = 0,
    quiet: QuietOpt = False,
) -> None:
    """Policy search with optuna: the lever settings that best meet the objectives within the constraints."""
    from ecosim.experiments.optimise import optimise

    def report(trial) -> None:
        if not quiet:
            values = trial.values if trial.values is not None else ["pruned"]
            console.print(f"trial {trial.number}: " + ", ".join(f"{v:.4g}" if isinstance(v, float) else str(v)
                                                                for v in values), highlight=False)

    try:
        res = optimise(scenario, lever, objective, constraint or [], uncertainties=uncertainty or [],
                       scenarios=scenarios, robust=robust, seeds=seeds, trials=trials, months=months, firms=firms,
                       overrides=parse_overrides(set_ or []), executor=executor, workers=workers,
                       scheduler=scheduler, out=out, root_seed=root_seed, sampler_seed=sampler_seed,
                       on_trial=report)
    except (ScenarioError, ValueError) as exc:
        _fail(str(exc))
    cols = ["number", *res.levers, *[o.metric for o in res.objectives], *[c.metric for c in res.constraints],
            "feasible"]
    _print_table(res.best[cols], "best feasible policy" if len(res.objectives) == 1 else "Pareto set")
    console.print(f"trials: [bold]{out / 'trials.csv'}[/]  figures: [bold]{out / 'pareto.png'}[/], "
                  f"[bold]{out / 'progress.png'}[/]  (rerun the same command to continue the study)")


def register(app: typer.Typer) -> None:
    """Add the experiment commands to the main ``ecosim`` app."""
    app.command("compare")(compare_cmd)
    app.command("sweep")(sweep_cmd)
    app.command("sensitivity")(sensitivity_cmd)
    app.command("discover")(discover_cmd)
    app.command("optimise")(optimise_cmd)
    app.command("results")(results_cmd)
