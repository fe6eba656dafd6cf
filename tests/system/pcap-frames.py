#!/usr/bin/python3
"""Prints "DST SRC ETHERTYPE LENGTH" for each frame of a pcap (Ethernet)."""

import struct
import sys


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    offset = 24
    while offset + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + "IIII", data[offset:offset + 16])
        offset += 16
        yield data[offset:offset + caplen]
        offset += caplen


def mac(raw):
    return ":".join(f"{b:02x}" for b in raw)


for frame in frames(sys.argv[1]):
    if len(frame) >= 14:
        print(mac(frame[0:6]), mac(frame[6:12]), frame[12:14].hex(),
              len(frame))
