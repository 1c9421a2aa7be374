"""kgen models: the base classes and one folder per model family."""

from kgen.models.boltzmann import BoltzmannMachine
from kgen.models.gan import ACGAN
from kgen.models.gan import ConditionalGAN
from kgen.models.gan import GAN
from kgen.models.gan import build_dcgan_discriminator
from kgen.models.gan import build_dcgan_generator
from kgen.models.gan import build_mlp_discriminator
from kgen.models.gan import build_mlp_generator
from kgen.models.generative_model import GenerativeModel
from kgen.models.phase import Phase
from kgen.models.phased_model import PhasedModel

__all__ = [
    "ACGAN",
    "BoltzmannMachine",
    "build_dcgan_discriminator",
    "build_dcgan_generator",
    "build_mlp_discriminator",
    "build_mlp_generator",
    "ConditionalGAN",
    "GAN",
    "GenerativeModel",
    "Phase",
    "PhasedModel",
]
