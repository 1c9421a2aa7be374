"""Watermark removal: seeded training pairs, removers, metrics, baselines.

Make pairs of watermarked and clean images from the bundled photos with
`make_watermark_pairs`, train a `WatermarkRemover` (two heads: the clean
image and the watermark mask) with `fit`, and clean images of any size with
`remove_watermark`. `composite` and `inverse_blend` are the compositing
model and its exact inverse.
"""

from kgen.applications.watermark.compositing import composite
from kgen.applications.watermark.compositing import inverse_blend
from kgen.applications.watermark.denoising_autoencoder_remover import (
    DenoisingAutoencoderRemover,
)
from kgen.applications.watermark.evaluation import inpaint_biharmonic
from kgen.applications.watermark.evaluation import mask_scores
from kgen.applications.watermark.evaluation import removal_metrics
from kgen.applications.watermark.losses import image_mean
from kgen.applications.watermark.losses import mask_loss
from kgen.applications.watermark.losses import region_mean
from kgen.applications.watermark.watermark_pairs import KINDS
from kgen.applications.watermark.watermark_pairs import WatermarkPairs
from kgen.applications.watermark.watermark_pairs import draw_watermark
from kgen.applications.watermark.watermark_pairs import make_watermark_pairs
from kgen.applications.watermark.watermark_remover import COMPOSITIONS
from kgen.applications.watermark.watermark_remover import WatermarkRemover

__all__ = [
    "COMPOSITIONS",
    "DenoisingAutoencoderRemover",
    "KINDS",
    "WatermarkPairs",
    "WatermarkRemover",
    "composite",
    "draw_watermark",
    "image_mean",
    "inpaint_biharmonic",
    "inverse_blend",
    "make_watermark_pairs",
    "mask_loss",
    "mask_scores",
    "region_mean",
    "removal_metrics",
]
