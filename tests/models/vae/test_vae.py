import keras
import numpy as np
import pytest
from scipy import stats

from kgen.datasets import load_digits
from kgen.losses import gaussian_kl_divergence
from kgen.models import VAE
from kgen.models import dense_decoder
from kgen.models import dense_encoder
from kgen.testing import assert_round_trip

(X, _), _ = load_digits("binary")
X = X[:96]

# A linear Gaussian VAE, x = z @ W + b + noise, whose log p(x) is exact.
W = np.array(
    [[1.0, 0.0, -0.5, 0.0], [0.0, 1.5, 0.0, 1.0]], "float32"
)  # orthogonal rows
B = np.array([0.5, -1.0, 0.0, 2.0], "float32")
VARIANCE = 0.5


def _linear_vae(exact_posterior, **kwargs):
    encoder = dense_encoder((4,), 4, hidden_units=())
    decoder = dense_decoder(2, (4,), hidden_units=())
    decoder.layers[1].set_weights([W, B])
    if exact_posterior:
        # q(z | x) = p(z | x) = N(Sigma W (x - b) / s2, Sigma), Sigma diagonal here.
        sigma = np.diag(1.0 / (1.0 + np.sum(W**2, axis=1) / VARIANCE))
        gain = W.T @ sigma / VARIANCE
        kernel = np.concatenate([gain, np.zeros((4, 2))], axis=1).astype(
            "float32"
        )
        bias = np.concatenate([-B @ gain, np.log(np.diag(sigma))]).astype(
            "float32"
        )
        encoder.get_layer("code").set_weights([kernel, bias])
    return VAE(
        encoder,
        decoder,
        likelihood="gaussian",
        variance=VARIANCE,
        seed=0,
        **kwargs,
    )


def _exact_log_likelihood(x):
    return stats.multivariate_normal(B, W.T @ W + VARIANCE * np.eye(4)).logpdf(
        x
    )


def _data(count=64):
    z = np.random.default_rng(1).normal(size=(count, 2))
    return (
        z @ W
        + B
        + np.sqrt(VARIANCE) * np.random.default_rng(2).normal(size=(count, 4))
    ).astype("float32")


def test_iwae_bound_is_exact_with_the_true_posterior():
    x = _data()
    bound = _linear_vae(exact_posterior=True).log_likelihood(x, num_samples=3)
    np.testing.assert_allclose(bound, _exact_log_likelihood(x), rtol=1e-4)


def test_iwae_bound_increases_with_k_towards_log_likelihood():
    x = _data(200)
    vae = _linear_vae(exact_posterior=False)
    bounds = [
        vae.log_likelihood(x, num_samples=k, seed=0).mean()
        for k in (1, 10, 100)
    ]
    exact = _exact_log_likelihood(x).mean()
    assert bounds[0] < bounds[1] < bounds[2] <= exact + 0.01
    assert exact - bounds[2] < 0.5 * (exact - bounds[0])


def _analytic_elbo(vae, x):
    """E_q[log p(x | z)] - KL in closed form for the linear Gaussian VAE."""
    code = keras.ops.convert_to_numpy(vae.encoder(x))
    mean, log_var = code[:, :2], code[:, 2:]
    residual = x - mean @ W - B
    spread = np.exp(log_var) @ (W**2)  # Var[(z @ W)_j] under q
    expected_log_lik = -0.5 * np.sum(
        np.log(2 * np.pi * VARIANCE) + (residual**2 + spread) / VARIANCE, axis=1
    )
    kl = keras.ops.convert_to_numpy(gaussian_kl_divergence(mean, log_var))
    return expected_log_lik - kl, kl


def test_k1_bound_and_logged_losses_equal_the_elbo_in_expectation():
    vae = _linear_vae(exact_posterior=False)
    x = np.tile(_data(8), (500, 1))
    elbo, kl = _analytic_elbo(vae, x)
    k1 = vae.log_likelihood(x, num_samples=1)
    np.testing.assert_allclose(
        k1.mean(), elbo.mean(), atol=4 * k1.std() / np.sqrt(len(x))
    )
    vae.compile(optimizer="adam")
    logs = vae.evaluate(x, batch_size=len(x), verbose=0, return_dict=True)
    np.testing.assert_allclose(logs["kl_loss"], kl.mean(), rtol=1e-4)
    np.testing.assert_allclose(
        logs["negative_elbo"], -elbo.mean(), atol=4 * k1.std() / np.sqrt(len(x))
    )
    np.testing.assert_allclose(logs["loss"], logs["negative_elbo"], rtol=1e-5)


