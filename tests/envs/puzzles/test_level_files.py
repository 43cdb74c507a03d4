"""Level files as distributed: XSB collections with `;` comments, Title/Author lines and Comment blocks."""

from __future__ import annotations

from pathlib import Path

from mmgym.agents.scripted import ExpertAgent
from mmgym.envs.puzzles.levels import load_set
from mmgym.runners.evaluate import evaluate
from mmgym.tasks.ingvp.suite import IngvpSuite

COLLECTION = """; A collection in the layout distributed XSB files use (written for this test)
; 1

####
# .#
#  ###
#*@  #
#  $ #
#  ###
####
Title: Tiny one
Author: somebody

; 2
Comment:
a comment whose lines # look like walls
####
Comment-End:
#####
#@$.#
#####
Title: Corridor
;3 comes right after, with no blank line
  #####
###   #
#.@$  #
#######
"""


def test_an_xsb_collection_with_comments_and_titles_loads_every_level(tmp_path: Path) -> None:
    path = tmp_path / "collection.xsb"
    path.write_text(COLLECTION)
    level_set = load_set("sokoban", str(path))
    assert [level.text.count("\n") + 1 for level in level_set.levels] == [7, 3, 4]
    assert level_set.levels[1].text == "#####\n#@$.#\n#####" and level_set.levels[1].optimal_length == 1
    assert all(";" not in level.text and "Title" not in level.text for level in level_set.levels)


def test_the_suite_plays_an_xsb_collection_and_the_expert_solves_every_level(tmp_path: Path) -> None:
    path = tmp_path / "collection.xsb"
    path.write_text(COLLECTION)
    suite = IngvpSuite(games=["sokoban"], settings=["multi_step-text-history"], level_set=str(path))
    results = evaluate(suite, ExpertAgent, tmp_path / "run", show_progress=False)
    assert results.episodes == 3 and results.overall()["accuracy"].mean == 100.0
