"""`stridewise analyze` on real files: one line per file, clear errors, the run goes on."""

from __future__ import annotations

import io
import json
from pathlib import Path

from worker.analyze import run_analyze
from worker.cli import main


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
    assert run_analyze([path], as_json=True, history_dir=None, units="imperial", out=out,
                       err=io.StringIO()) == 0
    line = json.loads(out.getvalue())
    assert "/mi" in line["evidence"] and "/km" not in line["feedback"]
