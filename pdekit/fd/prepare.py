"""From a validated ``turing`` case to what the run needs, built once.

:func:`prepare` builds the reaction model, the grid and the initial state (reading a
restart or initial-data file), finds the homogeneous steady state, and does the checks
that need several sections or the built objects: the start time of a restart against
``T``, a step within the method's stability limit, a diagonal linear part for methods
that need one, ffmpeg for MP4 animations. It writes nothing and imports no compiled
kernels for built-in models with a closed-form steady state (``pdekit check`` calls it).

``grid.backend = "petsc"`` (:mod:`pdekit.fd.run_petsc`): the method must be a PETSc TS
method, the PETSc options (``[time.petsc]``, then those after ``--``) are parsed here,
custom reactions are differentiated exactly, and the initial data stay a function of a
block of the grid (each rank evaluates or reads its own part in the run). The fft backend
under ``mpiexec`` (any number of ranks, :mod:`pdekit.fd.run_fft_mpi`) needs FFT/DCT
diffusion and a 2D or 3D grid the ranks can split (:func:`pdekit.time.decomposition.
choose_decomposition`, refused here otherwise); its initial data are a function of a block
too. Neither path imports PETSc or MPI here.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from tempfile import TemporaryDirectory

import numpy as np

from pdekit.errors import CaseError, HelpShown
from pdekit.expr import ExpressionError
from pdekit.fd.grid import Grid, make_grid
from pdekit.fd.initial import InitialData, InitialDataError, initial_data, load_initial
from pdekit.fd.laplacian import laplacian_spectral_radius
from pdekit.fd.models import MODELS, ExpressionModel, ReactionModel, SteadyStateError
from pdekit.fd.petsc_methods import TS_METHODS
from pdekit.fd.schema import TuringCase
from pdekit.launcher import mpi_size, under_mpiexec
from pdekit.memory import fits_in_memory, gib, physical_memory_bytes
from pdekit.petsc_options import (OptionPairs, OptionProblem, checked_command_line,
                                  checked_table, initialize_petsc, refuse_case_keys,
                                  refused, wants_help)
from pdekit.time import METHODS, stable_dt
from pdekit.time.decomposition import Decomposition, DecompositionError, choose_decomposition
from pdekit.time.methods import rk4_max_dt

__all__ = ["TuringSetup", "build_model", "prepare", "steps_landing_on"]

CASE_KEY_OPTIONS = {"ts_max_time": "time.T", "ts_dt": "time.dt", "ts_rtol": "time.tolerance",
                    "ts_atol": "time.tolerance", "ts_adapt_dt_max": "time.dt_max"}
"""PETSc TS options that set what a ``[time]`` key sets (refused, naming the key; the
output times and the final time are stepped to by pdekit)."""


class ModelLabels:
    """``preset`` and ``label`` of a Turing set-up (on a grid or a domain) that holds the
    typed ``case`` and its reaction ``model``."""

    @property
    def preset(self) -> str | int | None:
        """The preset in use (the model's default if none was given; None for custom)."""
        preset = self.case.model.preset  # type: ignore[attr-defined]
        return preset if preset is not None else (
            self.model.default_preset or None)  # type: ignore[attr-defined]

    @property
    def label(self) -> str:
        """``"bvam 'spots'"``: the model and its preset, for titles and messages."""
        name = self.model.name  # type: ignore[attr-defined]
        return name if self.preset is None else f"{name} '{self.preset}'"


@dataclass(frozen=True)
class TuringSetup(ModelLabels):
    """A prepared ``turing`` case: everything the run needs, built once.

    Attributes
    ----------
    case
        The validated case.
    model, grid
        The reaction model and the 1D, 2D or 3D grid.
    u0, v0, t0
        Initial fields (of the grid's shape, indexed ``[i, j, k]``, i along x; None on
        the petsc backend, whose ranks evaluate ``initial`` on their blocks) and start
        time.
    dt
        The fixed step: ``time.dt`` shortened so that equal steps end at ``T`` (the first
        trial step of adaptive runs).
    steady
        The homogeneous steady state, or None when the search failed
        (``steady_error`` says why).
    spectral_radius
        ρ(L) of the diffusion operator (0 when only the reaction is integrated).
    initial
        The initial fields as a function of a block of the grid (petsc backend and the
        distributed fft backend; None on one process).
    petsc_options
        PETSc options database entries: ``[time.petsc]`` then those after ``--``.
    decomposition
        How the distributed fft backend splits the grid over the ranks (None when it
        runs on one process, and on the petsc backend).
    """

    case: TuringCase
    model: ReactionModel
    grid: Grid
    u0: np.ndarray | None
    v0: np.ndarray | None
    t0: float
    dt: float
    steady: tuple[float, float] | None
    steady_error: str | None
    spectral_radius: float
    initial: InitialData | None = None
    petsc_options: OptionPairs = ()
    decomposition: Decomposition | None = None

    @property
    def rk4_stable_dt(self) -> float:
        """The largest stable RK4 step for this grid and diffusion (reported)."""
        return rk4_max_dt(self.spectral_radius)


STATE_COPIES = 24
"""Copies of the two-species state a run may hold at once (ETDRK4's stages and spectra,
snapshots): the basis of the memory check before anything is allocated."""


PETSC_STATE_COPIES = 48
"""Copies of the two-species state the PETSc backend holds over all ranks (TS stages,
Jacobian and its copy, the multigrid hierarchy, ghosted vectors) plus what rank 0 gathers
for the final state, the report and the PNG; assumed on one machine (the check is
conservative for runs spread over several)."""

OPTIONS_SOURCE = "[time.petsc] / options after --"
"""Where PETSc options come from, as named in error messages found at run time."""

SINGLE_PRECISION_TOLERANCE = 1e-5
"""Smallest adaptive tolerance in single precision: float32 resolves 6e-8 of a value, and
a step's arithmetic (transforms of 2·10⁵+ points) accumulates a few hundred of those."""

MAX_SNAPSHOTS = 10_000
"""Most snapshots a run writes (each one a .vti of the whole state)."""


def steps_landing_on(t0: float, t_end: float, dt: float) -> tuple[int, float]:
    """The fewest equal steps no longer than ``dt`` that end exactly at ``t_end``."""
    count = max(1, math.ceil((t_end - t0) / dt - 1e-9))
    return count, (t_end - t0) / count


def build_model(case: TuringCase) -> ReactionModel:
    """The reaction model of a case (preset + overrides, or the custom expressions).

    Raises
    ------
    pdekit.errors.CaseError
        For invalid or unsafe expressions, and negative diffusion coefficients.
    """
    section = case.model
    cls = MODELS.get(section.name)
    parameters = section.parameter_values()
    if not MODELS.capabilities(section.name).expressions:
        model = cls(**parameters)
    else:
        guess = tuple(section.steady_guess or (0.0, 0.0))
        try:
            model = ExpressionModel(section.f, section.g, parameters, guess)
        except ExpressionError as error:
            key = "g"
            try:  # which expression failed: f alone
                ExpressionModel(section.f, "0", parameters, guess)
            except ExpressionError:
                key = "f"
            raise case.error(f"model.{key}", f"a safe math expression ({error})",
                             getattr(section, key)) from None
    for index, (key, value) in enumerate(zip(("Du", "Dv"), model.diffusion)):
        if not (math.isfinite(value) and value >= 0):
            given = case.model.parameters or {}
            # name the key the user wrote: a parameter, or BVAM's delta1/delta2 (times D)
            blamed = f"model.parameters.{key}" if key in given else \
                f"model.delta{index + 1}" if case.model.name == "bvam" else "model.parameters"
            raise case.error(blamed, f"a finite diffusion coefficient >= 0 ({key})", value)
    return model


def _steady_state(model: ReactionModel) -> tuple[tuple[float, float] | None, str | None]:
    try:
        return model.steady_state(), None
    except SteadyStateError as error:
        return None, str(error)


def check_backend(case: TuringCase) -> OptionPairs:
    """The method, options and rank count fit ``grid.backend``; the PETSc options.

    Raises
    ------
    pdekit.errors.CaseError
        For sparse diffusion under mpiexec on the fft backend, a method of the other
        backend, PETSc options for the fft backend, ``time.growth_limit`` for the petsc
        backend, or options that are not PETSc options.
    """
    petsc = case.grid.backend == "petsc"
    if not petsc and under_mpiexec() and case.grid.diffusion != "transform":
        raise case.error("grid.backend", f"'petsc' to run sparse diffusion under mpiexec "
                                         f"-n {mpi_size()} (or grid.diffusion = 'transform')", "transform")
    methods = TS_METHODS.names() if petsc else METHODS.names()
    if case.time.method not in methods:
        raise case.error("time.method", f"a method of grid.backend = "
                                        f"{case.grid.backend!r} ({', '.join(methods)})",
                         case.time.method)
    if not petsc:
        if case.time.petsc:
            raise case.error("time.petsc", "no PETSc options with grid.backend = 'fft'",
                             case.time.petsc)
        if case.solver_args:
            raise CaseError("command line", "--", "no PETSc options after -- with "
                            "grid.backend = 'fft'", " ".join(case.solver_args))
        return ()
    if case.time.growth_limit is not None:  # PETSc's TSAdapt has its own clip
        raise case.error("time.growth_limit", "no growth_limit with grid.backend = 'petsc' "
                                              "([time.petsc] ts_adapt_clip = '0.1,10' sets "
                                              "TSAdapt's)", case.time.growth_limit)
    table = checked_table(case, "time.petsc", case.time.petsc)
    command_line = checked_command_line(case.solver_args)
    refuse_case_keys(case, "time.petsc", table, command_line, CASE_KEY_OPTIONS)
    options = table + command_line
    initialize_petsc(options)
    from pdekit.fd.petsc_probe import check_ts_options, show_ts_help
    from pdekit.petsc_files import placed

    probe = (case.time.method, case.grid.boundary, case.grid.dimension, case.time.adaptive)
    with TemporaryDirectory(prefix="pdekit-probe-") as scratch:  # the probe's files
        if wants_help(options):
            show_ts_help(placed(options, scratch), *probe)
            raise HelpShown()
        if options:
            try:
                check_ts_options(placed(options, scratch), *probe)
            except OptionProblem as problem:
                raise refused(problem, case, "time.petsc", table, command_line) from None
    return tuple(options)


def decomposition_of(case: TuringCase) -> Decomposition | None:
    """The split of the grid over the ranks of mpiexec (fft backend; None on one process).

    Raises
    ------
    pdekit.errors.CaseError
        For a 1D grid, or a grid too small for the ranks in the decomposition asked for.
    """
    if case.grid.backend != "fft" or not under_mpiexec():
        return None
    grid = case.grid
    try:
        return choose_decomposition(grid.shape, mpi_size(), grid.boundary == "neumann",
                                    grid.decomposition)
    except DecompositionError as error:
        key = "grid.decomposition" if grid.decomposition != "auto" and len(grid.shape) > 1 \
            else "grid.n"
        raise case.error(key, f"a grid the fft backend can split over {mpi_size()} ranks "
                              f"({error})", getattr(grid, key.split(".")[1])) from None


def prepare(case: TuringCase) -> TuringSetup:
    """Build model, grid and initial state once, and check what needs several keys.

    Raises
    ------
    pdekit.errors.CaseError
        For any problem, naming the key.
    """
    options = check_backend(case)
    decomposition = decomposition_of(case)
    petsc = case.grid.backend == "petsc"
    distributed = petsc or decomposition is not None
    model = build_model(case)
    if petsc and isinstance(model, ExpressionModel):
        for key in ("f", "g"):
            try:
                model.term_derivatives(key)
            except ExpressionError as error:  # the Jacobian needs exact derivatives
                raise case.error(f"model.{key}", f"an expression pdekit can differentiate "
                                 f"({error})", getattr(case.model, key)) from None
    grid = make_grid(case.grid.boundary, case.grid.shape, case.grid.lengths)
    if case.time.adaptive and case.time.tolerance < SINGLE_PRECISION_TOLERANCE \
            and case.grid.precision == "single":
        raise case.error("time.tolerance", f"a tolerance >= {SINGLE_PRECISION_TOLERANCE:g} "
                         "with grid.precision = 'single' (or double precision)",
                         case.time.tolerance)
    needed = grid.size * (PETSC_STATE_COPIES if petsc else STATE_COPIES) * 2 * \
        (8 if petsc else case.grid.dtype.itemsize)
    if not fits_in_memory(needed):
        raise case.error("grid.n", f"a grid that fits in memory (about {gib(needed)} needed "
                                   f"for {grid.size:.3g} points, {gib(physical_memory_bytes())} "
                                   "here)", case.grid.n)
    steady, steady_error = _steady_state(model)
    initial = None
    try:
        if distributed:
            initial = initial_data(case.initial, grid, steady, case.source.parent,
                                   distributed=True)
            u0, v0, t0 = None, None, initial.t0
        else:
            u0, v0, t0 = load_initial(case.initial, grid, steady, case.source.parent)
    except InitialDataError as error:
        raise case.error(f"initial.{error.key}", error.expected, error.given) from None
    time = case.time
    if time.T <= t0:
        raise case.error("time.T", f"a final time after the start t0 = {t0}", time.T)
    snapshots = (time.T - t0) / case.output.every
    if snapshots > MAX_SNAPSHOTS:
        raise case.error("output.every", f"an interval giving at most {MAX_SNAPSHOTS} "
                         f"snapshots (T - t0 = {time.T - t0:g} would give {snapshots:.3g})",
                         case.output.every)
    if case.output.animation != "none" and not fits_in_memory(snapshots * grid.size * 8, 0.4):
        raise case.error("output.every", "a longer interval: the animation keeps every "
                         f"snapshot of u in memory ({gib(snapshots * grid.size * 8)})",
                         case.output.every)
    if time.dt > time.T - t0:
        raise case.error("time.dt", f"a step no larger than T - t0 = {time.T - t0}", time.dt)
    if case.output.animation == "mp4" and shutil.which("ffmpeg") is None:
        raise case.error("output.animation", "'gif' (mp4 needs ffmpeg, not found)", "mp4")
    reaction_only = case.model.terms == "reaction"
    radius = 0.0 if reaction_only else \
        laplacian_spectral_radius(grid) * max(model.diffusion)
    dt = steps_landing_on(t0, time.T, time.dt)[1]
    if petsc:  # diffusion implicit: no stability limit on the step
        return TuringSetup(case, model, grid, u0, v0, t0, dt, steady, steady_error, radius,
                           initial, options)
    capabilities = METHODS.capabilities(time.method)
    limit = stable_dt(time.method, radius)
    if time.dt > limit:
        raise case.error("time.dt", f"dt <= {limit:.6g}, the {time.method.upper()} stability "
                                    f"limit {capabilities.stability_interval:.4g}/rho(L) for "
                                    f"this grid and diffusion (or a splitting method)", time.dt)
    if capabilities.needs_diagonal and case.grid.diffusion != "transform" and not reaction_only:
        raise case.error("time.method", f"a method for sparse diffusion "
                                        f"({', '.join(METHODS.names(needs_diagonal=False))}); "
                                        f"{time.method} needs grid.diffusion = 'transform'",
                         time.method)
    return TuringSetup(case, model, grid, u0, v0, t0, dt, steady, steady_error, radius,
                       initial, decomposition=decomposition)
