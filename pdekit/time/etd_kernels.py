"""The ETDRK4 stage arithmetic as compiled loops (numba), one pass per stage.

In transform space a stage is a handful of diagonal multiply-adds on the spectra. As
NumPy operations each is a pass over memory (~20 per step, as much time as three FFTs
at 100²); fused, a stage is one pass. The formulas are those of
:mod:`pdekit.time.etd` (Cox & Matthews 2002); all arrays are flat and of one length.
"""

from __future__ import annotations

from numba import njit


@njit(cache=True, nogil=True)
def first_stage(E2, Q, v, nv, e2v, q_nv, a, e2a):  # noqa: ANN001, N803 (numba infers types)
    """a = E₂ v + Q N̂(u); keeps E₂ v, Q N̂(u) and E₂ a for the later stages."""
    for i in range(v.size):
        x = E2[i] * v[i]
        y = Q[i] * nv[i]
        e2v[i] = x
        q_nv[i] = y
        a[i] = x + y
        e2a[i] = E2[i] * (x + y)


@njit(cache=True, nogil=True)
def second_stage(Q, na, e2v, b):  # noqa: ANN001, N803
    """b = E₂ v + Q N̂(a)."""
    for i in range(b.size):
        b[i] = e2v[i] + Q[i] * na[i]


@njit(cache=True, nogil=True)
def third_stage(Q2, nb, e2a, q_nv, c):  # noqa: ANN001, N803
    """c = E₂ a + Q (2 N̂(b) − N̂(u)) = E₂ a + 2Q N̂(b) − Q N̂(u)."""
    for i in range(c.size):
        c[i] = e2a[i] + Q2[i] * nb[i] - q_nv[i]


@njit(cache=True, nogil=True)
def combine(E, f1, F2, f3, g1, g3, v, nv, na, nb, nc, new, error):  # noqa: ANN001, N803
    """u⁺ = E v + f₁ N̂(u) + 2f₂ (N̂(a) + N̂(b)) + f₃ N̂(c) and the embedded estimate
    u⁺ − u₂ = g₁ N̂(u) + 2f₂ (N̂(a) + N̂(b)) + g₃ N̂(c)."""
    for i in range(new.size):
        shared = F2[i] * (na[i] + nb[i])
        new[i] = E[i] * v[i] + f1[i] * nv[i] + shared + f3[i] * nc[i]
        error[i] = g1[i] * nv[i] + shared + g3[i] * nc[i]
