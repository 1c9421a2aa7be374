"""Boltzmann family: Boltzmann machines, RBMs, DBNs and DBMs."""

from kgen.models.boltzmann.annealing import geometric_temperatures
from kgen.models.boltzmann.boltzmann_machine import BoltzmannMachine
from kgen.models.boltzmann.dbm import DBM
from kgen.models.boltzmann.dbn import DBN
from kgen.models.boltzmann.greedy_pretraining import greedy_pretrain
from kgen.models.boltzmann.rbm import RBM
from kgen.models.boltzmann.up_down_dbn import UpDownDBN

__all__ = [
    "BoltzmannMachine",
    "DBM",
    "DBN",
    "RBM",
    "UpDownDBN",
    "geometric_temperatures",
    "greedy_pretrain",
]
