"""LAPGAN: a Laplacian pyramid of adversarial networks."""

from kgen.models.lapgan.builders import build_lapgan_discriminator
from kgen.models.lapgan.builders import build_lapgan_generator
from kgen.models.lapgan.lapgan import LAPGAN

__all__ = ["LAPGAN", "build_lapgan_discriminator", "build_lapgan_generator"]
