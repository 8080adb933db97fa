"""The CLI end to end on tiny Turing cases: output, read-back, bad input, failures."""

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from tests.conftest import ROOT

TINY = """
[case]
kind = "turing"
name = "tiny"
[grid]
n = 16
[time]
method = "{method}"
dt = {dt}
T = 2.0
[output]
every = 0.5
"""


def _tiny(write_case, method="strang", dt=0.05, extra=""):
    return write_case(TINY.format(method=method, dt=dt) + extra)


def test_solve_writes_summary_pvd_and_png(cli, write_case, tmp_path):
    case = _tiny(write_case)
    result = cli("solve", str(case), "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "results" / "tiny"
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["status"] == "ok"
    assert summary["case"]["grid"]["n"] == 16
    assert summary["results"]["time"]["steps"] == 40
    assert summary["results"]["time"]["t_final"] == pytest.approx(2.0)
    assert set(summary["timings"]) >= {"setup", "integrate", "output", "total"}
    assert summary["versions"]["numpy"].startswith("1.")
    assert summary["command"][:2] == ["pdekit", "solve"]
    assert (folder / "fields.png").stat().st_size > 1000
    stability = summary["results"]["linear_stability"]
    assert stability["instability"] == "turing"
    assert stability["verdict"].startswith("Turing unstable: band k in [7.54, 11.9]")
    assert not (tmp_path / "results" / "tiny.running").exists()


def test_pvd_and_vti_read_back_with_vtk(cli, write_case, tmp_path):
    vtk = pytest.importorskip("vtk")
    from vtk.util.numpy_support import vtk_to_numpy

    case = _tiny(write_case)
    assert cli("solve", str(case), "--quiet", cwd=tmp_path).returncode == 0
    folder = tmp_path / "results" / "tiny"
    entries = ET.parse(folder / "fields.pvd").getroot().find("Collection")
    times = [float(e.get("timestep")) for e in entries]
    assert times == pytest.approx([0.0, 0.5, 1.0, 1.5, 2.0])
    last = folder / entries[-1].get("file")
    reader = vtk.vtkXMLImageDataReader()
    reader.SetFileName(str(last))
    reader.Update()
    image = reader.GetOutput()
    assert image.GetDimensions() == (16, 16, 1)
    assert image.GetSpacing()[0] == pytest.approx(2.0 / 16)
    assert image.GetOrigin()[:2] == pytest.approx((-1.0, -1.0))
    u = vtk_to_numpy(image.GetPointData().GetArray("u")).reshape(16, 16).T  # VTK: x fastest
    state = np.load(folder / "final_state.npz")
    np.testing.assert_array_equal(u, state["u"])
    assert image.GetPointData().GetArray("v") is not None


def test_restart_continues_from_previous_run(cli, write_case, tmp_path):
    case = _tiny(write_case)
    assert cli("solve", str(case), "--quiet", cwd=tmp_path).returncode == 0
    extra = f'\n[initial]\ntype = "restart"\npath = "{tmp_path / "results" / "tiny"}"\n'
    longer = write_case(TINY.format(method="strang", dt=0.05).replace("T = 2.0", "T = 3.0")
                        .replace('name = "tiny"', 'name = "more"') + extra, "more.toml")
    assert cli("solve", str(longer), "--quiet", cwd=tmp_path).returncode == 0
    summary = json.loads((tmp_path / "results" / "more" / "summary.json").read_text())
    assert summary["results"]["time"]["t0"] == pytest.approx(2.0)
    assert summary["results"]["time"]["steps"] == 20
    # the same as one straight run to T = 3
    straight = write_case(TINY.format(method="strang", dt=0.05).replace("T = 2.0", "T = 3.0")
                          .replace('name = "tiny"', 'name = "straight"'), "straight.toml")
    assert cli("solve", str(straight), "--quiet", cwd=tmp_path).returncode == 0
    a = np.load(tmp_path / "results" / "more" / "final_state.npz")["u"]
    b = np.load(tmp_path / "results" / "straight" / "final_state.npz")["u"]
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_set_overrides_are_typed(cli, write_case, tmp_path):
    case = _tiny(write_case)
    result = cli("check", str(case), "--set", "grid.n=12", "--set", "model.preset=3",
                 "--set", "time.method=rk4", "--set", "time.dt=0.01", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "n = 12" in result.stdout and "preset = 3" in result.stdout
    assert not (tmp_path / "results").exists()


BAD_INPUTS = [
    ("malformed", "[case\nkind = 'turing'", "case.toml: expected valid TOML"),
    ("no kind", "[case]\nname = 'x'", "case.kind"),
    ("unknown kind", "[case]\nkind = 'turning'", "did you mean 'turing'"),
    ("unknown key", TINY.format(method="strang", dt=0.05) + "[model]\nalfa = 1.0\n",
     "model.alfa: expected a known key (did you mean 'alpha'?)"),
    ("unknown section", TINY.format(method="strang", dt=0.05) + "[modle]\n",
     "did you mean 'model'"),
    ("wrong type", TINY.format(method="strang", dt='"fast"'), "time.dt: expected a number"),
    ("negative dt", TINY.format(method="strang", dt=-0.1), "time.dt: expected a number > 0"),
    ("unstable dt", TINY.format(method="rk4", dt=1.5), "RK4 stability limit"),
    ("unknown method", TINY.format(method="euler", dt=0.1), "time.method: expected one of"),
    ("unknown preset", TINY.format(method="strang", dt=0.05) + "[model]\npreset = 'spot'\n",
     "did you mean 'spots'"),
    ("missing file", TINY.format(method="strang", dt=0.05)
     + "[initial]\ntype = 'file'\npath = 'nowhere.npy'\n", "initial.path"),
    ("bool for int", TINY.format(method="strang", dt=0.05).replace("n = 16", "n = true"),
     "grid.n: expected an integer"),
]


@pytest.mark.parametrize("label,text,message", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_exits_2_with_one_line(cli, write_case, tmp_path, label, text, message):
    case = write_case(text)
    result = cli("solve", str(case), cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0] and str(case.name) in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "results").exists()


def test_missing_case_file_and_bad_set(cli, tmp_path):
    result = cli("solve", str(tmp_path / "absent.toml"), cwd=tmp_path)
    assert result.returncode == 2 and "absent.toml" in result.stderr
    case = tmp_path / "c.toml"
    case.write_text(TINY.format(method="strang", dt=0.05))
    result = cli("solve", str(case), "--set", "grid.m=3", cwd=tmp_path)
    assert result.returncode == 2 and "grid.m" in result.stderr and "available: backend, boundary, decomposition, diffusion, dim, length, n, precision, threads" in result.stderr


def test_blow_up_exits_1_and_keeps_previous_result(cli, write_case, tmp_path):
    case = _tiny(write_case)
    assert cli("solve", str(case), "--quiet", cwd=tmp_path).returncode == 0
    good = (tmp_path / "results" / "tiny" / "summary.json").read_text()
    # The cubic reaction terms blow up in finite time from huge initial data.
    result = cli("solve", str(case), "--set", "initial.std_u=1e3", "--set",
                 "initial.std_v=1e3", "--set", "model.preset=stripes", cwd=tmp_path)
    assert result.returncode == 1
    assert "stopped being finite at step" in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "results" / "tiny" / "summary.json").read_text() == good
    failed = tmp_path / "results" / "tiny.failed"
    assert json.loads((failed / "error.json").read_text())["step"] >= 1
    assert not (failed / "summary.json").exists()


HEAVY = ("tensorflow", "ngsolve", "petsc4py", "slepc4py", "mpi4py", "netgen")


def test_list_and_fd_runs_import_nothing_heavy(write_case, tmp_path):
    case = _tiny(write_case)
    code = (
        "import sys; from pdekit.cli import main\n"
        "assert main(['list']) == 0\n"
        "print('NUMBA after list', 'numba' in sys.modules)\n"  # compiled kernels load lazily
        f"assert main(['solve', {str(case)!r}, '--quiet']) == 0\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                            text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stdout
    assert "NUMBA after list False" in result.stdout
    assert "turing" in result.stdout and "[model]" in result.stdout


def test_bundled_cases_are_valid(cli):
    for case in sorted((ROOT / "cases").glob("*.toml")):
        result = cli("check", str(case))
        assert result.returncode == 0, (case, result.stderr)


def test_gif_animation_has_one_frame_per_snapshot(cli, write_case, tmp_path):
    from PIL import Image

    case = _tiny(write_case)
    text = case.read_text().replace("every = 0.5", 'every = 0.5\nanimation = "gif"')
    case.write_text(text)
    assert cli("solve", str(case), "--quiet", cwd=tmp_path).returncode == 0
    with Image.open(tmp_path / "results" / "tiny" / "u.gif") as gif:
        assert gif.n_frames == 5
        assert gif.size == (760, 680)  # large enough to read title, time stamp, colour bar


def test_animation_of_v(cli, write_case, tmp_path):
    from PIL import Image

    case = _tiny(write_case, extra='[output]\nevery = 1.0\nanimation = "gif"\nanimate = "v"\n')
    case.write_text(case.read_text().replace("[output]\nevery = 0.5\n", "", 1))
    assert cli("solve", str(case), "--quiet", cwd=tmp_path).returncode == 0
    folder = tmp_path / "results" / "tiny"
    assert not (folder / "u.gif").exists()
    with Image.open(folder / "v.gif") as gif:
        assert gif.n_frames == 3
    summary = json.loads((folder / "summary.json").read_text())
    assert "v.gif" in summary["results"]["files"]


def test_initial_data_from_npz_and_npy(cli, write_case, tmp_path):
    x = np.linspace(-1, 1, 16, endpoint=False)
    u0 = np.cos(np.pi * x)[:, None] * np.ones(16)
    np.savez(tmp_path / "start.npz", u=u0, v=-u0)
    np.save(tmp_path / "start.npy", np.stack([u0, -u0]))
    finals = []
    for name in ("start.npz", "start.npy"):
        case = write_case(TINY.format(method="strang", dt=0.05).replace('"tiny"', f'"{name[6:]}"')
                          + f'[initial]\ntype = "file"\npath = "{name}"\n', f"{name}.toml")
        result = cli("solve", str(case), "--quiet", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        finals.append(np.load(tmp_path / "results" / name[6:] / "final_state.npz")["u"])
    np.testing.assert_array_equal(finals[0], finals[1])
    bad = write_case(TINY.format(method="strang", dt=0.05)
                     + '[initial]\ntype = "file"\npath = "start.npz"\n', "bad.toml")
    bad.write_text(bad.read_text().replace("n = 16", "n = 20"))
    result = cli("solve", str(bad), cwd=tmp_path)
    assert result.returncode == 2 and "fields of shape (20, 20)" in result.stderr


def test_diffusion_only_conserves_mass_and_decays(cli, write_case, tmp_path):
    case = _tiny(write_case, extra='[model]\nterms = "diffusion"\n')
    assert cli("solve", str(case), "--quiet", "--set", "initial.noise=white",
               cwd=tmp_path).returncode == 0
    summary = json.loads((tmp_path / "results" / "tiny" / "summary.json").read_text())
    rng = np.random.default_rng(0)  # white noise, as the plugin draws it
    u0 = rng.normal(0, 0.5, (16, 16))
    final = np.load(tmp_path / "results" / "tiny" / "final_state.npz")["u"]
    assert final.mean() == pytest.approx(u0.mean(), abs=1e-13)
    assert np.ptp(final) < 0.5 * np.ptp(u0)
    assert summary["results"]["model"]["terms"] == "diffusion"


def test_progress_bar_only_on_a_terminal(write_case, tmp_path):
    import shutil

    if shutil.which("script") is None:
        pytest.skip("util-linux `script` is needed to give the run a terminal")
    case = _tiny(write_case)
    command = f"{sys.executable} -m pdekit.cli solve {case}"
    on_tty = subprocess.run(["script", "-qec", command, "/dev/null"], cwd=tmp_path,
                            capture_output=True, text=True, env={"PYTHONPATH": str(ROOT),
                                                                 "PATH": "/usr/bin:/bin"})
    assert on_tty.returncode == 0
    assert "turing strang" in on_tty.stdout  # tqdm's bar, drawn on the terminal
    # long enough for the bar to be redrawn after the first step: simulated time with an
    # ETA, the step size and count (6000 steps of 0.05 to T = 300)
    longer = subprocess.run(["script", "-qec", command + " --set time.T=300.0 --set "
                             "output.vtk=false --out long", "/dev/null"], cwd=tmp_path,
                            capture_output=True, text=True, env={"PYTHONPATH": str(ROOT),
                                                                 "PATH": "/usr/bin:/bin"})
    assert longer.returncode == 0
    assert re.search(r"\| t=\d+\.\d/300 \[\d\d:\d\d<\d\d:\d\d\], dt = 0\.05, step \d+",
                     longer.stdout)
    quiet = subprocess.run(["script", "-qec", command + " --quiet", "/dev/null"], cwd=tmp_path,
                           capture_output=True, text=True, env={"PYTHONPATH": str(ROOT),
                                                                "PATH": "/usr/bin:/bin"})
    assert quiet.returncode == 0 and quiet.stdout == ""  # not a character on the terminal


def test_fixed_steps_end_exactly_at_T(cli, write_case, tmp_path):
    case = _tiny(write_case, method="rk4", dt=0.3)  # 0.3 does not divide T = 2
    assert cli("solve", str(case), "--quiet", cwd=tmp_path).returncode == 0
    time_ = json.loads((tmp_path / "results" / "tiny" / "summary.json").read_text())["results"]["time"]
    assert time_["steps"] == 7 and time_["dt"] == pytest.approx(2.0 / 7)
    assert time_["dt_requested"] == 0.3 and time_["t_final"] == pytest.approx(2.0, abs=1e-12)
