"""Guaranteed two-sided bounds of the lowest Dirichlet Laplace eigenvalues of a polygon.

For each k = 1 … nev:

- a rough lower bound from Crouzeix–Raviart on a straight triangulation
  (:mod:`pdekit.fem.solve.cr_bound`), index-certified by an inertia count;
- an upper bound by Rayleigh–Ritz on the computed hp eigenvectors and a tight lower
  bound by Lehmann–Goerisch with Raviart–Thomas fields (:mod:`pdekit.fem.solve.lehmann_goerisch`),
  the shift ρ being the CR lower bound of λ_{n+1} (n ≥ nev: a multiplicity cluster at
  nev is taken whole, since ρ must lie above all of it);
- the order climbs (by :data:`ORDER_STEP`) until every relative width
  ``(upper − lower) / lower`` is at most the target, or the order limit is reached.

Every bound is valid on its own (lower ≤ λ_k ≤ upper, whatever the mesh), so the best
ones over all orders are reported, each with the method and mesh that gave it.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

import numpy as np

from pdekit.fem.solve.assembly import dirichlet_pattern
from pdekit.fem.solve.cr_bound import CR_CONSTANT, CrBound, cr_lower_bounds, cr_mesh
from pdekit.fem.geometry.shapes2d import Shape

ORDER_STEP = 2
"""Orders climbed per step toward a width target."""

CR_MAX_REFINEMENTS = 6
"""Uniform refinements of the CR mesh tried before giving up on a shift for
Lehmann–Goerisch (each quarters h_max² and the CR error)."""

MAX_HP_LAYERS = 10
"""Most hp-grading layers of the bounds' meshes. Deeper grading (the innermost element
0.2¹² of the coarse size and less) makes the H(div) system of the Raviart–Thomas fields
so ill-conditioned (div–div entries ~ h⁻²) that its solution, and with it the
Lehmann–Goerisch bound, turns noisy: on the L-shape at p = 12 the width of λ1 was 2.8e-9
with 8 or 10 layers, between 4.7e-9 and 1.2e-8 from run to run with 12."""

GAP_FRACTION = 0.5
"""The CR bound ρ of λ_{n+1} is good enough once it passes this fraction of the gap
between the computed λ_n and λ_{n+1} (the Lehmann–Goerisch bounds degrade as ρ nears λ_n)."""

VERIFIED = [
    "index k of every bound: upper bounds by the min-max principle; CR bounds and the "
    "Lehmann-Goerisch shift rho <= lambda_(n+1) by inertia counts (Sylvester's law)",
    "Rayleigh-Ritz and Lehmann-Goerisch n x n matrices formed from the assembled sparse "
    "matrices with a rigorous rounding bound (Dot2 products, correctly rounded dot "
    "products)",
    "small dense eigenproblems: interval LDL^T inertia counts (mpmath iv) at the claimed "
    "bounds, positive definiteness of the Lehmann matrix",
    "final formulas (Liu-Oishi CR bound, Lehmann-Goerisch bound) in interval arithmetic",
]
ESTIMATED = [
    "rounding inside the assembly of the finite-element matrices (not enclosed; covered "
    "by an allowance of 256 u |x|^T|A||y| per quadratic form, about 5 times the "
    "measured error)",
    "backward error of the MUMPS LDL^T behind the CR inertia counts (100 x the measured "
    "backward error of a solve with the same factors)",
    "mesh vertices on oblique polygon edges (rounded to doubles; axis-parallel edges are "
    "exact), and h_max computed in floating point, rounded up by 1e-14 relative",
]


@dataclass
class BoundSettings:
    """What the bounds need from a case (see ``[solver] bounds`` in the case reference)."""

    nev: int
    start_order: int
    max_order: int
    target: float
    maxh: float
    refine: int
    hp: bool
    hp_factor: float
    hp_levels: Callable[[int], int]
    cluster_rtol: float
    cr_constant: str = CR_CONSTANT


@dataclass
class EigenBound:
    """Lower and upper bound of λ_k and where each came from."""

    index: int
    lower: float
    upper: float
    lower_method: str
    lower_from: dict[str, Any]
    upper_method: str
    upper_from: dict[str, Any]
    cr_lower: float

    @property
    def relative_width(self) -> float:
        return (self.upper - self.lower) / abs(self.lower)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "relative_width": self.relative_width}


@dataclass
class BoundsOutcome:
    """Everything :func:`guaranteed_bounds` found (``summary.json``'s ``bounds``)."""

    bounds: list[EigenBound]
    target: float
    trial_functions: int
    rho: float | None
    gamma: float | None
    cr: dict[str, Any]
    steps: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    seconds: float = 0.0

    @property
    def reached(self) -> bool:
        return all(b.relative_width <= self.target for b in self.bounds)

    def as_dict(self) -> dict[str, Any]:
        return {"method": "guaranteed", "target": self.target, "reached": self.reached,
                "bounds": [b.as_dict() for b in self.bounds],
                "trial_functions": self.trial_functions, "shift_rho": self.rho,
                "goerisch_gamma": self.gamma, "crouzeix_raviart": self.cr,
                "steps": self.steps, "note": self.note, "seconds": self.seconds,
                "verified": VERIFIED, "estimated": ESTIMATED}


def trial_count(values: np.ndarray, nev: int, rtol: float) -> int:
    """n ≥ nev: nev extended over a cluster of computed eigenvalues at nev."""
    n = nev
    while n < len(values) - 1 and values[n] <= values[n - 1] * (1.0 + rtol):
        n += 1
    return n


def triangles_only(mesh: Any) -> Any:
    """The NGSolve mesh with every quadrilateral split along a diagonal.

    Netgen's hp-grading makes quadrilaterals, mostly trapezoids: their bilinear maps make
    the integrands rational, so the assembled matrices would carry quadrature errors no
    bound accounts for. On straight triangles every integrand here is a polynomial that
    NGSolve's rules integrate exactly (up to rounding).
    """
    import netgen.meshing
    import ngsolve

    quads = [(i, element) for i, element in enumerate(mesh.ngmesh.Elements2D())
             if len(element.vertices) == 4]
    if not quads:
        return mesh
    ngmesh = mesh.ngmesh.Copy()
    for _, element in quads:
        a, b, c, d = element.vertices
        ngmesh.Add(netgen.meshing.Element2D(element.index, [a, b, c]))
        ngmesh.Add(netgen.meshing.Element2D(element.index, [a, c, d]))
    for i, _ in reversed(quads):
        ngmesh.DeleteSurfaceElement(i)
    ngmesh.Compress()
    return ngsolve.Mesh(ngmesh)


def _hp_level(shape: Shape, dirichlet: frozenset[str], settings: BoundSettings,
              order: int, count: int) -> tuple[Any, np.ndarray, np.ndarray, dict[str, Any]]:
    from pdekit.fem.solve.lehmann_goerisch import h1_problem, lowest_pairs
    from pdekit.fem.geometry.mesh import build_mesh

    mesh, info = build_mesh(shape, set(dirichlet), maxh=settings.maxh,
                            refine=settings.refine, hp=settings.hp,
                            hp_levels=min(settings.hp_levels(order), MAX_HP_LAYERS),
                            hp_factor=settings.hp_factor, curve_order=0)
    mesh = triangles_only(mesh)
    problem = h1_problem(mesh, order, dirichlet_pattern(dirichlet))
    count = min(count, problem.A.shape[0] - 1)
    values, vectors = lowest_pairs(problem, count)
    where = {"order": order, "elements": mesh.ne, "ndof": int(problem.A.shape[0]),
             "hp_levels": info.hp_levels}
    return problem, values, vectors, where


def _cr_shift(shape: Shape, dirichlet: frozenset[str], settings: BoundSettings,
              values: np.ndarray, n: int) -> tuple[list[CrBound], dict[str, Any]]:
    """CR bounds of λ_1 … λ_{n+1} on the first uniform refinement of the straight mesh
    whose bound of λ_{n+1} clears :data:`GAP_FRACTION` of the computed gap."""
    from pdekit.fem.geometry.mesh import build_mesh

    wanted = values[n - 1] + GAP_FRACTION * (values[n] - values[n - 1])
    for refine in range(CR_MAX_REFINEMENTS + 1):
        mesh, _ = build_mesh(shape, set(dirichlet), maxh=settings.maxh, refine=refine,
                             hp=False, hp_levels=0, hp_factor=settings.hp_factor,
                             curve_order=0)
        problem = cr_mesh(mesh, dirichlet_pattern(dirichlet))
        bounds = cr_lower_bounds(problem, range(1, n + 2), settings.cr_constant)
        where = {"h_max": problem.h_max, "triangles": problem.triangles,
                 "ndof": problem.ndof, "refine": refine, "constant": settings.cr_constant,
                 # per k: eigenvalues below the certifying shift (≤ k − 1) and the
                 # shift's allowance for the factorization's backward error
                 "inertia_below": [b.below for b in bounds],
                 "backward_error_margin": [b.margin for b in bounds],
                 "discrete_lower": [b.discrete_lower for b in bounds]}
        if bounds[n].lower >= wanted:
            break
    return bounds, where


def guaranteed_bounds(shape: Shape, dirichlet: frozenset[str], settings: BoundSettings,
                      log: Callable[[str], None] = lambda message: None) -> BoundsOutcome:
    """Two-sided bounds of λ_1 … λ_nev (module doc) for a polygon with Dirichlet
    conditions on its whole boundary.

    Raises
    ------
    ArithmeticError
        When a CR bound cannot be certified (a failing factorization).
    """
    from pdekit.fem.solve.lehmann_goerisch import (goerisch_matrix, lehmann_goerisch_lower_bounds,
                                             ritz_upper_bounds, shift_for)

    start = time.perf_counter()
    order = settings.start_order
    nev = settings.nev
    problem, values, vectors, where = _hp_level(shape, dirichlet, settings, order, nev + 4)
    n = trial_count(values, nev, settings.cluster_rtol)
    if n >= len(values) - 1:  # the cluster ran past the computed pairs: compute more
        problem, values, vectors, where = _hp_level(shape, dirichlet, settings, order,
                                                    2 * n + 4)
        n = trial_count(values, nev, settings.cluster_rtol)
    cr, cr_where = _cr_shift(shape, dirichlet, settings, values, n)
    cr_where["seconds"] = time.perf_counter() - start
    rho = cr[n].lower
    log(f"bounds: CR on {cr_where['triangles']} triangles (h_max {cr_where['h_max']:.4g}):"
        f" rho = {rho:.10g} <= lambda_{n + 1}")
    gamma = shift_for(values[n - 1])
    best = [EigenBound(k + 1, cr[k].lower, np.inf, "crouzeix-raviart", cr_where,
                       "rayleigh-ritz", {}, cr[k].lower) for k in range(nev)]
    outcome = BoundsOutcome(best, settings.target, n, rho, gamma, cr_where)
    while True:
        level_start = time.perf_counter()
        X = vectors[:, :n]
        ritz = ritz_upper_bounds(problem, X)
        try:
            lower = lehmann_goerisch_lower_bounds(ritz, goerisch_matrix(problem, X, gamma),
                                                  rho, gamma)
        except ArithmeticError as error:
            lower, outcome.note = [None] * n, str(error)
        for k, bound in enumerate(best):
            if ritz.upper[k] < bound.upper:
                bound.upper, bound.upper_from = ritz.upper[k], dict(where)
            if lower[k] is not None and lower[k] > bound.lower:
                bound.lower, bound.lower_method = lower[k], "lehmann-goerisch"
                bound.lower_from = dict(where)
        outcome.steps.append({**where, "lower": lower[:nev], "upper": ritz.upper[:nev],
                              "seconds": time.perf_counter() - level_start})
        width = max(b.relative_width for b in best)
        log(f"bounds: p={order}, {where['ndof']} dofs: largest relative width {width:.3g}")
        order += ORDER_STEP
        if width <= settings.target or order > settings.max_order:
            break
        problem, values, vectors, where = _hp_level(shape, dirichlet, settings, order,
                                                    n + 2)
    outcome.seconds = time.perf_counter() - start
    return outcome
