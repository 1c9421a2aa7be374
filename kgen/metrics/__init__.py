"""kgen.metrics."""

from kgen.metrics.dbm_log_partition import dbm_ais_log_partition
from kgen.metrics.feature_extractor import FeatureExtractor
from kgen.metrics.log_likelihood import log_likelihood
from kgen.metrics.log_likelihood import pseudo_log_likelihood
from kgen.metrics.log_partition import ais_log_partition
from kgen.metrics.log_partition import annealing_schedule
from kgen.metrics.log_partition import exact_log_partition
from kgen.metrics.running_means import RunningMeans
from kgen.metrics.sample_quality import class_coverage
from kgen.metrics.sample_quality import classifier_score
from kgen.metrics.sample_quality import frechet_distance
from kgen.metrics.sample_quality import kernel_distance
from kgen.metrics.sample_quality import precision_recall
from kgen.metrics.train_feature_extractor import train_feature_extractor

__all__ = [
    "FeatureExtractor",
    "RunningMeans",
    "ais_log_partition",
    "annealing_schedule",
    "class_coverage",
    "classifier_score",
    "dbm_ais_log_partition",
    "exact_log_partition",
    "frechet_distance",
    "kernel_distance",
    "log_likelihood",
    "precision_recall",
    "pseudo_log_likelihood",
    "train_feature_extractor",
]
