"""Anomaly detection: detectors with the PyOD / scikit-learn API.

Fit a detector on (mostly) normal data, then score new samples with
`decision_function` (higher = more anomalous) or label them with `predict`.
"""

from kgen.applications.anomaly.autoencoder_detector import AutoencoderDetector
from kgen.applications.anomaly.baselines import BASELINES
from kgen.applications.anomaly.baselines import baseline_scores
from kgen.applications.anomaly.baselines import evaluate_scores
from kgen.applications.anomaly.denoising_autoencoder_detector import (
    DenoisingAutoencoderDetector,
)
from kgen.applications.anomaly.detector import Detector
from kgen.applications.anomaly.detector import load_detector
from kgen.applications.anomaly.ganomaly import GANomaly
from kgen.applications.anomaly.ganomaly_detector import GANomalyDetector
from kgen.applications.anomaly.model_detector import ModelDetector
from kgen.applications.anomaly.network_detector import PREPROCESSING
from kgen.applications.anomaly.network_detector import NetworkDetector
from kgen.applications.anomaly.rbm_detector import RBMDetector
from kgen.applications.anomaly.vae_detector import VAEDetector

__all__ = [
    "AutoencoderDetector",
    "BASELINES",
    "baseline_scores",
    "evaluate_scores",
    "DenoisingAutoencoderDetector",
    "Detector",
    "GANomaly",
    "GANomalyDetector",
    "load_detector",
    "ModelDetector",
    "NetworkDetector",
    "PREPROCESSING",
    "RBMDetector",
    "VAEDetector",
]
