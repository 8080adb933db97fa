"""Poisson PINN: accuracy against wall time, the seed's Adamax recipe vs pdekit's Hessian-based ones.

Runs, one after the other in one process, on the 1D problem u'' = -pi^2 sin(pi x) on [-1, 1]
and the 2D problem Lap u = -2 pi^2 sin(pi x) sin(pi y) on the unit square:

1. the seed's recipe: Adamax (lr 1e-3) on the seed's network and points, penalty gamma = 1;
2. pdekit's Hessian-based training (Adam warm-up, explicit Gauss-Newton = energy natural
   gradient, Newton-CG polish with Hessian-vector products) on the *same* network and points;
3. pdekit's best-accuracy recipe, the bundled ``cases/poisson1d.toml`` / ``poisson2d.toml``
   (smaller network, Sobol' points, boundary condition built into the network).

For each run: weights, residuals, training wall time (including TensorFlow tracing), the
relative L2 and max error on the cases' evaluation grids (2001 points in 1D, 201^2 in 2D) and
the wall time at which the relative L2 error first fell below 1e-3 ... 1e-7.

Usage::

    PYTHONPATH=. python benchmarks/bench_pinn.py [--quick]

``--quick`` divides the Adamax iterations by 10 (for a smoke test). Prints a Markdown report.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

THRESHOLDS = (1e-3, 1e-4, 1e-5, 1e-6, 1e-7)

SEED_1D = ["network.depth=3", "network.width=50", "points.interior=101",
           "points.sampler='uniform'", "loss.boundary='penalty'", "loss.penalty=1.0"]
SEED_2D: list[str] = []  # poisson2d_adamax.toml is the seed's setting already


def runs(quick: bool) -> list[tuple[str, str, list[str]]]:
    """(label, case file, overrides) of every run, in order."""
    steps = 5000 if quick else 50000
    adamax = f"training.stages=[{{method='adamax', iterations={steps}, lr=1e-3, log_every=1000}}]"
    hessian = ("training.stages=[{method='adam', iterations=1000, lr=1e-3}, "
               "{method='gauss-newton', iterations=300, time_limit=60.0}, "
               "{method='newton-cg', iterations=5}]")
    return [
        ("1D seed: Adamax, 3x50 tanh, 101+2 random pts, penalty", "cases/poisson1d.toml",
         SEED_1D + [adamax]),
        ("1D pdekit Hessian-based, same net and points", "cases/poisson1d.toml",
         SEED_1D + [hessian]),
        ("1D pdekit best recipe (cases/poisson1d.toml)", "cases/poisson1d.toml", []),
        ("2D seed: Adamax, 1x50 tanh, 1001+80 random pts, penalty",
         "cases/poisson2d_adamax.toml", SEED_2D + [adamax]),
        ("2D pdekit Hessian-based, same net and points", "cases/poisson2d_adamax.toml",
         SEED_2D + [hessian]),
        ("2D pdekit best recipe (cases/poisson2d.toml)", "cases/poisson2d.toml", []),
    ]


def run_one(case_file: str, overrides: list[str]) -> dict:
    """Train one case (no output files) and summarize its history."""
    from pdekit.core.cases import load_case
    from pdekit.pinn.build import build
    from pdekit.pinn.training import Trainer

    prepared = load_case(ROOT / case_file, overrides).prepared
    built = build(prepared)
    model, loss, evaluator = built.model, built.loss, built.evaluator
    trainer = Trainer(loss, evaluator)
    start = time.perf_counter()
    reports = trainer.run(prepared.case.training.stages)
    wall = time.perf_counter() - start
    errors = evaluator.errors()
    reached = {}
    for threshold in THRESHOLDS:
        hit = next((h for h in trainer.history if h["rel_l2"] is not None
                    and h["rel_l2"] <= threshold), None)
        reached[threshold] = None if hit is None else hit["time"]
    return {"params": model.n_params, "residuals": loss.n_residuals, "wall": wall,
            "rel_l2": errors["rel_l2"], "max_abs": errors["max_abs"], "loss": trainer.loss(),
            "reached": reached,
            "stages": ", ".join(f"{r.method} {r.iterations} it {r.wall_time:.1f} s"
                                + (f" ({r.hvps} HVPs)" if r.hvps else "")
                                + (f" ({r.jacobians} J)" if r.jacobians else "")
                                for r in reports)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Adamax iterations / 10")
    args = parser.parse_args()
    import numpy as np
    import tensorflow as tf

    load_start = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows = []
    for label, case_file, overrides in runs(args.quick):
        print(f"running: {label}", file=sys.stderr, flush=True)
        rows.append((label, run_one(case_file, overrides)))
    load_end = os.getloadavg()
    print(f"Run {started}; {platform.processor() or platform.machine()}, {os.cpu_count()} "
          f"cores; Python {platform.python_version()}, TensorFlow {tf.__version__}, NumPy "
          f"{np.__version__}; float64. Load average (1 min) {load_start[0]:.1f} at start, "
          f"{load_end[0]:.1f} at end{' (--quick)' if args.quick else ''}.\n")
    print_table(rows)


def print_table(rows: list[tuple[str, dict]]) -> None:
    """The Markdown table of :func:`run_one` results, then each run's stages."""
    head = " | ".join(f"t(≤{t:g})" for t in THRESHOLDS)
    print(f"| run | weights | residuals | train time [s] | rel. L2 | max err | final loss | {head} |")
    print("|---|---|---|---|---|---|---|" + "---|" * len(THRESHOLDS))
    for label, r in rows:
        times = " | ".join("—" if r["reached"][t] is None else f"{r['reached'][t]:.1f}"
                           for t in THRESHOLDS)
        print(f"| {label} | {r['params']} | {r['residuals']} | {r['wall']:.1f} | "
              f"{r['rel_l2']:.2e} | {r['max_abs']:.2e} | {r['loss']:.2e} | {times} |")
    print("\nStages:")
    for label, r in rows:
        print(f"- {label}: {r['stages']}")


if __name__ == "__main__":
    main()
