"""Initial noise: band-limited noise is the same physical field at every resolution, white
noise is not (its energy per mode falls as 1/N)."""

import numpy as np
import pytest

from pdekit.core.cases import load_case
from pdekit.errors import CaseError
from pdekit.fd.grid import NeumannGrid, PeriodicGrid
from pdekit.fd.noise import band_limited_noise, default_k_max, white_noise

BAND = (7.54, 11.85)
"""The unstable band of BVAM 'spots' (cases/turing.toml)."""


def _band_power(field, length, band):
    """Power per unit area of the Fourier modes with |k| in ``band`` (mean removed)."""
    n = field.shape[0]
    coefficients = np.fft.fft2(field - field.mean()) / field.size  # amplitude per mode
    k = 2 * np.pi * np.fft.fftfreq(n, d=length / n)
    radius = np.hypot(k[:, None], k[None, :])
    return float(np.sum(np.abs(coefficients[(radius >= band[0]) & (radius <= band[1])]) ** 2))


def test_band_limited_noise_has_the_same_band_power_at_64_and_256():
    coarse, fine = PeriodicGrid(64, 2.0), PeriodicGrid(256, 2.0)
    k_max = default_k_max(coarse.lengths)
    band = [_band_power(band_limited_noise(np.random.default_rng(0), g, 0.5, k_max), 2.0, BAND)
            for g in (coarse, fine)]
    # white noise: the mean over 8 seeds (24 modes in the band: one draw scatters by ±40 %)
    white = [np.mean([_band_power(white_noise(np.random.default_rng(seed), g, 0.5), 2.0, BAND)
                      for seed in range(8)]) for g in (coarse, fine)]
    assert band[0] / band[1] == pytest.approx(1.0, rel=1e-9)
    assert 11 < white[0] / white[1] < 23  # 16 in expectation: (256 / 64)² times more modes


def test_band_limited_noise_is_one_field_sampled_on_every_grid():
    for cls in (PeriodicGrid, NeumannGrid):
        coarse, fine = cls([16, 12], [2.0, 1.5]), cls([64, 48], [2.0, 1.5])
        k_max = 2 * np.pi * 5 / 2.0  # below the coarse grid's Nyquist wavenumber
        a = band_limited_noise(np.random.default_rng(4), coarse, 1.0, k_max)
        b = band_limited_noise(np.random.default_rng(4), fine, 1.0, k_max)
        if cls is PeriodicGrid:  # coarse points are every 4th fine point
            np.testing.assert_allclose(a, b[::4, ::4], atol=1e-12)
        else:  # cell centres do not nest: sample the fine field at the coarse points
            at = band_limited_noise(np.random.default_rng(4), fine, 1.0, k_max,
                                    points=coarse.axes_coordinates())
            np.testing.assert_allclose(a, at, atol=1e-12)
        # a block of the grid (one process's part) gets the same values
        part = band_limited_noise(np.random.default_rng(4), fine, 1.0, k_max,
                                  points=[x[10:30] for x in fine.axes_coordinates()])
        np.testing.assert_allclose(part, b[10:30, 10:30], atol=1e-12)


@pytest.mark.parametrize("cls", [PeriodicGrid, NeumannGrid], ids=["periodic", "neumann"])
@pytest.mark.parametrize("shape,lengths", [([512], [4.0]), ([96, 96], [2.0, 2.0]),
                                           ([32, 32, 32], [2.0, 2.0, 2.0])])
def test_band_limited_noise_has_the_requested_spread_and_band(cls, shape, lengths):
    grid = cls(shape, lengths)
    k_max = 2 * np.pi * 6 / 2.0  # carried by every grid here
    field = band_limited_noise(np.random.default_rng(7), grid, 0.3, k_max)
    assert field.shape == grid.shape and abs(field.mean()) < 1e-12
    modes = 1 + 2 * (grid.dim == 1)  # few modes in 1D and small boxes: a loose check
    assert field.std() == pytest.approx(0.3, rel=0.3 / modes ** 0.5)
    if cls is PeriodicGrid:
        spectrum = np.abs(np.fft.fftn(field))
        k = np.meshgrid(*[np.abs(grid.wavenumbers(a)) for a in range(grid.dim)], indexing="ij")
        outside = np.sqrt(sum(x**2 for x in k)) > k_max * (1 + 1e-9)
        assert spectrum[outside].max() < 1e-9 * spectrum.max()


def test_seed_and_species_give_different_fields():
    grid = PeriodicGrid([24, 24, 24], 2.0)
    rng = np.random.default_rng(1)
    u, v = (band_limited_noise(rng, grid, 1.0, 20.0) for _ in range(2))
    w = band_limited_noise(np.random.default_rng(2), grid, 1.0, 20.0)
    assert abs(np.corrcoef(u.ravel(), v.ravel())[0, 1]) < 0.2
    assert abs(np.corrcoef(u.ravel(), w.ravel())[0, 1]) < 0.2


CASE = """
[case]
kind = "turing"
name = "noise"
[grid]
n = 32
[time]
method = "strang"
dt = 0.05
T = 0.1
[initial]
"""


def test_case_keys_choose_the_noise(write_case):
    white = load_case(write_case(CASE + 'noise = "white"\n'), (), ()).prepared
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(white.u0, rng.normal(0, 0.5, (32, 32)) + white.steady[0])
    band = load_case(write_case(CASE + "noise_k_max = 20.0\n"), (), ()).prepared
    expected = band_limited_noise(np.random.default_rng(0), band.grid, 0.5, 20.0)
    np.testing.assert_array_equal(band.u0, expected + band.steady[0])
    with pytest.raises(CaseError, match="initial.noise_k_max: expected no noise_k_max"):
        load_case(write_case(CASE + 'noise = "white"\nnoise_k_max = 3.0\n'), (), ())
    with pytest.raises(CaseError, match="initial.noise_k_max: expected at most"):
        load_case(write_case(CASE.replace("n = 32", "n = 64\ndim = 3")
                             + "noise_k_max = 1e3\n"), (), ())
