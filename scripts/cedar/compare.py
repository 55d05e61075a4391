#!/usr/bin/env python3
"""Translate the Custos policies to Cedar and record Cedar's decisions on random requests.

Reference/comparison tool only (never a runtime dependency). Requires: pip install cedarpy pyyaml

    python3 scripts/cedar/compare.py [--policies policies] [--count 3000] [--seed 20250301] [--no-swift]

What it does
1. Reads policies/ (datasets, roles, principals, purposes, rules) with PyYAML.
2. Writes scripts/cedar/policies.cedar: the same rules in Cedar, using this encoding:
   - principal  Actor::"<id>"   attrs roles (set), disabled, subject (data subjects)
   - resource   Column::"<dataset>.<column>" attrs dataset, name, class, category
                Dataset::"<dataset>"          attrs dataset
   - actions    use_allow, use_pseudonymize, use_generalize, use_dp_only (one per treatment,
                most to least permissive) on columns; run on the dataset (request-level checks)
   - context    role, purpose, mode, has_scope, scope, has_epsilon, epsilon (decimal)
   A Custos permit entry "column: T" becomes a Cedar permit of every level at least as
   restrictive as T plus a Cedar forbid of the more permissive levels, both under the permit's
   scope. Since Cedar forbids always win, a column's treatment is the most permissive level Cedar
   still allows, which is exactly the most restrictive treatment among the applicable permits;
   none allowed means deny. Within-permit specificity (name > class > "*") becomes exclusions;
   the direct-identifier guard, purpose data categories and dp_only-outside-DP become forbids.
3. Draws --count random requests (seeded; half aimed at a permit's scope), asks cedarpy for every
   (request, column, level) and the run action, and writes scripts/cedar/cedar-decisions.tsv:
   a header with the policy version, then one tab-separated line per request with Cedar's decision and
   treatments. Tests/CustosGovernanceTests/CedarAgreementTests.swift replays these lines through
   Custos and requires agreement on every one.
4. Unless --no-swift, runs that test and prints its verdict.

Not modelled in Cedar (checked elsewhere): token authentication, row-filter columns refused by a
forbid (PolicyChecker rejects such policies), reason texts.
"""
import argparse
import hashlib
import json
import os
import pathlib
import random
import subprocess
import sys

import cedarpy
import yaml

LEVELS = ["allow", "pseudonymize", "generalize", "dp_only"]
ACTIONS = {t: f'Action::"use_{t}"' for t in LEVELS}
ALL_LEVELS = "[" + ", ".join(ACTIONS[t] for t in LEVELS) + "]"
IDENTIFYING = ["reidentified_export", "subject_access"]
MODES = ["dp_aggregate", "pseudonymous_aggregate", "pseudonymous_records", "reidentified_export", "subject_access"]
HERE = pathlib.Path(__file__).resolve().parent


def q(s):
    return json.dumps(s)


def load(policies):
    def y(path):
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)

    datasets = {}
    for p in sorted((policies / "datasets").glob("*.yaml")):
        d = y(p)
        datasets[d["dataset"]] = [
            {"name": c["name"], "class": c["class"], "category": c.get("category", "user")} for c in d["columns"]
        ]
    purposes = {p["key"]: p["data_categories"] for p in y(policies / "purposes.yaml")["purposes"]}
    roles = [r["name"] for r in y(policies / "roles.yaml")["roles"]]
    principals = {p["id"]: p for p in y(policies / "principals.yaml")["principals"]}
    rules = []
    for p in sorted((policies / "rules").glob("*.yaml")):
        rules += y(p)["rules"]
    return datasets, purposes, roles, principals, rules


def policy_version(policies):
    """Same manifest digest as Custos (PolicyVersion.swift / policies/README.md)."""
    lines = []
    for root, dirs, files in os.walk(policies):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith("."):
                continue
            rel = os.path.relpath(os.path.join(root, name), policies).replace(os.sep, "/")
            if rel == "README.md" or rel.startswith("tests/"):
                continue
            with open(os.path.join(root, name), "rb") as f:
                lines.append((rel.encode(), hashlib.sha256(f.read()).hexdigest()))
    lines.sort()
    manifest = "".join(f"{h}  {p.decode()}\n" for p, h in lines)
    return hashlib.sha256(manifest.encode()).hexdigest()


