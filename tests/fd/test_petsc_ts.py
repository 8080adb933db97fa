"""The PETSc DMDA + TS engine (pdekit.fd.petsc_ts): exact semi-discrete diffusion, a
reaction–diffusion reference from solve_ivp, fixed steps on output times, failures,
seeded noise, restarts, and 2 ranks equal to 1 rank (under mpiexec)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

petsc4py = pytest.importorskip("petsc4py")
from petsc4py import PETSc  # noqa: E402

from pdekit.fd.noise import noise_from_global_index  # noqa: E402
from pdekit.fd.petsc_grid import (gather_to_root, global_index_arrays,  # noqa: E402
                                  read_restart, write_restart)
from pdekit.fd.petsc_ts import PetscTSError, solve_petsc  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from petsc_cases import CASES, gray_scott, gray_scott_jacobian, noisy_start, run_case  # noqa: E402

ROOT = HERE.parent.parent


def zero(u, v):
    return 0 * u, 0 * v


def zero_jacobian(u, v):
    return 0.0, 0.0, 0.0, 0.0


def mode_and_eigenvalue(shape, lengths, boundary, wavenumbers):
    """A grid eigenfunction of the FD Laplacian (as a function of global indices) and -eigenvalue."""
    lam = 0.0
    for n, length, m in zip(shape, lengths, wavenumbers):
        h = length / n
        angle = np.pi * m / n if boundary == "periodic" else np.pi * m / (2 * n)
        lam += 4.0 / h**2 * np.sin(angle) ** 2

    def mode(index):
        out = 1.0
        for i, n, m in zip(index, shape, wavenumbers):
            out = out * (np.cos(2 * np.pi * m * i / n + 0.3) if boundary == "periodic"
                         else np.cos(np.pi * m * (i + 0.5) / n))
        return out
    return mode, lam


GRIDS = {1: ((64,), (3.0,)), 2: ((16, 24), (2.0, 3.0)), 3: ((8, 8, 12), (1.0, 1.5, 2.0))}


@pytest.mark.parametrize("boundary", ["periodic", "neumann"])
@pytest.mark.parametrize("dim", [1, 2, 3])
def test_single_mode_diffusion_matches_exact_semidiscrete_decay(dim, boundary):
    shape, lengths = GRIDS[dim]
    diffusion = (0.05, 0.02)
    mode_u, lam_u = mode_and_eigenvalue(shape, lengths, boundary, (2, 1, 3)[:dim])
    mode_v, lam_v = mode_and_eigenvalue(shape, lengths, boundary, (1, 3, 1)[:dim])
    t_end = 0.5
    result = solve_petsc(shape, lengths, boundary, diffusion, zero, zero_jacobian,
                         lambda idx: (mode_u(idx), mode_v(idx)), 0.0, t_end, 1e-3, 1e-10)
    idx = global_index_arrays(result.ranges)
    for got, mode, lam, d in ((result.u, mode_u, lam_u, diffusion[0]),
                              (result.v, mode_v, lam_v, diffusion[1])):
        exact = np.exp(-d * lam * t_end) * mode(idx)
        error = np.abs(got - exact).max() / np.abs(exact).max()
        print(f"{dim}D {boundary}: decay factor {np.exp(-d * lam * t_end):.4f}, rel. error {error:.2e}")
        assert error < 1e-6
    assert result.t_final == t_end and result.rejected == 0


def sparse_reference(shape, lengths, boundary, diffusion, initial, t_end):
    """solve_ivp(Radau, rtol 1e-10) of the same semi-discrete system built with scipy.sparse."""
    import scipy.sparse as sp
    from scipy.integrate import solve_ivp

    ops = []
    for n, length in zip(shape, lengths):
        lap = sp.diags([np.ones(n - 1), -2 * np.ones(n), np.ones(n - 1)], [-1, 0, 1]).tolil()
        if boundary == "periodic":
            lap[0, n - 1] = lap[n - 1, 0] = 1.0
        else:
            lap[0, 0] = lap[n - 1, n - 1] = -1.0
        ops.append(lap.tocsr() / (length / n) ** 2)
    lap = 0
    for axis, op in enumerate(ops):
        term = sp.identity(1, format="csr")
        for other, n in enumerate(shape):
            term = sp.kron(term, op if other == axis else sp.identity(n), format="csr")
        lap = lap + term
    N = int(np.prod(shape))
    u0, v0 = initial(tuple(np.meshgrid(*[np.arange(n) for n in shape], indexing="ij")))

    def rhs(t, w):
        u, v = w[:N], w[N:]
        f, g = gray_scott(u, v)
        return np.concatenate([diffusion[0] * (lap @ u) + f, diffusion[1] * (lap @ v) + g])

    def jac(t, w):
        fu, fv, gu, gv = gray_scott_jacobian(w[:N], w[N:])
        return sp.bmat([[diffusion[0] * lap + sp.diags(fu), sp.diags(fv)],
                        [sp.diags(gu), diffusion[1] * lap + sp.diags(gv)]], format="csc")

    sol = solve_ivp(rhs, (0.0, t_end), np.concatenate([u0.ravel(), v0.ravel()]), method="Radau",
                    rtol=1e-10, atol=1e-12, jac=jac)
    assert sol.success
    return sol.y[:N, -1].reshape(shape), sol.y[N:, -1].reshape(shape)


@pytest.mark.parametrize("method,boundary", [("arkimex", "periodic"), ("arkimex", "neumann"),
                                             ("rosw", "neumann")])
def test_gray_scott_matches_solve_ivp_reference(method, boundary):
    shape, lengths, diffusion, t_end, tol = (12, 10), (6.0, 5.0), (0.2, 0.1), 5.0, 1e-7
    initial = noisy_start(shape)
    result = solve_petsc(shape, lengths, boundary, diffusion, gray_scott, gray_scott_jacobian,
                         initial, 0.0, t_end, 0.05, tol, method=method)
    u_ref, v_ref = sparse_reference(shape, lengths, boundary, diffusion, initial, t_end)
    error = max(np.abs(result.u - u_ref).max(), np.abs(result.v - v_ref).max())
    change = np.abs(v_ref - initial(global_index_arrays(result.ranges))[1]).max()
    print(f"{method}/{result.scheme} {boundary}: max error {error:.2e} (change {change:.2f}), "
          f"{result.steps} steps, {result.rejected} rejected, ksp {result.linear_iterations}")
    assert result.ts_type == method and change > 0.05
    assert error < 20 * tol


def test_fixed_steps_land_on_every_output_time():
    shape, lengths = GRIDS[2]
    seen, ticks = [], []
    result = solve_petsc(shape, lengths, "periodic", (0.1, 0.05), gray_scott, gray_scott_jacobian,
                         noisy_start(shape), 0.0, 1.0, 0.1, None, output_times=[0.0, 0.25, 0.5, 1.0],
                         on_output=lambda t, u, v, rng: seen.append((t, u.shape)),
                         progress=lambda t, dt, n: ticks.append((t, n)))
    assert ticks[-1] == (1.0, 11) and len(ticks) == 11
    assert [t for t, _ in seen] == [0.0, 0.25, 0.5, 1.0]
    assert all(s == shape for _, s in seen)
    # [0, .25] and [.25, .5] in 3 equal steps each, [.5, 1] in 5 steps of dt
    assert result.steps == 11 and result.rejected == 0
    assert result.dt_max == pytest.approx(0.1) and result.dt_min == pytest.approx(0.25 / 3)


def test_petsc_options_override_defaults():
    opts = PETSc.Options("ovr_")
    opts["ts_type"] = "rosw"
    opts["pc_type"] = "jacobi"
    try:
        result = run_case("2d", options_prefix="ovr_", tolerance=1e-5)
    finally:
        opts.delValue("ts_type")
        opts.delValue("pc_type")
    assert (result.ts_type, result.scheme, result.ksp_type, result.pc_type) == \
        ("rosw", "ra34pw2", "gmres", "jacobi")
    default = run_case("2d", tolerance=1e-5)
    assert (default.ts_type, default.scheme, default.ksp_type, default.pc_type) == \
        ("arkimex", "4", "cg", "mg")
    assert not PETSc.Options().hasName("pc_mg_levels")  # defaults do not leak
    assert np.abs(result.u - default.u).max() < 1e-3


@pytest.mark.parametrize("trouble", ["raise", "blow-up"])
def test_failures_raise_with_time_and_reason(trouble):
    """A raising callback or a blow-up ends in PetscTSError (collectively: see the MPI script)."""
    def reaction(u, v):
        if trouble == "raise":
            raise ValueError("bad reaction")
        return u**3, 0 * v

    with pytest.raises(PetscTSError) as info:
        solve_petsc((16,), (1.0,), "neumann", (0.1, 0.1), reaction, lambda u, v: (3 * u**2, 0, 0, 0),
                    lambda idx: (2.0 + 0 * idx[0], 0 * idx[0]), 0.0, 10.0, 0.05,
                    None if trouble == "raise" else 1e-4)
    message = str(info.value)
    assert "t=" in message and "dt=" in message and "reason=" in message
    if trouble == "raise":
        assert "bad reaction" in message


def test_noise_depends_only_on_seed_and_global_index():
    shape = (6, 5, 4)
    full = noise_from_global_index(3, shape, tuple(np.meshgrid(*map(np.arange, shape), indexing="ij")))
    part = noise_from_global_index(3, shape, (np.array([5, 0]), np.array([4, 1]), np.array([3, 2])))
    assert part.tolist() == [full[5, 4, 3], full[0, 1, 2]]
    assert not np.allclose(full, noise_from_global_index(4, shape, global_index_arrays(((0, 6), (0, 5), (0, 4)))))
    big = noise_from_global_index(1, (200_000,), (np.arange(200_000),))
    assert abs(big.mean()) < 0.01 and abs(big.std() - 1) < 0.01


def test_restart_round_trip_and_slices(tmp_path):
    result = run_case("2d", tolerance=1e-5)
    shape = CASES["2d"][0]
    write_restart(tmp_path / "r.npz", result.u, result.v, result.ranges, shape, result.t_final)
    initial, t, stored_shape = read_restart(tmp_path / "r.npz")
    assert (t, stored_shape) == (result.t_final, shape)
    u, v = initial((np.array([[3, 4]]), np.array([[5, 6]])))
    np.testing.assert_array_equal(u, result.u[[3, 4], [5, 6]][None])
    fields = gather_to_root([result.u, result.v], result.ranges, shape)
    np.testing.assert_array_equal(fields[1], result.v)


@pytest.mark.skipif(shutil.which("mpiexec") is None, reason="no mpiexec")
def test_two_ranks_equal_one_rank_and_restart_across_rank_counts(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMPI_ALLOW_RUN_AS_ROOT": "1",
           "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "OMPI_MCA_rmaps_base_oversubscribe": "1",
           "OMPI_MCA_mpi_yield_when_idle": "1"}
    run = subprocess.run(["mpiexec", "-n", "2", sys.executable, str(HERE / "petsc_mpi_script.py"),
                          str(tmp_path)], env=env, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout + run.stderr
    for name, (shape, *_rest) in CASES.items():
        two = np.load(tmp_path / f"{name}.npz")
        assert int(two["ranks"]) == 2 and str(two["ranges"]).count("(0,") < 2 * len(shape)
        one = run_case(name)
        error = max(np.abs(one.u - two["u"]).max(), np.abs(one.v - two["v"]).max())
        print(f"{name}: 1 vs 2 ranks max difference {error:.2e} ({one.steps} / {int(two['steps'])} steps)")
        assert error < 1e-6
        initial, t, stored = read_restart(tmp_path / f"{name}_restart.npz")
        assert stored == shape and t == one.t_final
        restarted = solve_petsc(shape, *CASES[name][1:4], gray_scott, gray_scott_jacobian, initial,
                                t, t + 0.5, 0.05, 1e-8)
        cont = solve_petsc(shape, *CASES[name][1:4], gray_scott, gray_scott_jacobian,
                           lambda idx: (one.u[idx], one.v[idx]), t, t + 0.5, 0.05, 1e-8)
        assert np.abs(restarted.u - cont.u).max() < 1e-6
