"""AutoRec: an autoencoder of the ratings matrix's rows or columns."""

import keras
import numpy as np
from keras import ops

from kgen.applications.recommendation.losses import masked_squared_error
from kgen.applications.recommendation.recommender import Recommender
from kgen.utils.validation import check_choice
from kgen.utils.validation import check_integer

_KINDS = ("item", "user")


@keras.saving.register_keras_serializable(package="kgen")
class AutoRec(Recommender):
    """AutoRec collaborative filtering (Sedhain et al. 2015).

    Item-based AutoRec (I-AutoRec, `kind="item"`) reconstructs each item's
    vector of ratings by all users, `r_i in R^num_users`, with one hidden
    layer, `h(r) = f(V g(W r + mu) + b)`; user-based AutoRec (U-AutoRec,
    `kind="user"`) reconstructs each user's vector of ratings of all items.
    Unrated entries are 0 in the input and are masked out of the loss, so
    only observed ratings are fitted:

    \\[ \\min \\sum_{r} \\lVert r - h(r) \\rVert_O^2
        + \\frac{\\lambda}{2} (\\lVert W \\rVert^2 + \\lVert V \\rVert^2). \\]

    Each step minimises this objective divided by the number of training
    rows (the mean masked error of the batch plus `l2 / (2 N)` times the
    squared weights), so `l2` is the paper's `lambda` whatever the batch
    size. The predicted rating of user `u` for item `i` is entry `u` of
    `h(r_i)` (I-AutoRec) or entry `i` of `h(r_u)` (U-AutoRec); items or
    users without training ratings get the network's output for an empty
    vector. `fit` logs `rmse` over the batch's observed ratings.

    Reference:
        Sedhain, Menon, Sanner & Xie, "AutoRec: Autoencoders Meet
        Collaborative Filtering", WWW 2015.

    Args:
        kind: `"item"` (I-AutoRec, usually the better) or `"user"`.
        num_hidden: int >= 1, hidden units (the paper uses 500).
        l2: float >= 0, the weight penalty `lambda`.
        activation: hidden activation `g` (default sigmoid).
        output_activation: output activation `f` (default identity).
        rating_scale: `(low, high)` of the ratings.
        num_users: int or `None` (set by `fit`).
        num_items: int or `None` (set by `fit`).
        seed: int or `None`, seed of the weight initialisers.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    data = kgen.datasets.load_movielens_100k()
    model = kgen.applications.recommendation.AutoRec(kind="item", seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(data, epochs=50, batch_size=64)
    model.predict([1, 1], [50, 172])  # ratings of two films by user 1
    model.recommend(1, k=10)           # ten item ids
    ```
    """

    tracked_losses = ("rmse",)

    def __init__(
        self,
        kind="item",
        num_hidden=500,
        l2=1.0,
        activation="sigmoid",
        output_activation="linear",
        rating_scale=(1, 5),
        num_users=None,
        num_items=None,
        seed=None,
        **kwargs,
    ):
        check_choice(kind, "kind", _KINDS)
        self.kind = kind
        self.num_hidden = check_integer(num_hidden, "num_hidden")
        if not isinstance(l2, (int, float)) or l2 < 0:
            raise ValueError(
                f"`l2` must be a number >= 0. Received: l2={l2!r}."
            )
        self.l2 = float(l2)
        self.activation = activation
        self.output_activation = output_activation
        super().__init__(
            rating_scale=rating_scale,
            num_users=num_users,
            num_items=num_items,
            seed=seed,
            **kwargs,
        )

    @property
    def item_based(self):
        return self.kind == "item"

    def _build_networks(self):
        size = self.num_inputs
        self.encoder = keras.layers.Dense(
            self.num_hidden,
            activation=self.activation,
            kernel_initializer=keras.initializers.GlorotUniform(self.seed),
            name="encoder",
        )
        self.decoder = keras.layers.Dense(
            size,
            activation=self.output_activation,
            kernel_initializer=keras.initializers.GlorotUniform(
                None if self.seed is None else self.seed + 1
            ),
            name="decoder",
        )
        self.encoder.build((None, size))
        self.decoder.build((None, self.num_hidden))

    def call(self, inputs):
        return self.decoder(self.encoder(inputs))

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        mask = ops.cast(x > 0, y_pred.dtype)
        errors = masked_squared_error(x, y_pred, mask)
        count = ops.maximum(ops.sum(mask), 1.0)
        self.add_tracker("rmse").update_state(
            ops.sqrt(ops.sum(errors) / count), sample_weight=count
        )
        penalty = ops.sum(ops.square(self.encoder.kernel)) + ops.sum(
            ops.square(self.decoder.kernel)
        )
        scale = self.l2 / (2.0 * self.num_inputs)
        return ops.mean(errors) + scale * penalty

    def reconstruct(self, rows):
        """The network's output for rating rows (items or users), NumPy."""
        rows = ops.convert_to_tensor(np.asarray(rows, "float32"))
        return ops.convert_to_numpy(self(rows))

    def score_items(self, history):
        """Predicted ratings of every item given users' rating rows.

        U-AutoRec only: an item-based model has no input for a new user
        (use `predict` or `recommend` for known users).
        """
        if self.item_based:
            raise ValueError(
                "An item-based AutoRec scores known users only (its inputs "
                "are items' ratings by the training users). Use `predict` or "
                "`recommend`, or a user-based AutoRec for new users."
            )
        return self.reconstruct(self._check_history(history))

    def user_scores(self, user_index):
        if not self.item_based:
            return super().user_scores(user_index)
        columns = self.reconstruct(ops.convert_to_numpy(self.ratings).T)
        return columns[:, np.asarray(user_index)].T

    def get_config(self):
        return {
            **super().get_config(),
            "kind": self.kind,
            "num_hidden": self.num_hidden,
            "l2": self.l2,
            "activation": self.activation,
            "output_activation": self.output_activation,
        }
