#!/usr/bin/env python3
"""Write the RFC and NIST known-answer vectors CustosCryptoTests reads, as JSON, and check every
one against Python's `hashlib`/`hmac`/`cryptography` before writing it.

Sources (named in each JSON file's "source" field too):
- HMAC-SHA-256: RFC 4231 section 4, test cases 1-7. Cases 1-4, 6, 7 are read from
  cryptography-vectors (HMAC/rfc-4231-sha256.txt); case 5 (truncated to 128 bits), which that
  file leaves out, is transcribed from RFC 4231 section 4.6.
- HKDF-SHA-256: RFC 5869 appendix A.1-A.3, read from cryptography-vectors (KDF/rfc-5869-HKDF-SHA256.txt).
- scrypt: RFC 7914 section 12, read from cryptography-vectors (KDF/scrypt.txt); all four are
  written, the N=1048576 one marked "slow" (the Swift test skips it).
- Ed25519: RFC 8032 section 7.1, TEST 1, 2, 3, 1024 and SHA(abc), transcribed from the RFC.
- SHA-256: the FIPS 180-2 appendix B examples ("abc", the 448-bit message, one million 'a')
  plus the empty message.

Usage:
    pip install cryptography cryptography-vectors
    python3 scripts/interop/make_rfc_vectors.py Tests/CustosCryptoTests/Vectors
"""
import hashlib
import hmac
import json
import os
import sys

import cryptography_vectors
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VECTORS = os.path.dirname(cryptography_vectors.__file__)


def records(path, first_key):
    """Parses `Key = value` lines into records, each starting at a line whose key is `first_key`."""
    out = []
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, _, value = line.partition("=")
            if key.strip() == first_key:
                out.append({})
            if out:
                out[-1][key.strip()] = value.strip()
    return out


def hmac_cases():
    file_cases = records(os.path.join(VECTORS, "HMAC", "rfc-4231-sha256.txt"), "Len")
    assert len(file_cases) == 6, len(file_cases)
    cases = []
    for number, rec in zip([1, 2, 3, 4, 6, 7], file_cases):
        cases.append({"case": number, "key": rec["Key"], "data": rec["Msg"], "mac": rec["MD"], "truncatedToBytes": None})
    # RFC 4231 section 4.6, test case 5: output truncated to 128 bits.
    cases.append({
        "case": 5,
        "key": "0c" * 20,
        "data": b"Test With Truncation".hex(),
        "mac": "a3b6167473100ee06e0c796c2955552b",
        "truncatedToBytes": 16,
    })
    cases.sort(key=lambda c: c["case"])
    for c in cases:
        full = hmac.new(bytes.fromhex(c["key"]), bytes.fromhex(c["data"]), hashlib.sha256).hexdigest()
        assert full.startswith(c["mac"]), c["case"]
        if c["truncatedToBytes"] is None:
            del c["truncatedToBytes"]
    return {"source": "RFC 4231 section 4, test cases 1-7 (HMAC-SHA-256)", "cases": cases}


def hkdf_cases():
    cases = []
    for rec in records(os.path.join(VECTORS, "KDF", "rfc-5869-HKDF-SHA256.txt"), "COUNT"):
        case = {"case": int(rec["COUNT"]), "ikm": rec["IKM"], "salt": rec["salt"], "info": rec["info"],
                "length": int(rec["L"]), "prk": rec["PRK"], "okm": rec["OKM"]}
        okm = HKDF(hashes.SHA256(), case["length"], bytes.fromhex(case["salt"]) or None,
                   bytes.fromhex(case["info"])).derive(bytes.fromhex(case["ikm"]))
        assert okm.hex() == case["okm"], case["case"]
        cases.append(case)
    assert [c["case"] for c in cases] == [1, 2, 3]
    return {"source": "RFC 5869 appendix A.1-A.3 (HKDF-SHA-256)", "cases": cases}


