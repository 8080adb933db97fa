"""Time integrators for semilinear systems du/dt = L u + N(u).

The package knows nothing of the PDE behind L and N: a :class:`SemilinearProblem`
holds a linear part (anything implementing :class:`LinearPart`) and a nonlinear
right-hand side on flat arrays. Methods are chosen by name from :data:`METHODS`, a
registry with each method's capabilities (order, needs a diagonal L, has an error
estimate); :func:`make_stepper` turns a name into a one-step map, :func:`integrate`
marches it with output times and a NaN/Inf guard, :func:`integrate_adaptive` chooses the
steps from an embedded error estimate (:func:`make_attempt`).

Only the registry is imported with the package; the rest (FFT libraries, scipy) loads on
first use, so that reading the method names (``pdekit list``) stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from pdekit.time.methods import (METHODS, make_attempt, make_stepper, max_stable_dt,
                                 stable_dt)

# The built-in methods register themselves in the registry above when imported, in this
# order (the order of the choices in `pdekit list`).
from pdekit.time import splitting, etd, imex_rk  # noqa: E402,F401,I001

_LAZY = {
    "integrate": "pdekit.time.integrate", "LastState": "pdekit.time.last_state",
    "AdaptiveStats": "pdekit.time.adaptive", "integrate_adaptive": "pdekit.time.adaptive",
    "etdrk4_coefficients": "pdekit.time.etd_coefficients",
    "etdrk4_embedded": "pdekit.time.etd", "is_diagonal": "pdekit.time.etd",
    **dict.fromkeys(("BlockDiagonalLinear", "CosineDiagonalLinear", "FourierDiagonalLinear",
                     "LinearPart", "SparseLinear", "TransformDiagonalLinear", "ZeroLinear"),
                    "pdekit.time.linear"),
    "SemilinearProblem": "pdekit.time.problem",
}

__all__ = ["METHODS", "make_attempt", "make_stepper", "max_stable_dt", "stable_dt", *_LAZY]


def __getattr__(name: str) -> Any:
    """Load the lazily exported names on first access (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module 'pdekit.time' has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name]), name)
    globals()[name] = value
    return value
