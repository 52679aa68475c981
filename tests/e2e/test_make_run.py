"""`make run` (`stridewise dev`): the demo's blocks, and a Ctrl-C that stops everything."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from worker.devstack import DEMO_WORKOUTS, local_env

pytestmark = pytest.mark.e2e

#: How long the stack has to start, connect the demo athlete and write every demo block.
DEMO_TIMEOUT_S = 240.0


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def outlives(pid: int, grace_s: float = 10.0) -> bool:
    """Whether ``pid`` is still running after ``grace_s``; if so it is stopped here, by pid."""
    deadline = time.monotonic() + grace_s
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive(pid):
        os.kill(pid, signal.SIGKILL)
        return True
    return False


def embedded_redis_pid(var_dir: Path) -> int:
    settings = json.loads((var_dir / "redis.db.settings").read_text())
    return int(Path(settings["pidfile"]).read_text())


def test_the_demo_writes_one_block_at_a_time_and_ctrl_c_stops_the_embedded_redis_too(
    tmp_path: Path,
) -> None:
    var_dir = tmp_path / "var"
    env = local_env(str(var_dir))
    demo = subprocess.Popen([sys.executable, "-m", "worker.cli", "dev"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    lines: list[str] = []
    redis_pid = 0
    try:
        deadline = time.monotonic() + DEMO_TIMEOUT_S
        assert demo.stdout is not None
        while time.monotonic() < deadline:
            line = demo.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Running."):
                break
        assert lines and lines[-1].startswith("Running."), "".join(lines)
        redis_pid = embedded_redis_pid(var_dir)
        assert alive(redis_pid)
    finally:
        os.killpg(demo.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
        demo.wait(timeout=60)
        outlived = redis_pid and outlives(redis_pid)

    assert not outlived, "the embedded Redis server outlived the stack"
    output = "".join(lines)
    steps = [line.split()[0] for line in lines if line.startswith(("uploading ", "--- "))]
    assert steps == ["uploading", "---"] * len(DEMO_WORKOUTS), output
