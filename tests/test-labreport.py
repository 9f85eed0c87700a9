#!/usr/bin/env python3
"""Feed the lab reports to standard consumers.

Usage: test-labreport.py TEST_LABREPORT_EXE

The executable writes each format for a small report, plain and "nasty"
(control characters, invalid UTF-8, markup).  Checked here: the Gradescope
JSON loads with json and has Gradescope's documented fields; the JUnit XML is
well-formed and, when xmllint is installed, valid against a JUnit schema in
the shape of Jenkins' junit-10.xsd; the TAP parses with Perl's TAP::Parser
(what prove uses) with no parse errors, and its YAML blocks load with PyYAML
when that is installed.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

EXE = sys.argv[1]
failures = 0
checks = 0


def check(cond, what):
    global failures, checks
    checks += 1
    if not cond:
        failures += 1
        print("FAIL:", what, file=sys.stderr)


def emit(fmt, nasty):
    args = [EXE, "--emit", fmt] + (["nasty"] if nasty else [])
    return subprocess.run(args, check=True, capture_output=True).stdout


def gradescope(nasty):
    doc = json.loads(emit("gradescope", nasty).decode("utf-8"))
    check(isinstance(doc["score"], (int, float)), "score is a number")
    check(isinstance(doc["execution_time"], (int, float)), "execution_time is a number")
    check(isinstance(doc["output"], str), "output is a string")
    tests = doc["tests"]
    check(len(tests) == 5, "five tests")
    for t in tests:
        check(set(t) <= {"name", "number", "score", "max_score", "status", "output",
                         "visibility", "output_format", "tags", "name_format", "extra_data"},
              "only documented test fields: %s" % sorted(t))
        check(t["status"] in ("passed", "failed"), "status " + t["status"])
        check(t["visibility"] in ("visible", "hidden", "after_due_date", "after_published"),
              "visibility " + t["visibility"])
        check(0 <= t["score"] <= t["max_score"], "score within max_score")
    check(sum(t["score"] for t in tests) == doc["score"], "score is the sum of the tests")
    if nasty:
        check("\\xff\\xfe" in doc["output"], "invalid UTF-8 shown as \\xNN text")
        check("\x07" in doc["output"], "control characters survive JSON escaping")


JUNIT_XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
  <xs:element name="failure"><xs:complexType mixed="true">
    <xs:attribute name="type" type="xs:string"/><xs:attribute name="message" type="xs:string"/>
  </xs:complexType></xs:element>
  <xs:element name="error"><xs:complexType mixed="true">
    <xs:attribute name="type" type="xs:string"/><xs:attribute name="message" type="xs:string"/>
  </xs:complexType></xs:element>
  <xs:element name="skipped"><xs:complexType mixed="true">
    <xs:attribute name="message" type="xs:string"/>
  </xs:complexType></xs:element>
  <xs:element name="system-out" type="xs:string"/>
  <xs:element name="system-err" type="xs:string"/>
  <xs:element name="properties"><xs:complexType><xs:sequence>
    <xs:element name="property" maxOccurs="unbounded"><xs:complexType>
      <xs:attribute name="name" type="xs:string" use="required"/>
      <xs:attribute name="value" type="xs:string" use="required"/>
    </xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
  <xs:element name="testcase"><xs:complexType><xs:sequence>
    <xs:element ref="skipped" minOccurs="0"/>
    <xs:element ref="error" minOccurs="0" maxOccurs="unbounded"/>
    <xs:element ref="failure" minOccurs="0" maxOccurs="unbounded"/>
    <xs:element ref="system-out" minOccurs="0" maxOccurs="unbounded"/>
    <xs:element ref="system-err" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence>
    <xs:attribute name="name" type="xs:string" use="required"/>
    <xs:attribute name="assertions" type="xs:string"/>
    <xs:attribute name="time" type="xs:string"/>
    <xs:attribute name="classname" type="xs:string"/>
    <xs:attribute name="status" type="xs:string"/>
  </xs:complexType></xs:element>
  <xs:element name="testsuite"><xs:complexType><xs:sequence>
    <xs:element ref="properties" minOccurs="0"/>
    <xs:element ref="testcase" minOccurs="0" maxOccurs="unbounded"/>
    <xs:element ref="system-out" minOccurs="0"/>
    <xs:element ref="system-err" minOccurs="0"/>
  </xs:sequence>
    <xs:attribute name="name" type="xs:string" use="required"/>
    <xs:attribute name="tests" type="xs:string" use="required"/>
    <xs:attribute name="failures" type="xs:string"/>
    <xs:attribute name="errors" type="xs:string"/>
    <xs:attribute name="time" type="xs:string"/>
    <xs:attribute name="disabled" type="xs:string"/>
    <xs:attribute name="skipped" type="xs:string"/>
    <xs:attribute name="timestamp" type="xs:string"/>
    <xs:attribute name="hostname" type="xs:string"/>
    <xs:attribute name="id" type="xs:string"/>
    <xs:attribute name="package" type="xs:string"/>
  </xs:complexType></xs:element>
  <xs:element name="testsuites"><xs:complexType><xs:sequence>
    <xs:element ref="testsuite" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence>
    <xs:attribute name="name" type="xs:string"/>
    <xs:attribute name="time" type="xs:string"/>
    <xs:attribute name="tests" type="xs:string"/>
    <xs:attribute name="failures" type="xs:string"/>
    <xs:attribute name="disabled" type="xs:string"/>
    <xs:attribute name="errors" type="xs:string"/>
  </xs:complexType></xs:element>
</xs:schema>
"""


