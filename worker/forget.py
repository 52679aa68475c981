"""Forgetting: an activity deleted on Strava, and everything about an athlete who left.

Strava's API Policy asks for an activity deleted on Strava to go within 48 hours, and for all of
an athlete's data to go after their deauthorization or their request. The inbox event, the
athlete's command (``stridewise forget``) and their own page all come here.
"""

from __future__ import annotations

import logging

from sqlalchemy import delete

from worker.budget import QuotaExhausted
from worker.inbox import Inbox
from worker.models import Activity, Athlete
from worker.runtime import Runtime
from worker.strava import StravaError, StravaUnauthorized
from worker.tokens import AthleteUnavailable

log = logging.getLogger(__name__)


def forget_activity(rt: Runtime, athlete_id: int, activity_id: int) -> None:
    """Delete the owner's activity and its events' content (Strava's policy: within 48 hours)."""
    with rt.db.session() as session:
        session.execute(delete(Activity).where(Activity.id == activity_id,
                                                Activity.athlete_id == athlete_id))
        Inbox.forget_activity(session, activity_id)


def forget_athlete(rt: Runtime, athlete_id: int, revoke: bool) -> None:
    """Delete every row about the athlete; with ``revoke``, revoke their tokens at Strava first."""
    if revoke:
        try:
            rt.gateway.deauthorize(rt.tokens.access_token(athlete_id))
        except (AthleteUnavailable, StravaUnauthorized):
            pass  # nothing left to revoke
        except (StravaError, QuotaExhausted) as error:
            # The athlete asked for their data to go: it goes now. Their tokens are deleted
            # with it, so Strava keeps the grant until they remove the app in its settings.
            log.warning("revoke at Strava failed, deleting locally anyway: %s", error,
                        extra={"athlete_id": athlete_id})
    with rt.db.session() as session:
        session.execute(delete(Activity).where(Activity.athlete_id == athlete_id))
        Inbox.forget_owner(session, athlete_id)
        session.execute(delete(Athlete).where(Athlete.id == athlete_id))
    rt.jobs.forget_athlete(athlete_id)
    log.info("athlete data deleted", extra={"athlete_id": athlete_id})
