#!/usr/bin/env python3
"""Independent verifier for a Custos audit directory.

Written from audit/README.md alone; shares no code with Custos. Needs Python 3.8+ and the
`cryptography` package (for Ed25519). It re-hashes every entry from its bytes, checks that every
line is canonical JSON and a well-formed entry, rebuilds the RFC 6962 Merkle tree, verifies every
checkpoint's Ed25519 signed-note signature and root, and checks an RFC 9162 consistency proof
between each pair of consecutive checkpoints.

Exit status: 0 when the log verifies, 1 when a problem was found, 2 when the inputs are unusable.

Witnesses (C2SP tlog-cosignature, Ed25519 cosignature/v1): with --witness-key VKEY, every cosignature
line by that witness must verify over "cosignature/v1\ntime <t>\n" + checkpoint text, and at least one
cosigned checkpoint must match the entries; the witnessed prefix is reported. --checkpoint FILE checks a
signed checkpoint kept elsewhere (a note, or a witness state file) against the log, which detects a log
rolled back or truncated as a whole. --vault data/vault.sqlite reads the workspace's checkpoint anchor
(setting audit_anchor, opened read-only) and checks it the same way, and that checkpoints/ reaches it.

Usage: verify.py AUDIT_DIR [--public-key keys/audit.pub] [--origin ORIGIN] [--witness-key VKEY]...
                 [--checkpoint FILE]... [--vault VAULT] [--json]
"""

import argparse
import base64
import hashlib
import json
import os
import re
import sys

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except ImportError:  # pragma: no cover - reported to the user
    sys.stderr.write("verify.py needs the 'cryptography' package: pip install cryptography\n")
    sys.exit(2)

FORMAT_LINE = b"custos-audit 1\n"
MAX_SAFE = 2 ** 53 - 1
SEGMENT_RE = re.compile(r"^[0-9]{8,}\.jsonl$")
CHECKPOINT_RE = re.compile(r"^[0-9]{20}\.checkpoint$")
TIME_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$")
ACTION_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
DECIMAL_RE = re.compile(r"^(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$")


class Unusable(Exception):
    """The inputs cannot be checked at all (exit status 2)."""


# ---------------------------------------------------------------- hashing (RFC 6962 / 9162)

def sha256(data):
    return hashlib.sha256(data).digest()


def leaf_hash(line):
    return sha256(b"\x00" + line)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def split_point(n):
    """Largest power of two strictly smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class Tree:
    """All complete levels of the tree: levels[k][i] = hash of leaves [i*2^k, (i+1)*2^k)."""

    def __init__(self, leaves):
        self.size = len(leaves)
        self.levels = [leaves]
        while len(self.levels[-1]) >= 2:
            below = self.levels[-1]
            self.levels.append([node_hash(below[2 * i], below[2 * i + 1]) for i in range(len(below) // 2)])

    def range_hash(self, start, end):
        n = end - start
        if n == 0:
            return sha256(b"")
        if n & (n - 1) == 0 and start % n == 0:
            return self.levels[n.bit_length() - 1][start // n]
        k = split_point(n)
        return node_hash(self.range_hash(start, start + k), self.range_hash(start + k, end))

    def root(self, size):
        return self.range_hash(0, size)

    def consistency_proof(self, m, n):
        """RFC 9162 section 2.1.4.1 PROOF(m, D[n]) for 0 < m < n."""
        def subproof(m, start, end, complete):
            size = end - start
            if m == size:
                return [] if complete else [self.range_hash(start, end)]
            k = split_point(size)
            if m <= k:
                return subproof(m, start, start + k, complete) + [self.range_hash(start + k, end)]
            return subproof(m - k, start + k, end, False) + [self.range_hash(start, start + k)]
        return subproof(m, 0, n, True)


def verify_consistency(m, n, proof, root1, root2):
    """RFC 9162 section 2.1.4.2."""
    if m == n:
        return not proof and root1 == root2
    if m == 0:
        return not proof
    if m > n or not proof:
        return False
    path = list(proof)
    if m & (m - 1) == 0:
        path.insert(0, root1)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == root1 and sr == root2 and sn == 0


# ---------------------------------------------------------------- canonical JSON

def _reject_float(text):
    raise ValueError("fractional or exponent number " + text)


def _reject_constant(text):
    raise ValueError("non-JSON constant " + text)


def _pairs(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError("duplicate member name")
        out[key] = value
    return out


def canon_string(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\f":
            out.append("\\f")
        elif ch == "\r":
            out.append("\\r")
        elif o < 0x20:
            out.append("\\u%04x" % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def canon(value):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        if abs(value) > MAX_SAFE:
            raise ValueError("integer outside +-(2^53 - 1)")
        return str(value)
    if isinstance(value, str):
        return canon_string(value)
    if isinstance(value, list):
        return "[" + ",".join(canon(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be", "surrogatepass"))
        return "{" + ",".join(canon_string(k) + ":" + canon(value[k]) for k in keys) + "}"
    raise ValueError("unsupported value")


def parse_canonical(line):
    """Returns (object, None) for a canonical line, else (None, reason)."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None, "not valid UTF-8"
    try:
        value = json.loads(text, parse_float=_reject_float, parse_constant=_reject_constant,
                           object_pairs_hook=_pairs)
        again = canon(value).encode("utf-8")
    except (ValueError, UnicodeEncodeError) as error:
        return None, "not canonical JSON (%s)" % error
    if again != line:
        return None, "not in canonical JSON form (key order, escaping or white space)"
    if not isinstance(value, dict):
        return None, "not a JSON object"
    return value, None


