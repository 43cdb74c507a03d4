"""The `mmgym` command and its Hydra wiring (the config catalogue itself lives in mmgym/conf)."""
