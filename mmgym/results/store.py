"""The run's results store: `episodes.jsonl`, appended one whole line per finished episode.

Each record is written with a single `write` on an O_APPEND descriptor, so a killed process
(SIGKILL included) can at worst leave a torn last line; opening the store cuts such a tail, so
resuming never sees a half record and never runs a finished episode twice. A write is in the
kernel once `write` returns, which is all a killed process needs; against a machine crash the
file is also fsync'd, at most once per `sync_interval_s` so that short episodes do not wait on
the disk.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from mmgym.core.records import EpisodeRecord
from mmgym.errors import MmgymError
from mmgym.results.layout import EPISODES_FILE, RESULTS_FILE
from mmgym.results.summary import RunResults


class ResultsStore:
    """The run's episodes: one line per attempt, and per episode id the latest attempt counts.

    An episode that ended in an error is not final: it is not `in` the store, so a rerun plays it
    again, and the retry's record, appended after it, supersedes it. The error line stays in the
    file (what it spent still counts against a budget).
    """

    def __init__(self, run_dir: str | Path, sync_interval_s: float = 1.0) -> None:
        self.run_dir = Path(run_dir)
        self.sync_interval_s = sync_interval_s
        self._last_sync = 0.0
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.run_dir / EPISODES_FILE
        self._cut_torn_tail()
        self._lines = 0
        self._latest: dict[str, int] = {}  # episode id -> line number of its latest record
        self._finished: set[str] = set()  # ids whose latest record is done (not an error)
        for record in self.attempts():
            self._note(record)

    def _cut_torn_tail(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end != len(data):
            with self.path.open("r+b") as f:
                f.truncate(end)

    def _note(self, record: EpisodeRecord) -> None:
        self._latest[record.id] = self._lines
        self._lines += 1
        if record.status == "done":
            self._finished.add(record.id)
        else:
            self._finished.discard(record.id)

    def attempts(self) -> Iterator[EpisodeRecord]:
        """Every stored record, retried errors included, in the order they finished."""
        if not self.path.exists():
            return
        with self.path.open("rb") as f:
            for number, line in enumerate(f, 1):
                if line.strip():
                    yield parse_line(self.path, number, line)

    def records(self) -> Iterator[EpisodeRecord]:
        """The run's episodes: each id's latest record, in the order they finished."""
        for number, record in enumerate(self.attempts()):
            if self._latest.get(record.id) == number:
                yield record

    def __contains__(self, episode_id: str) -> bool:
        """Whether the episode is finished: an error record does not count, so a rerun retries it."""
        return episode_id in self._finished

    def __len__(self) -> int:
        return len(self._finished)

    def append(self, record: EpisodeRecord) -> None:
        """Append one record (fsync'd at most once per interval); an episode already finished is ignored."""
        if record.id in self._finished:
            return
        line = (record.model_dump_json() + "\n").encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view) :]
            if time.monotonic() - self._last_sync >= self.sync_interval_s:
                os.fsync(fd)
                self._last_sync = time.monotonic()
        finally:
            os.close(fd)
        self._note(record)

    def sync(self) -> None:
        """Flush everything appended so far to the disk (called when a run ends)."""
        if self.path.exists():
            fd = os.open(self.path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            self._last_sync = time.monotonic()

    def write_results(self, results: RunResults) -> Path:
        """Write the run's aggregates to `results.json` (atomically, as `write_json`)."""
        return self.write_json(RESULTS_FILE, results.model_dump(mode="json"))

    def write_json(self, name: str, payload: object) -> Path:
        """Write a JSON file into the run directory atomically (temp file, then rename)."""
        path = self.run_dir / name
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(payload, indent=2, default=str) + "\n")
        os.replace(tmp, path)
        return path


def read_records(run_dir: Path) -> Iterator[EpisodeRecord]:
    """A run directory's finished episodes, read without opening a store: nothing is created or trimmed, and a
    torn last line (no newline: the store cuts it on opening) is skipped (a dry run looks, it does not repair).
    A whole line that is not a record raises `CorruptRecord`, as the store does."""
    path = run_dir / EPISODES_FILE
    if not path.exists():
        return
    with path.open("rb") as f:
        for number, line in enumerate(f, 1):
            if not line.endswith(b"\n"):
                return
            if line.strip():
                yield parse_line(path, number, line)


class CorruptRecord(MmgymError):
    """A whole line of `episodes.jsonl` that is not an episode record (a torn last line is not one: it is cut)."""

    def __init__(self, path: Path, number: int, reason: str) -> None:
        self.path, self.number, self.reason = path, number, reason
        super().__init__(
            f"{path} line {number} is not an episode record: {reason}; "
            f"move it aside with `mmgym doctor {path.parent} --quarantine`, then rerun"
        )


def parse_line(path: Path, number: int, line: bytes) -> EpisodeRecord:
    """Line `number` (from 1) of an episodes file as a record, or a `CorruptRecord` naming the file and the line.

    Every reader goes through here, so a run, a report and a comparison refuse a damaged file alike,
    with one line, until the line is repaired or moved aside (`mmgym doctor --quarantine`).
    """
    try:
        return EpisodeRecord.model_validate_json(line.rstrip(b"\r\n"))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        reason = " ".join((f"{where}: {first['msg']}" if where else first["msg"]).split())
        more = exc.error_count() - 1
        raise CorruptRecord(path, number, reason + (f" (and {more} more problems)" if more else "")) from None
