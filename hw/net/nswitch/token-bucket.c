/*
 * nswitch core: a token bucket, for port speeds and rate limits
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "hw/net/nswitch/token-bucket.h"

#define NS_PER_SECOND 1000000000ll
/* Larger requests count as this: the scaled arithmetic stays in 64 bits. */
#define MAX_REQUEST 0xffffffffull

void nswitch_token_bucket_init(NSwitchTokenBucket *bucket, uint64_t rate_bps,
                               uint64_t burst_bytes, uint64_t now_ns)
{
    bucket->rate_bps = rate_bps < NSWITCH_TOKEN_BUCKET_MAX_RATE
                       ? rate_bps : NSWITCH_TOKEN_BUCKET_MAX_RATE;
    bucket->burst_bytes = burst_bytes < MAX_REQUEST ? burst_bytes
                                                    : MAX_REQUEST;
    bucket->tokens = bucket->burst_bytes * NS_PER_SECOND;
    bucket->last_ns = now_ns;
}

static int64_t full_bucket(const NSwitchTokenBucket *bucket)
{
    return bucket->burst_bytes * NS_PER_SECOND;
}

static int64_t scaled_request(size_t bytes)
{
    return (bytes < MAX_REQUEST ? bytes : MAX_REQUEST) * NS_PER_SECOND;
}

static void refill(NSwitchTokenBucket *bucket, uint64_t now_ns)
{
    uint64_t elapsed = now_ns > bucket->last_ns ? now_ns - bucket->last_ns : 0;
    int64_t per_ns = bucket->rate_bps / 8;
    int64_t gap = full_bucket(bucket) - bucket->tokens;

    bucket->last_ns = now_ns;
    if (gap <= 0 || !per_ns) {
        return;
    }
    /* Each ns adds per_ns tokens; past the gap the bucket is full. */
    if (elapsed >= (uint64_t)(gap / per_ns) + 1) {
        bucket->tokens = full_bucket(bucket);
    } else {
        bucket->tokens += elapsed * per_ns;
        if (bucket->tokens > full_bucket(bucket)) {
            bucket->tokens = full_bucket(bucket);
        }
    }
}

/* What the bucket must hold to let @needed go: at most all of it. */
static int64_t threshold(const NSwitchTokenBucket *bucket, int64_t needed)
{
    return needed < full_bucket(bucket) ? needed : full_bucket(bucket);
}

bool nswitch_token_bucket_take(NSwitchTokenBucket *bucket, size_t bytes,
                               uint64_t now_ns)
{
    int64_t needed = scaled_request(bytes);

    if (!bucket->rate_bps) {
        return true;
    }
    refill(bucket, now_ns);
    if (bucket->tokens < threshold(bucket, needed)) {
        return false;
    }
    bucket->tokens -= needed;
    return true;
}

uint64_t nswitch_token_bucket_wait_ns(NSwitchTokenBucket *bucket,
                                      size_t bytes, uint64_t now_ns)
{
    int64_t needed, per_ns = bucket->rate_bps / 8;

    if (!bucket->rate_bps) {
        return 0;
    }
    refill(bucket, now_ns);
    needed = threshold(bucket, scaled_request(bytes));
    if (bucket->tokens >= needed) {
        return 0;
    }
    if (!per_ns) {
        /* Below 8 bit/s the bucket never refills. */
        return UINT64_MAX;
    }
    return (needed - bucket->tokens + per_ns - 1) / per_ns;
}
