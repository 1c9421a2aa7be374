"""Boltzmann family: Boltzmann machines, RBMs, DBNs and DBMs."""

from kgen.models.boltzmann.boltzmann_machine import BoltzmannMachine
from kgen.models.boltzmann.dbn import DBN
from kgen.models.boltzmann.rbm import RBM

__all__ = ["BoltzmannMachine", "DBN", "RBM"]
