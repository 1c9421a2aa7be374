"""Loading `.keras` files with errors that say what is wrong with them."""

from kgen.saving.model_file import check_model_file
from kgen.saving.model_file import load_model

__all__ = ["check_model_file", "load_model"]
