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
