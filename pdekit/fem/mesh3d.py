"""3D mesh files (meshing itself is :func:`pdekit.fem.mesh.build_mesh`, 2D and 3D).

``read_mesh_file`` loads a tetrahedral mesh: Netgen ``.vol`` (``netgen.meshing.Mesh.Load``),
Gmsh ``.msh`` 2.x through ``netgen.read_gmsh.ReadGmsh`` and other Gmsh versions through
meshio (boundary names from the physical surface names).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pdekit.fem.mesh import MeshFileError


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
