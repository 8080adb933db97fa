"""Benchmarks of Turing patterns on finite-element domains (issue 25).

1. Predicted vs measured modes: the bundled sphere case with three diffusion scales that
   put the fastest unstable degree at l = 3, 4 and 5 (Dv = 10 Du, Schnakenberg a = 0.1,
   b = 0.9), and the bundled disk case: the degree (or eigenvalue) of the predicted
   fastest mode and of the final pattern's dominant mode.
2. The price of generality: the unit square with no-flux walls as a ``[domain]`` (P1, about
   as many vertices as grid points) against the FFT/DCT grid path (``grid.boundary =
   "neumann"``), both with ARS(2,2,2) and the same fixed step (equal time accuracy),
   Schnakenberg with Du = 0.001, Dv = 0.01 to T = 20. Spatial accuracy at these sizes: the
   relative error of the decay rate of the Neumann mode cos(2πx) cos(2πy) (λ = 8π²) under
   diffusion alone, for each discretization. Time per unit of simulated time (the integrate
   phase) and the extra peak memory of the run (peak RSS during the run, the peak reset
   after imports, minus the RSS before it, in a fresh process per run; the domain's
   includes meshing and the mode analysis); the ratio is domain / grid.

3. With ``--mpi`` (alone): 1 against 2 MPI ranks on the unit box, P1, at least 5e5
   unknowns, the integrate phase of the distributed path; S = t1/t2 against the machine's
   own limit L from two independent 1-rank runs at once (:mod:`turing_domains_mpi`).

Run: ``.venv/bin/python benchmarks/turing_domains.py [--quick | --mpi]`` (``--quick``: the
64² size only).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SPHERE = ROOT / "cases" / "turing_sphere.toml"
DISK = ROOT / "cases" / "turing_disk.toml"
SPHERE_SETS = [(0.0258, 3), (0.0167, 4), (0.0108, 5)]
"""Du (Dv = 10 Du) and the degree the dispersion relation puts fastest."""

QUIET = ["output.vtk=false", "output.png=false"]


def mode_rows() -> list[str]:
    import pdekit

    rows = []
    for du, _ in SPHERE_SETS:
        result = pdekit.solve(SPHERE, set=[f"model.parameters={{Du = {du}, Dv = {10 * du}}}",
                                           *QUIET], out=False)
        stability = result.results["linear_stability"]
        p, m = stability["predicted"], stability["measured"]
        rows.append(f"sphere Du = {du:<7g} predicted l = {p['degree']} (λ = {p['lambda']:.4g})"
                    f"  measured l = {m['degree']} (λ = {m['lambda']:.4g}, "
                    f"{100 * m['power_share']:.0f} % of the power)  "
                    f"{'OK' if stability['prediction_holds'] else 'DIFFERENT'}")
    result = pdekit.solve(DISK, set=QUIET, out=False)
    stability = result.results["linear_stability"]
    p, m = stability["predicted"], stability["measured"]
    rows.append(f"disk   Du = 0.015   predicted λ = {p['lambda']:.4g} (k = {p['k']:.4g}, "
                f"×{p['multiplicity']})  measured λ = {m['lambda']:.4g} "
                f"({100 * m['power_share']:.0f} % of the power)  "
                f"{'OK' if stability['prediction_holds'] else 'DIFFERENT'}")
    return rows


def run_in_fresh_process(case: dict) -> dict:
    """Solve ``case`` in a new interpreter; its summary and the extra peak memory."""
    code = """
import json, sys
import numpy, scipy.sparse.linalg, ngsolve, netgen.meshing, meshio
import pdekit, pdekit.fe.run, pdekit.fd.run

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024

case = json.loads(sys.argv[1])
pdekit.load_case(case)
open("/proc/self/clear_refs", "w").write("5")  # restart the peak (VmHWM) from here
before = status("VmRSS:")
result = pdekit.solve(case, out=False)
print(json.dumps({"summary": result.summary, "extra_mb": status("VmHWM:") - before}))
"""
    done = subprocess.run([sys.executable, "-c", code, json.dumps(case)], capture_output=True,
                          text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


MODEL = {"name": "schnakenberg", "parameters": {"Du": 0.001, "Dv": 0.01}}
TIME = {"method": "ars222", "dt": 0.05, "T": 20.0}
OUT = {"every": 20.0, "vtk": False, "png": False}


def grid_case(n: int) -> dict:
    return {"case": {"kind": "turing", "name": "grid"}, "model": MODEL,
            "grid": {"n": n, "length": 1.0, "boundary": "neumann"},
            "initial": {"noise": "white", "std_u": 0.01, "std_v": 0.01}, "time": TIME,
            "output": OUT}


def domain_case(maxh: float, refine: int) -> dict:
    return {"case": {"kind": "turing", "name": "domain"}, "model": MODEL,
            "domain": {"shape": "square", "side": 1.0, "maxh": maxh, "refine": refine},
            "initial": {"noise": "white", "std_u": 0.01, "std_v": 0.01}, "time": TIME,
            "output": OUT}


def grid_rate_error(n: int) -> float:
    """The 5-point Laplacian's eigenvalue of cos(2πx) cos(2πy) on n² cell centres,
    relative to 8π²: the grid's decay-rate error (exact in time by the DCT)."""
    h = 1.0 / n
    discrete = 2 * (4 / h ** 2) * math.sin(2 * math.pi * h / 2) ** 2
    return abs(discrete / (8 * math.pi ** 2) - 1)


