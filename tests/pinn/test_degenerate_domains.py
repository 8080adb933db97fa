"""Cases that ran and reported a meaningless error are refused, or warned about
(issue 27, C and G): domains too small or thin for a network to resolve (one bound,
:mod:`pdekit.pinn.domains.extent`), a Robin part without its coefficient, an ``op`` on the
first CSG operand, a bowtie polygon, and an exact solution that disagrees with the
boundary data or the forcing (:mod:`pdekit.pinn.consistency`)."""

from __future__ import annotations

import pytest

from pdekit.core.cases import load_case
from pdekit.cli import main
from pdekit.pinn.domains.extent import RESOLUTION, SMALLEST_EXTENT, extent_problem
from tests.conftest import run_cli

HEAD = '[case]\nkind = "poisson-pinn"\n[training]\nstages = []\n'
EXACT = '[problem]\nexact = "x*y + 1"\n'

REFUSED = {
    "disk radius 1e-300": ('[domain]\nshape = "disk"\nradius = 1e-300\n' + EXACT,
                           "domain.radius", "at least 1e-08 across"),
    "ball radius 1e-200": ('[domain]\nshape = "ball"\nradius = 1e-200\n'
                           '[problem]\nexact = "x*y*z"\n', "domain.radius", "across"),
    "box 1e-12 thin": ('[domain]\nx = [0, 1]\ny = [0, 1e-12]\n' + EXACT, "domain.y",
                       "across"),
    "box thin for its coordinates": ('[domain]\nx = [1e4, 10000.001]\ny = [0, 1]\n' + EXACT,
                                     "domain.x", "float32 coordinates cannot resolve it"),
    "csg sliver": ('[domain]\nshape = "csg"\ncsg = [{shape = "rectangle", x = [0, 1], '
                   'y = [0, 1]}, {op = "subtract", shape = "rectangle", x = [0, 1], '
                   'y = [1e-10, 1]}]\n' + EXACT, "domain.csg", "filling at least"),
    # the first operand's op was silently ignored
    "csg first op": ('[domain]\nshape = "csg"\ncsg = [{op = "subtract", shape = "rectangle", '
                     'x = [0, 1], y = [0, 1]}, {shape = "disk", center = [1, 1], '
                     'radius = 0.5}]\n' + EXACT, "domain.csg", "no op on the first operand"),
    # a Robin part silently got coefficient 0 (a Neumann condition)
    "robin without coefficient": ('[domain]\nx = [0, 1]\ny = [0, 1]\n' + EXACT
                                  + '[boundary.left]\ntype = "robin"\n',
                                  "boundary.left.coefficient", "a coefficient a"),
    # it was called "a simple polygon: edges 0 and 2 intersect"
    "bowtie": ('[domain]\nshape = "polygon"\nvertices = [[0, 0], [1, 1], [1, 0], [0, 1]]\n'
               + EXACT, "domain.vertices", "self-intersecting"),
}


@pytest.mark.parametrize("name", REFUSED)
def test_refused_with_one_line(tmp_path, capsys, name):
    text, key, phrase = REFUSED[name]
    path = tmp_path / "case.toml"
    path.write_text(HEAD + text)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{key}: expected" in err[0] and phrase in err[0], err


def test_the_extent_bound():
    assert RESOLUTION == pytest.approx(1.19e-4, rel=1e-2)
    assert extent_problem([(0, 1), (0, 1)], 1.0) is None
    assert extent_problem([(0, 2 * SMALLEST_EXTENT)], 2 * SMALLEST_EXTENT) is None
    assert "across" in extent_problem([(0, SMALLEST_EXTENT / 2)], SMALLEST_EXTENT / 2)
    assert "filling" in extent_problem([(0, 1), (0, 1)], RESOLUTION / 2)


def case(problem: dict, domain: dict | None = None) -> list[str]:
    return load_case({"case": {"kind": "poisson-pinn", "name": "c"},
                      "training": {"stages": []}, "domain": domain or {"x": [0, 1],
                                                                       "y": [0, 1]},
                      "problem": problem}).prepared.warnings


def test_exact_solution_disagreeing_with_the_data_is_measured():
    exact = "sin(pi*x)*sin(pi*y)"
    # boundary 1 where exact is 0: a disagreement of max |exact| = 1
    (boundary,) = case({"exact": exact, "boundary": "1"})
    assert "problem.boundary differs from problem.exact" in boundary
    assert "by up to 1 of max |exact|" in boundary
    # half the Laplacian: off by pi^2 where it is 2 pi^2, relative to the 99th
    # percentile of |Lap exact| (just below 2 pi^2 on the 101 x 101 grid)
    (forcing,) = case({"exact": exact, "forcing": "-pi**2*sin(pi*x)*sin(pi*y)"})
    assert "problem.forcing differs from the Laplacian of problem.exact" in forcing
    assert float(forcing.split("by up to ")[1].split()[0]) == pytest.approx(0.5, abs=0.01)


@pytest.mark.parametrize("problem, domain", [
    ({"exact": "sin(pi*x)*sin(pi*y)", "forcing": "-2*pi**2*sin(pi*x)*sin(pi*y)",
      "boundary": "0"}, None),
    ({"exact": "sin(10*pi*x)*sin(10*pi*y)", "boundary": "0",
      "forcing": "-200*pi**2*sin(10*pi*x)*sin(10*pi*y)"}, None),
    # a point singularity: differences do not converge there, it is not judged
    ({"exact": "sqrt(x*x + y*y)", "forcing": "1/sqrt(x*x + y*y + 1e-300)"},
     {"shape": "disk"}),
    ({"exact": "x**3", "forcing": "6*x", "boundary": "x**3"}, {"x": [0, 2]}),
])
def test_consistent_data_give_no_warning(problem, domain):
    assert case(problem, domain) == []


def test_the_run_prints_the_warning(tmp_path):
    pytest.importorskip("tensorflow")
    path = tmp_path / "case.toml"
    path.write_text(HEAD + '[domain]\nx = [0, 1]\ny = [0, 1]\n[problem]\nexact = "x*y"\n'
                    'boundary = "x*y + 0.5"\n[points]\ninterior = 16\nboundary = 4\n'
                    '[evaluation]\nn = 9\n[output]\npng = false\nvtk = false\n')
    result = run_cli("solve", str(path), "--out", str(tmp_path / "out"), timeout=300)
    assert result.returncode == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warned) == 1, result.stderr
    assert warned[0].startswith("pdekit: warning: problem.boundary differs from problem.exact "
                                "on the Dirichlet boundary by up to 0.5 of max |exact| (at ")
