"""EmbodiedBench's released data for `mmgym data get eb_alfred|eb_navigation|eb_habitat`.

EmbodiedBench publishes its EB-ALFRED, EB-Navigation and EB-Habitat episodes in its repository
(EmbodiedBench/EmbodiedBench), the Habitat episode files through Git LFS. The files a suite reads
are pinned at the commit this package's parity was checked against, with their sizes and sha256 in
`released_files.json`, which `python -m mmgym.tasks.embodiedbench.releases GIT_DIR [COMMIT]` writes
from a clone (a bare one will do).
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

from mmgym.tasks.downloads import DataFile, Release, read_manifest

REPO = "EmbodiedBench/EmbodiedBench"
COMMIT = "b24793607b7c5f1f236dad6d9c3f3c94d0bd4b04"
ALFRED = "embodiedbench/envs/eb_alfred/data"
NAVIGATION = "embodiedbench/envs/eb_navigation/datasets"
HABITAT = "embodiedbench/envs/eb_habitat/datasets"
ALFRED_SUBSETS = ("base", "common_sense", "complex_instruction", "long_horizon", "spatial", "visual_appearance")
NAVIGATION_SUBSETS = ("base", "common_sense", "complex_instruction", "long_horizon", "visual_appearance")
HABITAT_SUBSETS = (
    "base", "common_sense", "complex_instruction", "long_horizon", "spatial_relationship", "visual_appearance",
)  # fmt: skip
MANIFEST = "released_files.json"


def _check_alfred(folder: Path) -> str:
    from mmgym.tasks.embodiedbench import alfred_data

    counts = [len(alfred_data.load_subset(folder, subset)) for subset in ALFRED_SUBSETS]
    return f"{sum(counts)} episodes in {len(counts)} subsets"


def _check_navigation(folder: Path) -> str:
    from mmgym.tasks.embodiedbench import nav_data

    counts = [len(nav_data.load_subset(folder, subset)) for subset in NAVIGATION_SUBSETS]
    return f"{sum(counts)} episodes in {len(counts)} subsets"


def _check_habitat(folder: Path) -> str:
    found = sorted(p.stem for p in folder.glob("*.pickle"))
    return f"{len(found)} episode files ({', '.join(found)}), read by habitat-lab"


def releases() -> tuple[Release, ...]:
    manifest = read_manifest(Path(str(resources.files(__package__) / MANIFEST)))
    return (
        Release("eb_alfred", "EB-ALFRED's 300 episodes: splits and ALFRED trajectories", REPO, COMMIT,
                manifest["eb_alfred"], ALFRED, "suite=eb_alfred suite.data_dir={data_dir}", _check_alfred),
        Release("eb_navigation", "EB-Navigation's 300 episodes", REPO, COMMIT, manifest["eb_navigation"],
                NAVIGATION, "suite=eb_thor_nav suite.data_dir={data_dir}", _check_navigation),
        Release("eb_habitat", "EB-Habitat's episode files (Git LFS)", REPO, COMMIT, manifest["eb_habitat"], HABITAT,
                "copy them into the EmbodiedBench install's embodiedbench/envs/eb_habitat/datasets for "
                "suite=eb_habitat suite.simulator=habitat (from {data_dir})", _check_habitat),
    )  # fmt: skip


# ---- writing the manifest (maintainers) -------------------------------------------------------------------


def _git_show(git_dir: str, commit: str, path: str) -> bytes:
    return subprocess.run(["git", "-C", git_dir, "show", f"{commit}:{path}"], capture_output=True, check=True).stdout


def _entry(git_dir: str, commit: str, path: str) -> DataFile:
    import hashlib

    data = _git_show(git_dir, commit, path)
    if data.startswith(b"version https://git-lfs.github.com/spec/v1"):
        fields = dict(line.split(" ", 1) for line in data.decode().splitlines() if " " in line)
        return DataFile(path, int(fields["size"]), fields["oid"].removeprefix("sha256:"), lfs=True)
    return DataFile(path, len(data), hashlib.sha256(data).hexdigest())


def manifest(git_dir: str, commit: str = COMMIT) -> dict[str, list[dict]]:
    """The files each release needs, read from a clone of EmbodiedBench at `commit`."""
    splits = json.loads(_git_show(git_dir, commit, f"{ALFRED}/splits/splits.json"))
    alfred = [f"{ALFRED}/splits/{name}.json" for name in ("splits", *ALFRED_SUBSETS)]
    alfred += sorted(
        {f"{ALFRED}/json_2.1.0/{e['task']}/pp/ann_{e['repeat_idx']}.json" for subset in splits.values() for e in subset}
    )
    paths = {
        "eb_alfred": alfred,
        "eb_navigation": [f"{NAVIGATION}/{subset}.json" for subset in NAVIGATION_SUBSETS],
        "eb_habitat": [f"{HABITAT}/{subset}.pickle" for subset in HABITAT_SUBSETS],
    }
    return {name: [vars(_entry(git_dir, commit, p)) for p in found] for name, found in paths.items()}


if __name__ == "__main__":
    json.dump(manifest(*sys.argv[1:3]), sys.stdout, indent=0)
    sys.stdout.write("\n")
