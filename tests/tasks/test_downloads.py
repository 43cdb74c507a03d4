"""`mmgym data`: released files fetched from a local server standing in for the authors' repository host
(and its Git LFS host), verified against the manifest, resumed, refused when changed; offline in one line."""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mmgym.tasks.downloads import DataFile, DownloadError, Release, fetch, missing_or_changed
from mmgym.tasks.embodiedbench import nav_data
from mmgym.tasks.embodiedbench.releases import releases
from mmgym.tasks.embodiedbench.thor import standin_data

COMMIT = "0123456789abcdef0123456789abcdef01234567"
DATASETS = "embodiedbench/envs/eb_navigation/datasets"


class Host:
    """A folder served over HTTP the way the repository host lays files out: /<repo>/<commit>/<path>."""

    def __init__(self, root: Path) -> None:
        self.root, self.requests = root, []
        host = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                host.requests.append(self.path)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=root))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def publish(self, repo_path: str, data: bytes) -> DataFile:
        path = self.root / "owner" / "repo" / COMMIT / repo_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return DataFile(repo_path, len(data), hashlib.sha256(data).hexdigest())


@pytest.fixture
def hosts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Host, Host]]:
    raw, lfs = Host(tmp_path / "raw"), Host(tmp_path / "lfs")
    monkeypatch.setenv("MMGYM_GITHUB_RAW_URL", raw.url)
    monkeypatch.setenv("MMGYM_GITHUB_LFS_URL", lfs.url)
    yield raw, lfs
    raw.server.shutdown()
    lfs.server.shutdown()


def navigation_release(raw: Host, check: Callable[[Path], str]) -> Release:
    """EB-Navigation's files in the authors' format (the stand-in's own episodes), published on the host."""
    files = tuple(
        raw.publish(f"{DATASETS}/{subset}.json", (standin_data("eb_navigation") / f"{subset}.json").read_bytes())
        for subset in nav_data.SUBSETS
    )
    return Release("nav", "test", "owner/repo", COMMIT, files, DATASETS, "suite.data_dir={data_dir}", check)


def count_episodes(folder: Path) -> str:
    return f"{sum(len(nav_data.load_subset(folder, s)) for s in nav_data.SUBSETS)} episodes"


def test_a_release_downloads_verifies_and_reads_as_its_suite_will(hosts: tuple[Host, Host], tmp_path: Path) -> None:
    raw, _ = hosts
    release = navigation_release(raw, count_episodes)
    data_dir = fetch(release, tmp_path / "data" / "nav")
    assert data_dir == tmp_path / "data" / "nav" / DATASETS
    assert release.check(data_dir) == count_episodes(standin_data("eb_navigation"))
    assert len(raw.requests) == len(nav_data.SUBSETS) and missing_or_changed(release, tmp_path / "data" / "nav") == []


def test_a_second_fetch_downloads_only_what_is_missing_or_changed(hosts: tuple[Host, Host], tmp_path: Path) -> None:
    raw, _ = hosts
    release = navigation_release(raw, count_episodes)
    dest = tmp_path / "nav"
    fetch(release, dest)
    (dest / DATASETS / "base.json").write_text("[]")  # damaged since
    raw.requests.clear()
    fetch(release, dest)
    assert [r.rsplit("/", 1)[-1] for r in raw.requests] == ["base.json"]


def test_a_file_that_is_not_the_released_one_is_refused_and_not_kept(hosts: tuple[Host, Host], tmp_path: Path) -> None:
    raw, _ = hosts
    release = navigation_release(raw, count_episodes)
    (raw.root / "owner" / "repo" / COMMIT / DATASETS / "base.json").write_text('[{"changed": true}]')
    with pytest.raises(DownloadError, match=r"base.json from http://127.0.0.1:\d+/owner/repo/.* is not the released"):
        fetch(release, tmp_path / "nav")
    assert not (tmp_path / "nav" / DATASETS / "base.json").exists()
    assert not list((tmp_path / "nav").rglob("*.part"))


def test_git_lfs_files_come_from_the_lfs_host(hosts: tuple[Host, Host], tmp_path: Path) -> None:
    raw, lfs = hosts
    stored = lfs.publish("data/base.pickle", b"\x80\x04episodes")
    release = Release("hab", "test", "owner/repo", COMMIT, (DataFile(**{**vars(stored), "lfs": True}),), "data", "")
    assert (fetch(release, tmp_path / "hab") / "base.pickle").read_bytes() == b"\x80\x04episodes"
    assert raw.requests == [] and lfs.requests == [f"/owner/repo/{COMMIT}/data/base.pickle"]


def test_the_shipped_manifest_pins_every_file_the_readers_need() -> None:
    by_name = {release.name: release for release in releases()}
    assert set(by_name) == {"eb_alfred", "eb_navigation", "eb_habitat"}
    alfred = {f.path.removeprefix(by_name["eb_alfred"].data_dir + "/") for f in by_name["eb_alfred"].files}
    assert {f"splits/{s}.json" for s in ("splits", "base", "long_horizon", "spatial")} <= alfred
    assert sum(p.startswith("json_2.1.0/") and p.endswith(".json") for p in alfred) == len(alfred) - 7
    assert [f.path.rsplit("/", 1)[-1] for f in by_name["eb_navigation"].files] == [
        f"{s}.json" for s in ("base", "common_sense", "complex_instruction", "long_horizon", "visual_appearance")
    ]
    assert all(f.lfs and len(f.sha256) == 64 for f in by_name["eb_habitat"].files)


def test_the_command_lists_the_datasets_and_fails_offline_in_one_line(run_cli, tmp_path: Path) -> None:
    listed = run_cli(["data", "list"], tmp_path)
    assert listed.returncode == 0 and [line.split()[0] for line in listed.stdout.splitlines()] == [
        "embodied_eval", "eb_alfred", "eb_navigation", "eb_habitat"]  # fmt: skip
    import subprocess

    from cli_helpers import cli_command, cli_env

    offline = cli_env() | {"MMGYM_GITHUB_RAW_URL": "http://127.0.0.1:9"}  # nothing listens there
    done = subprocess.run(cli_command(["data", "get", "eb_navigation", "--dir", "d"]), cwd=tmp_path, env=offline,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    errors = [line for line in done.stderr.splitlines() if line.startswith("mmgym:")]
    assert done.returncode == 2 and errors == [
        "mmgym: error: cannot reach 127.0.0.1:9 ([Errno 111] Connection refused): `mmgym data get` needs network "
        "access to EmbodiedBench/EmbodiedBench"
    ]
    assert not list(tmp_path.rglob("*.json"))
    unknown = run_cli(["data", "get", "eb_alfredd"], tmp_path)
    assert unknown.returncode == 2 and "unknown dataset 'eb_alfredd'" in unknown.stderr
