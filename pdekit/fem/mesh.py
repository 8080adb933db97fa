"""Meshing: Netgen on rank 0, uniform and hp refinement, distribution, curving.

Netgen meshing at a tiny ``maxh`` is slow, so meshes are made coarse and refined
uniformly (each ``Refine`` halves h). Geometric hp-grading toward the corners marked
``hpref`` uses ``Mesh.RefineHP(levels, factor)``: ``levels`` layers of elements shrinking
by ``factor`` toward each singular corner (Babuška & Guo 1986; Schwab, *p- and hp-Finite
Element Methods*, 1998, ch. 4). With ``levels`` proportional to the order p, the error of
corner-singular eigenvalues decays exponentially in the number of degrees of freedom.

Under MPI, rank 0 meshes and refines the whole mesh and calls ``Distribute``; the other
ranks ``Receive``. The received meshes carry no geometry, so each rank attaches its own
copy (the geometry is cheap to rebuild) before ``mesh.Curve(order)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pdekit.fem.geometry import Shape, spline_geometry


@dataclass
class MeshInfo:
    """What was meshed: counts for the report (global, valid on every rank)."""

    elements: int
    vertices: int
    singular_corners: list[int]
    hp_levels: int
    curve_order: int
    refinements: int


class MeshFileError(ValueError):
    """A mesh file that exists but cannot be read as a 2D Gmsh mesh."""


def read_gmsh(path: str) -> Any:
    """Read a Gmsh mesh file (``.msh`` text format 2) into a Netgen mesh.

    Raises
    ------
    MeshFileError
        When Netgen cannot read it or it has no 2D elements.
    """
    from netgen.read_gmsh import ReadGmsh

    try:
        ngmesh = ReadGmsh(str(path))
    except Exception as error:  # netgen raises plain exceptions with C++ messages
        raise MeshFileError(f"a readable Gmsh 2.x mesh ({type(error).__name__}: {error})"
                            ) from None
    if ngmesh.dim != 2 or len(ngmesh.Elements2D()) == 0:
        raise MeshFileError("a 2D Gmsh mesh with triangles or quadrilaterals")
    return ngmesh


def build_mesh(shape: Shape, dirichlet: set[str], *, maxh: float, refine: int,
               hp: bool, hp_levels: int, hp_factor: float, curve_order: int,
               comm: Any = None) -> tuple[Any, MeshInfo]:
    """Make the NGSolve mesh, distributed over ``comm`` when it has more than one rank.

    Parameters
    ----------
    shape
        Geometry description.
    dirichlet
        Dirichlet boundary names (decide the singular corners).
    maxh
        Netgen mesh size of the coarse mesh.
    refine
        Uniform refinements after meshing (h → h/2 each).
    hp, hp_levels, hp_factor
        Geometric grading toward singular corners: on/off, layers, ratio.
    curve_order
        Polynomial order of the curved boundary (0/1: straight).
    comm
        mpi4py communicator, or ``None`` for serial.

    Returns
    -------
    mesh, info
        ``ngsolve.Mesh`` (this rank's part) and :class:`MeshInfo`.
    """
    import netgen.meshing
    import ngsolve

    parallel = comm is not None and comm.size > 1
    geometry, singular = None, []
    if shape.kind != "mesh":
        geometry, singular = spline_geometry(shape, dirichlet, hp)
    levels = hp_levels if hp and singular else 0
    info_data: tuple[int, int] | None = None
    if not parallel or comm.rank == 0:
        if shape.kind == "mesh":
            ngmesh = read_gmsh(str(shape.file))
        else:
            ngmesh = geometry.GenerateMesh(maxh=maxh)
        for _ in range(refine):
            ngmesh.Refine()
        if levels:
            ngsolve.Mesh(ngmesh).RefineHP(levels, hp_factor)
        info_data = (len(ngmesh.Elements2D()), len(ngmesh.Points()))
        if parallel:
            ngmesh = ngmesh.Distribute(comm)
    else:
        ngmesh = netgen.meshing.Mesh.Receive(comm)
        if geometry is not None:
            ngmesh.SetGeometry(geometry)
    if parallel:
        info_data = comm.bcast(info_data, root=0)
    mesh = ngsolve.Mesh(ngmesh)
    curve = curve_order if shape.curved and curve_order > 1 else 0
    if curve:
        mesh.Curve(curve)
    assert info_data is not None
    return mesh, MeshInfo(info_data[0], info_data[1], singular, levels, curve, refine)
