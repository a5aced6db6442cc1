"""The live teaching demo: a Solara page around Mesa's model controller, at a demo size.

The page shows the relationship network (institutions by type, startups by
stage), six live monthly charts (startups by stage, credit, loan quality,
losses by party, equity, failures and listings) and a one-line status. The
charts and the network are light browser components (:mod:`ecosim.viz.vue`):
each month the page sends only their numbers, and the browser redraws the
lines and nodes that changed, so a Step costs milliseconds rather than a
redrawn image.

The sidebar has Mesa's play / step / reset controller, the seed, a "keep this
run as reference" switch whose lines stay on the charts (dashed) across lever
changes and resets, and one control per policy lever of
:data:`ecosim.viz.levers.DEMO_LEVERS`, grouped by the pilot zone's three
systems in collapsible sections. A changed lever takes effect at the next
Reset, on the same seed, so two runs differ only by the policy.

Serve it with ``ecosim demo`` (or ``solara run ecosim.viz.app``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import solara

from ecosim.model import EcosystemModel
from ecosim.outputs.labels import metric_name
from ecosim.scenario import SIZE_PRESETS, load_scenario
from ecosim.viz.charts import PARTY_COLOURS, STAGE_COLOURS, label
from ecosim.viz.levers import DEMO_LEVERS, LEVERS_BY_NAME, SYSTEMS, DemoLever, lever_overrides, levers_by_system
from ecosim.viz.network_view import network_data

#: Initial startups in the demo.
DEMO_FIRMS = SIZE_PRESETS["demo"]
#: Months the demo runs before it stops.
DEMO_MONTHS = 120
#: Pause between months while playing (milliseconds).
PLAY_INTERVAL_MS = 60
VUE = Path(__file__).parent / "vue"
#: Compact sidebar controls (a classroom projector shows 1280×720) with room for the always-shown slider values.
CSS = """
.ecosim-sidebar .v-input__details { display: none; }
.ecosim-sidebar .v-selection-control { min-height: 30px; }
.ecosim-sidebar .v-checkbox .v-label { font-size: 14px; opacity: 1; }
.ecosim-sidebar .v-slider { margin-top: 26px; }
.ecosim-sidebar .v-slider .v-label { font-size: 14px; opacity: 1; }
.ecosim-sidebar .v-expansion-panel-title { font-weight: 600; min-height: 40px; padding: 6px 12px; }
.ecosim-sidebar .v-expansion-panel-text__wrapper { padding: 0 8px 6px 8px; }
"""


class DemoModel(EcosystemModel):
    """The ecosystem model built from a base scenario and the demo's lever values.

    Args:
        base: Base scenario name or path.
        firms: Initial startups.
        months: Months before the model stops running.
        rng: The run's seed.
        scenario: Mesa's experiment scenario, which Mesa's controller passes on Reset; unused (the ecosim scenario
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
        self.seed_value = int(rng) if rng is not None else None
        params = load_scenario(base, lever_overrides(values), months=int(months), firms=int(firms))
        super().__init__(params, rng=self.seed_value)

    def step(self) -> None:
        """One month; the model stops running at the scenario's horizon."""
        super().step()
        if self.month >= self.params.run.months:
            self.running = False


def initial_parameters(firms: int = DEMO_FIRMS, months: int = DEMO_MONTHS) -> dict[str, Any]:
    """The keyword arguments of :class:`DemoModel` the page starts from: seed, every lever's default, size, horizon."""
    return {"rng": 42, **{lever.name: lever.default for lever in DEMO_LEVERS}, "firms": firms, "months": months}


# --------------------------------------------------------------------------- chart data


def _series(name: str, colour: str, values: pd.Series | np.ndarray) -> dict:
    arr = np.asarray(values, dtype=float)
    return {"name": name, "colour": colour,
            "values": [None if not np.isfinite(v) else round(float(v), 4) for v in arr]}


def chart_panels(m: pd.DataFrame) -> list[dict]:
    """The six live charts as data: title (with unit), series (name, colour, monthly values) and the empty note.

    Args:
        m: The model's monthly metrics (:meth:`EcosystemModel.metrics_frame`); may be empty.
    """
    if m.empty:
        m = pd.DataFrame({col: pd.Series(dtype=float) for col in
                          ("firms_seed", "firms_early", "firms_growth", "firms_mature", "loan_balance",
                           "credit_access_rate", "npl_ratio", *PARTY_COLOURS, "equity_public", "equity_private",
                           "firms_failed", "listings")})
    return [
        {"key": "stages", "title": f"{label('firms_by_stage')} (firms)", "empty_text": "no startups yet",
         "series": [_series(label(s), c, m[f"firms_{s}"]) for s, c in STAGE_COLOURS.items()]},
        {"key": "credit", "title": metric_name("loan_balance", unit=True), "empty_text": "no loans yet",
         "series": [_series("outstanding", "#4575b4", m["loan_balance"])]},
        {"key": "quality", "title": "Firms with a loan and NPL ratio (%)", "empty_text": "no loans yet",
         "series": [_series("firms with a loan", "#1a9850", 100 * m["credit_access_rate"]),
                    _series(metric_name("npl_ratio"), "#222222", 100 * m["npl_ratio"])]},
        {"key": "losses", "title": "Default losses by party, cumulative (m yuan)", "empty_text": "no losses yet",
         "series": [_series(label(f"party:{k}"), c, m[k].cumsum()) for k, c in PARTY_COLOURS.items()]},
        {"key": "equity", "title": "Equity invested, cumulative (m yuan)", "empty_text": "no equity invested yet",
         "series": [_series("public", "#c51b7d", m["equity_public"].cumsum()),
                    _series("private", "#7f7f7f", m["equity_private"].cumsum())]},
        {"key": "exits", "title": "Failures and listings, cumulative (firms)", "empty_text": "no failures or listings yet",
         "series": [_series("failed", "#d73027", m["firms_failed"].cumsum()),
                    _series("listed", "#1a9850", m["listings"].cumsum())]},
    ]


def reference_label(reference: dict | None, current: dict[str, Any]) -> str:
    """What the kept reference run was: its seed and the levers where it differs from the current run."""
    if not reference:
        return ""
    diffs = [f"{LEVERS_BY_NAME[k].label.split(' (')[0]} {_value_text(LEVERS_BY_NAME[k], v)}"
             for k, v in reference["levers"].items() if current.get(k) != v]
    if reference["seed"] != current.get("rng"):
        diffs.append(f"seed {reference['seed']}")
    return "reference run" + (f" ({'; '.join(diffs)})" if diffs else " (same levers)")


def _value_text(lever: DemoLever, value: Any) -> str:
    if lever.widget == "Checkbox":
        return "on" if value else "off"
    return f"{value:g}"


# --------------------------------------------------------------------------- components


@solara.component_vue(str(VUE / "line_chart.vue"))
def LineChart(title: str, series: list, reference: list, reference_label: str, xmax: int, xlabel: str,
              empty_text: str):
    """A line chart drawn in the browser from its series (see ``vue/line_chart.vue``)."""


@solara.component_vue(str(VUE / "slider_names.vue"))
def SliderNames():
    """Names every slider of the sidebar by its label, for screen readers (see ``vue/slider_names.vue``)."""


@solara.component_vue(str(VUE / "network.vue"))
def NetworkSvg(title: str, nodes: list, edges: str, legend: list):
    """The relationship network drawn in the browser, one circle per node keyed by id (see ``vue/network.vue``)."""


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
                         attributes={"role": "status", "aria-live": "polite"},
                         style_="font-size: 16px; font-weight: 600; padding: 2px 0 4px 0")


