"""Benchmarks of ecocredit (issue 5): data generator, baselines (DuckDB SQL, naive pandas), runner."""
