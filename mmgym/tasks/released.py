"""Reading the authors' released files: a file that is missing or broken is one line naming it.

Some authors keep their prompts as string constants in Python files; `python_literals` reads those
without running the file (`ast`), so a user's checkout is data, never code mmgym executes.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from mmgym.errors import ConfigError


def read_json(path: Path, what: str, hint: str = "") -> Any:
    """The JSON in `path`; `what` names the file in an error, and `hint` (which folder data_dir must be) follows."""
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"{what} not found: {path}" + (f" ({hint})" if hint else "")) from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{what} is not valid JSON: {path}: {exc}") from None


def python_literals(path: Path, hint: str = "") -> dict[str, Any]:
    """The module-level `name = <literal>` assignments of a Python file, read as literals (others skipped)."""
    if not path.is_file():
        raise ConfigError(f"{path} not found" + (f": {hint}" if hint else ""))
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} cannot be read as Python: {exc}") from None
    found: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue  # not a literal (an f-string, a call): not a text this reads
    return found
