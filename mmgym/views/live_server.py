"""`mmgym view`: the report of runs in progress, served live on a local URL.

Each run's `episodes.jsonl` is read incrementally: the server remembers how far it has read and,
on each request, reads only what was appended since, up to the last whole line (a line still being
written waits for its newline). It keeps each attempt's place in the file and a row for the
episode list, never whole records: an opened episode is read again from its place. The page polls
the API four times a second.

The running aggregates are those of `results.json` once the run has written it (after its last
record); until then they are computed from the records read so far, each episode's latest
record, with the same bootstrap intervals but in the order episodes finished (so they may differ
from the final ones in the last digit of an interval).

Safety: bound to 127.0.0.1 by default, and then only requests naming a local host are answered (a
web page elsewhere cannot reach the server through DNS rebinding). Any other address needs a
token, which every request must carry (`?token=`). Nothing from a run reaches the page as markup:
the API answers JSON, and the page's script shows it with `textContent` only. A video is served
only from under its run's `videos/` folder.
"""

from __future__ import annotations

import asyncio
import math
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web

from mmgym.core.records import EpisodeRecord, VideoRecord
from mmgym.errors import MmgymError
from mmgym.results.aggregate import aggregate
from mmgym.results.run_dir import RunDir
from mmgym.results.store import CorruptRecord, parse_line
from mmgym.results.summarize import (
    MOST_COMMON_ERRORS,
    ScoredEpisode,
    errors_by_group,
    one_line,
    record_usage,
    total_usage,
)
from mmgym.results.summary import MetricInfo, RunResults, Summary
from mmgym.runners.budget import Spending
from mmgym.views.report import Run, episode_detail, episode_summary, index_columns
from mmgym.views.table import person_time, played_by_person

ASSETS = "mmgym.views.live_assets"
REPORT_ASSETS = "mmgym.views.report_assets"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
BUDGET_LIMITS = ("max_cost_usd", "max_tokens", "max_model_calls")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
STATIC = {  # what the page loads besides the API: name -> (package, file, content type)
    "live.js": (ASSETS, "live.js", "text/javascript"),
    "episode.js": (REPORT_ASSETS, "episode.js", "text/javascript"),  # the episode panel, shared with the report
    "live.css": (ASSETS, "live.css", "text/css"),
    "report.css": (REPORT_ASSETS, "report.css", "text/css"),
}


@dataclass(frozen=True)
class Place:
    """Where one attempt's line lies in `episodes.jsonl`."""

    offset: int
    length: int


