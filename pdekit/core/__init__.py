"""The case-file machinery every kind shares: the typed case models
(:mod:`~pdekit.core.casemodel`, :mod:`~pdekit.core.casefields`,
:mod:`~pdekit.core.caseerrors`), loading with overrides and renamed keys
(:mod:`~pdekit.core.cases`, :mod:`~pdekit.core.renames`), the printed TOML
(:mod:`~pdekit.core.tomlfmt`), the kind plugins (:mod:`~pdekit.core.plugin`) and the one
registry style (:mod:`~pdekit.core.registry`).
"""
