from inventory.stock import levels


def test_levels():
    assert levels()["warehouses"] == 3
