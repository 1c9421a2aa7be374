"""Autoencoders: dense, convolutional and denoising, and their builders."""

from kgen.models.autoencoder.autoencoder import Autoencoder
from kgen.models.autoencoder.builders import conv_decoder
from kgen.models.autoencoder.builders import conv_encoder
from kgen.models.autoencoder.builders import dense_decoder
from kgen.models.autoencoder.builders import dense_encoder
from kgen.models.autoencoder.denoising_autoencoder import DenoisingAutoencoder

__all__ = [
    "Autoencoder",
    "DenoisingAutoencoder",
    "conv_decoder",
    "conv_encoder",
    "dense_decoder",
    "dense_encoder",
]
