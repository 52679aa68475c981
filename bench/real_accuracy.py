"""Accuracy on real recordings: the labelled development set of shared/data/real.

Each file goes through ``stridewise analyze --json`` (the same function, in process) and
its first verdict is compared with the coach's label (labels.csv: workout, and the
``also_acceptable`` answers a file alone can defend). Reported: exact and acceptable
accuracy, overall and for runs, the confusion of the misses, and what the worker's live
path (summary, laps and splits, before any streams) decides and how often that is wrong.

The set is found at ``$STRIDEWISE_REAL_DATA``, else ``$SHARED_DATA/real``, else
``../shared/data/real`` beside the repository. Run: ``python -m bench.real_accuracy``.

The held-out set (tests/data/heldout/labels.csv, labelled before the classifier ran on
it) is scored the same way when its files are in ``$STRIDEWISE_HELDOUT_DATA``: the honest
figure for recordings the rules were not tuned on. So is the blind batch of December 2026
(tests/data/blind-2026-12), whose files are in the repository except those of
repositories without a licence, found in ``$STRIDEWISE_BLIND_DATA``, and so is the second
batch, of interval sessions (tests/data/blind-2026-12b), whose unlicensed files are looked
for in the same folders (``$STRIDEWISE_BLIND_DATA`` may name several, joined by ``:``), and
so are the third, of interval sessions of many kinds (tests/data/blind-2026-12c), the
fourth, of athletes none of the rules were tuned on (tests/data/blind-2026-12d), the
fifth, of more such athletes' interval sessions (tests/data/blind-2026-12e), and the sixth,
of one more athlete's interval, hill and sprint sessions and four more athletes' runs
(tests/data/blind-2026-12f). :data:`BLIND_BATCHES` lists them all, in order.

:func:`per_set_lines` puts each set's score now beside its score before the rules changed
for issue 20 (:data:`BEFORE_ISSUE_20`, recorded once and kept here as history).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from analysis import engine
from analysis.model import is_run
from analysis.parsers import ActivityFileError, parse_activity
from worker.analyze import run_analyze

REPO_ROOT = Path(__file__).resolve().parent.parent
#: Recordings added to the repository for classes the development set lacks, with labels.
ADDED = REPO_ROOT / "tests" / "data" / "real"
#: Labels of the held-out set, written before the classifier ran on its files.
HELDOUT_LABELS = REPO_ROOT / "tests" / "data" / "heldout" / "labels.csv"
#: The held-out set's one blind score, taken before any rule was changed after seeing it
#: (tests/data/heldout/README.md); every later score is measured after such changes.
HELDOUT_BLIND = ("first 37 (commit 983b0ad): 33 acceptable (89 %), 26 exact, runs 21/25 "
                 "acceptable (84 %); last 6, track sessions and a hilly run (commit 6986de1): "
                 "5 acceptable, 3 exact; together 38/43 acceptable (88 %), runs 26/31 (84 %)")
#: The labelled files of tests/data (tests/data/runs; from shared/data/runs).
TEST_DATA = REPO_ROOT / "tests" / "data"


@dataclass(frozen=True)
class Recorded:
    """A set's score taken once in the past, kept as history beside the score measured now."""

    acceptable: str
    runs: str
    intervals: str


@dataclass(frozen=True)
class Batch:
    """A blind batch of issue 20: recordings labelled before the classifier ran on them, scored
    once (``figure``, and the same score in ``blind``'s columns), its README listing the rules
    changed after that score when ``rules_readme``."""

    folder: Path
    #: "third", and what the batch holds: how its headings tell it from the others.
    ordinal: str
    holds: str
    figure: str
    blind: Recorded
    rules_readme: bool = True

    @property
    def title(self) -> str:
        which = f" ({self.ordinal}, {self.holds})" if self.ordinal else ""
        return f"Blind batch of December 2026{which}"

    @property
    def set_name(self) -> str:
        where = self.folder.relative_to(REPO_ROOT).as_posix()
        if not self.ordinal:
            return f"blind batch of December 2026 ({where})"
        return f"{self.ordinal} blind batch, {self.holds} ({where})"


