"""GANs: the adversarial family and its network builders."""

from kgen.models.gan.ac_gan import ACGAN
from kgen.models.gan.adversarial_model import AdversarialModel
from kgen.models.gan.builders import build_dcgan_discriminator
from kgen.models.gan.builders import build_dcgan_generator
from kgen.models.gan.builders import build_mlp_discriminator
from kgen.models.gan.builders import build_mlp_generator
from kgen.models.gan.conditional_gan import ConditionalGAN
from kgen.models.gan.gan import GAN

__all__ = [
    "ACGAN",
    "AdversarialModel",
    "ConditionalGAN",
    "GAN",
    "build_dcgan_discriminator",
    "build_dcgan_generator",
    "build_mlp_discriminator",
    "build_mlp_generator",
]
