"""Run one command as a child of this small process and write the child's own exit, CPU and peak memory.

A process forked from a large one (pytest, with speech and sentence models loaded) keeps the parent's
resident size as its peak even after exec, so measuring `python -m simulator` straight from the test run
would report the test run's memory. Started afresh, this launcher is small, and so is its child's start.

    python launch.py REPORT.json COMMAND [ARGS...]
"""

from __future__ import annotations

import json
import os
import sys

report, command = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    os.execv(command[0], command)
_, status, usage = os.wait4(pid, 0)
with open(report, "w", encoding="utf-8") as out:
    json.dump(
        {
            "code": os.waitstatus_to_exitcode(status),
            "cpu": usage.ru_utime + usage.ru_stime,
            "peak": usage.ru_maxrss * 1024,
        },
        out,
    )
