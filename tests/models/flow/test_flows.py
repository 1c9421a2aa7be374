"""RealNVP, MAF and NormalizingFlow: exact densities, inverses, training by
`fit`, dequantisation, sampling, saving and bad input."""

import math

import keras
import numpy as np
import pytest
from keras import ops

from kgen.layers import AffineCoupling
from kgen.models import MAF
from kgen.models import NormalizingFlow
from kgen.models import RealNVP
from kgen.testing import assert_round_trip


def randomize(model, seed=0, scale=0.3):
    rng = np.random.default_rng(seed)
    for variable in model.trainable_variables:
        variable.assign(rng.normal(scale=scale, size=variable.shape))
    return model


def numpy(value):
    return ops.convert_to_numpy(value).astype("float64")


def gaussian_data(count=256, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(count, 2)) * [1.0, 0.3] + [1.0, 2.0]).astype(
        "float32"
    )


def flows_2d():
    return {
        "realnvp": lambda: RealNVP(
            (2,), num_couplings=4, hidden_units=(16,), seed=0
        ),
        "realnvp_batch_norm": lambda: RealNVP(
            (2,),
            num_couplings=2,
            hidden_units=(16,),
            normalization="batch_norm",
            seed=0,
        ),
        "maf": lambda: MAF((2,), num_layers=3, hidden_units=(16,), seed=0),
        "maf_batch_norm": lambda: MAF(
            (2,), num_layers=2, hidden_units=(16,), batch_norm=True, seed=0
        ),
    }


@pytest.mark.parametrize("name", ["realnvp", "maf"])
def test_density_integrates_to_one(name):
    flow = randomize(flows_2d()[name]())
    grid = np.linspace(-7.0, 7.0, 281, dtype="float32")
    points = np.stack(np.meshgrid(grid, grid), -1).reshape(-1, 2)
    density = np.exp(flow.log_prob(points, batch_size=20000))
    total = density.sum() * (grid[1] - grid[0]) ** 2
    assert abs(total - 1.0) < 0.02, total


@pytest.mark.parametrize("name", ["realnvp", "maf"])
def test_inverse_and_log_det_of_the_whole_flow(name):
    flow = randomize(flows_2d()[name]())
    x = gaussian_data(5)
    z, log_det = flow.transform(x)
    x_again, inverse_log_det = flow.inverse_transform(z)
    np.testing.assert_allclose(numpy(x_again), x, atol=1e-4)
    np.testing.assert_allclose(
        numpy(log_det), -numpy(inverse_log_det), atol=1e-4
    )
    # log p(x) = log N(z) + log_det
    expected = (
        -0.5 * (numpy(z) ** 2).sum(1) - math.log(2 * math.pi) + numpy(log_det)
    )
    np.testing.assert_allclose(flow.log_prob(x), expected, rtol=1e-5)


def test_multi_scale_realnvp_log_det_matches_a_numerical_jacobian():
    flow = randomize(
        RealNVP(
            (4, 4, 2),
            num_scales=2,
            num_couplings=1,
            hidden_units=(4,),
            activation="tanh",
            seed=0,
        ),
        scale=0.2,
    )
    x = np.random.default_rng(0).normal(size=(1, 4, 4, 2)).astype("float32")
    z, log_det = flow.transform(x)
    assert z.shape == (1, 32)
    eps, size = 1e-2, 32
    for sample, expected in zip(x, numpy(log_det)):
        steps = np.eye(size).reshape(size, 4, 4, 2) * eps
        both = numpy(
            flow.transform(np.concatenate([sample + steps, sample - steps]))[0]
        )
        jacobian = (both[:size] - both[size:]) / (2 * eps)
        assert abs(np.linalg.slogdet(jacobian)[1] - expected) < 2e-2
    np.testing.assert_allclose(
        numpy(flow.inverse_transform(z)[0]), x, atol=1e-4
    )


def test_dequantised_probabilities_of_all_states_sum_to_one():
    flow = randomize(
        RealNVP(
            (2,),
            num_couplings=2,
            hidden_units=(8,),
            num_levels=4,
            logit_alpha=0.0,
            seed=0,
        ),
        scale=0.2,
    )
    states = np.stack(np.meshgrid(np.arange(4), np.arange(4)), -1).reshape(
        -1, 2
    )
    probabilities = np.exp(
        flow.log_prob(states.astype("float32"), num_samples=400, seed=1)
    )
    assert abs(probabilities.sum() - 1.0) < 0.03, probabilities.sum()
    # One draw is a lower bound on average (Jensen): below the many-draw value.
    one_draw = np.mean(
        [flow.log_prob(states, seed=s).mean() for s in range(20)]
    )
    assert one_draw < np.log(probabilities).mean() + 1e-3
    samples = flow.generate(2000, seed=0)
    assert set(np.unique(samples)) <= {0.0, 1.0, 2.0, 3.0}
    # Sample frequencies follow the probabilities of the 16 states.
    counts = np.array([np.all(samples == s, axis=1).sum() for s in states])
    expected = 2000 * probabilities / probabilities.sum()
    assert np.abs(counts - expected).max() < 5 * np.sqrt(expected.max()) + 5


