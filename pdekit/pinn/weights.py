"""Saved networks: ``weights.npz`` holds the weights and what is needed to rebuild them.

Arrays ``W0, b0, W1, b1, ...`` are the layers, input first; ``meta_<key>`` entries hold the
architecture (``dim``, ``width``, ``depth``, ``activation``, ``dtype``), the boundary
treatment (``boundary``: ``"penalty"`` or ``"hard"``) and the domain ``bounds`` (the hard
ansatz depends on it). NumPy only, so ``pdekit check`` can inspect a file without TensorFlow.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np


def save_weights(path: str | Path, arrays: Sequence[np.ndarray], meta: dict[str, Any]) -> Path:
    """Write layer arrays ``[W0, b0, W1, b1, ...]`` and metadata to ``path`` (``.npz``)."""
    path = Path(path)
    named = {f"{'W' if i % 2 == 0 else 'b'}{i // 2}": np.asarray(a) for i, a in enumerate(arrays)}
    with path.open("wb") as stream:
        np.savez(stream, **named, **{f"meta_{k}": np.asarray(v) for k, v in meta.items()})
    return path


def read_metadata(path: str | Path) -> dict[str, Any]:
    """The ``meta_*`` entries of a weights file (``bounds`` as a nested list)."""
    with np.load(path, allow_pickle=False) as data:
        meta = {k[5:]: data[k] for k in data.files if k.startswith("meta_")}
    if not meta:
        raise ValueError("no pdekit metadata in the file")
    return {k: (v.tolist() if v.ndim else v.item()) for k, v in meta.items()}


def read_arrays(path: str | Path) -> list[np.ndarray]:
    """The layer arrays ``[W0, b0, W1, b1, ...]`` of a weights file."""
    with np.load(path, allow_pickle=False) as data:
        count = sum(1 for k in data.files if k.startswith("W"))
        return [data[f"{kind}{i}"] for i in range(count) for kind in ("W", "b")]


def layer_shapes(dim: int, width: int, depth: int) -> list[tuple[int, ...]]:
    """The shapes of ``[W0, b0, W1, b1, ...]`` of a network with ``depth`` hidden layers of
    ``width`` units on ``dim`` inputs and one output (as :class:`pdekit.pinn.network.MLP`
    builds them)."""
    sizes = [dim] + [width] * depth + [1]
    return [shape for fan_in, fan_out in zip(sizes[:-1], sizes[1:])
            for shape in ((fan_in, fan_out), (fan_out,))]


def check_arrays(path: str | Path, shapes: Sequence[tuple[int, ...]]) -> None:
    """Check, without TensorFlow, that a weights file holds exactly the layers ``shapes``
    as finite real numbers, so that loading it cannot fail once the run has started.

    Raises
    ------
    ValueError
        Naming the first layer that is missing, extra, misshapen, not real or not finite.
    """
    with np.load(path, allow_pickle=False) as data:
        names = [f"{'W' if i % 2 == 0 else 'b'}{i // 2}" for i in range(len(shapes))]
        layers = sorted(k for k in data.files if not k.startswith("meta_"))
        extra = sorted(set(layers) - set(names))
        if extra:
            raise ValueError(f"layers {', '.join(extra)} that this network does not have")
        for name, shape in zip(names, shapes):
            if name not in data.files:
                raise ValueError(f"no layer {name}")
            array = data[name]
            if array.dtype.kind != "f":
                raise ValueError(f"layer {name} of real numbers, not {array.dtype}")
            if array.shape != tuple(shape):
                raise ValueError(f"layer {name} of shape {tuple(shape)}, not {array.shape}")
            if not np.isfinite(array).all():
                raise ValueError(f"layer {name} with finite values only")

