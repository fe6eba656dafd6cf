/*
 * nswitch core: a token bucket, for port speeds and rate limits
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "hw/net/nswitch/token-bucket.h"

#define NS_PER_SECOND 1000000000ull

void nswitch_token_bucket_init(NSwitchTokenBucket *bucket, uint64_t rate_bps,
                               uint64_t burst_bytes, uint64_t now_ns)
{
    bucket->rate_bps = rate_bps < NSWITCH_TOKEN_BUCKET_MAX_RATE
                       ? rate_bps : NSWITCH_TOKEN_BUCKET_MAX_RATE;
    bucket->burst_bytes = burst_bytes;
    bucket->tokens = burst_bytes * NS_PER_SECOND;
    bucket->last_ns = now_ns;
}

static void refill(NSwitchTokenBucket *bucket, uint64_t now_ns)
{
    uint64_t elapsed = now_ns > bucket->last_ns ? now_ns - bucket->last_ns : 0;
    uint64_t full = bucket->burst_bytes * NS_PER_SECOND;

    /* A second refills any burst the rate can carry: stop there. */
    if (elapsed > NS_PER_SECOND) {
        elapsed = NS_PER_SECOND;
    }
    bucket->tokens += elapsed * (bucket->rate_bps / 8);
    if (bucket->tokens > full) {
        bucket->tokens = full;
    }
    bucket->last_ns = now_ns;
}

bool nswitch_token_bucket_take(NSwitchTokenBucket *bucket, size_t bytes,
                               uint64_t now_ns)
{
    uint64_t needed = (uint64_t)bytes * NS_PER_SECOND;

    if (!bucket->rate_bps) {
        return true;
    }
    refill(bucket, now_ns);
    if (bucket->tokens < needed) {
        return false;
    }
    bucket->tokens -= needed;
    return true;
}

uint64_t nswitch_token_bucket_wait_ns(NSwitchTokenBucket *bucket,
                                      size_t bytes, uint64_t now_ns)
{
    uint64_t needed = (uint64_t)bytes * NS_PER_SECOND;
    uint64_t full = bucket->burst_bytes * NS_PER_SECOND;
    uint64_t bytes_per_second = bucket->rate_bps / 8;

    if (!bucket->rate_bps) {
        return 0;
    }
    refill(bucket, now_ns);
    if (!bytes_per_second) {
        /* Below 8 bit/s the bucket never refills. */
        return bucket->tokens >= needed ? 0 : UINT64_MAX;
    }
    if (needed > full) {
        needed = full;
    }
    if (bucket->tokens >= needed) {
        return 0;
    }
    /* Tokens are bytes times 10^9: each ns adds bytes_per_second of them. */
    return (needed - bucket->tokens + bytes_per_second - 1) /
           bytes_per_second;
}
