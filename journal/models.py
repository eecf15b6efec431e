"""Models of journal."""
