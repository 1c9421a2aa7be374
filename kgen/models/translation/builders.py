"""Builders of image-to-image networks: U-Net and ResNet generators, PatchGAN.

All take images `(height, width, channels)` of any size divisible by their
downsampling factor and any channel count; generators end in `tanh` (images
in [-1, 1]) unless told otherwise, discriminators return raw score maps.
"""

import keras
from keras import layers

from kgen.layers.reflection_padding_2d import ReflectionPadding2D
from kgen.layers.spectral_normalization import SpectralNormalization
from kgen.utils.validation import check_bool
from kgen.utils.validation import check_choice
from kgen.utils.validation import check_integer

_NORMALIZATIONS = ("batch", "instance", None)


def build_unet_generator(
    image_shape,
    output_channels=None,
    base_filters=64,
    num_downsampling=None,
    dropout=0.5,
    normalization="instance",
    output_activation="tanh",
    name="unet_generator",
):
    """Builds the U-Net generator of Pix2Pix for any image size.

    An encoder of stride-2 4x4 convolutions (LeakyReLU 0.2, filters doubling
    from `base_filters` up to `8 * base_filters`), a mirrored decoder of
    stride-2 transposed convolutions (ReLU, dropout on the three innermost
    decoder layers), and skip connections that concatenate each encoder
    layer's output to the decoder layer of the same size. The first and the
    innermost encoder layers are not normalised (the innermost one may be
    1x1, where instance normalisation would zero it).

    Reference: Isola et al., "Image-to-Image Translation with Conditional
    Adversarial Networks", CVPR 2017; Ronneberger et al., "U-Net", 2015.

    Args:
        image_shape: `(height, width, channels)` of the input images; height
            and width divisible by `2 ** num_downsampling`.
        output_channels: channels of the output (default: input channels).
        base_filters: filters of the first convolution.
        num_downsampling: int >= 1, stride-2 steps; default as many as the
            image size allows, down to 1 pixel on the short side (8 at 256²).
        dropout: dropout rate of the three innermost decoder layers (the
            paper's noise source), 0 for none.
        normalization: `"instance"` (one group per channel,
            `keras.layers.GroupNormalization(groups=-1)`), `"batch"` or
            `None`.
        output_activation: activation of the output layer.
        name: model name.

    Returns:
        A functional `keras.Model` from images to images of the same size.

    Example:

    ```python
    generator = kgen.models.build_unet_generator((64, 64, 1), output_channels=3)
    ```
    """
    height, width, channels = _check_image_shape(image_shape)
    if num_downsampling is not None:
        check_integer(num_downsampling, "num_downsampling")
    steps = _check_downsampling(height, width, num_downsampling, "U-Net")
    output_channels = check_integer(
        output_channels or channels, "output_channels"
    )
    check_choice(normalization, "normalization", _NORMALIZATIONS)
    inputs = keras.Input((height, width, channels), name="images")
    hidden, skips = inputs, []
    for step in range(steps):
        filters = base_filters * min(2**step, 8)
        hidden = layers.Conv2D(filters, 4, strides=2, padding="same")(hidden)
        if 0 < step < steps - 1:
            hidden = _normalize(hidden, normalization)
        hidden = layers.LeakyReLU(0.2)(hidden)
        skips.append(hidden)
    for step in reversed(range(steps - 1)):
        filters = base_filters * min(2**step, 8)
        hidden = layers.Conv2DTranspose(filters, 4, strides=2, padding="same")(
            hidden
        )
        hidden = _normalize(hidden, normalization)
        if dropout and step >= steps - 4:
            hidden = layers.Dropout(dropout)(hidden)
        hidden = layers.ReLU()(hidden)
        hidden = layers.Concatenate()([hidden, skips[step]])
    outputs = layers.Conv2DTranspose(
        output_channels,
        4,
        strides=2,
        padding="same",
        activation=output_activation,
    )(hidden)
    return keras.Model(inputs, outputs, name=name)


