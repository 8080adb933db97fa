"""The CLI on ``[domain]`` cases: what a run writes (PVD valid, summary, state, PNG), bad
shapes and surfaces refused with one line before anything is written (runs under mpiexec:
test_mpi_domain.py)."""

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from pdekit.cli import main

TINY = """
[case]
kind = "turing"
name = "tiny"
[model]
name = "schnakenberg"
parameters = {{ Du = 0.0258, Dv = 0.258 }}
[domain]
{domain}
[initial]
noise = "white"
std_u = 0.01
std_v = 0.01
[time]
method = "{method}"
dt = 0.5
T = 5.0
[output]
every = 2.5
"""


def _case(write_case, domain='shape = "sphere"\nmaxh = 0.5', method="sbdf2"):
    return write_case(TINY.format(domain=domain, method=method))


def test_sphere_run_writes_a_valid_series_state_summary_and_picture(cli, write_case, tmp_path):
    result = cli("solve", str(_case(write_case)), "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    folder = tmp_path / "results" / "tiny"
    root = ET.parse(folder / "fields.pvd").getroot()
    entries = root.findall("./Collection/DataSet")
    assert [float(e.get("timestep")) for e in entries] == [0.0, 2.5, 5.0]
    import meshio

    for entry in entries:
        mesh = meshio.read(folder / entry.get("file"))
        assert set(mesh.point_data) == {"u", "v"} and mesh.cells[0].type == "triangle"
    summary = json.loads((folder / "summary.json").read_text())
    results = summary["results"]
    assert results["domain"]["shape"] == "sphere" and results["domain"]["surface"]
    assert results["domain"]["measure"] == pytest.approx(4 * np.pi, rel=0.1)
    assert results["time"]["steps"] == 10 and results["time"]["factorizations"] == 4
    stability = results["linear_stability"]
    assert stability["predicted"]["degree"] == 3  # only l = 3 is in the band (the case)
    assert [m["degree"] for m in stability["unstable_modes"]] == [3]
    with np.load(folder / "final_state.npz") as state:
        assert state["u"].shape == (len(state["points"]),) and float(state["t"]) == 5.0
    assert (folder / "fields.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_restart_continues_on_the_same_domain(cli, write_case, tmp_path):
    case = write_case(TINY.format(domain='shape = "sphere"\nmaxh = 0.5', method="ars222")
                      + "png = false\nvtk = false\n")
    assert cli("solve", str(case), "--quiet", cwd=tmp_path).returncode == 0
    text = case.read_text().replace('noise = "white"', 'type = "restart"\npath = '
                                    '"results/tiny"').replace("T = 5.0", "T = 7.5")
    restarted = write_case(text.replace('name = "tiny"', 'name = "again"'), "again.toml")
    result = cli("solve", str(restarted), "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "results" / "again" / "summary.json").read_text())
    assert summary["results"]["time"]["t0"] == 5.0 and summary["results"]["time"]["steps"] == 5
    other = write_case(text.replace("maxh = 0.5", "maxh = 0.4"), "other.toml")
    refused = cli("solve", str(other), "--quiet", cwd=tmp_path)
    assert refused.returncode == 2 and "initial.path" in refused.stderr


BAD = [
    ('shape = "cube"', "domain.shape"),
    ('shape = "torus"\nradius = 1.0\nminor_radius = 1.0', "domain.minor_radius"),
    ('shape = "sphere"\ndirichlet = ["surface"]', "domain.dirichlet"),
    ('shape = "disk"\ndirichlet = ["rim"]', "domain.dirichlet"),
    ('shape = "square"\norder = 2\nlumped = true', "domain.lumped"),
    ('shape = "ellipsoid"\nsemi_axes = [1.0, 0.0, 1.0]', "domain.semi_axes"),
    ('shape = "surface"', "domain.file"),
    ('shape = "surface"\nfile = "missing.stl"', "domain.file"),
    ('shape = "surface"\nfile = "garbage.obj"', "domain.file"),
    ('shape = "surface"\nfile = "fin.obj"', "domain.file"),
    ('shape = "polygon"\nvertices = [[0, 0], [1, 1], [1, 0], [0, 1]]', "domain.vertices"),
    ('shape = "sphere"\ncenter = [0.0, 0.0]', "domain.center"),
    ('shape = "disk"\nmaxh = 1e-9', "domain.maxh"),  # ~1e19 elements
    ('shape = "sphere"\nmaxh = 0.0002', "domain.maxh"),  # ~4e8 dofs: terabytes
    ('shape = "box"\nrefine = 12', "domain.refine"),
]

# three triangles on one edge: not a manifold surface
FIN = "\n".join(["v 0 0 0", "v 1 0 0", "v 0 1 0", "v 0 -1 0", "v 0 0 1", "v 1 1 1",
                 "f 1 2 3", "f 1 2 4", "f 1 2 5", "f 3 5 6"]) + "\n"


@pytest.mark.parametrize("domain, key", BAD, ids=[key + str(i) for i, (_, key) in enumerate(BAD)])
def test_bad_domains_are_refused_with_one_line(write_case, tmp_path, monkeypatch, capsys,
                                               domain, key):
    (tmp_path / "garbage.obj").write_text("this is not a mesh\n")
    (tmp_path / "fin.obj").write_text(FIN)
    monkeypatch.chdir(tmp_path)
    assert main(["solve", str(_case(write_case, domain))]) == 2  # in-process: fast
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and key in lines[0] and captured.out == "", lines
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize("edit, key", [
    (lambda t: t + "[grid]\nn = 16\n", "grid: expected no [grid] with [domain]"),
    (lambda t: t.replace('method = "sbdf2"', 'method = "etdrk4"'), "time.method"),
    (lambda t: t.replace('method = "sbdf2"', 'method = "sbdf2"\nadaptive = true'),
     "time.adaptive"),
    (lambda t: t.replace('noise = "white"', 'noise = "band-limited"'), "initial.noise"),
])
def test_bad_combinations_are_refused(write_case, capsys, edit, key):
    case = write_case(edit(TINY.format(domain='shape = "sphere"', method="sbdf2")))
    assert main(["check", str(case)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and key in lines[0], lines


def test_domain_methods_are_refused_on_a_grid(write_case, capsys):
    """sbdf2 is a method of domains only; ars222's estimate works on domains only."""
    grid = "[case]\nkind = \"turing\"\n[grid]\nn = 16\n[time]\n"
    assert main(["check", str(write_case(grid + "method = \"sbdf2\"\n"))]) == 2
    assert "time.method: expected a method of grid.backend = 'fft'" in capsys.readouterr().err
    adaptive = grid + "method = \"ars222\"\nadaptive = true\n"
    assert main(["check", str(write_case(adaptive, "adaptive.toml"))]) == 2
    assert "time.adaptive: expected false, or a [grid] method" in capsys.readouterr().err

