"""A faithful local stand-in for the vendor's API, for tests, demos and trying without a key.

Everything it answers is simulated and labelled so (``"simulated": true`` in JSON, an
``X-Wacheck-Sandbox`` header, and a note inside each result file).
"""

from .clock import VirtualClock
from .server import Faults, LoggedRequest, Sandbox
from .tasks import Timing

__all__ = ["Faults", "LoggedRequest", "Sandbox", "Timing", "VirtualClock"]
