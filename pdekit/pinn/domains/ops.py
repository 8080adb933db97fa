"""A tiny array namespace so that each distance function is written once.

The approximate distance functions of :mod:`~pdekit.pinn.domains.adf` use only arithmetic
operators, column slicing ``x[:, i]`` and the few functions below. They are evaluated with
:data:`NUMPY` (tests, plots, masks) or with :func:`tensorflow_ops` (inside a
``tf.GradientTape``, differentiable twice, for the Laplacian of ``u = g + phi N``).
TensorFlow is imported only when :func:`tensorflow_ops` is called.
"""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace
from typing import Any

import numpy as np

Ops = Any
"""A namespace with ``sqrt``, ``maximum``, ``abs``, ``zeros_like``, ``ones_like`` and
``asarray`` (float64 conversion); the arrays it returns support ``+ - * / **`` and
``x[:, i]``."""

NUMPY: Ops = SimpleNamespace(
    name="numpy",
    sqrt=np.sqrt,
    maximum=np.maximum,
    abs=np.abs,
    zeros_like=np.zeros_like,
    ones_like=np.ones_like,
    asarray=lambda x: np.asarray(x, dtype=float),
)
"""NumPy operations (float64)."""


@lru_cache(maxsize=1)
def tensorflow_ops() -> Ops:
    """The TensorFlow operations (``tf.float64`` unless the input already is a tensor)."""
    import tensorflow as tf

    def asarray(x: Any) -> Any:
        return x if isinstance(x, (tf.Tensor, tf.Variable)) else tf.constant(x, tf.float64)

    return SimpleNamespace(
        name="tensorflow",
        sqrt=tf.sqrt,
        maximum=tf.maximum,
        abs=tf.abs,
        zeros_like=tf.zeros_like,
        ones_like=tf.ones_like,
        asarray=asarray,
    )


def get_ops(xp: Ops | str | None) -> Ops:
    """Resolve ``None``/``"numpy"`` to :data:`NUMPY` and ``"tensorflow"``/``"tf"`` to the TF ops."""
    if xp is None or xp == "numpy":
        return NUMPY
    if xp in ("tensorflow", "tf"):
        return tensorflow_ops()
    if isinstance(xp, str):
        raise ValueError(f"unknown array namespace {xp!r}; expected 'numpy' or 'tensorflow'")
    return xp