def build_resnet_generator(
    image_shape,
    output_channels=None,
    base_filters=64,
    num_downsampling=2,
    num_blocks=9,
    normalization="instance",
    output_activation="tanh",
    zero_output=False,
    name="resnet_generator",
):
    """Builds the ResNet-block generator of CycleGAN and DeblurGAN.

    A 7x7 convolution, `num_downsampling` stride-2 3x3 convolutions,
    `num_blocks` residual blocks (two 3x3 convolutions each), as many
    stride-2 transposed convolutions, and a 7x7 output convolution;
    reflection padding before every stride-1 convolution, instance
    normalisation and ReLU after every convolution but the last.

    Reference: Johnson et al., "Perceptual Losses for Real-Time Style
    Transfer and Super-Resolution", ECCV 2016; Zhu et al., "Unpaired
    Image-to-Image Translation using Cycle-Consistent Adversarial Networks",
    ICCV 2017.

    Args:
        image_shape: `(height, width, channels)`, height and width divisible
            by `2 ** num_downsampling`.
        output_channels: channels of the output (default: input channels).
        base_filters: filters of the first convolution (doubling at each
            downsampling).
        num_downsampling: int >= 0, stride-2 steps (2 in the papers).
        num_blocks: int >= 0 residual blocks (9 at 256², 6 at 128²).
        normalization: `"instance"`, `"batch"` or `None`.
        output_activation: activation of the output convolution.
        zero_output: whether the output convolution's kernel and bias start
            at zero, so that the untrained network returns
            `output_activation(0)` (zeros with `tanh`) for every input: a
            residual `DeblurGAN` then starts exactly at the identity
            (restored = blurred input), and training moves away from it.
        name: model name.

    Returns:
        A functional `keras.Model` from images to images of the same size.

    Example:

    ```python
    generator = kgen.models.build_resnet_generator((32, 32, 1), num_blocks=3)
    ```
    """
    height, width, channels = _check_image_shape(image_shape)
    steps = check_integer(num_downsampling, "num_downsampling", minimum=0)
    _check_downsampling(height, width, steps, "ResNet generator")
    num_blocks = check_integer(num_blocks, "num_blocks", minimum=0)
    output_channels = check_integer(
        output_channels or channels, "output_channels"
    )
    check_choice(normalization, "normalization", _NORMALIZATIONS)
    if min(height, width) <= 3:
        raise ValueError(
            "The ResNet generator's 7x7 reflection-padded convolutions need "
            f"images larger than 3 pixels. Received: image_shape={image_shape}."
        )
    inputs = keras.Input((height, width, channels), name="images")
    hidden = ReflectionPadding2D(3)(inputs)
    hidden = layers.Conv2D(base_filters, 7)(hidden)
    hidden = layers.ReLU()(_normalize(hidden, normalization))
    for step in range(steps):
        filters = base_filters * 2 ** (step + 1)
        hidden = layers.Conv2D(filters, 3, strides=2, padding="same")(hidden)
        hidden = layers.ReLU()(_normalize(hidden, normalization))
    filters = base_filters * 2**steps
    for _ in range(num_blocks):
        block = ReflectionPadding2D(1)(hidden)
        block = layers.Conv2D(filters, 3)(block)
        block = layers.ReLU()(_normalize(block, normalization))
        block = ReflectionPadding2D(1)(block)
        block = _normalize(layers.Conv2D(filters, 3)(block), normalization)
        hidden = layers.Add()([hidden, block])
    for step in reversed(range(steps)):
        hidden = layers.Conv2DTranspose(
            base_filters * 2**step, 3, strides=2, padding="same"
        )(hidden)
        hidden = layers.ReLU()(_normalize(hidden, normalization))
    hidden = ReflectionPadding2D(3)(hidden)
    check_bool(zero_output, "zero_output")
    outputs = layers.Conv2D(
        output_channels,
        7,
        activation=output_activation,
        kernel_initializer="zeros" if zero_output else "glorot_uniform",
    )(hidden)
    return keras.Model(inputs, outputs, name=name)


def patchgan_receptive_field(num_layers):
    """Receptive field in pixels of a PatchGAN with `num_layers` layers.

    70 for the paper's 3 layers; 16, 34, 70, 142, ... for 1, 2, 3, 4, ...

    Args:
        num_layers: int >= 1, stride-2 convolutions of the discriminator.

    Returns:
        int.
    """
    num_layers = check_integer(num_layers, "num_layers")
    field = 7  # the two stride-1 4x4 convolutions at the end
    for _ in range(num_layers):
        field = (field - 1) * 2 + 4
    return field


