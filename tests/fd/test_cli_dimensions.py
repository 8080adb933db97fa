"""``pdekit solve`` on 1D and 3D cases: summary, ``.vti`` files read back with VTK's own
reader, pictures, and a 3D BVAM pattern whose wavenumber lies in the unstable band."""

import json

import numpy as np
import pytest

CASE = """
[case]
kind = "turing"
name = "{name}"
[model]
preset = "{preset}"
[grid]
{grid}
[time]
method = "etdrk4"
adaptive = true
tolerance = 3e-3
dt = 0.05
dt_max = 1.0
T = {T}
[output]
every = {every}
animation = "gif"
"""


def _read_vti(path):
    vtk = pytest.importorskip("vtk")
    from vtk.util.numpy_support import vtk_to_numpy

    reader = vtk.vtkXMLImageDataReader()
    reader.SetFileName(str(path))
    reader.Update()
    image = reader.GetOutput()
    data = image.GetPointData()
    arrays = {name: vtk_to_numpy(data.GetArray(name)) for name in ("u", "v")}
    return image.GetDimensions(), image.GetOrigin(), image.GetSpacing(), arrays


def _check_vti(folder, grid):
    """The last snapshot equals the final state, in VTK's x-fastest order."""
    state = np.load(folder / "final_state.npz")
    last = sorted(folder.glob("fields_*.vti"))[-1]
    dims, origin, spacing, arrays = _read_vti(last)
    shape = state["u"].shape
    assert dims == tuple(shape) + (1,) * (3 - len(shape))
    h = grid["h"] if isinstance(grid["h"], list) else [grid["h"]] * len(shape)
    lengths = grid["length"] if isinstance(grid["length"], list) else [grid["length"]] * len(shape)
    np.testing.assert_allclose(spacing[:len(shape)], h)
    # the first point: the lower wall (periodic) or the first cell centre (no-flux)
    centre = 0.5 if grid["boundary"] == "neumann" else 0.0
    np.testing.assert_allclose(origin[:len(shape)], [-x / 2 + centre * d for x, d in zip(lengths, h)])
    for name in ("u", "v"):
        np.testing.assert_array_equal(arrays[name], state[name].transpose().ravel())


def _solve(cli, write_case, tmp_path, name, **keys):
    """Solve CASE filled with ``keys``: (stdout, run folder, summary results)."""
    result = cli("solve", str(write_case(CASE.format(name=name, **keys))), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "results" / name
    return result.stdout, folder, json.loads((folder / "summary.json").read_text())["results"]


def test_1d_run_writes_summary_vti_and_line_plots(cli, write_case, tmp_path):
    stdout, folder, summary = _solve(cli, write_case, tmp_path, "line", preset="stripes",
                                     grid="n = [160]\nlength = 4.0", T=60.0, every=20.0)
    assert "160 points on a periodic line of length 4 (h = 0.025)" in stdout
    assert summary["grid"]["dim"] == 1 and summary["grid"]["shape"] == [160]
    _check_vti(folder, summary["grid"])
    for name in ("fields.png", "u.gif"):
        assert (folder / name).stat().st_size > 5000
    stability = summary["linear_stability"]
    low, high = stability["unstable_bands"][0]
    assert low <= stability["measured_dominant_k"] <= high


def test_3d_bvam_pattern_lies_in_the_unstable_band(cli, write_case, tmp_path):
    stdout, folder, summary = _solve(cli, write_case, tmp_path, "cube", preset="spots",
                                     grid="n = [24, 24, 24]", T=100.0, every=50.0)
    assert "24x24x24 periodic grid on 2x2x2 (h = " in stdout
    assert summary["grid"]["dim"] == 3 and summary["grid"]["n"] == 24
    _check_vti(folder, summary["grid"])
    assert (folder / "fields.png").stat().st_size > 20000
    stability = summary["linear_stability"]
    [[low, high]] = stability["unstable_bands"]
    assert stability["turing_unstable"] and low <= stability["measured_dominant_k"] <= high
    # a pattern, not noise: it has grown well above the initial perturbation
    assert summary["fields"]["u"]["max"] - summary["fields"]["u"]["min"] > 2.0


def test_3d_neumann_box_with_unequal_sides_runs_with_sparse_diffusion(cli, write_case,
                                                                       tmp_path):
    grid = 'n = [12, 8, 10]\nlength = [2.0, 1.5, 1.8]\nboundary = "neumann"\ndiffusion = "sparse"'
    text = CASE.format(name="box", preset="spots", grid=grid, T=2.0, every=1.0)
    text = text.replace('method = "etdrk4"\nadaptive = true', 'method = "ars443"')
    result = cli("solve", str(write_case(text)), "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "results" / "box"
    summary = json.loads((folder / "summary.json").read_text())["results"]
    assert summary["grid"]["n"] == [12, 8, 10] and summary["grid"]["length"] == [2.0, 1.5, 1.8]
    _check_vti(folder, summary["grid"])


def test_single_precision_run_agrees_with_double_and_halves_the_state(cli, write_case,
                                                                      tmp_path):
    """The same 3D case in float32 and float64: float32 state and files, and fields equal
    to well below the 1e-3-of-the-range accuracy the benchmarks ask for."""
    fields = {}
    for precision in ("double", "single"):
        grid = f'n = [16, 16, 16]\nprecision = "{precision}"'
        _, folder, summary = _solve(cli, write_case, tmp_path, precision, preset="spots",
                                    grid=grid, T=20.0, every=10.0)
        assert summary["grid"]["precision"] == precision
        with np.load(folder / "final_state.npz") as state:
            fields[precision] = state["u"]
        _, _, _, arrays = _read_vti(sorted(folder.glob("fields_*.vti"))[-1])
        assert arrays["u"].dtype == (np.float32 if precision == "single" else np.float64)
    assert fields["single"].dtype == np.float32
    spread = np.ptp(fields["double"])
    assert spread > 0.1  # the pattern has started to grow
    difference = np.max(np.abs(fields["single"] - fields["double"])) / spread
    assert 0 < difference < 1e-4
