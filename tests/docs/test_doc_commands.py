"""Every `mmgym ...` command in the README and on the documentation site is a valid invocation.

The commands are read from the fenced code blocks of README.md and docs/**/*.md (`$ ` prompts and
`.venv/bin/` prefixes removed, `\\` continuations joined, comments dropped). `mmgym run` commands
go through the same up-front check as a real run (`check_overrides`: every sweep combination is
composed and its suite, agent and runner built) and then `--dry-run`; the other subcommands are
parsed by the real parser that `mmgym` builds. Nothing is played and no model is called.

Code blocks that start with `# my_pkg/<module>.py` are the docs' examples of user code: they are
written into a scratch folder, so the commands that name `my_pkg` run against exactly that code.
"""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import re
import shlex
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```", re.MULTILINE | re.DOTALL)
SHELL_LANGS = ("", "bash", "sh", "shell", "console")
PREFIXES = ("mmgym", ".venv/bin/mmgym")
SHELL_OPERATORS = "><|&;"  # a command ends at a redirection, a pipe or a chain

# Commands that cannot be checked here, each with why. They must still appear in the docs (tested below).
PLACEHOLDERS: dict[str, str] = {
    "run suite=embodied_eval suite.data_dir=data/embodied_eval/tasks agent=oracle": (
        "needs EmbodiedEval's task files (mmgym data get embodied_eval)"
    ),
    "run suite=embodied_eval suite.reference=human suite.human_trajectories=PATH agent=oracle": (
        "needs human trajectories (not shipped)"
    ),
    "run suite=ingvp_paper suite.data_dir=ING-VP/data agent=random": "needs ING-VP's data folder (not shipped)",
    "run suite=eb_alfred suite.data_dir=PATH/EmbodiedBench/embodiedbench/envs/eb_alfred/data agent=llm model=gpt4o": (
        "needs EmbodiedBench's data folder"
    ),
    "run suite=eb_thor_nav suite.data_dir=PATH/EmbodiedBench/embodiedbench/envs/eb_navigation/datasets "
    "suite.platform=CloudRendering agent=llm model=gpt4o runner=ray": "needs EmbodiedBench's data folder",
    "run suite=eb_habitat suite.simulator=habitat agent=llm model=gpt4o": "needs habitat-sim and EB-Habitat's data",
    "run suite=eb_alfred suite.data_dir=PATH/EmbodiedBench/embodiedbench/envs/eb_alfred/data "
    "suite.protocol=embodiedbench suite.protocol_dir=PATH/EmbodiedBench agent=llm model=gpt4o": (
        "needs EmbodiedBench's data folder and a checkout of its code"
    ),
    "run suite=pca suite.source=pcabench suite.data_dir=PATH/TO/PCA-Bench agent=llm model=gpt4o": (
        "needs PCA-Bench's data folder"
    ),
    "run suite=pca suite.source=pcabench suite.data_dir=PATH/PCA-EVAL/pca-eval/data/v1.0 agent=oracle": (
        "needs PCA-EVAL's data folder"
    ),
    "run suite=pca suite.source=pcabench suite.data_dir=PATH/PCA-EVAL/pca-eval/data/v1.0 suite.protocol=pcabench "
    "agent=llm model=gpt4o": "needs PCA-EVAL's data folder",
    "run suite=pca suite.source=pcabench suite.data_dir=PATH/PCA-EVAL/PCA-Bench suite.image_dir=PATH/open-images "
    "agent=llm model=gpt4o": "needs PCA-Bench's open-track files and images",
}
# Commands the docs show being refused: they must still be refused.
REFUSED: dict[str, str] = {
    "run agent=orcle": "shows the one-line error for an unknown option",
    "run runner.concurrency=abc": "shows the one-line error for a value of the wrong type",
    "run tracker=mlfow": "shows the one-line error for an unknown tracker",
}


@dataclass(frozen=True)
class Command:
    source: str  # file:line
    args: tuple[str, ...]  # after `mmgym`

    @property
    def text(self) -> str:
        return " ".join(self.args)


def code_blocks(path: Path) -> Iterator[tuple[str, str, int]]:
    """(language, body, line number of the opening fence) of each fenced block, indented ones too."""
    text = path.read_text()
    for match in FENCE.finditer(text):
        indent = len(match["indent"])
        body = "\n".join(line[indent:] for line in match["body"].splitlines())
        yield match["lang"], body, text.count("\n", 0, match.start()) + 1


def shell_lines(body: str) -> Iterator[tuple[int, str]]:
    """Logical lines of a shell block: continuations joined, prompts removed."""
    pending, start = "", 0
    for number, line in enumerate(body.splitlines()):
        if not pending:
            start = number
        stripped = line.strip()
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        yield start, (pending + stripped).removeprefix("$ ")
        pending = ""


def doc_commands() -> list[Command]:
    commands = []
    for path in DOC_FILES:
        for lang, body, fence_line in code_blocks(path):
            if lang not in SHELL_LANGS:
                continue
            for offset, line in shell_lines(body):
                try:
                    words = shlex.split(line, comments=True)
                except ValueError:
                    continue
                words = list(itertools.takewhile(lambda word: word[0] not in SHELL_OPERATORS, words))
                if words[:1] and words[0] in PREFIXES and len(words) > 1:
                    source = f"{path.relative_to(ROOT)}:{fence_line + 1 + offset}"
                    commands.append(Command(source, tuple(words[1:])))
    return commands


COMMANDS = doc_commands()
CHECKED = [c for c in COMMANDS if c.text not in PLACEHOLDERS and c.text not in REFUSED]


def user_code_blocks() -> dict[str, str]:
    """`my_pkg/<module>.py` -> its code, from python blocks whose first line names the file."""
    files = {}
    for path in DOC_FILES:
        for lang, body, _ in code_blocks(path):
            first = body.splitlines()[0] if body else ""
            if lang == "python" and re.fullmatch(r"# my_pkg/\w+\.py", first):
                files[first[2:]] = body
    return files


@pytest.fixture(scope="module")
def user_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch folder holding the docs' `my_pkg` package."""
    project = tmp_path_factory.mktemp("project")
    (project / "my_pkg").mkdir()
    (project / "my_pkg" / "__init__.py").write_text("")
    for name, code in user_code_blocks().items():
        (project / name).write_text(code)
    return project


@pytest.fixture
def in_project(user_project: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run in the scratch folder, as a user would from the folder that holds `my_pkg/`; a dummy API key."""
    monkeypatch.chdir(user_project)
    monkeypatch.syspath_prepend(str(user_project))
    monkeypatch.setenv("OPENAI_API_KEY", "not-a-key")  # a hosted model is built as a run builds it
    yield user_project
    for name in [m for m in sys.modules if m == "my_pkg" or m.startswith("my_pkg.")]:
        del sys.modules[name]


def split_run(args: tuple[str, ...]) -> tuple[list[str], bool]:
    """A `mmgym run` command's overrides and whether it is a sweep, as `mmgym.cli.main` splits them."""
    return [a for a in args if not a.startswith("-")], any(a in ("-m", "--multirun") for a in args)


def test_the_docs_hold_commands_of_every_kind() -> None:
    kinds = {c.args[0] for c in COMMANDS}
    assert {"run", "list", "replay", "report", "compare", "doctor"} <= kinds
    assert len(COMMANDS) >= 60
    assert any(c.source.startswith("README.md") for c in COMMANDS)


def test_the_allowlists_name_commands_the_docs_hold() -> None:
    texts = {c.text for c in COMMANDS}
    assert set(PLACEHOLDERS) <= texts, set(PLACEHOLDERS) - texts
    assert set(REFUSED) <= texts, set(REFUSED) - texts


@pytest.mark.parametrize("command", [c for c in CHECKED if c.args[0] == "run"], ids=lambda c: c.source)
def test_a_run_command_is_valid_and_dry_runs(command: Command, in_project: Path, capsys: pytest.CaptureFixture) -> None:
    from mmgym.cli.app import check_overrides
    from mmgym.cli.main import main

    args = command.args[1:]
    if "--help" in args or "-h" in args:
        try:
            status = main(["run", "--help"])
        except SystemExit as exc:  # Hydra's help exits
            status = exc.code
        assert status in (0, None)
        return
    overrides, multirun = split_run(args)
    check_overrides(overrides, multirun=multirun)
    assert main(["run", *(a for a in args if a != "--dry-run"), "--dry-run"]) == 0, capsys.readouterr().err
    assert "dry run: no model was called" in capsys.readouterr().out


@pytest.mark.parametrize("command", REFUSED, ids=str)
def test_a_command_shown_as_refused_is_refused(command: str, in_project: Path) -> None:
    from mmgym.cli.app import check_overrides
    from mmgym.errors import MmgymError

    overrides, multirun = split_run(tuple(command.split()[1:]))
    with pytest.raises(MmgymError):
        check_overrides(overrides, multirun=multirun)


@pytest.mark.parametrize("command", [c for c in CHECKED if c.args[0] != "run"], ids=lambda c: c.source)
def test_another_command_parses(command: Command, in_project: Path, capsys: pytest.CaptureFixture) -> None:
    """Parsed by the parser `mmgym` itself uses (nothing runs)."""
    from mmgym.cli.main import build_parser

    try:
        parsed = build_parser().parse_args(list(command.args))
    except SystemExit as exc:
        pytest.fail(f"`mmgym {command.text}` does not parse (exit {exc.code}): {capsys.readouterr().err}")
    assert parsed.command == command.args[0]


def python_modules() -> list[str]:
    """Modules the docs run with `python -m mmgym...`."""
    found = set()
    for path in DOC_FILES:
        for _lang, body, _ in code_blocks(path):
            found.update(re.findall(r"python -m (mmgym[\w.]*\w)", body))
        found.update(re.findall(r"`python -m (mmgym[\w.]*\w)", path.read_text()))
    return sorted(found)


