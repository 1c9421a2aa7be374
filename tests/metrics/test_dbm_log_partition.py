"""AIS estimate of a DBM's log Z against exact enumeration."""

import numpy as np
import pytest

from kgen.metrics import dbm_ais_log_partition
from kgen.models.boltzmann import DBM


def _random_dbm(sizes, rng, scale):
    dbm = DBM(sizes[0], sizes[1:], seed=0)
    for variable in dbm.kernels + dbm.biases:
        variable.assign(
            scale * rng.normal(size=variable.shape).astype("float32")
        )
    dbm.trained.assign(1)
    return dbm


@pytest.mark.parametrize("sizes", [[6, 4, 5], [4, 3, 4, 3]])
def test_ais_matches_enumeration(sizes, rng):
    dbm = _random_dbm(sizes, rng, scale=0.8)
    exact = dbm.log_partition()
    x = (rng.random((50, sizes[0])) < 0.3).astype("float32")
    log_z, error = dbm_ais_log_partition(dbm, x, betas=500, num_runs=64, seed=0)
    assert 0.0 < error < 0.05
    assert abs(log_z - exact) < 4 * error + 0.02
    # A one-step "schedule" is plain importance sampling from the base
    # model: much noisier, a check that the annealing does the work.
    _, crude_error = dbm_ais_log_partition(
        dbm, x, betas=[0.0, 1.0], num_runs=64, seed=0
    )
    assert crude_error > 3 * error


def test_ais_reproducible_and_bound_below_exact(rng):
    dbm = _random_dbm([5, 3, 4], rng, scale=0.5)
    first = dbm_ais_log_partition(dbm, betas=200, num_runs=16, seed=3)
    assert first == dbm_ais_log_partition(dbm, betas=200, num_runs=16, seed=3)
    x = (rng.random((10, 5)) < 0.5).astype("float32")
    bound = dbm.log_likelihood_bound(x, log_z=first[0])
    np.testing.assert_allclose(
        bound,
        dbm.log_likelihood_bound(x) + dbm.log_partition() - first[0],
        rtol=1e-5,
    )


def test_bad_arguments(rng):
    dbm = _random_dbm([5, 3, 4], rng, scale=0.5)
    with pytest.raises(ValueError, match="betas"):
        dbm_ais_log_partition(dbm, betas=[0.5, 1.0])
    with pytest.raises(ValueError, match="num_runs"):
        dbm_ais_log_partition(dbm, num_runs=1)
    with pytest.raises(ValueError, match="x"):
        dbm_ais_log_partition(dbm, np.full((4, 5), 2.0))
