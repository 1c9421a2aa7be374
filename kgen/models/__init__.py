"""kgen models: the base classes and one folder per model family."""

from kgen.models.generative_model import GenerativeModel
from kgen.models.phase import Phase
from kgen.models.phased_model import PhasedModel

__all__ = ["GenerativeModel", "Phase", "PhasedModel"]
