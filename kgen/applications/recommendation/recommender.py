"""Base class of kgen's recommenders: ids, seen items and `recommend`."""

import keras
import numpy as np
from keras import ops

from kgen.models.generative_model import GenerativeModel
from kgen.utils.validation import check_integer

_USER_KEYS = ("user", "user_id", "users")
_ITEM_KEYS = ("item", "item_id", "items")
_RATING_KEYS = ("rating", "ratings")


@keras.saving.register_keras_serializable(package="kgen")
class Recommender(GenerativeModel):
    """Base class of the recommenders: a Keras model of a ratings matrix.

    A recommender learns from `(user, item, rating)` triples and keeps what
    it needs to recommend as non-trainable weights, saved with the model:
    the sorted user and item ids (`user_ids`, `item_ids`, integers) and the
    training ratings as a dense `(num_users, num_items)` matrix (`ratings`,
    0 for unrated), which user-based models condition on and `recommend`
    excludes. A reloaded `.keras` model predicts, recommends and continues
    training where it stopped.

    `fit(ratings)` accepts a dict with `"user"`, `"item"` and `"rating"`
    arrays (as returned by `kgen.datasets.load_movielens_100k`), a tuple
    `(users, items, ratings)` or `(users, items)` (implicit feedback: every
    pair gets the top rating), or a dense or SciPy sparse users x items
    matrix with 0 for unrated entries (the ids are then all its row and
    column numbers).
    The first `fit` fixes the id sets (pass `user_ids` / `item_ids` to
    declare ids absent from the training ratings); later fits must use
    known ids. Ratings must lie in `rating_scale`; NaNs, duplicate
    `(user, item)` pairs and empty data are rejected.

    Subclasses define the networks (`_build_networks`), the training loss
    (`compute_loss` on batches of rating rows, or columns for item-based
    models) and `score_items`.

    Args:
        rating_scale: `(low, high)` with `0 < low < high`; 0 is reserved
            for "unrated" in the ratings matrix.
        num_users: int or `None`; set by the first `fit` (or given to build
            the model up front, e.g. when loading).
        num_items: int or `None`, likewise.
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).
    """

    #: Whether `predict` clips to `rating_scale` (rating models) or returns
    #: raw scores (ranking models).
    predicts_ratings = True
    #: Whether training rows are items (item-based models) instead of users.
    item_based = False
    #: Names of the loss terms logged by `fit` besides `loss`.
    tracked_losses = ()

    def __init__(
        self,
        rating_scale=(1, 5),
        num_users=None,
        num_items=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        self.rating_scale = _check_scale(rating_scale)
        self.num_users = _optional_integer(num_users, "num_users")
        self.num_items = _optional_integer(num_items, "num_items")
        for name in self.tracked_losses:
            self.add_tracker(name)
        if self.num_users is not None and self.num_items is not None:
            self._build_for(self.num_users, self.num_items)

    def _build_for(self, num_users, num_items):
        self.num_users, self.num_items = int(num_users), int(num_items)
        self.user_ids = self.add_weight(
            shape=(num_users,),
            initializer="zeros",
            dtype="int32",
            trainable=False,
            name="user_ids",
        )
        self.item_ids = self.add_weight(
            shape=(num_items,),
            initializer="zeros",
            dtype="int32",
            trainable=False,
            name="item_ids",
        )
        self.ratings = self.add_weight(
            shape=(num_users, num_items),
            initializer="zeros",
            trainable=False,
            name="ratings",
        )
        self._build_networks()
        self.built = True

    def build(self, input_shape=None):
        """Recommenders are built by `fit` (or by `num_users` / `num_items`)."""
        if not self.built:
            raise ValueError(
                f"A {type(self).__name__} is built by `fit(ratings)`, which "
                "learns the user and item ids; or pass `num_users` and "
                "`num_items` to the constructor."
            )

    def _build_networks(self):
        """Creates and builds the trainable layers (subclasses)."""
        raise NotImplementedError

    @property
    def num_inputs(self):
        """Length of one training row: items (user-based) or users."""
        return self.num_users if self.item_based else self.num_items

    # Training ---------------------------------------------------------------

    def fit(
        self,
        ratings,
        epochs=1,
        batch_size=None,
        validation_data=None,
        callbacks=None,
        verbose="auto",
        user_ids=None,
        item_ids=None,
        **kwargs,
    ):
        """Trains on rating triples with Keras' `fit`.

        Args:
            ratings: training ratings (see the class docstring for formats).
            epochs: passes over the training rows.
            batch_size: rows (users, or items for item-based models) per
                step.
            validation_data: optional held-out ratings in any accepted
                format, with known ids; `validation_metrics` of them is
                added to the logs after every epoch (e.g. `val_rmse`).
            callbacks: list of Keras callbacks.
            verbose: as in `keras.Model.fit`.
            user_ids: optional ids of every user (first `fit` only),
                including users without training ratings.
            item_ids: optional ids of every item (first `fit` only).
            **kwargs: passed to `keras.Model.fit` (not `x`, `y`,
                `validation_split`).

        Returns:
            The Keras `History`.
        """
        users, items, values = self.parse_ratings(ratings, "ratings")
        if _is_matrix(ratings):  # every row and column is an id
            rows, columns = np.shape(ratings)
            user_ids = np.arange(rows) if user_ids is None else user_ids
            item_ids = np.arange(columns) if item_ids is None else item_ids
        first_fit = not self.built
        if self.built:
            _check_same_ids(self, user_ids, item_ids)
        else:
            all_users = _ids(users, user_ids, "user_ids")
            all_items = _ids(items, item_ids, "item_ids")
            self._build_for(len(all_users), len(all_items))
            self.user_ids.assign(all_users)
            self.item_ids.assign(all_items)
        matrix = np.zeros((self.num_users, self.num_items), "float32")
        matrix[self.user_index(users), self.item_index(items)] = values
        self.ratings.assign(matrix)
        if first_fit:
            self.initialize_from(matrix)
        callbacks = list(callbacks or [])
        if validation_data is not None:
            validation = self.parse_ratings(validation_data, "validation_data")
            self.user_index(validation[0]), self.item_index(validation[1])
            # First, so that later callbacks (EarlyStopping) see the figures.
            callbacks.insert(0, _ValidationMetrics(validation))
        return super().fit(
            self.training_rows(matrix),
            epochs=epochs,
            batch_size=batch_size,
            callbacks=callbacks,
            verbose=verbose,
            **kwargs,
        )

    def training_rows(self, matrix):
        """The rows `fit` trains on: users (or items, if item-based).

        Args:
            matrix: the training ratings, `(num_users, num_items)` NumPy.

        Returns:
            The NumPy rows of the training batches.
        """
        return matrix.T if self.item_based else matrix

    def initialize_from(self, matrix):
        """Data-dependent initialisation at the first `fit` (subclasses).

        Args:
            matrix: the training ratings, `(num_users, num_items)` NumPy.
        """

    def check_values(self, values, name):
        """Checks rating values (subclasses add e.g. integrality)."""
        low, high = self.rating_scale
        outside = (values < low) | (values > high)
        if outside.any():
            first = int(np.argmax(outside))
            raise ValueError(
                f"`{name}` must hold ratings in the declared rating_scale "
                f"[{low:g}, {high:g}]. Received {int(outside.sum())} outside "
                f"it (the first, at position {first}: {values[first]:g}). "
                "Rescale the ratings or construct the recommender with a "
                "matching `rating_scale`."
            )

    def parse_ratings(self, ratings, name="ratings"):
        """Turns any accepted ratings format into checked triples.

        Args:
            ratings: a dict, a tuple of arrays, or a users x items matrix
                (see the class docstring).
            name: the argument's name, used in error messages.

        Returns:
            `(users, items, values)`: int64 ids and float32 ratings.
        """
        users, items, values = _triples(ratings, name, self.rating_scale[1])
        if len(users) == 0:
            raise ValueError(
                f"`{name}` is empty: received no ratings. Pass at least one "
                "(user, item, rating) triple."
            )
        if not len(users) == len(items) == len(values):
            raise ValueError(
                f"`{name}` must hold users, items and ratings of equal "
                f"length. Received lengths {len(users)}, {len(items)}, "
                f"{len(values)}."
            )
        users = _integer_ids(users, f"{name} users")
        items = _integer_ids(items, f"{name} items")
        values = np.asarray(values, "float32")
        if not np.isfinite(values).all():
            first = int(np.argmax(~np.isfinite(values)))
            raise ValueError(
                f"`{name}` contains {int((~np.isfinite(values)).sum())} NaN "
                f"or infinite ratings (the first at position {first}, user "
                f"{users[first]}, item {items[first]}). Drop them first."
            )
        self.check_values(values, name)
        pairs = np.stack([users, items], axis=1)
        unique, counts = np.unique(pairs, axis=0, return_counts=True)
        if (counts > 1).any():
            user, item = unique[np.argmax(counts > 1)]
            raise ValueError(
                f"`{name}` contains {int((counts > 1).sum())} duplicate "
                f"(user, item) pairs, e.g. user {user}, item {item}. Keep one "
                "rating per pair (e.g. the latest)."
            )
        return users, items, values

    # Ids --------------------------------------------------------------------

    def user_index(self, users, allow_unknown=False):
        """Row numbers of user ids (`-1` for unknown ids if allowed)."""
        return self._index(users, "user", allow_unknown)

    def item_index(self, items, allow_unknown=False):
        """Column numbers of item ids (`-1` for unknown ids if allowed)."""
        return self._index(items, "item", allow_unknown)

    def _index(self, ids, kind, allow_unknown):
        self._check_fitted(f"{kind} ids")
        ids = _integer_ids(np.atleast_1d(ids), f"{kind} ids")
        known = ops.convert_to_numpy(getattr(self, f"{kind}_ids"))
        index = np.clip(np.searchsorted(known, ids), 0, len(known) - 1)
        found = known[index] == ids
        if allow_unknown:
            return np.where(found, index, -1)
        if not found.all():
            missing = np.unique(ids[~found])
            raise ValueError(
                f"Unknown {kind} ids: {missing[:10].tolist()}"
                f"{' ...' if len(missing) > 10 else ''} ({len(missing)} in "
                f"all). The model knows {len(known)} {kind}s, those of its "
                f"first `fit` (declare others with `fit(..., {kind}_ids=...)`"
                "), or pass `default=` to `predict` for a fallback value."
            )
        return index

    def _check_fitted(self, what):
        if not self.built:
            raise ValueError(
                f"This {type(self).__name__} has not been fitted: it knows no "
                f"{what} yet. Call `fit(ratings)` first."
            )

    # Predictions ------------------------------------------------------------

    def score_items(self, history):
        """Scores of every item for users given their rating rows.

        Works for users outside the training data too (fold-in), except in
        item-based models.

        Args:
            history: array `(num_users, num_items)` of ratings in the order
                of `item_ids`, 0 for unrated.

        Returns:
            NumPy array `(num_users, num_items)`: predicted ratings for rating
            models, ranking scores for ranking models.
        """
        raise NotImplementedError

    def _check_history(self, history):
        self._check_fitted("items")
        history = np.asarray(history, "float32")
        if history.ndim != 2 or history.shape[1] != self.num_items:
            raise ValueError(
                f"`history` must have shape (num_users, {self.num_items}): "
                "one row of ratings per user, in the order of `item_ids`. "
                f"Received shape {history.shape}."
            )
        observed = history[history != 0]
        if observed.size:
            self.check_values(observed, "history")
        return history

    def user_scores(self, user_index):
        """Scores of every item for known users, by row number."""
        ratings = ops.convert_to_numpy(self.ratings)
        return self.score_items(ratings[np.asarray(user_index)])

    def predict(self, users, items, default=None, batch_size=1024):
        """Predicted ratings (or scores) of `(user, item)` pairs.

        Args:
            users: user ids, an int or a 1-D array.
            items: item ids of the same length.
            default: `None` to raise on an unknown id, or the value returned
                for pairs with an unknown user or item (a documented
                fallback, e.g. the training mean).
            batch_size: users scored at once.

        Returns:
            float32 NumPy array of the pairs' predictions, clipped to
            `rating_scale` for rating models.
        """
        allow = default is not None
        users = self.user_index(users, allow_unknown=allow)
        items = self.item_index(items, allow_unknown=allow)
        if len(users) != len(items):
            raise ValueError(
                "`users` and `items` must have the same length. Received "
                f"{len(users)} and {len(items)}."
            )
        known = (users >= 0) & (items >= 0)
        result = np.full(len(users), np.nan if default is None else default)
        distinct, rows = np.unique(users[known], return_inverse=True)
        values = np.empty(known.sum())
        for start in range(0, len(distinct), batch_size):
            part = distinct[start : start + batch_size]
            scores = self.user_scores(part)
            chosen = (rows >= start) & (rows < start + len(part))
            values[chosen] = scores[rows[chosen] - start, items[known][chosen]]
        if self.predicts_ratings:
            values = np.clip(values, *self.rating_scale)
        result[known] = values
        return result.astype("float32")

    def recommend(self, user, k=10, exclude_seen=True):
        """The `k` best-scored items for a known user.

        Args:
            user: a user id.
            k: int >= 1, number of items (fewer if fewer remain).
            exclude_seen: leave out the items the user rated in training.

        Returns:
            int NumPy array of item ids, best first.
        """
        k = check_integer(k, "k")
        index = self.user_index(user)
        scores = self.user_scores(index)[0].astype("float64")
        if exclude_seen:
            seen = ops.convert_to_numpy(self.ratings[int(index[0])]) != 0
            scores[seen] = -np.inf
        order = np.argsort(-scores, kind="stable")[:k]
        order = order[np.isfinite(scores[order])]
        return ops.convert_to_numpy(self.item_ids)[order]

    def validation_metrics(self, users, items, values):
        """Figures logged on `validation_data` after every epoch.

        Rating models log `val_rmse` and `val_mae`; ranking models override.
        """
        error = self.predict(users, items) - values
        return {
            "val_rmse": float(np.sqrt(np.mean(error**2))),
            "val_mae": float(np.mean(np.abs(error))),
        }

    def get_config(self):
        return {
            **super().get_config(),
            "rating_scale": list(self.rating_scale),
            "num_users": self.num_users,
            "num_items": self.num_items,
        }


class _ValidationMetrics(keras.callbacks.Callback):
    """Adds `Recommender.validation_metrics` to the logs after each epoch."""

    def __init__(self, validation):
        super().__init__()
        self.validation = validation

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs.update(self.model.validation_metrics(*self.validation))


def _triples(ratings, name, implicit_rating):
    if isinstance(ratings, dict):
        users = _column(ratings, _USER_KEYS, name)
        items = _column(ratings, _ITEM_KEYS, name)
        values = _column(ratings, _RATING_KEYS, name, optional=True)
    elif isinstance(ratings, (tuple, list)) and len(ratings) in (2, 3):
        users, items, values = (*ratings, None)[:3]
    elif _is_matrix(ratings):
        return _matrix_triples(ratings, name)
    else:
        raise ValueError(
            f"`{name}` must be a dict with 'user', 'item' and 'rating' "
            "arrays, a tuple (users, items, ratings) or (users, items), or a "
            f"2-D users x items matrix. Received a {type(ratings).__name__}."
        )
    users, items = np.ravel(users), np.ravel(items)
    if values is None:
        values = np.full(len(users), implicit_rating, "float32")
    return users, items, np.ravel(values)


def _is_matrix(ratings):
    if isinstance(ratings, (dict, tuple, list)):
        return False
    return hasattr(ratings, "tocoo") or np.ndim(ratings) == 2


def _column(ratings, keys, name, optional=False):
    for key in keys:
        if key in ratings:
            return ratings[key]
    if optional:
        return None
    raise ValueError(
        f"`{name}` is a dict without any of the keys {keys}. Received keys "
        f"{sorted(ratings)}."
    )


def _matrix_triples(matrix, name):
    if hasattr(matrix, "tocoo"):
        coo = matrix.tocoo()
        users, items, values = coo.row, coo.col, coo.data
        shape = coo.shape
    else:
        matrix = np.asarray(matrix, "float32")
        if np.isnan(matrix).any():
            raise ValueError(
                f"`{name}` contains NaN entries. Use 0 for unrated entries."
            )
        users, items = np.nonzero(matrix)
        values, shape = matrix[users, items], matrix.shape
    if 0 in shape:
        raise ValueError(f"`{name}` is empty: received shape {shape}.")
    return users, items, values


def _integer_ids(ids, name):
    ids = np.asarray(ids)
    if ids.size and not np.issubdtype(ids.dtype, np.integer):
        if not np.issubdtype(ids.dtype, np.floating) or (
            np.any(ids != np.round(ids))
        ):
            raise ValueError(
                f"{name} must be integers. Received dtype {ids.dtype}. Map "
                "other ids to integers, e.g. with np.unique(ids, "
                "return_inverse=True)."
            )
    ids = ids.astype("int64")
    if ids.size and (ids.min() < np.iinfo("int32").min or ids.max() >= 2**31):
        raise ValueError(f"{name} must fit in int32. Received {ids.max()}.")
    return ids


def _ids(observed, declared, name):
    ids = np.unique(observed)
    if declared is None:
        return ids
    declared = np.unique(_integer_ids(declared, f"`{name}`"))
    missing = np.setdiff1d(ids, declared)
    if len(missing):
        raise ValueError(
            f"`{name}` must include every id of the ratings. Missing: "
            f"{missing[:10].tolist()} ({len(missing)} in all)."
        )
    return declared


def _check_same_ids(model, user_ids, item_ids):
    for declared, known, name in (
        (user_ids, model.user_ids, "user_ids"),
        (item_ids, model.item_ids, "item_ids"),
    ):
        if declared is None:
            continue
        declared = np.unique(_integer_ids(declared, f"`{name}`"))
        if not np.array_equal(declared, ops.convert_to_numpy(known)):
            raise ValueError(
                f"`{name}` differs from the ids this model was built with. "
                "A fitted recommender keeps its ids; build a new one for "
                "other users or items."
            )


def _check_scale(scale):
    valid = (
        isinstance(scale, (tuple, list))
        and len(scale) == 2
        and all(isinstance(s, (int, float)) for s in scale)
        and 0 < scale[0] < scale[1]
    )
    if not valid:
        raise ValueError(
            "`rating_scale` must be a pair (low, high) with 0 < low < high "
            "(0 marks unrated entries). Received: "
            f"rating_scale={scale!r}."
        )
    return tuple(float(s) for s in scale)


def _optional_integer(value, name):
    return None if value is None else check_integer(value, name)
