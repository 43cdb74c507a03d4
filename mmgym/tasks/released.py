"""Reading the authors' released files: a JSON file that is missing or broken is one line naming it."""

from __future__ import annotations

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
