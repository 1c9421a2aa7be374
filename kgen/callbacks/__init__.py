"""Callbacks for training and watching kgen models."""

from kgen.callbacks.filter_images import FilterImages
from kgen.callbacks.kl_annealing import KLAnnealing
from kgen.callbacks.periodic_picture import PeriodicPicture
from kgen.callbacks.sample_grid import SampleGrid
from kgen.callbacks.stop_on_nan import StopOnNaN

__all__ = [
    "FilterImages",
    "KLAnnealing",
    "PeriodicPicture",
    "SampleGrid",
    "StopOnNaN",
]
