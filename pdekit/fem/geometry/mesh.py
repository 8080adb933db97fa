"""Meshing: Netgen on rank 0, uniform refinement in parallel, hp-grading, curving.

Netgen meshing at a tiny ``maxh`` is slow, so meshes are made coarse and refined
uniformly (each ``Refine`` halves h). Geometric hp-grading toward the corners (2D) or the
edges and vertices (3D) marked ``hpref`` uses ``Mesh.RefineHP(levels, factor)``: ``levels``
layers of elements shrinking by ``factor`` toward each singularity (Babuška & Guo 1986;
Schwab, *p- and hp-Finite Element Methods*, 1998, ch. 4). With ``levels`` proportional to
the order p, the error of singular eigenvalues decays exponentially in the number of dofs.

Under MPI, rank 0 meshes only the coarse mesh and calls ``Distribute``; the other ranks
``Receive`` and attach their own copy of the geometry (cheap to rebuild; refinement
projects new boundary points on it and ``mesh.Curve`` needs it). Every rank then refines
its part uniformly (``ngmesh.Refine()`` on a distributed mesh gives the same mesh as
refining the whole: the eigenvalues agree to 1e-14). hp-graded meshes are the exception:
the grading must see the whole mesh (``RefineHP`` on a distributed mesh hangs with NGSolve
6.2.2608) and Netgen cannot refine the prisms, pyramids and hexahedra it makes
("refinement for non-tet elements is not supported"), so rank 0 refines, grades, then
distributes — hp meshes are coarse by design, the high order doing the work.
"""

from __future__ import annotations

import contextlib
import io
import math
from dataclasses import dataclass
from typing import Any

from pdekit import interruptible
from pdekit.fem.geometry.shapes2d import Shape
from pdekit.fem.geometry.mesh_text import MeshFileError
from pdekit.fem.geometry.solids import Solid

MAX_CURVE_ORDER = 20
"""Highest order of curved boundaries (``mesh.curve``; the automatic curve order, the element
order, is capped at it). Netgen 6.2.2608 crashes (signal 11) in ``Mesh.Curve(k)`` on a 3D
mesh for k ≥ 51, and the time grows like k^3.5 below: on the unit ball at maxh 0.1 (14 770
tetrahedra) ``Curve(k)`` took 0.4, 0.9, 2.0, 3.9, 7.1 s for k = 8, 12, 16, 20, 24 (87 s at
k = 50 in issue #21); in 2D, on the unit disk, 0.6 s at k = 200 and 16 s at 500. Nothing is
gained past about 12: the curved unit ball's volume is exact to rounding (1e-14 … 2e-14) from
k = 12 on coarse meshes (maxh 0.8 and 0.4: 107 and 215 tetrahedra), the disk's area from
k = 10 (24 triangles), and the error grows again with k (1.4e-13 at k = 20) as rounding
accumulates."""


@dataclass
class MeshInfo:
    """What was meshed: counts for the report (global, valid on every rank)."""

    elements: int
    vertices: int
    singular_corners: list[int]
    hp_levels: int
    curve_order: int
    refinements: int
    singular_edges: list[dict[str, Any]]
    parallel_refinement: bool


def read_gmsh(path: str) -> Any:
    """Read a Gmsh mesh file (``.msh`` text format 2) into a Netgen mesh.

    Raises
    ------
    MeshFileError
        When Netgen cannot read it or it has no 2D elements.
    """
    from netgen.read_gmsh import ReadGmsh

    try:
        # ReadGmsh prints "WARNING: Physical groups detected..." for every file with
        # physical groups, which are what pdekit reads the boundary names from
        with contextlib.redirect_stdout(io.StringIO()):
            ngmesh = ReadGmsh(str(path))
    except Exception as error:  # netgen raises plain exceptions with C++ messages
        raise MeshFileError(f"a readable Gmsh 2.x mesh ({type(error).__name__}: {error})"
                            ) from None
    if ngmesh.dim != 2 or len(ngmesh.Elements2D()) == 0:
        raise MeshFileError("a 2D Gmsh mesh with triangles or quadrilaterals")
    return ngmesh



