"""Text to image: draw images from captions (GAN-INT-CLS).

A `CaptionTokenizer` (pure Python, every backend), a `JointEmbedding` of
images and captions, a `TextConditionalGAN` with a matching-aware
discriminator and caption interpolation, and `TextToImage`, which puts them
together behind `fit(images, captions)` / `generate(captions)`. Captioned
scenes with known attributes come from `make_digit_scenes` (MNIST digits)
and `make_shape_scenes` (drawn shapes).
"""

from kgen.applications.text_to_image.builders import build_image_encoder
from kgen.applications.text_to_image.builders import (
    build_matching_discriminator,
)
from kgen.applications.text_to_image.builders import (
    build_text_conditioned_generator,
)
from kgen.applications.text_to_image.builders import build_text_encoder
from kgen.applications.text_to_image.caption_tokenizer import CaptionTokenizer
from kgen.applications.text_to_image.captions import COLOURS
from kgen.applications.text_to_image.captions import DIGIT_ATTRIBUTES
from kgen.applications.text_to_image.captions import DIGIT_HOLDOUT
from kgen.applications.text_to_image.captions import SHAPE_ATTRIBUTES
from kgen.applications.text_to_image.captions import SHAPE_HOLDOUT
from kgen.applications.text_to_image.captions import CaptionedScenes
from kgen.applications.text_to_image.captions import is_held_out
from kgen.applications.text_to_image.captions import make_digit_scenes
from kgen.applications.text_to_image.captions import make_shape_scenes
from kgen.applications.text_to_image.evaluation import r_precision
from kgen.applications.text_to_image.joint_embedding import JointEmbedding
from kgen.applications.text_to_image.losses import matching_aware_loss
from kgen.applications.text_to_image.losses import symmetric_matching_loss
from kgen.applications.text_to_image.text_conditional_gan import (
    TextConditionalGAN,
)
from kgen.applications.text_to_image.text_to_image import TextToImage

__all__ = [
    "CaptionTokenizer",
    "COLOURS",
    "CaptionedScenes",
    "DIGIT_ATTRIBUTES",
    "DIGIT_HOLDOUT",
    "JointEmbedding",
    "SHAPE_ATTRIBUTES",
    "SHAPE_HOLDOUT",
    "TextConditionalGAN",
    "TextToImage",
    "build_image_encoder",
    "build_matching_discriminator",
    "build_text_conditioned_generator",
    "build_text_encoder",
    "is_held_out",
    "make_digit_scenes",
    "make_shape_scenes",
    "matching_aware_loss",
    "r_precision",
    "symmetric_matching_loss",
]
