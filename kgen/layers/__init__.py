"""Layers: RBM layers, sampling layers and small building blocks."""

from kgen.layers.bernoulli_rbm import BernoulliRBM
from kgen.layers.categorical_rbm import CategoricalRBM
from kgen.layers.gaussian_bernoulli_rbm import GaussianBernoulliRBM
from kgen.layers.gaussian_sampling import GaussianSampling
from kgen.layers.labelled_bernoulli_rbm import LabelledBernoulliRBM
from kgen.layers.rbm_layer import RBMLayer
from kgen.layers.spectral_normalization import SpectralNormalization

__all__ = [
    "BernoulliRBM",
    "CategoricalRBM",
    "GaussianBernoulliRBM",
    "GaussianSampling",
    "LabelledBernoulliRBM",
    "RBMLayer",
    "SpectralNormalization",
]
