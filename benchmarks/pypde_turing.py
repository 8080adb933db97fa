"""Run BVAM on py-pde's classical RK4 (``RungeKuttaSolver``, fixed step, numba backend).

Used by ``bench_turing.py`` in a subprocess with the interpreter of a separate
virtual environment that has py-pde installed (py-pde is not a pdekit dependency):

    python pypde_turing.py IN.npz OUT.npz REPEATS DT T [DT T ...]

IN.npz holds u0, v0 (n × n in 2D, n × n × n in 3D: the grid's dimension is that of u0), the
BVAM parameters and the domain length. For every
(DT, T) pair one stepping function is built (``solver.make_stepper``: numba compiles
it, partly on its first call) and warmed up by a call over two steps; that time is
reported as ``jit_seconds``. The timed call then advances fresh initial data from 0 to
T, REPEATS times (the fastest counts, as in ``timeit``). OUT.npz gets the final fields;
a JSON line with the timings and the process's peak resident memory (VmHWM) goes to stdout.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np


def main(argv: list[str]) -> None:
    import pde

    data = np.load(argv[0])
    repeats = int(argv[2])
    pairs = [(float(argv[i]), float(argv[i + 1])) for i in range(3, len(argv), 2)]
    shape = list(data["u0"].shape)
    half = float(data["length"]) / 2
    grid = pde.CartesianGrid([[-half, half]] * len(shape), shape, periodic=[True] * len(shape))
    consts = {name: float(data[name]) for name in
              ("delta1", "delta2", "tau1", "tau2", "alpha", "beta", "gamma")}
    equation = pde.PDE({
        "u": "delta1 * laplace(u) + alpha * u * (1 - tau1 * v**2) + v * (1 - tau2 * u)",
        "v": "delta2 * laplace(v) + beta * v + alpha * tau1 * u * v**2 + u * (gamma + tau2 * v)",
    }, consts=consts)

    def state():
        return pde.FieldCollection([pde.ScalarField(grid, data["u0"].copy(), label="u"),
                                    pde.ScalarField(grid, data["v0"].copy(), label="v")])

    report: dict[str, object] = {"py-pde": pde.__version__, "runs": []}
    finals = {}
    for index, (dt, t_end) in enumerate(pairs):
        solver = pde.solvers.RungeKuttaSolver(equation, backend="numba", adaptive=False)
        field = state()
        start = time.perf_counter()
        stepper = solver.make_stepper(field, dt)
        stepper(field, 0.0, 2 * dt)  # numba compiles on the first call
        jit = time.perf_counter() - start
        times = []
        for _ in range(repeats):
            field = state()
            start = time.perf_counter()
            t_final = stepper(field, 0.0, t_end)
            times.append(time.perf_counter() - start)
            if not np.all(np.isfinite(field.data)):
                break
        seconds = min(times)
        finals[f"u{index}"] = field[0].data
        finals[f"v{index}"] = field[1].data
        report["runs"].append({"dt": dt, "T": t_end, "t_final": t_final, "seconds": seconds,
                               "all_seconds": times,
                               "jit_seconds": jit,
                               "finite": bool(np.all(np.isfinite(field.data)))})
    np.savez(argv[1], **finals)
    with open("/proc/self/status") as status:
        report["vmhwm_mib"] = next(int(line.split()[1]) / 1024 for line in status
                                   if line.startswith("VmHWM"))
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1:])
