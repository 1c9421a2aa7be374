"""Callbacks for training and watching kgen models."""

from kgen.callbacks.stop_on_nan import StopOnNaN

__all__ = ["StopOnNaN"]
