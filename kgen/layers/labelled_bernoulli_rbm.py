"""RBM layer with binary visible units plus one softmax group of label units."""

import keras
import numpy as np
from keras import ops

from kgen.layers.rbm_layer import RBMLayer
from kgen.utils.binary import bernoulli
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_labels


@keras.saving.register_keras_serializable(package="kgen")
class LabelledBernoulliRBM(RBMLayer):
    """RBM layer whose visible units are binary features and a one-hot label.

    The last `num_classes` visible units form one softmax group (exactly one
    is on: the label), the others are binary. The energy is that of a
    `kgen.layers.BernoulliRBM`, so `P(h | v)` is unchanged; given `h` the features are
    independent Bernoulli and the label is drawn from
    `softmax(b_label + W_label h)`. It is the top layer of a DBN with label
    units (Hinton, Osindero and Teh, 2006): trained on `[features,
    one_hot(y)]`, it generates class-conditional samples when the label
    units are clamped during Gibbs sampling.

    Reference:
        Hinton, Osindero and Teh, "A Fast Learning Algorithm for Deep Belief
        Nets", Neural Computation 18 (2006).

    Args:
        num_hidden: int >= 1, number of hidden units.
        num_classes: int >= 2, number of label units (the last visible units).
        **kwargs: passed to `kgen.layers.RBMLayer` (`kernel_initializer`,
            `seed`, `name`, ...).

    Example:

    ```python
    layer = kgen.layers.LabelledBernoulliRBM(32, num_classes=10)
    v = layer.join(features, labels)  # (batch, num_features + 10)
    ```
    """

    enumerable_visible = False

    def __init__(self, num_hidden, num_classes, **kwargs):
        super().__init__(num_hidden, **kwargs)
        self.num_classes = check_integer(num_classes, "num_classes", minimum=2)

    def check_num_visible(self, num_visible):
        check_integer(num_visible, "num_visible", minimum=self.num_classes + 1)

    def join(self, features, labels):
        """`[features, one_hot(labels)]` as a float32 NumPy array.

        Args:
            features: array of shape `(num_samples, num_visible - num_classes)`
                with values in [0, 1].
            labels: int array of shape `(num_samples,)` in `[0, num_classes)`.
        """
        labels = check_labels(
            labels, self.num_classes, num_samples=len(features)
        )
        one_hot = np.eye(self.num_classes, dtype="float32")[labels]
        return np.concatenate(
            [np.asarray(features, "float32"), one_hot], axis=1
        )

    def _split(self, x):
        return x[..., : -self.num_classes], x[..., -self.num_classes :]

    def visible_mean(self, field, parameters):
        features, label = self._split(field)
        return ops.concatenate(
            [ops.sigmoid(features), ops.softmax(label, axis=-1)], axis=-1
        )

    def sample_visible_from_field(self, field, parameters, seed):
        features, label = self._split(field)
        choice = keras.random.categorical(label, 1, seed=seed)[:, 0]
        one_hot = ops.one_hot(choice, self.num_classes, dtype=field.dtype)
        return ops.concatenate(
            [bernoulli(ops.sigmoid(features), seed), one_hot], axis=-1
        )

    def visible_log_normalizer(self, field, parameters):
        features, label = self._split(field)
        return ops.sum(ops.softplus(features), axis=-1) + ops.logsumexp(
            label, axis=-1
        )

    def base_rate_parameters(self, x):
        x = self.check_data(x)
        mean = (x.sum(axis=0) + 5.0) / (len(x) + 10.0)
        features, label = self._split(mean)
        return self.independent_parameters(
            np.concatenate(
                [np.log(features) - np.log1p(-features), np.log(label)]
            )
        )

    def check_data(self, x, name="x"):
        x = super().check_data(x, name)
        features, label = self._split(x)
        if features.min() < 0 or features.max() > 1:
            raise ValueError(
                f"The feature columns of `{name}` must lie in [0, 1]. Received "
                f"values in [{features.min():g}, {features.max():g}]."
            )
        if (
            not np.isin(label, (0.0, 1.0)).all()
            or not (label.sum(axis=1) == 1).all()
        ):
            raise ValueError(
                f"The last {self.num_classes} columns of `{name}` must be a "
                "one-hot label (exactly one 1 per row). Received label "
                f"columns with row sums in [{label.sum(axis=1).min():g}, "
                f"{label.sum(axis=1).max():g}]. Build the input with "
                "`layer.join(features, labels)`."
            )
        return x

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}
