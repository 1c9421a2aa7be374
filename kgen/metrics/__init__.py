"""kgen.metrics."""

from kgen.metrics.log_likelihood import log_likelihood
from kgen.metrics.log_likelihood import pseudo_log_likelihood
from kgen.metrics.log_partition import ais_log_partition
from kgen.metrics.log_partition import annealing_schedule
from kgen.metrics.log_partition import exact_log_partition

__all__ = [
    "ais_log_partition",
    "annealing_schedule",
    "exact_log_partition",
    "log_likelihood",
    "pseudo_log_likelihood",
]
