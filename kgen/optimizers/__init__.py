"""Learning-rate schedules."""

from kgen.optimizers.linear_decay import LinearDecay

__all__ = ["LinearDecay"]
