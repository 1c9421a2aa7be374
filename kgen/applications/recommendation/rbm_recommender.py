"""RBM collaborative filtering on kgen's categorical RBM."""

import keras
import numpy as np
from keras import ops

from kgen.applications.recommendation.recommender import Recommender
from kgen.layers.categorical_rbm import CategoricalRBM
from kgen.models.boltzmann.rbm import RBM
from kgen.utils.validation import check_integer


@keras.saving.register_keras_serializable(package="kgen")
class RBMRecommender(Recommender):
    """Restricted Boltzmann machine collaborative filtering.

    The model of Salakhutdinov, Mnih & Hinton (2007): every user is one
    training case of a `kgen.layers.CategoricalRBM` with one softmax group
    of `K` units per item (one unit per rating value) and binary hidden
    units shared by all users. A user's unrated items are all-zero groups:
    they add nothing to the free energy, so they contribute nothing to the
    CD gradients, and Gibbs sampling leaves them at zero (masked CD: each
    user trains the RBM restricted to the items they rated, with weights
    tied across users). The first `fit` sets the visible biases to each
    item's log rating frequencies. Training is a `kgen.models.RBM` (CD-`k`, weight
    decay) run by `fit` on the users' rows.

    The prediction for user `u` and item `i` is the expected rating under
    `p(v_i | h)`, with `h = P(h = 1 | v_u)` the mean-field hidden
    activations given the user's observed ratings:

    \\[ \\hat r_{ui} = \\sum_k k\\, \\mathrm{softmax}_k
        \\big(b_{ik} + \\textstyle\\sum_j W_{ikj} h_j\\big). \\]

    Ratings must be integers of the scale (`K = high - low + 1` values).

    Reference:
        Salakhutdinov, Mnih & Hinton, "Restricted Boltzmann Machines for
        Collaborative Filtering", ICML 2007.

    Args:
        num_hidden: int >= 1, hidden units (the paper uses 100).
        k: int >= 1, Gibbs steps per CD update.
        weight_decay: float >= 0, L2 penalty on the weights.
        rating_scale: `(low, high)`, integers.
        num_users: int or `None` (set by `fit`).
        num_items: int or `None` (set by `fit`).
        seed: int or `None`, seed of the model's random streams.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    data = kgen.datasets.load_movielens_100k()
    model = kgen.applications.recommendation.RBMRecommender(100, seed=0)
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9))
    model.fit(data, epochs=40, batch_size=16)
    model.recommend(1, k=10)
    ```
    """

    def __init__(
        self,
        num_hidden=100,
        k=1,
        weight_decay=0.001,
        rating_scale=(1, 5),
        num_users=None,
        num_items=None,
        seed=None,
        **kwargs,
    ):
        self.num_hidden = check_integer(num_hidden, "num_hidden")
        self.k = check_integer(k, "k")
        self.weight_decay = weight_decay
        low, high = rating_scale
        if int(low) != low or int(high) != high:
            raise ValueError(
                "An RBMRecommender needs an integer `rating_scale` (one "
                f"softmax unit per rating). Received: {rating_scale!r}."
            )
        self.levels = np.arange(int(low), int(high) + 1, dtype="float32")
        super().__init__(
            rating_scale=rating_scale,
            num_users=num_users,
            num_items=num_items,
            seed=seed,
            **kwargs,
        )

    @property
    def layer(self):
        """The `CategoricalRBM` layer (weights `(num_items * K, num_hidden)`).

        Created by the first `fit` (or by `num_users` and `num_items`).
        """
        self._check_fitted("items")
        return self.rbm.layer

    def _build_networks(self):
        seed = self.seed
        self.rbm = RBM(
            CategoricalRBM(
                self.num_hidden,
                num_categories=len(self.levels),
                seed=seed,
                name="categorical_rbm",
            ),
            k=self.k,
            weight_decay=self.weight_decay,
            monitor_samples=0,
            seed=None if seed is None else seed + 1,
            name="rbm",
        )
        self.rbm.build((None, self.num_items * len(self.levels)))

    def initialize_from(self, matrix):
        """Sets the visible biases to the log rating frequencies of each item.

        The base rates of Hinton's practical guide (with add-one
        smoothing): before training, `p(v_i | h = 0)` is item `i`'s rating
        distribution.
        """
        one_hot = ops.convert_to_numpy(self.one_hot(matrix))
        base = self.layer.base_rate_parameters(one_hot)
        self.layer.visible_bias.assign(base["visible_bias"])

    def check_values(self, values, name):
        super().check_values(values, name)
        if (values != np.round(values)).any():
            raise ValueError(
                f"`{name}` must hold integer ratings for an RBMRecommender "
                f"(one softmax unit per value). Received e.g. "
                f"{values[values != np.round(values)][0]:g}."
            )

    def one_hot(self, rows):
        """One softmax group per item from rating rows (0: all-zero group)."""
        rows = ops.convert_to_tensor(rows)
        levels = ops.convert_to_tensor(self.levels, dtype=rows.dtype)
        groups = ops.cast(ops.equal(rows[..., None], levels), rows.dtype)
        return ops.reshape(groups, (ops.shape(rows)[0], -1))

    def call(self, inputs):
        return self.layer(self.one_hot(inputs))

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        return self.rbm.compute_loss(self.one_hot(x), training=training)

    def score_items(self, history):
        """Expected ratings under `p(v | h)`, `h` mean field given `history`."""
        history = self._check_history(history)
        hidden = self.layer.hidden_probabilities(self.one_hot(history))
        probabilities = self.layer.visible_probabilities(hidden)
        groups = ops.reshape(
            probabilities, (len(history), self.num_items, len(self.levels))
        )
        return ops.convert_to_numpy(ops.matmul(groups, self.levels))

    def get_config(self):
        return {
            **super().get_config(),
            "num_hidden": self.num_hidden,
            "k": self.k,
            "weight_decay": self.weight_decay,
        }
