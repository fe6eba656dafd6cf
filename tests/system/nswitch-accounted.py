#!/usr/bin/python3
"""Reads query-nswitch JSON (one line, as scripts/qmp.py prints it) from
stdin and prints, for card CARD-ID, "in=N out=M": the frames its ports
gave the switch with the copies it made, and the frames it delivered,
dropped or holds. Every frame is accounted for when the two are equal.
    nswitch-accounted.py CARD-ID"""

import json
import sys

cards = {}
for line in sys.stdin:
    if line.startswith("[{"):
        cards = {card.get("id"): card for card in json.loads(line)}
card = cards[sys.argv[1]]
paths = card["paths"]
taken = sum(p["rx-frames"] for p in card["ports"])
made = paths["replicas"] + paths["segments"]
out = sum(p["tx-frames"] + p["held"] for p in card["ports"]) + \
    sum(paths["dropped"].values())
print(f"in={taken + made} out={out}")
