"""The ``[domain]`` section of a ``turing`` case: where the reaction–diffusion system lives
when it is not a box grid.

It *is* the eigen kind's ``[geometry]`` section (:class:`pdekit.fem.schema.GeometrySection`:
the same shapes and keys, one geometry layer for both kinds) widened by the closed
surfaces ``sphere``, ``ellipsoid``, ``torus`` and ``surface`` (a triangulated surface mesh
file), plus the keys of the finite-element discretization: mesh size, refinements, element
order, mass lumping, curved elements and Dirichlet boundaries. Nothing here imports
NGSolve.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, model_validator

from pdekit.core.casemodel import Field, KeyError_
from pdekit.fem.geometry.mesh import MAX_CURVE_ORDER
from pdekit.fem.schema import SOLIDS, GeometrySection, Positive

SURFACES = ("sphere", "ellipsoid", "torus", "surface")
"""Closed surfaces in 3D: the PDE lives on the surface (Laplace–Beltrami diffusion)."""

DomainShape = Literal["square", "rectangle", "lshape", "disk", "polygon", "box", "ball",
                      "cylinder", "fichera", "prism", "csg", "mesh", "sphere", "ellipsoid",
                      "torus", "surface"]


def _three_positive(values: list[float]) -> list[float]:
    if len(values) != 3 or min(values) <= 0:
        raise ValueError("three positive semi-axes [a, b, c]")
    return values


class DomainSection(GeometrySection):
    """``[domain]``: the domain of a finite-element ``turing`` run (instead of ``[grid]``).

    The shapes and their keys are those of the eigen kind's ``[geometry]``; the closed
    surfaces ``sphere``, ``ellipsoid``, ``torus`` and ``surface`` (a mesh file of
    triangles in 3D) carry the system on the surface itself. Walls are no-flux (the
    natural condition) unless named in ``dirichlet``.
    """

    shape: DomainShape = Field(
        "square", description="domain: 2D square, rectangle, lshape, disk, polygon; 3D "
                              "box, ball, cylinder, fichera, prism, csg; mesh (2D or 3D by "
                              "its file); closed surfaces sphere, ellipsoid, torus, surface "
                              "(a triangle mesh file in 3D)")
    radius: Positive = Field(1.0, description="disk, ball, cylinder or sphere radius; the "
                                              "torus' major radius (centre of the tube to "
                                              "the axis)")
    center: list[float] | None = Field(None, description="disk center [x, y]; ball, "
                                                         "Fichera, sphere, ellipsoid or "
                                                         "torus center [x, y, z] (default: "
                                                         "the origin)")
    file: str | None = Field(None, description="mesh file relative to the case file: "
                                               "shape = 'mesh', Gmsh .msh or Netgen .vol "
                                               "(as for eigen cases); shape = 'surface', "
                                               "a triangle surface mesh in 3D (.msh, .stl, "
                                               ".obj, .ply, .vtu, .off: whatever meshio "
                                               "reads)")
    semi_axes: Annotated[list[float], AfterValidator(_three_positive)] = Field(
        [1.0, 1.0, 0.5], description="ellipsoid: semi-axes [a, b, c] along x, y, z")
    minor_radius: Positive = Field(0.4, description="torus: radius of the tube (below "
                                                    "radius)")
    maxh: Positive = Field(0.1, description="Netgen mesh size (largest element edge)")
    refine: int = Field(0, ge=0, description="uniform refinements after meshing (h/2 "
                                             "each; not for shape = 'surface')")
    order: Literal[1, 2] = Field(1, description="element order: 1 (P1) or 2 (P2, nodal "
                                                "basis)")
    lumped: bool = Field(False, description="P1 only: lumped (diagonal, row-sum) mass "
                                            "matrix instead of the consistent one")
    curve: int = Field(0, ge=0, le=MAX_CURVE_ORDER,
                       description="order of the curved geometry of elements on curved "
                                   "boundaries and surfaces (0: auto = element order; 1: "
                                   f"flat; at most {MAX_CURVE_ORDER})")
    dirichlet: list[str] = Field([], description="boundary names where u and v are held at "
                                                 "the homogeneous steady state (every other "
                                                 "wall is no-flux; closed surfaces have no "
                                                 "boundary)")

    def point_dimension(self) -> int:
        """Coordinates of ``center``: 3 for solids and surfaces, else 2."""
        return 3 if self.shape in SOLIDS or self.shape in SURFACES else 2

    @property
    def surface(self) -> bool:
        """Whether the domain is a closed surface in 3D."""
        return self.shape in SURFACES

    @model_validator(mode="after")
    def _keys_of_the_discretization(self) -> "DomainSection":
        if self.lumped and self.order != 1:
            raise KeyError_("lumped", "false with order = 2 (row-sum lumping of P2 mass "
                                      "matrices gives zero vertex weights)", self.lumped)
        if self.shape == "torus" and self.minor_radius >= self.radius:
            raise KeyError_("minor_radius", f"a tube radius below radius = {self.radius:g} "
                                            "(a ring torus)", self.minor_radius)
        if self.shape == "surface":
            if not self.file:
                raise KeyError_("file", "a triangle surface mesh file for shape = 'surface'")
            if self.refine:
                raise KeyError_("refine", "0 for shape = 'surface' (a mesh file without a "
                                          "geometry to refine onto)", self.refine)
        if self.surface and self.dirichlet:
            raise KeyError_("dirichlet", f"no Dirichlet boundaries on the closed surface "
                                         f"'{self.shape}' (it has no boundary)", self.dirichlet)
        return self
