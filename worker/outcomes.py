"""What becomes of a job's attempt that did not finish: one small exception tree.

Every failure a job may meet is one of these, by its class, so the actors (worker.tasks) decide
an attempt's fate by asking which branch its exception is on, and nothing else:

- :class:`Wait`: not now. The job runs again later without spending a retry (the quota is
  spent, Strava answered 429, the application is inactive, the keys are wrong, the activity is
  not readable yet). worker.notnow.NotNow is the wait whose length is known.
- :class:`Skip`: the athlete is gone or must reconnect; the job is skipped, not retried.
- :class:`Transient`: worth trying again soon; retried with backoff, and a dead letter once the
  retries are spent. An exception on no branch is treated the same way, as dramatiq does.
- :class:`Hopeless`: no retry can change it (Strava refuses our request or our credentials,
  or sent what cannot be analysed); a dead letter at once, naming why.

What Strava's answers mean is read in one table, in the gateway (worker.strava.FAULTS), which
raises an exception on the right branch.
"""

from __future__ import annotations


class Outcome(Exception):
    """Base of the exceptions that say what becomes of an attempt."""


class Wait(Outcome):
    """Not now: the job runs again later, without spending one of its retries."""


class Skip(Outcome):
    """The athlete is gone or must reconnect: the job is skipped, and not retried."""


class Transient(Outcome):
    """Worth trying again soon: retried with backoff; past the retries, a dead letter."""


class Hopeless(Outcome):
    """No retry can change it: a dead letter at once, with the reason a person needs."""
