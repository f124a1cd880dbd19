"""How often a certificate's holder name may be checked on /verify: ten times an hour.

A typed name confirmed shows the enterprise: guessed name after name, the middle character of a
three-character name falls in a few hundred tries. An employer checks a certificate's name once
or twice; ten tries an hour per certificate, from anywhere, stops the guessing.

Counted here, in Flask-Limiter's storage, rather than by a limit on the route: a route limit
refuses the whole page, so ten requests from anyone hid any certificate's status for an hour.
Once the ten are spent, the page still answers the status; only the name goes unchecked.
"""

from __future__ import annotations

import logging
import time

from limits import parse

from lms.extensions import limiter

PER_CERTIFICATE = parse("10 per hour")
_SCOPE = "verify-name"

log = logging.getLogger(__name__)


def allow_name_check(serial: str) -> bool:
    """Count one name check of the certificate; False once its checks for the hour are spent."""
    if not limiter.enabled:
        return True
    try:
        return limiter.limiter.hit(PER_CERTIFICATE, _SCOPE, serial)
    except Exception:  # noqa: BLE001 - storage unreachable: no name check (it shows the enterprise)
        log.exception("name check limit unavailable")
        return False


def seconds_until_name_check(serial: str) -> int | None:
    """How long until the certificate's name may be checked again (None when unknown)."""
    try:
        reset_at = limiter.limiter.get_window_stats(PER_CERTIFICATE, _SCOPE, serial).reset_time
    except Exception:  # noqa: BLE001 - storage unreachable
        return None
    return max(int(reset_at - time.time()), 1)