@pytest.mark.parametrize("module", python_modules())
def test_a_python_m_module_exists(module: str) -> None:
    assert importlib.util.find_spec(module) is not None, f"python -m {module}: no such module"


def python_imports() -> list[tuple[str, str]]:
    """(module, name) of every `from mmgym... import name` in the docs' Python blocks."""
    found = set()
    for path in DOC_FILES:
        for lang, body, _ in code_blocks(path):
            if lang != "python":
                continue
            for module, names in re.findall(r"^from (mmgym[\w.]*) import ([\w, ]+)", body, re.MULTILINE):
                found.update((module, name.strip()) for name in names.split(","))
    return sorted(found)


@pytest.mark.parametrize(("module", "name"), python_imports(), ids=lambda v: v)
def test_a_documented_import_works(module: str, name: str) -> None:
    assert hasattr(importlib.import_module(module), name), f"from {module} import {name}"


def test_the_documented_env_follows_the_language_contract(in_project: Path) -> None:
    import gymnasium as gym

    from mmgym.core.language_env import check_language_env

    importlib.import_module("my_pkg.envs")
    env = gym.make("my_pkg/CountTo-v0")
    check_language_env(env, seed=0)
    env.reset(seed=0)
    for action in env.get_wrapper_attr("expert_plan")():
        *_, info = env.step(action)
    assert info["success"]


