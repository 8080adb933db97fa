"""The ``turing`` kind: two-species reaction–diffusion on a periodic square.

Schema, validation and the glue that turns a case into a
:class:`~pdekit.time.SemilinearProblem`, runs it and writes its output. The numerics
live in :mod:`pdekit.fd` (grid, Laplacian, models, stability) and :mod:`pdekit.time`.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np

from pdekit.cases import Case
from pdekit.errors import CaseError
from pdekit.fd.grid import PeriodicGrid
from pdekit.fd.laplacian import laplacian_periodic, laplacian_symbol
from pdekit.fd.models import BVAM, BVAM_PRESET_ALIASES, BVAM_PRESETS, bvam_preset
from pdekit.fd.stability import dominant_wavenumber, turing_analysis
from pdekit.output import PVDSeries, RunContext, RunReport, write_vti
from pdekit.output.plots import save_animation, save_fields_png
from pdekit.schema import Key, at_least, positive
from pdekit.time import (METHODS, LinearPart, SemilinearProblem, SparseLinear, ZeroLinear,
                         integrate, make_stepper, max_stable_dt)
from pdekit.time import BlockDiagonalLinear, FourierDiagonalLinear
from pdekit.time.problem import no_nonlinearity

DESCRIPTION = ("Turing reaction-diffusion (Barrio-Varea-Aragon-Maini) on a periodic square; "
               "5-point FD Laplacian; RK4, IMEX-Euler or Strang splitting.")

_PRESET_HELP = ", ".join(f"{name} ({i})" for i, name in enumerate(BVAM_PRESETS))
_MODEL_KEYS = ("delta1", "delta2", "tau1", "tau2", "alpha", "beta", "gamma")

SCHEMA: dict[str, dict[str, Key]] = {
    "model": {
        "preset": Key((str, int), "spots", f"BVAM parameter set by name or seed index: {_PRESET_HELP}"),
        **{name: Key(float, None, f"override the preset's {name}") for name in _MODEL_KEYS},
        "D": Key(float, 1.0, "overall diffusion scale D multiplying delta1 and delta2",
                 check=positive),
        "terms": Key(str, "full", "which terms to integrate",
                     choices=("full", "reaction", "diffusion")),
    },
    "grid": {
        "n": Key(int, 100, "points per side (h = length / n)", check=at_least(3)),
        "length": Key(float, 2.0, "side of the periodic square [-length/2, length/2)",
                      check=positive),
        "diffusion": Key(str, "fft", "how the 5-point Laplacian is applied: diagonalized by "
                         "FFT (exact diffusion sub-steps) or as a sparse matrix (SuperLU)",
                         choices=("fft", "sparse")),
    },
    "initial": {
        "type": Key(str, "noise", "initial data", choices=("noise", "file", "restart")),
        "mean_u": Key(float, 0.0, "noise: mean of u"),
        "std_u": Key(float, 0.5, "noise: standard deviation of u", check=lambda s: None if s >= 0 else "a number >= 0"),
        "mean_v": Key(float, 0.0, "noise: mean of v"),
        "std_v": Key(float, 0.5, "noise: standard deviation of v", check=lambda s: None if s >= 0 else "a number >= 0"),
        "seed": Key(int, 0, "noise: random seed"),
        "path": Key(str, None, "file: .npy (shape 2×n×n) or .npz with u and v; "
                               "restart: a previous run's output folder"),
    },
    "time": {
        "method": Key(str, "strang", "time integrator", choices=tuple(METHODS)),
        "dt": Key(float, 0.05, "time step", check=positive),
        "T": Key(float, 150.0, "final time", check=positive),
    },
    "output": {
        "every": Key(float, 5.0, "snapshot interval (time units) for the ParaView series",
                     check=positive),
        "vtk": Key(bool, True, "write u, v snapshots as .vti + fields.pvd"),
        "png": Key(bool, True, "write a PNG of the final fields"),
        "animation": Key(str, "none", "animation of u over the snapshots",
                         choices=("none", "gif", "mp4")),
    },
}


def build_model(case: Case) -> BVAM:
    """The BVAM model of a case: the preset with any per-parameter overrides."""
    parameters = bvam_preset(case["model.preset"])
    for name in _MODEL_KEYS:
        if case.params["model"][name] is not None:
            parameters[name] = case.params["model"][name]
    return BVAM(**parameters, D=case["model.D"])


def build_problem(model: BVAM, grid: PeriodicGrid, terms: str = "full",
                  diffusion: str = "fft") -> SemilinearProblem:
    """du/dt = L w + N(w) for the stacked state w = [u.ravel(), v.ravel()].

    ``diffusion`` picks the representation of the same 5-point Laplacian: ``"fft"``
    (diagonal in Fourier space) or ``"sparse"`` (CSR matrix, SuperLU for implicit steps).
    """
    size = grid.n * grid.n
    d_u, d_v = model.diffusion
    if terms == "reaction":
        linear: LinearPart = ZeroLinear()
    elif diffusion == "fft":
        symbol = laplacian_symbol(grid)
        linear = FourierDiagonalLinear([d_u * symbol, d_v * symbol], grid.shape)
    else:
        laplacian = laplacian_periodic(grid)
        linear = BlockDiagonalLinear([SparseLinear(d_u * laplacian),
                                      SparseLinear(d_v * laplacian)])
    if terms == "diffusion":
        return SemilinearProblem(linear, no_nonlinearity)

    def reaction(w: np.ndarray) -> np.ndarray:
        f, g = model.reaction(w[:size], w[size:])
        return np.concatenate([f, g])

    return SemilinearProblem(linear, reaction)


def _rk4_limit(case: Case, model: BVAM, grid: PeriodicGrid) -> float:
    if case["model.terms"] == "reaction":
        return math.inf
    # Spectral radius of the 5-point Laplacian is 8/h² (exactly, for even n).
    radius = 8.0 / grid.h**2 * max(model.diffusion)
    return max_stable_dt("rk4", SemilinearProblem(_RadiusOnly(radius)))


class _RadiusOnly:
    """A linear part known only by its spectral radius (for the stability check)."""

    def __init__(self, radius: float):
        self.radius = radius

    def spectral_radius(self) -> float:
        return self.radius


def _load_initial(case: Case, grid: PeriodicGrid) -> tuple[np.ndarray, np.ndarray, float]:
    """Initial (u, v, t0) from the case; raises CaseError for unusable files."""
    kind, path_text = case["initial.type"], case["initial.path"]
    if kind == "noise":
        rng = np.random.default_rng(case["initial.seed"])
        u = rng.normal(case["initial.mean_u"], case["initial.std_u"], grid.shape)
        v = rng.normal(case["initial.mean_v"], case["initial.std_v"], grid.shape)
        return u, v, 0.0
    if path_text is None:
        raise CaseError(case.source, "initial.path", f"a path for initial.type = {kind!r}")
    path = Path(path_text)
    if not path.is_absolute():
        path = (case.source.parent / path) if not path.exists() else path
    t0 = 0.0
    try:
        if kind == "restart":
            state = path / "final_state.npz"
            if not state.is_file():
                raise CaseError(case.source, "initial.path",
                                "a finished pdekit turing run folder (with final_state.npz)",
                                path_text)
            with np.load(state) as data:
                u, v, t0 = data["u"], data["v"], float(data["t"])
        elif path.suffix == ".npz":
            with np.load(path) as data:
                u, v = data["u"], data["v"]
        else:
            u, v = np.load(path)
    except CaseError:
        raise
    except (OSError, KeyError, ValueError) as error:
        raise CaseError(case.source, "initial.path",
                        "an existing .npy (2×n×n) or .npz (u, v) file", f"{path_text} ({error})"
                        ) from None
    if np.shape(u) != grid.shape or np.shape(v) != grid.shape:
        raise CaseError(case.source, "initial.path", f"fields of shape {grid.shape}",
                        f"{np.shape(u)} and {np.shape(v)}")
    return np.asarray(u, float), np.asarray(v, float), t0


def validate(case: Case) -> None:
    """Cross-key checks, done before anything is written."""
    preset = case["model.preset"]
    if str(preset) not in BVAM_PRESETS and str(preset) not in BVAM_PRESET_ALIASES:
        from pdekit.schema import did_you_mean

        raise CaseError(case.source, "model.preset",
                        f"a known preset {did_you_mean(str(preset), list(BVAM_PRESETS))}", preset)
    model, grid = build_model(case), PeriodicGrid(case["grid.n"], case["grid.length"],
                                                  -case["grid.length"] / 2)
    _, _, t0 = _load_initial(case, grid)
    if case["time.T"] <= t0:
        raise CaseError(case.source, "time.T", f"a final time after the start t0 = {t0}",
                        case["time.T"])
    if case["time.dt"] > case["time.T"] - t0:
        raise CaseError(case.source, "time.dt", f"a step no larger than T - t0 = {case['time.T'] - t0}",
                        case["time.dt"])
    if case["time.method"] == "rk4":
        limit = _rk4_limit(case, model, grid)
        if case["time.dt"] > limit:
            raise CaseError(case.source, "time.dt",
                            f"dt <= {limit:.6g}, the RK4 stability limit 2.785/rho(L) for this "
                            f"grid and diffusion (or a splitting method)", case["time.dt"])
    if case["output.animation"] == "mp4" and shutil.which("ffmpeg") is None:
        raise CaseError(case.source, "output.animation", "'gif' (mp4 needs ffmpeg, not found)",
                        "mp4")


def run(case: Case, context: RunContext) -> RunReport:
    """Integrate the case, writing snapshots, plots and the stability report."""
    model = build_model(case)
    grid = PeriodicGrid(case["grid.n"], case["grid.length"], -case["grid.length"] / 2)
    method, dt, t_end = case["time.method"], case["time.dt"], case["time.T"]
    with context.phase("setup"):
        u0, v0, t0 = _load_initial(case, grid)
        problem = build_problem(model, grid, case["model.terms"], case["grid.diffusion"])
        step = make_stepper(method, problem, dt)
    size = grid.n * grid.n
    extent = (grid.x0, grid.x0 + grid.length, grid.x0, grid.x0 + grid.length)
    series = PVDSeries(context.dir / "fields.pvd") if case["output.vtk"] else None
    frames: list[tuple[float, np.ndarray]] = []
    every = case["output.every"]
    output_times = [t0 + every * i for i in range(int((t_end - t0) / every + 1e-9) + 1)]
    output_times.append(t_end)

    def snapshot(t: float, w: np.ndarray) -> None:
        u, v = w[:size].reshape(grid.shape), w[size:].reshape(grid.shape)
        if series is not None:
            name = f"fields_{len(series.entries):05d}.vti"
            write_vti(context.dir / name, (grid.x0, grid.x0), (grid.h, grid.h), {"u": u, "v": v})
            series.add(t, context.dir / name)
        if case["output.animation"] != "none":
            frames.append((t, u.copy()))

    bar = context.progress(t_end - t0, f"turing {method}", unit="t")
    with context.phase("integrate"):
        w, steps = integrate(step, np.concatenate([u0.ravel(), v0.ravel()]), t0, t_end, dt,
                             sorted(set(output_times)), snapshot, bar, check_every=10)
    bar.close()
    t_final = t0 + steps * dt
    u, v = w[:size].reshape(grid.shape), w[size:].reshape(grid.shape)

    with context.phase("output"):
        np.savez(context.dir / "final_state.npz", u=u, v=v, t=t_final, n=grid.n,
                 length=grid.length)
        files = ["final_state.npz"]
        if series is not None:
            files.append("fields.pvd")
        if case["output.png"]:
            save_fields_png({"u": u, "v": v}, extent,
                            f"BVAM {case['model.preset']}, {method}, t = {t_final:.4g}",
                            context.dir / "fields.png")
            files.append("fields.png")
        if frames:
            name = f"u.{case['output.animation']}"
            save_animation(frames, extent, "u", context.dir / name)
            files.append(name)

    k_nyquist = math.pi / grid.h
    stability = turing_analysis(model.jacobian(*model.steady_state()), model.diffusion,
                                k_nyquist)
    stability["steady_state"] = list(model.steady_state())
    measured_k = dominant_wavenumber(u, grid.length)
    stability["measured_dominant_k"] = measured_k
    stability["measured_wavelength"] = 2 * math.pi / measured_k if measured_k > 0 else None

    results = {
        "model": {"name": model.name, "preset": case["model.preset"], **model.parameters(),
                  "terms": case["model.terms"]},
        "grid": {"n": grid.n, "length": grid.length, "h": grid.h},
        "time": {"method": method, "dt": dt, "steps": steps, "t0": t0, "t_final": t_final,
                 "rk4_stable_dt": _rk4_limit(case, model, grid)},
        "linear_stability": stability,
        "fields": {name: {"min": float(a.min()), "max": float(a.max()), "mean": float(a.mean())}
                   for name, a in (("u", u), ("v", v))},
        "files": files,
    }
    band = ", ".join(f"[{lo:.3g}, {hi:.3g}]" for lo, hi in stability["unstable_bands"]) or "none"
    lines = [
        f"Solved BVAM '{case['model.preset']}' on {grid.n}x{grid.n} (h = {grid.h:.4g}) "
        f"with {method}, dt = {dt:g}: {steps} steps to t = {t_final:.6g} "
        f"in {context.timings['integrate']:.2f} s.",
        f"  u in [{u.min():.4g}, {u.max():.4g}], v in [{v.min():.4g}, {v.max():.4g}]",
        f"  Turing band k in {band}; fastest k = {stability['fastest_k']:.4g} "
        f"(sigma = {stability['fastest_sigma']:.3g}); pattern's dominant k = {measured_k:.4g}",
    ]
    if series is not None:
        lines.append(f"  ParaView: paraview {context.final_dir / 'fields.pvd'}")
    return RunReport(results, lines)
