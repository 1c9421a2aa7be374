"""Variational autoencoders: the VAE and the conditional VAE."""

from kgen.models.vae.conditional_vae import ConditionalVAE
from kgen.models.vae.vae import VAE

__all__ = ["ConditionalVAE", "VAE"]
