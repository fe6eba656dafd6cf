/*
 * Unit tests for the core's capture ring
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hw/net/nswitch/capture-ring.h"

/* Reads everything unread, in as many peeks as it takes. */
static size_t drain(NSwitchCaptureRing *ring, uint8_t *out, uint32_t *records)
{
    const uint8_t *data;
    size_t total = 0, n;

    *records = 0;
    while ((n = nswitch_capture_ring_peek(ring, &data))) {
        memcpy(out + total, data, n);
        total += n;
        *records += nswitch_capture_ring_consume(ring, n);
    }
    return total;
}

static void test_bad_size(void **state)
{
    (void)state;
    assert_null(nswitch_capture_ring_new(0, 1));
    assert_null(nswitch_capture_ring_new(1, 0));
}

static void test_records_come_out_in_order_across_the_wrap(void **state)
{
    NSwitchCaptureRing *ring = nswitch_capture_ring_new(10, 10);
    const uint8_t abc[] = "abcdefg";
    uint8_t out[32];
    uint32_t records;

    (void)state;
    assert_true(nswitch_capture_ring_put(ring, abc, 7));
    assert_false(nswitch_capture_ring_put(ring, abc, 4));
    assert_int_equal(drain(ring, out, &records), 7);
    assert_int_equal(records, 1);
    assert_memory_equal(out, abc, 7);
    /* these wrap around the end of the ring */
    assert_true(nswitch_capture_ring_put(ring, abc, 5));
    assert_true(nswitch_capture_ring_put(ring, abc + 5, 2));
    assert_int_equal(nswitch_capture_ring_used(ring), 7);
    assert_int_equal(drain(ring, out, &records), 7);
    assert_int_equal(records, 2);
    assert_memory_equal(out, "abcdefg", 7);
    assert_false(nswitch_capture_ring_put(ring, abc, 0));
    assert_false(nswitch_capture_ring_put(ring, abc, 11));
    nswitch_capture_ring_free(ring);
}

static void test_partial_reads_count_records_when_whole(void **state)
{
    NSwitchCaptureRing *ring = nswitch_capture_ring_new(64, 64);
    const uint8_t bytes[12] = { 0 };
    const uint8_t *data;

    (void)state;
    assert_true(nswitch_capture_ring_put(ring, bytes, 4));
    assert_true(nswitch_capture_ring_put(ring, bytes, 8));
    assert_int_equal(nswitch_capture_ring_peek(ring, &data), 12);
    assert_int_equal(nswitch_capture_ring_consume(ring, 3), 0);
    assert_int_equal(nswitch_capture_ring_consume(ring, 2), 1);
    assert_int_equal(nswitch_capture_ring_consume(ring, 6), 0);
    /* the last record, half read, is lost if the rest is discarded */
    assert_true(nswitch_capture_ring_put(ring, bytes, 1));
    assert_int_equal(nswitch_capture_ring_discard(ring), 2);
    assert_int_equal(nswitch_capture_ring_used(ring), 0);
    assert_int_equal(nswitch_capture_ring_consume(ring, 5), 0);
    nswitch_capture_ring_free(ring);
}

/* As many one-byte records as bytes: the record list never overflows. */
static void test_full_of_smallest_records(void **state)
{
    NSwitchCaptureRing *ring = nswitch_capture_ring_new(5, 5);
    uint8_t out[8];
    uint32_t records;

    (void)state;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 5; i++) {
            uint8_t byte = i;

            assert_true(nswitch_capture_ring_put(ring, &byte, 1));
        }
        assert_false(nswitch_capture_ring_put(ring, out, 1));
        assert_int_equal(drain(ring, out, &records), 5);
        assert_int_equal(records, 5);
        assert_memory_equal(out, "\0\1\2\3\4", 5);
    }
    nswitch_capture_ring_free(ring);
}

static void test_record_limit(void **state)
{
    NSwitchCaptureRing *ring = nswitch_capture_ring_new(100, 2);
    const uint8_t bytes[4] = { 0 };
    uint8_t out[8];
    uint32_t records;

    (void)state;
    assert_true(nswitch_capture_ring_put(ring, bytes, 4));
    assert_true(nswitch_capture_ring_put(ring, bytes, 4));
    assert_false(nswitch_capture_ring_put(ring, bytes, 4));
    assert_int_equal(drain(ring, out, &records), 8);
    assert_int_equal(records, 2);
    assert_true(nswitch_capture_ring_put(ring, bytes, 4));
    nswitch_capture_ring_free(ring);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_size),
        cmocka_unit_test(test_records_come_out_in_order_across_the_wrap),
        cmocka_unit_test(test_partial_reads_count_records_when_whole),
        cmocka_unit_test(test_full_of_smallest_records),
        cmocka_unit_test(test_record_limit),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
