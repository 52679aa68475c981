"""The feedback block: what the session was and what the weeks before it say.

A handful of lines a phone shows without wrapping. Three rules keep every sentence true and
safe:

- A line appears only when the known history supports it: without history the block says so
  and gives no weekly figure; a figure that rests on a population default says so.
- Every piece of advice shows the number behind it.
- After a race, a long or very long run, any hard session, a load jump or days off, the next
  step named is easy running or rest, never a quality session.

Each line starts with its own heading (the text before the first ": "), never shared with
another line. The wording lives in :data:`MESSAGES`, one table per language keyed by message
id, so a language is one more table. Counts take ``.one`` / ``.other`` message variants.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from analysis.consistency import Consistency
from analysis.description import BLOCK_BEGIN, BLOCK_END
from analysis.load import HARD_WORKOUTS
from analysis.model import Classification, SessionRecord, Workout
from analysis.recovery import ACUTE_DAYS, ACWR_HIGH, Recovery
from analysis.training import (
    MISSING_DAYS,
    MUSCLES_BY_WORKOUT,
    STRENGTH_PER_WEEK,
    Glitch,
    Strength,
    TrainingSummary,
)
from analysis.units import format_distance, format_duration

#: Unit systems a block can be written in.
UNITS = ("metric", "imperial")
#: Line length to stay under so a phone in portrait shows each line whole (a design aim,
#: about 60 characters); longer clause lists continue on the next line.
LINE_WIDTH = 60
#: Indent of a continuation line.
CONTINUATION = "  "
#: What separates a line's heading from its text.
HEADING_END = ": "
#: Workout labels named in the mix line; the rest are summed as "more", to keep it one line.
MIX_LABELS_SHOWN = 4

Table = Mapping[str, str]

_ENGLISH: Table = {
    **{f"workout.{w.value}": w.value.replace("_", "-").capitalize() for w in Workout},
    "workout.long": "Long run",
    # Not "Recovery" nor "Strength": those headings belong to the recovery line and the
    # weekly strength line.
    "workout.recovery": "Recovery run",
    "workout.strength": "Strength session",
    **{f"name.{w.value}": w.value.replace("_", "-") for w in Workout},
    "headline": "{title}: {evidence}",
    "headline.plain": "{distance} in {duration}",
    "history.none": "History: not read yet, so no weekly figures",
    "history.short": "History: only {days} d on record",
    "glitch": "Left out as implausible: {distance} in {duration}",
    "glitch.more": "{text} and {n} more",
    "mix": "Mix, {days} d: {counts}; {share} % quality",
    "mix.none": "Mix, {days} d: no runs",
    "mix.more": "{n} more",
    "mix.monotone": "too little variety",
    "list.or": "{first} or {last}",
    "missing": "No {names} in {days} d: add {drill} ({muscles})",
    # Drills as coaches prescribe them: short hill repeats, 20 s strides, and intervals of
    # 3-5 min at VO2max effort (Daniels, Daniels' Running Formula, "I" pace).
    "drill.hills": "6-8 x 1 min uphill",
    "drill.sprints": "6-8 x 20 s strides",
    "drill.intervals": "5 x 3 min hard",
    "muscle.quads": "quads",
    "muscle.glutes": "glutes",
    "muscle.hamstrings": "hamstrings",
    "muscle.calves": "calves",
    "recovery": "Recovery: ",
    "recovery.return": "back after {n} days off",
    "recovery.return.open": "back after {n}+ days off",
    "recovery.streak.one": "{n} hard day",
    "recovery.today.one": "{n} hard session today",
    "recovery.today.other": "{n} hard sessions today",
    "recovery.streak.other": "{n} hard days in a row",
    "recovery.hard": "hard session of {duration}",
    "recovery.rest": "{n} of {days} days rest",
    "recovery.monotony": "monotony {value:.1f}, vary hard and easy days",
    "recovery.ease": "easy run or rest next",
    "recovery.ease.return": "build up with easy runs",
    "load": "Load, last 7 d: ",
    "load.usual.one": "{ratio:.1f}x the week before",
    "load.usual.other": "{ratio:.1f}x your average week of the {n} before",
    "load.running": "running {ratio:.1f}x",
    "strength": "Strength: {n} of {low}-{high} this week",
    "strength.week": "{text} ({n} in 7 d)",
    "strength.on_target": "{text}, on target",
    "strength.advice": "{text}: squats, lunges, calf raises",
    "consistency": "Consistency: {rate:.1f} runs/week over {weeks}, {distance}/week",
    "consistency.none": "Consistency: no runs in {weeks}",
    "weeks.one": "{n} week",
    "weeks.other": "{n} weeks",
    "progress": "Progress: ",
    "progress.distance": "distance {percent:+d} %/week",
    "progress.efficiency": "easy speed per heartbeat {percent:+d} %",
    # Within the 20-40 g of protein after exercise of Jäger et al. 2017 (J Int Soc Sports
    # Nutr 14:20); carbohydrate before the next session (Thomas et al. 2016, ACSM).
    "refuel": "Refuel: 20-30 g protein within 1 h, carbs before the next run",
}

#: Message tables by language code.
MESSAGES: Mapping[str, Table] = {"en": _ENGLISH}

#: Recovery warnings after which the next step is easy running or rest.
_EASE_AFTER = frozenset({"return", "streak", "load", "run_jump"})


def render_block(
    classification: Classification,
    current: SessionRecord,
    summary: TrainingSummary,
    units: str = "metric",
    language: str = "en",
) -> str:
    """The feedback block, from :data:`BLOCK_BEGIN` to :data:`BLOCK_END`, lines joined by ``\\n``.

    The headline is the classification's evidence as the classifier wrote it: figures that
    rest on population defaults already say so there.

    Raises:
        ValueError: ``units`` or ``language`` is not supported; the message names the choices.
    """
    if units not in UNITS:
        raise ValueError(f"unknown units {units!r}; supported: {', '.join(UNITS)}")
    if language not in MESSAGES:
        raise ValueError(f"unknown language {language!r}; supported: {', '.join(MESSAGES)}")
    t, imperial = MESSAGES[language], units == "imperial"
    r = summary.recovery
    ease = is_hard(classification, current) or r.hard_today > 0 or bool(
        _EASE_AFTER & set(r.warnings))
    lines = [
        _headline(t, classification, current, imperial),
        *_history(t, summary),
        *_glitch(t, summary, imperial),
        *_mix(t, summary),
        *([] if ease else _missing(t, summary)),
        *_recovery(t, classification, current, r, ease),
        *_load(t, r),
        *_strength(t, summary.strength),
        *_consistency(t, summary.consistency, imperial),
        *_progress(t, summary.consistency),
        *([t["refuel"]] if current.hard else []),
    ]
    return "\n".join([BLOCK_BEGIN, *lines, BLOCK_END])


def is_hard(c: Classification, current: SessionRecord) -> bool:
    """Whether the session itself calls for easy running or rest next: a race, a long or very
    long run, any quality or otherwise hard session."""
    return current.hard or c.workout in HARD_WORKOUTS


def heading(line: str) -> str | None:
    """A line's heading, or None for a continuation line."""
    if line.startswith(CONTINUATION):
        return None
    return line.split(HEADING_END, 1)[0]


