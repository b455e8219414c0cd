"""Baselines that implement a bundled ruleset outside ecocredit, for timing comparisons."""
