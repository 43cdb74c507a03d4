"""EmbodiedEval: option-menu tasks scored by predicates and SPL (`suite=embodied_eval`)."""

from mmgym.tasks.embodied_eval.suite import EmbodiedEvalSuite, episode_scores, spl

__all__ = ["EmbodiedEvalSuite", "episode_scores", "spl"]
