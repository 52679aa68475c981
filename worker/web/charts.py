"""The charts of an athlete's page, drawn as SVG on the server from the weeks the cache holds.

No script and no other host: each chart is an ``<svg role="img">`` with a ``<title>``, and the
page puts the same figures in a table next to it for screen readers. Every bar carries its
figure in ``data-*`` attributes, so what is drawn can be checked against the rows it came from.
Weeks run Monday to Sunday in the athlete's local days (Strava's start_date_local), as the
block counts them; runs and strength sessions are counted as the analysis counts
them (analysis.model.is_run, analysis.training.is_strength_training), so the page and the block
agree.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from analysis.model import SessionRecord, Workout, is_run
from analysis.recovery import Recovery
from analysis.training import STRENGTH_PER_WEEK, is_strength_training

Gettext = Callable[[str], str]


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


#: How each workout label reads on the page.
WORKOUT_NAMES: dict[str, str] = {
    Workout.EASY: N_("easy"), Workout.RECOVERY: N_("recovery"), Workout.LONG: N_("long"),
    Workout.TEMPO: N_("tempo"), Workout.INTERVALS: N_("intervals"),
    Workout.SPRINTS: N_("sprints"), Workout.HILLS: N_("hills"), Workout.FARTLEK: N_("fartlek"),
    Workout.RACE: N_("race"), Workout.STRENGTH: N_("strength"),
    Workout.CROSS_TRAINING: N_("cross-training"), Workout.OTHER: N_("other"),
}
#: One colour per label, each at least 3:1 against the white background (WCAG 1.4.11 for
#: graphical objects), and every two of them at least MIN_COLOUR_DISTANCE apart (CIELAB ΔE) for
#: normal vision and as protanopes, deuteranopes and tritanopes see them (Machado et al. 2009,
#: full severity): chosen by a search over the sRGB cube under those constraints, then given
#: to labels by kind (steady runs blue and green, quality runs warm and purple, the rest grey).
WORKOUT_COLOURS: dict[str, str] = {
    Workout.EASY: "#0099ee", Workout.RECOVERY: "#779988", Workout.LONG: "#114433",
    Workout.TEMPO: "#dd7722", Workout.INTERVALS: "#881188", Workout.SPRINTS: "#aa88bb",
    Workout.HILLS: "#995511", Workout.FARTLEK: "#bb8855", Workout.RACE: "#000000",
    Workout.STRENGTH: "#553300", Workout.CROSS_TRAINING: "#666677", Workout.OTHER: "#443355",
}
#: Least CIELAB distance between two workout colours, in every kind of vision above: about
#: twice the ΔE of 10 at which two small patches side by side are told apart at a glance.
MIN_COLOUR_DISTANCE = 18.0
BAR_COLOUR = "#2b6cb0"
#: Metres in a statute mile.
METRES_PER_MILE = 1609.344
DayFormat = Callable[[date], str]
BAND_COLOUR = "#c6f6d5"
INK = "#1a202c"
GRID = "#718096"

#: The drawing's size in CSS pixels: a phone 390 px wide shows it about 1:1 (the stylesheet caps
#: it on wider screens), so its text stays at FONT_PX, above the 12 px a phone needs.
WIDTH, HEIGHT = 360, 200
LEFT, RIGHT, TOP, BOTTOM = 30, 6, 16, 30
FONT_PX = 13
#: Width of a character of chart text, as a share of FONT_PX (digits and short month names in
#: system-ui): what decides how many week names fit under the bars.
CHAR_EM = 0.6
#: Between stacked segments: a white line, so neighbours never merge whatever the colours.
SEPARATOR = "#ffffff"


@dataclass(frozen=True)
class Week:
    """One Monday-to-Sunday week of the cache: sessions by label, runs, strength sessions, and
    the distance and moving time of its runs."""

    monday: date
    mix: tuple[tuple[str, int], ...]  # labels in Workout order, zero counts left out
    runs: int
    strength: int
    run_m: float = 0.0
    run_s: float = 0.0

    @property
    def sessions(self) -> int:
        return sum(n for _, n in self.mix)


@dataclass(frozen=True)
class Chart:
    """One chart: its SVG, and the same figures as a table (header row first)."""

    kind: str  # mix, load, strength or runs
    title: str
    svg: str
    table: tuple[tuple[str, ...], ...]
    legend: tuple[tuple[str, str], ...] = ()  # (name, colour)
    note: str = ""  # what the chart cannot show yet


def weeks_of(records: Sequence[SessionRecord], today: date,
             offsets: Mapping[int, timedelta] | None = None) -> list[Week]:
    """Every week from the oldest record's to today's, oldest first, empty weeks included.

    A record counts on the athlete's own calendar day: its start plus ``offsets`` of its
    activity id (Strava's start_date_local minus start_date), so a run at 23:30 local time is
    that day's whatever UTC says; a record without an offset counts on its UTC day."""
    if not records:
        return []
    offsets = offsets or {}

    def day(r: SessionRecord) -> date:
        return (r.start + offsets.get(r.activity_id or 0, timedelta(0))).date()

    first = _monday(min(day(r) for r in records))
    weeks = []
    monday = first
    while monday <= today:
        inside = [r for r in records if monday <= day(r) < monday + timedelta(days=7)]
        counts = Counter(r.workout.value for r in inside)
        weeks.append(Week(
            monday=monday,
            mix=tuple((w.value, counts[w.value]) for w in Workout if counts[w.value]),
            runs=sum(1 for r in inside if is_run(r.sport)),
            strength=sum(1 for r in inside if is_strength_training(r)),
            run_m=sum(r.distance_m for r in inside if is_run(r.sport)),
            run_s=sum(r.moving_s for r in inside if is_run(r.sport)),
        ))
        monday += timedelta(days=7)
    return weeks


def mix_chart(weeks: Sequence[Week], _: Gettext, day: DayFormat | None = None) -> Chart:
    """Sessions per week, stacked by workout label."""
    title = _("Sessions per week by workout type")
    svg, plot = _canvas("mix", title, len(weeks), max((w.sessions for w in weeks), default=0),
                        day)
    labels = [w for w in WORKOUT_NAMES if any(dict(week.mix).get(w) for week in weeks)]
    for index, week in enumerate(weeks):
        bottom = 0
        for label, count in week.mix:
            plot.bar(svg, index, bottom, count, WORKOUT_COLOURS[label], week=week.monday,
                     workout=label)
            bottom += count
        plot.caption(svg, index, week.monday, week.sessions)
    header = (_("Week of"), *(_(WORKOUT_NAMES[w]) for w in labels), _("All"))
    rows = tuple((plot.day(w.monday), *(str(dict(w.mix).get(lab, 0)) for lab in labels),
                  str(w.sessions)) for w in weeks)
    legend = tuple((_(WORKOUT_NAMES[w]), WORKOUT_COLOURS[w]) for w in labels)
    return Chart("mix", title, _serialise(svg), (header, *rows), legend)


def runs_chart(weeks: Sequence[Week], _: Gettext, day: DayFormat | None = None) -> Chart:
    """Runs per week."""
    title = _("Runs per week")
    svg, plot = _canvas("runs", title, len(weeks), max((w.runs for w in weeks), default=0), day)
    for index, week in enumerate(weeks):
        plot.bar(svg, index, 0, week.runs, BAR_COLOUR, week=week.monday)
        plot.caption(svg, index, week.monday, week.runs)
    rows = tuple((plot.day(w.monday), str(w.runs)) for w in weeks)
    return Chart("runs", title, _serialise(svg), ((_("Week of"), _("Runs")), *rows))


def strength_chart(weeks: Sequence[Week], _: Gettext, day: DayFormat | None = None) -> Chart:
    """Strength sessions per week against the 2-3 a week runners need."""
    low, high = STRENGTH_PER_WEEK
    title = _("Strength sessions per week against the %(low)d-%(high)d a week runners need") % {
        "low": low, "high": high}
    svg, plot = _canvas("strength", title, len(weeks),
                        max([*(w.strength for w in weeks), high]), day)
    plot.band(svg, low, high)
    for index, week in enumerate(weeks):
        plot.bar(svg, index, 0, week.strength, BAR_COLOUR, week=week.monday)
        plot.caption(svg, index, week.monday, week.strength)
    rows = tuple((plot.day(w.monday), str(w.strength)) for w in weeks)
    band = _("%(low)d-%(high)d a week") % {"low": low, "high": high}
    return Chart("strength", title, _serialise(svg),
                 ((_("Week of"), _("Strength sessions")), *rows),
                 legend=((band, BAND_COLOUR),))


def distance_chart(weeks: Sequence[Week], _: Gettext, imperial: bool = False,
                   number: Callable[[float], str] = lambda value: f"{value:.1f}",
                   day: DayFormat | None = None) -> Chart:
    """Running distance per week (km, or mi when ``imperial``), with its moving time."""
    unit, metres = ("mi", METRES_PER_MILE) if imperial else ("km", 1000.0)
    title = _("Running distance per week, in %(unit)s") % {"unit": unit}
    svg, plot = _canvas("distance", title, len(weeks),
                        max((w.run_m / metres for w in weeks), default=0), day)
    for index, week in enumerate(weeks):
        value = week.run_m / metres
        plot.bar(svg, index, 0, value, BAR_COLOUR, week=week.monday, time=round(week.run_s))
        plot.caption(svg, index, week.monday, value, number(value))
    rows = tuple((plot.day(w.monday), f"{number(w.run_m / metres)} {unit}", clock(w.run_s))
                 for w in weeks)
    return Chart("distance", title, _serialise(svg),
                 ((_("Week of"), _("Distance"), _("Moving time")), *rows))


def load_chart(recovery: Recovery, _: Gettext,
               number: Callable[[float], str] = lambda value: f"{value:.1f}") -> Chart:
    """The load of the last seven days next to the athlete's average week before them, with
    their ratio and one line on what load is (``number`` writes the ratio)."""
    title = _("Load of the last 7 days against your average week")
    bars = [(_("Last 7 days"), recovery.week_load, "week")]
    if recovery.usual_load is not None:
        bars.append((_("Average week"), recovery.usual_load, "usual"))
    svg, plot = _canvas("load", title, len(bars), max(v for _label, v, _k in bars))
    for index, (label, value, key) in enumerate(bars):
        plot.bar(svg, index, 0, value, BAR_COLOUR if key == "week" else GRID, load=key)
        plot.caption(svg, index, label, round(value))
    rows = tuple((label, str(round(value))) for label, value, _k in bars)
    what = _("Load is the training impulse (TRIMP): each session's minutes, weighted by how "
             "hard your heart worked.")
    if recovery.usual_load:
        ratio = recovery.week_load / recovery.usual_load
        svg.set("data-ratio", f"{ratio:.2f}")
        note = _("The last 7 days carry %(ratio)sx the load of your average week.") % {
            "ratio": number(ratio)} + " " + what
    else:
        note = _("No whole week before the last 7 days is on record yet: there is no average "
                 "week to compare with.") + " " + what
    return Chart("load", title, _serialise(svg), (("", _("Load (TRIMP)")), *rows), note=note)


@dataclass(frozen=True)
class _Plot:
    """Where bars go: ``slots`` equal columns over a value axis from 0 to ``top``."""

    slots: int
    top: float
    day_format: DayFormat | None = None

    @property
    def slot_width(self) -> float:
        return (WIDTH - LEFT - RIGHT) / max(self.slots, 1)

    def y(self, value: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / self.top)

    def bar(self, svg: ET.Element, index: int, bottom: float, value: float, colour: str,
            **data: object) -> None:
        if value <= 0:
            return
        x = LEFT + index * self.slot_width + self.slot_width * 0.15
        ET.SubElement(svg, "rect", {
            "x": _n(x), "y": _n(self.y(bottom + value)), "width": _n(self.slot_width * 0.7),
            "height": _n(self.y(bottom) - self.y(bottom + value)), "fill": colour,
            "stroke": SEPARATOR, "stroke-width": "1",
            "data-value": _n(value), **{f"data-{k}": str(v) for k, v in data.items()},
        })

    def caption(self, svg: ET.Element, index: int, label: object, total: float,
                written: str | None = None) -> None:
        """The column's name under it and its total (``written`` so, if given) above it."""
        middle = _n(LEFT + (index + 0.5) * self.slot_width)
        name = self.day(label) if isinstance(label, date) else str(label)
        if (self.slots - 1 - index) % self.every(name) == 0:  # this week's always named
            _text(svg, middle, HEIGHT - BOTTOM + 16, name, anchor="middle")
        figure = _n(total) if written is None else written
        if _width(figure) > self.slot_width:  # too wide to sit on its bar: the whole number
            figure = _n(round(total))
        if _width(figure) <= self.slot_width:  # else only the table gives it
            _text(svg, middle, self.y(total) - 4, figure, anchor="middle")

    def every(self, name: str) -> int:
        """Name one column in this many, so that names never overlap."""
        return max(1, math.ceil((_width(name) + FONT_PX / 2) / self.slot_width))

    def day(self, monday: date) -> str:
        return (self.day_format or _month_day)(monday)

    def band(self, svg: ET.Element, low: float, high: float) -> None:
        ET.SubElement(svg, "rect", {
            "x": _n(LEFT), "y": _n(self.y(high)), "width": _n(WIDTH - LEFT - RIGHT),
            "height": _n(self.y(low) - self.y(high)), "fill": BAND_COLOUR, "class": "band",
        })


def _canvas(kind: str, title: str, slots: int, top: float,
            day: DayFormat | None = None) -> tuple[ET.Element, _Plot]:
    """An empty chart with its title, and a value axis with a line at each whole step."""
    top = max(float(top), 1.0)
    svg = ET.Element("svg", {
        "xmlns": "http://www.w3.org/2000/svg", "role": "img", "class": "chart",
        "data-chart": kind, "viewBox": f"0 0 {WIDTH} {HEIGHT}", "width": str(WIDTH),
        "aria-labelledby": f"chart-{kind}-title", "focusable": "false",
    })
    ET.SubElement(svg, "title", {"id": f"chart-{kind}-title"}).text = title
    plot = _Plot(slots, top * 1.1, day)
    step = _step(top)
    value = 0.0
    while value <= top:
        y = plot.y(value)
        ET.SubElement(svg, "line", {"x1": _n(LEFT), "x2": _n(WIDTH - RIGHT), "y1": _n(y),
                                    "y2": _n(y), "stroke": GRID, "stroke-width": "0.5"})
        _text(svg, _n(LEFT - 6), y + 4, _n(value), anchor="end")
        value += step
    return svg, plot


def _step(top: float) -> float:
    """A round step that puts at most five lines on an axis up to ``top``."""
    step = 1.0
    while top / step > 5:
        step *= 2 if str(int(step))[0] in "15" else 2.5
    return step


def _text(svg: ET.Element, x: str, y: float, text: str, anchor: str) -> None:
    ET.SubElement(svg, "text", {"x": x, "y": _n(y), "text-anchor": anchor, "fill": INK,
                                "font-size": str(FONT_PX)}).text = text


def _width(text: str) -> float:
    return len(text) * FONT_PX * CHAR_EM


def _month_day(day: date) -> str:
    return day.isoformat()[5:]


def clock(seconds: float) -> str:
    """A duration to the second, as a stopwatch shows it: 45:00, 1:02:03."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _n(value: float) -> str:
    """A coordinate or figure without needless decimals."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _serialise(svg: ET.Element) -> str:
    return ET.tostring(svg, encoding="unicode")
