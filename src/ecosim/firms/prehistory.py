"""The initial population, drawn from the firms' own steady state by a pre-history run.

Before month 0 the region's firm population is simulated on its own for
:data:`PREHISTORY_MONTHS` months with constant entry, under the same rules as
the monthly phases (:mod:`ecosim.firms.economics`): hibernation, stochastic
milestones, first sales, two-sided and saturating revenue growth, costs and
staff that follow the business, insiders' bridge money, non-fatal setbacks
(:mod:`ecosim.risk.shocks`, when the scenario has them), insolvency and latent
technical/market failure, acquisitions and listings. The firms still operating
at the end are a draw from the steady state: their ages, stages, revenue,
staff and cash are the ones the dynamics produce, so the model starts without
a transient. ``run.firms`` of them, drawn at random, become the initial
population; the cash each holds is booked as founders' capital.

Declared simplifications: the pre-history has no banks, funds or grants (they
are built with the model), so the initial firms grew up on their own money and
their insiders'; it lasts 15 years, so no initial firm is older than that
(under 2% of a 25-year pre-history's survivors are).
"""

from __future__ import annotations

import numpy as np

from ecosim.firms import economics as E
from ecosim.firms import state as S
from ecosim.risk.shocks import setback_loss, setback_probability
from ecosim.scenario import FirmSection, RiskSection

#: Months simulated before month 0 (ages of the initial population reach up to this).
PREHISTORY_MONTHS = 180
#: Firms entering per month of the pre-history, per initial firm wanted (enough survivors to draw from:
#: about 1.2 per initial firm at the calibrated values).
ENTRY_PER_FIRM = 1.0 / 45.0


def _founding(rng: np.random.Generator, p: FirmSection, n: int) -> dict[str, np.ndarray]:
    from ecosim.firms.phases import draw_founding

    d = draw_founding(rng, p, n)
    cash = d["capital"].copy()
    return {**d, "cash": cash, "stage": np.zeros(n, np.int8), "progress": np.zeros(n),
            "fixed": np.full(n, p.burn_seed), "revenue": np.zeros(n),
            "market": p.market_size * E.MARKET_WEIGHT[d["sector"]], "staff": np.full(n, p.employees_seed),
            "hib": np.zeros(n, bool), "paid": np.ones(n), "insolvent": np.zeros(n, np.int16),
            "bridges": np.zeros(n, np.int16), "doomed": np.full(n, -1), "patents": np.zeros(n, np.int64), "first_sale": np.full(n, -1),
            "burn": np.full(n, p.burn_seed),
            # per-firm constants of the rules, computed once
            "vshare": E.variable_cost_share(p, d["sector"]), "hazard0": E.quality_hazard(p, d["q"][:, 0], d["q"][:, 2]),
            "sale0": E.first_sale_base(p, d["q"][:, 2]), "bridge_p": E.bridge_chance(p, d["quality"]),
            "patent_p": p.patent_rate * np.exp(0.5 * d["q"][:, 3])}


def _setbacks(r: RiskSection, x: dict[str, np.ndarray], hit: np.ndarray) -> None:
    """Setbacks as in :func:`ecosim.risk.shocks.adverse_shocks`: hit firms lose cash and part of their revenue."""
    x["cash"][hit] -= setback_loss(r, x["burn"][hit], x["cash"][hit])
    x["revenue"][hit] *= 1.0 - r.shock_revenue_cut


