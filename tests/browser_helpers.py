"""What the browser tests share: Debian's Chromium for Playwright, and a served command's printed URL."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from cli_helpers import cli_command, cli_env


def chromium_path() -> str:
    """Debian's Chromium; a CI run without it fails (make setup installs it), elsewhere the test is skipped."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; `make setup` installs it (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium, or `make setup`)")
    return found


@contextmanager
def serving(args: Sequence[str], cwd: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`mmgym ARGS` started in `cwd`, and the URL its first line printed; stopped with Ctrl-C at the end."""
    process = subprocess.Popen(
        cli_command(list(args)), cwd=cwd, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"http://\S+", line)
        assert found, line + process.stderr.read()  # type: ignore[union-attr]
        yield process, found.group(0)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=20)
