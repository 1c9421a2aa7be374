"""Temperature schedules for simulated annealing in Boltzmann machines."""

import numpy as np

from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number


def geometric_temperatures(start, num_steps, stop=1.0):
    """A geometric temperature schedule for simulated annealing.

    Boltzmann-machine samplers (`BoltzmannMachine.generate`, `RBM.generate`,
    `RBMLayer.gibbs`) take a `temperatures=` schedule: one Gibbs step (or
    sweep) per entry, at that temperature. Starting hot lets the chains
    cross the energy barriers between modes; cooling to `stop = 1` ends in
    the model's own distribution (annealed sampling), cooling below 1
    concentrates the chains on low-energy states (simulated annealing as an
    optimiser, as in the original Boltzmann-machine learning algorithm).

    Reference:
        Kirkpatrick, Gelatt and Vecchi, "Optimization by Simulated
        Annealing", Science 220 (1983); Ackley, Hinton and Sejnowski, "A
        Learning Algorithm for Boltzmann Machines", Cognitive Science 9
        (1985).

    Args:
        start: float > 0, the first temperature.
        num_steps: int >= 1, the number of temperatures.
        stop: float > 0, the last temperature.

    Returns:
        float32 NumPy array of shape `(num_steps,)`, from `start` to `stop`
        with a constant ratio between neighbours.

    Example:

    ```python
    schedule = geometric_temperatures(10.0, 500)  # 10 -> 1
    samples = rbm.generate(16, temperatures=schedule, burn_in=0)
    ```
    """
    start = check_number(start, "start", low=0, low_open=True)
    stop = check_number(stop, "stop", low=0, low_open=True)
    num_steps = check_integer(num_steps, "num_steps")
    if num_steps == 1:
        return np.array([stop], "float32")
    return np.geomspace(start, stop, num_steps).astype("float32")


def check_temperatures(temperatures):
    """`temperatures` as a non-empty 1-D float32 array of values > 0."""
    array = np.asarray(temperatures, dtype="float32")
    if array.ndim != 1 or not len(array) or not np.all(array > 0):
        raise ValueError(
            "`temperatures` must be a non-empty 1-D sequence of temperatures "
            "> 0, one per Gibbs step (e.g. `geometric_temperatures(10.0, "
            f"500)`). Received shape {array.shape}"
            + (f" with minimum {array.min():g}." if array.size else ".")
        )
    return array
