"""The ``eigen`` kind: Laplacian eigenproblems −Δu = λu with NGSolve + SLEPc.

This module is the thin glue between a case file and the numerics in ``pdekit.fem``:
schema, validation (everything checked before a byte is written) and :func:`run`. It
imports no NGSolve/PETSc/SLEPc/MPI at module level (``pdekit list`` stays light).

Under ``mpiexec -n N`` every rank runs :func:`run`: rank 0 meshes and distributes, all
ranks assemble their part, SLEPc/MUMPS solve on the distributed matrices, the modes are
gathered and written by rank 0. An exception on one rank aborts all of them.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from typing import Any

from pdekit.errors import CaseError, NumericalError
from pdekit.fem.slepc_solver import METHODS, PROBLEM_TYPES  # stdlib-only at import time
from pdekit.schema import Key, at_least, did_you_mean, positive

DESCRIPTION = ("Laplace eigenproblems -Δu = λu (H1 FEM, NGSolve) solved by SLEPc Krylov–Schur "
               "with shift-and-invert and MUMPS; square, rectangle, L-shape, disk, polygons, "
               "Gmsh meshes; hp-grading at singular corners; convergence studies; runs under "
               "mpiexec.")

SHAPES = ("square", "rectangle", "lshape", "disk", "polygon", "mesh")


def _unit_interval(value: float) -> str | None:
    return None if 0 < value < 1 else "a number strictly between 0 and 1"


SCHEMA: dict[str, dict[str, Key]] = {
    "geometry": {
        "shape": Key(str, "square", "domain", choices=SHAPES),
        "side": Key(float, 1.0, "side of the square (0,side)²", check=positive),
        "width": Key(float, 1.0, "rectangle (0,width)×(0,height)", check=positive),
        "height": Key(float, 1.0, "rectangle (0,width)×(0,height)", check=positive),
        "radius": Key(float, 1.0, "disk radius", check=positive),
        "center": Key(list, [0.0, 0.0], "disk center [x, y]", item=float),
        "vertices": Key(list, None, "polygon vertices [[x, y], ...] (shape = 'polygon')"),
        "edge_names": Key(list, None, "polygon boundary names, one per edge i -> i+1 "
                                      "(default edge0, edge1, ...)", item=str),
        "file": Key(str, None, "Gmsh .msh file (format 2), relative to the case file "
                               "(shape = 'mesh')"),
    },
    "mesh": {
        "maxh": Key(float, 0.1, "Netgen mesh size of the coarse mesh", check=positive),
        "refine": Key(int, 0, "uniform refinements after meshing (h/2 each)", check=at_least(0)),
        "hp": Key(bool, True, "geometric grading toward singular corners (π/ω not an integer; "
                              "built-in geometries and polygons, not Gmsh files)"),
        "hp_levels": Key(int, 0, "hp grading layers (0: auto = element order)",
                          check=at_least(0)),
        "hp_factor": Key(float, 0.2, "hp grading ratio per layer", check=_unit_interval),
        "curve": Key(int, 0, "order of curved boundaries (0: auto = element order)",
                     check=at_least(0)),
    },
    "fem": {
        "order": Key(int, 2, "H1 polynomial order p", check=at_least(1)),
    },
    "boundary": {
        "default": Key(str, "dirichlet", "condition on boundaries not listed",
                       choices=("dirichlet", "neumann")),
        "dirichlet": Key(list, [], "boundary names with u = 0", item=str),
        "neumann": Key(list, [], "boundary names with ∂u/∂n = 0", item=str),
    },
    "solver": {
        "nev": Key(int, 6, "number of eigenpairs", check=at_least(1)),
        "target": Key(float, None, "shift σ: eigenvalues nearest it (default 0, or -1 when "
                                   "no boundary is Dirichlet)"),
        "ncv": Key(int, None, "Krylov subspace size (default: SLEPc's)", check=at_least(1)),
        "tol": Key(float, 1e-10, "relative convergence tolerance", check=positive),
        "max_it": Key(int, 1000, "maximum Krylov–Schur restarts", check=at_least(1)),
        "problem_type": Key(str, "ghep", "SLEPc problem type",
                            choices=tuple(PROBLEM_TYPES)),
        "method": Key(str, "krylovschur", "SLEPc EPS type (others via "
                                          "[solver.petsc] eps_type)",
                      choices=METHODS),
        "cluster_rtol": Key(float, 5e-3, "relative gap below which eigenvalues form one "
                                         "multiplicity cluster (discretization splits "
                                         "multiplets by about the FEM error)",
                            check=positive),
        "petsc": Key(dict, {}, "PETSc/SLEPc options database entries, e.g. "
                               "[solver.petsc] eps_view = true"),
    },
    "convergence": {
        "refine": Key(list, [], "uniform refinement levels of a convergence study", item=int),
        "orders": Key(list, [], "element orders of a convergence study", item=int),
        "reference": Key(list, [], "reference eigenvalues (default: built-in exact values "
                                   "or Richardson extrapolation)", item=float),
        "compare": Key(int, 0, "eigenvalues tabulated per level (0: min(nev, 4))",
                       check=at_least(0)),
    },
    "output": {
        "modes": Key(int, 6, "eigenmodes written as .vtu (+ modes.pvd)", check=at_least(0)),
        "plot": Key(int, 4, "eigenmodes drawn in modes.png", check=at_least(0)),
        "subdivision": Key(int, 0, "sub-triangles per element edge in the output "
                                   "(0: auto = max(order, curve))", check=at_least(0)),
    },
}


# --------------------------------------------------------------------------- validation

def _boundary_names(case: Any) -> list[str] | None:
    """Boundary names of the geometry, or ``None`` when unknown (mesh without names)."""
    from pdekit.fem.geometry import make_shape

    shape = make_shape(case.params["geometry"])
    return shape.boundaries or None


def dirichlet_set(params: dict[str, Any], boundaries: list[str]) -> set[str]:
    """Names of the Dirichlet boundaries after applying ``[boundary]``."""
    table = params["boundary"]
    if table["default"] == "dirichlet":
        return set(boundaries) - set(table["neumann"])
    return set(table["dirichlet"])


def validate(case: Any) -> None:
    """Check everything that can be checked without meshing; raise :class:`CaseError`."""
    from pdekit.fem.geometry import gmsh_physical_names, polygon_problem
    from pdekit.fem.slepc_solver import parse_option_tokens, table_options

    src, p = case.source, case.params
    geometry = p["geometry"]
    shape = geometry["shape"]
    if len(geometry["center"]) != 2:
        raise CaseError(src, "geometry.center", "[x, y]", geometry["center"])
    if shape == "polygon":
        if geometry["vertices"] is None:
            raise CaseError(src, "geometry.vertices", "a vertex list for shape = 'polygon'")
        problem = polygon_problem(geometry["vertices"])
        if problem:
            raise CaseError(src, "geometry.vertices", problem, geometry["vertices"])
        names = geometry["edge_names"]
        if names is not None and len(names) != len(geometry["vertices"]):
            raise CaseError(src, "geometry.edge_names",
                            f"{len(geometry['vertices'])} names (one per edge)", names)
    elif geometry["vertices"] is not None:
        raise CaseError(src, "geometry.vertices", "no vertices unless shape = 'polygon'")
    if shape == "mesh":
        if not geometry["file"]:
            raise CaseError(src, "geometry.file", "a Gmsh .msh file for shape = 'mesh'")
        path = Path(geometry["file"])
        if not path.is_absolute():
            beside = Path(src).parent / path
            path = beside if beside.exists() or not path.exists() else path
        if not path.is_file():
            raise CaseError(src, "geometry.file", "an existing Gmsh .msh file",
                            geometry["file"])
        try:
            gmsh_physical_names(path)
        except (OSError, ValueError) as error:
            raise CaseError(src, "geometry.file", f"a Gmsh text mesh ({error})",
                            geometry["file"]) from None
        geometry["file"] = str(path.resolve())
    boundaries = _boundary_names(case)
    bc = p["boundary"]
    overlap = set(bc["dirichlet"]) & set(bc["neumann"])
    if overlap:
        raise CaseError(src, "boundary.neumann", "names not also listed as Dirichlet",
                        sorted(overlap))
    for key in ("dirichlet", "neumann"):
        for name in bc[key]:
            if boundaries is not None and name not in boundaries:
                raise CaseError(src, f"boundary.{key}",
                                f"a boundary of this geometry {did_you_mean(name, boundaries)}",
                                name)
    solver = p["solver"]
    if boundaries is not None:
        pure_neumann = not dirichlet_set(p, boundaries)
    else:
        pure_neumann = bc["default"] == "neumann" and not bc["dirichlet"]
    if pure_neumann and solver["target"] is not None and solver["target"] == 0:
        raise CaseError(src, "solver.target", "a shift below 0 without Dirichlet boundaries "
                        "(the stiffness matrix is singular)", solver["target"])
    if solver["ncv"] is not None and solver["ncv"] < solver["nev"]:
        raise CaseError(src, "solver.ncv", f"ncv >= nev = {solver['nev']}", solver["ncv"])
    try:
        table_options(solver["petsc"])
    except ValueError as error:
        raise CaseError(src, "solver.petsc", str(error), None) from None
    try:
        parse_option_tokens(case.solver_args)
    except ValueError as error:
        raise CaseError("command line", "--", str(error), None) from None
    study = p["convergence"]
    for i, level in enumerate(study["refine"]):
        if level < 0:
            raise CaseError(src, f"convergence.refine[{i}]", "a number >= 0", level)
    for i, order in enumerate(study["orders"]):
        if order < 1:
            raise CaseError(src, f"convergence.orders[{i}]", "an order >= 1", order)


# --------------------------------------------------------------------------- running

def run(case: Any, context: Any) -> Any:
    """Run the case on this rank; abort all ranks if this one fails under MPI."""
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    try:
        report = _run(case, context, comm)
        peaks = comm.gather(_peak_rss_mib(), root=0)  # also the final barrier
        report.results["peak_rss_mib_per_rank"] = peaks
        return report
    except NumericalError as error:
        if getattr(error, "collective", False) or comm.size == 1:
            raise
        _abort(comm, context, error, 1)
    except CaseError as error:
        if comm.size == 1:
            raise
        _abort(comm, context, error, 2)
    except BaseException as error:
        if comm.size == 1:
            raise
        _abort(comm, context, error, 1)
    raise AssertionError("unreachable")


def _peak_rss_mib() -> float:
    """Peak resident memory of this process in MiB (Linux ``ru_maxrss`` is in KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _abort(comm: Any, context: Any, error: BaseException, code: int) -> None:
    """Report ``error`` from this rank and end every rank (no hang in collectives)."""
    import traceback

    if not isinstance(error, (CaseError, NumericalError)):
        traceback.print_exc()
    print(f"pdekit: rank {comm.rank} of {comm.size}: {type(error).__name__}: {error}",
          file=sys.stderr, flush=True)
    try:
        context.fail(error, getattr(error, "data", None))
    except Exception:  # the folder may be half gone; aborting matters more
        pass
    comm.Abort(code)


def _levels(params: dict[str, Any]) -> list[tuple[int, int]]:
    """(order, refinements) per level; one level unless a study is requested."""
    study = params["convergence"]
    orders = study["orders"] or [params["fem"]["order"]]
    refines = study["refine"] or [params["mesh"]["refine"]]
    return [(order, refine) for order in orders for refine in refines]


def _reference(params: dict[str, Any], shape: Any, dirichlet: set[str], n: int
               ) -> tuple[list[float | None] | None, str]:
    from pdekit.fem.reference import reference_eigenvalues

    given = params["convergence"]["reference"]
    if given:
        return [float(v) for v in given][:n] + [None] * max(0, n - len(given)), "given"
    geometry = params["geometry"]
    name = geometry["shape"]
    width = geometry["side"] if name == "square" else geometry["width"]
    height = geometry["side"] if name == "square" else geometry["height"]
    sides = {edge: edge in dirichlet for edge in ("bottom", "right", "top", "left")}
    values = reference_eigenvalues(
        name, n, width=width, height=height, radius=geometry["radius"],
        dirichlet_sides=sides, all_dirichlet=set(shape.boundaries) <= dirichlet,
        all_neumann=not dirichlet)
    if values is None:
        return None, "none"
    return values, ("published" if name == "lshape" else "exact")


def _solve_level(case: Any, context: Any, comm: Any, shape: Any, dirichlet: set[str],
                 order: int, refine: int, options: list) -> dict[str, Any]:
    """Mesh, assemble and solve one level; returns the numbers and live objects."""
    from pdekit.fem.assembly import assemble
    from pdekit.fem.mesh import MeshFileError, build_mesh
    from pdekit.fem.slepc_solver import (SolverFailure, SolverSetupError,
                                         UnusedOptionsError, clusters, solve_eigen)

    p = case.params
    times: dict[str, float] = {}
    start = time.perf_counter()
    with context.phase("mesh"):
        hp_levels = p["mesh"]["hp_levels"] or order
        curve = p["mesh"]["curve"] or order
        try:
            mesh, info = build_mesh(shape, dirichlet, maxh=p["mesh"]["maxh"], refine=refine,
                                    hp=p["mesh"]["hp"], hp_levels=hp_levels,
                                    hp_factor=p["mesh"]["hp_factor"], curve_order=curve,
                                    comm=comm)
        except MeshFileError as error:
            raise CaseError(case.source, "geometry.file", str(error),
                            p["geometry"]["file"]) from None
    times["mesh"] = time.perf_counter() - start
    start = time.perf_counter()
    with context.phase("assembly"):
        disc = assemble(mesh, order, dirichlet)
    times["assembly"] = time.perf_counter() - start
    solver = p["solver"]
    target = solver["target"] if solver["target"] is not None else (0.0 if dirichlet else -1.0)
    nev = solver["nev"]
    if disc.ndof <= nev:
        raise CaseError(case.source, "solver.nev",
                        f"fewer pairs than the {disc.ndof} free dofs (refine the mesh)", nev)
    start = time.perf_counter()
    with context.phase("solve"):
        try:
            result = solve_eigen(disc.A, disc.M, nev=nev, target=target, ncv=solver["ncv"],
                                 tol=solver["tol"], max_it=solver["max_it"],
                                 problem_type=solver["problem_type"],
                                 method=solver["method"], options=options)
        except SolverSetupError as error:
            if options:  # most likely the user's options; say where they came from
                raise CaseError("[solver.petsc] / options after --", "solver.petsc",
                                f"options SLEPc accepts ({error})", None) from None
            raise NumericalError(str(error), {"target": target, "ndof": disc.ndof}) from None
        except UnusedOptionsError as error:
            raise CaseError("[solver.petsc] / options after --", "solver.petsc", str(error),
                            None) from None
        except SolverFailure as error:
            raise NumericalError(str(error), {"target": target, "ndof": disc.ndof}) from None
    times["solve"] = time.perf_counter() - start
    if result.converged < nev:
        error = NumericalError(
            f"SLEPc converged {result.converged} of {nev} eigenpairs after "
            f"{result.iterations} iterations (tol {solver['tol']:g}, max_it "
            f"{solver['max_it']}, ncv {result.settings['ncv']}, {disc.ndof} dofs); "
            f"converged: {[f'{v:.10g}' for v in result.eigenvalues]}",
            {"converged": result.converged, "requested": nev,
             "iterations": result.iterations, "eigenvalues": result.eigenvalues,
             "ndof": disc.ndof})
        error.collective = True  # the count is global: every rank raises it together
        raise error
    # Keep the pairs nearest the target, in ascending order.
    keep = sorted(sorted(range(result.converged),
                         key=lambda i: abs(result.eigenvalues[i] - target))[:nev])
    values = [result.eigenvalues[i] for i in keep]
    groups = clusters(values, solver["cluster_rtol"])
    return {
        "order": order, "refine": refine,
        "h": p["mesh"]["maxh"] * 0.5 ** refine,
        "ndof": disc.ndof, "ndof_total": disc.ndof_total,
        "elements": info.elements, "vertices": info.vertices,
        "singular_corners": info.singular_corners, "hp_levels": info.hp_levels,
        "curve_order": info.curve_order,
        "eigenvalues": values,
        "residuals": [result.residuals[i] for i in keep],
        "error_estimates": [result.estimates[i] for i in keep],
        "clusters": [{"mean": sum(values[i] for i in g) / len(g), "multiplicity": len(g),
                      "indices": g} for g in groups],
        "iterations": result.iterations, "converged": result.converged,
        "solver": result.settings, "timings": times,
        "_live": (mesh, disc, [result.vectors[i] for i in keep]),
    }


def _write_modes(case: Any, context: Any, comm: Any, level: dict[str, Any]) -> list[str]:
    """Sample, gather and write the first modes (.vtu/.pvd/.png) on rank 0."""
    import ngsolve

    from pdekit.fem.assembly import free_dof_vector_to_gridfunction
    from pdekit.fem.modes_output import (gather_samples, normalize_signs, plot_modes,
                                         sample_modes, write_modes_vtu)

    out = case.params["output"]
    count = min(max(out["modes"], out["plot"]), len(level["eigenvalues"]))
    if count == 0:
        return []
    mesh, disc, vectors = level["_live"]
    gridfunctions = []
    for vector in vectors[:count]:
        gf = ngsolve.GridFunction(disc.space)
        free_dof_vector_to_gridfunction(disc.space, vector, gf)
        gridfunctions.append(gf)
    subdivision = out["subdivision"] or max(level["order"], level["curve_order"], 1)
    local = sample_modes(mesh, gridfunctions, subdivision)
    gathered = gather_samples(comm, *local)
    if gathered is None:
        return []
    points, triangles, values = gathered
    values = normalize_signs(values)
    files = []
    eigenvalues = level["eigenvalues"]
    if out["modes"]:
        paths = write_modes_vtu(context.dir, points, triangles, values[:out["modes"]],
                                eigenvalues)
        files += [p.name for p in paths] + ["modes.pvd"]
    if out["plot"]:
        plot_modes(context.dir / "modes.png", points, triangles, values[:out["plot"]],
                   eigenvalues, f"{case.name}: p = {level['order']}, {level['ndof']} dofs")
        files.append("modes.png")
    return files


def _run(case: Any, context: Any, comm: Any) -> Any:
    from pdekit.fem.convergence import plot_convergence, richardson
    from pdekit.fem.geometry import make_shape
    from pdekit.fem.reference import relative_errors
    from pdekit.fem.slepc_solver import parse_option_tokens, table_options
    from pdekit.output import RunReport

    p = case.params
    shape = make_shape(p["geometry"])
    if shape.kind == "mesh" and not shape.boundaries:
        shape.boundaries = ["default"]
    dirichlet = dirichlet_set(p, shape.boundaries)
    options = table_options(p["solver"]["petsc"]) + parse_option_tokens(case.solver_args)
    levels = _levels(p)
    nev = p["solver"]["nev"]
    reference, reference_kind = _reference(p, shape, dirichlet, nev)
    progress = context.progress(len(levels), "levels", "level")
    solved = []
    for order, refine in levels:
        level = _solve_level(case, context, comm, shape, dirichlet, order, refine, options)
        context.log(f"p={order} refine={refine}: {level['ndof']} dofs, "
                    f"λ1 = {level['eigenvalues'][0]:.15g}")
        if solved:
            solved[-1]["_live"] = None  # free the previous level's mesh and matrices
        solved.append(level)
        progress.update(1)
    progress.close()
    final = solved[-1]
    with context.phase("output"):
        files = _write_modes(case, context, comm, final)
    for level in solved:
        level.pop("_live", None)
    compare = min(p["convergence"]["compare"] or min(nev, 4), nev)
    study = len(levels) > 1
    if reference is None and study:
        reference, reference_kind = [], "richardson"
        for i in range(compare):
            # Richardson along the refinements of the last order, if there are >= 3.
            last = [lv for lv in solved if lv["order"] == solved[-1]["order"]]
            estimate = richardson([lv["eigenvalues"][i] for lv in last]) \
                if len(last) >= 3 else None
            reference.append(estimate[0] if estimate else None)
    for level in solved:
        level["errors"] = relative_errors(level["eigenvalues"], reference) \
            if reference else None
    results: dict[str, Any] = {
        "geometry": {"shape": p["geometry"]["shape"], "boundaries": shape.boundaries,
                     "dirichlet": sorted(dirichlet),
                     "singular_corners": final["singular_corners"]},
        "ranks": comm.size,
        "ndof": final["ndof"], "order": final["order"],
        "eigenvalues": final["eigenvalues"],
        "eigenvalues_over_pi2": [v / math.pi ** 2 for v in final["eigenvalues"]],
        "residuals": final["residuals"], "error_estimates": final["error_estimates"],
        "clusters": final["clusters"], "iterations": final["iterations"],
        "reference": reference, "reference_kind": reference_kind,
        "errors": final["errors"], "solver": final["solver"], "files": files,
    }
    lines = [f"{case.name}: {p['geometry']['shape']}, p = {final['order']}, "
             f"{final['elements']} elements, {final['ndof']} free dofs, {comm.size} rank(s)"]
    if final["singular_corners"]:
        lines.append(f"singular corners (vertex indices) {final['singular_corners']}: "
                     f"hp-grading {final['hp_levels']} levels")
    lines.append(f"{'i':>3} {'lambda':>22} {'lambda/pi^2':>18} {'rel.residual':>12} "
                 f"{'est.error':>10} {'ref.error':>10}")
    for i, value in enumerate(final["eigenvalues"]):
        err = final["errors"][i] if final["errors"] and i < len(final["errors"]) else None
        lines.append(f"{i + 1:>3} {value:>22.15g} {value / math.pi ** 2:>18.12g} "
                     f"{final['residuals'][i]:>12.2e} {final['error_estimates'][i]:>10.2e} "
                     f"{'-' if err is None else f'{err:.2e}':>10}")
    lines.append("clusters: " + ", ".join(f"{c['mean']:.10g} (x{c['multiplicity']})"
                                          for c in final["clusters"]))
    lines.append(f"{final['solver']['method']} iterations: {final['iterations']}; "
                 "timings (s): " + ", ".join(
        f"{k} {v:.3f}" for k, v in context.timings.items()))
    if study:
        results["study"] = _study_table(solved, compare, reference, reference_kind)
        lines += _study_lines(results["study"], compare)
        if context.is_root:
            series = {}
            for order in sorted({lv["order"] for lv in solved}):
                rows = [lv for lv in solved if lv["order"] == order]
                for i in range(compare):
                    if reference and i < len(reference) and reference[i] is not None:
                        series[f"p={order} λ{i + 1}"] = (
                            [lv["ndof"] for lv in rows], [lv["errors"][i] for lv in rows])
            if series:
                plot_convergence(context.dir / "convergence.png", series, "free dofs",
                                 f"{case.name}: error vs dofs ({reference_kind} reference)")
                results["files"].append("convergence.png")
    results["levels"] = solved if study else None
    return RunReport(results, lines)


def _study_table(solved: list[dict], compare: int, reference: list | None,
                 reference_kind: str) -> dict[str, Any]:
    """Errors per level and observed rates in h along each order's refinements."""
    from pdekit.fem.convergence import observed_rates

    rates: dict[str, list] = {}
    for order in sorted({lv["order"] for lv in solved}):
        rows = [lv for lv in solved if lv["order"] == order]
        if len(rows) > 1 and reference:
            for i in range(compare):
                rate = observed_rates([lv["h"] for lv in rows],
                                      [lv["errors"][i] for lv in rows])
                rates[f"p={order} lambda{i + 1}"] = rate
                for lv, r in zip(rows, rate):
                    lv.setdefault("rates_h", [None] * compare)[i] = r
    return {"reference": reference, "reference_kind": reference_kind,
            "rates_h": rates,
            "rows": [{"order": lv["order"], "refine": lv["refine"], "h": lv["h"],
                      "ndof": lv["ndof"], "eigenvalues": lv["eigenvalues"][:compare],
                      "errors": lv["errors"][:compare] if lv["errors"] else None,
                      "rates_h": lv.get("rates_h"),
                      "timings": lv["timings"]} for lv in solved]}


def _study_lines(study: dict[str, Any], compare: int) -> list[str]:
    lines = [f"convergence study ({study['reference_kind']} reference):",
             f"{'p':>3} {'ref':>4} {'h':>9} {'dofs':>9}  " + "  ".join(
                 f"{'lambda' + str(i + 1):>20} {'rel.err':>9} {'rate':>5}"
                 for i in range(compare))]
    for row in study["rows"]:
        cells = []
        for i in range(compare):
            err = row["errors"][i] if row["errors"] else None
            rate = row["rates_h"][i] if row["rates_h"] else None
            cells.append(f"{row['eigenvalues'][i]:>20.14g} "
                         f"{'-' if err is None else f'{err:.2e}':>9} "
                         f"{'-' if rate is None else f'{rate:.2f}':>5}")
        lines.append(f"{row['order']:>3} {row['refine']:>4} {row['h']:>9.4g} "
                     f"{row['ndof']:>9}  " + "  ".join(cells))
    return lines
