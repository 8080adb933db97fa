"""A corpus of hostile inputs for the ``pdekit`` CLI (issue 11, section A).

Every :class:`Entry` is one bad input: a minimal *valid* base case of one kind (see
:data:`BASES`), a TOML edit and/or ``--set`` overrides, the command, and what the one-line
message must name (the key path, and the case file, ``--set`` or ``command line``).
:func:`render_toml` writes a base (a nested dict) back as TOML, so that edits can put any
value anywhere, including ``inf``/``nan`` and values of the wrong type.

The bases are small and fast (a 16² Turing grid to T = 1, a P1 square with maxh 0.25, a
width-8 PINN trained 10 Adam steps), and all use ``[case] name = "hostile"`` so that a run
that wrongly goes ahead would write into ``results/hostile/``: the tests keep a previous good
result there and check that it survives byte for byte.
"""

from __future__ import annotations

import copy
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable

CASE_FILE = "hostile_case.toml"
"""Name of the case file written into each entry's fresh working folder."""

CASE_NAME = "hostile"
"""``[case] name`` of every base: the previous good result lives in ``results/hostile``."""

INF, NAN = math.inf, math.nan


class Raw(str):
    """A value written into the TOML text verbatim (dates, huge literals, ...)."""


DELETE = object()
"""Edit value that removes a key."""

# --------------------------------------------------------------------------- bases

_ADAM10 = [{"method": "adam", "iterations": 10, "lr": 1e-2}]

BASES: dict[str, dict[str, Any]] = {
    "turing": {
        "case": {"kind": "turing", "name": CASE_NAME},
        "model": {"preset": "spots"},
        "grid": {"n": 16, "length": 2.0},
        "initial": {"type": "noise", "seed": 0, "std_u": 0.5, "std_v": 0.5},
        "time": {"method": "strang", "dt": 0.05, "T": 1.0},
        "output": {"every": 0.5, "png": False},
    },
    "turing_gs": {
        "case": {"kind": "turing", "name": CASE_NAME},
        "model": {"name": "gray-scott", "preset": "theta"},
        "grid": {"n": 16, "length": 2.5},
        "initial": {"type": "spot", "seed": 0, "std_u": 0.01, "std_v": 0.01},
        "time": {"method": "strang", "dt": 0.5, "T": 2.0},
        "output": {"every": 1.0, "png": False},
    },
    "turing_custom": {
        "case": {"kind": "turing", "name": CASE_NAME},
        "model": {"name": "custom", "f": "a - b*u + u**2/v", "g": "u**2 - v",
                  "steady_guess": [1.0, 1.0],
                  "parameters": {"a": 0.1, "b": 1.0, "Du": 2.5e-4, "Dv": 5e-3}},
        "grid": {"n": 16},
        "initial": {"type": "noise", "std_u": 0.01, "std_v": 0.01},
        "time": {"method": "strang", "dt": 0.05, "T": 1.0},
        "output": {"every": 0.5, "png": False},
    },
    "turing_adaptive": {
        "case": {"kind": "turing", "name": CASE_NAME},
        "model": {"preset": "spots"},
        "grid": {"n": 16},
        "time": {"method": "etdrk4", "adaptive": True, "tolerance": 1e-3, "dt": 0.05,
                 "dt_max": 0.5, "T": 1.0},
        "output": {"every": 0.5, "png": False},
    },
    "turing_min": {"case": {"kind": "turing", "name": CASE_NAME}},
    "eigen": {
        "case": {"kind": "eigen", "name": CASE_NAME},
        "geometry": {"shape": "square", "side": 1.0},
        "mesh": {"maxh": 0.25},
        "fem": {"order": 1},
        "solver": {"nev": 2, "target": 0.0, "tol": 1e-10},
        "output": {"modes": 2, "plot": 2},
    },
    "eigen_rect": {
        "case": {"kind": "eigen", "name": CASE_NAME},
        "geometry": {"shape": "rectangle", "width": 2.0, "height": 1.0},
        "mesh": {"maxh": 0.4},
        "fem": {"order": 1},
        "solver": {"nev": 2},
        "output": {"modes": 2, "plot": 2},
    },
    "eigen_disk": {
        "case": {"kind": "eigen", "name": CASE_NAME},
        "geometry": {"shape": "disk", "radius": 1.0, "center": [0.0, 0.0]},
        "mesh": {"maxh": 0.5},
        "fem": {"order": 1},
        "solver": {"nev": 2},
        "output": {"modes": 2, "plot": 2},
    },
    "eigen_poly": {
        "case": {"kind": "eigen", "name": CASE_NAME},
        "geometry": {"shape": "polygon",
                     "vertices": [[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2]],
                     "edge_names": ["bottom", "right", "inner_bottom", "inner_left", "top",
                                    "left"]},
        "mesh": {"maxh": 0.5, "hp": False},
        "fem": {"order": 1},
        "boundary": {"default": "dirichlet", "neumann": ["top"]},
        "solver": {"nev": 2},
        "output": {"modes": 2, "plot": 2},
    },
    "eigen_mesh": {
        "case": {"kind": "eigen", "name": CASE_NAME},
        "geometry": {"shape": "mesh", "file": "square.msh"},
        "fem": {"order": 1},
        "boundary": {"default": "dirichlet", "neumann": ["top"]},
        "solver": {"nev": 2},
        "output": {"modes": 2, "plot": 2},
    },
    "eigen_study": {
        "case": {"kind": "eigen", "name": CASE_NAME},
        "geometry": {"shape": "square"},
        "mesh": {"maxh": 0.25},
        "fem": {"order": 1},
        "solver": {"nev": 2},
        "convergence": {"refine": [0, 1], "orders": [1], "reference": [19.7392088]},
        "output": {"modes": 0, "plot": 0},
    },
    "pinn": {
        "case": {"kind": "poisson-pinn", "name": CASE_NAME},
        "domain": {"x": [0.0, 1.0]},
        "problem": {"exact": "sin(pi*x)"},
        "network": {"depth": 1, "width": 8, "seed": 0},
        "points": {"interior": 32, "sampler": "uniform", "seed": 0},
        "loss": {"boundary": "penalty", "penalty": 1.0},
        "training": {"stages": _ADAM10},
        "evaluation": {"n": 33},
        "output": {"png": False, "vtk": False},
    },
    "pinn2d": {
        "case": {"kind": "poisson-pinn", "name": CASE_NAME},
        "domain": {"x": [0.0, 1.0], "y": [0.0, 1.0]},
        "problem": {"exact": "sin(pi*x)*sin(pi*y)"},
        "network": {"depth": 1, "width": 8},
        "points": {"interior": 64, "boundary": 8, "sampler": "sobol"},
        "training": {"stages": _ADAM10},
        "evaluation": {"n": 11},
        "output": {"png": False, "vtk": False},
    },
    "pinn_params": {
        "case": {"kind": "poisson-pinn", "name": CASE_NAME},
        "domain": {"x": [0.0, 1.0]},
        "problem": {"exact": "sin(a*x)", "parameters": {"a": 3.0}},
        "network": {"depth": 1, "width": 8},
        "points": {"interior": 32},
        "training": {"stages": _ADAM10},
        "evaluation": {"n": 33},
        "output": {"png": False, "vtk": False},
    },
}
"""Minimal valid cases (``pdekit check`` must accept each one: a positive control)."""

KIND_OF_BASE = {name: base["case"]["kind"] for name, base in BASES.items()}

