"""The feedback block: what the session was and what the weeks before it say.

A handful of lines a phone shows without wrapping. Three rules keep every sentence true and
safe, in every voice:

- A line appears only when the known history supports it: without history the block says so
  and gives no weekly figure; a figure that rests on a population default says so.
- Every piece of advice shows the number behind it. An athlete who keeps heart-rate and load
  figures private reads instead what the figure showed, in words ("well above your usual
  week"); an athlete who hides the load line reads the load jump behind an easy next step on
  the recovery line.
- After a race, a long or very long run, any hard session, a load jump or days off, the next
  step named is easy running or rest, never a quality session.

Each line starts with its own heading (the text before the first ": "), never shared with
another line. The wording is English gettext messages, translated by the voice's
translator: whole phrases with named placeholders, ``ngettext`` for counts. The sections the
athlete turned off are left out; the headline, the history notice and the left-out sessions
always show, since without them the other lines could mislead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from analysis import claims
from analysis.consistency import Consistency
from analysis.description import BLOCK_BEGIN, BLOCK_END
from analysis.load import HARD_WORKOUTS
from analysis.load import VERY_LONG_RUN_S as GLYCOGEN_SPENT_S
from analysis.model import Activity, Classification, SessionRecord, Workout, is_run
from analysis.profile import AthleteProfile
from analysis.recovery import ACUTE_DAYS, ACWR_HIGH, RUN_JUMP_HIGH, EasyWindow, Recovery
from analysis.training import (
    MISSING_DAYS,
    MUSCLES_BY_WORKOUT,
    STRENGTH_PER_WEEK,
    Glitch,
    Strength,
    TrainingSummary,
)
from analysis.voice import DEFAULT, N_, N_plural, Voice

#: Line length to stay under so a phone in portrait shows each line whole (a design aim,
#: about 60 characters); longer clause lists continue on the next line.
LINE_WIDTH = 60
#: Indent of a continuation line.
CONTINUATION = "  "
#: What separates a line's heading from its text.
HEADING_END = ": "
#: Workout labels named in the mix line; the rest are summed as "more", to keep it one line.
MIX_LABELS_SHOWN = 4

#: The headline's title of each label. Not "Recovery" nor "Strength": those headings belong
#: to the recovery line and the weekly strength line.
TITLES: Mapping[Workout, str] = {
    Workout.EASY: N_("Easy"),
    Workout.RECOVERY: N_("Recovery run"),
    Workout.LONG: N_("Long run"),
    Workout.TEMPO: N_("Tempo"),
    Workout.INTERVALS: N_("Intervals"),
    Workout.SPRINTS: N_("Sprints"),
    Workout.HILLS: N_("Hills"),
    Workout.FARTLEK: N_("Fartlek"),
    Workout.RACE: N_("Race"),
    Workout.STRENGTH: N_("Strength session"),
    Workout.CROSS_TRAINING: N_("Cross-training"),
    Workout.OTHER: N_("Other"),
}
#: Labels whose title says the session was easy: beside a hard session (by its load), or
#: a heart rate believed and averaging :data:`NOT_EASY_HR_FRAC` of the maximum or more, the
#: headline names the sport instead.
EASY_TITLES = frozenset({Workout.EASY, Workout.RECOVERY})
#: An average heart rate at this share of the maximum is threshold work, not easy running:
#: Daniels' T zone starts at 88 % of HRmax, his E zone ends at 79 %.
NOT_EASY_HR_FRAC = 0.88
#: Runs of each label as the mix line counts them.
COUNTED: Mapping[Workout, tuple[str, str]] = {
    Workout.EASY: N_plural("{n} easy", "{n} easy"),
    Workout.RECOVERY: N_plural("{n} recovery", "{n} recovery"),
    Workout.LONG: N_plural("{n} long", "{n} long"),
    Workout.TEMPO: N_plural("{n} tempo", "{n} tempo"),
    Workout.INTERVALS: N_plural("{n} intervals", "{n} intervals"),
    Workout.SPRINTS: N_plural("{n} sprints", "{n} sprints"),
    Workout.HILLS: N_plural("{n} hills", "{n} hills"),
    Workout.FARTLEK: N_plural("{n} fartlek", "{n} fartlek"),
    Workout.RACE: N_plural("{n} race", "{n} race"),
    Workout.STRENGTH: N_plural("{n} strength", "{n} strength"),
    Workout.CROSS_TRAINING: N_plural("{n} cross-training", "{n} cross-training"),
    Workout.OTHER: N_plural("{n} other", "{n} other"),
}
#: The key stimuli as the "No ..." line lists them.
NAMES: Mapping[Workout, str] = {
    Workout.HILLS: N_("hills"),
    Workout.INTERVALS: N_("intervals"),
    Workout.SPRINTS: N_("sprints"),
    Workout.FARTLEK: N_("fartlek"),
}
#: Drills as coaches prescribe them: short hill repeats, 20 s strides, and intervals of
#: 3-5 min at VO2max effort (Daniels, Daniels' Running Formula, "I" pace).
DRILLS: Mapping[Workout, str] = {
    Workout.HILLS: N_("6-8 x 1 min uphill"),
    Workout.SPRINTS: N_("6-8 x 20 s strides"),
    Workout.INTERVALS: N_("5 x 3 min hard"),
    Workout.FARTLEK: N_("8 x 1 min fast in an easy run"),
}
MUSCLES: Mapping[str, str] = {
    "quads": N_("quads"),
    "glutes": N_("glutes"),
    "hamstrings": N_("hamstrings"),
    "calves": N_("calves"),
    "hip flexors": N_("hip flexors"),
}
#: What today's run worked, as the article behind docs/DESIGN.md names it: steady running
#: on the flat builds the endurance of calves and quads; hills load glutes, calves and hip
#: flexors (hip flexion and extension grow with the grade: Roberts & Belliveau 2005, J Exp
#: Biol 208:2523); sprinting is driven by hamstrings and glutes (Dorn et al. 2012, J Exp
#: Biol 215:1944); intervals and fartlek's surges sit between. The core holds the form in
#: all of them.
SESSION_MUSCLES: Mapping[Workout, tuple[tuple[str, ...], str]] = {
    Workout.EASY: (("calves", "quads"), N_("endurance")),
    Workout.RECOVERY: (("calves", "quads"), N_("endurance")),
    Workout.LONG: (("calves", "quads"), N_("endurance")),
    Workout.TEMPO: (("calves", "quads"), N_("endurance")),
    Workout.RACE: (("calves", "quads"), N_("endurance")),
    Workout.INTERVALS: (("calves", "hamstrings", "quads"), N_("speed")),
    Workout.FARTLEK: (("calves", "hamstrings", "quads"), N_("speed")),
    Workout.SPRINTS: (("hamstrings", "glutes"), N_("speed")),
    Workout.HILLS: (("glutes", "calves", "hip flexors"), N_("hills")),
}
#: A run that climbed this much (m per km) worked like hills, whatever its label: the
#: trail threshold of analysis.plausibility.HILLY_M_PER_KM.
HILLY_M_PER_KM = 20.0
#: Runs a week to aim for: the ACSM's least for vigorous aerobic exercise, 3 days a week
#: (Garber et al. 2011, Med Sci Sports Exerc 43:1334).
RUNS_PER_WEEK_TARGET = 3
#: The next step after a hard session, and after a return.
EASE = N_("easy run or rest next")
EASE_RETURN = N_("build up with easy runs")
#: The notice of a block written without history.
HISTORY_NONE = N_("History: not read yet, so no weekly figures")
#: The notice of a block whose history holds nothing before the current session.
HISTORY_EMPTY = N_("History: no earlier session, so no weekly figures")

#: Recovery warnings after which the next step is easy running or rest.
_EASE_AFTER = frozenset({"return", "streak", "load", "run_jump"})
#: Warnings the load line shows the figures of.
_JUMPS = frozenset({"load", "run_jump"})


def render_block(
    classification: Classification,
    current: SessionRecord,
    summary: TrainingSummary,
    voice: Voice = DEFAULT,
    activity: Activity | None = None,
    profile: AthleteProfile | None = None,
) -> str:
    """The feedback block, from :data:`BLOCK_BEGIN` to :data:`BLOCK_END`, lines joined by ``\n``.

    The headline is the classification's evidence as the classifier wrote it (in the same
    voice): figures that rest on population defaults already say so there. Given the
    ``activity`` itself, the evidence's claims are held to its data first
    (:func:`analysis.claims.check`); given the ``profile`` it was judged by, a threshold
    pace that is the population's default says so.
    """
    r = summary.recovery
    ease = is_hard(classification, current) or r.hard_today > 0 or bool(
        _EASE_AFTER & set(r.warnings)) or summary.easy_window is not None
    weekly = summary.weekly
    show = voice.shows

    def section(name: str) -> bool:
        return weekly and show(name)

    lines = [
        _headline(voice, classification, current, activity, profile),
        *_history(voice, summary),
        *_glitch(voice, summary),
        *(_mix(voice, summary) if section("variety") else []),
        *([] if ease or not section("variety") else _missing(voice, summary)),
        *(_muscles(voice, classification, current) if show("variety") else []),
        *(_recovery(voice, classification, current, r, ease, weekly, summary.easy_window)
          if show("recovery") else []),
        *(_load(voice, r) if section("load") else []),
        *(_strength(voice, summary.strength) if section("strength") else []),
        *(_consistency(voice, summary.consistency) if section("consistency") else []),
        *(_progress(voice, summary.consistency) if section("progress") else []),
        *([_refuel(voice, current)] if current.hard and show("refuel") else []),
    ]
    return "\n".join([BLOCK_BEGIN, *(part for x in lines for part in wrapped(x)), BLOCK_END])


def wrapped(line: str) -> list[str]:
    """``line`` broken after its last "; " or ": " (else ", ") that keeps each part within
    :data:`LINE_WIDTH`, the rest on continuation lines; never inside the heading. A clause
    longer than that stays whole on a line of its own, ended at its first clause end."""
    parts: list[str] = []
    start = line.find(HEADING_END) + 1 if heading(line) is not None else 0
    while len(line) > LINE_WIDTH:
        start = max(start, len(CONTINUATION) + 1)
        cut = max(line.rfind(sep, start, LINE_WIDTH) for sep in ("; ", ": "))
        if cut < 0:
            cut = line.rfind(", ", start, LINE_WIDTH)
        if cut < 0:
            cut = min((i for i in (line.find(sep, start) for sep in ("; ", ": ", ", "))
                       if i >= 0), default=-1)
        if cut < 0:
            break
        parts.append(line[:cut + 1])
        line, start = CONTINUATION + line[cut + 2:], 0
    return [*parts, line]


def is_hard(c: Classification, current: SessionRecord) -> bool:
    """Whether the session itself calls for easy running or rest next: a race, a long or very
    long run, any quality or otherwise hard session."""
    return current.hard or c.workout in HARD_WORKOUTS


def heading(line: str) -> str | None:
    """A line's heading, or None for a continuation line."""
    if line.startswith(CONTINUATION):
        return None
    return line.split(HEADING_END, 1)[0]