#: Every blind batch of issue 20, in the order they were scored, each with its one blind score
#: (the labels' commit and the classifier's), taken before any rule changed after seeing it.
BATCHES = (
    Batch(TEST_DATA / "blind-2026-12", "", "",
          "commit 77ebab2 (the classifier of b11927c): 33/36 acceptable (92 %), 25 exact "
          "(69 %); runs 22/24 acceptable (92 %), 14 exact; interval sessions called "
          "intervals 2 of 4",
          Recorded("**33/36 (92 %)**, 25 exact, blind (77ebab2)", "**22/24 (92 %)**",
                   "**2 of 4**")),
    Batch(TEST_DATA / "blind-2026-12b", "second", "interval sessions",
          "commit 1e241a6 (the classifier of a359731): 12/13 acceptable (92 %), 12 exact; "
          "runs 12/12 acceptable (100 %), 12 exact; interval sessions called intervals "
          "12 of 12",
          Recorded("**12/13 (92 %)**, 12 exact, blind (1e241a6, the classifier of a359731)",
                   "**12/12 (100 %)**", "**12 of 12**"),
          rules_readme=False),  # the first batch's README lists the rules of both
    Batch(TEST_DATA / "blind-2026-12c", "third", "interval sessions of many kinds",
          "commit 81c0934 (the classifier of 9aafe0e): 31/40 acceptable (78 %), 25 exact; "
          "runs 27/35 acceptable (77 %), 23 exact; interval sessions called intervals "
          "6 of 15",
          Recorded("**31/40 (78 %)**, 25 exact, blind (81c0934, the classifier of 9aafe0e)",
                   "**27/35 (77 %)**", "**6 of 15**")),
    Batch(TEST_DATA / "blind-2026-12d", "fourth", "athletes the rules never met",
          "commit 1eaf4f4 (the classifier of 917b082): 14/19 acceptable (74 %), 9 exact; "
          "runs 14/19 acceptable (74 %), 9 exact; interval sessions called intervals "
          "1 of 3",
          Recorded("**14/19 (74 %)**, 9 exact, blind (1eaf4f4, the classifier of 917b082)",
                   "**14/19 (74 %)**", "**1 of 3**")),
    Batch(TEST_DATA / "blind-2026-12e", "fifth", "interval sessions of more athletes",
          "commit 4dccb86 (the classifier of 4d7b1b7): 21/29 acceptable (72 %), 20 exact; "
          "runs 21/29 acceptable (72 %), 20 exact; interval sessions called intervals "
          "10 of 15",
          Recorded("**21/29 (72 %)**, 20 exact, blind (4dccb86, the classifier of 4d7b1b7)",
                   "**21/29 (72 %)**", "**10 of 15**")),
    Batch(TEST_DATA / "blind-2026-12f", "sixth", "interval, hill and sprint sessions",
          "commit 92d9b74 (the classifier of 3a1c0fd): 15/19 acceptable (79 %), 11 exact; "
          "runs 15/19 acceptable (79 %), 11 exact; interval sessions called intervals "
          "2 of 4",
          Recorded("**15/19 (79 %)**, 11 exact, blind (92d9b74, the classifier of 3a1c0fd)",
                   "**15/19 (79 %)**", "**2 of 4**")),
    Batch(TEST_DATA / "blind-2026-12g", "seventh", "runs of seven more athletes",
          "commit d87fdee (the classifier of f425c72): 11/14 acceptable (79 %), 11 exact; "
          "runs 11/14 acceptable (79 %), 11 exact; interval sessions called intervals "
          "1 of 1",
          Recorded("**11/14 (79 %)**, 11 exact, blind (d87fdee, the classifier of f425c72)",
                   "**11/14 (79 %)**", "**1 of 1**"),
          rules_readme=False),  # no rule was changed for its misses
    Batch(TEST_DATA / "blind-2026-12h", "eighth", "interval sessions of six athletes",
          "commit f796a40 (the classifier of 8649c0f): 21/35 acceptable (60 %), 13 exact; "
          "runs 21/35 acceptable (60 %), 13 exact; interval sessions called intervals "
          "8 of 18",
          Recorded("**21/35 (60 %)**, 13 exact, blind (f796a40, the classifier of 8649c0f)",
                   "**21/35 (60 %)**", "**8 of 18**")),
    Batch(TEST_DATA / "blind-2026-12i", "ninth", "interval sessions of three more athletes",
          "commit cd27486 (the classifier of daf92f2): 30/36 acceptable (83 %), 25 exact; "
          "runs 30/36 acceptable (83 %), 25 exact; interval sessions called intervals "
          "14 of 18",
          Recorded("**30/36 (83 %)**, 25 exact, blind (cd27486, the classifier of daf92f2)",
                   "**30/36 (83 %)**", "**14 of 18**")),
    Batch(TEST_DATA / "blind-2026-12j", "tenth", "treadmill classes and phone runs",
          "commit e0955d5 (the classifier of b18306d): 12/20 acceptable (60 %), 9 exact; "
          "runs 12/20 acceptable (60 %), 9 exact; interval sessions called intervals "
          "1 of 2",
          Recorded("**12/20 (60 %)**, 9 exact, blind (e0955d5, the classifier of b18306d)",
                   "**12/20 (60 %)**", "**1 of 2**"),
          rules_readme=False),  # no rule was changed for its misses
    Batch(TEST_DATA / "blind-2026-12k", "eleventh", "one athlete's interval and tempo sessions",
          "commit c8f0bcc (the classifier of 4a57327): 30/33 acceptable (91 %), 28 exact; "
          "runs 30/33 acceptable (91 %), 28 exact; interval sessions called intervals "
          "10 of 12",
          Recorded("**30/33 (91 %)**, 28 exact, blind (c8f0bcc, the classifier of 4a57327)",
                   "**30/33 (91 %)**", "**10 of 12**")),
    Batch(TEST_DATA / "blind-2026-12l", "twelfth", "a trail runner's strides, hills and reps",
          "commit 4202f13 (the classifier of 8f6ef2c): 14/20 acceptable (70 %), 11 exact; "
          "runs 11/17 acceptable (65 %), 8 exact; interval sessions called intervals "
          "1 of 3",
          Recorded("**14/20 (70 %)**, 11 exact, blind (4202f13, the classifier of 8f6ef2c)",
                   "**11/17 (65 %)**", "**1 of 3**"),
          rules_readme=False),  # no rule was changed for its misses
    Batch(TEST_DATA / "blind-2026-12m", "thirteenth", "runs of six more athletes",
          "commit 62b0b1f (the classifier of ffc6548): 10/14 acceptable (71 %), 10 exact; "
          "runs 10/14 acceptable (71 %), 10 exact; interval sessions called intervals "
          "1 of 2",
          Recorded("**10/14 (71 %)**, 10 exact, blind (62b0b1f, the classifier of ffc6548)",
                   "**10/14 (71 %)**", "**1 of 2**"),
          rules_readme=False),  # no rule was changed for its misses
    Batch(TEST_DATA / "blind-2026-12n", "fourteenth", "Strava GPX files of seventeen athletes",
          "commit ea18b7d (the classifier of dd8e695): 20/23 acceptable (87 %), 12 exact; "
          "runs 20/23 acceptable (87 %), 12 exact; interval sessions called intervals "
          "0 of 2",
          Recorded("**20/23 (87 %)**, 12 exact, blind (ea18b7d, the classifier of dd8e695)",
                   "**20/23 (87 %)**", "**0 of 2**")),
    Batch(TEST_DATA / "blind-2026-12o", "fifteenth", "sample files of thirteen athletes",
          "commit 1f5667a (the classifier of 3189328): 13/18 acceptable (72 %), 8 exact; "
          "runs 13/17 acceptable (76 %), 8 exact; interval sessions called intervals "
          "0 of 2",
          Recorded("**13/18 (72 %)**, 8 exact, blind (1f5667a, the classifier of 3189328)",
                   "**13/17 (76 %)**", "**0 of 2**"),
          rules_readme=False),  # no rule has changed for its misses
    Batch(TEST_DATA / "blind-2026-12p", "sixteenth", "road runs and races of eight athletes",
          "commit e1ad227 (the classifier of 3189328): 9/12 acceptable (75 %), 6 exact; "
          "runs 9/12 acceptable (75 %), 6 exact; interval sessions called intervals 1 of 2",
          Recorded("**9/12 (75 %)**, 6 exact, blind (e1ad227, the classifier of 3189328)",
                   "**9/12 (75 %)**", "**1 of 2**")),
    Batch(TEST_DATA / "blind-2026-12q", "seventeenth", "long and easy runs of five athletes",
          "commit b16be8d (the classifier of 8825c04): 10/10 acceptable (100 %), 8 exact; "
          "runs 10/10 acceptable (100 %), 8 exact; no interval session",
          Recorded("**10/10 (100 %)**, 8 exact, blind (b16be8d, the classifier of 8825c04)",
                   "**10/10 (100 %)**", "-"),
          rules_readme=False),  # it has no miss
    Batch(TEST_DATA / "blind-2026-12r", "eighteenth", "races, long and easy runs of five athletes",
          "commit 6a4f40d (the classifier of 7c2e8f6): 6/8 acceptable (75 %), 4 exact; "
          "runs 6/8 acceptable (75 %), 4 exact; interval sessions called intervals 0 of 1",
          Recorded("**6/8 (75 %)**, 4 exact, blind (6a4f40d, the classifier of 7c2e8f6)",
                   "**6/8 (75 %)**", "**0 of 1**")),
    Batch(TEST_DATA / "blind-2026-12s", "nineteenth", "tempo runs, races and reps of four sources",
          "commit 6c07475 (the classifier of 7963688): 8/9 acceptable (89 %), 6 exact; "
          "runs 8/9 acceptable (89 %), 6 exact; interval sessions called intervals 1 of 1",
          Recorded("**8/9 (89 %)**, 6 exact, blind (6c07475, the classifier of 7963688)",
                   "**8/9 (89 %)**", "**1 of 1**"),
          rules_readme=False),  # no rule has changed for its miss
    Batch(TEST_DATA / "blind-2026-12t", "twentieth", "tempo runs, races, a fartlek and easy runs",
          "commit 8dab0b2 (the classifier of 7963688): 7/11 acceptable (64 %), 3 exact; "
          "runs 7/11 acceptable (64 %), 3 exact; no interval session",
          Recorded("**7/11 (64 %)**, 3 exact, blind (8dab0b2, the classifier of 7963688)",
                   "**7/11 (64 %)**", "-")),
    Batch(TEST_DATA / "blind-2026-12u", "twenty-first",
          "reps, races and tempo runs of five athletes",
          "commit 7344d02 (the classifier of a2dbd16): 9/12 acceptable (75 %), 7 exact; "
          "runs 9/12 acceptable (75 %), 7 exact; interval sessions called intervals 1 of 2",
          Recorded("**9/12 (75 %)**, 7 exact, blind (7344d02, the classifier of a2dbd16)",
                   "**9/12 (75 %)**", "**1 of 2**")),
    Batch(TEST_DATA / "blind-2026-12v", "twenty-second", "races, a tempo, long and easy runs",
          "commit edeb592 (the classifier of ac09250): 10/11 acceptable (91 %), 5 exact; "
          "runs 10/11 acceptable (91 %), 5 exact; no interval session",
          Recorded("**10/11 (91 %)**, 5 exact, blind (edeb592, the classifier of ac09250)",
                   "**10/11 (91 %)**", "-")),
    Batch(TEST_DATA / "blind-2026-12w", "twenty-third", "a race, a tempo and easy runs",
          "commit 48d6828 (the classifier of ac09250): 6/7 acceptable (86 %), 5 exact; "
          "runs 6/7 acceptable (86 %), 5 exact; no interval session",
          Recorded("**6/7 (86 %)**, 5 exact, blind (48d6828, the classifier of ac09250)",
                   "**6/7 (86 %)**", "-")),
    Batch(TEST_DATA / "blind-2026-12x", "twenty-fourth", "a long run and a mountain ultra",
          "commit 37a2cac (the classifier of ac09250): 2/2 acceptable (100 %), 2 exact; "
          "runs 2/2 acceptable (100 %), 2 exact; no interval session",
          Recorded("**2/2 (100 %)**, 2 exact, blind (37a2cac, the classifier of ac09250)",
                   "**2/2 (100 %)**", "-")),
    Batch(TEST_DATA / "blind-2026-12y", "twenty-fifth",
          "one runner's track sessions, hills, tempo and races",
          "commit 96cf622 (the classifier of 6a7dc42): 14/17 acceptable (82 %), 11 exact; "
          "runs 14/17 acceptable (82 %), 11 exact; interval sessions called intervals 8 of 10",
          Recorded("**14/17 (82 %)**, 11 exact, blind (96cf622, the classifier of 6a7dc42)",
                   "**14/17 (82 %)**", "**8 of 10**")),
    Batch(TEST_DATA / "blind-2026-12z", "twenty-sixth",
          "races from a mile to a marathon, reps, tempo, easy runs and three non-runs",
          "commit 1df1782 (the classifier of a39ec25): 10/16 acceptable (62 %), 8 exact; "
          "runs 8/13 acceptable (62 %), 6 exact; interval sessions called intervals 1 of 2",
          Recorded("**10/16 (62 %)**, 8 exact, blind (1df1782, the classifier of a39ec25)",
                   "**8/13 (62 %)**", "**1 of 2**")),
    Batch(TEST_DATA / "blind-2026-12za", "twenty-seventh",
          "races, long runs, tempo, reps, easy runs and a hike",
          "commit e5d79a1 (the classifier of 86108cf): 10/14 acceptable (71 %), 9 exact; "
          "runs 10/13 acceptable (77 %), 9 exact; interval sessions called intervals 1 of 1",
          Recorded("**10/14 (71 %)**, 9 exact, blind (e5d79a1, the classifier of 86108cf)",
                   "**10/13 (77 %)**", "**1 of 1**")),
    Batch(TEST_DATA / "blind-2026-12zb", "twenty-eighth",
          "easy runs, a jog and a walk recorded as a run",
          "commit 4e13b5c (the classifier of 96b71a6): 3/5 acceptable (60 %), 2 exact; "
          "runs 3/4 acceptable (75 %), 2 exact; no interval session",
          Recorded("**3/5 (60 %)**, 2 exact, blind (4e13b5c, the classifier of 96b71a6)",
                   "**3/4 (75 %)**", "-"),
          rules_readme=False),  # no rule was changed for its misses
    Batch(TEST_DATA / "blind-2026-12zc", "twenty-ninth",
          "a marathon, two easy runs and a mountain road ride",
          "commit eed0880 (the classifier of 19cc1d4): 4/4 acceptable (100 %), 3 exact; "
          "runs 3/3 acceptable (100 %), 2 exact; no interval session",
          Recorded("**4/4 (100 %)**, 3 exact, blind (eed0880, the classifier of 19cc1d4)",
                   "**3/3 (100 %)**", "-"),
          rules_readme=False),  # no miss
)
#: The first blind batch of December 2026 (issue 20).
BLIND = BATCHES[0].folder
#: The batches' folders. The report and tests/analysis/test_real_recordings.py both take
#: their batches from here.
BLIND_BATCHES = tuple(batch.folder for batch in BATCHES)
_BATCH = {batch.folder: batch for batch in BATCHES}


