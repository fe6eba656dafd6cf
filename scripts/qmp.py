#!/usr/bin/python3
"""Runs one QMP command on a QEMU's unix socket and prints the answer.

  qmp.py SOCKET COMMAND [JSON-ARGUMENTS]

HumanReadableText answers (x-query-*) are printed as text, others as JSON
on one line.
Exits 1 on a QMP error.
"""

import json
import socket
import sys


def main():
    path, command = sys.argv[1], sys.argv[2]
    arguments = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    stream = sock.makefile("rw")

    def execute(name, args=None):
        request = {"execute": name}
        if args:
            request["arguments"] = args
        stream.write(json.dumps(request) + "\n")
        stream.flush()
        while True:
            reply = json.loads(stream.readline())
            if "return" in reply or "error" in reply:
                return reply

    json.loads(stream.readline())          # greeting
    execute("qmp_capabilities")
    reply = execute(command, arguments)
    if "error" in reply:
        print(f"error: {reply['error']['desc']}", file=sys.stderr)
        return 1
    result = reply["return"]
    if isinstance(result, dict) and "human-readable-text" in result:
        print(result["human-readable-text"], end="")
    else:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
