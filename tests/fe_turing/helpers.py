"""Small builders shared by the finite-element Turing tests: a mesh, its matrices and the
operator, straight from the numerics (no case file)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from pdekit.fe.assembly import Discretization, assemble
from pdekit.fe.meshing import make_mesh
from pdekit.fe.operator import FEOperator
from pdekit.fe.surfaces import Sphere
from pdekit.fe.steppers import make_fe_stepper
from pdekit.time import integrate

SPHERE = Sphere((0.0, 0.0, 0.0), 1.0)


def discretize(shape, order: int, maxh: float, surface: bool = False, curve: int = 0,
               lumped: bool = False) -> Discretization:
    """Mesh ``shape`` at ``maxh`` and assemble P``order`` (curved to ``curve`` or the
    order)."""
    domain = SimpleNamespace(maxh=maxh, refine=0, order=order, curve=curve)
    mesh, _ = make_mesh(shape, domain, ())
    return assemble(mesh, order, surface, (), lumped)


def diffuse(disc: Discretization, field: np.ndarray, T: float, dt: float,
            coefficient: float = 1.0, method: str = "ars443", reaction=None) -> np.ndarray:
    """u at time T of M u' = −D K u + M N(u) (both species start from ``field``; u
    returned)."""
    op = FEOperator(disc.M, disc.K, (coefficient, coefficient))
    nonlinear = reaction or (lambda w: np.zeros_like(w))
    w, _ = integrate(make_fe_stepper(method, op, nonlinear, dt),
                     np.concatenate([field, field]), 0.0, T, dt)
    return w[:len(field)]
