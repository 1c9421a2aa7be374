"""SRGAN: single-image super-resolution with a content and adversarial loss."""

import keras
import numpy as np
from keras import ops

from kgen import backend
from kgen.models.gan.adversarial_model import AdversarialModel
from kgen.models.phase import Phase
from kgen.models.translation.translation import RANGE_HINT
from kgen.utils.serialization import deserialize_network
from kgen.utils.serialization import serialize_network
from kgen.utils.validation import check_array
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number
from kgen.utils.validation import is_array


@keras.saving.register_keras_serializable(package="kgen")
class SRGAN(AdversarialModel):
    """Super-resolution GAN: a content loss plus a weighted adversarial term.

    The generator `G` (e.g. `kgen.models.build_srresnet_generator`) maps a
    low-resolution image `x` to one `scale` times larger; the discriminator
    `D` (e.g. `kgen.models.build_srgan_discriminator`) scores
    high-resolution images as real or generated. The generator minimises

    \\[ \\ell_\\text{content}(G(x), y) + w \\, \\ell_\\text{adv}(D(G(x))), \\]

    where the content loss is the pixel MSE `mean((G(x) - y)^2)` by default,
    or, with a `content_model` `phi` (any Keras model taking
    high-resolution images, e.g. VGG19 features when its weights are at
    hand), the feature MSE `mean((phi(G(x)) - phi(y))^2)`; the
    discriminator minimises its adversarial loss on real `y` and generated
    `G(x)` (`loss`, the non-saturating game in the paper). Each `fit` step
    runs phase `"generator"`, which shares `G(x)` with phase
    `"discriminator"` (`PhasedModel.share`), so `G` runs forward once per
    step.

    **SRResNet** is the same model with `adversarial_weight=0`: the
    generator trains on the content loss alone and there is no
    discriminator, so pass `discriminator=None` (the model then has one
    phase and no discriminator update, saving its cost). The paper trains
    SRResNet first and initialises SRGAN's generator with it: pass
    `srresnet.generator` to a new `SRGAN`.

    Train with `fit(low_resolution, high_resolution)`: images in [-1, 1],
    targets exactly `scale` times the inputs' height and width. The content
    model is frozen (`trainable = False`) and saved with the model. Logged:
    `generator_loss`, `content`, and with a discriminator `adversarial`,
    `discriminator_loss`, `d_real`, `d_fake` (mean probabilities for the
    cross-entropy games).

    Reference: Ledig et al., "Photo-Realistic Single Image Super-Resolution
    Using a Generative Adversarial Network", CVPR 2017.

    Args:
        generator: a functional `keras.Model` taking images
            `(None, None, channels)` of any size and returning images
            `scale` times larger (an integer `scale >= 2`).
        discriminator: a functional `keras.Model` from high-resolution
            images to scores of any shape, or `None` for SRResNet
            (`adversarial_weight=0`).
        content_model: `None` for the pixel MSE, or a functional
            `keras.Model` taking high-resolution images (input shape
            `(None, None, channels)`, or a fixed `(height, width, channels)`
            matching the targets) whose output is compared by MSE; it
            receives images in [-1, 1], so put any preprocessing inside it.
        adversarial_weight: weight `w >= 0` of the adversarial term (1e-3
            in the paper); 0 trains SRResNet.
        loss: the adversarial game; see `kgen.losses.AdversarialLoss`.
        label_smoothing: one-sided label smoothing, in `[0, 1)`.
        instance_noise: standard deviation of Gaussian noise added to the
            discriminator's inputs in training.
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    srresnet = kgen.models.SRGAN(
        kgen.models.build_srresnet_generator(scale=4, num_blocks=4),
        discriminator=None,
        adversarial_weight=0.0,
    )
    srresnet.compile(optimizer=keras.optimizers.Adam(1e-4))
    srresnet.fit(low_resolution, high_resolution, batch_size=16)
    srgan = kgen.models.SRGAN(
        srresnet.generator, kgen.models.build_srgan_discriminator((96, 96, 3))
    )
    srgan.compile(optimizer=keras.optimizers.Adam(1e-4))
    srgan.fit(low_resolution, high_resolution, batch_size=16)
    large = srgan.upscale(images, tile_size=64)  # any image size
    ```
    """

    default_loss_weights = {"content": 1.0, "adversarial": 1e-3}

    def __init__(
        self,
        generator,
        discriminator=None,
        content_model=None,
        adversarial_weight=1e-3,
        loss="non_saturating",
        label_smoothing=0.0,
        instance_noise=0.0,
        seed=None,
        **kwargs,
    ):
        kwargs.pop("loss_weights", None)  # rebuilt from adversarial_weight
        weight = check_number(adversarial_weight, "adversarial_weight", low=0)
        super().__init__(
            loss=loss,
            label_smoothing=label_smoothing,
            instance_noise=instance_noise,
            loss_weights={"adversarial": weight},
            seed=seed,
            **kwargs,
        )
        self.generator = deserialize_network(generator, "generator")
        self.channels = _image_channels(self.generator, "generator")
        self.scale, self.output_channels = _scale_of(
            self.generator, self.channels
        )
        self.discriminator = self._check_discriminator(discriminator, weight)
        self.content_model = self._check_content_model(content_model)
        self.built = True

    @property
    def adversarial_weight(self):
        """The weight of the adversarial term (0 for SRResNet)."""
        return self.loss_weights["adversarial"]

    def _check_discriminator(self, discriminator, weight):
        if discriminator is None:
            if weight:
                raise ValueError(
                    "SRGAN needs a discriminator for its adversarial term "
                    f"(adversarial_weight={weight}). Pass one, e.g. "
                    "`kgen.models.build_srgan_discriminator`, or set "
                    "adversarial_weight=0 to train SRResNet."
                )
            return None
        if not weight:
            raise ValueError(
                "With adversarial_weight=0 the model is SRResNet and trains "
                "no discriminator. Pass discriminator=None, or a positive "
                "adversarial_weight to train SRGAN."
            )
        discriminator = deserialize_network(discriminator, "discriminator")
        self._check_high_resolution_input(discriminator, "discriminator")
        return discriminator

    def _check_content_model(self, content_model):
        if content_model is None:
            return None
        content_model = deserialize_network(content_model, "content_model")
        self._check_high_resolution_input(content_model, "content model")
        content_model.trainable = False
        return content_model

    def _check_high_resolution_input(self, network, name):
        expected = f"(None, None, {self.output_channels})"
        shape = _input_shape(network)
        if shape is None or len(shape) != 3 or shape[2] != self.output_channels:
            raise ValueError(
                f"The {name} must be a functional Keras model taking "
                f"high-resolution images of shape {expected} (or a fixed "
                f"(height, width, {self.output_channels}) equal to the "
                f"targets'), the generator's output. Received input shape "
                f"{shape}. Build it with `keras.Input({expected})`."
            )

    def build_phases(self):
        if self.discriminator is None:
            return [
                Phase(
                    "generator",
                    self.generator_loss,
                    self.generator,
                    logs=("content",),
                )
            ]
        return [
            Phase(
                "generator",
                self.generator_loss,
                self.generator,
                logs=("content", "adversarial"),
            ),
            Phase(
                "discriminator",
                self.discriminator_loss,
                self.discriminator,
                logs=("d_real", "d_fake"),
            ),
        ]

    def content_loss(self, images, targets):
        """Pixel MSE, or the MSE of the content model's features."""
        if self.content_model is None:
            return ops.mean(ops.square(images - targets))
        features = self.content_model(images, training=False)
        target_features = backend.without_gradient(
            self.content_model, targets, training=False
        )
        return ops.mean(ops.square(features - target_features))

    def generator_loss(self, data, training=True):
        """`(loss, terms)` on a batch: content (and adversarial) terms."""
        low, high = _pair(data)
        fake = self.generator(low, training=training)
        terms = {"content": self.content_loss(fake, high)}
        if self.discriminator is not None:
            self.share("fake", fake)
            scores = self.discriminator(
                self.noisy(fake, training), training=training
            )
            terms["adversarial"] = self.adversarial_loss.generator(scores)
        return self.weighted_sum(terms)

    def discriminator_loss(self, data, training=True):
        """`(loss, {"d_real": ..., "d_fake": ...})` on a batch."""
        low, high = _pair(data)
        fake = self.shared("fake")
        if fake is None:
            fake = backend.without_gradient(
                self.generator, low, training=training
            )
        real_scores = self.discriminator(
            self.noisy(high, training), training=training
        )
        fake_scores = self.discriminator(
            self.noisy(fake, training), training=training
        )
        loss = self.adversarial_loss.discriminator(real_scores, fake_scores)
        return loss, {
            "d_real": self.adversarial_loss.readable(real_scores),
            "d_fake": self.adversarial_loss.readable(fake_scores),
        }

    def call(self, inputs, training=False):
        """Upscales low-resolution images with the generator."""
        return self.generator(inputs, training=training)

    def upscale(self, images, tile_size=None, overlap=16, batch_size=8):
        """Upscales images of any size by `scale` (inference mode).

        Without `tile_size` the generator runs on whole images (it is fully
        convolutional). With `tile_size`, each image is cut into
        `tile_size x tile_size` tiles overlapping by `2 * overlap` pixels,
        which bounds memory for large images; each output pixel comes from
        the tile in which it lies at least `overlap` pixels from the tile's
        border (or from the image's border), so the result equals the
        untiled one when `overlap` covers the generator's receptive field
        radius (in low-resolution pixels; about `4 + 2 * num_blocks + 3`
        for SRResNet), and differs only slightly at tile seams otherwise.

        Args:
            images: array `(num_images, height, width, channels)`, any
                height and width, values in [-1, 1].
            tile_size: `None`, or int > `2 * overlap`: tile side in
                low-resolution pixels.
            overlap: int >= 0, margin of each tile in low-resolution pixels.
            batch_size: images (or tiles) per generator call.

        Returns:
            NumPy array `(num_images, scale * height, scale * width,
            channels)`.
        """
        images = check_array(
            images,
            "images",
            feature_shape=(None, None, self.channels),
            low=-1.0,
            high=1.0,
            range_hint=RANGE_HINT,
        )
        batch_size = check_integer(batch_size, "batch_size")
        if tile_size is None:
            return self._predict(images, batch_size)
        tile_size = check_integer(tile_size, "tile_size")
        overlap = check_integer(overlap, "overlap", minimum=0)
        if tile_size <= 2 * overlap:
            raise ValueError(
                f"`tile_size` must exceed 2 * overlap = {2 * overlap} so that "
                f"tiles advance. Received: tile_size={tile_size}, "
                f"overlap={overlap}."
            )
        rows = _tiles(images.shape[1], tile_size, overlap)
        columns = _tiles(images.shape[2], tile_size, overlap)
        height, width = (min(tile_size, n) for n in images.shape[1:3])
        crops = [
            images[:, r : r + height, c : c + width]
            for r, _, _ in rows
            for c, _, _ in columns
        ]
        outputs = np.split(
            self._predict(np.concatenate(crops), batch_size), len(crops)
        )
        s = self.scale
        result = np.empty(
            (
                len(images),
                *(n * s for n in images.shape[1:3]),
                outputs[0].shape[-1],
            ),
            outputs[0].dtype,
        )
        tiles = iter(outputs)
        for r, top, bottom in rows:
            for c, left, right in columns:
                tile = next(tiles)
                result[:, top * s : bottom * s, left * s : right * s] = tile[
                    :,
                    (top - r) * s : (bottom - r) * s,
                    (left - c) * s : (right - c) * s,
                ]
        return result

    def _predict(self, images, batch_size):
        return self.generator.predict(images, batch_size=batch_size, verbose=0)

    def sample(self, num_samples, seed, **kwargs):
        raise NotImplementedError(
            "SRGAN upscales given images: call `upscale(images)`."
        )

    def fit(self, x=None, y=None, **kwargs):
        self._check_pairs(x, y)
        return super().fit(x, y, **kwargs)

    def evaluate(self, x=None, y=None, **kwargs):
        self._check_pairs(x, y)
        return super().evaluate(x, y, **kwargs)

    def _check_pairs(self, x, y):
        """Checks arrays of low- and high-resolution images as a pair."""
        if not is_array(x):
            return
        if y is None:
            raise ValueError(
                "SRGAN trains on pairs: call `fit(low_resolution, "
                "high_resolution)`."
            )
        low = self._check_images(x, "x", self.channels)
        high = self._check_images(y, "y", self.output_channels)
        s = self.scale
        size, expected = high.shape[1:3], tuple(s * n for n in low.shape[1:3])
        if size[0] % s or size[1] % s:
            raise ValueError(
                f"The high-resolution images `y` ({size[0]}x{size[1]}) must "
                f"have a height and width divisible by the scale {s}. Crop "
                "them to a multiple of the scale."
            )
        if size != expected or len(high) != len(low):
            raise ValueError(
                f"`y` must hold one high-resolution image per low-resolution "
                f"image, {s} times its size: expected {len(low)} images of "
                f"{expected[0]}x{expected[1]}, received {len(high)} of "
                f"{size[0]}x{size[1]}. Pass matching (x, y) pairs."
            )
        for network in (self.discriminator, self.content_model):
            shape = None if network is None else _input_shape(network)
            if shape is not None and None not in shape[:2]:
                if tuple(shape[:2]) != size:
                    raise ValueError(
                        f"The {network.name} takes {shape[0]}x{shape[1]} "
                        f"images but the targets `y` are {size[0]}x{size[1]}."
                        " Build it for the target size or with None height "
                        "and width."
                    )

    def _check_images(self, images, name, channels):
        return check_array(
            images,
            name,
            feature_shape=(None, None, channels),
            low=-1.0,
            high=1.0,
            range_hint=RANGE_HINT,
        )

    def check_inputs(self, x):
        """Pairs are checked by `fit` / `evaluate` (`_check_pairs`)."""

    def get_config(self):
        config = super().get_config()
        del config["loss_weights"]
        return {
            **config,
            "generator": serialize_network(self.generator),
            "discriminator": serialize_network(self.discriminator),
            "content_model": serialize_network(self.content_model),
            "adversarial_weight": self.adversarial_weight,
        }


