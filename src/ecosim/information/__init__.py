"""Information and coordination: what lenders can see, who carries information, and how banks are steered.

* :mod:`~ecosim.information.platform` — the three data-credit platforms (provincial 科融信,
  municipal 泉融通, district 园区通) as Mesa agents: coverage, accuracy, recognising banks.
* :mod:`~ecosim.information.view` — what a bank sees from the platforms (:func:`platform_view`)
  and the district grade's pre-approved line and limit uplift (:func:`district_terms`).
* :mod:`~ecosim.information.market` — the municipal marketplace: banks and products a firm reaches,
  and the bank it is matched to.
* :mod:`~ecosim.information.brokers` — financial-partner teams, service stations and tech advisers.
* :mod:`~ecosim.information.brokerage` — the tech brokerage (科创经纪人): research institutes,
  projects, patents, spin-offs and licences.
* :mod:`~ecosim.information.evaluation` — the yearly evaluation of banks (ten indicator classes),
  re-lending quotas, rediscount access and the tech-branch accreditation ladder.
* :mod:`~ecosim.information.metrics` — the monthly metrics and summary figures of this package.
"""
