#!/usr/bin/env python3
"""Interoperability check: CustosCrypto (Swift, over OpenSSL) against Python `cryptography`.

1. Python makes artifacts with random keys, nonces and data: AES-256-GCM sealed boxes
   (nonce || ciphertext || tag) with AAD, Ed25519 signatures with PEM keys, HMAC-SHA-256 MACs,
   HKDF-SHA-256 and scrypt outputs. They go to python_artifacts.json in a work folder.
2. It runs `swift test --filter CustosCryptoTests.InteropTests` with CUSTOS_INTEROP_DIR set to
   that folder. The Swift test opens/verifies every Python artifact (its verdicts go to
   swift_checks.json) and writes its own artifacts to swift_artifacts.json.
3. Python checks every Swift artifact with `cryptography`.

One PASS/FAIL line per check; the exit status is non-zero if any check failed or Swift did not run.

Usage (from anywhere inside the repository):
    pip install cryptography
    python3 scripts/interop/interop.py [--keep DIR] [--swift-build-path PATH]
"""
import argparse
import hashlib
import hmac
import json
import os
import secrets
import subprocess
import sys
import tempfile

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
results = []


def report(name, passed, detail=""):
    results.append(passed)
    print(f"{'PASS' if passed else 'FAIL'}  {name}{('  (' + detail + ')') if detail else ''}", flush=True)


def python_artifacts():
    aesgcm = []
    for length in [0, 1, 16, 33, 4096, 100_003]:
        key, nonce = secrets.token_bytes(32), secrets.token_bytes(12)
        aad, plaintext = secrets.token_bytes(length % 37), secrets.token_bytes(length)
        sealed = AESGCM(key).encrypt(nonce, plaintext, aad)  # ciphertext || tag
        aesgcm.append({"key": key.hex(), "combined": (nonce + sealed).hex(), "aad": aad.hex(), "plaintext": plaintext.hex()})
    ed25519 = []
    for length in [0, 1, 64, 2048]:
        key = Ed25519PrivateKey.generate()
        message = secrets.token_bytes(length)
        ed25519.append({
            "publicKeyPEM": key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
            "privateKeyPEM": key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode(),
            "message": message.hex(),
            "signature": key.sign(message).hex(),
        })
    macs = []
    for key_length in [0, 20, 64, 65, 200]:
        key, message = secrets.token_bytes(key_length), secrets.token_bytes(key_length * 7 % 300)
        macs.append({"key": key.hex(), "message": message.hex(), "mac": hmac.new(key, message, hashlib.sha256).hexdigest()})
    hkdf = []
    for ikm_length, salt_length, info_length, length in [(32, 32, 20, 32), (22, 0, 0, 42), (64, 13, 200, 255 * 32), (5, 5, 0, 7)]:
        ikm, salt, info = secrets.token_bytes(ikm_length), secrets.token_bytes(salt_length), secrets.token_bytes(info_length)
        okm = HKDF(hashes.SHA256(), length, salt or None, info).derive(ikm)
        hkdf.append({"ikm": ikm.hex(), "salt": salt.hex(), "info": info.hex(), "length": length, "okm": okm.hex()})
    salt = secrets.token_bytes(16)
    passphrase = "pässwörd for the key-encryption key"
    scrypt = [{"passphrase": passphrase, "salt": salt.hex(), "n": 1 << 14, "r": 8, "p": 1, "length": 32,
               "key": Scrypt(salt=salt, length=32, n=1 << 14, r=8, p=1).derive(passphrase.encode()).hex()}]
    return {"aesgcm": aesgcm, "ed25519": ed25519, "hmac": macs, "hkdf": hkdf, "scrypt": scrypt}


def run_swift(folder, build_path):
    command = ["swift", "test", "--filter", "CustosCryptoTests.InteropTests"]
    if build_path:
        command += ["--build-path", build_path]
    env = dict(os.environ, CUSTOS_INTEROP_DIR=folder)
    print("running: " + " ".join(command), flush=True)
    completed = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    log = os.path.join(folder, "swift_test.log")
    with open(log, "w") as f:
        f.write(completed.stdout + completed.stderr)
    report("swift test --filter CustosCryptoTests.InteropTests exits 0", completed.returncode == 0,
           f"exit {completed.returncode}, log in {log}")
    # The Swift test writes both files only when it ran (it is skipped without CUSTOS_INTEROP_DIR).
    ran = all(os.path.exists(os.path.join(folder, name)) for name in ["swift_checks.json", "swift_artifacts.json"])
    report("the Swift interop test ran and wrote its files (not skipped)", ran)
    return completed.returncode == 0


