"""How much memory a ``poisson-pinn`` run needs, estimated from the case before anything is built.

The estimate adds what lives through the whole run (weights, collocation points and their
input stacks, the evaluation grid and the evaluator's constants) to the largest transient
workspace: one training stage, or the final evaluation on the grid. Each term is counted in
whole arrays of the sizes the run allocates:

network
    ``P = (d + 1) w + (L - 1)(w + 1) w + w + 1`` weights for input dimension ``d``, width
    ``w`` and depth ``L`` (:class:`pdekit.pinn.network.MLP`).
activations
    A pass through the network keeps, per point and layer, a stack of ``rows x w`` numbers
    (``rows = d + 2`` where the Laplacian is carried forward, 1 for values only) a few times
    over: the layer input ``T``, its image ``Z``, and the activation's intermediates.
explicit Gauss-Newton / Levenberg-Marquardt
    The Jacobian ``J`` (``n_residuals x P``) twice in the network's dtype (per-layer blocks
    and their concatenation), once as float64, and the thin SVD: LAPACK's copy of ``J``,
    ``U`` (``n x k``), ``V^T`` (``k x P``) and ``dgesdd``'s workspace (about ``7 k^2``),
    ``k = min(n, P)``.
Newton-CG / trust region / least squares with Jacobian products
    Forward-over-reverse products carry tangents of every activation: a few gradient passes.
L-BFGS, Adam
    One gradient pass over all points, plus ``2 m`` (L-BFGS pairs) or a few weight vectors.
evaluation
    ``n^d`` grid points, the evaluator's stacks and coefficients, one forward pass carrying
    the Laplacian (a layer at a time, no tape) and the output fields.

The estimate errs on the large side by a small factor; its purpose is to refuse cases that
cannot fit by orders of magnitude (``points.interior = 1e12``) before allocating, naming the
key that drives the size (:func:`driving_key`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pdekit.pinn.methods import STAGES

if TYPE_CHECKING:
    from pdekit.pinn.schema import PinnCase

ACTIVATION_COPIES = 8
"""Arrays of ``rows x width`` kept per point and layer by a pass with a gradient tape."""
TANGENT_PASSES = 3
"""Gradient passes' worth of activations held by a Hessian- or Jacobian-vector product."""
FORWARD_COPIES = 6
"""Arrays of ``rows x width`` per point alive at once in a forward pass without a tape."""
EVALUATION_ARRAYS = 16
"""Float64 arrays of one value per grid point: coefficients, f, exact, u, residual, fields."""
SVD_WORKSPACE = 7
"""``dgesdd``'s workspace (JOBZ = 'S') in units of ``k^2``, ``k = min(n, P)``."""
WEIGHT_COPIES = 8
"""Weight-sized vectors a stage keeps (moments, gradient, CG or line-search vectors)."""
FLOAT64 = 8


@dataclass(frozen=True)
class StageShape:
    """What of a training stage sets its memory: its method, Jacobian and L-BFGS memory."""

    method: str
    jacobian: str = "explicit"
    memory: int = 0


@dataclass(frozen=True)
class RunShape:
    """The numbers of a case that set the memory of its run (all sizes as given)."""

    dim: int
    width: int
    depth: int
    interior: int
    boundary_per_side: int
    evaluation_n: int
    itemsize: int
    hard: bool
    stages: tuple[StageShape, ...]
    boundary_total: bool = False
    """Whether ``boundary_per_side`` is the total (3D boxes, shaped domains)."""

    @classmethod
    def of(cls, case: "PinnCase", evaluation_n: int) -> "RunShape":
        """The shape of ``case`` with ``evaluation_n`` points per axis of the grid."""
        net = case.network
        stages = tuple(StageShape(s.method, getattr(s, "jacobian", "explicit"),
                                  getattr(s, "memory", 0)) for s in case.training.stages)
        domain = case.domain
        return cls(domain.dim, net.width, net.depth, case.points.interior,
                   case.points.boundary, evaluation_n, 4 if net.dtype == "float32" else 8,
                   case.loss.boundary == "hard", stages,
                   not domain.is_box or domain.dim == 3 or bool(case.boundary))

    @property
    def parameters(self) -> int:
        """Number of weights and biases of the network."""
        d, w, depth = self.dim, self.width, self.depth
        return (d + 1) * w + (depth - 1) * (w + 1) * w + w + 1

    @property
    def boundary_points(self) -> int:
        """Boundary collocation points drawn (two end points in 1D, four sides of a 2D box,
        else the total given)."""
        if self.dim == 1:
            return 2
        return self.boundary_per_side * (1 if self.boundary_total else 4)

    @property
    def residuals(self) -> int:
        """Length of the residual vector (boundary rows only with the penalty)."""
        return self.interior + (0 if self.hard else self.boundary_points)

    @property
    def rows(self) -> int:
        """Rows of a stack carrying the Laplacian: value, ``d`` derivatives, Laplacian."""
        return self.dim + 2

    def activations(self, points: int, rows: int) -> int:
        """Bytes of one gradient pass through the network at ``points`` points."""
        return ACTIVATION_COPIES * points * rows * self.width * self.depth * self.itemsize

    @property
    def gradient_pass(self) -> int:
        """Bytes of one gradient pass of the loss (interior stacks, boundary values)."""
        boundary = 0 if self.hard else self.activations(self.boundary_points, 1)
        return self.activations(self.interior, self.rows) + boundary


