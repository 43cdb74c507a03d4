"""The report's folder, written whole each time: no file of an earlier report survives into a new one.

`mmgym report` writes into `report/` by default; writing over the folder left the previous report's
files behind (the videos and episode scripts of runs no longer in it). The report is now built in
a temporary folder beside the target and swapped in when complete, so a failed or interrupted
report also leaves the previous one whole. Only a folder an earlier report wrote (it holds the
marker file), or an empty one, is ever replaced: `-o` naming any other folder is refused.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mmgym.errors import MmgymError

MARKER = ".mmgym-report"
# What reports wrote before the marker existed: only these names, and the page's index script.
LEGACY_NAMES = frozenset({"index.html", "data", "videos"})
LEGACY_INDEX = "window.MMGYM_INDEX = "


def is_report(folder: Path) -> bool:
    """Whether `folder` is a report `mmgym report` wrote (with the marker, or in the layout reports had before it)."""
    if (folder / MARKER).is_file():
        return True
    names = {path.name for path in folder.iterdir()}
    index = folder / "data" / "index.js"
    return names <= LEGACY_NAMES and index.is_file() and index.read_text()[: len(LEGACY_INDEX)] == LEGACY_INDEX


def check_replaceable(output: Path) -> None:
    """Raise `MmgymError` (one line) unless `output` is absent, empty, or an earlier report."""
    here = Path.cwd()
    if output.resolve() in (here, *here.parents):
        raise MmgymError(f"-o {output} is the working folder or holds it; name a folder for the report")
    if output.is_dir() and any(output.iterdir()) and not is_report(output):
        raise MmgymError(
            f"-o {output} is a folder with other files in it, not an earlier report (no {MARKER}); "
            "choose a new or empty folder, as a report replaces its whole folder"
        )


@contextmanager
def fresh_folder(output: Path) -> Iterator[Path]:
    """An empty folder beside `output` to write the report into; it replaces `output` when the block succeeds.

    The caller has checked `check_replaceable(output)` first, before any work the refusal would waste."""
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = output.with_name(f".{output.name}.partial-{secrets.token_hex(4)}")
    staging.mkdir()
    try:
        yield staging
        (staging / MARKER).write_text("written by `mmgym report`; the next report into this folder replaces it\n")
        if output.exists():
            old = output.with_name(f".{output.name}.old-{secrets.token_hex(4)}")
            os.rename(output, old)
            os.rename(staging, output)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(staging, output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
