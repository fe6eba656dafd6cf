/*
 * Unit tests for the core's token bucket
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hw/net/nswitch/token-bucket.h"

#define MS 1000000ull
#define SECOND 1000000000ull

static void test_no_rate_means_no_limit(void **state)
{
    NSwitchTokenBucket bucket;

    (void)state;
    nswitch_token_bucket_init(&bucket, 0, 0, 0);
    for (int i = 0; i < 1000; i++) {
        assert_true(nswitch_token_bucket_take(&bucket, 65536, 0));
    }
}

static void test_burst_then_refused(void **state)
{
    NSwitchTokenBucket bucket;

    (void)state;
    nswitch_token_bucket_init(&bucket, 8000000, 3000, 0);  /* 1 MB/s */
    assert_true(nswitch_token_bucket_take(&bucket, 1000, 0));
    assert_true(nswitch_token_bucket_take(&bucket, 2000, 0));
    assert_false(nswitch_token_bucket_take(&bucket, 1, 0));
}

static void test_refills_at_the_rate(void **state)
{
    NSwitchTokenBucket bucket;

    (void)state;
    nswitch_token_bucket_init(&bucket, 8000000, 3000, 0);  /* 1000 B/ms */
    assert_true(nswitch_token_bucket_take(&bucket, 3000, 0));
    assert_false(nswitch_token_bucket_take(&bucket, 1000, MS - 1));
    assert_true(nswitch_token_bucket_take(&bucket, 1000, MS));
    assert_false(nswitch_token_bucket_take(&bucket, 1, MS));
    assert_true(nswitch_token_bucket_take(&bucket, 2000, 3 * MS));
}

static void test_refill_stops_at_burst(void **state)
{
    NSwitchTokenBucket bucket;

    (void)state;
    nswitch_token_bucket_init(&bucket, 8000000, 3000, 0);
    assert_true(nswitch_token_bucket_take(&bucket, 3000, 0));
    assert_true(nswitch_token_bucket_take(&bucket, 3000, 100 * SECOND));
    assert_false(nswitch_token_bucket_take(&bucket, 1, 100 * SECOND));
}

static void test_rate_over_a_long_run(void **state)
{
    NSwitchTokenBucket bucket;
    uint64_t taken = 0;

    (void)state;
    /* 10 Mbit/s, offered 1500-byte frames every 100 us for 10 s */
    nswitch_token_bucket_init(&bucket, 10000000, 15000, 0);
    for (uint64_t now = 0; now < 10 * SECOND; now += 100000) {
        if (nswitch_token_bucket_take(&bucket, 1500, now)) {
            taken += 1500;
        }
    }
    /* 12.5 MB in 10 s, plus the initial burst; one frame of slack */
    assert_true(taken >= 12500000 - 1500);
    assert_true(taken <= 12500000 + 15000 + 1500);
}

static void test_clock_going_back_refills_nothing(void **state)
{
    NSwitchTokenBucket bucket;

    (void)state;
    nswitch_token_bucket_init(&bucket, 8000000, 1000, 5 * MS);
    assert_true(nswitch_token_bucket_take(&bucket, 1000, 5 * MS));
    assert_false(nswitch_token_bucket_take(&bucket, 1, 4 * MS));
    assert_true(nswitch_token_bucket_take(&bucket, 1000, 5 * MS + MS));
}

static void test_fastest_rate_does_not_overflow(void **state)
{
    NSwitchTokenBucket bucket;

    (void)state;
    nswitch_token_bucket_init(&bucket, UINT64_MAX, 1 << 20, 0);
    assert_true(bucket.rate_bps == NSWITCH_TOKEN_BUCKET_MAX_RATE);
    assert_true(nswitch_token_bucket_take(&bucket, 1 << 20, 0));
    assert_true(nswitch_token_bucket_take(&bucket, 1 << 20, 1000 * SECOND));
    assert_false(nswitch_token_bucket_take(&bucket, 1, 1000 * SECOND));
}

