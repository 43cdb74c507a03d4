"""mmgym: evaluate multimodal LLM agents in interactive environments through one Gymnasium API."""

from mmgym import envs  # noqa: F401  (registers the envs with Gymnasium)

__version__ = "0.1.0"
