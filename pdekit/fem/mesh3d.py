"""Meshing of the 3D shapes (serial): Netgen volume meshes, hp-grading, curving, files.

``build_mesh3d`` meshes a :class:`~pdekit.fem.geometry3d.Shape3D` coarsely, refines it
uniformly, grades it geometrically toward the edges and vertices marked ``hpref``
(``ngsolve.Mesh.RefineHP(levels, factor)``: ``levels`` layers shrinking by ``factor``;
Babuška & Guo 1986, Schwab 1998 ch. 4) and curves it to the FE order when faces are curved.

``read_mesh_file`` loads a tetrahedral mesh: Netgen ``.vol`` (``netgen.meshing.Mesh.Load``),
Gmsh ``.msh`` 2.x through ``netgen.read_gmsh.ReadGmsh`` and other Gmsh versions through
meshio (boundary names from the physical surface names).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Collection

from pdekit.fem.geometry3d import Point3, Shape3D, SingularEdge


class MeshFileError(ValueError):
    """A mesh file that exists but cannot be read as a 3D tetrahedral mesh."""


@dataclass
class Mesh3DInfo:
    """What was meshed (for the report)."""

    elements: int
    vertices: int
    singular_edges: list[SingularEdge] = field(default_factory=list)
    singular_vertices: list[Point3] = field(default_factory=list)
    hp_levels: int = 0
    curve_order: int = 0
    refinements: int = 0


def build_mesh3d(shape: Shape3D, *, maxh: float, dirichlet: Collection[str] | None = None,
                 refine: int = 0, hp: bool = False, hp_levels: int = 2,
                 hp_factor: float = 0.125, curve_order: int = 0) -> tuple[Any, Mesh3DInfo]:
    """Mesh ``shape`` and return an ``ngsolve.Mesh``.

    Parameters
    ----------
    shape
        A 3D shape.
    maxh
        Netgen mesh size of the coarse mesh (> 0).
    dirichlet
        Dirichlet face names (decide which edges are singular); ``None``: all alike.
    refine
        Uniform refinements after meshing (h → h/2 each).
    hp, hp_levels, hp_factor
        Geometric grading toward singular edges/vertices: on/off, layers, ratio in (0, 1).
    curve_order
        Order of the curved-element map for curved shapes (≤ 1: straight).

    Returns
    -------
    mesh, info
    """
    import ngsolve

    if not (isinstance(maxh, (int, float)) and 0 < maxh < float("inf")):
        raise ValueError(f"maxh: expected a positive finite number, got {maxh!r}")
    if hp and not 0 < hp_factor < 1:
        raise ValueError(f"hp_factor: expected a number in (0, 1), got {hp_factor!r}")
    geometry, edges, corners = shape.graded_geometry(hp, dirichlet)
    ngmesh = geometry.GenerateMesh(maxh=maxh)
    for _ in range(refine):
        ngmesh.Refine()
    mesh = ngsolve.Mesh(ngmesh)
    levels = hp_levels if hp and edges else 0
    if levels:
        mesh.RefineHP(levels, hp_factor)
    curve = curve_order if shape.curved and curve_order > 1 else 0
    if curve:
        mesh.Curve(curve)
    return mesh, Mesh3DInfo(mesh.ne, mesh.nv, edges, corners, levels, curve, refine)


def _netgen_from_meshio(data: Any) -> Any:
    """Netgen mesh from a meshio mesh with tetrahedra (+ named boundary triangles)."""
    import numpy as np
    from netgen.meshing import (Element2D, Element3D, FaceDescriptor, Mesh, MeshPoint,
                                Pnt)

    tets = [c.data for c in data.cells if c.type == "tetra"]
    if not tets:
        raise MeshFileError("a 3D mesh with tetrahedra")
    physical = data.cell_data.get("gmsh:physical")
    names = {int(tag): name for name, (tag, dim) in data.field_data.items() if dim == 2}
    mesh = Mesh(dim=3)
    ids = [mesh.Add(MeshPoint(Pnt(*map(float, p)))) for p in np.asarray(data.points)]
    mesh.SetMaterial(1, "domain")
    for cell in tets:
        for t in cell:
            mesh.Add(Element3D(1, [ids[i] for i in t]))
    index_of: dict[int, int] = {}
    for k, cell in enumerate(data.cells):
        if cell.type != "triangle":
            continue
        tags = physical[k] if physical is not None else np.zeros(len(cell.data), int)
        for tri, tag in zip(cell.data, tags):
            tag = int(tag)
            if tag not in index_of:
                index_of[tag] = mesh.Add(FaceDescriptor(bc=len(index_of) + 1, domin=1,
                                                        surfnr=len(index_of) + 1))
                mesh.SetBCName(index_of[tag] - 1, names.get(tag, f"boundary{tag}")
                               if physical is not None else "default")
            mesh.Add(Element2D(index_of[tag], [ids[i] for i in tri]))
    return mesh


def read_mesh_file(path: str | Path) -> Any:
    """Read a 3D tetrahedral mesh file into a Netgen mesh (``ngsolve.Mesh(...)`` wraps it).

    Parameters
    ----------
    path
        ``.vol`` (Netgen) or ``.msh`` (Gmsh; 2.x via Netgen, else via meshio).

    Raises
    ------
    MeshFileError
        When the file is missing, unreadable, or not a 3D mesh with tetrahedra.
    """
    path = Path(path)
    if not path.is_file():
        raise MeshFileError(f"an existing mesh file (no file {str(path)!r})")
    suffix = path.suffix.lower()
    try:
        if suffix == ".vol":
            from netgen.meshing import Mesh

            ngmesh = Mesh(dim=3)
            ngmesh.Load(str(path))
        elif suffix == ".msh":
            head = path.read_text(errors="replace")[:200].split()
            if len(head) < 2 or head[0] != "$MeshFormat":
                raise MeshFileError("a readable 3D mesh: Gmsh text with a $MeshFormat header")
            version = head[1]
            if version.startswith("2"):
                from netgen.read_gmsh import ReadGmsh

                ngmesh = ReadGmsh(str(path))
            else:
                import meshio

                ngmesh = _netgen_from_meshio(meshio.read(str(path)))
        else:
            raise MeshFileError(f"a .vol or .msh file (got {path.suffix!r})")
    except MeshFileError:
        raise
    except (Exception, SystemExit) as error:  # meshio may sys.exit on bad files
        raise MeshFileError(f"a readable 3D mesh ({type(error).__name__}: {error})") from None
    if ngmesh.dim != 3 or len(ngmesh.Elements3D()) == 0:
        raise MeshFileError("a 3D mesh with tetrahedra")
    return ngmesh


def mesh_boundaries(ngmesh: Any) -> list[str]:
    """Boundary names of a loaded mesh, sorted, without repeats."""
    import ngsolve

    return sorted({name for name in ngsolve.Mesh(ngmesh).GetBoundaries() if name})
