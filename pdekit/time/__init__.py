"""Time integrators for semilinear systems du/dt = L u + N(u).

The package knows nothing of the PDE behind L and N: a :class:`SemilinearProblem`
holds a linear part (anything implementing :class:`LinearPart`) and a nonlinear
right-hand side on flat arrays. :func:`make_stepper` turns a method name into a
one-step map; :func:`integrate` marches it with output times and a NaN/Inf guard;
:func:`integrate_adaptive` chooses the steps from an embedded error estimate
(:func:`etdrk4_embedded`).
"""

from pdekit.time.integrate import integrate
from pdekit.time.adaptive import AdaptiveStats, integrate_adaptive
from pdekit.time.etd import etdrk4_coefficients, etdrk4_embedded, is_diagonal
from pdekit.time.linear import (BlockDiagonalLinear, CosineDiagonalLinear,
                                FourierDiagonalLinear, LinearPart, SparseLinear,
                                TransformDiagonalLinear, ZeroLinear)
from pdekit.time.methods import METHODS, ORDERS, make_stepper, max_stable_dt
from pdekit.time.problem import SemilinearProblem

__all__ = ["AdaptiveStats", "etdrk4_embedded", "integrate_adaptive", "BlockDiagonalLinear", "CosineDiagonalLinear", "FourierDiagonalLinear",
           "LinearPart", "METHODS", "ORDERS", "SemilinearProblem", "SparseLinear",
           "TransformDiagonalLinear", "ZeroLinear", "etdrk4_coefficients", "integrate",
           "is_diagonal", "make_stepper", "max_stable_dt"]
