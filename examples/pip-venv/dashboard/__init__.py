"""Sales dashboard."""