def build_patchgan_discriminator(
    image_shape,
    base_filters=64,
    num_layers=None,
    num_scales=1,
    normalization="instance",
    spectral_normalization=False,
    name="patchgan_discriminator",
):
    """Builds a PatchGAN discriminator: one score per image patch.

    `num_layers` stride-2 4x4 convolutions (LeakyReLU 0.2, filters doubling
    from `base_filters` up to `8 * base_filters`, the first not
    normalised), a stride-1 4x4 convolution and a 4x4 convolution to one
    channel. The output is a map `(batch, h', w', 1)` of raw scores, each
    judging one patch the size of the receptive field
    (`patchgan_receptive_field`: 70 pixels for 3 layers). By default the
    number of layers scales with the image: the one whose receptive field
    is closest to the paper's 70/256 of the short side (1 layer at 32² and
    64², 2 at 128², 3 at 256²).

    With `num_scales > 1` the model holds that many PatchGANs, the `s`-th
    seeing the image downsampled `s` times by 3x3 average pooling, and
    returns the list of their maps (Wang et al., 2018), which
    `kgen.losses.AdversarialLoss` averages.

    Reference: Isola et al., "Image-to-Image Translation with Conditional
    Adversarial Networks", CVPR 2017; Wang et al., "High-Resolution Image
    Synthesis and Semantic Manipulation with Conditional GANs", CVPR 2018.

    Args:
        image_shape: `(height, width, channels)` of the discriminator's input
            (for a conditional discriminator, the source and target channels
            together).
        base_filters: filters of the first convolution.
        num_layers: int >= 1 stride-2 convolutions, or `None` to scale with
            the image size.
        num_scales: int >= 1, number of image scales.
        normalization: `"instance"`, `"batch"` or `None`.
        spectral_normalization: wrap every convolution in
            `kgen.layers.SpectralNormalization` (and drop normalisation).
        name: model name.

    Returns:
        A functional `keras.Model`.

    Example:

    ```python
    discriminator = kgen.models.build_patchgan_discriminator((64, 64, 4))
    discriminator.output_shape  # (None, 16, 16, 1): 16-pixel patches
    ```
    """
    height, width, channels = _check_image_shape(image_shape)
    num_scales = check_integer(num_scales, "num_scales")
    check_choice(normalization, "normalization", _NORMALIZATIONS)
    if num_layers is None:
        target = 70 / 256 * min(height, width)
        num_layers = min(
            range(1, 8),
            key=lambda n: abs(patchgan_receptive_field(n) - target),
        )
    num_layers = check_integer(num_layers, "num_layers")
    smallest = min(height, width) // 2 ** (num_scales - 1)
    if smallest // 2**num_layers < 1:
        raise ValueError(
            f"A PatchGAN with {num_layers} stride-2 layers and {num_scales} "
            f"scales needs images of at least "
            f"{2 ** (num_layers + num_scales - 1)} pixels on the short side. "
            f"Received: image_shape={tuple(image_shape)}. Use fewer layers or "
            "scales."
        )
    inputs = keras.Input((height, width, channels), name="images")
    outputs, scaled = [], inputs
    for scale in range(num_scales):
        if scale:
            scaled = layers.AveragePooling2D(3, strides=2, padding="same")(
                scaled
            )
        outputs.append(
            _patchgan(
                scaled,
                base_filters,
                num_layers,
                None if spectral_normalization else normalization,
                spectral_normalization,
            )
        )
    return keras.Model(
        inputs, outputs[0] if num_scales == 1 else outputs, name=name
    )


