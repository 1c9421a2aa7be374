"""The Colouriser: grey images to colour, trained in CIE Lab."""

import warnings

import keras
import numpy as np
from keras import layers
from keras import ops

from kgen import backend
from kgen.applications.colourisation import colour_bins
from kgen.applications.colourisation.lab import AB_SCALE
from kgen.applications.colourisation.lab import L_SCALE
from kgen.applications.colourisation.lab import check_unit_range
from kgen.applications.colourisation.lab import denormalize_lab
from kgen.applications.colourisation.lab import lab_to_rgb
from kgen.applications.colourisation.lab import rgb_to_lab
from kgen.models.gan.adversarial_model import AdversarialModel
from kgen.models.phase import Phase
from kgen.models.translation.builders import build_patchgan_discriminator
from kgen.models.translation.builders import build_unet_generator
from kgen.utils.serialization import deserialize_network
from kgen.utils.serialization import serialize_network
from kgen.utils.validation import check_array
from kgen.utils.validation import check_bool
from kgen.utils.validation import check_choice
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number
from kgen.utils.validation import is_array

METHODS = ("regression", "classification", "adversarial", "autoencoder")
_TERMS = {
    "regression": ("l1",),
    "classification": ("cross_entropy",),
    "adversarial": ("l1", "adversarial"),
    "autoencoder": ("mse",),
}
_RANGE_HINT = (
    "Use `kgen.applications.colourisation.lab_pairs(rgb_images)` to make "
    "inputs `L / 50 - 1` and targets `ab / 110`."
)


