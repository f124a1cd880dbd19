"""Domain events, so that a domain can react to another without importing it backwards."""

from blinker import Namespace

_signals = Namespace()

# Sent with user_id=... when an officer completes a lesson or finishes an exam attempt;
# certificates listens and issues one when a program's requirements are met.
progress_made = _signals.signal("progress-made")
