"""The feedback block of one activity: its history summed up, its headline held to its data.

The seam the worker and the command line write blocks through. It is
:func:`analysis.engine.feedback` with the recording itself at hand, so that the headline's
claims (steady, even, all the way, continuous) are checked against the splits, the stops
and the heart rate (analysis.claims).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta, timezone

from analysis.engine import HISTORY_DAYS, Analysis, activity_end, prior
from analysis.feedback import render_block
from analysis.model import Activity, SessionRecord
from analysis.training import Past, summarize
from analysis.voice import DEFAULT, Voice

#: The widest offset of local time from UTC anywhere (Kiribati, UTC+14; Baker Island, -12).
MAX_UTC_OFFSET = timedelta(hours=14)


def feedback(analysis: Analysis, history: Past | Sequence[SessionRecord] | None,
             activity: Activity, voice: Voice = DEFAULT,
             utc_offset: timedelta | None = None) -> str:
    """The feedback block, judged as of the end of the activity (so a rerun gives the same).

    Parameters:
        utc_offset: the athlete's local time at the activity minus UTC (Strava's
            ``start_date_local`` minus ``start_date``); rest days, "this week" and the weeks
            are then the athlete's calendar days, so a run at 23:30 counts on its own day.
            None: days are UTC days.
        history: what is known of the athlete: a :class:`Past` (sessions, and since when
            they are complete), or None when no history has been read. A bare sequence of
            records is read as known since the oldest record before the activity, and as
            unknown when there is none (the activity's own stored record does not count, so
            a rerun gives the same block).
    """
    past = history if isinstance(history, Past) or history is None else Past.of(
        prior(history, activity, analysis.record.activity_id, days=None))
    if past is not None:
        since = activity.start - timedelta(days=HISTORY_DAYS)
        past = past.within(since, activity.start, analysis.record.activity_id)
    now = activity_end(activity)
    if utc_offset is not None and abs(utc_offset) <= MAX_UTC_OFFSET:
        now = now.astimezone(timezone(utc_offset))
    summary = summarize(analysis.record, past, now)
    return render_block(analysis.classification, analysis.record, summary, voice, activity,
                        analysis.profile)
