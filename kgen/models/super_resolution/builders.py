"""Builders of the SRGAN networks: the SRResNet generator, the discriminator.

Both are fully convolutional in their image part: the generator takes
low-resolution images of any size (`None` height and width); the
discriminator takes high-resolution images of a fixed size (the paper's
dense head) or of any size (global average pooling instead).
"""

import keras
from keras import layers

from kgen.layers.pixel_shuffle import PixelShuffle
from kgen.layers.spectral_normalization import SpectralNormalization
from kgen.utils.validation import check_choice
from kgen.utils.validation import check_integer

_NORMALIZATIONS = ("batch", None)


def build_srresnet_generator(
    scale=4,
    channels=3,
    num_blocks=16,
    filters=64,
    normalization="batch",
    output_activation="tanh",
    input_skip=False,
    name="srresnet_generator",
):
    """Builds SRResNet, the generator of SRGAN, for images of any size.

    A 9x9 convolution with PReLU, `num_blocks` residual blocks (3x3
    convolution, normalisation, PReLU, 3x3 convolution, normalisation, plus
    the block's input), a 3x3 convolution and normalisation added to the
    output of the first convolution (a long skip connection), then
    `log2(scale)` upsampling steps (a 3x3 convolution to `4 * filters`
    channels, `kgen.layers.PixelShuffle(2)`, PReLU), and a 9x9 output
    convolution. PReLU slopes are shared over the image axes, so the
    network takes low-resolution images of any height and width and
    returns images `scale` times larger.

    Reference: Ledig et al., "Photo-Realistic Single Image Super-Resolution
    Using a Generative Adversarial Network", CVPR 2017 (figure 4).

    Args:
        scale: upsampling factor, a power of 2 (2, 4, 8, ...).
        channels: channels of the input and output images.
        num_blocks: int >= 0, residual blocks (16 in the paper).
        filters: int >= 1, filters of the convolutions (64 in the paper).
        normalization: `"batch"` (the paper) or `None` (as in EDSR, which
            drops it: better for small batches).
        output_activation: activation of the output convolution (`"tanh"`
            for images in [-1, 1]).
        input_skip: `False` (the paper), or `True` to add the input,
            upsampled by pixel repetition (`keras.layers.UpSampling2D`), to
            the output convolution, which then predicts only the residual
            detail (the global residual of VDSR, Kim et al., 2016): training
            starts near the interpolation's quality and converges much
            faster; outputs may leave [-1, 1] slightly.
        name: model name.

    Returns:
        A functional `keras.Model` from `(batch, h, w, channels)` to
        `(batch, scale * h, scale * w, channels)`.

    Example:

    ```python
    generator = kgen.models.build_srresnet_generator(scale=4, num_blocks=4)
    generator.output_shape  # (None, None, None, 3)
    ```
    """
    steps = upsampling_steps(scale)
    channels = check_integer(channels, "channels")
    num_blocks = check_integer(num_blocks, "num_blocks", minimum=0)
    filters = check_integer(filters, "filters")
    check_choice(normalization, "normalization", _NORMALIZATIONS)
    inputs = keras.Input((None, None, channels), name="low_resolution")
    hidden = _prelu(layers.Conv2D(filters, 9, padding="same")(inputs))
    skip = hidden
    for _ in range(num_blocks):
        block = layers.Conv2D(filters, 3, padding="same")(hidden)
        block = _prelu(_normalize(block, normalization))
        block = layers.Conv2D(filters, 3, padding="same")(block)
        hidden = layers.Add()([hidden, _normalize(block, normalization)])
    hidden = layers.Conv2D(filters, 3, padding="same")(hidden)
    hidden = layers.Add()([skip, _normalize(hidden, normalization)])
    for _ in range(steps):
        hidden = layers.Conv2D(4 * filters, 3, padding="same")(hidden)
        hidden = _prelu(PixelShuffle(2)(hidden))
    outputs = layers.Conv2D(
        channels, 9, padding="same", activation=output_activation
    )(hidden)
    if input_skip:
        outputs = layers.Add()([layers.UpSampling2D(scale)(inputs), outputs])
    return keras.Model(inputs, outputs, name=name)


