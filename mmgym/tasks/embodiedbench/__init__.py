"""EmbodiedBench: its four embodied tracks, and the CPU suites built after them.

- `thor`: EB-ALFRED and EB-Navigation on AI2-THOR, on EmbodiedBench's released episodes
  (`suite=eb_alfred`, `suite=eb_thor_nav`);
- `habitat`: EB-Habitat's rearrangement with its 70 skills (`suite=eb_habitat`);
- `nav`: EB-Navigation-style object navigation on MiniWorld's 3D rooms (`suite=eb_nav`);
- `manip`: EB-Manipulation-style tabletop manipulation on MuJoCo (`suite=eb_manip`).
"""

from mmgym.tasks.embodiedbench.habitat import EBHabitatSuite
from mmgym.tasks.embodiedbench.manip import EBManipSuite
from mmgym.tasks.embodiedbench.nav import EBNavSuite
from mmgym.tasks.embodiedbench.thor import EBAlfredSuite, EBThorNavSuite

__all__ = ["EBAlfredSuite", "EBHabitatSuite", "EBManipSuite", "EBNavSuite", "EBThorNavSuite"]
