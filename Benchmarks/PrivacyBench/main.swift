print("bench-Privacy: not written yet")
