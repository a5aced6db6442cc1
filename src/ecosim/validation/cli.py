"""The ``ecosim validate`` and ``ecosim calibrate`` commands (added to the main CLI by :func:`register`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ecosim.scenario import SCENARIO_DIR, ScenarioError


def _fail(message: str) -> None:
    from rich.markup import escape

    Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {escape(' '.join(str(message).split()))}",
                                               highlight=False)
    raise typer.Exit(2)


def _fmt(value: float) -> str:
    if value != value:  # NaN
        return "—"
    return f"{value:.4g}"


def print_scorecard(card, console: Console | None = None) -> None:
    """Print a scorecard as a table: target, simulated mean with 95% CI, accepted band, status."""
    from ecosim.validation.validate import MISSING, PASS

    console = console or Console(width=None if Console().is_terminal else 150)
    t = card.table
    passed = int((t["status"] == PASS).sum())
    table = Table(title=f"Validation of '{card.scenario}' over {len(card.runs)} seeds: {passed}/{len(t)} pass")
    for col, just in (("target", "left"), ("published", "right"), ("simulated mean [95% CI]", "right"),
                      ("accepted", "right"), ("unit", "left"), ("result", "left")):
        table.add_column(col, justify=just, overflow="fold")
    for _, r in t.iterrows():
        published = _fmt(r["low"]) if r["low"] == r["high"] else f"{_fmt(r['low'])}–{_fmt(r['high'])}"
        sim = "—" if r["n"] == 0 else f"{_fmt(r['mean'])} [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}]"
        colour = "green" if r["status"] == PASS else "red"
        status = r["status"] if r["status"] != MISSING else f"{MISSING}: {r['note']}"
        if r["status"] != MISSING and r["note"]:
            status += f" ({r['note']})"
        table.add_row(r["id"], published, sim, f"{_fmt(r['band_low'])}..{_fmt(r['band_high'])}", r["unit"],
                      f"[{colour}]{status}[/]")
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add ``validate`` and ``calibrate`` to the ``ecosim`` command line."""

    @app.command()
    def validate(
        scenario: Annotated[str, typer.Argument(help="Scenario to validate (default: the calibrated baseline).")] = "baseline",
        seeds: Annotated[int, typer.Option(help="Number of seeds N (1..N, or from --first-seed).", min=1, max=10_000)] = 20,
        first_seed: Annotated[int, typer.Option(help="First seed (seeds first..first+N-1), e.g. 21 for fresh seeds.",
                                                min=0)] = 1,
        firms: Annotated[str | None, typer.Option(help="Initial startups: a number or demo/small/medium/jinan/large.")] = None,
        months: Annotated[int | None, typer.Option(help="Horizon in months (survival at 10 years needs ≥120).")] = None,
        out: Annotated[Path, typer.Option("--out", help="Folder for scorecard.csv, scorecard.png and runs.csv.")] = Path("results/validation"),
        workers: Annotated[int | None, typer.Option(help="Processes (default: CPU count).", min=1)] = None,
        targets: Annotated[Path | None, typer.Option(help="Targets file (default: the project's targets.toml).")] = None,
    ) -> None:
        """Run the scenario over N seeds and score it against the published targets; exit 1 if any target fails."""
        from rich.progress import Progress

        from ecosim.validation.validate import load_targets, run_validation

        try:
            target_list = load_targets(targets)
            with Progress(transient=True) as bar:
                task = bar.add_task(f"{scenario}: {seeds} seeds", total=seeds)
                card = run_validation(scenario, seeds=range(first_seed, first_seed + seeds), firms=firms,
                                      months=months, targets=target_list,
                                      workers=workers, on_done=lambda s: bar.advance(task))
        except ScenarioError as exc:
            _fail(str(exc))
        out.mkdir(parents=True, exist_ok=True)
        card.to_csv(out / "scorecard.csv")
        card.runs.to_csv(out / "runs.csv", index=False, float_format="%.8g")
        card.plot(out / "scorecard.png")
        print_scorecard(card)
        Console().print(f"scorecard written to [bold]{out}[/] (scorecard.csv, scorecard.png, runs.csv)")
        if not card.passed:
            Console().print(f"[red]not passing:[/] {', '.join(card.failures)}")
            raise typer.Exit(1)

    @app.command()
    def calibrate(
        scenario: Annotated[str, typer.Argument(help="Scenario whose free parameters are calibrated.")] = "baseline",
        budget: Annotated[int, typer.Option(help="Total evaluations (those already in the history count).", min=1)] = 100,
        seeds: Annotated[int, typer.Option(help="Seeds per evaluation (common to all candidates).", min=1)] = 4,
        first_seed: Annotated[int, typer.Option(help="First seed of each evaluation (default: apart from the "
                                                     "seeds `validate` scores).", min=0)] = 1001,
        firms: Annotated[str, typer.Option(help="Initial startups per run.")] = "1000",
        months: Annotated[int, typer.Option(help="Horizon per run in months.", min=1)] = 120,
        history: Annotated[Path, typer.Option(help="SQLite history of evaluations; rerun with it to resume.")] = Path("results/calibration/history.db"),
        out: Annotated[Path, typer.Option("--out", help="Scenario file to write.")] = SCENARIO_DIR / "calibrated.toml",
        setup: Annotated[Path | None, typer.Option(help="Free parameters and moments (default: calibration.toml).")] = None,
        workers: Annotated[int | None, typer.Option(help="Processes per evaluation (default: CPU count).", min=1)] = None,
        sampler: Annotated[str, typer.Option(help="Search: tpe (global) or cmaes (local, from the scenario's values).")] = "tpe",
        step: Annotated[float, typer.Option(help="CMA-ES initial step, share of each parameter's range.", min=0.001, max=1.0)] = 0.15,
        only: Annotated[list[str] | None, typer.Option("--only", help="Free only this parameter of the set-up "
                                                       "(repeatable); the scenario file keeps its other values.")] = None,
    ) -> None:
        """Calibrate the declared free parameters by simulated moments and write them as a scenario file."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        from ecosim.validation.calibrate import calibrate as run_calibration
        from ecosim.validation.calibrate import load_setup

        from ecosim.options import OptionError, check_out_file

        console = Console()
        try:
            check_out_file(history, "--history")
            check_out_file(out, "--out")
        except OptionError as exc:
            _fail(str(exc))
        try:
            cal_setup = load_setup(setup)
            with Progress(TextColumn("[bold]calibrating"), BarColumn(), MofNCompleteColumn(),
                          TextColumn("best J {task.fields[best]}"), TimeRemainingColumn(), console=console) as bar:
                task = bar.add_task("", total=budget, best="—")

                def on_trial(number: int, value: float, best: float) -> None:
                    bar.update(task, completed=number + 1, best=f"{best:.3f}")

                res = run_calibration(scenario, budget=budget, seeds=seeds, first_seed=first_seed, firms=firms, months=months,
                                      setup=cal_setup, history=history, out=out, workers=workers,
                                      sampler=sampler, cmaes_step=step, on_trial=on_trial, only=only)
        except ScenarioError as exc:
            _fail(str(exc))
        table = Table(title=f"Calibration: J {res.start_distance:.3f} → {res.best_distance:.3f} "
                            f"({len(res.history)} evaluations)")
        for col in ("parameter / moment", "before", "after"):
            table.add_column(col, justify="left" if col.startswith("param") else "right")
        for k, v in res.best_params.items():
            table.add_row(k, f"{res.start_params.get(k, float('nan')):.4g}", f"{v:.4g}")
        for k, v in res.moments_best.items():
            table.add_row(f"moment {k}", f"{res.moments_start.get(k, float('nan')):.4g}", f"{v:.4g}")
        console.print(table)
        console.print(f"history: [bold]{history}[/] and {history.with_suffix('.csv')}; scenario: [bold]{out}[/]")
