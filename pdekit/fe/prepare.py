"""Checks of a ``turing`` case with a ``[domain]``, and what its run needs, built once.

Runs before anything is written (``pdekit check`` too) and imports no NGSolve: the shape
is resolved by the eigen kind's own geometry layer (:func:`pdekit.fem.prepare.build_shape`:
polygons, disks, solids, CSG, mesh files, checked in full) or, for closed surfaces, by
:func:`pdekit.fe.surfaces.surface_of` (a surface mesh file is read and checked here);
Dirichlet names are checked against the shape's boundaries; the reaction model and its
steady state are those of the grid path (:func:`pdekit.fd.prepare.build_model`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pdekit.errors import CaseError
from pdekit.fd.models import ReactionModel, SteadyStateError
from pdekit.fd.prepare import MAX_SNAPSHOTS, ModelLabels, build_model, steps_landing_on
from pdekit.fd.schema import TuringCase
from pdekit.fe.size import TooLarge, run_size
from pdekit.fe.surfaces import Surface, SurfaceFileError, surface_of
from pdekit.fem.geometry.shapes2d import Shape
from pdekit.fem.prepare import build_shape
from pdekit.fem.geometry.solids import Solid
from pdekit.memory import fits_in_memory, gib, physical_memory_bytes
from pdekit.core.registry import did_you_mean

__all__ = ["FESetup", "prepare"]


@dataclass(frozen=True)
class FESetup(ModelLabels):
    """A prepared ``turing`` case on a finite-element domain.

    Attributes
    ----------
    case, model
        The validated case and its reaction model.
    shape
        The 2D :class:`~pdekit.fem.geometry.shapes2d.Shape`, 3D :class:`~pdekit.fem.geometry.solids.Solid`
        or closed :class:`~pdekit.fe.surfaces.Surface`.
    dirichlet
        Boundary names where u, v are held at the steady state.
    steady, steady_error
        The homogeneous steady state, or None and why it was not found.
    t0, dt
        Start time; ``time.dt`` shortened so that equal steps end at ``T``.
    restart
        The ``final_state.npz`` a restart reads (None otherwise).
    """

    case: TuringCase
    model: ReactionModel
    shape: Shape | Solid | Surface
    dirichlet: tuple[str, ...]
    steady: tuple[float, float] | None
    steady_error: str | None
    t0: float
    dt: float
    restart: Path | None = None

    @property
    def surface(self) -> bool:
        """Whether the domain is a closed surface."""
        return isinstance(self.shape, Surface)

    @property
    def dimension(self) -> int:
        """2 for planar domains and surfaces' charts, 3 for solids (the space dimension
        of the PDE: 2 on a surface)."""
        return 2 if self.surface else int(getattr(self.shape, "dim", 2))


class _GeometryView:
    """What :func:`pdekit.fem.prepare.build_shape` reads of an eigen case (``geometry``,
    ``source``, ``error``), served from a turing case's ``[domain]``: one geometry layer
    for both kinds, its errors naming ``domain.<key>``."""

    def __init__(self, case: TuringCase):
        self.geometry = case.domain
        self.source = case.source
        self._case = case

    def error(self, key: str, expected: str, given: Any = None) -> CaseError:
        _, dot, rest = key.partition(".")
        return self._case.error("domain" + (f".{rest}" if dot else ""), expected, given)


def domain_file(case: TuringCase) -> Path:
    """``domain.file`` as an existing path (relative names beside the case file)."""
    given = Path(case.domain.file or "")
    path = given
    if not given.is_absolute():
        beside = case.source.parent / given
        path = beside if beside.exists() or not given.exists() else given
    if not path.is_file():
        raise case.error("domain.file", "an existing surface mesh file", case.domain.file)
    return path.resolve()


def build_domain(case: TuringCase) -> Shape | Solid | Surface:
    """The shape of ``[domain]``, checked (files read in full)."""
    domain = case.domain
    if domain.surface:
        try:
            path = domain_file(case) if domain.shape == "surface" else None
            return surface_of(domain, path)
        except SurfaceFileError as error:
            raise case.error("domain.file", str(error), domain.file) from None
    return build_shape(_GeometryView(case))  # type: ignore[arg-type]


def check_dirichlet(case: TuringCase, shape: Shape | Solid | Surface) -> tuple[str, ...]:
    """``domain.dirichlet`` names, each a boundary of the shape."""
    names = list(shape.boundaries)
    for name in case.domain.dirichlet:
        if name not in names:
            raise case.error("domain.dirichlet", f"a boundary of this domain "
                             f"{did_you_mean(name, names)}", name)
    return tuple(sorted(set(case.domain.dirichlet)))


def domain_fingerprint(case: TuringCase) -> str:
    """The resolved ``[domain]`` as JSON: a restart needs the same mesh."""
    return json.dumps(case.domain.model_dump(mode="json"), sort_keys=True)


def restart_file(case: TuringCase) -> tuple[Path, float]:
    """The previous run's ``final_state.npz`` and its time, made on the same domain."""
    folder = Path(case.initial.path or "")
    if not folder.is_absolute() and not folder.exists():
        folder = case.source.parent / folder
    state = folder / "final_state.npz"
    if not state.is_file():
        raise case.error("initial.path", "a finished pdekit turing run folder (with "
                         "final_state.npz)", case.initial.path)
    try:
        with np.load(state) as data:
            t0, domain = float(data["t"]), str(data["domain"])
    except (OSError, KeyError, ValueError) as error:
        raise case.error("initial.path", "the folder of a turing run on a [domain] "
                         f"({error})", case.initial.path) from None
    if domain != domain_fingerprint(case):
        raise case.error("initial.path", "a run on the same [domain] (the mesh must match)",
                         case.initial.path)
    return state, t0


