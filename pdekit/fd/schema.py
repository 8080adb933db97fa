"""The ``turing`` case file: every key, its type, default, help and field-level checks.

Checks that need one key (a positive step, a known preset) or keys of one section (BVAM's
own keys only for ``name = "bvam"``, ``f`` and ``g`` only for the custom model, adaptive
steps only for a method with an error estimate) live here, next to the keys. Checks that
need several sections, the case file's folder or the built model (the start time of a
restart, a stable step, a diagonal linear part for ETDRK4) are in
:mod:`pdekit.fd.prepare`.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from pydantic import field_validator, model_validator

from pdekit.core.casemodel import Field, KeyError_, KindCase, Section, choice
from pdekit.fd.model_section import ModelSection
from pdekit.fd.petsc_methods import TS_METHODS
from pdekit.fe.methods import fe_method_names
from pdekit.fe.section import DomainSection
from pdekit.petsc_options import PetscValue
from pdekit.core.renames import Renamed
from pdekit.time import METHODS
from pdekit.time.adaptive import GROWTH_LIMIT

def _point_counts(value: object) -> object:
    """``grid.n``: an integer >= 3, or a list of 1 to 3 of them (one per axis)."""
    if isinstance(value, list):
        if not 1 <= len(value) <= 3 or any(type(x) is not int or x < 3 for x in value):
            raise ValueError("a list of 1 to 3 integers >= 3 (points per axis)")
        return value
    if type(value) is not int:
        raise ValueError("an integer")
    if value < 3:
        raise ValueError("a number >= 3")
    return value


LENGTH_RANGE = (1e-100, 1e100)
"""Side lengths accepted: beyond them the Laplacian's symbol, of size (n / length)², and
the wavenumbers of the noise over- or underflow double precision."""


def _side_lengths(value: object) -> object:
    """``grid.length``: a number in :data:`LENGTH_RANGE`, or a list of 1 to 3 of them (one
    per axis)."""
    low, high = LENGTH_RANGE

    def in_range(x: object) -> bool:
        return type(x) in (int, float) and math.isfinite(x) and low <= x <= high

    if isinstance(value, list):
        if not 1 <= len(value) <= 3 or not all(in_range(x) for x in value):
            raise ValueError(f"a list of 1 to 3 numbers between {low:g} and {high:g} (side "
                             "per axis)")
        return [float(x) for x in value]
    if type(value) not in (int, float):
        raise ValueError("a number")
    if not math.isfinite(value):
        raise ValueError("a finite number")
    if value <= 0:
        raise ValueError("a number > 0")
    if not in_range(value):
        raise ValueError(f"a number between {low:g} and {high:g} (the Laplacian's symbol "
                         "(n / length)² must stay a finite double)")
    return float(value)


class GridSection(Section):
    """``[grid]``: the box, its points and how diffusion is applied.

    Dimension rule: a list ``n = [nx]``, ``[nx, ny]`` or ``[nx, ny, nz]`` gives the
    dimension (its length); one integer ``n`` means n points on every axis of a
    ``dim``-dimensional box (``dim`` = 2 by default, so ``n = 100`` stays 100 × 100).
    """

    n: int | list[int] = Field(
        100, description="points per axis: one integer (n on every axis of a grid.dim box) "
                         "or one per axis, [nx], [nx, ny] or [nx, ny, nz] (h = length / n)")
    dim: int | None = Field(None, ge=1, le=3, description="dimension 1, 2 or 3 when n is one "
                                                          "integer (default: 2, or the "
                                                          "length of the list n)")
    length: float | list[float] = Field(
        2.0, description="side of the box [-length/2, length/2] per axis: one number, or "
                         "one per axis")
    boundary: Literal["periodic", "neumann"] = Field(
        "periodic", description="periodic, or neumann (no-flux walls, cell-centred points), "
                                "on every axis")
    diffusion: Literal["transform", "sparse"] = Field(
        "transform", description="how the (2d+1)-point Laplacian is applied: transform, "
                                 "diagonalized by a fast transform (FFT periodic, DCT "
                                 "neumann; exact diffusion steps), or sparse, as a sparse "
                                 "matrix (SuperLU); 'fft' is the old name of 'transform'")
    threads: int = Field(1, ge=1, description="threads per FFT/DCT and per ETDRK4 stage loop")
    precision: Literal["double", "single"] = Field(
        "double", description="floating point of the state and the fast transforms: double "
                              "(float64), or single (float32: half the memory, ETDRK4 "
                              "steps ~1.5x faster in 3D; resolves ~1e-6 of the range, so "
                              "time.tolerance >= 1e-5; grid.diffusion = 'transform' only)")
    backend: Literal["auto", "fft", "petsc"] = Field(
        "auto", description="auto: petsc for time.method = " + " or ".join(
            repr(m) for m in TS_METHODS.names()) + ", else fft; fft: the Laplacian by "
        "grid.diffusion and the time.method integrators, on one process or (grid.diffusion = "
        "'fft', 2D and 3D) under mpiexec with the grid split by grid.decomposition "
        "(distributed FFT/DCT); petsc: a PETSc DMDA split across the ranks of mpiexec (also "
        "on one), integrated by PETSc TS with CG + geometric multigrid")

    decomposition: Literal["auto", "slab", "pencil"] = Field(
        "auto", description="grid.backend = 'fft' under mpiexec: how the grid is split over "
                            "the ranks; slab (the x axis over all ranks, one transpose per "
                            "transform), pencil (x and y over P1 x P2 ranks, 3D: more ranks, "
                            "two transposes) or auto (slab where every rank gets points)")

    _check_n = field_validator("n", mode="before")(_point_counts)
    _check_length = field_validator("length", mode="before")(_side_lengths)

    @model_validator(mode="after")
    def _axes_agree(self) -> "GridSection":
        if isinstance(self.n, list) and self.dim is not None and self.dim != len(self.n):
            raise KeyError_("dim", f"{len(self.n)} (the number of entries of grid.n), or "
                                   f"no grid.dim", self.dim)
        if isinstance(self.length, list) and len(self.length) != self.dimension:
            raise KeyError_("length", f"one number, or {self.dimension} (one per axis of "
                                      f"the {self.dimension}D grid)", self.length)
        if self.backend == "petsc":
            for key in ("diffusion", "threads", "precision", "decomposition"):
                if key in self.model_fields_set:
                    raise KeyError_(key, f"no grid.{key} with grid.backend = 'petsc' (PETSc "
                                         f"applies the Laplacian itself)", getattr(self, key))
        if self.precision == "single" and self.diffusion != "transform":
            raise KeyError_("precision", "'double' with grid.diffusion = 'sparse' (single "
                                         "precision runs on the fast transforms only)",
                            self.precision)
        return self

    @property
    def dtype(self) -> np.dtype:
        """The floating-point type of the state: float64 or float32."""
        return np.dtype(np.float32 if self.precision == "single" else np.float64)

    @property
    def dimension(self) -> int:
        """1, 2 or 3: the length of a list ``n``, else ``dim`` (default 2)."""
        return len(self.n) if isinstance(self.n, list) else (self.dim or 2)

    @property
    def shape(self) -> tuple[int, ...]:
        """Points per axis."""
        return tuple(self.n) if isinstance(self.n, list) else (self.n,) * self.dimension

    @property
    def lengths(self) -> tuple[float, ...]:
        """Side per axis."""
        return (tuple(self.length) if isinstance(self.length, list)
                else (self.length,) * self.dimension)


class InitialSection(Section):
    """``[initial]``: the initial fields."""

    type: Literal["noise", "spot", "file", "restart"] = Field(
        "noise", description="initial data: noise about the mean, a perturbed central box "
                             "(spot) on the mean, a file, or a restart")
    mean_u: float | None = Field(None, description="noise/spot: mean of u (default: the "
                                                   "steady state's u)")
    std_u: float = Field(0.5, ge=0, description="noise/spot: standard deviation of u at a "
                                                "point")
    mean_v: float | None = Field(None, description="noise/spot: mean of v (default: the "
                                                   "steady state's v)")
    std_v: float = Field(0.5, ge=0, description="noise/spot: standard deviation of v at a "
                                                "point")
    seed: int = Field(0, ge=0, description="noise/spot: random seed")
    noise: Literal["band-limited", "white"] = Field(
        "band-limited", description="noise/spot: 'band-limited' (a random sum of the "
                                    "box's Fourier or cosine modes with |k| <= noise_k_max, "
                                    "the same field at every resolution) or 'white' "
                                    "(independent values per grid point, the old default: "
                                    "its energy per mode falls as the grid is refined)")
    noise_k_max: float | None = Field(
        None, gt=0, description="band-limited noise: largest angular wavenumber |k| "
                                "(default: 32 waves across the longest side, "
                                "2 pi 32 / max(length))")
    spot_u: float = Field(0.5, description="spot: u inside the central box")
    spot_v: float = Field(0.25, description="spot: v inside the central box")
    spot_size: float = Field(0.08, gt=0, le=1, description="spot: side of the central "
                                                           "box / length")
    path: str | None = Field(None, description="file: .npy (shape 2 × grid shape) or .npz "
                                               "with u and v; restart: a previous run's "
                                               "output folder")

    @model_validator(mode="after")
    def _path_for_files(self) -> "InitialSection":
        if self.type in ("file", "restart") and self.path is None:
            raise KeyError_("path", f"a path for initial.type = {self.type!r}")
        if self.noise == "white" and self.noise_k_max is not None:
            raise KeyError_("noise_k_max", "no noise_k_max with noise = 'white' (it sets "
                                           "the band of band-limited noise)", self.noise_k_max)
        return self


_GRID_ESTIMATE = (*METHODS.names(error_estimate=True), *TS_METHODS.names())
_WITH_ESTIMATE = tuple(dict.fromkeys((*_GRID_ESTIMATE, *fe_method_names(estimate=True))))
_FE_ONLY = tuple(name for name in fe_method_names()
                 if name not in (*METHODS.names(), *TS_METHODS.names()))


class TimeSection(Section):
    """``[time]``: the integrator and its steps."""

    method: choice(*METHODS.names(), *TS_METHODS.names(), *_FE_ONLY) = Field(
        "strang", description="time integrator: " + ", ".join(METHODS.names())
                              + " (grid.backend = 'fft'); " + ", ".join(fe_method_names())
                              + " ([domain]: finite elements); " + ", ".join(
                                  f"{name} ({TS_METHODS.capabilities(name).description})"
                                  for name in TS_METHODS.names()) + " (grid.backend = 'petsc')")
    dt: float = Field(0.05, gt=0, description="time step (shortened, if needed, so that "
                                              "equal steps end at T)")
    T: float = Field(150.0, gt=0, description="final time")
    adaptive: bool = Field(False, description="choose steps from the method's embedded error "
                                              "estimate (" + ", ".join(_WITH_ESTIMATE)
                                              + "; dt is then the first step)")
    tolerance: float = Field(1e-3, gt=0, description="adaptive: local error tolerance per "
                                                     "step, relative to max(1, max|u|) "
                                                     "(petsc: TSAdapt's atol = rtol)")
    dt_max: float | None = Field(None, gt=0, description="adaptive: largest step (default: "
                                                         "(T - t0) / 20)")
    growth_limit: float | None = Field(
        None, gt=1, le=100, description="adaptive: largest factor by which a step may exceed "
                                        f"the one before (default {GROWTH_LIMIT:g}; petsc: "
                                        "[time.petsc] ts_adapt_clip instead)")

    petsc: dict[str, PetscValue] = Field(
        {}, description="grid.backend = 'petsc': PETSc options database entries (TS, SNES, "
                        "KSP, PC), e.g. [time.petsc] pc_type = 'hypre'; options after -- "
                        "on the command line come after them")

    @property
    def step_growth(self) -> float:
        """The growth limit of pdekit's adaptive controller (the default if unset)."""
        return GROWTH_LIMIT if self.growth_limit is None else self.growth_limit

    @model_validator(mode="after")
    def _adaptive_needs_an_estimate(self) -> "TimeSection":
        if self.adaptive and self.method not in _WITH_ESTIMATE:
            raise KeyError_("adaptive", f"false, or a time.method with an embedded error "
                                        f"estimate ({', '.join(_WITH_ESTIMATE)})", True)
        return self


