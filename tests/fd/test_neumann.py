"""No-flux (Neumann) grids: the sparse 5-point Laplacian, its DCT-II diagonalization, and
fast-transform diffusion equal to the sparse implicit and exact solutions to round-off."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.linalg import expm
from scipy.sparse.linalg import spsolve

from pdekit.fd.build import diffusion_operator
from pdekit.fd.grid import NeumannGrid, PeriodicGrid
from pdekit.fd.laplacian import laplacian_neumann, laplacian_neumann_symbol, laplacian_periodic
from pdekit.time import SemilinearProblem, integrate, make_stepper


@pytest.mark.parametrize("n,length", [(6, 2.0), (9, 1.0)])
def test_cosine_modes_are_eigenvectors(n, length):
    grid = NeumannGrid(n, length, 0.0)
    matrix = laplacian_neumann(grid)
    i = np.arange(n)
    symbol = laplacian_neumann_symbol(grid)
    for m, l in [(0, 0), (1, 0), (2, 3), (n - 1, 1)]:
        mode = np.cos(np.pi * m * (i[:, None] + 0.5) / n) * np.cos(np.pi * l * (i[None, :] + 0.5) / n)
        h = grid.spacings[0]
        expected = -(4 / h**2) * (np.sin(np.pi * m / (2 * n)) ** 2 + np.sin(np.pi * l / (2 * n)) ** 2)
        assert symbol[m, l] == pytest.approx(expected)
        np.testing.assert_allclose(matrix @ mode.ravel(), expected * mode.ravel(), atol=1e-9 / h**2)


def test_neumann_laplacian_conserves_mass_and_is_symmetric():
    matrix = laplacian_neumann(NeumannGrid(7))
    np.testing.assert_allclose(matrix @ np.ones(49), 0, atol=1e-10)
    np.testing.assert_allclose(np.ones(49) @ matrix, 0, atol=1e-10)
    assert abs(matrix - matrix.T).max() == 0
    # a corner point couples to its two neighbours only
    assert matrix[0].nnz == 3


def test_neumann_grid_points_are_cell_centres():
    grid = NeumannGrid(4, 2.0, -1.0)
    np.testing.assert_allclose(grid.coordinates(), [-0.75, -0.25, 0.25, 0.75])


def _fields(n, seed=3):
    return np.random.default_rng(seed).normal(size=2 * n * n)


@pytest.mark.parametrize("grid", [NeumannGrid(12, 2.0, -1.0), PeriodicGrid(12, 2.0, -1.0)],
                         ids=["neumann", "periodic"])
def test_transform_diffusion_equals_sparse_implicit_and_exact(grid):
    coefficients = (0.01, 0.004)
    fast = diffusion_operator(grid, coefficients, "transform")
    sparse = diffusion_operator(grid, coefficients, "sparse")
    w = _fields(grid.shape[0])
    size = grid.size
    lap = (laplacian_neumann(grid) if isinstance(grid, NeumannGrid)
           else laplacian_periodic(grid))
    # products
    np.testing.assert_allclose(fast.matvec(w), sparse.matvec(w), atol=1e-10)
    # implicit Euler: (I - c L)^{-1} against a direct sparse solve
    c = 0.7
    direct = np.concatenate([
        spsolve(sp.csc_matrix(sp.identity(size) - c * d * lap), block)
        for d, block in zip(coefficients, np.split(w, 2))])
    np.testing.assert_allclose(fast.resolvent(c)(w), direct, atol=1e-13)
    np.testing.assert_allclose(sparse.resolvent(c)(w), direct, atol=1e-13)
    # exact exponential against expm of the dense matrix
    exact = np.concatenate([expm(c * d * lap.toarray()) @ block
                            for d, block in zip(coefficients, np.split(w, 2))])
    np.testing.assert_allclose(fast.exponential(c)(w), exact, atol=1e-13)


@pytest.mark.parametrize("grid", [NeumannGrid(12, 2.0, -1.0), PeriodicGrid(12, 2.0, -1.0)],
                         ids=["neumann", "periodic"])
def test_single_precision_transforms_stay_float32_and_match_double(grid):
    """grid.precision = "single": DCT/FFT diffusion in float32 gives float32 results equal
    to the float64 ones to float32 round-off (a few times 6e-8 of the values)."""
    coefficients = (0.01, 0.004)
    double = diffusion_operator(grid, coefficients, "transform")
    single = diffusion_operator(grid, coefficients, "transform", dtype=np.float32)
    w = _fields(grid.shape[0])
    for name, apply in [("matvec", lambda op, x: op.matvec(x)),
                        ("resolvent", lambda op, x: op.resolvent(0.7)(x)),
                        ("exponential", lambda op, x: op.exponential(0.7)(x))]:
        low, high = apply(single, w.astype(np.float32)), apply(double, w)
        assert low.dtype == np.float32, name
        scale = np.max(np.abs(high))
        assert 0 < np.max(np.abs(low - high)) / scale < 2e-6, name


def test_large_periodic_fft_resolvent_equals_superlu():
    grid = PeriodicGrid(128, 2.0, -1.0)
    fast = diffusion_operator(grid, (0.00225, 0.0045), "transform")
    sparse = diffusion_operator(grid, (0.00225, 0.0045), "sparse")
    w = _fields(128)
    np.testing.assert_allclose(fast.resolvent(0.05)(w), sparse.resolvent(0.05)(w), atol=1e-12)


@pytest.mark.parametrize("method,order,steps", [("etdrk4", 4, [5, 10, 20]),
                                                ("ars443", 3, [10, 20, 40])])
def test_order_on_neumann_grid(method, order, steps):
    # du/dt = diag(d1, d2) ⊗ Δ_N u + M u, exact solution by expm; DCT path for etdrk4,
    # both paths for ars443
    grid = NeumannGrid(6, 2.0, -1.0)
    coefficients, coupling = (0.3, 0.05), np.array([[0.4, 1.0], [-1.2, -0.5]])
    size = grid.size
    couple = sp.kron(coupling, sp.identity(size), format="csr")
    x = grid.coordinates()
    u0 = np.concatenate([(np.cos(np.pi * x[:, None]) + x[None, :] ** 2).ravel(),
                         np.sin(x[:, None] + 2 * x[None, :]).ravel()])
    full = (np.kron(np.diag(coefficients), laplacian_neumann(grid).toarray())
            + np.kron(coupling, np.eye(size)))
    exact = expm(full) @ u0
    for diffusion in (["transform"] if method == "etdrk4" else ["transform", "sparse"]):
        problem = SemilinearProblem(diffusion_operator(grid, coefficients, diffusion),
                                    lambda w: couple @ w)
        errors = [np.max(np.abs(integrate(make_stepper(method, problem, 1 / n), u0, 0, 1, 1 / n)[0]
                                - exact)) for n in steps]
        rates = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
        np.testing.assert_allclose(rates, order, atol=0.15)


def test_dominant_wavenumber_on_a_no_flux_square():
    from pdekit.fd.stability import dominant_wavenumber

    grid = NeumannGrid(48, 2.0, -1.0)
    i = np.arange(48)
    field = (np.cos(np.pi * 7 * (i[:, None] + 0.5) / 48) * np.ones(48)[None, :]
             + 0.1 * np.cos(np.pi * 2 * (i[None, :] + 0.5) / 48))
    assert dominant_wavenumber(field, grid.lengths, "neumann") == pytest.approx(7 * np.pi / 2.0)


@pytest.mark.parametrize("grid", [NeumannGrid(20, 2.5, -1.25), PeriodicGrid(20, 2.5, -1.25)],
                         ids=["neumann", "periodic"])
def test_spot_initial_data_is_a_centred_square(grid):
    from pdekit.fd.initial import spot_field

    field = spot_field(grid, 1.0, 0.5, 0.2)  # side 0.5: |x| <= 0.25 around the centre
    x = grid.coordinates()
    inside = np.abs(x) <= 0.25
    assert np.all(field[np.ix_(inside, inside)] == 0.5)
    assert np.all(field[~inside, :] == 1.0) and np.all(field[:, ~inside] == 1.0)
    assert inside.sum() in (4, 5)


def test_an_unknown_diffusion_names_the_ones_that_work():
    grid = NeumannGrid(6, 1.0, 0.0)
    with pytest.raises(ValueError, match="available: ") as refused:
        diffusion_operator(grid, (1.0, 2.0), "fft")
    names = str(refused.value).split("available: ")[1].split(", ")
    assert sorted(names) == ["sparse", "transform"]
    for name in names:  # every name offered is accepted
        diffusion_operator(grid, (1.0, 2.0), name)
