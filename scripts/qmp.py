#!/usr/bin/python3
"""Runs one QMP command on a QEMU's unix socket and prints the answer.

  qmp.py SOCKET COMMAND [JSON-ARGUMENTS]

HumanReadableText answers (x-query-*) are printed as text, others as JSON
on one line.
Exits 1 on a QMP error. Other scripts import QmpClient.
"""

import json
import socket
import sys


class QmpError(Exception):
    pass


class QmpClient:
    """A QMP session on a unix socket, past capability negotiation."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.stream = self.sock.makefile("rw")
        json.loads(self.stream.readline())          # greeting
        self.execute("qmp_capabilities")

    def execute(self, name, arguments=None):
        """The command's return value; QmpError with QEMU's message."""
        request = {"execute": name}
        if arguments:
            request["arguments"] = arguments
        self.stream.write(json.dumps(request) + "\n")
        self.stream.flush()
        while True:
            line = self.stream.readline()
            if not line:
                raise QmpError("QEMU closed the QMP connection")
            reply = json.loads(line)
            if "error" in reply:
                raise QmpError(reply["error"]["desc"])
            if "return" in reply:
                return reply["return"]

    def close(self):
        self.stream.close()
        self.sock.close()


def main():
    path, command = sys.argv[1], sys.argv[2]
    arguments = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    try:
        result = QmpClient(path).execute(command, arguments)
    except QmpError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if isinstance(result, dict) and "human-readable-text" in result:
        print(result["human-readable-text"], end="")
    else:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
