"""The ``[domain]`` table as a :class:`~pdekit.pinn.domains.Domain` (NumPy only, no TensorFlow).

Without ``shape`` the domain is the box of ``x`` (``y``, ``z``): :class:`Interval`,
:class:`Rectangle` or :class:`Box`, with parts ``left``/``right`` (x), ``bottom``/``top`` (y),
``front``/``back`` (z). Shapes: ``disk`` and ``ball`` (part ``circle``/``sphere``),
``lshape`` and ``polygon`` (parts ``edge0``... or ``edge_names``), ``csg`` (operands combined
left to right; part names inherited from the operands).
"""

from __future__ import annotations

from typing import Any

from pdekit.pinn import domains as D

LSHAPE_SINGULAR = ("sqrt(x*x + y*y)**(2/3)*sin(2/3*(0.75*pi + 2*arctan(-(x + y)/sqrt(2)"
                   "/(sqrt(x*x + y*y) + (y - x)/sqrt(2) + 1e-300))))")
"""The singular harmonic ``r^(2/3) sin(2 theta / 3)`` of the L-shape as a case expression,
``theta`` in ``[0, 3 pi / 2]`` from the positive x axis (zero on the re-entrant edges):
``theta = 3 pi / 4 + psi`` with ``psi = 2 arctan(q / (r + p))`` the angle from the L's
bisector (half-angle formula, valid for ``|psi| < pi``; the tiny term makes it 0 at the
corner, where the gradient is unbounded)."""


def build_domain(section: Any) -> D.Domain:
    """The domain of a ``[domain]`` table (a :class:`pdekit.pinn.schema.DomainSection`,
    read by its attributes: the schema sits above this module); ``ValueError`` (a
    phrase) for invalid geometry."""
    shape = section.shape
    if shape is None:
        bounds = section.bounds
        if len(bounds) == 1:
            return D.Interval(*bounds[0])
        if len(bounds) == 2:
            (a, b), (c, d) = bounds
            return D.Rectangle(a, b, c, d)
        return D.Box(tuple(lo for lo, _ in bounds), tuple(hi for _, hi in bounds))
    if shape in ("disk", "ball"):
        dim = 2 if shape == "disk" else 3
        center = section.center or [0.0] * dim
        if len(center) != dim:
            raise ValueError(f"a center of {dim} coordinates for a {shape}")
        return (D.Disk(tuple(center), section.radius) if dim == 2
                else D.Ball(tuple(center), section.radius))
    if shape == "lshape":
        return D.LShape(edge_names=section.edge_names)
    if shape == "polygon":
        return D.Polygon(section.vertices, section.edge_names)
    result = None
    for item in section.csg or []:
        operand = _operand(item)
        if result is None:
            result = operand
        elif item.op == "add":
            result = result | operand
        elif item.op == "subtract":
            result = result - operand
        else:
            result = result & operand
    result.pieces  # noqa: B018  (cuts the boundary now: an empty result raises ValueError)
    return result


def _operand(item: Any) -> Any:
    """One CSG operand (a planar domain) of a :class:`pdekit.pinn.schema.CsgItem`."""
    names = item.edge_names
    if item.shape == "rectangle":
        if item.x is None or item.y is None:
            raise ValueError("x and y intervals for a csg rectangle")
        return D.Rectangle(*item.x, *item.y, **({"names": tuple(names)} if names else {}))
    if item.shape == "disk":
        if item.radius is None:
            raise ValueError("a radius for a csg disk")
        center = item.center or [0.0, 0.0]
        if len(center) != 2 or (names and len(names) != 1):
            raise ValueError("a disk center [cx, cy] and at most one edge name")
        return D.Disk(tuple(center), item.radius, **({"name": names[0]} if names else {}))
    if item.shape == "lshape":
        return D.LShape(edge_names=names)
    if item.vertices is None:
        raise ValueError("vertices for a csg polygon")
    return D.Polygon(item.vertices, names)
