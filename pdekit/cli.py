"""The ``pdekit`` command: solve, eig, check, list.

Exit codes: 0 success, 1 numerical/solver failure, 2 bad input (one line, no traceback).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import traceback
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

from pdekit import __version__
from pdekit.casefields import describe_model
from pdekit.cases import bundled_cases_dir, load_case, read_toml
from pdekit.launcher import mpi_rank, mpi_size, share_blas_threads
from pdekit.errors import EXIT_BAD_INPUT, EXIT_NUMERICAL, EXIT_OK, CaseError, NumericalError
from pdekit.plugin import kinds
from pdekit.tomlfmt import format_toml


class _Parser(argparse.ArgumentParser):
    """argparse with bad-usage errors as one line and exit code 2 (its default too)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"pdekit: command line: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pdekit", description="Solve PDEs from TOML case files.")
    parser.add_argument("--version", action="version", version=f"pdekit {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def case_command(name: str, help_text: str, runs: bool) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("case", type=Path, help="case file (TOML)")
        sub.add_argument("--set", dest="overrides", action="append", default=[],
                         metavar="SECTION.KEY=VALUE", help="override a case value (repeatable)")
        if runs:
            sub.add_argument("--out", type=Path, help="output folder (default results/<name>)")
            sub.add_argument("--quiet", action="store_true", help="no progress or summary")
        return sub

    case_command("solve", "run a case", runs=True)
    case_command("eig", "run an eigen case (works under mpiexec; PETSc/SLEPc options "
                        "may follow after --)", runs=True)
    case_command("check", "validate a case and print it resolved; runs nothing", runs=False)
    commands.add_parser("list", help="list kinds, their keys, and the bundled cases")
    return parser


def _list() -> int:
    registry = kinds()
    for kind in sorted(registry.names()):
        plugin = registry.get(kind)
        print(f"{kind}  (commands: {', '.join(plugin.commands)}"
              f"{'; runs under mpiexec' if plugin.mpi else ''})\n  {plugin.description}")
        print("\n".join(describe_model(plugin.case_model)))
        print()
    folder = bundled_cases_dir()
    if folder is not None:
        print(f"bundled cases ({folder}):")
        for path in sorted(folder.glob("*.toml")):
            try:
                kind = read_toml(path).get("case", {}).get("kind", "?")
            except CaseError:
                kind = "unreadable"
            print(f"  {path.name:<28} kind = {kind}")
    return EXIT_OK


@contextmanager
def _quiet_numerics(quiet: bool) -> Iterator[None]:
    """Floating-point warnings off during a run: a blow-up is detected and reported as a
    NumericalError with its numbers, not as a NumPy RuntimeWarning before the message.
    With ``--quiet`` every Python warning is off (libraries' deprecation notes included)."""
    import numpy as np

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        if quiet:
            warnings.simplefilter("ignore")
        yield


def _checked_run_inputs(args: argparse.Namespace, solver_args: list[str]) -> Any:
    """Load, validate and prepare the case, and check the output folder, on this rank;
    returns the loaded case, the run folder and its (not yet taken) lock."""
    loaded = load_case(args.case, args.overrides, solver_args)
    case, plugin = loaded.case, loaded.plugin
    if args.command not in plugin.commands:
        runs = " or ".join(f"`pdekit {c}`" for c in plugin.commands)
        raise CaseError(args.case, "case.kind", f"a kind that `pdekit {args.command}` runs "
                        f"({case.kind!r} runs with {runs})", case.kind)
    if mpi_size() > 1 and not plugin.mpi:
        raise CaseError(args.case, "case.kind", f"a kind with an MPI path to run under "
                        f"mpiexec -n {mpi_size()} ({case.kind!r} runs on one process)",
                        case.kind)
    from pdekit.output.folders import check_destination

    final_dir = args.out if args.out is not None else Path("results") / case.name
    where = ("command line", "--out") if args.out is not None else (case.source_label,
                                                                    "case.name")
    check_destination(final_dir, *where)
    from pdekit.output.lock import RunLock

    return loaded, final_dir, RunLock(final_dir, *where)


def _agree_on_input(problem: CaseError | None, inputs: dict[str, Any] | None) -> None:
    """Under mpiexec, every rank learns whether any rank found bad input (a file one node
    cannot read, say) or was given other input than rank 0 (another case, ``--set``,
    ``--out`` or options: the ranks would wait for each other forever in different
    solves): then all of them stop with exit 2, and rank 0 says why, once."""
    from mpi4py import MPI

    text = None if inputs is None else json.dumps(inputs, sort_keys=True, default=str)
    reports = MPI.COMM_WORLD.allgather((None if problem is None else str(problem), text))
    first = next((said for said, _ in reports if said is not None), None)
    if first is not None:
        raise problem if problem is not None else _ReportedElsewhere(first)
    for rank, (_, other) in enumerate(reports[1:], start=1):
        if other != reports[0][1]:
            where = _first_difference(json.loads(reports[0][1]), json.loads(other))
            raise CaseError("command line", "mpiexec", "the same case, --set, --out and "
                            f"options on every rank (rank {rank} differs from rank 0 in "
                            f"{where})")


def _first_difference(mine: Any, other: Any, prefix: str = "") -> str:
    """The first dotted key where two resolved inputs differ, with both values."""
    if isinstance(mine, dict) and isinstance(other, dict):
        for key in sorted(set(mine) | set(other)):
            if mine.get(key) != other.get(key):
                return _first_difference(mine.get(key), other.get(key),
                                         f"{prefix}.{key}" if prefix else key)
    return f"{prefix}: {mine!r} on rank 0, {other!r} there"


class _ReportedElsewhere(CaseError):
    """Bad input found on another rank (this rank's copy of the message)."""

    def __init__(self, message: str):
        Exception.__init__(self, message)


def _run(args: argparse.Namespace, solver_args: list[str], argv: Sequence[str]) -> int:
    problem: CaseError | None = None
    inputs = None
    try:
        loaded, final_dir, lock = _checked_run_inputs(args, solver_args)
        inputs = {"case": loaded.case.resolved(), "options": solver_args,
                  "out": os.path.abspath(final_dir), "command": args.command}
    except CaseError as error:
        problem = error
    if mpi_size() > 1:
        _agree_on_input(problem, inputs)
    elif problem is not None:
        raise problem
    # the lock only once all ranks agree: a refused run creates nothing, not even it
    try:
        if mpi_rank() == 0:
            lock.acquire()
    except CaseError as error:
        problem = error
    if mpi_size() > 1:
        _agree_on_input(problem, {})
    elif problem is not None:
        raise problem
    case, plugin = loaded.case, loaded.plugin

    from pdekit.memory import retain_freed_memory
    from pdekit.output.run import RunContext, package_versions

    retain_freed_memory()  # time steppers allocate field-sized arrays every step
    context = RunContext(final_dir, args.quiet, mpi_rank(), case.name, lock)
    context.prepare()
    try:
        with _quiet_numerics(args.quiet):
            report = plugin.run(loaded.prepared, context)
    except BaseException as error:
        context.fail(error, getattr(error, "data", None))
        if context.is_root and context.failed_dir.is_dir():
            error.kept_in = context.failed_dir  # type: ignore[union-attr]
        raise
    context.finish({
        "pdekit": __version__,
        "status": "ok",
        "case": case.resolved(),
        "source": str(case.source),
        "overrides": list(case.overrides),
        "solver_args": list(case.solver_args),
        "command": ["pdekit", *argv],
        "results": report.results,
        "versions": package_versions(),
    })
    if context.is_root and not args.quiet:
        print("\n".join(report.lines))
        print(f"Results in {context.final_dir}/ (summary.json)")
    return EXIT_OK


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM ends a run like Ctrl-C: the partial output is kept in ``.failed``."""
    raise KeyboardInterrupt(signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pdekit`` console script; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    solver_args: list[str] = []
    if "--" in argv:
        split = argv.index("--")
        argv, solver_args = argv[:split], argv[split + 1:]
    args = _build_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _terminated)
    share_blas_threads()
    try:
        if args.command == "list":
            return _list()
        if args.command == "check":
            case = load_case(args.case, args.overrides).case
            print(f"# {case.source}: valid {case.kind} case")
            print(format_toml(case.resolved()))
            return EXIT_OK
        return _run(args, solver_args, argv)
    except CaseError as error:
        if mpi_rank() == 0:  # one line, not one per rank
            print(f"pdekit: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # `pdekit list | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except NumericalError as error:
        if mpi_rank() == 0 or not error.collective:  # a collective failure: said once
            print(f"pdekit: numerical failure: {error}", file=sys.stderr)
        return EXIT_NUMERICAL
    except KeyboardInterrupt as interrupt:
        if mpi_rank() == 0:
            kept = getattr(interrupt, "kept_in", None)
            print("pdekit: interrupted" + (f"; partial output kept in {kept}/" if kept else
                                           "; nothing was written"), file=sys.stderr)
        code = 128 + (interrupt.args[0] if interrupt.args else signal.SIGINT)
        from pdekit import interruptible

        if interruptible.abandoned():  # a thread is still inside Netgen: leave at once
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        return code
    except OSError as error:  # e.g. a full disk while writing output
        if mpi_rank() == 0:
            print(f"pdekit: cannot write output: {error}", file=sys.stderr)
        return EXIT_NUMERICAL
    except Exception:  # an internal error: show everything
        traceback.print_exc()
        return EXIT_NUMERICAL


if __name__ == "__main__":
    sys.exit(main())
