"""Exceptions for bad user input: each message is one line naming the bad value and the valid ones."""

from __future__ import annotations

from collections.abc import Iterable


class MmgymError(Exception):
    """Base class for every error mmgym raises on purpose."""


class ConfigError(MmgymError):
    """A config value, override or name is not valid."""


class LevelFormatError(MmgymError):
    """A level text does not follow the game's standard format."""


def unknown_name(kind: str, name: str, valid: Iterable[str]) -> ConfigError:
    """Build the one-line 'unknown X' error, with a close match when there is one."""
    import difflib

    valid = sorted(valid)
    close = difflib.get_close_matches(name, valid, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return ConfigError(f"unknown {kind} {name!r}; valid: {', '.join(valid)}.{hint}")


class SimulatorLost(MmgymError):
    """An env's simulator process died mid-episode. The env starts a new one at its next reset, so the
    runner replays the episode from its start (as when a Ray env worker dies)."""


class EpisodeChanged(MmgymError):
    """A frozen episode no longer builds the state it was frozen with (its fingerprint differs), as when a
    simulator library was upgraded: scores would no longer compare with earlier runs."""
