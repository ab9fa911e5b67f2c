#!/usr/bin/env python3
"""Checks the layering of libs/ against the link graph CMake computes (docs/ARCHITECTURE.md).

Configures the source tree into a scratch build folder with `cmake --graphviz`, then fails when:
  - a library includes a header of a library it does not link, directly or through PUBLIC
    (or INTERFACE) dependencies of what it links;
  - anything under libs/ includes gRPC or generated API headers, or headers of services/, or
    links gRPC or a services/ target;
  - the dependency graph of the libraries has a cycle;
  - a library folder has no include root of its own (churn_include_root);
  - a target named by --forbid links the other target it names, even indirectly.

Which target owns which header folder comes from the include roots churn_include_root creates:
<build>/include_roots/<target>/<prefix> -> <folder>.

Usage: check_layering.py --source <tree> --work <scratch folder> [--forbid <target>:<target>]...
       [--cmake-arg <arg>]...
"""

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

# graphviz edge styles of `cmake --graphviz`: none = PUBLIC, dotted = PRIVATE, dashed = INTERFACE.
EDGE = re.compile(r'^\s*"(node\d+)" -> "(node\d+)"(?: \[ style = (\w+) \])?')
NODE = re.compile(r'^\s*"(node\d+)" \[ label = "([^"]*)"')
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^">]+)[">]')
# Headers no library may include: gRPC and the generated API (services/ translates to them).
FORBIDDEN_IN_LIBS = ("grpcpp/", "grpc/", "grpc++/", "churn/v1/")
SOURCE_SUFFIXES = {".h", ".hh", ".hpp", ".cc", ".cpp", ".inc", ".in"}


