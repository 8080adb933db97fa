"""Turing in 3D (issue 12, benchmark 1): pdekit against py-pde's 3D RK4, and peak memory.

BVAM preset 0 ("spots", the parameters of the 2D benchmark) on the periodic cube
[-1, 1)³ (as ``cases/turing_3d.toml``), from the band-limited noise of that case (std 0.5,
seed 0: the same physical field at every resolution). The initial field is generated
once per grid by pdekit, saved to ``initial_N.npy`` (shape 2 × N × N × N) and loaded
from that file by both pdekit and py-pde. Accuracy = max-norm difference to a converged
reference from the same file (adaptive ETDRK4 at a tight tolerance, checked against a
10× looser one), divided by the reference's range, worst of u and v. Equal accuracy:
every solver at its cheapest setting with accuracy <= 1e-3.

- pdekit: adaptive ETDRK4 with FFT diffusion (its fastest accurate method on periodic
  grids, bench_turing.py), in single and double precision (``grid.precision``), at the
  loosest (tolerance, dt_max) of a ladder that reaches 1e-3; fastest of up to 3 runs; the
  numba compile time (empty cache) and the cache load reported apart, as is FFTW's
  planning time (empty wisdom cache, and from the cache).
- py-pde's RK4 (``RungeKuttaSolver``, numba) in a separate virtual environment
  (``--pypde-python``), at its largest stable step (0.99, then 0.9, 0.45 of the RK4 limit
  of the 7-point Laplacian, one run each; then the fastest of 3 at the step found); JIT
  compile reported apart. Beyond 64³ its time is *projected*: seconds per step measured
  on ``--pypde-probe`` steps × the steps its stability limit needs.
- one table per ``--threads`` count: both solvers get that many threads (py-pde's numba
  threads, pdekit's ``grid.threads`` per FFT); py-pde's step search runs with the first.
- peak memory of ``pdekit solve`` (summary.json ``memory.peak_rss_mb``) at the grids of
  ``--memory N T``, in each ``--memory-precision``.

    .venv/bin/python benchmarks/bench_turing_3d.py --pypde-python /tmp/pypde-venv/bin/python \\
        --grid 64 150 --grid 128 150 --threads 1 2 --memory 128 150 --memory 256 2 \\
        --memory-precision double single
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from turing_cli import solve_case  # noqa: E402

from pdekit.fd.build import build_problem  # noqa: E402
from pdekit.fd.grid import PeriodicGrid  # noqa: E402
from pdekit.fd.initial import noise_fields  # noqa: E402
from pdekit.fd.models import BVAM, bvam_preset  # noqa: E402
from pdekit.fd.schema import InitialSection  # noqa: E402
from pdekit.memory import retain_freed_memory  # noqa: E402
from pdekit.time import etdrk4_embedded, integrate_adaptive  # noqa: E402
from pdekit.time.methods import RK4_REAL_STABILITY  # noqa: E402

TOLERANCE = 1e-3
PARAMS = bvam_preset("spots")
MODEL = BVAM(**PARAMS)
LENGTH = 2.0
DIM = 3
RUNS = 3
COMPILE: dict[str, tuple[float, float]] = {}


def grid(n: int) -> PeriodicGrid:
    return PeriodicGrid([n] * DIM, LENGTH, -LENGTH / 2)


def initial_file(n: int, folder: Path) -> Path:
    """The band-limited noise of cases/turing_3d.toml on n³, saved once as .npy."""
    path = folder / f"initial_{n}.npy"
    if not path.exists():
        u, v = noise_fields(InitialSection(), grid(n))  # mean 0 = BVAM's steady state
        np.save(path, np.stack([u, v]))
    return path


def load(path: Path) -> np.ndarray:
    return np.load(path).reshape(-1)


def error(w: np.ndarray, reference: np.ndarray) -> float:
    if not np.all(np.isfinite(w)):
        return math.inf
    size = w.size // 2
    return max(float(np.max(np.abs(w[s] - reference[s])) / np.ptp(reference[s]))
               for s in (slice(0, size), slice(size, None)))


def pdekit_adaptive(n: int, path: Path, t0: float, T: float, tolerance: float, dt_max: float,
                    w0: np.ndarray | None = None, threads: int = 1,
                    precision: str = "double"):
    """Seconds, final state (float64) and step statistics of an adaptive ETDRK4 run from
    the file (set-up of the problem and its coefficients included, loading the file not),
    in ``precision`` ("double" or "single", as ``grid.precision``) with ``threads`` per
    FFT (as ``grid.threads``)."""
    dtype = np.float32 if precision == "single" else np.float64
    w0 = (load(path) if w0 is None else w0).astype(dtype)
    start = time.perf_counter()
    problem = build_problem(MODEL, grid(n), "full", "transform", threads, dtype)
    w, stats = integrate_adaptive(etdrk4_embedded(problem), w0, t0, T, 0.01, tolerance, dt_max)
    return time.perf_counter() - start, w.astype(np.float64), stats


def cold_and_warm_seconds(code: str, args: list[str], cache_variable: str
                          ) -> tuple[float, float]:
    """Run ``code`` (which prints seconds last) in two fresh processes sharing a new,
    empty cache directory named by the environment variable ``cache_variable``: the
    seconds with the empty cache, then with what the first process left in it."""
    seconds = []
    with tempfile.TemporaryDirectory() as cache:
        for _ in range(2):
            result = subprocess.run([sys.executable, "-c", code, *args], check=True,
                                    capture_output=True, text=True,
                                    env={**os.environ, cache_variable: cache})
            seconds.append(float(result.stdout.split()[-1]))
    return seconds[0], seconds[1]


def pdekit_compile_seconds(n: int, folder: Path) -> tuple[float, float]:
    """numba compile time of pdekit's kernels with an empty cache, and the time to load
    them from the cache, each in a fresh process: first of two short runs minus second."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import bench_turing_3d as b; "
            "from pathlib import Path; "
            f"t = [b.pdekit_adaptive({n}, Path(sys.argv[2]), 0.0, 1.0, 1e-2, 0.5)[0] "
            "for _ in range(2)]; print(t[0] - t[1])")
    return cold_and_warm_seconds(code, [str(HERE), str(initial_file(n, folder))],
                                 "NUMBA_CACHE_DIR")


