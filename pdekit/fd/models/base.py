"""What every two-species reaction model offers, and the generic fallbacks.

A model supplies the reaction terms (f(u, v), g(u, v)) evaluated pointwise on arrays,
their Jacobian, a homogeneous steady state and the two diffusion coefficients, so that
integrators and the linear-stability analysis treat all models alike. Models with
closed forms override :meth:`ReactionModel.jacobian_entries` (elementwise on arrays, as
the PETSc backend assembles it at every grid point; :meth:`ReactionModel.jacobian` is the
2 × 2 matrix at one point) and :meth:`ReactionModel.steady_state`; the defaults here work
for any reaction: the Jacobian by the complex-step derivative (Squire & Trapp, SIAM Rev. 40, 1998), exact to
round-off for analytic reactions, and the steady state by a Newton-type root finder
(``scipy.optimize.root``, hybrid Powell method) from :meth:`ReactionModel.steady_guess`.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Callable, ClassVar

import numpy as np

COMPLEX_STEP = 1e-30


class SteadyStateError(ValueError):
    """No homogeneous steady state was found from the given guess."""


def complex_step_entries(model: "ReactionModel", u: np.ndarray, v: np.ndarray
                         ) -> tuple[np.ndarray, ...]:
    """(f_u, f_v, g_u, g_v) elementwise at (u, v) by complex steps of size 1e-30."""
    h = COMPLEX_STEP
    u, v = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
    fu, gu = model.reaction(u + 1j * h, v + 0j)
    fv, gv = model.reaction(u + 0j, v + 1j * h)
    return tuple(np.imag(x) / h for x in (fu, fv, gu, gv))


def find_steady_state(model: "ReactionModel", guess: tuple[float, float]) -> tuple[float, float]:
    """Solve f(u, v) = g(u, v) = 0 from ``guess`` with the model's Jacobian.

    Raises
    ------
    SteadyStateError
        If the root finder does not end at a point where |f|, |g| < 1e-10.
    """
    from scipy.optimize import root  # scipy.optimize takes ~0.3 s to import: on use

    def residual(w: np.ndarray) -> np.ndarray:
        f, g = model.reaction(np.asarray(w[0]), np.asarray(w[1]))
        return np.array([f, g], dtype=float)

    # The search may step where the reaction divides by zero or leaves its domain; the
    # outcome is judged below, so NumPy's warnings would only precede the one-line error.
    with np.errstate(all="ignore"):
        solution = root(residual, np.asarray(guess, dtype=float),
                        jac=lambda w: model.jacobian(float(w[0]), float(w[1])),
                        method="hybr", options={"xtol": 1e-13})
        remaining = np.max(np.abs(residual(solution.x)))
    u, v = (float(x) for x in solution.x)
    # judged by the residual: hybr may report "not making progress" at a root already
    # found to round-off
    if not (np.all(np.isfinite(solution.x)) and remaining < 1e-10):
        raise SteadyStateError(
            f"no homogeneous steady state found from the guess {tuple(guess)} "
            f"({solution.message.strip()}; residual {remaining:.3g})")
    return u, v


class ReactionModel:
    """Base of the reaction models (subclasses are frozen dataclasses of parameters).

    Class attributes
    ----------------
    name
        Model name used in case files (``[model] name``).
    presets
        Named parameter sets; ``default_preset`` names the one used by default.
    """

    name: ClassVar[str] = ""
    presets: ClassVar[dict[str, dict[str, float]]] = {}
    default_preset: ClassVar[str] = ""
    equations: ClassVar[str] = ""

    @property
    def diffusion(self) -> tuple[float, float]:
        """Diffusion coefficients (D_u, D_v)."""
        return (self.Du, self.Dv)  # type: ignore[attr-defined]

    kernel_name: ClassVar[str | None] = None
    """Name of the compiled pointwise loop ``kernel(u, v, f, g, *kernel_parameters())``
    of a built-in model in :mod:`pdekit.fd.models.pointwise` (imported on first use, so
    that listing cases does not load numba); None for models that override
    :meth:`reaction` instead."""

    def kernel_parameters(self) -> tuple[float, ...]:
        """The parameters the kernel takes after (u, v, f, g), in its order."""
        return ()

    def _kernel(self) -> Callable[..., None]:
        from pdekit.fd.models import pointwise

        return getattr(pointwise, self.kernel_name)  # type: ignore[arg-type]

    def reaction(self, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Reaction terms (f, g) evaluated pointwise.

        ``u`` and ``v`` are arrays (or scalars) of any broadcastable shapes, real or
        complex (complex steps differentiate the reaction); f and g have their shape.
        """
        if self.kernel_name is None:
            raise NotImplementedError(f"{type(self).__name__} defines no reaction terms")
        u, v = np.broadcast_arrays(np.asarray(u), np.asarray(v))
        dtype = np.result_type(u, v, float)
        f, g = np.empty(u.shape, dtype), np.empty(u.shape, dtype)
        self._kernel()(np.ascontiguousarray(u, dtype).reshape(-1),
                       np.ascontiguousarray(v, dtype).reshape(-1), f.reshape(-1),
                       g.reshape(-1), *self.kernel_parameters())
        return f, g

    def reaction_into(self, u: np.ndarray, v: np.ndarray, f: np.ndarray, g: np.ndarray) -> None:
        """Write the reaction terms at the flat float arrays ``u``, ``v`` into ``f``, ``g``
        (the time steppers' call: no temporaries for models with a kernel)."""
        if self.kernel_name is None:
            f[...], g[...] = self.reaction(u, v)
        else:
            self._kernel()(u, v, f, g, *self.kernel_parameters())

    def jacobian_entries(self, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, ...]:
        """(f_u, f_v, g_u, g_v) elementwise at the points (u, v) (arrays or scalars; an
        entry that does not depend on them may come back as a scalar).

        The default is the complex-step derivative, exact to round-off for analytic
        reactions; the built-in models override it with their closed forms.
        """
        return complex_step_entries(self, u, v)

    def jacobian(self, u: float, v: float) -> np.ndarray:
        """The 2 × 2 Jacobian [[f_u, f_v], [g_u, g_v]] at (u, v)."""
        return np.array(self.jacobian_entries(u, v), dtype=float).reshape(2, 2)

    def steady_guess(self) -> tuple[float, float]:
        """Starting point for the numerical steady-state search."""
        return (0.0, 0.0)

    def steady_state(self) -> tuple[float, float]:
        """The homogeneous steady state analysed for Turing instability."""
        return find_steady_state(self, self.steady_guess())

    def parameters(self) -> dict[str, float]:
        """All parameters by name, for summary.json."""
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]