def build_stargan_generator(
    image_shape,
    num_domains,
    base_filters=64,
    num_downsampling=2,
    num_blocks=6,
    conditional_normalization=False,
    name="stargan_generator",
):
    """Builds StarGAN's generator: an encoder, residual blocks, a decoder.

    The input is the image with the target domain as `num_domains` extra
    one-hot channels (`kgen.models.StarGAN` adds them). A 7x7 convolution,
    `num_downsampling` stride-2 4x4 convolutions (filters doubling),
    `num_blocks` residual blocks (two 3x3 convolutions each), as many
    stride-2 4x4 transposed convolutions and a 7x7 convolution to the image
    channels with tanh, as in the paper; zero padding, instance
    normalisation (`keras.layers.GroupNormalization(groups=-1)`) and ReLU
    after every convolution but the first and the last. The first
    convolution is not normalised: the label planes are constant over the
    image, so instance normalisation right after it would subtract their
    contribution and leave the generator blind to the target domain.

    With `conditional_normalization=True` (not in the paper) every instance
    normalisation takes its scale and offset from the target domain
    (conditional instance normalisation, Dumoulin et al., "A Learned
    Representation for Artistic Style", ICLR 2017): a domain can then flip
    or silence a feature map, which the paper's generator can only do
    through the label planes of its first convolution. The per-domain
    scales start at 1 and the offsets at 0 (plain instance normalisation).

    Reference: Choi et al., "StarGAN: Unified Generative Adversarial
    Networks for Multi-Domain Image-to-Image Translation", CVPR 2018.

    Args:
        image_shape: `(height, width, channels)` of the images, height and
            width divisible by `2 ** num_downsampling`.
        num_domains: int >= 2, the number of domains.
        base_filters: filters of the first convolution (64 in the paper).
        num_downsampling: int >= 0, stride-2 steps (2 in the paper).
        num_blocks: int >= 0 residual blocks (6 in the paper).
        conditional_normalization: bool, normalisations with per-domain
            scales and offsets (not in the paper).
        name: model name.

    Returns:
        A functional `keras.Model` from `(h, w, channels + num_domains)` to
        `(h, w, channels)`.

    Example:

    ```python
    generator = kgen.models.build_stargan_generator((16, 16, 3), 7)
    ```
    """
    height, width, channels = _check_image_shape(image_shape)
    num_domains = check_integer(num_domains, "num_domains", minimum=2)
    steps = check_integer(num_downsampling, "num_downsampling", minimum=0)
    _check_downsampling(height, width, steps, "StarGAN generator")
    num_blocks = check_integer(num_blocks, "num_blocks", minimum=0)
    check_bool(conditional_normalization, "conditional_normalization")
    inputs = keras.Input((height, width, channels + num_domains), name="images")
    domains = layers.GlobalAveragePooling2D(name="domains")(
        inputs[..., channels:]
    )

    def normalize(hidden):
        if conditional_normalization:
            return _conditional_instance_norm(hidden, domains)
        return _normalize(hidden, "instance")

    def conv(hidden, filters, size, strides=1, layer=layers.Conv2D):
        hidden = layer(filters, size, strides=strides, padding="same")(hidden)
        return layers.ReLU()(normalize(hidden))

    hidden = layers.Conv2D(base_filters, 7, padding="same")(inputs)
    hidden = layers.ReLU()(hidden)
    for step in range(steps):
        hidden = conv(hidden, base_filters * 2 ** (step + 1), 4, 2)
    filters = base_filters * 2**steps
    for _ in range(num_blocks):
        block = conv(hidden, filters, 3)
        block = layers.Conv2D(filters, 3, padding="same")(block)
        hidden = layers.Add()([hidden, normalize(block)])
    for step in reversed(range(steps)):
        hidden = conv(
            hidden, base_filters * 2**step, 4, 2, layers.Conv2DTranspose
        )
    outputs = layers.Conv2D(channels, 7, padding="same", activation="tanh")(
        hidden
    )
    return keras.Model(inputs, outputs, name=name)


