"""Exact and annealed-importance-sampling estimates of an RBM's log Z."""

import math

import numpy as np
from keras import ops

from kgen.layers.rbm_layer import RBMLayer
from kgen.layers.rbm_layer import seeded_fori_loop
from kgen.utils.binary import binary_states
from kgen.utils.validation import check_integer
from kgen.utils.validation import seed_generator


def exact_log_partition(rbm, max_units=20, chunk_size=8192):
    """The exact log partition function `log Z` of an RBM, by enumeration.

    Sums `exp(-F)` over every state of the smaller layer, in chunks with a
    log-sum-exp accumulator: over the hidden states with the visible units
    summed (or integrated) out analytically, or over the visible states when
    they are binary and fewer than the hidden ones (or the hidden units are
    Gaussian). With Gaussian visible and hidden units it is the closed-form
    Gaussian integral (`GaussianGaussianRBM.log_partition`). The cost is
    `2^min(V, H) * V * H`, so keep the enumerated layer to about 20 units.

    Args:
        rbm: an `kgen.layers.RBMLayer` or a `kgen.models.RBM`.
        max_units: int, the largest layer size allowed for enumeration.
        chunk_size: int, states evaluated at once.

    Returns:
        `log Z` as a float.

    Example:

    ```python
    log_z = kgen.metrics.exact_log_partition(model)
    test_ll = kgen.metrics.log_likelihood(model, x_test, log_z).mean()
    ```
    """
    layer = _as_rbm_layer(rbm)
    _check_full_precision(layer)
    if not layer.binary_hidden and not layer.enumerable_visible:
        return layer.log_partition()  # a Gaussian integral in closed form
    num_visible, num_hidden = layer.num_visible, layer.num_hidden
    over_visible = layer.enumerable_visible and (
        num_visible < num_hidden or not layer.binary_hidden
    )
    size = num_visible if over_visible else num_hidden
    if size > max_units:
        smaller = "visible" if over_visible else "hidden"
        raise ValueError(
            f"Exact log Z enumerates 2^{size} {smaller} states, more than "
            f"max_units={max_units} allows (received an RBM with "
            f"{num_visible} visible and {num_hidden} hidden units). Estimate "
            "it with `kgen.metrics.ais_log_partition(rbm, x_train)` instead, "
            "or raise `max_units` if you can afford the time."
        )
    energy = layer.free_energy if over_visible else layer.hidden_free_energy
    parameters = layer.parameters()
    total = None
    for start in range(0, 2**size, chunk_size):
        states = binary_states(size, start, min(chunk_size, 2**size - start))
        chunk = ops.logsumexp(-energy(states, parameters))
        total = chunk if total is None else ops.logaddexp(total, chunk)
    return float(total)


def ais_log_partition(rbm, x, betas=14500, num_runs=100, seed=None):
    """Estimates `log Z` of an RBM by annealed importance sampling (AIS).

    Anneals from a base-rate model (zero weights, visible biases fitted to the
    data marginals, exact `log Z`) to the RBM through the models whose
    parameters interpolate linearly between the two, one Gibbs sweep per
    inverse temperature `beta`, with `num_runs` independent runs batched
    together and the whole loop compiled (`keras.ops.fori_loop`). For binary
    units this is the standard scheme of Salakhutdinov & Murray (2008). AIS
    tends to under-estimate `log Z` when too few temperatures are used, which
    makes log-likelihoods optimistic; check against `exact_log_partition` on
    small models.

    Reference:
        Salakhutdinov & Murray, "On the Quantitative Analysis of Deep Belief
        Networks", ICML (2008).

    Args:
        rbm: an `kgen.layers.RBMLayer` or a `kgen.models.RBM`.
        x: training data, used for the base-rate model.
        betas: int, the number of inverse temperatures of the standard
            schedule (`annealing_schedule`), or an increasing 1-D array from 0
            to 1.
        num_runs: int >= 2, independent AIS runs.
        seed: int or `None`, seed of the runs.

    Returns:
        `(log_z, standard_error)`: the estimate and its standard error (delta
        method over the importance weights); `log_z +- 3 * standard_error`
        is the usual bracket.

    Example:

    ```python
    log_z, error = kgen.metrics.ais_log_partition(model, x_train, seed=0)
    ```
    """
    layer = _as_rbm_layer(rbm)
    _check_full_precision(layer)
    betas = _check_betas(
        annealing_schedule(betas) if np.ndim(betas) == 0 else betas
    )
    num_runs = check_integer(num_runs, "num_runs", minimum=2)
    seed = seed_generator(seed, default=layer.seed_generator)
    base = layer.base_rate_parameters(x)
    target = layer.parameters()
    field = ops.broadcast_to(
        base["visible_bias"], (num_runs, layer.num_visible)
    )
    log_z_base = layer.num_hidden * math.log(
        2.0
    ) + layer.visible_log_normalizer(base["visible_bias"], base)
    betas = ops.convert_to_tensor(betas, dtype=layer.compute_dtype)

    def parameters_at(beta):
        return {
            name: (1.0 - beta) * base[name] + beta * target[name]
            for name in target
        }

    def anneal(i, state):
        log_weights, v = state
        previous, current = parameters_at(betas[i - 1]), parameters_at(betas[i])
        # One hidden field at `current` for the weight and the Gibbs sweep.
        field = layer.hidden_field(v, current)
        log_weights = (
            log_weights
            + layer.free_energy(v, previous)
            - layer.free_energy_from_field(v, field, current)
        )
        hidden = layer.sample_hidden_from_field(field, seed)
        return log_weights, layer.sample_visible(hidden, seed, current)

    start = (
        ops.zeros((num_runs,)),
        layer.sample_visible_from_field(field, base, seed),
    )
    log_weights, _ = seeded_fori_loop(1, len(betas), anneal, start, seed)
    return _log_mean_exp(
        ops.convert_to_numpy(log_weights), float(log_z_base), num_runs
    )


