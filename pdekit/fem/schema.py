"""The ``eigen`` case file: every key, its type, default, help and field-level checks.

Checks that need one key (a positive size, a simple polygon) or keys of one section
(vertices only for polygons, ``ncv >= nev``) live here, next to the keys. Checks that need
the case file's folder or several sections (the Gmsh file, boundary names of the geometry,
the shift against the boundary conditions, PETSc option names) are in
:mod:`pdekit.fem.prepare`.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import AfterValidator, field_validator, model_validator

from pdekit.core.casemodel import Field, KeyError_, KindCase, Section, choice
from pdekit.fem.solve.factorization import CHOICES as FACTORIZATION_CHOICES
from pdekit.fem.geometry.shapes2d import polygon_problem
from pdekit.fem.geometry.mesh import MAX_CURVE_ORDER
from pdekit.fem.geometry.solids import parse_combine
from pdekit.fem.solve.lobpcg import PRECONDITIONER_CHOICES
from pdekit.fem.solve.partition import PARTITIONER_CHOICES
from pdekit.fem.solve.method import METHOD_CHOICES
from pdekit.fem.solve.slepc_solver import PROBLEM_TYPES
from pdekit.petsc_options import PetscValue
from pdekit.core.renames import Renamed

Shape = Literal["square", "rectangle", "lshape", "disk", "polygon", "box", "ball",
                "cylinder", "fichera", "prism", "csg", "mesh"]
Positive = Annotated[float, Field(gt=0)]
SOLIDS = ("box", "ball", "cylinder", "fichera", "prism", "csg")
"""The 3D shapes (``mesh`` is 2D or 3D by its file)."""


def _point3(point: list[float]) -> list[float]:
    if len(point) != 3:
        raise ValueError("a point [x, y, z]")
    return point


def _sizes3(sizes: list[float]) -> list[float]:
    if len(sizes) != 3 or min(sizes) <= 0:
        raise ValueError("three positive sizes [dx, dy, dz]")
    return sizes


Point3 = Annotated[list[float], AfterValidator(_point3)]
Sizes3 = Annotated[list[float], AfterValidator(_sizes3)]


class BoxPrimitive(Section):
    """A box of a CSG solid: ``corner + [0, sizes]``."""

    shape: Literal["box"]
    corner: Point3 = Field([0.0, 0.0, 0.0], description="lowest corner [x, y, z]")
    sizes: Sizes3 = Field([1.0, 1.0, 1.0], description="edge lengths [dx, dy, dz]")


class BallPrimitive(Section):
    """A ball of a CSG solid."""

    shape: Literal["ball"]
    center: Point3 = Field([0.0, 0.0, 0.0], description="center [x, y, z]")
    radius: Positive = Field(1.0, description="radius")


class CylinderPrimitive(Section):
    """A cylinder of a CSG solid, axis along z from ``base``."""

    shape: Literal["cylinder"]
    base: Point3 = Field([0.0, 0.0, 0.0], description="center of the bottom disk [x, y, z]")
    radius: Positive = Field(1.0, description="radius")
    height: Positive = Field(1.0, description="length along +z")


Primitive = Annotated[Union[BoxPrimitive, BallPrimitive, CylinderPrimitive],
                      Field(discriminator="shape")]


class GeometrySection(Section):
    """``[geometry]``: the domain."""

    shape: Shape = Field("square", description="domain (2D: square, rectangle, lshape, "
                                               "disk, polygon; 3D: box, ball, cylinder, "
                                               "fichera, prism, csg; mesh: by its file)")
    side: Positive = Field(1.0, description="side of the square (0,side)²")
    width: Positive = Field(1.0, description="rectangle (0,width)×(0,height)")
    height: Positive = Field(1.0, description="rectangle (0,width)×(0,height); length of "
                                               "a cylinder or prism along z")
    radius: Positive = Field(1.0, description="disk, ball or cylinder radius")
    center: list[float] | None = Field(None, description="disk center [x, y]; ball or "
                                                         "Fichera center [x, y, z] "
                                                         "(default: the origin)")
    corner: Point3 = Field([0.0, 0.0, 0.0], description="box: lowest corner [x, y, z]")
    sizes: Sizes3 = Field([1.0, 1.0, 1.0], description="box: edge lengths [dx, dy, dz]")
    base: Point3 = Field([0.0, 0.0, 0.0], description="cylinder: center of the bottom "
                                                      "disk [x, y, z] (axis along z)")
    half: Positive = Field(1.0, description="Fichera corner c + (−half, half)³ minus the "
                                            "octant c + [0, half)³")
    vertices: list[list[float]] | None = Field(
        None, description="polygon or prism base vertices [[x, y], ...]")
    edge_names: list[str] | None = Field(
        None, description="polygon boundary / prism side face names, one per edge i -> i+1 "
                          "(default edge0, edge1, ...)")
    primitives: dict[str, Primitive] = Field(
        {}, description="csg: named primitives [geometry.primitives.<name>] with shape = "
                        "box/ball/cylinder and their keys")
    combine: str | None = Field(None, description="csg: primitives joined by + (union) and "
                                                  "- (difference), left to right, e.g. "
                                                  "'block + post - hole'")
    file: str | None = Field(None, description="mesh file relative to the case file "
                                               "(shape = 'mesh'): Gmsh .msh (2D: format 2; "
                                               "3D tetrahedra: format 2 or 4) or Netgen .vol")

    @field_validator("center")
    @classmethod
    def _a_point(cls, center: list[float] | None) -> list[float] | None:
        if center is not None and len(center) not in (2, 3):
            raise ValueError("a point [x, y] (2D) or [x, y, z] (3D)")
        return center

    @field_validator("vertices")
    @classmethod
    def _a_simple_polygon(cls, vertices: list[list[float]] | None) -> list[list[float]] | None:
        problem = None if vertices is None else polygon_problem(vertices)
        if problem:
            raise ValueError(problem)
        return vertices

    def point_dimension(self) -> int:
        """Coordinates of a point of this shape (``center``): 3 for solids, else 2."""
        return 3 if self.shape in SOLIDS else 2

    @model_validator(mode="after")
    def _keys_of_the_shape(self) -> "GeometrySection":
        if self.shape in ("polygon", "prism"):
            if self.vertices is None:
                raise KeyError_("vertices", f"a vertex list for shape = '{self.shape}'")
            if self.edge_names is not None and len(self.edge_names) != len(self.vertices):
                raise KeyError_("edge_names", f"{len(self.vertices)} names (one per edge)",
                                self.edge_names)
        elif self.vertices is not None:
            raise KeyError_("vertices", "no vertices unless shape = 'polygon' or 'prism'")
        if self.center is not None and self.shape != "mesh":
            dim = self.point_dimension()
            if len(self.center) != dim:
                raise KeyError_("center", "a point [x, y, z]" if dim == 3 else "a point [x, y]",
                                self.center)
        if self.shape == "csg":
            if len(self.primitives) < 2 or not self.combine:
                raise KeyError_("combine" if len(self.primitives) >= 2 else "primitives",
                                "at least two [geometry.primitives.<name>] tables and "
                                "combine = 'a + b - c' for shape = 'csg'", self.combine)
            try:
                parse_combine(self.combine, list(self.primitives))
            except ValueError as problem:
                raise KeyError_("combine", str(problem), self.combine) from None
        elif self.primitives or self.combine is not None:
            raise KeyError_("primitives" if self.primitives else "combine",
                            "no CSG primitives unless shape = 'csg'")
        if self.shape == "mesh" and not self.file:
            raise KeyError_("file", "a mesh file (.msh or .vol) for shape = 'mesh'")
        return self


class MeshSection(Section):
    """``[mesh]``: Netgen meshing, refinement, hp-grading, curving."""

    maxh: Positive = Field(0.1, description="Netgen mesh size of the coarse mesh")
    refine: int = Field(0, ge=0, description="uniform refinements after meshing (h/2 each)")
    hp: bool = Field(True, description="geometric grading toward singular corners (π/ω not "
                                       "an integer; built-in geometries and polygons, not "
                                       "Gmsh files)")
    hp_levels: int = Field(0, ge=0, description="hp grading layers (0: auto = element order)")
    hp_factor: float = Field(0.2, gt=0, lt=1, description="hp grading ratio per layer")
    curve: int = Field(0, ge=0, le=MAX_CURVE_ORDER,
                       description=f"order of curved boundaries, at most {MAX_CURVE_ORDER} "
                                   "(0: auto = element order, capped there)")


class FemSection(Section):
    """``[fem]``: the finite element space."""

    order: int = Field(2, ge=1, description="H1 polynomial order p")


class BoundarySection(Section):
    """``[boundary]``: Dirichlet or Neumann, by boundary name."""

    default: Literal["dirichlet", "neumann"] = Field(
        "dirichlet", description="condition on boundaries not listed")
    dirichlet: list[str] = Field([], description="boundary names with u = 0")
    neumann: list[str] = Field([], description="boundary names with ∂u/∂n = 0")

    @model_validator(mode="after")
    def _not_both(self) -> "BoundarySection":
        overlap = set(self.dirichlet) & set(self.neumann)
        if overlap:
            raise KeyError_("neumann", "names not also listed as Dirichlet", sorted(overlap))
        return self


class SolverSection(Section):
    """``[solver]``: SLEPc settings (``[solver.petsc]``: any options database entry)."""

    nev: int = Field(6, ge=1, description="number of eigenpairs")
    target: float | None = Field(None, description="shift σ: eigenvalues nearest it (default "
                                                   "0, or -1 when no boundary is Dirichlet)")
    ncv: int | None = Field(None, ge=1, description="Krylov subspace size (default: SLEPc's)")
    tol: Positive = Field(1e-10, description="relative convergence tolerance")
    max_it: int = Field(1000, ge=1, description="maximum Krylov–Schur restarts")
    problem_type: choice(*PROBLEM_TYPES.names()) = Field(  # type: ignore[valid-type]
        "ghep", description="SLEPc problem type")
    method: choice(*METHOD_CHOICES) = Field(  # type: ignore[valid-type]
        "auto", description="eigensolver: 'krylovschur' (shift-and-invert, the eigenvalues "
                            "nearest the target), 'arnoldi', 'lobpcg' (LOBPCG + AMG: the "
                            "smallest eigenvalues), 'slicing' (spectrum slicing: all of "
                            "solver.interval, or the lowest nev); 'auto' picks by the "
                            "problem, summary.json solver.method_choice says which ran "
                            "and why (others via [solver.petsc] eps_type)")
    preconditioner: choice(*PRECONDITIONER_CHOICES) = Field(  # type: ignore[valid-type]
        "auto", description="LOBPCG's preconditioner on A − σM: 'multigrid' (geometric, on "
                            "the levels of mesh.refine; one rank), 'gamg' (PETSc smoothed "
                            "aggregation) or 'hypre' (BoomerAMG); 'auto': multigrid where "
                            "the mesh was refined and one rank runs, else gamg")
    block_size: int | None = Field(None, ge=1, description="LOBPCG block size (default: "
                                                          "nev; more columns than nev "
                                                          "speed up a cluster cut by nev)")
    restart: float | None = Field(None, ge=0.1, le=1.0, description="restart threshold in "
                                  "[0.1, 1] of SLEPc's LOBPCG, run with [solver.petsc] "
                                  "eps_type = 'lobpcg' (default: SLEPc's 0.9); pdekit's "
                                  "own LOBPCG does not restart")
    interval: list[float] | None = Field(None, description="[a, b]: every eigenvalue in "
                                                           "it by spectrum slicing (nev "
                                                           "is then not used)")
    partitions: int = Field(1, ge=1, description="spectrum slicing under MPI: "
                                                 "sub-communicators the interval is split "
                                                 "among (a divisor of the rank count)")
    partitioner: choice(*PARTITIONER_CHOICES) = Field(  # type: ignore[valid-type]
        "auto", description="under mpiexec, how the rows are split among the ranks for the "
                            "solve: 'rcb' (recursive coordinate bisection of the dofs' "
                            "points), 'graph' (PT-Scotch or ParMETIS on the matrix graph); "
                            "'auto' is rcb; summary.json solver.partitioner says which ran")
    factorization: choice(*FACTORIZATION_CHOICES) = Field(  # type: ignore[valid-type]
        "auto", description="how shift-and-invert solves with A − σM: 'auto' (A − σM "
                            "s.p.d.: Cholesky, CHOLMOD on one rank, MUMPS on several, or CG "
                            "+ GAMG when the factor exceeds factor_memory or a 3D mesh has "
                            "over 1e5 dofs; otherwise MUMPS LU); 'iterative' is CG + GAMG, "
                            "'iterative-hypre' CG + BoomerAMG; summary.json "
                            "solver.factorization says which ran and why")
    factor_memory: Positive | None = Field(
        None, description="largest direct factor 'auto' attempts, GiB (default: half the "
                          "physical memory)")
    cluster_rtol: Positive = Field(5e-3, description="relative gap below which eigenvalues "
                                                     "form one multiplicity cluster "
                                                     "(discretization splits multiplets by "
                                                     "about the FEM error)")
    accuracy: Positive | None = Field(None, description="target relative error of every "
                                                        "eigenvalue: raise the order (and hp "
                                                        "layers) from fem.order until "
                                                        "successive orders agree to it")
    max_order: int = Field(16, ge=2, description="highest order an accuracy target may use")
    bounds: Literal["off", "guaranteed"] = Field(
        "off", description="'guaranteed': for each k ≤ nev a proven lower and upper bound "
                           "of λ_k (2D polygons, Dirichlet on the whole boundary, one "
                           "rank): Crouzeix–Raviart with the explicit constant 0.1893 h_max "
                           "(Liu & Oishi 2013) for a first lower bound, Rayleigh–Ritz on "
                           "the hp eigenvectors above and Lehmann–Goerisch with "
                           "Raviart–Thomas fields below, the small final problems in "
                           "interval arithmetic, indices by inertia counts; summary.json "
                           "bounds says which steps are verified and which rounding is "
                           "only estimated (matrix assembly)")
    bounds_target: float = Field(1e-8, ge=1e-13, description="relative width (upper − "
                                                            "lower)/lower the guaranteed "
                                                            "bounds aim at: the order "
                                                            "climbs from fem.order by 2 up "
                                                            "to solver.max_order until "
                                                            "every width is below it")
    petsc: dict[str, PetscValue] = Field({}, description="PETSc/SLEPc options database "
                                                         "entries, e.g. [solver.petsc] "
                                                         "eps_view = true")

    @field_validator("interval")
    @classmethod
    def _an_interval(cls, interval: list[float] | None) -> list[float] | None:
        if interval is not None and (len(interval) != 2 or not interval[0] < interval[1]):
            raise ValueError("two numbers [a, b] with a < b")
        return interval

    @model_validator(mode="after")
    def _subspace_holds_the_pairs(self) -> "SolverSection":
        if self.ncv is not None and self.ncv < self.nev:
            raise KeyError_("ncv", f"ncv >= nev = {self.nev}", self.ncv)
        smallest = self.method in ("lobpcg", "slicing") or self.interval is not None
        if smallest and self.problem_type != "ghep":
            raise KeyError_("problem_type", f"'ghep' for method = '{self.method}' or an "
                            "interval (both need a Hermitian problem)", self.problem_type)
        if self.method in ("lobpcg", "slicing") and self.interval is None \
                and self.target is not None and self.target > 0:
            raise KeyError_("target", f"no target above 0 with method = '{self.method}' "
                            "(it finds the smallest eigenvalues)", self.target)
        if self.interval is not None and self.method not in ("auto", "slicing"):
            raise KeyError_("method", "'auto' or 'slicing' with an interval", self.method)
        if self.interval is not None and self.accuracy is not None:
            raise KeyError_("accuracy", "no accuracy target with an interval (the count "
                            "of eigenvalues in it changes with the order)", self.accuracy)
        return self


class ConvergenceSection(Section):
    """``[convergence]``: a study over refinements × orders."""

    refine: list[Annotated[int, Field(ge=0)]] = Field(
        [], description="uniform refinement levels of a convergence study")
    orders: list[Annotated[int, Field(ge=1)]] = Field(
        [], description="element orders of a convergence study")
    reference: list[float] = Field([], description="reference eigenvalues (default: built-in "
                                                   "exact values or Richardson extrapolation)")
    compare: int = Field(0, ge=0, description="eigenvalues tabulated per level "
                                              "(0: min(nev, 4))")


class OutputSection(Section):
    """``[output]``: mode files and pictures."""

    modes: int = Field(6, ge=0, description="eigenmodes written as .vtu (+ modes.pvd)")
    plot: int = Field(16, ge=0, description="most eigenmodes drawn in modes.png (every "
                                             "computed one up to this many)")
    subdivision: int = Field(0, ge=0, description="sub-triangles per element edge in the "
                                                  "output (0: auto = max(order, curve))")


class EigenCase(KindCase):
    """A whole ``kind = "eigen"`` case file."""

    renamed = (Renamed("geometry.primitives.*.kind", "geometry.primitives.*.shape"),)

    geometry: GeometrySection = GeometrySection()
    mesh: MeshSection = MeshSection()
    fem: FemSection = FemSection()
    boundary: BoundarySection = BoundarySection()
    solver: SolverSection = SolverSection()
    convergence: ConvergenceSection = ConvergenceSection()
    output: OutputSection = OutputSection()

    @model_validator(mode="after")
    def _interval_on_one_level(self) -> "EigenCase":
        if self.solver.interval is not None and (self.convergence.refine
                                                 or self.convergence.orders):
            raise KeyError_("solver.interval", "no interval with a convergence study (the "
                            "count of eigenvalues in it changes from level to level)",
                            self.solver.interval)
        return self
