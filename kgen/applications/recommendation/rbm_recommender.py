"""RBM collaborative filtering on kgen's categorical RBM."""

import keras
import numpy as np
from keras import ops

from kgen.applications.recommendation.recommender import Recommender
from kgen.layers.categorical_rbm import CategoricalRBM
from kgen.models.boltzmann.rbm import RBM
from kgen.utils.validation import check_bool
from kgen.utils.validation import check_choice
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

    With `conditional=True` the model is the paper's conditional RBM: a
    binary vector `r_u` of the items user `u` rated, including items whose
    rating is unknown (e.g. the pairs to predict, passed to `fit` as
    `rated`), shifts the hidden biases through a trainable matrix `D`
    (`conditional_kernel`, `(num_items, num_hidden)`, weight-decayed like
    `W`): `P(h_j = 1 | v_u, r_u) = sigmoid(c_j + r_u D_j + sum W v_u)`. `r`
    is saved with the model (the non-trainable `rated` weight) and also
    conditions `predict` and `recommend`; `score_items(history, rated)`
    takes it for new users (default: the items of `history`).

    With `prediction="exact"` the expected rating is under the exact
    predictive distribution of the paper (its eq. 9), the hidden units
    summed out instead of replaced by their mean-field values: with
    `a = c + sum W v_u` the hidden field of the user's ratings other than
    item `i`,

    \\[ p(v_i = k \\mid v_u) \\propto \\exp(b_{ik}) \\textstyle\\prod_j
        \\big(1 + \\exp(a_j + W_{ikj})\\big). \\]

    It costs `num_items * K * num_hidden` operations per user, `K` times
    the mean field's.

    With `kind="item"` the roles swap (the item-based RBM, I-RBM, of
    Sedhain et al. 2015's comparison): every item is a training case with
    one softmax group per user, and the prediction for `(u, i)` is the
    expected rating of user `u`'s group given item `i`'s ratings. Such a
    model scores the training users only (no `score_items` for new users)
    and is not conditional.

    `k_schedule` raises the Gibbs steps of CD during training (the paper's
    CD-T, T rising from 1 to 3, 5 and 9 as learning proceeds).

    Ratings must be integers of the scale (`K = high - low + 1` values).

    References:
        Salakhutdinov, Mnih & Hinton, "Restricted Boltzmann Machines for
        Collaborative Filtering", ICML 2007.
        Sedhain, Menon, Sanner & Xie, "AutoRec: Autoencoders Meet
        Collaborative Filtering", WWW 2015 (I-RBM).

    Args:
        num_hidden: int >= 1, hidden units (the paper uses 100).
        k: int >= 1, Gibbs steps per CD update (before the first epoch of
            `k_schedule`).
        weight_decay: float >= 0, L2 penalty on the weights.
        conditional: bool, condition the hidden units on which items each
            user rated (the conditional RBM).
        k_schedule: `None`, or a dict `{epoch: k}` (or `(epoch, k)` pairs):
            from each listed 0-based epoch on, CD runs `k` Gibbs steps,
            e.g. `{0: 1, 20: 3, 30: 5, 40: 9}`. Epochs count from `fit`'s
            `initial_epoch`.
        prediction: `"mean_field"` (default) or `"exact"`: how `predict`,
            `recommend` and `score_items` compute `p(v_i | v_u)`.
        kind: `"user"` (default: a user per training case, the paper's
            model) or `"item"` (an item per training case).
        rating_scale: `(low, high)`, integers.
        num_users: int or `None` (set by `fit`).
        num_items: int or `None` (set by `fit`).
        seed: int or `None`, seed of the model's random streams.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    data = kgen.datasets.load_movielens_100k()
    model = kgen.applications.recommendation.RBMRecommender(
        100, conditional=True, k_schedule={0: 1, 20: 3, 30: 5}, seed=0
    )
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
        conditional=False,
        k_schedule=None,
        prediction="mean_field",
        kind="user",
        rating_scale=(1, 5),
        num_users=None,
        num_items=None,
        seed=None,
        **kwargs,
    ):
        self.num_hidden = check_integer(num_hidden, "num_hidden")
        self.k = check_integer(k, "k")
        self.weight_decay = weight_decay
        self.conditional = check_bool(conditional, "conditional")
        self.kind = check_choice(kind, "kind", ("user", "item"))
        if conditional and kind == "item":
            raise ValueError(
                "The conditional RBM conditions each user on the items they "
                'rated: it needs kind="user". Received conditional=True '
                'with kind="item".'
            )
        self.k_schedule = _check_schedule(k_schedule)
        self.prediction = check_choice(
            prediction, "prediction", ("mean_field", "exact")
        )
        self._extra_rated = None
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
    def item_based(self):
        return self.kind == "item"

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
        self.rbm.build((None, self.num_inputs * len(self.levels)))
        if self.conditional:
            self.conditional_kernel = self.add_weight(
                shape=(self.num_items, self.num_hidden),
                initializer="zeros",
                name="conditional_kernel",
            )
            self.rated = self.add_weight(
                shape=(self.num_users, self.num_items),
                initializer="zeros",
                trainable=False,
                name="rated",
            )

    def fit(self, ratings, *args, rated=None, callbacks=None, **kwargs):
        """Trains as `Recommender.fit`, with the conditional `rated` pairs.

        Args:
            ratings: training ratings (see `Recommender`).
            *args: passed to `Recommender.fit` (`epochs`, `batch_size`).
            rated: conditional model only: `None`, or `(users, items)` id
                arrays of pairs known to be rated whose ratings are unknown
                (e.g. those to predict). With the training pairs they form
                each user's `r`, replacing the previous fit's.
            callbacks: list of Keras callbacks.
            **kwargs: passed to `Recommender.fit`.

        Returns:
            The Keras `History`.
        """
        if rated is not None and not self.conditional:
            raise ValueError(
                "`rated` conditions a conditional RBM, but this "
                "RBMRecommender has conditional=False. Construct it with "
                "conditional=True, or leave `rated` out."
            )
        self._extra_rated = _check_pairs(rated)
        callbacks = [_GibbsSchedule(), *(callbacks or [])]
        try:
            return super().fit(ratings, *args, callbacks=callbacks, **kwargs)
        finally:
            self._extra_rated = None

    def training_rows(self, matrix):
        """Rating rows; conditional: `-1` marks rated pairs of unknown rating."""
        if not self.conditional:
            return super().training_rows(matrix)
        rated = matrix != 0
        if self._extra_rated is not None:
            users, items = self._extra_rated
            rated[self.user_index(users), self.item_index(items)] = True
        self.rated.assign(rated.astype("float32"))
        return np.where(rated & (matrix == 0), -1.0, matrix).astype("float32")

    def gibbs_steps(self, epoch):
        """CD's Gibbs steps at a 0-based epoch under `k_schedule`."""
        steps = self.k
        for start, k in self.k_schedule or ():
            if epoch >= start:
                steps = k
        return steps

    def initialize_from(self, matrix):
        """Sets the visible biases to the log rating frequencies of each item.

        The base rates of Hinton's practical guide (with add-one
        smoothing): before training, `p(v_i | h = 0)` is item `i`'s rating
        distribution (item-based: user `u`'s, per user group).
        """
        rows = matrix.T if self.item_based else matrix
        one_hot = ops.convert_to_numpy(self.one_hot(rows))
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

    def rbm_parameters(self, rated=None):
        """The RBM's parameters; conditional: hidden biases `c + r D` per user.

        Args:
            rated: conditional model: 0/1 rows `r` `(batch, num_items)`.

        Returns:
            The layer's parameter dict (see `kgen.layers.RBMLayer`).
        """
        parameters = self.layer.parameters()
        if self.conditional:
            rated = ops.convert_to_tensor(rated, self.layer.compute_dtype)
            shift = ops.matmul(rated, self.conditional_kernel)
            parameters["hidden_bias"] = parameters["hidden_bias"] + shift
        return parameters

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        if not self.conditional:
            return self.rbm.compute_loss(self.one_hot(x), training=training)
        # The RBM's CD-k loss with per-user hidden biases c + r D, and the
        # same weight decay on D as the RBM puts on W.
        x = ops.convert_to_tensor(x, self.layer.compute_dtype)
        parameters = self.rbm_parameters(ops.cast(ops.not_equal(x, 0), x.dtype))
        loss = self.rbm.contrastive_divergence_loss(
            self.one_hot(x), parameters, training=training
        )
        if not training:
            return loss
        decay = ops.sum(ops.square(self.conditional_kernel))
        return loss + 0.5 * self.weight_decay * decay

    def score_items(self, history, rated=None):
        """Expected ratings under `p(v_i | v_u)` (see `prediction`).

        Args:
            history: rating rows `(num_users, num_items)`, 0 for unrated.
            rated: conditional model: optional 0/1 rows of the same shape,
                items rated with unknown rating (added to `history`'s).

        Returns:
            NumPy array `(num_users, num_items)` of expected ratings.
        """
        if self.item_based:
            raise ValueError(
                "An item-based RBMRecommender scores known users only (its "
                "training cases are items rated by the training users). Use "
                '`predict` or `recommend`, or kind="user" for new users.'
            )
        history = self._check_history(history)
        conditioning = history != 0
        if rated is not None:
            conditioning |= np.asarray(rated).reshape(history.shape) != 0
        return self.expected_ratings(history, conditioning.astype("float32"))

    def expected_ratings(self, rows, rated=None):
        """Expected ratings of every group given training-case rows.

        Args:
            rows: rating rows `(batch, num_inputs)` (users' rows, or items'
                if item-based), 0 for unrated.
            rated: conditional model: the 0/1 rows `r`.

        Returns:
            NumPy array shaped like `rows`.
        """
        parameters = self.rbm_parameters(rated)
        v = self.one_hot(rows)
        if self.prediction == "exact":
            logits = self._exact_logits(v, parameters)
        else:
            hidden = self.layer.hidden_probabilities(v, parameters)
            logits = self._groups(self.layer.visible_field(hidden, parameters))
        probabilities = ops.softmax(logits, axis=-1)
        return ops.convert_to_numpy(ops.matmul(probabilities, self.levels))

    def _groups(self, x):
        return ops.reshape(x, (-1, self.num_inputs, len(self.levels)))

    def _exact_logits(self, v, parameters):
        """`log p(v_i = k | v_u)` up to a constant, `(users, items, K)`."""
        kernel = self._groups(ops.transpose(parameters["kernel"]))
        kernel = ops.transpose(kernel, (1, 2, 0))  # (items, K, hidden)
        bias = self._groups(parameters["visible_bias"])
        field = self.layer.hidden_field(v, parameters)
        # Users at a time: the softplus term is (users, items, K, hidden).
        size = self.num_inputs * len(self.levels) * self.num_hidden
        chunk = max(1, 2**24 // size)
        logits = []
        for start in range(0, len(v), chunk):
            part = self._groups(v[start : start + chunk])
            # The hidden field without item i's own rating, per item.
            own = ops.einsum("uik,ikj->uij", part, kernel)
            rest = field[start : start + chunk, None, :] - own
            summed = ops.softplus(rest[:, :, None, :] + kernel)
            logits.append(bias + ops.sum(summed, axis=-1))
        return ops.concatenate(logits, axis=0)

    def user_scores(self, user_index):
        if self.item_based:
            ratings = ops.convert_to_numpy(self.ratings).T
            return self.expected_ratings(ratings)[:, np.asarray(user_index)].T
        if not self.conditional:
            return super().user_scores(user_index)
        index = np.asarray(user_index)
        return self.score_items(
            ops.convert_to_numpy(self.ratings)[index],
            ops.convert_to_numpy(self.rated)[index],
        )

    def get_config(self):
        return {
            **super().get_config(),
            "num_hidden": self.num_hidden,
            "k": self.k,
            "weight_decay": self.weight_decay,
            "conditional": self.conditional,
            "prediction": self.prediction,
            "kind": self.kind,
            "k_schedule": None
            if self.k_schedule is None
            else [list(pair) for pair in self.k_schedule],
        }


class _GibbsSchedule(keras.callbacks.Callback):
    """Sets CD's Gibbs steps for each epoch from the model's `k_schedule`."""

    def on_epoch_begin(self, epoch, logs=None):
        model = self.model
        steps = model.gibbs_steps(epoch)
        if steps != model.rbm.k:
            model.rbm.k = steps
            # The step is traced with k as a constant: trace it again.
            model.make_train_function(force=True)


def _check_schedule(schedule):
    if schedule is None:
        return None
    pairs = schedule.items() if isinstance(schedule, dict) else schedule
    try:
        pairs = [(int(epoch), int(k)) for epoch, k in pairs]
        valid = bool(pairs)
    except (TypeError, ValueError):
        valid = False
    if valid:
        epochs = [epoch for epoch, _ in pairs]
        valid = (
            min(epochs) >= 0
            and len(set(epochs)) == len(epochs)
            and min(k for _, k in pairs) >= 1
        )
    if not valid:
        raise ValueError(
            "`k_schedule` must be None or a non-empty dict {epoch: k} (or "
            "(epoch, k) pairs) of distinct integer epochs >= 0 and integer "
            f"Gibbs steps k >= 1, e.g. {{0: 1, 20: 3}}. Received: "
            f"k_schedule={schedule!r}."
        )
    return tuple(sorted(pairs))


def _check_pairs(rated):
    if rated is None:
        return None
    if not isinstance(rated, (tuple, list)) or len(rated) != 2:
        raise ValueError(
            "`rated` must be a pair (users, items) of id arrays. Received a "
            f"{type(rated).__name__}."
        )
    users, items = (np.ravel(ids) for ids in rated)
    if len(users) != len(items):
        raise ValueError(
            "`rated` needs as many users as items. Received "
            f"{len(users)} users and {len(items)} items."
        )
    return users, items