def any_of(conds):
    return "(" + " || ".join(conds) + ")" if conds else "false"


def all_of(conds):
    conds = [c for c in conds if c]
    return " && ".join(conds) if conds else "true"


def pattern(expr, patterns):
    """Custos KeyPattern: '*', 'a.*' (a and below), or exact."""
    if not patterns or "*" in patterns:
        return None
    out = []
    for p in patterns:
        if p.endswith(".*"):
            stem = p[:-2]
            out.append(f'{expr} == {q(stem)} || {expr} like {q(stem + ".*")}')
        else:
            out.append(f"{expr} == {q(p)}")
    return any_of(out)


def scope(rule):
    conds = [pattern("context.role", rule.get("roles")), pattern("context.purpose", rule.get("purposes")),
             pattern("resource.dataset", rule.get("datasets"))]
    modes = rule.get("output_modes") or []
    if modes:
        conds.append(any_of([f"context.mode == {q(m)}" for m in modes]))
    if rule.get("requires_subject_scope"):
        conds.append("context.has_scope")
    return conds


PRINCIPAL_OK = "principal has roles && principal.roles.contains(context.role) && !principal.disabled"


def selector(sel):
    if sel == "*":
        return "true"
    if sel.startswith("class:"):
        return f"resource.class == {q(sel[6:])}"
    return f"resource.name == {q(sel)}"


def translate(datasets, purposes, rules):
    out = []

    def emit(effect, actions, conds, note):
        out.append(f"// {note}\n{effect}(principal, action in {actions}, resource)\nwhen {{ {all_of(conds)} }};\n")

    for rule in sorted(rules, key=lambda r: r["id"]):
        rid = rule["id"]
        if rule["effect"] == "forbid":
            cols = rule.get("columns") or ["*"]
            emit("forbid", ALL_LEVELS, scope(rule) + ['resource has name', any_of([selector(s) for s in cols])], f"{rid}: columns")
            continue
        entries = rule["columns"]
        names = [s for s in entries if s != "*" and not s.startswith("class:")]
        classes = [s[6:] for s in entries if s.startswith("class:")]
        base = scope(rule) + [PRINCIPAL_OK, "resource has name"]
        emit("permit", '[Action::"run"]', scope(rule) + [PRINCIPAL_OK], f"{rid}: request")
        for sel, t in entries.items():
            if sel == "*":
                sel_cond = [f"!(resource.name == {q(n)})" for n in names] + [f"!(resource.class == {q(c)})" for c in classes]
            elif sel.startswith("class:"):
                sel_cond = [selector(sel)] + [f"!(resource.name == {q(n)})" for n in names]
            else:
                sel_cond = [selector(sel)]
            cond = base + sel_cond
            if t == "deny":
                emit("forbid", ALL_LEVELS, cond, f"{rid}: {sel} deny")
                continue
            i = LEVELS.index(t)
            emit("permit", "[" + ", ".join(ACTIONS[x] for x in LEVELS[i:]) + "]", cond, f"{rid}: {sel} {t}")
            if i > 0:
                emit("forbid", "[" + ", ".join(ACTIONS[x] for x in LEVELS[:i]) + "]", cond, f"{rid}: {sel} no more permissive than {t}")
            if t == "allow":
                identifier = cond + ['resource.class == "direct_identifier"']
                if rule.get("allow_direct_identifiers") and sel != "*":
                    identifier.append("!" + any_of([f"context.mode == {q(m)}" for m in IDENTIFYING]))
                emit("forbid", ALL_LEVELS, identifier, f"{rid}: {sel} direct-identifier guard")
        budget = rule.get("budget") or {}
        for key in ("epsilon_per_job", "epsilon_per_period"):
            if key in budget:
                emit("forbid", '[Action::"run"]', scope(rule) + ['context.mode == "dp_aggregate"',
                     f'context.epsilon.greaterThan(decimal("{float(budget[key]):.4f}"))'], f"{rid}: {key}")

    for key, cats in sorted(purposes.items()):
        covered = any_of([f"resource.category == {q(c)} || resource.category like {q(c + '.*')}" for c in cats])
        emit("forbid", ALL_LEVELS, [f"context.purpose == {q(key)}", "resource has category", "!" + covered], f"purpose {key}: data categories")
    emit("forbid", f'[{ACTIONS["dp_only"]}]', ['context.mode != "dp_aggregate"'], "dp_only only inside DP aggregates")

    permits = [r for r in rules if r["effect"] == "permit"]
    with_job = [all_of(scope(r)) for r in permits if "epsilon_per_job" in (r.get("budget") or {})]
    with_group = [all_of(scope(r)) for r in permits if "min_group_size" in r]
    emit("forbid", '[Action::"run"]', ['context.mode == "dp_aggregate"', "!" + any_of([f"({c})" for c in with_job])], "DP needs a per-job limit")
    emit("forbid", '[Action::"run"]', ['context.mode == "pseudonymous_aggregate"', "!" + any_of([f"({c})" for c in with_group])], "pseudonymous aggregates need a group size")
    emit("forbid", '[Action::"run"]', ['context.mode == "dp_aggregate"', '!(context.has_epsilon && context.epsilon.greaterThan(decimal("0.0")))'], "DP needs a positive epsilon")
    emit("forbid", '[Action::"run"]', ['context.mode != "dp_aggregate"', "context.has_epsilon",
         '(context.epsilon.greaterThan(decimal("0.0")) || context.epsilon.lessThan(decimal("0.0")))'], "no epsilon outside DP")
    emit("forbid", '[Action::"run"]', ['context.mode == "subject_access"', "!context.has_scope"], "subject access is one subject")
    emit("forbid", '[Action::"run"]', ['context.role == "data_subject"',
         '!(context.mode == "subject_access" && context.has_scope && principal has subject && principal.subject == context.scope)'],
         "data subjects read only themselves")
    return "\n".join(out)


