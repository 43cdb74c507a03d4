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
so these tasks cannot be played here.

Every predicate type of EmbodiedEval's `predicate.py` is read, in both its spellings: the current
one (`agent_at`, `agent_near`, `agent_pass`, `at`, `near`, `not_near`, `not_at`, `closer`,
`further`, `grab`, `grab_once`, `special_action_success <option words>`, `choose`; the agent forms
may carry a third word, which EmbodiedEval ignores) and the older one (`near <id>` for the agent,
`on`, `swap`, `in`, `noton`). `load_tasks` reads a benchmark folder and skips a task it cannot read,
with the reason; `read_tasks` refuses the folder at the first such task.
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
    ActionSucceeded,
    AllAt,
    Answered,
    At,
    Closer,
    Further,
    HeldOnce,
    Holding,
    Near,
    NoneNear,
    NotAt,
    NotNear,
    Passed,
    Predicate,
    Swapped,
)
from mmgym.tasks.released import read_json

TASK_INDEX = "tasks.json"
PAIRS = {
    "at": At, "on": At, "near": Near, "not_near": NotNear, "not_at": NotAt, "closer": Closer, "further": Further,
    "swap": Swapped,
}  # fmt: skip
AGENT_ONE = {"agent_at": lambda i: At(subject=AGENT, object=i), "agent_near": lambda i: Near(subject=AGENT, object=i),
             "agent_pass": lambda i: Passed(object=i), "grab": lambda i: Holding(object=i),
             "grab_once": lambda i: HeldOnce(object=i)}  # fmt: skip
GROUPS = {"in": AllAt, "noton": NoneNear}  # objects..., then the target
ACTION = "special_action_success"
SUPPORTED = ("choose", ACTION, *AGENT_ONE, *PAIRS, *GROUPS)


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


class SkippedTask(BaseModel):
    """A task `load_tasks` could not read: its entry in tasks.json and why, in one line."""

    entry: int  # its position in tasks.json
    task_file: str
    reason: str


class LoadedTasks(BaseModel):
    """What `load_tasks` read of a benchmark folder: the tasks it could read and those it skipped."""

    folder: str
    tasks: list[ReleasedTask]
    skipped: list[SkippedTask]


def load_tasks(folder: str | Path) -> LoadedTasks:
    """Every task `folder/tasks.json` lists, in its order (the category is the task file's folder); a
    task that cannot be read is skipped with its reason. A missing or unreadable tasks.json is refused."""
    index = Path(folder).expanduser() / TASK_INDEX
    entries = _json(index)
    if not isinstance(entries, list):
        raise ConfigError(f"{index}: expected a list of {{index, task_file}} entries, got {type(entries).__name__}")
    tasks, skipped = [], []
    for position, entry in enumerate(entries):
        task_file = entry.get("task_file") if isinstance(entry, dict) else None
        try:
            if not isinstance(task_file, str) or "/" not in task_file:
                wanted = "'<category>/<file>.json'"
                raise ConfigError(f"{index}: entry {position} needs a task_file {wanted}, got {entry!r}")
            tasks.append(read_task(index.parent / task_file, category=task_file.split("/")[0]))
        except ConfigError as exc:
            skipped.append(SkippedTask(entry=position, task_file=str(task_file), reason=str(exc)))
    return LoadedTasks(folder=str(index.parent), tasks=tasks, skipped=skipped)


def read_tasks(folder: str | Path) -> list[ReleasedTask]:
    """`load_tasks`, refusing the folder at its first task that cannot be read."""
    loaded = load_tasks(folder)
    if loaded.skipped:
        raise ConfigError(loaded.skipped[0].reason)
    return loaded.tasks


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
        kind, _, rest = " ".join(entry.split()).partition(" ")
        if kind.startswith("special_action_succes") and rest:  # the option's words as they are, quotes kept
            return ActionSucceeded(action=rest)
        try:
            words = shlex.split(entry)
        except ValueError:
            raise ConfigError(f"{where}: cannot read predicate {entry!r}") from None
    else:
        raise ConfigError(f"{where}: a predicate is an object or a string, got {entry!r}")
    return _from_words(words, entry, where)


def _from_words(words: list[str], entry: Any, where: str | Path) -> Predicate:
    kind, args = (words[0], words[1:]) if words else ("", [])
    if kind == "special_action_succes":  # EmbodiedEval matches this prefix, so both spellings count
        kind = ACTION
    if kind not in SUPPORTED:
        raise ConfigError(f"{where}: unsupported predicate {kind!r} in {entry!r}; supported: {', '.join(SUPPORTED)}")
    if kind in ("choose", ACTION):
        words_of = args[1] if kind == "choose" and len(args) == 2 and args[0] == "answer" else " ".join(args)
        if not words_of:
            raise ConfigError(f"{where}: predicate {entry!r} names no {'answer' if kind == 'choose' else 'option'}")
        return Answered(answer=words_of) if kind == "choose" else ActionSucceeded(action=words_of)
    if kind == "near" and len(args) == 1:  # EmbodiedEval's older spelling of agent_near
        return Near(subject=AGENT, object=args[0])
    wanted = 2 if kind in PAIRS or kind in GROUPS else 1
    if len(args) < wanted or (kind in PAIRS and len(args) > 2) or (kind in AGENT_ONE and len(args) > 2):
        expected = f"at least {wanted}" if kind in GROUPS else f"{wanted}"
        raise ConfigError(f"{where}: predicate {entry!r} needs {expected} object id(s), got {len(args)}")
    if kind in AGENT_ONE:  # a third word is allowed and ignored, as EmbodiedEval does
        return AGENT_ONE[kind](args[0])
    if kind in GROUPS:
        return GROUPS[kind](objects=tuple(args[:-1]), target=args[-1])
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
