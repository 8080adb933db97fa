"""One ``pdekit eig`` process per benchmark point, timed from outside (shared helper)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_eig(case: Path, sets: list[str], out: Path, nev: int = 1,
            tol: float = 1e-13) -> tuple[float, dict]:
    """Run ``pdekit eig case`` (modes and PNG off) with ``--set`` items; wall seconds
    (Python start, imports, meshing, assembly, solve, summary.json) and the summary."""
    args = [sys.executable, "-m", "pdekit.cli", "eig", str(case), "--out", str(out),
            "--quiet", "--set", "output.modes=0", "--set", "output.plot=0",
            "--set", f"solver.nev={nev}", "--set", f"solver.tol={tol}"]
    for item in sets:
        args += ["--set", item]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    subprocess.run(args, check=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - start
    return wall, json.loads((out / "summary.json").read_text())