def _percent(fraction: float) -> int:
    return round(100 * fraction)


def _packed(prefix: str, clauses: Sequence[str]) -> list[str]:
    """``prefix`` and clauses joined by "; ", continued on a new line past :data:`LINE_WIDTH`."""
    return _continued(prefix + HEADING_END + clauses[0], clauses[1:])


def _continued(first: str, clauses: Sequence[str]) -> list[str]:
    """The line ``first`` and more clauses after "; ", continued past :data:`LINE_WIDTH`."""
    lines = [first]
    for clause in clauses:
        if len(lines[-1]) + 2 + len(clause) <= LINE_WIDTH:
            lines[-1] += "; " + clause
        else:
            lines[-1] += ";"
            lines.append(CONTINUATION + clause)
    return lines


def _headline(voice: Voice, c: Classification, current: SessionRecord,
              activity: Activity | None, profile: AthleteProfile | None) -> str:
    """The label and its evidence; the sport's name instead of a label the data contradict
    (a race broken by a standstill, an easy run that was a hard session)."""
    _ = voice.gettext
    evidence, holds = c.evidence.strip(), True
    if activity is not None and evidence:
        assumed = (profile.threshold_speed if profile is not None
                   and profile.pace_source == "defaults" else None)
        checked = claims.check(evidence, c.workout, activity, voice, assumed_threshold=assumed)
        evidence, holds = checked.evidence, checked.label_holds
    evidence = evidence or _("{distance} in {duration}").format(
        distance=voice.distance(current.distance_m), duration=voice.clock(current.moving_s))
    if c.workout in EASY_TITLES and (current.hard or _threshold_heart(current, profile)):
        holds = False
    title = _(TITLES[c.workout]) if holds else voice.sport(current.sport)
    return _("{title}: {evidence}").format(title=title, evidence=evidence)


