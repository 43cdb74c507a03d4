"""mmgym's Hydra configs. Importing this package registers the benchmark packages' suite configs
(`mmgym.tasks.configs`), so that `suite=<name>` finds them wherever the config is composed."""

from mmgym.tasks.configs import register

register()
