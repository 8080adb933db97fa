"""Turing band and fastest mode against closed forms; measured dominant wavenumber."""

import numpy as np
import pytest

from pdekit.fd.models import BVAM, bvam_preset
from pdekit.fd.stability import dominant_wavenumber, growth_rate, turing_analysis


def test_growth_rate_is_largest_real_eigenvalue():
    jac = np.array([[0.899, 1.0], [-0.899, -0.91]])
    for k in [0.0, 3.0, 9.5, 20.0]:
        matrix = jac - k**2 * np.diag([0.00225, 0.0045])
        assert growth_rate(jac, (0.00225, 0.0045), k) == pytest.approx(
            np.linalg.eigvals(matrix).real.max(), abs=1e-13)


def test_band_edges_solve_det_zero():
    model = BVAM(**bvam_preset("spots"))
    jac, (du, dv) = model.jacobian(0, 0), model.diffusion
    report = turing_analysis(jac, (du, dv), 100.0)
    assert report["turing_unstable"] and report["sigma_0"] < 0
    # det(J - q diag(du, dv)) = du dv q² - (du g_v + dv f_u) q + det J = 0, q = k²
    a, b, c = du * dv, -(du * jac[1, 1] + dv * jac[0, 0]), np.linalg.det(jac)
    q = np.sort(np.roots([a, b, c]).real)
    (lo, hi), = report["unstable_bands"]
    assert lo == pytest.approx(np.sqrt(q[0]), rel=1e-9)
    assert hi == pytest.approx(np.sqrt(q[1]), rel=1e-9)
    assert lo < report["fastest_k"] < hi


def test_no_band_without_diffusion_contrast():
    jac = BVAM(**bvam_preset("spots")).jacobian(0, 0)
    assert not turing_analysis(jac, (0.004, 0.004), 100.0)["turing_unstable"]


def test_dominant_wavenumber_of_a_plane_wave():
    n, length = 64, 2.0
    x = -1 + length / n * np.arange(n)
    k = 2 * np.pi * 5 / length
    field = np.cos(k * x[:, None]) + 0.2 * np.cos(2 * np.pi * 2 / length * x[None, :])
    assert dominant_wavenumber(field, length) == pytest.approx(k)
