"""The live teaching demo: a Mesa ``SolaraViz`` page of the ecosystem at a demo size.

The page shows the relationship network (institutions by type, startups by
stage), live monthly time series (firms by stage, credit, defaults, losses by
party, equity) and a one-line status. Its sidebar has Mesa's play / step /
reset controls and one control per policy lever of :data:`ecosim.viz.levers.DEMO_LEVERS`;
a changed lever takes effect at the next Reset, with the same seed, so the
two runs differ only by the policy.

Serve it with ``ecosim demo`` (or ``solara run ecosim.viz.app``).
"""

from __future__ import annotations

from typing import Any

import solara
from matplotlib.figure import Figure

from ecosim.model import EcosystemModel
from ecosim.scenario import SIZE_PRESETS, load_scenario
from ecosim.viz.charts import PANELS
from ecosim.viz.levers import DEMO_LEVERS, LEVERS_BY_NAME, lever_overrides
from ecosim.viz.network_view import draw_network

#: Initial startups in the demo.
DEMO_FIRMS = SIZE_PRESETS["demo"]
#: Months the demo runs before it stops.
DEMO_MONTHS = 120


class DemoModel(EcosystemModel):
    """The ecosystem model built from a base scenario and the demo's lever values.

    Args:
        base: Base scenario name or path.
        firms: Initial startups.
        months: Months before the model stops running.
        rng: The run's seed.
        scenario: Mesa's experiment scenario, which SolaraViz passes on Reset; unused (the ecosim scenario
            comes from ``base`` and the levers).
        **levers: Values of the demo levers by name (see :data:`DEMO_LEVERS`); missing ones take their defaults.
    """

    def __init__(self, *, base: str = "baseline", scenario: object | None = None, firms: int = DEMO_FIRMS, months: int = DEMO_MONTHS,
                 rng: int | None = 42, **levers: Any) -> None:
        unknown = sorted(set(levers) - set(LEVERS_BY_NAME))
        if unknown:
            raise ValueError(f"unknown demo lever(s) {', '.join(unknown)} (known: {', '.join(LEVERS_BY_NAME)})")
        values = {lever.name: levers.get(lever.name, lever.default) for lever in DEMO_LEVERS}
        self.lever_values = values
        params = load_scenario(base, lever_overrides(values), months=int(months), firms=int(firms))
        super().__init__(params, rng=int(rng) if rng is not None else None)

    def step(self) -> None:
        """One month; the model stops running at the scenario's horizon."""
        super().step()
        if self.month >= self.params.run.months:
            self.running = False


def model_params(firms: int = DEMO_FIRMS, months: int = DEMO_MONTHS) -> dict[str, Any]:
    """SolaraViz ``model_params``: the seed, every demo lever, and the fixed size and horizon."""
    params: dict[str, Any] = {
        "rng": {"type": "SliderInt", "value": 42, "label": "Seed", "min": 0, "max": 99, "step": 1},
    }
    params.update({lever.name: lever.user_param() for lever in DEMO_LEVERS})
    params["firms"] = firms
    params["months"] = months
    return params


# --------------------------------------------------------------------------- components


def status_text(model: EcosystemModel) -> str:
    """A one-line summary of the model's state (also what the browser test reads)."""
    m = model.current
    if not m:
        return f"Month 0 · {len(model.alive)} startups operating · press Step or ▶"
    totals = model.metrics_frame().sum(numeric_only=True)
    return (f"Month {model.month} · {m['firms_alive']:.0f} startups operating · loans {m['loan_balance']:,.1f} m yuan · "
            f"defaults so far {totals['defaults']:.0f} · public equity so far {totals['equity_public']:,.1f} m yuan")


def _follow_steps() -> None:
    """Subscribe the calling component to Mesa's step counter, so it redraws after every Step / Play / Reset."""
    from mesa.visualization.utils import update_counter

    update_counter.get()


@solara.component
def StatusLine(model: EcosystemModel):
    """The month and headline figures, as text."""
    _follow_steps()
    return solara.v.Html(tag="div", children=[status_text(model)], class_="ecosim-status",
                         style_="font-size: 15px; font-weight: 600; padding: 4px 0")


@solara.component
def NetworkView(model: EcosystemModel):
    """The relationship network: institutions by type, startups with relationships by stage."""
    _follow_steps()
    fig = Figure(figsize=(6.4, 4.8))  # fixed margins: a layout engine would cost more than the drawing
    ax = fig.add_axes((0.0, 0.02, 0.72, 0.9))
    shown = draw_network(ax, model)
    ax.set_title(f"Relationships at month {model.month} ({shown} startups with a tie)", fontsize=10)
    return solara.FigureMatplotlib(fig, format="png", dpi=80)


@solara.component
def TimeSeries(model: EcosystemModel):
    """Live monthly panels: firms by stage, credit, defaults, losses by party, equity."""
    _follow_steps()
    m = model.metrics_frame()
    fig = Figure(figsize=(11, 6))
    fig.subplots_adjust(left=0.06, right=0.95, top=0.94, bottom=0.08, wspace=0.42, hspace=0.38)
    axes = fig.subplots(2, 3).ravel()
    if m.empty:
        for ax in axes:
            ax.set_axis_off()
        axes[1].text(0.5, 0.5, "Press Step or ▶ to run the model", ha="center", va="center", fontsize=12)
    else:
        for ax, draw in zip(axes, PANELS.values(), strict=False):
            draw(ax, m)
            ax.grid(alpha=0.3)
            ax.set_xlim(0, max(12, model.month))
        a = axes[5]
        a.plot(m["month"], m["firms_alive"], color="black", label="startups operating")
        a.plot(m["month"], m["firms_failed"].cumsum(), color="#d73027", label="failed (cumulative)")
        a.set_title("Firms alive and failures")
        a.legend(fontsize=7, loc="upper left")
        a.grid(alpha=0.3)
    return solara.FigureMatplotlib(fig, format="png", dpi=72)


@solara.component
def EcosystemView(model: EcosystemModel):
    """The main area: status line, then the network beside the time series.

    Each part redraws whenever Mesa's controller steps or resets the model.
    """
    with solara.Column(style={"padding": "8px"}):
        StatusLine(model)
        with solara.Columns([2, 3]):
            NetworkView(model)
            TimeSeries(model)


@solara.component
def DemoPage(model: solara.Reactive, firms: int = DEMO_FIRMS, months: int = DEMO_MONTHS):
    """Mesa's SolaraViz (controls, levers, play / step / reset) around a reactive model, with the ecosystem view.

    The view is drawn by :func:`EcosystemView` rather than Mesa's draggable grid, which keeps the page
    usable offline and lays the network beside the charts.
    """
    from mesa.visualization import SolaraViz

    SolaraViz(model, components=[], model_params=model_params(firms, months),
              name="ecosim · sci-tech finance ecosystem (Jinan pilot zone)", play_interval=150)
    EcosystemView(model.value)


@solara.component
def Page():
    """The demo page for one browser session: its own model at the size set by the environment.

    ``ECOSIM_DEMO_FIRMS`` and ``ECOSIM_DEMO_MONTHS`` (set by ``ecosim demo``) choose the size and horizon.
    """
    import os

    firms = int(os.environ.get("ECOSIM_DEMO_FIRMS", DEMO_FIRMS))
    months = int(os.environ.get("ECOSIM_DEMO_MONTHS", DEMO_MONTHS))
    initial = solara.use_memo(lambda: DemoModel(firms=firms, months=months), [])
    model = solara.use_reactive(initial)
    DemoPage(model, firms, months)