def _set_name(folder: Path) -> str:
    return folder.relative_to(REPO_ROOT).as_posix()


#: Each set's score before the rules changed for issue 20: on the classifier of b11927c, and
#: for each blind batch its one blind run (Batch.blind). Recorded once.
BEFORE_ISSUE_20 = {
    "development set": Recorded("74/74 (100 %), 59 exact", "49/49", "6 of 8"),
    "tests/data/runs": Recorded("11/11, 11 exact", "9/9", "1 of 1"),
    "tests/data/real": Recorded("12/12, 9 exact (12 files then)", "12/12", "-"),
    "tests/data/heldout": Recorded("40/43 (93 %), 30 exact", "28/31 (90 %)", "6 of 9"),
    **{_set_name(batch.folder): batch.blind for batch in BATCHES},
}
#: A set whose one blind score has not been taken yet: its first run is that score.
NOT_YET_TAKEN = Recorded("not yet taken: this run is blind", "-", "-")
#: How each set is named in the per-set table.
SET_NAMES = {
    "development set": "development set, shared/data/real (tuned on)",
    "tests/data/runs": "tests/data/runs (from shared/data/runs)",
    "tests/data/heldout": "tests/data/heldout (blind only when first scored)",
    **{_set_name(batch.folder): batch.set_name for batch in BATCHES},
}
#: Goals of issue 12 on the development set: acceptable labels overall and for runs.
GOALS = {"all": 0.95, "runs": 0.90}
#: Goals of issue 12 on recordings the project never saw.
UNSEEN_GOALS = {"all": 0.90, "runs": 0.85}


