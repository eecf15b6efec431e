"""Models of tidbok."""
