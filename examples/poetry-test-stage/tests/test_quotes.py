import pytest

from pricing.quotes import quote


def test_volume_discount():
    assert quote(10.0, 100)["total"] == 900.0


def test_currency():
    assert quote(10.0, 1, "USD")["total"] == 10.8


def test_unknown_currency():
    with pytest.raises(ValueError, match="unknown currency"):
        quote(1.0, 1, "XYZ")
