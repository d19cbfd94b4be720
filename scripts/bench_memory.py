"""Peak resident memory of running process trees, read from /proc (Linux)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping
from pathlib import Path


def _status_kb(pid: int, field: str) -> int:
    """A ``kB`` field of /proc/<pid>/status, 0 once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    pids, pending = [], [pid]
    while pending:
        current = pending.pop()
        pids.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                pending += [int(child) for child in children.read_text().split()]
    return pids


def tree_rss_kb(pid: int) -> int:
    return sum(_status_kb(p, "VmRSS") for p in _tree(pid))


class PeakRss:
    """Samples each named process tree's total VmRSS in a background thread and keeps the peak.

    Sampling starts once the servers are up, so ``stop()`` also reads each root
    process's VmHWM (its own lifetime peak), which covers the model load.
    """

    def __init__(self, pids: Mapping[str, int], interval_s: float = 0.2) -> None:
        self._pids = dict(pids)
        self._interval_s = interval_s
        self._peaks_kb: dict[str, int] = {name: 0 for name in pids}
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self) -> None:
        for name, pid in self._pids.items():
            self._peaks_kb[name] = max(self._peaks_kb[name], tree_rss_kb(pid))

    def _run(self) -> None:
        while not self._stopped.wait(self._interval_s):
            self._sample()

    def start(self) -> PeakRss:
        self._sample()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> dict[str, float]:
        """Stop sampling (call before the processes exit) and return each tree's peak in MB."""
        self._stopped.set()
        if self._thread:
            self._thread.join()
        self._sample()
        for name, pid in self._pids.items():
            self._peaks_kb[name] = max(self._peaks_kb[name], _status_kb(pid, "VmHWM"))
        return {name: kb / 1024 for name, kb in self._peaks_kb.items()}
