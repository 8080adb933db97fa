"""The NGSolve mesh of a ``[domain]``: the eigen kind's mesher for planar and solid shapes
(:func:`pdekit.fem.geometry.mesh.build_mesh`, one geometry layer for both kinds), Netgen's surface
mesher for closed surfaces (:func:`pdekit.fe.surfaces.surface_mesh`); elements curved to
the geometry on curved boundaries and surfaces."""

from __future__ import annotations

from typing import Any

from pdekit.fe.surfaces import Surface, surface_mesh
from pdekit.fem.geometry.shapes2d import Shape
from pdekit.fem.geometry.mesh import MAX_CURVE_ORDER, build_mesh
from pdekit.fem.geometry.solids import Solid


def curve_order(domain: Any) -> int:
    """``domain.curve``, or the element order when it is 0 (auto)."""
    return min(domain.curve or domain.order, MAX_CURVE_ORDER)


def make_mesh(shape: Shape | Solid | Surface, domain: Any, dirichlet: tuple[str, ...]
              ) -> tuple[Any, int]:
    """The ``ngsolve.Mesh`` of the domain and the order its elements are curved to (0:
    flat).

    Parameters
    ----------
    shape
        What :func:`pdekit.fe.prepare.build_domain` resolved.
    domain
        The ``[domain]`` section (``maxh``, ``refine``, ``order``, ``curve``).
    dirichlet
        Dirichlet boundary names (none are singular corners here: no hp grading).
    """
    import ngsolve

    curve = curve_order(domain)
    if isinstance(shape, Surface):
        mesh = ngsolve.Mesh(surface_mesh(shape, domain.maxh, domain.refine))
        curved = curve if shape.curved and curve > 1 else 0
        if curved:
            mesh.Curve(curved)
        return mesh, curved
    mesh, info = build_mesh(shape, set(dirichlet), maxh=domain.maxh, refine=domain.refine,
                            hp=False, hp_levels=0, hp_factor=0.2, curve_order=curve)
    return mesh, info.curve_order
