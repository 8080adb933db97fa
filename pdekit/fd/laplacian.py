"""The (2d+1)-point Laplacian in d = 1, 2, 3 dimensions, as a sparse matrix and by its
eigenvalues in a fast transform.

The d-dimensional operator is the Kronecker sum of 1D second differences, one per axis.
Periodic grids: diagonal in the discrete Fourier basis. Cell-centred grids with no-flux
walls: diagonal in the type-II discrete cosine basis. Either way the eigenvalue of a
product mode is the sum of the 1D eigenvalues, −Σ_a (4/h_a²) sin²(θ_a/2).

scipy.sparse is imported only where a matrix is built (``pdekit check`` stays light).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pdekit.fd.grid import Grid, NeumannGrid, PeriodicGrid

if TYPE_CHECKING:
    import scipy.sparse as sp


def periodic_second_difference(n: int, h: float) -> sp.csr_matrix:
    """1D periodic second difference (u[i-1] - 2u[i] + u[i+1]) / h² as an n × n matrix."""
    import scipy.sparse as sp

    if n < 3:
        raise ValueError("a periodic second difference needs n >= 3 points")
    ones = np.ones(n)
    matrix = sp.diags([ones[:-1], -2.0 * ones, ones[:-1]], [-1, 0, 1], format="lil")
    matrix[0, n - 1] = 1.0
    matrix[n - 1, 0] = 1.0
    return sp.csr_matrix(matrix) / h**2


def neumann_second_difference(n: int, h: float) -> sp.csr_matrix:
    """1D second difference with reflecting ends on a cell-centred grid, as n × n matrix.

    Interior rows are (u[i-1] - 2u[i] + u[i+1]) / h²; the ghost values u[-1] = u[0] and
    u[n] = u[n-1] (zero flux through the walls) make the end rows (u[1] - u[0]) / h² and
    (u[n-2] - u[n-1]) / h². The matrix is symmetric and its rows sum to zero (mass is
    conserved).
    """
    import scipy.sparse as sp

    if n < 2:
        raise ValueError("a Neumann second difference needs n >= 2 points")
    ones = np.ones(n)
    diagonal = -2.0 * ones
    diagonal[0] = diagonal[-1] = -1.0
    return sp.diags([ones[:-1], diagonal, ones[:-1]], [-1, 0, 1], format="csr") / h**2


def kronecker_sum(blocks: list[sp.spmatrix]) -> sp.csr_matrix:
    """Σ_a I ⊗ … ⊗ A_a ⊗ … ⊗ I: the operator acting with A_a along axis a of a C-ordered
    array of shape ``(len(A_0), len(A_1), …)``."""
    import scipy.sparse as sp

    sizes = [block.shape[0] for block in blocks]
    total = None
    for axis, block in enumerate(blocks):
        before = sp.identity(int(np.prod(sizes[:axis])), format="csr")
        after = sp.identity(int(np.prod(sizes[axis + 1:])), format="csr")
        term = block if len(blocks) == 1 else (
            sp.kron(block, after) if axis == 0 else
            sp.kron(before, block) if axis == len(blocks) - 1 else
            sp.kron(sp.kron(before, block), after))
        total = term if total is None else total + term
    return sp.csr_matrix(total)


def laplacian(grid: Grid) -> sp.csr_matrix:
    """The sparse (2d+1)-point Laplacian of ``grid`` (fields flattened in C order): periodic,
    or with no-flux walls on a :class:`NeumannGrid`."""
    second = (neumann_second_difference if isinstance(grid, NeumannGrid)
              else periodic_second_difference)
    return kronecker_sum([second(n, h) for n, h in zip(grid.shape, grid.spacings)])


def laplacian_periodic(grid: PeriodicGrid) -> sp.csr_matrix:
    """The periodic (2d+1)-point Laplacian (see :func:`laplacian`)."""
    return laplacian(grid)


def laplacian_neumann(grid: NeumannGrid) -> sp.csr_matrix:
    """The (2d+1)-point Laplacian with no-flux walls (see :func:`laplacian`)."""
    return laplacian(grid)


def _sum_over_axes(sines: list[np.ndarray], spacings: tuple[float, ...]) -> np.ndarray:
    """−Σ_a (4/h_a²) s_a, broadcast over the axes, as −(4/h_0²) Σ_a (h_0/h_a)² s_a.

    Factoring out the first axis keeps equal spacings bit-identical to the 2D formula
    −(4/h²)(s_x + s_y) (the ratio is then exactly 1).
    """
    dim = len(sines)
    total: np.ndarray | float = 0.0
    for axis, s in enumerate(sines):
        ratio = spacings[0] ** 2 / spacings[axis] ** 2
        term = s if ratio == 1.0 else ratio * s
        index = tuple(slice(None) if a == axis else None for a in range(dim))
        total = term[index] if axis == 0 else total + term[index]
    return -(4.0 / spacings[0] ** 2) * total


def laplacian_symbol(grid: PeriodicGrid) -> np.ndarray:
    """Eigenvalues of the periodic Laplacian on the Fourier modes exp(i k·x):
    −Σ_a (4/h_a²) sin²(k_a h_a / 2), an array of the grid's shape in FFT order."""
    sines = [np.sin(0.5 * grid.wavenumbers(axis) * h) ** 2
             for axis, h in enumerate(grid.spacings)]
    return _sum_over_axes(sines, grid.spacings)


