"""Outputs for people: the live teaching demo, the bilingual policy brief and shared chart helpers.

* :mod:`ecosim.viz.levers` — the policy levers the demo and brief expose, in one list.
* :mod:`ecosim.viz.charts` — colours, bilingual labels, the CJK font and reusable plots.
* :mod:`ecosim.viz.network_view` — a cheap, stable drawing of the relationship network.
* :mod:`ecosim.viz.demo` — the Mesa ``SolaraViz`` page (``ecosim demo``).
* :mod:`ecosim.viz.brief` — the self-contained HTML policy brief (``ecosim brief``).
"""
