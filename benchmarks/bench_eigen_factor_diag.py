"""Diagnostic for benchmark (1): where the shift-and-invert time goes.

On one matrix (unit square P1, ``A`` of the Dirichlet Laplacian, default 69,121 dofs)
times the factorization and the average single-right-hand-side solve of each direct
solver used by the eigen benchmarks: MUMPS LDLᵀ, LLᵀ and LU (through PETSc), PETSc's own
Cholesky (nested dissection), CHOLMOD, and SuperLU (``scipy.sparse.linalg.splu``, what ``eigsh``
uses), plus the factor sizes. Krylov–Schur with ``ncv`` = 25 needs about 50–60 solves for
10 pairs, so the per-solve time decides the race.

Run: ``python benchmarks/bench_eigen_factor_diag.py [refine]`` (default 6).
"""

from __future__ import annotations

import sys
import time

import numpy as np
from scipy.sparse.linalg import splu

from bench_eigen_slepc_vs_scipy import assembled

SOLVES = 20


def petsc_factor(A, pc_type: str, package: str, ordering: str | None = None,
                 spd: bool = False):
    from petsc4py import PETSc

    matrix = PETSc.Mat().createAIJ(size=A.shape, csr=(A.indptr.astype(PETSc.IntType),
                                                      A.indices.astype(PETSc.IntType), A.data),
                                   comm=PETSc.COMM_SELF)
    matrix.setOption(PETSc.Mat.Option.SYMMETRIC, True)
    if spd:  # MUMPS Cholesky: LLᵀ without pivoting (sym = 1) instead of LDLᵀ (sym = 2)
        matrix.setOption(PETSc.Mat.Option.SPD, True)
    ksp = PETSc.KSP().create(comm=PETSc.COMM_SELF)
    ksp.setOperators(matrix)
    ksp.setType("preonly")
    pc = ksp.getPC()
    pc.setType(pc_type)
    pc.setFactorSolverType(package)
    if ordering:
        pc.setFactorOrdering(ordering)
    start = time.perf_counter()
    ksp.setUp()
    factor_time = time.perf_counter() - start
    b, x = matrix.createVecs()
    b.setRandom()
    start = time.perf_counter()
    for _ in range(SOLVES):
        ksp.solve(b, x)
    solve_time = (time.perf_counter() - start) / SOLVES
    factor = pc.getFactorMatrix()
    if package == "mumps":  # INFOG(20) factor entries, (6) tree nodes, (7) ordering used
        return factor_time, solve_time, str(factor.getMumpsInfog(20)), \
            f"{factor.getMumpsInfog(6)} nodes, ordering {factor.getMumpsInfog(7)}"
    if package == "cholmod":
        return factor_time, solve_time, "-", ""
    return factor_time, solve_time, str(int(factor.getInfo()["nz_used"])), ""


def main() -> None:
    refine = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    A, _ = assembled(refine)
    print(f"# factor + single-RHS solve, unit square P1 Dirichlet stiffness, {A.shape[0]} dofs")
    print(f"{'solver':<26} {'factor s':>9} {'solve ms':>9} {'factor entries':>15}  "
          "MUMPS tree (ordering 4 = PORD)")
    for label, args in [("MUMPS LDL^T (PETSc)", ("cholesky", "mumps")),
                        ("MUMPS LL^T, SPD flag", ("cholesky", "mumps", None, True)),
                        ("MUMPS LU (PETSc)", ("lu", "mumps")),
                        ("PETSc Cholesky (nd)", ("cholesky", "petsc", "nd")),
                        ("CHOLMOD (PETSc)", ("cholesky", "cholmod"))]:
        f, s, n, tree = petsc_factor(A, *args)
        print(f"{label:<26} {f:>9.3f} {1e3 * s:>9.2f} {n:>15}  {tree}", flush=True)
    start = time.perf_counter()
    lu = splu(A.tocsc())
    f = time.perf_counter() - start
    rhs = np.random.default_rng(0).standard_normal(A.shape[0])
    start = time.perf_counter()
    for _ in range(SOLVES):
        lu.solve(rhs)
    s = (time.perf_counter() - start) / SOLVES
    print(f"{'SuperLU (scipy splu)':<26} {f:>9.3f} {1e3 * s:>9.2f} {lu.L.nnz + lu.U.nnz:>15}")


if __name__ == "__main__":
    main()
