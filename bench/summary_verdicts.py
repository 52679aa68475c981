"""What the summary decides without streams, how often it is wrong, and what that costs.

Every upload costs two requests (read, write) plus one for the streams when the summary,
laps and splits cannot decide. This runs the worker's decision on many more uploads than
the live benchmark can (no processes, no HTTP): each activity goes through the sandbox's
DetailedActivity JSON and the parser the worker uses, and is judged against a profile
learned from six weeks of the athlete's history, as the worker judges it.

Run from the repository root: ``python -m bench.summary_verdicts``.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np

from analysis.engine import analyse, judge_summary, profile_for
from analysis.model import Activity, SessionRecord, Workout
from analysis.parsers.bundle import activity_from_strava
from bench.requests_per_activity import HISTORY_DAYS, MANUAL, MIX
from worker.sandbox.fixtures import detailed_activity
from worker.sandbox.seeding import generate_activity, history_plan

ATHLETES = 24
PER_KIND = 8
TODAY = datetime(2026, 3, 2, tzinfo=UTC)


def measure(athletes: int = ATHLETES, per_kind: int = PER_KIND) -> dict[str, object]:
    kinds = [(Workout(w), False) for w, _ in MIX] + [(Workout(w), True) for w, _ in MANUAL]
    counts: dict[str, Counter[str]] = {}
    for athlete in range(1, athletes + 1):
        rng = np.random.default_rng([athlete, per_kind])
        history = _history(athlete, rng)
        for k, (workout, manual) in enumerate(kinds):
            for r in range(per_kind):
                start = TODAY + timedelta(hours=k * per_kind + r)
                uploaded = generate_activity(workout, rng, start, athlete, manual=manual)
                summary, full = _as_the_worker_reads(uploaded, 10_000 + k * per_kind + r,
                                                     athlete)
                profile = profile_for(history, full)
                verdict = judge_summary(summary, profile)
                by_streams = analyse(full, profile).classification.workout
                seen = verdict.classification.workout
                tally = counts.setdefault(_kind(workout, manual), Counter())
                tally["uploads"] += 1
                tally["decided"] += verdict.decided
                tally["decided_unlike_streams"] += verdict.decided and seen != by_streams
                tally["decided_wrong"] += verdict.decided and seen != workout
                tally["streams_wrong"] += by_streams != workout
    weights = {_kind(Workout(w), False): n for w, n in MIX}
    weights |= {_kind(Workout(w), True): n for w, n in MANUAL}
    expected = sum(n * _cost(counts[k]) for k, n in weights.items()) / sum(weights.values())
    return {"counts": counts, "expected": expected, "athletes": athletes, "per_kind": per_kind}


def _history(athlete: int, rng: np.random.Generator) -> list[SessionRecord]:
    """The athlete's records, as the worker holds them after the connect-time backfill."""
    records: list[SessionRecord] = []
    for i, (workout, start) in enumerate(history_plan(HISTORY_DAYS, TODAY, rng)):
        _, activity = _as_the_worker_reads(generate_activity(workout, rng, start, athlete),
                                           i + 1, athlete)
        records.append(analyse(activity, profile_for(records, activity), i + 1).record)
    return records


def _as_the_worker_reads(activity: Activity, activity_id: int,
                         athlete: int) -> tuple[Activity, Activity]:
    """The activity parsed from the sandbox's DetailedActivity: without, then with, streams."""
    detail, streams = detailed_activity(activity, activity_id, athlete)
    return activity_from_strava(detail, None), activity_from_strava(detail, streams)


def _kind(workout: Workout, manual: bool) -> str:
    return f"manual {workout.value}" if manual else workout.value


def _cost(tally: Counter[str]) -> float:
    """Requests per upload: read and write, and the streams when the summary did not decide."""
    return 2 + 1 - tally["decided"] / tally["uploads"]


def report(figures: dict[str, object]) -> str:
    counts: dict[str, Counter[str]] = figures["counts"]  # type: ignore[assignment]
    rows = "\n".join(
        f"| {kind} | {t['uploads']} | {100 * t['decided'] / t['uploads']:.0f} % | "
        f"{t['decided_unlike_streams']} | {t['decided_wrong']} | {t['streams_wrong']} | "
        f"{_cost(t):.2f} |"
        for kind, t in counts.items())
    total = Counter[str]()
    for tally in counts.values():
        total.update(tally)
    return (
        "## What the summary decides\n\n"
        f"`python -m bench.summary_verdicts`: {figures['athletes']} sandbox athletes, each with "
        f"{HISTORY_DAYS} days of history, upload {figures['per_kind']} activities of every kind; "
        "each is judged from its summary, laps and splits as the worker judges it, and again "
        "with its streams. \"Wrong\" is against the kind the sandbox generated.\n\n"
        "| kind | uploads | decided without streams | decided, streams disagree | "
        "decided wrong | wrong with streams | requests per upload |\n"
        "| --- | --- | --- | --- | --- | --- | --- |\n" + rows + "\n\n"
        f"- decided without streams: {total['decided']} of {total['uploads']}, of which "
        f"{total['decided_wrong']} wrong\n"
        f"- expected requests per activity over the live benchmark's mix: "
        f"**{figures['expected']:.2f}**\n"
    )


if __name__ == "__main__":
    print(report(measure()))