def _month(p: FirmSection, x: dict[str, np.ndarray], rng: np.random.Generator, month: int,
           risk: RiskSection | None = None) -> np.ndarray:
    """One month of the firm-only dynamics on the arrays ``x``; returns which firms are still operating."""
    n = len(x["cash"])
    z = rng.standard_normal((n, 2))
    u = rng.random((n, 5))
    q_tech, q_market = x["q"][:, 0], x["q"][:, 2]
    full = E.operating_costs(p, x["fixed"], x["revenue"], x["vshare"], False)
    doomed = x["doomed"] >= 0
    x["hib"] = E.hibernation(p, x["hib"], E.runway_months(x["cash"], full, x["revenue"]), doomed)
    # milestones
    dev = x["stage"] < S.MATURE
    spent = x["paid"] * (1.0 - p.hibernation_cut * x["hib"])
    x["progress"] = np.where(dev, x["progress"] + E.milestone_progress(p, q_tech, spent, z[:, 0]), 0.0)
    up = x["progress"] >= 1.0
    x["progress"][up] = 0.0
    x["stage"][up] += 1
    x["fixed"][up] = E.fixed_costs_at(p, x["stage"][up])
    # first sales and revenue
    start = (x["revenue"] <= 0) & (u[:, 0] < E.first_sale_probability(p, x["stage"], q_market, x["sale0"]))
    x["revenue"][start] = E.first_revenue(p, x["fixed"][start], q_market[start])
    x["first_sale"][start] = month
    selling = (x["revenue"] > 0) & ~start
    drift = E.growth_drift(p, q_market, x["revenue"], x["market"], x["hib"], doomed)
    x["revenue"] = np.where(selling, x["revenue"] * np.exp(drift + E.revenue_shock_sd(p, x["revenue"]) * z[:, 1]), x["revenue"])
    x["patents"] += (u[:, 1] < x["patent_p"] * (1 + x["stage"])).astype(np.int64)
    # costs, staff, trade, bridges
    x["burn"] = E.operating_costs(p, x["fixed"], x["revenue"], x["vshare"], x["hib"])
    if risk is not None:  # drawn whether or not setbacks are on, so the stream stays in step (common random numbers)
        hit = rng.random(n) < x["shock_p"]
        if risk.shocks:
            _setbacks(risk, x, hit)
    x["staff"] = E.adjust_staff(p, x["staff"], E.staff_needed(p, x["fixed"], x["revenue"], x["hib"]))
    x["cash"] = x["cash"] + x["revenue"]
    shortfall = x["burn"] - x["cash"]
    bridged = ((shortfall > 1e-12) & (x["bridges"] < p.bridge_rounds)
               & (u[:, 2] < x["bridge_p"]) & ~doomed)
    x["cash"][bridged] += E.bridge_amount(p, shortfall[bridged], (x["burn"] - x["revenue"])[bridged])
    x["bridges"][bridged] += 1
    paid = np.minimum(x["burn"], np.maximum(x["cash"], 0.0))
    x["cash"] = x["cash"] - paid
    x["paid"] = np.where(x["burn"] > 0, paid / np.maximum(x["burn"], 1e-12), 1.0)
    short = paid < x["burn"] - 1e-12
    x["insolvent"] = np.where(short, x["insolvent"] + 1, 0).astype(np.int16)
    if month % 12 == 0:
        excess = x["cash"] - p.payout_buffer * x["burn"]
        x["cash"] = np.where((x["revenue"] > x["burn"]) & (excess > 0), x["cash"] - excess, x["cash"])
    # failure and exits
    struck = ~doomed & (u[:, 3] < E.latent_hazard(p, x["stage"], q_tech, q_market, x["hazard0"]))
    x["doomed"] = np.where(struck, month, x["doomed"])
    failed = ((x["insolvent"] >= p.insolvent_months)
              | ((x["doomed"] >= 0) & (month - x["doomed"] >= p.failure_months)))
    v = u[:, 4]
    acquired = (x["stage"] >= S.GROWTH) & (v < p.acquisition_hazard)
    listed = ((x["stage"] == S.MATURE) & (x["revenue"] >= p.listing_revenue)
              & (v > 1.0 - p.listing_probability))
    return ~(failed | acquired | listed)


def steady_state_firms(p: FirmSection, n: int, rng: np.random.Generator,
                       months: int = PREHISTORY_MONTHS, risk: RiskSection | None = None) -> dict[str, np.ndarray]:
    """Run the pre-history and draw ``n`` of the firms operating at its end.

    ``risk``: the scenario's risk section, for setbacks (none when omitted).

    Returns:
        Per firm: the founding draws (``q``, ``quality``, ``sector``, ``collateral``, ``rating_noise``),
        ``capital`` (the cash held at month 0), ``age`` (months) and the operating state (``stage``,
        ``progress``, ``fixed``, ``revenue``, ``market``, ``staff``, ``hib``, ``paid``, ``insolvent``,
        ``bridges``, ``patents``, ``first_sale``, ``burn``).
    """
    # The pre-history draws from its own generator, seeded by one draw of ``rng``: how many values it reads
    # depends on how many of its firms survive, which differs between scenarios (with or without setbacks),
    # and the caller's stream must stay in step (common random numbers).
    rng = np.random.default_rng(rng.integers(0, 2**63))
    entry = max(1, int(np.ceil(n * ENTRY_PER_FIRM)))
    # Every entrant of the pre-history, in order of founding; each month acts on the rows founded so far
    # (firms that have left are marked, and dropped from the table once a year).
    x = _founding(rng, p, entry * months)
    x["founded"] = np.repeat(np.arange(-months + 1, 1), entry)
    x["alive"] = np.ones(entry * months, dtype=bool)
    if risk is not None:
        x["shock_p"] = setback_probability(risk, x["quality"])
    # The rows in the table are the first ``done``; the entrants of later months wait in the arrays of
    # ``x`` from row ``waiting`` on, and move up behind the table in the month they enter (the table
    # only shrinks when it is compacted, so they never overlap rows in use).
    done = 0  # rows in the table (founded so far, less those dropped)
    waiting = 0  # row of ``x`` where the next month's entrants are
    for k, month in enumerate(range(-months + 1, 1)):
        if waiting > done:
            for arr in x.values():
                arr[done : done + entry] = arr[waiting : waiting + entry]
        waiting += entry
        done += entry
        view = {key: arr[:done] for key, arr in x.items()}
        orig = dict(view)
        view["alive"] &= _month(p, view, rng, month, risk)
        for key, arr in view.items():
            if arr is not orig[key]:  # the month replaced the array: write it back
                x[key][:done] = arr
        if k % 12 == 11 or month == 0:
            kept = np.flatnonzero(x["alive"][:done])
            for arr in x.values():
                arr[: len(kept)] = arr[kept]
            done = len(kept)
    x = {key: arr[:done] for key, arr in x.items()}
    have = len(x["cash"])
    pick = rng.choice(have, size=n, replace=have < n)
    out = {k: v[pick] for k, v in x.items()}
    out["age"] = -out["founded"]
    out["capital"] = out.pop("cash")
    for k in ("vshare", "hazard0", "sale0", "bridge_p", "patent_p", "shock_p"):
        out.pop(k, None)
    return out
