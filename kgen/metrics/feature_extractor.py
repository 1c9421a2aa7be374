"""Features and class probabilities of samples, for offline metrics."""

import keras
import numpy as np

from kgen.metrics import sample_quality
from kgen.utils.serialization import deserialize_network
from kgen.utils.serialization import serialize_network
from kgen.utils.validation import check_array
from kgen.utils.validation import check_choice

_PREPROCESSING = (None, "inception")


@keras.saving.register_keras_serializable(package="kgen")
class FeatureExtractor:
    """Wraps a Keras classifier to embed and classify samples for metrics.

    `features(x)` returns the activations of `feature_layer` (by default
    the classifier's second-to-last layer), `probabilities(x)` the
    classifier's softmax output, and `score(real, fake)` every metric of
    `kgen.metrics` at once. Train one on your own data with
    `kgen.metrics.train_feature_extractor` (no download), or wrap a Keras
    InceptionV3 whose weights you have with `FeatureExtractor.inception`.

    Args:
        model: a functional or `Sequential` `keras.Model` classifier whose
            output is class logits or probabilities.
        feature_layer: name of the layer whose output are the features, or
            `None` for the second-to-last layer.
        preprocessing: `None`, or `"inception"` to turn samples in [0, 1]
            (grey or colour, any size) into InceptionV3's 299x299 RGB inputs
            in [-1, 1].
        from_logits: whether `model` outputs logits (softmax is applied).
        batch_size: batch size of the forward passes.

    Example:

    ```python
    extractor = kgen.metrics.train_feature_extractor()  # digits
    scores = extractor.score(x_test, gan.generate(500, seed=0))
    scores["frechet_distance"], scores["precision"], scores["recall"]
    ```
    """

    def __init__(
        self,
        model,
        feature_layer=None,
        preprocessing=None,
        from_logits=True,
        batch_size=256,
    ):
        if isinstance(model, dict):
            model = deserialize_network(model, "model")
        if not isinstance(model, keras.Model):
            raise ValueError(
                f"`model` must be a keras.Model classifier. Received {type(model).__name__}."
            )
        check_choice(preprocessing, "preprocessing", _PREPROCESSING)
        names = [layer.name for layer in model.layers]
        if feature_layer is not None and feature_layer not in names:
            raise ValueError(
                f"`feature_layer` {feature_layer!r} is not a layer of the model. Choose one of {names}."
            )
        self.model = model
        self.feature_layer = feature_layer
        self.preprocessing = preprocessing
        self.from_logits = from_logits
        self.batch_size = batch_size
        features = (
            model.get_layer(feature_layer).output
            if feature_layer
            else model.layers[-2].output
        )
        self._embedding = keras.Model(
            model.inputs, [features, model.outputs[0]]
        )

    @classmethod
    def inception(cls, weights):
        """InceptionV3 features (pool, 2048) and ImageNet probabilities.

        Args:
            weights: path of a local InceptionV3 weights file (kgen never
                downloads), or `None` for random weights (tests only).

        Returns:
            A `FeatureExtractor` with `"inception"` preprocessing.
        """
        model = keras.applications.InceptionV3(
            weights=weights, classifier_activation=None
        )
        return cls(model, feature_layer="avg_pool", preprocessing="inception")

    def _outputs(self, x):
        x = check_array(x, "x")
        if self.preprocessing == "inception":
            x = _inception_inputs(x)
        features, outputs = self._embedding.predict(
            x, batch_size=self.batch_size, verbose=0
        )
        features = features.reshape(len(features), -1)
        if self.from_logits:
            outputs = keras.ops.convert_to_numpy(keras.ops.softmax(outputs))
        return features, outputs

    def features(self, x):
        """Feature vectors `(num_samples, num_features)` of samples `x`."""
        return self._outputs(x)[0]

    def probabilities(self, x):
        """Class probabilities `(num_samples, num_classes)` of samples `x`."""
        return self._outputs(x)[1]

    def predict_classes(self, x):
        """Most probable class of each sample."""
        return np.argmax(self.probabilities(x), axis=1)

    def score(
        self,
        real,
        fake,
        fake_labels=None,
        k=3,
        kernel_subsets=100,
        kernel_subset_size=1000,
    ):
        """All sample-quality metrics of generated samples against real ones.

        Args:
            real: real samples (e.g. held-out data).
            fake: generated samples of the same shape.
            fake_labels: for conditional models, the class requested for each
                generated sample; adds `label_accuracy`.
            k: neighbourhood size of precision and recall.
            kernel_subsets: `num_subsets` of the kernel distance.
            kernel_subset_size: `subset_size` of the kernel distance.

        Returns:
            Dict with `frechet_distance`, `kernel_distance`,
            `kernel_distance_se`, `classifier_score`, `precision`, `recall`,
            `class_coverage`, `kl_to_uniform` (and `label_accuracy`).
        """
        real_features = self.features(real)
        fake_features, probabilities = self._outputs(fake)
        kid, kid_se = sample_quality.kernel_distance(
            real_features, fake_features, kernel_subsets, kernel_subset_size
        )
        precision, recall = sample_quality.precision_recall(
            real_features, fake_features, k
        )
        coverage = sample_quality.class_coverage(
            np.argmax(probabilities, 1), probabilities.shape[1]
        )
        scores = {
            "frechet_distance": sample_quality.frechet_distance(
                real_features, fake_features
            ),
            "kernel_distance": kid,
            "kernel_distance_se": kid_se,
            "classifier_score": sample_quality.classifier_score(
                probabilities, min(10, len(fake))
            )[0],
            "precision": precision,
            "recall": recall,
            "class_coverage": coverage["coverage"],
            "kl_to_uniform": coverage["kl_to_uniform"],
        }
        if fake_labels is not None:
            scores["label_accuracy"] = float(
                np.mean(np.argmax(probabilities, 1) == np.asarray(fake_labels))
            )
        return scores

    def get_config(self):
        return {
            "model": serialize_network(self.model),
            "feature_layer": self.feature_layer,
            "preprocessing": self.preprocessing,
            "from_logits": self.from_logits,
            "batch_size": self.batch_size,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _inception_inputs(x):
    if x.ndim == 2:
        side = int(round(np.sqrt(x.shape[1])))
        x = x.reshape(len(x), side, side, 1)
    if x.shape[-1] == 1:
        x = np.repeat(x, 3, axis=-1)
    resized = keras.ops.image.resize(x, (299, 299))
    return keras.ops.convert_to_numpy(resized) * 2.0 - 1.0
