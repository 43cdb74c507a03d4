"""`mmgym doctor RUN_DIR [--quarantine]`: check a run directory, and move aside the lines that stop it resuming.

A run, a report and a comparison all refuse a run directory whose `episodes.jsonl` holds a line
that is not an episode record (a disk filled up, a hand edit, two files concatenated), naming the
line. The doctor lists every such line, episodes recorded twice (an error record followed by a
later record of the same episode is a retry, not a duplicate), and whether `config.yaml` and
`results.json` are there, readable and in step with the episodes. With `--quarantine` it appends
the bad lines to `episodes.quarantine.jsonl`, byte for byte, and atomically rewrites
`episodes.jsonl` without them; the rerun of the run's command then plays those episodes again.

Exit status: 0 when nothing stops the run (notes may remain), 1 when a problem does, 2 on bad input.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mmgym.errors import MmgymError
from mmgym.results.layout import QUARANTINE_FILE

if TYPE_CHECKING:
    from mmgym.results.run_dir import RunDir


def add_parser(sub: argparse._SubParsersAction) -> None:
    doctor = sub.add_parser("doctor", help="check a run directory; --quarantine moves unreadable lines aside")
    doctor.add_argument("run_dir", type=Path, help="a run directory (holds episodes.jsonl)")
    doctor.add_argument(
        "--quarantine",
        action="store_true",
        help=f"move unreadable, torn and duplicate lines of episodes.jsonl to {QUARANTINE_FILE} so the run can resume",
    )


@dataclass
class EpisodeCheck:
    """What `episodes.jsonl` holds, line by line (numbers from 1)."""

    lines: int = 0  # non-blank lines
    finished: int = 0  # episodes whose latest record is done
    failed: int = 0  # episodes whose latest record is an error (a rerun retries them)
    retries: int = 0  # error records superseded by a later record of the same episode
    bad: dict[int, str] = field(default_factory=dict)  # line -> why it is not a record
    torn: int | None = None  # a last line without its newline (a rerun cuts it; --quarantine keeps a copy)
    duplicates: dict[int, str] = field(default_factory=dict)  # line -> which episode, finished on which line
    missing_videos: int = 0

    @property
    def quarantined(self) -> list[int]:
        return sorted({*self.bad, *self.duplicates, *([self.torn] if self.torn else [])})


def run(args: argparse.Namespace) -> int:
    from mmgym.results.layout import EPISODES_FILE
    from mmgym.results.run_dir import RunDir

    run_dir = RunDir.open(args.run_dir)
    episodes = run_dir.episodes_path
    data = episodes.read_bytes()
    check = check_episodes(episodes, data)
    bad_lines = {**check.bad, **check.duplicates}
    problems, notes = [f"line {n}: {bad_lines[n]}" for n in sorted(bad_lines)], []
    if check.torn:
        notes.append(f"line {check.torn}: a torn last line (no newline): a rerun cuts it, --quarantine keeps a copy")
    if check.missing_videos:
        notes.append(f"{check.missing_videos} records name a video that is not in {run_dir.videos_dir}")
    for is_problem, line in (check_config(run_dir), check_results(run_dir, check)):
        if line:
            (problems if is_problem else notes).append(line)

    print(f"run directory: {run_dir.path}")
    print(f"{EPISODES_FILE}: {summary(check)}")
    for line in problems:
        print(f"  problem: {line}")
    for line in notes:
        print(f"  note: {line}")
    moved = check.quarantined
    if moved and args.quarantine:
        quarantine(episodes, data, moved)
        print(f"moved {len(moved)} lines to {run_dir.quarantine_path}; rerun the run's command to play those "
              "episodes again and refresh results.json")  # fmt: skip
        problems = problems[len(bad_lines) :]
    elif bad_lines:
        print(f"{len(bad_lines)} bad lines; `mmgym doctor {run_dir.path} --quarantine` moves them to {QUARANTINE_FILE}")
    if not problems:
        print("no problems: the run can resume")
    return 1 if problems else 0


def check_episodes(path: Path, data: bytes) -> EpisodeCheck:
    """Parse every line of the episodes file at `path` (its bytes: `data`) as the store does, and follow each
    episode id's records in order."""
    from mmgym.results.run_dir import RunDir
    from mmgym.results.store import CorruptRecord, parse_line

    run_dir = RunDir(path.parent)
    check = EpisodeCheck()
    finished_on: dict[str, int] = {}
    latest: dict[str, str] = {}
    lines = split_lines(data)
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        check.lines += 1
        if not line.endswith(b"\n"):
            check.torn = number
            continue
        try:
            record = parse_line(path, number, line)
        except CorruptRecord as exc:
            check.bad[number] = f"not an episode record: {exc.reason}"
            continue
        if record.id in finished_on:
            check.duplicates[number] = f"episode {record.id} already finished on line {finished_on[record.id]}"
            continue
        if latest.get(record.id) == "error":
            check.retries += 1
        latest[record.id] = record.status
        if record.status == "done":
            finished_on[record.id] = number
        for video in (record.video, record.render_video):
            source = run_dir.video_path(video)
            if source is not None and not source.exists():
                check.missing_videos += 1
    check.finished = sum(status == "done" for status in latest.values())
    check.failed = len(latest) - check.finished
    return check


