"""The ``ecosim`` command line: a thin layer over the library.

``ecosim run`` runs one scenario and writes its files; ``ecosim params`` lists
every lever; the experiment commands (``compare``, ``sweep``, ``sensitivity``,
``results``) come from ``ecosim.experiments.cli``. Bad input gives a one-line
error naming the key and what is allowed, before any work starts.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ecosim.options import OptionError, check_out_dir, check_seed
from ecosim.scenario import ScenarioError, load_scenario, parameter_table

app = typer.Typer(add_completion=False, no_args_is_help=True, help="ecosim: a policy laboratory for sci-tech finance.")
console = Console()


def one_line(message: str) -> str:
    """A message as one line of plain text (rich markup in it is escaped)."""
    return escape(" ".join(str(message).split()))


def fail(message: str) -> None:
    """Print a one-line error and exit with status 2."""
    Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {one_line(message)}", highlight=False,
                                              markup=True)
    raise typer.Exit(2)


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="Scenario name in experiments/scenarios/ or a path to a .toml file.")],
    out: Annotated[str, typer.Option("--out", help="Folder for the run's files.")] = "results/run",
    seed: Annotated[int, typer.Option(help="Seed of the run.")] = 1,
    months: Annotated[int | None, typer.Option(help="Horizon in months.")] = None,
    firms: Annotated[str | None, typer.Option(help="Initial startups: a number or demo/small/medium/jinan/large.")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a parameter: section.key=value.")] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Run one scenario and write metrics, firms, panel, events, network, dashboard and run.json."""
    from ecosim.runner import run_to_dir

    try:
        sc = load_scenario(scenario, set_ or [], months=months, firms=firms)
        check_seed(seed)
        out = check_out_dir(out)
    except (ScenarioError, OptionError) as exc:
        fail(str(exc))
    result = run_to_dir(sc, seed, out, progress=not quiet)
    table = Table(title=Text(f"{sc.name}: {sc.run.firms} initial startups, {sc.run.months} months, seed {seed}"))
    table.add_column("figure")
    table.add_column("value", justify="right")
    s = result.summary
    rows = [
        ("startups operating at the end", f"{s['firms_alive']:.0f}"),
        ("startups ever", f"{s['firms_ever']:.0f}"),
        ("firms with a bank loan (end)", f"{100 * s['credit_access_rate']:.1f}%"),
        ("loans paid out (m yuan)", f"{s['total_new_loans']:,.1f}"),
        ("loan balance at the end (m yuan)", f"{s['loan_balance']:,.1f}"),
        ("defaults", f"{s['total_defaults']:.0f}"),
        ("NPL ratio (end)", f"{100 * s['npl_ratio']:.2f}%"),
        ("losses: banks / guarantors / pool (m yuan)",
         f"{s['total_loss_bank']:,.1f} / {s['total_loss_guarantors']:,.1f} / {s['total_loss_government']:,.1f}"),
        ("equity invested (m yuan)", f"{s['total_equity_invested']:,.1f}"),
        ("public spending (m yuan)", f"{s['total_public_spending']:,.1f}"),
        ("listings / acquisitions", f"{s['total_listings']:.0f} / {s['total_acquisitions']:.0f}"),
        ("patents held at the end", f"{s['patents']:.0f}"),
        ("wall time", f"{result.wall_seconds:.1f} s"),
    ]
    for k, v in rows:
        table.add_row(k, v)
    console.print(table)
    console.print(f"files written to [bold]{escape(str(out))}[/]")


@app.command()
def params(
    section: Annotated[str | None, typer.Argument(help="Only this section (e.g. guarantee).")] = None,
) -> None:
    """List every scenario parameter with its default, unit, range and meaning."""
    table = Table(show_lines=False)
    for col in ("parameter", "default", "unit", "range", "meaning"):
        table.add_column(col, overflow="fold")
    for row in parameter_table():
        if section and not row["path"].startswith(section + "."):
            continue
        lo, hi = row["min"], row["max"]
        rng = f"{'' if lo is None else f'{lo:g}'}..{'' if hi is None else f'{hi:g}'}" if (lo, hi) != (None, None) else ""
        table.add_row(row["path"], str(row["default"]), row["unit"], rng, row["description"])
    console.print(table)


#: Subpackages that add their own commands with ``register(app)``.
COMMAND_MODULES = ("ecosim.experiments.cli", "ecosim.viz.cli", "ecosim.validation.cli")


def _register_optional() -> None:
    """Add the commands of every subpackage present (a real import error still surfaces)."""
    import importlib
    import importlib.util

    for name in COMMAND_MODULES:
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:
            found = False
        if found:
            importlib.import_module(name).register(app)


_register_optional()


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
