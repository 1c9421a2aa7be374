"""kgen models: the base classes and one folder per model family."""

from kgen.models.autoencoder import Autoencoder
from kgen.models.autoencoder import DenoisingAutoencoder
from kgen.models.autoencoder import conv_decoder
from kgen.models.autoencoder import conv_encoder
from kgen.models.autoencoder import dense_decoder
from kgen.models.autoencoder import dense_encoder
from kgen.models.autoregressive import MADE
from kgen.models.autoregressive import NADE
from kgen.models.autoregressive import AutoregressiveModel
from kgen.models.autoregressive import PixelCNN
from kgen.models.boltzmann import DBM
from kgen.models.boltzmann import DBN
from kgen.models.boltzmann import RBM
from kgen.models.boltzmann import BoltzmannMachine
from kgen.models.boltzmann import UpDownDBN
from kgen.models.flow import MAF
from kgen.models.flow import NormalizingFlow
from kgen.models.flow import RealNVP
from kgen.models.gan import ACGAN
from kgen.models.gan import GAN
from kgen.models.gan import AdversarialModel
from kgen.models.gan import ConditionalGAN
from kgen.models.gan import build_dcgan_discriminator
from kgen.models.gan import build_dcgan_generator
from kgen.models.gan import build_mlp_discriminator
from kgen.models.gan import build_mlp_generator
from kgen.models.generative_model import GenerativeModel
from kgen.models.lapgan import LAPGAN
from kgen.models.lapgan import build_lapgan_discriminator
from kgen.models.lapgan import build_lapgan_generator
from kgen.models.phase import Phase
from kgen.models.phased_model import PhasedModel
from kgen.models.style_gan import StyleGAN
from kgen.models.style_gan import StyleGenerator
from kgen.models.style_gan import SynthesisNetwork
from kgen.models.style_gan import build_mapping_network
from kgen.models.style_gan import build_style_discriminator
from kgen.models.style_gan import build_style_generator
from kgen.models.super_resolution import SRGAN
from kgen.models.super_resolution import build_srgan_discriminator
from kgen.models.super_resolution import build_srresnet_generator
from kgen.models.translation import CycleGAN
from kgen.models.translation import DeblurGAN
from kgen.models.translation import Pix2Pix
from kgen.models.translation import StarGAN
from kgen.models.translation import build_patchgan_discriminator
from kgen.models.translation import build_resnet_generator
from kgen.models.translation import build_stargan_discriminator
from kgen.models.translation import build_stargan_generator
from kgen.models.translation import build_unet_generator
from kgen.models.translation import patchgan_receptive_field
from kgen.models.vae import VAE
from kgen.models.vae import ConditionalVAE

__all__ = [
    "ACGAN",
    "AdversarialModel",
    "Autoencoder",
    "AutoregressiveModel",
    "BoltzmannMachine",
    "build_dcgan_discriminator",
    "build_dcgan_generator",
    "build_lapgan_discriminator",
    "build_lapgan_generator",
    "build_mlp_discriminator",
    "build_mapping_network",
    "build_mlp_generator",
    "build_patchgan_discriminator",
    "build_resnet_generator",
    "build_srgan_discriminator",
    "build_srresnet_generator",
    "build_stargan_discriminator",
    "build_stargan_generator",
    "build_style_discriminator",
    "build_style_generator",
    "build_unet_generator",
    "conv_decoder",
    "conv_encoder",
    "ConditionalGAN",
    "ConditionalVAE",
    "CycleGAN",
    "DeblurGAN",
    "DBM",
    "DBN",
    "DenoisingAutoencoder",
    "dense_decoder",
    "dense_encoder",
    "GAN",
    "GenerativeModel",
    "LAPGAN",
    "MADE",
    "MAF",
    "NADE",
    "NormalizingFlow",
    "Phase",
    "PhasedModel",
    "PixelCNN",
    "Pix2Pix",
    "patchgan_receptive_field",
    "RBM",
    "RealNVP",
    "SRGAN",
    "StarGAN",
    "StyleGAN",
    "StyleGenerator",
    "SynthesisNetwork",
    "UpDownDBN",
    "VAE",
]
