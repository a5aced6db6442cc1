"""The ``ecosim`` command line: a thin layer over the library.

``ecosim run`` runs one scenario and writes its files; ``ecosim params`` lists
every lever; the experiment commands (``compare``, ``sweep``, ``sensitivity``,
``results``) come from ``ecosim.experiments.cli``. Bad input gives a one-line
error naming the key and what is allowed, before any work starts.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ecosim.options import OptionError, check_out_dir, check_seed
from ecosim.scenario import SCENARIO_PATH_VAR, ScenarioError, load_scenario, parameter_table

app = typer.Typer(add_completion=False, no_args_is_help=True, help="ecosim: a policy laboratory for sci-tech finance.")
console = Console()


def one_line(message: str) -> str:
    """A message as one line of plain text (rich markup in it is escaped)."""
    return escape(" ".join(str(message).split()))


def fail(message: str) -> None:
    """Print a one-line error (literally: brackets such as ``[dask]`` are kept) and exit with status 2."""
    Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {one_line(message)}", highlight=False,
                                              markup=True)
    raise typer.Exit(2)


def require_extra(module: str, extra: str, what: str) -> None:
    """Stop with the install command when an optional dependency is missing.

    Args:
        module: The module the command needs (e.g. ``solara``).
        extra: The ecosim extra that installs it (e.g. ``viz``).
        what: What needs it, for the message.
    """
    import importlib.util

    if importlib.util.find_spec(module) is None:
        fail(f"{what} needs the '{extra}' extra ({module} is not installed): pip install 'ecosim[{extra}]'")


def plugins_from_options(phases: list[str] | None, metric_fns: list[str] | None):
    """The plug-ins named by ``--phase`` and ``--metric-fn`` options, imported now (one-line error otherwise)."""
    from ecosim.plugins import PluginError, Plugins

    try:
        return Plugins.of(phases or [], metric_fns or []).check() if (phases or metric_fns) else None
    except PluginError as exc:
        fail(str(exc))


@app.callback()
def main_options(
    scenario_dir: Annotated[list[Path] | None, typer.Option(
        "--scenario-dir", help=f"Folder of scenario files, searched by name before the bundled ones (repeatable; "
                               f"also the environment variable {SCENARIO_PATH_VAR}).")] = None,
) -> None:
    """ecosim: a policy laboratory for sci-tech finance."""
    if scenario_dir:
        for folder in scenario_dir:
            if not folder.is_dir():
                fail(f"--scenario-dir {folder}: not a folder")
        known = [p for p in os.environ.get(SCENARIO_PATH_VAR, "").split(os.pathsep) if p]
        # Through the environment, so process workers of an experiment find the same scenarios.
        os.environ[SCENARIO_PATH_VAR] = os.pathsep.join([*(str(f.resolve()) for f in scenario_dir), *known])
def end_mean_peak(series, fmt) -> str:
    """A monthly series as ``end · mean · peak`` (only the end when the three read the same)."""
    values = [fmt(float(series.iloc[-1])), fmt(float(series.mean())), fmt(float(series.max()))]
    if len(set(values)) == 1:
        return values[0]
    return f"end {values[0]} · mean {values[1]} · peak {values[2]}"


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="Scenario name (bundled or in a --scenario-dir) or a path to a .toml file.")],
    out: Annotated[str, typer.Option("--out", help="Folder for the run's files.")] = "results/run",
    seed: Annotated[int, typer.Option(help="Seed of the run.")] = 1,
    months: Annotated[int | None, typer.Option(help="Horizon in months.")] = None,
    firms: Annotated[str | None, typer.Option(help="Initial startups: a number or demo/small/medium/jinan/large.")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a parameter: section.key=value.")] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
    outputs: Annotated[str, typer.Option(
        help="Files to write: 'all' or a comma-separated list of metrics, firms, panel, events, funds, banks, "
             "network, dashboard, run.")] = "all",
    phase: Annotated[list[str] | None, typer.Option(
        "--phase", help="Add a phase: package.module:function@before:lend (or @after:PHASE, @start, @end).")] = None,
    metric_fn: Annotated[list[str] | None, typer.Option(
        "--metric-fn", help="Add summary figures: package.module:function of the finished model.")] = None,
) -> None:
    """Run one scenario and write metrics, firms, panel, events, funds, banks, network, dashboard and run.json."""
    from ecosim.outputs.files import OutputsError, parse_outputs
    from ecosim.runner import run_to_dir

    try:
        chosen = parse_outputs(outputs)
    except OutputsError as exc:
        fail(str(exc))

    try:
        sc = load_scenario(scenario, set_ or [], months=months, firms=firms)
        check_seed(seed)
        out = check_out_dir(out)
    except (ScenarioError, OptionError) as exc:
        fail(str(exc))
    plugins = plugins_from_options(phase, metric_fn)
    result = run_to_dir(sc, seed, out, progress=not quiet, outputs=chosen, plugins=plugins)
    table = Table(title=Text(f"{sc.name}: {sc.run.firms} initial startups, {sc.run.months} months, seed {seed}"))
    table.add_column("figure")
    table.add_column("value", justify="right")
    s = result.summary
    m = result.metrics
    rows = [
        ("startups operating at the end", f"{s['firms_alive']:.0f}"),
        ("startups ever", f"{s['firms_ever']:.0f}"),
        ("firms with a bank loan", end_mean_peak(m["credit_access_rate"], lambda v: f"{100 * v:.1f}%")),
        ("loans paid out (m yuan)", f"{s['total_new_loans']:,.1f}"),
        ("loan balance (m yuan)", end_mean_peak(m["loan_balance"], lambda v: f"{v:,.1f}")),
        ("defaults", f"{s['total_defaults']:.0f}"),
        ("NPL ratio", end_mean_peak(m["npl_ratio"], lambda v: f"{100 * v:.2f}%")),
        ("losses: banks / guarantors / pool (m yuan)",
         f"{s['total_loss_bank']:,.1f} / {s['total_loss_guarantors']:,.1f} / {s['total_loss_government']:,.1f}"),
        ("equity invested (m yuan)", f"{s['total_equity_invested']:,.1f}"),
        ("public spending (m yuan)", f"{s['total_public_spending']:,.1f}"),
        ("listings / acquisitions", f"{s['total_listings']:.0f} / {s['total_acquisitions']:.0f}"),
        ("patents held at the end", f"{s['patents']:.0f}"),
        ("wall time", f"{result.wall_seconds:.1f} s"),
    ]
    if plugins:
        rows[-1:-1] = [(name, f"{s[name]:,.4g}") for m in plugins.metrics for name in m.values(result.model)]
    for k, v in rows:
        table.add_row(k, v)
    console.print(table)
    console.print(f"files written to [bold]{escape(str(out))}[/]")


def _range_text(lo, hi) -> str:
    if (lo, hi) == (None, None):
        return ""
    return f"{'' if lo is None else f'{lo:g}'}..{'' if hi is None else f'{hi:g}'}"


@app.command()
def params(
    section: Annotated[str | None, typer.Argument(help="Only this section (e.g. guarantee).")] = None,
    format_: Annotated[str, typer.Option("--format", help="table (for people), csv or json (for scripts).")] = "table",
) -> None:
    """List every scenario parameter with its default, unit, range and meaning.

    The table keeps every parameter name whole, whatever the width of the terminal or pipe, and wraps the
    meaning instead; ``--format csv`` and ``--format json`` print every field of the schema for scripts.
    """
    if format_ not in ("table", "csv", "json"):
        fail(f"format = '{format_}': allowed table, csv or json")
    rows = [row for row in parameter_table() if not section or row["path"].startswith(section + ".")]
    if section and not rows:
        sections = sorted({row["path"].split(".")[0] for row in parameter_table()})
        fail(f"section = '{section}': no such section (known: {', '.join(sections)})")
    if format_ != "table":
        import csv
        import json

        fields = ["path", "type", "default", "unit", "min", "max", "description", "source"]
        if format_ == "json":
            sys.stdout.write(json.dumps([{k: row[k] for k in fields} for row in rows], indent=2, ensure_ascii=False)
                             + "\n")
        else:
            writer = csv.DictWriter(sys.stdout, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        return
    width = max(len(row["path"]) for row in rows)
    needed = width + 14 + 16 + 12 + 30 + 16  # the columns at their narrowest readable widths, and the borders
    out = console if console.is_terminal else Console(width=max(needed + 40, 160), soft_wrap=False)
    if out.width < needed:  # too narrow for a table: one block per parameter, the meaning wrapped beneath
        import textwrap

        for row in rows:
            rng = _range_text(row["min"], row["max"])
            out.print(f"[bold]{row['path']}[/] = {row['default']}  [dim]{row['unit']}{'  ' + rng if rng else ''}[/]",
                      highlight=False, soft_wrap=True)
            for line in textwrap.wrap(row["description"], max(20, out.width - 4)):
                out.print("    " + line, highlight=False, soft_wrap=True)
        return
    table = Table(show_lines=False)
    table.add_column("parameter", no_wrap=True, min_width=width)
    table.add_column("default", overflow="fold", max_width=14)
    table.add_column("unit", overflow="fold", max_width=16)
    table.add_column("range", no_wrap=True)
    table.add_column("meaning", overflow="fold", ratio=1, min_width=30)
    for row in rows:
        table.add_row(row["path"], str(row["default"]), row["unit"], _range_text(row["min"], row["max"]),
                      row["description"])
    out.print(table)


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


def main() -> NoReturn:
    """The ``ecosim`` command (console entry point and ``python -m ecosim``): the app, then a quick end.

    Once the command is done, its exit handlers have run and its output is flushed, the process
    ends without the interpreter's teardown of every module and object, which after a run takes
    about a quarter of a second and changes nothing on disk. A command that leaves a thread
    working ends the ordinary way, waiting for it.
    """
    try:
        app()
        code = 0
    except SystemExit as done:
        code = done.code
    end_process(code)


def end_process(code: int | str | None) -> NoReturn:
    """Exit with ``code`` (``None`` is 0; a message is printed to stderr and exits 1), skipping the teardown.

    Exit handlers (``atexit``) run and stdout and stderr are flushed first; when another
    non-daemon thread is still alive the exit is the ordinary ``sys.exit``.
    """
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    others = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon and t.is_alive()]
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if others or run_exit_handlers is None:
        sys.exit(code)
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed or gone: nothing left to write
            pass
    os._exit(code)


if __name__ == "__main__":
    main()
