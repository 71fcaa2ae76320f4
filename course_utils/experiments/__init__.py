"""Experiments: each builds models, runs them from a seed and returns plain data."""