@dataclass(frozen=True)
class Verdict:
    """One labelled file: the coach's answers and what the classifier said."""

    file: str
    sport: str
    wanted: str
    acceptable: frozenset[str]
    got: str
    evidence: str
    summary_decided: bool
    summary_got: str

    @property
    def exact(self) -> bool:
        return self.got == self.wanted

    @property
    def fine(self) -> bool:
        return self.got in self.acceptable


def data_dir() -> Path:
    explicit = os.environ.get("STRIDEWISE_REAL_DATA")
    if explicit:
        return Path(explicit)
    shared = os.environ.get("SHARED_DATA")
    return Path(shared) / "real" if shared else REPO_ROOT.parent / "shared" / "data" / "real"


def heldout_dir() -> Path | None:
    explicit = os.environ.get("STRIDEWISE_HELDOUT_DATA")
    return Path(explicit) if explicit else None


def measure(folder: Path | None = None, labels: Path | None = None,
            *elsewhere: Path) -> list[Verdict]:
    """Judge every labelled file of ``folder`` (default :func:`data_dir`) that is there.

    Parameters:
        labels: the labels file (default ``folder/labels.csv``).
        elsewhere: further folders where a labelled file missing from ``folder`` may be.
    """
    folder = folder or data_dir()
    found = {row["file"]: path for row in rows(labels or folder / "labels.csv")
             if (path := locate(row["file"], (folder, *elsewhere))) is not None}
    picked = [row for row in rows(labels or folder / "labels.csv") if row["file"] in found]
    out, err = io.StringIO(), io.StringIO()
    run_analyze([str(found[row["file"]]) for row in picked], True, None, out=out, err=err)
    first: dict[str, dict[str, str]] = {}
    for line in out.getvalue().splitlines():
        result = json.loads(line)
        first.setdefault(Path(result["file"]).name, result)
    return [_verdict(found[row["file"]], row, first.get(Path(row["file"]).name))
            for row in picked]