def _count(t: Table, key: str, n: int, **values: object) -> str:
    return t[f"{key}.one" if n == 1 else f"{key}.other"].format(n=n, **values)


def _percent(fraction: float) -> int:
    return round(100 * fraction)


def _packed(prefix: str, clauses: Sequence[str]) -> list[str]:
    """``prefix`` and clauses joined by "; ", continued on a new line past :data:`LINE_WIDTH`."""
    lines = [prefix + clauses[0]]
    for clause in clauses[1:]:
        if len(lines[-1]) + 2 + len(clause) <= LINE_WIDTH:
            lines[-1] += "; " + clause
        else:
            lines[-1] += ";"
            lines.append(CONTINUATION + clause)
    return lines


def _headline(t: Table, c: Classification, current: SessionRecord, imperial: bool) -> str:
    evidence = c.evidence.strip() or _distance_in_time(t, "headline.plain", current, imperial)
    return t["headline"].format(title=t[f"workout.{c.workout.value}"], evidence=evidence)


def _distance_in_time(t: Table, key: str, record: SessionRecord, imperial: bool) -> str:
    distance = format_distance(record.distance_m, imperial)
    return t[key].format(distance=distance, duration=format_duration(record.moving_s))


def _history(t: Table, summary: TrainingSummary) -> list[str]:
    if not summary.history_known:
        return [t["history.none"]]
    if summary.consistency is None:
        return [t["history.short"].format(days=summary.known_days)]
    return []


def _glitch(t: Table, summary: TrainingSummary, imperial: bool) -> list[str]:
    if not summary.glitches:
        return []
    shown: Glitch = summary.current_glitch or summary.glitches[-1]
    text = _distance_in_time(t, "glitch", shown.record, imperial)
    more = len(summary.glitches) - 1
    return [t["glitch.more"].format(text=text, n=more) if more else text]


def _mix(t: Table, summary: TrainingSummary) -> list[str]:
    v, days = summary.variety, summary.variety_days
    if v is None:
        return []
    if not v.runs:
        return [t["mix.none"].format(days=days)]
    shown = sorted(v.run_counts, key=lambda item: -item[1])[:MIX_LABELS_SHOWN]
    parts = [f"{n} {t[f'name.{w.value}']}" for w, n in v.run_counts if (w, n) in shown]
    rest = v.runs - sum(n for _, n in shown)
    counts = ", ".join([*parts, t["mix.more"].format(n=rest)] if rest else parts)
    text = t["mix"].format(days=days, counts=counts, share=_percent(v.quality_share))
    if not v.lacks_variety:
        return [text]
    verdict = t["mix.monotone"]
    if len(text) + len(HEADING_END) + len(verdict) <= LINE_WIDTH:
        return [text + HEADING_END + verdict]
    return [text + HEADING_END.rstrip(), CONTINUATION + verdict]


