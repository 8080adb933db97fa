"""The Poisson problem ``Laplacian u = f`` in a box with ``u = g`` on the boundary, as least squares.

The network ``N`` enters the discrete loss only through its Taylor stack
``T = [N, grad N, Laplacian N]`` at the collocation points, and every residual is *affine* in
that stack. With Dirichlet data imposed by a penalty ``gamma``:

    r_int,i = (Lap N(x_i) - f(x_i)) / sqrt(n_int),
    r_bdy,j = sqrt(gamma / n_bdy) (N(x_j) - g(x_j)),
    loss    = |r|^2 = mean((Lap N - f)^2) + gamma mean((N - g)^2)     (the seed's loss).

With the boundary condition built into the ansatz (hard constraint, Lagaris et al. 1998,
"Artificial neural networks for solving ordinary and partial differential equations",
IEEE TNN 9(5)), ``u = B N + G`` where ``B = prod_j (x_j - a_j)(b_j - x_j)`` (scaled to max 1)
vanishes on the boundary and ``G`` is the transfinite (Coons) extension of the boundary data
into the box (:meth:`PoissonProblem.extension`); then ``Lap u = B Lap N + 2 grad B . grad N + (Lap B) N + Lap G`` and
only interior residuals remain. Both cases are ``r = sum_a C[:, a] T[:, a] + c``, with fixed
coefficients ``C`` and offsets ``c`` computed once here.

On a general domain (a :class:`~pdekit.pinn.domains.Domain` with conditions per boundary
part: Dirichlet, Neumann, Robin) the coefficients come from :mod:`pdekit.pinn.general`;
the residual vector is then interior rows, Dirichlet rows (penalty form only) and
Neumann/Robin rows, the boundary rows weighted ``sqrt(gamma / n_boundary_rows)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import tensorflow as tf

from pdekit.expr import Expression
from pdekit.pinn import general
from pdekit.pinn.expressions import derivatives, tf_field
from pdekit.pinn.general import bubble
from pdekit.pinn.network import MLP
from pdekit.pinn.parallel import share


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
        Boundary part -> :class:`pdekit.pinn.prepare.Condition` (with ``domain``; parts not
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
            from pdekit.pinn.prepare import Condition

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


def ansatz_coefficients(problem: PoissonProblem, points: np.ndarray, hard: bool
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Coefficients turning the network's Taylor stack into ``u`` and ``Laplacian u``.

    Returns
    -------
    value_coeff, value_offset, lap_coeff, lap_offset
        ``u = value_coeff . T + value_offset`` and ``Lap u = lap_coeff . T + lap_offset``,
        with ``T = [N, grad N, Lap N]`` (coefficients of shape ``[n, dim + 2]``).
    """
    n, dim = points.shape
    value_coeff = np.zeros((n, dim + 2))
    lap_coeff = np.zeros((n, dim + 2))
    if not hard:
        value_coeff[:, 0] = 1.0
        lap_coeff[:, -1] = 1.0
        return value_coeff, np.zeros(n), lap_coeff, np.zeros(n)
    if problem.domain is None:
        B, grad_B, lap_B = bubble(problem.bounds, points)
        G, _, lap_G = problem.extension(points)
    else:  # the distance function of the Dirichlet parts, the Dirichlet expression as G
        B, grad_B, lap_B = general.distance(problem, points)
        G, _, lap_G = derivatives(problem.dirichlet_field, points)
    value_coeff[:, 0] = B
    lap_coeff[:, 0] = lap_B
    lap_coeff[:, 1:dim + 1] = 2.0 * grad_B
    lap_coeff[:, -1] = B
    return value_coeff, G, lap_coeff, lap_G


