"""Hostile input and faults (issue 11, section A): the CLI's bad-input contract.

For every entry of :mod:`tests.cli.hostile_corpus` the CLI must answer with exit code 2 and
exactly one line on stderr that names the case file (or ``--set`` / ``command line``) and
the key, and it must write nothing: the working folder (the case file, the user's files and
folders, and a previous good result ``results/hostile/`` made by a real run) is compared
byte for byte before and after.

The entries run *in-process* for speed: ``pdekit.cli.main(argv)`` is called in a child
forked from the test process (modules already imported, so each costs milliseconds), which
also bounds each entry by a timeout and an address-space limit — a size check that is
missing must fail its entry, not take the machine's memory or hang the suite. A few entries
run again as real subprocesses as a cross-check; the pipe, signal and kill tests always do.

Subprocesses use the ``pdekit`` package this process imported (not ``tests/conftest.py``'s
checkout root), so the file can be pointed at another checkout::

    cd /path/to/checkout && PYTHONPATH=$PWD MPLBACKEND=Agg python -m pytest -q \
        /work/wt-corpus/tests/cli/test_hostile_inputs.py -p no:cacheprovider \
        --rootdir=/work/wt-corpus --import-mode=importlib

(``--import-mode=importlib`` keeps pytest from putting this worktree's own ``pdekit`` first
on ``sys.path``.)
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import traceback
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tests.fem.gmsh_helper import write_square_msh


def _load_corpus():
    """The corpus module beside this file (by path: works under every pytest import mode,
    and with another checkout's ``tests`` package first on ``sys.path``)."""
    import importlib.util

    name = "pdekit_hostile_corpus"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(
        "hostile_corpus.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_corpus = _load_corpus()
BASES, CASE_FILE, CASE_NAME, ENTRIES = (_corpus.BASES, _corpus.CASE_FILE, _corpus.CASE_NAME,
                                        _corpus.ENTRIES)
POSITIVE_SETS, Entry, apply_edit, render_toml = (_corpus.POSITIVE_SETS, _corpus.Entry,
                                                 _corpus.apply_edit, _corpus.render_toml)

ENTRY_TIMEOUT = 20.0
"""Seconds an entry may take: bad input must be refused before anything big is built."""

CHILD_ADDRESS_SPACE = 6 * 2**30
"""Address-space limit of an in-process entry (TensorFlow + NGSolve need about 2 GiB)."""

PLUGIN_MODULES = ("pdekit.fd.case", "pdekit.fem.case", "pdekit.pinn.case")


# --------------------------------------------------------------------------- running

def pdekit_root() -> Path:
    """The folder holding the ``pdekit`` package under test (for subprocesses)."""
    import pdekit

    return Path(pdekit.__file__).resolve().parent.parent


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 300,
            **popen: object) -> subprocess.CompletedProcess:
    """``python -m pdekit.cli ARGS`` in a real subprocess, with the package under test."""
    env = {**os.environ, "PYTHONPATH": str(pdekit_root()), "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-m", "pdekit.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout, **popen)


def start_cli(*args: str, cwd: Path) -> subprocess.Popen:
    """Start ``python -m pdekit.cli ARGS`` without waiting (for the signal tests)."""
    env = {**os.environ, "PYTHONPATH": str(pdekit_root()), "MPLBACKEND": "Agg"}
    return subprocess.Popen([sys.executable, "-m", "pdekit.cli", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@dataclass
class Outcome:
    code: int | None  # None: timed out (killed); negative: ended by that signal
    stdout: str
    stderr: str


def _child_streams() -> None:
    """In the forked child: fresh sys.stdout/err on fds 1/2, Python's default warnings."""
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), line_buffering=True)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), line_buffering=True)
    # pytest records warnings; a real run prints them (and that breaks the one-line rule)
    warnings.resetwarnings()
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", PendingDeprecationWarning)
    warnings.simplefilter("ignore", ImportWarning)
    warnings.simplefilter("ignore", ResourceWarning)
    warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")
    warnings.showwarning = getattr(warnings, "_showwarning_orig", warnings.showwarning)

    def show(message: warnings.WarningMessage) -> None:
        sys.stderr.write(warnings.formatwarning(message.message, message.category,
                                                message.filename, message.lineno,
                                                message.line))

    if hasattr(warnings, "_showwarnmsg_impl"):
        warnings._showwarnmsg_impl = show  # type: ignore[attr-defined]