def _threshold_heart(current: SessionRecord, profile: AthleteProfile | None) -> bool:
    """Whether the session's believed average heart rate was at threshold or above."""
    if profile is None or current.avg_hr is None:
        return False
    return current.avg_hr >= NOT_EASY_HR_FRAC * profile.max_hr


def _history(voice: Voice, summary: TrainingSummary) -> list[str]:
    if not summary.history_known:
        return [voice.gettext(HISTORY_NONE)]
    if not summary.earlier_sessions:
        return [voice.gettext(HISTORY_EMPTY)]
    if summary.consistency is None:
        days = summary.known_days
        return [voice.ngettext("History: only {days} d on record",
                               "History: only {days} d on record", days).format(days=days)]
    return []


def _glitch(voice: Voice, summary: TrainingSummary) -> list[str]:
    """The note on the current session when it is left out of every figure; the earlier
    sessions left out concern their own blocks, not this one."""
    shown: Glitch | None = summary.current_glitch
    if shown is None:
        return []
    return [voice.gettext("Left out as implausible: {distance} in {duration}").format(
        distance=voice.distance(shown.record.distance_m),
        duration=voice.clock(shown.record.moving_s))]


def _counted(voice: Voice, workout: Workout, n: int) -> str:
    """``3 easy``: a count of runs with a label, in the language's plural form."""
    return voice.ngettext(*COUNTED[workout], n).format(n=n)


