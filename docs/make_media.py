"""Make the README's media with mmgym's own commands: a replay GIF and a screenshot of a report.

    python docs/make_media.py        (or: make media)

Runs the oracle and the random agent on a few Sokoban and Maze levels with images, replays one
random-agent episode to docs/media/replay.gif with `mmgym replay`, writes a report of both runs
with `mmgym report`, and screenshots it in headless Chromium to docs/media/report.png.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

MEDIA = Path(__file__).parent / "media"
SUITE = ["suite.games=[sokoban,maze]", "suite.settings=[multi_step-image_text-history,one_step-image_text]"]
SUITE += ["suite.levels=4", "suite.max_steps=20", "progress=false"]


def mmgym(*args: str, cwd: Path) -> None:
    subprocess.run([sys.executable, "-m", "mmgym.cli.main", *args], cwd=cwd, check=True)


def main() -> None:
    from playwright.sync_api import sync_playwright

    from mmgym.results.store import ResultsStore

    MEDIA.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        for agent in ("oracle", "random"):
            mmgym(
                "run",
                f"agent={agent}",
                *SUITE,
                "suite.levels=4",
                "suite.max_steps=20",
                "progress=false",
                f"output_dir={agent}",
                cwd=root,
            )
        # The first recorded random episode on Sokoban's level 1 (a task is named "<setting>/<game>/<level>").
        episode = next(
            r for r in ResultsStore(root / "random").records() if r.spec.task.endswith("/sokoban/001") and r.video
        )
        mmgym("replay", "random", episode.id, "-o", str(MEDIA / "replay.gif"), "--fps", "1.5", cwd=root)
        mmgym("report", "oracle", "random", "-o", "report", cwd=root)
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=shutil.which("chromium"))
            page = browser.new_page(viewport={"width": 1200, "height": 1400})
            page.goto((root / "report" / "index.html").as_uri())
            page.select_option("#f-run", "1")
            page.select_option("#f-game", "sokoban")
            page.locator("#episode-rows tr").first.click()
            page.wait_for_function("document.getElementById('ep-video').readyState >= 2")
            page.locator("#ep-timeline li").nth(2).click()
            page.wait_for_function("(v => !v.seeking && v.readyState >= 2)(document.getElementById('ep-video'))")
            page.wait_for_timeout(1500)  # let the player hide its spinner
            page.screenshot(path=str(MEDIA / "report.png"), full_page=True)
            browser.close()
    print(f"wrote {MEDIA / 'replay.gif'} and {MEDIA / 'report.png'}")


if __name__ == "__main__":
    main()