def check_swift_verdicts(folder):
    path = os.path.join(folder, "swift_checks.json")
    if not os.path.exists(path):
        report("Swift wrote swift_checks.json", False)
        return
    checks = json.load(open(path))
    for item in checks:
        report(item["name"], item["passed"])


def check_swift_artifacts(folder):
    path = os.path.join(folder, "swift_artifacts.json")
    if not os.path.exists(path):
        report("Swift wrote swift_artifacts.json", False)
        return
    art = json.load(open(path))
    for i, item in enumerate(art["aesgcm"]):
        combined = bytes.fromhex(item["combined"])
        nonce, sealed = combined[:12], combined[12:]
        aad = bytes.fromhex(item["aad"])
        try:
            plaintext = AESGCM(bytes.fromhex(item["key"])).decrypt(nonce, sealed, aad)
            report(f"python opens swift AES-GCM box {i} ({len(plaintext)} bytes)", plaintext.hex() == item["plaintext"])
        except InvalidTag:
            report(f"python opens swift AES-GCM box {i}", False, "InvalidTag")
        tampered = bytearray(sealed)
        tampered[0] ^= 0x80
        try:
            AESGCM(bytes.fromhex(item["key"])).decrypt(nonce, bytes(tampered), aad)
            report(f"python rejects tampered swift AES-GCM box {i}", False)
        except InvalidTag:
            report(f"python rejects tampered swift AES-GCM box {i}", True)
    for i, item in enumerate(art["ed25519"]):
        public = serialization.load_pem_public_key(item["publicKeyPEM"].encode())
        ok = isinstance(public, Ed25519PublicKey)
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw) if ok else b""
        report(f"python reads swift Ed25519 public PEM {i}", ok and raw.hex() == item["publicKeyRaw"])
        message, signature = bytes.fromhex(item["message"]), bytes.fromhex(item["signature"])
        try:
            public.verify(signature, message)
            report(f"python verifies swift Ed25519 signature {i} ({len(message)}-byte message)", True)
        except InvalidSignature:
            report(f"python verifies swift Ed25519 signature {i}", False)
        try:
            public.verify(signature, message + b"\x00")
            report(f"python rejects swift Ed25519 signature {i} on another message", False)
        except InvalidSignature:
            report(f"python rejects swift Ed25519 signature {i} on another message", True)
        private = serialization.load_pem_private_key(item["privateKeyPEM"].encode(), password=None)
        report(f"python reads swift PKCS#8 private key {i}; deterministic signature matches",
               isinstance(private, Ed25519PrivateKey) and private.sign(message) == signature)
    for i, item in enumerate(art["hmac"]):
        expected = hmac.new(bytes.fromhex(item["key"]), bytes.fromhex(item["message"]), hashlib.sha256).hexdigest()
        report(f"python HMAC equals swift HMAC {i} (key {len(item['key']) // 2} bytes)", expected == item["mac"])
    for i, item in enumerate(art["hkdf"]):
        okm = HKDF(hashes.SHA256(), item["length"], bytes.fromhex(item["salt"]) or None,
                   bytes.fromhex(item["info"])).derive(bytes.fromhex(item["ikm"]))
        report(f"python HKDF equals swift HKDF {i} (L={item['length']}, ikm {len(item['ikm']) // 2} bytes)", okm.hex() == item["okm"])
    for i, item in enumerate(art["scrypt"]):
        key = Scrypt(salt=bytes.fromhex(item["salt"]), length=item["length"], n=item["n"], r=item["r"],
                     p=item["p"]).derive(item["passphrase"].encode())
        report(f"python scrypt equals swift scrypt {i}", key.hex() == item["key"])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", metavar="DIR", help="use (and keep) this work folder instead of a temporary one")
    parser.add_argument("--swift-build-path", metavar="PATH", help="passed to swift test --build-path")
    args = parser.parse_args()
    folder = os.path.abspath(args.keep) if args.keep else tempfile.mkdtemp(prefix="custos-interop-")
    os.makedirs(folder, exist_ok=True)
    for stale in ["python_artifacts.json", "swift_artifacts.json", "swift_checks.json"]:
        if os.path.exists(os.path.join(folder, stale)):
            os.remove(os.path.join(folder, stale))
    with open(os.path.join(folder, "python_artifacts.json"), "w") as f:
        json.dump(python_artifacts(), f, indent=2)
    print(f"work folder: {folder}", flush=True)
    run_swift(folder, args.swift_build_path)
    check_swift_verdicts(folder)
    check_swift_artifacts(folder)
    failed = results.count(False)
    print(f"interop: {results.count(True)} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
