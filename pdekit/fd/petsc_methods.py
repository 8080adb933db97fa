"""The time integrators of the PETSc backend (``grid.backend = "petsc"``), by name.

They are PETSc TS types run by :func:`pdekit.fd.petsc_ts.solve_petsc`, not one-step maps
of :data:`pdekit.time.METHODS` (which step a :class:`~pdekit.time.SemilinearProblem` in
one process), so they have a registry of their own; ``time.method`` offers the names of
both, and :mod:`pdekit.fd.prepare` checks that the method fits ``grid.backend``.
Registering imports no PETSc (``pdekit list`` reads names and capabilities only).

Capabilities: ``backend`` ("petsc"), ``order`` and ``embedded_order`` of PETSc's default
scheme (``scheme``), ``error_estimate`` (all have one: ``time.adaptive`` drives TSAdapt
with ``time.tolerance``), ``implicit_reaction`` (the reaction is in the implicit part and
its analytic Jacobian is assembled).
"""

from __future__ import annotations

from dataclasses import dataclass

from pdekit.core.registry import Registry


@dataclass(frozen=True)
class TSMethodTraits:
    """A PETSc TS method's capabilities (see the module docstring)."""

    backend: str
    scheme: str
    order: int
    embedded_order: int
    error_estimate: bool
    implicit_reaction: bool
    description: str


TS_METHODS: Registry[str, TSMethodTraits] = Registry("PETSc TS method", TSMethodTraits)
"""``time.method`` name -> PETSc TS type (``-ts_type``)."""

TS_METHODS.add("arkimex", "arkimex", backend="petsc", scheme="4", order=4, embedded_order=3,
               error_estimate=True, implicit_reaction=False,
               description="additive Runge-Kutta IMEX, diffusion implicit and reaction "
                           "explicit (Kennedy-Carpenter ARK4(3)6L[2]SA)")
TS_METHODS.add("rosw", "rosw", backend="petsc", scheme="ra34pw2", order=3, embedded_order=2,
               error_estimate=True, implicit_reaction=True,
               description="Rosenbrock-W, linearly implicit in diffusion and reaction "
                           "(RA34PW2)")