def build_srgan_discriminator(
    image_shape=(96, 96, 3),
    filters=64,
    num_downsampling=4,
    dense_units=1024,
    normalization="batch",
    spectral_normalization=False,
    name="srgan_discriminator",
):
    """Builds the discriminator of SRGAN: one score per image.

    `num_downsampling` pairs of 3x3 convolutions (stride 1, then stride 2;
    filters doubling from `filters` at each pair, up to `8 * filters`),
    LeakyReLU 0.2 after each and normalisation after all but the first,
    then a dense layer of `dense_units` (LeakyReLU) and one raw score
    (a logit). With a fixed image size the features are flattened, as in the
    paper; with `None` height and width they are averaged over the image, so
    the discriminator takes images of any size.

    Reference: Ledig et al., "Photo-Realistic Single Image Super-Resolution
    Using a Generative Adversarial Network", CVPR 2017 (figure 4: 96x96
    images, 64 filters, 4 pairs, 1024 dense units).

    Args:
        image_shape: `(height, width, channels)` of the high-resolution
            images; height and width `None`, or divisible by
            `2 ** num_downsampling`.
        filters: int >= 1, filters of the first convolutions.
        num_downsampling: int >= 1, stride-2 convolutions.
        dense_units: int >= 1, units of the dense layer.
        normalization: `"batch"` (the paper) or `None`.
        spectral_normalization: wrap every convolution and dense layer in
            `kgen.layers.SpectralNormalization` (and drop normalisation):
            a discriminator of bounded slope (Miyato et al., 2018).
        name: model name.

    Returns:
        A functional `keras.Model` from images to scores `(batch, 1)`.

    Example:

    ```python
    discriminator = kgen.models.build_srgan_discriminator((32, 32, 3), 16)
    ```
    """
    shape = tuple(image_shape) if isinstance(image_shape, (list, tuple)) else ()
    valid = len(shape) == 3 and all(
        s is None or (isinstance(s, int) and not isinstance(s, bool) and s > 0)
        for s in shape
    )
    if not valid or shape[2] is None:
        raise ValueError(
            "`image_shape` must be (height, width, channels): positive ints, "
            "height and width may be None. Received: "
            f"image_shape={image_shape!r}."
        )
    filters = check_integer(filters, "filters")
    steps = check_integer(num_downsampling, "num_downsampling")
    dense_units = check_integer(dense_units, "dense_units")
    check_choice(normalization, "normalization", _NORMALIZATIONS)
    factor = 2**steps
    if any(s is not None and s % factor for s in shape[:2]):
        raise ValueError(
            f"The SRGAN discriminator downsamples {steps} times, so height "
            f"and width must be divisible by {factor}. Received "
            f"image_shape={shape}. Crop the images or change "
            "`num_downsampling`."
        )
    if spectral_normalization:
        normalization = None

    def weighted(layer):
        return SpectralNormalization(layer) if spectral_normalization else layer

    inputs = keras.Input(shape, name="high_resolution")
    hidden = inputs
    for step in range(steps):
        width = filters * min(2**step, 8)
        for strides in (1, 2):
            conv = layers.Conv2D(width, 3, strides, padding="same")
            hidden = weighted(conv)(hidden)
            if step or strides == 2:
                hidden = _normalize(hidden, normalization)
            hidden = layers.LeakyReLU(0.2)(hidden)
    if None in shape[:2]:
        hidden = layers.GlobalAveragePooling2D()(hidden)
    else:
        hidden = layers.Flatten()(hidden)
    hidden = weighted(layers.Dense(dense_units))(hidden)
    outputs = weighted(layers.Dense(1))(layers.LeakyReLU(0.2)(hidden))
    return keras.Model(inputs, outputs, name=name)


def upsampling_steps(scale):
    """`log2(scale)` after checking that `scale` is a power of 2 >= 2."""
    scale = check_integer(scale, "scale", minimum=2)
    if scale & (scale - 1):
        raise ValueError(
            "SRResNet upsamples in x2 sub-pixel steps, so `scale` must be a "
            f"power of 2 (2, 4, 8, ...). Received: scale={scale}."
        )
    return scale.bit_length() - 1


def _prelu(hidden):
    return layers.PReLU(shared_axes=[1, 2])(hidden)


def _normalize(hidden, normalization):
    if normalization == "batch":
        return layers.BatchNormalization()(hidden)
    return hidden
