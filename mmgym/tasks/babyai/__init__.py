"""The BabyAI household suite: EB-ALFRED-style missions on BabyAI levels (`suite=babyai`)."""

from mmgym.tasks.babyai.suite import BabyAISuite

__all__ = ["BabyAISuite"]
