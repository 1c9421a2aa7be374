"""Colourisation: colour grey images with networks trained in CIE Lab.

`Colouriser` trains on lightness/colour pairs of photo patches and colours
grey images of any size with `colourise`; the helpers convert to and from
Lab, quantise colours for classification, build data split by photo, fit
baselines and score colourisations.
"""

from kgen.applications.colourisation.baselines import BASELINES
from kgen.applications.colourisation.baselines import fit_baselines
from kgen.applications.colourisation.colour_bins import ab_bins
from kgen.applications.colourisation.colour_bins import annealed_mean
from kgen.applications.colourisation.colour_bins import bin_prior
from kgen.applications.colourisation.colour_bins import nearest_bins
from kgen.applications.colourisation.colour_bins import rebalancing_weights
from kgen.applications.colourisation.colour_bins import soft_encode
from kgen.applications.colourisation.colourfulness import colourfulness
from kgen.applications.colourisation.colouriser import METHODS
from kgen.applications.colourisation.colouriser import Colouriser
from kgen.applications.colourisation.data import load_colour_photos
from kgen.applications.colourisation.data import photo_folds
from kgen.applications.colourisation.data import random_patches
from kgen.applications.colourisation.evaluation import colourisation_scores
from kgen.applications.colourisation.lab import denormalize_lab
from kgen.applications.colourisation.lab import lab_pairs
from kgen.applications.colourisation.lab import lab_to_rgb
from kgen.applications.colourisation.lab import normalize_lab
from kgen.applications.colourisation.lab import rgb_to_lab

__all__ = [
    "BASELINES",
    "Colouriser",
    "METHODS",
    "ab_bins",
    "annealed_mean",
    "bin_prior",
    "colourfulness",
    "colourisation_scores",
    "denormalize_lab",
    "fit_baselines",
    "lab_pairs",
    "lab_to_rgb",
    "load_colour_photos",
    "nearest_bins",
    "normalize_lab",
    "photo_folds",
    "random_patches",
    "rebalancing_weights",
    "rgb_to_lab",
    "soft_encode",
]
