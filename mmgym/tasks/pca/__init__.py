"""PCA-Bench: single decisions scored on perception, cognition and action by measured judges.

- `suite`: `PCASuite` (`suite=pca`, and `suite=pca_loop` for the closed loop);
- `judges`: the lexical and the model judge (`suite/judge=lexical|model`);
- `judge_check`: measuring a judge on labelled cases before its scores are trusted;
- `plugin`: the `mmgym judge-check` command and the report's judge-check table.
"""

from mmgym.tasks.pca.judges import Judge, LexicalJudge, ModelJudge, Verdict
from mmgym.tasks.pca.suite import PCASuite, decision_scores, loop_scores

__all__ = ["Judge", "LexicalJudge", "ModelJudge", "PCASuite", "Verdict", "decision_scores", "loop_scores"]