def build_stargan_discriminator(
    image_shape,
    num_domains,
    base_filters=64,
    num_layers=None,
    name="stargan_discriminator",
):
    """Builds StarGAN's discriminator: PatchGAN scores and domain logits.

    `num_layers` stride-2 4x4 convolutions (LeakyReLU 0.01, no
    normalisation, filters doubling from `base_filters` up to
    `8 * base_filters`), then two heads on the last feature map: a 3x3
    convolution to one channel (real/fake scores, one per patch) and a
    convolution as large as the map to `num_domains` channels (the
    auxiliary domain classifier's logits).

    Reference: Choi et al., "StarGAN: Unified Generative Adversarial
    Networks for Multi-Domain Image-to-Image Translation", CVPR 2018.

    Args:
        image_shape: `(height, width, channels)` of the images.
        num_domains: int >= 2, the number of domains.
        base_filters: filters of the first convolution (64 in the paper).
        num_layers: int >= 1 stride-2 convolutions, or `None` for as many as
            leave a map of at least 2x2 (6 at 128², the paper's).
        name: model name.

    Returns:
        A functional `keras.Model` from images to `[scores (batch, h', w',
        1), logits (batch, num_domains)]`.

    Example:

    ```python
    discriminator = kgen.models.build_stargan_discriminator((16, 16, 3), 7)
    ```
    """
    height, width, channels = _check_image_shape(image_shape)
    num_domains = check_integer(num_domains, "num_domains", minimum=2)
    if num_layers is None:
        num_layers = 1
        while min(height, width) / 2 ** (num_layers + 1) >= 2:
            num_layers += 1
    num_layers = check_integer(num_layers, "num_layers")
    inputs = keras.Input((height, width, channels), name="images")
    hidden = inputs
    for step in range(num_layers):
        hidden = layers.Conv2D(
            base_filters * min(2**step, 8), 4, strides=2, padding="same"
        )(hidden)
        hidden = layers.LeakyReLU(0.01)(hidden)
    scores = layers.Conv2D(1, 3, padding="same", name="scores")(hidden)
    logits = layers.Conv2D(num_domains, tuple(hidden.shape[1:3]))(hidden)
    logits = layers.Flatten(name="domain_logits")(logits)
    return keras.Model(inputs, [scores, logits], name=name)


def _patchgan(hidden, base_filters, num_layers, normalization, spectral):
    def conv(filters, strides):
        layer = layers.Conv2D(filters, 4, strides=strides, padding="same")
        return SpectralNormalization(layer) if spectral else layer

    for step in range(num_layers):
        hidden = conv(base_filters * min(2**step, 8), 2)(hidden)
        if step:
            hidden = _normalize(hidden, normalization)
        hidden = layers.LeakyReLU(0.2)(hidden)
    hidden = conv(base_filters * min(2**num_layers, 8), 1)(hidden)
    hidden = layers.LeakyReLU(0.2)(_normalize(hidden, normalization))
    return conv(1, 1)(hidden)


def _conditional_instance_norm(hidden, domains):
    """Instance normalisation with scale and offset from one-hot domains."""
    filters = hidden.shape[-1]
    hidden = layers.GroupNormalization(groups=-1, center=False, scale=False)(
        hidden
    )
    scale = layers.Dense(
        filters, kernel_initializer="zeros", bias_initializer="ones"
    )
    offset = layers.Dense(filters, kernel_initializer="zeros")
    scale = layers.Reshape((1, 1, filters))(scale(domains))
    offset = layers.Reshape((1, 1, filters))(offset(domains))
    return layers.Add()([layers.Multiply()([hidden, scale]), offset])


def _normalize(hidden, normalization):
    if normalization == "instance":
        return layers.GroupNormalization(groups=-1)(hidden)
    if normalization == "batch":
        return layers.BatchNormalization()(hidden)
    return hidden


def _check_image_shape(image_shape):
    shape = tuple(image_shape) if isinstance(image_shape, (list, tuple)) else ()
    if len(shape) != 3 or not all(
        isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in shape
    ):
        raise ValueError(
            "`image_shape` must be (height, width, channels), positive ints. "
            f"Received: image_shape={image_shape!r}."
        )
    return shape


def _check_downsampling(height, width, steps, network):
    if steps is None:
        steps = 0
        while height % 2 ** (steps + 1) == 0 and width % 2 ** (steps + 1) == 0:
            steps += 1
        if steps == 0:
            raise ValueError(
                f"The {network} halves the image size, so height and width "
                f"must be even. Received {height}x{width}."
            )
        return steps
    steps = check_integer(steps, "num_downsampling", minimum=0)
    factor = 2**steps
    if height % factor or width % factor:
        raise ValueError(
            f"The {network} downsamples {steps} times, so height and width "
            f"must be divisible by {factor}. Received {height}x{width}. Crop "
            "or pad the images, or change `num_downsampling`."
        )
    return steps
