"""Puzzle sprint: a worked example of a suite written in one package and one YAML (`suite=puzzle_sprint`).

The docs' "Writing a suite" page walks through it. Everything a suite needs is here:
- `suite.py`: its config fields, episode source, play rules, metrics and scorer;
- `conf/suite/puzzle_sprint.yaml`: its one-line description and its target.
"""

from mmgym.tasks.puzzle_sprint.suite import PuzzleSprintSuite

__all__ = ["PuzzleSprintSuite"]