@dataclass(frozen=True)
class SizeEstimate:
    """Bytes of a run by part; :attr:`total` is what the run needs at its peak."""

    parts: dict[str, int]
    workspaces: dict[str, int]

    @property
    def total(self) -> int:
        """Persistent parts plus the largest transient workspace."""
        return sum(self.parts.values()) + max(self.workspaces.values(), default=0)

    @property
    def largest(self) -> str:
        """Name of the largest part or workspace."""
        everything = {**self.parts, **self.workspaces}
        return max(everything, key=everything.__getitem__)


def stage_workspace(shape: RunShape, stage: StageShape) -> int:
    """Transient bytes of one training stage (see the module docstring)."""
    P = shape.parameters
    vectors = WEIGHT_COPIES * P * FLOAT64
    capabilities = STAGES.capabilities(stage.method)
    if capabilities.least_squares and stage.jacobian == "explicit":
        n = shape.residuals
        k = min(n, P)
        jacobian = 2 * n * P * shape.itemsize + FLOAT64 * (2 * n * P + n * k + k * P
                                                           + SVD_WORKSPACE * k * k + max(n, P))
        return shape.gradient_pass + jacobian + vectors
    if capabilities.family == "federated-newton":
        # local dense Hessians from batches of 64 products; ~6 P x P matrices (H_i, the
        # exact one, the difference, the sum, its eigenvectors, the message)
        return (min(64, P) * TANGENT_PASSES * shape.gradient_pass + 6 * P * P * FLOAT64
                + vectors)
    if capabilities.uses_hvp:
        return TANGENT_PASSES * shape.gradient_pass + vectors
    return shape.gradient_pass + 2 * stage.memory * P * FLOAT64 + vectors


def estimate(shape: RunShape) -> SizeEstimate:
    """The memory of a run of ``shape``, by part."""
    d, itemsize = shape.dim, shape.itemsize
    grid = shape.evaluation_n ** d
    n_int, n_bdy = shape.interior, shape.boundary_points
    # points, their input stacks [n, rows, d] and the loss's coefficients and offsets;
    # Sobol' draws up to the next power of two (2 n) before keeping n
    points = (FLOAT64 * (3 * n_int + n_bdy) * d + itemsize * n_int * shape.rows * (d + 1)
              + (FLOAT64 + itemsize) * (n_int * (shape.rows + 2) + 2 * n_bdy))
    parts = {
        "network weights": shape.parameters * (itemsize + FLOAT64),
        "collocation points": points,
        "evaluation grid": (FLOAT64 * grid * (2 * d + EVALUATION_ARRAYS)
                            + itemsize * grid * (shape.rows * d + d + 4 * shape.rows)),
    }
    workspaces = {f"stage {i} ({stage.method})": stage_workspace(shape, stage)
                  for i, stage in enumerate(shape.stages, 1)}
    workspaces["evaluation pass"] = (FORWARD_COPIES * grid * shape.rows * shape.width
                                     * itemsize)
    return SizeEstimate(parts, workspaces)


KNOBS = {
    "points.interior": "interior",
    "points.boundary": "boundary_per_side",
    "network.width": "width",
    "network.depth": "depth",
    "evaluation.n": "evaluation_n",
}
"""Case keys the estimate depends on -> fields of :class:`RunShape`."""


def driving_key(shape: RunShape, defaults: RunShape) -> str:
    """The case key whose value drives the estimate: the one whose reset to its default
    (taken from ``defaults``) shrinks the estimate most. L-BFGS ``memory`` counts too, as
    ``training.stages[i].memory``."""
    total = estimate(shape).total
    savings: dict[str, int] = {}
    for key, name in KNOBS.items():
        reset = dataclasses.replace(shape, **{name: getattr(defaults, name)})
        savings[key] = total - estimate(reset).total
    for i, stage in enumerate(shape.stages):
        if stage.memory:
            stages = list(shape.stages)
            stages[i] = dataclasses.replace(stage, memory=1)
            reset = dataclasses.replace(shape, stages=tuple(stages))
            savings[f"training.stages[{i}].memory"] = total - estimate(reset).total
    return max(savings, key=savings.__getitem__)
