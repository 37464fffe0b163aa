"""Timing shared by the Python benchmark runners: the reference side is timed in-process, as a median."""

import statistics
import time


def median_seconds(body, repeats):
    """The median wall-clock seconds of `repeats` calls of `body()`."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
