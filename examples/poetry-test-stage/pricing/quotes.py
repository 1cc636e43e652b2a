"""Quotes: prices with volume discounts, computed with numpy."""
import numpy
import pydantic

RATES = {"EUR": 1.0, "USD": 1.08, "GBP": 0.86}


def quote(unit_price: float, quantity: int, currency: str = "EUR") -> dict:
    if currency not in RATES:
        raise ValueError(f"unknown currency {currency}")
    discount = 0.1 if quantity >= 100 else 0.0
    total = round(unit_price * quantity * (1 - discount) * RATES[currency], 2)
    return {"total": total, "currency": currency, "numpy": numpy.hello(), "pydantic": pydantic.hello()}
