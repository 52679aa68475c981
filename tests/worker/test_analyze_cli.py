"""`stridewise analyze` on real files: one line per file, clear errors, the run goes on."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from analysis.description import find_block
from analysis.parsers import parse_activity
from analysis.voice import Voice
from tests.strava_bundles import strava_bundle
from tests.support import recordings
from tests.support.fit import FIT_START, fit_file
from worker.analyze import run_analyze
from worker.cli import main


@pytest.fixture(autouse=True)
def read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command reads each file once per run: the same year of runs is the history of
    several tests here and in tests/analysis."""
    recordings.read_once(monkeypatch)


def analyze(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    files = [a for a in args if not a.startswith("--")]
    code = run_analyze(files, as_json="--json" in args, history_dir=None, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_json_lines_carry_the_contract_fields(test_data: Path) -> None:
    files = [str(test_data / "runs" / "gc-intervals-4x6min.fit"),
             str(test_data / "runs" / "gc-ride-edge1000.fit")]
    code, out, _ = analyze(*files, "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [line["file"] for line in lines] == files
    assert lines[0]["sport"] == "Run" and lines[0]["workout"] == "intervals"
    assert lines[1]["workout"] == "cross_training"
    assert all(line["evidence"] for line in lines)


def test_bad_files_get_one_clear_line_each_and_the_run_goes_on(
    test_data: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.gpx"
    empty.write_bytes(b"")
    files = [str(test_data / "bad" / "truncated.fit"), str(empty),
             str(tmp_path / "missing.fit"), str(test_data / "runs" / "gc-fr920-run.fit")]
    code, out, err = analyze(*files, "--json")
    assert code == 1
    errors = err.strip().splitlines()
    assert len(errors) == 3
    for name, line in zip(("truncated.fit", "empty.gpx", "missing.fit"), errors, strict=True):
        assert name in line and "Traceback" not in line
    assert json.loads(out)["workout"] == "easy"


@pytest.mark.parametrize("name", sorted(p.name for p in
                                     (Path(__file__).parents[1] / "data" / "bad").iterdir()))
def test_every_bad_file_gets_a_block_or_one_clear_line(test_data: Path, name: str) -> None:
    """What a parser reads of a damaged file goes through the whole block (two of them hold
    14 s of samples, shorter than the smoothing window the block's claims use); what it cannot
    read is one line naming the file."""
    code, out, err = analyze(str(test_data / "bad" / name))
    assert "Traceback" not in out + err
    if code == 0:
        assert out.count("-- Stridewise --") == 1 and "-- end of Stridewise --" in out
        assert not err
    else:
        assert code == 1 and not out
        [line] = err.strip().splitlines()
        assert name in line


def test_history_judges_the_latest_run_against_the_athlete_past(
    test_data: Path, capsys: object
) -> None:
    history = test_data / "history" / "runpandas-athlete"
    latest = sorted(history.iterdir())[-1]
    code = main(["analyze", str(latest), "--history", str(history)])
    captured = capsys.readouterr()  # type: ignore[attr-defined]
    assert code == 0
    assert "-- Stridewise --" in captured.out
    assert "Mix, 28 d" in captured.out and "Consistency" in captured.out


def test_imperial_feedback_speaks_miles_from_the_evidence_on(test_data: Path) -> None:
    out = io.StringIO()
    path = str(test_data / "runs" / "gc-intervals-4x6min.fit")
    assert run_analyze([path], as_json=True, history_dir=None, voice=Voice(units="imperial"),
                       out=out, err=io.StringIO()) == 0
    line = json.loads(out.getvalue())
    assert "/mi" in line["evidence"] and "/km" not in line["feedback"]


def test_a_triathlon_gets_a_whole_file_line_then_one_line_per_leg(test_data: Path) -> None:
    path = str(test_data / "sessions" / "muktihari-triathlon_summary_last.fit")
    code, out, _ = analyze(path, "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [(line["session"], line["sport"]) for line in lines] == [
        ("all", "Multisport"), (1, "Swim"), (2, "Ride"), (3, "Run")]
    assert all(line["file"] == path and line["sessions"] == 3 for line in lines)
    assert lines[0]["workout"] == "cross_training"
    assert all(line["workout"] and line["evidence"] for line in lines)
    _, text, _ = analyze(path)
    assert f"{path} [whole file, 3 sessions]: Multisport" in text
    assert f"{path} [session 3 of 3]: Run" in text


def test_two_runs_in_one_file_get_a_line_each_and_no_whole_file_line(test_data: Path) -> None:
    path = str(test_data / "sessions" / "sportstracker-Edge705-Running-Heartrate-2Laps.tcx.gz")
    _, out, _ = analyze(path, "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(line["session"], line["sessions"]) for line in lines] == [(1, 2), (2, 2)]
    assert lines[0]["distance_m"] == pytest.approx(10618, abs=5)


def test_one_session_recorded_twice_counts_once_in_the_history(
    test_data: Path, tmp_path: Path
) -> None:
    run = test_data / "runs" / "gc-fr920-run.fit"
    history = tmp_path / "history"
    history.mkdir()
    (history / run.name).write_bytes(run.read_bytes())
    copy = strava_bundle(parse_activity(run.read_bytes(), run.name))
    (history / "gc-fr920-run.json").write_text(json.dumps(copy))
    other = test_data / "runs" / "gc-hrv-run.fit"
    (history / other.name).write_bytes(other.read_bytes())
    out, err = io.StringIO(), io.StringIO()
    assert run_analyze([str(run)], as_json=True, history_dir=str(history), out=out,
                       err=err) == 0
    assert "history: 2 activities" in err.getvalue()


def test_a_copy_of_the_judged_session_in_the_history_is_not_its_past(
    test_data: Path, tmp_path: Path
) -> None:
    run = test_data / "runs" / "gc-fr920-run.fit"
    activity = parse_activity(run.read_bytes(), run.name)
    # The other device (or export) started its clock a few seconds earlier.
    copy = strava_bundle(replace(activity, start=activity.start - timedelta(seconds=3)))
    (tmp_path / "copy.json").write_text(json.dumps(copy))
    alone, with_copy = io.StringIO(), io.StringIO()
    run_analyze([str(run)], as_json=True, history_dir=None, out=alone, err=io.StringIO())
    run_analyze([str(run)], as_json=True, history_dir=str(tmp_path), out=with_copy,
                err=io.StringIO())
    assert json.loads(with_copy.getvalue())["feedback"] == json.loads(alone.getvalue())["feedback"]


def test_a_ride_then_strength_in_one_fit_are_two_outings_each_judged(tmp_path: Path) -> None:
    def leg(sport: int, sub_sport: int, after_s: float) -> tuple[str, dict[str, float]]:
        return ("session", {"start_time": FIT_START + after_s, "sport": sport,
                            "sub_sport": sub_sport, "total_elapsed_time": 1800,
                            "total_timer_time": 1800, "total_distance": 0, "avg_heart_rate": 120})
    path = tmp_path / "warm-up-and-gym.fit"
    path.write_bytes(fit_file([("file_id", {"type": 4}), leg(2, 0, 0), leg(10, 20, 1900)]))
    _, out, _ = analyze(str(path), "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(line["session"], line["sport"], line["workout"]) for line in lines] == [
        (1, "Ride", "cross_training"), (2, "WeightTraining", "strength")]


#: The README example's run: an easy run of the runpandas athlete, 23 June 2021.
README_RUN = "e960762f-c841-4dc2-8498-e1dba8fc9a97.gpx.gz"


@pytest.mark.parametrize(("heading", "arguments"), [
    ("after\nthe athlete's own text", ["--history", "{history}"]),
    ("athlete who reads German", ["--history", "{history}", "--language", "de"]),
    ("The same run on its own", []),
])
def test_the_readme_blocks_are_what_the_command_prints(
    test_data: Path, capsys: pytest.CaptureFixture[str], heading: str, arguments: list[str]
) -> None:
    history = test_data / "history" / "runpandas-athlete"
    code = main(["analyze", str(history / README_RUN),
                 *(a.format(history=history) for a in arguments)])
    printed = capsys.readouterr().out
    found = find_block(printed)
    assert code == 0 and found is not None
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    shown = readme.split(heading, 1)[1].split("```\n", 2)[1]
    assert printed[found[0]:found[1]] + "\n" in shown
    assert ("--language" not in arguments) == ("Easy: 4.1 km at " in shown)


def test_an_unknown_language_is_refused_with_the_supported_ones(
    test_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as refused:
        main(["analyze", str(test_data / "runs" / "gc-fr920-run.fit"), "--language", "tlh"])
    assert refused.value.code == 2
    err = capsys.readouterr().err
    assert "--language: invalid choice: 'tlh'" in err
    assert all(code in err.split("choose from", 1)[1] for code in ("de", "en", "es", "fr"))
