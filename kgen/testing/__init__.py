"""Helpers for testing kgen models (used by kgen's own test suite)."""

from kgen.testing.serialization import assert_round_trip
from kgen.testing.two_linear_maps import TwoLinearMaps

__all__ = ["TwoLinearMaps", "assert_round_trip"]