def fftw_planning_seconds(n: int, threads: int, precision: str) -> tuple[float, float]:
    """FFTW's planning time for the n³ two-species transforms (pdekit.time.fftw), each in
    a fresh process: with an empty wisdom cache (once per machine and shape), then with
    the cache the first process wrote."""
    dtype = "float32" if precision == "single" else "float64"
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import numpy as np; "
            "from pdekit.time.fftw import RealFFT; "
            f"print(RealFFT(2, ({n}, {n}, {n}), np.{dtype}, {threads}).planning_seconds)")
    return cold_and_warm_seconds(code, [str(HERE.parent)], "PDEKIT_CACHE_DIR")


def rk4_limit(n: int) -> float:
    """RK4's stable step for the (2d+1)-point Laplacian: |λ|max = 4 d D_max / h²."""
    return RK4_REAL_STABILITY / (4 * DIM / (LENGTH / n) ** 2 * max(MODEL.diffusion))


def fixed_dt(T: float, dt: float) -> float:
    return T / math.ceil(T / dt - 1e-9)


def pypde(python: str, n: int, path: Path, dt: float, T: float, repeats: int,
          threads: int = 1):
    """py-pde's RK4 from the same file, in its own interpreter with ``threads`` numba
    threads: report and final state."""
    w0 = np.load(path)
    source = path.parent / f"pypde_in_{n}.npz"
    target = path.parent / f"pypde_out_{n}.npz"
    np.savez(source, u0=w0[0], v0=w0[1], length=LENGTH, **PARAMS)
    result = subprocess.run([python, str(HERE / "pypde_turing.py"), str(source), str(target),
                             str(repeats), repr(dt), repr(T)],
                            capture_output=True, text=True,
                            env={**os.environ, "NUMBA_NUM_THREADS": str(threads),
                                 "OMP_NUM_THREADS": str(threads)})
    if result.returncode != 0:
        raise RuntimeError(f"py-pde run failed:\n{result.stderr[-2000:]}")
    report = json.loads(result.stdout.strip().splitlines()[-1])
    with np.load(target) as data:
        final = np.concatenate([data["u0"].ravel(), data["v0"].ravel()])
    return report, final


