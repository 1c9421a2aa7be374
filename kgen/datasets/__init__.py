"""Dataset loaders; the embedded digits work offline."""

from kgen.datasets.digits import load_digits

__all__ = ["load_digits"]
