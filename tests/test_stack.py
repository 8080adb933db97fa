"""The whole installed stack imports in the venv and works together (smoke test)."""

import os
import subprocess
import sys

import pytest


def test_petsc_slepc_with_mumps():
    from petsc4py import PETSc
    from slepc4py import SLEPc

    assert PETSc.Sys.hasExternalPackage("mumps")
    assert PETSc.ScalarType().dtype.kind == "f"  # the real build
    assert SLEPc.Sys.getVersion()[:2] >= (3, 18)
    # a 1D Dirichlet Laplacian through SLEPc + MUMPS: λ_k = 4 sin²(kπ/(2(n+1)))
    n = 50
    A = PETSc.Mat().createAIJ([n, n], nnz=3)
    for i in range(n):
        A[i, i] = 2.0
        if i > 0:
            A[i, i - 1] = -1.0
        if i < n - 1:
            A[i, i + 1] = -1.0
    A.assemble()
    eps = SLEPc.EPS().create()
    eps.setOperators(A)
    eps.setProblemType(SLEPc.EPS.ProblemType.HEP)
    eps.setDimensions(3)
    eps.setTarget(0.0)
    eps.setWhichEigenpairs(SLEPc.EPS.Which.TARGET_MAGNITUDE)
    st = eps.getST()
    st.setType("sinvert")
    ksp = st.getKSP()
    ksp.setType("preonly")
    ksp.getPC().setType("lu")
    ksp.getPC().setFactorSolverType("mumps")
    eps.solve()
    import numpy as np

    computed = sorted(eps.getEigenvalue(i).real for i in range(3))
    exact = [4 * np.sin(k * np.pi / (2 * (n + 1))) ** 2 for k in (1, 2, 3)]
    np.testing.assert_allclose(computed, exact, rtol=1e-10)
    assert ksp.getPC().getFactorSolverType() == "mumps"


def test_ngsolve_assembles():
    import ngsolve as ngs
    from netgen.geom2d import unit_square

    mesh = ngs.Mesh(unit_square.GenerateMesh(maxh=0.3))
    fes = ngs.H1(mesh, order=2, dirichlet="bottom|right|top|left")
    u, v = fes.TnT()
    a = ngs.BilinearForm(ngs.grad(u) * ngs.grad(v) * ngs.dx).Assemble()
    assert a.mat.height == fes.ndof > 0


def test_tensorflow_cpu_float64_autodiff():
    import tensorflow as tf

    x = tf.Variable(1.5, dtype=tf.float64)
    with tf.GradientTape() as tape:
        y = x**3
    assert tape.gradient(y, x).numpy() == pytest.approx(3 * 1.5**2)


def test_mpi4py_under_mpiexec():
    code = ("from mpi4py import MPI; c = MPI.COMM_WORLD; "
            "s = c.allreduce(c.rank + 1); print(c.size, s) if c.rank == 0 else None")
    env = {**os.environ, "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}
    result = subprocess.run(["mpiexec", "-n", "2", sys.executable, "-c", code], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", "3"]


def test_venv_sees_only_petsc_slepc_mpi4py_from_debian():
    """Debian's other Python packages (a second matplotlib, pulled in by `apt install
    paraview`; numpy 1.24) must stay invisible: two matplotlibs warn on every run."""
    assert "/usr/lib/python3/dist-packages" not in sys.path
    import matplotlib
    import numpy

    for module in (matplotlib, numpy):
        assert module.__file__.startswith(sys.prefix), module.__file__
    import mpi4py
    import petsc4py
    import slepc4py

    for module in (mpi4py, petsc4py, slepc4py):
        assert not module.__file__.startswith("/usr/lib/python3/dist-packages/"), module.__file__
