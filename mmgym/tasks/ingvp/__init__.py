"""ING-VP: six vision puzzle games in six settings (one- or multi-step, image or text, with or without history).

- `suite`: `IngvpSuite`, mmgym's levels with ING-VP's settings and metrics (`suite=ingvp`);
- `paper`: `IngvpPaperSuite`, ING-VP's own 300 levels read from its released files (`suite=ingvp_paper`);
- `settings`: the six settings and the play rules each maps onto;
- `files`: readers of ING-VP's released level files (`python -m mmgym.tasks.ingvp.files`).
"""

from mmgym.tasks.ingvp.paper import IngvpPaperSuite
from mmgym.tasks.ingvp.settings import ALL_SETTINGS, Setting
from mmgym.tasks.ingvp.suite import IngvpSuite, score_ingvp

__all__ = ["ALL_SETTINGS", "IngvpPaperSuite", "IngvpSuite", "Setting", "score_ingvp"]