def run_in_process(args: list[str], cwd: Path, logs: Path,
                   timeout: float = ENTRY_TIMEOUT) -> Outcome:
    """``pdekit.cli.main(args)`` in a forked child with ``cwd``, a timeout and a memory cap."""
    logs.mkdir(parents=True, exist_ok=True)
    out_path, err_path = logs / "stdout.txt", logs / "stderr.txt"
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            os.setpgid(0, 0)
            for path, fd in ((out_path, 1), (err_path, 2)):
                handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                os.dup2(handle, fd)
                os.close(handle)
            resource.setrlimit(resource.RLIMIT_AS, (CHILD_ADDRESS_SPACE, CHILD_ADDRESS_SPACE))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            try:
                import faulthandler

                faulthandler.disable()
            except Exception:
                pass
            _child_streams()
            os.chdir(cwd)
            os.environ["MPLBACKEND"] = "Agg"
            sys.argv = ["pdekit", *args]
            from pdekit.cli import main

            try:
                result = main(list(args))
                code = 0 if result is None else int(result)
            except SystemExit as stop:  # argparse, --version
                if stop.code is None or isinstance(stop.code, int):
                    code = stop.code or 0
                else:
                    print(stop.code, file=sys.stderr)
                    code = 1
            except KeyboardInterrupt:
                traceback.print_exc()
                code = 130
            except BaseException:  # what the interpreter would print for an escaped error
                traceback.print_exc()
                code = 1
        except BaseException:
            try:
                traceback.print_exc()
            except BaseException:
                pass
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code & 0xFF)
    deadline = time.monotonic() + timeout
    status = None
    while True:
        done, raw = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(raw)
            break
        if time.monotonic() > deadline:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            break
        time.sleep(0.003)
    return Outcome(status, out_path.read_text(errors="replace"),
                   err_path.read_text(errors="replace"))


# --------------------------------------------------------------------------- snapshots