def missing(folder: Path | None, labels: Path, *elsewhere: Path) -> list[str]:
    """The labelled files that are in none of ``folder`` and ``elsewhere``."""
    folders = tuple(f for f in (folder, *elsewhere) if f is not None)
    return [row["file"] for row in rows(labels) if locate(row["file"], folders) is None]


def locate(name: str, folders: tuple[Path, ...]) -> Path | None:
    """The first of ``folders`` that holds the file ``name``."""
    return next((f / name for f in folders if (f / name).is_file()), None)


def blind_folders(folder: Path) -> tuple[Path, ...]:
    """Where a blind batch's files are: its folder, then those $STRIDEWISE_BLIND_DATA names
    (several joined by the path separator) for the files no licence lets it carry."""
    explicit = os.environ.get("STRIDEWISE_BLIND_DATA", "")
    return (folder, *(Path(part) for part in explicit.split(os.pathsep) if part))


def rows(labels: Path) -> list[dict[str, str]]:
    with labels.open(newline="") as handle:
        return list(csv.DictReader(handle))


def acceptable_answers(row: dict[str, str]) -> frozenset[str]:
    """A labels row's label and the answers its ``also_acceptable`` lists (joined by "|")."""
    return frozenset({row["workout"]} | {a for a in row["also_acceptable"].split("|") if a})


def _verdict(path: Path, row: dict[str, str], result: dict[str, str] | None) -> Verdict:
    acceptable = acceptable_answers(row)
    decided, summary_got = _summary(path)
    return Verdict(
        file=Path(row["file"]).name, sport=row["sport"], wanted=row["workout"],
        acceptable=frozenset(acceptable),
        got=result["workout"] if result else "error",
        evidence=result["evidence"] if result else "the file could not be read",
        summary_decided=decided, summary_got=summary_got)


