"""A run's persistent side: the resumable episode store, the run's config, aggregation into typed results."""
