"""The ecosystem model and its monthly cycle.

:class:`EcosystemModel` is a Mesa ``Model``. Startups live in numpy columns
(``model.firms``) with a Mesa handle each; institutions are ordinary Mesa
agents. One step is one month, and a month is the explicit list of phases in
:data:`MONTH`, run top to bottom. A researcher can read it, reorder it or
extend it (``model.phases`` is a copy per model)::

    model = EcosystemModel(load_scenario("baseline"), rng=42)
    model.phases.insert(model.phases.index(lend) + 1, my_phase)
    for _ in range(120):
        model.step()

After every month the ledger checks that every owner's books balance and the
monthly metrics are collected as a row of the ``metrics`` table of Mesa's ``DataCollector``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import mesa
import numpy as np
import pandas as pd

from ecosim.columns import ColumnTable
from ecosim.credit.bank import Bank
from ecosim.credit.lending import lend
from ecosim.credit.loans import LoanBook
from ecosim.credit.servicing import service_loans
from ecosim.equity.boards import climb_boards
from ecosim.equity.funds import Investor, MotherFund, build_funds
from ecosim.equity.grants import GrantEquity
from ecosim.equity.holdings import Holdings
from ecosim.equity.investing import invest, manage_funds
from ecosim.events import EventLog
from ecosim.firms import state as S
from ecosim.firms.phases import (
    create_startups,
    develop_startups,
    enter_startups,
    exit_startups,
    fail_startups,
    seek_finance,
    trade,
)
from ecosim.information.brokerage import broker_research, build_brokerage
from ecosim.information.brokers import build_brokers, visit_firms
from ecosim.information.evaluation import BankEvaluator, evaluate_banks
from ecosim.information.platform import build_platforms, rate_firms
from ecosim.ledger import Ledger
from ecosim.network import RelationGraph
from ecosim.outputs.metrics import METRIC_NAMES, monthly_metrics
from ecosim.public.government import Government
from ecosim.risk.chain import GuaranteeChain
from ecosim.risk.pool import RiskPool
from ecosim.risk.shocks import adverse_shocks
from ecosim.scenario import JINAN_FIRMS, Scenario

Phase = Callable[["EcosystemModel"], None]

#: Name of the DataCollector table that holds one row of metrics per month.
METRICS_TABLE = "metrics"
#: Reference counts at Jinan's size, to which institutions scale.
JINAN_BANKS = 121
JINAN_VC_FUNDS = 40
JINAN_AIC_FUNDS = 8


class Streams:
    """Independent random streams for each part of the month, all derived from the run's seed.

    Splitting the run's randomness by purpose keeps common random numbers across
    scenarios: the same seed gives the same entrants, shocks and draws in every
    scenario, because each phase reads a fixed number of values per firm row
    from its stream whatever the policy does (see ``ecosim.common_random``). A
    firm's draws therefore stay the same across scenarios for as long as it
    operates in both. Draws whose number depends on the policy (one per
    investor, whose number the fund levers set) come from the ``funds`` stream,
    so they do not shift the firms' draws; and the tech brokerage's spin-offs,
    firms that only scenarios with the brokerage have, take their per-row draws
    from the ``spinoffs`` stream (``ecosim.common_random.firm_draws``).
    """

    NAMES = ("entry", "firms", "credit", "equity", "info", "funds", "spinoffs")

    def __init__(self, rng: np.random.Generator) -> None:
        seeds = rng.bit_generator.seed_seq.spawn(len(self.NAMES))
        for name, seq in zip(self.NAMES, seeds, strict=True):
            setattr(self, name, np.random.default_rng(seq))


def budget(model: EcosystemModel) -> None:
    """At the start of each year the treasury pays the sci-tech budget into the government's account."""
    if model.month % 12 == 1:
        model.government.receive_budget(model.params.government.budget * model.params.scale)


def housekeeping(model: EcosystemModel) -> None:
    """Month start: banks roll their NPL record; the guarantee chain refreshes its books."""
    for bank in model.banks:
        bank.roll_month()
    model.guarantee_chain.refresh()
    model.guarantee_chain.monthly_check()


