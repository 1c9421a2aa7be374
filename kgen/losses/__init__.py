"""Losses and log-likelihoods in pure `keras.ops`."""

from kgen.losses.adversarial_loss import AdversarialLoss
from kgen.losses.feature_matching import feature_matching_loss
from kgen.losses.gan_losses import get_gan_loss
from kgen.losses.gan_losses import gradient_penalty
from kgen.losses.gan_losses import hinge_discriminator_loss
from kgen.losses.gan_losses import input_gradient_norm
from kgen.losses.gan_losses import interpolate
from kgen.losses.gan_losses import least_squares_discriminator_loss
from kgen.losses.gan_losses import least_squares_generator_loss
from kgen.losses.gan_losses import minimax_discriminator_loss
from kgen.losses.gan_losses import minimax_generator_loss
from kgen.losses.gan_losses import non_saturating_generator_loss
from kgen.losses.gan_losses import r1_penalty
from kgen.losses.gan_losses import wasserstein_discriminator_loss
from kgen.losses.gan_losses import wasserstein_generator_loss
from kgen.losses.kl_divergence import gaussian_kl_divergence
from kgen.losses.log_likelihood import bernoulli_log_likelihood
from kgen.losses.log_likelihood import gaussian_log_likelihood

__all__ = [
    "AdversarialLoss",
    "bernoulli_log_likelihood",
    "gaussian_kl_divergence",
    "feature_matching_loss",
    "gaussian_log_likelihood",
    "get_gan_loss",
    "gradient_penalty",
    "hinge_discriminator_loss",
    "input_gradient_norm",
    "interpolate",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "non_saturating_generator_loss",
    "r1_penalty",
    "wasserstein_discriminator_loss",
    "wasserstein_generator_loss",
]
