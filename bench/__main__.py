"""`make bench`: run every benchmark and write BENCHMARKS.md with the machine and the date."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import (
    analysis_speed,
    backfill_vs_live,
    capacity,
    event_cost,
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
            "per label, seed 2024, then the labelled files of tests/data):\n\n```\n"
            + result.stdout.strip() + "\n```\n")


def main() -> None:
    sections = [
        "# Benchmarks\n",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}, by `make bench`.\n",
        real_accuracy.report(real_accuracy.measure(), real_accuracy.measure(real_accuracy.ADDED),
                             *real_accuracy.measure_heldout())
        + "\n".join(real_accuracy.blind_lines(*real_accuracy.measure_blind())) + "\n"
        + "\n".join(real_accuracy.blind_lines(*real_accuracy.measure_blind(real_accuracy.BLIND_B),
                                               real_accuracy.BLIND_B, real_accuracy.BLIND_B_FIGURE))
        + "\n",
        analysis_speed.report(analysis_speed.measure()),
        requests_per_activity.report(requests_per_activity.measure()),
        requests_per_activity.report_weeks(requests_per_activity.measure_weeks()),
        requests_per_activity.report_connect(requests_per_activity.measure_connect()),
        summary_verdicts.report(summary_verdicts.measure()),
        quota_drain.report(quota_drain.measure(quota_drain.ALONE),
                           quota_drain.measure(quota_drain.TOGETHER)),
        backfill_vs_live.report(backfill_vs_live.measure()),
        web_latency.report(web_latency.measure()),
        capacity.report(capacity.measure()),
        event_cost.report(event_cost.measure()),
        classifier_quality(),
    ]
    text = "\n".join(sections)
    OUTPUT.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
