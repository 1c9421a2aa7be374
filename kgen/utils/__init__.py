"""Small utilities shared across kgen."""

from kgen.utils.images import image_grid
from kgen.utils.images import save_image_grid
from kgen.utils.validation import check_array
from kgen.utils.validation import check_integer
from kgen.utils.validation import is_array

__all__ = ["image_grid", "save_image_grid", "check_array", "check_integer", "is_array"]
