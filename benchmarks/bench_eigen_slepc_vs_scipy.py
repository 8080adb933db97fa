"""Benchmark (1): SLEPc Krylov–Schur + shift-invert + MUMPS against
``scipy.sparse.linalg.eigsh(sigma=0)`` (ARPACK + SuperLU) on the same matrices.

A third column runs the same SLEPc Krylov–Schur with PETSc's own sparse direct solver
(``-st_pc_factor_mat_solver_type petsc``, LU, nested-dissection ordering) instead of MUMPS,
to separate the eigensolver from the factorization package.

Unit square, Dirichlet, P1 on a coarse Netgen mesh refined uniformly; 10 eigenpairs
nearest 0; both solvers get the identical free-dof CSR matrices and tol = 1e-10. Times
cover the solve only (factorization + iterations), each solver in this one process.

Run: ``python benchmarks/bench_eigen_slepc_vs_scipy.py [max_refine]`` (default 8: ~1.1e6 dofs).
"""

from __future__ import annotations

import math
import platform
import sys
import time

import numpy as np
import scipy
import scipy.sparse as sp
from scipy.sparse.linalg import eigsh

NEV = 10
TOL = 1e-10


def assembled(refine: int, order: int = 1) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Free-dof stiffness and mass (scipy CSR) of the unit square, coarse maxh 0.25."""
    from bench_eigen_solver import assembled as unit_matrices

    return unit_matrices(2, 0.25, refine, order)


def slepc_solve(A: sp.csr_matrix, M: sp.csr_matrix, options=()) -> tuple[np.ndarray, float]:
    from petsc4py import PETSc

    from pdekit.fem.solve.slepc_solver import solve_eigen

    def petsc(matrix):
        return PETSc.Mat().createAIJ(size=matrix.shape, csr=(matrix.indptr.astype(PETSc.IntType),
                                                            matrix.indices.astype(PETSc.IntType),
                                                            matrix.data), comm=PETSc.COMM_SELF)

    pA, pM = petsc(A), petsc(M)
    start = time.perf_counter()
    result = solve_eigen(pA, pM, nev=NEV, target=0.0, tol=TOL, options=list(options))
    elapsed = time.perf_counter() - start
    return np.array(result.eigenvalues[:NEV]), elapsed


def scipy_solve(A: sp.csr_matrix, M: sp.csr_matrix) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    values = eigsh(A.tocsc(), k=NEV, M=M.tocsc(), sigma=0.0, which="LM", tol=TOL,
                   return_eigenvectors=False)
    elapsed = time.perf_counter() - start
    return np.sort(values), elapsed


def main() -> None:
    max_refine = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    print("# SLEPc (Krylov-Schur, sinvert, MUMPS LU) vs scipy eigsh(sigma=0) (ARPACK, "
          "SuperLU); extra column: SLEPc with PETSc's own LU (nd ordering)")
    print(f"# unit square, Dirichlet, P1, {NEV} pairs, tol {TOL:g}; python {platform.python_version()},"
          f" scipy {scipy.__version__}, numpy {np.__version__}")
    print(f"{'dofs':>9} {'nnz(A)':>10} {'slepc+mumps s':>13} {'scipy s':>9} {'speed-up':>8} "
          f"{'slepc+petsc s':>13} {'max rel diff':>12} {'lambda1/pi^2':>14}")
    for refine in range(5, max_refine + 1):
        A, M = assembled(refine)
        lam_slepc, t_slepc = slepc_solve(A, M)
        lam_scipy, t_scipy = scipy_solve(A, M)
        lam_petsc, t_petsc = slepc_solve(A, M, [("st_pc_factor_mat_solver_type", "petsc"),
                                                ("st_pc_factor_mat_ordering_type", "nd")])
        diff = max(np.max(np.abs(lam_slepc - lam_scipy) / lam_scipy),
                   np.max(np.abs(lam_petsc - lam_scipy) / lam_scipy))
        print(f"{A.shape[0]:>9} {A.nnz:>10} {t_slepc:>13.2f} {t_scipy:>9.2f} "
              f"{t_scipy / t_slepc:>7.2f}x {t_petsc:>13.2f} {diff:>12.1e} "
              f"{lam_slepc[0] / math.pi ** 2:>14.10f}", flush=True)


if __name__ == "__main__":
    main()
