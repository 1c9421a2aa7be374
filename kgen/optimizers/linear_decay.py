"""Learning rate constant for a while, then decayed linearly to zero."""

import keras
from keras import ops

from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number


@keras.saving.register_keras_serializable(package="kgen")
class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Constant learning rate, then a linear decay to zero (CycleGAN).

    `initial_learning_rate` for the first `constant_steps` updates, then
    `initial_learning_rate * (1 - (step - constant_steps) / decay_steps)`,
    reaching 0 after `constant_steps + decay_steps` updates and staying
    there. The step is the optimizer's update count, so with a
    `PhasedModel` each phase's optimizer follows its own updates; it is
    saved with the optimizer, so resumed training continues the schedule.
    CycleGAN uses 100 epochs constant then 100 epochs of decay: pass
    `constant_steps = 100 * steps_per_epoch` and
    `decay_steps = 100 * steps_per_epoch`.

    Reference: Zhu et al., "Unpaired Image-to-Image Translation using
    Cycle-Consistent Adversarial Networks", ICCV 2017.

    Args:
        initial_learning_rate: float > 0.
        constant_steps: int >= 0, updates before the decay starts.
        decay_steps: int >= 1, length of the decay.

    Example:

    ```python
    schedule = kgen.optimizers.LinearDecay(2e-4, 100 * steps, 100 * steps)
    model.compile(optimizer=keras.optimizers.Adam(schedule, beta_1=0.5))
    ```
    """

    def __init__(self, initial_learning_rate, constant_steps, decay_steps):
        self.initial_learning_rate = check_number(
            initial_learning_rate, "initial_learning_rate", low=0, low_open=True
        )
        self.constant_steps = check_integer(
            constant_steps, "constant_steps", minimum=0
        )
        self.decay_steps = check_integer(decay_steps, "decay_steps")

    def __call__(self, step):
        step = ops.cast(step, "float32")
        progress = (step - self.constant_steps) / self.decay_steps
        return self.initial_learning_rate * ops.clip(1.0 - progress, 0.0, 1.0)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "constant_steps": self.constant_steps,
            "decay_steps": self.decay_steps,
        }
