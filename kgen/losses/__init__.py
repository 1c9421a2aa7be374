"""kgen.losses."""