def junit(nasty, tmp):
    data = emit("junit", nasty)
    root = ET.fromstring(data)
    check(root.tag == "testsuites", "root is testsuites")
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    check(int(suite.get("tests")) == len(cases), "tests counts the testcases")
    check(int(suite.get("failures")) == len(suite.findall("testcase/failure")), "failures")
    check(int(suite.get("skipped")) == len(suite.findall("testcase/skipped")), "skipped")
    check(all(c.get("classname") == "04-demo" for c in cases), "classname is the lab id")
    xmllint = shutil.which("xmllint")
    if not xmllint:
        print("xmllint not installed: JUnit schema validation skipped")
        return
    xsd = os.path.join(tmp, "junit.xsd")
    xml = os.path.join(tmp, "junit.xml")
    with open(xsd, "w") as f:
        f.write(JUNIT_XSD)
    with open(xml, "wb") as f:
        f.write(data)
    r = subprocess.run([xmllint, "--noout", "--schema", xsd, xml], capture_output=True, text=True)
    check(r.returncode == 0, "xmllint --schema: " + r.stderr.strip())


PERL_TAP = r"""
use TAP::Parser;
my $p = TAP::Parser->new({ source => $ARGV[0] });
my %yaml;
my $last;
while (my $r = $p->next) {
    $last = $r->number if $r->is_test;
    $yaml{$last} = $r->data if $r->is_yaml;
}
print "planned=", $p->tests_planned, "\n";
print "run=", $p->tests_run, "\n";
print "failed=", join(",", $p->failed), "\n";
print "skipped=", join(",", $p->skipped), "\n";
print "errors=", join(" | ", $p->parse_errors), "\n";
print "message2=", $yaml{2}{message}, "\n";
print "hint4=", $yaml{4}{hint}, "\n";
"""


def tap_perl(path):
    r = subprocess.run(["perl", "-e", PERL_TAP, path], capture_output=True, text=True)
    if r.returncode != 0:
        return None
    return dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)


def tap(nasty, tmp):
    for fmt, version in (("tap", 14), ("tap13", 13)):
        data = emit(fmt, nasty)
        text = data.decode("utf-8")
        lines = text.splitlines()
        check(lines[0] == "TAP version %d" % version, "version line")
        check("1..5" in lines, "plan")
        points = [l for l in lines if re.match(r"^(not )?ok \d+ - ", l)]
        check(len(points) == 5, "five test points")
        check(re.search(r"^ok 3 - .* # SKIP depends on rax42$", text, re.M), "skip directive")
        try:
            import yaml
        except ImportError:
            yaml = None
        for block in re.findall(r"^  ---\n(.*?)^  \.\.\.$", text, re.S | re.M):
            if yaml:
                doc = yaml.safe_load("\n".join(l[2:] for l in block.splitlines()))
                check(isinstance(doc, dict) and "message" in doc, "YAML block loads")
        path = os.path.join(tmp, "report-%s.tap" % fmt)
        with open(path, "wb") as f:
            f.write(data)
        got = tap_perl(path) if shutil.which("perl") else None
        if got is None:
            print("perl TAP::Parser not available: TAP parse skipped")
            continue
        errors = got["errors"]
        if version == 14 and "versions later than 13" in errors:
            errors = ""  # Test::Harness < 3.48 knows TAP 13 only; tap13 covers it
        check(errors == "", "%s parse errors: %s" % (fmt, errors))
        check(got["planned"] == "5" and got["run"] == "5", "%s: 5 planned, 5 run" % fmt)
        if version == 13:
            check(got["failed"] == "2,4", "failed 2 and 4: " + got["failed"])
            check(got["skipped"] == "3", "skipped 3: " + got["skipped"])
            want = "rax is 0x7, not 0x2a"
            check(got["message2"] == want, "YAMLish message: " + got["message2"])
            check(got["hint4"] == 'Check <RW> & "US" in #every level\\', "YAMLish hint")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for nasty in (False, True):
            gradescope(nasty)
            junit(nasty, tmp)
            tap(nasty, tmp)
    print("test-labreport.py: %d checks, %d failed" % (checks, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
