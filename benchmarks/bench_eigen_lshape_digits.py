"""Benchmark (2): L-shape λ1 — correct digits against end-to-end wall time.

Each point is one `pdekit eig cases/eigen_lshape.toml` process (Python start, imports,
meshing, assembly, solve, summary.json; mode files and PNG switched off), timed from
outside. Uniform meshes (hp off) with P1 and P2 and refinement, against hp-grading toward
the re-entrant corner with levels = p. Reference λ1 = 9.6397238440219410527
(Trefethen & Betcke 2006). Target: relative error ≤ 1e-12 in ≤ 5 s.

Run: ``python benchmarks/bench_eigen_lshape_digits.py``.
"""

from __future__ import annotations

import math
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eig_cli import ROOT, run_eig  # noqa: E402

REFERENCE = 9.6397238440219410527
MAX_WALL = 60.0


def run(sets: list[str], out: Path) -> tuple[float, dict]:
    return run_eig(ROOT / "cases/eigen_lshape.toml", sets, out)


def main() -> None:
    print("# L-shape lambda1, end-to-end `pdekit eig` wall time (modes/PNG off)")
    print(f"{'method':<12} {'setting':<18} {'dofs':>8} {'rel.error':>10} {'digits':>6} "
          f"{'wall s':>7} {'solve s':>7}")
    configs = [("uniform P1", f"refine={r}", ["mesh.hp=false", "fem.order=1", "mesh.maxh=0.25",
                                                f"mesh.refine={r}"]) for r in range(0, 8)]
    configs += [("uniform P2", f"refine={r}", ["mesh.hp=false", "fem.order=2", "mesh.maxh=0.25",
                                                 f"mesh.refine={r}"]) for r in range(0, 7)]
    configs += [("hp", f"p={p} levels={p}", [f"fem.order={p}", f"mesh.hp_levels={p}",
                                             "mesh.hp_factor=0.2", "mesh.maxh=0.5"])
                for p in range(2, 17, 2)]
    skip = set()
    with tempfile.TemporaryDirectory() as tmp:
        for k, (method, label, sets) in enumerate(configs):
            if method in skip:
                continue
            wall, summary = run(sets, Path(tmp) / f"run{k}")
            results = summary["results"]
            error = abs(results["eigenvalues"][0] - REFERENCE) / REFERENCE
            digits = -math.log10(error) if error > 0 else 16.0
            print(f"{method:<12} {label:<18} {results['ndof']:>8} {error:>10.2e} {digits:>6.1f} "
                  f"{wall:>7.2f} {summary['timings']['solve']:>7.2f}", flush=True)
            if wall > MAX_WALL:
                skip.add(method)


if __name__ == "__main__":
    main()
