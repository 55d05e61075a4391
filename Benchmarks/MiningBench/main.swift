print("bench-Mining: not written yet")
