"""How pytest-xdist hands the tests to its processes under `make test`: the tests that wait on
real processes start at once, spread over all processes but one, which starts on the tests
that keep a core busy.

pytest-xdist's work stealing gives each process a run of the tests in the order collected and
lets an idle process take the second half of the longest queue left. In that order the tests
that wait on processes they start (sandbox, web, worker, Chromium: tests/browser, tests/e2e,
tests/reliability) came late and together, so a run ended with the processes waiting on their
stacks and the cores idle: pytest took 220-236 s on 2 cores in that order (four runs) and
198-213 s dealt as here (three runs, 2026-12-08). Which test runs in which process changes,
not what a test does.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdist.scheduler import WorkStealingScheduling

#: Folders whose tests wait on processes they start.
WAITING_FOLDERS = ("tests/browser/", "tests/e2e/", "tests/reliability/")
#: The modules of those folders that wait longest, longest first (`pytest --durations`,
#: 2026-12-08); the rest follow in the order collected.
LONGEST = (
    "tests/browser/test_athlete_pages.py",
    "tests/browser/test_every_page.py",
    "tests/reliability/test_redis_loss.py",
    "tests/reliability/test_strava_faults.py",
    "tests/reliability/test_worker_kill.py",
    "tests/e2e/test_make_run.py",
    "tests/e2e/test_cache.py",
    "tests/reliability/test_athlete_edits.py",
)


def dealt(collection: Sequence[str], processes: int) -> list[int]:
    """The order in which to hand out the indices of ``collection`` to ``processes``
    processes, each taking the next run of the size work stealing sends it. The first run
    holds no waiting module: it begins with the first tests collected, the analysis tests,
    which keep a core busy. The waiting modules are dealt in turn to the other runs (a module
    stays whole: its tests share a stack or a browser), each of which goes on with the other
    tests in the order collected."""
    modules: dict[str, list[int]] = {}
    for index, node_id in enumerate(collection):
        modules.setdefault(node_id.split("::")[0], []).append(index)
    waiting = [m for m in LONGEST if m in modules]
    waiting += [m for m in modules if m.startswith(WAITING_FOLDERS) and m not in waiting]
    others = [i for module, indices in modules.items() if module not in waiting
              for i in indices]
    runs: list[list[int]] = [[] for _ in range(max(processes, 1))]
    waiters = runs[1:] or runs  # a process alone runs everything
    for k, module in enumerate(waiting):
        waiters[k % len(waiters)].extend(modules[module])
    order: list[int] = []
    left = len(collection)
    for k, run in enumerate(runs):
        share = left // (len(runs) - k)  # what WorkStealingScheduling sends this process
        fill = others[:max(share - len(run), 0)]
        others = others[len(fill):]
        order += run + fill
        left -= share
    return order + others


class WaitingFirst(WorkStealingScheduling):
    """Work stealing, with the first runs dealt by :func:`dealt`."""

    def schedule(self) -> None:
        if self.collection is None and self.collection_is_completed \
                and self._check_nodes_have_same_collection():
            collection = next(iter(self.node2collection.values()))
            if collection:
                self.collection = collection
                self.pending[:] = dealt(collection, len(self.nodes))
                self.check_schedule()
                return
        super().schedule()
