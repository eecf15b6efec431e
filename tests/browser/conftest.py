# The browser fixtures live in tests/browser_support.py and are registered for the whole suite.
from tests.browser_support import browser_login

__all__ = ["browser_login"]
