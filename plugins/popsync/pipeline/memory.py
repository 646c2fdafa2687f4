"""Peak resident memory of the running process (``VmHWM`` of ``/proc/self/status``)."""

from pathlib import Path

_STATUS = Path("/proc/self/status")


def peak_memory_mb() -> float | None:
    """The process's peak resident set size in MB (10^6 bytes); None where /proc is missing."""
    try:
        text = _STATUS.read_text(encoding="ascii")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            parts = line.split()
            return int(parts[1]) * 1024 / 1_000_000  # reported in kB (KiB)
    return None
