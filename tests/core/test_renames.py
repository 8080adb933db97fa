"""Renamed case keys and values keep working for one release, with a one-line notice on
stderr that ``--quiet`` silences (the design's case-vocabulary rule)."""

import pytest

import pdekit
from pdekit.errors import CaseError
from pdekit.core.renames import Renamed, rename_document, rename_override
from tests.conftest import run_cli

POISSON = {"case": {"kind": "poisson-pinn"},
           "domain": {"x": [0.0, 1.0], "y": [0.0, 1.0]},
           "problem": {"exact": "sin(pi*x)*sin(pi*y)"},
           "network": {"dtype": "float32", "width": 8},
           "training": {"stages": [{"method": "adam", "iterations": 2}]}}

CSG = {"case": {"kind": "eigen"},
       "geometry": {"shape": "csg", "combine": "a - b", "primitives": {
           "a": {"kind": "box", "corner": [0, 0, 0], "sizes": [1, 1, 1]},
           "b": {"kind": "ball", "center": [1, 1, 1], "radius": 0.5}}}}


def test_rename_document_moves_keys_and_values_with_wildcards():
    document = {"geometry": {"primitives": {"a": {"kind": "box"}, "b": {"kind": "ball"}}},
                "network": {"dtype": "float32"}}
    renames = (Renamed("geometry.primitives.*.kind", "geometry.primitives.*.shape"),
               Renamed("network.dtype", "network.precision", {"float32": "single"}))
    notices = rename_document(document, renames, "c.toml")
    assert document == {"geometry": {"primitives": {"a": {"shape": "box"},
                                                    "b": {"shape": "ball"}}},
                        "network": {"precision": "single"}}
    assert notices[0].startswith("c.toml: geometry.primitives.a.kind is now "
                                 "geometry.primitives.a.shape; the old spelling works until")
    assert "c.toml: network.precision = 'float32' is now network.precision = 'single'" \
        in notices[-1]
    assert len(notices) == 4
    assert rename_override(["network", "dtype"], renames)[0] == ["network", "precision"]
    assert rename_override(["network", "width"], renames) == (["network", "width"], None)


def test_old_pinn_precision_key_loads_as_the_new_one_with_a_notice():
    case = pdekit.load_case(POISSON)
    assert case.network.precision == "single" and case.network.dtype == "float32"
    assert case.notices == (
        "<dict>: network.dtype is now network.precision; the old spelling works until "
        "pdekit 0.3",
        "<dict>: network.precision = 'float32' is now network.precision = 'single'; the old "
        "spelling works until pdekit 0.3")
    # the resolved case (what `pdekit check` prints) uses the new words only
    assert case.resolved()["network"]["precision"] == "single"
    assert "dtype" not in case.resolved()["network"]
    # on the command line too, key and value
    fresh = dict(POISSON, network={"width": 8})
    case = pdekit.load_case(fresh, set=["network.dtype=float64"])
    assert case.network.precision == "double"
    assert case.notices[0].startswith("--set: network.dtype is now network.precision")
    assert pdekit.load_case(fresh).notices == ()


def test_old_and_new_key_together_is_bad_input():
    both = dict(POISSON, network={"dtype": "float32", "precision": "single"})
    with pytest.raises(CaseError, match="network.dtype"):
        pdekit.load_case(both)


def test_csg_primitives_take_shape_and_still_read_kind():
    case = pdekit.load_case(CSG)
    assert [p.shape for p in case.geometry.primitives.values()] == ["box", "ball"]
    assert len(case.notices) == 2 and "geometry.primitives.a.kind is now " \
        "geometry.primitives.a.shape" in case.notices[0]


def test_cli_prints_the_notice_on_stderr_and_quiet_silences_it(tmp_path):
    path = tmp_path / "old.toml"
    path.write_text('[case]\nkind = "poisson-pinn"\n[domain]\nx = [0.0, 1.0]\ny = [0.0, 1.0]\n'
                    '[problem]\nexact = "sin(pi*x)*sin(pi*y)"\n[network]\ndtype = "float32"\n'
                    'width = 4\n[points]\ninterior = 20\nboundary = 8\n'
                    '[[training.stages]]\nmethod = "adam"\niterations = 1\n'
                    '[output]\npng = false\nvtk = false\n')
    check = run_cli("check", str(path), cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert check.stderr.splitlines() == [
        f"{path}: network.dtype is now network.precision; the old spelling works until "
        "pdekit 0.3",
        f"{path}: network.precision = 'float32' is now network.precision = 'single'; the old "
        "spelling works until pdekit 0.3"]
    assert 'precision = "single"' in check.stdout
    quiet = run_cli("solve", str(path), "--quiet", "--out", str(tmp_path / "run"),
                    cwd=tmp_path)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == "" and quiet.stderr == ""


def test_turing_domain_primitives_take_shape_too():
    case = pdekit.load_case({"case": {"kind": "turing"}, "time": {"method": "ars222"},
                             "domain": dict(CSG["geometry"], maxh=0.3)})
    assert [p.shape for p in case.domain.primitives.values()] == ["box", "ball"]
    assert "domain.primitives.b.kind is now domain.primitives.b.shape" in case.notices[1]


def test_old_diffusion_value_fft_reads_as_transform():
    """grid.backend and grid.diffusion no longer share the value 'fft'."""
    case = pdekit.load_case({"case": {"kind": "turing"}, "grid": {"diffusion": "fft"}})
    assert case.grid.diffusion == "transform" and case.grid.backend == "fft"
    assert case.notices == ("<dict>: grid.diffusion = 'fft' is now grid.diffusion = "
                            "'transform'; the old spelling works until pdekit 0.3",)
