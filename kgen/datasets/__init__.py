"""kgen.datasets."""
