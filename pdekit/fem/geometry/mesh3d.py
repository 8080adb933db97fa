"""3D mesh files (meshing itself is :func:`pdekit.fem.geometry.mesh.build_mesh`, 2D and 3D).

``read_mesh_file`` loads a tetrahedral mesh — Netgen ``.vol`` or Gmsh ``.msh`` 2.x/4.1
text — through pdekit's own checked readers (:func:`pdekit.fem.geometry.solids.read_mesh_tets`) and
builds the Netgen mesh from their arrays (:func:`netgen_mesh`): Netgen never parses the
file, so no file can crash it. Boundary names come from the file (``bcnames``, the physical
surface names); the geometry a ``.vol`` file may carry after ``endmesh`` is not read, so
refinement splits the elements as they are.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from pdekit.fem.geometry.mesh_text import MeshFileError
from pdekit.fem.geometry.solids import read_mesh_tets
from pdekit.fem.geometry.tet_mesh import TetMesh


def netgen_mesh(mesh: TetMesh) -> Any:
    """The Netgen mesh of a checked :class:`~pdekit.fem.geometry.tet_mesh.TetMesh`: one domain per
    material, one face descriptor (and boundary number) per boundary name."""
    from netgen.meshing import FaceDescriptor, Mesh

    ngmesh = Mesh(dim=3)
    ngmesh.AddPoints(np.ascontiguousarray(mesh.points, dtype=np.float64))
    for number, name in enumerate(mesh.materials, start=1):
        ngmesh.SetMaterial(number, name)
        cells = mesh.tets[mesh.domains == number]
        ngmesh.AddElements(dim=3, index=number, data=np.ascontiguousarray(cells), base=0)
    for number, name in enumerate(mesh.names, start=1):
        face = ngmesh.Add(FaceDescriptor(surfnr=number, domin=1, domout=0, bc=number))
        ngmesh.SetBCName(number - 1, name)
        cells = mesh.triangles[mesh.faces == number - 1]
        ngmesh.AddElements(dim=2, index=face, data=np.ascontiguousarray(cells), base=0)
    return ngmesh


def read_mesh_file(path: str | Path) -> Any:
    """Read a 3D tetrahedral mesh file into a Netgen mesh (``ngsolve.Mesh(...)`` wraps it).

    Parameters
    ----------
    path
        ``.vol`` (Netgen text) or ``.msh`` (Gmsh text, format 2.x or 4.1).

    Raises
    ------
    MeshFileError
        When the file is missing, unreadable, or not a 3D mesh with tetrahedra.
    """
    path = Path(path)
    if not path.is_file():
        raise MeshFileError(f"an existing mesh file (no file {str(path)!r})")
    try:
        mesh = read_mesh_tets(path)
    except (OSError, ValueError) as error:
        raise MeshFileError(f"a readable 3D mesh ({error})") from None
    if mesh is None:
        raise MeshFileError("a 3D mesh with tetrahedra")
    return netgen_mesh(mesh)
