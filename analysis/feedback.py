"""The feedback block: what the session was and what the weeks before it say.

A handful of lines a phone shows without wrapping; every piece of advice shows the number
behind it, and a line appears only when it says something. The wording lives in
:data:`MESSAGES`, one table per language keyed by message id, so a language is one more
table. Counts take ``.one`` / ``.other`` message variants.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from analysis.consistency import WEEK_DAYS, Consistency
from analysis.description import BLOCK_BEGIN, BLOCK_END
from analysis.model import Classification, SessionRecord, Workout
from analysis.recovery import ACUTE_DAYS, CHRONIC_DAYS, Recovery
from analysis.training import (
    MISSING_DAYS,
    MUSCLES_BY_WORKOUT,
    STRENGTH_PER_WEEK,
    VARIETY_DAYS,
    Glitch,
    Strength,
    TrainingSummary,
    Variety,
)
from analysis.units import format_distance, format_duration

#: Unit systems a block can be written in.
UNITS = ("metric", "imperial")
#: Line length to stay under so a phone in portrait shows each line whole (a design aim,
#: about 60 characters); longer clause lists continue on the next line.
LINE_WIDTH = 60
#: Indent of a continuation line.
CONTINUATION = "  "
#: Workout labels named in the mix line; the rest are summed as "more", to keep it one line.
MIX_LABELS_SHOWN = 4

Table = Mapping[str, str]

_ENGLISH: Table = {
    **{f"workout.{w.value}": w.value.replace("_", "-").capitalize() for w in Workout},
    "workout.long": "Long run",
    **{f"name.{w.value}": w.value.replace("_", "-") for w in Workout},
    "headline": "{title}: {evidence}",
    "headline.plain": "{distance} in {duration}",
    "glitch": "Left out as implausible: {distance} in {duration}",
    "glitch.more": "{text} and {n} more",
    "mix": "Mix, {days} d: {counts}; {share} % quality",
    "mix.none": "Mix, {days} d: no runs",
    "mix.more": "{n} more",
    "mix.monotone": "{text}: too little variety",
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
    "recovery.streak.one": "{n} hard day",
    "recovery.streak.other": "{n} hard days in a row",
    "recovery.jump": "run distance {percent:+d} % on last week",
    "recovery.acwr_high": "load {ratio:.1f}x your {weeks}-week norm",
    "recovery.acwr_low": "load only {ratio:.1f}x your {weeks}-week norm",
    "recovery.monotony": "monotony {value:.1f}, vary hard and easy days",
    "recovery.ease": "easy day next",
    "recovery.rest": "{n} of {days} days rest",
    "recovery.acwr": "load {ratio:.1f}x your {weeks}-week norm",
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

#: Recovery warnings that call for an easier day next.
_EASE_AFTER = frozenset({"streak", "jump", "acwr_high"})
_CHRONIC_WEEKS = CHRONIC_DAYS // WEEK_DAYS


def render_block(
    classification: Classification,
    current: SessionRecord,
    summary: TrainingSummary,
    units: str = "metric",
    language: str = "en",
) -> str:
    """The feedback block, from :data:`BLOCK_BEGIN` to :data:`BLOCK_END`, lines joined by ``\\n``.

    Raises:
        ValueError: ``units`` or ``language`` is not supported; the message names the choices.
    """
    if units not in UNITS:
        raise ValueError(f"unknown units {units!r}; supported: {', '.join(UNITS)}")
    if language not in MESSAGES:
        raise ValueError(f"unknown language {language!r}; supported: {', '.join(MESSAGES)}")
    t, imperial = MESSAGES[language], units == "imperial"
    lines = [
        _headline(t, classification, current, imperial),
        *_glitch(t, summary, imperial),
        _mix(t, summary.variety),
        *_missing(t, summary.variety),
        *_recovery(t, summary.recovery),
        _strength(t, summary.strength),
        _consistency(t, summary.consistency, imperial),
        *_progress(t, summary.consistency),
        *([t["refuel"]] if current.hard else []),
    ]
    return "\n".join([BLOCK_BEGIN, *lines, BLOCK_END])


def _count(t: Table, key: str, n: int) -> str:
    return t[f"{key}.one" if n == 1 else f"{key}.other"].format(n=n)


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


def _glitch(t: Table, summary: TrainingSummary, imperial: bool) -> list[str]:
    if not summary.glitches:
        return []
    shown: Glitch = summary.current_glitch or summary.glitches[-1]
    text = _distance_in_time(t, "glitch", shown.record, imperial)
    more = len(summary.glitches) - 1
    return [t["glitch.more"].format(text=text, n=more) if more else text]


def _mix(t: Table, v: Variety) -> str:
    if not v.runs:
        return t["mix.none"].format(days=VARIETY_DAYS)
    shown = sorted(v.run_counts, key=lambda item: -item[1])[:MIX_LABELS_SHOWN]
    parts = [f"{n} {t[f'name.{w.value}']}" for w, n in v.run_counts if (w, n) in shown]
    rest = v.runs - sum(n for _, n in shown)
    counts = ", ".join([*parts, t["mix.more"].format(n=rest)] if rest else parts)
    text = t["mix"].format(days=VARIETY_DAYS, counts=counts, share=_percent(v.quality_share))
    return t["mix.monotone"].format(text=text) if v.lacks_variety else text


def _missing(t: Table, v: Variety) -> list[str]:
    if not v.runs or not v.missing:
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


def _recovery(t: Table, r: Recovery) -> list[str]:
    warnings = r.warnings
    if not warnings:
        calm = [t["recovery.rest"].format(n=r.rest_days_7d, days=ACUTE_DAYS)]
        if r.acwr is not None:
            calm.append(t["recovery.acwr"].format(ratio=r.acwr, weeks=_CHRONIC_WEEKS))
        return _packed(t["recovery"], calm)
    clauses = [_RECOVERY_CLAUSES[w](t, r) for w in warnings]
    if _EASE_AFTER & set(warnings):
        clauses.append(t["recovery.ease"])
    return _packed(t["recovery"], clauses)


_RECOVERY_CLAUSES: Mapping[str, Callable[[Table, Recovery], str]] = {
    "streak": lambda t, r: _count(t, "recovery.streak", r.hard_streak),
    "jump": lambda t, r: t["recovery.jump"].format(percent=_percent(r.distance_jump or 0.0)),
    "acwr_high": lambda t, r: t["recovery.acwr_high"].format(ratio=r.acwr, weeks=_CHRONIC_WEEKS),
    "acwr_low": lambda t, r: t["recovery.acwr_low"].format(ratio=r.acwr, weeks=_CHRONIC_WEEKS),
    "monotony": lambda t, r: t["recovery.monotony"].format(value=r.monotony),
}


def _strength(t: Table, s: Strength) -> str:
    low, high = STRENGTH_PER_WEEK
    text = t["strength"].format(n=s.this_week, low=low, high=high)
    if s.last_7_days != s.this_week:
        text = t["strength.week"].format(text=text, n=s.last_7_days)
    return t["strength.on_target" if s.on_target else "strength.advice"].format(text=text)


def _consistency(t: Table, c: Consistency, imperial: bool) -> str:
    weeks = _count(t, "weeks", c.weeks)
    if not c.runs:
        return t["consistency.none"].format(weeks=weeks)
    distance = format_distance(c.mean_weekly_distance_m, imperial)
    return t["consistency"].format(rate=c.runs_per_week, weeks=weeks, distance=distance)


def _progress(t: Table, c: Consistency) -> list[str]:
    changes = [
        ("progress.distance", c.distance_trend), ("progress.efficiency", c.efficiency_change)
    ]
    clauses = [
        t[key].format(percent=_percent(change))
        for key, change in changes
        if change is not None and _percent(change) != 0
    ]
    return _packed(t["progress"], clauses) if clauses else []
