"""The run directory's layout: every name `mmgym run` writes into a run directory, and the commands after it read.

    episodes.jsonl              one line per finished episode (`store.ResultsStore` appends, `run_dir.RunDir` reads)
    results.json                the run's aggregates (`summary.RunResults`), written when the run ends
    config.yaml, .hydra/        the run's resolved config and Hydra's copies (`run_config`)
    videos/<episode>.mp4        each episode's frames (`videos`); `<episode>.render.mp4` for an env's full render
    replays/<episode>.mp4       `mmgym replay`'s output
    episodes.quarantine.jsonl   lines `mmgym doctor --quarantine` moved aside

Only `mmgym.results` names these files; runners write through its store and video writer, views and
commands read through `RunDir`.
"""

from __future__ import annotations

EPISODES_FILE = "episodes.jsonl"
RESULTS_FILE = "results.json"
CONFIG_FILE = "config.yaml"
HYDRA_DIR = ".hydra"
VIDEO_DIR = "videos"
REPLAY_DIR = "replays"
QUARANTINE_FILE = "episodes.quarantine.jsonl"


def file_stem(episode_id: str) -> str:
    """A file name stem for an episode id (ids hold '/' and other characters paths should not)."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in episode_id)
