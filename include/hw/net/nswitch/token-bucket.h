/*
 * nswitch core: a token bucket, for port speeds and rate limits
 *
 * Tokens are bytes, refilled at a rate in bits per second up to a burst;
 * time comes from the caller in nanoseconds, so the bucket runs on
 * whatever clock the caller chooses (and on none in unit tests).
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef NSWITCH_TOKEN_BUCKET_H
#define NSWITCH_TOKEN_BUCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 100 Gbit/s: the refill arithmetic stays within 64 bits below it. */
#define NSWITCH_TOKEN_BUCKET_MAX_RATE 100000000000ull

typedef struct NSwitchTokenBucket {
    uint64_t rate_bps;          /* 0: no limit */
    uint64_t burst_bytes;
    int64_t tokens;             /* bytes, scaled by 10^9; < 0: in debt */
    uint64_t last_ns;
} NSwitchTokenBucket;

/*
 * A full bucket refilled at @rate_bps (0 for no limit, at most
 * NSWITCH_TOKEN_BUCKET_MAX_RATE) holding up to @burst_bytes, as of @now_ns.
 */
void nswitch_token_bucket_init(NSwitchTokenBucket *bucket, uint64_t rate_bps,
                               uint64_t burst_bytes, uint64_t now_ns);

/*
 * Takes @bytes if the bucket holds them at @now_ns; false leaves it be.
 * A request above the burst is taken from a full bucket, which goes into
 * debt: a frame longer than the burst is paced, never refused for ever.
 */
bool nswitch_token_bucket_take(NSwitchTokenBucket *bucket, size_t bytes,
                               uint64_t now_ns);

/*
 * Nanoseconds from @now_ns until the bucket holds @bytes (0: it does now).
 * A request above the burst waits until the bucket is full.
 */
uint64_t nswitch_token_bucket_wait_ns(NSwitchTokenBucket *bucket,
                                      size_t bytes, uint64_t now_ns);

#endif
