"""Small reaction–diffusion cases shared by test_petsc_ts.py and its `mpiexec -n 2` script."""

from __future__ import annotations

import numpy as np

from pdekit.fd.noise import noise_from_global_index

# Gray–Scott: f = -u v^2 + F (1 - u),  g = u v^2 - (F + k) v
FEED, KILL = 0.04, 0.06


def gray_scott(u, v):
    uv2 = u * v * v
    return -uv2 + FEED * (1.0 - u), uv2 - (FEED + KILL) * v


def gray_scott_jacobian(u, v):
    return (-v * v - FEED, -2.0 * u * v, v * v, 2.0 * u * v - (FEED + KILL))


def noisy_start(shape, seed=7):
    """u = 1 - 0.5 s, v = 0.25 + 0.1 noise, with s a bump: identical on any rank count."""
    def initial(index):
        centre = sum(((i + 0.5) / n - 0.5) ** 2 for i, n in zip(index, shape))
        bump = np.exp(-centre / 0.05)
        noise = noise_from_global_index(seed, shape, index)
        return 1.0 - 0.5 * bump, 0.25 * bump + 0.02 * noise
    return initial


CASES = {
    # name: shape, lengths, boundary, diffusion, t_end, method
    "2d": ((16, 12), (8.0, 6.0), "periodic", (0.2, 0.1), 4.0, "arkimex"),
    "3d": ((8, 8, 6), (4.0, 4.0, 3.0), "neumann", (0.2, 0.1), 2.0, "arkimex"),
    "2d_rosw": ((12, 16), (6.0, 8.0), "neumann", (0.2, 0.1), 2.0, "rosw"),
}


def run_case(name, tolerance=1e-8, **kw):
    from pdekit.fd.petsc_ts import solve_petsc
    shape, lengths, boundary, diffusion, t_end, method = CASES[name]
    kw.setdefault("method", method)
    return solve_petsc(shape, lengths, boundary, diffusion, gray_scott, gray_scott_jacobian,
                       noisy_start(shape), 0.0, t_end, 0.05, tolerance, **kw)