@pytest.mark.parametrize("name", sorted(flows_2d()))
def test_fit_learns_a_gaussian(name):
    x = gaussian_data()
    flow = flows_2d()[name]()
    flow.compile(optimizer=keras.optimizers.Adam(1e-2))
    before = flow.log_prob(x).mean()
    history = flow.fit(x, epochs=10, batch_size=32, verbose=0)
    after = flow.log_prob(x).mean()
    entropy = 2 * 0.5 * math.log(2 * math.pi * math.e) + math.log(0.3)
    assert after > before + 1.0
    assert after > -entropy - 0.4, (after, -entropy)
    logged = history.history["bits_per_dim"][-1]
    np.testing.assert_allclose(
        logged * 2 * math.log(2), history.history["loss"][-1], rtol=1e-4
    )


def test_image_realnvp_trains_on_dequantised_pixels_and_round_trips(tmp_path):
    x = (
        np.random.default_rng(0)
        .integers(0, 4, size=(32, 4, 4, 1))
        .astype("float32")
    )
    flow = RealNVP(
        (4, 4, 1),
        num_scales=2,
        num_couplings=1,
        hidden_units=(4,),
        num_levels=4,
        logit_alpha=0.05,
        seed=0,
    )
    flow.compile(optimizer=keras.optimizers.Adam(1e-2))
    history = flow.fit(x, epochs=1, batch_size=16, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    bits = flow.bits_per_dim(x, seed=0)
    np.testing.assert_allclose(
        bits, -flow.log_prob(x, seed=0).mean() / (16 * math.log(2)), rtol=1e-5
    )
    samples = flow.generate(3, seed=0, temperature=0.5)
    assert (
        samples.shape == (3, 4, 4, 1)
        and samples.min() >= 0
        and samples.max() <= 3
    )
    np.testing.assert_array_equal(
        samples, flow.generate(3, seed=0, temperature=0.5)
    )
    loaded = assert_round_trip(
        flow, tmp_path, call=lambda m: m.log_prob(x, seed=0)
    )
    np.testing.assert_array_equal(
        loaded.generate(3, seed=0, temperature=0.5), samples
    )


def test_maf_and_composed_flow_round_trip(tmp_path):
    x = gaussian_data(64)
    flow = MAF((2,), num_layers=2, hidden_units=(8,), batch_norm=True, seed=0)
    flow.compile(optimizer="adam")
    flow.fit(x, epochs=1, batch_size=32, verbose=0)
    assert_round_trip(flow, tmp_path, call=lambda m: m.log_prob(x))
    composed = randomize(
        NormalizingFlow(
            (2,), [AffineCoupling(), AffineCoupling(reverse=True)], seed=0
        )
    )
    assert_round_trip(composed, tmp_path, call=lambda m: m.log_prob(x))


def test_temperature_scales_the_noise():
    flow = MAF(
        (2,), num_layers=1, hidden_units=(4,), seed=0
    )  # identity at init
    cold = flow.generate(4000, seed=0, temperature=0.5)
    np.testing.assert_allclose(cold.std(0), 0.5, rtol=0.06)


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda: RealNVP((6, 6, 1), num_scales=3), "divisible by 4"),
        (lambda: RealNVP((4, 4)), "vectors"),
        (lambda: RealNVP((2,), normalization="layer_norm"), "normalization"),
        (lambda: MAF((4, 4, 1)), "vectors"),
        (lambda: MAF((2,), logit_alpha=0.05), "num_levels"),
        (lambda: RealNVP((0,)), "event_shape"),
        (lambda: NormalizingFlow((2,), []), "bijectors"),
        (
            lambda: NormalizingFlow((2,), [AffineCoupling()], num_levels=1),
            "num_levels",
        ),
    ],
)
def test_bad_settings_are_rejected(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_data_is_rejected():
    flow = MAF((2,), num_layers=1, hidden_units=(4,), seed=0)
    flow.compile(optimizer="adam")
    bad = gaussian_data(8)
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        flow.fit(bad, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        flow.log_prob(np.zeros((4, 3), "float32"))
    discrete = RealNVP(
        (2,), num_couplings=1, hidden_units=(4,), num_levels=4, seed=0
    )
    with pytest.raises(ValueError, match="integers"):
        discrete.log_prob(np.full((2, 2), 0.5, "float32"))
    with pytest.raises(ValueError, match=r"\[0, 3\]"):
        discrete.log_prob(np.full((2, 2), 4.0, "float32"))
    with pytest.raises(ValueError, match="temperature"):
        flow.generate(2, temperature=0.0)
