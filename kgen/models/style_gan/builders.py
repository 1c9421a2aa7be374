"""Builders of StyleGAN networks: mapping, generator and discriminator."""

import math

import keras
from keras import layers

from kgen.layers.equalized_conv2d import EqualizedConv2D
from kgen.layers.equalized_dense import EqualizedDense
from kgen.layers.minibatch_standard_deviation import MinibatchStandardDeviation
from kgen.models.style_gan.style_generator import StyleGenerator
from kgen.models.style_gan.synthesis_network import SynthesisNetwork
from kgen.models.style_gan.synthesis_network import _check_filters
from kgen.models.style_gan.synthesis_network import _check_image_shape
from kgen.utils.validation import check_integer

_GAIN = math.sqrt(2.0)


def build_mapping_network(
    latent_dim,
    style_dim,
    num_layers=8,
    units=None,
    lr_multiplier=0.01,
    name="mapping",
):
    """Builds StyleGAN's mapping network `z -> w`.

    Normalises `z` to the sphere of radius `sqrt(latent_dim)` ("pixel
    norm"), then applies `num_layers` equalised dense layers with leaky
    ReLU(0.2) and a learning-rate multiplier of 0.01, which keeps the
    mapping from moving faster than the synthesis network.

    Reference: Karras et al., "A Style-Based Generator Architecture for
    Generative Adversarial Networks", CVPR 2019, section 2.

    Args:
        latent_dim: int >= 1, size of `z`.
        style_dim: int >= 1, size of `w`.
        num_layers: int >= 1, dense layers.
        units: hidden layer size (default `style_dim`).
        lr_multiplier: learning-rate multiplier of every layer.
        name: model name.

    Returns:
        A functional `keras.Model` from `(batch, latent_dim)` to `(batch,
        style_dim)`.

    Example:

    ```python
    mapping = kgen.models.build_mapping_network(32, 64, num_layers=4)
    ```
    """
    latent_dim = check_integer(latent_dim, "latent_dim")
    style_dim = check_integer(style_dim, "style_dim")
    num_layers = check_integer(num_layers, "num_layers")
    units = style_dim if units is None else check_integer(units, "units")
    z = keras.Input((latent_dim,), name="latent")
    x = layers.UnitNormalization()(z)
    x = layers.Rescaling(math.sqrt(latent_dim))(x)
    for index in range(num_layers):
        last = index == num_layers - 1
        x = EqualizedDense(
            style_dim if last else units,
            activation="leaky_relu",
            lr_multiplier=lr_multiplier,
            gain=_GAIN,
        )(x)
    return keras.Model(z, x, name=name)


def build_style_generator(
    latent_dim,
    image_shape,
    style_dim=None,
    filters=64,
    mapping_layers=8,
    per_channel_noise=False,
    output_activation=None,
    name="style_generator",
):
    """Builds a StyleGAN2 generator: mapping network and synthesis network.

    Reference: Karras et al., "Analyzing and Improving the Image Quality of
    StyleGAN", CVPR 2020.

    Args:
        latent_dim: int >= 1, size of `z`.
        image_shape: `(size, size, channels)`, `size` a power of 2 >= 4.
        style_dim: size of `w` (default `latent_dim`).
        filters: filters of each resolution from 4x4 up (a list), or one
            int for all.
        mapping_layers: dense layers of the mapping network.
        per_channel_noise: one noise strength per channel (StyleGAN).
        output_activation: activation of the images, `None` (linear, as
            StyleGAN2) or e.g. `"tanh"` for data in [-1, 1].
        name: model name.

    Returns:
        A `kgen.models.StyleGenerator`.

    Example:

    ```python
    generator = kgen.models.build_style_generator(
        32, (32, 32, 1), filters=[64, 64, 32, 16], mapping_layers=4
    )
    ```
    """
    style_dim = latent_dim if style_dim is None else style_dim
    return StyleGenerator(
        build_mapping_network(latent_dim, style_dim, mapping_layers),
        SynthesisNetwork(
            style_dim,
            image_shape,
            filters=filters,
            per_channel_noise=per_channel_noise,
            output_activation=output_activation,
        ),
        name=name,
    )


def build_style_discriminator(
    image_shape,
    filters=64,
    group_size=4,
    num_features=1,
    name="discriminator",
):
    """Builds StyleGAN2's residual discriminator.

    A 1x1 "fromRGB" convolution, then one residual block per resolution
    down to 4x4 (a 3x3 convolution, 2x2 average pooling and a second 3x3
    convolution at the lower resolution, beside a pooled 1x1 skip; the sum
    scaled by `1 / sqrt(2)`), a
    `kgen.layers.MinibatchStandardDeviation` layer, a 3x3 convolution and
    two dense layers to one raw score. Every layer has an equalised
    learning rate and leaky ReLU(0.2).

    StyleGAN2's second convolution of a block down-samples (a low-pass
    filter, then stride 2) before its bias and activation; here the filter
    is the 2x2 average and the convolution runs at the lower resolution.
    The order matters: pooling *after* that convolution's activation (as
    kgen did before) made the generator collapse onto one digit on MNIST
    (see the generation benchmarks).

    Reference: Karras et al., "Analyzing and Improving the Image Quality of
    StyleGAN", CVPR 2020, appendix.

    Args:
        image_shape: `(size, size, channels)`, `size` a power of 2 >= 4.
        filters: filters of each resolution from 4x4 up (a list, as the
            generator's), or one int for all.
        group_size: group size of the minibatch standard deviation (the
            training batch size must be a multiple of it).
        num_features: features of the minibatch standard deviation.
        name: model name.

    Returns:
        A functional `keras.Model` from images to scores `(batch, 1)`.

    Example:

    ```python
    discriminator = kgen.models.build_style_discriminator((32, 32, 1), 32)
    ```
    """
    image_shape = _check_image_shape(image_shape)
    num_resolutions = int(math.log2(image_shape[0])) - 1
    filters = _check_filters(filters, num_resolutions)
    images = keras.Input(image_shape, name="images")
    x = _conv(filters[-1], 1, "from_rgb")(images)
    for level in reversed(range(1, num_resolutions)):
        size = 4 * 2**level
        skip = EqualizedConv2D(
            filters[level - 1], 1, use_bias=False, name=f"skip_{size}"
        )(layers.AveragePooling2D(2, name=f"skip_down_{size}")(x))
        x = _conv(filters[level], 3, f"conv0_{size}")(x)
        # Down-sample first: conv1's 3x3 kernel and its activation work at
        # the lower resolution, as StyleGAN2's down-sampling convolution.
        x = layers.AveragePooling2D(2, name=f"down_{size}")(x)
        x = _conv(filters[level - 1], 3, f"conv1_{size}")(x)
        x = layers.Rescaling(1.0 / math.sqrt(2.0), name=f"residual_{size}")(
            layers.Add(name=f"add_{size}")([x, skip])
        )
    x = MinibatchStandardDeviation(group_size, num_features, name="mbstd")(x)
    x = layers.Flatten()(_conv(filters[0], 3, "conv_4")(x))
    x = EqualizedDense(
        filters[0], activation="leaky_relu", gain=_GAIN, name="dense"
    )(x)
    scores = EqualizedDense(1, name="score")(x)
    return keras.Model(images, scores, name=name)


def _conv(filters, kernel_size, name):
    return EqualizedConv2D(
        filters, kernel_size, activation="leaky_relu", gain=_GAIN, name=name
    )
