print("bench-Audit: not written yet")
