"""tests/support/scheduling.py: the order in which `make test` hands out the tests."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.support.scheduling import WAITING_FOLDERS, dealt

#: Modules of a collection: some wait on processes, some keep a core busy.
MODULES = ["tests/analysis/test_a.py", "tests/analysis/test_b.py", "tests/worker/test_c.py",
           "tests/browser/test_athlete_pages.py", "tests/e2e/test_d.py",
           "tests/reliability/test_redis_loss.py", "tests/reliability/test_e.py"]

collections = st.lists(st.tuples(st.sampled_from(MODULES), st.integers(1, 30)), max_size=12).map(
    lambda parts: [f"{module}::test_{i}" for module, count in dict(parts).items()
                   for i in range(count)])


def runs(collection: list[str], processes: int) -> list[list[str]]:
    """The runs the scheduler sends each process at first, as WorkStealingScheduling sizes
    them: the rest of the order divided by the processes left."""
    order, sent = [collection[i] for i in dealt(collection, processes)], []
    for k in range(processes):
        share = (len(order) - sum(map(len, sent))) // (processes - k)
        sent.append(order[sum(map(len, sent)):][:share])
    return sent


def module(node_id: str) -> str:
    return node_id.split("::")[0]


@given(collection=collections, processes=st.integers(1, 6))
def test_every_test_is_handed_out_once(collection: list[str], processes: int) -> None:
    assert sorted(dealt(collection, processes)) == list(range(len(collection)))


@given(collection=collections, processes=st.integers(1, 6))
def test_a_waiting_module_stays_whole_and_begins_a_run_unless_alone(
        collection: list[str], processes: int) -> None:
    order = [collection[i] for i in dealt(collection, processes)]
    waiting = {module(n) for n in collection if n.startswith(WAITING_FOLDERS)}
    for name in waiting:
        at = [i for i, n in enumerate(order) if module(n) == name]
        assert at == list(range(at[0], at[0] + len(at))), name
    others = [n for n in collection if module(n) not in waiting]
    if processes > 1 and len(others) >= len(collection) // processes:
        first = runs(collection, processes)[0]
        assert first == others[:len(first)]


def test_the_longest_waiting_modules_go_to_different_processes() -> None:
    collection = [f"{name}::test_{i}" for name in MODULES for i in range(20)]
    sent = runs(collection, 4)
    holding = {name: k for k, run in enumerate(sent) for name in map(module, run)}

    assert holding["tests/browser/test_athlete_pages.py"] != \
        holding["tests/reliability/test_redis_loss.py"]
    assert {holding[m] for m in MODULES if m.startswith(WAITING_FOLDERS)} == {1, 2, 3}
    # the first process's run: the tests collected first, none of them waiting
    assert sent[0] == collection[:len(sent[0])]
