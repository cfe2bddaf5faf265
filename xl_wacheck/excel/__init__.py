"""The Excel front-end: ribbon entry points, a detached worker, and Excel behind a port.

Everything Excel-specific is I/O; decisions stay in the core. The port
(:class:`~xl_wacheck.excel.port.ExcelPort`) has two adapters: xlwings for the real Excel
and an in-memory (optionally file-backed) fake for tests and the detached-worker test.
"""

from .entry import about, cancel, check_selection, refresh, settings

__all__ = ["about", "cancel", "check_selection", "refresh", "settings"]
