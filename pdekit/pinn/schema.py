"""The ``poisson-pinn`` case file as typed models: every key, its type, default and help.

Training stages are a tagged union on ``method``: one model per family of methods
(:func:`pdekit.pinn.methods.family_methods`), holding only that family's keys, so a key of
another method is an unknown key of this one. Checks that need the domain's dimension
(expressions, the weights file, the 2D grid sampler) are in :mod:`pdekit.pinn.prepare`.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Union, get_args

from pydantic import field_validator, model_validator

from pdekit.core.casemodel import Field, KeyError_, KindCase, Section, choice
from pdekit.pinn.methods import family_methods
from pdekit.pinn.points import SAMPLERS
from pdekit.core.renames import Renamed

ACTIVATIONS = ("tanh", "sigmoid", "sin", "softplus", "swish")
"""Activation names (the functions are in :data:`pdekit.pinn.network.ACTIVATIONS`)."""

Sampler = choice(*SAMPLERS)


def _interval(value: list[float] | None) -> list[float] | None:
    if value is None:
        return None
    if len(value) != 2:
        raise ValueError("two numbers [a, b]")
    if not value[0] < value[1]:
        raise ValueError("two finite numbers [a, b] with a < b")
    return value


SHAPES = ("disk", "ball", "lshape", "polygon", "csg")
"""Values of ``domain.shape`` (without it the domain is the box of ``x``, ``y``, ``z``)."""
SHAPE_KEYS = {None: ("x", "y", "z"), "disk": ("center", "radius"),
              "ball": ("center", "radius"), "lshape": ("edge_names",),
              "polygon": ("vertices", "edge_names"), "csg": ("csg",)}
"""The ``[domain]`` keys each shape takes (``shape`` aside)."""


class CsgItem(Section):
    """One operand of a ``shape = "csg"`` domain, applied to the result so far."""

    op: Literal["add", "subtract", "intersect"] = Field(
        "add", description="union with (add), difference (subtract) or intersection with the "
                           "domain so far (the first item is the start)")
    shape: Literal["rectangle", "disk", "polygon", "lshape"] = Field(
        description="the operand's shape")
    x: list[float] | None = Field(None, description="rectangle: [a, b]")
    y: list[float] | None = Field(None, description="rectangle: [c, d]")
    center: list[float] | None = Field(None, description="disk: [cx, cy]")
    radius: float | None = Field(None, gt=0, description="disk: radius")
    vertices: list[list[float]] | None = Field(None, description="polygon: [[x, y], ...]")
    edge_names: list[str] | None = Field(None, description="part names: rectangle [left, "
                                         "right, bottom, top], polygon one per edge, disk one")

    _intervals = field_validator("x", "y")(_interval)


class DomainSection(Section):
    x: list[float] = Field([0.0, 1.0], description="interval [a, b] in x")
    y: list[float] | None = Field(None, description="interval [c, d] in y: makes the problem "
                                                    "2D (rectangle)")
    z: list[float] | None = Field(None, description="interval [e, f] in z (with y): a 3D box")
    shape: Literal["disk", "ball", "lshape", "polygon", "csg"] | None = Field(
        None, description="a domain other than the x/y/z box: disk (center, radius), ball "
        "(3D; center, radius), lshape ((-1,1)^2 minus [0,1)x(-1,0]), polygon (vertices, "
        "edge_names), csg (a list of operands); see docs/guide_pinn.md")
    center: list[float] | None = Field(None, description="disk [cx, cy] / ball [cx, cy, cz] "
                                                          "(default: the origin)")
    radius: float = Field(1.0, gt=0, description="disk/ball radius")
    vertices: list[list[float]] | None = Field(None, description="polygon vertices [[x, y], "
                                               "...] in either orientation")
    edge_names: list[str] | None = Field(None, description="boundary part name of each edge "
                                         "(edge i: vertex i to i+1; default edge0, edge1, ...)")
    csg: list[CsgItem] | None = Field(None, description="shape = \"csg\": operands {op = "
                                      "\"add\"|\"subtract\"|\"intersect\", shape = ..., "
                                      "...} applied in order")

    _intervals = field_validator("x", "y", "z")(_interval)

    def inapplicable_keys(self) -> frozenset[str]:
        """The keys another shape takes (:data:`SHAPE_KEYS`)."""
        return frozenset(type(self).model_fields) - {"shape", *SHAPE_KEYS[self.shape]}

    @model_validator(mode="after")
    def _keys_of_shape(self) -> "DomainSection":
        allowed = SHAPE_KEYS[self.shape]
        for key in self.model_fields_set - {"shape"}:
            if key not in allowed:
                raise KeyError_(key, f"no {key} for " + (f"shape = {self.shape!r}" if self.shape
                                else "the x/y/z box") + f" (it takes {', '.join(allowed)})",
                                getattr(self, key))
        if self.shape is None and self.z is not None and self.y is None:
            raise KeyError_("y", "an interval [c, d] (a 3D box needs y and z)", None)
        if self.shape == "polygon" and self.vertices is None:
            raise KeyError_("vertices", "a list of [x, y] vertices for shape = 'polygon'", None)
        if self.shape == "csg" and not self.csg:
            raise KeyError_("csg", "a nonempty list of operands for shape = 'csg'", self.csg)
        if self.csg and "op" in self.csg[0].model_fields_set and self.csg[0].op != "add":
            # the first operand starts the domain: an op there would be ignored
            raise KeyError_("csg", "no op on the first operand (it starts the domain; op "
                            "applies the later operands to it)", self.csg[0].op)
        return self

    @property
    def dim(self) -> int:
        """Space dimension of the domain."""
        if self.shape is None:
            return 1 + (self.y is not None) + (self.z is not None)
        return 3 if self.shape == "ball" else 2

    @property
    def is_box(self) -> bool:
        """Whether the domain is the x/y/z box (no ``shape``)."""
        return self.shape is None

    @property
    def bounds(self) -> list[tuple[float, float]]:
        """The box ``[(a, b), ...]`` of a domain without ``shape`` (a shaped domain's
        bounding box is its geometry's: :func:`pdekit.pinn.geometry.build_domain`)."""
        if self.shape is not None:
            raise ValueError(f"no box bounds for a {self.shape} domain")
        return [(float(a), float(b)) for a, b in
                [self.x] + [v for v in (self.y, self.z) if v is not None]]


class BoundaryCondition(Section):
    """The condition on one boundary part: ``[boundary.<part>]``."""

    type: Literal["dirichlet", "neumann", "robin"] = Field(
        "dirichlet", description="dirichlet u = value, neumann du/dn = value, robin "
                                 "du/dn + coefficient u = value (n: outward normal)")
    value: str | None = Field(None, description="the data as an expression of the "
                              "coordinates (default: from problem.exact, or problem.boundary "
                              "for dirichlet)")
    coefficient: float | None = Field(None, description="robin (required): a in du/dn + a u "
                                                        "= value")

    def inapplicable_keys(self) -> frozenset[str]:
        """``coefficient`` unless the condition is Robin."""
        return frozenset() if self.type == "robin" else frozenset({"coefficient"})

    @model_validator(mode="after")
    def _coefficient_for_robin(self) -> "BoundaryCondition":
        if "coefficient" in self.model_fields_set and self.type != "robin":
            raise KeyError_("coefficient", "no coefficient unless type = 'robin'",
                            self.coefficient)
        if self.type == "robin" and self.coefficient is None:
            # a default of 0 would silently make the part Neumann
            raise KeyError_("coefficient", "a coefficient a for type = 'robin' "
                            "(du/dn + a u = value; a = 0 is type = 'neumann')")
        return self


class ProblemSection(Section):
    exact: str | None = Field(None, description="exact solution, e.g. \"sin(pi*x)*sin(pi*y)\": "
                              "errors are measured against it; default for forcing (its "
                              "Laplacian) and boundary")
    forcing: str | None = Field(None, description="f in Laplacian(u) = f (default: Laplacian "
                                "of exact, by autodiff)")
    boundary: str | None = Field(None, description="Dirichlet data g (default: exact)")
    parameters: dict[str, float] = Field({}, description="named numbers usable in the "
                                                        "expressions")

    @field_validator("parameters")
    @classmethod
    def _plain_names(cls, value: dict[str, float]) -> dict[str, float]:
        for name, number in value.items():
            if not name.isidentifier() or not math.isfinite(number):
                raise KeyError_(name, "a finite number with a plain name", number)
        return value

    @model_validator(mode="after")
    def _data_or_exact(self) -> "ProblemSection":
        if self.exact is None:
            for key in ("forcing", "boundary"):
                if getattr(self, key) is None:
                    raise KeyError_(key, "an expression (or problem.exact, from which it is "
                                         "derived)")
        return self


class NetworkSection(Section):
    depth: int = Field(1, ge=1, description="number of hidden layers")
    width: int = Field(50, ge=1, description="neurons per hidden layer")
    activation: choice(*ACTIVATIONS) = Field("tanh", description="activation function")
    precision: Literal["double", "single"] = Field(
        "double", description="floating-point precision of the network and its loss: "
                              "double (float64) or single (float32, limits the accuracy)")
    seed: int = Field(0, ge=0, description="seed of the weight initialization")
    weights: str | None = Field(None, description="start from saved weights (a run's "
                                "weights.npz); with training.stages = [] the run only "
                                "evaluates them")


    @property
    def dtype(self) -> str:
        """The TensorFlow dtype name of ``precision``."""
        return "float32" if self.precision == "single" else "float64"


class PointsSection(Section):
    interior: int = Field(1001, ge=1, description="number of interior collocation points")
    sampler: Sampler = Field("uniform", description="interior points: uniform random, "
                             "scrambled Sobol' or Halton, or grid (cell midpoints)")
    boundary: int = Field(20, ge=1, description="boundary points per side of an x/y box (in 1D "
                          "the two end points); on a 3D box or a shaped domain the total, "
                          "by arc length or area")
    boundary_sampler: Sampler = Field("uniform", description="boundary points along each side")
    seed: int = Field(0, ge=0, description="seed of the random samplers")


class LossSection(Section):
    boundary: Literal["penalty", "hard"] = Field(
        "penalty", description="Dirichlet condition by a penalty term or built into the "
                               "network (hard: u = G + phi N, phi zero on the Dirichlet parts; "
                               "Neumann/Robin parts stay penalty terms)")
    penalty: float = Field(1.0, gt=0, description="penalty weight gamma of the boundary term")


# ------------------------------------------------------------------ training stages

class _Stage(Section):
    """Keys every stage takes; the stop tests are applied by one monitor for all methods."""

    method: str
    iterations: int = Field(1000, ge=0, description="maximum number of iterations (steps for "
                                                    "adam/adamax)")
    time_limit: float | None = Field(None, gt=0, description="stop the stage after this many "
                                                            "seconds")
    ftol: float = Field(0.0, ge=0, description="stop when the loss is <= ftol")
    gtol: float = Field(0.0, ge=0, description="stop when the gradient norm is <= gtol")


class FirstOrderStage(_Stage):
    """Adam / Adamax (a compiled loop of ``log_every`` steps per call)."""

    method: choice(*family_methods("first-order"))  # type: ignore[valid-type]
    lr: float = Field(1e-3, gt=0, description="learning rate")
    log_every: int | None = Field(None, ge=1, description="steps per compiled chunk, i.e. "
                                  "per history row and progress update (default: 1% of "
                                  "iterations, at most 1000)")


class LeastSquaresStage(_Stage):
    """Gauss-Newton / Levenberg-Marquardt on the residual vector."""

    method: choice(*family_methods("least-squares"))  # type: ignore[valid-type]
    jacobian: Literal["explicit", "products"] = Field(
        "explicit", description="'explicit' Jacobian (SVD solve) or matrix-free 'products' "
                                "(shared pdekit.optim solver, CG)")
    damping: float | None = Field(None, ge=0, description="gauss-newton (explicit): smallest "
                                  "relative damping mu/s_max^2 (default 1e-12); "
                                  "levenberg-marquardt: initial damping (relative to s_max^2 "
                                  "for explicit, default 1e-3; absolute for products)")
    cg_maxiter: int | None = Field(None, ge=1, description="CG iterations per step "
                                                          "(jacobian = 'products')")


class NewtonStage(_Stage):
    """Newton-CG / trust-region Newton-CG with Hessian-vector products."""

    method: choice(*family_methods("newton"))  # type: ignore[valid-type]
    cg_maxiter: int | None = Field(None, ge=1, description="CG iterations per Newton step")


class QuasiNewtonStage(_Stage):
    """L-BFGS."""

    method: choice(*family_methods("quasi-newton"))  # type: ignore[valid-type]
    memory: int = Field(10, ge=1, description="number of stored pairs")


class FedNLStage(_Stage):
    """Federated Newton Learn (Safaryan et al. 2022): Newton steps with a Hessian estimate
    learned from compressed differences of the ranks' local Hessians."""

    method: choice(*family_methods("federated-newton"))  # type: ignore[valid-type]
    compression: Literal["none", "topk", "rank1"] = Field(
        "none", description="compressor of each rank's Hessian difference: none (exact "
                            "Newton), topk (k largest entries), rank1 (leading eigenpair)")
    k: int | None = Field(None, ge=1, description="entries kept by topk (default: the number "
                                                  "of weights)")
    alpha: float = Field(1.0, gt=0, le=1, description="learning rate of the Hessian estimate")
    regularization: Literal["projection", "shift"] = Field(
        "projection", description="projection: eigenvalues raised to mu * max|eigenvalue| "
                                  "(the paper's option 1); shift: H + l I with l the estimate's "
                                  "Frobenius error (option 2)")
    mu: float = Field(1e-10, gt=0, description="relative eigenvalue floor of 'projection'")
    line_search: bool = Field(True, description="backtrack the step on the loss (the paper "
                                                "takes unit steps)")


STAGE_MODELS = (FirstOrderStage, LeastSquaresStage, NewtonStage, QuasiNewtonStage, FedNLStage)
Stage = Annotated[Union[FirstOrderStage, LeastSquaresStage, NewtonStage, QuasiNewtonStage,
                        FedNLStage],
                  Field(discriminator="method")]


def _stages_help() -> str:
    common = ", ".join(k for k in _Stage.model_fields if k != "method")
    families = "; ".join(
        f"{'/'.join(get_args(model.model_fields['method'].annotation))}: "
        + ", ".join(k for k in model.model_fields if k not in _Stage.model_fields)
        for model in STAGE_MODELS)
    return (f"training stages in order, each a table {{method = ..., iterations = ..., ...}}; "
            f"keys of all methods: {common}; {families} (see docs/guide_pinn.md)")


class TrainingSection(Section):
    stages: list[Stage] = Field(
        default_factory=lambda: [FirstOrderStage(method="adam", iterations=1000, lr=1e-3),
                                 LeastSquaresStage(method="gauss-newton", iterations=300)],
        description=_stages_help())


class EvaluationSection(Section):
    n: int | None = Field(None, ge=2, description="points per axis of the evaluation grid "
                                                  "(default 2001 in 1D, 201 in 2D, 41 in 3D); over the bounding box, "
                                                  "errors only inside the domain")


class OutputSection(Section):
    png: bool = Field(True, description="write PNG plots")
    vtk: bool = Field(True, description="write the evaluation grid as .vti + solution.pvd (a "
                                         "'mask' array marks the domain, NaN outside)")


# ------------------------------------------------------------------ MPI and analysis (issue 14)

class ParallelSection(Section):
    normal_equations: bool = Field(False, description="explicit gauss-newton / "
                                   "levenberg-marquardt solve with the eigendecomposition of "
                                   "J^T J (as always under mpiexec, where the points are split "
                                   "over ranks) instead of the SVD of J: compares 1 and N ranks")


class AnalysisSection(Section):
    hessian: bool = Field(False, description="after training: extreme eigenvalues and "
                          "condition number of the loss Hessian (Lanczos) and the Gauss-Newton "
                          "spectrum (eigenvalues of J^T J), in summary.json and hessian.png")
    lanczos_steps: int = Field(80, ge=2, description="Lanczos steps (Hessian-vector products) "
                                                     "for the Hessian's extreme eigenvalues")


class PinnCase(KindCase):
    """A ``poisson-pinn`` case file."""

    renamed = (Renamed("network.dtype", "network.precision",
                       {"float64": "double", "float32": "single"}),)

    domain: DomainSection = DomainSection()
    problem: ProblemSection = Field(description="the PDE data: exact solution and/or forcing "
                                                "and boundary data")
    boundary: dict[str, BoundaryCondition] = Field(
        {}, description="conditions by boundary part, [boundary.<part>] tables (type, value, "
        "coefficient); parts not named are Dirichlet with problem.boundary / exact")
    network: NetworkSection = NetworkSection()
    points: PointsSection = PointsSection()
    loss: LossSection = LossSection()
    training: TrainingSection = TrainingSection()
    evaluation: EvaluationSection = EvaluationSection()
    output: OutputSection = OutputSection()
    parallel: ParallelSection = ParallelSection()
    analysis: AnalysisSection = AnalysisSection()