#: The month, in order. Each phase is a function of the model acting on all firms at once.
MONTH: tuple[Phase, ...] = (
    housekeeping,  # banks roll NPL windows, guarantor books refresh
    budget,  # yearly fiscal budget into the government account
    enter_startups,  # new firms, founders' capital, start-up grants
    broker_research,  # the tech brokerage spins off startups and licenses projects
    rate_firms,  # platforms onboard and rate firms
    develop_startups,  # R&D milestones, patents, revenue, staff, burn
    adverse_shocks,  # setbacks cost cash and revenue, more often for weak firms (ecosim.risk.shocks)
    visit_firms,  # partner teams visit, introduce banks, pass soft information
    seek_finance,  # firms with a short runway start looking for money
    lend,  # applications, officers' decisions, guarantees, disbursal
    invest,  # guidance sub-funds and private VCs invest
    trade,  # revenue in, costs out
    service_loans,  # interest, amortisation, guarantee fees, funding costs
    fail_startups,  # distressed firms fail; loans default; investors write off
    climb_boards,  # regional boards, NEEQ, exchange listings (IPO exits)
    exit_startups,  # acquisitions; stakes cashed out
    manage_funds,  # sub-funds at the end of their life sell to secondary funds
    evaluate_banks,  # year end: the central bank scores banks and sets their incentives
)


