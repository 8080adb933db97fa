"""Output layer: the live PVD index and the run folder's swap-on-success."""

import json
import time
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from pdekit.output import PVDSeries, RunContext, write_vti


def test_pvd_is_valid_after_every_add(tmp_path):
    series = PVDSeries(tmp_path / "s.pvd")
    assert ET.parse(tmp_path / "s.pvd").getroot().find("Collection") is not None
    for i, t in enumerate([0.0, 0.25, 1e-3]):
        write_vti(tmp_path / f"f{i}.vti", (0, 0), (1, 1), {"a": np.zeros((2, 3))})
        series.add(t, tmp_path / f"f{i}.vti")
        entries = ET.parse(tmp_path / "s.pvd").getroot().find("Collection")
        assert [float(e.get("timestep")) for e in entries] == [0.0, 0.25, 1e-3][: i + 1]
        assert entries[-1].get("file") == f"f{i}.vti"


def test_vti_rejects_mismatched_arrays(tmp_path):
    with pytest.raises(ValueError):
        write_vti(tmp_path / "x.vti", (0, 0), (1, 1), {"a": np.zeros((2, 2)), "b": np.zeros(3)})


def test_success_replaces_previous_and_failure_keeps_it(tmp_path):
    final = tmp_path / "results" / "demo"
    first = RunContext(final, quiet=True)
    first.prepare()
    (first.dir / "data.txt").write_text("one")
    with first.phase("work"):
        time.sleep(0.05)
    first.finish({"status": "ok"})
    assert (final / "data.txt").read_text() == "one"
    timings = json.loads((final / "summary.json").read_text())["timings"]
    assert 0.05 <= timings["work"] <= timings["total"]

    second = RunContext(final, quiet=True)
    second.prepare()
    (second.dir / "data.txt").write_text("two")
    second.fail(RuntimeError("boom"), {"step": 3})
    assert (final / "data.txt").read_text() == "one"
    error = json.loads((tmp_path / "results" / "demo.failed" / "error.json").read_text())
    assert error == {"status": "failed", "error": "boom", "type": "RuntimeError", "step": 3}

    third = RunContext(final, quiet=True)
    third.prepare()
    (third.dir / "data.txt").write_text("three")
    third.finish({"status": "ok"})
    assert (final / "data.txt").read_text() == "three"
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == [".demo.lock", "demo",
                                                                   "demo.failed"]


def test_only_rank_zero_touches_the_run_folder(tmp_path):
    final = tmp_path / "results" / "mpi"
    other = RunContext(final, quiet=True, rank=1)
    other.prepare()
    assert not (tmp_path / "results").exists()  # no race with rank 0's clean-up
    root = RunContext(final, quiet=True, rank=0)
    root.prepare()  # an interrupted run left a marked staging folder
    (tmp_path / "results" / "mpi.running" / "stale.txt").write_text("old")
    root.prepare()
    assert [p.name for p in root.dir.iterdir()] == [".pdekit-run"]


def test_error_json_survives_non_finite_numbers(tmp_path):
    context = RunContext(tmp_path / "r", quiet=True)
    context.prepare()
    context.fail(RuntimeError("blow-up"), {"max_u": np.float64("inf"), "loss": float("nan"),
                                           "history": np.array([1.0, -np.inf])})
    error = json.loads((tmp_path / "r.failed" / "error.json").read_text())
    assert error["max_u"] == "inf" and error["loss"] == "nan" and error["history"] == [1.0, "-inf"]
    assert not (tmp_path / "r.running").exists()


@pytest.mark.parametrize("compress", [True, False])
@pytest.mark.parametrize("shape", [(7,), (300, 200), (60, 50, 40), (1, 1)])
def test_vti_reads_back_with_vtk(tmp_path, compress, shape):
    """VTK's own reader (the one ParaView uses) decodes our arrays exactly, including
    zlib data of more than one block (60·50·40 float64 = 0.9 MiB, 300·200 = 0.46 MiB)."""
    vtk = pytest.importorskip("vtk")
    from vtk.util.numpy_support import vtk_to_numpy

    rng = np.random.default_rng(3)
    fields = {"u": np.sin(np.arange(np.prod(shape)) / 7.0).reshape(shape),
              "v": rng.normal(size=shape)}
    path = write_vti(tmp_path / "f.vti", (0.5,) * len(shape), (0.25,) * len(shape), fields,
                     compress=compress)
    reader = vtk.vtkXMLImageDataReader()
    reader.SetFileName(str(path))
    reader.Update()
    image = reader.GetOutput()
    dims = image.GetDimensions()
    for name, expected in fields.items():
        flat = vtk_to_numpy(image.GetPointData().GetArray(name))
        back = flat.reshape(dims[::-1]).transpose(2, 1, 0).reshape(expected.shape)
        np.testing.assert_array_equal(back, expected)
    assert image.GetOrigin()[0] == 0.5 and image.GetSpacing()[0] == 0.25


def test_compression_shrinks_smooth_fields(tmp_path):
    x = np.linspace(0, 1, 512)
    smooth = {"u": np.sin(8 * np.pi * x)[:, None] * np.cos(6 * np.pi * x)[None, :]}
    packed = write_vti(tmp_path / "z.vti", (0, 0), (1, 1), smooth).stat().st_size
    plain = write_vti(tmp_path / "p.vti", (0, 0), (1, 1), smooth, compress=False).stat().st_size
    assert packed < 0.8 * plain  # float64 mantissas limit zlib; plateaus shrink far more
