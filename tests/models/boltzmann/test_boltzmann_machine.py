import itertools

import keras
import numpy as np
import pytest
from scipy.special import expit
from scipy.special import logsumexp

from kgen.models.boltzmann import BoltzmannMachine
from kgen.testing import assert_round_trip


def _machine(num_visible, num_hidden, rng, scale=1.0, **kwargs):
    """A machine with random N(0, scale) weights and biases."""
    machine = BoltzmannMachine(num_visible, num_hidden, seed=0, **kwargs)
    n = num_visible + num_hidden
    machine.kernel.assign(
        rng.normal(0.0, scale, (n, n)).astype("float32") * machine.connectivity
    )
    machine.bias.assign(rng.normal(0.0, scale, n).astype("float32"))
    return machine


def _numpy_weights(machine):
    upper = keras.ops.convert_to_numpy(machine.kernel) * machine.connectivity
    return upper + upper.T, keras.ops.convert_to_numpy(machine.bias)


def _exact_visible_distribution(machine, temperature):
    """P(v) over all visible states (in binary counting order), in NumPy."""
    weights, bias = _numpy_weights(machine)
    states = np.array(list(itertools.product([0, 1], repeat=machine.num_units)))
    log_p = (
        0.5 * np.einsum("si,ij,sj->s", states, weights, states) + states @ bias
    )
    log_p = log_p / temperature
    p = np.exp(log_p - logsumexp(log_p))
    codes = states[:, : machine.num_visible] @ (
        2 ** np.arange(machine.num_visible)[::-1]
    )
    return np.bincount(codes, weights=p, minlength=2**machine.num_visible)


def _empirical(samples):
    codes = samples.astype(int) @ (2 ** np.arange(samples.shape[1])[::-1])
    return np.bincount(codes, minlength=2 ** samples.shape[1]) / len(samples)


def _total_variation(p, q):
    return 0.5 * np.abs(p - q).sum()


@pytest.mark.parametrize(
    "num_visible, num_hidden, temperature, kwargs",
    [
        (6, 0, 1.0, {}),
        (4, 3, 2.0, {}),
        (
            4,
            3,
            1.5,
            dict(
                visible_connections=False,
                hidden_connections=False,
                sampler="blocked",
            ),
        ),
    ],
)
def test_gibbs_samples_match_the_exact_distribution(
    num_visible, num_hidden, temperature, kwargs, rng
):
    machine = _machine(
        num_visible, num_hidden, rng, temperature=temperature, **kwargs
    )
    samples = machine.generate(40000, seed=1, burn_in=30)
    assert set(np.unique(samples)) <= {0.0, 1.0}
    empirical = _empirical(samples)
    exact = _exact_visible_distribution(machine, temperature)
    assert _total_variation(empirical, exact) < 0.03
    # The test can tell temperatures apart: the T = 1 law is far away.
    if temperature != 1.0:
        cold = _exact_visible_distribution(machine, 1.0)
        assert _total_variation(empirical, cold) > 0.1


def test_temperature_argument_of_generate_overrides_the_model(rng):
    machine = _machine(5, 0, rng)
    samples = machine.generate(40000, seed=2, burn_in=30, temperature=3.0)
    exact = _exact_visible_distribution(machine, 3.0)
    assert _total_variation(_empirical(samples), exact) < 0.03


def test_weights_matrix_is_symmetric_with_zero_diagonal(rng):
    machine = _machine(3, 2, rng, hidden_connections=False)
    weights = keras.ops.convert_to_numpy(machine.weights_matrix())
    np.testing.assert_array_equal(weights, weights.T)
    np.testing.assert_array_equal(np.diag(weights), 0.0)
    np.testing.assert_array_equal(weights[3:, 3:], 0.0)
    assert np.all(weights[:3, 3:] != 0.0)


def test_one_learning_step_equals_numpy_reference(rng):
    temperature, learning_rate = 1.5, 0.1
    machine = _machine(
        4,
        2,
        rng,
        scale=0.5,
        temperature=temperature,
        hidden_connections=False,
        persistent_chains=16,
    )
    weights, bias = _numpy_weights(machine)
    chains_before = keras.ops.convert_to_numpy(machine.chains)
    kernel_before = keras.ops.convert_to_numpy(machine.kernel)
    v = (rng.random((8, 4)) < 0.4).astype("float32")
    machine.compile(optimizer=keras.optimizers.SGD(learning_rate))
    machine.fit(v, epochs=1, batch_size=8, shuffle=False, verbose=0)

    hidden = expit((v @ weights[:4, 4:] + bias[4:]) / temperature)
    positive = np.concatenate([v, hidden], axis=1)
    negative = keras.ops.convert_to_numpy(machine.chains)
    assert not np.array_equal(negative, chains_before)
    pair_gradient = (
        positive.T @ positive / 8 - negative.T @ negative / 16
    ) / temperature
    expected_kernel = (
        kernel_before + learning_rate * pair_gradient * machine.connectivity
    )
    expected_bias = (
        bias
        + learning_rate * (positive.mean(0) - negative.mean(0)) / temperature
    )
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(machine.kernel), expected_kernel, atol=1e-5
    )
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(machine.bias), expected_bias, atol=1e-5
    )


