"""Image-to-image translation: Pix2Pix, CycleGAN, StarGAN and their builders."""

from kgen.models.translation.builders import build_patchgan_discriminator
from kgen.models.translation.builders import build_resnet_generator
from kgen.models.translation.builders import build_stargan_discriminator
from kgen.models.translation.builders import build_stargan_generator
from kgen.models.translation.builders import build_unet_generator
from kgen.models.translation.builders import patchgan_receptive_field
from kgen.models.translation.cycle_gan import CycleGAN
from kgen.models.translation.deblur_gan import DeblurGAN
from kgen.models.translation.pix2pix import Pix2Pix
from kgen.models.translation.star_gan import StarGAN

__all__ = [
    "CycleGAN",
    "DeblurGAN",
    "Pix2Pix",
    "StarGAN",
    "build_patchgan_discriminator",
    "build_resnet_generator",
    "build_stargan_discriminator",
    "build_stargan_generator",
    "build_unet_generator",
    "patchgan_receptive_field",
]