def check_initial(case: TuringCase, steady: tuple[float, float] | None
                  ) -> tuple[Path | None, float]:
    """The restart file and start time; the noise options a domain takes."""
    initial = case.initial
    if initial.type == "file":
        raise case.error("initial.type", "noise, spot or restart with a [domain] (a file "
                         "holds grid-shaped fields)", initial.type)
    if initial.type == "restart":
        return restart_file(case)
    if "noise" in initial.model_fields_set and initial.noise == "band-limited":
        raise case.error("initial.noise", "'white' with a [domain] (independent values per "
                         "mesh node, seeded by the node's position)", initial.noise)
    if initial.noise_k_max is not None:
        raise case.error("initial.noise_k_max", "no noise_k_max with a [domain] (its noise "
                         "is white)", initial.noise_k_max)
    for species, mean, index in (("u", initial.mean_u, 0), ("v", initial.mean_v, 1)):
        if mean is None and steady is None:
            raise case.error(f"initial.mean_{species}", "a value: the model's homogeneous "
                             "steady state (the default) was not found; or set "
                             "model.steady_guess")
    return None, 0.0


def check_size(case: TuringCase, shape: Shape | Solid | Surface) -> None:
    """Refuse a mesh that would not fit in memory (:mod:`pdekit.fe.size`)."""
    domain = case.domain
    try:
        dofs, needed = run_size(shape, domain.maxh, domain.refine, domain.order)
    except TooLarge as error:
        raise case.error("domain.maxh", f"a mesh size that fits the domain ({error})",
                         domain.maxh) from None
    if not fits_in_memory(needed):
        key = "domain.refine" if domain.refine else "domain.maxh"
        raise case.error(key, f"a mesh that fits in memory (about {gib(needed)} for "
                         f"{dofs:.3g} dofs, {gib(physical_memory_bytes())} here)",
                         getattr(domain, key.split(".")[1]))


def prepare(case: TuringCase) -> FESetup:
    """Check what one section cannot check alone and build the run's inputs.

    Raises
    ------
    pdekit.errors.CaseError
        Naming the key at fault.
    """
    if case.time.petsc:
        raise case.error("time.petsc", "no PETSc options with a [domain]", case.time.petsc)
    if case.solver_args:
        raise CaseError(case.source_label, "--", "no PETSc options after -- with a [domain]",
                        " ".join(case.solver_args))
    if case.output.animation != "none":
        raise case.error("output.animation", "'none' with a [domain] (the .pvd series "
                         "animates in ParaView)", case.output.animation)
    model = build_model(case)
    try:
        steady, steady_error = model.steady_state(), None
    except SteadyStateError as error:
        steady, steady_error = None, str(error)
    shape = build_domain(case)
    check_size(case, shape)
    dirichlet = check_dirichlet(case, shape)
    if dirichlet and steady is None:
        raise case.error("domain.dirichlet", "no Dirichlet boundaries: they hold u and v at "
                         f"the homogeneous steady state, which was not found ({steady_error})",
                         list(dirichlet))
    restart, t0 = check_initial(case, steady)
    time = case.time
    if time.T <= t0:
        raise case.error("time.T", f"a final time after the start t0 = {t0}", time.T)
    if time.dt > time.T - t0:
        raise case.error("time.dt", f"a step no larger than T - t0 = {time.T - t0}", time.dt)
    snapshots = (time.T - t0) / case.output.every
    if case.output.vtk and snapshots > MAX_SNAPSHOTS:
        raise case.error("output.every", f"an interval giving at most {MAX_SNAPSHOTS} "
                         f"snapshots (T - t0 = {time.T - t0:g} would give {snapshots:.3g})",
                         case.output.every)
    dt = steps_landing_on(t0, time.T, time.dt)[1]
    return FESetup(case, model, shape, dirichlet, steady, steady_error, t0, dt, restart)
