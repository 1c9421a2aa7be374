"""kgen: deep generative models for Keras 3 on TensorFlow, JAX and PyTorch."""

from kgen import _backend_choice  # noqa: F401  (first: checks the backend)
from kgen import backend
from kgen import callbacks
from kgen import datasets
from kgen import layers
from kgen import losses
from kgen import metrics
from kgen import models
from kgen import optimizers
from kgen import saving
from kgen import testing
from kgen import utils
from kgen.version import __version__

__all__ = [
    "__version__",
    "backend",
    "callbacks",
    "datasets",
    "layers",
    "losses",
    "metrics",
    "models",
    "optimizers",
    "saving",
    "testing",
    "utils",
]
