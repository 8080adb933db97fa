"""Linear (Turing) stability of a homogeneous state, and the wavenumber a pattern shows.

Linearizing u_t = D_u Δu + f, v_t = D_v Δv + g about a homogeneous steady state, a
Fourier mode exp(i k·x + σ t) grows at the rate σ(k) = max Re eig(J − k² diag(D_u, D_v)),
J the reaction Jacobian (Murray, *Mathematical Biology II*, 3rd ed., §2.3). The Turing
band is where σ(k) > 0 although σ(0) < 0.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy.optimize import brentq, minimize_scalar


def growth_rate(jacobian: np.ndarray, diffusion: tuple[float, float],
                k: np.ndarray | float) -> np.ndarray:
    """σ(k): largest real part of the eigenvalues of J − k² diag(D_u, D_v)."""
    k2 = np.asarray(k, dtype=float) ** 2
    a = jacobian[0, 0] - diffusion[0] * k2
    d = jacobian[1, 1] - diffusion[1] * k2
    trace, det = a + d, a * d - jacobian[0, 1] * jacobian[1, 0]
    disc = trace**2 - 4.0 * det
    root = np.sqrt(np.abs(disc))
    return np.where(disc >= 0, 0.5 * (trace + root), 0.5 * trace)


def turing_analysis(jacobian: np.ndarray, diffusion: tuple[float, float],
                    k_max: float) -> dict[str, object]:
    """Unstable band and fastest-growing wavenumber on 0 ≤ k ≤ ``k_max``.

    Returns
    -------
    dict
        ``sigma_0`` (growth at k = 0), ``unstable_bands`` (list of [k_lo, k_hi]),
        ``fastest_k`` (0 when σ is largest at k = 0), ``fastest_sigma``,
        ``fastest_wavelength`` (2π/k), ``turing_unstable`` (homogeneously stable but
        some k > 0 grows), ``frequency_0`` and ``fastest_frequency`` (|Im λ| at k = 0
        and at the fastest k), ``instability`` (a class of :data:`INSTABILITIES`) and
        ``verdict`` (:func:`stability_verdict`).
    """
    def sigma(k: float) -> float:
        return float(growth_rate(jacobian, diffusion, k))

    ks = np.linspace(0.0, k_max, 4001)
    values = growth_rate(jacobian, diffusion, ks)
    best = int(np.argmax(values))
    lo, hi = ks[max(best - 1, 0)], ks[min(best + 1, len(ks) - 1)]
    fastest = minimize_scalar(lambda k: -sigma(k), bounds=(lo, hi), method="bounded",
                              options={"xatol": 1e-10}).x if hi > lo else ks[best]
    bands, start = [], None
    positive = values > 0
    for i in range(len(ks)):
        if positive[i] and start is None:
            start = ks[0] if i == 0 else brentq(sigma, ks[i - 1], ks[i], xtol=1e-12)
        if start is not None and (not positive[i] or i == len(ks) - 1):
            end = ks[i] if positive[i] else brentq(sigma, ks[i - 1], ks[i], xtol=1e-12)
            bands.append([float(start), float(end)])
            start = None
    sigma_0 = sigma(0.0)
    if best == 0 and sigma_0 >= sigma(float(fastest)):
        fastest = 0.0  # σ is even in k: a maximum at the origin is at k = 0 exactly
    report = {
        "sigma_0": sigma_0,
        "unstable_bands": bands,
        "fastest_k": float(fastest),
        "fastest_sigma": sigma(float(fastest)),
        "fastest_wavelength": float(2 * np.pi / fastest) if fastest > 0 else None,
        "turing_unstable": bool(sigma_0 < 0 and bands),
        "frequency_0": oscillation_frequency(jacobian, diffusion, 0.0),
        "fastest_frequency": oscillation_frequency(jacobian, diffusion, float(fastest)),
    }
    report["instability"] = instability_class(report)
    report["verdict"] = stability_verdict(report, k_max)
    return report


def oscillation_frequency(jacobian: np.ndarray, diffusion: tuple[float, float],
                          k: float) -> float:
    """ω = |Im λ| of the eigenvalues of J − k² diag(D_u, D_v) (0 when they are real)."""
    matrix = jacobian - k**2 * np.diag(diffusion)
    return float(np.abs(np.linalg.eigvals(matrix).imag).max())


INSTABILITIES = {
    "none": "every Fourier mode decays",
    "turing": "σ(0) < 0 and a band of k > 0 grows: a stationary pattern",
    "hopf": "σ(0) > 0 with complex eigenvalues: the homogeneous state oscillates",
    "homogeneous": "σ(0) > 0 with real eigenvalues: the homogeneous state drifts away",
}
"""The classes of :func:`instability_class`, as ``summary.json`` names them. With two
species and diffusion >= 0 a growing mode at k > 0 never oscillates while σ(0) < 0:
complex eigenvalues grow only where tr(J − k² D) > 0, and that trace is largest at k = 0."""


def instability_class(report: dict[str, object]) -> str:
    """One of :data:`INSTABILITIES` for a report of :func:`turing_analysis`."""
    if report["sigma_0"] > 0:
        return "hopf" if report["frequency_0"] > 0 else "homogeneous"
    return "turing" if report["unstable_bands"] else "none"


def _band_text(bands: list[list[float]], k_max: float) -> str:
    def edge(k: float) -> str:
        return f"{k:.3g} (the grid's largest k)" if k >= k_max * (1 - 1e-12) else f"{k:.3g}"

    return ", ".join(f"[{lo:.3g}, {edge(hi)}]" for lo, hi in bands)


def stability_verdict(report: dict[str, object], k_max: float) -> str:
    """The linear-stability report in words: stable, Turing unstable (band, fastest k),
    or a k = 0 (homogeneous or Hopf) instability that is not Turing's.

    Parameters
    ----------
    report
        A report of :func:`turing_analysis` (``instability`` filled in).
    k_max
        The largest wavenumber searched (the grid's Nyquist wavenumber).
    """
    kind, bands = report["instability"], report["unstable_bands"]
    k, sigma, omega = report["fastest_k"], report["fastest_sigma"], report["fastest_frequency"]
    fastest = f"fastest k = {k:.4g} (wavelength {2 * np.pi / k:.3g}, σ = {sigma:.3g}" + (
        f", oscillating with ω = {omega:.3g})" if omega > 0 else ")") if k > 0 else ""
    if kind == "none":
        return (f"stable: no unstable band (σ(k) <= {sigma:.3g} < 0 for every k up to "
                f"{k_max:.3g}); small perturbations decay, a pattern needs a finite one")
    if kind == "turing":
        return f"Turing unstable: band k in {_band_text(bands, k_max)}, {fastest}"
    sigma_0, omega_0 = report["sigma_0"], report["frequency_0"]
    text = (f"k = 0 (Hopf) instability: the homogeneous state oscillates (σ(0) = "
            f"{sigma_0:.3g}, ω = {omega_0:.3g})" if kind == "hopf" else
            f"k = 0 instability: the homogeneous state itself grows (σ(0) = {sigma_0:.3g}, "
            f"real)")
    text += f", unstable for k in {_band_text(bands, k_max)}"
    if k > 0 and sigma > sigma_0:
        return (f"{text}; a finite k grows faster, {fastest}: a pattern may form, but not "
                f"a pure Turing one")
    return f"{text}; fastest at k = 0: not a Turing pattern"


def radial_power_spectrum(field: np.ndarray, lengths: float | Sequence[float],
                          boundary: str = "periodic") -> tuple[np.ndarray, np.ndarray]:
    """Power of a 1D, 2D or 3D field (mean removed) summed over shells of |k|.

    Periodic fields are expanded in Fourier modes (k_a = 2π m_a / L_a), fields on a
    no-flux box in DCT-II cosine modes (k_a = π m_a / L_a). The power of each mode goes
    to the shell |k| ∈ [(j − ½) Δk, (j + ½) Δk), Δk the finest mode spacing over the axes.

    Parameters
    ----------
    field
        Samples on the grid, indexed ``[i, j, k]``.
    lengths
        Side of the box: one number, or one per axis.
    boundary
        ``"periodic"`` or ``"neumann"``.

    Returns
    -------
    k, power
        Shell centres j Δk (j = 0, 1, …) and the power in each shell.
    """
    dim = field.ndim
    lengths = tuple(lengths) if isinstance(lengths, (list, tuple)) else (lengths,) * dim
    centred = field - field.mean()
    if boundary == "neumann":
        from scipy.fft import dctn

        power = dctn(centred, type=2, norm="ortho") ** 2
        modes = [np.arange(n, dtype=float) for n in field.shape]
        spacings = [np.pi / length for length in lengths]
    else:
        power = np.abs(np.fft.fftn(centred)) ** 2
        modes = [np.fft.fftfreq(n, d=1.0 / n) for n in field.shape]
        spacings = [2.0 * np.pi / length for length in lengths]
    step = min(spacings)
    # |k| in units of the finest spacing (mode numbers when all axes agree)
    scaled = [m * (dk / step) for m, dk in zip(modes, spacings)]
    radius = np.sqrt(sum(np.reshape(x**2, [-1 if a == axis else 1 for a in range(dim)])
                         for axis, x in enumerate(scaled)))
    shell = np.rint(radius).astype(int)
    totals = np.bincount(shell.ravel(), weights=power.ravel())
    return step * np.arange(len(totals)), totals


def dominant_wavenumber(field: np.ndarray, lengths: float | Sequence[float],
                        boundary: str = "periodic") -> float:
    """|k| of the shell of :func:`radial_power_spectrum` with the most power (k > 0)."""
    k, power = radial_power_spectrum(field, lengths, boundary)
    power[0] = 0.0
    return float(k[int(np.argmax(power))])
