"""EmbodiedEval: option-menu tasks scored by predicates and SPL (`suite=embodied_eval`).

- `env`: EmbodiedEval's protocol as the env `mmgym/EmbodiedEval-v0`, with its frozen task sets;
- `released`: a reader for EmbodiedEval's own task files (definitions only: its scenes need LEGENT);
- `suite`: `EmbodiedEvalSuite`, its scores and SPL.

The names below load their module on first use: `import mmgym` imports this package to register
`env`'s env, and should not pay for the suite then.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mmgym.tasks.embodied_eval.suite import EmbodiedEvalSuite, episode_scores, spl

EXPORTS = {"EmbodiedEvalSuite": "suite", "episode_scores": "suite", "spl": "suite"}  # name -> its module


def __getattr__(name: str) -> Any:
    if name not in EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{EXPORTS[name]}"), name)


__all__ = ["EmbodiedEvalSuite", "episode_scores", "spl"]
