"""`mmgym data get` from the Hugging Face hub, against a local stand-in for the hub's file API (`HF_ENDPOINT`):
EmbodiedEval's task files in its layout are fetched at the commit the revision names, read as the suite
reads them (a malformed task reported), fetched again without a second download; offline, one line."""

from __future__ import annotations

import hashlib
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from mmgym.tasks.downloads import DownloadError, HubRelease, fetch
from mmgym.tasks.embodied_eval.releases import REPO_ID, releases

pytest.importorskip("huggingface_hub")
COMMIT = "0123456789abcdef0123456789abcdef01234567"
TASKS = Path(__file__).parent / "embodied_eval" / "released_tasks"  # hand-written, in EmbodiedEval's layout


class StandInHub:
    """The hub's file API over a folder: repository info, the recursive tree listing, and HEAD/GET on
    `resolve` URLs with the headers huggingface_hub reads (X-Repo-Commit, ETag, Content-Length)."""

    def __init__(self, root: Path, repo_id: str) -> None:
        self.root, self.repo_id, self.requests = root, repo_id, []
        hub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                hub.answer(self, body=False)

            def do_GET(self) -> None:
                hub.answer(self, body=True)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def files(self) -> list[Path]:
        return sorted(p for p in self.root.rglob("*") if p.is_file())

    def answer(self, handler: http.server.BaseHTTPRequestHandler, body: bool) -> None:
        path = unquote(urlparse(handler.path).path)
        self.requests.append(f"{handler.command} {path}")
        api = f"/api/datasets/{self.repo_id}"
        resolve = f"/datasets/{self.repo_id}/resolve/"
        if path.startswith(f"{api}/revision/"):
            siblings = [{"rfilename": str(p.relative_to(self.root))} for p in self.files()]
            return self.send(handler, json.dumps({"id": self.repo_id, "sha": COMMIT, "siblings": siblings}).encode())
        if path.startswith(f"{api}/tree/{COMMIT}"):
            entries = [{"type": "file", "path": str(p.relative_to(self.root)), "size": p.stat().st_size,
                        "oid": hashlib.sha1(p.read_bytes()).hexdigest()} for p in self.files()]  # fmt: skip
            return self.send(handler, json.dumps(entries).encode())
        if path.startswith(resolve + f"{COMMIT}/"):
            file = self.root / path.removeprefix(resolve + f"{COMMIT}/")
            if file.is_file():
                data = file.read_bytes()
                headers = {"X-Repo-Commit": COMMIT, "ETag": f'"{hashlib.sha1(data).hexdigest()}"'}
                return self.send(handler, data, headers, body)
        self.send(handler, b'{"error": "not found"}', {"X-Error-Code": "EntryNotFound"}, status=404)

    @staticmethod
    def send(handler, data: bytes, headers: dict | None = None, body: bool = True, status: int = 200) -> None:
        handler.send_response(status)
        for key, value in {"Content-Length": str(len(data)), **(headers or {})}.items():
            handler.send_header(key, value)
        handler.end_headers()
        if body:
            handler.wfile.write(data)


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[StandInHub]:
    root = tmp_path / "hub"
    shutil.copytree(TASKS, root / "tasks")
    (root / "scenes").mkdir()
    (root / "scenes" / "HSSD.zip").write_bytes(b"a scene archive mmgym must not fetch")
    stand_in = StandInHub(root, REPO_ID)
    monkeypatch.setenv("HF_ENDPOINT", stand_in.url)
    yield stand_in
    stand_in.server.shutdown()


def test_the_task_files_come_from_the_hub_at_the_revisions_commit_and_read_as_the_suite_reads_them(
    hub: StandInHub, tmp_path: Path
) -> None:
    (release,) = releases()
    data_dir = fetch(release, tmp_path / "data")
    assert data_dir == tmp_path / "data" / "tasks" and (data_dir / "tasks.json").is_file()
    assert not (tmp_path / "data" / "scenes").exists()  # only the task files
    fetched = sorted(str(p.relative_to(data_dir)) for p in data_dir.rglob("*.json"))
    assert fetched == sorted(str(p.relative_to(TASKS)) for p in TASKS.rglob("*.json"))
    assert (tmp_path / "data" / "REVISION").read_text() == f"{REPO_ID}@{COMMIT}\n"
    summary = release.check(data_dir)
    assert summary.startswith("5 tasks in 4 categories") and "3 skipped" in summary
    assert f"GET /api/datasets/{REPO_ID}/revision/main" in hub.requests
    downloads = [r for r in hub.requests if r.startswith("GET /datasets/")]
    assert len(downloads) == 7 and all(f"/resolve/{COMMIT}/tasks/" in r for r in downloads)


def test_a_second_fetch_keeps_the_files_already_there(hub: StandInHub, tmp_path: Path) -> None:
    (release,) = releases()
    fetch(release, tmp_path / "data")
    first = len([r for r in hub.requests if r.startswith("GET /datasets/")])
    fetch(release, tmp_path / "data")
    assert len([r for r in hub.requests if r.startswith("GET /datasets/")]) == first


def test_an_unknown_repository_and_an_unreachable_hub_fail_in_one_line(
    hub: StandInHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = HubRelease("x", "x", "someone/nothing", "main", ("tasks/*",), "tasks", "suite.data_dir={data_dir}")
    with pytest.raises(DownloadError) as caught:
        fetch(missing, tmp_path / "x")
    assert "cannot fetch someone/nothing@main" in str(caught.value) and "\n" not in str(caught.value)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(DownloadError, match=r"needs network access to the Hugging Face hub$") as caught:
        fetch(releases()[0], tmp_path / "y")
    assert "\n" not in str(caught.value)


def test_the_command_fetches_from_the_hub_and_prints_the_suite_setting(hub: StandInHub, run_cli, tmp_path) -> None:
    result = run_cli(["data", "get", "embodied_eval", "--dir", str(tmp_path)], tmp_path)
    assert result.returncode == 0, result.stderr
    data_dir = tmp_path / "embodied_eval" / "tasks"
    assert result.stdout.strip() == f"suite=embodied_eval suite.data_dir={data_dir}"
    assert "7 files verified (read as the suite reads them)" in result.stderr
    assert "5 tasks in 4 categories" in result.stderr
