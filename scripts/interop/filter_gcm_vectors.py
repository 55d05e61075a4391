#!/usr/bin/env python3
"""Filter NIST CAVP AES-GCM response files down to the parameters Custos uses.

Custos seals with AES-256-GCM, 96-bit nonces and 128-bit tags only, so only the
CAVP sections headed [Keylen = 256] [IVlen = 96] ... [Taglen = 128] are kept,
verbatim, in the original .rsp text format (header comments and section headers
included). Every other section is dropped.

Source: the `cryptography-vectors` package on PyPI
(cryptography_vectors/ciphers/AES/GCM/gcmEncryptExtIV256.rsp and gcmDecrypt256.rsp),
which redistributes NIST CAVS 14.0 "gcmtestvectors".

Usage:
    pip install cryptography-vectors
    python3 scripts/interop/filter_gcm_vectors.py Tests/CustosCryptoTests/Vectors
"""
import os
import re
import sys

import cryptography_vectors

SOURCES = {
    "gcmEncryptExtIV256.rsp": "gcmEncryptExtIV256_iv96_tag128.rsp",
    "gcmDecrypt256.rsp": "gcmDecrypt256_iv96_tag128.rsp",
}
WANTED = {"Keylen": "256", "IVlen": "96", "Taglen": "128"}


def sections(lines):
    """Yields (header_lines, body_lines): a section is a run of [..] lines and the lines after it.
    The file preamble (comments before the first header) comes first, with no header."""
    header, body, previous_was_header = [], [], False
    for line in lines:
        is_header = line.startswith("[")
        if is_header and not previous_was_header:
            yield header, body
            header, body = [], []
        (header if is_header else body).append(line)
        previous_was_header = is_header
    yield header, body


def keep(header):
    params = {}
    for line in header:
        match = re.match(r"\[(\w+) = (\d+)\]", line.strip())
        if match:
            params[match.group(1)] = match.group(2)
    return all(params.get(k) == v for k, v in WANTED.items())


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    base = os.path.join(os.path.dirname(cryptography_vectors.__file__), "ciphers", "AES", "GCM")
    for source, target in SOURCES.items():
        with open(os.path.join(base, source)) as f:
            lines = f.read().splitlines()
        out, kept, cases = [], 0, 0
        for header, body in sections(lines):
            if not header:
                out.extend(body)  # preamble comments
            elif keep(header):
                kept += 1
                cases += sum(1 for b in body if b.startswith("Count = "))
                out.extend(header)
                out.extend(body)
        out.insert(3, f"# Filtered by scripts/interop/filter_gcm_vectors.py: Keylen=256, IVlen=96, Taglen=128 only")
        with open(os.path.join(out_dir, target), "w") as f:
            f.write("\n".join(out).rstrip("\n") + "\n")
        print(f"{target}: {kept} sections, {cases} cases")


if __name__ == "__main__":
    main()
