"""Annealed importance sampling estimate of a deep Boltzmann machine's log Z."""

import numpy as np
from keras import ops

from kgen.layers.rbm_layer import seeded_fori_loop
from kgen.metrics.log_partition import _check_betas
from kgen.metrics.log_partition import _log_mean_exp
from kgen.metrics.log_partition import annealing_schedule
from kgen.utils.binary import bernoulli
from kgen.utils.validation import check_array
from kgen.utils.validation import check_integer
from kgen.utils.validation import seed_generator


def dbm_ais_log_partition(dbm, x=None, betas=20000, num_runs=100, seed=None):
    """Estimates `log Z` of a `kgen.models.boltzmann.DBM` by AIS.

    The scheme of Salakhutdinov & Hinton (2009): the chains live on the
    even layers `(v, h_2, h_4, ...)` only, because the odd layers are
    independent given them and are summed out analytically, so each
    importance weight uses the exact unnormalised marginal

    $$\\log p^*(x_{even}) = \\sum_{l\\ even} b_l^\\top x_l
    + \\sum_{l\\ odd} \\sum_j \\operatorname{softplus}
    (b_l + x_{l-1} W_{l-1} + W_l x_{l+1})_j.$$

    For a 2-layer DBM this is the RBM-like structure over `(v, h_2)` of the
    paper. The intermediate models interpolate every parameter linearly
    between a base model (no weights, hidden biases zero, visible biases
    fitted to the data marginals when `x` is given; exact `log Z`) and the
    DBM; each inverse temperature applies one Gibbs sweep (odd layers given
    even ones, then even given odd), which leaves that model invariant. The
    `num_runs` runs are batched and the loop is compiled
    (`keras.ops.fori_loop`). Too few temperatures make AIS under-estimate
    `log Z` (optimistic log-likelihoods); compare with `DBM.log_partition()`
    on small models.

    Reference:
        Salakhutdinov & Hinton, "Deep Boltzmann Machines", AISTATS (2009);
        Neal, "Annealed Importance Sampling", Statistics and Computing 11
        (2001).

    Args:
        dbm: a `kgen.models.boltzmann.DBM`.
        x: optional binary training data for the base model's visible
            biases (smoothed marginals); `None` uses zero biases.
        betas: int, the number of inverse temperatures of the standard
            schedule (`kgen.metrics.annealing_schedule`), or an increasing
            1-D array from 0 to 1.
        num_runs: int >= 2, independent AIS runs.
        seed: int or `None` (the DBM's random stream).

    Returns:
        `(log_z, standard_error)`, the estimate and its standard error (delta
        method over the importance weights).

    Example:

    ```python
    log_z, error = kgen.metrics.dbm_ais_log_partition(dbm, x_train, seed=0)
    bound = dbm.log_likelihood_bound(x_test, log_z=log_z).mean()
    ```
    """
    from kgen.models.boltzmann.dbm import (
        _gibbs_sweep,
    )  # here: models import metrics

    betas = _check_betas(
        annealing_schedule(betas) if np.ndim(betas) == 0 else betas
    )
    num_runs = check_integer(num_runs, "num_runs", minimum=2)
    seed = seed_generator(seed, default=dbm.seed_generator)
    kernels, biases = dbm._weight_values()
    base_biases = [ops.zeros_like(b) for b in biases]
    if x is not None:
        x = check_array(
            x, "x", feature_shape=(dbm.num_visible,), low=0.0, high=1.0
        )
        mean = (x.sum(axis=0) + 5.0) / (len(x) + 10.0)
        base_biases[0] = ops.convert_to_tensor(
            np.log(mean) - np.log1p(-mean), dtype=biases[0].dtype
        )
    log_z_base = sum(ops.sum(ops.softplus(b)) for b in base_biases)
    betas = ops.convert_to_tensor(betas, dtype=biases[0].dtype)

    def parameters_at(beta):
        return (
            [beta * w for w in kernels],
            [(1.0 - beta) * a + beta * b for a, b in zip(base_biases, biases)],
        )

    def anneal(i, state):
        log_weights, *states = state
        current = parameters_at(betas[i])
        log_weights = (
            log_weights
            + even_log_marginal(states, *current)
            - even_log_marginal(states, *parameters_at(betas[i - 1]))
        )
        return (log_weights, *_gibbs_sweep(states, seed, *current))

    states = [
        bernoulli(
            ops.broadcast_to(ops.sigmoid(b), (num_runs, ops.shape(b)[0])), seed
        )
        for b in base_biases
    ]
    log_weights, *_ = seeded_fori_loop(
        1, len(betas), anneal, (ops.zeros((num_runs,)), *states), seed
    )
    return _log_mean_exp(
        ops.convert_to_numpy(log_weights), float(log_z_base), num_runs
    )


def even_log_marginal(states, kernels, biases):
    """`log sum_{odd layers} exp(-E)` given the even layers of `states`.

    Args:
        states: list of every layer's states, visible first; the odd
            entries are ignored.
        kernels, biases: the DBM's parameters (lists of tensors).

    Returns:
        Tensor of shape `(batch,)`.
    """
    from kgen.models.boltzmann.dbm import _field  # here: models import metrics

    total = 0.0
    for l, bias in enumerate(biases):
        if l % 2 == 0:
            total = total + ops.sum(states[l] * bias, axis=-1)
        else:
            field = _field(l, states, kernels, biases)
            total = total + ops.sum(ops.softplus(field), axis=-1)
    return total
