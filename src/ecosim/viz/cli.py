"""The ``demo`` and ``brief`` commands, added to the ``ecosim`` command line by :func:`register`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer


def demo(
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8765,
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0 to share on the network).")] = "127.0.0.1",
    firms: Annotated[str, typer.Option(help="Initial startups: a number or a size preset (demo = 300).")] = "demo",
    months: Annotated[int, typer.Option(help="Months before the model stops.")] = 120,
) -> None:
    """Serve the live teaching demo (Mesa SolaraViz) in the browser."""
    from ecosim.cli import fail, require_extra
    from ecosim.scenario import ScenarioError, resolve_size

    require_extra("solara", "viz", "ecosim demo")
    try:
        n = resolve_size(firms)
    except ScenarioError as exc:
        fail(str(exc))
    if not 10 <= n <= 5_000:
        fail(f"firms = {n}: the demo allows from 10 to 5000 startups (it redraws every month)")
    if not 1 <= months <= 600:
        fail(f"months = {months}: allowed from 1 to 600")
    if not 1 <= port <= 65535:
        fail(f"port = {port}: allowed from 1 to 65535")
    from ecosim.viz.assets import AssetError, ensure_solara_assets

    try:
        ensure_solara_assets()
    except AssetError as exc:
        typer.echo(f"warning: {exc}; the page will try the CDN", err=True)
    env = dict(os.environ, ECOSIM_DEMO_FIRMS=str(n), ECOSIM_DEMO_MONTHS=str(months))
    cmd = [sys.executable, "-m", "solara", "run", "ecosim.viz.app", "--host", host, "--port", str(port),
           "--production", "--no-open"]
    typer.echo(f"ecosim demo: http://{host}:{port}  ({n} startups; Ctrl+C to stop)")
    sys.stdout.flush()
    os.execve(sys.executable, cmd, env)  # the server replaces this process: one pid to stop


def brief(
    scenario: Annotated[str, typer.Argument(help="Scenario to assess (name or .toml path).")],
    vs: Annotated[str, typer.Option("--vs", help="Reference scenario to compare against.")] = "no_policy",
    seeds: Annotated[int, typer.Option(help="Seeds per scenario (paired).")] = 10,
    lang: Annotated[str, typer.Option(help="Language of the brief: en or zh.")] = "en",
    out: Annotated[Path, typer.Option("--out", help="HTML file to write.")] = Path("results/brief.html"),
    months: Annotated[int | None, typer.Option(help="Horizon in months (default: the scenario's).")] = None,
    firms: Annotated[str | None, typer.Option(help="Initial startups: a number or a size preset.")] = None,
    workers: Annotated[int, typer.Option(help="Parallel processes (1 = in this process).")] = 1,
    results: Annotated[Path | None, typer.Option("--results", help="Results folder of a comparison (ecosim compare "
                                                 "--out DIR or an earlier brief): stored runs are reused, missing "
                                                 "ones run and stored there.")] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Write a self-contained HTML policy brief comparing SCENARIO with a reference (--vs)."""
    from ecosim.cli import console, fail
    from ecosim.scenario import ScenarioError, load_scenario
    from ecosim.viz.brief import write_brief
    from ecosim.viz.charts import FontError

    if lang not in ("en", "zh"):
        fail(f"lang = '{lang}': allowed en or zh")
    if not 2 <= seeds <= 1_000:
        fail(f"seeds = {seeds}: allowed from 2 to 1000 (confidence intervals need at least 2)")
    if workers < 1:
        fail(f"workers = {workers}: must be ≥ 1")
    from ecosim.options import OptionError, check_out_dir, check_out_file, check_workers

    try:
        for name in (scenario, vs):
            load_scenario(name, months=months, firms=firms)
        out = check_out_file(out)  # before any run: a brief that cannot be written loses them all
        check_workers(workers)
        if results is not None:
            results = check_out_dir(results, option="--results")
    except (ScenarioError, OptionError) as exc:
        fail(str(exc))
    try:
        path = write_brief(scenario, vs, out, seeds=seeds, lang=lang, months=months, firms=firms, workers=workers,
                           results=results, progress=not quiet)
    except FontError as exc:
        fail(str(exc))
    from rich.markup import escape

    console.print(f"brief written to [bold]{escape(str(path))}[/]")


def register(app: typer.Typer) -> None:
    """Add ``demo`` and ``brief`` to the ``ecosim`` command line."""
    app.command()(demo)
    app.command()(brief)