def entities(datasets, principals):
    ents = []
    for pid, p in principals.items():
        attrs = {"roles": p["roles"], "disabled": bool(p.get("disabled", False))}
        if "subject" in p:
            attrs["subject"] = p["subject"]
        ents.append({"uid": {"type": "Actor", "id": pid}, "attrs": attrs, "parents": []})
    for name, cols in datasets.items():
        ents.append({"uid": {"type": "Dataset", "id": name}, "attrs": {"dataset": name}, "parents": []})
        for c in cols:
            ents.append({"uid": {"type": "Column", "id": f"{name}.{c['name']}"},
                         "attrs": {"dataset": name, "name": c["name"], "class": c["class"], "category": c["category"]}, "parents": []})
    return ents


def requests(datasets, purposes, roles, principals, rules, count, seed):
    rng = random.Random(seed)
    permits = [r for r in rules if r["effect"] == "permit"]

    def covers(patterns, v):
        return any(p == "*" or p == v or (p.endswith(".*") and (v == p[:-2] or v.startswith(p[:-1]))) for p in patterns)

    out = []
    for _ in range(count):
        role = rng.choice(roles + ["wizard"])
        purpose = rng.choice(sorted(purposes) + ["analytics.everything"])
        dataset = rng.choice(sorted(datasets))
        mode = rng.choice(MODES)
        if rng.random() < 0.5:
            p = rng.choice(permits)
            role = rng.choice([r for r in roles if covers(p["roles"], r)])
            purpose = rng.choice([k for k in sorted(purposes) if covers(p["purposes"], k)])
            dataset = rng.choice([d for d in sorted(datasets) if covers(p["datasets"], d)])
            mode = rng.choice(p["output_modes"])
        holders = [pid for pid, pr in sorted(principals.items()) if role in pr["roles"]]
        principal = rng.choice(holders) if holders and rng.random() < 0.85 else rng.choice(sorted(principals) + ["mallory"])
        names = [c["name"] for c in datasets[dataset]]
        columns = rng.sample(names, rng.randint(1, min(4, len(names))))
        if rng.random() < 0.03:
            columns.append("colour")
        epsilon = None
        if mode == "dp_aggregate":
            epsilon = rng.choice([None, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 9.0])
        elif rng.random() < 0.1:
            epsilon = 0.3
        scope = None
        if role == "data_subject" and rng.random() < 0.8:
            scope = principals.get(principal, {}).get("subject", "ab12")
        elif rng.random() < 0.5:
            scope = rng.choice(["5f0c2a9e4b7d13c8a6e2f19d0b3c7a41", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"])
        out.append({"principal": principal, "role": role, "purpose": purpose, "dataset": dataset, "columns": columns,
                    "mode": mode, "epsilon": epsilon, "scope": scope})
    return out


def decide(reqs, policy_text, ents):
    ps = cedarpy.PolicySet.from_str(policy_text)
    es = cedarpy.Entities.from_json_str(json.dumps(ents))
    batch, index = [], []
    for i, r in enumerate(reqs):
        ctx = {"role": r["role"], "purpose": r["purpose"], "mode": r["mode"], "has_scope": r["scope"] is not None,
               "scope": r["scope"] or "", "has_epsilon": r["epsilon"] is not None,
               "epsilon": {"__extn": {"fn": "decimal", "arg": f"{(r['epsilon'] or 0.0):.4f}"}}}
        who = f'Actor::{q(r["principal"])}'
        batch.append({"principal": who, "action": 'Action::"run"', "resource": f'Dataset::{q(r["dataset"])}', "context": ctx})
        index.append((i, None, None))
        for c in r["columns"]:
            for t in LEVELS:
                batch.append({"principal": who, "action": ACTIONS[t], "resource": f'Column::{q(r["dataset"] + "." + c)}', "context": ctx})
                index.append((i, c, t))
    results = cedarpy.is_authorized_batch(batch, ps, es)
    run = [False] * len(reqs)
    allowed = [dict() for _ in reqs]
    for (i, c, t), res in zip(index, results):
        if c is None:
            run[i] = res.allowed
        elif res.allowed:
            allowed[i].setdefault(c, []).append(t)
    out = []
    for i, r in enumerate(reqs):
        treatments = {c: min(allowed[i].get(c, ["deny"]), key=lambda t: LEVELS.index(t) if t in LEVELS else 99) for c in r["columns"]}
        out.append({**r, "cedar_allow": run[i] and all(t != "deny" for t in treatments.values()), "cedar_run": run[i],
                    "cedar_treatments": treatments})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--policies", default=str(HERE.parent.parent / "policies"))
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=20250301)
    ap.add_argument("--no-swift", action="store_true", help="do not run the Swift agreement test")
    args = ap.parse_args()
    policies = pathlib.Path(args.policies)
    datasets, purposes, roles, principals, rules = load(policies)
    text = translate(datasets, purposes, rules)
    (HERE / "policies.cedar").write_text("// Generated by scripts/cedar/compare.py from policies/; do not edit.\n\n" + text, encoding="utf-8")
    reqs = requests(datasets, purposes, roles, principals, rules, args.count, args.seed)
    decided = decide(reqs, text, entities(datasets, principals))
    version = policy_version(policies)
    with open(HERE / "cedar-decisions.tsv", "w", encoding="utf-8") as f:
        f.write(f"# policy_version={version}\tseed={args.seed}\tcount={args.count}\n")
        f.write("principal\trole\tpurpose\tdataset\tcolumns\tmode\tepsilon\tscope\tcedar_allow\tcedar_treatments\n")
        for d in decided:
            eps = "" if d["epsilon"] is None else repr(d["epsilon"])
            f.write("\t".join([d["principal"], d["role"], d["purpose"], d["dataset"], ",".join(d["columns"]), d["mode"], eps,
                               d["scope"] or "", "1" if d["cedar_allow"] else "0",
                               ",".join(d["cedar_treatments"][c] for c in d["columns"])]) + "\n")
    allowed = sum(d["cedar_allow"] for d in decided)
    tally = {}
    for d in decided:
        for t in d["cedar_treatments"].values():
            tally[t] = tally.get(t, 0) + 1
    print(f"policy version {version[:16]}…  {len(text.splitlines())} lines of Cedar in scripts/cedar/policies.cedar")
    print(f"cedar: {len(decided)} requests, {allowed} allowed; column treatments {dict(sorted(tally.items()))}")
    if args.no_swift:
        return 0
    root = HERE.parent.parent
    proc = subprocess.run(["swift", "test", "--filter", "CedarAgreementTests"], cwd=root, capture_output=True, text=True)
    for line in (proc.stdout + proc.stderr).splitlines():
        if "cedar agreement" in line or "error:" in line or "Executed" in line:
            print(line)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
