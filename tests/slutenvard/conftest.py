from tests.slutenvard.helpers import wards  # noqa: F401