static void test_wait_says_when_bytes_are_there(void **state)
{
    NSwitchTokenBucket bucket;

    (void)state;
    nswitch_token_bucket_init(&bucket, 8000000, 3000, 0);  /* 1000 B/ms */
    assert_true(nswitch_token_bucket_wait_ns(&bucket, 3000, 0) == 0);
    assert_true(nswitch_token_bucket_take(&bucket, 3000, 0));
    assert_true(nswitch_token_bucket_wait_ns(&bucket, 1000, 0) == MS);
    assert_true(nswitch_token_bucket_wait_ns(&bucket, 1000, MS / 2) ==
                MS / 2);
    assert_false(nswitch_token_bucket_take(&bucket, 1000, MS - 1));
    assert_true(nswitch_token_bucket_take(&bucket, 1000, MS));
    /* more than the burst: until the bucket is full */
    assert_true(nswitch_token_bucket_wait_ns(&bucket, 9000, MS) == 3 * MS);
}

static void test_wait_without_rate_is_zero(void **state)
{
    NSwitchTokenBucket bucket;

    (void)state;
    nswitch_token_bucket_init(&bucket, 0, 0, 0);
    assert_true(nswitch_token_bucket_wait_ns(&bucket, 1 << 20, 0) == 0);
}

/*
 * A request longer than the burst (a 68 KB frame under a 1 Mbit/s cap)
 * goes from a full bucket and leaves it in debt, which the rate repays.
 */
static void test_request_above_burst_goes_into_debt(void **state)
{
    NSwitchTokenBucket bucket;

    (void)state;
    nswitch_token_bucket_init(&bucket, 8000000, 3000, 0);  /* 1000 B/ms */
    assert_true(nswitch_token_bucket_take(&bucket, 9000, 0));
    /* 6000 bytes of debt, then 3000 to fill: 9 ms */
    assert_true(nswitch_token_bucket_wait_ns(&bucket, 9000, 0) == 9 * MS);
    assert_false(nswitch_token_bucket_take(&bucket, 1, 6 * MS - 1));
    assert_true(nswitch_token_bucket_take(&bucket, 1, 6 * MS + MS / 1000));
    assert_false(nswitch_token_bucket_take(&bucket, 9000, 8 * MS));
    assert_true(nswitch_token_bucket_take(&bucket, 9000, 10 * MS));
}

/* A long idle time refills any debt, however slow the rate. */
static void test_long_idle_repays_a_deep_debt(void **state)
{
    NSwitchTokenBucket bucket;

    (void)state;
    nswitch_token_bucket_init(&bucket, 8000, 100, 0);      /* 1 B/ms */
    assert_true(nswitch_token_bucket_take(&bucket, 65000, 0));
    assert_false(nswitch_token_bucket_take(&bucket, 100, 60 * SECOND));
    assert_true(nswitch_token_bucket_take(&bucket, 100, 66 * SECOND));
}

/* Requests of any size keep the arithmetic in range. */
static void test_huge_request_does_not_overflow(void **state)
{
    NSwitchTokenBucket bucket;

    (void)state;
    nswitch_token_bucket_init(&bucket, NSWITCH_TOKEN_BUCKET_MAX_RATE,
                              UINT64_MAX, 0);
    assert_true(nswitch_token_bucket_take(&bucket, SIZE_MAX, 0));
    assert_false(nswitch_token_bucket_take(&bucket, 1, 0));
    assert_true(nswitch_token_bucket_wait_ns(&bucket, SIZE_MAX, 0) > 0);
    assert_true(nswitch_token_bucket_take(&bucket, SIZE_MAX, 3600 * SECOND));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_rate_means_no_limit),
        cmocka_unit_test(test_burst_then_refused),
        cmocka_unit_test(test_refills_at_the_rate),
        cmocka_unit_test(test_refill_stops_at_burst),
        cmocka_unit_test(test_rate_over_a_long_run),
        cmocka_unit_test(test_clock_going_back_refills_nothing),
        cmocka_unit_test(test_fastest_rate_does_not_overflow),
        cmocka_unit_test(test_wait_says_when_bytes_are_there),
        cmocka_unit_test(test_wait_without_rate_is_zero),
        cmocka_unit_test(test_request_above_burst_goes_into_debt),
        cmocka_unit_test(test_long_idle_repays_a_deep_debt),
        cmocka_unit_test(test_huge_request_does_not_overflow),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