def test_negative_elbo_is_the_analytic_elbo_per_sample():
    vae = _linear_vae(exact_posterior=False)
    x = _data(16)
    elbo, _ = _analytic_elbo(vae, x)
    # Monte Carlo in the reconstruction term only; the spread of one draw
    # of log p(x | z), z ~ q(z | x), from NumPy sets the tolerance.
    code = keras.ops.convert_to_numpy(vae.encoder(x))
    z = code[:, :2] + np.exp(code[:, 2:] / 2) * np.random.default_rng(3).normal(
        size=(2000, 16, 2)
    )
    log_p = -0.5 * np.sum((x - z @ W - B) ** 2, axis=-1) / VARIANCE
    k = 2000
    estimate = vae.negative_elbo(x, num_samples=k, batch_size=8, seed=1)
    np.testing.assert_array_less(
        np.abs(estimate + elbo), 5 * log_p.std(axis=0) / np.sqrt(k) + 1e-3
    )
    np.testing.assert_array_equal(  # seeded
        vae.negative_elbo(x, num_samples=3, seed=2),
        vae.negative_elbo(x, num_samples=3, seed=2),
    )
    # An upper bound on -log p(x), which the IWAE bound tightens.
    assert estimate.mean() > -vae.log_likelihood(x, num_samples=100).mean()
    assert estimate.mean() > -_exact_log_likelihood(x).mean()


def _evaluate(vae, x):
    vae.compile(optimizer="adam")
    return vae.evaluate(x, batch_size=len(x), verbose=0, return_dict=True)


def test_iwae_objective_is_minus_log_likelihood_with_the_true_posterior():
    # With q(z | x) = p(z | x) every importance weight equals p(x).
    x = _data()
    vae = _linear_vae(exact_posterior=True, importance_samples=5)
    logs = _evaluate(vae, x)
    np.testing.assert_allclose(
        logs["loss"], -_exact_log_likelihood(x).mean(), rtol=1e-4
    )
    # The logged KL term is still the ELBO's, in closed form.
    _, kl = _analytic_elbo(vae, x)
    np.testing.assert_allclose(logs["kl_loss"], kl.mean(), rtol=1e-4)


def test_iwae_objective_lies_between_the_elbo_and_log_likelihood():
    x = np.tile(_data(8), (500, 1))
    vae = _linear_vae(exact_posterior=False)
    exact = -_exact_log_likelihood(x).mean()
    elbo, _ = _analytic_elbo(vae, x)
    losses = [
        _evaluate(
            VAE(
                vae.encoder,
                vae.decoder,
                likelihood="gaussian",
                variance=VARIANCE,
                importance_samples=k,
            ),
            x,
        )["loss"]
        for k in (2, 20)
    ]
    assert -elbo.mean() > losses[0] > losses[1] > exact
    # k = 20 matches the IWAE estimate of `log_likelihood` with k = 20.
    bound = vae.log_likelihood(x, num_samples=20, seed=0)
    np.testing.assert_allclose(
        losses[1], -bound.mean(), atol=4 * bound.std() / np.sqrt(len(x))
    )


def test_iwae_training_trains_and_round_trips(tmp_path):
    vae = _dense(seed=0, importance_samples=4)
    vae.compile(optimizer=keras.optimizers.Adam(1e-2))
    before = vae.log_likelihood(X, num_samples=50, seed=0).mean()
    vae.fit(X, epochs=5, batch_size=32, verbose=0)
    assert vae.log_likelihood(X, num_samples=50, seed=0).mean() > before + 1
    loaded = assert_round_trip(
        vae, tmp_path, call=lambda m: m.generate(3, seed=0), atol=1e-5
    )
    assert loaded.importance_samples == 4
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="importance_samples"):
            _dense(importance_samples=bad)


