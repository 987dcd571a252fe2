"""Wall time and peak memory of a command, for the benchmark scripts.

Peak memory is the largest sum of resident set sizes over the command and its child
processes, sampled every 250 ms from /proc (Linux); elsewhere the largest single process.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

HIMOKEN = str(Path(sys.executable).with_name("himoken"))


def tree_rss(root: int) -> int:
    """Sum of RSS (bytes) of `root` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, parent = int(entry), int(fields[1])
        children.setdefault(parent, []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def measured(command: list[str]) -> tuple[float, int]:
    """Run `command` (stdout discarded); (seconds, peak bytes). Exits on failure."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    tracking = Path("/proc").is_dir()

    def sample() -> None:
        nonlocal peak
        while process.poll() is None:
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    if tracking:
        sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    if tracking:
        sampler.join()
    if process.returncode != 0:
        sys.exit(f"{command[0]} failed ({process.returncode}): {stderr.decode()[-2000:]}")
    if not tracking:
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return seconds, peak
