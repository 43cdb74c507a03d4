"""PCA-Bench: single decisions scored on perception, cognition and action by measured judges.

- `env`: PCA-Bench's decisions as the env `mmgym/PCA-v0`, their domains and frozen item sets;
- `pcabench`: PCA-Bench's own released files, read as they are;
- `suite`: `PCASuite` (`suite=pca`, and `suite=pca_loop` for the closed loop);
- `judges`: the lexical and the model judge (`suite/judge=lexical|model`);
- `judge_check`: measuring a judge on labelled cases before its scores are trusted;
- `plugin`: the `mmgym judge-check` command and the report's judge-check table.

The names below load their modules on first use: `import mmgym` imports this package to register
`env`'s env, and should not pay for the suite and its judges then.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mmgym.tasks.pca.judges import Judge, LexicalJudge, ModelJudge, Verdict
    from mmgym.tasks.pca.suite import PCASuite, decision_scores, loop_scores

EXPORTS = {  # name -> the module of this package that defines it
    "Judge": "judges",
    "LexicalJudge": "judges",
    "ModelJudge": "judges",
    "Verdict": "judges",
    "PCASuite": "suite",
    "decision_scores": "suite",
    "loop_scores": "suite",
}


def __getattr__(name: str) -> Any:
    if name not in EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{EXPORTS[name]}"), name)


__all__ = ["Judge", "LexicalJudge", "ModelJudge", "PCASuite", "Verdict", "decision_scores", "loop_scores"]
