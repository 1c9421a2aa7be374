"""Normalising flows: the base class, RealNVP and MAF."""

from kgen.models.flow.maf import MAF
from kgen.models.flow.normalizing_flow import NormalizingFlow
from kgen.models.flow.real_nvp import RealNVP

__all__ = ["MAF", "NormalizingFlow", "RealNVP"]