@solara.component
def NetworkView(model: EcosystemModel):
    """The relationship network: institutions by type, startups with relationships by stage."""
    _follow_steps()
    data = network_data(model)
    NetworkSvg(title=f"Relationships at month {model.month} ({data['startups']} startups with a tie)",
               nodes=data["nodes"], edges=data["edges"], legend=data["legend"])


@solara.component
def TimeSeries(model: EcosystemModel, reference: dict | None = None):
    """The six live charts, with the kept reference run dashed beneath the current one."""
    _follow_steps()
    panels = chart_panels(model.metrics_frame())
    ref_panels = {p["key"]: p["series"] for p in reference["panels"]} if reference else {}
    ref_text = reference_label(reference, {"rng": getattr(model, "seed_value", None),
                                           **getattr(model, "lever_values", {})})
    with solara.v.Html(tag="div", class_="ecosim-charts",
                       style_="display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 4px 12px"):
        for p in panels:
            LineChart(title=p["title"], series=p["series"], reference=ref_panels.get(p["key"], []),
                      reference_label=ref_text, xmax=int(model.params.run.months), xlabel="years",
                      empty_text=p["empty_text"])


@solara.component
def EcosystemView(model: EcosystemModel, reference: dict | None = None):
    """The main area: status line, then the network beside the charts; redrawn after every step or reset."""
    with solara.Column(style={"padding": "4px 8px"}, gap="0px"):
        StatusLine(model)
        with solara.v.Html(tag="div", style_="display: grid; grid-template-columns: minmax(180px, 1fr) minmax(0, 3fr); "
                                             "gap: 10px; align-items: start"):
            NetworkView(model)
            TimeSeries(model, reference)


