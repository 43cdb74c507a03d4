"""A run directory opened for reading: its episodes, results, config and videos, for every command after a run.

`mmgym replay`, `report`, `compare`, `doctor` and `run --dry-run` read run directories through
`RunDir`; nothing here creates, trims or repairs a file (a run appends through `store.ResultsStore`,
and only `mmgym doctor --quarantine` rewrites `episodes.jsonl`). A folder that is not a run
directory, a `results.json` or `config.yaml` that cannot be read, and a line of `episodes.jsonl`
that is not a record (`store.CorruptRecord`) are each one line naming the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mmgym.core.records import EpisodeRecord, VideoRecord
from mmgym.errors import MmgymError
from mmgym.results.layout import (
    CONFIG_FILE,
    EPISODES_FILE,
    HYDRA_DIR,
    QUARANTINE_FILE,
    REPLAY_DIR,
    RESULTS_FILE,
    VIDEO_DIR,
    file_stem,
)
from mmgym.results.store import read_records
from mmgym.results.summary import RunResults


class NotARunDir(MmgymError):
    """A folder given as a run directory holds no `episodes.jsonl`."""


class RunNotFinished(MmgymError):
    """A run directory without `results.json`: its run has not finished."""


class UnreadableFile(MmgymError):
    """A run directory's `results.json` or `config.yaml` that cannot be read: `problem` says why, `hint` what to do."""

    def __init__(self, path: Path, problem: str, hint: str) -> None:
        self.path, self.problem, self.hint = path, problem, hint
        super().__init__(f"{path} is {problem}; {hint}")


class RunDir:
    """The run directory at `path`, for reading. `RunDir.open` checks that it is one; `RunDir(path)` does not (a dry
    run plans a directory that may not exist yet)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @classmethod
    def open(cls, path: str | Path) -> RunDir:
        """The run directory at `path`; `NotARunDir` (one line) when it holds no `episodes.jsonl`."""
        run_dir = cls(path)
        if not run_dir.is_run_dir():
            raise NotARunDir(
                f"{run_dir.path} is not a run directory (no {EPISODES_FILE}); pass the output_dir of a run"
            )
        return run_dir

    def __repr__(self) -> str:
        return f"RunDir({str(self.path)!r})"

    def is_run_dir(self) -> bool:
        """Whether a run wrote here: the folder holds `episodes.jsonl`."""
        return self.episodes_path.is_file()

    @property
    def episodes_path(self) -> Path:
        return self.path / EPISODES_FILE

    @property
    def results_path(self) -> Path:
        return self.path / RESULTS_FILE

    @property
    def config_path(self) -> Path:
        return self.path / CONFIG_FILE

    @property
    def hydra_dir(self) -> Path:
        return self.path / HYDRA_DIR

    @property
    def videos_dir(self) -> Path:
        return self.path / VIDEO_DIR

    @property
    def replays_dir(self) -> Path:
        return self.path / REPLAY_DIR

    @property
    def quarantine_path(self) -> Path:
        return self.path / QUARANTINE_FILE

    def attempts(self) -> Iterator[EpisodeRecord]:
        """Every record, retried errors included, in the order they finished (a torn last line is skipped)."""
        return read_records(self.path)

    def records(self) -> Iterator[EpisodeRecord]:
        """The run's episodes: each id's latest record (an error record when the episode has not been retried yet),
        in the order they finished, as the store counts them. Read twice, never held whole."""
        latest = {record.id: number for number, record in enumerate(self.attempts())}
        for number, record in enumerate(self.attempts()):
            if latest.get(record.id) == number:  # a line appended since the first reading waits for the next
                yield record

    def has_results(self) -> bool:
        return self.results_path.exists()

    def results(self) -> RunResults:
        """The run's `results.json`: `RunNotFinished` when there is none, `UnreadableFile` when it is not results."""
        from pydantic import ValidationError

        if not self.has_results():
            raise RunNotFinished(f"{self.path} has no {RESULTS_FILE}; rerun its `mmgym run` command to finish the run")
        try:
            return RunResults.model_validate_json(self.results_path.read_bytes())
        except (OSError, ValidationError) as exc:
            reason = " ".join(str(exc).splitlines()[:2])
            raise UnreadableFile(
                self.results_path, f"not readable ({reason})", "rerun the run's command to write it again"
            ) from None

    def config(self) -> dict[str, Any]:
        """The run's resolved config (`config.yaml`); empty when there is none. `UnreadableFile` when it is not
        YAML or not a mapping of settings."""
        import yaml

        if not self.config_path.exists():
            return {}
        hint = f"restore it from {HYDRA_DIR}/{CONFIG_FILE} or delete it"
        try:
            config = yaml.safe_load(self.config_path.read_text())
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise UnreadableFile(self.config_path, f"not readable YAML ({' '.join(str(exc).split())})", hint) from None
        if config is None:
            return {}
        if not isinstance(config, dict):
            raise UnreadableFile(self.config_path, "not a mapping of settings", hint)
        return config

    def video_path(self, video: VideoRecord | None) -> Path | None:
        """Where a record's video (`record.video` or `record.render_video`) lies; None when it has none. The file may
        be missing (a run directory copied without its videos)."""
        return None if video is None else self.path / video.path

    def replay_path(self, episode_id: str, suffix: str = ".mp4") -> Path:
        """Where `mmgym replay` writes an episode's replay by default."""
        return self.replays_dir / (file_stem(episode_id) + suffix)
