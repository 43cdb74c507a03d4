"""EmbodiedEval's released task files, read into mmgym's task vocabulary (definitions only: the scenes need LEGENT).

A task file is one JSON object with `task_text`, `scene_path`, `agent_position` and
`agent_rotation` (three numbers each), `options` (objects with `option_type` and `option_text`;
an `Answer` option is offered as `answer "<text>"`) and `predicates`. A predicate is either an
object with `predicate_type` (`choose` with `right_answer_content`; the others with the LEGENT
instance ids in `objects`), or the string form EmbodiedEval's simulator reports (`agent_near 12`,
`near 3 5`, `choose answer "blue"`). A benchmark folder holds `tasks.json`, a list of
`{index, task_file}` whose `task_file` is `<category>/<file>.json` under that folder.

What this reader gives: the task text, category, menu options, agent pose and mmgym predicates
(objects named by their instance ids), checked and ready to be evaluated on a `WorldState` built
from LEGENT's game state. What it cannot do: build the scene (`scene_path` names a LEGENT scene),
so these tasks cannot be played here. Predicate types without an mmgym equivalent (`grab_once`,
`agent_pass`, `swap`, `in`, `not_at`, `special_action_success`) are refused in one line.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from mmgym.errors import ConfigError
from mmgym.tasks.embodied_eval.env.menu import answer_option
from mmgym.tasks.embodied_eval.env.predicates import (
    AGENT,
    Answered,
    At,
    Closer,
    Further,
    Holding,
    Near,
    NotNear,
    Predicate,
)
from mmgym.tasks.released import read_json

TASK_INDEX = "tasks.json"
PAIRS = {"at": At, "near": Near, "not_near": NotNear, "closer": Closer, "further": Further}
AGENT_PAIRS = {"agent_at": At, "agent_near": Near}
SUPPORTED = ("choose", "grab", *AGENT_PAIRS, *PAIRS)


class ReleasedTask(BaseModel):
    """One EmbodiedEval task as mmgym reads it."""

    model_config = ConfigDict(frozen=True)

    source: str  # the file it was read from
    category: str
    task_text: str
    scene_path: str
    agent_position: tuple[float, float, float]
    agent_rotation: tuple[float, float, float]
    options: tuple[str, ...]
    predicates: tuple[Predicate, ...]
    has_humans: bool = False  # a social-interaction task (people in the scene)


def read_tasks(folder: str | Path) -> list[ReleasedTask]:
    """Every task `folder/tasks.json` lists, in its order; the category is the task file's folder."""
    index = Path(folder).expanduser() / TASK_INDEX
    entries = _json(index)
    if not isinstance(entries, list):
        raise ConfigError(f"{index}: expected a list of {{index, task_file}} entries, got {type(entries).__name__}")
    tasks = []
    for position, entry in enumerate(entries):
        task_file = entry.get("task_file") if isinstance(entry, dict) else None
        if not isinstance(task_file, str) or "/" not in task_file:
            raise ConfigError(f"{index}: entry {position} needs a task_file '<category>/<file>.json', got {entry!r}")
        tasks.append(read_task(index.parent / task_file, category=task_file.split("/")[0]))
    return tasks


def read_task(path: str | Path, category: str | None = None) -> ReleasedTask:
    """One task file; `category` defaults to the name of the folder it is in."""
    path = Path(path).expanduser()
    data = _json(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a task file holds one JSON object, got {type(data).__name__}")
    try:
        return ReleasedTask(
            source=str(path),
            category=category or path.parent.name,
            task_text=_field(data, "task_text", path),
            scene_path=_field(data, "scene_path", path),
            agent_position=_triple(data, "agent_position", path),
            agent_rotation=_triple(data, "agent_rotation", path),
            options=tuple(_option(option, path) for option in _field(data, "options", path, list)),
            predicates=tuple(parse_predicate(p, path) for p in _field(data, "predicates", path, list)),
            has_humans=bool(data.get("humans")),
        )
    except ValueError as exc:  # pydantic's, on a value of the right type but out of shape
        raise ConfigError(f"{path}: {str(exc).splitlines()[0]}") from None


def parse_predicate(entry: Any, where: str | Path = "predicate") -> Predicate:
    """An mmgym predicate from a predicate object or its string form (see the module docstring)."""
    if isinstance(entry, dict):
        kind = entry.get("predicate_type")
        if kind == "choose":
            return Answered(answer=str(_field(entry, "right_answer_content", where)))
        words = [str(kind), *map(str, entry.get("objects") or [])]
    elif isinstance(entry, str):
        try:
            words = shlex.split(entry)
        except ValueError:
            raise ConfigError(f"{where}: cannot read predicate {entry!r}") from None
    else:
        raise ConfigError(f"{where}: a predicate is an object or a string, got {entry!r}")
    return _from_words(words, entry, where)


def _from_words(words: list[str], entry: Any, where: str | Path) -> Predicate:
    kind, args = (words[0], words[1:]) if words else ("", [])
    if kind not in SUPPORTED:
        raise ConfigError(f"{where}: unsupported predicate {kind!r} in {entry!r}; supported: {', '.join(SUPPORTED)}")
    if kind == "choose":
        answer = args[1] if len(args) == 2 and args[0] == "answer" else " ".join(args)
        if not answer:
            raise ConfigError(f"{where}: predicate {entry!r} names no answer")
        return Answered(answer=answer)
    wanted = 2 if kind in PAIRS else 1
    if len(args) < wanted:
        raise ConfigError(f"{where}: predicate {entry!r} needs {wanted} object id(s), got {len(args)}")
    if kind == "grab":
        return Holding(object=args[0])
    if kind in AGENT_PAIRS:
        return AGENT_PAIRS[kind](subject=AGENT, object=args[0])
    return PAIRS[kind](subject=args[0], object=args[1])


def _option(option: Any, where: Path) -> str:
    if isinstance(option, str):
        return option
    text = str(_field(option, "option_text", where))
    return answer_option(text).text if option.get("option_type") == "Answer" else text


def _json(path: Path) -> Any:
    return read_json(path, "EmbodiedEval task file")


def _field(data: Any, key: str, where: str | Path, kind: type = str) -> Any:
    if not isinstance(data, dict) or key not in data:
        raise ConfigError(f"{where}: missing {key!r}")
    value = data[key]
    if not isinstance(value, kind):
        raise ConfigError(f"{where}: {key!r} must be a {kind.__name__}, got {value!r}")
    return value


def _triple(data: dict[str, Any], key: str, where: Path) -> tuple[float, float, float]:
    value = _field(data, key, where, list)
    if len(value) != 3 or not all(isinstance(v, int | float) for v in value):
        raise ConfigError(f"{where}: {key!r} must be three numbers [x, y, z], got {value!r}")
    return tuple(float(v) for v in value)
