"""Run one benchmark phase in a fresh process, so its peak memory is its own.

Each phase (ingest of one size, queries on one size, ...) runs in a spawned
child; the child reads its own peak resident set (VmHWM) when the phase ends.
A fresh process also means no Chroma client, model or import is shared
between phases.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (Linux VmHWM)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_in_child(func, *args, **kwargs):
    """``func(*args, **kwargs)`` in a spawned process; its result must be picklable."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(func, *args, **kwargs).result()


def load_average() -> float:
    return round(os.getloadavg()[0], 2)
