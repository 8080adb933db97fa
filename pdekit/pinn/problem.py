"""The data of a Poisson problem: ``Laplacian u = f`` with boundary data per part, as
expressions of the coordinates evaluated in TensorFlow (for the residuals and the
evaluation) and NumPy arrays out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import tensorflow as tf

from pdekit.expr import Expression
from pdekit.pinn.conditions import Condition
from pdekit.pinn.expressions import derivatives, tf_field

__all__ = ["PoissonProblem"]


@dataclass
class PoissonProblem:
    """Data of ``Laplacian u = f`` on a box, ``u = g`` on its boundary, given as expressions.

    Parameters
    ----------
    bounds
        ``[(a, b)]`` (interval) or ``[(a, b), (c, d)]`` (rectangle).
    exact
        Exact solution (optional; text, or an expression parsed already): used for errors, and as ``f``/``g`` when those are absent.
    forcing
        ``f`` (optional when ``exact`` is given: then ``f = Laplacian exact`` by autodiff).
    boundary
        ``g`` (optional when ``exact`` is given: then ``g = exact``).
    parameters
        Named constants available in the expressions.
    domain
        A general domain (:mod:`pdekit.pinn.domains`); None: the box ``bounds`` with
        Dirichlet data everywhere (bubble and Coons extension).
    conditions
        Boundary part -> :class:`Condition` (with ``domain``; parts not
        listed are Dirichlet).
    """

    bounds: Sequence[tuple[float, float]]
    exact: str | Expression | None = None
    forcing: str | Expression | None = None
    boundary: str | Expression | None = None
    parameters: Mapping[str, float] | None = None
    domain: Any = None
    conditions: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        self.dim = len(self.bounds)
        if self.forcing is None and self.exact is None:
            raise ValueError("need problem.forcing or problem.exact")
        if self.boundary is None and self.exact is None:
            raise ValueError("need problem.boundary or problem.exact")
        params = self.parameters
        self._exact = tf_field(self.exact, self.dim, params) if self.exact else None
        self._forcing = tf_field(self.forcing, self.dim, params) if self.forcing else None
        self._boundary = tf_field(self.boundary or self.exact, self.dim, params)
        if self.domain is not None:
            given = dict(self.conditions or {})
            self.conditions = {name: given.get(name, Condition("dirichlet"))
                               for name in self.domain.boundary_parts}
            self._data = {name: tf_field(c.value, self.dim, params)
                          for name, c in self.conditions.items() if c.value is not None}

    @property
    def dirichlet_field(self) -> Callable[[tf.Tensor], tf.Tensor]:
        """The Dirichlet data ``g`` as one function on the whole domain (the hard form's
        ``G``): ``problem.boundary``, else the exact solution."""
        return self._boundary

    def data(self, part: str, points: np.ndarray, normals: np.ndarray | None = None
             ) -> np.ndarray:
        """The data of boundary part ``part`` at its ``points``: its ``value`` expression,
        or from the exact solution (Dirichlet ``g``; Neumann ``du/dn``; Robin
        ``du/dn + a u``, with the outward ``normals``)."""
        condition = self.conditions[part]
        if part in self._data:
            return self._data[part](tf.constant(points, tf.float64)).numpy()
        if condition.kind == "dirichlet":
            return self.g(points)
        u, grad, _ = derivatives(self._exact, points)
        return np.sum(grad * normals, axis=1) + condition.coefficient * u

    def f(self, points: np.ndarray) -> np.ndarray:
        """Forcing at ``points`` (from the expression, or the Laplacian of the exact solution)."""
        if self._forcing is not None:
            return self._forcing(tf.constant(points, tf.float64)).numpy()
        return derivatives(self._exact, points)[2]

    def g(self, points: np.ndarray) -> np.ndarray:
        """Boundary data at ``points`` (meant for points on the boundary)."""
        return self._boundary(tf.constant(points, tf.float64)).numpy()

    def extension(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Value, gradient and Laplacian of the transfinite extension of ``g`` at ``points``.

        The extension uses only the boundary values of ``g``: linear interpolation between
        the end values in 1D, the bilinearly blended Coons patch of the four edge functions
        in 2D (Gordon & Hall 1973, "Construction of curvilinear co-ordinate systems and
        applications to mesh generation", Int. J. Numer. Meth. Eng. 7(4)), so it equals
        ``g`` on the boundary and never looks at the exact solution inside the box.
        """
        return derivatives(self._extension, points)

    def _extension(self, points: tf.Tensor) -> tf.Tensor:
        g = self._boundary
        if self.dim == 1:
            (a, b), = self.bounds
            x = points[:, 0]
            s = (x - a) / (b - a)
            ga = g(tf.fill([tf.shape(x)[0], 1], tf.constant(a, x.dtype)))
            gb = g(tf.fill([tf.shape(x)[0], 1], tf.constant(b, x.dtype)))
            return (1.0 - s) * ga + s * gb
        (a, b), (c, d) = self.bounds
        x, y = points[:, 0], points[:, 1]
        s, t = (x - a) / (b - a), (y - c) / (d - c)
        const = lambda v: tf.fill(tf.shape(x), tf.constant(v, x.dtype))  # noqa: E731
        edge = lambda u, v: g(tf.stack([u, v], axis=1))  # noqa: E731
        blend_x = (1.0 - s) * edge(const(a), y) + s * edge(const(b), y)
        blend_y = (1.0 - t) * edge(x, const(c)) + t * edge(x, const(d))
        corners = ((1.0 - s) * (1.0 - t) * edge(const(a), const(c))
                   + s * (1.0 - t) * edge(const(b), const(c))
                   + (1.0 - s) * t * edge(const(a), const(d))
                   + s * t * edge(const(b), const(d)))
        return blend_x + blend_y - corners

    def u_exact(self, points: np.ndarray) -> np.ndarray | None:
        """Exact solution at ``points``, or None if not given."""
        if self._exact is None:
            return None
        return self._exact(tf.constant(points, tf.float64)).numpy()