class OutputSection(Section):
    """``[output]``: what the run writes besides ``final_state.npz``."""

    every: float = Field(5.0, gt=0, description="snapshot interval (time units) for the "
                                                "ParaView series")
    vtk: bool = Field(True, description="write u, v snapshots as .vti + fields.pvd")
    png: bool = Field(True, description="write a PNG of the final fields")
    animation: Literal["none", "gif", "mp4"] = Field(
        "none", description="animation of one field over the snapshots (output.animate)")
    animate: Literal["u", "v"] = Field("u", description="the field the animation shows")


class TuringCase(KindCase):
    """A whole ``turing`` case file (the ``[model]`` section is in
    :mod:`pdekit.fd.model_section`)."""

    renamed = (Renamed("domain.primitives.*.kind", "domain.primitives.*.shape"),
               Renamed("grid.diffusion", values={"fft": "transform"}))

    model: ModelSection = ModelSection()
    grid: GridSection = GridSection()
    domain: DomainSection | None = Field(
        None, description="a domain meshed by finite elements (instead of [grid]): the "
                          "eigen kind's shapes or a closed surface")
    initial: InitialSection = InitialSection()
    time: TimeSection = TimeSection()
    output: OutputSection = OutputSection()

    @model_validator(mode="before")
    @classmethod
    def _resolve_backend(cls, data: Any) -> Any:
        """``grid.backend = "auto"`` (the default) becomes ``"petsc"`` for the PETSc TS
        methods and ``"fft"`` for the others, before the sections are checked (so that
        each backend's own key checks apply, and the resolved case names the backend)."""
        if not isinstance(data, dict):
            return data
        if "domain" in data:
            if "grid" in data:
                raise KeyError_("grid", "no [grid] with [domain] (a case has one of them: "
                                        "a box grid or a finite-element domain)",
                                "a [grid] table")
            return data
        grid = data.get("grid", {})
        if not isinstance(grid, dict) or grid.get("backend", "auto") != "auto":
            return data
        time = data.get("time", {})
        method = time.get("method") if isinstance(time, dict) else getattr(time, "method", None)
        backend = "petsc" if method in TS_METHODS.names() else "fft"
        return {**data, "grid": {**grid, "backend": backend}}

    @model_validator(mode="after")
    def _methods_of_the_discretization(self) -> "TuringCase":
        time = self.time
        if self.domain is not None:
            if time.method not in fe_method_names():
                raise KeyError_("time.method", f"a method for a [domain] "
                                f"({', '.join(fe_method_names())})", time.method)
            if time.adaptive and time.method not in fe_method_names(estimate=True):
                raise KeyError_("time.adaptive", "false, or a [domain] method with an "
                                f"embedded error estimate "
                                f"({', '.join(fe_method_names(estimate=True))})", True)
        elif time.adaptive and time.method not in _GRID_ESTIMATE:
            raise KeyError_("time.adaptive", f"false, or a [grid] method with an embedded "
                            f"error estimate ({', '.join(_GRID_ESTIMATE)})", True)
        return self

    def resolved(self) -> dict:
        """The case with defaults filled in and ``model.parameters`` holding every
        parameter the model runs with (preset, then the overrides), so that ``pdekit
        check`` and ``summary.json`` show the values in use. The table is still a valid
        set of overrides: the resolved case describes the same run."""
        data = super().resolved()
        data.pop("grid" if self.domain is not None else "domain", None)
        data["model"]["parameters"] = self.model.effective_parameters()
        return data
