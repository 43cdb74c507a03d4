"""MkDocs hook: the suite pages' tables are built from the code at every build, so they cannot drift.

Two markers, each alone on its line in a page's Markdown:

- `<!-- mmgym:suite NAME [OVERRIDE ...] [needs-data] [no-env] -->` becomes the suite's generated
  section: its episodes, metrics, groupings, play rules and its envs' actions. The suite is built
  through its Hydra config (`suite=NAME` plus the overrides), as `mmgym run` builds it, never from a
  module path. `needs-data`: the suite cannot be built without external data; the section then
  shows what its class declares and the reason the config gave. `no-env`: no env is made.
- `<!-- mmgym:suites -->` becomes a table of every shipped suite config with its one-line
  description and a link to the page that documents it.

A shipped suite config that no page documents, a marker naming no config, and a suite or env that
fails to build are warnings, so `mkdocs build --strict` (`make docs`) fails on them.
"""

from __future__ import annotations

import logging
import posixpath
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("mkdocs.hooks.suite_pages")

SUITE_MARKER = re.compile(r"^<!--\s*mmgym:suite\s+(?P<args>[^>]*?)\s*-->\s*$", re.MULTILINE)
SUITES_MARKER = re.compile(r"^<!--\s*mmgym:suites\s*-->\s*$", re.MULTILINE)
FLAGS = ("needs-data", "no-env")
MAX_ENVS = 8  # distinct env ids made per suite (ING-VP has six)
FOLD_ACTIONS = 24  # longer action lists go into a folded block


@dataclass(frozen=True)
class Marker:
    suite: str
    overrides: tuple[str, ...] = ()
    flags: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, args: str) -> Marker:
        name, *rest = args.split()
        unknown = [word for word in rest if "=" not in word and word not in FLAGS]
        if unknown:
            raise ValueError(f"unknown word(s) {unknown} in the marker of suite {name}; flags: {', '.join(FLAGS)}")
        return cls(name, tuple(w for w in rest if "=" in w), frozenset(w for w in rest if "=" not in w))


@dataclass
class State:
    """What one build knows: which page documents which suite, and the sections made so far."""

    pages: dict[str, str] = field(default_factory=dict)  # suite name -> src path of its page
    titles: dict[str, str] = field(default_factory=dict)  # src path -> the page's title in the nav
    sections: dict[Marker, str] = field(default_factory=dict)


STATE = State()


# --- MkDocs events ---------------------------------------------------------------------------------------------


def on_pre_build(config: Any) -> None:
    STATE.pages.clear()
    STATE.titles.clear()
    STATE.sections.clear()


def on_files(files: Any, config: Any) -> Any:
    """Find every marker before any page is rendered, so the overview can link to each suite's page."""
    from mmgym.cli.catalogue import config_options

    shipped = config_options("suite")
    for file in files.documentation_pages():
        for match in SUITE_MARKER.finditer(file.content_string):
            name = match["args"].split()[0]
            if name not in shipped:
                log.warning("%s: the marker names suite %r, which has no shipped config", file.src_uri, name)
            STATE.pages.setdefault(name, file.src_uri)
    for name in shipped:
        if name not in STATE.pages:
            log.warning("suite %r has a config but no page: add `<!-- mmgym:suite %s -->` to its page", name, name)
    return files


def on_nav(nav: Any, config: Any, files: Any) -> Any:
    for page in nav.pages:
        if page.title:
            STATE.titles[page.file.src_uri] = page.title
    return nav


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    src = page.file.src_uri
    markdown = SUITES_MARKER.sub(lambda _: suites_table(src), markdown)
    return SUITE_MARKER.sub(lambda match: section_of(match["args"], src), markdown)


def section_of(args: str, src: str) -> str:
    try:
        marker = Marker.parse(args)
    except ValueError as exc:
        log.warning("%s: %s", src, exc)
        return ""
    if marker not in STATE.sections:
        started = time.perf_counter()
        STATE.sections[marker] = suite_section(marker)
        log.debug("suite %s generated in %.2f s", marker.suite, time.perf_counter() - started)
    return STATE.sections[marker]


# --- the overview --------------------------------------------------------------------------------------------


def suites_table(src: str) -> str:
    from mmgym.cli.catalogue import config_options

    rows = ["| suite | what it plays | page |", "|---|---|---|"]
    for name, description in config_options("suite").items():
        page = STATE.pages.get(name)
        link = f"[{_title_of(page)}]({posixpath.relpath(page, posixpath.dirname(src) or '.')})" if page else ""
        rows.append(f"| `{name}` | {_cell(description)} | {link} |")
    return "\n".join(rows) + "\n"


def _title_of(src: str) -> str:
    return STATE.titles.get(src) or posixpath.splitext(posixpath.basename(src))[0].replace("_", " ")


