import tinypkg

print("ok", tinypkg.__name__)
