"""What is registered about mmgym's envs beyond Gymnasium's registry: ids, one-line summaries, fingerprinted sets.

`mmgym list` describes any env that follows the language contract: an env class may offer
`summary(**kwargs) -> str` (a classmethod, given its registration's kwargs) for a one-line
description; otherwise the first line of its docstring is used. Nothing is built.
"""

from __future__ import annotations

import gymnasium as gym

_FINGERPRINTED: dict[str, str] = {}  # family -> the module whose `FINGERPRINTS` book holds its fingerprints


def add_fingerprint_family(family: str, module: str) -> None:
    """Put a benchmark env's frozen sets under `python -m mmgym.envs.fingerprints` (`module` is imported when used)."""
    _FINGERPRINTED.setdefault(family, module)


def fingerprint_families() -> dict[str, str]:
    """The families added with `add_fingerprint_family`, in the order they were added."""
    return dict(_FINGERPRINTED)


def env_id(name: str) -> str:
    """The id mmgym registers an env under: `mmgym/<Name>-v0`."""
    return f"mmgym/{name}-v0"


def env_summaries(namespace: str = "mmgym/") -> dict[str, str]:
    """Env id -> one-line description, for every registered env whose id starts with `namespace`."""
    return {env_id: summary(env_id) for env_id in sorted(gym.registry) if env_id.startswith(namespace)}


def summary(env_id: str) -> str:
    spec = gym.spec(env_id)
    try:
        creator = gym.envs.registration.load_env_creator(spec.entry_point)
    except Exception as exc:  # an optional dependency missing: say so rather than fail the listing
        return f"(cannot be loaded here: {type(exc).__name__}: {exc})"
    describe = getattr(creator, "summary", None)
    if callable(describe):
        return str(describe(**spec.kwargs))
    doc = (creator.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else ""
