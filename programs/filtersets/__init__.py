"""Console pages of the programs engine, one module per story."""