def scrypt_cases():
    cases = []
    for rec in records(os.path.join(VECTORS, "KDF", "scrypt.txt"), "COUNT"):
        case = {"password": rec["PASSWORD"], "salt": rec["SALT"], "n": int(rec["N"]), "r": int(rec["r"]),
                "p": int(rec["p"]), "length": int(rec["LENGTH"]), "derivedKey": rec["DERIVED_KEY"],
                "slow": int(rec["N"]) > 65536}
        if not case["slow"]:
            dk = hashlib.scrypt(case["password"].encode(), salt=case["salt"].encode(), n=case["n"], r=case["r"],
                                p=case["p"], dklen=case["length"])
            assert dk.hex() == case["derivedKey"]
        cases.append(case)
    assert len(cases) == 4
    return {"source": "RFC 7914 section 12 (scrypt); passwords and salts are ASCII text", "cases": cases}


# RFC 8032 section 7.1 (Ed25519), transcribed: secret key (seed), public key, message, signature.
TEST_1024_MESSAGE = (
    "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77b1"
    "e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d"
    "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efcb8550ee3a5e1998bd177e93a"
    "7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e"
    "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc10"
    "3b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1"
    "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2d17ba70eb6248e594e1a2297acbbb39d"
    "502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270"
    "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089b"
    "eccf80cfe2df16a2cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba"
    "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae0784504df543af8969b"
    "e3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7"
    "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988d"
    "cda6f3bfd15c4b4c4525004aa06eeff8ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df"
    "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4aca7"
    "984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4"
    "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac09"
    "43bf6686b64b2579376504ccc493d97e6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f"
    "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f161"
    "0e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d"
    "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8ca"
    "c60c905c15fc910840b94c00a0b9d0"
)
ED25519 = [
    ("TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
    ("TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ("TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
    ("TEST 1024", "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
     "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e", TEST_1024_MESSAGE,
     "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03"),
    ("TEST SHA(abc)", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf", hashlib.sha512(b"abc").hexdigest(),
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"),
]


def ed25519_cases():
    cases = []
    for name, secret, public, message, signature in ED25519:
        key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(secret))
        raw_public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        assert raw_public.hex() == public, name
        assert key.sign(bytes.fromhex(message)).hex() == signature, name
        cases.append({"name": name, "secretKey": secret, "publicKey": public, "message": message, "signature": signature})
    assert len(bytes.fromhex(TEST_1024_MESSAGE)) == 1023
    return {"source": "RFC 8032 section 7.1 (Ed25519): TEST 1, 2, 3, 1024, SHA(abc)", "cases": cases}


def sha256_cases():
    cases = [
        {"name": "empty message", "message": "", "repeat": 1,
         "digest": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"name": "FIPS 180-2 B.1 one-block message", "message": b"abc".hex(), "repeat": 1,
         "digest": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"name": "FIPS 180-2 B.2 448-bit message",
         "message": b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".hex(), "repeat": 1,
         "digest": "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"name": "FIPS 180-2 B.3 one million 'a'", "message": b"a".hex(), "repeat": 1_000_000,
         "digest": "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
    ]
    for c in cases:
        assert hashlib.sha256(bytes.fromhex(c["message"]) * c["repeat"]).hexdigest() == c["digest"], c["name"]
    return {"source": "FIPS 180-2 appendix B (SHA-256 examples) and the empty message", "cases": cases}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    files = {
        "rfc4231_hmac_sha256.json": hmac_cases(),
        "rfc5869_hkdf_sha256.json": hkdf_cases(),
        "rfc7914_scrypt.json": scrypt_cases(),
        "rfc8032_ed25519.json": ed25519_cases(),
        "fips180_sha256_examples.json": sha256_cases(),
    }
    for name, content in files.items():
        with open(os.path.join(out_dir, name), "w") as f:
            json.dump(content, f, indent=2)
            f.write("\n")
        print(f"{name}: {len(content['cases'])} cases, checked against Python")
    # NIST CAVP SHA-256 byte-oriented response files, copied verbatim.
    for name in ["SHA256ShortMsg.rsp", "SHA256LongMsg.rsp", "SHA256Monte.rsp"]:
        with open(os.path.join(VECTORS, "hashes", "SHA2", name)) as src, open(os.path.join(out_dir, name), "w") as dst:
            dst.write(src.read())
        print(f"{name}: copied")


if __name__ == "__main__":
    main()
