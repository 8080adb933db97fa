"""The turing kind on the petsc backend: equal to the fft backend, 2 ranks equal to 1,
parallel .pvti output read back with VTK, restarts across rank counts, refusals and
failures under ``mpiexec -n 2`` (launched with subprocess; no MPI inside pytest itself
beyond single-process PETSc)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("petsc4py")
pytest.importorskip("mpi4py")

from pdekit.cli import main  # noqa: E402
from tests.conftest import ROOT  # noqa: E402

MPIEXEC = shutil.which("mpiexec")
needs_mpiexec = pytest.mark.skipif(MPIEXEC is None, reason="mpiexec not found")

CASE = """
[case]
kind = "turing"
name = "{name}"
[grid]
n = {n}
length = 2.0
backend = "{backend}"
[initial]
seed = 3
noise_k_max = 12.0
[time]
method = "{method}"
adaptive = true
tolerance = {tolerance}
dt = 0.01
T = {T}
[output]
every = 1.0
vtk = {vtk}
png = {png}
"""

TOLERANCE = 1e-8
"""Solver tolerance on both sides of every comparison."""


def write_case(folder: Path, name: str, n: object, backend: str = "petsc",
               method: str = "arkimex", T: float = 3.0, vtk: bool = False,
               png: bool = False, tolerance: float = TOLERANCE, extra: str = "") -> Path:
    path = folder / f"{name}.toml"
    path.write_text(CASE.format(name=name, n=n, backend=backend, method=method, T=T,
                                vtk=str(vtk).lower(), png=str(png).lower(),
                                tolerance=tolerance) + extra)
    return path


def final_state(folder: Path) -> dict[str, np.ndarray]:
    with np.load(folder / "final_state.npz") as data:
        return {key: data[key] for key in data.files}


def mpirun(*args: str, ranks: int = 2, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_rmaps_base_oversubscribe": "1", "OMPI_MCA_mpi_yield_when_idle": "1",
           "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    return subprocess.run([MPIEXEC, "-n", str(ranks), sys.executable, "-m", "pdekit.cli",
                           *args], capture_output=True, text=True, timeout=timeout, env=env)


def own_lines(stderr: str) -> list[str]:
    """stderr without mpiexec's own banners (blocks between lines of dashes)."""
    lines, inside = [], False
    for line in stderr.splitlines():
        if line.startswith("-----"):
            inside = not inside
        elif not inside and line.strip():
            lines.append(line)
    return lines


@pytest.mark.parametrize("n", ["[64]", "[20, 16]", "[10, 8, 8]"], ids=["1d", "2d", "3d"])
def test_petsc_backend_equals_fft_backend(tmp_path, n):
    # same band-limited noise on both; ETDRK4 (exact diffusion) vs ARKIMEX, both adaptive
    # with local tolerance 1e-8 on the same (2d+1)-point semi-discretization
    fft = write_case(tmp_path, "fft", n, backend="fft", method="etdrk4")
    petsc = write_case(tmp_path, "petsc", n)
    assert main(["solve", str(fft), "--quiet", "--out", str(tmp_path / "fft")]) == 0
    assert main(["solve", str(petsc), "--quiet", "--out", str(tmp_path / "petsc")]) == 0
    a, b = final_state(tmp_path / "fft"), final_state(tmp_path / "petsc")
    assert sorted(a) == sorted(b) and float(b["t"]) == 3.0
    scale = max(np.ptp(a["u"]), np.ptp(a["v"]))
    error = max(np.abs(a["u"] - b["u"]).max(), np.abs(a["v"] - b["v"]).max()) / scale
    print(f"{n}: max |fft - petsc| / range = {error:.2e} (range {scale:.3g})")
    assert scale > 0.1 and error < 1e2 * TOLERANCE


def read_pvti(path: Path, dim: int) -> dict[str, np.ndarray]:
    """u, v of a .pvti and its pieces, read by VTK, indexed [i, j(, k)] like the state."""
    vtk = pytest.importorskip("vtk")
    from vtk.util.numpy_support import vtk_to_numpy

    reader = vtk.vtkXMLPImageDataReader()
    reader.SetFileName(str(path))
    reader.Update()
    image = reader.GetOutput()
    dims = list(image.GetDimensions())
    out = {}
    for name in ("u", "v"):
        flat = vtk_to_numpy(image.GetPointData().GetArray(name))
        out[name] = flat.reshape(dims[::-1]).transpose(2, 1, 0).reshape(dims[:dim])  # x fastest
    return out


