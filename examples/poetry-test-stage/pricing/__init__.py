"""Pricing service."""

__version__ = "2.0.1"
