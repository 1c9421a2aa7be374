"""StyleGAN: style-based generator, its networks and their builders."""

from kgen.models.style_gan.builders import build_mapping_network
from kgen.models.style_gan.builders import build_style_discriminator
from kgen.models.style_gan.builders import build_style_generator
from kgen.models.style_gan.style_gan import StyleGAN
from kgen.models.style_gan.style_generator import StyleGenerator
from kgen.models.style_gan.synthesis_network import SynthesisNetwork

__all__ = [
    "StyleGAN",
    "StyleGenerator",
    "SynthesisNetwork",
    "build_mapping_network",
    "build_style_discriminator",
    "build_style_generator",
]
