"""The ETDRK4 stage arithmetic as compiled loops (numba), one pass per stage.

In transform space a stage is a handful of diagonal multiply-adds on the spectra. As
NumPy operations each is a pass over memory (~20 per step, as much time as three FFTs
at 100²); fused, a stage is one pass. The formulas are those of
:mod:`pdekit.time.etd` (Cox & Matthews 2002); all arrays are flat and of one length.

The multipliers are not spread over the modes: they depend on a mode only through its
eigenvalue, and a (2d+1)-point symbol has few distinct eigenvalues (15,210 for the two
species at 64³, against 2.7·10⁵ modes). Each loop reads ``table[index[i], column]``, a
row of a table of 1.1 MB, instead of up to nine grid-sized arrays: at 64³ that is 0.5 MB
of indices per pass instead of up to 19 MB of multipliers.
"""

from __future__ import annotations

from numba import njit

E, E2, Q, Q2, F1, F2, F3, G1, G3 = range(9)
"""Columns of the multiplier table (see :func:`pdekit.time.etd.multiplier_table`)."""


@njit(cache=True, nogil=True)
def first_stage(table, index, v, nv, a, e2a):  # noqa: ANN001 (numba infers types)
    """a = E₂ v + Q N̂(u), and E₂ a for the third stage (a itself is consumed by its
    inverse transform)."""
    for i in range(v.size):
        k = index[i]
        x = table[k, E2] * v[i] + table[k, Q] * nv[i]
        a[i] = x
        e2a[i] = table[k, E2] * x


@njit(cache=True, nogil=True)
def second_stage(table, index, v, na, b):  # noqa: ANN001
    """b = E₂ v + Q N̂(a)."""
    for i in range(b.size):
        k = index[i]
        b[i] = table[k, E2] * v[i] + table[k, Q] * na[i]


@njit(cache=True, nogil=True)
def third_stage(table, index, nv, nb, e2a_c):  # noqa: ANN001
    """c = E₂ a + Q (2 N̂(b) − N̂(u)) = E₂ a + 2Q N̂(b) − Q N̂(u), in place of E₂ a."""
    for i in range(e2a_c.size):
        k = index[i]
        e2a_c[i] = e2a_c[i] + table[k, Q2] * nb[i] - table[k, Q] * nv[i]


@njit(cache=True, nogil=True)
def combine(table, index, v, nv, na, nb, nc, new, error):  # noqa: ANN001
    """u⁺ = E v + f₁ N̂(u) + 2f₂ (N̂(a) + N̂(b)) + f₃ N̂(c) and the embedded estimate
    u⁺ − u₂ = g₁ N̂(u) + 2f₂ (N̂(a) + N̂(b)) + g₃ N̂(c)."""
    for i in range(new.size):
        k = index[i]
        shared = table[k, F2] * (na[i] + nb[i])
        new[i] = table[k, E] * v[i] + table[k, F1] * nv[i] + shared + table[k, F3] * nc[i]
        error[i] = table[k, G1] * nv[i] + shared + table[k, G3] * nc[i]