def _geometry(shape: Shape | Solid, dirichlet: set[str], hp: bool
              ) -> tuple[Any, list[int], list[dict[str, Any]]]:
    """The Netgen geometry (``None`` for mesh files), the singular 2D corners and the
    singular 3D edges (as report entries), marked for grading when ``hp``."""
    if shape.from_file:
        return None, [], []
    if isinstance(shape, Solid):
        assert shape.shape is not None
        geometry, edges, _ = shape.shape.graded_geometry(hp, dirichlet)
        return geometry, [], [{"start": list(e.start), "end": list(e.end),
                               "angle_deg": round(math.degrees(e.angle), 3),
                               "faces": list(e.faces)} for e in edges]
    geometry, singular = shape.netgen_geometry(dirichlet, hp)
    return geometry, singular, []


def _coarse_mesh(shape: Shape | Solid, geometry: Any, maxh: float) -> Any:
    """The coarse Netgen mesh: read from the file or generated at ``maxh``."""
    if not shape.from_file:
        return geometry.GenerateMesh(maxh=maxh)
    if isinstance(shape, Solid):
        from pdekit.fem.geometry.mesh3d import read_mesh_file

        return read_mesh_file(str(shape.file))
    return read_gmsh(str(shape.file))


def build_mesh(shape: Shape | Solid, dirichlet: set[str], *, maxh: float, refine: int,
               hp: bool, hp_levels: int, hp_factor: float, curve_order: int,
               comm: Any = None) -> tuple[Any, MeshInfo]:
    """Make the NGSolve mesh, distributed over ``comm`` when it has more than one rank.

    Parameters
    ----------
    shape
        2D :class:`~pdekit.fem.geometry.shapes2d.Shape` or 3D :class:`~pdekit.fem.geometry.solids.Solid`.
    dirichlet
        Dirichlet boundary names (decide the singular corners and edges).
    maxh
        Netgen mesh size of the coarse mesh.
    refine
        Uniform refinements after meshing (h → h/2 each), in parallel when distributed.
    hp, hp_levels, hp_factor
        Geometric grading toward singular corners/edges: on/off, layers, ratio.
    curve_order
        Polynomial order of the curved boundary (0/1: straight; at most
        :data:`MAX_CURVE_ORDER`).
    comm
        mpi4py communicator, or ``None`` for serial.

    Returns
    -------
    mesh, info
        ``ngsolve.Mesh`` (this rank's part) and :class:`MeshInfo` (global counts).
    """
    import netgen.meshing
    import ngsolve

    parallel = comm is not None and comm.size > 1
    root = not parallel or comm.rank == 0
    # Only rank 0 grades, so only it pays for the analysis of singular edges.
    geometry, singular, edges = _geometry(shape, dirichlet, hp and root)
    if parallel:
        singular, edges = comm.bcast((singular, edges), root=0)
    levels = hp_levels if hp and (singular or edges) else 0
    in_parallel = parallel and not levels  # see the module docstring
    if root:
        def mesh_and_refine() -> Any:
            made = _coarse_mesh(shape, geometry, maxh)
            for _ in range(0 if in_parallel else refine):
                made.Refine()
            if levels:
                ngsolve.Mesh(made).RefineHP(levels, hp_factor)
            return made

        # Netgen releases the GIL but ignores signals: meshing a complex CSG takes
        # minutes, which SIGTERM must be able to end
        ngmesh = interruptible.call(mesh_and_refine)
        if parallel:
            ngmesh = ngmesh.Distribute(comm)
    else:
        ngmesh = netgen.meshing.Mesh.Receive(comm)
        if geometry is not None:
            ngmesh.SetGeometry(geometry)
    for _ in range(refine if in_parallel else 0):
        ngmesh.Refine()  # each rank its own part
    mesh = ngsolve.Mesh(ngmesh)
    curve = min(curve_order, MAX_CURVE_ORDER) if shape.curved and curve_order > 1 else 0
    if curve:
        mesh.Curve(curve)
    elements = comm.allreduce(mesh.ne) if parallel else mesh.ne
    vertices = ngsolve.H1(mesh, order=1).ndofglobal  # shared vertices counted once
    return mesh, MeshInfo(elements, vertices, singular, levels, curve, refine, edges,
                          in_parallel)