def valid_date(text):
    try:
        y, mo, d = int(text[0:4]), int(text[5:7]), int(text[8:10])
        h, mi, s = int(text[11:13]), int(text[14:16]), int(text[17:19])
    except ValueError:
        return False
    if not (1 <= mo <= 12 and h < 24 and mi < 60 and s < 60):
        return False
    days = [31, 29 if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return 1 <= d <= days[mo - 1]


def decimal_ok(text):
    if not isinstance(text, str) or not DECIMAL_RE.match(text):
        return False
    # Shortest round-trip form: Python's repr is the shortest round-tripping digits too.
    return format_decimal(float(text)) == text


def format_decimal(x):
    if x == 0:
        return "0"
    r = repr(x)
    mantissa, _, exponent = r.partition("e")
    exp = int(exponent) if exponent else 0
    whole, _, frac = mantissa.partition(".")
    digits = whole + frac
    point = len(whole) + exp
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    if not digits:
        return "0"
    if point <= 0:
        return "0." + "0" * (-point) + digits
    if point >= len(digits):
        return digits + "0" * (point - len(digits))
    return digits[:point] + "." + digits[point:]


STRING_FIELDS = ("purpose", "dataset", "reason", "policyVersion", "jobID", "requestID", "resultDigest")


def entry_problem(entry):
    """Schema check of one decoded entry (README, 'Entry fields'); None when well formed."""
    for key in ("time", "actor", "role", "action"):
        if not isinstance(entry.get(key), str):
            return "required member '%s' is missing or not a string" % key
    if not TIME_RE.match(entry["time"]) or not valid_date(entry["time"]):
        return "'time' is not YYYY-MM-DDTHH:MM:SS.mmmZ"
    if not entry["actor"] or not entry["role"]:
        return "'actor' and 'role' must not be empty"
    if not ACTION_RE.match(entry["action"]) or len(entry["action"]) > 64:
        return "'action' is not a dotted lower-case name"
    for key in STRING_FIELDS:
        if key in entry and not isinstance(entry[key], str):
            return "'%s' is not a string" % key
    if "decision" in entry and entry["decision"] not in ("allow", "deny"):
        return "'decision' is neither allow nor deny"
    for key in ("epsilon", "rho"):
        if key in entry and not decimal_ok(entry[key]):
            return "'%s' is not a canonical decimal string" % key
    for key in ("rows", "subjectCount"):
        if key in entry and (isinstance(entry[key], bool) or not isinstance(entry[key], int) or entry[key] < 0):
            return "'%s' is not a non-negative integer" % key
    if "subjects" in entry and (not isinstance(entry["subjects"], list)
                                or not all(isinstance(s, str) for s in entry["subjects"])):
        return "'subjects' is not an array of strings"
    if "details" in entry:
        details = entry["details"]
        if not isinstance(details, dict) or not details or "" in details \
                or not all(isinstance(v, str) for v in details.values()):
            return "'details' is not a non-empty object of strings"
    return None


# ---------------------------------------------------------------- signed notes and checkpoints

def key_id(name, raw_public_key):
    return sha256(name.encode("utf-8") + b"\n" + b"\x01" + raw_public_key)[:4]


def open_note(data, name, raw_key, public_key):
    """Verifies a signed note; returns its text (str) or raises ValueError."""
    try:
        whole = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("not valid UTF-8")
    if any(ord(c) < 0x20 and c != "\n" for c in whole):
        raise ValueError("contains a control character")
    if not whole.endswith("\n"):
        raise ValueError("does not end in a newline")
    cut = whole.rfind("\n\n")
    if cut < 0:
        raise ValueError("no blank line before the signatures")
    text, block = whole[:cut + 1], whole[cut + 2:]
    wanted = key_id(name, raw_key)
    mine = []
    for line in block.split("\n")[:-1]:
        if not line.startswith("\u2014 "):
            raise ValueError("malformed signature line")
        parts = line[2:].split(" ")
        if len(parts) != 2 or not parts[0]:
            raise ValueError("malformed signature line")
        try:
            blob = base64.b64decode(parts[1], validate=True)
        except ValueError:
            raise ValueError("signature is not base64")
        if len(blob) < 5:
            raise ValueError("signature too short")
        if parts[0] == name and blob[:4] == wanted:
            mine.append(blob[4:])
    if not mine:
        raise ValueError("no signature by key '%s' (key ID %s)" % (name, wanted.hex()))
    for signature in mine:
        try:
            public_key.verify(signature, text.encode("utf-8"))
        except InvalidSignature:
            raise ValueError("Ed25519 signature does not verify")
    return text


def signature_lines(data):
    """(name, blob) of each signature line of a note already checked by open_note."""
    whole = data.decode("utf-8")
    block = whole[whole.rfind("\n\n") + 2:]
    out = []
    for line in block.split("\n")[:-1]:
        name, encoded = line[2:].split(" ")
        out.append((name, base64.b64decode(encoded, validate=True)))
    return out


def parse_witness_key(text):
    """A cosigner vkey: name+hex(key ID)+base64(0x04 || Ed25519 key); returns (name, key ID, public key)."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3 or len(parts[1]) != 8:
        raise Unusable("witness key is not name+keyid+base64")
    try:
        blob = base64.b64decode(parts[2], validate=True)
    except ValueError:
        raise Unusable("witness key is not base64")
    if len(blob) != 33 or blob[0] != 0x04:
        raise Unusable("witness key is not an Ed25519 cosigner key (type 0x04)")
    name, raw = parts[0], blob[1:]
    wanted = sha256(name.encode("utf-8") + b"\n" + b"\x04" + raw)[:4]
    if wanted.hex() != parts[1].lower():
        raise Unusable("witness key ID does not match its name and key")
    return name, wanted, Ed25519PublicKey.from_public_bytes(raw)


def cosignature_status(data, text, witness):
    """None when the witness did not cosign; True when all its lines verify; else the reason."""
    name, wanted, key = witness
    found = False
    for line_name, blob in signature_lines(data):
        if line_name != name or blob[:4] != wanted:
            continue
        found = True
        if len(blob) != 4 + 8 + 64:
            return "cosignature by '%s' has the wrong length" % name
        timestamp = int.from_bytes(blob[4:12], "big")
        message = b"cosignature/v1\ntime " + str(timestamp).encode() + b"\n" + text.encode("utf-8")
        try:
            key.verify(blob[12:], message)
        except InvalidSignature:
            return "cosignature by '%s' does not verify: the checkpoint or the cosignature was altered" % name
    return True if found else None


def parse_checkpoint(text):
    lines = text.split("\n")
    if lines[-1] != "" or len(lines) < 4 or any(not line for line in lines[:-1]):
        raise ValueError("checkpoint body is not at least three non-empty lines")
    origin, size_text, root_text = lines[0], lines[1], lines[2]
    if not re.match(r"^(0|[1-9][0-9]*)$", size_text):
        raise ValueError("tree size is not decimal without leading zeros")
    try:
        root = base64.b64decode(root_text, validate=True)
    except ValueError:
        raise ValueError("root hash is not base64")
    if len(root) != 32 or base64.b64encode(root).decode() != root_text:
        raise ValueError("root hash is not base64 of 32 bytes")
    return origin, int(size_text), root


# ---------------------------------------------------------------- the check

class Verifier:
    def __init__(self, directory, public_key_path, origin, witnesses=(), external=(), anchor=None):
        self.directory = directory
        self.witnesses = list(witnesses)
        self.external = list(external)  # (label, bytes)
        self.anchor = anchor  # bytes of the anchored checkpoint note, or None
        self.witnessed = {}
        self.problems = []
        self.notices = []
        try:
            with open(public_key_path, "rb") as handle:
                key = serialization.load_pem_public_key(handle.read())
        except (OSError, ValueError) as error:
            raise Unusable("cannot read the public key %s: %s" % (public_key_path, error))
        if not isinstance(key, Ed25519PublicKey):
            raise Unusable("%s is not an Ed25519 public key" % public_key_path)
        self.public_key = key
        self.raw_key = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.origin = origin
        if not os.path.isdir(directory):
            raise Unusable("%s is not a directory" % directory)

    def problem(self, where, what):
        self.problems.append("%s: %s" % (where, what))

    def run(self):
        self.check_format()
        checkpoints = self.read_checkpoints()  # before the segments, as the README asks
        leaves, segment_map = self.read_segments()
        tree = Tree(leaves)
        n = tree.size
        matching = 0
        consistent = 0
        last_good = 0
        mismatched = False
        previous = None
        for name, size, root in checkpoints:
            if size > n:
                self.problem("checkpoints/" + name, "covers %d entries but the log holds only %d: signed entries "
                             "are missing" % (size, n))
            elif tree.root(size) == root:
                matching += 1
                last_good = size
            elif not mismatched:
                mismatched = True
                self.problem("checkpoints/" + name, "entries do not reproduce its signed root: one of entries "
                             "%d..%d (%s) was altered, inserted, deleted or reordered"
                             % (last_good, size - 1, self.place(segment_map, last_good, size)))
            else:
                self.problem("checkpoints/" + name, "does not match either (follows from the earlier mismatch)")
            if previous is not None and size <= n and previous[0] <= n:
                proof = tree.consistency_proof(previous[0], size) if 0 < previous[0] < size else []
                if verify_consistency(previous[0], size, proof, previous[1], root):
                    consistent += 1
            previous = (size, root)
        for name, size, root, data, text in self.checkpoint_notes:
            self.check_cosignatures("checkpoints/" + name, data, text, size <= n and tree.root(size) == root)
        for label, data in self.external:
            self.check_external(label, data, tree)
        if self.anchor is not None:
            self.check_anchor(self.anchor, tree, checkpoints[-1][1] if checkpoints else 0)
        for name, _, _ in self.witnesses:
            if name not in self.witnessed:
                self.problem("witness " + name, "no checkpoint that matches the entries carries a valid "
                             "cosignature by this witness")
        if not checkpoints and n > 0:
            self.problem("checkpoints/", "%d entries but no checkpoint with a valid signature" % n)
        covered = min(checkpoints[-1][1], n) if checkpoints else 0
        if n > covered:
            self.notices.append("%d entries after the latest checkpoint are not covered by a signature" % (n - covered))
        return {
            "valid": not self.problems,
            "entries": n,
            "segments": len(segment_map),
            "checkpoints": len(checkpoints),
            "checkpointsMatching": matching,
            "consistencyProofsVerified": consistent,
            "rootHash": base64.b64encode(tree.root(n)).decode(),
            "witnessed": self.witnessed,
            "problems": self.problems,
            "notices": self.notices,
        }

    def open_checkpoint(self, label, data):
        if self.origin is None:  # every checkpoint in audit/ is gone: take the origin from this note
            self.origin = data.split(b"\n", 1)[0].decode("utf-8", "replace")
        text = open_note(data, self.origin, self.raw_key, self.public_key)
        origin, size, root = parse_checkpoint(text)
        if origin != self.origin:
            raise ValueError("origin line differs from '%s'" % self.origin)
        return text, size, root

    def check_cosignatures(self, label, data, text, matches):
        for witness in self.witnesses:
            status = cosignature_status(data, text, witness)
            if status is True:
                if matches:
                    size = int(text.split("\n")[1])
                    self.witnessed[witness[0]] = max(self.witnessed.get(witness[0], 0), size)
            elif status is not None:
                self.problem(label, status)

    def check_external(self, label, data, tree):
        if data.startswith(b"{"):
            try:
                data = json.loads(data.decode("utf-8"))["checkpoint"].encode("utf-8")
            except (ValueError, KeyError, TypeError):
                self.problem(label, "neither a signed checkpoint nor a witness state file")
                return
        try:
            text, size, root = self.open_checkpoint(label, data)
        except ValueError as error:
            self.problem(label, str(error))
            return
        matches = size <= tree.size and tree.root(size) == root
        self.check_cosignatures(label, data, text, matches)
        if size > tree.size:
            self.problem(label, "covers %d entries but the log holds only %d: the log was rolled back or "
                         "truncated" % (size, tree.size))
        elif not matches:
            self.problem(label, "the first %d entries do not reproduce its root: the log was rewritten" % size)

    def check_anchor(self, data, tree, latest):
        label = "checkpoint anchor"
        try:
            text, size, root = self.open_checkpoint(label, data)
        except ValueError as error:
            self.problem(label, str(error))
            return
        if size == 0:
            return
        if latest < size:
            self.problem(label, "the workspace recorded a signed checkpoint of %d entries but checkpoints/ reaches "
                         "only size %d: checkpoints were deleted or an older copy of audit/ was restored"
                         % (size, latest))
        if size > tree.size:
            self.problem(label, "covers %d entries but the log holds only %d" % (size, tree.size))
        elif tree.root(size) != root:
            self.problem(label, "the first %d entries do not reproduce the anchored root: signed entries were "
                         "altered" % size)

    @staticmethod
    def place(segment_map, start, end):
        def where(i):
            for name, first, count in segment_map:
                if first <= i < first + count:
                    return "segments/%s line %d" % (name, i - first + 1)
            return "beyond the last segment"
        return "%s to %s" % (where(start), where(end - 1))

    def check_format(self):
        path = os.path.join(self.directory, "FORMAT")
        try:
            with open(path, "rb") as handle:
                if handle.read() != FORMAT_LINE:
                    self.problem("FORMAT", "unexpected format marker")
        except OSError:
            self.problem("FORMAT", "the format marker file is missing")

    def read_checkpoints(self):
        folder = os.path.join(self.directory, "checkpoints")
        names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
        files = []
        for name in names:
            if name.endswith(".tmp"):
                continue
            if not CHECKPOINT_RE.match(name):
                self.problem("checkpoints/" + name, "unexpected file name")
                continue
            files.append(name)
        if self.origin is None and files:
            with open(os.path.join(folder, files[0]), "rb") as handle:
                self.origin = handle.read().split(b"\n", 1)[0].decode("utf-8", "replace")
        valid = []
        self.checkpoint_notes = []
        for name in files:
            with open(os.path.join(folder, name), "rb") as handle:
                data = handle.read()
            try:
                text = open_note(data, self.origin, self.raw_key, self.public_key)
                origin, size, root = parse_checkpoint(text)
            except ValueError as error:
                self.problem("checkpoints/" + name, str(error))
                continue
            if origin != self.origin:
                self.problem("checkpoints/" + name, "origin line differs from '%s'" % self.origin)
            elif size != int(name[:20]):
                self.problem("checkpoints/" + name, "tree size %d differs from the file name" % size)
            else:
                valid.append((name, size, root))
                self.checkpoint_notes.append((name, size, root, data, text))
        return sorted(valid, key=lambda item: item[1])

    def read_segments(self):
        folder = os.path.join(self.directory, "segments")
        names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
        names = [n for n in names if not n.endswith(".tmp")]
        for name in names:
            if not SEGMENT_RE.match(name):
                self.problem("segments/" + name, "unexpected file in segments/")
        names = sorted((n for n in names if SEGMENT_RE.match(n)), key=lambda n: int(n[:-6]))
        for i, name in enumerate(names):
            if int(name[:-6]) != i + 1 or name != "%08d.jsonl" % (i + 1):
                self.problem("segments/%08d.jsonl" % (i + 1), "segment file is missing or misnamed")
                return [], []
        leaves = []
        segment_map = []
        for position, name in enumerate(names):
            with open(os.path.join(folder, name), "rb") as handle:
                data = handle.read()
            lines = data.split(b"\n")
            tail = lines.pop()  # bytes after the last newline
            first = len(leaves)
            for number, line in enumerate(lines, start=1):
                where = "segments/%s line %d (entry %d)" % (name, number, first + number - 1)
                value, reason = parse_canonical(line)
                if reason is None:
                    reason = entry_problem(value)
                if reason is not None:
                    self.problem(where, reason)
                leaves.append(leaf_hash(line))
            segment_map.append((name, first, len(lines)))
            if tail:
                if position == len(names) - 1:
                    self.notices.append("segments/%s ends with an incomplete line of %d bytes" % (name, len(tail)))
                else:
                    self.problem("segments/%s line %d" % (name, len(lines) + 1),
                                 "segment ends without a newline although a later segment exists")
        return leaves, segment_map


def main(argv):
    parser = argparse.ArgumentParser(description="Verify a Custos audit directory independently.")
    parser.add_argument("directory", help="the audit directory (holds FORMAT, segments/, checkpoints/)")
    parser.add_argument("--public-key", help="PEM Ed25519 public key (default: DIRECTORY/../keys/audit.pub)")
    parser.add_argument("--origin", help="expected log origin (default: first line of the first checkpoint)")
    parser.add_argument("--witness-key", action="append", default=[],
                        help="a witness's verifier key (text or a .vkey file); repeatable")
    parser.add_argument("--checkpoint", action="append", default=[],
                        help="a signed checkpoint kept elsewhere (note or witness state file); repeatable")
    parser.add_argument("--vault", help="the workspace's data/vault.sqlite, to check its checkpoint anchor")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    key_path = args.public_key or os.path.join(os.path.dirname(os.path.abspath(args.directory)), "keys", "audit.pub")
    try:
        witnesses = []
        for item in args.witness_key:
            if os.path.isfile(item):
                with open(item, "r", encoding="utf-8") as handle:
                    item = handle.read()
            witnesses.append(parse_witness_key(item))
        external = []
        for path in args.checkpoint:
            try:
                with open(path, "rb") as handle:
                    external.append((path, handle.read()))
            except OSError as error:
                raise Unusable("cannot read %s: %s" % (path, error))
        anchor = None
        if args.vault:
            import sqlite3
            try:
                connection = sqlite3.connect("file:%s?mode=ro" % os.path.abspath(args.vault), uri=True)
                row = connection.execute("SELECT value FROM settings WHERE name = 'audit_anchor'").fetchone()
                connection.close()
            except sqlite3.Error as error:
                raise Unusable("cannot read the anchor from %s: %s" % (args.vault, error))
            anchor = row[0].encode("utf-8") if row else None
        result = Verifier(args.directory, key_path, args.origin, witnesses, external, anchor).run()
    except Unusable as error:
        sys.stderr.write("verify.py: %s\n" % error)
        return 2
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True))
    else:
        print("audit log %s" % ("verified" if result["valid"] else "FAILED verification"))
        print("  entries: %d in %d segment file(s); root %s" % (result["entries"], result["segments"], result["rootHash"]))
        print("  checkpoints: %d valid signatures, %d match the entries; %d consistency proofs verified"
              % (result["checkpoints"], result["checkpointsMatching"], result["consistencyProofsVerified"]))
        for name, size in sorted(result["witnessed"].items()):
            print("  witnessed by %s: the first %d entries" % (name, size))
        for notice in result["notices"]:
            print("  note: " + notice)
        for problem in result["problems"]:
            print("  PROBLEM " + problem)
    return 0 if result["valid"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
