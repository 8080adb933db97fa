"""Initial data of a reaction–diffusion case: noise, a perturbed square, a file, a restart."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pdekit.cases import Case
from pdekit.errors import CaseError
from pdekit.fd.grid import Grid


def spot_field(grid: Grid, background: float, inside: float, size: float) -> np.ndarray:
    """``background`` everywhere except ``inside`` on the central square of side
    ``size`` × length (Pearson's 1993 initial perturbation when size ≈ 20/256)."""
    x = grid.coordinates() - (grid.x0 + grid.length / 2)
    half = 0.5 * size * grid.length
    box = np.abs(x) <= half
    field = np.full(grid.shape, background, dtype=float)
    field[np.ix_(box, box)] = inside
    return field


def load_initial(case: Case, grid: Grid,
                 steady: tuple[float, float] | None) -> tuple[np.ndarray, np.ndarray, float]:
    """Initial (u, v, t0) of a case.

    ``steady`` is the model's homogeneous steady state, the default mean of the noise and
    the background of the ``spot`` data (None if it could not be found).

    Raises
    ------
    CaseError
        For unusable files, or when a steady state is needed but unknown.
    """
    kind, path_text = case["initial.type"], case["initial.path"]
    if kind in ("noise", "spot"):
        means = []
        for species, index in (("u", 0), ("v", 1)):
            mean = case[f"initial.mean_{species}"]
            if mean is None:
                if steady is None:
                    raise CaseError(case.source, f"initial.mean_{species}",
                                    "a value: the model's homogeneous steady state (the "
                                    "default) was not found; or set model.steady_guess")
                mean = steady[index]
            means.append(mean)
        rng = np.random.default_rng(case["initial.seed"])
        u = rng.normal(0.0, case["initial.std_u"], grid.shape)
        v = rng.normal(0.0, case["initial.std_v"], grid.shape)
        if kind == "noise":
            return u + means[0], v + means[1], 0.0
        size = case["initial.spot_size"]
        u += spot_field(grid, means[0], case["initial.spot_u"], size)
        v += spot_field(grid, means[1], case["initial.spot_v"], size)
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
