"""The policy levers of the teaching demo, declared once.

Each :class:`DemoLever` names a demo control (a keyword of
:class:`ecosim.viz.demo.DemoModel`), the widget that shows it and how its value
becomes scenario overrides. To expose a new lever in the demo, add one entry to
:data:`DEMO_LEVERS`; the page, the model and the tests pick it up from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def _guarantee_split(bank_share: float) -> dict[str, float]:
    """Bank share of a guaranteed loss; the rest split 2:2:4 among national, provincial and municipal tiers."""
    rest = 1.0 - float(bank_share)
    national = provincial = round(0.25 * rest, 12)
    municipal = round(1.0 - float(bank_share) - national - provincial, 12)
    return {
        "guarantee.share_bank": float(bank_share),
        "guarantee.share_national": national,
        "guarantee.share_provincial": provincial,
        "guarantee.share_municipal": municipal,
    }


def _bank_incentives(on: bool) -> dict[str, Any]:
    """The four bank incentives together; switched off, the funds-transfer-pricing rebate is zero too."""
    out: dict[str, Any] = {f"incentives.{name}": bool(on)
                           for name in ("differentiated_tolerance", "relending", "delegated_approval")}
    if not on:
        out["incentives.ftp_rebate"] = 0.0
    return out


#: The tech loan products that the demo switches together (ordinary collateral, credit and data loans stay).
TECH_PRODUCTS = ("rd_enabled", "ip_enabled", "equity_pledge_enabled", "invest_loan_enabled", "ma_enabled")


#: The three systems of the pilot zone, by which the demo groups its levers: key -> heading.
SYSTEMS: dict[str, str] = {
    "data": "Data to credit (数据赋能)",
    "relay": "Capital relay and risk sharing (接力投资与风险分担)",
    "governance": "Coordination and governance (协同治理)",
}


@dataclass(frozen=True)
class DemoLever:
    """One control of the demo.

    Attributes:
        name: Keyword of the demo model and key of the control.
        label: Text next to the control (short: the sidebar is narrow; the scenario field documents the rest).
        widget: ``"Checkbox"``, ``"SliderFloat"`` or ``"SliderInt"``.
        default: Starting value.
        to_overrides: Turns the value into dotted scenario overrides.
        system: Which of the pilot zone's three systems (:data:`SYSTEMS`) the lever belongs to.
        min, max, step: Slider range.
    """

    name: str
    label: str
    widget: str
    default: Any
    to_overrides: Callable[[Any], dict[str, Any]]
    system: str = "relay"
    min: float | None = None
    max: float | None = None
    step: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


#: The demo's levers, in the order they appear on the page.
DEMO_LEVERS: tuple[DemoLever, ...] = (
    DemoLever("exemption", "Due-diligence exemption (尽职免责)", "Checkbox", True,
              lambda v: {"exemption.enabled": bool(v)}, system="relay"),
    DemoLever("guarantee", "Guarantee chain (银担分险)", "Checkbox", True,
              lambda v: {"guarantee.enabled": bool(v)}, system="relay"),
    DemoLever("bank_share", "Bank's loss share", "SliderFloat", 0.2, _guarantee_split,
              min=0.0, max=1.0, step=0.05, system="relay"),
    DemoLever("pool", "Risk pool (风险补偿资金池)", "Checkbox", True,
              lambda v: {"pool.enabled": bool(v)}, system="relay"),
    DemoLever("pool_size", "Pool size (m yuan)", "SliderFloat", 2000.0,
              lambda v: {"pool.size": float(v)}, min=0.0, max=6000.0, step=250.0, system="relay"),
    DemoLever("fund_cluster", "Guidance funds (6+N)", "Checkbox", True,
              lambda v: {"funds.enabled": bool(v)}, system="relay"),
    DemoLever("platforms", "Data platforms", "Checkbox", True,
              lambda v: {"platforms.enabled": bool(v)}, system="data"),
    DemoLever("broker_teams", "Partner teams", "SliderInt", 4,
              lambda v: {"brokers.teams": int(v)}, min=0, max=30, step=1, system="governance"),
    DemoLever("incentives", "Bank incentives (re-lending, tolerance)", "Checkbox", True, _bank_incentives, system="governance"),
    DemoLever("tech_products", "Tech loans (R&D, IP, equity pledge, M&A)", "Checkbox", True,
              lambda v: {f"products.{name}": bool(v) for name in TECH_PRODUCTS}, system="relay"),
    DemoLever("evaluation", "Yearly bank evaluation", "Checkbox", True,
              lambda v: {"evaluation.enabled": bool(v)}, system="governance"),
    DemoLever("brokerage", "Tech brokerage", "Checkbox", True,
              lambda v: {"brokerage.enabled": bool(v)}, system="governance"),
    DemoLever("boards", "Capital-market ladder", "Checkbox", True,
              lambda v: {"boards.enabled": bool(v)}, system="relay"),
    DemoLever("four_to_three", "Four-to-three channel (四板转三板)", "Checkbox", True,
              lambda v: {"boards.four_to_three": bool(v)}, system="relay"),
    DemoLever("grant_equity", "Grants to investment (拨改投)", "Checkbox", True,
              lambda v: {"grant_equity.enabled": bool(v)}, system="relay"),
)

LEVERS_BY_NAME: dict[str, DemoLever] = {lever.name: lever for lever in DEMO_LEVERS}


def levers_by_system() -> dict[str, list[DemoLever]]:
    """The demo's levers grouped by the pilot zone's three systems, in :data:`SYSTEMS` order."""
    return {key: [lever for lever in DEMO_LEVERS if lever.system == key] for key in SYSTEMS}


def lever_overrides(values: dict[str, Any]) -> dict[str, Any]:
    """Scenario overrides for the given demo lever values (unknown names raise ``KeyError``)."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        out.update(LEVERS_BY_NAME[name].to_overrides(value))
    return out
