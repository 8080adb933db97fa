"""Issue 2 benchmark: pdekit's Turing solvers against the seed's, at equal accuracy.

BVAM preset 0 from the same seeded noise. Accuracy = max-norm difference to a converged
reference, divided by the reference field's range (max over u and v). For every method
the largest step from a halving ladder that reaches accuracy <= 1e-3 is timed (the seed's
RK4 runs at its own dt = 0.0065, or 0.9× its stability limit on finer grids). All rows
come from one run on one machine: compare the ratios, not the seconds.

    .venv/bin/python benchmarks/bench_turing.py            # 100² to T = 150, 256² to T = 20
    .venv/bin/python benchmarks/bench_turing.py --quick    # 64² to T = 30 (smoke run)
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed_turing import seed_laplacian, seed_rk4, seed_split  # noqa: E402

from pdekit.fd.case import build_problem  # noqa: E402
from pdekit.fd.grid import PeriodicGrid  # noqa: E402
from pdekit.fd.models import BVAM, bvam_preset  # noqa: E402
from pdekit.time import integrate, make_stepper  # noqa: E402

TOLERANCE = 1e-3
PARAMS = bvam_preset("spots")


def initial(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(0, 0.5, (n, n)).ravel(), rng.normal(0, 0.5, (n, n)).ravel()


def pdekit_run(method: str, diffusion: str, n: int, T: float, dt: float):
    grid = PeriodicGrid(n)
    problem = build_problem(BVAM(**PARAMS), grid, "full", diffusion)
    u0, v0 = initial(n)
    start = time.perf_counter()
    step = make_stepper(method, problem, dt)
    w, _ = integrate(step, np.concatenate([u0, v0]), 0.0, T, dt, check_every=50)
    return time.perf_counter() - start, w[: n * n], w[n * n:]


def seed_run(solver, n: int, T: float, dt: float):
    lap = seed_laplacian(n, 2.0 / n)
    u0, v0 = initial(n)
    steps = round(T / dt)
    start = time.perf_counter()
    u, v = solver(u0, v0, PARAMS, lap, T / steps, steps)
    return time.perf_counter() - start, u, v


def error(u, v, ref_u, ref_v) -> float:
    return max(np.max(np.abs(u - ref_u)) / np.ptp(ref_u), np.max(np.abs(v - ref_v)) / np.ptp(ref_v))


def largest_accurate(run, dts, reference):
    """Try steps from large to small; return (dt, seconds, error) of the first accurate one."""
    tried = []
    for dt in dts:
        seconds, u, v = run(dt)
        err = error(u, v, *reference)
        tried.append((dt, err))
        if np.isfinite(err) and err <= TOLERANCE:
            return dt, seconds, err, tried
    return None, math.nan, math.nan, tried


def bench(n: int, T: float, include_seed_split: bool) -> list[str]:
    rk4_limit = 2.785293563405282 / (8 / (2.0 / n) ** 2 * PARAMS["delta2"])
    ref_dt = min(0.0025, rk4_limit / 4)
    t0 = time.perf_counter()
    _, ref_u, ref_v = pdekit_run("rk4", "fft", n, T, ref_dt)
    _, chk_u, chk_v = pdekit_run("rk4", "fft", n, T, 2 * ref_dt)
    ref_time = time.perf_counter() - t0
    lines = [f"### {n}x{n}, T = {T}",
             f"reference: pdekit rk4/fft dt = {ref_dt:.4g}; vs dt = {2 * ref_dt:.4g} "
             f"it differs by {error(chk_u, chk_v, ref_u, ref_v):.2e} of the range "
             f"(converged to far below {TOLERANCE:g}); {ref_time:.1f} s", ""]
    seed_dt = 0.0065 if 0.0065 < rk4_limit else 0.9 * rk4_limit
    rows = []
    seconds, u, v = seed_run(seed_rk4, n, T, seed_dt)
    rows.append(("seed RK4 (sparse)", seed_dt, seconds, error(u, v, ref_u, ref_v)))
    ladder = [0.8, 0.4, 0.2, 0.1, 0.05, 0.025, 0.0125, 0.00625]
    if include_seed_split:
        dt, seconds, err, tried = largest_accurate(
            lambda dt: seed_run(seed_split, n, T, dt), ladder[3:], (ref_u, ref_v))
        rows.append(("seed split (spsolve every step)", dt, seconds, err))
    candidates = [("rk4", "sparse", [seed_dt]), ("rk4", "fft", [seed_dt]),
                  ("imex-euler", "sparse", ladder), ("imex-euler", "fft", ladder),
                  ("strang", "sparse", ladder), ("strang", "fft", ladder)]
    for method, diffusion, dts in candidates:
        dt, seconds, err, tried = largest_accurate(
            lambda dt: pdekit_run(method, diffusion, n, T, dt), dts, (ref_u, ref_v))
        rows.append((f"pdekit {method} ({diffusion})", dt, seconds, err))
    base = rows[0][2]
    lines.append("| solver | dt | steps | error / range | time [s] | speed-up vs seed RK4 |")
    lines.append("|---|---|---|---|---|---|")
    for name, dt, seconds, err in rows:
        if dt is None:
            lines.append(f"| {name} | — | — | > {TOLERANCE:g} at every dt tried | — | — |")
            continue
        lines.append(f"| {name} | {dt:.4g} | {round(T / dt)} | {err:.2e} | {seconds:.2f} | "
                     f"{base / seconds:.1f}x |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    cases = [(64, 30.0, True)] if args.quick else [(100, 150.0, True), (256, 20.0, True)]
    for n, T, split in cases:
        print("\n".join(bench(n, T, split)), "\n", flush=True)


if __name__ == "__main__":
    main()