PDEKIT_LADDER = [(2e-2, 1.5), (1e-2, 1.5), (7e-3, 1.5), (5e-3, 1.5), (3e-3, 1.0), (1e-3, 1.0),
                 (1e-4, 1.0)]
"""(tolerance, dt_max) pairs tried from the loosest: the first accurate one counts."""

Row = tuple[str, str, str, float, float, str]


def pypde_row(python: str, n: int, path: Path, T: float, reference: np.ndarray,
              threads: int, probe_steps: int, dt: float | None) -> tuple[Row, float | None]:
    """py-pde's row and the step it used. Up to 64³ full runs: at the given ``dt``, or
    searching its largest stable accurate step (0.99, 0.9, 0.45 of the RK4 limit; one run
    per try, then the fastest of RUNS at the step found). Beyond 64³ a probe of
    ``probe_steps`` steps, projected to the steps its stability limit needs."""
    kind = f"RK4 (numba, {threads} thread{'s' if threads > 1 else ''})"
    name = f"py-pde {kind}"
    if n > 64:
        dt = fixed_dt(T, 0.99 * rk4_limit(n))
        steps = round(T / dt)
        report, _ = pypde(python, n, path, dt, probe_steps * dt, 1, threads)
        run = report["runs"][0]
        per_step = run["seconds"] / probe_steps
        return ((f"py-pde {report['py-pde']} {kind}", f"{dt:.4g}", str(steps), math.nan,
                 per_step * steps,
                 f"projected: {per_step * 1e3:.3g} ms/step (measured on {probe_steps} steps, "
                 f"{'finite' if run['finite'] else 'NOT finite'}) x {steps} steps at 0.99x its "
                 f"stability limit (a full run would take ~{per_step * steps / 60:.0f} min; "
                 f"error not run); JIT compile {run['jit_seconds']:.1f} s excluded; peak RSS "
                 f"(VmHWM) {report['vmhwm_mib']:.0f} MiB"), dt)
    tried = []
    if dt is None:
        for factor in (0.99, 0.9, 0.45):
            candidate = fixed_dt(T, factor * rk4_limit(n))
            report, final = pypde(python, n, path, candidate, T, 1, threads)
            finite = report["runs"][0]["finite"]
            err = error(final, reference)
            tried.append(f"{candidate:.4g} ({'finite' if finite else 'blew up'}, "
                         f"error {err:.1e})")
            if finite and err <= TOLERANCE:
                dt = candidate
                break
        if dt is None:
            return (name, "—", "—", math.nan, math.nan, "no accurate run: " + ", ".join(tried)
                    ), None
    report, final = pypde(python, n, path, dt, T, RUNS, threads)
    run = report["runs"][0]
    search = (f"largest stable dt tried first: {', '.join(tried)}; " if tried
              else "the step found with 1 thread; ")
    return ((f"py-pde {report['py-pde']} {kind}", f"{run['dt']:.4g}",
             str(round(T / run["dt"])), error(final, reference), run["seconds"],
             f"measured, fastest of {len(run['all_seconds'])} "
             f"({', '.join(f'{x:.3g}' for x in run['all_seconds'])}); JIT compile "
             f"{run['jit_seconds']:.1f} s excluded; {search}peak RSS (VmHWM) "
             f"{report['vmhwm_mib']:.0f} MiB"), dt)


