"""Progress of a long command over many items (replays, report episodes), shown whether or not stderr is a terminal.

rich's `track` draws nothing when the output is piped or logged, which is exactly when a long
replay or report runs unattended; so on a terminal this is rich's bar on stderr, and anywhere else
plain lines, also on stderr so that stdout stays the command's result: after the first `quiet_s`
seconds one at each tenth of the work (and at least every `every_s` seconds), and always a last
one with the total and the time it took.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol, TextIO


class Advance(Protocol):
    def __call__(self, count: int = 1) -> None: ...


@contextmanager
def progress(description: str, total: int, stream: TextIO | None = None) -> Iterator[Advance]:
    """A callable that counts finished items; draws a bar on a terminal, else prints a line now and then."""
    stream = stream or sys.stderr
    if stream.isatty():
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(file=stream), transient=False) as bar:
            task = bar.add_task(description, total=total)
            yield lambda count=1: bar.advance(task, count)
        return
    lines = PlainProgress(description, total, stream)
    yield lines.advance
    lines.finish()


class PlainProgress:
    """`description: done / total (elapsed, about N s left)` lines for a stream that is not a terminal."""

    def __init__(
        self,
        description: str,
        total: int,
        stream: TextIO,
        every_s: float = 30.0,
        quiet_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.description, self.total, self.stream = description, total, stream
        self.every_s, self.quiet_s, self.clock = every_s, quiet_s, clock
        self.done, self.start = 0, clock()
        self.step = max(1, total // 10)
        self.last_line, self.shown = self.start, -1

    def advance(self, count: int = 1) -> None:
        before, self.done = self.done, self.done + count
        now = self.clock()
        if now - self.start < self.quiet_s:  # a short job prints its last line only
            return
        if self.done // self.step > before // self.step or now - self.last_line >= self.every_s:
            self._line(now)

    def finish(self) -> None:
        if self.shown != self.done:
            self._line(self.clock())

    def _line(self, now: float) -> None:
        self.last_line, self.shown = now, self.done
        elapsed = now - self.start
        remaining = elapsed / self.done * (self.total - self.done) if 0 < self.done < self.total else None
        left = "" if remaining is None else f", about {remaining:.0f} s left"
        print(f"{self.description}: {self.done} / {self.total} ({elapsed:.0f} s{left})", file=self.stream, flush=True)
