"""Every model of every domain, imported together.

Relationships across domains name their targets by string ("Program"), which SQLAlchemy
resolves when the mappers are first configured: a query built at import time (a module-level
DriverRead) configures them, and fails if a named class has not been imported yet. The
package imports this module first, so whatever a script or a test imports, all are there.
"""

from lms.accounts import models as _accounts  # noqa: F401
from lms.api import models as _api  # noqa: F401
from lms.assessment import models as _assessment  # noqa: F401
from lms.catalog import models as _catalog  # noqa: F401
from lms.certificates import models as _certificates  # noqa: F401
from lms.core import audit as _audit  # noqa: F401
from lms.coverage import reminders as _reminders  # noqa: F401
from lms.coverage import snapshots as _snapshots  # noqa: F401
from lms.programs import models as _programs  # noqa: F401
from lms.registry import models as _registry  # noqa: F401
from lms.workshops import models as _workshops  # noqa: F401