def _mix(voice: Voice, summary: TrainingSummary) -> list[str]:
    v, days = summary.variety, summary.variety_days
    if v is None:
        return []
    if not v.runs:
        return [voice.ngettext("Mix, {days} d: no runs", "Mix, {days} d: no runs", days
                               ).format(days=days)]
    shown = sorted(v.run_counts, key=lambda item: -item[1])[:MIX_LABELS_SHOWN]
    parts = [_counted(voice, w, n) for w, n in v.run_counts if (w, n) in shown]
    rest = v.runs - sum(n for _, n in shown)
    if rest:
        parts.append(voice.ngettext("{n} more", "{n} more", rest).format(n=rest))
    text = voice.ngettext("Mix, {days} d: {counts}; {share} % quality",
                          "Mix, {days} d: {counts}; {share} % quality", days).format(
        days=days, counts=", ".join(parts), share=_percent(v.quality_share))
    if v.too_intense:
        verdict = voice.gettext("too many hard runs, keep 80 % easy and steady")
    elif v.lacks_variety:
        verdict = voice.gettext("too little variety")
    else:
        return [text]
    if len(text) + len(HEADING_END) + len(verdict) <= LINE_WIDTH:
        return [text + HEADING_END + verdict]
    return [text + HEADING_END.rstrip(), CONTINUATION + verdict]


def _missing(voice: Voice, summary: TrainingSummary) -> list[str]:
    v = summary.variety
    if v is None or not v.runs or not v.missing or v.too_intense:
        return []
    _ = voice.gettext
    drill = next(
        (w for w in v.missing if set(MUSCLES_BY_WORKOUT[w]) & set(v.muscles_neglected)),
        v.missing[0],
    )
    muscles = [m for m in MUSCLES_BY_WORKOUT[drill] if m in v.muscles_neglected]
    names = [_(NAMES[w]) for w in v.missing]
    return _continued(
        _("No {names} in {days} d").format(names=_or_list(voice, names), days=MISSING_DAYS),
        [_("add {drill} ({muscles})").format(
            drill=_(DRILLS[drill]),
            muscles=", ".join(_(MUSCLES[m]) for m in muscles or MUSCLES_BY_WORKOUT[drill]))])


def _muscles(voice: Voice, c: Classification, current: SessionRecord) -> list[str]:
    """Which muscles today's run worked, and what for; only for a run the block could
    judge."""
    if not is_run(current.sport) or c.workout not in SESSION_MUSCLES:
        return []
    muscles, purpose = SESSION_MUSCLES[c.workout]
    ascent = current.ascent_m or 0.0
    if current.distance_m > 0 and 1000.0 * ascent / current.distance_m >= HILLY_M_PER_KM:
        muscles, purpose = SESSION_MUSCLES[Workout.HILLS]
    _ = voice.gettext
    return [_("Muscles: {muscles} ({purpose}); core for form").format(
        muscles=", ".join(_(MUSCLES[m]) for m in muscles), purpose=_(purpose))]


