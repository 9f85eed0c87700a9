#!/usr/bin/env python3
"""explain-coverage.py - no explanation template without a test that shows it.

Every sentence the tracer can say comes from a say() call (or a bit table) in
tracer/explain*.c. For each one, the longest piece of fixed text between its printf
conversions must appear in an assertion of the tests given on the command line (the unit
test on hand-made steps, the corpus on real KVM). A new template that no test asserts fails
here, with its file and line.

usage: explain-coverage.py SOURCE_DIR TEST_FILE...
"""
import glob
import os
import re
import sys

LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')


def unescape(s):
    return s.replace('\\"', '"').replace("\\\\", "\\").replace("\\n", "\n")


def joined_literals(text):
    """The text with adjacent C string literals ("a" "b", across lines) joined into one."""
    return re.sub(r'"\s*\n\s*"', "", text)


def longest_fixed(fmt):
    pieces = re.split(r"%[-0-9.*]*(?:ll|l|h|z)?[a-zA-Z%]", fmt)
    return max(pieces, key=len).strip(" ;:,()")


def templates(src):
    """(file, line, fixed text) for every say() call and every bit-table sentence."""
    for path in sorted(glob.glob(os.path.join(src, "tracer", "explain*.c"))):
        text = open(path).read()
        calls = r"\b(?:say\(o,|snprintf\(buf, len,)\s*((?:\"(?:[^\"\\]|\\.)*\"\s*)+)"
        for m in re.finditer(calls, text):
            fmt = "".join(unescape(x) for x in LITERAL.findall(m.group(1)))
            line = text.count("\n", 0, m.start()) + 1
            before = text[text.rfind("\n", 0, text.rfind("\n", 0, m.start())):m.start()]
            if "explain-coverage:" in before:
                continue  # a frame for sentences checked one by one (a table, a helper)
            yield path, line, longest_fixed(fmt)
        for m in re.finditer(r"\{\s*X86_\w+\((\w+)\),\s*((?:\"(?:[^\"\\]|\\.)*\"\s*,?\s*)+)\}", text):
            line = text.count("\n", 0, m.start()) + 1
            for s in LITERAL.findall(m.group(2))[2:]:
                yield path, line, unescape(s)


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    corpus = ""
    for t in sys.argv[2:]:
        corpus += unescape(joined_literals(open(t).read())) + "\n"
    missing = 0
    count = 0
    for path, line, fixed in templates(sys.argv[1]):
        count += 1
        if len(fixed) < 6:
            print(f"FAIL {os.path.relpath(path, sys.argv[1])}:{line}: too little fixed text to find "
                  f"('{fixed}'): give the sentence words of its own")
            missing += 1
        elif fixed not in corpus:
            print(f"FAIL {os.path.relpath(path, sys.argv[1])}:{line}: no test asserts '{fixed}'")
            missing += 1
    print(f"{count - missing} of {count} explanation templates asserted by a test")
    return 1 if missing or count < 50 else 0


sys.exit(main())
