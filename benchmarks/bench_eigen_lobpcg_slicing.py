"""Issue 23 benchmarks: LOBPCG + AMG and spectrum slicing against the alternatives.

1. P1 unit cube, 4 pairs, serial solve stage: ``auto`` (pdekit's LOBPCG + geometric
   multigrid on the refinement hierarchy) against pdekit's LOBPCG + GAMG, Krylov–Schur +
   shift-and-invert with CG + GAMG inner solves, and SLEPc's own LOBPCG + GAMG
   (``-eps_type lobpcg``); then ``pdekit eig`` with LOBPCG + GAMG (geometric multigrid
   runs on one rank only) on 1 and 2 ranks and two serial runs at once (solve stage from
   summary.json): S = t₁/t₂, L = 2 t₁ / mean of the pair, S/L; under mpiexec the rows are
   split by coordinate bisection during assembly (its seconds are reported, and S/L with
   them added to the solve), and once more by the graph partition for comparison.
2. The same matrices with ``scipy.sparse.linalg.lobpcg`` preconditioned by pyamg's smoothed
   aggregation (what a Python user would pick), stopped at the same relative residual.
3. Unit square P2, the first ``NEV_MANY`` eigenvalues: spectrum slicing against one
   Krylov–Schur run with nev = ``NEV_MANY``; then slicing on 1 and 2 ranks (2 partitions)
   and two serial runs at once.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_eigen_lobpcg_slicing.py \\
        [--cube-maxh 0.07 --cube-refine 2] [--square-maxh 0.025]

The full-size cube of the issue (1.1e6 dofs): ``--cube-maxh 0.07 --cube-refine 3``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from pdekit.fem.solve.assembly import assemble
from pdekit.fem.geometry.shapes2d import rectangle
from pdekit.fem.geometry.mesh import build_mesh
from pdekit.fem.schema import GeometrySection
from pdekit.fem.solve.geometric_mg import refinement_hierarchy
from pdekit.fem.solve.slepc_solver import MethodSettings, solve_eigen
from pdekit.fem.geometry.solids import build_solid

ROOT = Path(__file__).resolve().parents[1]
TOL = 1e-10
NEV_FEW = 4
NEV_MANY = 500


def discretize(shape, order: int, maxh: float, refine: int):
    mesh, _ = build_mesh(shape, set(shape.boundaries), maxh=maxh, refine=refine, hp=False,
                         hp_levels=0, hp_factor=0.2, curve_order=1)
    return mesh, assemble(mesh, order, set(shape.boundaries))


def timed_solve(disc, dim, nev, method, options=(), settings=MethodSettings()):
    start = time.perf_counter()
    result = solve_eigen(disc.A, disc.M, nev=nev, target=0.0, tol=TOL, max_it=5000,
                         method=method, dim=dim, stiffness_definite=True, options=options,
                         settings=settings)
    return time.perf_counter() - start, result


def scipy_lobpcg(disc, nev, reference):
    """scipy's LOBPCG with a pyamg smoothed-aggregation V-cycle (Knyazev's method; Bell,
    Olson & Schroder, pyamg 5), stopped at the accuracy pdekit's run reached.

    scipy stops when ‖A x − λ M x‖₂ ≤ tol for M-normalized x (an absolute residual);
    pdekit when ‖A x − λ M x‖₂ ≤ TOL · λ · ‖x‖₂. With scipy's tol = TOL · min λ‖x‖₂ (from
    pdekit's M-normalized vectors) both stop at the same relative residual; the relative
    residuals reached are printed. (At tol = TOL scipy went on to 3e-15, 38 instead of
    25 iterations on the 148k-dof cube.)"""
    import pyamg
    import scipy.sparse as sp
    from scipy.sparse.linalg import lobpcg

    def to_scipy(mat):
        indptr, indices, values = mat.getValuesCSR()
        return sp.csr_matrix((values, indices, indptr), shape=mat.getSize())

    A, M = to_scipy(disc.A), to_scipy(disc.M)
    tol = TOL * min(value * vector.norm() for value, vector in
                    zip(reference.eigenvalues[:nev], reference.vectors[:nev]))
    start = time.perf_counter()
    ml = pyamg.smoothed_aggregation_solver(A, symmetry="hermitian")
    rng = np.random.default_rng(0)
    values, vectors = lobpcg(A, rng.standard_normal((A.shape[0], nev)), B=M,
                             M=ml.aspreconditioner(), tol=tol, maxiter=1000, largest=False)
    seconds = time.perf_counter() - start
    residual = A @ vectors - (M @ vectors) * values
    relative = np.linalg.norm(residual, axis=0) / (values * np.linalg.norm(vectors, axis=0))
    return seconds, np.sort(values), float(relative.max())


def relative_residual(result, A, M, nev):
    """max over the first ``nev`` pairs of ‖A x − λ M x‖₂ / (λ ‖x‖₂)."""
    worst = 0.0
    for value, vector in zip(result.eigenvalues[:nev], result.vectors[:nev]):
        r = A.createVecs()[0]
        A.mult(vector, r)
        Mx = M.createVecs()[0]
        M.mult(vector, Mx)
        r.axpy(-value, Mx)
        worst = max(worst, r.norm() / (value * vector.norm()))
    return worst


def cli_solve(case: str, sets: list[str], ranks: int) -> tuple[float, dict]:
    """``pdekit eig`` (under mpiexec for ranks > 1): solve-stage seconds and results."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        command = [sys.executable, "-m", "pdekit.cli", "eig", str(ROOT / "cases" / case),
                   "--out", str(out), "--quiet",
                   *[item for s in sets for item in ("--set", s)]]
        if ranks > 1:
            command = ["mpiexec", "-n", str(ranks), *command]
        env = {**os.environ, "OMPI_ALLOW_RUN_AS_ROOT": "1",
               "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}
        subprocess.run(command, check=True, env=env, cwd=ROOT)
        summary = json.loads((out / "summary.json").read_text())
    return summary["timings"]["solve"], summary["results"]


def two_at_once(case: str, sets: list[str]) -> list[float]:
    """Solve-stage seconds of two independent serial ``pdekit eig`` runs started together
    (the machine's own limit L for two processes)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        runs = [pool.submit(cli_solve, case, sets, 1) for _ in range(2)]
        return [run.result()[0] for run in runs]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cube-maxh", type=float, default=0.07)
    parser.add_argument("--cube-refine", type=int, default=2)
    parser.add_argument("--square-maxh", type=float, default=0.025)
    parser.add_argument("--skip", default="", help="comma list of parts to skip: 1,2,3,mpi")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, "
          f"load average {os.getloadavg()[0]:.1f} at start", flush=True)

    cube = build_solid(GeometrySection(shape="box"))
    mesh, disc = discretize(cube, 1, args.cube_maxh, args.cube_refine)
    print(f"1. P1 cube, {disc.ndof} free dofs, {NEV_FEW} pairs, tol {TOL:g}", flush=True)
    from mpi4py import MPI

    hierarchy = MethodSettings(hierarchy=refinement_hierarchy(mesh, disc.space, MPI.COMM_SELF))
    t_auto, auto = timed_solve(disc, 3, NEV_FEW, "auto", settings=hierarchy)
    print(f"   auto ({auto.settings['method_choice']}: {auto.settings['method_reason']}; "
          f"{auto.settings['preconditioner_reason']}): {t_auto:.1f} s, {auto.iterations} its",
          flush=True)
    if "1" not in skip:
        t_gamg, gamg = timed_solve(disc, 3, NEV_FEW, "lobpcg",
                                   settings=MethodSettings(preconditioner="gamg"))
        print(f"   pdekit's LOBPCG + GAMG: {t_gamg:.1f} s, {gamg.iterations} its; ratio "
              f"{t_gamg / t_auto:.2f}x", flush=True)
    if "1" not in skip:
        t_ks, ks = timed_solve(disc, 3, NEV_FEW, "krylovschur")
        diff = max(abs(a - b) / a for a, b in zip(ks.eigenvalues[:NEV_FEW],
                                                   auto.eigenvalues[:NEV_FEW]))
        print(f"   krylovschur + {ks.settings['factorization']}: {t_ks:.1f} s; "
              f"ratio {t_ks / t_auto:.2f}x; eigenvalues agree to {diff:.1e}", flush=True)
    if "1" not in skip:
        t_slepc, slepc = timed_solve(disc, 3, NEV_FEW, "auto", [("eps_type", "lobpcg")],
                                     MethodSettings(preconditioner="gamg"))
        diff = max(abs(a - b) / a for a, b in zip(slepc.eigenvalues[:NEV_FEW],
                                                   auto.eigenvalues[:NEV_FEW]))
        print(f"   SLEPc's EPSLOBPCG + {slepc.settings['pc']}: {t_slepc:.1f} s, "
              f"{slepc.iterations} its; ratio {t_slepc / t_auto:.2f}x; eigenvalues agree to "
              f"{diff:.1e}", flush=True)
    if "2" not in skip:
        t_sp, values, reached = scipy_lobpcg(disc, NEV_FEW, auto)
        diff = max(abs(a - b) / a for a, b in zip(values, auto.eigenvalues[:NEV_FEW]))
        print(f"2. scipy lobpcg + pyamg SA: {t_sp:.1f} s; ratio {t_sp / t_auto:.2f}x; "
              f"eigenvalues agree to {diff:.1e}; relative residuals reached: scipy "
              f"{reached:.1e}, pdekit {relative_residual(auto, disc.A, disc.M, NEV_FEW):.1e}",
              flush=True)
    del disc
    sets = [f"mesh.maxh={args.cube_maxh}", f"mesh.refine={args.cube_refine}", "fem.order=1",
            "output.modes=0", "output.plot=0"]
    if "mpi" not in skip:
        # the same method on 1 and 2 ranks: geometric multigrid runs on one rank only
        sets = [*sets, "solver.preconditioner=gamg"]
        one, r1 = cli_solve("eigen_cube.toml", sets, 1)
        two, r2 = cli_solve("eigen_cube.toml", sets, 2)
        graph, r3 = cli_solve("eigen_cube.toml", [*sets, "solver.partitioner=graph"], 2)
        pair = two_at_once("eigen_cube.toml", sets)
        workers = [(w["elements"], round(w["mesh_s"], 2), round(w["assembly_s"], 2))
                   for w in r2["workers"]]
        speedup, limit = one / two, 2 * one / (sum(pair) / 2)
        partition = r2["solver"]["partition_s"]
        print(f"   pdekit eig, {r1['solver']['method']}: solve 1 rank {one:.1f} s, 2 ranks "
              f"{two:.1f} s (rows split by {r2['solver']['partitioner']} in {partition:.1f} s "
              f"during assembly), two serial runs at once {pair[0]:.1f} / {pair[1]:.1f} s: "
              f"S = {speedup:.2f}, L = {limit:.2f}, S/L = {speedup / limit:.2f} (the solve "
              f"and the partition: {one / (two + partition) / limit:.2f}); per worker "
              f"(elements, mesh s, assembly s): {workers}", flush=True)
        print(f"   2 ranks, solver.partitioner = graph ({r3['solver']['partitioner']}): solve "
              f"{graph:.1f} s, partition {r3['solver']['partition_s']:.1f} s, assembly "
              f"{max(w['assembly_s'] for w in r3['workers']):.1f} s against "
              f"{max(w['assembly_s'] for w in r2['workers']):.1f} s with rcb", flush=True)
    if "3" not in skip:
        square = rectangle(1.0, 1.0)
        _, disc = discretize(square, 2, args.square_maxh, 1)
        print(f"3. P2 unit square, {disc.ndof} free dofs, first {NEV_MANY} eigenvalues",
              flush=True)
        t_sl, sl = timed_solve(disc, 2, NEV_MANY, "slicing")
        t_ks, ks = timed_solve(disc, 2, NEV_MANY, "krylovschur")
        diff = max(abs(a - b) / a for a, b in zip(ks.eigenvalues[:NEV_MANY],
                                                   sl.eigenvalues[:NEV_MANY]))
        print(f"   slicing {t_sl:.1f} s ({len(sl.settings['shifts'])} "
              f"shifts), krylovschur nev={NEV_MANY} {t_ks:.1f} s; ratio {t_ks / t_sl:.2f}x; "
              f"agree to {diff:.1e}", flush=True)
        del disc
        if "mpi" not in skip:
            sets = [f"mesh.maxh={args.square_maxh}", "mesh.refine=1", "fem.order=2",
                    f"solver.nev={NEV_MANY}", "output.modes=0", "output.plot=0"]
            one, _ = cli_solve("eigen_square.toml", sets, 1)
            two, _ = cli_solve("eigen_square.toml", [*sets, "solver.partitions=2"], 2)
            pair = two_at_once("eigen_square.toml", sets)
            speedup, limit = one / two, 2 * one / (sum(pair) / 2)
            print(f"   pdekit eig slicing: solve 1 rank {one:.1f} s, 2 ranks (2 partitions) "
                  f"{two:.1f} s, two serial runs at once {pair[0]:.1f} / {pair[1]:.1f} s: "
                  f"S = {speedup:.2f}, L = {limit:.2f}, S/L = {speedup / limit:.2f}",
                  flush=True)
    print(f"load average {os.getloadavg()[0]:.1f} at end", flush=True)


if __name__ == "__main__":
    main()
