"""Text to image: captions in, images out, saved and loaded as one model."""

import math

import keras
import numpy as np
from keras import ops

from kgen.applications.text_to_image.builders import build_image_encoder
from kgen.applications.text_to_image.builders import (
    build_matching_discriminator,
)
from kgen.applications.text_to_image.builders import (
    build_text_conditioned_generator,
)
from kgen.applications.text_to_image.builders import build_text_encoder
from kgen.applications.text_to_image.caption_tokenizer import CaptionTokenizer
from kgen.applications.text_to_image.joint_embedding import JointEmbedding
from kgen.applications.text_to_image.text_conditional_gan import (
    TextConditionalGAN,
)
from kgen.utils.validation import check_array
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number


@keras.saving.register_keras_serializable(package="kgen")
class TextToImage(keras.Model):
    """Draws images from captions: tokenizer, text encoder and GAN-INT-CLS.

    `fit(images, captions)` trains in two stages, as Reed et al. do:

    1. a `JointEmbedding` of images and captions (a convolutional image
       encoder; a text encoder of word embeddings and a GRU), with the
       symmetric matching loss, on word ids from a `CaptionTokenizer`
       adapted to the captions (so unknown words later become `"<unk>"`
       rather than failing, on every backend);
    2. a `TextConditionalGAN` (matching-aware discriminator, caption
       interpolation) on the frozen text encoder's caption embeddings,
       unit-norm vectors scaled by `sqrt(embedding_dim)`.

    Then `generate(captions)` draws one image per caption and
    `interpolate(caption_a, caption_b)` walks between two captions with
    the noise held fixed. The whole model (vocabulary, both stages'
    networks and optimizer states) saves to one `.keras` file and loads
    with `keras.saving.load_model`; `fit` on the loaded model goes on
    training.

    Reference: Reed et al., "Generative Adversarial Text to Image
    Synthesis", ICML 2016; Reed et al., "Learning Deep Representations of
    Fine-Grained Visual Descriptions", CVPR 2016.

    Args:
        image_shape: `(height, width, channels)` of the images, pixels in
            [0, 1].
        max_length: int >= 1, words per caption (longer captions raise an
            error; see `CaptionTokenizer`).
        embedding_dim: size of the joint embedding.
        latent_dim: size of the GAN's noise vector.
        word_dim: size of the word embeddings.
        text_units: units of the text encoder's GRU.
        base_filters: filters of the GAN's networks (see
            `build_text_conditioned_generator`).
        temperature: softmax temperature of the matching loss.
        interpolation_weight: weight of the GAN-INT term, 0 for none.
        ema_decay: decay of the moving average of the generator's weights
            that `generate` uses (see `kgen.models.GAN`), or `None`.
        learning_rate: Adam learning rate of both GAN networks (beta_1 0.5).
        embedding_learning_rate: Adam learning rate of the joint embedding.
        tokenizer: a `CaptionTokenizer` (or its config) with a vocabulary,
            or `None` to learn one from the captions given to `fit`.
        seed: int or `None`; with an int, `fit` seeds Keras' global random
            state (initial weights, shuffling) and the GAN's noise.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    scenes = make_digit_scenes(x[:2000], y[:2000], seed=0)
    model = TextToImage(image_shape=(32, 32, 3), seed=0)
    model.fit(scenes.images, scenes.captions, embedding_epochs=2, gan_epochs=2)
    images = model.generate(["a thick red seven on the left"], seed=0)
    path = model.interpolate("a red two", "a blue two", num_steps=6, seed=0)
    model.save("text_to_image.keras")
    ```
    """

    def __init__(
        self,
        image_shape=(32, 32, 3),
        max_length=16,
        embedding_dim=64,
        latent_dim=32,
        word_dim=64,
        text_units=128,
        base_filters=32,
        temperature=0.1,
        interpolation_weight=1.0,
        ema_decay=0.999,
        learning_rate=2e-4,
        embedding_learning_rate=1e-3,
        tokenizer=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.image_shape = tuple(image_shape)
        self.max_length = check_integer(max_length, "max_length")
        self.embedding_dim = check_integer(embedding_dim, "embedding_dim")
        self.latent_dim = check_integer(latent_dim, "latent_dim")
        self.word_dim = check_integer(word_dim, "word_dim")
        self.text_units = check_integer(text_units, "text_units")
        self.base_filters = check_integer(base_filters, "base_filters")
        self.temperature = check_number(temperature, "temperature", low=0)
        self.interpolation_weight = check_number(
            interpolation_weight, "interpolation_weight", low=0
        )
        self.ema_decay = ema_decay
        self.learning_rate = check_number(learning_rate, "learning_rate", low=0)
        self.embedding_learning_rate = check_number(
            embedding_learning_rate, "embedding_learning_rate", low=0
        )
        self.seed = None if seed is None else check_integer(seed, "seed", 0)
        if isinstance(tokenizer, dict):
            tokenizer = keras.saving.deserialize_keras_object(tokenizer)
        if tokenizer is not None and not isinstance(
            tokenizer, CaptionTokenizer
        ):
            raise ValueError(
                "`tokenizer` must be a CaptionTokenizer or None. Received "
                f"{type(tokenizer).__name__}."
            )
        if tokenizer is not None and tokenizer.max_length != self.max_length:
            raise ValueError(
                f"The tokenizer's max_length={tokenizer.max_length} differs "
                f"from max_length={self.max_length}."
            )
        self.tokenizer = tokenizer
        self.joint_embedding = None
        self.gan = None
        if tokenizer is not None and tokenizer.vocabulary is not None:
            self._build_networks()
        self.built = True

    # ----------------------------------------------------------- building

    def _build_networks(self):
        embedding = JointEmbedding(
            build_image_encoder(self.image_shape, self.embedding_dim),
            build_text_encoder(
                self.tokenizer.vocabulary_size,
                self.max_length,
                output_dim=self.embedding_dim,
                word_dim=self.word_dim,
                units=self.text_units,
            ),
            temperature=self.temperature,
            name="joint_embedding",
        )
        embedding.compile(
            optimizer=keras.optimizers.Adam(self.embedding_learning_rate)
        )
        embedding.optimizer.build(embedding.trainable_variables)
        gan = TextConditionalGAN(
            build_text_conditioned_generator(
                self.latent_dim,
                self.embedding_dim,
                self.image_shape,
                self.base_filters,
            ),
            build_matching_discriminator(
                self.image_shape, self.embedding_dim, self.base_filters
            ),
            latent_dim=self.latent_dim,
            embedding_dim=self.embedding_dim,
            interpolation_weight=self.interpolation_weight,
            ema_decay=self.ema_decay,
            seed=self.seed,
            name="gan",
        )
        gan.compile(
            optimizer=keras.optimizers.Adam(self.learning_rate, beta_1=0.5)
        )
        gan.optimizer.build(gan.trainable_variables)
        self.joint_embedding, self.gan = embedding, gan

    # ----------------------------------------------------------- training

    def fit(
        self,
        images,
        captions,
        embedding_epochs=10,
        gan_epochs=20,
        batch_size=64,
        verbose="auto",
        callbacks=None,
    ):
        """Trains the joint embedding, then the GAN on its caption embeddings.

        Args:
            images: array `(num, *image_shape)` in [0, 1].
            captions: list of `num` strings, one per image.
            embedding_epochs: int >= 0, epochs of the joint embedding (0
                keeps it as it is, e.g. to train only the GAN further).
            gan_epochs: int >= 0, epochs of the GAN.
            batch_size: int >= 2 (the batch's other captions are the
                mismatches of both stages).
            verbose: verbosity of both `fit` calls.
            callbacks: Keras callbacks for the GAN stage.

        Returns:
            Dict of the two stages' `History` objects (`"embedding"`,
            `"gan"`; `None` for a stage with 0 epochs).
        """
        images = check_array(
            images, "images", feature_shape=self.image_shape, low=0, high=1
        )
        if isinstance(captions, str) or len(captions) != len(images):
            raise ValueError(
                f"Pass a list of captions, one per image: received "
                f"{len(images)} images and {_describe(captions)}."
            )
        embedding_epochs = check_integer(
            embedding_epochs, "embedding_epochs", 0
        )
        gan_epochs = check_integer(gan_epochs, "gan_epochs", 0)
        batch_size = check_integer(batch_size, "batch_size", 2)
        if self.seed is not None:
            keras.utils.set_random_seed(self.seed)
        if self.tokenizer is None:
            self.tokenizer = CaptionTokenizer(self.max_length)
        if self.tokenizer.vocabulary is None:
            self.tokenizer.adapt(captions)
        ids = self.tokenizer(captions)
        if self.gan is None:
            self._build_networks()
        histories = {"embedding": None, "gan": None}
        common = dict(batch_size=batch_size, verbose=verbose, shuffle=True)
        if embedding_epochs:
            histories["embedding"] = self.joint_embedding.fit(
                [images, ids], epochs=embedding_epochs, **common
            )
        if gan_epochs:
            histories["gan"] = self.gan.fit(
                images,
                self._scaled(self.joint_embedding.encode_text(ids)),
                epochs=gan_epochs,
                callbacks=callbacks,
                **common,
            )
        return histories

    # --------------------------------------------------------- inference

    def encode_captions(self, captions):
        """Unit-norm caption embeddings `(num, embedding_dim)` (NumPy)."""
        self._check_fitted()
        return self.joint_embedding.encode_text(self.tokenizer(captions))

    def encode_images(self, images):
        """Unit-norm image embeddings `(num, embedding_dim)` (NumPy)."""
        self._check_fitted()
        images = check_array(
            images, "images", feature_shape=self.image_shape, low=0, high=1
        )
        return self.joint_embedding.encode_images(images)

    def generate(self, captions, *, seed=None):
        """One image per caption.

        Args:
            captions: list of strings. Unknown words are read as `"<unk>"`;
                empty captions and captions longer than `max_length` words
                raise an error.
            seed: int for a reproducible draw of the noise, or `None` to
                advance the model's own random stream.

        Returns:
            NumPy array `(len(captions), *image_shape)` in [0, 1].
        """
        embeddings = self._scaled(self.encode_captions(captions))
        return self.gan.generate(len(embeddings), labels=embeddings, seed=seed)

    def interpolate(self, caption_a, caption_b, num_steps=8, *, seed=None):
        """Images along the straight path between two caption embeddings.

        The noise vector is the same for every step, so the images change
        only as the caption does (GAN-INT).

        Args:
            caption_a: start caption (a string).
            caption_b: end caption.
            num_steps: int >= 2, images on the path, ends included.
            seed: int for a reproducible noise vector, or `None`.

        Returns:
            NumPy array `(num_steps, *image_shape)`.
        """
        num_steps = check_integer(num_steps, "num_steps", minimum=2)
        ends = self._scaled(self.encode_captions([caption_a, caption_b]))
        t = np.linspace(0.0, 1.0, num_steps, dtype="float32")[:, None]
        path = (1.0 - t) * ends[0] + t * ends[1]
        noise = np.random.default_rng(seed).standard_normal(
            (1, self.latent_dim)
        )
        latents = np.repeat(noise.astype("float32"), num_steps, axis=0)
        return self.gan.generate_from(path, latents)

    def call(self, inputs, training=False):
        """Images from `[word_ids, latents]` (the GAN's sampling generator)."""
        self._check_fitted()
        ids, latents = inputs
        text = self.joint_embedding.text_encoder(ids, training=training)
        norms = ops.sqrt(ops.sum(ops.square(text), axis=-1, keepdims=True))
        text = text / (norms + 1e-12) * math.sqrt(self.embedding_dim)
        return self.gan.sampling_generator([latents, text], training=training)

    def _scaled(self, unit_embeddings):
        return unit_embeddings * np.float32(math.sqrt(self.embedding_dim))

    def _check_fitted(self):
        if self.gan is None:
            raise ValueError(
                "The model is not trained yet: call "
                "`fit(images, captions)` first."
            )

    def get_config(self):
        return {
            **super().get_config(),
            "image_shape": self.image_shape,
            "max_length": self.max_length,
            "embedding_dim": self.embedding_dim,
            "latent_dim": self.latent_dim,
            "word_dim": self.word_dim,
            "text_units": self.text_units,
            "base_filters": self.base_filters,
            "temperature": self.temperature,
            "interpolation_weight": self.interpolation_weight,
            "ema_decay": self.ema_decay,
            "learning_rate": self.learning_rate,
            "embedding_learning_rate": self.embedding_learning_rate,
            "tokenizer": None
            if self.tokenizer is None
            else keras.saving.serialize_keras_object(self.tokenizer),
            "seed": self.seed,
        }


def _describe(captions):
    if isinstance(captions, str):
        return f"one string {captions!r}"
    return f"{len(captions)} captions"
