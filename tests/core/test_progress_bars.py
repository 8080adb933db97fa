"""Progress bars tell the truth on a terminal (issue 27, G): simulated time reads
``t=3664/10000`` (it read ``3664/1e+04 t``), a restart's bar starts at its own t, a stage
with a time limit never promises to end after it, and a message printed while a bar is
open starts its own line (it was glued to the bar: ``levels: 0%|…| 0/2 [00:00<?]p=1 …``)."""

from __future__ import annotations

import io
import re

from pdekit.output.bars import time_bar_format, time_digits
from pdekit.output.run import RunContext


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def terminal(monkeypatch) -> Terminal:
    """stderr as a terminal (set in the test itself: pytest's capture puts its own stderr
    back between a fixture's set-up and the test)."""
    screen = Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    return screen


def context(tmp_path) -> RunContext:
    return RunContext(tmp_path / "run", quiet=False, rank=0, case_name="bars")


def segments(text: str) -> list[str]:
    """What each carriage return or newline leaves to be drawn over."""
    return [part for part in re.split(r"[\r\n]", text) if part.strip()]


def test_simulated_time_reads_as_t_of_the_end(tmp_path, monkeypatch):
    screen = terminal(monkeypatch)
    bar = context(tmp_path).progress(10000.0, "turing", unit="t", time_steps=True)
    bar.update(3664.25)
    bar.bar.refresh()
    assert "| t=3664/10000 [" in screen.getvalue()
    assert "e+04" not in screen.getvalue()
    bar.close()


def test_a_restart_counts_from_its_own_start(tmp_path, monkeypatch):
    screen = terminal(monkeypatch)
    bar = context(tmp_path).progress(2.5, "turing", unit="t", time_steps=True, start=7.5)
    bar.update(1.25)
    bar.bar.refresh()
    assert "| t=8.75/10 [" in screen.getvalue()
    assert " 88%|" in screen.getvalue()
    bar.close()


def test_time_format_keeps_four_digits():
    assert [time_digits(t) for t in (10000.0, 100.0, 2.5, 0.001)] == [0, 1, 3, 6]
    assert time_bar_format(0.5).split("| ")[1].startswith("t={n:.4f}/0.5 [")


def test_eta_of_a_stage_with_a_time_limit_is_at_most_the_time_left(tmp_path, monkeypatch):
    terminal(monkeypatch)
    bar = context(tmp_path).progress(10 ** 9, "stage 1/1 adam", time_limit=5.0)
    bar.update(1)  # a billion steps to go: tqdm's own ETA is years
    remaining = bar.format_dict["remaining"]
    minutes, seconds = map(int, remaining.split(":"))
    assert 60 * minutes + seconds <= 5, remaining
    bar.close()


def test_a_message_during_a_bar_starts_its_own_line(tmp_path, monkeypatch):
    screen = terminal(monkeypatch)
    run = context(tmp_path)
    bar = run.progress(2, "levels", "level")
    bar.refresh()
    run.log("p=1 refine=0: 7 dofs")
    bar.close()
    line = [s for s in segments(screen.getvalue()) if "p=1 refine=0" in s]
    assert line == ["p=1 refine=0: 7 dofs"], screen.getvalue()
