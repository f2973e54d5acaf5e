"""On-demand speed and memory measurements (not tests): `uv run python -m benchmarks [B1 B2 …]`."""
