"""/api/v1 for the filing registry: importing this module registers every route on the
blueprint (status.py: coverage and training status; push.py: roster pushes; base.py:
authentication, errors and the shared query arguments)."""

from lms.api import push, status  # noqa: F401  (their routes register on bp)
from lms.api.base import bp

__all__ = ["bp"]
