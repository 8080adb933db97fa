"""What an eigen run reports: the ``results`` of ``summary.json`` and the terminal lines."""

from __future__ import annotations

import math
import textwrap
from typing import Any

from pdekit.fem.prepare import EigenSetup
from pdekit.fem.solve.study import StudyOutcome, by_order


def results(setup: EigenSetup, outcome: StudyOutcome, ranks: int, files: list[str]
            ) -> dict[str, Any]:
    """The machine-readable results (``summary.json``'s ``results``)."""
    final = outcome.final
    data: dict[str, Any] = {
        "geometry": {"shape": setup.case.geometry.shape, "dim": setup.dim,
                     "boundaries": setup.shape.boundaries,
                     "dirichlet": sorted(setup.dirichlet),
                     "singular_corners": final.singular_corners,
                     "singular_edges": final.singular_edges},
        "ranks": ranks,
        "ndof": final.ndof, "order": final.order,
        "eigenvalues": final.eigenvalues,
        "eigenvalues_over_pi2": [v / math.pi ** 2 for v in final.eigenvalues],
        "residuals": final.residuals, "error_estimates": final.error_estimates,
        "clusters": final.clusters, "iterations": final.iterations,
        "reference": outcome.reference, "reference_kind": outcome.reference_kind,
        "errors": final.errors, "solver": final.solver, "files": files,
        "workers": final.workers, "measures": final.measures,
    }
    if outcome.accuracy is not None:
        data["accuracy"] = outcome.accuracy.as_dict()
    if outcome.is_study:
        data["study"] = study_table(outcome)
    data["levels"] = [level.as_dict() for level in outcome.levels] if outcome.is_study \
        else None
    return data


def study_table(outcome: StudyOutcome) -> dict[str, Any]:
    """Errors and observed rates per level of a convergence study."""
    compare = outcome.compare
    return {"reference": outcome.reference, "reference_kind": outcome.reference_kind,
            "rates_h": outcome.rates,
            "rows": [{"order": level.order, "refine": level.refine, "h": level.h,
                      "ndof": level.ndof, "eigenvalues": level.eigenvalues[:compare],
                      "errors": level.errors[:compare] if level.errors else None,
                      "rates_h": level.rates_h,
                      "timings": level.timings} for level in outcome.levels]}


def conditions(setup: EigenSetup) -> str:
    """The boundary conditions in words: ``Dirichlet everywhere``, ``Dirichlet: a, b;
    Neumann: c``."""
    boundaries = setup.shape.boundaries
    dirichlet = [name for name in boundaries if name in setup.dirichlet]
    neumann = [name for name in boundaries if name not in setup.dirichlet]
    if not neumann:
        return "Dirichlet everywhere"
    if not dirichlet:
        return "Neumann everywhere"
    return f"Dirichlet: {', '.join(dirichlet)}; Neumann: {', '.join(neumann)}"


def describe(setup: EigenSetup, level: Any) -> str:
    """What ran, for picture titles: case, shape, order, dofs, boundary conditions."""
    shape = setup.case.geometry.shape
    if shape == "mesh":
        shape = f"mesh {setup.shape.file.name if setup.shape.file else ''}".strip()
    hp = f", hp {level.hp_levels} layers" if level.hp_levels else ""
    return textwrap.fill(f"{setup.case.name}: {shape}, p = {level.order}, {level.ndof} free "
                         f"dofs{hp}, {conditions(setup)}", 90)


def richardson_note(outcome: StudyOutcome) -> str:
    """Why observed rates against a Richardson reference mean little ('' otherwise)."""
    if outcome.reference_kind != "richardson":
        return ""
    last = by_order(outcome.levels)[outcome.final.order]
    if len(last) == 3:
        return ("Reference: Richardson extrapolation of these 3 levels (p = "
                f"{outcome.final.order}).\nTheir rates restate the fitted rate: "
                "not an independent check.")
    return (f"Reference: Richardson extrapolation of the last 3 of {len(last)} levels "
            f"(p = {outcome.final.order}):\nthe rates of those levels are not independent.")


def _cell(value: float | None, spec: str, width: int) -> str:
    return f"{'-' if value is None else format(value, spec):>{width}}"


