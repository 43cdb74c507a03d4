"""mmgym: evaluate multimodal LLM agents in interactive environments through one Gymnasium API."""

from mmgym import envs  # noqa: F401  (registers the simulators' envs with Gymnasium)
from mmgym.tasks.registration import register_envs

register_envs()  # and the envs the benchmarks' protocols bring (their entry points only: nothing heavy loads)

__version__ = "0.1.0"
