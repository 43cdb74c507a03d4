"""A run's persistent side, and the owner of the run directory: its layout, the resumable episode store, the run's
config, episode video names and encoding, the summary into typed results, and `RunDir` to read a run back."""