def laplacian_neumann_symbol(grid: NeumannGrid) -> np.ndarray:
    """Eigenvalues of the no-flux Laplacian on the DCT-II modes Π_a cos(π m_a (i_a + ½)/n_a):
    −Σ_a (4/h_a²) sin²(π m_a / 2n_a), an array of the grid's shape indexed by (m_a)."""
    sines = [np.sin(0.5 * np.pi * np.arange(n) / n) ** 2 for n in grid.shape]
    return _sum_over_axes(sines, grid.spacings)


def laplacian_eigenvalues(grid: Grid) -> np.ndarray:
    """Eigenvalues of the grid's Laplacian in its fast transform (Fourier or DCT-II)."""
    return (laplacian_neumann_symbol(grid) if isinstance(grid, NeumannGrid)
            else laplacian_symbol(grid))


def laplacian_eigenvalues_block(grid: Grid, block: tuple[slice, ...]) -> np.ndarray:
    """The eigenvalues of :func:`laplacian_eigenvalues` on one rank's ``block`` of the
    spectrum of a distributed transform (real FFT: the last axis keeps its n//2 + 1
    non-negative modes; DCT-II: all modes), built from per-axis terms without the
    whole array (the same values, to the bit, as the whole array there)."""
    if isinstance(grid, NeumannGrid):
        sines = [np.sin(0.5 * np.pi * np.arange(n) / n) ** 2 for n in grid.shape]
    else:
        sines = [np.sin(0.5 * grid.wavenumbers(axis) * h) ** 2
                 for axis, h in enumerate(grid.spacings)]
        sines[-1] = sines[-1][:grid.shape[-1] // 2 + 1]
    return _sum_over_axes([s[where] for s, where in zip(sines, block)], grid.spacings)


def laplacian_spectral_radius(grid: Grid) -> float:
    """ρ of the grid's Laplacian, max |eigenvalue|, without building any array of the grid's
    size: the eigenvalues are sums of one term per axis, so the largest is the sum of the
    per-axis largest terms (4/h_a²) sin²(θ_a)."""
    total = 0.0
    for n, h in zip(grid.shape, grid.spacings):
        modes = np.arange(n)
        angles = np.pi * modes / n if not isinstance(grid, NeumannGrid) else \
            0.5 * np.pi * modes / n
        total += float(np.max(np.sin(angles) ** 2)) * 4.0 / h ** 2
    return total