def test_exact_log_partition_and_log_likelihood_match_numpy(rng):
    machine = _machine(3, 3, rng, temperature=1.3)
    weights, bias = _numpy_weights(machine)
    states = np.array(list(itertools.product([0, 1], repeat=6)))
    negative_energy = (
        0.5 * np.einsum("si,ij,sj->s", states, weights, states) + states @ bias
    ) / 1.3
    np.testing.assert_allclose(
        machine.log_partition(), logsumexp(negative_energy), rtol=1e-5
    )
    visible = np.array(list(itertools.product([0, 1], repeat=3)), "float32")
    log_likelihood = machine.log_likelihood(visible)
    np.testing.assert_allclose(
        np.exp(log_likelihood),
        _exact_visible_distribution(machine, 1.3),
        atol=1e-5,
    )
    np.testing.assert_allclose(np.exp(log_likelihood).sum(), 1.0, atol=1e-5)


def test_fit_raises_the_exact_log_likelihood(rng):
    teacher = _machine(6, 0, rng, scale=1.5)
    data = teacher.generate(512, seed=3, burn_in=30)
    student = BoltzmannMachine(6, 2, seed=0, persistent_chains=64)
    before = student.log_likelihood(data).mean()
    student.compile(optimizer=keras.optimizers.Adam(0.05))
    history = student.fit(data, epochs=4, batch_size=64, verbose=0)
    assert "loss" in history.history
    assert student.log_likelihood(data).mean() > before + 0.3


def test_round_trip_keeps_weights_chains_and_stream(tmp_path, rng):
    machine = BoltzmannMachine(
        4,
        2,
        temperature=0.8,
        hidden_connections=False,
        persistent_chains=8,
        seed=5,
    )
    machine.compile(optimizer="adam")
    machine.fit(
        (rng.random((16, 4)) < 0.5).astype("float32"), batch_size=8, verbose=0
    )
    assert_round_trip(
        machine,
        tmp_path,
        call=lambda m: [
            m.log_likelihood(np.eye(4)),
            m.generate(6, seed=1, burn_in=5),
        ],
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(num_visible=0), "num_visible"),
        (dict(num_visible=3, num_hidden=-1), "num_hidden"),
        (dict(num_visible=3, temperature=0.0), "temperature"),
        (dict(num_visible=3, temperature="hot"), "temperature"),
        (dict(num_visible=3, sampler="metropolis"), "sampler"),
        (dict(num_visible=3, num_hidden=2, sampler="blocked"), "sequential"),
        (dict(num_visible=3, k=0), "`k`"),
        (dict(num_visible=3, persistent_chains=0), "persistent_chains"),
    ],
)
def test_bad_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BoltzmannMachine(**kwargs)


def test_enumeration_of_a_large_machine_is_refused():
    machine = BoltzmannMachine(18, 3, persistent_chains=1)
    with pytest.raises(
        ValueError, match="2\\*\\*21 states.*limited to 20 units"
    ):
        machine.log_partition()


@pytest.mark.parametrize(
    "x, message",
    [
        (np.zeros((4, 5), "float32"), "shape \\(3,\\)"),
        (
            np.full((4, 3), 2.0, "float32"),
            "must lie in \\[0.0, 1.0\\].*Binarise",
        ),
        (np.zeros((0, 3), "float32"), "empty"),
    ],
)
def test_bad_data_raises(x, message):
    machine = BoltzmannMachine(3, 1, persistent_chains=2)
    machine.compile(optimizer="sgd")
    with pytest.raises(ValueError, match=message):
        machine.fit(x, verbose=0)
    with pytest.raises(ValueError, match=message):
        machine.log_likelihood(x)


def test_generate_rejects_bad_burn_in():
    with pytest.raises(ValueError, match="burn_in"):
        BoltzmannMachine(3).generate(2, burn_in=0)
