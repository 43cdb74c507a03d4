"""Print `name==lower` for every `>=` bound in pyproject.toml, as pip constraints (`make test-lowest`).

Installing with these constraints gives the oldest versions mmgym claims to support, so a lower
bound that is no longer true fails a test instead of a user's install.
"""

import re
import sys

import tomllib  # Python 3.11+: `make test-lowest` runs it with the Python that makes the venv

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*(.*)$")


def floors(pyproject: dict) -> dict[str, str]:
    project = pyproject["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    pins: dict[str, str] = {}
    for requirement in requirements:
        name, specifiers = REQUIREMENT.match(requirement.split(";")[0]).groups()
        lower = re.search(r">=\s*([^,\s]+)", specifiers)
        if lower and name != project["name"]:
            pins[name.lower()] = max(pins.get(name.lower(), lower.group(1)), lower.group(1), key=_version_key)
    return pins


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


if __name__ == "__main__":
    with open(sys.argv[1], "rb") as file:
        for name, version in sorted(floors(tomllib.load(file)).items()):
            print(f"{name}=={version}")
