"""Joint image-text embedding trained with a symmetric matching loss."""

import keras
import numpy as np
from keras import ops

from kgen.applications.text_to_image.losses import symmetric_matching_loss
from kgen.utils.serialization import deserialize_network
from kgen.utils.serialization import serialize_network
from kgen.utils.validation import check_number


@keras.saving.register_keras_serializable(package="kgen")
class JointEmbedding(keras.Model):
    """An image encoder and a text encoder mapped into one embedding space.

    Both encoders end in vectors of the same size; `call([images, ids])`
    returns both L2-normalised, and training (plain `fit([images, ids])`,
    no targets) minimises `symmetric_matching_loss`: each image must be
    closer to its own caption than to the other captions of the batch, and
    each caption closer to its own image. The text encoder then gives the
    caption embeddings a text-to-image GAN is conditioned on, and the pair
    measures R-precision (is the right caption the closest of 100?).

    Reference: Reed et al., "Learning Deep Representations of Fine-Grained
    Visual Descriptions", CVPR 2016.

    Args:
        image_encoder: a `keras.Model` from images to `(batch, dim)`.
        text_encoder: a `keras.Model` from word ids to `(batch, dim)`.
        temperature: float > 0 of the matching loss's softmax.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    joint = JointEmbedding(
        build_image_encoder((32, 32, 3)),
        build_text_encoder(tokenizer.vocabulary_size, 16),
    )
    joint.compile(optimizer="adam")
    joint.fit([images, tokenizer(captions)], epochs=5, batch_size=64)
    ```
    """

    def __init__(self, image_encoder, text_encoder, temperature=0.1, **kwargs):
        super().__init__(**kwargs)
        self.image_encoder = deserialize_network(image_encoder, "image_encoder")
        self.text_encoder = deserialize_network(text_encoder, "text_encoder")
        self.temperature = check_number(temperature, "temperature", low=0)
        if not self.temperature:
            raise ValueError("`temperature` must be > 0. Received 0.")
        image_dim = self.image_encoder.outputs[0].shape[-1]
        text_dim = self.text_encoder.outputs[0].shape[-1]
        if image_dim != text_dim:
            raise ValueError(
                f"The image encoder's output size {image_dim} differs from "
                f"the text encoder's {text_dim}; both must map to the same "
                "embedding size."
            )
        self.embedding_dim = image_dim

    def call(self, inputs, training=False):
        """`[image embeddings, caption embeddings]`, both of unit norm."""
        images, ids = inputs
        return [
            _unit(self.image_encoder(images, training=training)),
            _unit(self.text_encoder(ids, training=training)),
        ]

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        image_embeddings, text_embeddings = y_pred
        loss = symmetric_matching_loss(
            image_embeddings, text_embeddings, self.temperature
        )
        return loss + ops.sum(self.losses) if self.losses else loss

    def encode_images(self, images, batch_size=256):
        """Unit-norm image embeddings, a NumPy array `(num, dim)`."""
        return _unit_numpy(self.image_encoder, images, batch_size)

    def encode_text(self, ids, batch_size=256):
        """Unit-norm caption embeddings of word ids, `(num, dim)`."""
        return _unit_numpy(self.text_encoder, ids, batch_size)

    def get_config(self):
        return {
            **super().get_config(),
            "image_encoder": serialize_network(self.image_encoder),
            "text_encoder": serialize_network(self.text_encoder),
            "temperature": self.temperature,
        }


def _unit(x):
    return x / ops.sqrt(ops.sum(ops.square(x), axis=-1, keepdims=True) + 1e-12)


def _unit_numpy(encoder, inputs, batch_size):
    """Unit-norm encodings, in batches of exactly `batch_size` rows.

    The last batch is padded (with copies of the first row), so that every
    call runs one batch shape and a compiling backend compiles once.
    """
    inputs = np.asarray(inputs)
    padding = -len(inputs) % batch_size
    padded = np.concatenate([inputs, np.repeat(inputs[:1], padding, 0)])
    outputs = encoder.predict(padded, batch_size=batch_size, verbose=0)
    outputs = ops.convert_to_numpy(_unit(ops.convert_to_tensor(outputs)))
    return outputs[: len(inputs)]
