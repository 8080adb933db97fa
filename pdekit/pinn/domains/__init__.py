"""Domains for PINNs: geometry, collocation sampling, boundary parts and distance functions.

Domains: :class:`Interval`, :class:`Rectangle`, :class:`Box` (3D), :class:`Disk`,
:class:`Ball` (3D), :class:`LShape`, :class:`Polygon`, and the 2D CSG combinations
:class:`Union`, :class:`Difference`, :class:`Intersection` (also ``a | b``, ``a - b``,
``a & b``). Each has ``dim``, ``bounding_box()``, ``contains(points)``,
``sample_interior(n, sampler, seed)``, ``sample_boundary(n, sampler, seed)`` (points and part
names), ``boundary_parts``, ``outward_normals(points, part)``, ``volume()``,
``boundary_distance(points, parts)`` and the approximate distance function
``adf(x, parts, m, xp)`` (Sukumar & Srivastava, CMAME 389 (2022) 114333) evaluated in NumPy or,
differentiably, in TensorFlow. :func:`grid_mask` masks an evaluation grid and
:func:`adf_derivatives` gives ``phi``, ``grad phi`` and ``Laplacian phi`` for the hard-BC ansatz.

Modules: :mod:`.ops` (array namespaces), :mod:`.adf` (distance functions), :mod:`.sampling`,
:mod:`.pieces` (segments and arcs), :mod:`.intersect`, :mod:`.base` (the interface),
:mod:`.interval`, :mod:`.planar` (rectangle, disk), :mod:`.polygon`, :mod:`.csg`,
:mod:`.solids` (box, ball), :mod:`.grid`. Importing the package does not import TensorFlow.
"""

from pdekit.pinn.domains.base import Domain, PlanarDomain
from pdekit.pinn.domains.csg import Difference, Intersection, Union
from pdekit.pinn.domains.grid import adf_derivatives, grid_mask
from pdekit.pinn.domains.interval import Interval
from pdekit.pinn.domains.planar import Disk, Rectangle
from pdekit.pinn.domains.polygon import LShape, Polygon
from pdekit.pinn.domains.sampling import SAMPLERS
from pdekit.pinn.domains.solids import Ball, Box

__all__ = ["Domain", "PlanarDomain", "Interval", "Rectangle", "Box", "Disk", "Ball", "LShape",
           "Polygon", "Union", "Difference", "Intersection", "grid_mask", "adf_derivatives",
           "SAMPLERS"]