def test_the_from_python_example_runs(in_project: Path, capsys: pytest.CaptureFixture) -> None:
    """The Extending page's "From Python" block, as written (its run directory lands in the scratch folder)."""
    (block,) = [
        body
        for lang, body, _ in code_blocks(ROOT / "docs" / "extending.md")
        if lang == "python" and "evaluate(suite" in body
    ]
    exec(compile(block, "docs/extending.md (From Python)", "exec"), {"__name__": "from_python"})
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("100.0")  # the oracle's accuracy, with its CI
    assert (in_project / "runs" / "oracle-demo" / "results.json").exists()


def doc_references(pattern: str) -> list[str]:
    """Every distinct backticked match of `pattern` in the README and on the site, prose and code alike."""
    return sorted({m for path in DOC_FILES for m in re.findall(f"`({pattern})`", path.read_text())})


@pytest.mark.parametrize("name", doc_references(r"mmgym(?:\.\w+)+"))
def test_a_documented_module_or_name_exists(name: str) -> None:
    """`mmgym.x.y` in the docs is a module, or a name a module defines (modules move; the docs must follow)."""
    try:
        found = importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # a name inside a module (`mmgym.tasks.suite.Suite`): the module has no __path__
        found = False
    if not found:
        module, _, attr = name.rpartition(".")
        assert hasattr(importlib.import_module(module), attr), f"{name}: no such module or name"


@pytest.mark.parametrize("path", [p for p in doc_references(r"mmgym/[a-z_][\w./*-]*") if "<" not in p])
def test_a_documented_path_exists(path: str) -> None:
    assert list(ROOT.glob(path.rstrip("/"))), f"{path}: no such file or folder"


@pytest.mark.parametrize("env_id", doc_references(r"mmgym/[A-Z]\w*-v\d+"))
def test_a_documented_env_id_is_registered(env_id: str) -> None:
    import gymnasium as gym

    import mmgym  # noqa: F401  (registers the envs)

    assert env_id in gym.registry
