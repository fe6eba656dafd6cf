/*
 * nswitch core: fixed-capacity hash index from 64-bit keys to 32-bit values
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "hw/net/nswitch/hash-index.h"

#include <stdlib.h>
#include <string.h>

bool nswitch_hash_index_init(NSwitchHashIndex *index, uint32_t capacity)
{
    uint64_t buckets = 8;
    uint8_t bits = 3;

    while (buckets < 2ULL * capacity) {
        buckets <<= 1;
        bits++;
    }
    if (bits > 31) {
        return false;
    }
    index->buckets = calloc(buckets, sizeof(*index->buckets));
    if (!index->buckets) {
        return false;
    }
    index->mask = (uint32_t)buckets - 1;
    index->shift = 64 - bits;
    return true;
}

void nswitch_hash_index_destroy(NSwitchHashIndex *index)
{
    free(index->buckets);
    index->buckets = NULL;
}

void nswitch_hash_index_clear(NSwitchHashIndex *index)
{
    memset(index->buckets, 0, ((size_t)index->mask + 1) *
                              sizeof(*index->buckets));
}

void nswitch_hash_index_insert(NSwitchHashIndex *index, uint64_t key,
                               uint32_t value)
{
    uint32_t i = nswitch_hash_index_home(index, key);

    while (index->buckets[i].key) {
        i = (i + 1) & index->mask;
    }
    index->buckets[i].key = key;
    index->buckets[i].value = value;
}

/* True when @home lies cyclically in (hole, at]: that key must stay. */
static bool stays_behind_hole(uint32_t hole, uint32_t at, uint32_t home)
{
    if (hole <= at) {
        return hole < home && home <= at;
    }
    return hole < home || home <= at;
}

bool nswitch_hash_index_remove(NSwitchHashIndex *index, uint64_t key)
{
    NSwitchHashBucket *bucket = nswitch_hash_index_find(index, key);
    uint32_t hole, at, home;

    if (!bucket) {
        return false;
    }
    hole = (uint32_t)(bucket - index->buckets);
    at = hole;
    for (;;) {
        at = (at + 1) & index->mask;
        if (!index->buckets[at].key) {
            break;
        }
        home = nswitch_hash_index_home(index, index->buckets[at].key);
        if (stays_behind_hole(hole, at, home)) {
            continue;
        }
        index->buckets[hole] = index->buckets[at];
        hole = at;
    }
    index->buckets[hole].key = 0;
    return true;
}
