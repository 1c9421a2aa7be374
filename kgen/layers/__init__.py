"""Layers: sampling layers and small building blocks."""

from kgen.layers.spectral_normalization import SpectralNormalization

__all__ = [
    "SpectralNormalization",
]
