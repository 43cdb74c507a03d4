"""What people read: the results table, the HTML report and its plots, episode replays."""