def _missing(t: Table, summary: TrainingSummary) -> list[str]:
    v = summary.variety
    if v is None or not v.runs or not v.missing:
        return []
    drill = next(
        (w for w in v.missing if set(MUSCLES_BY_WORKOUT[w]) & set(v.muscles_neglected)),
        v.missing[0],
    )
    muscles = [m for m in MUSCLES_BY_WORKOUT[drill] if m in v.muscles_neglected]
    names = [t[f"name.{w.value}"] for w in v.missing]
    return [t["missing"].format(
        names=_or_list(t, names), days=MISSING_DAYS, drill=t[f"drill.{drill.value}"],
        muscles=", ".join(t[f"muscle.{m}"] for m in muscles or MUSCLES_BY_WORKOUT[drill]),
    )]


def _or_list(t: Table, items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    return t["list.or"].format(first=", ".join(items[:-1]), last=items[-1])


def _recovery(
    t: Table, c: Classification, current: SessionRecord, r: Recovery, ease: bool
) -> list[str]:
    """Days off, hard days and rest days; then, when called for, easy running or rest next.

    A race, a long run or a quality session shows its figures in the headline; any other
    hard session names its duration here, and so does every one when no rest days are known.
    """
    clauses = []
    name_it = is_hard(c, current) and (c.workout not in HARD_WORKOUTS or r.rest_days_7d is None)
    if r.returning and r.days_off is not None:
        key = "recovery.return.open" if r.days_off_open else "recovery.return"
        clauses.append(t[key].format(n=r.days_off))
    if name_it and r.hard_streak < 2 and not r.returning:
        clauses.append(t["recovery.hard"].format(duration=format_duration(current.moving_s)))
    elif r.hard_streak >= 2:
        clauses.append(_count(t, "recovery.streak", r.hard_streak))
    elif r.hard_today and not is_hard(c, current):
        clauses.append(_count(t, "recovery.today", r.hard_today))
    if r.rest_days_7d is not None and not r.returning:
        clauses.append(t["recovery.rest"].format(n=r.rest_days_7d, days=ACUTE_DAYS))
    if "monotony" in r.warnings:
        clauses.append(t["recovery.monotony"].format(value=r.monotony))
    if ease:
        clauses.append(t["recovery.ease.return" if r.returning else "recovery.ease"])
    return _packed(t["recovery"], clauses) if clauses else []


def _load(t: Table, r: Recovery) -> list[str]:
    """The last seven days against the usual week; not after a return.

    Running distance is added when it tells more than the load: when it jumped and the load
    did not, or when the load did and running did not (then the high load is no reason for an
    easy day).
    """
    acwr, change = r.acwr, r.run_change
    if acwr is None or r.returning:
        return []
    clauses = [_count(t, "load.usual", r.usual_weeks, ratio=acwr)]
    jumps = {"load", "run_jump"} & set(r.warnings)
    if change is not None and (jumps == {"run_jump"} or (acwr > ACWR_HIGH and r.runs_less)):
        clauses.append(t["load.running"].format(ratio=1 + change))
    return _packed(t["load"], clauses)


def _strength(t: Table, s: Strength | None) -> list[str]:
    if s is None:
        return []
    low, high = STRENGTH_PER_WEEK
    text = t["strength"].format(n=s.this_week, low=low, high=high)
    if s.last_7_days is not None and s.last_7_days != s.this_week:
        text = t["strength.week"].format(text=text, n=s.last_7_days)
    return [t["strength.on_target" if s.on_target else "strength.advice"].format(text=text)]


def _consistency(t: Table, c: Consistency | None, imperial: bool) -> list[str]:
    if c is None:
        return []
    weeks = _count(t, "weeks", c.weeks)
    if not c.runs:
        return [t["consistency.none"].format(weeks=weeks)]
    distance = format_distance(c.mean_weekly_distance_m, imperial)
    return [t["consistency"].format(rate=c.runs_per_week, weeks=weeks, distance=distance)]


def _progress(t: Table, c: Consistency | None) -> list[str]:
    if c is None:
        return []
    changes = [
        ("progress.distance", c.distance_trend), ("progress.efficiency", c.efficiency_change)
    ]
    clauses = [
        t[key].format(percent=_percent(change))
        for key, change in changes
        if change is not None and _percent(change) != 0
    ]
    return _packed(t["progress"], clauses) if clauses else []

