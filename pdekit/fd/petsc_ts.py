"""Two-species reaction–diffusion on a PETSc DMDA, integrated by PETSc's TS.

Semi-discrete system on a 1D/2D/3D grid (see :mod:`pdekit.fd.petsc_grid`)::

    u_t = D_u Δ_h u + f(u, v),      v_t = D_v Δ_h v + g(u, v)

with Δ_h the (2d+1)-point Laplacian, as PETSc's ``F(t, w, w_t) = G(t, w)``.

IMEX (``method="arkimex"``, default scheme ``"4"``: Kennedy–Carpenter ARK4(3)6L[2]SA,
L-stable, stiffly accurate, embedded 3rd order): IFunction ``F = w_t - D Δ_h w``
(implicit) with the constant IJacobian ``shift I - D Δ_h`` — assembled once on a pattern
without u–v coupling; each call copies it and adds the shift, and leaves the matrix alone
when the shift is unchanged so the preconditioner is reused — and RHSFunction
``G = (f, g)`` (explicit).  The problem is then linear per stage (SNES ksponly).

Everything else (``method="rosw"``, default ``"ra34pw2"``; ``-ts_arkimex_fully_implicit``;
any other ``-ts_type``): PETSc's ROSW would also treat an RHSFunction explicitly, so the
whole right-hand side goes into ``F = w_t - D Δ_h w - (f, g)`` with the Jacobian
``shift I - D Δ_h - J_reaction``, ``J_reaction`` assembled from the analytic
``reaction_jacobian`` (2x2 blocks per point) at every call.

Defaults, all overridable in the options database under ``options_prefix`` (e.g.
``-ts_type rosw -pc_type hypre``): KSP CG (GMRES once the Jacobian holds the reaction
blocks) with PCMG geometric multigrid on the DMDA (Galerkin coarse operators), TSAdapt
basic with ``atol = rtol = tolerance`` or TSAdapt none for fixed steps.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from petsc4py import PETSc

from pdekit.fd.petsc_grid import (Ranges, assemble_laplacian, assemble_point_blocks,
                                  create_dmda, field_view, fill_neumann_ghosts,
                                  global_index_arrays, laplacian, local_points, mg_levels,
                                  owned_ranges, set_cell_centred_interpolations)
from pdekit.fd.petsc_methods import TS_METHODS

__all__ = ["DMDAProblem", "PetscTSError", "PetscTSResult", "PetscTSRun", "solve_petsc"]

DEFAULT_SCHEME = {name: TS_METHODS.capabilities(name).scheme for name in TS_METHODS.names()}
_REASONS = {v: k for k, v in vars(PETSc.TS.ConvergedReason).items() if isinstance(v, int)}


class PetscTSError(RuntimeError):
    """The time integration failed; raised on every rank with the same message."""

    def __init__(self, message: str, t: float, dt: float, reason: str):
        super().__init__(f"{message} (t={t:.6g}, dt={dt:.3g}, reason={reason})")
        self.t, self.dt, self.reason = t, dt, reason


@dataclass
class PetscTSResult:
    """Outcome of :func:`solve_petsc` on this rank (fields are the owned block)."""

    u: np.ndarray
    v: np.ndarray
    ranges: Ranges                      # owned (start, stop) per axis
    t_final: float
    steps: int = 0                      # accepted steps
    rejected: int = 0                   # rejected steps (error test or solver failure)
    nonlinear_iterations: int = 0       # SNES iterations (one per implicit stage when linear)
    linear_iterations: int = 0          # KSP iterations
    dt_min: float = math.inf            # over accepted steps (incl. those shortened to land on outputs)
    dt_max: float = 0.0
    ts_type: str = ""
    scheme: str = ""
    ksp_type: str = ""
    pc_type: str = ""
    options: dict[str, str] = field(default_factory=dict)   # defaults this call put in


def _owned(vec: PETSc.Vec, sizes: Sequence[int], readonly: bool = True) -> np.ndarray:
    return field_view(vec.getArray(readonly=readonly), sizes)


def solve_petsc(shape: tuple[int, ...], lengths: tuple[float, ...], boundary: str,
                diffusion: tuple[float, float],
                reaction: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
                reaction_jacobian: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, ...]],
                initial: Callable[[tuple[np.ndarray, ...]], tuple[np.ndarray, np.ndarray]],
                t0: float, t_end: float, dt: float, tolerance: float | None,
                method: str = "arkimex", scheme: str | None = None,
                output_times: Sequence[float] = (),
                on_output: Callable[[float, np.ndarray, np.ndarray, Ranges], None] | None = None,
                comm=None, options_prefix: str = "", output_overlap: bool = False,
                progress: Callable[[float, float, int], None] | None = None) -> PetscTSResult:
    """Integrate the reaction–diffusion system from ``t0`` to ``t_end`` on a PETSc DMDA.

    Parameters
    ----------
    shape, lengths
        Points and domain side per axis (1 to 3 axes); ``h_i = lengths[i] / shape[i]``.
    boundary
        ``"periodic"`` or ``"neumann"`` (no flux, cell-centred points).
    diffusion
        ``(D_u, D_v)``.
    reaction, reaction_jacobian
        Elementwise ``(u, v) -> (f, g)`` and its analytic derivative
        ``(u, v) -> (f_u, f_v, g_u, g_v)`` (scalars broadcast).
    initial
        ``index_arrays -> (u, v)``: values at the points whose global indices are given
        (one int array per axis, the owned block's shape).
    t0, t_end, dt
        Time interval and the (initial) step.
    tolerance
        ``None``: fixed steps (TSAdapt none) of at most ``dt``, equal within each interval
        between output times so every output time is hit exactly; otherwise TSAdapt basic
        with ``atol = rtol = tolerance``.
    method, scheme
        ``"arkimex"`` or ``"rosw"``, and the PETSc scheme name (defaults "4", "ra34pw2").
    output_times, on_output
        ``on_output(t, u, v, ranges)`` is called (on every rank, with its owned block) at
        each output time in ``[t0, t_end]``; the steps land on them exactly.
    output_overlap
        Hand ``on_output`` the owned block extended by one point past its upper end on
        every axis that does not end at the grid's last point (the neighbouring rank's
        first point, from the ghosts): the overlap VTK's parallel image pieces need so
        that the cells between pieces exist. ``ranges`` is then the extended block.
    comm, options_prefix
        Communicator (default ``PETSc.COMM_WORLD``) and options prefix; every default set
        here yields to the options database (``-{prefix}ts_type``, ``-{prefix}pc_type``...).
    progress
        ``progress(t, dt, steps)`` after every accepted step, on every rank.

    Returns
    -------
    PetscTSResult
        Owned ``u``, ``v`` at ``t_end`` and the solver statistics.

    Raises
    ------
    PetscTSError
        On every rank, if TS diverges, a callback raises, or the solution is not finite.
    """
    if method not in DEFAULT_SCHEME:
        raise ValueError(f"method must be 'arkimex' or 'rosw', not {method!r}")
    if len(lengths) != len(shape) or not (t_end > t0 and dt > 0):
        raise ValueError("need len(lengths) == len(shape), t_end > t0 and dt > 0")
    problem = DMDAProblem(tuple(shape), tuple(lengths), boundary, diffusion, reaction,
                          reaction_jacobian)
    run = PetscTSRun(problem, comm or PETSc.COMM_WORLD, t0, dt, tolerance, method, scheme,
                     options_prefix, progress)
    try:
        run.start(initial)
        return run.integrate(t_end, output_times, on_output, output_overlap)
    finally:
        run.destroy()


@dataclass(frozen=True)
class DMDAProblem:
    """The semi-discrete system (see the module docstring): grid, diffusion, reaction."""

    shape: tuple[int, ...]
    lengths: tuple[float, ...]
    boundary: str
    diffusion: tuple[float, float]
    reaction: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
    reaction_jacobian: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, ...]]


class PetscTSRun:
    """One TS integration on a DMDA: the set-up, one method per PETSc callback
    (:meth:`ifunction`, :meth:`rhsfunction`, :meth:`ijacobian`, :meth:`monitor`), the
    collective failure check and the outputs.

    Failures inside a callback are remembered and the callback's output poisoned with NaN,
    so that every rank sees them through the solvers' global reductions; :meth:`check`
    then raises :class:`PetscTSError` on every rank.
    """

    def __init__(self, problem: DMDAProblem, comm: Any, t0: float, dt: float,
                 tolerance: float | None, method: str, scheme: str | None,
                 options_prefix: str, progress: Callable[[float, float, int], None] | None):
        self.problem, self.tolerance, self.progress = problem, tolerance, progress
        self.t0, self.dt = t0, dt
        self.comm, self.mpi = comm, comm.tompi4py()
        shape = problem.shape
        self.da = da = create_dmda(shape, problem.boundary, comm)
        self.ranges = owned_ranges(da)
        self.sizes = [b - a for a, b in self.ranges]
        self.gsizes = [b - a for a, b in da.getGhostRanges()]
        self.spacing = [L / n for L, n in zip(problem.lengths, shape)]
        self.dvec = np.asarray(problem.diffusion, dtype=float)
        self.failures: list[str] = []
        self.stats = {"steps": 0, "t": t0, "dt_min": math.inf, "dt_max": 0.0}
        self.counters = {"rejected": 0, "snes": 0, "ksp": 0}
        self.ts = PETSc.TS().create(comm=comm)
        self.ts.setDM(da)
        self.ts.setOptionsPrefix(options_prefix)
        self.opts = PETSc.Options(options_prefix)
        self.defaults: dict[str, str] = {}
        self._set_default_options(method, scheme)
        self.xloc = da.createLocalVec()
        self.minus_d_lap = assemble_laplacian(da, shape, self.spacing, problem.boundary,
                                              -self.dvec, coupled=not self.imex)
        self.jac = self.minus_d_lap.duplicate()
        self.rjac = None if self.imex else da.createMatrix()  # the reaction's blocks (ROSW)
        self.jacobian_cache: dict[str, Any] = {"shift": None, "state": None}
        self.points = local_points(da)
        self.coarse_das: list[Any] = []
        self.interpolations: list[Any] = []
        self.x: Any = None
        self._configure_ts()

    # -- set-up ------------------------------------------------------------------------

    def _default(self, name: str, value: Any) -> None:
        """Put ``value`` in the options database unless the user set ``name``."""
        if not self.opts.hasName(name):
            self.opts.setValue(name, str(value))
            self.defaults[name] = str(value)

    def _set_default_options(self, method: str, scheme: str | None) -> None:
        # Defaults go into the options database only where the user set nothing, then
        # setFromOptions reads both; they are removed again afterwards.
        opts, tolerance = self.opts, self.tolerance
        self._default("ts_type", method)
        ts_type = opts.getString("ts_type")
        if ts_type in DEFAULT_SCHEME:
            self._default(f"ts_{ts_type}_type", scheme or DEFAULT_SCHEME[ts_type])
        self.scheme = opts.getString(f"ts_{ts_type}_type", "")
        self._default("ts_adapt_type", "none" if tolerance is None else "basic")
        # IMEX: reaction explicit in the RHSFunction. Otherwise (ROSW, which would also
        # treat an RHSFunction explicitly, fully implicit ARKIMEX, any other TS type)
        # everything goes into the IFunction and its Jacobian is shift I - D Δ_h - J_r.
        self.imex = ts_type == "arkimex" and not opts.getBool("ts_arkimex_fully_implicit",
                                                              False)
        self._default("ksp_type", "cg" if self.imex else "gmres")
        self._default("ksp_rtol", 1e-10 if tolerance is None
                      else min(max(1e-3 * tolerance, 1e-12), 1e-6))
        levels = mg_levels(self.problem.shape, self.da.getProcSizes())
        if levels > 1:
            self._default("pc_type", "mg")
            self._default("pc_mg_levels", levels)
            self._default("pc_mg_galerkin", "both")
        else:
            self._default("pc_type", "gamg")

    def _configure_ts(self) -> None:
        ts, da, imex = self.ts, self.da, self.imex
        ts.setProblemType(PETSc.TS.ProblemType.LINEAR if imex
                          else PETSc.TS.ProblemType.NONLINEAR)
        ts.setIFunction(self._guarded(self.ifunction), da.createGlobalVec())
        ts.setIJacobian(self.ijacobian, self.jac, self.jac)
        if imex:
            ts.setRHSFunction(self._guarded(self.rhsfunction), da.createGlobalVec())
        ts.setTime(self.t0)
        ts.setTimeStep(self.dt)
        ts.setMaxSteps(2**30)
        ts.setExactFinalTime(PETSc.TS.ExactFinalTime.MATCHSTEP)
        ts.setErrorIfStepFails(False)
        if self.tolerance is not None:
            ts.setTolerances(rtol=self.tolerance, atol=self.tolerance)
            ts.setMaxSNESFailures(10)
        try:
            ts.setFromOptions()
        finally:
            for name in self.defaults:
                self.opts.delValue(name)
        self.ksp = ts.getSNES().getKSP()
        self.pc = pc = self.ksp.getPC()
        if pc.getType() == "mg" and not self.opts.hasName("mg_levels_pc_type"):
            # Chebyshev + point Jacobi smoothing does the same arithmetic on any number of
            # ranks (PETSc's default SOR smooths within each rank only), so the iteration
            # counts, and the answer, do not depend on the partition. Set on the level
            # objects: the levels read their options only at PCSetUp.
            for level in range(1, pc.getMGLevels()):
                pc.getMGSmoother(level).getPC().setType("jacobi")
            self.defaults["mg_levels_pc_type"] = "jacobi"
        if self.problem.boundary == "neumann" and pc.getType() == "mg":
            self.coarse_das, self.interpolations = set_cell_centred_interpolations(pc, da)
        ts.setMonitor(self.monitor)

    def _guarded(self, fn: Callable[..., None]) -> Callable[..., None]:
        """Run a callback; on an exception remember it and poison the output with NaN."""
        def wrapped(*args: Any) -> None:
            try:
                fn(*args)
            except Exception as exc:  # noqa: BLE001 - reported collectively by check()
                self.failures.append(f"{type(exc).__name__}: {exc}")
                out = args[-1]
                if isinstance(out, PETSc.Vec):
                    out.set(np.nan)
        return wrapped

    # -- PETSc callbacks ---------------------------------------------------------------

    def _reaction_into(self, x: PETSc.Vec, out: np.ndarray, sign: float) -> None:
        w = _owned(x, self.sizes)
        fu, fv = self.problem.reaction(w[..., 0], w[..., 1])
        out[..., 0] += sign * fu
        out[..., 1] += sign * fv

    def ifunction(self, ts: Any, t: float, x: PETSc.Vec, xdot: PETSc.Vec,
                  f: PETSc.Vec) -> None:
        """``F = w_t - D Δ_h w`` (minus the reaction unless IMEX)."""
        self.da.globalToLocal(x, self.xloc)
        g = field_view(self.xloc.getArray(), self.gsizes)
        if self.problem.boundary == "neumann":
            fill_neumann_ghosts(g, self.ranges, self.problem.shape)
        out = _owned(f, self.sizes, readonly=False)
        out[...] = _owned(xdot, self.sizes) - self.dvec * laplacian(g, self.spacing)
        if not self.imex:
            self._reaction_into(x, out, -1.0)

    def rhsfunction(self, ts: Any, t: float, x: PETSc.Vec, f: PETSc.Vec) -> None:
        """``G = (f, g)``, the explicit reaction of IMEX."""
        out = _owned(f, self.sizes, readonly=False)
        out[...] = 0.0
        self._reaction_into(x, out, 1.0)

    def _reaction_blocks(self, x: PETSc.Vec) -> None:
        w = _owned(x, self.sizes)
        try:
            parts = [np.broadcast_to(p, w.shape[:-1])
                     for p in self.problem.reaction_jacobian(w[..., 0], w[..., 1])]
            blocks = np.stack(parts, axis=-1)
        except Exception as exc:  # noqa: BLE001 - NaN blocks make every rank's solve fail
            self.failures.append(f"reaction_jacobian: {type(exc).__name__}: {exc}")
            blocks = np.full(w.shape[:-1] + (4,), np.nan)
        assemble_point_blocks(self.da, self.rjac, blocks, self.points)

    def ijacobian(self, ts: Any, t: float, x: PETSc.Vec, xdot: PETSc.Vec, shift: float,
                  J: Any, P: Any) -> None:
        """``shift I - D Δ_h`` (minus the reaction's blocks unless IMEX); with IMEX an
        unchanged shift leaves the matrix, and so the set-up preconditioner, alone."""
        cache = self.jacobian_cache
        if self.imex and cache["shift"] == shift and cache["state"] == J.stateGet():
            return
        self.minus_d_lap.copy(J, structure=PETSc.Mat.Structure.SAME_NONZERO_PATTERN)
        J.shift(shift)
        if not self.imex:
            self._reaction_blocks(x)
            J.axpy(-1.0, self.rjac, structure=PETSc.Mat.Structure.SAME_NONZERO_PATTERN)
        cache["shift"], cache["state"] = shift, J.stateGet()

    def monitor(self, ts: Any, step: int, t: float, x: PETSc.Vec) -> None:
        """Count accepted steps and their sizes; report progress."""
        stats = self.stats
        if t > stats["t"]:
            h = t - stats["t"]
            stats["steps"] += 1
            stats["dt_min"], stats["dt_max"] = min(stats["dt_min"], h), max(stats["dt_max"], h)
            stats["t"] = t
            if self.progress is not None:
                try:
                    self.progress(t, h, stats["steps"])
                except Exception as exc:  # noqa: BLE001
                    self.failures.append(f"progress callback: {type(exc).__name__}: {exc}")

    # -- the run -----------------------------------------------------------------------

    def start(self, initial: Callable[[tuple[np.ndarray, ...]], tuple[np.ndarray, np.ndarray]]
              ) -> None:
        """Set the initial state (at the start time) from ``initial`` (see
        :func:`solve_petsc`); collective check of the values."""
        self.x = self.da.createGlobalVec()
        w = _owned(self.x, self.sizes, readonly=False)
        try:
            w[..., 0], w[..., 1] = initial(global_index_arrays(self.ranges))
        except Exception as exc:  # noqa: BLE001 - reported collectively by check()
            self.failures.append(f"initial data: {type(exc).__name__}: {exc}")
        del w
        self.check(self.t0, "in the initial data")

    def check(self, t: float, what: str) -> None:
        """Collective: raise on every rank if any rank failed or holds non-finite values."""
        bad = bool(self.failures) or not np.isfinite(self.x.getArray(readonly=True)).all()
        reason = self.ts.getConvergedReason()
        if self.mpi.allreduce(int(bad), op=_max_op()) or reason < 0:
            messages = [m for ms in self.mpi.allgather(self.failures[:1]) for m in ms]
            detail = messages[0] if messages else (
                "TS diverged" if reason < 0 else "non-finite values in the solution")
            raise PetscTSError(f"PETSc time integration failed {what}: {detail}", t,
                               self.ts.getTimeStep(), _REASONS.get(reason, str(reason)))

    def _output(self, t: float, on_output: Callable[..., None] | None, overlap: bool) -> None:
        if on_output is None:
            return
        block = self.ranges
        if overlap:  # collective: every rank outputs at the same times
            self.da.globalToLocal(self.x, self.xloc)
            block = tuple((a, min(b + 1, n)) for (a, b), n in zip(self.ranges,
                                                                   self.problem.shape))
            first = [a - ga for (a, _), (ga, _) in zip(self.ranges, self.da.getGhostRanges())]
            w = field_view(self.xloc.getArray(readonly=True), self.gsizes)[
                tuple(slice(f, f + b - a) for f, (a, b) in zip(first, block))]
        try:
            if not overlap:
                w = _owned(self.x, self.sizes)
            on_output(t, w[..., 0].copy(), w[..., 1].copy(), block)
        except Exception as exc:  # noqa: BLE001
            self.failures.append(f"on_output: {type(exc).__name__}: {exc}")
        self.check(t, "in the output callback")

    def integrate(self, t_end: float, output_times: Sequence[float] = (),
                  on_output: Callable[..., None] | None = None,
                  output_overlap: bool = False) -> PetscTSResult:
        """Integrate from the start to ``t_end``, landing on each output time."""
        ts, t0 = self.ts, self.t0
        targets = sorted({float(t) for t in output_times if t0 < t < t_end} | {float(t_end)})
        if any(math.isclose(t, t0) for t in output_times):
            self._output(t0, on_output, output_overlap)
        t = t0
        for target in targets:
            if self.tolerance is None:
                n = max(1, math.ceil((target - t) / self.dt - 1e-9))
                ts.setTimeStep((target - t) / n)
            ts.setMaxTime(target)
            try:
                ts.solve(self.x)
            except PETSc.Error as exc:  # e.g. NaN in the error norm: raised on every rank
                self.failures.append("non-finite values (PETSc floating-point error)"
                                     if exc.ierr == 72 else f"PETSc error {exc.ierr} in TSSolve")
            # PETSc's counters run on across TSSolve calls
            self.counters = {"rejected": ts.getStepRejections(),
                             "snes": ts.getSNESIterations(), "ksp": ts.getKSPIterations()}
            t = ts.getTime()
            self.check(t, f"before reaching t={target:g}")
            if abs(t - target) > 1e-9 * max(1.0, abs(target)):
                raise PetscTSError(f"TS stopped before t={target:g}", t, ts.getTimeStep(),
                                   _REASONS.get(ts.getConvergedReason(), "?"))
            if target in output_times or any(math.isclose(target, s) for s in output_times):
                self._output(target, on_output, output_overlap)
        return self.result(t)

    def result(self, t: float) -> PetscTSResult:
        """This rank's owned state at ``t`` with the solver statistics."""
        w = _owned(self.x, self.sizes)
        stats, counters = self.stats, self.counters
        return PetscTSResult(u=w[..., 0].copy(), v=w[..., 1].copy(), ranges=self.ranges,
                             t_final=t, steps=stats["steps"], rejected=counters["rejected"],
                             nonlinear_iterations=counters["snes"],
                             linear_iterations=counters["ksp"], dt_min=stats["dt_min"],
                             dt_max=stats["dt_max"], ts_type=self.ts.getType(),
                             scheme=self.scheme, ksp_type=self.ksp.getType(),
                             pc_type=self.pc.getType(), options=self.defaults)

    def destroy(self) -> None:
        """Free the PETSc objects (collective)."""
        for obj in (self.ts, self.x, self.xloc, self.jac, self.rjac, self.minus_d_lap,
                    *self.interpolations, *self.coarse_das, self.da):
            if obj is not None:
                obj.destroy()


def _max_op():
    from mpi4py import MPI
    return MPI.MAX
