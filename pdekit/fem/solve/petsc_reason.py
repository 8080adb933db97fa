"""PETSc's own reason for an error, out of a ``petsc4py.PETSc.Error``.

petsc4py puts PETSc's error traceback into the exception text: ``error code N`` and then,
one per line, ``[rank] Function() at file:line`` frames and the message lines (the generic
text of the code, then the specific one, e.g. ``This solver supports only smallest real or
largest real eigenvalues``). :func:`petsc_reason` keeps the message lines, so a refusal
quotes PETSc instead of pointing at output that was never printed.
"""

from __future__ import annotations

import re

_FRAME = re.compile(r"^\w+\(\) at \S+:\d+$")
_RANK = re.compile(r"^\[\d+\]\s*")


def petsc_reason(error: BaseException) -> str:
    """The message lines of a PETSc error (``"PETSc error code N"`` when there are none).

    >>> class E(Exception): pass
    >>> petsc_reason(E("error code 56\\n[0] EPSSetUp() at a.c:3\\n[0] No support\\n"
    ...                "[0] Only smallest real"))
    'PETSc error code 56: No support: Only smallest real'
    """
    lines = str(error).splitlines()
    head = lines[0].strip() if lines else ""
    code = getattr(error, "ierr", None)
    if code is None and head.startswith("error code "):
        code = head.rpartition(" ")[2]
    messages = []
    for line in lines[1:]:
        text = _RANK.sub("", line).strip()
        if text and not _FRAME.match(text) and text not in messages:
            messages.append(text)
    return ": ".join([f"PETSc error code {code}", *messages])
