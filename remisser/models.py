"""Models of remisser."""
