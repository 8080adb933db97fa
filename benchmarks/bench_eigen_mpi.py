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

Run: ``python benchmarks/bench_eigen_mpi.py [maxh] [refine]`` (default 0.04, 4: ~7.5e5 dofs).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def command(out: Path, maxh: float, refine: int) -> list[str]:
    return [sys.executable, "-m", "pdekit.cli", "eig", str(ROOT / "cases/eigen_square.toml"),
            "--out", str(out), "--quiet", "--set", f"mesh.maxh={maxh}",
            "--set", f"mesh.refine={refine}", "--set", "fem.order=2",
            "--set", "solver.nev=10", "--set", "output.modes=0", "--set", "output.plot=0"]


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "OMPI_ALLOW_RUN_AS_ROOT": "1",
            "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}


def summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text())


def main() -> None:
    maxh = float(sys.argv[1]) if len(sys.argv) > 1 else 0.04
    refine = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    env = environment()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        subprocess.run(command(tmp / "alone", maxh, refine), check=True, env=env)
        wall_alone = time.perf_counter() - start
        start = time.perf_counter()
        subprocess.run([shutil.which("mpiexec"), "-n", "2", *command(tmp / "mpi", maxh, refine)],
                       check=True, env=env)
        wall_mpi = time.perf_counter() - start
        start = time.perf_counter()
        pair = [subprocess.Popen(command(tmp / f"pair{i}", maxh, refine), env=env)
                for i in range(2)]
        if any(p.wait() != 0 for p in pair):
            raise SystemExit("concurrent serial run failed")
        wall_pair = time.perf_counter() - start
        alone, mpi = summary(tmp / "alone"), summary(tmp / "mpi")
        pairs = [summary(tmp / f"pair{i}") for i in range(2)]
    ndof = alone["results"]["ndof"]
    diff = max(abs(a - b) / abs(a) for a, b in zip(alone["results"]["eigenvalues"],
                                                   mpi["results"]["eigenvalues"]))
    print(f"# unit square P2, {ndof} dofs, 10 pairs; maxh {maxh}, {refine} refinements; "
          f"load average at start {load[0]:.1f}, at end {os.getloadavg()[0]:.1f} (2 cores)")
    print(f"# max relative eigenvalue difference 2 ranks vs serial: {diff:.1e}")
    print(f"{'phase':<9} {'1 rank s':>9} {'2 ranks s':>9} {'2 serial at once s':>19} "
          f"{'speed-up S':>10} {'machine limit L':>15} {'S/L':>6}")
    for phase in ("mesh", "assembly", "solve", "total"):
        t1 = alone["timings"][phase]
        t2 = mpi["timings"][phase]
        tc = sum(p["timings"][phase] for p in pairs) / 2
        limit = 2 * t1 / tc
        speedup = t1 / t2
        print(f"{phase:<9} {t1:>9.2f} {t2:>9.2f} {tc:>19.2f} {speedup:>10.2f} {limit:>15.2f} "
              f"{speedup / limit:>6.0%}")
    print(f"wall (process, incl. start-up): 1 rank {wall_alone:.1f} s, 2 ranks {wall_mpi:.1f} s, "
          f"2 serial at once {wall_pair:.1f} s")
    print(f"peak RSS MiB per rank: 1 rank {alone['results']['peak_rss_mib_per_rank']}, "
          f"2 ranks {[round(x) for x in mpi['results']['peak_rss_mib_per_rank']]}")


if __name__ == "__main__":
    main()
