"""The tech brokerage (科创经纪人): research results into projects, patents, spin-offs and licences.

A platform company holds contracts with research institutes. Each month every
institute produces research results (Poisson, ``brokerage.results_rate`` per
institute at Jinan size, scaled with the model); the brokerage screens a share
of them into projects and files patents for each project. A project is either
spun off as a new startup, which enters with a head start in every quality
dimension and the project's patents, or licensed to an existing firm with
strong IP, whose technology quality rises and which takes the patents.

The brokerage records results, projects, patents, spin-offs and licences.
Its draws come from its own generator, derived from the information stream
when the model is built, so switching it on or off leaves every other stream's
draws unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from ecosim.firms.state import ACTIVE

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel


class ResearchInstitute(mesa.Agent):
    """A research institute under contract with the brokerage.

    Attributes:
        results: Research results produced so far.
        projects: Of which screened into projects.
    """

    def __init__(self, model: EcosystemModel) -> None:
        super().__init__(model)
        self.results = 0
        self.projects = 0
        model.graph.add_node(self.unique_id, "research_institute")


class TechBrokerage(mesa.Agent):
    """The tech-brokerage platform company and its record of what it turned into firms.

    Attributes:
        institutes: Research institutes under contract.
        results, projects, patents, spinoffs, licences: Running totals.
    """

    def __init__(self, model: EcosystemModel, n_institutes: int, rng: np.random.Generator) -> None:
        super().__init__(model)
        self.generator = rng
        self.institutes = [ResearchInstitute(model) for _ in range(n_institutes)]
        self.results = self.projects = self.patents = self.spinoffs = self.licences = 0
        model.graph.add_node(self.unique_id, "tech_brokerage")
        for inst in self.institutes:
            model.graph.link([self.unique_id], [inst.unique_id], "research")

    @property
    def params(self):
        return self.model.params.brokerage

    @property
    def spinoff_rows(self) -> np.ndarray:
        """Firm rows of the spin-offs, in order of entry (kept by the model, ``model.spinoff_rows``)."""
        return self.model.spinoff_rows

    def work(self) -> None:
        """One month: institutes produce results; projects are screened, patented, spun off or licensed."""
        p = self.params
        model = self.model
        rng = self.generator
        k = len(self.institutes)
        results = rng.poisson(p.results_rate * model.params.scale, size=k)
        projects = rng.binomial(results, p.screen_rate)
        self.results += int(results.sum())
        for inst, r, j in zip(self.institutes, results.tolist(), projects.tolist(), strict=True):
            inst.results += r
            inst.projects += j
        n_proj = int(projects.sum())
        if n_proj == 0:
            return
        origin = np.repeat([inst.unique_id for inst in self.institutes], projects)
        patents = rng.poisson(p.patents_per_project, size=n_proj)
        spin = rng.random(n_proj) < p.spinoff_share
        self.projects += n_proj
        self.patents += int(patents.sum())
        model.tally["brokerage_projects"] += n_proj
        model.tally["brokerage_patents"] += int(patents.sum())
        if spin.any():
            self._spin_off(patents[spin], origin[spin])
        if (~spin).any():
            self._license(patents[~spin], origin[~spin])

    def _spin_off(self, patents: np.ndarray, origin: np.ndarray) -> None:
        from ecosim.firms.phases import create_startups

        model = self.model
        entry = model.streams.entry
        model.streams.entry = self.generator  # spin-offs draw from the brokerage's generator, not the entry stream
        try:
            rows = create_startups(model, len(patents), quality_shift=self.params.spinoff_quality)
        finally:
            model.streams.entry = entry
        f = model.firms
        f.patents[rows] += patents.astype(np.int32)
        self.spinoffs += len(rows)
        model.spinoff_rows = np.concatenate([model.spinoff_rows, rows])
        model.graph.link(f.agent_id[rows], origin, "research")
        model.events.record(model.month, "spinoff", firm_id=f.agent_id[rows], counterparty_id=origin,
                            amount=np.zeros(len(rows)), detail=patents.astype(float))
        model.tally["spinoffs"] += len(rows)
        model.tally["entered"] += len(rows)

    def _license(self, patents: np.ndarray, origin: np.ndarray) -> None:
        from ecosim.firms.phases import QUALITY_WEIGHTS

        model = self.model
        f = model.firms
        # Licensees: operating firms with strong IP (top half), one draw per project.
        alive = np.flatnonzero(f.status == ACTIVE)
        pick = self.generator.random(len(patents))
        if len(alive) == 0:
            return
        strong = alive[f.q_ip[alive] >= np.median(f.q_ip[alive])]
        rows = strong[(pick * len(strong)).astype(int)]
        np.add.at(f.patents, rows, patents.astype(np.int32))
        np.add.at(f.q_technology, rows, np.float32(self.params.licence_quality))
        q = np.stack([f.q_technology[rows], f.q_team[rows], f.q_market[rows], f.q_ip[rows],
                      f.q_governance[rows]], axis=1)
        f.quality[rows] = (q @ QUALITY_WEIGHTS) / np.sqrt((QUALITY_WEIGHTS**2).sum())
        self.licences += len(rows)
        model.graph.link(f.agent_id[rows], origin, "research")
        model.events.record(model.month, "licence", firm_id=f.agent_id[rows], counterparty_id=origin,
                            amount=np.zeros(len(rows)), detail=patents.astype(float))
        model.tally["licences"] += len(rows)


def build_brokerage(model: EcosystemModel) -> TechBrokerage | None:
    """Create the tech brokerage when the scenario switches it on (its generator is derived either way)."""
    rng = np.random.default_rng(int(model.streams.info.integers(2**63)))
    p = model.params.brokerage
    if not p.enabled:
        return None
    return TechBrokerage(model, p.institutes, rng)


def broker_research(model: EcosystemModel) -> None:
    """Monthly phase: the tech brokerage turns research results into projects, spin-offs and licences."""
    if model.brokerage is not None:
        model.brokerage.work()
