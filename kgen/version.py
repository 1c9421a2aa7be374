"""The single source of kgen's version."""

__version__ = "0.1.0"