def _input_shape(network):
    """The one input shape of a functional model (no batch axis), or None."""
    try:
        inputs = network.inputs
    except (AttributeError, ValueError):
        return None
    if not inputs or len(inputs) != 1:
        return None
    return tuple(inputs[0].shape[1:])


def _image_channels(generator, name):
    shape = _input_shape(generator)
    if shape is None or len(shape) != 3 or shape[:2] != (None, None):
        raise ValueError(
            f"The {name} must be a fully convolutional functional Keras model "
            "taking images of any size, input shape (None, None, channels), "
            f"so that it upscales images of any size. Received input shape "
            f"{shape}. Build it with `kgen.models.build_srresnet_generator` "
            "or `keras.Input((None, None, channels))`."
        )
    return shape[2]


def _scale_of(generator, channels):
    """`(scale, output channels)`, the generator's integer upscaling."""
    probe = 8
    shape = tuple(
        generator.compute_output_shape((None, probe, probe, channels))
    )
    if (
        len(shape) != 4
        or shape[1] != shape[2]
        or not shape[1]
        or shape[1] % probe
        or shape[1] // probe < 2
    ):
        raise ValueError(
            "The generator must upscale images by an integer factor >= 2 on "
            f"both axes. On {probe}x{probe} inputs it returns shape "
            f"{shape[1:]}. Build it with `kgen.models.build_srresnet_generator`."
        )
    return shape[1] // probe, shape[3]


def _tiles(length, tile, overlap):
    """`(start, keep_from, keep_to)` of the tiles covering `[0, length)`.

    Tiles start `tile - 2 * overlap` apart (the last one ends at `length`);
    the cut between two neighbours lies at least `overlap` pixels inside
    both.
    """
    if length <= tile:
        return [(0, 0, length)]
    starts = list(range(0, length - tile, tile - 2 * overlap))
    starts.append(length - tile)
    cuts = [0]
    cuts += [(a + b + tile) // 2 for a, b in zip(starts, starts[1:])]
    cuts.append(length)
    return [(s, cuts[i], cuts[i + 1]) for i, s in enumerate(starts)]


def _pair(data):
    if not isinstance(data, (tuple, list)) or len(data) < 2 or data[1] is None:
        raise ValueError(
            "SRGAN trains on (low_resolution, high_resolution) pairs: call "
            "`fit(low_resolution, high_resolution)` or pass a dataset "
            "yielding pairs."
        )
    return data[0], data[1]
