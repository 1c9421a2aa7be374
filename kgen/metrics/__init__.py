"""kgen.metrics."""
