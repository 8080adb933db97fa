"""The ``turing`` kind: two-species reaction–diffusion on a square.

Schema, validation and the glue that turns a case into a
:class:`~pdekit.time.SemilinearProblem`, runs it and writes its output. The numerics
live in :mod:`pdekit.fd` (grids, Laplacians, models, stability, problem assembly) and
:mod:`pdekit.time`.
"""

from __future__ import annotations

import math
import resource
import shutil
import sys

import numpy as np

from pdekit.cases import Case
from pdekit.errors import CaseError
from pdekit.fd.build import build_problem, spectral_radius
from pdekit.fd.grid import Grid, NeumannGrid, make_grid
from pdekit.fd.initial import load_initial
from pdekit.fd.case_model import BVAM_KEYS, build_model
from pdekit.fd.models import MODELS, ReactionModel, SteadyStateError
from pdekit.fd.stability import dominant_wavenumber, turing_analysis
from pdekit.output import PVDSeries, RunContext, RunReport, write_vti
from pdekit.output.plots import save_animation, save_fields_png
from pdekit.schema import Key, at_least, non_negative, positive
from pdekit.time import (METHODS, etdrk4_embedded, integrate, integrate_adaptive,
                         make_stepper)
from pdekit.time.methods import rk4_max_dt

__all__ = ["DESCRIPTION", "SCHEMA", "build_model", "build_problem", "run", "validate"]

DESCRIPTION = ("Two-species reaction-diffusion (BVAM, Gray-Scott, Schnakenberg, Brusselator, "
               "FitzHugh-Nagumo or your own f(u, v), g(u, v)) on a periodic or no-flux square; "
               "5-point FD Laplacian by FFT/DCT or sparse; ETDRK4, IMEX-RK, splitting, RK4.")

_PRESET_HELP = "; ".join(
    f"{name}: " + (", ".join(f"{p} ({i})" for i, p in enumerate(cls.presets)) if name == "bvam"
                   else ", ".join(cls.presets))
    for name, cls in MODELS.items() if cls.presets)

_DEFAULT_HELP = ", ".join(f"{name} {cls.default_preset}" for name, cls in MODELS.items()
                          if cls.default_preset)

