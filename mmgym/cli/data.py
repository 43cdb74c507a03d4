"""`mmgym data list` and `mmgym data get NAME [--dir D]`: benchmarks' released data, fetched and verified.

The datasets are those the benchmark packages declare (`mmgym.tasks.downloads.Release`); `get`
downloads a dataset's files from where its authors publish them, checks each against the pinned
manifest, reads the data as its suite will, and prints the `suite.data_dir=` to use.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_DIR = Path("data")


def add_parser(sub: argparse._SubParsersAction) -> None:
    data = sub.add_parser("data", help="fetch benchmarks' released data: mmgym data list | get NAME [--dir D]")
    actions = data.add_subparsers(dest="data_command", required=True, metavar="{list,get}")
    actions.add_parser("list", help="the datasets mmgym can fetch")
    get = actions.add_parser("get", help="download a dataset, verify it, and print the suite.data_dir= to use")
    get.add_argument("name", help="a dataset from `mmgym data list`, e.g. eb_alfred")
    get.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="download folder (default: ./data)")


def run(args: argparse.Namespace) -> int:
    from mmgym.tasks.plugins import releases

    if args.data_command == "list":
        for release in releases():
            print(f"{release.name:16} {release.description} ({release.origin})")
        return 0
    return _get(args.name, args.dir)


def _get(name: str, folder: Path) -> int:
    from tqdm import tqdm

    from mmgym.cli.paths import check_writable_dir
    from mmgym.tasks.downloads import by_name, fetch
    from mmgym.tasks.plugins import releases

    release = by_name(releases(), name)
    check_writable_dir(folder, "--dir")
    dest = (folder / release.name).resolve()
    with tqdm(total=release.file_count, desc=f"{release.name}", unit="file", file=sys.stderr) as bar:
        data_dir = fetch(release, dest, progress=bar.update)
    summary = release.check(data_dir)
    count = release.file_count or sum(1 for path in data_dir.rglob("*") if path.is_file())
    verified = f"{release.name}: {count} files verified ({release.verification}) in {dest}"
    print(verified + (f"; {summary}" if summary else ""), file=sys.stderr)
    print(release.use.format(data_dir=data_dir))
    return 0
