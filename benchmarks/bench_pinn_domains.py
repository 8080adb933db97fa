"""PINN Poisson on general domains and in 3D (issue 14, benchmarks 1-2), side by side in one run.

Runs, one after the other in one process (explicit Gauss-Newton, float64, no Adam):

1. unit disk, u = cos(pi r^2/2) exp(x) (zero on the circle), hard form u = phi N with the
   circle's distance function (``cases/poisson_disk.toml``);
2. L-shape, u = exp(x) cos(y), Dirichlet on five edges and Neumann on the top edge, penalty
   form with weight 100 (``cases/poisson_lshape.toml``);
3. L-shape, the singular harmonic u = r^(2/3) sin(2 theta/3) with its boundary data, penalty
   form, 2 x 30 network, 2000 + 800 points;
4. unit cube, u = sin(pi x) sin(pi y) sin(pi z), hard form with the product bubble
   (``cases/poisson_box3d.toml``);
5. with ``--deepxde-python PYTHON``: DeepXDE on problem 3 for the wall time pdekit took
   (``deepxde_lshape_singular.py``, run in DeepXDE's own venv).

The hard form on a general domain lifts the Dirichlet *expression* into the domain; with
data that are the solution itself that would leave nothing to learn, so runs 2-3 use the
penalty form and runs 1 and 4 give their zero boundary data as ``boundary = "0"``.

The 2D runs are limited to 120 s of Gauss-Newton, the 3D run to 300 s (the targets: rel. L2
<= 1e-7 within 120 s in 2D, <= 1e-6 within 300 s in 3D, on 2 cores). For each: weights,
residuals, training wall time (including TensorFlow tracing), relative L2 and max error on
the evaluation grid points inside the domain, and the wall time at which the relative L2
error first fell below 1e-3 ... 1e-7. The machine's load average is printed (2 cores shared).

Usage::

    PYTHONPATH=. python benchmarks/bench_pinn_domains.py [--quick]

``--quick`` divides the time limits by 10 (a smoke test). Prints a Markdown report.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pinn import ROOT, print_table, run_one  # noqa: E402

from pdekit.pinn.geometry import LSHAPE_SINGULAR as SINGULAR  # noqa: E402

LSHAPE = """
[case]
kind = "poisson-pinn"
name = "{name}"
[domain]
shape = "lshape"
[problem]
{problem}
[network]
depth = 2
width = {width}
[points]
interior = {interior}
sampler = "sobol"
boundary = {boundary}
[loss]
boundary = "{form}"
[evaluation]
n = 201
"""


def gauss_newton(seconds: float, iterations: int = 100000) -> str:
    return (f"training.stages=[{{method='gauss-newton', iterations={iterations}, "
            f"time_limit={seconds}}}]")


def runs(quick: bool, folder: Path) -> list[tuple[str, Path, list[str]]]:
    """(label, case file, overrides) of every run, in order."""
    scale = 0.1 if quick else 1.0
    two, three = gauss_newton(120.0 * scale), gauss_newton(300.0 * scale)
    singular = folder / "lshape_singular.toml"
    singular.write_text(LSHAPE.format(name="lshape_singular", width=30, interior=2000,
                                      boundary=800, form="penalty",
                                      problem=f'exact = "{SINGULAR}"\nforcing = "0"'))
    grid = ["evaluation.n=201"]
    return [
        ("disk, cos(πr²/2)eˣ, hard (poisson_disk.toml)", ROOT / "cases/poisson_disk.toml",
         grid + [two]),
        ("L-shape, eˣ cos y, penalty 100, Neumann on top (poisson_lshape.toml)",
         ROOT / "cases/poisson_lshape.toml", grid + [two]),
        ("L-shape, r^(2/3) sin(2θ/3), penalty 1, 2×30", singular, [two]),
        ("3D box, sin πx sin πy sin πz, hard (poisson_box3d.toml)",
         ROOT / "cases/poisson_box3d.toml", [three]),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="time limits / 10")
    parser.add_argument("--deepxde-python", help="python of a venv with deepxde: compare "
                        "on the singular L-shape at equal wall time")
    args = parser.parse_args()
    import numpy as np
    import tensorflow as tf

    load_start = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for label, case_file, overrides in runs(args.quick, Path(folder)):
            print(f"running: {label} (load {os.getloadavg()[0]:.1f})", file=sys.stderr,
                  flush=True)
            rows.append((label, run_one(case_file, overrides), os.getloadavg()[0]))
    deepxde = None
    if args.deepxde_python:
        budget = next(r["wall"] for label, r, _ in rows if "r^(2/3)" in label)
        print(f"running: DeepXDE, {budget:.0f} s", file=sys.stderr, flush=True)
        done = subprocess.run([args.deepxde_python, str(Path(__file__).parent
                                                        / "deepxde_lshape_singular.py"),
                               f"{budget:.1f}"], capture_output=True, text=True)
        lines = done.stdout.strip().splitlines()
        deepxde = (json.loads(lines[-1]) if done.returncode == 0 and lines
                   else {"error": done.stderr[-500:]})
    load_end = os.getloadavg()
    print(f"Run {started}; {platform.processor() or platform.machine()}, {os.cpu_count()} "
          f"cores shared with other jobs; Python {platform.python_version()}, TensorFlow "
          f"{tf.__version__}, NumPy {np.__version__}; float64. Load average (1 min) "
          f"{load_start[0]:.1f} at start, {load_end[0]:.1f} at end"
          f"{' (--quick)' if args.quick else ''}.\n")
    print_table([(f"{label} (load {load:.1f} after)", r) for label, r, load in rows])
    if deepxde is not None:
        print(f"\nDeepXDE on the singular L-shape (3×50 tanh, 2000 + 400 points, Adam then "
              f"L-BFGS, float64), same wall time: {json.dumps(deepxde)}")


if __name__ == "__main__":
    main()
