#!/usr/bin/env python3
"""Fails when a Swift file imports a module its target does not declare as a dependency in
Package.swift (SwiftPM lets a target import anything in its transitive closure, so an undeclared
edge would otherwise compile). Reads `swift package dump-package`; system modules (Foundation,
Glibc, Dispatch, XCTest, Testing, Synchronization) are always allowed.

Usage: python3 scripts/check-imports.py   (from the package root)
"""
import json
import os
import re
import subprocess
import sys

SYSTEM = {"Foundation", "FoundationEssentials", "Glibc", "Darwin", "Dispatch", "XCTest", "Testing", "Synchronization",
          "PackageDescription", "os", "Musl"}
IMPORT = re.compile(rb"^\s*(?:@[\w()]+\s+)*(?:(?:public|package|internal|private|fileprivate)\s+)?import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?(\w+)", re.M)


def main() -> int:
    package = json.loads(subprocess.run(["swift", "package", "dump-package"], capture_output=True, check=True).stdout)
    problems = []
    for target in package["targets"]:
        if target["type"] == "system":
            continue
        declared = set()
        for dep in target["dependencies"]:
            kind, value = next(iter(dep.items()))
            declared.add(value[0])
        default = {"test": "Tests", "executable": "Sources", "regular": "Sources"}.get(target["type"], "Sources")
        path = target.get("path") or os.path.join(default, target["name"])
        for root, _, files in os.walk(path):
            for name in files:
                if not name.endswith(".swift"):
                    continue
                file = os.path.join(root, name)
                with open(file, "rb") as handle:
                    for module in IMPORT.findall(handle.read()):
                        module = module.decode()
                        if module in SYSTEM or module in declared or module == target["name"]:
                            continue
                        problems.append(f"{file}: imports {module}, which target {target['name']} does not declare in Package.swift")
    for problem in sorted(set(problems)):
        print(problem)
    if problems:
        print(f"{len(set(problems))} undeclared import(s): add the dependency to Package.swift or drop the import", file=sys.stderr)
        return 1
    print("imports: every target imports only what Package.swift declares")
    return 0


if __name__ == "__main__":
    sys.exit(main())
