"""Experiment trackers (`tracker=mlflow|wandb|tensorboard`): a finished run's config, metrics and report, logged
through each tracker's own client library, imported only when that tracker is used."""
