"""The ``pdekit`` command: solve, eig, check, list.

Exit codes: 0 success, 1 numerical/solver failure, 2 bad input (one line, no traceback).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import signal
import sys
import traceback
from pathlib import Path
from typing import Sequence

from pdekit import __version__
from pdekit.core.casefields import describe_model
from pdekit.core.cases import bundled_cases_dir, check_case_file, load_case, read_toml
from pdekit.launcher import mpi_rank, share_blas_threads
from pdekit.errors import (EXIT_BAD_INPUT, EXIT_NUMERICAL, EXIT_OK, CaseError, HelpShown,
                           NumericalError, interrupt_signal)
from pdekit.core.plugin import kinds
from pdekit.core.tomlfmt import format_toml


class _Parser(argparse.ArgumentParser):
    """argparse with bad-usage errors as one line and exit code 2 (its default too)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"pdekit: command line: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pdekit", description="Solve PDEs from TOML case files.")
    parser.add_argument("--version", action="version", version=f"pdekit {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

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


def _run(args: argparse.Namespace, solver_args: list[str], argv: Sequence[str]) -> int:
    """``pdekit solve``/``eig``: the run of :mod:`pdekit.runner`, its report printed."""
    from pdekit.runner import run_case

    given = {"case": file_digest(args.case), "overrides": args.overrides,
             "options": solver_args, "command": args.command,
             "out": None if args.out is None else os.path.abspath(args.out)}
    result = run_case(lambda: load_case(args.case, args.overrides, solver_args), args.out,
                      quiet=args.quiet, command=args.command, argv=argv, given=given,
                      precheck=lambda: check_case_file(args.case))
    if result.folder is not None and not args.quiet:
        print("\n".join(result.lines))
        print(f"Results in {result.folder}/ (summary.json)")
    return EXIT_OK


def file_digest(path: Path) -> str:
    """The case file as the ranks compare it before loading: its name and, for a regular
    file of reasonable size, a hash of its bytes (anything else is left to the loader)."""
    try:
        if path.is_file() and path.stat().st_size <= 2**24:
            return f"{path} sha256:{hashlib.sha256(path.read_bytes()).hexdigest()}"
    except OSError:
        pass
    return str(path)


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
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # bare `pdekit`: one line saying what it takes
        usage = parser.format_usage().strip().removeprefix("usage: ")
        print(f"pdekit: command line: expected a command (usage: {usage}; pdekit -h for "
              "help)", file=sys.stderr)
        return EXIT_BAD_INPUT
    signal.signal(signal.SIGTERM, _terminated)
    share_blas_threads()
    try:
        if args.command == "list":
            return _list()
        if args.command == "check":
            case = load_case(args.case, args.overrides).case
            for notice in case.notices:
                print(notice, file=sys.stderr)
            print(f"# {case.source}: valid {case.kind} case")
            print(format_toml(case.resolved()))
            return EXIT_OK
        return _run(args, solver_args, argv)
    except HelpShown:  # -- -help: the solver's options were printed; nothing ran
        return EXIT_OK
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
            note = getattr(interrupt, "note", None)
            print("pdekit: interrupted" + (f"; {note}" if note and kept else "")
                  + (f"; partial output kept in {kept}/" if kept else
                     "; nothing was written"), file=sys.stderr)
        code = 128 + interrupt_signal(interrupt)
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
