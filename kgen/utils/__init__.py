"""Small utilities shared across kgen."""

from kgen.utils.validation import check_array
from kgen.utils.validation import check_integer
from kgen.utils.validation import is_array

__all__ = ["check_array", "check_integer", "is_array"]
