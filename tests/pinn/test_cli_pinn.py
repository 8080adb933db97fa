"""The poisson-pinn kind end to end through the CLI: outputs, reload of saved weights."""

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

TINY = """
[case]
kind = "poisson-pinn"
name = "tiny"
[domain]
x = [0.0, 2.0]
{y}
[problem]
exact = "{exact}"
[network]
width = 8
[points]
interior = {n}
boundary = 6
sampler = "halton"
[loss]
boundary = "{boundary}"
[evaluation]
n = 21
[training]
stages = [{{method = "adam", iterations = 200, lr = 1e-2, log_every = 100}},
          {{method = "gauss-newton", iterations = 15}}]
"""


def _case(write_case, dim, boundary="penalty", name="case.toml"):
    text = TINY.format(y="y = [0.0, 1.0]" if dim == 2 else "",
                       exact="sin(pi*x/2)*y*(1-y) + x" if dim == 2 else "x**3 - x",
                       n=80 if dim == 2 else 30, boundary=boundary)
    return write_case(text, name)


@pytest.mark.parametrize("dim, boundary", [(1, "hard"), (2, "penalty")])
def test_solve_writes_summary_fields_and_weights(cli, write_case, tmp_path, dim, boundary):
    case = _case(write_case, dim, boundary)
    result = cli("solve", str(case), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "relative L2 error" in result.stdout and "stage 2 gauss-newton" in result.stdout
    folder = tmp_path / "results" / "tiny"
    summary = json.loads((folder / "summary.json").read_text())
    res = summary["results"]
    assert summary["status"] == "ok" and summary["case"]["case"]["kind"] == "poisson-pinn"
    assert res["rel_l2_error"] < 0.2 and res["max_error"] > 0
    assert [s["method"] for s in res["stages"]] == ["adam", "gauss-newton"]
    # one Jacobian per iterate, the last one included (its gradient is the final stop test)
    assert res["stages"][1]["jacobians"] == 16 and res["stages"][0]["gradients"] == 200
    assert all(s["wall_time"] > 0 for s in res["stages"])
    assert res["evaluation_grid"]["points"] == 21**dim
    assert res["network"]["parameters"] == (dim * 8 + 8 + 9)
    for name in ("solution.png", "residual.png", "history.png", "weights.npz",
                 "history.csv", "evaluation.npz", "solution.vti"):
        assert (folder / name).stat().st_size > 100, name
    entry = ET.parse(folder / "solution.pvd").getroot().find("Collection")[0]
    assert entry.get("file") == "solution.vti"
    data = np.load(folder / "evaluation.npz")
    assert data["u"].shape == (21,) * dim
    np.testing.assert_allclose(np.sqrt(np.mean(data["error"] ** 2))
                               / np.sqrt(np.mean(data["exact"] ** 2)), res["rel_l2_error"],
                               rtol=1e-12)
    if dim == 2:
        vtk = pytest.importorskip("vtk")
        from vtk.util.numpy_support import vtk_to_numpy

        reader = vtk.vtkXMLImageDataReader()
        reader.SetFileName(str(folder / "solution.vti"))
        reader.Update()
        image = reader.GetOutput()
        assert image.GetDimensions() == (21, 21, 1)
        u = vtk_to_numpy(image.GetPointData().GetArray("u")).reshape(21, 21).T
        np.testing.assert_array_equal(u, data["u"])

    if dim == 1:
        return
    # reload the weights and only evaluate: the same error, no training
    again = case.read_text().replace('name = "tiny"', 'name = "again"').replace(
        "[network]", f'[network]\nweights = "{folder / "weights.npz"}"')
    again = again[:again.index("[training]")] + "[training]\nstages = []\n"
    result = cli("solve", str(write_case(again, "again.toml")), "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    reloaded = json.loads((tmp_path / "results" / "again" / "summary.json").read_text())
    assert reloaded["results"]["stages"] == []
    assert reloaded["results"]["rel_l2_error"] == pytest.approx(res["rel_l2_error"], rel=1e-12)


def test_weights_of_another_network_are_refused(cli, write_case, tmp_path):
    pytest.importorskip("tensorflow")
    from pdekit.pinn.network import MLP

    case = _case(write_case, 1, "hard")
    weights = MLP(1, width=8, depth=1).save(tmp_path / "w.npz", boundary="hard",
                                            bounds=np.array([[0.0, 2.0]]))
    good = case.read_text().replace("width = 8", f'width = 8\nweights = "{weights}"')
    assert cli("check", str(write_case(good, "good.toml")), cwd=tmp_path).returncode == 0
    for old, new, message in [
            ("width = 8", "width = 9", "expected weights for width = 9 like this case (the "
                                       "file has 8)"),
            ('boundary = "hard"', 'boundary = "penalty"', "boundary = 'penalty'"),
            ("x = [0.0, 2.0]", "x = [0.0, 3.0]", "trained on the same domain")]:
        result = cli("check", str(write_case(good.replace(old, new), "other.toml")),
                     cwd=tmp_path)
        assert result.returncode == 2 and "network.weights: expected" in result.stderr
        assert message in result.stderr, result.stderr


def test_bundled_pinn_cases_check(cli):
    from tests.conftest import ROOT

    for name in ("poisson1d", "poisson2d", "poisson2d_adamax"):
        result = cli("check", str(ROOT / "cases" / f"{name}.toml"))
        assert result.returncode == 0, result.stderr
