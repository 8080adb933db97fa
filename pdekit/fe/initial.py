"""Initial fields at the nodes of a finite-element domain: noise, a perturbed central box,
a restart.

The noise at a node is fixed by the seed and the node's *position* alone (its coordinates
quantized to 2²⁰ steps across the bounding box, then SplitMix64 and Box–Muller as in
:func:`pdekit.fd.noise.white_noise_from_global_index`): renumbering or partitioning the
mesh does not change it, and a node shared by two meshes gets the same value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from pdekit.fd.noise import white_noise_from_global_index

QUANTUM = 1 << 20
"""Steps per axis of the bounding box when node positions become integer keys."""


def position_keys(nodes: np.ndarray) -> list[np.ndarray]:
    """Integer keys per axis (0 … 2²⁰ − 1) of node positions, relative to their box."""
    lower, upper = nodes.min(axis=0), nodes.max(axis=0)
    span = np.where(upper > lower, upper - lower, 1.0)
    scaled = np.rint((nodes - lower) / span * (QUANTUM - 1)).astype(np.int64)
    return [scaled[:, axis] for axis in range(nodes.shape[1])]


def position_noise(seed: int, species: int, nodes: np.ndarray, std: float) -> np.ndarray:
    """N(0, std²) values per node, fixed by (seed, species, node position)."""
    keys = position_keys(nodes)
    return white_noise_from_global_index(seed, species, (QUANTUM,) * len(keys), keys, std)


def central_box(nodes: np.ndarray, size: float) -> np.ndarray:
    """Nodes inside the central box of side ``size`` × the bounding box per axis."""
    lower, upper = nodes.min(axis=0), nodes.max(axis=0)
    middle, half = (lower + upper) / 2, 0.5 * size * (upper - lower)
    return np.all(np.abs(nodes - middle) <= half + 1e-12 * (upper - lower + 1), axis=1)


def initial_fields(initial: Any, nodes: np.ndarray, steady: tuple[float, float] | None,
                   restart: Path | None) -> tuple[np.ndarray, np.ndarray]:
    """(u, v) at every node (all dofs, Dirichlet ones included).

    Parameters
    ----------
    initial
        The case's ``[initial]`` section (``noise``, ``spot`` or ``restart``).
    nodes
        Node coordinates (ndof × 3).
    steady
        The homogeneous steady state (the default means).
    restart
        The previous run's ``final_state.npz`` (restarts).
    """
    if restart is not None:
        with np.load(restart) as data:
            return np.array(data["u_nodes"], dtype=float), np.array(data["v_nodes"], dtype=float)
    means = [initial.mean_u, initial.mean_v]
    for index in (0, 1):
        if means[index] is None:
            assert steady is not None  # prepare refused the case otherwise
            means[index] = steady[index]
    u = means[0] + position_noise(initial.seed, 0, nodes, initial.std_u)
    v = means[1] + position_noise(initial.seed, 1, nodes, initial.std_v)
    if initial.type == "spot":
        inside = central_box(nodes, initial.spot_size)
        u[inside] += initial.spot_u - means[0]
        v[inside] += initial.spot_v - means[1]
    return u, v
