"""pdekit replaces only folders it made; every other destination is bad input up front."""

import os

import pytest

from pdekit.errors import CaseError
from pdekit.output import RunContext
from pdekit.output.folders import MARKER, check_destination, is_ours, remove_ours


def run_once(final, text):
    context = RunContext(final, quiet=True)
    context.prepare()
    (context.dir / "data.txt").write_text(text)
    context.finish({"status": "ok"})


def test_own_folders_are_marked_and_replaced(tmp_path):
    final = tmp_path / "out"
    run_once(final, "one")
    assert is_ours(final) and (final / MARKER).is_file()
    check_destination(final, "command line", "--out")  # replacing our own result is fine
    run_once(final, "two")
    assert (final / "data.txt").read_text() == "two"


@pytest.mark.parametrize("make", ["file", "user_folder", "user_empty_folder", "user_running",
                                  "user_failed", "symlink"])
def test_foreign_destinations_are_refused_and_untouched(tmp_path, make):
    final = tmp_path / "out"
    target = {"user_running": tmp_path / "out.running",
              "user_failed": tmp_path / "out.failed"}.get(make, final)
    if make == "file":
        target.write_text("precious")
    elif make == "symlink":
        (tmp_path / "elsewhere").mkdir()
        target.symlink_to(tmp_path / "elsewhere")
    else:
        target.mkdir()
        if make != "user_empty_folder":
            (target / "thesis.tex").write_text("precious")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with pytest.raises(CaseError) as caught:
        check_destination(final, "command line", "--out")
    assert "--out" in str(caught.value) and "\n" not in str(caught.value)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    with pytest.raises(ValueError):
        remove_ours(target)
    assert target.exists()


@pytest.mark.parametrize("path", ["", "/", ".", "..", "a\0b"])
def test_paths_without_a_folder_name(path):
    with pytest.raises(CaseError):
        check_destination(__import__("pathlib").Path(path) if "\0" not in path else path,
                          "command line", "--out")


def test_too_long_name_and_file_as_parent(tmp_path):
    with pytest.raises(CaseError, match="at most 200 bytes"):
        check_destination(tmp_path / ("x" * 300), "command line", "--out")
    (tmp_path / "plain").write_text("x")
    with pytest.raises(CaseError, match="is a file"):
        check_destination(tmp_path / "plain" / "sub" / "out", "command line", "--out")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_parent(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(CaseError, match="writable"):
        check_destination(locked / "out", "command line", "--out")


def test_stale_running_folder_of_ours_is_cleared(tmp_path):
    final = tmp_path / "out"
    first = RunContext(final, quiet=True)
    first.prepare()
    (first.dir / "half.vti").write_text("...")
    first.lock.release()  # killed mid-run: the kernel releases the lock
    second = RunContext(final, quiet=True)
    second.prepare()
    assert sorted(p.name for p in second.dir.iterdir()) == [MARKER]


@pytest.mark.parametrize("where", ["/proc/pdekit-out", "/sys/kernel/pdekit",
                                   "/tmp/" + "deep/" * 900])
def test_system_folders_and_overlong_paths_are_refused_up_front(where):
    with pytest.raises(CaseError) as caught:
        check_destination(__import__("pathlib").Path(where), "command line", "--out")
    assert caught.value.key == "--out" and "\n" not in str(caught.value)


def test_user_folder_named_like_the_previous_result_is_refused_untouched(tmp_path):
    final = tmp_path / "out"
    run_once(final, "one")
    user = tmp_path / ".out.previous"
    user.mkdir()
    (user / "notes.txt").write_text("precious")
    with pytest.raises(CaseError, match=r"\.out\.previous exists and was not made by pdekit"):
        check_destination(final, "command line", "--out")
    assert (user / "notes.txt").read_text() == "precious"