SCHEMA: dict[str, dict[str, Key]] = {
    "model": {
        "name": Key(str, "bvam", "reaction model", choices=tuple(MODELS)),
        "preset": Key((str, int), None, f"parameter set of the model (default: "
                      f"{_DEFAULT_HELP}); {_PRESET_HELP}"),
        **{name: Key(float, None, f"bvam: override the preset's {name}") for name in BVAM_KEYS},
        "D": Key(float, None, "bvam: overall diffusion scale multiplying delta1 and delta2 "
                 "(default 1)", check=positive),
        "parameters": Key(dict, None, "table of parameters by name: overrides of the preset "
                          "(e.g. F, k, Du, Dv) or, for name = 'custom', the parameters of f "
                          "and g, including the diffusion coefficients Du and Dv"),
        "f": Key(str, None, "custom: reaction term of u, an expression in u, v and the "
                 "parameters, e.g. 'a - u + u**2*v'"),
        "g": Key(str, None, "custom: reaction term of v"),
        "steady_guess": Key(list, None, "[u, v] start of the numerical search for the "
                            "homogeneous steady state (custom models)", item=float),
        "terms": Key(str, "full", "which terms to integrate",
                     choices=("full", "reaction", "diffusion")),
    },
    "grid": {
        "n": Key(int, 100, "points per side (h = length / n)", check=at_least(3)),
        "length": Key(float, 2.0, "side of the square [-length/2, length/2]", check=positive),
        "boundary": Key(str, "periodic", "periodic, or neumann (no-flux walls, cell-centred "
                        "points)", choices=("periodic", "neumann")),
        "diffusion": Key(str, "fft", "how the 5-point Laplacian is applied: diagonalized by a "
                         "fast transform (FFT periodic, DCT neumann; exact diffusion steps) "
                         "or as a sparse matrix (SuperLU)", choices=("fft", "sparse")),
        "threads": Key(int, 1, "threads per FFT/DCT", check=at_least(1)),
    },
    "initial": {
        "type": Key(str, "noise", "initial data: noise about the mean, a perturbed central "
                    "square (spot) on the mean, a file, or a restart",
                    choices=("noise", "spot", "file", "restart")),
        "mean_u": Key(float, None, "noise/spot: mean of u (default: the steady state's u)"),
        "std_u": Key(float, 0.5, "noise/spot: standard deviation of u", check=non_negative),
        "mean_v": Key(float, None, "noise/spot: mean of v (default: the steady state's v)"),
        "std_v": Key(float, 0.5, "noise/spot: standard deviation of v", check=non_negative),
        "seed": Key(int, 0, "noise/spot: random seed"),
        "spot_u": Key(float, 0.5, "spot: u inside the central square"),
        "spot_v": Key(float, 0.25, "spot: v inside the central square"),
        "spot_size": Key(float, 0.08, "spot: side of the central square / length",
                         check=lambda s: None if 0 < s <= 1 else "a number in (0, 1]"),
        "path": Key(str, None, "file: .npy (shape 2×n×n) or .npz with u and v; "
                               "restart: a previous run's output folder"),
    },
    "time": {
        "method": Key(str, "strang", "time integrator", choices=tuple(METHODS)),
        "dt": Key(float, 0.05, "time step (shortened, if needed, so that equal steps end at T)",
                  check=positive),
        "T": Key(float, 150.0, "final time", check=positive),
        "adaptive": Key(bool, False, "etdrk4 only: choose steps from the embedded error "
                        "estimate (dt is then the first step)"),
        "tolerance": Key(float, 1e-3, "adaptive: local error tolerance per step, relative to "
                         "max(1, max|u|)", check=positive),
        "dt_max": Key(float, None, "adaptive: largest step (default: (T - t0) / 20)",
                      check=positive),
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


def build_grid(case: Case) -> Grid:
    """The case's periodic or Neumann grid."""
    return make_grid(case["grid.boundary"], case["grid.n"], case["grid.length"])


def _steady_state(model: ReactionModel) -> tuple[tuple[float, float] | None, str | None]:
    try:
        return model.steady_state(), None
    except SteadyStateError as error:
        return None, str(error)


def _rk4_limit(case: Case, model: ReactionModel, grid: Grid) -> float:
    if case["model.terms"] == "reaction":
        return math.inf
    return rk4_max_dt(spectral_radius(grid, model.diffusion))


def validate(case: Case) -> None:
    """Cross-key checks, done before anything is written."""
    model, grid = build_model(case), build_grid(case)
    steady, _ = _steady_state(model)
    _, _, t0 = load_initial(case, grid, steady)
    if case["time.T"] <= t0:
        raise CaseError(case.source, "time.T", f"a final time after the start t0 = {t0}",
                        case["time.T"])
    if case["time.dt"] > case["time.T"] - t0:
        raise CaseError(case.source, "time.dt", f"a step no larger than T - t0 = {case['time.T'] - t0}",
                        case["time.dt"])
    method = case["time.method"]
    if method == "rk4":
        limit = _rk4_limit(case, model, grid)
        if case["time.dt"] > limit:
            raise CaseError(case.source, "time.dt",
                            f"dt <= {limit:.6g}, the RK4 stability limit 2.785/rho(L) for this "
                            f"grid and diffusion (or a splitting method)", case["time.dt"])
    if method == "etdrk4" and case["grid.diffusion"] != "fft" and case["model.terms"] != "reaction":
        raise CaseError(case.source, "time.method",
                        "a method for sparse diffusion (ars222, ars443, strang, imex-euler, rk4); "
                        "etdrk4 needs grid.diffusion = 'fft'", method)
    if case["time.adaptive"] and method != "etdrk4":
        raise CaseError(case.source, "time.adaptive",
                        "false, or time.method = 'etdrk4' (the method with an embedded "
                        "error estimate)", True)
    if case["output.animation"] == "mp4" and shutil.which("ffmpeg") is None:
        raise CaseError(case.source, "output.animation", "'gif' (mp4 needs ffmpeg, not found)",
                        "mp4")


def _stability_report(model: ReactionModel, grid: Grid, u: np.ndarray) -> dict[str, object]:
    """Dispersion relation at the homogeneous steady state, and the pattern's wavenumber."""
    steady, problem = _steady_state(model)
    boundary = "neumann" if isinstance(grid, NeumannGrid) else "periodic"
    measured_k = dominant_wavenumber(u, grid.length, boundary)
    measured = {"measured_dominant_k": measured_k,
                "measured_wavelength": 2 * math.pi / measured_k if measured_k > 0 else None}
    if steady is None:
        return {"steady_state": None, "error": problem, **measured}
    report = turing_analysis(model.jacobian(*steady), model.diffusion, math.pi / grid.h)
    report["steady_state"] = list(steady)
    report["jacobian"] = model.jacobian(*steady).tolist()
    return {**report, **measured}


def _peak_memory_mb() -> float:
    """Peak resident set size of this process so far, in MiB.

    Linux's ``VmHWM`` (``/proc/self/status``) where available: ``getrusage``'s
    ``ru_maxrss`` survives ``execve``, so a run started from a big parent process would
    report the parent's peak. Elsewhere ``resource.getrusage`` (KiB on Linux, bytes on
    macOS).
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    scale = 1.0 if sys.platform.startswith("linux") else 1.0 / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1024.0


def steps_landing_on(t0: float, t_end: float, dt: float) -> tuple[int, float]:
    """The fewest equal steps no longer than ``dt`` that end exactly at ``t_end``."""
    count = max(1, math.ceil((t_end - t0) / dt - 1e-9))
    return count, (t_end - t0) / count


def run(case: Case, context: RunContext) -> RunReport:
    """Integrate the case, writing snapshots, plots and the stability report."""
    model, grid = build_model(case), build_grid(case)
    method, t_end = case["time.method"], case["time.T"]
    with context.phase("setup"):
        u0, v0, t0 = load_initial(case, grid, _steady_state(model)[0])
        dt = steps_landing_on(t0, t_end, case["time.dt"])[1]
        problem = build_problem(model, grid, case["model.terms"], case["grid.diffusion"],
                                case["grid.threads"])
        adaptive = case["time.adaptive"]
        step = etdrk4_embedded(problem) if adaptive else make_stepper(method, problem, dt)
    memory_setup = _peak_memory_mb()
    size = grid.n * grid.n
    first = float(grid.coordinates()[0])
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
            write_vti(context.dir / name, (first, first), (grid.h, grid.h), {"u": u, "v": v})
            series.add(t, context.dir / name)
        if case["output.animation"] != "none":
            frames.append((t, u.copy()))

    bar = context.progress(t_end - t0, f"turing {method} ({model.name})", unit="t")
    w0 = np.concatenate([u0.ravel(), v0.ravel()])
    adaptive_stats = None
    with context.phase("integrate"):
        if adaptive:
            dt_max = case["time.dt_max"] or (t_end - t0) / 20
            w, adaptive_stats = integrate_adaptive(step, w0, t0, t_end, dt, case["time.tolerance"],
                                                   dt_max, output_times=sorted(set(output_times)),
                                                   on_output=snapshot, progress=bar)
            steps, t_final = adaptive_stats.accepted, t_end
        else:
            w, steps = integrate(step, w0, t0, t_end, dt, sorted(set(output_times)), snapshot,
                                 bar, check_every=10)
            t_final = t0 + steps * dt  # = t_end up to round-off
    bar.close()
    u, v = w[:size].reshape(grid.shape), w[size:].reshape(grid.shape)
    preset = case["model.preset"] if case["model.preset"] is not None else model.default_preset
    label = f"{model.name} '{preset}'" if preset else model.name

    with context.phase("output"):
        np.savez(context.dir / "final_state.npz", u=u, v=v, t=t_final, n=grid.n,
                 length=grid.length)
        files = ["final_state.npz"]
        if series is not None:
            files.append("fields.pvd")
        if case["output.png"]:
            save_fields_png({"u": u, "v": v}, extent, f"{label}, {method}, t = {t_final:.4g}",
                            context.dir / "fields.png")
            files.append("fields.png")
        if frames:
            name = f"u.{case['output.animation']}"
            save_animation(frames, extent, "u", context.dir / name)
            files.append(name)

    stability = _stability_report(model, grid, u)
    results = {
        "model": {"name": model.name, "preset": preset or None, "equations": model.equations,
                  **model.parameters(), "terms": case["model.terms"]},
        "grid": {"n": grid.n, "length": grid.length, "h": grid.h,
                 "boundary": case["grid.boundary"], "diffusion": case["grid.diffusion"]},
        "time": {"method": method, "dt": dt, "dt_requested": case["time.dt"], "steps": steps,
                 "t0": t0, "t_final": t_final,
                 "rk4_stable_dt": _rk4_limit(case, model, grid),
                 "seconds_per_step": context.timings["integrate"] / max(steps, 1),
                 **({"adaptive": {**adaptive_stats.as_dict(),
                                  "tolerance": case["time.tolerance"]}} if adaptive_stats else {})},
        "linear_stability": stability,
        "fields": {name: {"min": float(a.min()), "max": float(a.max()), "mean": float(a.mean())}
                   for name, a in (("u", u), ("v", v))},
        "memory": {"peak_rss_mb": _peak_memory_mb(), "peak_rss_mb_after_setup": memory_setup,
                   "state_mb": w.nbytes / 2**20},
        "files": files,
    }
    lines = [
        f"Solved {label} on {grid.n}x{grid.n} ({case['grid.boundary']}, h = {grid.h:.4g}) "
        f"with {method}, " + (f"adaptive steps {adaptive_stats.dt_min:.3g} to "
                              f"{adaptive_stats.dt_max:.3g} (tolerance {case['time.tolerance']:g})"
                              if adaptive_stats else f"dt = {dt:g}")
        + f": {steps} steps to t = {t_final:.6g} "
        f"in {context.timings['integrate']:.2f} s (peak memory {results['memory']['peak_rss_mb']:.0f} MiB).",
        f"  u in [{u.min():.4g}, {u.max():.4g}], v in [{v.min():.4g}, {v.max():.4g}]",
    ]
    if stability.get("steady_state") is not None:
        band = ", ".join(f"[{lo:.3g}, {hi:.3g}]" for lo, hi in stability["unstable_bands"]) or "none"
        steady_text = ", ".join(f"{x:.4g}" for x in stability["steady_state"])
        lines.append(f"  steady state ({steady_text}): Turing band k in {band}; fastest k = "
                     f"{stability['fastest_k']:.4g} (sigma = {stability['fastest_sigma']:.3g}); "
                     f"pattern's dominant k = {stability['measured_dominant_k']:.4g}")
    else:
        lines.append(f"  no linear-stability report: {stability['error']}")
    if series is not None:
        lines.append(f"  ParaView: paraview {context.final_dir / 'fields.pvd'}")
    return RunReport(results, lines)