# --- one suite -------------------------------------------------------------------------------------------------


def suite_section(marker: Marker) -> str:
    """The generated Markdown for one suite config (a warning, and a note in the page, if it cannot be built)."""
    from mmgym.errors import ConfigError

    overrides = [f"suite={marker.suite}", *marker.overrides]
    command = " ".join(overrides)
    lines = [f"## `{command}`, from the code", ""]
    lines += [
        f"*Generated at build time from the suite that `mmgym run {command}` builds "
        "(its config, its `metrics`, `groupings()`, `macro_over` and `specs()`, and its envs).*",
        "",
    ]
    try:
        suite = build_suite(overrides)
        specs = suite.specs()
    except ConfigError as exc:
        if "needs-data" not in marker.flags:
            log.warning("suite %s does not build: %s", command, exc)
            return "\n".join([*lines, f"!!! failure\n    It did not build: {exc}", ""])
        return "\n".join([*lines, *declared_only(overrides, str(exc)), *settings_table(marker.suite)])
    except Exception as exc:
        log.warning("suite %s does not build: %s: %s", command, type(exc).__name__, exc)
        return "\n".join([*lines, f"!!! failure\n    It did not build: {type(exc).__name__}: {exc}", ""])
    lines += [f"**Episodes**: {len(specs):,} with this config.", ""]
    lines += settings_table(marker.suite)
    lines += metrics_table(suite.metrics)
    lines += groupings_table(suite, specs)
    lines += rules_table(specs)
    if "no-env" in marker.flags:
        lines += ["No env was made for this page (`no-env`).", ""]
    else:
        lines += envs_section(specs, command)
    return "\n".join(lines)


def build_suite(overrides: list[str]) -> Any:
    from hydra import compose, initialize_config_module

    from mmgym.cli.build import build_object

    with initialize_config_module("mmgym.conf", version_base=None):
        return build_object(compose("config", overrides=overrides).suite, "suite")


def declared_only(overrides: list[str], reason: str) -> list[str]:
    """What a suite that needs data declares without it: its class's metrics and groupings, and why no more."""
    from hydra import compose, initialize_config_module
    from omegaconf import OmegaConf

    from mmgym.construct import locate

    with initialize_config_module("mmgym.conf", version_base=None):
        node = OmegaConf.to_container(compose("config", overrides=overrides).suite, resolve=True)
    assert isinstance(node, dict)
    cls = locate(str(node.pop("_target_")), "suite")
    lines = [
        '!!! note "Needs external data"',
        f'    Without it, the suite stops with: "{_cell(reason)}". So its episodes, play rules and actions are '
        "not generated here; the metrics and groupings below are what the suite's class declares.",
        "",
    ]
    lines += metrics_table(cls.metrics)
    try:
        groupings = list(cls.model_construct(**node).groupings())  # no validation: the data folder is missing
    except Exception:
        groupings = []
    if groupings:
        macro = set(getattr(cls, "macro_over", ()))
        lines += ["**Groupings**: " + ", ".join(f"`{g}`" + (" (macro mean)" if g in macro else "") for g in groupings)]
        lines += [""]
    return lines


def settings_table(name: str) -> list[str]:
    """Every `suite.<key>` of the config `suite=NAME`, at its value there, with the field's description."""
    from hydra import compose, initialize_config_module
    from omegaconf import OmegaConf

    from mmgym.construct import locate

    with initialize_config_module("mmgym.conf", version_base=None):
        node = OmegaConf.to_container(compose("config", overrides=[f"suite={name}"]).suite, resolve=True)
    assert isinstance(node, dict)
    cls = locate(str(node.pop("_target_")), "suite")
    rows = [
        "**Settings** (`suite.<key>=...` on the command line):",
        "",
        "| key | value | what it sets |",
        "|---|---|---|",
    ]
    for key, value in node.items():
        description = field_description(cls, key)
        rows.append(f"| `{key}` | `{_code(_yaml(value))}` | {_cell(description or '')} |")
    return [*rows, ""]


def field_description(cls: type, key: str) -> str:
    """The field's description, or the one a base class gives it (a suite that only changes a default keeps it)."""
    for base in cls.__mro__:
        field = getattr(base, "model_fields", {}).get(key)
        if field is not None and field.description:
            return field.description
    return ""


def _yaml(value: Any) -> str:
    import json

    return "null" if value is None else json.dumps(value) if not isinstance(value, str) else value


def metrics_table(metrics: Any) -> list[str]:
    rows = [
        "**Metrics**, in table order:",
        "",
        "| metric | scale | higher is better | what it is |",
        "|---|---|---|---|",
    ]
    for metric in metrics:
        low, high = metric.scale
        better = "yes" if metric.higher_is_better else "no"
        rows.append(f"| `{metric.name}` | {_number(low)} to {_number(high)} | {better} | {_cell(metric.description)} |")
    return [*rows, ""]


