"""Grids in 1, 2 and 3 dimensions: the (2d+1)-point Laplacian against its FFT/DCT symbol,
the transform diffusion against the sparse one, the grid keys of a case, the measured
wavenumber and the spot on boxes with unequal sides."""

import numpy as np
import pytest
from scipy.linalg import expm

from pdekit.core.cases import load_case
from pdekit.errors import CaseError
from pdekit.fd.build import diffusion_operator
from pdekit.fd.grid import NeumannGrid, PeriodicGrid
from pdekit.fd.initial import spot_field
from pdekit.fd.laplacian import laplacian, laplacian_neumann_symbol, laplacian_symbol
from pdekit.fd.stability import dominant_wavenumber

BOXES = {"1d": ([9], [1.5]), "2d": ([6, 8], [1.0, 2.0]), "3d": ([6, 5, 7], [2.0, 1.0, 1.5])}


def _by_hand(theta, spacings):
    """−Σ_a (4/h_a²) sin²(θ_a / 2): the eigenvalue of a product mode, written out."""
    return -sum(4 / h**2 * np.sin(t / 2) ** 2 for t, h in zip(theta, spacings))


@pytest.mark.parametrize("dim", list(BOXES))
def test_fourier_modes_are_eigenvectors_of_the_periodic_stencil(dim):
    grid = PeriodicGrid(*BOXES[dim])
    matrix = laplacian(grid)
    assert matrix.shape == (grid.size, grid.size)
    assert np.all(np.diff(matrix.indptr) == 2 * grid.dim + 1)  # (2d+1)-point stencil
    x = np.meshgrid(*grid.axes_coordinates(), indexing="ij")
    symbol = laplacian_symbol(grid)
    rng = np.random.default_rng(1)
    for _ in range(6):
        m = [int(rng.integers(-(n // 2), n // 2 + 1)) for n in grid.shape]
        k = [2 * np.pi * mi / length for mi, length in zip(m, grid.lengths)]
        mode = np.exp(1j * sum(ka * xa for ka, xa in zip(k, x)))
        expected = _by_hand([ka * h for ka, h in zip(k, grid.spacings)], grid.spacings)
        assert symbol[tuple(mi % n for mi, n in zip(m, grid.shape))] == pytest.approx(expected)
        np.testing.assert_allclose(matrix @ mode.ravel(), expected * mode.ravel(),
                                   atol=1e-10 * abs(expected) + 1e-12)


@pytest.mark.parametrize("dim", list(BOXES))
def test_cosine_modes_are_eigenvectors_of_the_no_flux_stencil(dim):
    grid = NeumannGrid(*BOXES[dim])
    matrix = laplacian(grid)
    i = np.meshgrid(*[np.arange(n) for n in grid.shape], indexing="ij")
    symbol = laplacian_neumann_symbol(grid)
    rng = np.random.default_rng(2)
    for _ in range(6):
        m = [int(rng.integers(0, n)) for n in grid.shape]
        mode = np.prod([np.cos(np.pi * ma * (ia + 0.5) / n)
                        for ma, ia, n in zip(m, i, grid.shape)], axis=0)
        expected = _by_hand([np.pi * ma / n for ma, n in zip(m, grid.shape)], grid.spacings)
        assert symbol[tuple(m)] == pytest.approx(expected)
        np.testing.assert_allclose(matrix @ mode.ravel(), expected * mode.ravel(),
                                   atol=1e-10 * abs(expected) + 1e-12)
    # no-flux walls keep the mass, the operator is symmetric, a corner has d neighbours
    np.testing.assert_allclose(matrix @ np.ones(grid.size), 0, atol=1e-9)
    assert abs(matrix - matrix.T).max() == 0 and matrix[0].nnz == grid.dim + 1


def test_2d_symbol_is_bit_identical_to_the_square_formula():
    for grid in (PeriodicGrid(12, 2.0), NeumannGrid(10, 2.5)):
        h = 2.0 / 12 if isinstance(grid, PeriodicGrid) else 0.25
        s = (np.sin(0.5 * 2 * np.pi * np.fft.fftfreq(12, d=h) * h) ** 2
             if isinstance(grid, PeriodicGrid) else np.sin(0.5 * np.pi * np.arange(10) / 10) ** 2)
        square = -(4.0 / h**2) * (s[:, None] + s[None, :])
        symbol = (laplacian_symbol(grid) if isinstance(grid, PeriodicGrid)
                  else laplacian_neumann_symbol(grid))
        assert np.array_equal(symbol, square)


@pytest.mark.parametrize("cls", [PeriodicGrid, NeumannGrid], ids=["periodic", "neumann"])
@pytest.mark.parametrize("dim", ["1d", "3d"])
def test_transform_diffusion_equals_sparse_and_exact(cls, dim):
    grid = cls(*BOXES[dim])
    coefficients = (0.03, 0.01)
    fast = diffusion_operator(grid, coefficients, "transform")
    sparse = diffusion_operator(grid, coefficients, "sparse")
    w = np.random.default_rng(3).normal(size=2 * grid.size)
    np.testing.assert_allclose(fast.matvec(w), sparse.matvec(w), atol=1e-10)
    np.testing.assert_allclose(fast.resolvent(0.4)(w), sparse.resolvent(0.4)(w), atol=1e-12)
    lap = laplacian(grid).toarray()
    exact = np.concatenate([expm(0.4 * d * lap) @ block
                            for d, block in zip(coefficients, np.split(w, 2))])
    np.testing.assert_allclose(fast.exponential(0.4)(w), exact, atol=1e-12)


CASE = """
[case]
kind = "turing"
name = "g"
[time]
method = "strang"
dt = 0.05
T = 0.1
[output]
vtk = false
png = false
[grid]
"""


@pytest.mark.parametrize("keys,shape,lengths", [
    ("n = 12", (12, 12), (2.0, 2.0)),
    ("n = 12\ndim = 3", (12, 12, 12), (2.0, 2.0, 2.0)),
    ("n = [40]\nlength = 5", (40,), (5.0,)),
    ("n = [8, 6, 4]\nlength = [2, 1.5, 1]", (8, 6, 4), (2.0, 1.5, 1.0)),
    ("n = 10\ndim = 1\nlength = [3.0]", (10,), (3.0,)),
])
def test_grid_keys_give_the_shape(write_case, keys, shape, lengths):
    setup = load_case(write_case(CASE + keys + "\n"), (), ()).prepared
    assert setup.grid.shape == shape and setup.grid.lengths == lengths
    assert setup.u0.shape == shape and np.isfinite(setup.u0).all()
    np.testing.assert_allclose(setup.grid.origin, [-x / 2 for x in lengths])


@pytest.mark.parametrize("keys,key,expected", [
    ("n = [8, 8]\ndim = 3", "grid.dim", "2 (the number of entries of grid.n)"),
    ("n = [8, 8]\nlength = [1, 2, 3]", "grid.length", "one number, or 2"),
    ("n = [8, 8, 8, 8]", "grid.n", "a list of 1 to 3 integers >= 3"),
    ("n = [8, 2]", "grid.n", "a list of 1 to 3 integers >= 3"),
    ("n = [8, 8.0]", "grid.n", "a list of 1 to 3 integers >= 3"),
    ("n = 2", "grid.n", "a number >= 3"),
    ("n = 8\ndim = 4", "grid.dim", "a number <= 3"),
    ("length = [1, -1]", "grid.length", "a list of 1 to 3 numbers between 1e-100 and 1e+100"),
    ("length = 0", "grid.length", "a number > 0"),
    ("n = 100000\ndim = 3", "grid.n", "a grid that fits in memory"),
])
def test_bad_grid_keys_name_the_key(write_case, keys, key, expected):
    with pytest.raises(CaseError) as raised:
        load_case(write_case(CASE + keys + "\n"), (), ())
    assert raised.value.key == key and expected in str(raised.value)
    assert "\n" not in str(raised.value)


def test_dominant_wavenumber_on_a_3d_box_with_unequal_sides():
    grid = PeriodicGrid([16, 12, 20], [2.0, 1.5, 2.5])
    x, y, z = np.meshgrid(*grid.axes_coordinates(), indexing="ij")
    k = (2 * np.pi * 2 / 2.0, 2 * np.pi * 3 / 1.5, 2 * np.pi * 1 / 2.5)
    field = np.cos(k[0] * x + k[1] * y + k[2] * z) + 0.2 * np.cos(2 * np.pi / 2.5 * z)
    # shells of width 2π/2.5 (the finest spacing): |k| = 14.1 falls in the shell 5.6 Δk
    step = 2 * np.pi / 2.5
    assert dominant_wavenumber(field, grid.lengths) == pytest.approx(
        step * round(np.linalg.norm(k) / step))
    neumann = NeumannGrid([24, 16, 8], [2.0, 2.0, 1.0])
    i = np.arange(24)
    wave = np.cos(np.pi * 5 * (i + 0.5) / 24)[:, None, None] * np.ones(neumann.shape)
    assert dominant_wavenumber(wave, neumann.lengths, "neumann") == pytest.approx(5 * np.pi / 2)
    line = np.cos(2 * np.pi * 4 * PeriodicGrid([64], 3.0).coordinates() / 3.0)
    assert dominant_wavenumber(line, 3.0) == pytest.approx(2 * np.pi * 4 / 3.0)


def test_spot_is_a_centred_box_in_3d():
    grid = NeumannGrid([20, 10, 16], [2.0, 1.0, 4.0])
    field = spot_field(grid, 1.0, 0.5, 0.2)
    inside = [np.abs(x) <= 0.1 * length for x, length in zip(grid.axes_coordinates(), grid.lengths)]
    assert np.all(field[np.ix_(*inside)] == 0.5)
    assert (field == 0.5).sum() == np.prod([b.sum() for b in inside]) > 0