def pdekit_row(n: int, path: Path, T: float, reference: np.ndarray, threads: int,
               precision: str, runs: int, folder: Path) -> Row:
    """pdekit's adaptive ETDRK4 at the loosest accurate (tolerance, dt_max) of
    :data:`PDEKIT_LADDER`, fastest of ``runs``."""
    name = (f"pdekit etdrk4 adaptive (fft, {precision}, {threads} thread"
            f"{'s' if threads > 1 else ''})")
    tried = []
    for tol, dt_max in PDEKIT_LADDER:
        if precision == "single" and tol < 1e-5:
            continue  # below what float32 resolves (grid.precision refuses it)
        seconds, w, stats = pdekit_adaptive(n, path, 0.0, T, tol, dt_max, threads=threads,
                                            precision=precision)
        err = error(w, reference)
        tried.append(f"{tol:g}/{dt_max:g}: {err:.1e}")
        if err <= TOLERANCE:
            all_seconds = [seconds] + [pdekit_adaptive(n, path, 0.0, T, tol, dt_max,
                                                       threads=threads,
                                                       precision=precision)[0]
                                       for _ in range(runs - 1)]
            if "compile" not in COMPILE:
                COMPILE["compile"] = pdekit_compile_seconds(32, folder)
            cold, warm = COMPILE["compile"]
            plan_cold, plan_warm = fftw_planning_seconds(n, threads, precision)
            return (name, f"tol {tol:g}, dt_max {dt_max:g}",
                    f"{stats.accepted} (+{stats.rejected} rejected)", err, min(all_seconds),
                    f"steps {stats.dt_min:.2g}..{stats.dt_max:.2g}; fastest of {runs} "
                    f"({', '.join(f'{s:.3g}' for s in all_seconds)}); "
                    f"{min(all_seconds) / (stats.accepted + stats.rejected) * 1e3:.3g} ms per "
                    f"attempt; tolerance/dt_max tried: {'; '.join(tried)}; numba compile "
                    f"{cold:.1f} s (empty cache, once per machine) and {warm:.2f} s (loading "
                    f"the cache) excluded; FFTW planning {plan_cold:.2f} s (empty wisdom "
                    f"cache, once per machine and shape; in the first run only) and "
                    f"{plan_warm:.3f} s (from the cache) included")
    return (name, "—", "—", math.nan, math.nan, "not accurate at: " + "; ".join(tried))


def bench(n: int, T: float, python: str | None, folder: Path, probe_steps: int,
          threads_list: list[int], precisions: list[str]) -> list[str]:
    out = [f"### {n}³ (periodic cube of side {LENGTH:g}), T = {T:g}", ""]
    path = initial_file(n, folder)

    # converged reference, an independent check, and whether the pattern has settled
    t0 = time.perf_counter()
    ref_tol, check_tol = (1e-6, 1e-5) if n <= 64 else (1e-5, 1e-4)
    _, reference, ref_stats = pdekit_adaptive(n, path, 0.0, T, ref_tol, 0.25)
    _, check, check_stats = pdekit_adaptive(n, path, 0.0, T, check_tol, 0.25)
    size = reference.size // 2
    out.append(f"reference: pdekit etdrk4 adaptive (double) tol {ref_tol:g}, dt_max 0.25 "
               f"({ref_stats.accepted} steps); tol {check_tol:g} ({check_stats.accepted} steps) "
               f"differs from it by {error(check, reference):.1e} of the range; field range "
               f"u {np.ptp(reference[:size]):.3g}, v {np.ptp(reference[size:]):.3g} "
               f"({time.perf_counter() - t0:.0f} s)")
    # settled? the range at 2T/3 and T, and how far the fields move in the last third
    # (smallest grid only: the noise is the same physical field on every grid)
    if n <= 64:
        _, early, _ = pdekit_adaptive(n, path, 0.0, 2 * T / 3, check_tol, 0.25)
        out.append(
            f"settling: range of u at t = {2 * T / 3:g}: {np.ptp(early[:size]):.3g}, at "
            f"t = {T:g}: {np.ptp(reference[:size]):.3g}; max |u(T) - u(2T/3)| / range = "
            f"{np.max(np.abs(early[:size] - reference[:size])) / np.ptp(reference[:size]):.2f}")
    runs = RUNS if n <= 64 else 2
    dt = None
    for threads in threads_list:
        rows: list[Row] = []
        if python:
            row, dt = pypde_row(python, n, path, T, reference, threads, probe_steps, dt)
            rows.append(row)
        for precision in precisions:
            rows.append(pdekit_row(n, path, T, reference, threads, precision, runs, folder))
        out += ["", f"#### {threads} thread{'s' if threads > 1 else ''} per solver", "",
                "| solver | step | steps | error / range | time [s] | note |",
                "|---|---|---|---|---|---|"]
        for name, step, steps, err, seconds, note in rows:
            out.append(f"| {name} | {step} | {steps} | {err:.1e} | {seconds:.3g} | {note} |")
        out.append("")
        if python and math.isfinite(rows[0][4]):
            kind = "projected" if rows[0][5].startswith("projected") else "measured"
            for name, _, _, _, seconds, _ in rows[1:]:
                if math.isfinite(seconds):
                    out.append(f"- {name}: {rows[0][4] / seconds:.1f}x faster than "
                               f"{rows[0][0]} ({kind})")
        out.append(f"(load average at the end: {os.getloadavg()[0]:.1f})")
    return out