def snapshot(root: Path) -> dict[str, tuple]:
    """Every path under ``root`` (hidden ones too) with its type and content hash."""
    found: dict[str, tuple] = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            path = Path(folder, name)
            rel = str(path.relative_to(root))
            if path.is_symlink():
                found[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                found[rel] = ("dir",)
            else:
                found[rel] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
    return found


def describe_changes(before: dict, after: dict) -> str:
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    return f"added {added[:8]}, removed {removed[:8]}, changed {changed[:8]}"


# --------------------------------------------------------------------------- fixtures

def _user_folder(cwd: Path, name: str, with_file: bool = True) -> None:
    (cwd / name).mkdir(parents=True)
    if with_file:
        (cwd / name / "thesis.tex").write_text("three years of work\n")


SETUPS = {
    "square_msh": lambda cwd: write_square_msh(cwd / "square.msh", n=4),
    "mesh_dir": lambda cwd: (cwd / "meshdir").mkdir(),
    "weights_dir": lambda cwd: (cwd / "wdir").mkdir(),
    "mesh_text": lambda cwd: (cwd / "notes.msh").write_text("shopping list: milk, eggs\n"),
    "mesh_header_only": lambda cwd: (cwd / "header.msh").write_text(
        "$MeshFormat\n2.2 0 8\n$EndMeshFormat\n"),
    "mesh_garbage": lambda cwd: (cwd / "garbage.msh").write_bytes(
        b"$MeshFormat\n" + bytes(range(256)) * 8),
    "weights_text": lambda cwd: (cwd / "weights.npz").write_text("not weights\n"),
    "weights_foreign": lambda cwd: np.savez(cwd / "foreign.npz", a=np.zeros(3)),
    "npy_wrong_shape": lambda cwd: np.save(cwd / "small.npy", np.ones((2, 8, 8))),
    "npy_nan": lambda cwd: np.save(cwd / "nan.npy", np.full((2, 16, 16), np.nan)),
    "npy_text": lambda cwd: (cwd / "notes.npy").write_text("u and v\n"),
    "user_file": lambda cwd: (cwd / "mine.txt").write_text("precious user data\n"),
    "user_folder": lambda cwd: _user_folder(cwd, "mydata"),
    "user_empty_folder": lambda cwd: _user_folder(cwd, "empty", with_file=False),
    "user_running_sibling": lambda cwd: _user_folder(cwd, "run.running"),
    "user_results_folder": lambda cwd: _user_folder(cwd, "results/mine"),
    "user_symlink": lambda cwd: (_user_folder(cwd, "target"),
                                 (cwd / "link").symlink_to(cwd / "target")),
    "case_dir": lambda cwd: (cwd / "casedir.toml").mkdir(),
    "case_latin1": lambda cwd: (cwd / CASE_FILE).write_bytes(
        "[case]\nkind = \"turing\"\nname = \"caf\u00e9\"\n".encode("latin-1")),
}


@pytest.fixture(scope="module")
def warm() -> None:
    """Import the CLI and the kind modules once, so that forked entries start warm."""
    import importlib

    for name in ("pdekit.cli", *PLUGIN_MODULES):
        try:
            importlib.import_module(name)
        except Exception:
            pass


@pytest.fixture(scope="module")
def previous_result(warm: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real successful run of the tiny Turing base: the previous good result."""
    folder = tmp_path_factory.mktemp("previous")
    (folder / CASE_FILE).write_text(render_toml(BASES["turing"]))
    done = run_cli("solve", CASE_FILE, "--quiet", cwd=folder, timeout=180)
    result = folder / "results" / CASE_NAME
    assert done.returncode == 0, done.stderr[-2000:]
    assert (result / "summary.json").is_file()
    return result


def prepare(entry_or_text: Entry | str | None, cwd: Path, previous: Path | None,
            setup: str | None = None) -> None:
    """A fresh working folder: the previous result, the case file, the user's things."""
    cwd.mkdir(parents=True)
    if previous is not None:
        shutil.copytree(previous, cwd / "results" / CASE_NAME, symlinks=True)
    text = entry_or_text.case_text() if isinstance(entry_or_text, Entry) else entry_or_text
    if text is not None:
        (cwd / CASE_FILE).write_text(text, encoding="utf-8")
    if setup:
        SETUPS[setup](cwd)


# --------------------------------------------------------------------------- the contract

def _first_line(text: str) -> str:
    lines = text.splitlines()
    return lines[0] if lines else ""


def contract_problems(entry: Entry, outcome: Outcome, before: dict, after: dict) -> list[str]:
    """What the answer to ``entry`` got wrong (empty when it kept the contract)."""
    if outcome.code is None:
        return [f"no answer within {ENTRY_TIMEOUT:.0f} s (allocating or running?)"]
    lines = outcome.stderr.splitlines()
    first = lines[0] if lines else ""
    problems = []
    if outcome.code != entry.code:
        problems.append(f"exit code {outcome.code} (expected {entry.code})")
    if "Traceback" in outcome.stderr:
        last = [line for line in lines if line.strip()][-1]
        problems.append(f"traceback ({last.strip()[:200]})")
    elif len(lines) != 1 or not first.strip():
        problems.append(f"{len(lines)} lines on stderr")
    if entry.keys and not any(key in first for key in entry.keys):
        problems.append(f"does not name {' or '.join(entry.keys)}")
    names = {"file": (CASE_FILE,), "set": ("--set",), "file|set": (CASE_FILE, "--set"),
             "cmd": ("command line",)}.get(entry.source, (entry.source,))
    if not any(name in first for name in names):
        problems.append(f"does not name {' or '.join(names)}")
    if entry.suggest and entry.suggest not in first:
        problems.append(f"no did-you-mean {entry.suggest!r}")
    if after != before:
        problems.append("files changed: " + describe_changes(before, after))
    return problems


def assert_bad_input(entry: Entry, outcome: Outcome, before: dict, after: dict) -> None:
    """Exit 2, one line naming source and key, no traceback, nothing written or moved."""
    problems = contract_problems(entry, outcome, before, after)
    if problems:
        pytest.fail(f"exit {outcome.code}: " + "; ".join(problems)
                    + f" | stderr: {_first_line(outcome.stderr)[:300]!r}", pytrace=False)


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.id for entry in ENTRIES])
def test_hostile_input(entry: Entry, previous_result: Path, tmp_path: Path) -> None:
    cwd = tmp_path / "work"
    prepare(entry, cwd, previous_result, entry.setup)
    before = snapshot(cwd)
    outcome = run_in_process(entry.arguments(CASE_FILE), cwd, tmp_path / "logs")
    after = snapshot(cwd)
    assert_bad_input(entry, outcome, before, after)


