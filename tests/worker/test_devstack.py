"""worker.devstack: what `make run` does while the stack runs, and how it stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from worker.devstack import Stack, run_until_stopped

#: A child that runs until it is stopped, as the stack's processes do.
FOREVER = [sys.executable, "-c", "import time; time.sleep(120)"]


@pytest.fixture
def stack() -> Iterator[Stack]:
    """A stack of two children that run until stopped; stopped after the test, by pid."""
    with Stack({}) as running:
        running.processes += [subprocess.Popen(FOREVER), subprocess.Popen(FOREVER)]
        yield running


def signal_once_waiting(signum: int) -> threading.Thread:
    """Send ``signum`` to this process once run_until_stopped has its handler in place (never
    before: Python's own SIGINT handler would stop the test run)."""
    before = signal.getsignal(signum)

    def send() -> None:
        deadline = time.monotonic() + 10
        while signal.getsignal(signum) is before and time.monotonic() < deadline:
            time.sleep(0.01)
        if signal.getsignal(signum) is not before:
            os.kill(os.getpid(), signum)

    thread = threading.Thread(target=send)
    thread.start()
    return thread


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_while_the_stack_runs_stops_it_and_every_process_is_reaped(
        stack: Stack, signum: int) -> None:
    before = signal.getsignal(signum)
    sender = signal_once_waiting(signum)
    # Polled every millisecond: a signal raising KeyboardInterrupt would land inside
    # Popen.poll() often enough to leave its lock taken and the stop below waiting for ever.
    stopped = run_until_stopped(stack, poll_s=0.001)
    sender.join()
    children = list(stack.processes)
    stack.stop()

    assert stopped
    assert signal.getsignal(signum) is before
    assert all(child.returncode is not None for child in children)


def test_a_process_that_exits_ends_the_wait_without_a_signal(stack: Stack) -> None:
    stack.processes.append(subprocess.Popen([sys.executable, "-c", "pass"]))

    assert run_until_stopped(stack, poll_s=0.01) is False
