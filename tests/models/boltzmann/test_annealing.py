"""Simulated annealing in Boltzmann-machine and RBM sampling."""

import keras
import numpy as np
import pytest

from kgen.layers import BernoulliRBM
from kgen.layers import GaussianBernoulliRBM
from kgen.models.boltzmann import RBM
from kgen.models.boltzmann import BoltzmannMachine
from kgen.models.boltzmann import geometric_temperatures


def _random_rbm(layer, num_visible, rng, scale=1.0):
    layer.build((None, num_visible))
    for variable in (layer.kernel, layer.visible_bias, layer.hidden_bias):
        variable.assign(
            scale * rng.normal(size=variable.shape).astype("float32")
        )
    return RBM(layer, seed=0)


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


@pytest.mark.parametrize("layer", [BernoulliRBM(5), GaussianBernoulliRBM(5)])
def test_rbm_constant_schedule_equals_plain_sampling(layer, rng):
    model = _random_rbm(layer, 6, rng)
    start = (rng.random((8, 6)) < 0.5).astype("float32")
    plain = _numpy(model.layer.gibbs(start, 7, seed=3))
    annealed = model.layer.gibbs(start, seed=3, temperatures=np.ones(7))
    np.testing.assert_array_equal(_numpy(annealed), plain)
    np.testing.assert_array_equal(
        model.generate(9, seed=1, burn_in=4, temperatures=np.ones(3)),
        model.generate(9, seed=1, burn_in=7),
    )
    # A constant schedule at T = 2 is sampling at temperature 2.
    np.testing.assert_allclose(
        model.generate(9, seed=1, burn_in=0, temperatures=np.full(6, 2.0)),
        model.generate(9, seed=1, burn_in=6, temperature=2.0),
        atol=1e-5,
    )


def test_boltzmann_machine_constant_schedule_equals_plain_sampling(rng):
    machine = BoltzmannMachine(4, 3, seed=0)
    machine.kernel.assign(rng.normal(size=(7, 7)).astype("float32"))
    np.testing.assert_array_equal(
        machine.generate(20, seed=2, burn_in=0, temperatures=np.ones(5)),
        machine.generate(20, seed=2, burn_in=5),
    )
    np.testing.assert_array_equal(
        machine.generate(20, seed=2, burn_in=0, temperatures=np.full(5, 3.0)),
        machine.generate(20, seed=2, burn_in=5, temperature=3.0),
    )


def test_annealing_below_one_finds_lower_energies(rng):
    model = _random_rbm(BernoulliRBM(12), 16, rng, scale=1.5)
    schedule = geometric_temperatures(5.0, 200, stop=0.05)
    plain = model.generate(200, seed=0, burn_in=200)
    annealed = model.generate(200, seed=0, burn_in=0, temperatures=schedule)
    free_energy = model.layer.free_energy
    assert np.mean(_numpy(free_energy(annealed))) < np.mean(
        _numpy(free_energy(plain))
    ) - 2 * np.std(_numpy(free_energy(plain))) / np.sqrt(200)


def test_geometric_temperatures_and_bad_schedules():
    np.testing.assert_allclose(
        geometric_temperatures(8.0, 4), [8.0, 4.0, 2.0, 1.0], rtol=1e-6
    )
    np.testing.assert_allclose(geometric_temperatures(3.0, 1, stop=0.5), [0.5])
    with pytest.raises(ValueError, match="start"):
        geometric_temperatures(0.0, 5)
    with pytest.raises(ValueError, match="num_steps"):
        geometric_temperatures(2.0, 0)
    machine = BoltzmannMachine(3, 1, seed=0)
    with pytest.raises(ValueError, match="temperatures"):
        machine.generate(2, temperatures=[1.0, -1.0])
    model = _random_rbm(BernoulliRBM(2), 3, np.random.default_rng(0))
    with pytest.raises(ValueError, match="temperatures"):
        model.generate(2, temperatures=np.ones((2, 2)))