def _summary(path: Path) -> tuple[bool, str]:
    """What the worker's live path decides before reading any streams."""
    try:
        activity = parse_activity(path.read_bytes(), path.name)
    except ActivityFileError:
        return False, "error"
    verdict = engine.judge_summary(activity, engine.profile_for([], activity))
    return verdict.decided, verdict.classification.workout.value


def report(verdicts: list[Verdict], added: list[Verdict] | None = None,
           heldout: list[Verdict] | None = None, absent: list[str] | None = None) -> str:
    runs = [v for v in verdicts if is_run(v.sport)]
    lines = [
        "## Accuracy on real recordings (headline)\n",
        f"`python -m bench.real_accuracy`: {len(verdicts)} recordings from real devices "
        f"({len(runs)} runs) in shared/data/real, labelled by a coach from their laps and "
        "streams, judged one by one without history as `stridewise analyze --json` judges "
        "them.\n",
        "| set | exact | acceptable | goal (acceptable) |",
        "| --- | --- | --- | --- |",
        _row("all", verdicts),
        _row("runs", runs),
        "",
    ]
    decided = [v for v in verdicts if v.summary_decided]
    wrong = [v for v in decided if v.summary_got not in v.acceptable]
    lines.append(f"The worker's live path decides {len(decided)} of {len(verdicts)} from the "
                 f"summary, laps and splits alone ({len(wrong)} of them unacceptably); the "
                 "rest are read from their streams with the same rules.\n")
    misses = [v for v in verdicts if not v.fine]
    if misses:
        lines += ["Misses (wanted -> got):\n", "| file | wanted | also acceptable | got | "
                  "evidence |", "| --- | --- | --- | --- | --- |"]
        lines += [f"| {v.file} | {v.wanted} | {', '.join(sorted(v.acceptable - {v.wanted}))} "
                  f"| {v.got} | {v.evidence} |" for v in misses]
    else:
        lines.append("Misses: none.")
    alternatives = Counter(f"{v.wanted} -> {v.got}" for v in verdicts if v.fine and not v.exact)
    if alternatives:
        lines.append("\nAcceptable but not exact: "
                     + ", ".join(f"{k} ({n})" for k, n in sorted(alternatives.items())) + ".")
    if added:
        fine = sum(v.fine for v in added)
        lines.append(f"\nThe {len(added)} recordings added in tests/data/real (treadmill, "
                     "mountain and trail runs, and five files of the held-out set; "
                     f"labels.csv there): {sum(v.exact for v in added)} "
                     f"exact, {fine} acceptable."
                     + "".join(f" Miss: {v.file}, {v.wanted} -> {v.got}." for v in added
                               if not v.fine))
    lines += _heldout_lines(heldout or [], absent or [])
    return "\n".join(lines) + "\n"


def _heldout_lines(verdicts: list[Verdict], absent: list[str]) -> list[str]:
    lines = ["\n### Held-out, labelled before the classifier ran\n",
             "tests/data/heldout/labels.csv: recordings from projects the development set does "
             "not draw on, labelled from their laps and streams before the classifier was run on "
             "them (the README there gives each file's source).\n",
             f"Blind, before any rule was changed for them: {HELDOUT_BLIND}.\n",
             "Now, after rule changes made with their misses in view (no longer blind):\n"]
    if verdicts:
        runs = [v for v in verdicts if is_run(v.sport)]
        lines += ["| set | exact | acceptable | goal on unseen recordings |",
                  "| --- | --- | --- | --- |",
                  _row("all", verdicts, UNSEEN_GOALS), _row("runs", runs, UNSEEN_GOALS), ""]
        lines.append(_intervals_line(verdicts) + "\n")
        lines += [f"Miss: {v.file}, {v.wanted} -> {v.got} ({v.evidence})."
                  for v in verdicts if not v.fine]
    if absent:
        lines.append(f"\n{len(absent)} held-out files are not in $STRIDEWISE_HELDOUT_DATA and "
                     "were not scored.")
    return lines


def _intervals_line(verdicts: list[Verdict]) -> str:
    sessions = [v for v in verdicts if v.wanted == "intervals"]
    called = sum(v.got == "intervals" for v in sessions)
    return f"Interval sessions called intervals: {called} of {len(sessions)}."


def _row(name: str, verdicts: list[Verdict], goals: dict[str, float] = GOALS) -> str:
    n = len(verdicts)
    exact = sum(v.exact for v in verdicts)
    fine = sum(v.fine for v in verdicts)
    return (f"| {name} | {exact}/{n} ({pct(exact, n)}) | **{fine}/{n} ({pct(fine, n)})** | "
            f"{round(100 * goals[name])} % |")


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f} %" if whole else "n/a"


