"""The smallest domain a PINN resolves: one bound for every shape.

A domain of radius 1e-300 ran and reported an error of the network's constant output; a
strip left by a CSG difference ran with a handful of collocation points inside. The
network sees the coordinates, in float32 at worst (``network.dtype``), and its loss squares
second derivatives, which scale like ``u / l²`` on a domain of size ``l``. So a domain is
refused when

- its smallest bounding-box side is below :data:`SMALLEST_EXTENT` (``(1 / l²)²`` summed
  over the points must stay below float32's largest number, 3.4e38),
- that side is below :data:`RESOLUTION` times the size of its coordinates (across it,
  float32 then holds fewer than about a thousand distinct values), or
- its area or volume is below :data:`RESOLUTION` times its bounding box's (a sliver whose
  collocation points would nearly all be rejected).

A small domain is solved by scaling its units.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

SMALLEST_EXTENT = 1e-8
"""Smallest side of a domain's bounding box, in case units (see the module docstring)."""

RESOLUTION = 1e3 * float(np.finfo(np.float32).eps)
"""Smallest side relative to the coordinates' size, and smallest fill of the bounding box
(about 1.2e-4: a thousand float32 rounding units)."""


def extent_problem(bounds: Sequence[tuple[float, float]], volume: float) -> str | None:
    """What a domain with bounding box ``bounds`` and ``volume`` (length, area) was
    expected to be, or ``None`` when a PINN can resolve it."""
    sides = [hi - lo for lo, hi in bounds]
    side = min(sides)
    size = max(max(abs(lo), abs(hi)) for lo, hi in bounds)
    if not side >= SMALLEST_EXTENT:
        return (f"a domain at least {SMALLEST_EXTENT:g} across (it is {side:.3g}; the loss "
                "squares derivatives that scale like 1/size²: scale the units)")
    if not side >= RESOLUTION * size:
        return (f"a domain at least {RESOLUTION:.2g} × its coordinates' size {size:.3g} "
                f"across (it is {side:.3g}: float32 coordinates cannot resolve it)")
    box = math.prod(sides)
    if not volume >= RESOLUTION * box:
        return (f"a domain filling at least {RESOLUTION:.2g} of its bounding box (it fills "
                f"{volume / box:.3g}: a sliver the collocation points miss)")
    return None
