"""A finite-element ``turing`` problem assembled on rank 0, split over the ranks of mpiexec.

Rank 0 meshes and assembles (:func:`pdekit.fe.assembly.assemble`) and splits the free dofs
into ``N`` slabs of equal count along the widest axis of their nodes' bounding box (one
level of coordinate bisection, Berger & Bokhari, IEEE Trans. Comput. C-36, 1987: a
planar cut, so only the dofs next to it couple to another rank). The dofs are renumbered
slab by slab (P M Pᵀ, P K Pᵀ: the same discrete problem), and each rank receives its rows
of the renumbered M and K, of the Dirichlet coupling and of the initial state, which rank
0 evaluated at every node (position-seeded noise: the same start on any number of ranks).

For ParaView every rank also receives a *piece*: the cells whose centroid lies in its
slab, their vertices, and for each vertex the global (renumbered) free dof that carries
its value, or −1 for a Dirichlet vertex held at the steady state.

Importing this module imports no PETSc or NGSolve.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp


@dataclass
class Piece:
    """This rank's cells for ParaView.

    Attributes
    ----------
    points
        Coordinates (m × 3) of the piece's vertices.
    kind, cells
        ``"triangle"`` or ``"tetra"`` and the cells on :attr:`points`.
    dofs
        Global (renumbered) free dof of each vertex, −1 where it is held (Dirichlet).
    """

    points: np.ndarray
    kind: str
    cells: np.ndarray
    dofs: np.ndarray


@dataclass
class Part:
    """This rank's share of the problem.

    Attributes
    ----------
    start, size
        First global row owned here and the number of free dofs in all.
    M, K
        This rank's rows of the renumbered mass and stiffness (global columns, CSR).
    coupling
        This rank's rows of K_free,Dirichlet · 1.
    w0
        This rank's initial state [u; v].
    piece
        The cells this rank writes.
    """

    start: int
    size: int
    M: sp.csr_matrix
    K: sp.csr_matrix
    coupling: np.ndarray
    w0: np.ndarray
    piece: Piece

    @property
    def n(self) -> int:
        """Rows owned here."""
        return self.M.shape[0]


def slabs(points: np.ndarray, parts: int) -> tuple[np.ndarray, int, np.ndarray]:
    """Split ``points`` into ``parts`` slabs of equal count along the widest axis.

    Returns
    -------
    slab, axis, cuts
        The slab of every point, the axis cut, and the ``parts − 1`` cut coordinates (a
        coordinate ≥ ``cuts[i]`` lies beyond cut i; ties stay in one slab).
    """
    axis = int(np.argmax(np.ptp(points, axis=0)))
    coordinate = points[:, axis]
    ordered = np.sort(coordinate)
    cuts = ordered[(np.arange(1, parts) * len(ordered)) // parts]
    return np.searchsorted(cuts, coordinate, side="right"), axis, cuts


def split_problem(disc: Any, parts: int, w_nodes: tuple[np.ndarray, np.ndarray]
                  ) -> tuple[list[Part], np.ndarray]:
    """Rank 0's split of an assembled problem into ``parts`` shares.

    Parameters
    ----------
    disc
        The :class:`~pdekit.fe.assembly.Discretization`.
    parts
        The number of ranks.
    w_nodes
        The initial (u, v) at every node.

    Returns
    -------
    shares, order
        One :class:`Part` per rank, and the free dofs in the new numbering (``order[g]``
        is the index among ``disc.free`` of global row g).
    """
    free_nodes = disc.nodes[disc.free]
    slab, axis, cuts = slabs(free_nodes, parts)
    order = np.argsort(slab, kind="stable")
    counts = np.bincount(slab, minlength=parts)
    starts = np.concatenate([[0], np.cumsum(counts)])
    M = disc.M.tocsr()[order][:, order].tocsr()
    K = disc.K.tocsr()[order][:, order].tocsr()
    coupling = disc.dirichlet_coupling[order]
    u, v = (field[disc.free][order] for field in w_nodes)
    pieces = split_cells(disc, parts, axis, cuts, order)
    shares = []
    for rank in range(parts):
        rows = slice(starts[rank], starts[rank + 1])
        shares.append(Part(int(starts[rank]), len(order), M[rows], K[rows], coupling[rows],
                           np.concatenate([u[rows], v[rows]]), pieces[rank]))
    return shares, order


def split_cells(disc: Any, parts: int, axis: int, cuts: np.ndarray,
                order: np.ndarray) -> list[Piece]:
    """The ParaView piece of every rank: cells by their centroid's slab."""
    kind, cells = ("triangle", disc.triangles) if disc.tetrahedra is None else \
        ("tetra", disc.tetrahedra)
    vertices = np.column_stack([disc.vertices,
                                np.zeros((len(disc.vertices), 3 - disc.vertices.shape[1]))])
    centroid = vertices[cells, axis].mean(axis=1)
    owner = np.searchsorted(cuts, centroid, side="right")
    # vertex → renumbered free dof (−1: held)
    dof_of_vertex = np.full(len(vertices), -1, dtype=np.int64)
    new_index = np.empty(len(order), dtype=np.int64)
    new_index[order] = np.arange(len(order))
    on_vertex = disc.free < len(vertices)
    dof_of_vertex[disc.free[on_vertex]] = new_index[np.flatnonzero(on_vertex)]
    pieces = []
    for rank in range(parts):
        mine = cells[owner == rank]
        used, local = np.unique(mine, return_inverse=True)
        pieces.append(Piece(vertices[used], kind, local.reshape(mine.shape),
                            dof_of_vertex[used]))
    return pieces


def scatter_problem(comm: Any, disc: Any | None, w_nodes: tuple[np.ndarray, np.ndarray] | None
                    ) -> tuple[Part, np.ndarray | None]:
    """Each rank's :class:`Part` (collective; ``disc`` and ``w_nodes`` on rank 0 only).

    Returns
    -------
    part, order
        This rank's share, and on rank 0 the new numbering (see :func:`split_problem`).
    """
    if comm.rank == 0:
        assert disc is not None and w_nodes is not None
        shares, order = split_problem(disc, comm.size, w_nodes)
    else:
        shares, order = None, None
    return comm.scatter(shares, root=0), order


def gather_state(comm: Any, w: np.ndarray, order: np.ndarray | None) -> np.ndarray | None:
    """The whole free-dof state [u; v] in the assembly numbering, on rank 0 (collective)."""
    n = len(w) // 2
    blocks = comm.gather((w[:n], w[n:]), root=0)
    if blocks is None:
        return None
    assert order is not None
    whole = []
    for species in (0, 1):
        values = np.empty(len(order))
        values[order] = np.concatenate([block[species] for block in blocks])
        whole.append(values)
    return np.concatenate(whole)
