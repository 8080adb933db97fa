"""What a progress bar shows: simulated time as ``t=3664/10000`` (not tqdm's
``3664/1e+04 t``), and an ETA that knows a stage's time limit.

Imports tqdm: :meth:`pdekit.output.run.RunContext.progress` imports this module on use.
"""

from __future__ import annotations

import math
import time
from typing import Any

from tqdm import tqdm


def time_digits(total: float) -> int:
    """Decimals that show about four significant digits of a time span ``total``
    (``10000`` → 0, ``2.5`` → 3, ``0.001`` → 6)."""
    if not (math.isfinite(total) and total > 0):
        return 0
    return max(0, 3 - math.floor(math.log10(total)))


def _plain(value: float, digits: int) -> str:
    """``value`` with ``digits`` decimals, trailing zeros after the point dropped."""
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def time_bar_format(end: float) -> str:
    """A tqdm ``bar_format`` for a bar over simulated time up to ``end``:
    ``turing etdrk4:  37%|███   | t=3664/10000 [00:12<00:20], dt = 2.5, step 152``."""
    digits = time_digits(end)
    end_text = _plain(end, digits).replace("{", "{{").replace("}", "}}")
    return ("{l_bar}{bar}| t={n:." + str(digits) + "f}/" + end_text
            + " [{elapsed}<{remaining}]{postfix}")


class DeadlineBar(tqdm):
    """A tqdm bar whose ETA is at most the time left before ``deadline``
    (a ``time.perf_counter()`` value): a stage with a time limit ends then, whatever
    the count still to go."""

    def __init__(self, *args: Any, deadline: float, **kwargs: Any):
        self.deadline = deadline
        super().__init__(*args, **kwargs)

    @property
    def format_dict(self) -> dict[str, Any]:
        data = super().format_dict
        left = max(0.0, self.deadline - time.perf_counter())
        n, total, elapsed = data["n"], data["total"], data["elapsed"]
        rate = data["rate"] or (n / elapsed if n and elapsed else None)
        eta = (total - n) / rate if rate and total else math.inf
        # format_meter takes extra keys as fields of bar_format, overriding its own
        data["remaining"] = self.format_interval(min(eta, left))
        return data
