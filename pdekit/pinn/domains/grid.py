"""Evaluation grids masked to a domain, and ``phi``, ``grad phi``, ``Laplacian phi`` by
automatic differentiation (for the hard-constraint ansatz ``u = g + phi N``)."""

from __future__ import annotations

from typing import Iterable

import numpy as np

from pdekit.pinn.domains.base import Domain


def grid_mask(domain: Domain, n: int) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """A uniform grid with ``n`` points per axis over the bounding box, and which are inside.

    Returns
    -------
    axes, points, inside
        The 1D coordinate arrays, all grid points ``[n**dim, dim]`` in ``ij`` order (the
        first axis varies slowest: ``values.reshape([n] * dim)[i, j]`` has ``i`` along x, as
        :func:`pdekit.pinn.points.evaluation_grid`), and the mask ``[n**dim]`` of the points
        in the closed domain (boundary included).
    """
    if n < 2:
        raise ValueError(f"expected at least 2 grid points per axis, got {n}")
    axes = [np.linspace(lo, hi, n) for lo, hi in domain.bounding_box()]
    mesh = np.meshgrid(*axes, indexing="ij")
    points = np.stack([c.ravel() for c in mesh], axis=1)
    return axes, points, domain.contains(points)


def adf_derivatives(domain: Domain, points: np.ndarray, parts: Iterable[str] | None = None,
                    m: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``phi``, ``grad phi`` (``[N, dim]``) and ``Laplacian phi`` of ``domain.adf`` at points
    inside the domain, by nested TensorFlow gradient tapes (float64).

    These are the fixed coefficients of ``u = g + phi N``:
    ``Lap u = Lap g + phi Lap N + 2 grad phi . grad N + (Lap phi) N``. At boundary points the
    trimmed ADFs have square-root kinks, so use interior points only.
    """
    import tensorflow as tf

    pts = domain.points(points)
    x = tf.constant(pts, tf.float64)
    dim = pts.shape[1]
    zero = tf.UnconnectedGradients.ZERO  # a linear phi has no second derivative
    with tf.GradientTape(persistent=True) as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            phi = domain.adf(x, parts, m, "tensorflow")
        grad = inner.gradient(phi, x, unconnected_gradients=zero)
        columns = [grad[:, i] for i in range(dim)]
    lap = sum(outer.gradient(columns[i], x, unconnected_gradients=zero)[:, i]
              for i in range(dim))
    del outer
    return phi.numpy(), grad.numpy(), lap.numpy()