@needs_mpiexec
def test_two_ranks_equal_one_rank_with_pieces_pvd_and_restart(tmp_path):
    n = "[24, 20]"
    case = write_case(tmp_path, "two", n, vtk=True, png=True)
    one, two = tmp_path / "one", tmp_path / "two"
    assert main(["solve", str(case), "--quiet", "--out", str(one)]) == 0
    result = mpirun("solve", str(case), "--out", str(two))
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.count("Results in") == 1 and "on 2 ranks" in result.stdout
    a, b = final_state(one), final_state(two)
    difference = max(np.abs(a[k] - b[k]).max() for k in ("u", "v"))
    print(f"2 ranks vs 1 rank: max |difference| = {difference:.2e}")
    assert difference < 1e2 * TOLERANCE * np.ptp(a["u"])
    summary = json.loads((two / "summary.json").read_text())
    assert summary["results"]["ranks"] == 2 and summary["results"]["grid"]["backend"] == "petsc"
    assert len(summary["results"]["memory"]["peak_rss_mb_per_rank"]) == 2
    assert json.loads((one / "summary.json").read_text())["results"]["ranks"] == 1
    # the PVD lists one .pvti per snapshot; each .pvti has a piece per rank
    entries = ET.parse(two / "fields.pvd").getroot().find("Collection")
    assert [float(e.get("timestep")) for e in entries] == [0.0, 1.0, 2.0, 3.0]
    files = [e.get("file") for e in entries]
    assert all(name.endswith(".pvti") for name in files)
    pieces = ET.parse(two / files[-1]).getroot().find("PImageData").findall("Piece")
    assert len(pieces) == 2 and all((two / p.get("Source")).is_file() for p in pieces)
    last = read_pvti(two / files[-1], 2)
    for name in ("u", "v"):
        np.testing.assert_array_equal(last[name], b[name])
    first = read_pvti(two / files[0], 2)
    assert not np.allclose(first["u"], last["u"])
    assert (two / "fields.png").stat().st_size > 1000
    # restart the 2-rank run on 1 rank, against one uninterrupted 1-rank run
    longer = write_case(tmp_path, "longer", n, T=4.0)
    restart = write_case(tmp_path, "restart", n, T=4.0).read_text().replace(
        "[initial]\nseed = 3\nnoise_k_max = 12.0",
        f'[initial]\ntype = "restart"\npath = "{two}"')
    (tmp_path / "restart.toml").write_text(restart)
    assert main(["solve", str(longer), "--quiet", "--out", str(tmp_path / "longer")]) == 0
    assert main(["solve", str(tmp_path / "restart.toml"), "--quiet", "--out",
                 str(tmp_path / "restarted")]) == 0
    c, d = final_state(tmp_path / "longer"), final_state(tmp_path / "restarted")
    restarted = json.loads((tmp_path / "restarted" / "summary.json").read_text())
    assert restarted["results"]["time"]["t0"] == 3.0 and float(d["t"]) == 4.0
    difference = max(np.abs(c[k] - d[k]).max() for k in ("u", "v"))
    print(f"restart from 2 ranks on 1 vs uninterrupted: max |difference| = {difference:.2e}")
    assert difference < 1e2 * TOLERANCE * np.ptp(c["u"])