def test_corpus_size() -> None:
    kinds = {entry.kind for entry in ENTRIES}
    assert len(ENTRIES) >= 170 and kinds == {"turing", "eigen", "poisson-pinn", "cli"}


# Real subprocesses for a handful of entries: the in-process runner must not hide anything.
CROSS_CHECK = ["nonfinite-geometry.radius=inf", "huge-grid.n-1e9", "expr-turing-f-import",
               "out-user-folder", "setsyntax-2-grid=3", "cli-unknown-command",
               "petsc-cli-option-without-value", "type-stage.lr-string"]


@pytest.mark.parametrize("entry_id", CROSS_CHECK)
def test_hostile_input_subprocess(entry_id: str, previous_result: Path, tmp_path: Path) -> None:
    entry = next(e for e in ENTRIES if e.id == entry_id)
    cwd = tmp_path / "work"
    prepare(entry, cwd, previous_result, entry.setup)
    before = snapshot(cwd)
    try:
        done = run_cli(*entry.arguments(CASE_FILE), cwd=cwd, timeout=60)
        outcome = Outcome(done.returncode, done.stdout, done.stderr)
    except subprocess.TimeoutExpired:
        outcome = Outcome(None, "", "")
    assert_bad_input(entry, outcome, before, snapshot(cwd))


# --------------------------------------------------------------------------- positive controls

@pytest.mark.parametrize("base", sorted(BASES))
def test_bases_are_valid(base: str, warm: None, tmp_path: Path) -> None:
    """Each base passes `pdekit check`: entries fail only because of their edit."""
    cwd = tmp_path / "work"
    prepare(render_toml(BASES[base]), cwd, None,
            "square_msh" if base == "eigen_mesh" else None)
    outcome = run_in_process(["check", CASE_FILE], cwd, tmp_path / "logs")
    assert outcome.code == 0, outcome.stderr[-2000:]


@pytest.mark.parametrize("name,base,sets", POSITIVE_SETS, ids=[p[0] for p in POSITIVE_SETS])
def test_valid_overrides_pass_check(name: str, base: str, sets: tuple[str, ...],
                                    warm: None, tmp_path: Path) -> None:
    cwd = tmp_path / "work"
    prepare(render_toml(BASES[base]), cwd, None)
    args = ["check", CASE_FILE]
    for override in sets:
        args += ["--set", override]
    before = snapshot(cwd)
    outcome = run_in_process(args, cwd, tmp_path / "logs")
    assert outcome.code == 0, outcome.stderr[-2000:]
    assert snapshot(cwd) == before


@pytest.mark.parametrize("base", sorted(set(BASES) - {"turing", "turing_min", "pinn_params"}))
def test_bases_run(base: str, previous_result: Path, tmp_path: Path) -> None:
    """Every base really solves (the Turing base made the previous result)."""
    cwd = tmp_path / "work"
    prepare(render_toml(apply_edit(BASES[base], {"case.name": "control"})), cwd,
            previous_result, "square_msh" if base == "eigen_mesh" else None)
    command = "eig" if BASES[base]["case"]["kind"] == "eigen" else "solve"
    outcome = run_in_process([command, CASE_FILE, "--quiet"], cwd, tmp_path / "logs",
                             timeout=90)
    assert outcome.code == 0, outcome.stderr[-2000:]
    assert json.loads((cwd / "results" / "control" / "summary.json").read_text())


# --------------------------------------------------------------------------- faults

