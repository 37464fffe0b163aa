"""Timing shared by the Python benchmark runners: the reference side is timed in-process, as a median; a whole
process (SkyCorpus's binaries) by its wall time, peak memory and CPU time."""

import os
import statistics
import subprocess
import sys
import tempfile
import time


def median_seconds(body, repeats):
    """The median wall-clock seconds of `repeats` calls of `body()`."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measured(command, env=None):
    """Runs `command`; returns (wall seconds, peak RSS bytes of the process itself, stdout, CPU seconds of it and
    of its waited-for descendants). A failure prints the end of its stderr and stops the benchmark."""
    started = time.time()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.time() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.stderr.write(stderr[-4000:])
        raise SystemExit(f"{os.path.basename(sys.argv[0])}: {' '.join(command[:4])} failed")
    return seconds, usage.ru_maxrss * 1024, stdout, usage.ru_utime + usage.ru_stime
