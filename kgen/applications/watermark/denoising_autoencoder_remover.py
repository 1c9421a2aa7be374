"""The simple watermark remover: a denoising autoencoder applied by tiles."""

import keras
from keras import ops

from kgen.applications.watermark.losses import image_mean
from kgen.applications.watermark.watermark_remover import WatermarkRemover
from kgen.models.autoencoder import Autoencoder
from kgen.models.autoencoder import DenoisingAutoencoder
from kgen.utils.serialization import deserialize_network
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number


@keras.saving.register_keras_serializable(package="kgen")
class DenoisingAutoencoderRemover(WatermarkRemover):
    """The seed's remover: a denoising autoencoder from marked to clean tiles.

    A convolutional `kgen.models.DenoisingAutoencoder` learns to map
    watermarked tiles of `tile_size` pixels to the clean tiles by mean
    squared error, the watermark playing the part of the corruption. It has
    no mask head and is not told where the watermark is: every pixel goes
    through its bottleneck, so it blurs the whole image. Larger images are
    padded by reflection to a multiple of `tile_size`, cut into tiles and
    stitched back. The predicted mask marks the pixels it changes by at
    least `mask_tolerance` (mean over channels), and `remove_watermark`
    replaces those pixels only, as `WatermarkRemover` does.

    It shares `WatermarkRemover`'s API (`fit`, `remove_watermark`,
    `predict_mask`, `.keras` saving), as the baseline that the two-head
    model must beat.

    Reference:
        Vincent et al., "Extracting and Composing Robust Features with
        Denoising Autoencoders", ICML 2008.

    Args:
        network: `None` to build the autoencoder, or a
            `kgen.models.Autoencoder` (or `DenoisingAutoencoder`) of square
            images `(tile_size, tile_size, channels)` with
            `reconstruction_loss="mse"`.
        image_channels: int >= 1, channels of the images (built model).
        tile_size: int >= 4, side of the tiles (built model), divisible by
            `2 ** len(filters)`.
        latent_dim: int >= 1, code size of the built model.
        filters: filters of the built encoder's strided convolutions.
        mask_tolerance: float > 0, the change that counts as removal.
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    from kgen.applications import watermark
    remover = watermark.DenoisingAutoencoderRemover(tile_size=32, seed=0)
    remover.compile(optimizer="adam")
    remover.fit(watermark.make_watermark_pairs(2000), epochs=5)
    test = watermark.make_watermark_pairs(50, split="test", seed=1)
    cleaned = remover.remove_watermark(test.watermarked)
    ```
    """

    loss_terms = ("reconstruction_loss",)

    def __init__(
        self,
        network=None,
        image_channels=3,
        tile_size=32,
        latent_dim=256,
        filters=(32, 64),
        mask_tolerance=0.05,
        seed=None,
        **kwargs,
    ):
        if network is None:
            tile_size = check_integer(tile_size, "tile_size", minimum=4)
            network = DenoisingAutoencoder.conv(
                (
                    tile_size,
                    tile_size,
                    check_integer(image_channels, "image_channels"),
                ),
                check_integer(latent_dim, "latent_dim"),
                filters=tuple(filters),
                reconstruction_loss="mse",
                noise_level=0.0,
                seed=seed,
                name="denoising_autoencoder",
            )
        self.mask_tolerance = check_number(
            mask_tolerance, "mask_tolerance", low=0.0
        )
        network = deserialize_network(network, "network")
        kwargs.setdefault("mask_weight", 0.0)
        kwargs["size_multiple"] = _tile_size(network)
        super().__init__(network=network, seed=seed, **kwargs)

    def _check_network(self, network):
        shape = tuple(getattr(network, "feature_shape", ()))
        if (
            not isinstance(network, Autoencoder)
            or len(shape) != 3
            or shape[0] != shape[1]
            or network.reconstruction_loss != "mse"
        ):
            raise ValueError(
                "`network` must be a `kgen.models.Autoencoder` of square "
                "images (tile_size, tile_size, channels) with "
                f"reconstruction_loss='mse'. Received: {network!r}"
                f"{' of shape ' + str(shape) if shape else ''}."
            )
        return shape[-1]

    def call(self, images, training=False):
        """The autoencoder's reconstruction of every tile, stitched back."""
        tile = self.network.feature_shape[0]
        _, height, width, channels = ops.shape(images)
        rows, columns = height // tile, width // tile
        tiles = ops.reshape(images, (-1, rows, tile, columns, tile, channels))
        tiles = ops.reshape(
            ops.transpose(tiles, (0, 1, 3, 2, 4, 5)), (-1, tile, tile, channels)
        )
        output = self.network(tiles, training=training)
        output = ops.reshape(output, (-1, rows, columns, tile, tile, channels))
        return ops.reshape(
            ops.transpose(output, (0, 1, 3, 2, 4, 5)),
            (-1, height, width, channels),
        )

    def network_output_channels(self, channels):
        return channels

    def components(self, images, raw):
        """The reconstruction as `"refined"`, and `"mask_logits"` that are
        positive where it differs from the input by more than
        `mask_tolerance`."""
        images = ops.cast(images, raw.dtype)
        change = ops.mean(ops.abs(raw - images), axis=-1, keepdims=True)
        logits = 100.0 * (change - self.mask_tolerance) / self.mask_tolerance
        return {"refined": raw, "mask_logits": logits}

    def loss_terms_of(
        self, images, clean, masks, raw, alpha=None, watermarks=None
    ):
        error = image_mean(ops.square(raw - ops.cast(clean, raw.dtype)))
        return {"loss": error, "reconstruction_loss": error}

    def get_config(self):
        config = super().get_config()
        for key in (
            "base_filters",
            "num_downsampling",
            "size_multiple",
            "composition",
            "inside_weight",
            "opacity_weight",
            "colour_weight",
            "balanced_mask_loss",
            "max_opacity",
        ):
            config.pop(key)
        return {**config, "mask_tolerance": self.mask_tolerance}


def _tile_size(network):
    shape = tuple(getattr(network, "feature_shape", (1,)))
    return shape[0] if isinstance(shape[0], int) else 1
