"""Page, style and script of `mmgym view` (package data)."""
