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
from ecosim.firms.phases import draw_founding
from ecosim.risk.shocks import setback_loss, setback_probability
from ecosim.scenario import FirmSection, RiskSection

#: Months simulated before month 0 (ages of the initial population reach up to this).
PREHISTORY_MONTHS = 180
#: Firms entering per month of the pre-history, per initial firm wanted (enough survivors to draw from:
#: about 1.2 per initial firm at the calibrated values).
ENTRY_PER_FIRM = 1.0 / 45.0


#: Columns of the pre-history's table that are its own working values (dropped from what it returns):
#: each firm's entrant number, per-firm constants of the rules and rates that change with the stage.
_WORKING = ("entrant", "vshare", "hazard0", "sale0", "bridge_p", "patent_p", "shock_p", "hazard",
            "patent_rate", "q_tech", "q_market")


def _table(p: FirmSection, d: dict[str, np.ndarray], risk: RiskSection | None) -> dict[str, np.ndarray]:
    """The operating state of the entrants ``d`` (:func:`ecosim.firms.phases.draw_founding`) at founding,
    with the per-firm constants the monthly rules read, computed once."""
    n = len(d["capital"])
    stage = np.zeros(n, np.int8)
    q_tech, q_market = d["q"][:, 0].copy(), d["q"][:, 2].copy()
    hazard0 = E.quality_hazard(p, d["quality"])
    patent_p = p.patent_rate * np.exp(0.5 * d["q"][:, 3])
    x = {"entrant": np.arange(n), "alive": np.ones(n, bool),
         "cash": d["capital"].copy(), "stage": stage, "progress": np.zeros(n),
         "fixed": np.full(n, p.burn_seed), "revenue": np.zeros(n),
         "market": p.market_size * E.MARKET_WEIGHT[d["sector"]], "staff": np.full(n, p.employees_seed),
         "hib": np.zeros(n, bool), "paid": np.ones(n), "insolvent": np.zeros(n, np.int16),
         "bridges": np.zeros(n, np.int16), "doomed": np.full(n, S.NOT_STRUCK), "patents": np.zeros(n, np.int64),
         "first_sale": np.full(n, -1), "burn": np.full(n, p.burn_seed),
         # per-firm constants of the rules
         "vshare": E.variable_cost_share(p, d["sector"]), "hazard0": hazard0,
         "sale0": E.first_sale_base(p, q_market), "bridge_p": E.bridge_chance(p, d["quality"]),
         "patent_p": patent_p, "q_tech": q_tech, "q_market": q_market,
         # per-firm rates that change only with the stage, updated at each milestone
         "hazard": E.latent_hazard(p, stage, d["quality"], hazard0), "patent_rate": patent_p * (1 + stage)}
    if risk is not None:
        x["shock_p"] = setback_probability(risk, d["quality"])
    return x


def _setbacks(r: RiskSection, x: dict[str, np.ndarray], hit: np.ndarray) -> None:
    """Setbacks as in :func:`ecosim.risk.shocks.adverse_shocks`: hit firms lose cash and part of their revenue."""
    x["cash"][hit] -= setback_loss(r, x["burn"][hit], x["cash"][hit])
    x["revenue"][hit] *= 1.0 - r.shock_revenue_cut


def _hibernation(p: FirmSection, x: dict[str, np.ndarray], doomed: np.ndarray) -> None:
    """Firms short of runway (at the costs of full operation) hibernate; those with enough again resume."""
    full = E.operating_costs(p, x["fixed"], x["revenue"], x["vshare"], False)
    x["hib"][:] = E.hibernation(p, x["hib"], E.runway_months(x["cash"], full, x["revenue"]), doomed)


def _milestones(p: FirmSection, x: dict[str, np.ndarray], z: np.ndarray) -> None:
    """Progress towards the next milestone; firms reaching it move up a stage, with its costs and rates."""
    spent = x["paid"] * (1.0 - p.hibernation_cut * x["hib"])
    progress, stage = x["progress"], x["stage"]
    progress += E.milestone_progress(p, x["q_tech"], spent, z)
    progress *= stage < S.MATURE  # mature firms have no milestone ahead
    up = np.flatnonzero(progress >= 1.0)
    progress[up] = 0.0
    stage[up] += 1
    x["fixed"][up] = E.fixed_costs_at(p, stage[up])
    x["hazard"][up] = x["hazard0"][up] * E.stage_hazard(p, stage[up])  # latent_hazard from its stored base
    x["patent_rate"][up] = x["patent_p"][up] * (1 + stage[up])


def _sales(p: FirmSection, x: dict[str, np.ndarray], z: np.ndarray, u: np.ndarray, doomed: np.ndarray,
           month: int) -> None:
    """First sales of firms not yet selling, and growth of the revenue of those already selling."""
    revenue, q_market = x["revenue"], x["q_market"]
    waiting = np.flatnonzero(revenue <= 0)
    chance = E.first_sale_probability(p, x["stage"][waiting], q_market[waiting], x["sale0"][waiting])
    start = waiting[u[waiting] < chance]
    revenue[start] = E.first_revenue(p, x["fixed"][start], q_market[start])
    x["first_sale"][start] = month
    factor = _revenue_shocks(p, revenue, z)
    factor += E.growth_drift(p, q_market, revenue, x["market"], x["hib"], doomed)
    np.exp(factor, out=factor)
    factor[waiting] = 1.0  # firms that were not selling keep their revenue (none, or their first)
    revenue *= factor


def _revenue_shocks(p: FirmSection, revenue: np.ndarray, z: np.ndarray) -> np.ndarray:
    """This month's log shocks to revenue: the log-sd (:func:`~ecosim.firms.economics.revenue_shock_sd`)
    times the normal draws ``z``. The log-sd is ``revenue_noise`` for every firm up to the reference
    size, so it is taken firm by firm only above it."""
    shocks = z * E.revenue_shock_sd(p, p.noise_reference_revenue)
    large = np.flatnonzero(revenue > p.noise_reference_revenue)
    shocks[large] = E.revenue_shock_sd(p, revenue[large]) * z[large]
    return shocks


