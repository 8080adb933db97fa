"""Mass and stiffness matrices of a ``[domain]`` as scipy sparse matrices.

On a planar or solid domain Ω: M_ij = ∫_Ω φ_i φ_j dx and K_ij = ∫_Ω ∇φ_i·∇φ_j dx on
NGSolve's H1 space; on a closed surface Γ the same on the surface, with the tangential
gradient (``grad(u).Trace()``) and the surface measure ``ds`` (Dziuk & Elliott, *Finite
element methods for surface PDEs*, Acta Numerica 22, 2013). No-flux walls are the natural
condition (nothing to assemble); Dirichlet dofs are left out (the matrices are the
free-dof blocks). P1 may lump the mass (row sums on the diagonal).

P2 is turned into a nodal (Lagrange) basis, so that every dof is the value at a node and
the reaction terms can be evaluated node by node: NGSolve's order-2 H1 basis is
hierarchical (vertex hats plus one bubble per edge, whose value at the edge's reference
midpoint is :data:`EDGE_BUBBLE_MIDPOINT` on every element type), so the nodal values are
N = T H with N_vertex = H_vertex and N_edge = (H_a + H_b)/2 + c H_edge, and the nodal
matrices are T⁻ᵀ M T⁻¹, T⁻ᵀ K T⁻¹ (T⁻¹ has at most three entries per row).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from pdekit.fem.solve.assembly import dirichlet_pattern

EDGE_BUBBLE_MIDPOINT = -0.125
"""Value of NGSolve's order-2 edge shape function (coefficient 1) at the midpoint of its
edge: −λ_a λ_b / 2 there, the same on triangles, tetrahedra and surface triangles (checked
by the tests through 1ᵀ M 1 = area and the exact decay of Laplace eigenfunctions)."""


@dataclass(frozen=True)
class Discretization:
    """The assembled finite-element problem.

    Attributes
    ----------
    M, K
        Mass and stiffness on the free dofs (CSR).
    free
        Indices of the free dofs among all dofs.
    ndof
        All dofs (free and Dirichlet).
    nodes
        Coordinates (ndof × 3) of every dof's node (vertices first, then edge nodes).
    vertices
        The mesh vertices' coordinates (nv × dim); dof i < nv sits on vertex i.
    triangles
        Triangles on the vertices: the domain's (2D), its boundary's (solids), the
        surface's (surfaces); for pictures and ParaView.
    tetrahedra
        The tetrahedra of a solid (None otherwise).
    measure
        Area (2D, surfaces) or volume (solids) of the discrete domain, 1ᵀ M_all 1.
    dirichlet_coupling
        K_free,Dirichlet · 1: with Dirichlet dofs held at a value c, the free dofs feel
        the constant c · this vector (zero without Dirichlet boundaries).
    node_triangles
        Triangles on all nodes (P2: each of ``triangles`` split in four at its edge
        nodes, which lie on the curved geometry), for pictures at every node.
    """

    M: sp.csr_matrix
    K: sp.csr_matrix
    free: np.ndarray
    ndof: int
    nodes: np.ndarray
    vertices: np.ndarray
    triangles: np.ndarray
    tetrahedra: np.ndarray | None
    measure: float
    dirichlet_coupling: np.ndarray
    node_triangles: np.ndarray


def _csr(matrix: Any) -> sp.csr_matrix:
    values, columns, starts = matrix.CSR()
    return sp.csr_matrix((np.array(values), np.array(columns), np.array(starts)),
                         shape=(matrix.height, matrix.width))


def _cells(mesh: Any, kind: Any) -> list[list[int]]:
    return [[v.nr for v in element.vertices] for element in mesh.Elements(kind)]


def triangulated(cells: list[list[int]]) -> np.ndarray:
    """Triangles and quadrilaterals (split along a diagonal) as an m × 3 array."""
    triangles = []
    for cell in cells:
        triangles.append(cell[:3])
        if len(cell) == 4:
            triangles.append([cell[0], cell[2], cell[3]])
    return np.array(triangles, dtype=np.int64).reshape(-1, 3)


def nodal_transform(mesh: Any, space: Any
                    ) -> tuple[sp.csr_matrix, sp.csr_matrix, dict[tuple[int, int], int]]:
    """(T, T⁻¹) between NGSolve's hierarchical order-2 coefficients and nodal values, and
    the node of each edge (by its sorted vertex pair).

    Raises
    ------
    ValueError
        When the space has dofs other than one per vertex and one per edge (quadrilateral
        or hexahedral elements carry interior dofs at order 2).
    """
    c = EDGE_BUBBLE_MIDPOINT
    rows, columns, forward, inverse = [], [], [], []
    midpoints: dict[tuple[int, int], int] = {}
    for edge in mesh.edges:
        dofs = space.GetDofNrs(edge)
        if not dofs:
            continue  # an edge off the surface
        k = dofs[0]
        a, b = (space.GetDofNrs(vertex)[0] for vertex in edge.vertices)
        rows += [k, k, k]
        columns += [k, a, b]
        forward += [c, 0.5, 0.5]
        inverse += [1.0 / c, -0.5 / c, -0.5 / c]
        midpoints[(min(a, b), max(a, b))] = k
    n = space.ndof
    vertex_dofs = np.setdiff1d(np.arange(n), rows)
    if len(vertex_dofs) + len(midpoints) != n:
        raise ValueError("P2 on triangles or tetrahedra (this mesh has interior dofs)")
    rows += list(vertex_dofs)
    columns += list(vertex_dofs)
    ones = [1.0] * len(vertex_dofs)
    T = sp.csr_matrix((forward + ones, (rows, columns)), shape=(n, n))
    T_inverse = sp.csr_matrix((inverse + ones, (rows, columns)), shape=(n, n))
    return T, T_inverse, midpoints


def subdivided(triangles: np.ndarray, midpoints: dict[tuple[int, int], int]) -> np.ndarray:
    """Each triangle split into four at its edge nodes (P2 fields drawn at every node)."""
    def node(a: int, b: int) -> int:
        return midpoints[(min(a, b), max(a, b))]

    pieces = []
    for a, b, c in triangles.tolist():
        ab, bc, ca = node(a, b), node(b, c), node(c, a)
        pieces += [[a, ab, ca], [ab, b, bc], [ca, bc, c], [ab, bc, ca]]
    return np.array(pieces, dtype=np.int64).reshape(-1, 3)


def assemble(mesh: Any, order: int, surface: bool, dirichlet: tuple[str, ...],
             lumped: bool = False) -> Discretization:
    """Assemble M and K of H1 of ``order`` on the domain (or its surface).

    Parameters
    ----------
    mesh
        ``ngsolve.Mesh``: a 2D or 3D domain, or a surface mesh in 3D (``surface``).
    order
        1 or 2 (nodal P2).
    surface
        Discretize on the mesh's boundary (surface PDE).
    dirichlet
        Boundary names whose dofs are held fixed (left out of M and K).
    lumped
        Row-sum lumped mass (P1).
    """
    import ngsolve
    from ngsolve import BND, VOL, dx, ds, grad, x, y, z

    options: dict[str, Any] = {"order": order}
    if surface:
        options["definedon"] = mesh.Boundaries(".*")
    pattern = dirichlet_pattern(dirichlet)
    if pattern:
        options["dirichlet"] = pattern
    space = ngsolve.H1(mesh, **options)
    u, v = space.TnT()
    if surface:
        stiffness_form = grad(u).Trace() * grad(v).Trace() * ds
        mass_form = u * v * ds
    else:
        stiffness_form = grad(u) * grad(v) * dx
        mass_form = u * v * dx
    stiffness, mass = ngsolve.BilinearForm(space), ngsolve.BilinearForm(space)
    stiffness += stiffness_form
    mass += mass_form
    stiffness.Assemble()
    mass.Assemble()
    K_all, M_all = _csr(stiffness.mat), _csr(mass.mat)
    T = None
    midpoints: dict[tuple[int, int], int] = {}
    if order == 2:
        T, T_inverse, midpoints = nodal_transform(mesh, space)
        K_all = (T_inverse.T @ K_all @ T_inverse).tocsr()
        M_all = (T_inverse.T @ M_all @ T_inverse).tocsr()
    if lumped:
        M_all = sp.diags(np.asarray(M_all.sum(axis=1)).ravel()).tocsr()
    free = np.flatnonzero(np.array(space.FreeDofs(), dtype=bool))
    fixed = np.setdiff1d(np.arange(space.ndof), free)
    coupling = np.asarray(K_all[free][:, fixed].sum(axis=1)).ravel() if len(fixed) \
        else np.zeros(len(free))
    nodes = np.zeros((space.ndof, 3))
    where = {"definedon": mesh.Boundaries(".*")} if surface else {}
    coordinate = ngsolve.GridFunction(space)
    for axis, function in enumerate((x, y, z)[:mesh.dim]):
        coordinate.Set(function, **where)  # exact: the element maps are in the space
        values = coordinate.vec.FV().NumPy()
        nodes[:, axis] = values if T is None else T @ values
    vertices = np.array([vertex.point for vertex in mesh.vertices], dtype=float)
    nodes[:len(vertices), :vertices.shape[1]] = vertices
    tetrahedra = None
    if surface or mesh.dim == 2:
        triangles = triangulated(_cells(mesh, BND if surface else VOL))
    else:
        triangles = triangulated(_cells(mesh, BND))
        tetrahedra = np.array(_cells(mesh, VOL), dtype=np.int64)
    ones = np.ones(space.ndof)
    measure = float(ones @ (M_all @ ones))
    return Discretization(M_all[free][:, free].tocsr(), K_all[free][:, free].tocsr(), free,
                          space.ndof, nodes, vertices, triangles, tetrahedra, measure,
                          coupling, subdivided(triangles, midpoints) if midpoints else
                          triangles)
