"""Prints every failing Node test of a TAP file with its location and error, for the end of the test run.

The spec reporter prints failures where they happen, hundreds of lines above the summary; a log cut to
its last lines (a CI page, a terminal's scrollback) then names no reason. This repeats each failing
test (suites that failed only because a subtest did are left out) next to the summary line.
"""
import re
import sys

MAX_ERROR_LINES = 12
NOT_OK = re.compile(r"^(\s*)not ok \d+ - (.*)$")


def failures(lines):
    """Yields (name, fields) for each `not ok` entry; fields are the YAML block's top-level keys."""
    i = 0
    while i < len(lines):
        m = NOT_OK.match(lines[i])
        i += 1
        if not m:
            continue
        indent = m.group(1) + "  "
        fields, key = {}, None
        if i < len(lines) and lines[i].strip() == "---":
            i += 1
            while i < len(lines) and lines[i].rstrip() != indent + "...":
                line = lines[i]
                i += 1
                if line.startswith(indent) and not line.startswith(indent + " ") and ":" in line:
                    key, _, value = line[len(indent) :].partition(":")
                    value = value.strip()
                    fields[key] = [] if value in ("|-", "|", ">-") else [value.strip("'")]
                elif key is not None:
                    fields[key].append(line[len(indent) + 2 :])
        yield m.group(2), fields


def main(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    shown = 0
    for name, fields in failures(lines):
        if fields.get("failureType") == ["subtestsFailed"]:
            continue
        shown += 1
        location = (fields.get("location") or ["?"])[0]
        print(f"\n✖ {name}\n  at {location}")
        error = [line for line in fields.get("error", []) if line.strip()]
        for line in error[:MAX_ERROR_LINES]:
            print(f"  {line}")
        if len(error) > MAX_ERROR_LINES:
            print(f"  ... ({len(error) - MAX_ERROR_LINES} more lines in the TAP file)")
    if shown:
        print(f"\n{shown} failing test(s); the full report is in {path}")


if __name__ == "__main__":
    main(sys.argv[1])
