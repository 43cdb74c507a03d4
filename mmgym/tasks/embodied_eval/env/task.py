"""An EmbodiedEval-style task as plain data: the category, the words, the scene, the answers and the predicates.

A task's scene is a MiniWorld `Scene` (navigation and question answering in 3D rooms) or a BabyAI
level and seed (object interaction on a grid). `answers` are the answer options the menu offers
(a question-answering task ends with one of them); `look_at` names the objects an agent must see
before it can know the answer (the expert brings them into view, so its path is a fair reference).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mmgym.envs.miniworld import Scene
from mmgym.tasks.embodied_eval.env.predicates import Answered, Predicate

CATEGORIES: dict[str, str] = {
    "navigation": "walk to an object named by colour and kind, its use, or its relation to another, or to a "
    "spot near two objects (MiniWorld)",
    "object_interaction": "pick up an object, or move it next to, closer to or away from another; some tasks "
    "then pick up or go to a third (BabyAI)",
    "attribute_qa": "the colour of an object in another room: explore, see it (some tasks: go to it), answer "
    "(MiniWorld)",
    "spatial_qa": "which of two objects is closer to a third (MiniWorld)",
}
Simulator = Literal["miniworld", "babyai"]


class GridLevel(BaseModel):
    """A BabyAI level and the seed that lays it out."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    level: str
    seed: int


class Task(BaseModel):
    """One task: what `EmbodiedEvalEnv.reset(options={"scene": ...})` plays."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    category: str
    text: str
    miniworld: Scene | None = None
    babyai: GridLevel | None = None
    answers: tuple[str, ...] = ()
    predicates: tuple[Predicate, ...] = Field(min_length=1)
    look_at: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _one_scene(self) -> Task:
        if (self.miniworld is None) == (self.babyai is None):
            raise ValueError("a task needs exactly one scene: miniworld or babyai")
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown category {self.category!r}; valid: {', '.join(CATEGORIES)}")
        for predicate in self.predicates:
            if isinstance(predicate, Answered) and predicate.answer not in self.answers:
                raise ValueError(f"the answer {predicate.answer!r} is not one of the answer options {self.answers}")
        return self

    @property
    def simulator(self) -> Simulator:
        return "miniworld" if self.miniworld is not None else "babyai"

    @property
    def is_question(self) -> bool:
        """A question ends only with an answer; other tasks end as soon as every predicate holds."""
        return bool(self.answers)
