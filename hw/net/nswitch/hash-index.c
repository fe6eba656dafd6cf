/*
 * nswitch core: fixed-capacity hash index from 64-bit keys to 32-bit values
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "hw/net/nswitch/hash-index.h"

#include <stdlib.h>
#include <string.h>

/* Fibonacci hashing spreads runs of consecutive MACs over the table. */
static uint32_t home_bucket(const NSwitchHashIndex *index, uint64_t key)
{
    return (uint32_t)((key * 0x9E3779B97F4A7C15ULL) >> index->shift);
}

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

NSwitchHashBucket *nswitch_hash_index_find(const NSwitchHashIndex *index,
                                           uint64_t key)
{
    uint32_t i = home_bucket(index, key);

    while (index->buckets[i].key) {
        if (index->buckets[i].key == key) {
            return &index->buckets[i];
        }
        i = (i + 1) & index->mask;
    }
    return NULL;
}

void nswitch_hash_index_insert(NSwitchHashIndex *index, uint64_t key,
                               uint32_t value)
{
    uint32_t i = home_bucket(index, key);

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
    uint32_t hole, at;

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
        if (stays_behind_hole(hole, at,
                              home_bucket(index, index->buckets[at].key))) {
            continue;
        }
        index->buckets[hole] = index->buckets[at];
        hole = at;
    }
    index->buckets[hole].key = 0;
    return true;
}
