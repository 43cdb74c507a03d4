"""EmbodiedEval's task files for `mmgym data get embodied_eval`, from the Hugging Face hub.

EmbodiedEval publishes its data as the hub dataset `EmbodiedEval/EmbodiedEval`; its `download.py`
fetches the whole repository (about 20 GB with the scenes and the simulator builds) into `data/`,
and its evaluation reads `data/tasks/tasks.json` and `data/tasks/<category>/<task>.json`. mmgym
fetches the task files only (`tasks/*`): the scenes need LEGENT, which mmgym does not drive. The
revision is the dataset's `main` branch, as the authors' `download.py` takes it; the commit it
named is written to the download folder's REVISION file.
"""

from __future__ import annotations

from pathlib import Path

from mmgym.tasks.downloads import HubRelease

REPO_ID = "EmbodiedEval/EmbodiedEval"
REVISION = "main"
TASKS = "tasks"


def _check(folder: Path) -> str:
    from mmgym.tasks.embodied_eval.released import load_tasks

    loaded = load_tasks(folder)
    categories = sorted({task.category for task in loaded.tasks})
    skipped = f"; {len(loaded.skipped)} skipped (first: {loaded.skipped[0].reason})" if loaded.skipped else ""
    return f"{len(loaded.tasks)} tasks in {len(categories)} categories ({', '.join(categories)}){skipped}"


def releases() -> tuple[HubRelease, ...]:
    return (
        HubRelease("embodied_eval", "EmbodiedEval's 328 task files (definitions; the scenes need LEGENT)", REPO_ID,
                   REVISION, (f"{TASKS}/*",), TASKS, "suite=embodied_eval suite.data_dir={data_dir}", _check),
    )  # fmt: skip