class PoissonLoss:
    """The least-squares residual of a Poisson problem for one network and one point set.

    Parameters
    ----------
    model
        The network.
    problem
        The PDE data.
    interior, boundary
        Collocation points ``[n, dim]``; on a box with Dirichlet data, ``boundary`` is unused
        with ``hard=True``.
    penalty
        Boundary weight ``gamma`` (penalty method; also of Neumann/Robin rows).
    hard
        Build the Dirichlet condition into the ansatz instead of penalizing it.
    boundary_names
        The boundary part of each boundary point (general domains).
    rank, size
        Data-parallel training (:mod:`pdekit.pinn.parallel`): the points are those of the
        whole problem, and this loss keeps rank ``rank``'s block of the interior points and
        of the boundary *rows* (:func:`~pdekit.pinn.parallel.share`); the weights and
        :attr:`n_residuals` are those of the whole problem, so the sum over ranks of the
        losses is the 1-rank loss.

    Attributes
    ----------
    n_residuals
        Length of the residual vector.
    """

    def __init__(self, model: MLP, problem: PoissonProblem, interior: np.ndarray,
                 boundary: np.ndarray, penalty: float = 1.0, hard: bool = False,
                 boundary_names: np.ndarray | None = None, rank: int = 0, size: int = 1):
        self.model, self.problem, self.hard, self.penalty = model, problem, hard, penalty
        self._share = lambda rows: share(rows, rank, size)
        dtype = model.dtype
        n_int = len(interior)
        interior = self._share(interior)
        _, _, lap_c, lap_off = ansatz_coefficients(problem, interior, hard)
        scale = 1.0 / math.sqrt(n_int)
        interior_block = (model.input_stack(interior, True), tf.constant(lap_c * scale, dtype),
                          tf.constant((lap_off - problem.f(interior)) * scale, dtype))
        boundary_blocks, n_bdy = self._boundary_blocks(boundary, boundary_names)
        self._blocks = [interior_block] + boundary_blocks
        self.n_residuals = n_int + n_bdy

    def _boundary_blocks(self, boundary: np.ndarray, names: np.ndarray | None
                         ) -> tuple[list, int]:
        """``(stack, coeff, offset)`` of this rank's boundary rows, weighted
        ``sqrt(gamma / rows)``, and the number of rows of the whole problem."""
        model, problem, dtype = self.model, self.problem, self.model.dtype
        if problem.domain is None:
            if self.hard:
                return [], 0
            w = math.sqrt(self.penalty / len(boundary))
            mine = self._share(boundary)
            return [(model.input_stack(mine, False),
                     tf.constant(np.full((len(mine), 1), w), dtype),
                     tf.constant(-w * problem.g(mine), dtype))], len(boundary)
        selected, value_rows, flux_rows = general.boundary_rows(problem, boundary, names,
                                                                self.hard)
        rows = sum(len(s) for s in selected)
        if not rows:
            return [], 0
        w = math.sqrt(self.penalty / rows)
        # the rows of the whole problem (Dirichlet, then flux), then this rank's block
        stacked = np.concatenate(selected)
        kinds = np.repeat([0, 1], [len(indices) for indices in selected])
        coefficients = (value_rows, flux_rows)
        starts = (0, len(selected[0]))
        mine = self._share(np.arange(rows))
        blocks = []
        for kind, with_gradient in ((0, False), (1, True)):
            local = mine[kinds[mine] == kind]
            if not len(local):
                continue
            coeff, offset = coefficients[kind]
            at = local - starts[kind]
            blocks.append((model.input_stack(boundary[stacked[local]], with_gradient),
                           tf.constant(coeff[at] * w, dtype), tf.constant(offset[at] * w, dtype)))
        return blocks, rows

    def residual(self) -> tf.Tensor:
        """The residual vector at the network's current weights (zero-argument, for hvp/optim)."""
        m = self.model
        parts = [m.affine_residual(*block) for block in self._blocks]
        return parts[0] if len(parts) == 1 else tf.concat(parts, axis=0)

    def loss(self) -> tf.Tensor:
        """``|r|^2``: mean squared PDE residual + penalty x mean squared boundary residual."""
        r = self.residual()
        return tf.reduce_sum(r * r)

    def loss_terms(self) -> tuple[tf.Tensor, tf.Tensor]:
        """The two terms of :meth:`loss`: ``mean((Lap u - f)^2)`` over the interior points
        and ``gamma mean(boundary residual^2)`` over the boundary rows (zero if none)."""
        m = self.model
        r = m.affine_residual(*self._blocks[0])
        pde = tf.reduce_sum(r * r)
        if len(self._blocks) == 1:
            return pde, tf.zeros([], pde.dtype)
        rb = tf.concat([m.affine_residual(*block) for block in self._blocks[1:]], axis=0)
        return pde, tf.reduce_sum(rb * rb)

    def residual_and_jacobian(self) -> tuple[tf.Tensor, tf.Tensor]:
        """Residual vector and its explicit Jacobian ``[n_residuals, n_params]``."""
        m = self.model
        pairs = [m.affine_residual_jacobian(*block) for block in self._blocks]
        if len(pairs) == 1:
            return pairs[0]
        return (tf.concat([r for r, _ in pairs], axis=0),
                tf.concat([J for _, J in pairs], axis=0))


class Evaluator:
    """The PINN solution ``u``, its Laplacian and the PDE residual at fixed points (NumPy out).

    Precomputes the ansatz coefficients (and ``f``, exact ``u``) once, so the error during
    training costs one network evaluation.
    """

    def __init__(self, model: MLP, problem: PoissonProblem, points: np.ndarray, hard: bool):
        self.model, self.points = model, points
        vc, voff, lc, loff = ansatz_coefficients(problem, points, hard)
        dtype = model.dtype
        self._stack = model.input_stack(points, True)
        self._vc, self._voff = tf.constant(vc, dtype), tf.constant(voff, dtype)
        self._lc, self._loff = tf.constant(lc, dtype), tf.constant(loff, dtype)
        self.f = problem.f(points)
        self.exact = problem.u_exact(points)
        self._exact_norm = (float(np.sqrt(np.mean(self.exact**2)))
                            if self.exact is not None else None)
        self._value_stack = model.input_stack(points, False)
        self._compiled = tf.function(self._values)
        self._compiled_u = tf.function(self._u)

    def _values(self) -> tuple[tf.Tensor, tf.Tensor]:
        T = self.model._forward(self._stack)[:, :, 0]
        u = tf.reduce_sum(self._vc * T, axis=1) + self._voff
        lap = tf.reduce_sum(self._lc * T, axis=1) + self._loff
        return u, lap

    def _u(self) -> tf.Tensor:
        """Values only (a quarter of the work of :meth:`_values` in 2D): for the error."""
        return self.model._forward(self._value_stack)[:, 0, 0] * self._vc[:, 0] + self._voff

    def solution(self) -> tuple[np.ndarray, np.ndarray]:
        """``u`` and the PDE residual ``Laplacian u - f`` at the points."""
        u, lap = self._compiled()
        return u.numpy().astype(float), lap.numpy().astype(float) - self.f

    def errors(self) -> dict[str, float] | None:
        """Relative L2 (RMS over the grid) and max error against the exact solution."""
        if self.exact is None:
            return None
        e = self._compiled_u().numpy().astype(float) - self.exact
        rms = float(np.sqrt(np.mean(e**2)))
        return {"rel_l2": rms / self._exact_norm if self._exact_norm else rms,
                "max_abs": float(np.max(np.abs(e)))}
