"""fusebrief benchmarks: scripts that print tables (see bench/README.md)."""
