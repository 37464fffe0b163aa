#!/usr/bin/env python3
"""Checks the module layering that ARCHITECTURE.md describes, from Package.swift and the sources' imports.

1. Every package module a source file imports is a declared dependency of its target (tests included).
2. No module imports one of its own layer or above (LAYERS below, lowest first).
3. SQL appears only in SkyStorage (and in Schemas/corpus.sql).
Exit status 1 with one line per violation; 0 and a summary otherwise.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

# Lowest first. A module may import modules of lower layers only.
LAYERS = [
    ["CSkyCodecs", "CSkyBLAS", "CSkyKernels", "CSkyHNSW", "SkySchemas", "SkyConcurrency"],
    ["SkyImaging", "SkyStorage"],
    ["SkyGeometry", "SkyHashing", "SkyCLIP", "SkyIndex"],
    ["SkyDatasets", "SkyText"],
    ["SkyPipeline", "SkySearch"],
    ["SkyServer", "SkyRecipe"],
    ["SkyBuild"],
    ["SkyCorpusCLI", "SkyBench", "SkyTestSupport"],
]
LAYER = {name: index for index, names in enumerate(LAYERS) for name in names}

SQL = re.compile(r'\b(sql:|SELECT\s+\S+.*\bFROM\b|INSERT\s+(OR\s+\w+\s+)?INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b)')


def targets():
    """(name, kind, path, dependencies) of every target in Package.swift."""
    text = (ROOT / "Package.swift").read_text()
    found = []
    for match in re.finditer(r'\.(target|testTarget|executableTarget|systemLibrary)\(\s*name:\s*"(\w+)"', text):
        kind, name = match.group(1), match.group(2)
        # The target's text runs to the next target declaration.
        rest = text[match.end():]
        end = re.search(r'\.(target|testTarget|executableTarget|systemLibrary)\(', rest)
        body = rest[: end.start()] if end else rest
        deps = set()
        dep_match = re.search(r'dependencies:\s*\[(.*?)\]\s*(,|\))', body, re.S)
        if dep_match:
            deps |= set(re.findall(r'"(\w+)"', re.sub(r'package:\s*"[^"]*"', "", dep_match.group(1))))
        path_match = re.search(r'path:\s*"([^"]+)"', body)
        default = ("Tests/" if kind == "testTarget" else "Sources/") + name
        found.append((name, kind, ROOT / (path_match.group(1) if path_match else default), deps))
    return found


def main():
    problems = []
    all_targets = targets()
    modules = {name for name, *_ in all_targets}
    files = 0
    for name, kind, path, deps in all_targets:
        if not path.exists():
            continue
        for source in sorted(path.rglob("*.swift")):
            if "Fixtures" in source.parts:
                continue
            files += 1
            text = source.read_text(errors="replace")
            relative = source.relative_to(ROOT)
            for imported in re.findall(r'^\s*(?:@testable\s+)?import\s+(\w+)', text, re.M):
                if imported not in modules or imported == name:
                    continue
                if imported not in deps:
                    problems.append(f"{relative}: imports {imported}, which target {name} does not declare")
                if kind != "testTarget" and name in LAYER and imported in LAYER and LAYER[imported] >= LAYER[name]:
                    problems.append(f"{relative}: {name} (layer {LAYER[name]}) imports {imported} "
                                    f"(layer {LAYER[imported]}); dependencies flow downward only")
            if kind != "testTarget" and name != "SkyStorage" and path.parts[-2] != "Tests":
                for number, line in enumerate(text.splitlines(), 1):
                    if line.strip().startswith("//"):
                        continue
                    if SQL.search(line):
                        problems.append(f"{relative}:{number}: SQL outside SkyStorage: {line.strip()[:80]}")
        if kind != "testTarget" and name not in LAYER and kind != "systemLibrary" and not name.startswith("CSky"):
            problems.append(f"Package.swift: target {name} has no layer in Scripts/check_layers.py")
    for problem in problems:
        print(problem)
    if problems:
        print(f"check_layers: {len(problems)} problems", file=sys.stderr)
        return 1
    print(f"check_layers: {len(all_targets)} targets, {files} Swift files: imports declared, layers downward, "
          "SQL only in SkyStorage")
    return 0


if __name__ == "__main__":
    sys.exit(main())