class LiveRun:
    """One run directory, read as it grows: its attempts' places, episode rows, and latest record per episode."""

    def __init__(self, path: Path, index: int) -> None:
        self.path = Path(path)
        self.index = index
        self.run_dir = RunDir(path)
        self._config: dict[str, Any] = {}
        self._clear()

    def _clear(self) -> None:
        """Forget what was read (the file was rewritten, e.g. by `mmgym doctor --quarantine`)."""
        self._offset = 0
        self._file: tuple[int, int] | None = None  # the file's device and inode: a replaced file is read anew
        self.places: list[Place] = []
        self.rows: list[dict[str, Any]] = []
        self.unreadable = 0  # whole lines that are not records
        self._latest: dict[str, ScoredEpisode] = {}
        self._metrics: dict[str, None] = {}  # metric names in the order records first show them
        self._groupings: dict[str, None] = {}
        self._suite = ""
        self._spent = Spending()
        self._first_start: float | None = None
        self._last_end: float | None = None
        self._live: RunResults | None = None
        self._final: tuple[int, RunResults | None] = (-1, None)  # results.json's mtime and contents

    def poll(self) -> None:
        """Read the whole lines appended since the last poll."""
        path = self.run_dir.episodes_path
        try:
            stat = path.stat()
        except FileNotFoundError:
            size, file = 0, None
        else:
            size, file = stat.st_size, (stat.st_dev, stat.st_ino)
        if size < self._offset or (self._offset and file != self._file):
            self._clear()
        self._file = file
        if size == self._offset:
            return
        with path.open("rb") as f:
            f.seek(self._offset)
            data = f.read(size - self._offset)
        complete = data[: data.rfind(b"\n") + 1]
        start = self._offset
        for line in complete.split(b"\n")[:-1]:
            if line.strip():
                self._add(Place(start, len(line) + 1), line)
            start += len(line) + 1
        self._offset += len(complete)

    def _add(self, place: Place, line: bytes) -> None:
        try:
            record = parse_line(self.run_dir.episodes_path, len(self.places) + self.unreadable + 1, line)
        except CorruptRecord:
            self.unreadable += 1
            return
        number = len(self.places)
        self.places.append(place)
        self._metrics.update(dict.fromkeys(record.metrics))
        self._groupings.update(dict.fromkeys(record.groups))
        self._suite = self._suite or record.spec.suite
        self.rows.append(self._row(number, record))
        groups: dict[str, str | None] = dict(record.groups)
        self._latest[record.id] = ScoredEpisode(
            record.status, dict(record.metrics), record_usage(record), groups, one_line(record.error)
        )
        for turn in record.turns:
            self._spent.add(turn)
        if record.started_at > 0:
            end = record.started_at + record.duration_s
            self._first_start = min(self._first_start or record.started_at, record.started_at)
            self._last_end = max(self._last_end or end, end)
        self._live = None

    def _row(self, number: int, record: EpisodeRecord) -> dict[str, Any]:
        """The episode list's row: the static report's index row (`episode_summary`), with names and the id."""
        filters = [name for name in record.groups if name != "overall" and "/" not in name]
        first_metric = next(iter(self._metrics), "")  # the suite's first: scores come in declared order
        values = episode_summary(number, self.index, record, first_metric, filters)
        row = dict(zip(index_columns(filters), values, strict=True))
        groups = {name: row.pop(name) for name in filters}
        return {**row, "groups": groups, "id": record.id, "metric_name": first_metric}

    def config(self) -> dict[str, Any]:
        """The run's config, once the run has written it (a run may still be starting)."""
        if not self._config:
            try:
                self._config = self.run_dir.config()
            except MmgymError:
                self._config = {}
        return self._config

    def label(self) -> str:
        """As the static report labels a run: its agent's name, else its folder's."""
        return str((self.config().get("agent") or {}).get("name") or self.path.name)

    def metric_names(self) -> list[str]:
        final = self.final_results()
        return final.metric_names if final is not None else list(self._metrics)

    def final_results(self) -> RunResults | None:
        """`results.json` when the run wrote it after its last record (a resumed run's is stale until it ends)."""
        try:
            written = self.run_dir.results_path.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        try:
            appended = self.run_dir.episodes_path.stat().st_mtime_ns
        except FileNotFoundError:
            appended = 0
        if written < appended:
            return None
        if self._final[0] != written:
            try:
                self._final = (written, self.run_dir.results())
            except MmgymError:
                self._final = (written, None)
        return self._final[1]

    def results(self) -> tuple[RunResults, bool]:
        """The aggregates now, and whether they are the finished run's own."""
        final = self.final_results()
        if final is not None:
            return final, True
        if self._live is None:
            self._live = self._summarize()
        return self._live, False

    def breakdown(self, results: RunResults | None = None) -> str | None:
        """The first grouping worth a column (not `overall`, not a crossed `a/b`), as the report's leaderboard."""
        names = list(results.groups) if results is not None and results.groups else list(self._groupings)
        return next((name for name in names if name != "overall" and "/" not in name), None)

    def _summarize(self) -> RunResults:
        """The records read so far, summarised as `results.json` would be: overall and by the first grouping."""
        episodes = list(self._latest.values())
        groupings: dict[str, Callable[[ScoredEpisode], str | None]] = {"overall": lambda episode: "all"}
        if (first := self.breakdown()) is not None:
            groupings[first] = _group_of(first)
        failed = [episode for episode in episodes if episode.status == "error"]
        return RunResults(
            suite=self._suite or str((self.config().get("suite") or {}).get("name") or ""),
            metrics=[MetricInfo(name=name) for name in self.metric_names()],
            episodes=len(episodes),
            errors=len(failed),
            usage=total_usage(episodes),
            groups=aggregate([(episode, episode.metrics) for episode in episodes], groupings),
            group_errors=errors_by_group(failed, groupings),
            error_kinds=dict(Counter(episode.error for episode in failed).most_common(MOST_COMMON_ERRORS)),
        )

    def status(self, label: str) -> dict[str, Any]:
        """The run's entry in `/api/runs`."""
        results, finished = self.results()
        breakdown = self.breakdown(results)
        by_group = results.groups.get(breakdown or "", {})
        metrics = results.metric_names
        return {
            "index": self.index,
            "label": label,
            "folder": self.path.name,
            "suite": results.suite,
            "finished": finished,
            "episodes": results.episodes,
            "errors": results.errors,
            "attempts": len(self.places),
            "unreadable_lines": self.unreadable,
            "metrics": metrics,
            "overall": {m: _stat(results.overall().get(m)) for m in metrics},
            "breakdown": breakdown,
            "groups": {group: {m: _stat(stats.get(m)) for m in metrics} for group, stats in by_group.items()},
            "episodes_per_min": self.throughput(),
            "usage": {
                name: results.usage.get(name, 0.0)
                for name in ("model_calls", "prompt_tokens", "completion_tokens", "cost_usd")
            },
            "time": person_time(results.usage) if played_by_person(results.usage) else None,  # a person's run
            "budget": self.budget(),
            "stopped": results.stopped,
            "error_line": results.error_line(),
        }

    def throughput(self) -> float | None:
        """Episodes a minute, from the first start to the last end the records note; None before there is a span."""
        if self._first_start is None or self._last_end is None or self._last_end <= self._first_start:
            return None
        return len(self.places) / ((self._last_end - self._first_start) / 60.0)

    def budget(self) -> dict[str, Any]:
        """What the run's attempts spent as its budget counts it (errors too), and its limits from its config."""
        config = self.config().get("budget") or {}
        limits = {name: config.get(name) for name in BUDGET_LIMITS if config.get(name) is not None}
        spent = {"model_calls": self._spent.model_calls, "tokens": self._spent.tokens, "cost_usd": self._spent.cost_usd}
        return {"spent": spent, "limits": limits}

    def record(self, number: int) -> EpisodeRecord | None:
        """Attempt `number` (from 0), read again from its place; None when there is no such attempt."""
        if not 0 <= number < len(self.places):
            return None
        place = self.places[number]
        with self.run_dir.episodes_path.open("rb") as f:
            f.seek(place.offset)
            line = f.read(place.length)
        try:
            return parse_line(self.run_dir.episodes_path, number + 1, line)
        except CorruptRecord:  # the file was rewritten since it was read; the next poll starts over
            return None

    def video_file(self, relative: str) -> Path | None:
        """A file under the run's `videos/` folder; None for anything else (`..`, links out, absolute paths)."""
        root = self.run_dir.videos_dir.resolve()
        try:
            target = (root / relative).resolve()
        except (OSError, RuntimeError):
            return None
        return target if target.is_relative_to(root) and target.is_file() else None

    def video_src(self, video: VideoRecord | None) -> str | None:
        """The page's URL of a record's video, when its file is there."""
        source = self.run_dir.video_path(video)
        if source is None or not source.is_file():
            return None
        try:
            relative = source.resolve().relative_to(self.run_dir.videos_dir.resolve())
        except ValueError:
            return None
        return f"video/{self.index}/{quote(relative.as_posix())}"


