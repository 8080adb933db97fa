"""Initial data of a reaction–diffusion case: noise, a perturbed box, a file, a restart."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pdekit.fd.grid import Grid
from pdekit.fd.noise import band_limited_noise, default_k_max, white_noise

if TYPE_CHECKING:
    from pdekit.fd.schema import InitialSection


class InitialDataError(Exception):
    """Unusable initial data: ``key`` (in ``[initial]``), what was expected, what was given."""

    def __init__(self, key: str, expected: str, given: object = None):
        super().__init__(expected)
        self.key, self.expected, self.given = key, expected, given


def spot_field(grid: Grid, background: float, inside: float, size: float) -> np.ndarray:
    """``background`` everywhere except ``inside`` on the central box of side ``size`` ×
    length per axis (Pearson's 1993 initial perturbation when size ≈ 20/256)."""
    boxes = [np.abs(x - (x0 + length / 2)) <= 0.5 * size * length
             for x, x0, length in zip(grid.axes_coordinates(), grid.origin, grid.lengths)]
    field = np.full(grid.shape, background, dtype=float)
    field[np.ix_(*boxes)] = inside
    return field


def noise_fields(initial: InitialSection, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """The zero-mean perturbations of u and v (in this order, from ``initial.seed``).

    Raises
    ------
    InitialDataError
        When the band of band-limited noise needs too many modes.
    """
    rng = np.random.default_rng(initial.seed)
    if initial.noise == "white":
        return white_noise(rng, grid, initial.std_u), white_noise(rng, grid, initial.std_v)
    k_max = initial.noise_k_max or default_k_max(grid.lengths)
    try:
        return (band_limited_noise(rng, grid, initial.std_u, k_max),
                band_limited_noise(rng, grid, initial.std_v, k_max))
    except ValueError as error:
        raise InitialDataError("noise_k_max", str(error), k_max) from None


def load_initial(initial: InitialSection, grid: Grid, steady: tuple[float, float] | None,
                 folder: Path) -> tuple[np.ndarray, np.ndarray, float]:
    """Initial (u, v, t0) of a case.

    Parameters
    ----------
    initial
        The case's ``[initial]`` section.
    grid
        The case's grid (the fields' shape).
    steady
        The model's homogeneous steady state, the default mean of the noise and the
        background of the ``spot`` data (None if it could not be found).
    folder
        Where relative paths are looked up when they do not exist from the working folder
        (the case file's folder).

    Raises
    ------
    InitialDataError
        For unusable files, or when a steady state is needed but unknown.
    """
    if initial.type in ("noise", "spot"):
        means = []
        for species, mean, index in (("u", initial.mean_u, 0), ("v", initial.mean_v, 1)):
            if mean is None:
                if steady is None:
                    raise InitialDataError(f"mean_{species}", "a value: the model's "
                                           "homogeneous steady state (the default) was not "
                                           "found; or set model.steady_guess")
                mean = steady[index]
            means.append(mean)
        u, v = noise_fields(initial, grid)
        if initial.type == "noise":
            return u + means[0], v + means[1], 0.0
        u += spot_field(grid, means[0], initial.spot_u, initial.spot_size)
        v += spot_field(grid, means[1], initial.spot_v, initial.spot_size)
        return u, v, 0.0
    assert initial.path is not None  # the schema asks for a path with these types
    path = Path(initial.path)
    if not path.is_absolute() and not path.exists():
        path = folder / path
    t0 = 0.0
    try:
        if initial.type == "restart":
            state = path / "final_state.npz"
            if not state.is_file():
                raise InitialDataError("path", "a finished pdekit turing run folder (with "
                                       "final_state.npz)", initial.path)
            with np.load(state) as data:
                u, v, t0 = data["u"], data["v"], float(data["t"])
        elif path.suffix == ".npz":
            with np.load(path) as data:
                u, v = data["u"], data["v"]
        else:
            u, v = np.load(path)
    except (OSError, KeyError, ValueError, TypeError) as error:
        raise InitialDataError("path", "an existing .npy (2 × grid shape) or .npz (u, v) file",
                               f"{initial.path} ({error})") from None
    if np.shape(u) != grid.shape or np.shape(v) != grid.shape:
        raise InitialDataError("path", f"fields of shape {grid.shape}",
                               f"{np.shape(u)} and {np.shape(v)}")
    u, v = np.asarray(u, float), np.asarray(v, float)
    bad = np.count_nonzero(~np.isfinite(u)) + np.count_nonzero(~np.isfinite(v))
    if bad:
        raise InitialDataError("path", "fields with finite values only",
                               f"{initial.path} ({bad} NaN or infinite values)")
    return u, v, t0
