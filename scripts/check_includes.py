#!/usr/bin/env python3
"""Fails on a project include that points the wrong way (docs/architecture.md, "Who may include
whom"). A room is a folder under src/ (src/backends/lab is its own room: the lab's
implementations of core's ports); tests/, bench/ and fuzz/ may include any room but cli.
Known violations that a refactor has not removed yet are listed, one `file -> header` a line, in
scripts/include_allowlist.txt; an entry that no longer occurs is an error too, so the list only
shrinks."""
import pathlib
import re
import sys

# room -> the other rooms it may include (its own is always allowed).
MAY_INCLUDE = {
    "net": set(),
    "core": set(),
    "aws": {"net"},
    "db": {"net"},
    "lease": {"aws", "net"},
    "app": {"aws", "db", "lease", "net"},
    "lab": {"app", "aws", "db", "lease", "net"},
    "backends": {"core", "aws", "db", "lease", "net"},
    "backends/lab": {"backends", "core", "aws", "db", "lab", "lease", "net"},
    "backends/aws": {"backends", "core", "aws", "lease", "net"},
    "lab_aws": {"backends/lab", "backends", "core", "lab", "aws", "db", "net"},
    "lab_lambda": {"lab"},
    "controller": {"core"},
    "drill": {"controller", "backends", "core", "lab", "app", "aws", "db", "net"},
    "infra": {"core"},
    "lambda": {"controller", "backends", "backends/aws", "core", "aws", "net"},
    "cli": {"controller", "drill", "lab", "lab_aws", "lab_lambda", "infra", "backends", "backends/lab",
            "backends/aws", "core", "app", "aws", "db", "lambda", "lease", "net"},
}
OUTSIDE_SRC = {"tests", "bench", "fuzz"}
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def room_of_source(rel):
    parts = rel.parts
    if parts[0] in OUTSIDE_SRC:
        return parts[0]
    if parts[0] != "src" or len(parts) < 3:
        return None
    if parts[1] == "backends" and len(parts) > 3 and parts[2] in ("lab", "aws"):
        return "backends/" + parts[2]
    return parts[1]


def room_of_header(header):
    parts = pathlib.PurePosixPath(header).parts
    if len(parts) < 2:
        return None  # a sibling include ("foo.h"): same folder, same room
    if parts[0] == "backends" and len(parts) > 2 and parts[1] in ("lab", "aws"):
        return "backends/" + parts[1]
    return parts[0] if parts[0] in MAY_INCLUDE else None


def main():
    root = pathlib.Path(__file__).resolve().parent.parent
    allow_file = root / "scripts" / "include_allowlist.txt"
    allowed = set()
    for line in allow_file.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            allowed.add(line)
    seen_allowed = set()
    errors = []
    for top in ["src", *sorted(OUTSIDE_SRC)]:
        for path in sorted((root / top).rglob("*")):
            if path.suffix not in (".h", ".cc") or not path.is_file():
                continue
            rel = path.relative_to(root)
            room = room_of_source(rel)
            if room is None:
                continue
            for number, text in enumerate(path.read_text(errors="replace").splitlines(), 1):
                m = INCLUDE.match(text)
                if not m:
                    continue
                target = room_of_header(m.group(1))
                if target is None or target == room:
                    continue
                if room in OUTSIDE_SRC:
                    ok = target != "cli"
                else:
                    ok = target in MAY_INCLUDE.get(room, set())
                if ok:
                    continue
                key = f"{rel.as_posix()} -> {m.group(1)}"
                if key in allowed:
                    seen_allowed.add(key)
                    continue
                errors.append(f"{rel.as_posix()}:{number}: {room} may not include {m.group(1)} "
                              f"({target})")
    for stale in sorted(allowed - seen_allowed):
        errors.append(f"scripts/include_allowlist.txt: '{stale}' no longer occurs: remove it")
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print(f"{len(errors)} include(s) point the wrong way (docs/architecture.md, "
              "'Who may include whom')", file=sys.stderr)
        return 1
    print(f"includes point inward ({len(allowed)} known exception(s) left in "
          "scripts/include_allowlist.txt)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