def configure(source, work, cmake_args):
    work.mkdir(parents=True, exist_ok=True)
    dot = work / "links.dot"
    # One graph of every target, not also a file per target and its dependers.
    (work / "CMakeGraphVizOptions.cmake").write_text(
        "set(GRAPHVIZ_GENERATE_PER_TARGET FALSE)\nset(GRAPHVIZ_GENERATE_DEPENDERS FALSE)\n")
    run = subprocess.run(
        ["cmake", "-S", str(source), "-B", str(work), f"--graphviz={dot}", *cmake_args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if run.returncode != 0:
        sys.exit(f"check_layering: configuring {source} failed:\n{run.stdout}")
    return dot


def read_links(dot):
    """{target: {dependency: visibility}} with visibility PUBLIC, PRIVATE or INTERFACE."""
    names, links = {}, {}
    style_to_visibility = {None: "PUBLIC", "solid": "PUBLIC", "dotted": "PRIVATE",
                           "dashed": "INTERFACE"}
    edges = []
    for line in dot.read_text().splitlines():
        if line.lstrip().startswith("legendNode"):
            continue
        node = NODE.match(line)
        if node:
            names[node.group(1)] = node.group(2)
            continue
        edge = EDGE.match(line)
        if edge:
            edges.append(edge.groups())
    for src, dst, style in edges:
        links.setdefault(names[src], {})[names[dst]] = style_to_visibility[style]
    return links


def read_include_roots(work):
    """[(target, prefix, folder)] from the include roots churn_include_root made."""
    roots = []
    base = work / "include_roots"
    if not base.is_dir():
        return roots
    for target_dir in sorted(base.iterdir()):
        for entry in sorted(target_dir.iterdir()):
            if entry.is_symlink():  # a link to the whole header folder
                roots.append((target_dir.name, entry.name, Path(os.path.realpath(entry))))
                continue
            # HEADERS_OF_SOURCES: a folder of links to single headers.
            folders = {Path(os.path.realpath(header)).parent for header in entry.iterdir()}
            roots.extend((target_dir.name, entry.name, folder) for folder in sorted(folders))
    return roots


def usable(target, links):
    """The targets whose headers `target` may include: itself, what it links, and what those
    export (PUBLIC or INTERFACE), transitively."""
    seen = {target}
    todo = list(links.get(target, {}))
    while todo:
        dep = todo.pop()
        if dep in seen:
            continue
        seen.add(dep)
        todo.extend(d for d, vis in links.get(dep, {}).items() if vis != "PRIVATE")
    return seen


def linked(target, links):
    """Every target `target` links, at any depth and visibility."""
    seen, todo = set(), list(links.get(target, {}))
    while todo:
        dep = todo.pop()
        if dep not in seen:
            seen.add(dep)
            todo.extend(links.get(dep, {}))
    return seen


def find_cycle(nodes, links):
    """One dependency cycle among `nodes` as a list of targets, or None."""
    state = {}

    def visit(node, path):
        state[node] = "open"
        path.append(node)
        for dep in sorted(links.get(node, {})):
            if dep not in nodes:
                continue
            if state.get(dep) == "open":
                return path[path.index(dep):] + [dep]
            if dep not in state:
                cycle = visit(dep, path)
                if cycle:
                    return cycle
        path.pop()
        state[node] = "done"
        return None

    for node in sorted(nodes):
        if node not in state:
            cycle = visit(node, [])
            if cycle:
                return cycle
    return None


def check(source, work, forbids, cmake_args):
    source = Path(os.path.realpath(source))
    links = read_links(configure(source, work, cmake_args))
    roots = read_include_roots(work)
    libs_dir, services_dir = source / "libs", source / "services"

    owners_of_prefix = {}   # "dataset" -> {"churn_dataset"}
    owners_of_folder = {}   # libs/dataset -> {"churn_dataset"}
    service_targets = set()
    for target, prefix, folder in roots:
        owners_of_prefix.setdefault(prefix, set()).add(target)
        owners_of_folder.setdefault(folder, set()).add(target)
        if folder.is_relative_to(services_dir):
            service_targets.add(target)
    lib_targets = {t for f, ts in owners_of_folder.items() if f.is_relative_to(libs_dir) for t in ts}

    errors = []
    lib_folders = sorted(p.parent for p in libs_dir.glob("*/CMakeLists.txt"))
    includes_checked = 0
    for folder in lib_folders:
        owners = owners_of_folder.get(folder)
        rel_folder = folder.relative_to(source)
        if not owners:
            errors.append(f"{rel_folder}: no include root of its own (call churn_include_root)")
            continue
        may_use = set().union(*(usable(t, links) for t in owners))
        for path in sorted(folder.rglob("*")):
            if path.suffix not in SOURCE_SUFFIXES or not path.is_file():
                continue
            rel = path.relative_to(source)
            for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                match = INCLUDE.match(line)
                if not match:
                    continue
                header = match.group(1)
                includes_checked += 1
                where = f"{rel}:{number}: includes {header}"
                if header.startswith(FORBIDDEN_IN_LIBS):
                    errors.append(f"{where}: libs/ hold no gRPC or generated API code")
                    continue
                if header.startswith("../") or "services/" in header:
                    errors.append(f"{where}: includes reach only through include roots")
                    continue
                prefix = header.split("/", 1)[0] if "/" in header else None
                owners_of_header = owners_of_prefix.get(prefix, set())
                if owners_of_header & service_targets:
                    errors.append(f"{where}: libs/ must not use services/")
                elif owners_of_header and not owners_of_header & may_use:
                    errors.append(f"{where}: {' '.join(sorted(owners))} does not link "
                                  f"{' or '.join(sorted(owners_of_header))} (directly or "
                                  "through PUBLIC dependencies)")

    for target in sorted(lib_targets):
        for dep in sorted(linked(target, links)):
            if dep.startswith(("gRPC::", "grpc")) or dep in service_targets:
                errors.append(f"{target} links {dep}: libs/ hold no gRPC and use no services/")

    cycle = find_cycle(lib_targets, links)
    if cycle:
        errors.append("the libraries depend on each other in a cycle: " + " -> ".join(cycle))

    for forbid in forbids:
        target, _, shunned = forbid.partition(":")
        if target not in links:
            errors.append(f"--forbid {forbid}: no target {target} in the link graph")
        elif shunned in linked(target, links):
            errors.append(f"{target} links {shunned} (directly or indirectly): it must not")

    for error in errors:
        print(f"layering: {error}")
    if errors:
        print(f"layering: {len(errors)} violation(s)")
        return 1
    print(f"layering: ok: {len(lib_targets)} libraries, {includes_checked} includes, no cycle")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True, type=Path)
    parser.add_argument("--work", required=True, type=Path)
    parser.add_argument("--forbid", action="append", default=[], metavar="TARGET:TARGET")
    parser.add_argument("--cmake-arg", action="append", default=[])
    args = parser.parse_args()
    return check(args.source, args.work, args.forbid, args.cmake_arg)


if __name__ == "__main__":
    sys.exit(main())
