"""Layers: RBM layers, sampling layers and small building blocks."""

from kgen.layers.act_norm import ActNorm
from kgen.layers.affine_coupling import AffineCoupling
from kgen.layers.bernoulli_gaussian_rbm import BernoulliGaussianRBM
from kgen.layers.bernoulli_rbm import BernoulliRBM
from kgen.layers.bijector import Bijector
from kgen.layers.categorical_rbm import CategoricalRBM
from kgen.layers.equalized_conv2d import EqualizedConv2D
from kgen.layers.equalized_dense import EqualizedDense
from kgen.layers.flow_batch_normalization import FlowBatchNormalization
from kgen.layers.gaussian_bernoulli_rbm import GaussianBernoulliRBM
from kgen.layers.gaussian_gaussian_rbm import GaussianGaussianRBM
from kgen.layers.gaussian_sampling import GaussianSampling
from kgen.layers.image_pool import ImagePool
from kgen.layers.labelled_bernoulli_rbm import LabelledBernoulliRBM
from kgen.layers.logit_transform import LogitTransform
from kgen.layers.masked_autoregressive_transform import (
    MaskedAutoregressiveTransform,
)
from kgen.layers.masked_conv2d import MaskedConv2D
from kgen.layers.masked_dense import MaskedDense
from kgen.layers.masked_dense import autoregressive_mask
from kgen.layers.masked_dense import check_ordering
from kgen.layers.masked_dense import input_degrees
from kgen.layers.masked_dense import made_masks
from kgen.layers.minibatch_discrimination import MinibatchDiscrimination
from kgen.layers.minibatch_standard_deviation import MinibatchStandardDeviation
from kgen.layers.modulated_conv2d import ModulatedConv2D
from kgen.layers.noise_injection import NoiseInjection
from kgen.layers.permutation import Permutation
from kgen.layers.pixel_shuffle import PixelShuffle
from kgen.layers.rbm_layer import RBMLayer
from kgen.layers.reflection_padding_2d import ReflectionPadding2D
from kgen.layers.soft_skeleton import SoftSkeleton
from kgen.layers.spectral_normalization import SpectralNormalization
from kgen.layers.squeeze import Squeeze
from kgen.layers.weight_average import WeightAverage

__all__ = [
    "ActNorm",
    "AffineCoupling",
    "autoregressive_mask",
    "BernoulliGaussianRBM",
    "BernoulliRBM",
    "Bijector",
    "check_ordering",
    "CategoricalRBM",
    "EqualizedConv2D",
    "EqualizedDense",
    "FlowBatchNormalization",
    "GaussianBernoulliRBM",
    "GaussianGaussianRBM",
    "GaussianSampling",
    "ImagePool",
    "input_degrees",
    "LabelledBernoulliRBM",
    "LogitTransform",
    "made_masks",
    "MaskedConv2D",
    "MaskedAutoregressiveTransform",
    "MaskedDense",
    "MinibatchDiscrimination",
    "MinibatchStandardDeviation",
    "ModulatedConv2D",
    "NoiseInjection",
    "Permutation",
    "PixelShuffle",
    "RBMLayer",
    "ReflectionPadding2D",
    "SoftSkeleton",
    "SpectralNormalization",
    "Squeeze",
    "WeightAverage",
]
