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

import numpy as np
import tensorflow as tf

from pdekit.pinn import general
from pdekit.pinn.expressions import derivatives
from pdekit.pinn.general import bubble
from pdekit.pinn.network import MLP
from pdekit.pinn.parallel import share
from pdekit.pinn.problem import PoissonProblem


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
