"""Benchmark (3): 1 vs 2 MPI ranks at ≥ 5e5 dofs, against the machine's own limit.

Unit square, Dirichlet, P2, 10 eigenpairs, `pdekit eig` end to end. Three measurements
in one run:

1. one serial run alone;
2. `mpiexec -n 2` of the same case;
3. two independent serial runs at the same time — what two processes can get out of
   this machine (memory bandwidth, shared caches, other tenants).

Machine limit L = 2·t_alone / mean(t_concurrent) (throughput of two processes relative to
one); MPI speed-up S = t_alone / t_2ranks; parallel efficiency relative to the machine
limit = S / L (target ≥ 90 % on the solve phase). Peak resident memory per rank comes
from ``getrusage`` in each rank (summary.json ``peak_rss_mib_per_rank``).

Run: ``python benchmarks/bench_eigen_mpi.py [maxh] [refine]`` (default 0.04, 4: ~7.5e5 dofs),
or any case: ``python benchmarks/bench_eigen_mpi.py --case cases/eigen_cube.toml --set
mesh.maxh=0.078 --set mesh.refine=3 --set fem.order=1 --set solver.nev=2`` (1.1e6 dofs).
Netgen's distribution keeps rank 0 free of elements, so mesh and assembly run on N − 1
ranks; the solve runs on all N (matrices split by coordinate bisection during assembly,
:mod:`pdekit.fem.solve.mpi_matrices`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def command(out: Path, case: Path, sets: list[str]) -> list[str]:
    args = [sys.executable, "-m", "pdekit.cli", "eig", str(case), "--out", str(out), "--quiet",
            "--set", "output.modes=0", "--set", "output.plot=0"]
    for item in sets:
        args += ["--set", item]
    return args


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "OMPI_ALLOW_RUN_AS_ROOT": "1",
            "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}


def summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("maxh", nargs="?", type=float, default=0.04)
    parser.add_argument("refine", nargs="?", type=int, default=4)
    parser.add_argument("--case", type=Path, default=None,
                        help="any eigen case (then maxh/refine are not used)")
    parser.add_argument("--set", action="append", default=[], dest="sets")
    parser.add_argument("--ranks", type=int, default=2)
    args = parser.parse_args()
    if args.case is None:
        case = ROOT / "cases/eigen_square.toml"
        sets = [f"mesh.maxh={args.maxh}", f"mesh.refine={args.refine}", "fem.order=2",
                "solver.nev=10", *args.sets]
        label = f"unit square P2; maxh {args.maxh}, {args.refine} refinements"
    else:
        case, sets = args.case.resolve(), args.sets
        label = f"{args.case} with {' '.join(sets) or 'no --set'}"
    ranks = args.ranks
    env = environment()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        subprocess.run(command(tmp / "alone", case, sets), check=True, env=env)
        wall_alone = time.perf_counter() - start
        start = time.perf_counter()
        subprocess.run([shutil.which("mpiexec"), "-n", str(ranks), "--oversubscribe",
                        *command(tmp / "mpi", case, sets)], check=True, env=env)
        wall_mpi = time.perf_counter() - start
        start = time.perf_counter()
        pair = [subprocess.Popen(command(tmp / f"pair{i}", case, sets), env=env)
                for i in range(2)]
        if any(p.wait() != 0 for p in pair):
            raise SystemExit("concurrent serial run failed")
        wall_pair = time.perf_counter() - start
        alone, mpi = summary(tmp / "alone"), summary(tmp / "mpi")
        pairs = [summary(tmp / f"pair{i}") for i in range(2)]
    ndof = alone["results"]["ndof"]
    diff = max(abs(a - b) / abs(a) for a, b in zip(alone["results"]["eigenvalues"],
                                                   mpi["results"]["eigenvalues"]))
    print(f"# {label}: {ndof} dofs, {len(alone['results']['eigenvalues'])} pairs; load average "
          f"at start {load[0]:.1f}, at end {os.getloadavg()[0]:.1f} (2 cores)")
    print(f"# max relative eigenvalue difference {ranks} ranks vs serial: {diff:.1e}")
    print(f"{'phase':<9} {'1 rank s':>9} {f'{ranks} ranks s':>9} {'2 serial at once s':>19} "
          f"{'speed-up S':>10} {'machine limit L':>15} {'S/L':>6}")
    for phase in ("mesh", "assembly", "solve", "total"):
        t1 = alone["timings"][phase]
        t2 = mpi["timings"][phase]
        tc = sum(p["timings"][phase] for p in pairs) / 2
        limit = 2 * t1 / tc
        speedup = t1 / t2
        print(f"{phase:<9} {t1:>9.2f} {t2:>9.2f} {tc:>19.2f} {speedup:>10.2f} {limit:>15.2f} "
              f"{speedup / limit:>6.0%}")
    print(f"wall (process, incl. start-up): 1 rank {wall_alone:.1f} s, {ranks} ranks "
          f"{wall_mpi:.1f} s, "
          f"2 serial at once {wall_pair:.1f} s")
    solver = mpi["results"]["solver"]
    print(f"{ranks}-rank solve: {solver['factorization']}, partitioner "
          f"{solver.get('partitioner')}, rows per rank {solver.get('rows_per_rank')}")
    print(f"peak RSS MiB per rank: 1 rank {alone['results']['peak_rss_mib_per_rank']}, "
          f"{ranks} ranks {[round(x) for x in mpi['results']['peak_rss_mib_per_rank']]}")


if __name__ == "__main__":
    main()