def _or_list(voice: Voice, items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    return voice.gettext("{first} or {last}").format(first=", ".join(items[:-1]),
                                                     last=items[-1])


def _recovery(
    voice: Voice, c: Classification, current: SessionRecord, r: Recovery, ease: bool,
    weekly: bool = True, window: EasyWindow | None = None,
) -> list[str]:
    """Days off, hard days and rest days; then, when called for, easy running or rest next.

    A race, a long run or a quality session shows its figures in the headline; any other
    hard session names its duration here, and so does every one when no rest days are known.
    A load jump that calls for the easy step is named here when the load line does not show.
    """
    _ = voice.gettext
    clauses = []
    rest_days = r.rest_days_7d if weekly else None
    name_it = is_hard(c, current) and (c.workout not in HARD_WORKOUTS or rest_days is None)
    if r.returning and r.days_off is not None:
        clauses.append(_days_off(voice, r.days_off, r.days_off_open))
    if name_it and r.hard_streak < 2 and not r.returning:
        clauses.append(_("hard session of {duration}").format(
            duration=voice.clock(current.moving_s)))
    elif r.hard_streak >= 2:
        clauses.append(voice.ngettext("{n} hard day", "{n} hard days in a row",
                                      r.hard_streak).format(n=r.hard_streak))
    elif r.hard_today and not is_hard(c, current):
        clauses.append(voice.ngettext("{n} hard session today", "{n} hard sessions today",
                                      r.hard_today).format(n=r.hard_today))
    if rest_days is not None and not r.returning:
        clauses.append(voice.ngettext("{n} of {days} days rest", "{n} of {days} days rest",
                                      rest_days).format(n=rest_days, days=ACUTE_DAYS))
    if not voice.shows("load") and weekly:
        clauses += _jumps(voice, r)
    if "monotony" in r.warnings and weekly:
        clauses.append(_("monotony {value}, vary hard and easy days").format(
            value=voice.number(r.monotony or 0.0)) if voice.numbers
            else _("days alike in load, vary hard and easy days"))
    if window is not None:
        clauses.append(_window(voice, window))
    elif ease:
        clauses.append(_(EASE_RETURN if r.returning else EASE))
    return _packed(_("Recovery"), clauses) if clauses else []


def _window(voice: Voice, w: EasyWindow) -> str:
    """``easy runs or rest for the next 14 days``, or the days left after an earlier one."""
    if w.days_ago == 0:
        return voice.ngettext("easy runs or rest for the next {n} day",
                              "easy runs or rest for the next {n} days", w.days).format(n=w.days)
    # "ago" in its own plural form: "il y a 1 jour", not "1 jours" (issue 20)
    when = voice.ngettext("{ago} d ago", "{ago} d ago", w.days_ago).format(ago=w.days_ago)
    return voice.ngettext(
        "easy runs or rest: {n} more day after {distance} {when}",
        "easy runs or rest: {n} more days after {distance} {when}", w.days_left).format(
        n=w.days_left, distance=voice.distance(w.record.distance_m), when=when)


def _days_off(voice: Voice, n: int, open_ended: bool) -> str:
    """``back after 15 days off``; ``15+`` when no session before them is known."""
    if open_ended:
        message = voice.ngettext("back after {n}+ day off", "back after {n}+ days off", n)
    else:
        message = voice.ngettext("back after {n} day off", "back after {n} days off", n)
    return message.format(n=n)


def _jumps(voice: Voice, r: Recovery) -> list[str]:
    """The load and running jumps behind an easy next step, for a block without a load
    line."""
    _ = voice.gettext
    clauses = []
    if "load" in r.warnings and r.acwr is not None:
        clauses.append(_("load {ratio}x the usual week").format(ratio=voice.number(r.acwr))
                       if voice.numbers else _("load well above the usual week"))
    if "run_jump" in r.warnings and r.run_change is not None:
        clauses.append(_("running {ratio}x the usual week").format(
            ratio=voice.number(1 + r.run_change))
            if voice.numbers else _("running well above the usual week"))
    return clauses


def _load(voice: Voice, r: Recovery) -> list[str]:
    """The last seven days against the usual week; not after a return.

    Running distance is added when it tells more than the load: when it jumped and the load
    did not, or when the load did and running did not (then the high load is no reason for an
    easy day). Without figures the comparison is said in words.
    """
    acwr, change = r.acwr, r.run_change
    if acwr is None or r.returning:
        return []
    clauses = [_usual(voice, acwr, r.usual_weeks)]
    jumps = _JUMPS & set(r.warnings)
    if change is not None and (jumps == {"run_jump"} or (acwr > ACWR_HIGH and r.runs_less)):
        if voice.numbers:
            clauses.append(voice.gettext("running {ratio}x").format(
                ratio=voice.number(1 + change)))
        else:
            clauses.append(voice.gettext("running well above usual") if change > RUN_JUMP_HIGH
                           else voice.gettext("running not above usual"))
    return _packed(voice.gettext("Load, last {days} d").format(days=ACUTE_DAYS), clauses)


def _usual(voice: Voice, acwr: float, n: int) -> str:
    """The load against the usual week: its ratio, or without figures how it compares."""
    if voice.numbers:
        message = voice.ngettext("{ratio}x the week before",
                                 "{ratio}x your average week of the {n} before", n)
    elif acwr > ACWR_HIGH:
        message = voice.ngettext("well above the week before",
                                 "well above your average week of the {n} before", n)
    elif round(acwr, 1) > 1.0:
        message = voice.ngettext("above the week before",
                                 "above your average week of the {n} before", n)
    elif round(acwr, 1) < 1.0:
        message = voice.ngettext("below the week before",
                                 "below your average week of the {n} before", n)
    else:
        message = voice.ngettext("like the week before",
                                 "like your average week of the {n} before", n)
    return message.format(ratio=voice.number(acwr), n=n)


def _strength(voice: Voice, s: Strength | None) -> list[str]:
    if s is None:
        return []
    _ = voice.gettext
    low, high = STRENGTH_PER_WEEK
    text = _("Strength: {n} of {low}-{high} this week").format(n=s.this_week, low=low,
                                                                high=high)
    if s.last_7_days is not None and s.last_7_days != s.this_week:
        text = _("{text} ({n} in 7 d)").format(text=text, n=s.last_7_days)
    if s.on_target:
        return [_("{text}, on target").format(text=text)]
    return _continued(_("{text}: squats, lunges, calf raises").format(text=text),
                      [_("planks, hip bridges for core and hips")])


def _consistency(voice: Voice, c: Consistency | None) -> list[str]:
    if c is None:
        return []
    weeks = voice.ngettext("{n} week", "{n} weeks", c.weeks).format(n=c.weeks)
    if not c.runs:
        return [voice.gettext("Consistency: no runs in {weeks}").format(weeks=weeks)]
    text = voice.gettext("Consistency: {rate} runs/week over {weeks}, {distance}/week").format(
        rate=voice.number(c.runs_per_week), weeks=weeks,
        distance=voice.distance(c.mean_weekly_distance_m, small_units=False))
    if c.runs_per_week >= RUNS_PER_WEEK_TARGET:
        return [text]
    return _continued(text, [voice.ngettext("aim for {n} a week", "aim for {n} a week",
                                            RUNS_PER_WEEK_TARGET).format(
        n=RUNS_PER_WEEK_TARGET)])


def _progress(voice: Voice, c: Consistency | None) -> list[str]:
    """Weekly distance's trend, and easy speed per heartbeat: a heart-rate figure, so only
    for an athlete who shows them."""
    if c is None:
        return []
    _ = voice.gettext
    clauses = []
    if c.distance_trend is not None and _percent(c.distance_trend):
        clauses.append(_("distance {percent} %/week").format(
            percent=f"{_percent(c.distance_trend):+d}"))
    if voice.numbers and c.efficiency_change is not None and _percent(c.efficiency_change):
        clauses.append(_("distance per heartbeat on easy runs {percent} %").format(
            percent=f"{_percent(c.efficiency_change):+d}"))
    return _packed(_("Progress"), clauses) if clauses else []


def _refuel(voice: Voice, current: SessionRecord) -> str:
    # Within the 20-40 g of protein after exercise of Jäger et al. 2017 (J Int Soc Sports
    # Nutr 14:20); carbohydrate before the next session (Thomas et al. 2016, ACSM). After
    # an effort long enough to spend the glycogen, carbohydrate at once: 1-1.2 g per kg an
    # hour for the first 4 h (Thomas et al. 2016).
    if current.moving_s >= GLYCOGEN_SPENT_S:
        return voice.gettext("Refuel: carbs now, 1 g/kg an hour for 4 h; 20-30 g protein")
    return voice.gettext("Refuel: 20-30 g protein within 1 h, carbs before next run")