def summary(check: EpisodeCheck) -> str:
    parts = [f"{check.lines} lines", f"{check.finished} episodes finished"]
    if check.failed:
        parts.append(f"{check.failed} ended in an error (a rerun retries them)")
    if check.retries:
        parts.append(f"{check.retries} error records superseded by a retry")
    parts.append(f"{len(check.bad)} unreadable" if check.bad else "every whole line readable")
    if check.duplicates:
        parts.append(f"{len(check.duplicates)} duplicate")
    return ", ".join(parts)


def check_config(run_dir: RunDir) -> tuple[bool, str | None]:
    """(is it a problem, the line to show) for `config.yaml`; None when it is fine. Stricter than a reader
    (`RunDir.config`): an empty file pins nothing either."""
    import yaml

    from mmgym.results.layout import CONFIG_FILE

    path = run_dir.config_path
    if not path.exists():
        return False, f"no {CONFIG_FILE}: a rerun writes it (until then nothing pins the run's agent and suite)"
    try:
        config = yaml.safe_load(path.read_text())
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = " ".join(str(exc).split())
        return True, f"{CONFIG_FILE} is not readable YAML ({reason}); restore it from .hydra/config.yaml or delete it"
    if not isinstance(config, dict):
        return True, f"{CONFIG_FILE} is not a mapping of settings; restore it from .hydra/config.yaml or delete it"
    return False, None


def check_results(run_dir: RunDir, check: EpisodeCheck) -> tuple[bool, str | None]:
    """(is it a problem, the line to show) for `results.json`: present, readable, counting what episodes.jsonl holds."""
    from mmgym.results.layout import EPISODES_FILE, RESULTS_FILE
    from mmgym.results.run_dir import UnreadableFile

    if not run_dir.has_results():
        return False, f"no {RESULTS_FILE}: the run has not finished; rerun its command to finish it"
    try:
        results = run_dir.results()
    except UnreadableFile as exc:
        return True, f"{RESULTS_FILE} is {exc.problem}; {exc.hint}"
    held = check.finished + check.failed
    if (results.episodes, results.errors) != (held, check.failed):
        counts = f"{results.episodes} episodes ({results.errors} errors), {EPISODES_FILE} holds {held} ({check.failed})"
        return False, f"{RESULTS_FILE} is out of date: it counts {counts}; rerun the run's command to refresh it"
    return False, None


def split_lines(data: bytes) -> list[bytes]:
    """The file's lines, each with its newline (a torn last line without)."""
    parts = data.split(b"\n")
    lines = [part + b"\n" for part in parts[:-1]]
    return [*lines, parts[-1]] if parts[-1] else lines


def quarantine(episodes: Path, data: bytes, numbers: list[int]) -> None:
    """Append lines `numbers` to the quarantine file, then replace `episodes` by the rest in one rename.

    Refuses if the file grew meanwhile: a run still writing to it would lose its new lines.
    """
    lines = split_lines(data)
    moved = set(numbers)
    target = episodes.with_name(QUARANTINE_FILE)
    with target.open("ab") as f:
        for number in numbers:
            line = lines[number - 1]
            f.write(line if line.endswith(b"\n") else line + b"\n")
        f.flush()
        os.fsync(f.fileno())
    partial = episodes.with_name(episodes.name + ".doctor.tmp")
    with partial.open("wb") as f:
        f.writelines(line for number, line in enumerate(lines, 1) if number not in moved)
        f.flush()
        os.fsync(f.fileno())
    if episodes.stat().st_size != len(data):
        partial.unlink()
        raise MmgymError(f"{episodes} changed while the doctor read it; stop the run writing to it and try again")
    os.replace(partial, episodes)