def memory_runs(runs: list[tuple[int, float]], tolerance: float, precision: str) -> list[str]:
    """``pdekit solve`` (adaptive ETDRK4, fft) on big cubes: wall time and peak memory."""
    out = [f"### peak memory through the CLI (`pdekit solve`, etdrk4 adaptive, tolerance "
           f"{tolerance:g}, dt_max 1.5, {precision} precision, no snapshots; summary.json)", "",
           "| n³ | T | steps | integrate [s] | s/step | peak RSS [MiB] | after set-up [MiB] "
           "| state [MiB] | load |", "|---|---|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as folder:
        for n, T in runs:
            summary = solve_case(Path(folder), f"cube{n}",
                                 f'[case]\nkind = "turing"\nname = "cube{n}"\n[grid]\n'
                                 f'n = [{n}, {n}, {n}]\nlength = {LENGTH}\n'
                                 f'precision = "{precision}"\n'
                                 f'[time]\nmethod = "etdrk4"\nadaptive = true\ntolerance = '
                                 f'{tolerance}\ndt = 0.01\ndt_max = 1.5\nT = {T}\n'
                                 f'[output]\nvtk = false\npng = false\nevery = {T}\n')
            if isinstance(summary, str):
                out.append(f"| {n} | failed: {summary} |")
                continue
            r = summary["results"]
            out.append(f"| {n} | {T:g} | {r['time']['steps']} | "
                       f"{summary['timings']['integrate']:.1f} | "
                       f"{r['time']['seconds_per_step']:.3g} | {r['memory']['peak_rss_mb']:.0f} | "
                       f"{r['memory']['peak_rss_mb_after_setup']:.0f} | "
                       f"{r['memory']['state_mb']:.0f} | {os.getloadavg()[0]:.1f} |")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pypde-python", default=None)
    parser.add_argument("--grid", nargs=2, action="append", metavar=("N", "T"), default=[])
    parser.add_argument("--threads", type=int, nargs="+", default=[1],
                        help="threads per solver, one table each (py-pde: numba threads; "
                             "pdekit: grid.threads)")
    parser.add_argument("--precision", nargs="+", default=["single", "double"],
                        choices=["single", "double"], help="pdekit rows (grid.precision)")
    parser.add_argument("--memory", nargs=2, action="append", metavar=("N", "T"), default=[])
    parser.add_argument("--memory-tolerance", type=float, default=1e-2)
    parser.add_argument("--memory-precision", nargs="+", default=["double"],
                        choices=["single", "double"])
    parser.add_argument("--pypde-probe", type=int, default=200,
                        help="py-pde steps measured beyond 64³ (projected to a full run)")
    args = parser.parse_args()
    retain_freed_memory()  # as `pdekit solve` does
    print(f"# {platform.node()} {platform.machine()}, {os.cpu_count()} cores, load "
          f"{os.getloadavg()[0]:.1f}; numpy {np.__version__}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        for n, T in args.grid:
            print("\n".join(bench(int(n), float(T), args.pypde_python, Path(folder),
                                  args.pypde_probe, args.threads, args.precision)), "\n",
                  flush=True)
    for precision in args.memory_precision if args.memory else []:
        print("\n".join(memory_runs([(int(n), float(T)) for n, T in args.memory],
                                    args.memory_tolerance, precision)), "\n", flush=True)


if __name__ == "__main__":
    main()
