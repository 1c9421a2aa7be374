"""AutoRec: the masked loss against NumPy, masking, training, saving."""

import keras
import numpy as np
import pytest
from keras import ops

from kgen import backend
from kgen.applications.recommendation import AutoRec
from kgen.applications.recommendation import masked_squared_error
from kgen.testing.serialization import assert_round_trip


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def test_masked_squared_error_ignores_unrated_entries(rng):
    y_true = rng.integers(0, 6, (4, 7)).astype("float32")
    y_pred = rng.normal(3, 1, (4, 7)).astype("float32")
    mask = (y_true > 0).astype("float32")
    expected = np.sum(mask * (y_true - y_pred) ** 2, axis=1)
    loss = masked_squared_error(y_true, y_pred, mask)
    np.testing.assert_allclose(ops.convert_to_numpy(loss), expected, rtol=1e-5)
    # Junk at the unrated entries of the targets and predictions changes
    # neither the loss nor its gradients.
    junk = rng.normal(0, 100, (4, 7)).astype("float32")
    junk_true = np.where(mask > 0, y_true, junk)
    junk_pred = np.where(mask > 0, y_pred, -junk)
    np.testing.assert_allclose(
        ops.convert_to_numpy(masked_squared_error(junk_true, junk_pred, mask)),
        expected,
        rtol=1e-5,
    )
    for target, prediction in ((y_true, y_pred), (junk_true, junk_pred)):
        gradient = backend.input_gradients(
            lambda p, t=target: masked_squared_error(t, p, mask), prediction
        )
        np.testing.assert_allclose(
            ops.convert_to_numpy(gradient),
            2 * mask * (y_pred - y_true),
            rtol=1e-5,
            atol=1e-5,
        )


@pytest.mark.parametrize("kind", ["item", "user"])
def test_loss_matches_numpy(kind, rng):
    model = AutoRec(
        kind=kind, num_hidden=3, l2=2.0, num_users=5, num_items=4, seed=0
    )
    size = 5 if kind == "item" else 4
    x = rng.integers(0, 6, (6, size)).astype("float32")
    w1, b1 = (ops.convert_to_numpy(v) for v in model.encoder.weights)
    w2, b2 = (ops.convert_to_numpy(v) for v in model.decoder.weights)
    b1, b2 = b1 + 0.1, b2 + 3.0
    model.encoder.bias.assign(b1)
    model.decoder.bias.assign(b2)
    output = _sigmoid(x @ w1 + b1) @ w2 + b2
    errors = np.sum((x > 0) * (x - output) ** 2, axis=1)
    penalty = np.sum(w1**2) + np.sum(w2**2)
    expected = errors.mean() + 2.0 / (2 * size) * penalty
    loss = model.compute_loss(x, y_pred=model(ops.convert_to_tensor(x)))
    np.testing.assert_allclose(ops.convert_to_numpy(loss), expected, rtol=1e-5)
    np.testing.assert_allclose(model.reconstruct(x), output, rtol=1e-5)


@pytest.mark.parametrize("kind", ["item", "user"])
def test_predictions_read_the_right_entries(kind, tiny_ratings):
    model = AutoRec(kind=kind, num_hidden=3, seed=0)
    model.compile(optimizer="adam")
    model.fit(tiny_ratings, epochs=1, verbose=0)
    matrix = ops.convert_to_numpy(model.ratings)
    output = model.reconstruct(matrix.T if kind == "item" else matrix)
    full = output.T if kind == "item" else output
    users, items = np.array([34, 3, 8]), np.array([80, 10, 50])
    rows, columns = model.user_index(users), model.item_index(items)
    np.testing.assert_allclose(
        model.predict(users, items),
        np.clip(full[rows, columns], 1, 5),
        rtol=1e-5,
    )


def test_item_autorec_learns_and_beats_the_mean(rng):
    # Ratings of a rank-one taste model: AutoRec must fit them better than
    # the global mean.
    taste = rng.normal(size=12)
    appeal = rng.normal(size=15)
    matrix = np.clip(np.round(3 + np.outer(taste, appeal)), 1, 5)
    matrix[rng.random(matrix.shape) < 0.3] = 0
    model = AutoRec(kind="item", num_hidden=16, l2=0.0, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(0.01))
    model.fit(matrix, epochs=300, batch_size=15, verbose=0)
    users, items = np.nonzero(matrix)
    rmse = np.sqrt(
        np.mean((model.predict(users, items) - matrix[users, items]) ** 2)
    )
    baseline = np.std(matrix[users, items])
    assert rmse < 0.75 * baseline, (rmse, baseline)


def test_autorec_rejects_new_users_when_item_based(tiny_ratings):
    model = AutoRec(kind="item", num_hidden=2)
    model.compile(optimizer="adam")
    model.fit(tiny_ratings, verbose=0)
    with pytest.raises(ValueError, match="known users only"):
        model.score_items(np.zeros((1, 8)))


def test_round_trip_continues_training(tiny_ratings, tmp_path):
    model = AutoRec(kind="item", num_hidden=3, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    model.fit(tiny_ratings, epochs=1, batch_size=4, verbose=0)
    users, items = tiny_ratings["user"], tiny_ratings["item"]
    loaded = assert_round_trip(
        model, tmp_path, call=lambda m: m.predict(users, items)
    )
    np.testing.assert_array_equal(loaded.recommend(3, 4), model.recommend(3, 4))
    loaded.fit(tiny_ratings, epochs=1, batch_size=4, verbose=0, shuffle=False)
    model.fit(tiny_ratings, epochs=1, batch_size=4, verbose=0, shuffle=False)
    np.testing.assert_allclose(
        loaded.predict(users, items), model.predict(users, items), atol=1e-5
    )