@pytest.mark.parametrize("reader", ["head -1", "true"])
def test_list_into_a_closed_pipe(reader: str, tmp_path: Path) -> None:
    """`pdekit list | head -1`: no BrokenPipe traceback (`true` closes the pipe at once)."""
    env = {**os.environ, "PYTHONPATH": str(pdekit_root()), "MPLBACKEND": "Agg"}
    script = (f"set -o pipefail; '{sys.executable}' -m pdekit.cli list 2>'{tmp_path}/err' "
              f"| {reader} >/dev/null; echo $? > '{tmp_path}/code'")
    subprocess.run(["bash", "-c", script], env=env, timeout=120, check=False)
    code = int((tmp_path / "code").read_text())
    err = (tmp_path / "err").read_text()
    assert code in (0, 141), f"exit {code}: {err[-1500:]!r}"
    assert err == "", err[-1500:]


def test_blow_up_is_one_line_without_numpy_warnings(previous_result: Path,
                                                    tmp_path: Path) -> None:
    """A NaN blow-up in the reaction: exit 1, one line, no RuntimeWarning before it."""
    case = apply_edit(BASES["turing_custom"], {
        "model.f": "u**5", "model.g": "-v", "model.steady_guess": [0.0, 0.0],
        "model.parameters": {"Du": 1e-3, "Dv": 1e-3},
        "initial.mean_u": 1e3, "initial.mean_v": 0.0, "initial.std_u": 0.0,
        "initial.std_v": 0.0})
    cwd = tmp_path / "work"
    prepare(render_toml(case), cwd, previous_result)
    before = snapshot(cwd / "results" / CASE_NAME)
    done = run_cli("solve", CASE_FILE, cwd=cwd, timeout=120)
    lines = done.stderr.splitlines()
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Warning" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert len(lines) == 1 and lines[0].strip(), done.stderr
    assert snapshot(cwd / "results" / CASE_NAME) == before
    assert not (cwd / "results" / f"{CASE_NAME}.running").exists()


LONG_CASE = {"grid.n": 128, "time.method": "strang", "time.dt": 0.01, "time.T": 2000.0,
             "output.every": 0.5}
"""A Turing run of minutes (it is interrupted after its first snapshots)."""


def _start_long_run(previous: Path, tmp_path: Path) -> tuple[Path, dict, subprocess.Popen]:
    cwd = tmp_path / "work"
    prepare(render_toml(apply_edit(BASES["turing"], LONG_CASE)), cwd, previous)
    before = snapshot(cwd / "results" / CASE_NAME)
    process = start_cli("solve", CASE_FILE, cwd=cwd)
    pvd = cwd / "results" / f"{CASE_NAME}.running" / "fields.pvd"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if pvd.read_text().count("<DataSet") >= 3:
                break
        except OSError:
            pass
        time.sleep(0.05)
    if process.poll() is not None:
        pytest.fail(f"the long run ended early ({process.returncode}): "
                    f"{process.stderr.read()[-2000:]}")
    return cwd, before, process


def test_sigterm_keeps_previous_result(previous_result: Path, tmp_path: Path) -> None:
    cwd, before, process = _start_long_run(previous_result, tmp_path)
    process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail("SIGTERM did not end the run within 30 s")
    results = cwd / "results"
    assert process.returncode != 0
    assert "Traceback" not in err, err[-2000:]
    assert snapshot(results / CASE_NAME) == before, "the previous result changed"
    running = results / f"{CASE_NAME}.running"
    assert not (running / "summary.json").exists(), "a .running folder that looks complete"
    assert not running.exists(), (
        f"SIGTERM left {running.name} (expected {CASE_NAME}.failed or no folder): "
        f"{sorted(p.name for p in running.iterdir())[:10]}")


def test_kill9_keeps_previous_result_and_a_readable_pvd(previous_result: Path,
                                                        tmp_path: Path) -> None:
    cwd, before, process = _start_long_run(previous_result, tmp_path)
    process.kill()
    process.communicate(timeout=30)
    results = cwd / "results"
    assert snapshot(results / CASE_NAME) == before, "the previous result changed"
    running = results / f"{CASE_NAME}.running"
    assert not (running / "summary.json").exists()
    root = ET.parse(running / "fields.pvd").getroot()
    datasets = root.findall(".//DataSet")
    assert datasets, "the partial PVD lists no snapshot"
    for dataset in datasets:
        assert (running / dataset.get("file")).is_file(), dataset.get("file")
