"""A faithful re-implementation of the seed's Turing solvers (the baseline to beat).

The seed (NumSA "Pattern Formation PDE (FD)") integrates the BVAM system on a periodic
grid with a scipy.sparse 5-point Laplacian and

- explicit RK4 on the full right-hand side with dt = 0.0065, and
- a split solver: implicit Euler diffusion by ``spsolve`` (re-factorizing the matrix
  every step), then an RK4 step of the reaction.

Written independently of pdekit (no pdekit imports) so the baseline is what the seed did.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve


def seed_laplacian(n: int, h: float) -> sp.csr_matrix:
    """Periodic 5-point Laplacian as the seed builds it (kron of 1D second differences)."""
    main = -2.0 * np.ones(n)
    off = np.ones(n - 1)
    d2 = sp.diags([off, main, off], [-1, 0, 1], format="lil")
    d2[0, -1] = d2[-1, 0] = 1.0
    d2 = d2.tocsr() / h**2
    eye = sp.identity(n, format="csr")
    return (sp.kron(d2, eye) + sp.kron(eye, d2)).tocsr()


def seed_reaction(u, v, p):
    f = p["alpha"] * u * (1 - p["tau1"] * v**2) + v * (1 - p["tau2"] * u)
    g = p["beta"] * v * (1 + p["alpha"] * p["tau1"] / p["beta"] * u * v) + u * (
        p["gamma"] + p["tau2"] * v)
    return f, g


def seed_rk4(u, v, p, lap, dt, steps, D=1.0):
    """The seed's explicit RK4 (state as two flat arrays)."""
    d1, d2 = D * p["delta1"], D * p["delta2"]

    def rhs(u, v):
        f, g = seed_reaction(u, v, p)
        return d1 * (lap @ u) + f, d2 * (lap @ v) + g

    for _ in range(steps):
        k1u, k1v = rhs(u, v)
        k2u, k2v = rhs(u + 0.5 * dt * k1u, v + 0.5 * dt * k1v)
        k3u, k3v = rhs(u + 0.5 * dt * k2u, v + 0.5 * dt * k2v)
        k4u, k4v = rhs(u + dt * k3u, v + dt * k3v)
        u = u + dt / 6 * (k1u + 2 * k2u + 2 * k3u + k4u)
        v = v + dt / 6 * (k1v + 2 * k2v + 2 * k3v + k4v)
    return u, v


def seed_split(u, v, p, lap, dt, steps, D=1.0):
    """The seed's split solver: spsolve diffusion every step, then RK4 reaction."""
    eye = sp.identity(lap.shape[0], format="csc")
    d1, d2 = D * p["delta1"], D * p["delta2"]
    for _ in range(steps):
        u = spsolve(sp.csc_matrix(eye - dt * d1 * lap), u)
        v = spsolve(sp.csc_matrix(eye - dt * d2 * lap), v)
        k1 = seed_reaction(u, v, p)
        k2 = seed_reaction(u + 0.5 * dt * k1[0], v + 0.5 * dt * k1[1], p)
        k3 = seed_reaction(u + 0.5 * dt * k2[0], v + 0.5 * dt * k2[1], p)
        k4 = seed_reaction(u + dt * k3[0], v + dt * k3[1], p)
        u = u + dt / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
        v = v + dt / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
    return u, v
