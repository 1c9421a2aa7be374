"""kgen.layers."""
