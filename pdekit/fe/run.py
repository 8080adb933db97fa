"""The run of a ``turing`` case on a ``[domain]``: mesh, assemble, integrate, analyse the
domain's modes, write snapshots, the final state and ``fields.png``."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from pdekit.fd.build import reaction_rhs
from pdekit.fd.run import output_times
from pdekit.fe.assembly import Discretization, assemble
from pdekit.fe.initial import initial_fields
from pdekit.fe.meshing import make_mesh
from pdekit.fe.methods import FE_METHODS
from pdekit.fe.modes import domain_stability, dominant_mode
from pdekit.fe.operator import FEOperator
from pdekit.fe.pictures import save_planar_png, save_surface_png
from pdekit.fe.prepare import FESetup, domain_fingerprint
from pdekit.fe.report import FEOutcome, fe_report, run_title
from pdekit.fe.series import VTUSnapshots
from pdekit.fe.surfaces import Sphere
from pdekit.fe.steppers import make_fe_attempt, make_fe_stepper
from pdekit.memory import peak_rss_mib
from pdekit.output import RunContext, RunReport
from pdekit.time import integrate, integrate_adaptive
from pdekit.time.problem import no_nonlinearity


class NodeFields:
    """Between the integrators' state (u, v on the free dofs, stacked) and the fields at
    every node (Dirichlet nodes held at the steady state) and at the vertices."""

    def __init__(self, disc: Discretization, held: tuple[float, float]):
        self.disc, self.held = disc, held
        self.n = len(disc.free)
        self.nv = len(disc.vertices)

    def state(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """The stacked free-dof state of nodal fields."""
        free = self.disc.free
        return np.concatenate([u[free], v[free]])

    def nodes(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """u, v at every node."""
        fields = []
        for species in (0, 1):
            full = np.full(self.disc.ndof, self.held[species])
            full[self.disc.free] = w[species * self.n:(species + 1) * self.n]
            fields.append(full)
        return fields[0], fields[1]

    def vertices(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """u, v at the mesh vertices (the first dofs)."""
        u, v = self.nodes(w)
        return u[:self.nv], v[:self.nv]


def mesh_facts(disc: Discretization, mesh: Any, curve: int) -> dict[str, Any]:
    """Counts and sizes for the report: vertices, elements, dofs, h (median edge)."""
    corners = disc.vertices[disc.triangles]
    edges = np.linalg.norm(corners - np.roll(corners, 1, axis=1), axis=2)
    return {"vertices": len(disc.vertices), "elements": int(mesh.ne) or len(disc.triangles),
            "dofs": disc.ndof, "free_dofs": len(disc.free), "h": float(np.median(edges)),
            "curve_order": curve, "measure": disc.measure}


def write_state(folder: Path, setup: FESetup, fields: NodeFields, w: np.ndarray,
                t: float) -> None:
    """``final_state.npz``: u, v at the vertices and at every node, the vertices, their
    triangles, the time and the domain (a restart checks it is the same)."""
    u_nodes, v_nodes = fields.nodes(w)
    disc = fields.disc
    np.savez(folder / "final_state.npz", u=u_nodes[:fields.nv], v=v_nodes[:fields.nv],
             u_nodes=u_nodes, v_nodes=v_nodes, t=t, points=disc.vertices,
             triangles=disc.triangles, nodes=disc.nodes, domain=domain_fingerprint(setup.case))


@contextmanager
def kept_on_interrupt(setup: FESetup, fields: NodeFields, folder: Path) -> Iterator[None]:
    """On Ctrl-C or SIGTERM, write the last completed step as ``final_state.npz``."""
    try:
        yield
    except KeyboardInterrupt as interrupt:
        last = getattr(interrupt, "last_state", None)
        if last is not None:
            write_state(folder, setup, fields, last.u, last.t)
            note = (f"stopped at t = {last.t:.6g} after {last.steps} steps; final_state.npz "
                    "holds that state (initial.type = \"restart\" continues from it)")
            interrupt.note = note  # type: ignore[attr-defined]
        raise


def stability(setup: FESetup, disc: Discretization, u: np.ndarray,
              facts: dict[str, Any]) -> dict[str, Any]:
    """The domain's linear-stability report and the final u's dominant mode."""
    model, steady = setup.model, setup.steady
    radius = setup.shape.radius if isinstance(setup.shape, Sphere) else None
    jacobian = model.jacobian(*steady) if steady is not None else None
    k_max = np.pi * setup.case.domain.order / facts["h"]
    report, values, vectors, groups = domain_stability(
        jacobian, model.diffusion, disc.M, disc.K, disc.measure, setup.dimension,
        not setup.dirichlet, k_max, radius)
    reference = steady[0] if setup.dirichlet and steady is not None else \
        float(np.sum(disc.M @ u) / np.sum(disc.M @ np.ones_like(u)))
    measured = dominant_mode(u, reference, disc.M, vectors, values, groups, radius)
    report["measured"] = measured
    report["measured_dominant_k"] = measured["k"]  # the grid path's key
    if steady is None:
        return {"steady_state": None, "error": setup.steady_error, **report}
    report["prediction_holds"] = measured["index"] == report["predicted"]["index"]
    return {"steady_state": list(steady), "jacobian": jacobian.tolist(), **report}


def save_png(disc: Discretization, u_nodes: np.ndarray, v_nodes: np.ndarray, title: str,
             path: Path) -> None:
    """``fields.png``: colour maps in 2D, shaded 3D views of surfaces and solids, drawn
    at every node (P2: on triangles split at the edge nodes)."""
    fields = {"u": u_nodes, "v": v_nodes}
    dim = disc.vertices.shape[1]
    if dim == 2:
        save_planar_png(fields, disc.nodes[:, :2], disc.node_triangles, title, path)
    else:
        save_surface_png(fields, disc.nodes, disc.node_triangles, title, path)


def run(setup: FESetup, context: RunContext) -> RunReport:
    """Integrate the case on its domain, writing snapshots, the final state, the PNG and
    the report."""
    case, model, domain = setup.case, setup.model, setup.case.domain
    method, t0, t_end, terms = case.time.method, setup.t0, case.time.T, case.model.terms
    with context.phase("setup"):
        mesh, curve = make_mesh(setup.shape, domain, setup.dirichlet)
        disc = assemble(mesh, domain.order, setup.surface, setup.dirichlet, domain.lumped)
        held = setup.steady or (0.0, 0.0)
        fields = NodeFields(disc, held)
        diffusion = (0.0, 0.0) if terms == "reaction" else model.diffusion
        op = FEOperator(disc.M, disc.K, diffusion, held, disc.dirichlet_coupling)
        nonlinear = no_nonlinearity if terms == "diffusion" else \
            reaction_rhs(model, len(disc.free))
        w0 = fields.state(*initial_fields(case.initial, disc.nodes, setup.steady,
                                          setup.restart))
        if case.time.adaptive:
            attempt = make_fe_attempt(method, op, nonlinear)
        else:
            step = make_fe_stepper(method, op, nonlinear, setup.dt)
        facts = mesh_facts(disc, mesh, curve)
    memory_after_setup = peak_rss_mib()
    cells = ("triangle", disc.triangles) if disc.tetrahedra is None else \
        ("tetra", disc.tetrahedra)
    snapshots = VTUSnapshots(context.dir, disc.vertices, cells, fields.vertices) \
        if case.output.vtk else None
    times = output_times(t0, t_end, case.output.every)
    bar = context.progress(t_end - t0, f"turing {method} ({model.name}) on {domain.shape}",
                           unit="t", time_steps=True, start=t0)
    stats = None
    with context.phase("integrate"), kept_on_interrupt(setup, fields, context.dir):
        if case.time.adaptive:
            dt_max = case.time.dt_max or (t_end - t0) / 20
            w, stats = integrate_adaptive(
                attempt, w0, t0, t_end, setup.dt, case.time.tolerance, dt_max,
                low_order=FE_METHODS.capabilities(method).embedded_order,
                output_times=times if snapshots else (), on_output=snapshots, progress=bar,
                growth_limit=case.time.step_growth)
            steps, t_final = stats.accepted, t_end
        else:
            w, steps = integrate(step, w0, t0, t_end, setup.dt, times if snapshots else (),
                                 snapshots, bar, check_every=10)
            t_final = t0 + steps * setup.dt
    bar.close()
    u, v = fields.vertices(w)
    u_nodes, v_nodes = fields.nodes(w)
    with context.phase("stability"):
        report_stability = stability(setup, disc, u_nodes[disc.free], facts)
    files = ["final_state.npz"] + (["fields.pvd"] if snapshots else [])
    with context.phase("output"):
        write_state(context.dir, setup, fields, w, t_final)
        if case.output.png:
            save_png(disc, u_nodes, v_nodes, run_title(setup, facts, t_final),
                     context.dir / "fields.png")
            files.append("fields.png")
    outcome = FEOutcome(u, v, facts, steps, t_final, stats, report_stability,
                        op.factorizations, files, memory_after_setup)
    report = fe_report(setup, outcome, context)
    if context.keep_data:
        report.data.update(u=u, v=v, t=t_final, points=disc.vertices,
                           triangles=disc.triangles, tetrahedra=disc.tetrahedra,
                           nodes=disc.nodes, u_nodes=u_nodes, v_nodes=v_nodes)
    return report
