"""pdekit's block LOBPCG (:mod:`pdekit.fem.solve.block_lobpcg`) on matrices whose
eigenvalues are known in closed form."""

from __future__ import annotations

import numpy as np
import pytest

from pdekit.fem.solve.block_lobpcg import block_lobpcg, start_block


def finite_difference_square(n: int):
    """The 5-point Laplacian on an n × n interior grid of the unit square (h = 1/(n+1))
    and the identity: eigenvalues (4/h²)(sin²(iπh/2) + sin²(jπh/2)), i, j = 1..n,
    double where i ≠ j."""
    from petsc4py import PETSc

    size = n * n
    h = 1.0 / (n + 1)
    K = PETSc.Mat().createAIJ([size, size], nnz=5, comm=PETSc.COMM_SELF)
    for i in range(n):
        for j in range(n):
            row = i * n + j
            K.setValue(row, row, 4.0 / h**2)
            for di, dj in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                if 0 <= i + di < n and 0 <= j + dj < n:
                    K.setValue(row, (i + di) * n + j + dj, -1.0 / h**2)
    K.assemble()
    M = PETSc.Mat().createAIJ([size, size], nnz=1, comm=PETSc.COMM_SELF)
    for row in range(size):
        M.setValue(row, row, 1.0)
    M.assemble()
    s = np.sin(np.arange(1, n + 1) * np.pi * h / 2) ** 2
    exact = np.sort((4 / h**2) * (s[:, None] + s[None, :]).ravel())
    return K, M, exact


@pytest.mark.parametrize("nev, block_size, pc_type", [
    (1, None, "jacobi"), (3, None, "gamg"), (6, 8, "gamg"), (5, None, "icc")])
def test_block_lobpcg_finds_the_exact_eigenvalues(nev, block_size, pc_type):
    from petsc4py import PETSc

    K, M, exact = finite_difference_square(30)
    pc = PETSc.PC().create(comm=PETSc.COMM_SELF)
    pc.setOperators(K)
    pc.setType(pc_type)
    pc.setUp()
    out = block_lobpcg(K, M, pc, nev, block_size=block_size, tol=1e-10, max_it=2000)
    assert out.converged >= nev and out.vectors.shape[1] == (block_size or nev)
    assert np.allclose(out.values[:nev], exact[:nev], rtol=1e-12, atol=0)
    # M-orthonormal Ritz vectors (M = I here), residuals as reported
    X = out.vectors[:, :nev]
    assert np.abs(X.T @ X - np.eye(nev)).max() < 1e-10
    assert (out.residual_norms[:nev] <= 1e-10 * out.values[:nev]).all()


def test_a_zero_iteration_budget_reports_no_convergence():
    from petsc4py import PETSc

    K, M, _ = finite_difference_square(12)
    pc = PETSc.PC().create(comm=PETSc.COMM_SELF)
    pc.setOperators(K)
    pc.setType("jacobi")
    pc.setUp()
    out = block_lobpcg(K, M, pc, 3, max_it=0)
    assert out.iterations == 0 and out.converged < 3


def test_start_block_is_the_same_at_any_split():
    whole = start_block(slice(0, 100), 100, 4, seed=3)
    parts = np.vstack([start_block(slice(0, 37), 100, 4, seed=3),
                       start_block(slice(37, 100), 100, 4, seed=3)])
    assert np.array_equal(whole, parts)
    assert np.abs(whole).max() <= 0.5 and abs(whole.mean()) < 0.1
    assert not np.array_equal(whole, start_block(slice(0, 100), 100, 4, seed=4))
