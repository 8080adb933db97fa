"""One sparse factorization of a symmetric positive definite matrix, solved many times.

The implicit stages of the finite-element integrators solve (M + a D K) x = r with the same
matrix for every step of a size. PETSc's own sparse Cholesky with a nested-dissection
ordering (serial, through petsc4py, no options database involved) solves these 2D and
surface matrices about twice as fast as SuperLU's LU (16 817 P1 dofs on the unit square:
1.4 ms against 3.1 ms per solve, on the 2-core machine of ``benchmarks/turing_domains.py``);
without petsc4py, SuperLU with a minimum-degree ordering of the symmetric pattern.
scikit-sparse (CHOLMOD) has no wheel for this platform.
"""

from __future__ import annotations

from importlib.util import find_spec
from typing import Callable

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

SolveOne = Callable[[np.ndarray], np.ndarray]


def _petsc_cholesky(matrix: sp.csr_matrix) -> SolveOne:
    from petsc4py import PETSc

    comm = PETSc.COMM_SELF
    operator = PETSc.Mat().createAIJ(size=matrix.shape, comm=comm, csr=(
        matrix.indptr.astype(PETSc.IntType), matrix.indices.astype(PETSc.IntType),
        matrix.data))
    operator.setOption(PETSc.Mat.Option.SPD, True)
    ksp = PETSc.KSP().create(comm=comm)
    ksp.setOperators(operator)
    ksp.setType("preonly")
    pc = ksp.getPC()
    pc.setType("cholesky")
    pc.setFactorSolverType("petsc")
    pc.setFactorOrdering("nd")
    ksp.setUp()

    def solve(r: np.ndarray) -> np.ndarray:
        x = np.empty_like(r)
        ksp.solve(PETSc.Vec().createWithArray(np.ascontiguousarray(r), comm=comm),
                  PETSc.Vec().createWithArray(x, comm=comm))
        return x

    return solve


def spd_solver(matrix: sp.spmatrix) -> SolveOne:
    """``solve(r) -> x`` with ``matrix @ x = r`` for a symmetric positive definite
    ``matrix``, factorized once here (PETSc Cholesky, else SuperLU)."""
    csr = sp.csr_matrix(matrix)
    csr.sort_indices()
    if find_spec("petsc4py") is None:  # Debian's, present where the eigen kind runs
        return splu(csr.tocsc(), permc_spec="MMD_AT_PLUS_A").solve
    return _petsc_cholesky(csr)