class EcosystemModel(mesa.Model):
    """The sci-tech finance ecosystem of one region.

    Args:
        scenario: A validated scenario (defaults to all schema defaults).
        rng: The run's seed (or a numpy Generator); every random draw derives from it.

    Attributes:
        params: The scenario in force.
        month: Months completed.
        firms: Startup state columns (:mod:`ecosim.firms.state`).
        loans: The loan book. holdings: Equity stakes.
        ledger: The double-entry ledger. graph: Typed relationships. events: The event log.
        banks, teams, platforms, investors, mother_funds: The institutions.
        guarantee_chain, pool, government: Public-side institutions.
        phases: The month's phases, in order (a copy of :data:`MONTH`).
        streams: The run's random streams (:class:`Streams`).
        spinoff_rows: Firm rows of the tech brokerage's spin-offs, ascending.
    """

    def __init__(self, scenario: Scenario | None = None, *, rng: int | np.random.Generator | None = None) -> None:
        super().__init__(rng=rng)
        self.params = scenario if scenario is not None else Scenario()
        p = self.params
        self.month = 0
        self.streams = Streams(self.rng)
        self.phases: list[Phase] = list(MONTH)
        self.ledger = Ledger(capacity=8 * p.run.firms + 4096)
        self.graph = RelationGraph()
        self.events = EventLog()
        self.firms = ColumnTable(S.FIRM_COLUMNS, capacity=int(p.run.firms * (1.2 + p.firms.entry_rate * p.run.months)))
        self.loans = LoanBook()
        self.holdings = Holdings()
        self.loan_queue: dict[int, list[dict[str, np.ndarray]]] = {}
        self.tally: defaultdict[str, float] = defaultdict(float)
        self.rating_noise = np.zeros(0)
        self.distressed = np.zeros(0, dtype=bool)
        self.spinoff_rows = np.zeros(0, dtype=np.int64)
        self.startup_handles: list = []
        self._has_loan: tuple[np.ndarray, np.ndarray] | None = None
        self.investors: list[Investor] = []
        self.decisions: list[tuple[np.ndarray, np.ndarray]] = []
        self._panel: list[pd.DataFrame] = []
        self._build_institutions()
        self._seed_population()
        self.current: dict[str, float] = {}
        # One table row per month: the metrics are computed together (ecosim.outputs.metrics), so the
        # collector stores the finished row rather than calling one reporter per metric.
        self.datacollector = mesa.DataCollector(tables={METRICS_TABLE: list(METRIC_NAMES)})
        self.ledger.check(self.month)

    # ------------------------------------------------------------------ set-up

    def _scaled(self, given: int | None, jinan: int, minimum: int = 1) -> int:
        if given is not None:
            return given
        return max(minimum, int(round(jinan * self.params.run.firms / JINAN_FIRMS)))

    def _build_institutions(self) -> None:
        p = self.params
        s = p.scale
        self.government = Government(self)
        self.graph.add_node(self.government.unique_id, "government")
        n_banks = self._scaled(p.banks.count, JINAN_BANKS, minimum=3)
        self.banks = [Bank(self, i, p.banks.capital * JINAN_BANKS / n_banks * s) for i in range(n_banks)]
        self.bank_ids = np.array([b.unique_id for b in self.banks], dtype=np.int64)
        self.bank_accounts = {k: np.array([b.accounts[k] for b in self.banks]) for k in self.banks[0].accounts}
        self.graph.add_nodes(self.bank_ids, "bank")
        self.guarantee_chain = GuaranteeChain(self)
        for tier in self.guarantee_chain.tiers:
            self.graph.add_node(tier.unique_id, f"guarantor_{tier.tier}")
        self.pool = RiskPool(self, p.pool.size * s if p.pool.enabled else 0.0)
        self.graph.add_node(self.pool.unique_id, "risk_pool")
        self.platforms = build_platforms(self)
        self.teams = build_brokers(self)
        self.brokerage = build_brokerage(self)
        self.evaluator = BankEvaluator(self) if p.evaluation.enabled else None
        self.mother_funds: list[MotherFund] = []
        n_vc = self._scaled(p.venture.funds, JINAN_VC_FUNDS, minimum=1)
        n_aic = self._scaled(p.venture.aic_funds, JINAN_AIC_FUNDS, minimum=1)
        build_funds(self, n_vc, n_aic, jinan_vc=JINAN_VC_FUNDS, jinan_aic=JINAN_AIC_FUNDS)
        self.grant_equity = GrantEquity(self) if p.grant_equity.enabled else None

    def _seed_population(self) -> None:
        """The ecosystem at month 0: firms of all ages up to four years."""
        p = self.params
        n = p.run.firms
        age = self.streams.entry.integers(0, 49, size=n)
        rows = create_startups(self, n, age_months=age)
        f = self.firms
        pf = p.firms
        stage = np.minimum(age // pf.stage_months, S.GROWTH).astype(np.int8)
        f.stage[rows] = stage
        f.progress[rows] = (age % pf.stage_months) / pf.stage_months
        f.burn[rows] = pf.burn_seed * pf.burn_stage_multiplier**stage
        f.employees[rows] = pf.employees_seed * (1.6**stage)
        selling = rows[stage >= S.EARLY]
        f.revenue[selling] = pf.revenue_start * f.burn[selling] * np.exp(0.3 * f.q_market[selling])
        f.patents[rows] = self.streams.entry.poisson(pf.patent_rate * age * np.exp(0.5 * f.q_ip[rows]))

    # ------------------------------------------------------------------ the month

    def step(self) -> None:
        """Advance one month: run every phase, check the books, collect the metrics."""
        self.month += 1
        self.tally = defaultdict(float)
        self.decisions = []
        for phase in self.phases:
            phase(self)
        self.ledger.check(self.month)
        self.current = monthly_metrics(self)
        self.datacollector.add_table_row(METRICS_TABLE, self.current)
        if self.month % 12 == 0:
            self._panel.append(self._panel_rows())

    def record_decisions(self, rows: np.ndarray, approved: np.ndarray) -> None:
        """Keep this month's credit decisions (for allocation-efficiency metrics)."""
        self.decisions.append((rows.copy(), approved.copy()))

    # ------------------------------------------------------------------ views

    def has_loan(self) -> np.ndarray:
        """Per firm row: whether it has an outstanding loan (read-only; kept until the active loans change)."""
        act = self.loans.active()
        cached = self._has_loan
        if cached is not None and cached[0] is act and len(cached[1]) == len(self.firms):
            return cached[1]
        out = np.zeros(len(self.firms), dtype=bool)
        out[self.loans.firm[act]] = True
        out.flags.writeable = False
        self._has_loan = (act, out)
        return out

    @property
    def alive(self) -> np.ndarray:
        """Rows of startups still operating."""
        return np.flatnonzero(self.firms.status == S.ACTIVE)

    def _panel_rows(self) -> pd.DataFrame:
        f = self.firms
        rows = self.alive
        led = self.ledger
        return pd.DataFrame(
            {
                "firm_id": f.agent_id[rows],
                "year": np.full(len(rows), self.month // 12, dtype=np.int32),
                "age_months": (self.month - f.founded[rows]).astype(np.int32),
                "stage": pd.Categorical.from_codes(f.stage[rows].astype(int), categories=list(S.STAGES)),
                "employees": f.employees[rows].astype(float),
                "revenue": f.revenue[rows],
                "cash": led.balance[f.acct_cash[rows]],
                "debt": -led.balance[f.acct_debt[rows]],
                "rating": f.rating[rows].astype(float),
            }
        )

    @property
    def panel(self) -> pd.DataFrame:
        """One row per operating firm per year end."""
        if not self._panel:
            return self._panel_rows().iloc[0:0]
        return pd.concat(self._panel, ignore_index=True)

    def metrics_frame(self):
        """Monthly metrics as a pandas DataFrame (one row per month)."""
        return self.datacollector.get_table_dataframe(METRICS_TABLE).reset_index(drop=True)
