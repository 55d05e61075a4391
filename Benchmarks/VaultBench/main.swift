print("bench-Vault: not written yet")
