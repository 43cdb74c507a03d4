"""The Ray runner: rollouts stay in the driver; envs and model backends can live in actors."""
