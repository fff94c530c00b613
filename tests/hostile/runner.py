"""A fork server for the hostile corpus test: import callsim once, then run each command in a fresh fork.

Starting Python and importing callsim costs most of a second, so three hundred cases as fresh processes
take minutes on a busy machine. This process imports the command line once and forks a child per
request; the child runs the real entry point (`simulator.cli.main`, behind its error guard) with its own
environment, working folder and stdio files, and the parent reaps it with os.wait4 to read what the
child itself used (CPU seconds, peak resident memory: pages shared with this parent count, so the figure
errs high). This process has no threads, so forking it is safe.

Protocol: one JSON request a line on stdin, {"args", "env", "cwd", "stdin", "stdout", "stderr",
"timeout"}; one JSON reply a line on stdout, {"code", "cpu", "maxrss", "timed_out"}.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time


def child(request: dict[str, object]) -> None:
    os.setsid()
    stdin = os.open(str(request["stdin"]), os.O_RDONLY)
    stdout = os.open(str(request["stdout"]), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    stderr = os.open(str(request["stderr"]), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    for source, target in ((stdin, 0), (stdout, 1), (stderr, 2)):
        os.dup2(source, target)
        os.close(source)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 - fresh: nothing the server buffered
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in dict(request["env"]).items()})  # type: ignore[call-overload]
    os.chdir(str(request["cwd"]))
    sys.argv = ["callsim", *[str(arg) for arg in request["args"]]]  # type: ignore[attr-defined]
    code = 0
    try:
        from simulator.cli import main

        main()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:  # the guard lets nothing else out; if it did, that is a crash
        code = 99
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def serve() -> None:
    import simulator.cli  # noqa: F401  - the imports every command needs, done once
    import simulator.cli.errors  # noqa: F401

    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            child(request)
        deadline = time.monotonic() + float(request["timeout"])
        timed_out = False
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.killpg(pid, signal.SIGKILL)
                timed_out = True
            time.sleep(0.005)
        reply = {
            "code": os.waitstatus_to_exitcode(status),
            "cpu": usage.ru_utime + usage.ru_stime,
            "maxrss": usage.ru_maxrss * 1024,
            "timed_out": timed_out,
        }
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
