"""The screenshots of `mmgym play`'s page in docs/guide/play.md, made with the command itself.

    .venv/bin/python benchmarks/play_screenshots.py

Starts `mmgym play` for a grid game (ING-VP's Sokoban, multi-step, image and text), a 3D navigation
task (EB-Navigation) and a PCA item, plays a move or two on each page in Debian's Chromium
(Playwright) so the feedback and history show, and saves each page to docs/guide/play/ as a PNG
1000 px wide, reduced to a palette when that keeps it under `MAX_BYTES`. The runs go to a temporary
folder.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OUT = Path(__file__).parents[1] / "docs" / "guide" / "play"
WIDTH = 1000
MAX_BYTES = 300_000


@dataclass(frozen=True)
class Shot:
    """One page to show: the suite's options, the keys or buttons to play first, and the PNG's name."""

    file: str
    options: tuple[str, ...]
    moves: tuple[str, ...]  # keys pressed, one step each
    height: int  # the visible part of the page, in px


SHOTS = (
    Shot(
        "grid.png",
        ("suite=ingvp", "suite.games=[sokoban]", "suite.levels=1", "suite.settings=[multi_step-image_text-history]"),
        ("ArrowDown", "ArrowDown"),  # a step, then a box pushed
        1000,
    ),
    Shot("navigation.png", ("suite=eb_nav", "suite.episodes=1"), ("ArrowRight", "ArrowRight"), 1000),  # the kit in view
    Shot("pca.png", ("suite=pca", "suite.items=1", "suite.judge_check=0"), (), 1000),
)


@contextmanager
def playing(options: tuple[str, ...], cwd: Path) -> Iterator[str]:
    """`mmgym play OPTIONS --player docs` in `cwd`, yielding the page's URL; stopped with Ctrl-C after."""
    command = [sys.executable, "-m", "mmgym.cli.main", "play", *options, "--player", "docs"]
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"http://\S+", line)
        if found is None:
            raise RuntimeError(f"mmgym play printed no URL: {line!r}")
        yield found.group(0)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def play_and_shoot(browser: Any, shot: Shot, cwd: Path) -> Path:
    """Open the page, play the shot's moves (waiting for each step), and save the screenshot."""
    with playing(shot.options, cwd) as url:
        page = browser.new_page(viewport={"width": WIDTH, "height": shot.height})
        page.goto(url)
        page.locator("#controls button").first.wait_for(timeout=120_000)
        for step, key in enumerate(shot.moves, start=1):
            page.keyboard.press(key)
            page.locator("#history li").nth(step - 1).wait_for(state="attached", timeout=60_000)
        if shot.moves:
            page.locator("#history-box summary").click()  # the history, opened
        page.wait_for_timeout(500)
        path = OUT / shot.file
        page.screenshot(path=str(path))
        page.close()
    return shrink(path)


def shrink(path: Path) -> Path:
    """Reduce the PNG to a 256-colour palette when it is over `MAX_BYTES` (the pages are mostly flat colour)."""
    if path.stat().st_size <= MAX_BYTES:
        return path
    from PIL import Image

    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    reduced.save(path, optimize=True)
    return path


def main() -> None:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Chromium is not installed (apt-get install chromium, or make setup)")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium)
        for shot in SHOTS:
            path = play_and_shoot(browser, shot, Path(work))
            print(f"wrote {path} ({path.stat().st_size // 1000} KB)")
        browser.close()


if __name__ == "__main__":
    main()