def _log_mean_exp(log_weights, log_z_base, num_runs):
    """`log Z` and its standard error from AIS log importance weights."""
    log_weights = np.asarray(log_weights, "float64")
    weights = np.exp(log_weights - log_weights.max())
    log_z = log_z_base + log_weights.max() + math.log(weights.mean())
    standard_error = weights.std() / (weights.mean() * math.sqrt(num_runs))
    return float(log_z), float(standard_error)


def annealing_schedule(num_betas=14500):
    """Inverse temperatures from 0 to 1, denser near 1.

    The schedule of Salakhutdinov & Murray (2008), scaled to `num_betas`
    points: 500 steps on `[0, 0.5)`, 4,000 on `[0.5, 0.9)` and 10,000 on
    `[0.9, 1]` for the default 14,500.

    Args:
        num_betas: int >= 3.

    Returns:
        float64 NumPy array of shape `(num_betas,)`.
    """
    num_betas = check_integer(num_betas, "num_betas", minimum=3)
    first = max(1, round(num_betas * 500 / 14500))
    second = max(1, round(num_betas * 4000 / 14500))
    third = num_betas - first - second - 1
    return np.concatenate(
        [
            np.linspace(0.0, 0.5, first, endpoint=False),
            np.linspace(0.5, 0.9, second, endpoint=False),
            np.linspace(0.9, 1.0, third, endpoint=False),
            [1.0],
        ]
    )


def _as_rbm_layer(rbm):
    """The `RBMLayer` of an RBM layer or model (which must be built)."""
    layer = getattr(rbm, "layer", rbm)
    if not isinstance(layer, RBMLayer):
        raise ValueError(
            "Expected a kgen RBM layer (e.g. `kgen.layers.BernoulliRBM`) or a "
            f"`kgen.models.RBM`. Received: {type(rbm).__name__}."
        )
    if not layer.built:
        raise ValueError(
            f"The RBM layer '{layer.name}' is not built yet: train it or call "
            "`build((None, num_visible))` first."
        )
    return layer


def _check_betas(betas):
    betas = np.asarray(betas, dtype="float64")
    if (
        betas.ndim != 1
        or len(betas) < 2
        or betas[0] != 0
        or betas[-1] != 1
        or np.any(np.diff(betas) < 0)
    ):
        raise ValueError(
            "`betas` must be an int or a non-decreasing 1-D array from 0 to 1 "
            f"with at least 2 entries. Received shape {betas.shape} with "
            f"values from {betas.min() if betas.size else None} to "
            f"{betas.max() if betas.size else None}."
        )
    return betas


def _check_full_precision(layer):
    """Refuses log Z of a layer that computes in half precision."""
    if layer.compute_dtype in ("float16", "bfloat16"):
        raise ValueError(
            f"Log-partition and likelihood estimates of the RBM layer "
            f"'{layer.name}' need float32: it computes in "
            f"{layer.compute_dtype} (dtype policy "
            f"'{layer.dtype_policy.name}'), whose 3-4 significant digits "
            "lose log Z. Evaluate a float32 copy: rebuild the model under "
            "the 'float32' policy and `set_weights(model.get_weights())`."
        )
