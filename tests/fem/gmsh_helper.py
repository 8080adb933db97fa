"""Write a small Gmsh 2.2 mesh of the unit square (structured triangles) for tests."""

from __future__ import annotations

from pathlib import Path


def write_square_msh(path: Path, n: int = 8) -> Path:
    """Unit square, n×n cells split into triangles; physical line tags 1..4 named
    bottom/right/top/left, physical surface 10 named "domain"."""
    nodes = [(i / n, j / n) for j in range(n + 1) for i in range(n + 1)]
    number = lambda i, j: j * (n + 1) + i + 1  # noqa: E731 (1-based node id)
    elements = []
    sides = {1: [(number(i, 0), number(i + 1, 0)) for i in range(n)],
             2: [(number(n, j), number(n, j + 1)) for j in range(n)],
             3: [(number(i + 1, n), number(i, n)) for i in range(n)],
             4: [(number(0, j + 1), number(0, j)) for j in range(n)]}
    for tag, segments in sides.items():
        elements += [f"1 2 {tag} {tag} {a} {b}" for a, b in segments]
    for j in range(n):
        for i in range(n):
            a, b, c, d = number(i, j), number(i + 1, j), number(i + 1, j + 1), number(i, j + 1)
            elements += [f"2 2 10 10 {a} {b} {c}", f"2 2 10 10 {a} {c} {d}"]
    lines = ["$MeshFormat", "2.2 0 8", "$EndMeshFormat", "$PhysicalNames", "5",
             '1 1 "bottom"', '1 2 "right"', '1 3 "top"', '1 4 "left"', '2 10 "domain"',
             "$EndPhysicalNames", "$Nodes", str(len(nodes))]
    lines += [f"{k + 1} {x!r} {y!r} 0" for k, (x, y) in enumerate(nodes)]
    lines += ["$EndNodes", "$Elements", str(len(elements))]
    lines += [f"{k + 1} {text}" for k, text in enumerate(elements)]
    lines += ["$EndElements"]
    path.write_text("\n".join(lines) + "\n")
    return path