@needs_mpiexec
def test_sparse_diffusion_under_two_ranks_is_refused_and_writes_nothing(tmp_path):
    # the fft backend runs under mpiexec with FFT/DCT diffusion only (test_turing_fft_mpi)
    case = write_case(tmp_path, "fft", "[16, 16]", backend="fft", method="ars222")
    case.write_text(case.read_text().replace('backend = "fft"', 'backend = "fft"\n'
                                             'diffusion = "sparse"').replace(
        "adaptive = true", "adaptive = false"))
    result = mpirun("solve", str(case), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    lines = own_lines(result.stderr)
    assert len(lines) == 1 and "grid.backend" in lines[0] and "mpiexec -n 2" in lines[0]
    assert result.stdout == "" and sorted(p.name for p in tmp_path.iterdir()) == ["fft.toml"]


@needs_mpiexec
def test_blow_up_ends_both_ranks_with_one_message(tmp_path):
    case = write_case(tmp_path, "blow", "[16, 12]", extra="""
[model]
name = "custom"
f = "10 * u**3"
g = "-v"
[model.parameters]
Du = 0.01
Dv = 0.01
""").read_text().replace("seed = 3\n", "seed = 3\nmean_u = 1.0\nmean_v = 0.0\n")
    case = case.replace("adaptive = true", "adaptive = false")
    (tmp_path / "blow.toml").write_text(case)
    start = time.monotonic()
    result = mpirun("solve", str(tmp_path / "blow.toml"), "--out", str(tmp_path / "out"))
    elapsed = time.monotonic() - start
    lines = own_lines(result.stderr)
    print(f"blow-up under mpiexec -n 2: exit {result.returncode} after {elapsed:.1f} s: {lines}")
    assert result.returncode == 1 and elapsed < 30
    assert len(lines) == 1 and lines[0].startswith("pdekit: numerical failure: PETSc")
    assert not (tmp_path / "out").exists() and (tmp_path / "out.failed").is_dir()


@needs_mpiexec
def test_3d_neumann_white_noise_spot_on_two_ranks_equals_one_rank(tmp_path):
    # white noise from global indices and the spot are evaluated per rank's block
    case = write_case(tmp_path, "cube", "[8, 10, 6]", T=1.0, vtk=True).read_text()
    case = case.replace("noise_k_max = 12.0", 'type = "spot"\nnoise = "white"')
    case = case.replace('backend = "petsc"', 'backend = "petsc"\nboundary = "neumann"')
    (tmp_path / "cube.toml").write_text(case)
    assert main(["solve", str(tmp_path / "cube.toml"), "--quiet", "--out",
                 str(tmp_path / "one")]) == 0
    result = mpirun("solve", str(tmp_path / "cube.toml"), "--quiet", "--out",
                    str(tmp_path / "two"))
    assert result.returncode == 0, result.stderr[-3000:]
    a, b = final_state(tmp_path / "one"), final_state(tmp_path / "two")
    difference = max(np.abs(a[k] - b[k]).max() for k in ("u", "v"))
    print(f"3D no-flux, 2 ranks vs 1: max |difference| = {difference:.2e}")
    assert difference < 1e2 * TOLERANCE * np.ptp(a["u"])
    entries = ET.parse(tmp_path / "two" / "fields.pvd").getroot().find("Collection")
    last = read_pvti(tmp_path / "two" / entries[-1].get("file"), 3)
    np.testing.assert_array_equal(last["u"], b["u"])


def test_reaction_jacobians_are_exact_elementwise():
    from pdekit.fd.models import MODELS, ExpressionModel, preset_parameters
    from pdekit.fd.models.base import complex_step_entries

    u, v = np.linspace(-1.5, 2.0, 11), np.linspace(0.7, -1.2, 11)
    models = [MODELS.get(name)(**preset_parameters(name, None))
              for name in MODELS.names(presets=True)]
    models.append(ExpressionModel("a - u + u**2*v + sin(u*v)", "b - u**2*v + exp(-v)",
                                  {"a": 0.1, "b": 0.9, "Du": 1.0, "Dv": 2.0}))
    for model in models:
        exact = [np.broadcast_to(x, u.shape) for x in model.jacobian_entries(u, v)]
        reference = complex_step_entries(model, u, v)
        for got, want in zip(exact, reference):
            np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13, err_msg=model.name)


@pytest.mark.parametrize("backend, method, extra, args, message", [
    ("fft", "arkimex", "", (), "time.method: expected a method of grid.backend = 'fft'"),
    ("petsc", "strang", "", (), "time.method: expected a method of grid.backend = 'petsc' "
                                "(arkimex, rosw)"),
    ("fft", "etdrk4", "[time.petsc]\npc_type = 'hypre'\n", (), "time.petsc: expected no "
                                                              "PETSc options"),
    ("fft", "etdrk4", "", ("-pc_type", "hypre"), "command line: --: expected no PETSc"),
    ("petsc", "arkimex", "", ("pc_type",), "command line: --: expected PETSc/SLEPc options"),
    ("petsc", "arkimex", "[time.petsc]\n'bad name' = 1\n", (), "time.petsc: expected PETSc"),
])
def test_backend_keys_are_checked(tmp_path, backend, method, extra, args, message):
    from pdekit.core.cases import load_case
    from pdekit.errors import CaseError

    case = write_case(tmp_path, "c", "[16, 16]", backend=backend, method=method)
    text = case.read_text().replace("[output]", extra + "[output]")
    if method == "strang":  # no error estimate
        text = text.replace("adaptive = true", "adaptive = false")
    case.write_text(text)
    with pytest.raises(CaseError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_case(case, solver_args=list(args))


def test_grid_keys_of_the_fft_backend_are_refused_on_petsc(tmp_path):
    from pdekit.core.cases import load_case
    from pdekit.errors import CaseError

    case = write_case(tmp_path, "c", "[16, 16]")
    with pytest.raises(CaseError, match="grid.diffusion: expected no grid.diffusion"):
        load_case(case, ["grid.diffusion=sparse"])


@needs_mpiexec
def test_log_view_after_double_dash_prints_petscs_log_on_two_ranks(tmp_path):
    # -log_view is read only when PETSc starts: pdekit starts PETSc with the options
    case = write_case(tmp_path, "log", "[16, 12]", T=0.5)
    result = mpirun("solve", str(case), "--quiet", "--out", str(tmp_path / "out"), "--",
                    "-log_view")
    assert result.returncode == 0, result.stderr
    events = [line.split() for line in result.stdout.splitlines()
              if line.startswith(("TSStep ", "KSPSolve "))]
    assert [e[0] for e in events] == ["KSPSolve", "TSStep"] and int(events[1][1]) > 0
    assert "with 2 processors" in result.stdout  # PETSc 3.18 wording
