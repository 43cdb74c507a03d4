"""Template, style and script of `mmgym report` (package data)."""
