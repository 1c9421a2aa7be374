"""Image-to-image translation: Pix2Pix, CycleGAN and their network builders."""

from kgen.models.translation.builders import build_patchgan_discriminator
from kgen.models.translation.builders import build_resnet_generator
from kgen.models.translation.builders import build_unet_generator
from kgen.models.translation.builders import patchgan_receptive_field
from kgen.models.translation.cycle_gan import CycleGAN
from kgen.models.translation.pix2pix import Pix2Pix

__all__ = [
    "CycleGAN",
    "Pix2Pix",
    "build_patchgan_discriminator",
    "build_resnet_generator",
    "build_unet_generator",
    "patchgan_receptive_field",
]
