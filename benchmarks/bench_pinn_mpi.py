"""Benchmark (issue 14, 3): PINN Gauss-Newton on 1 vs 2 MPI ranks, against the machine's limit.

2D Poisson, exact u = sin(pi x) sin(pi y) on the unit square, 2·10⁴ interior points (Sobol'),
a 1x50 tanh network, a short Adam warm-up then explicit Gauss-Newton, `pdekit solve` end to
end. All runs solve the damped normal equations from ``J^T J`` (the MPI path;
``parallel.normal_equations = true`` on one rank), so they do the same arithmetic. Measured
in one run:

1. one serial run alone;
2. ``mpiexec -n 2`` of the same case;
3. two independent serial runs at the same time (what two processes get out of this
   machine: two cores shared with other tenants, memory bandwidth).

Time per Gauss-Newton iteration t = median of the history's time steps over the stage's
iterations (first one dropped: it traces the compiled functions). Machine limit
L = 2·t_alone / mean(t_concurrent); MPI speed-up S = t_alone / t_2ranks; target S/L ≥ 80 %.
Then FedNL's bytes per rank and iteration for each compressor (2 ranks, fewer points: the
bytes depend on the number of weights only) against a plain allreduce of the dense Hessian.

Run: ``python benchmarks/bench_pinn_mpi.py [points] [gn_iterations] [--no-fednl]
[--serial-threads N]``. By default a serial run uses TensorFlow's default thread pools (all
cores); ``--serial-threads 1`` gives each serial run what each MPI rank gets on a 2-core
machine (:func:`pdekit.pinn.parallel.share_cores`), through ``TF_NUM_INTRAOP_THREADS`` and
``TF_NUM_INTEROP_THREADS``.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASE = """
[case]
kind = "poisson-pinn"
name = "bench-mpi"
[problem]
exact = "sin(pi*x)*sin(pi*y)"
[domain]
x = [0, 1]
y = [0, 1]
[network]
width = 50
[points]
interior = {points}
sampler = "sobol"
boundary = 200
[evaluation]
n = 101
[output]
png = false
vtk = false
[parallel]
normal_equations = true
[training]
stages = [{stages}]
"""
GN = ('{{method = "adam", iterations = 200, lr = 1e-2, log_every = 200}}, '
      '{{method = "gauss-newton", iterations = {iterations}}}')
FEDNL = ('{{method = "adam", iterations = 200, lr = 1e-2, log_every = 200}}, '
         '{{method = "fednl", iterations = 2, compression = "{compression}", k = 500}}')


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "OMPI_ALLOW_RUN_AS_ROOT": "1",
            "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "OMPI_MCA_rmaps_base_oversubscribe": "1",
            "OMPI_MCA_mpi_yield_when_idle": "1", "MPLBACKEND": "Agg"}


def command(case: Path, out: Path, ranks: int = 1) -> list[str]:
    run = [sys.executable, "-m", "pdekit.cli", "solve", str(case), "--out", str(out), "--quiet"]
    return [shutil.which("mpiexec"), "-n", str(ranks), *run] if ranks > 1 else run


def per_iteration(out: Path) -> float:
    """Median seconds per Gauss-Newton iteration (its first iteration dropped)."""
    with (out / "history.csv").open() as stream:
        rows = [r for r in csv.DictReader(stream) if r["method"] == "gauss-newton"]
    times = [float(r["time"]) for r in rows]
    return statistics.median(b - a for a, b in zip(times[1:], times[2:]))


def results(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text())["results"]


def main() -> None:
    args = sys.argv[1:]
    env = environment()
    serial_env = dict(env)
    if "--serial-threads" in args:
        at = args.index("--serial-threads")
        threads = args[at + 1]
        del args[at:at + 2]
        serial_env.update(TF_NUM_INTRAOP_THREADS=threads, TF_NUM_INTEROP_THREADS=threads)
    numbers = [a for a in args if not a.startswith("--")]
    points = int(numbers[0]) if numbers else 20_000
    iterations = int(numbers[1]) if len(numbers) > 1 else 12
    compressions = () if "--no-fednl" in args else ("none", "topk", "rank1")
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        case = tmp / "case.toml"
        case.write_text(CASE.format(points=points, stages=GN.format(iterations=iterations)))
        subprocess.run(command(case, tmp / "alone"), check=True, env=serial_env)
        subprocess.run(command(case, tmp / "mpi", 2), check=True, env=env)
        pair = [subprocess.Popen(command(case, tmp / f"pair{i}"), env=serial_env)
                for i in (0, 1)]
        assert all(p.wait() == 0 for p in pair)
        alone, mpi = per_iteration(tmp / "alone"), per_iteration(tmp / "mpi")
        concurrent = statistics.mean(per_iteration(tmp / f"pair{i}") for i in (0, 1))
        S, L = alone / mpi, 2 * alone / concurrent
        one, two = results(tmp / "alone"), results(tmp / "mpi")
        fednl = {}
        for compression in compressions:
            small = tmp / f"fednl_{compression}.toml"
            small.write_text(CASE.format(points=2000, stages=FEDNL.format(
                compression=compression)))
            subprocess.run(command(small, tmp / f"fednl_{compression}", 2), check=True, env=env)
            stage = results(tmp / f"fednl_{compression}")["stages"][-1]
            fednl[compression] = stage["communication"]
    print(f"machine: {os.cpu_count()} cores; uptime before: {uptime}; serial runs: "
          f"{serial_env.get('TF_NUM_INTRAOP_THREADS', 'default')} TensorFlow threads")
    print(f"after: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    print(f"{points} interior points, {one['network']['parameters']} weights, "
          f"{one['points']['residuals']} residuals\n")
    print("| run | s per GN iteration | final loss | rel. L2 error |")
    print("|---|---|---|---|")
    print(f"| 1 rank alone | {alone:.3f} | {one['final_loss']:.6e} | {one['rel_l2_error']:.6e} |")
    print(f"| 2 ranks (mpiexec) | {mpi:.3f} | {two['final_loss']:.6e} | "
          f"{two['rel_l2_error']:.6e} |")
    print(f"| two 1-rank runs at once (mean) | {concurrent:.3f} | | |")
    print(f"\nS = {S:.2f}, L = {L:.2f}, S/L = {100 * S / L:.0f} % (target >= 80 %); "
          f"final loss 1 vs 2 ranks: "
          f"{abs(one['final_loss'] - two['final_loss']) / one['final_loss']:.1e} relative")
    if not fednl:
        return
    print("\n| FedNL compression | bytes per rank and iteration | plain allreduce of the "
          "dense Hessian | ratio |")
    print("|---|---|---|---|")
    for name, c in fednl.items():
        print(f"| {name} | {c['bytes_per_iteration_per_rank']:.0f} | "
              f"{c['plain_allreduce_bytes']} | "
              f"{c['bytes_per_iteration_per_rank'] / c['plain_allreduce_bytes']:.3f} |")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"\n(benchmark wall time {time.perf_counter() - start:.0f} s)")
