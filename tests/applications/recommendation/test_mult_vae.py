"""Mult-VAE: the loss against NumPy, annealing, fold-in, saving."""

import keras
import numpy as np
import pytest
from keras import ops

from kgen.applications.recommendation import MultVAE
from kgen.applications.recommendation import multinomial_log_likelihood
from kgen.callbacks import KLAnnealing
from kgen.testing.serialization import assert_round_trip


def test_multinomial_log_likelihood_matches_numpy(rng):
    counts = (rng.random((3, 6)) < 0.4).astype("float32")
    logits = rng.normal(size=(3, 6)).astype("float32")
    log_p = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    np.testing.assert_allclose(
        ops.convert_to_numpy(multinomial_log_likelihood(counts, logits)),
        (counts * log_p).sum(-1),
        rtol=1e-5,
    )


def test_loss_matches_numpy(rng):
    model = MultVAE(
        hidden_units=(5,),
        latent_dim=2,
        beta=0.3,
        positive_rating=4,
        num_users=4,
        num_items=6,
        seed=0,
    )
    x = rng.integers(0, 6, (4, 6)).astype("float32")
    x[:, 0] = 5  # every user has a click
    logits, mean, log_var = model(ops.convert_to_tensor(x))
    loss = model.compute_loss(x, y_pred=(logits, mean, log_var))
    clicks = (x >= 4).astype("float64")
    logits, mean, log_var = (
        ops.convert_to_numpy(t).astype("float64")
        for t in (logits, mean, log_var)
    )
    log_p = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    kl = -0.5 * np.sum(1 + log_var - mean**2 - np.exp(log_var), axis=-1)
    expected = np.mean(-(clicks * log_p).sum(-1) + 0.3 * kl)
    np.testing.assert_allclose(ops.convert_to_numpy(loss), expected, rtol=1e-5)
    # The encoder sees normalised clicks: ratings below 4 are no clicks.
    x_low = np.where(x >= 4, x, 0)
    np.testing.assert_allclose(model.score_items(x_low), logits, rtol=1e-5)


def test_annealing_and_validation_logs(tiny_ratings):
    model = MultVAE(hidden_units=(6,), latent_dim=2, beta=0.4, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    train = {k: v[6:] for k, v in tiny_ratings.items()}
    held_out = {k: v[:6] for k, v in tiny_ratings.items()}
    history = model.fit(
        train,
        epochs=3,
        batch_size=3,
        verbose=0,
        validation_data=held_out,
        callbacks=[KLAnnealing(epochs=2)],
        user_ids=tiny_ratings["user"],
        item_ids=tiny_ratings["item"],
    )
    np.testing.assert_allclose(ops.convert_to_numpy(model.kl_weight), 0.4)
    for name in ("loss", "reconstruction_loss", "kl_loss", "val_ndcg_at_100"):
        assert np.isfinite(history.history[name]).all(), name
    assert 0 <= history.history["val_recall_at_20"][-1] <= 1


def test_predict_returns_probabilities(tiny_ratings):
    model = MultVAE(hidden_units=(6,), latent_dim=2, seed=0)
    model.compile(optimizer="adam")
    model.fit(tiny_ratings, epochs=1, verbose=0)
    items = np.arange(10, 90, 10)
    probabilities = model.predict(np.full(8, 13), items)
    np.testing.assert_allclose(probabilities.sum(), 1.0, rtol=1e-5)


def test_round_trip(tiny_ratings, tmp_path):
    model = MultVAE(hidden_units=(6,), latent_dim=2, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    model.fit(tiny_ratings, epochs=1, batch_size=3, verbose=0)
    users, items = tiny_ratings["user"], tiny_ratings["item"]
    loaded = assert_round_trip(
        model, tmp_path, call=lambda m: m.predict(users, items)
    )
    np.testing.assert_array_equal(loaded.recommend(3, 5), model.recommend(3, 5))
    loaded.fit(tiny_ratings, epochs=1, batch_size=3, verbose=0)


def test_weight_decay_adds_the_kernels_l2(rng):
    """`weight_decay` adds λ Σ ||W||² over the kernels, not the biases."""
    kwargs = dict(hidden_units=(5,), latent_dim=2, num_users=4, num_items=6)
    plain = MultVAE(seed=0, **kwargs)
    decayed = MultVAE(weight_decay=0.03, seed=0, **kwargs)
    for variable in decayed.trainable_variables:  # nonzero biases too
        variable.assign(rng.normal(size=variable.shape).astype("float32"))
    plain.set_weights(decayed.get_weights())
    x = (rng.random((4, 6)) < 0.5).astype("float32")
    x[:, 0] = 1
    y_pred = decayed(ops.convert_to_tensor(x))
    kernels = sum(
        np.sum(ops.convert_to_numpy(v).astype("float64") ** 2)
        for v in decayed.trainable_variables
        if v.path.endswith("kernel")
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(decayed.compute_loss(x, y_pred=y_pred)),
        ops.convert_to_numpy(plain.compute_loss(x, y_pred=y_pred))
        + 0.03 * kernels,
        rtol=1e-5,
    )
    assert decayed.get_config()["weight_decay"] == 0.03
    with pytest.raises(ValueError, match="weight_decay"):
        MultVAE(weight_decay=-0.1)


def test_weight_decay_shrinks_the_kernels_in_fit(tiny_ratings):
    norms = []
    for decay in (0.0, 1.0):
        model = MultVAE(
            hidden_units=(6,), latent_dim=2, weight_decay=decay, seed=0
        )
        model.compile(optimizer=keras.optimizers.Adam(1e-2))
        model.fit(tiny_ratings, epochs=5, batch_size=6, verbose=0)
        norms.append(
            sum(
                np.sum(ops.convert_to_numpy(v) ** 2)
                for v in model.trainable_variables
                if v.path.endswith("kernel")
            )
        )
    assert norms[1] < 0.9 * norms[0]
