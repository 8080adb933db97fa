"""What :func:`pdekit.solve` hands back: the summary, the run folder and the arrays."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Result"]


@dataclass
class Result:
    """The outcome of one run.

    Attributes
    ----------
    kind
        The case's kind (``"turing"``, ``"eigen"``, ``"poisson-pinn"``).
    summary
        Exactly what ``summary.json`` holds (the resolved case, results, timings,
        versions).
    folder
        The run folder (``results/<name>`` by default); ``None`` for ``out=False`` and
        on MPI ranks other than 0.
    lines
        The report the CLI prints.
    data
        The kind's in-memory results, also readable as attributes:

        - turing: ``u``, ``v`` (final fields, grid-shaped), ``t`` (time reached),
          ``coordinates`` (one array per axis); on a ``[domain]``: ``u``, ``v`` at the
          mesh vertices ``points``, ``triangles`` (of the domain, its boundary or the
          surface), ``tetrahedra`` (solids, else None), and ``u_nodes``, ``v_nodes`` at
          every dof's node ``nodes`` (P2: vertices, then edge midpoints);
        - eigen: ``eigenvalues``, ``modes`` (``modes[i, j]``: mode i at ``points[j]``,
          the mesh vertices), ``cells`` (triangles or tetrahedra on those points),
          ``mesh`` and ``gridfunctions`` (the NGSolve objects, every computed mode);
        - poisson-pinn: ``model`` (callable on an ``(n, dim)`` array of points),
          ``u``, ``exact``, ``residual`` (on the evaluation grid), ``axes``,
          ``history`` (one dict per iteration).

    Examples
    --------
    >>> import pdekit
    >>> result = pdekit.solve("cases/turing.toml", set=["grid.n=64"], out=False)
    >>> result.u.shape
    (64, 64)
    """

    kind: str
    summary: dict[str, Any]
    folder: Path | None
    lines: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def results(self) -> dict[str, Any]:
        """``summary["results"]``: the kind's numbers."""
        return self.summary.get("results", {})

    def __getattr__(self, name: str) -> Any:
        data = self.__dict__.get("data", {})
        if name in data:
            return data[name]
        raise AttributeError(f"a {self.__dict__.get('kind', '?')} result has no {name!r}; "
                             f"it has {', '.join(sorted(data)) or 'no arrays'} besides "
                             "summary, folder, lines and results")

    def __repr__(self) -> str:
        where = self.folder if self.folder is not None else "in memory"
        return (f"Result(kind={self.kind!r}, folder={str(where)!r}, "
                f"data=[{', '.join(sorted(self.data))}])")