def _payments(p: FirmSection, x: dict[str, np.ndarray], u: np.ndarray, doomed: np.ndarray, month: int) -> None:
    """Sales come in, insiders bridge some firms that cannot pay their costs, costs are paid
    (``paid``: the share paid; ``insolvent``: months in a row of unpaid costs); once a year,
    profitable firms pay out their cash above a buffer."""
    cash, burn, revenue = x["cash"], x["burn"], x["revenue"]
    cash += revenue
    shortfall = burn - cash
    ask = np.flatnonzero(shortfall > 1e-12)
    bridged = ask[(x["bridges"][ask] < p.bridge_rounds) & (u[ask] < x["bridge_p"][ask]) & ~doomed[ask]]
    cash[bridged] += E.bridge_amount(p, shortfall[bridged], burn[bridged] - revenue[bridged])
    x["bridges"][bridged] += 1
    paid = np.minimum(burn, np.maximum(cash, 0.0))
    cash -= paid
    share = x["paid"]
    np.divide(paid, np.maximum(burn, 1e-12), out=share)
    share[burn <= 0] = 1.0
    short = paid < burn - 1e-12
    insolvent = x["insolvent"]
    insolvent *= short  # back to 0 for firms that paid, one more month for the others
    insolvent += short
    if month % 12 == 0:
        excess = cash - p.payout_buffer * burn
        payout = np.flatnonzero((revenue > burn) & (excess > 0))
        cash[payout] -= excess[payout]


def _exits(p: FirmSection, x: dict[str, np.ndarray], u: np.ndarray, v: np.ndarray, doomed: np.ndarray,
           month: int) -> None:
    """Technical or market failures strike (``u``: the draws for them); insolvent and failed firms
    close, and some are acquired or listed (``v``: the draws for exits)."""
    since, alive, stage = x["doomed"], x["alive"], x["stage"]
    struck = np.flatnonzero(u < x["hazard"])
    since[struck[~doomed[struck]]] = month
    alive[x["insolvent"] >= p.insolvent_months] = False
    failing = np.flatnonzero(S.struck(since))
    alive[failing[month - since[failing] >= p.failure_months]] = False
    acquired = np.flatnonzero(v < p.acquisition_hazard)
    alive[acquired[stage[acquired] >= S.GROWTH]] = False
    listed = np.flatnonzero(v > 1.0 - p.listing_probability)
    alive[listed[(stage[listed] == S.MATURE) & (x["revenue"][listed] >= p.listing_revenue)]] = False


def _month(p: FirmSection, x: dict[str, np.ndarray], rng: np.random.Generator, month: int,
           risk: RiskSection | None, normals: np.ndarray, uniforms: np.ndarray) -> None:
    """One month of the firm-only dynamics on the table ``x``, in place; firms that leave are marked
    not ``alive``.

    Every row draws its random numbers, whether or not it is still operating, into ``normals`` and
    ``uniforms`` (buffers for the largest table); rules that concern only a few firms (first sales,
    bridges, payouts, exits) are applied to those firms only.
    """
    n = len(x["cash"])
    z = rng.standard_normal(out=normals[: 2 * n].reshape(n, 2))
    u = rng.random(out=uniforms[: 5 * n].reshape(n, 5))
    # drawn whether or not setbacks are on, so the stream stays in step (common random numbers)
    setback_draws = rng.random(out=uniforms[5 * n : 6 * n]) if risk is not None else None
    doomed = S.struck(x["doomed"])
    _hibernation(p, x, doomed)
    _milestones(p, x, z[:, 0])
    _sales(p, x, z[:, 1], u[:, 0], doomed, month)
    x["patents"] += u[:, 1] < x["patent_rate"]
    x["burn"][:] = E.operating_costs(p, x["fixed"], x["revenue"], x["vshare"], x["hib"])
    if risk is not None and risk.shocks:
        _setbacks(risk, x, np.flatnonzero(setback_draws < x["shock_p"]))
    x["staff"][:] = E.adjust_staff(p, x["staff"], E.staff_needed(p, x["fixed"], x["revenue"], x["hib"]))
    _payments(p, x, u[:, 2], doomed, month)
    _exits(p, x, u[:, 3], u[:, 4], doomed, month)


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
    # Every entrant of the pre-history, in order of founding: what it brings, which stays in place, and
    # its row of the table the months act on, which holds the rows founded so far (firms that have left
    # are marked, and dropped from the table once a year).
    founding = draw_founding(rng, p, entry * months)
    founding["founded"] = np.repeat(np.arange(-months + 1, 1), entry)
    x = _table(p, founding, risk)
    # Each month's draws are written into these, as long as the table can grow (new arrays of a
    # size that grows every month would each take fresh memory from the system).
    normals, uniforms = np.empty(2 * entry * months), np.empty(6 * entry * months)
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
        _month(p, {key: arr[:done] for key, arr in x.items()}, rng, month, risk, normals, uniforms)
        if k % 12 == 11 or month == 0:
            kept = np.flatnonzero(x["alive"][:done])
            for arr in x.values():
                arr[: len(kept)] = arr[kept]
            done = len(kept)
    pick = rng.choice(done, size=n, replace=done < n)
    entrant = x["entrant"][pick]
    out = {key: arr[entrant] for key, arr in founding.items()}
    out.update({key: arr[:done][pick] for key, arr in x.items() if key not in _WORKING})
    out["age"] = -out["founded"]
    out["capital"] = out.pop("cash")
    return out