def groupings_table(suite: Any, specs: list[Any]) -> list[str]:
    """Each grouping with its groups and their episode counts (for groupings that a spec alone decides)."""
    from mmgym.core.records import EpisodeRecord

    macro = set(suite.macro_over)
    rows = [
        "**Groupings**: results are reported per group of each; *macro* groupings also get an equal-weight mean "
        "of their groups (`macro_over`).",
        "",
        "| grouping | macro | groups (episodes) |",
        "|---|---|---|",
    ]
    for name, key in suite.groupings().items():
        counts: Counter[str] = Counter()
        try:
            for spec in specs:
                group = key(EpisodeRecord(id=spec.id, spec=spec, started_at=0.0))
                if group is not None:
                    counts[group] += 1
            groups = _groups_cell(counts)
        except Exception:  # a grouping that needs the episode's outcome
            groups = "decided by the played episode"
        rows.append(f"| `{name}` | {_yes(name in macro)} | {groups} |")
    return [*rows, ""]


def _groups_cell(counts: Counter[str]) -> str:
    shown = [f"`{group}` ({n})" for group, n in counts.items()]
    if len(shown) > 12:
        return f"{len(shown)} groups: " + ", ".join(shown[:6]) + ", ..."
    return ", ".join(shown)


def rules_table(specs: list[Any]) -> list[str]:
    counts = Counter(spec.rules for spec in specs)
    rows = [
        "**Play rules** (`PlayRules`) of the episodes:",
        "",
        "| episodes | actions per reply | observation | history | max steps | single reply | hidden from the agent |",
        "|---|---|---|---|---|---|---|",
    ]
    for rules, n in counts.items():
        hidden = ", ".join(f"`{key}`" for key in rules.hidden_info)
        rows.append(
            f"| {n:,} | `{rules.actions_per_reply}` | `{rules.observation}` | {_yes(rules.history)} | "
            f"{rules.max_steps} | {_yes(rules.single_reply)} | {hidden} |"
        )
    return [*rows, ""]


def envs_section(specs: list[Any], command: str) -> list[str]:
    """For the first episode of each env id: the env's summary, its action grammar and the actions at reset."""
    firsts: dict[str, Any] = {}
    for spec in specs:
        firsts.setdefault(spec.env_id, spec)
    lines = []
    for env_id, spec in list(firsts.items())[:MAX_ENVS]:
        try:
            lines += env_lines(spec)
        except Exception as exc:
            log.warning("suite %s: env %s did not reset: %s: %s", command, env_id, type(exc).__name__, exc)
            lines += [f"!!! failure\n    `{env_id}` did not reset: {type(exc).__name__}: {exc}", ""]
    if len(firsts) > MAX_ENVS:
        lines += [f"{len(firsts) - MAX_ENVS} more env ids are not shown.", ""]
    return lines


def env_lines(spec: Any) -> list[str]:
    import gymnasium as gym

    import mmgym  # noqa: F401  (registers the envs)
    from mmgym.envs.registry import summary

    env = gym.make(spec.env_id, **spec.env_kwargs)
    try:
        env.reset(seed=spec.seed, options=spec.reset_options)
        grammar = str(env.get_wrapper_attr("action_grammar"))
        candidates = [str(action) for action in env.get_wrapper_attr("candidate_actions")()]
        try:
            vector = env.get_wrapper_attr("action_vector")
        except AttributeError:
            vector = None
    finally:
        env.close()
    lines = [f"**Env `{spec.env_id}`**: {_cell(summary(spec.env_id))}", ""]
    lines += ["Its action grammar, as the agent is told it:", "", "```text", grammar, "```", ""]
    if vector:
        bounds = ", ".join(f"{low}-{high}" for low, high in vector)
        lines += [f"Actions are vectors of {len(vector)} integers, written `[a, b, ...]`, within {bounds}; "
                  "the env lists no actions (`action_vector`).", ""]  # fmt: skip
    elif candidates:
        where = f"at the reset of the first `{spec.env_id}` episode, `{spec.task}`"
        listed = ", ".join(f"`{_code(action)}`" for action in candidates)
        if len(candidates) > FOLD_ACTIONS:
            lines += [f'??? note "The {len(candidates)} actions {where}"', f"    {listed}", ""]
        else:
            lines += [f"The {len(candidates)} actions {where}: {listed}.", ""]
    else:
        lines += ["The env lists no actions at reset (`candidate_actions()` is empty).", ""]
    return lines


# --- formatting ------------------------------------------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:g}"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _cell(text: str) -> str:
    """Text for one table cell: one line, pipes and angle brackets escaped (`<agent>` is text, not a tag)."""
    return " ".join(str(text).split()).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    return text.replace("`", "'").replace("|", "\\|")