def blind_lines(verdicts: list[Verdict], absent: list[str], folder: Path = BLIND,
                figure: str = BATCHES[0].figure, changed: bool = True) -> list[str]:
    """A blind batch's score: acceptable, exact, runs, interval sessions, misses.

    Parameters:
        folder: the batch's folder in the repository (its labels.csv and README.md).
        figure: the batch's one blind score, taken before any rule changed after seeing it;
            empty while it has not been taken, and then the score below is that one.
        changed: whether rules have changed since that score (the score below is then no
            longer blind).
    """
    runs = [v for v in verdicts if is_run(v.sport)]
    sessions = [v for v in verdicts if v.wanted == "intervals"]
    called = sum(v.got == "intervals" for v in sessions)
    total = len(verdicts) + len(absent)
    lines = [f"\n### {_title(folder)}, labelled before the classifier ran\n",
             f"{folder.relative_to(REPO_ROOT)}/labels.csv: {total} recordings from repositories "
             "or files no other set draws on (the README there gives each file's source).\n"]
    if figure and changed:
        lines += [f"Blind, before any rule was changed for them: {figure}.\n",
                  "Now (after rule changes made with their misses in view, no longer blind):\n"]
    elif figure:
        lines += [f"Blind, scored once: {figure}.\n",
                  "No rule has changed since; this run's figures:\n"]
    else:
        lines.append("Blind: no rule has changed since the labels were written.\n")
    lines += ["| set | exact | acceptable | goal on unseen recordings |",
              "| --- | --- | --- | --- |",
              _row("all", verdicts, UNSEEN_GOALS), _row("runs", runs, UNSEEN_GOALS), "",
              f"Interval sessions called intervals: {called} of {len(sessions)}.", ""]
    lines += [f"Miss: {v.file}, {v.wanted} -> {v.got} ({v.evidence})."
              for v in verdicts if not v.fine]
    lines += [f"Intervals not called intervals (acceptable): {v.file} -> {v.got} ({v.evidence})."
              for v in sessions if v.fine and v.got != "intervals"]
    if absent:
        lines.append(f"\n{len(absent)} files of the batch are in neither the batch's folder nor "
                     "$STRIDEWISE_BLIND_DATA and were not scored: " + ", ".join(absent) + ".")
    return lines


def _title(folder: Path) -> str:
    batch = _BATCH.get(folder)
    return batch.title if batch is not None else "Blind batch of December 2026"


def measure_blind(folder: Path = BLIND) -> tuple[list[Verdict], list[str]]:
    """A blind batch's verdicts for the files found, and the labelled files absent."""
    labels = folder / "labels.csv"
    _, *elsewhere = blind_folders(folder)
    return measure(folder, labels, *elsewhere), missing(folder, labels, *elsewhere)


def measure_heldout() -> tuple[list[Verdict], list[str]]:
    """The held-out verdicts for the files present, and the labelled files absent."""
    folder = heldout_dir()
    verdicts = measure(folder, HELDOUT_LABELS) if folder is not None else []
    return verdicts, missing(folder, HELDOUT_LABELS)


@dataclass(frozen=True)
class Scored:
    """One labelled set as measured now: its verdicts and its labelled files not found."""

    name: str
    verdicts: list[Verdict]
    absent: list[str]
    missing_labels: Path | None = None


def labelled_sets() -> list[tuple[Path, Path, tuple[Path, ...]]]:
    """Every labelled set whose labels are here, as (folder, labels, further folders where
    its files may be), in the order of :func:`measure_all`."""
    development, heldout = data_dir(), heldout_dir()
    sets = [(development, development / "labels.csv", ()),
            (TEST_DATA, TEST_DATA / "labels.csv", ()),
            (ADDED, ADDED / "labels.csv", ()),
            *([(heldout, HELDOUT_LABELS, ())] if heldout is not None else []),
            *((folder, folder / "labels.csv", blind_folders(folder)[1:])
              for folder in BLIND_BATCHES)]
    return [s for s in sets if s[1].is_file()]


def source_of(name: str) -> str:
    """A file's source: the prefix of its name (one repository, or one athlete of it)."""
    return Path(name).name.split("-", 1)[0]


def measure_all() -> list[Scored]:
    """Every labelled set, in the order of :data:`BEFORE_ISSUE_20`."""
    development = data_dir()
    if (development / "labels.csv").is_file():
        dev = Scored("development set", measure(development),
                     missing(development, development / "labels.csv"))
    else:
        dev = Scored("development set", [], [], development / "labels.csv")
    return [dev,
            Scored("tests/data/runs", measure(TEST_DATA, TEST_DATA / "labels.csv"),
                   missing(TEST_DATA, TEST_DATA / "labels.csv")),
            Scored("tests/data/real", measure(ADDED), missing(ADDED, ADDED / "labels.csv")),
            Scored("tests/data/heldout", *measure_heldout()),
            *(Scored(_set_name(folder), *measure_blind(folder)) for folder in BLIND_BATCHES)]


