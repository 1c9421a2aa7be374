"""A two-head watermark remover: the clean image and the watermark mask."""

import keras
import numpy as np
from keras import ops

from kgen.applications.watermark.losses import image_mean
from kgen.applications.watermark.losses import mask_loss
from kgen.applications.watermark.losses import region_mean
from kgen.applications.watermark.watermark_pairs import WatermarkPairs
from kgen.models.generative_model import GenerativeModel
from kgen.models.translation.builders import build_unet_generator
from kgen.utils.serialization import deserialize_network
from kgen.utils.serialization import serialize_network
from kgen.utils.validation import check_array
from kgen.utils.validation import check_bool
from kgen.utils.validation import check_choice
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number
from kgen.utils.validation import is_array

_COMPILED_INFERENCE = keras.backend.backend() == "jax"
RANGE_HINT = "Scale images to [0, 1], e.g. divide 8-bit images by 255."
COMPOSITIONS = ("inverse_blend", "residual")
"""How `WatermarkRemover` forms its refined image: by inverting the blend
with a predicted opacity and colour, plus a residual, or by adding a
residual to the input."""


@keras.saving.register_keras_serializable(package="kgen")
class WatermarkRemover(GenerativeModel):
    """Removes visible watermarks without being told where they are.

    A network with two heads, in the spirit of SLBR and WDNet: from the
    watermarked image `J` it predicts a refined image `R` and the logits
    of the watermark mask. By default the network is a U-Net
    (`kgen.models.build_unet_generator`) with linear outputs, rebuilt to
    take images of any size. How `R` is formed is the `composition`:

    - `"inverse_blend"` (default): besides the mask logit \\( z \\) and a
      residual `r`, the network predicts per pixel the blend weight
      \\( a = a_{\\max} \\sigma(z_a) \\) (the opacity times the shape,
      \\( \\alpha M \\)) and the watermark colour \\( W = \\sigma(z_W) \\),
      and the refined image inverts the compositing model
      `J = (1 - alpha M) I + alpha M W` (see `composite`), corrected by the
      residual: \\( R = (J - a W) / (1 - a) + r \\). Under a
      semi-transparent watermark the pixels still carry
      \\( (1 - \\alpha M) I \\), which the inversion recovers far better
      than inpainting could; the residual corrects what it gets wrong.
      Network outputs: `2 * channels + 2` (residual, mask logit, blend
      weight logit, colour logits).
    - `"residual"`: \\( R = J + r \\), outputs `channels + 1` (residual,
      mask logit).

    Training (`fit(watermarked, (clean, masks))`, `fit(watermarked,
    (clean, masks, alpha))`, `fit(watermarked, (clean, masks, alpha,
    watermarks))` or `fit(pairs)` with a `WatermarkPairs`, which passes its
    opacities and watermark colours) minimises, per image,

    \\[ \\overline{|\\hat I - I|}
        + \\lambda_R \\, \\overline{|R - I|}_{\\mathcal{M}}
        + \\lambda_M \\, \\mathrm{BCE}(M_b, \\hat m)
        + \\lambda_a \\, \\big(\\overline{|a - \\alpha M|}_{\\mathcal{M}}
        + \\overline{|a|}_{\\bar{\\mathcal{M}}}\\big)
        + \\lambda_W \\, \\overline{|W - W^*|}_{\\mathcal{M}}, \\qquad
        \\hat I = (1 - \\hat m) J + \\hat m R, \\]

    where \\( \\overline{\\cdot}_{\\mathcal{M}} \\) averages over the pixels
    the watermark touches (\\( \\mathcal{M} = \\{M > 0\\} \\),
    \\( M_b \\) its indicator; normalised by their number, so small
    watermarks weigh as much as large ones) and
    \\( \\overline{\\cdot}_{\\bar{\\mathcal{M}}} \\) over the others: the mean
    absolute error of the mask-blended output over the image,
    `inside_weight` \\( \\lambda_R \\) times that of the refined image
    inside the mask, `mask_weight` \\( \\lambda_M \\) times the mask head's
    binary cross-entropy (`mask_loss`) and, for `"inverse_blend"`,
    `opacity_weight` \\( \\lambda_a \\) times the blend weight's error
    averaged inside and outside the mask separately (the two regions weigh
    the same, so the many pixels off the watermark do not pull `a` to 0;
    needs the opacities \\( \\alpha \\)) and `colour_weight`
    \\( \\lambda_W \\) times the colour's error inside the mask (needs the
    true colours \\( W^* \\)). Through `R` alone the two are hard to learn
    together: with a wrong `W`, raising `a` can make `R` worse, and at
    `a = 0` the colour gets no gradient.
    `fit` logs the terms under the names in `loss_terms`.

    `remove_watermark(images)` keeps every pixel whose mask probability is
    below `mask_threshold` exactly as given and replaces the others by the
    refined image (clipped to [0, 1]). Images of any size are padded by
    reflection to a multiple of `size_multiple` (the U-Net's downsampling
    factor) and cropped back.

    Reference:
        Liang et al., "Visible Watermark Removal via Self-calibrated
        Localization and Background Refinement" (SLBR), ACM MM 2021;
        Liu et al., "WDNet: Watermark-Decomposition Network for Visible
        Watermark Removal", WACV 2021.

    Args:
        network: `None` to build the U-Net, or a `keras.Model` mapping
            images `(batch, height, width, channels)` of any size divisible
            by `size_multiple` to `(batch, height, width, outputs)` with
            the outputs `composition` needs (`network_output_channels`).
        image_channels: int >= 1, channels of the images (built U-Net).
        base_filters: filters of the built U-Net's first convolution.
        num_downsampling: int >= 1, stride-2 steps of the built U-Net.
        size_multiple: int >= 1, what image sides are padded to a multiple
            of; default `2 ** num_downsampling` for the built U-Net, 1 for
            a given network.
        normalization: normalisation of the built U-Net: `"batch"`
            (default; its running statistics do not depend on the image
            size at inference), `"instance"` or `None`.
        composition: `"inverse_blend"` (default) or `"residual"`: how
            the refined image is formed (see above).
        mask_weight: float >= 0, the weight of the mask loss.
        inside_weight: float >= 0, the weight of the refined image's error
            inside the true mask.
        opacity_weight: float >= 0, the weight of the blend weight's error
            (`"inverse_blend"`, when the opacities are given).
        colour_weight: float >= 0, the weight of the colour's error inside
            the mask (`"inverse_blend"`, when the colours are given).
        balanced_mask_loss: bool, average the mask loss over the
            watermark's pixels and over the others separately (see
            `mask_loss`) rather than over all pixels.
        max_opacity: float in (0, 1), the largest blend weight
            \\( a_{\\max} \\) the `"inverse_blend"` head can predict (the
            inversion divides by \\( 1 - a \\)).
        mask_threshold: float in (0, 1), the mask probability above which
            a pixel is replaced.
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    from kgen.applications import watermark
    train = watermark.make_watermark_pairs(2000, image_size=64, seed=0)
    remover = watermark.WatermarkRemover(base_filters=16, seed=0)
    remover.compile(optimizer=keras.optimizers.Adam(2e-3))
    remover.fit(train, epochs=2, batch_size=16)
    test = watermark.make_watermark_pairs(
        50, image_size=(80, 120), split="test", seed=1
    )
    cleaned = remover.remove_watermark(test.watermarked)  # any size
    opacity = remover.predict_components(test.watermarked)["opacity"]
    masks = remover.predict_mask(test.watermarked)  # booleans (50, 80, 120)
    ```
    """

    def __init__(
        self,
        network=None,
        image_channels=3,
        base_filters=32,
        num_downsampling=4,
        size_multiple=None,
        normalization="batch",
        composition="inverse_blend",
        mask_weight=1.0,
        inside_weight=1.0,
        opacity_weight=1.0,
        colour_weight=1.0,
        balanced_mask_loss=False,
        max_opacity=0.9,
        mask_threshold=0.5,
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        self.composition = check_choice(
            composition, "composition", COMPOSITIONS
        )
        self.max_opacity = check_number(
            max_opacity,
            "max_opacity",
            low=0.0,
            high=1.0,
            low_open=True,
            high_open=True,
        )
        self.base_filters = check_integer(base_filters, "base_filters")
        self.num_downsampling = check_integer(
            num_downsampling, "num_downsampling"
        )
        self.normalization = normalization
        if network is None:
            network = self.build_network(
                check_integer(image_channels, "image_channels")
            )
            size_multiple = size_multiple or 2**self.num_downsampling
        self.network = deserialize_network(network, "network")
        self.image_channels = self._check_network(self.network)
        self.size_multiple = check_integer(size_multiple or 1, "size_multiple")
        self.mask_weight = check_number(mask_weight, "mask_weight", low=0.0)
        self.inside_weight = check_number(
            inside_weight, "inside_weight", low=0.0
        )
        self.opacity_weight = check_number(
            opacity_weight, "opacity_weight", low=0.0
        )
        self.colour_weight = check_number(
            colour_weight, "colour_weight", low=0.0
        )
        self.balanced_mask_loss = check_bool(
            balanced_mask_loss, "balanced_mask_loss"
        )
        self.mask_threshold = check_number(
            mask_threshold,
            "mask_threshold",
            low=0.0,
            high=1.0,
            low_open=True,
            high_open=True,
        )
        for name in self.loss_terms:
            self.add_tracker(name)
        self.built = True

    @property
    def loss_terms(self):
        """Names of the loss terms that `fit` logs besides `loss`."""
        terms = ("reconstruction_loss", "refined_loss", "mask_loss")
        if self.composition == "inverse_blend":
            terms += ("opacity_loss", "colour_loss")
        return terms

    def build_network(self, channels):
        """The default network: a U-Net with `channels + 1` linear outputs,
        taking images of any size (divisible by `size_multiple`)."""
        factor = 2**self.num_downsampling
        unet = build_unet_generator(
            (factor, factor, channels),
            output_channels=self.network_output_channels(channels),
            base_filters=self.base_filters,
            num_downsampling=self.num_downsampling,
            dropout=0.0,
            normalization=self.normalization,
            output_activation=None,
            name="watermark_unet",
        )
        inputs = keras.Input((None, None, channels), name="images")
        # The same layers (and weights) on an input of any size.
        return keras.models.clone_model(
            unet, input_tensors=inputs, clone_function=lambda layer: layer
        )

    def _check_network(self, network):
        try:
            inputs, outputs = network.inputs, network.outputs
        except (AttributeError, ValueError):
            inputs, outputs = None, None
        if not inputs or len(inputs) != 1 or len(outputs) != 1:
            raise ValueError(
                "`network` must be a functional `keras.Model` with one image "
                f"input and one output. Received: {network!r}."
            )
        channels = inputs[0].shape[-1]
        expected = self.network_output_channels(channels)
        if outputs[0].shape[-1] != expected or len(inputs[0].shape) != 4:
            raise ValueError(
                f"`network` must map images (batch, height, width, channels) "
                f"to (batch, height, width, {expected}) for "
                f"{type(self).__name__}. Received input shape "
                f"{tuple(inputs[0].shape)} and output shape "
                f"{tuple(outputs[0].shape)}."
            )
        return int(channels)

    def network_output_channels(self, channels):
        """Output channels the network must have: the residual and the
        mask logit, then (`"inverse_blend"`) the blend weight logit and
        the colour logits."""
        if self.composition == "inverse_blend":
            return 2 * channels + 2
        return channels + 1

    # ------------------------------------------------------------ the model

    def call(self, images, training=False):
        """The network's raw output (see `heads`)."""
        return self.network(images, training=training)

    def heads(self, images, raw):
        """Splits the network's raw output into `(refined, mask_logits)`.

        Args:
            images: the watermarked inputs, `(batch, h, w, channels)`.
            raw: the network's output on them.

        Returns:
            The refined images `R` and the mask logits `(batch, h, w, 1)`,
            as backend tensors.
        """
        parts = self.components(images, raw)
        return parts["refined"], parts["mask_logits"]

    def components(self, images, raw):
        """Every quantity the heads predict, as a dict of backend tensors.

        Args:
            images: the watermarked inputs `J`, `(batch, h, w, channels)`.
            raw: the network's output on them.

        Returns:
            `"refined"` (`R`) and `"mask_logits"`; for `"inverse_blend"`
            also `"opacity"` (the blend weight `a`, `(batch, h, w, 1)`),
            `"colour"` (`W`) and `"inverse"` (`(J - a W) / (1 - a)`, before
            the residual).
        """
        images = ops.cast(images, raw.dtype)
        channels = self.image_channels
        residual = raw[..., :channels]
        parts = {"mask_logits": raw[..., channels : channels + 1]}
        if self.composition == "residual":
            parts["refined"] = images + residual
            return parts
        opacity = self.max_opacity * ops.sigmoid(
            raw[..., channels + 1 : channels + 2]
        )
        colour = ops.sigmoid(raw[..., channels + 2 :])
        inverse = (images - opacity * colour) / (1.0 - opacity)
        parts.update(opacity=opacity, colour=colour, inverse=inverse)
        parts["refined"] = inverse + residual
        return parts

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        """The training objective (see the class docstring); logs its terms."""
        clean, masks, *extra = y
        terms = self.loss_terms_of(x, clean, masks, y_pred, *extra)
        loss = ops.mean(terms["loss"])
        for name in self.loss_terms:
            self._trackers[name].update_state(ops.mean(terms[name]))
        return loss

    def loss_terms_of(
        self, images, clean, masks, raw, alpha=None, watermarks=None
    ):
        """Per-image loss terms, with their weighted sum as `"loss"`.

        Args:
            images: watermarked images.
            clean: the clean images.
            masks: the true masks `M`, `(batch, h, w, 1)`.
            raw: the network's raw output on `images`.
            alpha: `None`, or the true opacities `(batch,)` (then the
                `"inverse_blend"` blend weight is fitted to `alpha * M`).
            watermarks: `None`, or the true watermark colours `W` of the
                shape of `images` (then the `"inverse_blend"` colour is
                fitted to them inside the mask).

        Returns:
            A dict of `(batch,)` tensors: `"loss"` and each of `loss_terms`.
        """
        parts = self.components(images, raw)
        refined, logits = parts["refined"], parts["mask_logits"]
        images = ops.cast(images, refined.dtype)
        clean = ops.cast(clean, refined.dtype)
        masks = ops.cast(masks, refined.dtype)
        inside = ops.cast(ops.greater(masks, 0.0), refined.dtype)
        blended = images + ops.sigmoid(logits) * (refined - images)
        terms = {
            "reconstruction_loss": image_mean(ops.abs(blended - clean)),
            "refined_loss": region_mean(ops.abs(refined - clean), inside),
            "mask_loss": mask_loss(
                inside, logits, balanced=self.balanced_mask_loss
            ),
        }
        terms["loss"] = (
            terms["reconstruction_loss"]
            + self.inside_weight * terms["refined_loss"]
            + self.mask_weight * terms["mask_loss"]
        )
        if "opacity" in parts:
            zero = ops.zeros_like(terms["loss"])
            terms["opacity_loss"] = terms["colour_loss"] = zero
            if alpha is not None:
                alpha = ops.reshape(ops.cast(alpha, masks.dtype), (-1, 1, 1, 1))
                error = ops.abs(parts["opacity"] - alpha * masks)
                terms["opacity_loss"] = region_mean(
                    error, inside
                ) + region_mean(error, 1.0 - inside)
            if watermarks is not None:
                watermarks = ops.cast(watermarks, masks.dtype)
                terms["colour_loss"] = region_mean(
                    ops.abs(parts["colour"] - watermarks), inside
                )
            terms["loss"] += (
                self.opacity_weight * terms["opacity_loss"]
                + self.colour_weight * terms["colour_loss"]
            )
        return terms

    # ------------------------------------------------------------ training

    def fit(self, x=None, y=None, validation_data=None, **kwargs):
        """Trains on watermarked images and their clean images and masks.

        Args:
            x: watermarked images `(n, h, w, channels)` in [0, 1], or a
                `WatermarkPairs` (then `y` is taken from it).
            y: `(clean, masks)`: clean images of the shape of `x` and masks
                `(n, h, w, 1)` (`M > 0` marks the watermark); optionally
                followed by the opacities `(n,)` and then the watermark
                colours (the shape of `x`), for the `"inverse_blend"`
                opacity and colour losses.
            validation_data: `WatermarkPairs` or `(x, y)`.
            **kwargs: passed to `keras.Model.fit` (`epochs`,
                `batch_size`, `callbacks`, ...).

        Returns:
            The Keras `History`.
        """
        x, y = self._training_pairs(x, y, "x")
        if validation_data is not None:
            validation_data = self._training_pairs(
                *_split_pairs(validation_data), "validation_data"
            )
        return super().fit(x, y, validation_data=validation_data, **kwargs)

    def evaluate(self, x=None, y=None, **kwargs):
        x, y = self._training_pairs(x, y, "x")
        return super().evaluate(x, y, **kwargs)

    def check_inputs(self, x):
        if is_array(x):
            self._check_images(x, "x", padded=False)

    def _training_pairs(self, x, y, name):
        if isinstance(x, WatermarkPairs):
            x, y = x.watermarked, (x.clean, x.mask, x.alpha, x.watermark)
        if not is_array(x):
            return x, y
        x = self._check_images(x, name, padded=False)
        if not isinstance(y, (tuple, list)) or len(y) not in (2, 3, 4):
            raise ValueError(
                f"{type(self).__name__} trains on `y = (clean, masks)`, "
                f"`(clean, masks, alpha)` or `(clean, masks, alpha, "
                f"watermarks)` for `{name}`. Received y of type "
                f"{type(y).__name__}"
                f"{f' of length {len(y)}' if isinstance(y, (tuple, list)) else ''}"
                ". Pass a `WatermarkPairs` or `(clean_images, masks)`."
            )
        images = dict(feature_shape=x.shape[1:], low=0.0, high=1.0)
        targets = (
            check_array(y[0], "clean", range_hint=RANGE_HINT, **images),
            check_array(
                y[1],
                "masks",
                feature_shape=(*x.shape[1:3], 1),
                low=0.0,
                high=1.0,
            ),
        )
        if len(y) >= 3:
            alpha = check_array(
                y[2], "alpha", feature_shape=(), low=0.0, high=1.0
            )
            targets += (alpha.astype("float32"),)
        if len(y) == 4:
            targets += (check_array(y[3], "watermarks", **images),)
        if any(len(target) != len(x) for target in targets):
            raise ValueError(
                f"`{name}`, `clean`, `masks` (and `alpha`, `watermarks`) "
                f"must hold as many images. Received {len(x)} and "
                f"{[len(target) for target in targets]}."
            )
        return x, targets

    # ------------------------------------------------------------ inference

    def remove_watermark(self, images, batch_size=16):
        """Removes the watermarks of images of any size.

        Pixels whose predicted mask probability is below `mask_threshold`
        are returned exactly as given; the others are replaced by the
        refined image, clipped to [0, 1].

        Args:
            images: one image `(h, w, channels)` or a batch `(n, h, w,
                channels)`, values in [0, 1], both sides at least
                `size_multiple`.
            batch_size: int >= 1, images per network call.

        Returns:
            float32 NumPy array of the shape of `images`.
        """
        images, parts, single = self._predict_parts(images, batch_size)
        inside = parts["mask"] >= self.mask_threshold
        cleaned = np.where(inside, np.clip(parts["refined"], 0.0, 1.0), images)
        return cleaned[0] if single else cleaned

    def predict_mask(self, images, batch_size=16, probabilities=False):
        """Predicts where the watermarks are.

        Args:
            images: one image `(h, w, channels)` or a batch, as for
                `remove_watermark`.
            batch_size: int >= 1, images per network call.
            probabilities: return the mask probabilities instead of the
                booleans `probability >= mask_threshold`.

        Returns:
            NumPy array `(n, h, w)` (or `(h, w)` for one image): booleans,
            or float32 probabilities.
        """
        mask = self.predict_components(images, batch_size)["mask"][..., 0]
        return mask if probabilities else mask >= self.mask_threshold

    def predict_components(self, images, batch_size=16):
        """Every head's prediction, before the mask decides what is kept.

        Args:
            images: one image `(h, w, channels)` or a batch, as for
                `remove_watermark`.
            batch_size: int >= 1, images per network call.

        Returns:
            A dict of float32 NumPy arrays (without the batch axis for one
            image): `"refined"` (the refined image `R`, not clipped) and
            `"mask"` (the mask probabilities, `(..., h, w, 1)`); for the
            `"inverse_blend"` composition also `"opacity"` (the blend weight
            `a`, `(..., h, w, 1)`), `"colour"` (the watermark colour `W`) and
            `"inverse"` (`(J - a W) / (1 - a)`).
        """
        _, parts, single = self._predict_parts(images, batch_size)
        return {k: v[0] for k, v in parts.items()} if single else parts

    def _predict_parts(self, images, batch_size):
        single = is_array(images) and np.ndim(images) == 3
        images = np.asarray(images)[None] if single else images
        images = self._check_images(images, "images", padded=True)
        batch_size = check_integer(batch_size, "batch_size")
        height, width = images.shape[1:3]
        padded = _pad_to_multiple(images, self.size_multiple)
        batches = [
            self._parts_of_batch(padded[i : i + batch_size])
            for i in range(0, len(padded), batch_size)
        ]
        parts = {
            name: np.concatenate([batch[name] for batch in batches])[
                :, :height, :width
            ]
            for name in batches[0]
        }
        return images, parts, single

    def _parts_of_batch(self, images):
        """The heads' predictions on one batch, as NumPy (see
        `predict_components`).

        A direct call where the backend runs it op by op at no tracing cost
        (TensorFlow, PyTorch: `predict` would trace a function for every
        new size); Keras' compiled predict function on JAX, which compiles
        eager ops one by one, more slowly than the whole network at once.
        """
        if _COMPILED_INFERENCE:
            raw = ops.convert_to_tensor(self.predict_on_batch(images))
        else:
            raw = self(images, training=False)
        parts = dict(self.components(images, raw))
        parts["mask"] = ops.sigmoid(parts.pop("mask_logits"))
        return {
            name: ops.convert_to_numpy(value).astype("float32")
            for name, value in parts.items()
        }

    def _check_images(self, images, name, padded):
        channels = self.image_channels
        shape = (None, None, channels)
        array = np.asarray(images) if is_array(images) else images
        if np.ndim(array) != 4 or np.shape(array)[-1] != channels:
            raise ValueError(
                f"`{name}` must be images of shape (num_images, height, "
                f"width, {channels}) (or one image (height, width, "
                f"{channels})). Received shape {np.shape(array)}. Convert "
                "grey or RGBA images to RGB first (e.g. "
                "`skimage.color.gray2rgb`, `rgba2rgb`)."
            )
        smallest = self.size_multiple if padded else 1
        if min(np.shape(array)[1:3]) < smallest:
            raise ValueError(
                f"`{name}` are {np.shape(array)[1]}x{np.shape(array)[2]} "
                f"pixels; {type(self).__name__} needs both sides at least "
                f"{smallest} (its network downsamples by {smallest}; larger "
                "images are padded to a multiple of it)."
            )
        multiple = self.size_multiple
        if not padded and any(s % multiple for s in np.shape(array)[1:3]):
            raise ValueError(
                f"Training images must have sides divisible by "
                f"{multiple}. Received shape {np.shape(array)}. Crop them "
                "(e.g. `make_watermark_pairs(image_size=64)`)."
            )
        return check_array(
            array,
            name,
            feature_shape=shape,
            low=0.0,
            high=1.0,
            range_hint=RANGE_HINT,
        )

    # ------------------------------------------------------------ saving

    def get_config(self):
        return {
            **super().get_config(),
            "network": serialize_network(self.network),
            "base_filters": self.base_filters,
            "num_downsampling": self.num_downsampling,
            "normalization": self.normalization,
            "size_multiple": self.size_multiple,
            "composition": self.composition,
            "mask_weight": self.mask_weight,
            "inside_weight": self.inside_weight,
            "opacity_weight": self.opacity_weight,
            "colour_weight": self.colour_weight,
            "balanced_mask_loss": self.balanced_mask_loss,
            "max_opacity": self.max_opacity,
            "mask_threshold": self.mask_threshold,
        }


def _split_pairs(data):
    if isinstance(data, WatermarkPairs):
        return data, None
    if isinstance(data, (tuple, list)) and len(data) == 2:
        return data[0], data[1]
    raise ValueError(
        "`validation_data` must be a `WatermarkPairs` or "
        f"`(watermarked, (clean, masks))`. Received {type(data).__name__}."
    )


def _pad_to_multiple(images, multiple):
    """Pads the bottom and right sides by reflection to a multiple."""
    height, width = images.shape[1:3]
    pad = ((0, 0), (0, -height % multiple), (0, -width % multiple), (0, 0))
    return np.pad(images, pad, mode="reflect")
