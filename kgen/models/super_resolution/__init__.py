"""Super-resolution: SRGAN / SRResNet and their network builders."""

from kgen.models.super_resolution.builders import build_srgan_discriminator
from kgen.models.super_resolution.builders import build_srresnet_generator
from kgen.models.super_resolution.srgan import SRGAN

__all__ = [
    "SRGAN",
    "build_srgan_discriminator",
    "build_srresnet_generator",
]
