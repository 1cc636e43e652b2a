"""Measurements service."""
