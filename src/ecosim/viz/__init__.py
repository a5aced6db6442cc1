"""Outputs for people: the live teaching demo, the bilingual policy brief and shared chart helpers.

* :mod:`ecosim.viz.levers` — the policy levers the demo exposes, grouped by the pilot zone's three systems.
* :mod:`ecosim.viz.charts` — colours, chart labels, the CJK font and reusable plots.
* :mod:`ecosim.viz.network_view` — a cheap, stable layout of the relationship network.
* :mod:`ecosim.viz.demo` — the Solara page around Mesa's controller (``ecosim demo``); its browser
  components live in ``vue/``.
* :mod:`ecosim.viz.demo_driver` — drives a served demo in headless chromium (test, benchmark, screenshots).
* :mod:`ecosim.viz.brief` — the self-contained HTML policy brief (``ecosim brief``), rendered from
  ``templates/brief.html.j2``; :mod:`ecosim.viz.lever_names` names its levers in both languages.
"""
