"""The measurements behind ``solver.method = "auto"`` (:mod:`pdekit.fem.solve.method`).

Solve stage of Krylov–Schur + shift-and-invert (today's factorization choice: CHOLMOD,
or CG + GAMG in 3D above 1e5 dofs) against pdekit's LOBPCG with the preconditioner
``auto`` picks (geometric multigrid on the refinement levels), on unit squares and cubes,
P1/P2/P3, for several ``nev`` (``--quick``: the first three problems, nev 1, 4, 10); with ``--slicing``, Krylov–Schur against spectrum slicing
for 50–200 pairs. Same matrices, one process, tol 1e-10.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_eigen_method_rule.py [--quick]
    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_eigen_method_rule.py --slicing

(One BLAS thread: on 2 busy cores OpenBLAS's threads made LOBPCG's dense block products
8x slower, 7.3 s against 0.9 s, P1 cube, 5k dofs, nev = 10.)

Prints one line per (problem, nev): dofs, nonzeros per row, both times, the ratio and the
largest relative eigenvalue difference.
"""

from __future__ import annotations

import sys
import time

from pdekit.fem.solve.assembly import assemble
from pdekit.fem.geometry.shapes2d import rectangle
from pdekit.fem.geometry.mesh import build_mesh
from pdekit.fem.schema import GeometrySection
from pdekit.fem.solve.geometric_mg import refinement_hierarchy
from pdekit.fem.solve.slepc_solver import MethodSettings, solve_eigen
from pdekit.fem.geometry.solids import build_solid

# (dim, order, maxh, refine): about 1e4 ... 1.3e5 free dofs.
PROBLEMS = [(2, 1, 0.01, 1), (3, 1, 0.1, 2), (3, 2, 0.1, 1), (3, 3, 0.2, 1),
            (3, 1, 0.08, 2), (2, 3, 0.02, 1)]
NEVS = (1, 4, 10, 50)
SLICING_PROBLEMS = [(2, 2, 0.025, 1), (3, 2, 0.1, 1)]
SLICING_NEVS = (50, 100, 200)


def problem(dim: int, order: int, maxh: float, refine: int):
    shape = rectangle(1.0, 1.0) if dim == 2 else build_solid(GeometrySection(shape="box"))
    mesh, _ = build_mesh(shape, set(shape.boundaries), maxh=maxh, refine=refine, hp=False,
                         hp_levels=0, hp_factor=0.2, curve_order=1)
    disc = assemble(mesh, order, set(shape.boundaries))
    from mpi4py import MPI

    return disc, MethodSettings(hierarchy=refinement_hierarchy(mesh, disc.space, MPI.COMM_SELF))


def timed(problem_, dim, nev, method):
    """Solve-stage seconds and result; LOBPCG with the preconditioner ``auto`` picks (the
    geometric multigrid of the refinement hierarchy)."""
    disc, settings = problem_
    start = time.perf_counter()
    result = solve_eigen(disc.A, disc.M, nev=nev, target=0.0, tol=1e-10, max_it=2000,
                         method=method, dim=dim, stiffness_definite=True, settings=settings)
    return time.perf_counter() - start, result


def slicing_rule() -> None:
    """Krylov–Schur (one run, nev pairs) against spectrum slicing for many pairs."""
    for dim, order, maxh, refine in SLICING_PROBLEMS:
        made = problem(dim, order, maxh, refine)
        disc = made[0]
        for nev in SLICING_NEVS:
            t_ks, ks = timed(made, dim, nev, "krylovschur")
            t_sl, sl = timed(made, dim, nev, "slicing")
            diff = max(abs(a - b) / a for a, b in zip(ks.eigenvalues[:nev],
                                                       sl.eigenvalues[:nev]))
            print(f"{dim}D P{order} ndof {disc.ndof:>7} nev {nev:>3}: krylovschur+"
                  f"{ks.settings['factorization']} {t_ks:7.2f} s, slicing {t_sl:7.2f} s "
                  f"({len(sl.settings['shifts'])} shifts), ks/slicing {t_ks / t_sl:5.2f}, "
                  f"max rel diff {diff:.1e}", flush=True)


def main() -> None:
    quick = "--quick" in sys.argv
    if "--slicing" in sys.argv:
        slicing_rule()
        return
    for dim, order, maxh, refine in PROBLEMS[:3] if quick else PROBLEMS:
        made = problem(dim, order, maxh, refine)
        disc = made[0]
        nnz = disc.A.getInfo()["nz_used"] / disc.ndof
        for nev in NEVS[:3] if quick else NEVS:
            t_ks, ks = timed(made, dim, nev, "krylovschur")
            t_lo, lo = timed(made, dim, nev, "lobpcg")
            diff = max(abs(a - b) / a for a, b in zip(ks.eigenvalues[:nev],
                                                       lo.eigenvalues[:nev]))
            print(f"{dim}D P{order} ndof {disc.ndof:>7} nnz/row {nnz:5.1f} nev {nev:>2}: "
                  f"krylovschur+{ks.settings['factorization']} {t_ks:7.2f} s, "
                  f"lobpcg+{lo.settings['preconditioner']} {t_lo:7.2f} s ({lo.iterations} its), "
                  f"ks/lobpcg {t_ks / t_lo:5.2f}, max rel diff {diff:.1e}", flush=True)


if __name__ == "__main__":
    main()
