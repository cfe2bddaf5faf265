"""The one place the version lives (imported by the package and its User-Agent)."""

__version__ = "0.1.0"