def domain_rate_error(maxh: float, refine: int) -> tuple[float, int]:
    """The P1 Rayleigh quotient of the nodal cos(2πx) cos(2πy), relative to 8π² (the
    discrete decay rate of that mode to first order), and the vertex count."""
    from types import SimpleNamespace

    import numpy as np

    from pdekit.fe.assembly import assemble
    from pdekit.fe.meshing import make_mesh
    from pdekit.fem.geometry.shapes2d import rectangle

    mesh, _ = make_mesh(rectangle(1.0, 1.0), SimpleNamespace(maxh=maxh, refine=refine,
                                                             order=1, curve=0), ())
    disc = assemble(mesh, 1, False, ())
    x, y = disc.nodes[:, 0], disc.nodes[:, 1]
    mode = np.cos(2 * np.pi * x) * np.cos(2 * np.pi * y)
    quotient = (mode @ (disc.K @ mode)) / (mode @ (disc.M @ mode))
    return abs(quotient / (8 * math.pi ** 2) - 1), len(disc.vertices)


def price_row(label: str, n: int, maxh: float, refine: int) -> str:
    """One comparison: the grid with n² points against the square meshed at ``maxh``
    (then ``refine`` times halved)."""
    grid = run_in_fresh_process(grid_case(n))
    domain = run_in_fresh_process(domain_case(maxh, refine))
    g_time = grid["summary"]["timings"]["integrate"] / TIME["T"]
    d_time = domain["summary"]["timings"]["integrate"] / TIME["T"]
    d_error, vertices = domain_rate_error(maxh, refine)
    return (f"{label:<15} {n * n:>6} | {vertices:<6} {grid_rate_error(n):.2e} | "
            f"{d_error:.2e}  {g_time:.4f} | {d_time:.4f} | {d_time / g_time:4.1f}x  "
            f"{grid['extra_mb']:6.1f} | {domain['extra_mb']:6.1f} | "
            f"{domain['extra_mb'] / max(grid['extra_mb'], 0.1):4.1f}x")


def price_rows(sizes: list[int]) -> list[str]:
    """Per grid size n: P1 with about n² vertices (same unknowns), and P1 refined until
    its decay-rate error matches the grid's (equal accuracy; the error falls like h²)."""
    rows = [f"{'':<15} {'unknowns/species':>15}  {'rate error':>10}  {'s per unit t':>16}  "
            f"{'extra MiB':>14}   (grid | domain | ratio)"]
    for n in sizes:
        refine = 0 if n <= 64 else int(round(math.log2(n / 64)))
        maxh = SAME_UNKNOWNS_MAXH_64 * 64 / n * 2 ** refine  # coarse mesh, then refined
        rows.append(price_row("same unknowns", n, maxh, refine))
        d_error, _ = domain_rate_error(maxh, refine)
        equal = maxh * math.sqrt(grid_rate_error(n) / d_error)
        rows.append(price_row("equal accuracy", n, equal, refine))
    return rows


SAME_UNKNOWNS_MAXH_64 = 0.0168
"""Netgen's maxh giving about 64² vertices on the unit square (4265)."""


def main() -> None:
    if "--mpi" in sys.argv:
        from turing_domains_mpi import mpi_rows

        print("3. 1 vs 2 MPI ranks on a 3D domain (integrate phase of the distributed path)")
        for row in mpi_rows():
            print("  ", row)
        return
    print("1. predicted vs measured dominant modes")
    for row in mode_rows():
        print("  ", row)
    print("2. price of generality: unit square, no-flux walls, Schnakenberg, ARS(2,2,2), "
          f"dt = {TIME['dt']}, T = {TIME['T']}")
    for row in price_rows([64] if "--quick" in sys.argv else [64, 128]):
        print("  ", row)


if __name__ == "__main__":
    main()