@keras.saving.register_keras_serializable(package="kgen")
class Colouriser(AdversarialModel):
    """Colours grey images: a network from lightness L to colour ab in Lab.

    Images are split into CIE Lab (`skimage.color`): the network sees the
    lightness `L / 50 - 1` and predicts the colour channels `ab / 110`,
    both in about [-1, 1]. Four methods share this API:

    - `"regression"`: a U-Net (`kgen.models.build_unet_generator`, batch
      normalisation, no dropout) with a tanh output, trained with the L1
      loss (the Pix2Pix generator without the adversary).
    - `"classification"` (Zhang et al. 2016): the U-Net's last features
      feed a 1x1 convolution to one logit per quantised ab colour
      (`bins`, by default the sRGB gamut on a grid of `grid_size`). Targets
      are soft-encoded over the `neighbours` nearest bins (Gaussian of
      width `sigma`), the cross-entropy of each pixel is weighted by the
      class-rebalancing weight of its nearest bin (prior mixed with the
      uniform distribution by `rebalancing`, the paper's lambda = 0.5), and
      colours are decoded by the annealed mean at `temperature` (0.38).
      The prior comes from the targets of the first `fit` on arrays (or
      `set_class_prior`).
    - `"adversarial"` (Pix2Pix): the regression U-Net plus a PatchGAN
      (`kgen.models.build_patchgan_discriminator`) that judges
      `(L, ab)` pairs; the generator minimises
      `L1 + adversarial_weight * adversarial` (0.01 is the paper's
      lambda = 100 on L1).
    - `"autoencoder"`: the plain convolutional encoder-decoder (no skip
      connections) trained with the squared error, the simplest model.

    With `rebalance=True`, the regression, adversarial and autoencoder
    methods weight each pixel's L1 (or squared) error by the
    class-rebalancing weight of its true colour's nearest bin, exactly as
    the classification method weights its cross-entropy: the median (or
    mean) the network hedges towards moves from the common, greyish
    colours towards the rare, saturated ones, which makes the colours more
    vivid at some cost in error.

    Mean-seeking losses (L1, squared error) hedge towards grey where the
    colour is uncertain. `saturation` multiplies the predicted ab at
    inference (`predict_ab`, `colourise`; training is unchanged): values
    above 1 trade some ab error for more vivid colours, like a lower
    annealed-mean `temperature` for the classification method. It is an
    attribute that can be set after training (e.g. chosen on validation
    photos) and is saved with the model.

    Networks are fully convolutional, so `colourise` takes grey images of
    any size: it pads them (reflection) to a multiple of the downsampling
    factor `2 ** num_downsampling` and crops the result back. Train on
    patches with `fit(lightness, ab)` (make them with
    `lab_pairs(rgb_patches)`), like any Keras model (uncompiled, `fit`
    compiles it with Adam, learning rate 2e-4, beta_1 = 0.5, Pix2Pix's
    setting); the model saves to
    one `.keras` file with its bins, class weights and optimizer state.

    Reference: Zhang, Isola and Efros, "Colorful Image Colorization",
    ECCV 2016; Isola et al., "Image-to-Image Translation with Conditional
    Adversarial Networks", CVPR 2017.

    Args:
        method: one of `"regression"`, `"classification"`,
            `"adversarial"`, `"autoencoder"`.
        network: a functional model from `(None, None, 1)` lightness to
            `(None, None, 2)` ab (`(None, None, num_bins)` logits for
            classification), or `None` to build the default one.
        discriminator: for `"adversarial"`, a model scoring
            `(None, None, 3)` Lab images, or `None` to build a PatchGAN.
        bins: for `"classification"`, the ab bin centres `(num_bins, 2)`
            (see `ab_bins`), or `None` for `ab_bins(grid_size=grid_size)`.
        grid_size: side of the default bins, in ab units.
        rebalancing: float in [0, 1], the uniform share `lambda` of the
            class-rebalancing prior (1 switches rebalancing off).
        rebalance: bool, whether the pixel losses of the regression,
            adversarial and autoencoder methods are class-rebalanced (the
            classification method always is; set `rebalancing=1` to make
            its weights equal).
        temperature: float > 0, the annealed-mean temperature.
        saturation: float > 0, the factor applied to predicted ab (1: the
            network's own output).
        neighbours: int >= 1, bins a target colour is spread over.
        sigma: float > 0, width of the soft encoding in ab units.
        adversarial_weight: weight of the adversarial term.
        base_filters: filters of the default networks' first layer.
        num_downsampling: int >= 1, stride-2 steps of the default networks;
            `colourise` pads images to a multiple of `2 ** num_downsampling`
            (set it to your own `network`'s factor).
        loss: the adversarial game (see `kgen.losses.AdversarialLoss`).
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `AdversarialModel` (`label_smoothing`,
            `instance_noise`, `name`).

    Example:

    ```python
    from kgen.applications import colourisation

    x, y = colourisation.lab_pairs(rgb_patches)  # uint8 (n, 32, 32, 3)
    colouriser = colourisation.Colouriser("classification", seed=0)
    colouriser.compile(optimizer=keras.optimizers.Adam(1e-3))
    colouriser.fit(x, y, batch_size=16, epochs=10)
    colour = colouriser.colourise(grey_photos)  # RGB in [0, 1]
    ```
    """

    default_loss_weights = {
        "l1": 1.0,
        "cross_entropy": 1.0,
        "mse": 1.0,
        "adversarial": 0.01,
    }

    def __init__(
        self,
        method="regression",
        network=None,
        discriminator=None,
        bins=None,
        grid_size=10.0,
        rebalancing=0.5,
        rebalance=False,
        temperature=0.38,
        saturation=1.0,
        neighbours=5,
        sigma=5.0,
        adversarial_weight=0.01,
        base_filters=32,
        num_downsampling=4,
        loss="non_saturating",
        seed=None,
        **kwargs,
    ):
        kwargs.pop("loss_weights", None)  # rebuilt from adversarial_weight
        super().__init__(
            loss=loss,
            loss_weights={
                "adversarial": check_number(
                    adversarial_weight, "adversarial_weight", low=0
                )
            },
            seed=seed,
            **kwargs,
        )
        check_choice(method, "method", METHODS)
        self.method = method
        self.grid_size = check_number(grid_size, "grid_size", low=0)
        self.rebalancing = check_number(
            rebalancing, "rebalancing", low=0, high=1
        )
        self.rebalance = check_bool(rebalance, "rebalance")
        self.temperature = check_number(temperature, "temperature", low=0)
        self.saturation = saturation
        self.sigma = check_number(sigma, "sigma", low=0)
        self.neighbours = check_integer(neighbours, "neighbours")
        self.base_filters = check_integer(base_filters, "base_filters")
        self.num_downsampling = check_integer(
            num_downsampling, "num_downsampling"
        )
        if not self.temperature > 0 or not self.sigma > 0:
            raise ValueError(
                "`temperature` and `sigma` must be > 0. Received "
                f"temperature={temperature}, sigma={sigma}."
            )
        self.bins = None
        if method == "classification" or self.rebalance:
            self.bins = self._check_bins(bins)
            self.bin_weights = self.add_weight(
                shape=(len(self.bins),),
                initializer="ones",
                trainable=False,
                name="bin_weights",
            )
            self.prior_set = self.add_weight(
                shape=(), initializer="zeros", trainable=False, name="prior_set"
            )
        if network is None:
            network = self._default_network()
        self.network = deserialize_network(network, "network")
        self._check_network()
        self.discriminator = None
        if method == "adversarial":
            if discriminator is None:
                discriminator = _any_size(
                    build_patchgan_discriminator(
                        (64, 64, 3), self.base_filters, num_layers=2
                    ),
                    3,
                )
            self.discriminator = deserialize_network(
                discriminator, "discriminator"
            )
        self.built = True

    # ------------------------------------------------------------ networks

    @property
    def downsampling_factor(self):
        """Image sides `colourise` pads to a multiple of."""
        return 2**self.num_downsampling

    @property
    def num_outputs(self):
        """Output channels of the network: 2, or one logit per bin."""
        return len(self.bins) if self.method == "classification" else 2

    def _check_bins(self, bins):
        if bins is None:
            bins = colour_bins.ab_bins(grid_size=self.grid_size)
        bins = np.asarray(bins, "float32")
        if bins.ndim != 2 or bins.shape[1] != 2 or len(bins) < 2:
            raise ValueError(
                "`bins` must be ab centres of shape (num_bins >= 2, 2). "
                f"Received shape {bins.shape}. Use `ab_bins(...)`."
            )
        if self.method == "classification" and self.neighbours > len(bins):
            raise ValueError(
                f"`neighbours`={self.neighbours} exceeds the {len(bins)} bins."
            )
        return bins

    def _default_network(self):
        size = max(self.downsampling_factor, 16)
        if self.method == "autoencoder":
            return _plain_autoencoder(self.base_filters, self.num_downsampling)
        classify = self.method == "classification"
        unet = build_unet_generator(
            (size, size, 1),
            output_channels=self.base_filters if classify else 2,
            base_filters=self.base_filters,
            num_downsampling=self.num_downsampling,
            dropout=0.0,
            normalization="batch",
            output_activation="relu" if classify else "tanh",
            name="colouriser_unet",
        )
        unet = _any_size(unet, 1)
        if not classify:
            return unet
        logits = layers.Conv2D(self.num_outputs, 1, name="bin_logits")(
            unet.outputs[0]
        )
        return keras.Model(unet.inputs, logits, name="colouriser_classifier")

    def _check_network(self):
        shape = tuple(self.network.inputs[0].shape[1:])
        out = self.network.outputs[0].shape[-1]
        if len(shape) != 3 or shape[-1] != 1 or out != self.num_outputs:
            raise ValueError(
                f"The {self.method} network must map lightness images "
                f"(height, width, 1) to {self.num_outputs} channels. Received "
                f"input shape {shape} and {out} output channels."
            )

    # ------------------------------------------------------------ training

    def build_phases(self):
        phases = [
            Phase(
                "generator",
                self.generator_loss,
                self.network,
                logs=_TERMS[self.method],
            )
        ]
        if self.discriminator is not None:
            phases.append(
                Phase(
                    "discriminator",
                    self.discriminator_loss,
                    self.discriminator,
                    logs=("d_real", "d_fake"),
                )
            )
        return phases

    def generator_loss(self, data, training=True):
        """`(loss, terms)` of the colouring network on a batch."""
        lightness, target = _pair(data)
        outputs = self.network(lightness, training=training)
        if self.method == "classification":
            terms = {"cross_entropy": self.classification_loss(target, outputs)}
        elif self.method == "autoencoder":
            terms = {
                "mse": self.pixel_loss(target, ops.square(outputs - target))
            }
        else:
            terms = {"l1": self.pixel_loss(target, ops.abs(outputs - target))}
        if self.discriminator is not None:
            self.share("fake", outputs)
            scores = self.discriminator(
                self._pair_images(lightness, outputs, training),
                training=training,
            )
            terms["adversarial"] = self.adversarial_loss.generator(scores)
        return self.weighted_sum(terms)

    def classification_loss(self, target, logits):
        """Rebalanced cross-entropy against soft-encoded ab targets.

        Args:
            target: tensor `(..., 2)` of `ab / 110`.
            logits: tensor `(..., num_bins)`.

        Returns:
            The mean over pixels of `w(nearest bin) * H(soft target,
            softmax(logits))`.
        """
        distances = colour_bins.squared_distances(target * AB_SCALE, self.bins)
        soft = colour_bins.soft_encoding(distances, self.neighbours, self.sigma)
        weights = self._bin_weights(distances)
        log_probabilities = ops.log_softmax(logits, axis=-1)
        entropy = -ops.sum(soft * log_probabilities, axis=-1)
        return ops.mean(weights * entropy)

    def pixel_loss(self, target, errors):
        """The mean of per-element `errors`, class-rebalanced if asked.

        Args:
            target: tensor `(..., 2)` of `ab / 110`.
            errors: tensor `(..., 2)`, e.g. `|prediction - target|`.

        Returns:
            `mean(errors)`, or with `rebalance=True` the mean over pixels
            of `w(nearest bin of the target) * mean(errors over ab)`.
        """
        if not self.rebalance:
            return ops.mean(errors)
        distances = colour_bins.squared_distances(target * AB_SCALE, self.bins)
        weights = self._bin_weights(distances)
        return ops.mean(weights * ops.mean(errors, axis=-1))

    def _bin_weights(self, distances):
        """Rebalancing weight of each pixel's nearest bin."""
        return ops.take(self.bin_weights, ops.argmin(distances, axis=-1))

    def discriminator_loss(self, data, training=True):
        """`(loss, {"d_real": ..., "d_fake": ...})` of the adversarial method."""
        lightness, target = _pair(data)
        fake = self.shared("fake")
        if fake is None:
            fake = backend.without_gradient(
                self.network, lightness, training=training
            )
        real = self.discriminator(
            self._pair_images(lightness, target, training), training=training
        )
        fake = self.discriminator(
            self._pair_images(lightness, fake, training), training=training
        )
        loss = 0.5 * self.adversarial_loss.discriminator(real, fake)
        return loss, {
            "d_real": self.adversarial_loss.readable(real),
            "d_fake": self.adversarial_loss.readable(fake),
        }

    def _pair_images(self, lightness, ab, training):
        return self.noisy(ops.concatenate([lightness, ab], axis=-1), training)

    def set_class_prior(self, prior):
        """Sets the class-rebalancing weights from the bins' distribution.

        Args:
            prior: array `(num_bins,)`, the training distribution of the
                bins (`bin_prior(train_ab, model.bins)`).
        """
        if self.bins is None:
            raise ValueError(
                "Only the classification method and colourisers made with "
                "`rebalance=True` have class weights; this colouriser's "
                f"method is {self.method!r} without rebalancing."
            )
        prior = np.asarray(prior, "float64")
        if prior.shape != (len(self.bins),):
            raise ValueError(
                f"`prior` must have shape ({len(self.bins)},). Received "
                f"{prior.shape}."
            )
        weights = colour_bins.rebalancing_weights(prior, self.rebalancing)
        self.bin_weights.assign(weights)
        self.prior_set.assign(1.0)

    def fit(self, x=None, y=None, **kwargs):
        if is_array(x) and y is None:
            raise ValueError(
                "A Colouriser trains on pairs: call `fit(lightness, ab)`, "
                "e.g. with `lab_pairs(rgb_patches)`."
            )
        if is_array(y):
            y = check_array(
                y, "y", feature_shape=(None, None, 2), range_hint=_RANGE_HINT
            )
        if self.bins is not None and not float(self.prior_set):
            if not is_array(y):
                raise ValueError(
                    "The class-rebalancing weights come from the training "
                    "targets: call `set_class_prior(bin_prior(ab, "
                    "model.bins))` before fitting on a dataset."
                )
            self.set_class_prior(colour_bins.bin_prior(y * AB_SCALE, self.bins))
        if not self.compiled:
            self.compile(optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
        return super().fit(x, y, **kwargs)

    def check_inputs(self, x):
        if is_array(x):
            check_array(
                x,
                "x",
                feature_shape=(None, None, 1),
                low=-1.0,
                high=1.0,
                range_hint=_RANGE_HINT,
            )

    # ------------------------------------------------------------ inference

    def call(self, inputs, training=False):
        """The network's raw output: ab / 110, or logits per bin."""
        return self.network(inputs, training=training)

    @property
    def saturation(self):
        """The factor applied to predicted ab at inference (float > 0)."""
        return self._saturation

    @saturation.setter
    def saturation(self, value):
        self._saturation = check_number(
            value,
            "saturation",
            low=0,
            low_open=True,
            hint="1 keeps the network's colours; above 1 is more vivid.",
        )

    def decode(self, outputs):
        """ab / 110 from the network's output (annealed mean for bins),
        times `saturation`."""
        if self.method == "classification":
            outputs = (
                colour_bins.annealed_mean(
                    outputs, self.bins, self.temperature, logits=True
                )
                / AB_SCALE
            )
        return outputs * self.saturation

    def predict_ab(self, lightness, batch_size=8):
        """Predicted `ab / 110` for lightness `L / 50 - 1` (inference mode).

        Args:
            lightness: array `(num_images, height, width, 1)`, height and
                width multiples of `downsampling_factor`.
            batch_size: images per network call.

        Returns:
            float32 NumPy array `(num_images, height, width, 2)`.
        """
        batch_size = check_integer(batch_size, "batch_size")
        parts = [
            ops.convert_to_numpy(
                self.decode(self(lightness[i : i + batch_size]))
            )
            for i in range(0, len(lightness), batch_size)
        ]
        return np.concatenate(parts).astype("float32")

    def colourise(self, grey_images, batch_size=8):
        """Colours grey images of any size.

        Each image's lightness L is taken as that of its grey level (a grey
        pixel `g` is the colour `(g, g, g)`), padded by reflection to a
        multiple of `downsampling_factor`, coloured, and cropped back; the
        result is the Lab image `(L, predicted ab)` in RGB.

        Args:
            grey_images: an array of grey images `(num_images, height,
                width)` or `(num_images, height, width, 1)`, or a list of
                images `(height, width)` / `(height, width, 1)` of any sizes;
                uint8 in [0, 255] or floats in [0, 1]. Colour images
                (3 channels) are converted to grey with a warning.
            batch_size: images per network call.

        Returns:
            float32 RGB images in [0, 1]: an array `(num_images, height,
            width, 3)` for an array, a list for a list.

        Raises:
            ValueError: other channel counts, images smaller than
                `downsampling_factor`, empty input, NaN or out-of-range
                values.
        """
        if isinstance(grey_images, (list, tuple)):
            if not grey_images:
                raise ValueError("`grey_images` is an empty list.")
            return [
                self.colourise(image[None], batch_size)[0]
                for image in grey_images
            ]
        lightness = self._lightness(np.asarray(grey_images))
        height, width = lightness.shape[1:3]
        factor = self.downsampling_factor
        padding = [(0, 0), _padding(height, factor), _padding(width, factor)]
        padded = np.pad(lightness, padding + [(0, 0)], mode="reflect")
        normalized = padded / L_SCALE - 1.0
        ab = self.predict_ab(normalized, batch_size)[:, :height, :width]
        return lab_to_rgb(denormalize_lab(normalized[:, :height, :width], ab))

    def _lightness(self, images):
        """L in [0, 100], shape `(n, h, w, 1)`, after checking the input."""
        if images.ndim == 3:
            images = images[..., None]
        if images.ndim != 4 or images.shape[-1] not in (1, 3):
            raise ValueError(
                "Expected grey images (num_images, height, width) or "
                "(num_images, height, width, 1), or colour images with 3 "
                f"channels. Received shape {images.shape}. Pass one image as "
                "`image[None]`; drop an alpha channel with `[..., :3]`."
            )
        if min(images.shape[1:3]) < self.downsampling_factor:
            raise ValueError(
                f"Images must be at least {self.downsampling_factor} pixels "
                "on each side (the network's downsampling factor). Received "
                f"images of {images.shape[1]}x{images.shape[2]}. Upscale them."
            )
        images = check_unit_range(images, "grey_images")
        if images.shape[-1] == 3:
            warnings.warn(
                "`colourise` received colour images (3 channels): using their "
                "lightness L and discarding their colours.",
                stacklevel=3,
            )
        else:
            images = np.repeat(images, 3, axis=-1)
        return rgb_to_lab(images)[..., :1]

    def sample(self, num_samples, seed, **kwargs):
        raise NotImplementedError(
            "A Colouriser colours given images: call `colourise(images)`."
        )

    def get_config(self):
        config = super().get_config()
        del config["loss_weights"]
        return {
            **config,
            "method": self.method,
            "network": serialize_network(self.network),
            "discriminator": None
            if self.discriminator is None
            else serialize_network(self.discriminator),
            "bins": None if self.bins is None else self.bins.tolist(),
            "grid_size": self.grid_size,
            "rebalancing": self.rebalancing,
            "rebalance": self.rebalance,
            "temperature": self.temperature,
            "saturation": self.saturation,
            "neighbours": self.neighbours,
            "sigma": self.sigma,
            "adversarial_weight": self.loss_weights["adversarial"],
            "base_filters": self.base_filters,
            "num_downsampling": self.num_downsampling,
        }


def _any_size(model, channels):
    """The same functional network on inputs `(None, None, channels)`."""
    return keras.models.clone_model(
        model, input_tensors=keras.Input((None, None, channels))
    )


def _plain_autoencoder(base_filters, num_downsampling):
    """Stride-2 convolutions down, transposed convolutions up, no skips."""
    inputs = keras.Input((None, None, 1), name="lightness")
    hidden = inputs
    for step in range(num_downsampling):
        filters = base_filters * min(2**step, 8)
        hidden = layers.Conv2D(
            filters, 4, strides=2, padding="same", activation="relu"
        )(hidden)
    for step in reversed(range(num_downsampling - 1)):
        filters = base_filters * min(2**step, 8)
        hidden = layers.Conv2DTranspose(
            filters, 4, strides=2, padding="same", activation="relu"
        )(hidden)
    outputs = layers.Conv2DTranspose(
        2, 4, strides=2, padding="same", activation="tanh"
    )(hidden)
    return keras.Model(inputs, outputs, name="colouriser_autoencoder")


def _padding(size, factor):
    return (0, (-size) % factor)


def _pair(data):
    if not isinstance(data, (tuple, list)) or len(data) < 2 or data[1] is None:
        raise ValueError(
            "A Colouriser trains on (lightness, ab) pairs: call "
            "`fit(lightness, ab)`."
        )
    return data[0], data[1]
