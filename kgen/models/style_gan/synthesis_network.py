"""StyleGAN2's synthesis network: a learned constant modulated by styles."""

import math

import keras
from keras import layers
from keras import ops

from kgen.layers.equalized_dense import EqualizedDense
from kgen.layers.modulated_conv2d import ModulatedConv2D
from kgen.layers.noise_injection import NoiseInjection
from kgen.utils.validation import check_integer

_GAIN = math.sqrt(2.0)  # keeps leaky-ReLU activations at unit scale


@keras.saving.register_keras_serializable(package="kgen")
class SynthesisNetwork(keras.Model):
    """Generates images from one style vector per layer (StyleGAN2).

    Starts from a learned `4 x 4` constant and doubles the resolution up to
    the image size. Every block is a modulated 3x3 convolution
    (`kgen.layers.ModulatedConv2D`, demodulated) per layer, each followed by
    per-pixel noise (`kgen.layers.NoiseInjection`) and a leaky ReLU; blocks
    after the first upsample bilinearly and have two such layers. Each
    resolution's features are turned into an image by a modulated 1x1
    "toRGB" convolution, and the images of all resolutions are upsampled and
    summed (StyleGAN2's skip generator). Each modulated layer receives its
    own style vector through a learned affine map (bias 1):
    `num_styles = 2 * log2(resolution) - 2` styles, in the order of the
    layers from coarse to fine (the toRGB layer of a resolution shares its
    index with the next block's first layer, as in StyleGAN2).

    Reference: Karras et al., "Analyzing and Improving the Image Quality of
    StyleGAN", CVPR 2020.

    Args:
        style_dim: int >= 1, size of a style vector `w`.
        image_shape: `(size, size, channels)`, `size` a power of 2 >= 4.
        filters: filters of each resolution from 4x4 up: one int per
            resolution (a list), or one int for all.
        per_channel_noise: one learned noise strength per channel
            (StyleGAN) instead of one per layer (StyleGAN2).
        output_activation: activation of the summed image, `None` for
            StyleGAN2's linear output, or e.g. `"tanh"` for data in
            [-1, 1] (on MNIST, whose background is saturated at -1, the
            linear output collapsed where tanh did not; see the generation
            benchmarks).
        **kwargs: base model arguments (e.g. `name`).

    Call arguments:
        styles: `(batch, num_styles, style_dim)`.
        noise: `True` for fresh noise, `False` for the noise-free image.
        seed: `None` (each noise layer's own stream), a
            `keras.random.SeedGenerator` or an int, for the noise.

    Example:

    ```python
    synthesis = kgen.models.SynthesisNetwork(64, (32, 32, 1), filters=32)
    images = synthesis(keras.random.normal((2, synthesis.num_styles, 64)))
    ```
    """

    def __init__(
        self,
        style_dim,
        image_shape,
        filters=64,
        per_channel_noise=False,
        output_activation=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.output_activation = keras.activations.get(output_activation)
        self.style_dim = check_integer(style_dim, "style_dim")
        self.image_shape = _check_image_shape(image_shape)
        self.num_resolutions = int(math.log2(self.image_shape[0])) - 1
        self.filters = _check_filters(filters, self.num_resolutions)
        self.per_channel_noise = bool(per_channel_noise)
        self.num_styles = 2 * self.num_resolutions
        self.constant = self.add_weight(
            shape=(4, 4, self.filters[0]),
            initializer=keras.initializers.RandomNormal(stddev=1.0),
            name="constant",
        )
        self.upsample = layers.UpSampling2D(interpolation="bilinear")
        # Layer i of `convolutions` takes style i; the toRGB layer of level
        # l takes style 2 * l + 1, the index of the next level's first layer.
        self.affines, self.convolutions, self.noises = [], [], []
        self.rgb_affines, self.rgb_convolutions = [], []
        channels = self.filters[0]
        for level, filters_out in enumerate(self.filters):
            for _ in range(1 if level == 0 else 2):
                index = len(self.convolutions)
                self.affines.append(
                    EqualizedDense(
                        channels, bias_initial_value=1.0, name=f"affine_{index}"
                    )
                )
                self.convolutions.append(
                    ModulatedConv2D(filters_out, 3, name=f"conv_{index}")
                )
                self.noises.append(
                    NoiseInjection(per_channel_noise, name=f"noise_{index}")
                )
                channels = filters_out
            # No extra gain: ModulatedConv2D's He scale 1 / sqrt(channels)
            # is StyleGAN2's toRGB weight gain (the official networks apply
            # it to the whole style, bias included, which is the same).
            self.rgb_affines.append(
                EqualizedDense(
                    channels,
                    bias_initial_value=1.0,
                    name=f"to_rgb_affine_{level}",
                )
            )
            self.rgb_convolutions.append(
                ModulatedConv2D(
                    self.image_shape[-1],
                    1,
                    demodulate=False,
                    name=f"to_rgb_{level}",
                )
            )
        self._build_layers()
        self.built = True

    def _build_layers(self):
        """Builds every layer from the shapes alone (no forward pass)."""
        self.upsample.build((None, 4, 4, self.filters[0]))
        channels, index = self.filters[0], 0
        for level, filters_out in enumerate(self.filters):
            size = 4 * 2**level
            for _ in range(1 if level == 0 else 2):
                self.affines[index].build((None, self.style_dim))
                self.convolutions[index].build(
                    [(None, size, size, channels), (None, channels)]
                )
                self.noises[index].build((None, size, size, filters_out))
                channels, index = filters_out, index + 1
            self.rgb_affines[level].build((None, self.style_dim))
            self.rgb_convolutions[level].build(
                [(None, size, size, channels), (None, channels)]
            )

    def call(self, styles, training=False, noise=True, seed=None):
        styles = ops.convert_to_tensor(styles)
        batch = ops.shape(styles)[0]
        x = ops.broadcast_to(
            self.constant[None], (batch, 4, 4, self.filters[0])
        )
        images, index = None, 0
        for level in range(self.num_resolutions):
            if level:
                x = self.upsample(x)
            for _ in range(1 if level == 0 else 2):
                style = self.affines[index](styles[:, index])
                x = self.convolutions[index]([x, style])
                x = self.noises[index](x, noise=noise, seed=seed)
                x = ops.leaky_relu(x, 0.2) * _GAIN
                index += 1
            style = self.rgb_affines[level](styles[:, index])
            rgb = self.rgb_convolutions[level]([x, style])
            images = rgb if images is None else self.upsample(images) + rgb
        return self.output_activation(images)

    def compute_output_spec(
        self, styles, training=False, noise=True, seed=None
    ):
        return keras.KerasTensor((styles.shape[0], *self.image_shape))

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": keras.dtype_policies.serialize(self.dtype_policy),
            "style_dim": self.style_dim,
            "image_shape": list(self.image_shape),
            "filters": list(self.filters),
            "per_channel_noise": self.per_channel_noise,
            "output_activation": keras.activations.serialize(
                self.output_activation
            ),
        }


def _check_image_shape(image_shape):
    shape = tuple(image_shape) if isinstance(image_shape, (list, tuple)) else ()
    valid = (
        len(shape) == 3
        and all(isinstance(s, int) and s >= 1 for s in shape)
        and shape[0] == shape[1]
        and shape[0] >= 4
        and shape[0] & (shape[0] - 1) == 0
    )
    if not valid:
        raise ValueError(
            "`image_shape` must be (size, size, channels) with size a power "
            f"of 2 >= 4 (e.g. (32, 32, 1)). Received: image_shape="
            f"{image_shape!r}. Pad or resize the images (MNIST: pad 28 to 32)."
        )
    return shape


def _check_filters(filters, num_resolutions):
    if isinstance(filters, int):
        filters = [filters] * num_resolutions
    filters = list(filters)
    if len(filters) != num_resolutions:
        raise ValueError(
            f"`filters` must give one count per resolution from 4x4 up "
            f"({num_resolutions} here), or one int. Received: "
            f"filters={filters!r}."
        )
    return [check_integer(f, "filters") for f in filters]
