"""Models of integrations."""
