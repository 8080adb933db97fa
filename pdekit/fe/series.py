"""ParaView output of a finite-element ``turing`` run: one ``.vtu`` per snapshot (u, v at
the mesh vertices; triangles in 2D and on surfaces, tetrahedra in solids) listed in a
``fields.pvd`` that is valid after every write (:class:`pdekit.output.PVDSeries`)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from pdekit.output import PVDSeries


class VTUSnapshots:
    """``on_output(t, w)`` for the integrators: writes ``fields_NNNNN.vtu`` and adds it to
    ``fields.pvd``.

    Parameters
    ----------
    folder
        The run folder.
    points
        Vertex coordinates (nv × 2 or 3).
    cells
        ``("triangle", m × 3)`` or ``("tetra", m × 4)``.
    vertex_fields
        ``w -> (u, v)`` at the vertices, from the integrators' state.
    """

    def __init__(self, folder: Path, points: np.ndarray, cells: tuple[str, np.ndarray],
                 vertex_fields: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]):
        self.folder = folder
        self.points = np.column_stack([points, np.zeros((len(points), 3 - points.shape[1]))])
        self.cells = [cells]
        self.vertex_fields = vertex_fields
        self.series = PVDSeries(folder / "fields.pvd")

    def __call__(self, t: float, w: np.ndarray) -> None:
        import meshio

        u, v = self.vertex_fields(w)
        path = self.folder / f"fields_{len(self.series.entries):05d}.vtu"
        meshio.write(str(path), meshio.Mesh(self.points, self.cells,
                                            point_data={"u": u, "v": v}), binary=True)
        self.series.add(t, path)
