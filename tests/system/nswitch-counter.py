#!/usr/bin/python3
"""Reads query-nswitch JSON (one line, as scripts/qmp.py prints it) from
stdin and prints one value: nswitch-counter.py CARD-ID PORT FIELD
(PORT "paths" for the path counters; FIELD may be dropped.REASON)."""

import json
import sys

card_id, port, field = sys.argv[1:4]
for line in sys.stdin:
    if line.startswith("[{"):
        cards = {card.get("id"): card for card in json.loads(line)}
card = cards[card_id]
where = card["paths"] if port == "paths" else \
    next(p for p in card["ports"] if p["port"] == int(port))
for key in field.split("."):
    where = where[key]
print(where)
