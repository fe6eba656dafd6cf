/*
 * nswitch core: fixed-capacity hash index from 64-bit keys to 32-bit values
 *
 * Linear probing with backward-shift deletion, so lookups never walk over
 * tombstones and stay O(1) however often entries come and go. All memory is
 * taken at init; insert, remove and lookup never allocate.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef NSWITCH_HASH_INDEX_H
#define NSWITCH_HASH_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct NSwitchHashBucket {
    uint64_t key;    /* 0 marks an empty bucket */
    uint32_t value;
} NSwitchHashBucket;

typedef struct NSwitchHashIndex {
    NSwitchHashBucket *buckets;
    uint32_t mask;
    uint8_t shift;
} NSwitchHashIndex;

/*
 * Sizes the index for at most @capacity keys at a load of 1/2 or less.
 * Keys must be non-zero: callers tag their keys with a high bit.
 */
bool nswitch_hash_index_init(NSwitchHashIndex *index, uint32_t capacity);
void nswitch_hash_index_destroy(NSwitchHashIndex *index);
void nswitch_hash_index_clear(NSwitchHashIndex *index);

/* Fibonacci hashing spreads runs of consecutive MACs over the table. */
static inline uint32_t nswitch_hash_index_home(const NSwitchHashIndex *index,
                                               uint64_t key)
{
    return (uint32_t)((key * 0x9E3779B97F4A7C15ULL) >> index->shift);
}

/*
 * Returns the bucket holding @key, or NULL. Inline: a forwarding
 * decision makes one, and the call cost a third of the probe.
 */
static inline NSwitchHashBucket *
nswitch_hash_index_find(const NSwitchHashIndex *index, uint64_t key)
{
    uint32_t i = nswitch_hash_index_home(index, key);

    while (index->buckets[i].key) {
        if (index->buckets[i].key == key) {
            return &index->buckets[i];
        }
        i = (i + 1) & index->mask;
    }
    return NULL;
}

/* @key must not be present and the index must be below its capacity. */
void nswitch_hash_index_insert(NSwitchHashIndex *index, uint64_t key,
                               uint32_t value);
/* Returns false when @key is absent. */
bool nswitch_hash_index_remove(NSwitchHashIndex *index, uint64_t key);

#endif
