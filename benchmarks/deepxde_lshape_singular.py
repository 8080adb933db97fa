"""DeepXDE on the singular L-shape problem of ``bench_pinn_domains.py``, for a fixed wall time.

Laplace's equation on the L-shape (-1,1)^2 minus [0,1)x(-1,0] with the Dirichlet data of
u = r^(2/3) sin(2 theta/3) (theta in [0, 3 pi/2]), the usual DeepXDE recipe (float64,
3 x 50 tanh, 2000 domain + 400 boundary points by DeepXDE's sampler, Adam lr 1e-3 in
chunks of 1000 steps until half the budget, then L-BFGS in chunks of at most 200 iterations
until the budget; a chunk that starts before the budget ends is finished, so the wall time
printed can exceed the budget by one chunk). The error is the relative L2 error on
the 201^2 grid points in the closed L-shape, as pdekit measures it.

Run in DeepXDE's own venv (it does not need pdekit)::

    /tmp/dde/bin/python benchmarks/deepxde_lshape_singular.py SECONDS

Prints one JSON line: wall time, Adam steps, L-BFGS steps, rel. L2 and max error.
"""

from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("DDE_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import deepxde as dde  # noqa: E402
import numpy as np  # noqa: E402

VERTICES = [[-1, -1], [0, -1], [0, 0], [1, 0], [1, 1], [-1, 1]]


def exact(x: np.ndarray) -> np.ndarray:
    theta = np.mod(np.arctan2(x[:, 1:2], x[:, 0:1]), 2 * np.pi)
    return np.hypot(x[:, 0:1], x[:, 1:2]) ** (2 / 3) * np.sin(2 * theta / 3)


def main() -> None:
    budget = float(sys.argv[1]) if len(sys.argv) > 1 else 120.0
    dde.config.set_default_float("float64")
    dde.config.set_random_seed(0)
    geometry = dde.geometry.Polygon(VERTICES)

    def pde(x, u):
        return dde.grad.hessian(u, x, i=0, j=0) + dde.grad.hessian(u, x, i=1, j=1)

    bc = dde.icbc.DirichletBC(geometry, exact, lambda _, on_boundary: on_boundary)
    data = dde.data.PDE(geometry, pde, bc, num_domain=2000, num_boundary=400,
                        solution=exact, num_test=1000)
    model = dde.Model(data, dde.nn.FNN([2] + [50] * 3 + [1], "tanh", "Glorot normal"))
    model.compile("adam", lr=1e-3)
    start = time.perf_counter()
    adam = 0
    while time.perf_counter() - start < 0.5 * budget:
        model.train(iterations=1000, display_every=1000, verbose=0)
        adam += 1000
    left = budget - (time.perf_counter() - start)
    lbfgs = 0
    # L-BFGS reads its options when compiled: chunks of 200 iterations until the budget
    while left > 5 and time.perf_counter() - start < budget - 2:
        dde.optimizers.config.set_LBFGS_options(maxiter=200)
        model.compile("L-BFGS")
        model.train(verbose=0)
        lbfgs += 200
    wall = time.perf_counter() - start
    axis = np.linspace(-1, 1, 201)
    grid = np.stack([c.ravel() for c in np.meshgrid(axis, axis, indexing="ij")], axis=1)
    inside = ~((grid[:, 0] > 0) & (grid[:, 1] < 0))
    points = grid[inside]
    e = model.predict(points)[:, 0] - exact(points)[:, 0]
    rel = float(np.sqrt(np.mean(e**2) / np.mean(exact(points)[:, 0] ** 2)))
    print(json.dumps({"wall": wall, "adam": adam, "lbfgs_iterations_at_most": lbfgs,
                      "rel_l2": rel, "max_abs": float(np.max(np.abs(e)))}))


if __name__ == "__main__":
    main()
