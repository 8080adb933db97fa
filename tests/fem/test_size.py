"""The size estimate of prepare against real meshes and dof counts, and its refusals."""

from __future__ import annotations

import pytest

from pdekit.core.cases import load_case
from pdekit.errors import CaseError
from pdekit.fem.solve import size
from pdekit.fem.solve.size_check import estimate_levels

from .gmsh_helper import write_square_msh

HEAD = '[case]\nkind = "eigen"\n'

SHAPES = {
    "square": ('shape = "square"\nside = 2.0', "maxh = 0.2", 2),
    "rectangle": ('shape = "rectangle"\nwidth = 3.0\nheight = 0.5', "maxh = 0.1\nrefine = 1", 1),
    "disk": ('shape = "disk"\nradius = 1.0\ncenter = [5.0, -2.0]', "maxh = 0.3", 3),
    "lshape": ('shape = "lshape"', "maxh = 0.25\nhp_levels = 8", 2),
    "polygon": ('shape = "polygon"\nvertices = [[0, 0], [3, 0], [3, 1], [1, 1], [1, 2], '
                '[0, 2]]', "maxh = 0.2\nhp = false", 4),
    "mesh": ('shape = "mesh"\nfile = "square.msh"', "refine = 1", 2),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_estimated_dofs_within_a_factor_two_of_real_ones(name, tmp_path, write_case):
    from pdekit.fem.solve.assembly import assemble
    from pdekit.fem.geometry.mesh import build_mesh

    write_square_msh(tmp_path / "square.msh", n=6)
    geometry, mesh, order = SHAPES[name]
    case_text = f"{HEAD}[geometry]\n{geometry}\n[mesh]\n{mesh}\n[fem]\norder = {order}\n"
    setup = load_case(write_case(case_text), (), ()).prepared
    (level,) = setup.levels
    _, (estimate,) = estimate_levels(setup.case, setup.shape, setup.dirichlet, setup.levels,
                                     setup.hp_levels)
    built, info = build_mesh(setup.shape, set(setup.dirichlet), maxh=setup.case.mesh.maxh,
                             refine=level[1], hp=setup.case.mesh.hp,
                             hp_levels=setup.hp_levels[order],
                             hp_factor=setup.case.mesh.hp_factor, curve_order=order)
    dofs = assemble(built, order, set(setup.dirichlet)).ndof_total
    assert 0.5 < estimate.elements / info.elements < 2
    assert 0.5 < estimate.dofs / dofs < 2, (estimate.dofs, dofs)


def test_memory_model_reproduces_its_calibration():
    """The measured peaks the constants were fitted to (unit square, 6 pairs)."""
    measured = [(1, 45798, 114.2), (1, 184121, 507.1), (4, 46113, 145.6),
                (4, 184321, 608.0), (8, 45745, 310.2)]
    for order, dofs, mib in measured:
        elements = 2 * dofs / order ** 2
        estimate = size.level_size(elements, 0.0, order, 0, 0.0, ncv=21)
        above_base = (estimate.bytes - size.BASE_BYTES) / 2**20
        assert 0.9 < above_base / mib < 1.5


def test_hp_layer_limit():
    assert size.hp_layer_limit(0.2) == 17
    assert 0.5 ** size.hp_layer_limit(0.5) >= size.SMALLEST_HP_LAYER


@pytest.mark.parametrize("overrides, key", [
    (("mesh.refine=14",), "mesh.refine"),
    (("mesh.maxh=1e-6",), "mesh.maxh"),
    (("fem.order=1000",), "fem.order"),
    (("convergence.refine=[0, 14]",), "convergence.refine"),
    (("convergence.orders=[1, 600]", "convergence.refine=[0]"), "convergence.orders"),
    (("solver.nev=100000",), "solver.nev"),
    (("output.subdivision=5000",), "output.subdivision"),
    (("mesh.hp_levels=40",), "mesh.hp_levels"),
    (("geometry.side=1e12",), "geometry.side"),
    (("geometry.side=1e-40",), "geometry.side"),
])
def test_impossible_sizes_name_their_key(overrides, key, write_case):
    with pytest.raises(CaseError) as error:
        load_case(write_case(HEAD + '[geometry]\nshape = "square"\n'), overrides, ())
    assert error.value.key == key


def test_auto_hp_layers_are_capped_not_refused(write_case):
    setup = load_case(write_case(HEAD + '[geometry]\nshape = "lshape"\n[fem]\norder = 30\n'
                                 '[mesh]\nmaxh = 0.5\n'), (), ()).prepared
    assert setup.hp_levels == {30: size.hp_layer_limit(0.2)}


def test_3d_memory_follows_the_inner_solve_auto_would_take():
    # 1.2e6 P2 dofs on the unit cube: CG + AMG (sparse rows) needs no factor, a forced
    # CHOLMOD factor of the same matrix does (N^(4/3) fill)
    coarse = 14181.0  # Netgen's tetrahedra for the unit cube at maxh 0.075
    iterative = size.level_size_3d(coarse, 2, 2, 0.0, 20)
    direct = size.level_size_3d(coarse, 2, 2, 0.0, 20, "cholmod")
    assert 1e6 < iterative.dofs < 2e6
    assert iterative.bytes < 5 * 2**30 < 10 * 2**30 < direct.bytes
    # high order has dense rows: auto factorizes, so the estimate counts the factor
    assert size.level_size_3d(coarse / 27, 4, 2, 0.0, 20).bytes == \
        size.level_size_3d(coarse / 27, 4, 2, 0.0, 20, "cholmod").bytes