# --------------------------------------------------------------------------- TOML writer

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(name: str) -> str:
    return name if _BARE_KEY.match(name) else json.dumps(name, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {value!r} as TOML")


def _table(lines: list[str], path: list[str], table: dict[str, Any]) -> None:
    scalars = {k: v for k, v in table.items() if not isinstance(v, dict) or isinstance(v, Raw)}
    tables = {k: v for k, v in table.items() if isinstance(v, dict) and not isinstance(v, Raw)}
    if path:
        lines.append("[" + ".".join(_key(p) for p in path) + "]")
    lines.extend(f"{_key(k)} = {_value(v)}" for k, v in scalars.items())
    lines.append("")
    for name, sub in tables.items():
        _table(lines, [*path, name], sub)


def render_toml(document: dict[str, Any]) -> str:
    """``document`` as TOML text (top-level scalars first, then one table per section)."""
    lines: list[str] = []
    _table(lines, [], document)
    return "\n".join(lines).lstrip("\n") + "\n"


def apply_edit(document: dict[str, Any], edit: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` with ``dotted.key -> value`` set (or removed for DELETE)."""
    document = copy.deepcopy(document)
    for dotted, value in edit.items():
        *parents, last = dotted.split(".")
        table = document
        for part in parents:
            table = table.setdefault(part, {})
        if value is DELETE:
            table.pop(last, None)
        else:
            table[last] = copy.deepcopy(value)
    return document


# --------------------------------------------------------------------------- entries

@dataclass(frozen=True)
class Entry:
    """One hostile input and what the CLI must answer.

    Attributes
    ----------
    id
        pytest id.
    kind, category
        For the report: ``turing``/``eigen``/``poisson-pinn``/``cli``, and the kind of
        hostility.
    base
        Key of :data:`BASES` (``None`` when ``text`` gives the whole file).
    key
        Substring the one-line message must contain (the key path, ``--out``, ...), or a
        tuple of acceptable alternatives; ``None`` when no key applies (e.g. a missing
        case file: then only the file must be named).
    edit
        ``dotted.key -> value`` changes of the base (see :func:`apply_edit`).
    sets
        ``--set`` strings.
    command
        ``solve``, ``eig`` or ``check``; ``None`` when ``argv`` is given whole.
    extra
        More arguments after the case file (``--out X``, ``-- -eps_nev``...).
    source
        What the line must name: ``"file"`` (the case file), ``"set"`` (``--set``),
        ``"file|set"`` (either: a bad value given by ``--set``), ``"cmd"``
        (``command line``).
    suggest
        A did-you-mean suggestion the line must contain.
    setup
        Name of a fixture maker in the test module (user files, mesh files, ...).
    text
        Whole case-file text instead of a base.
    argv
        Whole argument list (for command-line entries); ``{case}`` is replaced by the file.
    code
        Expected exit code (2: bad input).
    """

    id: str
    category: str
    base: str | None
    key: str | tuple[str, ...] | None
    edit: dict[str, Any] = field(default_factory=dict)
    sets: tuple[str, ...] = ()
    command: str | None = "solve"
    extra: tuple[str, ...] = ()
    source: str = "file"
    suggest: str | None = None
    setup: str | None = None
    text: str | None = None
    argv: tuple[str, ...] | None = None
    code: int = 2
    kind: str = ""

    def __post_init__(self) -> None:
        if not self.kind:
            object.__setattr__(self, "kind", KIND_OF_BASE.get(self.base or "", "cli"))

    def case_text(self) -> str | None:
        """The case file's text, or ``None`` when the entry writes no case file."""
        if self.text is not None:
            return self.text
        if self.base is None:
            return None
        return render_toml(apply_edit(BASES[self.base], self.edit))

    def arguments(self, case_path: str) -> list[str]:
        """The argument list for ``pdekit``."""
        if self.argv is not None:
            return [a.replace("{case}", case_path) for a in self.argv]
        args = [self.command, case_path]
        for override in self.sets:
            args += ["--set", override]
        return args + list(self.extra)

    @property
    def keys(self) -> tuple[str, ...]:
        if self.key is None:
            return ()
        return self.key if isinstance(self.key, tuple) else (self.key,)


ENTRIES: list[Entry] = []


def add(*entries: Entry) -> None:
    ENTRIES.extend(entries)


def E(id: str, category: str, base: str | None, key: Any, **kw: Any) -> Entry:  # noqa: N802
    return Entry(id, category, base, key, **kw)


# ---- non-finite numbers in every float key --------------------------------------------

NONFINITE_KEYS: list[tuple[str, str, Callable[[float], dict[str, Any]], str]] = [
    # (base, label, edit maker, key the message must name)
    *[("turing", f"model.{k}", (lambda k: lambda x: {f"model.{k}": x})(k), f"model.{k}")
      for k in ("delta1", "delta2", "tau1", "tau2", "alpha", "beta", "gamma", "D")],
    ("turing_gs", "model.parameters.F", lambda x: {"model.parameters": {"F": x}},
     "model.parameters.F"),
    ("turing_custom", "model.parameters.Du",
     lambda x: {"model.parameters": {"a": 0.1, "b": 1.0, "Du": x, "Dv": 5e-3}},
     "model.parameters.Du"),
    ("turing_custom", "model.parameters.a",
     lambda x: {"model.parameters": {"a": x, "b": 1.0, "Du": 2.5e-4, "Dv": 5e-3}},
     "model.parameters.a"),
    ("turing_custom", "model.steady_guess", lambda x: {"model.steady_guess": [x, 1.0]},
     "model.steady_guess"),
    ("turing", "grid.length", lambda x: {"grid.length": x}, "grid.length"),
    *[("turing", f"initial.{k}", (lambda k: lambda x: {f"initial.{k}": x})(k), f"initial.{k}")
      for k in ("mean_u", "mean_v", "std_u", "std_v")],
    *[("turing_gs", f"initial.{k}", (lambda k: lambda x: {f"initial.{k}": x})(k),
       f"initial.{k}") for k in ("spot_u", "spot_v", "spot_size")],
    ("turing", "time.dt", lambda x: {"time.dt": x}, "time.dt"),
    ("turing", "time.T", lambda x: {"time.T": x}, "time.T"),
    ("turing_adaptive", "time.tolerance", lambda x: {"time.tolerance": x}, "time.tolerance"),
    ("turing_adaptive", "time.dt_max", lambda x: {"time.dt_max": x}, "time.dt_max"),
    ("turing", "output.every", lambda x: {"output.every": x}, "output.every"),
    ("eigen", "geometry.side", lambda x: {"geometry.side": x}, "geometry.side"),
    ("eigen_rect", "geometry.width", lambda x: {"geometry.width": x}, "geometry.width"),
    ("eigen_rect", "geometry.height", lambda x: {"geometry.height": x}, "geometry.height"),
    ("eigen_disk", "geometry.radius", lambda x: {"geometry.radius": x}, "geometry.radius"),
    ("eigen_disk", "geometry.center", lambda x: {"geometry.center": [0.0, x]},
     "geometry.center"),
    ("eigen_poly", "geometry.vertices",
     lambda x: {"geometry.vertices": [[0, 0], [2, 0], [2, x], [1, 1], [1, 2], [0, 2]]},
     "geometry.vertices"),
    ("eigen", "mesh.maxh", lambda x: {"mesh.maxh": x}, "mesh.maxh"),
    ("eigen", "mesh.hp_factor", lambda x: {"mesh.hp_factor": x}, "mesh.hp_factor"),
    ("eigen", "solver.target", lambda x: {"solver.target": x}, "solver.target"),
    ("eigen", "solver.tol", lambda x: {"solver.tol": x}, "solver.tol"),
    ("eigen", "solver.cluster_rtol", lambda x: {"solver.cluster_rtol": x},
     "solver.cluster_rtol"),
    ("eigen_study", "convergence.reference", lambda x: {"convergence.reference": [x]},
     "convergence.reference"),
    ("pinn", "domain.x", lambda x: {"domain.x": [0.0, x]}, "domain.x"),
    ("pinn2d", "domain.y", lambda x: {"domain.y": [x, 1.0]}, "domain.y"),
    ("pinn", "loss.penalty", lambda x: {"loss.penalty": x}, "loss.penalty"),
    ("pinn_params", "problem.parameters.a", lambda x: {"problem.parameters": {"a": x}},
     "problem.parameters.a"),
    *[("pinn", f"training.stages[0].{k}",
       (lambda k: lambda x: {"training.stages": [{"method": "adam", "iterations": 10,
                                                  k: x}]})(k),
       f"training.stages[0].{k}") for k in ("lr", "time_limit", "ftol", "gtol")],
    ("pinn", "training.stages[0].damping",
     lambda x: {"training.stages": [{"method": "gauss-newton", "iterations": 2, "damping": x}]},
     "training.stages[0].damping"),
]

for _base, _label, _make, _key_name in NONFINITE_KEYS:
    for _name, _x in (("inf", INF), ("nan", NAN), ("-inf", -INF)):
        add(E(f"nonfinite-{_label}={_name}", "non-finite", _base, _key_name, edit=_make(_x)))

# non-finite values through --set (TOML literals after the '=')
add(
    E("nonfinite-set-time.T=inf", "non-finite", "turing", "time.T", sets=("time.T=inf",),
      source="file|set"),
    E("nonfinite-set-grid.length=nan", "non-finite", "turing", "grid.length",
      sets=("grid.length=nan",), source="file|set"),
    E("nonfinite-set-geometry.radius=-inf", "non-finite", "eigen_disk", "geometry.radius",
      sets=("geometry.radius=-inf",), source="file|set"),
    E("nonfinite-set-model.parameters.k=inf", "non-finite", "turing_gs", "model.parameters.k",
      sets=("model.parameters.k=inf",), source="file|set"),
    E("nonfinite-check-geometry.radius=inf", "non-finite", "eigen_disk", "geometry.radius",
      edit={"geometry.radius": INF}, command="check"),
    E("nonfinite-check-time.T=nan", "non-finite", "turing", "time.T",
      edit={"time.T": NAN}, command="check"),
    E("nonfinite-eig-geometry.side=inf", "non-finite", "eigen", "geometry.side",
      edit={"geometry.side": INF}, command="eig"),
    E("huge-disk-radius-1e308", "absurd size", "eigen_disk", ("geometry.radius", "mesh.maxh"),
      edit={"geometry.radius": 1e308}),
)

# ---- wrong types ------------------------------------------------------------------------

add(
    E("type-grid.n-string", "wrong type", "turing", "grid.n", edit={"grid.n": "100"}),
    E("type-grid.n-bool", "wrong type", "turing", "grid.n", edit={"grid.n": True}),
    E("type-grid.n-float", "wrong type", "turing", "grid.n", edit={"grid.n": 16.5}),
    E("type-grid.n-table", "wrong type", "turing", "grid.n", edit={"grid.n": {"a": 1}}),
    E("type-grid.n-list", "wrong type", "turing", "grid.n", edit={"grid.n": [16, 16, 16, 16]}),
    E("type-grid.n-date", "wrong type", "turing", "grid.n", edit={"grid.n": Raw("1979-05-27")}),
    E("type-time.T-string", "wrong type", "turing", "time.T", edit={"time.T": "150"}),
    E("type-time.T-bool", "wrong type", "turing", "time.T", edit={"time.T": False}),
    E("type-time.adaptive-int", "wrong type", "turing_adaptive", "time.adaptive",
      edit={"time.adaptive": 1}),
    E("type-model.name-int", "wrong type", "turing", "model.name", edit={"model.name": 3}),
    E("type-model.preset-float", "wrong type", "turing", "model.preset",
      edit={"model.preset": 1.5}),
    E("type-model.preset-bool", "wrong type", "turing", "model.preset",
      edit={"model.preset": True}),
    E("type-initial.seed-float", "wrong type", "turing", "initial.seed",
      edit={"initial.seed": 1.5}),
    E("type-output.vtk-string", "wrong type", "turing", "output.vtk",
      edit={"output.vtk": "yes"}),
    E("type-model.parameters-scalar", "wrong type", "turing_gs", "model.parameters",
      edit={"model.parameters": 3}),
    E("type-model.parameters.F-string", "wrong type", "turing_gs", "model.parameters.F",
      edit={"model.parameters": {"F": "0.04"}}),
    E("type-model.steady_guess-short", "wrong type", "turing_custom", "model.steady_guess",
      edit={"model.steady_guess": [1.0]}),
    E("type-model.steady_guess-long", "wrong type", "turing_custom", "model.steady_guess",
      edit={"model.steady_guess": [1.0, 1.0, 1.0]}),
    E("type-model.steady_guess-strings", "wrong type", "turing_custom", "model.steady_guess",
      edit={"model.steady_guess": ["a", "b"]}),
    E("type-model.f-number", "wrong type", "turing_custom", "model.f", edit={"model.f": 1.0}),
    E("type-section-scalar", "wrong type", "turing", "grid", edit={"grid": Raw("3")}),
    E("type-section-list", "wrong type", "turing", "time", edit={"time": Raw("[1, 2]")}),
    E("type-geometry.center-short", "wrong type", "eigen_disk", "geometry.center",
      edit={"geometry.center": [0.0]}),
    E("type-geometry.center-string", "wrong type", "eigen_disk", "geometry.center",
      edit={"geometry.center": "0, 0"}),
    E("type-geometry.vertices-string", "wrong type", "eigen_poly", "geometry.vertices",
      edit={"geometry.vertices": "square"}),
    E("type-geometry.vertices-ragged", "wrong type", "eigen_poly", "geometry.vertices",
      edit={"geometry.vertices": [[0, 0], [1, 0], [1]]}),
    E("type-geometry.vertices-bools", "wrong type", "eigen_poly", "geometry.vertices",
      edit={"geometry.vertices": [[0, 0], [True, 0], [1, 1]]}),
    E("type-geometry.edge_names-ints", "wrong type", "eigen_poly", "geometry.edge_names",
      edit={"geometry.edge_names": [1, 2, 3, 4, 5, 6]}),
    E("type-boundary.dirichlet-string", "wrong type", "eigen", "boundary.dirichlet",
      edit={"boundary.dirichlet": "left"}),
    E("type-fem.order-float", "wrong type", "eigen", "fem.order", edit={"fem.order": 2.5}),
    E("type-solver.nev-string", "wrong type", "eigen", "solver.nev", edit={"solver.nev": "6"}),
    E("type-solver.target-string", "wrong type", "eigen", "solver.target",
      edit={"solver.target": "0"}),
    E("type-mesh.hp-string", "wrong type", "eigen", "mesh.hp", edit={"mesh.hp": "true"}),
    E("type-mesh.refine-bool", "wrong type", "eigen", "mesh.refine", edit={"mesh.refine": True}),
    E("type-solver.petsc-scalar", "wrong type", "eigen", "solver.petsc",
      edit={"solver.petsc": Raw("3")}),
    E("type-domain.x-short", "wrong type", "pinn", "domain.x", edit={"domain.x": [0.0]}),
    E("type-domain.x-long", "wrong type", "pinn", "domain.x", edit={"domain.x": [0.0, 1.0, 2.0]}),
    E("type-domain.x-string", "wrong type", "pinn", "domain.x", edit={"domain.x": "0,1"}),
    E("type-domain.x-bools", "wrong type", "pinn", "domain.x", edit={"domain.x": [False, True]}),
    E("type-network.width-float", "wrong type", "pinn", "network.width",
      edit={"network.width": 8.5}),
    E("type-network.depth-bool", "wrong type", "pinn", "network.depth",
      edit={"network.depth": True}),
    E("type-points.interior-string", "wrong type", "pinn", "points.interior",
      edit={"points.interior": "1000"}),
    E("type-training.stages-table", "wrong type", "pinn", "training.stages",
      edit={"training.stages": {"method": "adam"}}),
    E("type-training.stages-strings", "wrong type", "pinn", "training.stages",
      edit={"training.stages": ["adam"]}),
    E("type-stage.iterations-float", "wrong type", "pinn", "training.stages[0].iterations",
      edit={"training.stages": [{"method": "adam", "iterations": 10.5}]}),
    E("type-stage.iterations-bool", "wrong type", "pinn", "training.stages[0].iterations",
      edit={"training.stages": [{"method": "adam", "iterations": True}]}),
    E("type-stage.lr-string", "wrong type", "pinn", "training.stages[0].lr",
      edit={"training.stages": [{"method": "adam", "iterations": 10, "lr": "0.01"}]}),
    E("type-stage1.method-int", "wrong type", "pinn", "training.stages[1].method",
      edit={"training.stages": [_ADAM10[0], {"method": 3}]}),
    E("type-problem.exact-number", "wrong type", "pinn", "problem.exact",
      edit={"problem.exact": 3.0}),
    E("type-problem.parameters-list", "wrong type", "pinn", "problem.parameters",
      edit={"problem.parameters": [1, 2]}),
    E("type-problem.parameters.a-string", "wrong type", "pinn_params", "problem.parameters.a",
      edit={"problem.parameters": {"a": "3"}}),
    E("type-evaluation.n-float", "wrong type", "pinn", "evaluation.n",
      edit={"evaluation.n": 33.3}),
    E("type-case.name-int", "wrong type", "turing", "case.name", edit={"case.name": 3}),
    E("type-case.kind-list", "wrong type", "turing", "case.kind",
      edit={"case.kind": ["turing"]}),
    # through --set
    E("type-set-grid.n-word", "wrong type", "turing", "grid.n", sets=("grid.n=abc",),
      source="file|set"),
    E("type-set-grid.n-float", "wrong type", "turing", "grid.n", sets=("grid.n=16.5",),
      source="file|set"),
    E("type-set-grid.n-bad-list", "wrong type", "turing", "grid.n", sets=("grid.n=[1,",),
      source="file|set"),
    E("type-set-output.png-word", "wrong type", "turing", "output.png",
      sets=("output.png=maybe",), source="file|set"),
    E("type-set-solver.nev-empty", "wrong type", "eigen", "solver.nev", sets=("solver.nev=",),
      source="file|set"),
    E("type-set-network.width-float", "wrong type", "pinn", "network.width",
      sets=("network.width=8.25",), source="file|set"),
    E("huge-set-network.width-1.5e9", "absurd size", "pinn", "network.width",
      sets=("network.width=1.5e9",), source="file|set"),
)

# ---- unknown sections and keys (did-you-mean) -----------------------------------------

add(
    E("unknown-section-grd", "unknown key", "turing", "grd", edit={"grd": {"n": 16}},
      suggest="grid"),
    E("unknown-section-modle", "unknown key", "turing", "modle",
      edit={"modle": {"preset": "spots"}}, suggest="model"),
    E("unknown-key-grid.lenght", "unknown key", "turing", "grid.lenght",
      edit={"grid.lenght": 2.0}, suggest="length"),
    E("unknown-key-time.methd", "unknown key", "turing", "time.methd",
      edit={"time.methd": "rk4"}, suggest="method"),
    E("unknown-key-initial.sed", "unknown key", "turing", "initial.sed",
      edit={"initial.sed": 3}, suggest="seed"),
    E("unknown-key-output.evry", "unknown key", "turing", "output.evry",
      edit={"output.evry": 1.0}, suggest="every"),
    E("unknown-key-model.parameters.FF", "unknown key", "turing_gs", "model.parameters.FF",
      edit={"model.parameters": {"FF": 0.04}}, suggest="F"),
    E("unknown-key-case.nmae", "unknown key", "turing", "case.nmae",
      edit={"case.nmae": "x"}, suggest="name"),
    E("unknown-section-geometery", "unknown key", "eigen", "geometery",
      edit={"geometery": {"shape": "square"}}, suggest="geometry"),
    E("unknown-key-geometry.radus", "unknown key", "eigen_disk", "geometry.radus",
      edit={"geometry.radus": 2.0}, suggest="radius"),
    E("unknown-key-solver.neev", "unknown key", "eigen", "solver.neev",
      edit={"solver.neev": 4}, suggest="nev"),
    E("unknown-key-mesh.max_h", "unknown key", "eigen", "mesh.max_h",
      edit={"mesh.max_h": 0.2}, suggest="maxh"),
    E("unknown-key-boundary.dirichet", "unknown key", "eigen", "boundary.dirichet",
      edit={"boundary.dirichet": ["left"]}, suggest="dirichlet"),
    E("unknown-key-network.widht", "unknown key", "pinn", "network.widht",
      edit={"network.widht": 8}, suggest="width"),
    E("unknown-key-points.interiour", "unknown key", "pinn", "points.interiour",
      edit={"points.interiour": 8}, suggest="interior"),
    E("unknown-key-training.stage", "unknown key", "pinn", "training.stage",
      edit={"training.stage": _ADAM10}, suggest="stages"),
    E("unknown-section-trainig", "unknown key", "pinn", "trainig",
      edit={"trainig": {"stages": _ADAM10}}, suggest="training"),
    E("unknown-stage-key-lrr", "unknown key", "pinn", "training.stages[0].lrr",
      edit={"training.stages": [{"method": "adam", "iterations": 10, "lrr": 0.1}]},
      suggest="lr"),
    E("unknown-stage-key-iteration", "unknown key", "pinn", "training.stages[0].iteration",
      edit={"training.stages": [{"method": "adam", "iteration": 10}]}, suggest="iterations"),
    E("unknown-set-grid.nn", "unknown key", "turing", "grid.nn", sets=("grid.nn=3",),
      source="set", suggest="'n'"),
    E("unknown-set-tme.T", "unknown key", "turing", "tme", sets=("tme.T=3",),
      source="set", suggest="time"),
    E("unknown-set-solver.tool", "unknown key", "eigen", "solver.tool",
      sets=("solver.tool=1e-8",), source="set", suggest="tol"),
    E("unknown-set-network.activaton", "unknown key", "pinn", "network.activaton",
      sets=("network.activaton=tanh",), source="set", suggest="activation"),
)

# ---- unknown choice values -------------------------------------------------------------

add(
    E("choice-case.kind-turnig", "unknown choice", "turing", "case.kind",
      edit={"case.kind": "turnig"}, suggest="turing"),
    E("choice-case.kind-heat", "unknown choice", "turing", "case.kind",
      edit={"case.kind": "heat"}),
    E("choice-set-case.kind-eigne", "unknown choice", "turing", "case.kind",
      sets=("case.kind=eigne",), source="file|set", suggest="eigen"),
    E("choice-model.name-bvamm", "unknown choice", "turing", "model.name",
      edit={"model.name": "bvamm"}, suggest="bvam"),
    E("choice-model.preset-spotz", "unknown choice", "turing", "model.preset",
      edit={"model.preset": "spotz"}, suggest="spots"),
    E("choice-model.preset-index-99", "unknown choice", "turing", "model.preset",
      edit={"model.preset": 99}),
    E("choice-model.preset-index-negative", "unknown choice", "turing", "model.preset",
      edit={"model.preset": -1}),
    E("choice-gray-scott-preset", "unknown choice", "turing_gs", "model.preset",
      edit={"model.preset": "thetaa"}, suggest="theta"),
    E("choice-time.method-rk5", "unknown choice", "turing", "time.method",
      edit={"time.method": "rk5"}),
    E("choice-time.method-etdrk5", "unknown choice", "turing", "time.method",
      sets=("time.method=etdrk5",), source="file|set"),
    E("choice-grid.boundary-dirichlet", "unknown choice", "turing", "grid.boundary",
      edit={"grid.boundary": "dirichlet"}),
    E("choice-grid.diffusion-fftw", "unknown choice", "turing", "grid.diffusion",
      edit={"grid.diffusion": "fftw"}),
    E("choice-initial.type-random", "unknown choice", "turing", "initial.type",
      edit={"initial.type": "random"}),
    E("choice-model.terms-all", "unknown choice", "turing", "model.terms",
      edit={"model.terms": "all"}),
    E("choice-output.animation-avi", "unknown choice", "turing", "output.animation",
      edit={"output.animation": "avi"}),
    E("choice-geometry.shape-circle", "unknown choice", "eigen", "geometry.shape",
      edit={"geometry.shape": "circle"}),
    E("choice-geometry.shape-triangle", "unknown choice", "eigen", "geometry.shape",
      sets=("geometry.shape=triangle",), source="file|set"),
    E("choice-boundary.default-robin", "unknown choice", "eigen", "boundary.default",
      edit={"boundary.default": "robin"}),
    E("choice-solver.problem_type", "unknown choice", "eigen", "solver.problem_type",
      edit={"solver.problem_type": "hermitian"}),
    E("choice-solver.method", "unknown choice", "eigen", "solver.method",
      edit={"solver.method": "lanczoss"}),
    E("choice-network.activation-relu", "unknown choice", "pinn", "network.activation",
      edit={"network.activation": "relu"}),
    E("choice-network.precision-half", "unknown choice", "pinn", "network.precision",
      edit={"network.precision": "half"}),
    E("choice-points.sampler-latin", "unknown choice", "pinn", "points.sampler",
      edit={"points.sampler": "latin"}),
    E("choice-points.boundary_sampler", "unknown choice", "pinn", "points.boundary_sampler",
      edit={"points.boundary_sampler": "random"}),
    E("choice-loss.boundary-soft", "unknown choice", "pinn", "loss.boundary",
      edit={"loss.boundary": "soft"}),
    E("choice-stage.method-sgd", "unknown choice", "pinn", "training.stages[0].method",
      edit={"training.stages": [{"method": "sgd", "iterations": 10}]}),
    E("choice-stage.method-missing", "missing key", "pinn", "training.stages[0].method",
      edit={"training.stages": [{"iterations": 10}]}),
    E("choice-stage.jacobian", "unknown choice", "pinn", "training.stages[0].jacobian",
      edit={"training.stages": [{"method": "gauss-newton", "iterations": 2,
                                 "jacobian": "implicit"}]}),
    E("choice-stage-key-of-other-method", "unknown choice", "pinn",
      "training.stages[0].memory",
      edit={"training.stages": [{"method": "adam", "iterations": 10, "memory": 5}]}),
)

# ---- out-of-range numbers --------------------------------------------------------------

add(
    E("range-grid.n-negative", "out of range", "turing", "grid.n", edit={"grid.n": -5}),
    E("range-grid.n-zero", "out of range", "turing", "grid.n", edit={"grid.n": 0}),
    E("range-grid.threads-zero", "out of range", "turing", "grid.threads",
      edit={"grid.threads": 0}),
    E("range-grid.length-zero", "out of range", "turing", "grid.length",
      edit={"grid.length": 0.0}),
    E("range-time.dt-zero", "out of range", "turing", "time.dt", edit={"time.dt": 0.0}),
    E("range-time.dt-negative", "out of range", "turing", "time.dt", edit={"time.dt": -0.1}),
    E("range-time.T-zero", "out of range", "turing", "time.T", edit={"time.T": 0.0}),
    E("range-time.dt-above-T", "out of range", "turing", "time.dt", edit={"time.dt": 5.0}),
    E("range-rk4-unstable-dt", "out of range", "turing", "time.dt",
      edit={"time.method": "rk4", "time.dt": 2.0, "time.T": 10.0}),
    E("range-initial.seed-negative", "out of range", "turing", "initial.seed",
      edit={"initial.seed": -1}),
    E("range-initial.seed-int64-min", "out of range", "turing", "initial.seed",
      edit={"initial.seed": Raw("-9223372036854775808")}),
    E("range-initial.std_u-negative", "out of range", "turing", "initial.std_u",
      edit={"initial.std_u": -0.1}),
    E("range-initial.spot_size", "out of range", "turing_gs", "initial.spot_size",
      edit={"initial.spot_size": 1.5}),
    E("range-output.every-zero", "out of range", "turing", "output.every",
      edit={"output.every": 0.0}),
    E("range-time.tolerance-zero", "out of range", "turing_adaptive", "time.tolerance",
      edit={"time.tolerance": 0.0}),
    E("range-model.D-negative", "out of range", "turing", "model.D", edit={"model.D": -1.0}),
    E("range-custom-Du-negative", "out of range", "turing_custom", "model.parameters.Du",
      edit={"model.parameters": {"a": 0.1, "b": 1.0, "Du": -1.0, "Dv": 5e-3}}),
    E("range-mesh.maxh-zero", "out of range", "eigen", "mesh.maxh", edit={"mesh.maxh": 0.0}),
    E("range-mesh.refine-negative", "out of range", "eigen", "mesh.refine",
      edit={"mesh.refine": -1}),
    E("range-mesh.hp_factor", "out of range", "eigen", "mesh.hp_factor",
      edit={"mesh.hp_factor": 1.5}),
    E("range-fem.order-zero", "out of range", "eigen", "fem.order", edit={"fem.order": 0}),
    E("range-solver.nev-zero", "out of range", "eigen", "solver.nev", edit={"solver.nev": 0}),
    E("range-solver.ncv-below-nev", "out of range", "eigen", "solver.ncv",
      edit={"solver.ncv": 1}),
    E("range-solver.max_it-zero", "out of range", "eigen", "solver.max_it",
      edit={"solver.max_it": 0}),
    E("range-solver.tol-negative", "out of range", "eigen", "solver.tol",
      edit={"solver.tol": -1e-8}),
    E("range-output.modes-negative", "out of range", "eigen", "output.modes",
      edit={"output.modes": -1}),
    E("range-convergence.refine-negative", "out of range", "eigen_study",
      "convergence.refine", edit={"convergence.refine": [0, -1]}),
    E("range-convergence.orders-zero", "out of range", "eigen_study", "convergence.orders",
      edit={"convergence.orders": [0]}),
    E("range-target-zero-all-neumann", "out of range", "eigen", "solver.target",
      edit={"boundary.default": "neumann", "solver.target": 0.0}),
    E("range-network.depth-zero", "out of range", "pinn", "network.depth",
      edit={"network.depth": 0}),
    E("range-network.width-zero", "out of range", "pinn", "network.width",
      edit={"network.width": 0}),
    E("range-network.seed-negative", "out of range", "pinn", "network.seed",
      edit={"network.seed": -1}),
    E("range-points.seed-negative", "out of range", "pinn", "points.seed",
      edit={"points.seed": -7}),
    E("range-points.interior-zero", "out of range", "pinn", "points.interior",
      edit={"points.interior": 0}),
    E("range-points.boundary-zero", "out of range", "pinn2d", "points.boundary",
      edit={"points.boundary": 0}),
    E("range-evaluation.n-one", "out of range", "pinn", "evaluation.n",
      edit={"evaluation.n": 1}),
    E("range-loss.penalty-zero", "out of range", "pinn", "loss.penalty",
      edit={"loss.penalty": 0.0}),
    E("range-domain.x-reversed", "out of range", "pinn", "domain.x",
      edit={"domain.x": [1.0, 0.0]}),
    E("range-stage.iterations-negative", "out of range", "pinn",
      "training.stages[0].iterations",
      edit={"training.stages": [{"method": "adam", "iterations": -1}]}),
    E("range-stage.lr-zero", "out of range", "pinn", "training.stages[0].lr",
      edit={"training.stages": [{"method": "adam", "iterations": 10, "lr": 0.0}]}),
    E("range-stage.log_every-zero", "out of range", "pinn", "training.stages[0].log_every",
      edit={"training.stages": [{"method": "adam", "iterations": 10, "log_every": 0}]}),
    E("range-stage.memory-zero", "out of range", "pinn", "training.stages[1].memory",
      edit={"training.stages": [_ADAM10[0], {"method": "lbfgs", "iterations": 2,
                                             "memory": 0}]}),
    E("range-stage.damping-negative", "out of range", "pinn", "training.stages[0].damping",
      edit={"training.stages": [{"method": "levenberg-marquardt", "iterations": 2,
                                 "damping": -1.0}]}),
    E("range-grid-sampler-not-square", "out of range", "pinn2d", "points.interior",
      edit={"points.sampler": "grid", "points.interior": 50}),
)

# ---- absurd sizes: exit 2 with an estimate, before allocating ---------------------------

add(
    E("huge-grid.n-1e9", "absurd size", "turing", "grid.n", edit={"grid.n": 1000000000}),
    E("huge-grid.n-1e5", "absurd size", "turing", "grid.n", edit={"grid.n": 100000}),
    E("huge-grid.n-int64-max", "absurd size", "turing", "grid.n",
      edit={"grid.n": Raw("9223372036854775807")}),
    E("huge-grid.n-set-1e9", "absurd size", "turing", "grid.n", sets=("grid.n=1000000000",),
      source="file|set"),
    E("huge-output.every-1e-10", "absurd size", "turing", ("output.every", "time.T"),
      edit={"output.every": 1e-10, "time.T": 150.0}),
    E("huge-output.every-adaptive", "absurd size", "turing_adaptive", ("output.every", "time.T"),
      edit={"output.every": 1e-12}),
    E("huge-solver.nev", "absurd size", "eigen", "solver.nev", edit={"solver.nev": 100000}),
    E("huge-mesh.refine", "absurd size", "eigen", "mesh.refine", edit={"mesh.refine": 14}),
    E("huge-mesh.maxh-tiny", "absurd size", "eigen", "mesh.maxh", edit={"mesh.maxh": 1e-6}),
    E("huge-fem.order", "absurd size", "eigen", "fem.order", edit={"fem.order": 1000}),
    E("huge-output.subdivision", "absurd size", "eigen", "output.subdivision",
      edit={"output.subdivision": 5000}),
    E("huge-mesh.hp_levels", "absurd size", "eigen_poly", "mesh.hp_levels",
      edit={"mesh.hp": True, "mesh.hp_levels": 1000}),
    E("huge-convergence.refine", "absurd size", "eigen_study", "convergence.refine",
      edit={"convergence.refine": [0, 14]}),
    E("huge-points.interior", "absurd size", "pinn", "points.interior",
      edit={"points.interior": 10**12}),
    E("huge-points.boundary", "absurd size", "pinn2d", "points.boundary",
      edit={"points.boundary": 10**12}),
    E("huge-network.width", "absurd size", "pinn", "network.width",
      edit={"network.width": 10**9}),
    E("huge-network.depth", "absurd size", "pinn", "network.depth",
      edit={"network.depth": 10**8}),
    E("huge-evaluation.n-2d", "absurd size", "pinn2d", "evaluation.n",
      edit={"evaluation.n": 10**7}),
    E("huge-evaluation.n-int64-max", "absurd size", "pinn", "evaluation.n",
      edit={"evaluation.n": Raw("9223372036854775807")}),
)

# ---- unsafe or malformed expressions ---------------------------------------------------

_BAD_EXPRESSIONS = [
    ("import", "__import__('os').system('touch PWNED')"),
    ("attribute", "u.__class__"),
    ("lambda", "(lambda: 1)()"),
    ("subscript", "[u][0]"),
    ("arity-sin-2", "sin(u, v)"),
    ("arity-minimum-1", "minimum(u)"),
    ("arity-where-2", "where(u > 0, u)"),
    ("unknown-function", "foo(u)"),
    ("unknown-name", "w + u"),
    ("syntax", "u +"),
    ("empty", ""),
    ("power-tower", "10**10**10"),
    ("string-literal", "'u'"),
    ("keyword-arg", "sin(x=u)"),
    ("conditional", "u if u > 0 else v"),
    ("walrus", "(z := u)"),
]
for _name, _text in _BAD_EXPRESSIONS:
    add(E(f"expr-turing-f-{_name}", "bad expression", "turing_custom", "model.f",
          edit={"model.f": _text}))
_BAD_PINN_EXPRESSIONS = [
    ("import", "__import__('os').system('touch PWNED')"),
    ("attribute", "x.__class__"),
    ("lambda", "(lambda: 1)()"),
    ("subscript", "[x][0]"),
    ("arity-sin-2", "sin(x, x)"),
    ("arity-minimum-1", "minimum(x)"),
    ("unknown-function", "foo(x)"),
    ("syntax", "sin(pi*x"),
    ("empty", ""),
    ("power-tower", "10**10**10"),
]
for _name, _text in _BAD_PINN_EXPRESSIONS:
    add(E(f"expr-pinn-exact-{_name}", "bad expression", "pinn", "problem.exact",
          edit={"problem.exact": _text}))
add(
    E("expr-pinn-exact-y-in-1d", "bad expression", "pinn", "problem.exact",
      edit={"problem.exact": "sin(pi*y)"}),
    E("expr-pinn-exact-not-finite", "bad expression", "pinn", "problem.exact",
      edit={"problem.exact": "log(x - 5)"}),
    E("expr-pinn-exact-zero-division", "bad expression", "pinn", "problem.exact",
      edit={"problem.exact": "1/0"}),
    E("expr-pinn-forcing-arity", "bad expression", "pinn", "problem.forcing",
      edit={"problem.forcing": "cos(x, x)"}),
    E("expr-pinn-boundary-attribute", "bad expression", "pinn", "problem.boundary",
      edit={"problem.boundary": "x.real"}),
    E("expr-pinn-exact-chained", "bad expression", "pinn2d", "problem.exact",
      edit={"problem.exact": "0 < x < y"}),
    E("expr-pinn-exact-overflow", "bad expression", "pinn", "problem.exact",
      edit={"problem.exact": "exp(1e308)"}),
    E("expr-turing-g-import", "bad expression", "turing_custom", "model.g",
      edit={"model.g": "__import__('os').remove('hostile_case.toml')"}),
    E("expr-turing-g-maximum-3", "bad expression", "turing_custom", "model.g",
      edit={"model.g": "maximum(u, v, v)"}),
    E("expr-set-exact-import", "bad expression", "pinn", "problem.exact",
      sets=("problem.exact=__import__('os')",), source="file|set"),
)

# ---- bad polygons and boundary names ---------------------------------------------------

add(
    E("polygon-self-intersecting", "bad polygon", "eigen_poly", "geometry.vertices",
      edit={"geometry.vertices": [[0, 0], [1, 1], [1, 0], [0, 1]],
            "geometry.edge_names": DELETE, "boundary.neumann": DELETE}),
    E("polygon-two-vertices", "bad polygon", "eigen_poly", "geometry.vertices",
      edit={"geometry.vertices": [[0, 0], [1, 0]], "geometry.edge_names": DELETE,
            "boundary.neumann": DELETE}),
    E("polygon-empty", "bad polygon", "eigen_poly", "geometry.vertices",
      edit={"geometry.vertices": [], "geometry.edge_names": DELETE,
            "boundary.neumann": DELETE}),
    E("polygon-repeated-vertex", "bad polygon", "eigen_poly", "geometry.vertices",
      edit={"geometry.vertices": [[0, 0], [1, 0], [1, 0], [1, 1], [0, 1]],
            "geometry.edge_names": DELETE, "boundary.neumann": DELETE}),
    E("polygon-zero-area", "bad polygon", "eigen_poly", "geometry.vertices",
      edit={"geometry.vertices": [[0, 0], [1, 0], [2, 0]], "geometry.edge_names": DELETE,
            "boundary.neumann": DELETE}),
    E("polygon-3d-vertex", "bad polygon", "eigen_poly", "geometry.vertices",
      edit={"geometry.vertices": [[0, 0, 0], [1, 0, 0], [1, 1, 0]],
            "geometry.edge_names": DELETE, "boundary.neumann": DELETE}),
    E("polygon-edge_names-too-few", "bad polygon", "eigen_poly", "geometry.edge_names",
      edit={"geometry.edge_names": ["a", "b", "c"], "boundary.neumann": DELETE}),
    E("polygon-edge_names-too-many", "bad polygon", "eigen_poly", "geometry.edge_names",
      edit={"geometry.edge_names": [f"e{i}" for i in range(7)], "boundary.neumann": DELETE}),
    E("polygon-vertices-on-square", "bad polygon", "eigen", "geometry.vertices",
      edit={"geometry.vertices": [[0, 0], [1, 0], [0, 1]]}),
    E("polygon-missing-vertices", "missing key", "eigen_poly", "geometry.vertices",
      edit={"geometry.vertices": DELETE, "geometry.edge_names": DELETE,
            "boundary.neumann": DELETE}),
    E("boundary-misspelled", "bad boundary", "eigen", "boundary.dirichlet",
      edit={"boundary.dirichlet": ["bottum"]}, suggest="bottom"),
    E("boundary-circle-on-square", "bad boundary", "eigen", "boundary.neumann",
      edit={"boundary.neumann": ["circle"]}),
    E("boundary-left-on-disk", "bad boundary", "eigen_disk", "boundary.neumann",
      edit={"boundary.neumann": ["left"]}),
    E("boundary-both-lists", "bad boundary", "eigen", "boundary.neumann",
      edit={"boundary.dirichlet": ["top"], "boundary.neumann": ["top"]}),
    E("boundary-default-name-on-named-polygon", "bad boundary", "eigen_poly",
      "boundary.neumann", edit={"boundary.neumann": ["edge4"]}),
    E("boundary-empty-name", "bad boundary", "eigen", "boundary.dirichlet",
      edit={"boundary.dirichlet": [""]}),
    E("boundary-name-not-in-mesh", "bad boundary", "eigen_mesh", "boundary.neumann",
      edit={"boundary.neumann": ["lid"]}, setup="square_msh"),
)

# ---- missing required keys, files ------------------------------------------------------

add(
    E("missing-case.kind", "missing key", "turing", "case.kind", edit={"case.kind": DELETE}),
    E("missing-case-table", "missing key", "turing", "case.kind", edit={"case": DELETE}),
    E("missing-empty-file", "missing key", None, "case.kind", text=""),
    E("missing-custom-f", "missing key", "turing_custom", "model.f",
      edit={"model.f": DELETE}),
    E("missing-custom-Dv", "missing key", "turing_custom", "model.parameters.Dv",
      edit={"model.parameters": {"a": 0.1, "b": 1.0, "Du": 2.5e-4}}),
    E("missing-initial.path-file", "missing key", "turing", "initial.path",
      edit={"initial.type": "file"}),
    E("missing-pinn-exact-and-forcing", "missing key", "pinn", "problem.forcing",
      edit={"problem.exact": DELETE, "problem.boundary": "0"}),
    E("missing-mesh-file-key", "missing key", "eigen_mesh", "geometry.file",
      edit={"geometry.file": DELETE, "boundary.neumann": DELETE}),
    E("file-mesh-missing", "bad file", "eigen_mesh", "geometry.file",
      edit={"geometry.file": "nowhere.msh", "boundary.neumann": DELETE}),
    E("file-mesh-directory", "bad file", "eigen_mesh", "geometry.file",
      edit={"geometry.file": "meshdir", "boundary.neumann": DELETE}, setup="mesh_dir"),
    E("file-mesh-text", "bad file", "eigen_mesh", "geometry.file",
      edit={"geometry.file": "notes.msh", "boundary.neumann": DELETE}, setup="mesh_text"),
    E("file-mesh-header-only", "bad file", "eigen_mesh", "geometry.file",
      edit={"geometry.file": "header.msh", "boundary.neumann": DELETE}, setup="mesh_header_only"),
    E("file-mesh-binary-garbage", "bad file", "eigen_mesh", "geometry.file",
      edit={"geometry.file": "garbage.msh", "boundary.neumann": DELETE}, setup="mesh_garbage"),
    E("file-weights-missing", "bad file", "pinn", "network.weights",
      edit={"network.weights": "nowhere.npz"}),
    E("file-weights-text", "bad file", "pinn", "network.weights",
      edit={"network.weights": "weights.npz"}, setup="weights_text"),
    E("file-weights-directory", "bad file", "pinn", "network.weights",
      edit={"network.weights": "wdir"}, setup="weights_dir"),
    E("file-weights-foreign-npz", "bad file", "pinn", "network.weights",
      edit={"network.weights": "foreign.npz"}, setup="weights_foreign"),
    E("file-initial-missing", "bad file", "turing", "initial.path",
      edit={"initial.type": "file", "initial.path": "nowhere.npy"}),
    E("file-initial-wrong-shape", "bad file", "turing", "initial.path",
      edit={"initial.type": "file", "initial.path": "small.npy"}, setup="npy_wrong_shape"),
    E("file-initial-nan", "bad file", "turing", "initial.path",
      edit={"initial.type": "file", "initial.path": "nan.npy"}, setup="npy_nan"),
    E("file-initial-text", "bad file", "turing", "initial.path",
      edit={"initial.type": "file", "initial.path": "notes.npy"}, setup="npy_text"),
    E("file-restart-not-a-run", "bad file", "turing", "initial.path",
      edit={"initial.type": "restart", "initial.path": "meshdir"}, setup="mesh_dir"),
    E("file-restart-other-grid", "bad file", "turing", ("initial.path", "grid.n"),
      edit={"initial.type": "restart", "initial.path": f"results/{CASE_NAME}",
            "grid.n": 24}),
)

# ---- cross-key and command checks --------------------------------------------------------

add(
    E("cross-etdrk4-sparse", "cross-key", "turing", ("time.method", "grid.diffusion"),
      edit={"time.method": "etdrk4", "grid.diffusion": "sparse"}),
    E("cross-adaptive-strang", "cross-key", "turing", ("time.adaptive", "time.method"),
      edit={"time.adaptive": True}),
    E("cross-bvam-key-on-gray-scott", "cross-key", "turing_gs", "model.alpha",
      edit={"model.alpha": 1.0}),
    E("cross-f-on-bvam", "cross-key", "turing", "model.f", edit={"model.f": "u"}),
    E("cross-preset-on-custom", "cross-key", "turing_custom", "model.preset",
      edit={"model.preset": "spots"}),
    E("cmd-eig-on-turing", "command", "turing", "case.kind", command="eig"),
    E("cmd-eig-on-pinn", "command", "pinn", "case.kind", command="eig"),
    E("cmd-solver-args-on-turing", "command", "turing", "--", command="solve",
      extra=("--", "-ksp_type", "cg"), source="cmd"),
)

# ---- PETSc options -------------------------------------------------------------------

add(
    E("petsc-cli-option-without-value", "petsc", "eigen", "eps_nev", command="eig",
      extra=("--", "-eps_nev"), source="cmd"),
    E("petsc-cli-not-an-option", "petsc", "eigen", ("eps_nev", "--"), command="eig",
      extra=("--", "eps_nev", "3"), source="cmd"),
    E("petsc-cli-unknown-option", "petsc", "eigen", "eps_tpye", command="eig",
      extra=("--", "-eps_tpye", "krylovschur"), source="cmd"),
    E("petsc-table-bad-name", "petsc", "eigen", "solver.petsc",
      edit={"solver.petsc": {"eps nev": 3}}),
    E("petsc-table-list-value", "petsc", "eigen", "solver.petsc",
      edit={"solver.petsc": {"eps_nev": [1, 2]}}),
    E("petsc-table-table-value", "petsc", "eigen", "solver.petsc",
      edit={"solver.petsc": {"eps_nev": {"a": 1}}}),
    E("petsc-table-unknown-option", "petsc", "eigen", "solver.petsc",
      edit={"solver.petsc": {"eps_tpye": "krylovschur"}}, command="eig"),
    E("petsc-table-bad-value", "petsc", "eigen", "solver.petsc",
      edit={"solver.petsc": {"st_type": "nonexistent"}}),
    E("petsc-table-nan-value", "petsc", "eigen", "solver.petsc",
      edit={"solver.petsc": {"eps_tol": NAN}}),
)

# ---- --set syntax ------------------------------------------------------------------------

for _i, _override in enumerate(["grid.n", "=3", "grid=3", "a.b.c.d=1", ".n=3", "grid.=3",
                                "model.parameters.F.x=1", " = "]):
    add(E(f"setsyntax-{_i}-{_override.strip() or 'blank'}", "--set syntax", "turing",
          _override.split("=")[0].strip() or ("--set"), sets=(_override,), source="set"))

# ---- output folders, case names ---------------------------------------------------------

add(
    E("out-regular-file", "output folder", "turing", "--out", extra=("--out", "mine.txt"),
      setup="user_file", source="cmd"),
    E("out-user-folder", "output folder", "turing", "--out", extra=("--out", "mydata"),
      setup="user_folder", source="cmd"),
    E("out-user-empty-folder", "output folder", "turing", "--out", extra=("--out", "empty"),
      setup="user_empty_folder", source="cmd"),
    E("out-user-running-sibling", "output folder", "turing", "--out", extra=("--out", "run"),
      setup="user_running_sibling", source="cmd"),
    E("out-root", "output folder", "turing", "--out", extra=("--out", "/"), source="cmd"),
    E("out-empty-string", "output folder", "turing", "--out", extra=("--out", ""),
      source="cmd"),
    E("out-dot", "output folder", "turing", "--out", extra=("--out", "."), source="cmd"),
    E("out-under-regular-file", "output folder", "turing", "--out",
      extra=("--out", "mine.txt/sub"), setup="user_file", source="cmd"),
    E("out-the-case-file", "output folder", "turing", "--out",
      extra=("--out", CASE_FILE), source="cmd"),
    E("out-symlink", "output folder", "turing", "--out", extra=("--out", "link"),
      setup="user_symlink", source="cmd"),
    E("out-eigen-user-folder", "output folder", "eigen", "--out", command="eig",
      extra=("--out", "mydata"), setup="user_folder", source="cmd"),
    E("out-pinn-regular-file", "output folder", "pinn", "--out", extra=("--out", "mine.txt"),
      setup="user_file", source="cmd"),
    E("out-too-long-name", "output folder", "turing", "--out", extra=("--out", "o" * 300),
      source="cmd"),
    E("name-too-long", "case name", "turing", "case.name", edit={"case.name": "n" * 300}),
    E("name-nul", "case name", "turing", "case.name", edit={"case.name": "a\u0000b"}),
    E("name-slash", "case name", "turing", "case.name", edit={"case.name": "a/b"}),
    E("name-dotdot", "case name", "turing", "case.name", edit={"case.name": ".."}),
    E("name-empty", "case name", "turing", "case.name", edit={"case.name": ""}),
    E("name-set-escape", "case name", "turing", "case.name", sets=("case.name=../escape",),
      source="file|set"),
    E("name-user-folder-in-results", "case name", "turing", "case.name",
      edit={"case.name": "mine"}, setup="user_results_folder"),
)

# ---- the command line itself -----------------------------------------------------------

add(
    E("cli-no-arguments", "command line", None, None, argv=(), source="cmd"),
    E("cli-unknown-command", "command line", None, "frobnicate", argv=("frobnicate",),
      source="cmd"),
    E("cli-solve-no-case", "command line", None, None, argv=("solve",), source="cmd"),
    E("cli-unknown-option", "command line", "turing", "--bogus",
      argv=("solve", "{case}", "--bogus"), source="cmd"),
    E("cli-check-with-out", "command line", "turing", "--out",
      argv=("check", "{case}", "--out", "x"), source="cmd"),
    E("cli-set-without-value", "command line", "turing", "--set",
      argv=("solve", "{case}", "--set"), source="cmd"),
    E("cli-missing-case-file", "bad file", None, None, argv=("solve", "nowhere.toml"),
      source="nowhere.toml"),
    E("cli-case-is-directory", "bad file", None, None, argv=("solve", "casedir.toml"),
      setup="case_dir", source="casedir.toml"),
    E("cli-case-bad-toml", "bad file", None, None, text="[case\nkind = 'turing'\n"),
    E("cli-case-duplicate-key", "bad file", None, None,
      text="[case]\nkind = 'turing'\nkind = 'eigen'\n"),
    E("cli-case-not-utf8", "bad file", None, None, text=None, setup="case_latin1",
      argv=("solve", "{case}")),
    E("cli-kind-switch-keeps-old-sections", "command", "turing", ("grid", "model", "time"),
      sets=("case.kind=eigen",), source="file|set"),
)

POSITIVE_SETS: list[tuple[str, str, tuple[str, ...]]] = [
    # (id, base, --set overrides): `pdekit check` must accept these (exit 0)
    ("kind-switch-to-pinn", "turing_min",
     ("case.kind=poisson-pinn", "problem.exact=sin(pi*x)")),
    ("kind-switch-to-eigen", "turing_min", ("case.kind=eigen", "geometry.shape=disk")),
    ("preset-by-index", "turing", ("model.preset=3",)),
    ("typed-set-values", "turing", ("grid.n=32", "time.method=rk4", "time.dt=0.001")),
    ("quoted-string-set", "pinn", ("problem.exact='sin(pi*x)'",)),
    ("stages-list-set", "pinn", ("training.stages=[{method='adam', iterations=5}]",)),
]


def summary() -> dict[str, dict[str, int]]:
    """Entries per kind and category (for the report)."""
    table: dict[str, dict[str, int]] = {}
    for entry in ENTRIES:
        table.setdefault(entry.kind, {}).setdefault(entry.category, 0)
        table[entry.kind][entry.category] += 1
    return table


_ids = [entry.id for entry in ENTRIES]
assert len(_ids) == len(set(_ids)), sorted({i for i in _ids if _ids.count(i) > 1})
