"""Autoregressive models with exact likelihoods: NADE, MADE, PixelCNN."""

from kgen.models.autoregressive.autoregressive_model import AutoregressiveModel
from kgen.models.autoregressive.made import MADE
from kgen.models.autoregressive.nade import NADE
from kgen.models.autoregressive.pixelcnn import PixelCNN

__all__ = ["AutoregressiveModel", "MADE", "NADE", "PixelCNN"]
