#!/usr/bin/env python3
"""Load benchmark of `custos serve` (release build, loopback, wrk from Debian, 200 connections):

  (a) an authenticated request that policy denies (POST /v1/jobs for a purpose the role lacks)
  (b) GET /v1/budget
  (c) a DP count job over the workspace's customers (POST /v1/jobs, Prefer: wait)

For each: requests/s, p50 and p99, the statuses seen (no request may fail in an unexpected way), and
the audit entries written against the audited requests. Goal on 2 cores: >= 5,000 decisions/s with
p99 < 20 ms for (a). The workspace (generated customers, ingested and consented) is cached in
.bench-cache/ so repeated runs skip the setup.

Usage: python3 Benchmarks/ServiceLoad/run.py [--customers 100000] [--seconds 15] [--connections 200]
"""
import argparse, json, os, re, shutil, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LUA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "count.lua")


def sh(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def prepare(binary, customers):
    cache = os.path.join(ROOT, ".bench-cache", f"service-{customers}-{os.path.basename(os.path.dirname(binary))}")
    tokens_file = os.path.join(cache, "tokens.json")
    if os.path.exists(tokens_file):
        return cache, json.load(open(tokens_file))
    shutil.rmtree(cache, ignore_errors=True)
    os.makedirs(cache)
    ws = os.path.join(cache, "ws")
    out = sh([binary, "init", "--workspace", ws, "--officer-key", os.path.join(cache, "officer.pem")]).stdout
    tokens = {m.group(1): m.group(2) for m in re.finditer(r"^\s+(\S+)\s+\S+\s+(custos_\S+)$", out, re.M)}
    gen = os.path.join(ws, "staging")
    sh([binary, "generate", "--output", gen, "--customers", str(customers)])
    env = dict(os.environ, CUSTOS_TOKEN=tokens["oscar"])
    for name in ["customers", "orders"]:
        print(f"  ingesting {name} ...", flush=True)
        sh([binary, "ingest", "--workspace", ws, "--principal", "oscar", "--role", "operator", name, os.path.join(gen, name + ".csv")], env=env)
    print("  importing consents ...", flush=True)
    env["CUSTOS_TOKEN"] = tokens["prefs"]
    sh([binary, "consent", "import", "--workspace", ws, "--principal", "prefs", "--role", "consent_collector", os.path.join(gen, "consents.csv")], env=env)
    shutil.rmtree(gen)
    json.dump(tokens, open(tokens_file, "w"))
    return cache, tokens


def audit_size(port, token):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {token}"})
    text = urllib.request.urlopen(request).read().decode()
    return int(float(re.search(r"^custos_audit_entries_total (\S+)$", text, re.M).group(1)))


def wrk(port, token, method, path, body, seconds, connections):
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write(open(LUA).read())
    script.write(f'\nwrk.method = "{method}"\nwrk.headers["Authorization"] = "Bearer {token}"\n'
                 f'wrk.headers["Content-Type"] = "application/json"\nwrk.headers["Prefer"] = "wait=60"\n')
    if body:
        script.write(f"wrk.body = [[{body}]]\n")
    script.close()
    out = sh(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "60s", "-s", script.name,
              f"http://127.0.0.1:{port}{path}"]).stdout
    os.unlink(script.name)
    statuses = json.loads(re.search(r"^STATUSES (.*)$", out, re.M).group(1))
    latency = json.loads(re.search(r"^LATENCY (.*)$", out, re.M).group(1))
    errors = re.search(r"Socket errors: (.*)$", out, re.M)
    return statuses, latency, errors.group(1) if errors else "none"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--port", type=int, default=18440)
    parser.add_argument("--binary", help="a custos binary to use instead of building the release one (figures need release)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    binary = args.binary
    if not binary:
        print("building custos (release) ...", flush=True)
        sh(["swift", "build", "-c", "release", "--product", "custos"], cwd=ROOT)
        binary = os.path.join(sh(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT).stdout.strip(), "custos")
    print(f"preparing a workspace of {args.customers} customers ...", flush=True)
    cache, tokens = prepare(binary, args.customers)
    server = subprocess.Popen([binary, "serve", "--workspace", os.path.join(cache, "ws"), "--listen", f"127.0.0.1:{args.port}",
                               "--rate-limit", "1000000", "--burst", "1000000", "--max-jobs", "256", "--max-jobs-per-principal", "256"],
                              stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz")
                break
            except OSError:
                time.sleep(0.1)
        scenarios = [
            ("(a) denied by policy", "POST", "/v1/jobs", '{"kind":"rules","purpose":"marketing.segmentation"}', {403}, 1),
            ("(b) GET /v1/budget", "GET", "/v1/budget", None, {200}, 0),
            ("(c) DP count job", "POST", "/v1/jobs",
             '{"kind":"stats","purpose":"analytics.reporting","dataset":"orders","epsilon":0.0001,"measures":["amount"],"clamp_upper":1500}',
             {200}, None),
        ]
        print(f"\n{args.connections} connections, {args.seconds} s each, {args.customers} customers, release build, loopback\n")
        print(f"{'scenario':24} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'statuses':24} {'audit entries':>14} {'per request':>11}")
        for name, method, path, body, expected, per_request in scenarios:
            before = audit_size(args.port, tokens["oscar"])
            statuses, latency, errors = wrk(args.port, tokens["alice"], method, path, body, args.seconds, args.connections)
            after = audit_size(args.port, tokens["oscar"])
            total = sum(statuses.values())
            rate = total / latency["seconds"]
            unexpected = {k: v for k, v in statuses.items() if int(k) not in expected}
            entries = after - before - 0  # the two /metrics scrapes are not audited
            ratio = entries / total if total else 0
            print(f"{name:24} {rate:9.0f} {latency['p50'] / 1000:8.2f} {latency['p99'] / 1000:8.2f} {json.dumps(statuses):24} {entries:14d} {ratio:11.2f}")
            if unexpected or errors != "none":
                print(f"   FAILED requests: {unexpected} socket errors: {errors}")
            # wrk stops counting at the deadline while up to one request per connection is still in
            # flight (and is audited), so the entries lie between the responses counted and that many more.
            if per_request and not (per_request * total <= entries <= per_request * (total + args.connections)):
                print(f"   MISMATCH: {entries} audit entries for {total} audited requests (+ at most {args.connections} in flight)")
            time.sleep(2)  # let requests in flight at the deadline finish before the next scenario counts
            if name.startswith("(a)"):
                print(f"   goal: >= 5000 decisions/s (ratio {rate / 5000:.2f}), p99 < 20 ms (ratio {latency['p99'] / 1000 / 20:.2f})")
    finally:
        server.terminate()
        server.wait(timeout=120)


if __name__ == "__main__":
    main()
