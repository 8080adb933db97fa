"""Weyl's law: how many Laplace eigenvalues lie below λ, and the picture that shows a
user whether computed modes are missing.

The counting function ``N(λ) = #{k : λ_k ≤ λ}`` of −Δ on a domain Ω follows Weyl's two-term
asymptotics (Weyl, "Das asymptotische Verteilungsgesetz der Eigenwerte linearer partieller
Differentialgleichungen", Math. Ann. 71 (1912); the second term: Ivrii, Funct. Anal. Appl.
14 (1980), for Dirichlet (−) and Neumann (+) parts of the boundary):

    2D:  N(λ) ≈ |Ω| λ / (4π) + (|∂Ω_N| − |∂Ω_D|) λ^(1/2) / (4π)
    3D:  N(λ) ≈ |Ω| λ^(3/2) / (6π²) + (|∂Ω_N| − |∂Ω_D|) λ / (16π)

A computed staircase that falls below the curve by more than its oscillation has lost
modes. :func:`domain_measures` takes |Ω| and the boundary parts from the mesh.

Importing this module imports no NGSolve; only :func:`domain_measures` and
:func:`plot_weyl` import NGSolve or matplotlib.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence


@dataclass(frozen=True)
class Measures:
    """Dimension, volume (area in 2D) and Dirichlet/Neumann boundary measures of Ω."""

    dim: int
    volume: float
    dirichlet: float
    neumann: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def weyl_count(lam: float, m: Measures) -> float:
    """Weyl's two-term approximation of ``N(λ)`` (module doc); 0 for λ ≤ 0."""
    if lam <= 0:
        return 0.0
    boundary = m.neumann - m.dirichlet
    if m.dim == 2:
        return (m.volume * lam + boundary * math.sqrt(lam)) / (4 * math.pi)
    return m.volume * lam ** 1.5 / (6 * math.pi ** 2) + boundary * lam / (16 * math.pi)


def weyl_eigenvalue(n: float, m: Measures) -> float:
    """The λ at which :func:`weyl_count` reaches ``n`` (bisection on the increasing part;
    the leading term alone where the two-term formula is not monotone)."""
    leading = 4 * math.pi * n / m.volume if m.dim == 2 \
        else (6 * math.pi ** 2 * n / m.volume) ** (2 / 3)
    low, high = 0.0, max(leading, 1e-12)
    while weyl_count(high, m) < n:
        high *= 2
        if high > 1e6 * max(leading, 1.0):
            return leading
    for _ in range(200):
        middle = 0.5 * (low + high)
        low, high = (middle, high) if weyl_count(middle, m) < n else (low, middle)
    return high


def domain_measures(mesh: Any, dirichlet: set[str] | frozenset[str]) -> Measures:
    """|Ω| and the measures of the Dirichlet and Neumann boundary parts of an NGSolve
    mesh (collective under MPI: NGSolve's ``Integrate`` sums over the ranks)."""
    import ngsolve

    volume = ngsolve.Integrate(ngsolve.CoefficientFunction(1.0), mesh)
    names = sorted(set(mesh.GetBoundaries()))
    parts = {name: ngsolve.Integrate(ngsolve.CoefficientFunction(1.0), mesh, ngsolve.BND,
                                     definedon=mesh.Boundaries(f"^{name}$"))
             for name in names}
    on_dirichlet = sum(value for name, value in parts.items() if name in dirichlet)
    return Measures(mesh.dim, float(volume), float(on_dirichlet),
                    float(sum(parts.values()) - on_dirichlet))


def plot_weyl(path: Path, eigenvalues: Sequence[float], below: int, m: Measures,
              title: str) -> None:
    """Draw the computed ``N(λ)`` (a staircase, ``below`` eigenvalues under the first
    computed one added) against Weyl's leading and two-term laws."""
    import numpy as np

    from pdekit.output.plots import pyplot

    plt = pyplot()

    values = np.sort(np.asarray(eigenvalues, dtype=float))
    counts = below + np.arange(1, len(values) + 1)
    top = values[-1] * 1.02 if len(values) else 1.0
    grid = np.linspace(max(values[0] * 0.98, 0.0) if len(values) and below else 0.0, top, 400)
    leading = Measures(m.dim, m.volume, 0.0, 0.0)
    fig, ax = plt.subplots(figsize=(7, 5))
    ax.step(values, counts, where="post", color="k", lw=1.2, label="computed N(λ)")
    ax.plot(grid, [weyl_count(x, m) for x in grid], "C3", lw=1.5,
            label="Weyl, two terms (volume and boundary)")
    ax.plot(grid, [weyl_count(x, leading) for x in grid], "C0--", lw=1,
            label="Weyl, leading term")
    ax.set_xlabel("λ")
    ax.set_ylabel("N(λ): eigenvalues ≤ λ")
    ax.set_title(title, fontsize=9)
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
