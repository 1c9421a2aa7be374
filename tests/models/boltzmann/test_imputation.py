"""Imputation by DBNs and DBMs against the exact conditional distribution."""

import itertools

import keras
import numpy as np
import pytest
from scipy.special import expit
from scipy.special import logsumexp
from scipy.special import softplus

from kgen.models.boltzmann import DBM
from kgen.models.boltzmann import DBN

CODES = 2 ** np.arange(2)  # the two missing units, as a number 0..3


def _random(model, rng, scale=1.5):
    weights = model.kernels + model.biases if isinstance(model, DBM) else []
    for rbm in getattr(model, "rbm_layers", []):
        weights += [rbm.kernel, rbm.visible_bias, rbm.hidden_bias]
    for variable in weights:
        variable.assign(
            scale * rng.normal(size=variable.shape).astype("float32")
        )
    flag = model.trained if isinstance(model, DBM) else model.pretrained_layers
    flag.assign(1 if isinstance(model, DBM) else model.num_layers)
    return model


def _numpy(variable):
    return keras.ops.convert_to_numpy(variable)


def _states(sizes):
    states = np.array(list(itertools.product([0.0, 1.0], repeat=sum(sizes))))
    return np.split(states, np.cumsum(sizes)[:-1], axis=1)


def _dbm_log_joint(dbm):
    layers = _states(dbm.layer_sizes)
    log_p = sum(x @ _numpy(b) for x, b in zip(layers, dbm.biases))
    for l, w in enumerate(dbm.kernels):
        log_p = log_p + np.sum((layers[l] @ _numpy(w)) * layers[l + 1], axis=1)
    return log_p, layers[0]


def _dbn_log_joint(dbn):
    """log P(v, h1, h2) of a 2-layer DBN: top RBM over (h1, h2), P(v | h1)."""
    bottom, top = dbn.rbm_layers
    v, h1, h2 = _states([dbn.num_visible, *dbn.hidden_units])
    log_p = (
        h1 @ _numpy(top.visible_bias)
        + h2 @ _numpy(top.hidden_bias)
        + np.sum((h1 @ _numpy(top.kernel)) * h2, axis=1)
    )
    field = h1 @ _numpy(bottom.kernel).T + _numpy(bottom.visible_bias)
    log_p = log_p + np.sum(v * field - softplus(field), axis=1)
    return log_p, v


def _exact_conditional(log_p, visible, row, observed):
    """P(missing units | observed ones) over the 4 states of 2 missing units."""
    keep = np.all((visible == row)[:, observed > 0], axis=1)
    codes = visible[keep][:, observed == 0] @ CODES
    log_p = log_p[keep]
    return np.exp(
        [logsumexp(log_p[codes == c]) - logsumexp(log_p) for c in range(4)]
    )


@pytest.mark.parametrize("kind", ["dbm", "dbn"])
def test_gibbs_imputation_matches_the_exact_conditional(kind, rng):
    if kind == "dbm":
        model = _random(DBM(4, [3, 2], seed=0), rng)
        log_p, visible = _dbm_log_joint(model)
    else:
        model = _random(DBN(4, [3, 2], seed=0), rng)
        log_p, visible = _dbn_log_joint(model)
    row = np.array([1.0, 0.0, 1.0, 1.0], "float32")
    observed = np.array([1, 0, 1, 0])
    exact = _exact_conditional(log_p, visible, row, observed)
    x = np.tile(row, (3000, 1))
    mask = np.tile(observed, (3000, 1))
    samples = model.impute(x, mask, steps=30, probabilities=False, seed=0)
    np.testing.assert_array_equal(samples[:, observed > 0], x[:, [0, 2]])
    empirical = np.bincount(
        (samples[:, observed == 0] @ CODES).astype(int), minlength=4
    ) / len(x)
    assert 0.5 * np.abs(empirical - exact).sum() < 0.04
    # The averaged probabilities estimate the exact conditional means.
    means = model.impute(x[:200], mask[:200], steps=200, seed=1)
    exact_means = [exact[[1, 3]].sum(), exact[[2, 3]].sum()]
    np.testing.assert_allclose(
        means[:, observed == 0].mean(axis=0), exact_means, atol=0.04
    )
    np.testing.assert_array_equal(means[:, observed > 0], x[:200, [0, 2]])


def test_dbm_mean_field_imputation_is_a_fixed_point(rng):
    dbm = _random(DBM(5, [4, 3], seed=0), rng, scale=0.5)
    x = (rng.random((6, 5)) < 0.5).astype("float32")
    observed = (rng.random((6, 5)) < 0.5).astype("float32")
    filled = dbm.impute(x, observed, steps=300, method="mean_field")
    np.testing.assert_array_equal(filled[observed > 0], x[observed > 0])
    kernels = [_numpy(w) for w in dbm.kernels]
    biases = [_numpy(b) for b in dbm.biases]
    q1 = dbm.mean_field(filled)[0]  # q of h1 given the filled-in v
    expected = expit(biases[0] + q1 @ kernels[0].T)
    missing = observed == 0
    np.testing.assert_allclose(filled[missing], expected[missing], atol=1e-3)


def test_bad_imputation_arguments(rng):
    dbm = _random(DBM(4, [3, 2], seed=0), rng)
    x = np.zeros((2, 4), "float32")
    with pytest.raises(ValueError, match="shape of `x`"):
        dbm.impute(x, np.ones((2, 3)))
    with pytest.raises(ValueError, match="0/1"):
        dbm.impute(x, np.full((2, 4), 0.5))
    with pytest.raises(ValueError, match="method"):
        dbm.impute(x, np.ones((2, 4)), method="em")
    dbn = DBN(4, [3, 2], visible_type="gaussian", seed=0)
    dbn.pretrained_layers.assign(2)
    with pytest.raises(ValueError, match="binary visible units"):
        dbn.impute(x, np.ones((2, 4)))
    with pytest.raises(ValueError, match="pre-trained"):
        DBN(4, [3, 2]).impute(x, np.ones((2, 4)))
    # NaN at unobserved positions is ignored.
    x[0, 1] = np.nan
    mask = np.ones((2, 4))
    mask[0, 1] = 0
    assert np.isfinite(dbm.impute(x, mask, steps=2)).all()
