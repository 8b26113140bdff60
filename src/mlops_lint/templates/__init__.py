"""Templates that ``mlops-lint init`` writes (package data, read with importlib.resources)."""
