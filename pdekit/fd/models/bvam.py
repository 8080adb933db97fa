"""The Barrio–Varea–Aragón–Maini (BVAM) model and the seed's parameter table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from pdekit.fd.models.base import ReactionModel


@dataclass(frozen=True)
class BVAM(ReactionModel):
    """Barrio–Varea–Aragón–Maini model (Barrio et al., Bull. Math. Biol. 61, 1999)::

        u_t = D δ1 Δu + α u (1 − τ1 v²) + v (1 − τ2 u)
        v_t = D δ2 Δv + β v (1 + (α τ1/β) u v) + u (γ + τ2 v)

    The quadratic coupling τ2 favours spots, the cubic τ1 stripes (ibid.).
    (0, 0) is always a homogeneous steady state.
    """

    delta1: float
    delta2: float
    tau1: float
    tau2: float
    alpha: float
    beta: float
    gamma: float
    D: float = 1.0

    name: ClassVar[str] = "bvam"
    default_preset: ClassVar[str] = "spots"
    equations: ClassVar[str] = ("u_t = D delta1 Lap u + alpha u (1 - tau1 v^2) + v (1 - tau2 u); "
                                "v_t = D delta2 Lap v + beta v (1 + (alpha tau1/beta) u v) "
                                "+ u (gamma + tau2 v)")

    @property
    def diffusion(self) -> tuple[float, float]:
        """Diffusion coefficients (D δ1, D δ2) of u and v."""
        return (self.D * self.delta1, self.D * self.delta2)

    kernel_name: ClassVar[str] = "bvam"

    def kernel_parameters(self) -> tuple[float, ...]:
        return (self.alpha, self.beta, self.gamma, self.tau1, self.tau2)

    def jacobian_entries(self, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, ...]:
        """(f_u, f_v, g_u, g_v) elementwise."""
        a, t1, t2 = self.alpha, self.tau1, self.tau2
        return (a * (1.0 - t1 * v * v) - t2 * v, 1.0 - t2 * u - 2.0 * a * t1 * u * v,
                a * t1 * v * v + self.gamma + t2 * v, self.beta + 2.0 * a * t1 * u * v + t2 * u)

    def steady_state(self) -> tuple[float, float]:
        """The homogeneous steady state analysed for Turing instability."""
        return (0.0, 0.0)


BVAM_PRESETS: dict[str, dict[str, float]] = {
    # name: parameters; the comment gives the seed table's index (an accepted alias).
    "spots": dict(delta1=0.00225, delta2=0.0045, tau1=0.02, tau2=0.2,
                  alpha=0.899, beta=-0.91, gamma=-0.899),                          # 0
    "spots-dense": dict(delta1=0.001, delta2=0.0045, tau1=0.02, tau2=0.2,
                         alpha=0.899, beta=-0.91, gamma=-0.899),                   # 1
    "spots-and-stripes": dict(delta1=0.00225, delta2=0.0045, tau1=0.02, tau2=0.2,
                         alpha=1.9, beta=-0.91, gamma=-1.9),                       # 2
    "stripes": dict(delta1=0.00225, delta2=0.0045, tau1=2.02, tau2=0.0,
                    alpha=2.0, beta=-0.91, gamma=-2.0),                            # 3
    "stripes-fine": dict(delta1=0.00105, delta2=0.0021, tau1=3.5, tau2=0.0,
                         alpha=0.899, beta=-0.91, gamma=-0.899),                   # 4
    "spots-hexagonal": dict(delta1=0.00225, delta2=0.0045, tau1=0.02, tau2=0.2,
                                   alpha=1.9, beta=-0.85, gamma=-1.9),             # 5
    "long-waves": dict(delta1=0.00225, delta2=0.0005, tau1=2.02, tau2=0.0,
                           alpha=2.0, beta=-0.91, gamma=-2.0),                     # 6
}
"""The seed's parameter table, by readable name (index in the table: see the comments).

Names describe the pattern u shows at t = 150 from seeded noise on [-1, 1)², 100².
Sets 2, 3, 5 and 6 have α + β > 0: there (0, 0) is already unstable to homogeneous
oscillations (σ(0) > 0 in the stability report), so their patterns are not pure Turing.
"""

BVAM_PRESET_ALIASES: dict[str, str] = {str(i): name for i, name in enumerate(BVAM_PRESETS)}


def bvam_preset(name: str | int) -> dict[str, float]:
    """Parameters of a BVAM preset by name or by the seed table's index (0–6)."""
    key = BVAM_PRESET_ALIASES.get(str(name), str(name))
    if key not in BVAM_PRESETS:
        raise KeyError(name)
    return dict(BVAM_PRESETS[key])


BVAM.presets = BVAM_PRESETS