def report_all(sets: list[Scored]) -> str:
    """The whole accuracy section: headline, held-out, the blind batches, the sets side by
    side with their scores before issue 20, and the score per source."""
    by_name = {s.name: s for s in sets}
    dev, heldout = by_name["development set"], by_name["tests/data/heldout"]
    if dev.missing_labels is not None:
        head = ("## Accuracy on real recordings (headline)\n\n"
                f"Not measured: the development set's labels ({dev.missing_labels}) are absent; "
                "set $SHARED_DATA or $STRIDEWISE_REAL_DATA.\n")
    else:
        head = report(dev.verdicts, by_name["tests/data/real"].verdicts, heldout.verdicts,
                      heldout.absent)
    blinds = ["\n".join(blind_lines(by_name[_set_name(batch.folder)].verdicts,
                                     by_name[_set_name(batch.folder)].absent, batch.folder,
                                     batch.figure)) + "\n"
              for batch in BATCHES]
    return "\n".join([
        head + blinds[0], *blinds[1:],
        "\n".join(per_set_lines(sets)) + "\n"])


def _rules_readmes() -> str:
    """Where the rules changed after each batch are listed: the first README, then "for those
    made after the third batch, ..." and so on."""
    readmes = [b for b in BATCHES if b.rules_readme]
    first, *later = [(b.folder / "README.md").relative_to(REPO_ROOT) for b in readmes]
    after = [f"for those made after the {b.ordinal}{' batch' if i == 0 else ''}, {path}"
             for i, (b, path) in enumerate(zip(readmes[1:], later, strict=True))]
    if len(after) > 1:
        after[-1] = "and " + after[-1]
    return ", ".join([str(first), *after])


def per_set_lines(sets: list[Scored]) -> list[str]:
    """Each set's score now beside its score before the rules changed for issue 20."""
    lines = ["### Blind and now, per set (issue 20)\n",
             "The first figure of each set is its score before the rules changed for issue 20 "
             "(on the classifier of b11927c; for each blind batch, its one blind run), recorded "
             "then and kept in bench/real_accuracy.py; the second is this run's. The rules "
             "changed, each with the sources it fixed, and those tried and left out are listed "
             f"in {_rules_readmes()}.\n",
             "| set | before: acceptable | now: acceptable | before: runs | now: runs | "
             "before: interval sessions called intervals | now |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for scored in sets:
        before = BEFORE_ISSUE_20.get(scored.name, NOT_YET_TAKEN)
        lines.append(f"| {SET_NAMES.get(scored.name, scored.name)} | {before.acceptable} | "
                     f"{_now_acceptable(scored)} | "
                     f"{before.runs} | {_now_runs(scored)} | {before.intervals} | "
                     f"{_now_intervals(scored)} |")
    every = _distinct(sets)
    sources: dict[str, list[Verdict]] = {}
    for v in every:
        sources.setdefault(source_of(v.file), []).append(v)
    lines += ["", "Per source, all sets together, each file once (acceptable): "
              + ", ".join(f"{name} {sum(v.fine for v in vs)}/{len(vs)}"
                          for name, vs in sorted(sources.items(), key=lambda i: i[0].lower()))
              + "."]
    misses = [v for v in every if not v.fine]
    lines.append("\nMisses, all sets together: "
                 + ("; ".join(f"{v.file}, {v.wanted} -> {v.got}" for v in misses) or "none")
                 + ".")
    absent = [(s.name, len(s.absent)) for s in sets if s.absent]
    if absent:
        lines.append("\nNot scored, absent from the folders given: "
                     + ", ".join(f"{n} files of {name}" for name, n in absent) + ".")
    return lines


def _distinct(sets: list[Scored]) -> list[Verdict]:
    seen: dict[str, Verdict] = {}
    for scored in sets:
        for v in scored.verdicts:
            seen.setdefault(v.file, v)
    return list(seen.values())


def _absent_note(scored: Scored) -> str:
    return f" ({len(scored.absent)} files absent)" if scored.absent else ""


def _now_acceptable(scored: Scored) -> str:
    vs = scored.verdicts
    if scored.missing_labels is not None or not vs:
        return "absent" + (f" ({len(scored.absent)} files)" if scored.absent else "")
    fine = sum(v.fine for v in vs)
    return (f"{fine}/{len(vs)} ({pct(fine, len(vs))}), {sum(v.exact for v in vs)} exact"
            + _absent_note(scored))


def _now_runs(scored: Scored) -> str:
    runs = [v for v in scored.verdicts if is_run(v.sport)]
    if not runs:
        return "-" if scored.verdicts else "absent"
    fine = sum(v.fine for v in runs)
    return f"{fine}/{len(runs)} ({pct(fine, len(runs))})"


def _now_intervals(scored: Scored) -> str:
    sessions = [v for v in scored.verdicts if v.wanted == "intervals"]
    if not sessions:
        return "-" if scored.verdicts else "absent"
    return f"{sum(v.got == 'intervals' for v in sessions)} of {len(sessions)}"


if __name__ == "__main__":
    print(report_all(measure_all()))
