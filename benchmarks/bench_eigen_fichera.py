"""Benchmark (issue 13, 1): Fichera corner λ1 — correct digits against wall time, hp-graded
against uniform refinement; and the unit ball λ1 = π² to 1e-10 end to end.

Fichera corner (−1,1)³ ∖ [0,1)³, Dirichlet (``cases/eigen_fichera.toml``). No closed form
and no published value to 10 digits is known to us, so the reference is self-converged:
the hp ladder (geometric grading toward the three re-entrant edges and their vertex,
levels = p, ratio 0.125, maxh 0.5) is run to ``--reference-order``; its successive
differences d_p = |λ_p − λ_{p−1}| fall geometrically (d_p ≈ C q^p), and the error of the
last value is estimated as d_last · q / (1 − q) with q = d_last / d_{last−1}. Every point is
one ``pdekit eig`` process timed from outside (``benchmarks/eig_cli.py``).

Ball: ``cases/eigen_ball.toml`` with ``solver.accuracy = 1e-10`` (orders raised from 4 until
successive orders agree), error against π² (the square of the first zero of j₀).

Run: ``OPENBLAS_NUM_THREADS=1 python benchmarks/bench_eigen_fichera.py`` (one core).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eig_cli import ROOT, run_eig  # noqa: E402

FICHERA = ROOT / "cases/eigen_fichera.toml"
BALL = ROOT / "cases/eigen_ball.toml"


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def fichera(tmp: Path, reference_order: int, max_wall: float) -> None:
    hp = [(f"p={p} levels={p}", [f"fem.order={p}", "mesh.hp=true", f"mesh.hp_levels={p}",
                                 "mesh.hp_factor=0.125", "mesh.maxh=0.5"])
          for p in range(1, reference_order + 1)]
    rows = []
    for label, sets in hp:
        wall, summary = run_eig(FICHERA, sets, tmp / f"hp{len(rows)}")
        rows.append(("hp", label, summary["results"]["ndof"],
                     summary["results"]["eigenvalues"][0], wall))
    values = [row[3] for row in rows]
    d = [abs(b - a) for a, b in zip(values, values[1:])]
    q = d[-1] / d[-2]
    reference = values[-1]
    reference_error = d[-1] * q / (1 - q) / reference
    print(f"# reference: hp p = {reference_order}, lambda1 = {reference:.13f}; last "
          f"differences {', '.join(f'{x:.1e}' for x in d[-4:])}; q = {q:.2f}; estimated "
          f"relative error of the reference {reference_error:.1e}")
    uniform = [(f"P{p}", f"refine={r}", ["mesh.hp=false", f"fem.order={p}", "mesh.maxh=0.5",
                                         f"mesh.refine={r}"])
               for p in (1, 2) for r in range(0, 5)]
    skip = set()
    for method, label, sets in uniform:
        if method in skip:
            continue
        wall, summary = run_eig(FICHERA, sets, tmp / f"u{method}{label}")
        rows.append((f"uniform {method}", label, summary["results"]["ndof"],
                     summary["results"]["eigenvalues"][0], wall))
        if wall > max_wall:
            skip.add(method)
    print(f"{'method':<11} {'setting':<14} {'dofs':>8} {'lambda1':>17} {'rel.error':>10} "
          f"{'digits':>6} {'wall s':>7}")
    for method, label, dofs, value, wall in rows:
        error = abs(value - reference) / reference
        digits = f"{-math.log10(error):6.1f}" if error > 0 else "   ref"
        print(f"{method:<11} {label:<14} {dofs:>8} {value:>17.13f} {error:>10.2e} {digits} "
              f"{wall:>7.2f}", flush=True)


def ball(tmp: Path) -> None:
    wall, summary = run_eig(BALL, ["solver.accuracy=1e-10"], tmp / "ball", nev=4, tol=1e-12)
    results = summary["results"]
    error = abs(results["eigenvalues"][0] - math.pi ** 2) / math.pi ** 2
    accuracy = results["accuracy"]
    print(f"unit ball, solver.accuracy = 1e-10: orders {accuracy['orders']}, "
          f"{results['ndof']} dofs, lambda1 = {results['eigenvalues'][0]:.13f}, rel. error "
          f"{error:.1e} (pdekit's estimate {accuracy['estimates'][0]:.1e}); wall {wall:.2f} s "
          f"(mesh {summary['timings']['mesh']:.2f}, assembly "
          f"{summary['timings']['assembly']:.2f}, solve {summary['timings']['solve']:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference-order", type=int, default=8)
    parser.add_argument("--max-wall", type=float, default=120.0,
                        help="stop refining a uniform ladder after a run this long")
    args = parser.parse_args()
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"# 2 cores, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '-')}, "
          f"load {load()}; {stamp}")
    with tempfile.TemporaryDirectory() as tmp:
        ball(Path(tmp))
        fichera(Path(tmp), args.reference_order, args.max_wall)
    print(f"# load at the end: {load()}")


if __name__ == "__main__":
    main()
