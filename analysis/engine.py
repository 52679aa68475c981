"""One call from an activity and its athlete's history to a classification and a feedback block.

This is the seam the worker and the command line share: they differ only in where activities
come from (Strava, files) and where the block goes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

from analysis.classify import SummaryVerdict, classify, classify_summary
from analysis.feedback import render_block
from analysis.load import session_record
from analysis.model import Activity, Classification, SessionRecord
from analysis.profile import AthleteProfile, build_profile
from analysis.training import Past, summarize
from analysis.voice import DEFAULT, Voice

#: How far back history matters: 8 weeks of consistency plus the 28-day EWMA's warm-up.
HISTORY_DAYS = 70
#: The widest offset of local time from UTC anywhere (Kiribati, UTC+14; Baker Island, -12).
MAX_UTC_OFFSET = timedelta(hours=14)


@dataclass(frozen=True)
class Analysis:
    """What one activity was, and the trace it leaves in history."""

    classification: Classification
    record: SessionRecord
    profile: AthleteProfile
    #: The language the classification's evidence is written in.
    language: str = "en"
    #: The same evidence in every language it was written in, ``language``'s included:
    #: {language: text} (see :func:`evidence_in`).
    evidence: Mapping[str, str] = field(default_factory=dict)


def prior(history: Sequence[SessionRecord], activity: Activity,
          activity_id: int | None = None, days: int | None = HISTORY_DAYS) -> list[SessionRecord]:
    """The records that happened before ``activity`` within ``days`` (None: any time before),
    itself excluded."""
    since = activity.start - timedelta(days=days) if days is not None else None
    return [
        r for r in history
        if (since is None or since <= r.start) and r.start < activity.start
        and (activity_id is None or r.activity_id != activity_id)
    ]


def profile_for(history: Sequence[SessionRecord], activity: Activity,
                activity_id: int | None = None) -> AthleteProfile:
    return build_profile(prior(history, activity, activity_id))


def judge_summary(activity: Activity, profile: AthleteProfile,
                  voice: Voice = DEFAULT) -> SummaryVerdict:
    """Whether the summary, laps and splits decide the label without streams."""
    return classify_summary(activity, profile, voice=voice)


def analyse(activity: Activity, profile: AthleteProfile,
            activity_id: int | None = None, voice: Voice = DEFAULT,
            languages: Sequence[Voice] = ()) -> Analysis:
    """Classify (evidence in the athlete's ``voice``) and measure the activity.

    Parameters:
        languages: the languages to write the same evidence in as well (a voice each: its
            catalogue and decimal separator), so that a page can show it in whichever language
            its reader chooses later (see :func:`evidence_in`).
    """
    classification = classify(activity, profile, voice=voice)
    record = session_record(activity, classification, profile, activity_id)
    evidence = evidence_in(activity, profile, classification, voice, languages)
    return Analysis(classification, record, profile, voice.language, evidence)


def evidence_in(activity: Activity, profile: AthleteProfile, classification: Classification,
                voice: Voice, languages: Sequence[Voice]) -> dict[str, str]:
    """``classification``'s evidence (written in ``voice``) in each language of ``languages``
    as well: {language: text}, ``voice``'s language always in it. Only the language, its
    catalogue and decimal separator are taken from ``languages``: the units and whether figures
    show are ``voice``'s.

    The rules write their evidence as they judge, so each other language runs them again on
    the same activity and profile: about 3 ms more per language for a run of 10,000 samples
    (nearly all of it reading the streams), a tenth of a millisecond for a summary (measured
    on 2 cores, 2026-12-06). The label does not depend on the voice, so the same facts are
    read and only the words differ; should a language ever come to another workout or
    confidence, its text would be about another classification, and that language is left out.
    """
    texts = {voice.language: classification.evidence}
    for other in languages:
        if other.language in texts:
            continue
        spoken = replace(voice, language=other.language, translator=other.translator,
                         decimal=other.decimal)
        again = classify(activity, profile, voice=spoken)
        if (again.workout, again.confidence) == (classification.workout,
                                                 classification.confidence):
            texts[other.language] = again.evidence
    return texts


def feedback(analysis: Analysis, history: Past | Sequence[SessionRecord] | None,
             activity: Activity, voice: Voice = DEFAULT,
             utc_offset: timedelta | None = None) -> str:
    """The feedback block, judged as of the end of the activity (so a rerun gives the same),
    its headline's claims (steady, even, all the way, continuous) held to the recording's
    splits, stops and heart rate (analysis.claims).

    Parameters:
        history: what is known of the athlete: a :class:`Past` (sessions, and since when
            they are complete), or None when no history has been read. A bare sequence of
            records is read as known since the oldest record before the activity, and as
            unknown when there is none (the activity's own stored record does not count, so
            a rerun gives the same block).
        utc_offset: the athlete's local time at the activity minus UTC (Strava's
            ``start_date_local`` minus ``start_date``); rest days, "this week" and the weeks
            are then the athlete's calendar days, so a run at 23:30 counts on its own day.
            None: days are UTC days.
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


def activity_end(activity: Activity) -> datetime:
    return activity.start + timedelta(seconds=max(activity.elapsed_s, 0.0))
