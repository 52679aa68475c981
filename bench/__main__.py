"""`make bench`: run every benchmark and write the whole of BENCHMARKS.md.

Each section is stamped with the date and the machine of its own measurement; nothing of the
file is written by hand. Recordings outside the repository are found through $SHARED_DATA,
$STRIDEWISE_HELDOUT_DATA and $STRIDEWISE_BLIND_DATA (see bench/real_accuracy.py).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench import (
    analysis_speed,
    backfill_vs_live,
    capacity,
    event_cost,
    leave_one_out,
    quota_drain,
    real_accuracy,
    requests_per_activity,
    summary_verdicts,
    web_latency,
)

OUTPUT = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}")


def classifier_quality() -> str:
    script = Path(__file__).with_name("classifier_f1.py")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            check=True)
    return ("## Classifier quality\n\n`python bench/classifier_f1.py` (40 generated activities "
            "per label, seed 2024, then the labelled files of tests/data). The generator is for "
            "unit tests of one behaviour at a time; the measure of quality is the "
            "real-recordings headline above.\n\n```\n" + result.stdout.strip() + "\n```\n")


def accuracy() -> str:
    return real_accuracy.report_all(real_accuracy.measure_all())


def requests() -> str:
    return requests_per_activity.report(requests_per_activity.measure())


def requests_weeks() -> str:
    return requests_per_activity.report_weeks(requests_per_activity.measure_weeks())


def requests_connect() -> str:
    return requests_per_activity.report_connect(requests_per_activity.measure_connect())


def drain() -> str:
    return quota_drain.report(quota_drain.measure(quota_drain.ALONE),
                              quota_drain.measure(quota_drain.TOGETHER))


#: Every section of BENCHMARKS.md, in its order, each measured when it is written.
SECTIONS: tuple[Callable[[], str], ...] = (
    accuracy,
    lambda: leave_one_out.report(leave_one_out.measure()),
    lambda: analysis_speed.report(analysis_speed.measure()),
    requests,
    requests_weeks,
    requests_connect,
    lambda: summary_verdicts.report(summary_verdicts.measure()),
    drain,
    lambda: backfill_vs_live.report(backfill_vs_live.measure()),
    lambda: web_latency.report(web_latency.measure()),
    lambda: capacity.report(capacity.measure()),
    lambda: event_cost.report(event_cost.measure()),
    classifier_quality,
)


def stamped(text: str, when: datetime, where: str) -> str:
    """``text`` with "Measured <when> on <where>." under each of its headings."""
    line = f"Measured {when:%Y-%m-%d %H:%M} UTC on {where}."
    out: list[str] = []
    fenced = False
    lines = text.strip("\n").splitlines()
    for i, row in enumerate(lines):
        if row.startswith("```"):
            fenced = not fenced
        if not fenced and out and not out[-1] and not row:
            continue  # one blank line between paragraphs
        out.append(row)
        if not fenced and row.startswith(("## ", "### ")):
            out += ["", line]
            if i + 1 < len(lines) and lines[i + 1]:
                out.append("")
    return "\n".join(out) + "\n"


def header(began: datetime, took_s: float) -> str:
    inputs = {name: "set" if os.environ.get(name) else "not set"
              for name in ("SHARED_DATA", "STRIDEWISE_HELDOUT_DATA", "STRIDEWISE_BLIND_DATA")}
    return (
        "# Benchmarks\n\n"
        "This file is written whole by `make bench` (bench/__main__.py); nothing in it is edited "
        "by hand, and running `make bench` again writes it anew. Each section says when and on "
        "which machine it was measured; figures recorded once in the past (the blind scores "
        "taken before rules changed, a measurement of code since replaced) are kept as "
        "constants in the benchmarks and printed as such beside this run's.\n\n"
        f"This run began {began:%Y-%m-%d %H:%M} UTC on {machine()} and took "
        f"{took_s / 60:.0f} min; recordings outside the repository were looked for through "
        + ", ".join(f"${k} ({v})" for k, v in inputs.items())
        + ": files absent are reported as absent in their sections.\n")


def main() -> None:
    began = datetime.now(UTC)
    start = time.monotonic()
    where = machine()
    sections = []
    for section in SECTIONS:
        sections.append(stamped(section(), datetime.now(UTC), where))
        print(sections[-1], flush=True)
    text = "\n".join([header(began, time.monotonic() - start), *sections])
    OUTPUT.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