def _group_of(name: str) -> Callable[[ScoredEpisode], str | None]:
    return lambda episode: episode.groups.get(name)


def _stat(stat: Summary | None) -> dict[str, Any] | None:
    """A summary as JSON numbers (NaN, which JSON lacks, as null)."""
    if stat is None:
        return None
    return {key: _number(getattr(stat, key)) for key in ("mean", "low", "high", "n")}


def _number(value: float) -> float | None:
    return value if math.isfinite(value) else None


def unique_labels(runs: list[LiveRun]) -> list[str]:
    """Each run's label, made unique by its folder's name as the static report does."""
    labels = [run.label() for run in runs]
    return [
        f"{label} ({run.path.name})" if labels.count(label) > 1 else label
        for label, run in zip(labels, runs, strict=True)
    ]


def make_app(run_dirs: list[Path], token: str | None = None) -> web.Application:
    """The view's app over `run_dirs`; with `token`, every request must carry `?token=<token>`."""
    runs = [LiveRun(Path(path), index) for index, path in enumerate(run_dirs)]

    @web.middleware
    async def guard(request: web.Request, handler: Callable) -> web.StreamResponse:
        if token is not None:
            if not secrets.compare_digest(request.query.get("token", "").encode(), token.encode()):
                raise web.HTTPForbidden(text="a token is needed: open the URL mmgym view printed")
        elif request.url.host not in LOCAL_HOSTS:
            raise web.HTTPForbidden(text="mmgym view answers local requests only (serve with --host for others)")
        response = await handler(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    def run_of(request: web.Request, key: str = "run") -> LiveRun:
        raw = request.match_info.get(key, request.query.get(key, ""))
        if not raw.isdigit() or int(raw) >= len(runs):
            raise web.HTTPNotFound(text=f"no run {raw!r}")
        run = runs[int(raw)]
        run.poll()
        return run

    async def page(request: web.Request) -> web.Response:
        query = f"?token={token}" if token else ""  # token_urlsafe: letters, digits, - and _
        html = resources.files(ASSETS).joinpath("live.html").read_text().replace("__QUERY__", query)
        return web.Response(text=html, content_type="text/html")

    async def static(request: web.Request) -> web.Response:
        found = STATIC.get(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound()
        package, name, content_type = found
        return web.Response(text=resources.files(package).joinpath(name).read_text(), content_type=content_type)

    async def api_runs(request: web.Request) -> web.Response:
        for run in runs:
            run.poll()
        return web.json_response(
            {"runs": [run.status(label) for run, label in zip(runs, unique_labels(runs), strict=True)]}
        )

    async def api_episodes(request: web.Request) -> web.Response:
        run = run_of(request)
        after = request.query.get("after", "0")
        start = int(after) if after.isdigit() else 0
        return web.json_response({"run": run.index, "rows": run.rows[start:], "next": len(run.rows)})

    async def api_episode(request: web.Request) -> web.Response:
        run = run_of(request)
        number = request.match_info["n"]
        record = run.record(int(number)) if number.isdigit() else None
        if record is None:
            raise web.HTTPNotFound(text=f"no episode {number} in run {run.index}")
        label = unique_labels(runs)[run.index]
        results, _ = run.results()
        view = Run(label, run.path, results, run.config())
        detail = episode_detail(record, view, run.video_src(record.video), run.video_src(record.render_video))
        return web.json_response({**detail, "n": int(number), "run_index": run.index})

    async def no_icon(request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def video(request: web.Request) -> web.FileResponse:
        run = run_of(request)
        target = run.video_file(request.match_info["path"])
        if target is None:
            raise web.HTTPNotFound(text="no such video")
        return web.FileResponse(target)

    app = web.Application(middlewares=[guard])
    app.router.add_get("/", page)
    app.router.add_get("/assets/{name}", static)
    app.router.add_get("/favicon.ico", no_icon)
    app.router.add_get("/api/runs", api_runs)
    app.router.add_get("/api/episodes", api_episodes)
    app.router.add_get("/api/episode/{run}/{n}", api_episode)
    app.router.add_get("/video/{run}/{path:.+}", video)
    return app


def new_token(host: str) -> str | None:
    """A random token when the server listens beyond this machine's loopback, else None."""
    return None if host in LOCAL_HOSTS else secrets.token_urlsafe(24)


def page_url(host: str, port: int, token: str | None) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


async def serve(run_dirs: list[Path], host: str, port: int, on_ready: Callable[[str], None]) -> None:
    """Serve the view until cancelled (Ctrl-C); `on_ready` gets the page's URL once it listens."""
    token = new_token(host)
    runner = web.AppRunner(make_app(run_dirs, token), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0][1]
        on_ready(page_url(host, bound, token))
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
