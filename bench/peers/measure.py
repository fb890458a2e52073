"""Runs one contender of bench/peers.bench.ts and measures its whole process tree.

usage: python3 measure.py OUT.json -- COMMAND ARGS...

The wrapper makes itself a child subreaper (prctl), so a JVM that its Python parent leaves
behind is re-parented here and reaped here: RUSAGE_CHILDREN then holds the CPU time of every
process of the tree, however it ended. Every 200 ms it sums the RSS of the live tree; the peak
of that sum is the peak RSS. SIGTERM and SIGINT are passed to the command; SIGUSR1 writes a
"mark" (the tree's CPU time so far) so a contender that runs until it is stopped (our workers)
is charged up to the moment its result was final, not for its shutdown. The standard library
only: it runs on the system python3.
"""

import ctypes
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time

PR_SET_CHILD_SUBREAPER = 36
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def proc_table() -> dict[int, tuple[int, float, int]]:
    """pid -> (ppid, cpu seconds, rss bytes) for every process we can read."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                raw = f.read().decode("latin-1")
        except OSError:
            continue
        fields = raw[raw.rfind(")") + 2 :].split()
        # fields[0] is state (stat field 3): ppid 4, utime 14, stime 15, rss 24.
        table[int(name)] = (
            int(fields[1]),
            (int(fields[11]) + int(fields[12])) / TICKS,
            int(fields[21]) * PAGE,
        )
    return table


def tree_of(root: int, table: dict[int, tuple[int, float, int]]) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    out, stack = [], [root]
    while stack:
        pid = stack.pop()
        out.append(pid)
        stack.extend(children.get(pid, []))
    return out


def main() -> int:
    out_file, sep, *command = sys.argv[1:]
    assert sep == "--" and command, __doc__
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    me = os.getpid()
    started = time.time()
    child = subprocess.Popen(command)
    peak_rss = 0
    mark: dict[str, float] = {}
    lock = threading.Lock()

    def cpu_now() -> float:
        table = proc_table()
        live = sum(table[p][1] for p in tree_of(me, table) if p != me and p in table)
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        return live + used.ru_utime + used.ru_stime

    def on_mark(_sig, _frame) -> None:
        with lock:
            mark["cpuSeconds"] = cpu_now()
            mark["peakRssBytes"] = peak_rss
            mark["seconds"] = time.time() - started

    def forward(sig, _frame) -> None:
        if child.poll() is None:
            child.send_signal(sig)

    signal.signal(signal.SIGUSR1, on_mark)
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)

    while child.poll() is None:
        table = proc_table()
        rss = sum(table[p][2] for p in tree_of(me, table) if p != me and p in table)
        peak_rss = max(peak_rss, rss)
        time.sleep(0.2)
    status = child.returncode
    ended = time.time()
    # Reap what the command left behind (re-parented here); give it a moment, then stop it.
    deadline = time.time() + 20
    while True:
        table = proc_table()
        rest = [p for p in tree_of(me, table) if p != me]
        if not rest:
            break
        if time.time() > deadline:
            for p in rest:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        time.sleep(0.2)
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {
        "exitCode": status,
        "seconds": ended - started,
        "cpuSeconds": used.ru_utime + used.ru_stime,
        "peakRssBytes": peak_rss,
        "mark": mark or None,
    }
    with open(out_file, "w") as f:
        json.dump(result, f)
    return 0 if status == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
