"""The fft backend under mpiexec (distributed FFT/DCT through mpi4py-fft): 1, 2, 3 and 4
ranks give the 1-rank fields for every integrator, both boundaries, 2D and 3D, both
precisions; the 1-rank run equals the single-process path; restarts cross rank counts;
white noise is the same field on any number of ranks; a blow-up ends all ranks with one
message; what cannot be split is refused.

Each rank count is one ``mpiexec`` launch of a driver that solves all its cases in turn
(a launch costs seconds of start-up; a case on these small grids, a fraction of one).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mpi4py")
pytest.importorskip("mpi4py_fft")

from pdekit.cli import main  # noqa: E402
from tests.conftest import ROOT  # noqa: E402
from tests.fd.test_turing_mpi import final_state, own_lines, read_pvti  # noqa: E402

MPIEXEC = shutil.which("mpiexec")
pytestmark = pytest.mark.skipif(MPIEXEC is None, reason="mpiexec not found")

CASE = """
[case]
kind = "turing"
name = "{name}"
[grid]
n = {n}
length = 2.0
boundary = "{boundary}"
precision = "{precision}"
{grid_extra}
[initial]
seed = 3
{initial}
[time]
method = "{method}"
adaptive = {adaptive}
tolerance = {tolerance}
dt = {dt}
T = {T}
[output]
every = {every}
vtk = {vtk}
png = {png}
"""

METHODS = [("etdrk4", False), ("etdrk4", True), ("ars222", False), ("ars443", False),
           ("strang", False), ("imex-euler", False), ("rk4", False)]
"""Every FFT-path integrator (ETDRK4 fixed and adaptive, IMEX-RK, Strang, Lie, RK4)."""

LAYOUTS = [("[18, 14]", "periodic", "double"), ("[10, 9, 8]", "neumann", "double"),
           ("[16, 12]", "neumann", "single"), ("[9, 8, 10]", "periodic", "single")]
"""2D and 3D, periodic and no-flux, double and single precision: each method runs on two
of them, so that each method meets both boundaries and both dimensions."""


def case_text(name: str, n: str, boundary: str = "periodic", precision: str = "double",
              method: str = "etdrk4", adaptive: bool = False, T: float = 0.6,
              dt: float = 0.02, every: float = 0.3, vtk: bool = False, png: bool = False,
              initial: str = "noise_k_max = 9.0", grid_extra: str = "") -> str:
    tolerance = 1e-4 if precision == "single" else 1e-7
    if method == "rk4":
        dt = 0.001  # the explicit diffusion's stability limit on these grids
    return CASE.format(name=name, n=n, boundary=boundary, precision=precision,
                       grid_extra=grid_extra, initial=initial, method=method,
                       adaptive=str(adaptive).lower(), tolerance=tolerance, dt=dt, T=T,
                       every=every, vtk=str(vtk).lower(), png=str(png).lower())


def comparison_cases(first_layout_only: bool = False) -> dict[str, str]:
    """name -> case text, for the cases compared across rank counts (with
    ``first_layout_only``: each method on one layout, the layouts still all met)."""
    cases = {}
    for index, (method, adaptive) in enumerate(METHODS):
        layouts = (LAYOUTS[index % 4], LAYOUTS[(index + 1) % 4])
        for n, boundary, precision in layouts[:1] if first_layout_only else layouts:
            name = f"{method}{'-adaptive' if adaptive else ''}-{boundary}-{n.count(',') + 1}d-" \
                   f"{precision}"
            cases[name] = case_text(name, n, boundary, precision, method, adaptive)
    cases["white-3d"] = case_text("white-3d", "[9, 8, 7]", "neumann", method="strang",
                                  vtk=True, png=True, initial='noise = "white"')
    if first_layout_only:
        return cases
    cases["animated-2d"] = case_text("animated-2d", "[14, 12]", vtk=True, png=True,
                                     adaptive=True) + 'animation = "gif"\n'
    return cases


DRIVER = """
import json, sys
from pdekit.cli import main
jobs = json.loads(open(sys.argv[1]).read())
codes = {name: main(["solve", case, "--quiet", "--out", out]) for name, case, out in jobs}
from mpi4py import MPI
if MPI.COMM_WORLD.rank == 0:
    open(sys.argv[2], "w").write(json.dumps(codes))