def _dense(**kwargs):
    return VAE.dense((64,), 2, hidden_units=(16,), **kwargs)


def test_one_step_changes_weights_and_logs_every_term():
    vae = _dense(seed=0)
    before = [keras.ops.convert_to_numpy(w) for w in vae.trainable_weights]
    vae.compile(optimizer="adam")
    history = vae.fit(X, epochs=1, batch_size=len(X), verbose=0)
    assert set(history.history) == {
        "loss",
        "reconstruction_loss",
        "kl_loss",
        "negative_elbo",
    }
    after = [keras.ops.convert_to_numpy(w) for w in vae.trainable_weights]
    assert all(not np.allclose(a, b) for a, b in zip(before, after))


def test_learned_variance_is_trained():
    (unit, _), _ = load_digits(flatten=False)
    vae = VAE.conv(
        (8, 8, 1),
        2,
        filters=(4,),
        likelihood="gaussian",
        variance="learned",
        seed=0,
    )
    assert any(w is vae.output_log_var for w in vae.trainable_weights)
    vae.compile(optimizer="adam")
    vae.fit(unit[:32], epochs=1, verbose=0)
    assert np.all(
        keras.ops.convert_to_numpy(vae.output_log_var) < 0
    )  # data spread < 1


def test_generate_and_encode_are_seeded():
    vae = _dense(seed=0)
    samples = vae.generate(5, seed=1)
    assert (
        samples.shape == (5, 64) and samples.min() >= 0 and samples.max() <= 1
    )
    np.testing.assert_allclose(vae.generate(5, seed=1), samples)
    assert not np.allclose(vae.generate(5), vae.generate(5))
    draws = vae.encode(np.repeat(X[:1], 4000, axis=0), sample=True, seed=2)
    np.testing.assert_allclose(
        vae.encode(np.repeat(X[:1], 4000, axis=0), sample=True, seed=2), draws
    )
    np.testing.assert_allclose(draws.mean(0), vae.encode(X[:1])[0], atol=0.1)


def test_round_trip(tmp_path):
    vae = _dense(seed=0, beta=0.5)
    vae.compile(optimizer="adam")
    vae.fit(X, epochs=1, batch_size=32, verbose=0)
    loaded = assert_round_trip(
        vae,
        tmp_path,
        call=lambda m: [
            m.generate(3, seed=0),
            m.log_likelihood(X[:4], num_samples=5),
        ],
        atol=1e-5,
    )
    assert loaded.beta == 0.5


def test_diverging_training_stops_naming_the_step():
    (raw, _), _ = load_digits("raw")
    vae = _dense(likelihood="gaussian", variance=1e-4, seed=0)
    vae.compile(optimizer=keras.optimizers.SGD(1e6))
    with pytest.raises(FloatingPointError, match=r"epoch 1, batch \d+"):
        vae.fit(raw[:256], epochs=2, batch_size=32, verbose=0)


def test_bad_input_errors():
    with pytest.raises(ValueError, match="latent_dim"):
        VAE.dense((64,), 0)
    with pytest.raises(
        ValueError, match=r"\(batch, 2 \* latent_dim\) = \(batch, 4\)"
    ):
        VAE(dense_encoder((64,), 2), dense_decoder(2, (64,)))
    with pytest.raises(ValueError, match="likelihood"):
        _dense(likelihood="poisson")
    with pytest.raises(ValueError, match="variance"):
        _dense(likelihood="gaussian", variance=0)
    with pytest.raises(ValueError, match="beta"):
        _dense(beta=-1)
    vae = _dense()
    vae.compile(optimizer="adam")
    with pytest.raises(ValueError, match=r"must lie in \[0.0, 1.0\]"):
        vae.fit(X * 2, verbose=0)
    with pytest.raises(ValueError, match="NaN"):
        vae.fit(np.where(X > 0, np.nan, X), verbose=0)
    with pytest.raises(ValueError, match="learns from `x` alone"):
        vae.fit(X, X, verbose=0)
    with pytest.raises(ValueError, match="not conditional"):
        vae.generate(2, labels=1)
    with pytest.raises(ValueError, match="num_samples"):
        vae.log_likelihood(X, num_samples=0)
