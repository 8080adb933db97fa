"""Whether ``problem.exact`` solves the problem the case states (NumPy only).

A case that gives ``problem.exact`` together with ``problem.boundary`` or
``problem.forcing`` trains on the data but measures its error against ``exact``: when they
disagree, the reported error measures another problem. :func:`disagreements` measures
the largest disagreement — ``boundary − exact`` on the Dirichlet boundary points,
``forcing − Δ exact`` at interior points — relative to the scale of the exact solution
(``max |exact|``; for the Laplacian the 99th percentile of ``|Δ exact|``, at least
``max |exact| / size²``), and says where it exceeds
:data:`TOLERANCE`. The run prints it as a warning: a deliberately different boundary value
is a legitimate experiment, so it is not refused.

Δ exact is taken by central differences with steps ``h`` and ``h/2`` (``h`` =
:data:`STEP` × size); points where the two disagree by more than a tenth of the tolerance
(near a singularity, where differences do not converge) are not judged.
"""

from __future__ import annotations

from typing import Any

import numpy as np

TOLERANCE = 1e-3
"""Relative disagreement above which a warning is given: far above the differencing
error (about (π h)² / 12 ≈ 1e-6 for a mode of the domain's size at h = 1e-3 size, plus
rounding ε / (h / size)² ≈ 2e-10) and far below any meaningful mismatch."""

STEP = 1e-3
"""Difference step relative to the domain's size."""


def _values(expression: Any, points: np.ndarray) -> np.ndarray:
    coords = {name: points[:, i] for i, name in enumerate("xyz"[:points.shape[1]])}
    with np.errstate(all="ignore"):
        return np.broadcast_to(np.asarray(expression.evaluate("numpy", **coords), float),
                               len(points))


def laplacian(expression: Any, points: np.ndarray, h: float) -> np.ndarray:
    """Δ of ``expression`` at ``points`` by second central differences of step ``h``."""
    centre = _values(expression, points)
    total = np.zeros(len(points))
    for axis in range(points.shape[1]):
        shift = np.zeros(points.shape[1])
        shift[axis] = h
        with np.errstate(all="ignore"):
            total += (_values(expression, points + shift) - 2 * centre
                      + _values(expression, points - shift)) / (h * h)
    return total


def _worst(difference: np.ndarray, points: np.ndarray, scale: float) -> tuple[float, str]:
    """The largest relative disagreement and where it is."""
    k = int(np.argmax(np.abs(difference)))
    where = ", ".join(f"{name} = {c:.4g}" for name, c in zip("xyz", points[k]))
    return float(abs(difference[k]) / scale), where


def disagreements(exact: Any, forcing: Any, boundary: Any, interior: np.ndarray,
                  dirichlet: np.ndarray, size: float) -> list[str]:
    """One sentence per datum that disagrees with ``exact`` beyond :data:`TOLERANCE`.

    Parameters
    ----------
    exact, forcing, boundary
        Parsed expressions (``forcing``/``boundary`` may be None: then derived from
        ``exact``, nothing to compare).
    interior, dirichlet
        Points inside the domain, and on the boundary parts that take ``boundary``.
    size
        The domain's largest extent.
    """
    notes: list[str] = []
    u = _values(exact, np.concatenate([interior, dirichlet]))
    u = u[np.isfinite(u)]
    magnitude = float(np.max(np.abs(u))) if len(u) else 0.0
    if boundary is not None and len(dirichlet) and magnitude > 0:
        difference = _values(boundary, dirichlet) - _values(exact, dirichlet)
        ok = np.isfinite(difference)
        if ok.any():
            worst, where = _worst(difference[ok], dirichlet[ok], magnitude)
            if worst > TOLERANCE:
                notes.append(f"problem.boundary differs from problem.exact on the Dirichlet "
                             f"boundary by up to {worst:.3g} of max |exact| (at {where}): "
                             "the errors reported are measured against another problem")
    if forcing is not None and len(interior) and magnitude > 0:
        h = STEP * size
        coarse, fine = laplacian(exact, interior, h), laplacian(exact, interior, h / 2)
        finite = np.abs(fine[np.isfinite(fine)])
        # the 99th percentile: a singular point's huge differences do not set the scale
        scale = max(magnitude / size ** 2, float(np.percentile(finite, 99)) if len(finite)
                    else 0.0)
        difference = _values(forcing, interior) - fine
        ok = np.isfinite(difference) & (np.abs(coarse - fine) <= 0.1 * TOLERANCE * scale)
        if ok.any():
            worst, where = _worst(difference[ok], interior[ok], scale)
            if worst > TOLERANCE:
                notes.append(f"problem.forcing differs from the Laplacian of problem.exact "
                             f"by up to {worst:.3g} of its scale (at {where}): the errors "
                             "reported are measured against another problem")
    return notes
