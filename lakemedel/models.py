"""Models of lakemedel."""
