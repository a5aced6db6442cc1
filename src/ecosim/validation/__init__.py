"""Calibration and validation against the pilot zone's published figures.

* ``targets.toml`` — the validation targets as data (figure, source, scaling, tolerance).
* :mod:`ecosim.validation.quantities` — one small function per simulated quantity.
* :mod:`ecosim.validation.survival` — cohort survival by firm age from entry and exit months.
* :mod:`ecosim.validation.validate` — runs a scenario over many seeds and scores it against the targets.
* :mod:`ecosim.validation.calibrate` — method of simulated moments over declared free parameters.
* :mod:`ecosim.validation.odd` — the parameter table of ``docs/ODD.md``, generated from the scenario schema.
"""
