"""Baselines for the recommenders' benchmarks, in NumPy.

Rating prediction: the global mean, user and item biases, and biased matrix
factorisation (Funk's SVD as in Surprise). Top-N: item popularity and EASE.
Users and items are row and column numbers (`0 .. n - 1`); the rating
baselines return a `predict(users, items)` function.
"""

import numpy as np

from kgen.utils.validation import check_integer


def global_mean(users, items, ratings):
    """The mean training rating for every pair.

    Returns:
        `predict(users, items)`, a function returning a float array.
    """
    mean = float(np.mean(ratings))
    return lambda users, items: np.full(len(users), mean)


def biases(users, items, ratings, reg_user=15.0, reg_item=10.0, epochs=10):
    """User and item biases `mu + b_u + b_i` by alternating least squares.

    Surprise's `BaselineOnly` with its default ALS options: each half-step
    sets one set of biases to the regularised mean of the residuals.

    Reference:
        Koren, "Factor in the Neighbors: Scalable and Accurate
        Collaborative Filtering", TKDD (2010), section 2.1.

    Args:
        users, items: int arrays of row and column numbers.
        ratings: float array of ratings.
        reg_user, reg_item: regularisation of the biases.
        epochs: alternating steps.

    Returns:
        `predict(users, items)`; unseen numbers get a zero bias.
    """
    users, items, ratings = _check(users, items, ratings)
    mean = ratings.mean()
    user_bias = np.zeros(users.max() + 1)
    item_bias = np.zeros(items.max() + 1)
    for _ in range(check_integer(epochs, "epochs")):
        item_bias = _regularised_mean(
            items, ratings - mean - user_bias[users], reg_item, len(item_bias)
        )
        user_bias = _regularised_mean(
            users, ratings - mean - item_bias[items], reg_user, len(user_bias)
        )
    return _bias_predictor(mean, user_bias, item_bias)


def biased_matrix_factorization(
    users,
    items,
    ratings,
    factors=100,
    epochs=20,
    learning_rate=0.005,
    reg=0.02,
    batch_size=64,
    init_std=0.1,
    seed=0,
):
    """Biased matrix factorisation `mu + b_u + b_i + p_u . q_i` by SGD.

    The model and defaults of Surprise's `SVD` (Funk's SVD as popularised
    in the Netflix prize). Updates run on shuffled mini-batches of
    `batch_size` ratings with summed (not averaged) gradients, a vectorised
    approximation of Surprise's one-rating-at-a-time SGD.

    Reference:
        Koren, Bell & Volinsky, "Matrix Factorization Techniques for
        Recommender Systems", IEEE Computer (2009).

    Args:
        users, items: int arrays of row and column numbers.
        ratings: float array of ratings.
        factors: latent dimension.
        epochs: passes over the ratings.
        learning_rate: SGD step size.
        reg: L2 regularisation of biases and factors.
        batch_size: ratings per vectorised update.
        init_std: standard deviation of the initial factors.
        seed: seed of the initialisation and shuffling.

    Returns:
        `predict(users, items)`.
    """
    users, items, ratings = _check(users, items, ratings)
    rng = np.random.default_rng(seed)
    mean = ratings.mean()
    user_bias = np.zeros(users.max() + 1)
    item_bias = np.zeros(items.max() + 1)
    p = rng.normal(0, init_std, (len(user_bias), factors))
    q = rng.normal(0, init_std, (len(item_bias), factors))
    for _ in range(check_integer(epochs, "epochs")):
        order = rng.permutation(len(ratings))
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            u, i = users[batch], items[batch]
            error = ratings[batch] - (
                mean + user_bias[u] + item_bias[i] + np.sum(p[u] * q[i], 1)
            )
            pu, qi = p[u], q[i]
            rate = learning_rate
            np.add.at(user_bias, u, rate * (error - reg * user_bias[u]))
            np.add.at(item_bias, i, rate * (error - reg * item_bias[i]))
            np.add.at(p, u, rate * (error[:, None] * qi - reg * pu))
            np.add.at(q, i, rate * (error[:, None] * pu - reg * qi))
    bias = _bias_predictor(mean, user_bias, item_bias)

    def predict(users, items):
        users, items = np.asarray(users), np.asarray(items)
        known_u, known_i = users < len(p), items < len(q)
        dot = np.sum(
            p[np.where(known_u, users, 0)] * q[np.where(known_i, items, 0)], 1
        )
        return bias(users, items) + np.where(known_u & known_i, dot, 0.0)

    return predict


def item_popularity(clicks):
    """Popularity scores: the number of training users who clicked each item.

    Args:
        clicks: 0/1 array `(num_users, num_items)`.

    Returns:
        float array `(num_items,)`.
    """
    return np.asarray(clicks, "float64").sum(axis=0)


def ease_weights(clicks, l2=500.0):
    """The item-item weights of EASE, in closed form.

    `B = argmin ||X - X B||^2 + l2 ||B||^2` subject to `diag(B) = 0`:
    with `P = (X^T X + l2 I)^-1`, `B_ij = -P_ij / P_jj` off the diagonal.
    A user's scores are `x_u B`.

    Reference:
        Steck, "Embarrassingly Shallow Autoencoders for Sparse Data",
        WWW 2019.

    Args:
        clicks: 0/1 array `(num_users, num_items)` of training clicks.
        l2: float > 0, the regularisation `lambda`.

    Returns:
        float array `(num_items, num_items)` with a zero diagonal.
    """
    x = np.asarray(clicks, "float64")
    gram = x.T @ x + l2 * np.eye(x.shape[1])
    inverse = np.linalg.inv(gram)
    weights = -inverse / np.diag(inverse)
    np.fill_diagonal(weights, 0.0)
    return weights


def _bias_predictor(mean, user_bias, item_bias):
    def predict(users, items):
        users, items = np.asarray(users), np.asarray(items)
        b_u = np.where(
            users < len(user_bias),
            user_bias[np.minimum(users, len(user_bias) - 1)],
            0.0,
        )
        b_i = np.where(
            items < len(item_bias),
            item_bias[np.minimum(items, len(item_bias) - 1)],
            0.0,
        )
        return mean + b_u + b_i

    return predict


def _regularised_mean(index, residuals, reg, size):
    sums = np.bincount(index, residuals, minlength=size)
    counts = np.bincount(index, minlength=size)
    return sums / (reg + counts)


def _check(users, items, ratings):
    users = np.asarray(users, "int64")
    items = np.asarray(items, "int64")
    ratings = np.asarray(ratings, "float64")
    if not len(ratings) or not len(users) == len(items) == len(ratings):
        raise ValueError(
            "`users`, `items` and `ratings` must be non-empty arrays of one "
            f"length. Received lengths {len(users)}, {len(items)}, "
            f"{len(ratings)}."
        )
    if users.min() < 0 or items.min() < 0:
        raise ValueError("`users` and `items` must be numbers >= 0.")
    return users, items, ratings