@solara.component
def LeverControl(lever: DemoLever, value: Any, on_value):
    """One lever: a switch or a slider whose value is always shown, named for screen readers by its label."""
    if lever.widget == "Checkbox":
        solara.Checkbox(label=lever.label, value=bool(value), on_value=on_value)
        return
    slider = solara.SliderFloat if lever.widget == "SliderFloat" else solara.SliderInt
    slider(lever.label, value=value, min=lever.min, max=lever.max, step=lever.step, on_value=on_value,
           thumb_label="always")


@solara.component
def LeverPanel(parameters: solara.Reactive[dict]):
    """The levers in three collapsible groups, one per system of the pilot zone; values apply at Reset."""

    def setter(name: str):
        return lambda value: parameters.set({**parameters.value, name: value})

    solara.Markdown("Changed levers take effect at **Reset** (same seed).", style={"font-size": "13px"})
    for key, levers in levers_by_system().items():
        with solara.Details(summary=SYSTEMS[key], expand=key != "governance"):
            with solara.Column(gap="0px"):
                for lever in levers:
                    LeverControl(lever, parameters.value.get(lever.name, lever.default), setter(lever.name))


@solara.component
def ReferenceControls(model: EcosystemModel, reference: solara.Reactive[dict | None]):
    """Keep the current run's lines as a reference overlay, or drop it."""

    def keep() -> None:
        reference.set({"panels": chart_panels(model.metrics_frame()), "seed": getattr(model, "seed_value", None),
                       "levers": dict(getattr(model, "lever_values", {})), "month": model.month})

    with solara.Row(gap="6px"):
        solara.Button("Keep this run as reference", on_click=keep, color="secondary", outlined=True, small=True)
        solara.Button("Clear", on_click=lambda: reference.set(None), disabled=reference.value is None, small=True,
                      text=True)
    if reference.value:
        solara.Text(f"Reference kept at month {reference.value['month']}: dashed lines on the charts.",
                    style={"font-size": "12px"})


@solara.component
def DemoPage(model: solara.Reactive, firms: int = DEMO_FIRMS, months: int = DEMO_MONTHS):
    """The page: Mesa's controller, seed, reference and levers in the sidebar; the ecosystem view in the main area."""
    from mesa.visualization.solara_viz import ModelController

    parameters = solara.use_reactive(initial_parameters(firms, months))
    reference = solara.use_reactive(None)
    play_interval = solara.use_reactive(PLAY_INTERVAL_MS)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)

    with solara.AppBar():
        solara.AppBarTitle("ecosim · Jinan sci-tech finance pilot zone")
    solara.Style(CSS)
    with solara.Sidebar(), solara.Column(gap="4px", classes=["ecosim-sidebar"]):
        ModelController(model, model_parameters=parameters, play_interval=play_interval,
                        render_interval=render_interval, use_threads=use_threads)
        ReferenceControls(model.value, reference)
        with solara.Column(gap="0px", classes=["ecosim-seed"]):
            solara.SliderInt("Seed", value=parameters.value["rng"], min=0, max=99, step=1, thumb_label="always",
                             on_value=lambda v: parameters.set({**parameters.value, "rng": int(v)}))
        LeverPanel(parameters)
        SliderNames()
    EcosystemView(model.value, reference.value)


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
