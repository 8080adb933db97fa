"""The glibc allocator settings ``pdekit solve`` makes for itself."""

import ctypes.util
import subprocess
import sys

import pytest

# Allocate and touch eight 1 MiB arrays, free them, repeat: glibc by default trims the
# freed top of the heap (or unmaps the blocks) every round, so every round faults its
# pages in anew; with the retained memory the rounds after the first reuse them.
CHURN = """
import resource, sys
import numpy as np
from pdekit.memory import retain_freed_memory

def faults_per_round():
    def round_():
        arrays = [np.ones(2**17) for _ in range(8)]
        del arrays
    round_()
    start = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(20):
        round_()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - start) / 20

default = faults_per_round()
assert retain_freed_memory()
retained = faults_per_round()
print(default, retained)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux") or ctypes.util.find_library("c") is None,
                    reason="glibc only")
def test_retained_memory_is_reused_without_page_faults():
    result = subprocess.run([sys.executable, "-c", CHURN], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    default, retained = map(float, result.stdout.split())
    assert default > 1000  # 8 MiB = 2048 pages faulted in per round
    assert retained < 10
