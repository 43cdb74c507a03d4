"""Benchmarks' released data, fetched from where their authors publish it and checked file by file.

A benchmark package declares each dataset it can fetch as a `Release`: a repository and a pinned
commit, the files a suite reads (with their sizes and sha256, so a download is verified, and a
changed upstream file is refused rather than silently used), the folder to pass as
`suite.data_dir=`, and a check that reads the data the way the suite will. `mmgym data get NAME`
downloads the files (Git LFS files from the LFS host), skips those already present and intact, and
writes each one atomically, so an interrupted download resumes where it stopped.

The hosts can be pointed elsewhere (a mirror, or a test's local server) with
`MMGYM_GITHUB_RAW_URL` and `MMGYM_GITHUB_LFS_URL`.

Data published on the Hugging Face hub is a `HubRelease`: a dataset repository, a revision and the
file patterns a suite reads, fetched with `huggingface_hub` (imported only then) at the commit the
revision names when the download starts. The hub gives no hashes to check offline, so the check
that reads the files as the suite will is the verification. `HF_ENDPOINT` points it elsewhere.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from mmgym.errors import MmgymError, unknown_name

RAW_URL = "https://raw.githubusercontent.com"
HUB_URL = "https://huggingface.co"
LFS_URL = "https://media.githubusercontent.com/media"
TIMEOUT_S = 60
WORKERS = 8


class DownloadError(MmgymError):
    """A download failed: the host could not be reached, or a file was not what the manifest says."""


@dataclass(frozen=True)
class DataFile:
    """One released file: its path in the repository, its size and sha256, and whether Git LFS stores it."""

    path: str
    size: int
    sha256: str
    lfs: bool = False


@dataclass(frozen=True)
class Release:
    """A dataset as its authors publish it in a repository at a pinned commit.

    `data_dir` is the folder (a path in the repository) to pass as `suite.data_dir`; `check` reads
    the downloaded folder as the suite will and returns a one-line summary (or raises ConfigError).
    """

    name: str
    description: str
    repo: str  # owner/name on GitHub
    commit: str
    files: tuple[DataFile, ...]
    data_dir: str
    use: str  # how to use it, with {data_dir} for the folder, e.g. "suite=eb_alfred suite.data_dir={data_dir}"
    check: Callable[[Path], str] = field(default=lambda folder: "", compare=False)

    @property
    def origin(self) -> str:
        """Where the files come from and how much, for `mmgym data list`."""
        return f"{self.repo}@{self.commit[:7]}, {len(self.files)} files, {sum(f.size for f in self.files) / 1e6:.1f} MB"

    @property
    def file_count(self) -> int | None:
        return len(self.files)

    verification: str = field(default="sha256", init=False)

    def url(self, file: DataFile) -> str:
        base = (
            os.environ.get("MMGYM_GITHUB_LFS_URL", LFS_URL)
            if file.lfs
            else os.environ.get("MMGYM_GITHUB_RAW_URL", RAW_URL)
        )
        return f"{base.rstrip('/')}/{self.repo}/{self.commit}/{file.path}"


@dataclass(frozen=True)
class HubRelease:
    """A dataset as its authors publish it on the Hugging Face hub: `repo_id` at `revision`, the files
    matching `patterns`. `data_dir`, `use` and `check` are as in `Release`."""

    name: str
    description: str
    repo_id: str
    revision: str
    patterns: tuple[str, ...]
    data_dir: str
    use: str
    check: Callable[[Path], str] = field(default=lambda folder: "", compare=False)
    repo_type: str = "dataset"
    verification: str = field(default="read as the suite reads them", init=False)

    @property
    def origin(self) -> str:
        return f"hub {self.repo_type} {self.repo_id}@{self.revision[:12]}, files {', '.join(self.patterns)}"

    @property
    def file_count(self) -> int | None:
        return None  # known once the hub lists the revision


DataRelease = Release | HubRelease


def read_manifest(path: Path) -> dict[str, tuple[DataFile, ...]]:
    """A manifest file: release name -> [{path, size, sha256, lfs}]."""
    data = json.loads(path.read_text())
    return {name: tuple(DataFile(**entry) for entry in files) for name, files in data.items()}


def fetch(release: DataRelease, dest: Path, progress: Callable[[int], None] | None = None) -> Path:
    """Download the release's files under `dest` (as they sit in the repository), verify each, and
    return the data folder to pass as `suite.data_dir`. Files already there and intact are kept."""
    if isinstance(release, HubRelease):
        return fetch_hub(release, dest)
    todo = [f for f in release.files if not _intact(dest / f.path, f)]
    if progress:
        progress(len(release.files) - len(todo))
    with ThreadPoolExecutor(WORKERS) as pool:
        for _ in pool.map(lambda f: _download(release, f, dest / f.path), todo):
            if progress:
                progress(1)
    return dest / release.data_dir


def fetch_hub(release: HubRelease, dest: Path) -> Path:
    """Download a hub release's files under `dest` at the commit its revision names now, keeping files
    already there and unchanged (the hub's own check); returns the data folder."""
    try:
        hub = importlib.import_module("huggingface_hub")
    except ImportError:
        needs = f"`mmgym data get {release.name}` needs huggingface_hub"
        raise DownloadError(f"{needs}: pip install huggingface_hub") from None
    endpoint = os.environ.get("HF_ENDPOINT", HUB_URL).rstrip("/")
    try:
        api = hub.HfApi(endpoint=endpoint)
        commit = api.repo_info(release.repo_id, repo_type=release.repo_type, revision=release.revision).sha
        hub.snapshot_download(release.repo_id, repo_type=release.repo_type, revision=commit, local_dir=dest,
                              allow_patterns=list(release.patterns), endpoint=endpoint)  # fmt: skip
    except _hub_errors() as exc:
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise DownloadError(
            f"cannot fetch {release.repo_id}@{release.revision} from {endpoint} ({type(exc).__name__}: {reason}): "
            f"`mmgym data get {release.name}` needs network access to the Hugging Face hub"
        ) from None
    (dest / REVISION_FILE).write_text(f"{release.repo_id}@{commit}\n")
    return dest / release.data_dir


REVISION_FILE = "REVISION"  # which commit a hub download came from


def _hub_errors() -> tuple[type[BaseException], ...]:
    """What the hub's client raises for a host it cannot reach or a repository it cannot read."""
    found: list[type[BaseException]] = [OSError, ValueError]
    for module in ("httpx2", "httpx"):
        try:
            found.append(importlib.import_module(module).HTTPError)
        except (ImportError, AttributeError):
            continue
    return tuple(found)


def missing_or_changed(release: Release, dest: Path) -> list[str]:
    """The release's files that are absent or differ from the manifest under `dest`."""
    return [f.path for f in release.files if not _intact(dest / f.path, f)]


def _intact(path: Path, file: DataFile) -> bool:
    return path.is_file() and path.stat().st_size == file.size and _sha256(path.read_bytes()) == file.sha256


def _download(release: Release, file: DataFile, path: Path) -> None:
    url = release.url(file)
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            data = response.read()
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(
            f"cannot reach {url.split('/')[2]} ({reason}): `mmgym data get` needs network access to {release.repo}"
        ) from None
    if len(data) != file.size or _sha256(data) != file.sha256:
        raise DownloadError(
            f"{file.path} from {url} is not the released file (sha256 {_sha256(data)[:12]}, expected "
            f"{file.sha256[:12]}); nothing was kept"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    partial.replace(path)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def by_name(releases: Iterable[DataRelease], name: str) -> DataRelease:
    found = {release.name: release for release in releases}
    if name not in found:
        raise unknown_name("dataset", name, found)
    return found[name]