def lines(setup: EigenSetup, outcome: StudyOutcome, ranks: int,
          timings: dict[str, float]) -> list[str]:
    """The human-readable summary printed after a run."""
    final = outcome.final
    text = [f"{setup.case.name}: {setup.case.geometry.shape}, p = {final.order}, "
            f"{final.elements} elements, {final.ndof} free dofs, {ranks} rank(s)"]
    if final.singular_corners:
        text.append(f"singular corners (vertex indices) {final.singular_corners}: "
                    f"hp-grading {final.hp_levels} levels")
    if final.singular_edges:
        text.append(f"{len(final.singular_edges)} singular edges (dihedral angles "
                    + ", ".join(sorted({f"{e['angle_deg']:.0f}°" for e in final.singular_edges}))
                    + f"): hp-grading {final.hp_levels} levels")
    text.append(f"{'i':>3} {'lambda':>22} {'lambda/pi^2':>18} {'rel.residual':>12} "
                f"{'est.error':>10} {'ref.error':>10}")
    for i, value in enumerate(final.eigenvalues):
        error = final.errors[i] if final.errors and i < len(final.errors) else None
        text.append(f"{i + 1:>3} {value:>22.15g} {value / math.pi ** 2:>18.12g} "
                    f"{final.residuals[i]:>12.2e} {final.error_estimates[i]:>10.2e} "
                    f"{_cell(error, '.2e', 10)}")
    if "interval" in final.solver and not final.eigenvalues:
        a, b = final.solver["interval"]
        text.append(f"no eigenvalue in [{a:g}, {b:g}] ({final.solver['below_interval']} "
                    "below it)")
    text.append("clusters: " + ", ".join(f"{c['mean']:.10g} (x{c['multiplicity']})"
                                         for c in final.clusters))
    text.append(f"method {final.solver['method_choice']}: {final.solver['method_reason']}")
    text.append(f"{final.solver['method']} iterations: {final.iterations}; timings (s): "
                + ", ".join(f"{name} {seconds:.3f}" for name, seconds in timings.items()))
    if outcome.accuracy is not None:
        text += accuracy_lines(outcome)
    elif outcome.is_study:
        text += study_lines(outcome)
    return text


def accuracy_lines(outcome: StudyOutcome) -> list[str]:
    """The orders an accuracy target climbed and the error estimate per eigenvalue."""
    accuracy = outcome.accuracy
    text = [f"accuracy target {accuracy.target:g}: reached at p = {outcome.final.order} "
            f"(orders {', '.join(map(str, accuracy.orders))}; dofs "
            f"{', '.join(str(level.ndof) for level in outcome.levels)})",
            f"{'i':>3} {'|λp − λp−1|':>12} {'est.error':>10} {'estimator':>10} "
            f"{'ratio q':>8} {'ref.error':>10}"]
    errors = outcome.final.errors or []
    for i, (difference, estimate) in enumerate(zip(accuracy.differences,
                                                   accuracy.estimates)):
        error = errors[i] if i < len(errors) else None
        text.append(f"{i + 1:>3} {difference:>12.2e} {estimate:>10.2e} "
                    f"{accuracy.estimators[i]:>10} {_cell(accuracy.ratios[i], '.3f', 8)} "
                    f"{_cell(error, '.2e', 10)}")
    return text


def study_lines(outcome: StudyOutcome) -> list[str]:
    """The convergence study as a table: one row per level."""
    compare = outcome.compare
    text = [f"convergence study ({outcome.reference_kind} reference):",
            f"{'p':>3} {'ref':>4} {'h':>9} {'dofs':>9}  " + "  ".join(
                f"{'lambda' + str(i + 1):>20} {'rel.err':>9} {'rate':>5}"
                for i in range(compare))]
    for level in outcome.levels:
        cells = []
        for i in range(compare):
            error = level.errors[i] if level.errors else None
            rate = level.rates_h[i] if level.rates_h else None
            cells.append(f"{level.eigenvalues[i]:>20.14g} {_cell(error, '.2e', 9)} "
                         f"{_cell(rate, '.2f', 5)}")
        text.append(f"{level.order:>3} {level.refine:>4} {level.h:>9.4g} "
                    f"{level.ndof:>9}  " + "  ".join(cells))
    note = richardson_note(outcome)
    if note:
        text.append(note.replace("\n", " "))
    return text
