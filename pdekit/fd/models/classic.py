"""Classic two-species reaction–diffusion models with closed-form steady states.

Each model is a frozen dataclass of its parameters, including the diffusion
coefficients ``Du`` and ``Dv``; the presets pick parameters that show patterns on the
default periodic square [-1, 1)² with 100–256 points per side (or, for Gray–Scott,
Pearson's square of side 2.5).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from pdekit.fd.models.base import ReactionModel


@dataclass(frozen=True)
class GrayScott(ReactionModel):
    """Gray–Scott model in Pearson's form (Pearson, Science 261, 189–192, 1993)::

        u_t = Du Δu − u v² + F (1 − u)
        v_t = Dv Δv + u v² − (F + k) v

    Pearson used Du = 2·10⁻⁵, Dv = 10⁻⁵ on a periodic square of side 2.5, started from
    (u, v) = (1, 0) with a central square perturbed to (½, ¼) plus ±1 % noise, and
    sorted the patterns that arise by (F, k) into classes α … μ. The presets are one
    (F, k) point inside each class region, as re-plotted with corrections by R. Munafo
    (mrob.com/pub/comp/xmorphia/pearson-classes.html); θ is Pearson's own (0.04, 0.06).
    Classes δ and κ are omitted (no reliable point at hand). (1, 0) is a linearly
    stable steady state for every F, k > 0: these patterns need finite perturbations.
    """

    F: float
    k: float
    Du: float = 2e-5
    Dv: float = 1e-5

    name: ClassVar[str] = "gray-scott"
    default_preset: ClassVar[str] = "theta"
    equations: ClassVar[str] = "u_t = Du Lap u - u v^2 + F (1 - u); v_t = Dv Lap v + u v^2 - (F + k) v"

    kernel_name: ClassVar[str] = "gray_scott"

    def kernel_parameters(self) -> tuple[float, ...]:
        return (self.F, self.k)

    def jacobian_entries(self, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, ...]:
        return (-v * v - self.F, -2.0 * u * v, v * v, 2.0 * u * v - (self.F + self.k))

    def steady_guess(self) -> tuple[float, float]:
        return (1.0, 0.0)

    def steady_state(self) -> tuple[float, float]:
        """The trivial state (1, 0), the background of Pearson's experiments."""
        return (1.0, 0.0)


GrayScott.presets = {
    "alpha": dict(F=0.010, k=0.047), "beta": dict(F=0.026, k=0.051),
    "gamma": dict(F=0.022, k=0.051), "epsilon": dict(F=0.018, k=0.055),
    "zeta": dict(F=0.022, k=0.061), "eta": dict(F=0.034, k=0.063),
    "theta": dict(F=0.040, k=0.060), "iota": dict(F=0.046, k=0.0594),
    "lambda": dict(F=0.026, k=0.061), "mu": dict(F=0.046, k=0.065),
}


@dataclass(frozen=True)
class Schnakenberg(ReactionModel):
    """Schnakenberg's trimolecular model (Schnakenberg, J. Theor. Biol. 81, 1979;
    Murray, *Mathematical Biology II*, §2.4)::

        u_t = Du Δu + a − u + u² v
        v_t = Dv Δv + b − u² v

    Homogeneous steady state (a + b, b/(a + b)²).
    """

    a: float
    b: float
    Du: float
    Dv: float

    name: ClassVar[str] = "schnakenberg"
    default_preset: ClassVar[str] = "spots"
    equations: ClassVar[str] = "u_t = Du Lap u + a - u + u^2 v; v_t = Dv Lap v + b - u^2 v"

    kernel_name: ClassVar[str] = "schnakenberg"

    def kernel_parameters(self) -> tuple[float, ...]:
        return (self.a, self.b)

    def jacobian_entries(self, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, ...]:
        return (-1.0 + 2.0 * u * v, u * u, -2.0 * u * v, -u * u)

    def steady_guess(self) -> tuple[float, float]:
        return (1.0, 1.0)

    def steady_state(self) -> tuple[float, float]:
        s = self.a + self.b
        return (s, self.b / (s * s))


Schnakenberg.presets = {
    # J = [[0.8, 1], [-1.8, -1]] at (1, 0.9): Turing unstable for Dv/Du > 8.9; band k ≈ 20–50
    "spots": dict(a=0.1, b=0.9, Du=2e-4, Dv=4e-3),
}


@dataclass(frozen=True)
class Brusselator(ReactionModel):
    """The Brusselator (Prigogine & Lefever, J. Chem. Phys. 48, 1695, 1968)::

        u_t = Du Δu + a − (b + 1) u + u² v
        v_t = Dv Δv + b u − u² v

    Steady state (a, b/a); homogeneously stable for b < 1 + a², Turing unstable for
    b > (1 + a √(Du/Dv))² (Murray II, §2.4).
    """

    a: float
    b: float
    Du: float
    Dv: float

    name: ClassVar[str] = "brusselator"
    default_preset: ClassVar[str] = "turing"
    equations: ClassVar[str] = "u_t = Du Lap u + a - (b + 1) u + u^2 v; v_t = Dv Lap v + b u - u^2 v"

    kernel_name: ClassVar[str] = "brusselator"

    def kernel_parameters(self) -> tuple[float, ...]:
        return (self.a, self.b)

    def jacobian_entries(self, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, ...]:
        return (-(self.b + 1.0) + 2.0 * u * v, u * u, self.b - 2.0 * u * v, -u * u)

    def steady_guess(self) -> tuple[float, float]:
        return (1.0, 1.0)

    def steady_state(self) -> tuple[float, float]:
        return (self.a, self.b / self.a)


Brusselator.presets = {
    # (1 + 3/√8)² ≈ 4.2 < b = 7 < 1 + a² = 10: Turing band around k ≈ 30
    "turing": dict(a=3.0, b=7.0, Du=1e-3, Dv=8e-3),
    # b > 1 + a²: the homogeneous state oscillates (Hopf), waves rather than spots
    "hopf": dict(a=1.0, b=3.0, Du=1e-3, Dv=1e-4),
}


@dataclass(frozen=True)
class FitzHughNagumo(ReactionModel):
    """FitzHugh–Nagumo kinetics in the activator–inhibitor form used for Turing patterns
    (FitzHugh, Biophys. J. 1, 1961; Nagumo et al., Proc. IRE 50, 1962)::

        u_t = Du Δu + u − u³ − v + kappa
        v_t = Dv Δv + (u − v) / tau

    Steady state u = v = kappa^(1/3) (real cube root).
    """

    kappa: float
    tau: float
    Du: float
    Dv: float

    name: ClassVar[str] = "fitzhugh-nagumo"
    default_preset: ClassVar[str] = "labyrinth"
    equations: ClassVar[str] = "u_t = Du Lap u + u - u^3 - v + kappa; v_t = Dv Lap v + (u - v) / tau"

    kernel_name: ClassVar[str] = "fitzhugh_nagumo"

    def kernel_parameters(self) -> tuple[float, ...]:
        return (self.kappa, self.tau)

    def jacobian_entries(self, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, ...]:
        return (1.0 - 3.0 * u * u, -1.0, 1.0 / self.tau, -1.0 / self.tau)

    def steady_state(self) -> tuple[float, float]:
        root = math.copysign(abs(self.kappa) ** (1.0 / 3.0), self.kappa)
        return (root, root)


FitzHughNagumo.presets = {
    # inhibitor diffuses ~180x faster than the activator: labyrinthine stripes, k ≈ 16
    "labyrinth": dict(kappa=-0.005, tau=0.1, Du=2.8e-4, Dv=5e-2),
}