"""


def environment() -> dict[str, str]:
    return {**os.environ, "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
            "OMPI_MCA_rmaps_base_oversubscribe": "1", "OMPI_MCA_mpi_yield_when_idle": "1",
            "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}


def launch(folder: Path, ranks: int, jobs: list[tuple[str, Path, Path]],
           timeout: float = 300) -> dict[str, int]:
    """Solve ``jobs`` (name, case, output folder) in one ``mpiexec -n ranks`` launch; the
    exit code of each."""
    driver, listing = folder / "driver.py", folder / f"jobs{ranks}.json"
    driver.write_text(DRIVER)
    listing.write_text(json.dumps([(name, str(case), str(out)) for name, case, out in jobs]))
    codes = folder / f"codes{ranks}.json"
    result = subprocess.run([MPIEXEC, "-n", str(ranks), sys.executable, str(driver),
                             str(listing), str(codes)], capture_output=True, text=True,
                            timeout=timeout, env=environment())
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(codes.read_text())


def relative_difference(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> float:
    return max(float(np.abs(a[k].astype(float) - b[k]).max() / np.abs(a[k]).max())
               for k in ("u", "v"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    """All launches of this module, once: 2 ranks (also the restart's first half), then
    1 rank (also its second half and the straight run), 3 ranks and 4 ranks (pencils)."""
    folder = tmp_path_factory.mktemp("fft_mpi")
    cases = comparison_cases()
    cases["restart-first"] = case_text("restart-first", "[9, 8, 10]", "periodic",
                                       method="etdrk4", T=0.4)
    cases["straight"] = case_text("straight", "[9, 8, 10]", "periodic", method="etdrk4",
                                  T=0.8)
    cases["refused-1d"] = case_text("refused-1d", "[32]")
    cases["refused-small"] = case_text("refused-small", "[16, 2]")
    cases["pencil-periodic"] = case_text("pencil-periodic", "[8, 9, 10]", method="etdrk4",
                                         adaptive=True, grid_extra='decomposition = "pencil"')
    cases["pencil-neumann"] = case_text("pencil-neumann", "[9, 8, 7]", "neumann", "single",
                                        method="strang", vtk=True,
                                        grid_extra='decomposition = "pencil"')
    for name, text in cases.items():
        (folder / f"{name}.toml").write_text(text)
    compared = [name for name in comparison_cases()]
    pencils = ["pencil-periodic", "pencil-neumann"]

    def jobs(names: list[str], ranks: int) -> list[tuple[str, Path, Path]]:
        return [(name, folder / f"{name}.toml", folder / f"{name}-{ranks}") for name in names]

    codes = {2: launch(folder, 2, jobs(compared + ["restart-first", "refused-small"], 2))}
    restart = case_text("restart", "[9, 8, 10]", "periodic", method="etdrk4", T=0.8,
                        initial=f'type = "restart"\npath = "{folder / "restart-first-2"}"')
    (folder / "restart.toml").write_text(restart.replace("seed = 3\n", ""))
    codes[1] = launch(folder, 1, jobs(compared + pencils + ["restart", "straight",
                                                            "refused-1d"], 1))
    codes[3] = launch(folder, 3, jobs(list(comparison_cases(first_layout_only=True)), 3))
    codes[4] = launch(folder, 4, jobs(pencils, 4))
    (folder / "codes.json").write_text(json.dumps(codes))
    return folder


def test_every_integrator_on_2_and_3_ranks_equals_1_rank(runs):
    codes = json.loads((runs / "codes.json").read_text())
    on_three = comparison_cases(first_layout_only=True)
    worst = {}
    for name in comparison_cases():
        assert codes["1"][name] == codes["2"][name] == 0, name
        one = final_state(runs / f"{name}-1")
        limit = 1e-5 if "single" in name else 1e-12
        for ranks in (2, 3) if name in on_three else (2,):
            assert codes[str(ranks)][name] == 0, (name, ranks)
            other = final_state(runs / f"{name}-{ranks}")
            assert other["u"].dtype == one["u"].dtype and float(other["t"]) == 0.6
            worst[name, ranks] = relative_difference(one, other)
            assert worst[name, ranks] < limit, (name, ranks, worst[name, ranks])
        # the fields moved: the comparison is not of two initial states
        summary = json.loads((runs / f"{name}-1" / "summary.json").read_text())
        assert summary["results"]["time"]["steps"] >= 10
    print("max relative difference to 1 rank:", max(worst.values()))


def test_pencils_on_4_ranks_equal_1_rank(runs):
    codes = json.loads((runs / "codes.json").read_text())
    for name, limit in (("pencil-periodic", 1e-12), ("pencil-neumann", 1e-5)):
        assert codes["1"][name] == codes["4"][name] == 0
        difference = relative_difference(final_state(runs / f"{name}-1"),
                                         final_state(runs / f"{name}-4"))
        assert difference < limit, (name, difference)
        distributed = json.loads((runs / f"{name}-4" / "summary.json").read_text())[
            "results"]["distributed"]
        assert distributed["decomposition"] == "pencil"
        assert distributed["process_grid"] == [2, 2]
        assert len(distributed["local_shapes"]) == 4


def test_one_rank_equals_the_single_process_path(runs, tmp_path):
    # the serial fft backend (pyFFTW, ducc0's DCT) as the independent reference
    for name in ("etdrk4-adaptive-neumann-3d-double", "ars443-periodic-2d-double",
                 "imex-euler-neumann-2d-single"):
        out = tmp_path / name
        assert main(["solve", str(runs / f"{name}.toml"), "--quiet", "--out", str(out)]) == 0
        limit = 1e-4 if "single" in name else 1e-9
        difference = relative_difference(final_state(out), final_state(runs / f"{name}-1"))
        assert difference < limit, (name, difference)


def test_summary_reports_ranks_decomposition_and_exchange(runs):
    results = json.loads((runs / "etdrk4-periodic-2d-double-3" / "summary.json").read_text())[
        "results"]
    distributed = results["distributed"]
    assert results["ranks"] == 3 and results["grid"]["backend"] == "fft"
    assert distributed["decomposition"] == "slab" and distributed["process_grid"] == [3]
    assert distributed["local_shapes"] == [[6, 14], [6, 14], [6, 14]]
    # a slab transpose sends 2/3 of each rank's spectrum: 3 ranks x 2 species x 8 transforms
    # per ETDRK4 step (the first step transforms its input too), complex128
    spectral = sum(np.prod(s) for s in distributed["spectral_local_shapes"])
    per_transform = 16 * spectral * 2 / 3
    assert distributed["bytes_exchanged_per_step"] == pytest.approx(
        per_transform * 2 * 8, rel=0.2)
    assert len(results["memory"]["peak_rss_mb_per_rank"]) == 3
    assert 0 < max(distributed["transpose_seconds_per_rank"]) < distributed["integrate_seconds"]
    single = json.loads((runs / "etdrk4-periodic-2d-double-1" / "summary.json").read_text())
    assert single["results"]["distributed"]["bytes_exchanged_per_step"] == 0
    # the dominant k measured from the distributed spectrum equals the gathered field's
    from pdekit.fd.stability import dominant_wavenumber

    u = final_state(runs / "etdrk4-periodic-2d-double-3")["u"]
    assert results["linear_stability"]["measured_dominant_k"] == pytest.approx(
        dominant_wavenumber(u, 2.0, "periodic"), rel=1e-12)
    neumann = json.loads((runs / "white-3d-3" / "summary.json").read_text())["results"]
    u = final_state(runs / "white-3d-3")["u"]
    assert neumann["linear_stability"]["measured_dominant_k"] == pytest.approx(
        dominant_wavenumber(u, 2.0, "neumann"), rel=1e-12)
    assert neumann["fields"]["u"]["mean"] == pytest.approx(float(u.mean()), rel=1e-12)


def test_white_noise_and_pieces_are_the_same_on_any_rank_count(runs):
    first = {ranks: read_pvti(runs / f"white-3d-{ranks}" / "fields_00000.pvti", 3)
             for ranks in (1, 2, 3)}
    for ranks in (2, 3):
        for name in ("u", "v"):
            np.testing.assert_array_equal(first[ranks][name], first[1][name])
    assert np.std(first[1]["u"]) > 0.1  # white noise, not a smooth field
    last = read_pvti(runs / "white-3d-3" / "fields_00002.pvti", 3)
    state = final_state(runs / "white-3d-3")
    for name in ("u", "v"):
        np.testing.assert_array_equal(last[name], state[name])
    for ranks in (2, 3):
        assert (runs / f"white-3d-{ranks}" / "fields.png").stat().st_size > 1000
    assert (runs / "animated-2d-2" / "u.gif").stat().st_size > 1000


def test_restart_written_on_2_ranks_continues_on_1(runs):
    codes = json.loads((runs / "codes.json").read_text())
    assert codes["2"]["restart-first"] == codes["1"]["restart"] == codes["1"]["straight"] == 0
    restarted, straight = final_state(runs / "restart-1"), final_state(runs / "straight-1")
    assert float(restarted["t"]) == float(straight["t"]) == 0.8
    assert relative_difference(straight, restarted) < 1e-12


def test_grids_that_cannot_be_split_are_refused(runs):
    codes = json.loads((runs / "codes.json").read_text())
    assert codes["1"]["refused-1d"] == 2 and codes["2"]["refused-small"] == 2
    assert not (runs / "refused-1d-1").exists() and not (runs / "refused-small-2").exists()


def test_blow_up_ends_all_ranks_with_one_message(tmp_path):
    # u' = 10 u³ from u = 1 (+ noise) blows up before t = 0.05
    text = case_text("blow", "[16, 12]", method="etdrk4", T=5.0, dt=0.01) + """
[model]
name = "custom"
f = "10 * u**3"
g = "-v"
[model.parameters]
Du = 0.001
Dv = 0.001
"""
    (tmp_path / "blow.toml").write_text(text.replace("seed = 3\n", "seed = 3\nmean_u = 1.0\n"
                                                     "mean_v = 0.0\n"))
    start = time.monotonic()
    result = subprocess.run([MPIEXEC, "-n", "2", sys.executable, "-m", "pdekit.cli", "solve",
                             str(tmp_path / "blow.toml"), "--out", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=120, env=environment())
    elapsed = time.monotonic() - start
    lines = own_lines(result.stderr)
    print(f"blow-up under mpiexec -n 2: exit {result.returncode} after {elapsed:.1f} s: {lines}")
    assert result.returncode == 1 and elapsed < 60
    assert len(lines) == 1 and "stopped being finite" in lines[0]
    assert not (tmp_path / "out").exists() and (tmp_path / "out.failed").is_dir()


def test_auto_backend_follows_the_method(tmp_path):
    from pdekit.core.cases import load_case

    path = tmp_path / "auto.toml"
    path.write_text('[case]\nkind = "turing"\n[grid]\nn = [16, 16]\n[time]\nT = 1.0\n')

    def backend(*overrides: str) -> str:
        return load_case(path, list(overrides)).case.grid.backend

    assert backend() == "fft" and backend('grid.backend="auto"') == "fft"
    assert backend('time.method="arkimex"') == "petsc"
    assert backend('time.method="rosw"', 'grid.backend="auto"') == "petsc"
    assert backend('time.method="etdrk4"', 'grid.backend="fft"') == "fft"


def test_decomposition_prefers_slabs_and_says_why_it_cannot_split():
    from pdekit.time.decomposition import DecompositionError, choose_decomposition

    assert choose_decomposition((16, 12, 8), 4, False).process_grid == (4,)
    # 8 ranks: 4 points on x leave a slab short; a 4 x 2 pencil fits every layout
    pencil = choose_decomposition((4, 4, 8), 8, False)
    assert pencil.kind == "pencil" and pencil.process_grid == (4, 2)
    # the real FFT keeps 16 // 2 + 1 = 9 modes of the last axis: 10 ranks are too many
    # for a 2D slab's spectral layout (but not for the DCT's 16 modes)
    with pytest.raises(DecompositionError, match="axis 1 has 9 modes for 10 ranks"):
        choose_decomposition((32, 16), 10, False)
    assert choose_decomposition((32, 16), 10, True).process_grid == (10,)
    with pytest.raises(DecompositionError, match="1D"):
        choose_decomposition((64,), 2, False)
    with pytest.raises(DecompositionError, match="3D"):
        choose_decomposition((32, 32), 4, False, "pencil")
    with pytest.raises(DecompositionError, match="too small"):
        choose_decomposition((3, 3, 3), 16, False)
