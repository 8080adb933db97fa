"""Case-file expressions evaluated in TensorFlow: exact solution, forcing, boundary data.

Registers a ``"tensorflow"`` backend with :mod:`pdekit.expr` (the safe parser: only
whitelisted math reaches this module), so an expression such as
``"sin(pi*x)*sin(pi*y)"`` becomes a TensorFlow function of the coordinates. When only the
exact solution is given, the forcing ``f = Laplacian u`` is derived from it by nested
automatic differentiation of that function.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np
import tensorflow as tf

from pdekit.expr import Expression, parse_expression, register_backend

COORDINATES = ("x", "y", "z")



def _constants_as_float64(function: Callable) -> Callable:
    """``function`` with plain-number arguments made float64 tensors (``sqrt(2)`` would
    otherwise be float32 and clash with the float64 coordinates)."""
    def wrapped(*args: object) -> tf.Tensor:
        return function(*(tf.constant(a, tf.float64)
                          if isinstance(a, (int, float)) and not isinstance(a, bool) else a
                          for a in args))
    return wrapped


register_backend("tensorflow", {name: _constants_as_float64(function) for name, function in {
    "sin": tf.sin, "cos": tf.cos, "tan": tf.tan, "arcsin": tf.asin, "arccos": tf.acos,
    "arctan": tf.atan, "sinh": tf.sinh, "cosh": tf.cosh, "tanh": tf.tanh, "exp": tf.exp,
    "log": tf.math.log, "sqrt": tf.sqrt, "abs": tf.abs, "where": tf.where,
    "minimum": tf.minimum, "maximum": tf.maximum,
}.items()})

Field = Callable[[tf.Tensor], tf.Tensor]


def tf_field(text: str | Expression, dim: int, parameters: Mapping[str, float] | None = None
             ) -> Field:
    """Compile an expression of ``x`` (``y`` in 2D, ``z`` in 3D) into ``points [N, dim] -> [N]``.

    ``text`` may be an expression parsed already (then ``parameters`` are its own).

    Raises
    ------
    pdekit.expr.ExpressionError
        If the text is not an allowed math expression of these coordinates.
    """
    expression = text if isinstance(text, Expression) else \
        parse_expression(text, COORDINATES[:dim], parameters)

    def field(points: tf.Tensor) -> tf.Tensor:
        coords = {name: points[:, i] for i, name in enumerate(COORDINATES[:dim])}
        value = expression.evaluate("tensorflow", **coords)
        # constants ("0") and expressions of some coordinates only: broadcast to [N]
        return tf.zeros_like(points[:, 0]) + tf.cast(value, points.dtype)

    return field


def derivatives(field: Field, points: np.ndarray | tf.Tensor,
                dtype: tf.DType = tf.float64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Value, gradient ``[N, dim]`` and Laplacian of ``field`` at ``points`` by autodiff."""
    x = tf.convert_to_tensor(points, dtype)
    dim = int(x.shape[1])
    with tf.GradientTape(persistent=True) as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            u = field(x)
        grad = inner.gradient(u, x, unconnected_gradients=tf.UnconnectedGradients.ZERO)
        parts = [grad[:, j] for j in range(dim)]
    lap = tf.add_n([outer.gradient(parts[j], x,
                                   unconnected_gradients=tf.UnconnectedGradients.ZERO)[:, j]
                    for j in range(dim)])
    del outer
    return u.numpy(), grad.numpy(), lap.numpy()


def laplacian_of(text: str, points: np.ndarray, parameters: Mapping[str, float] | None = None
                 ) -> np.ndarray:
    """Laplacian of the expression ``text`` at ``points`` (shape ``[N, dim]``)."""
    return derivatives(tf_field(text, points.shape[1], parameters), points)[2]


def evaluate(text: str, points: np.ndarray, parameters: Mapping[str, float] | None = None
             ) -> np.ndarray:
    """Values of the expression ``text`` at ``points`` in float64."""
    field = tf_field(text, points.shape[1], parameters)
    return field(tf.convert_to_tensor(points, tf.float64)).numpy()


def variable_names(dim: int) -> Sequence[str]:
    """Coordinate names available to expressions in ``dim`` dimensions."""
    return COORDINATES[:dim]
