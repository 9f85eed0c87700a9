#!/usr/bin/python3
# A script check: the run's state on standard input, the verdict on standard output.
# 3 points: result holds 42 and the word after it is untouched, and the run made one OUT on
# port 0x602 of 2 bytes; 1 point when only result is right.
import json, sys

state = json.load(sys.stdin)
mem = bytes.fromhex(state["memory"][0]["hex"])
result, after = int.from_bytes(mem[:4], "little"), int.from_bytes(mem[4:], "little")
words = [e for e in state["exits"]["io"] if e["port"] == "0x602" and e["dir"] == "out"]
ok_io = len(words) == 1 and words[0]["size"] == 2 and words[0]["count"] == 1
if result == 42 and after == 0x5a5a5a5a and ok_io and state["stop"] == "halted":
    print(json.dumps({"pass": True, "message": "result and the word after it are right"}))
elif result == 42:
    print(json.dumps({"pass": False, "points": 1,
                      "message": "result is 42, but the word after it is 0x%x" % after}))
else:
    print(json.dumps({"pass": False, "message": "result is %d" % result}))
