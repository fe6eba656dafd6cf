/*
 * Unit tests for the core's fixed-capacity hash index
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hw/net/nswitch/hash-index.h"
#include "test-random.h"

#define TAG (1ULL << 63)

static void test_sizes_for_half_load(void **state)
{
    NSwitchHashIndex index;

    (void)state;
    assert_true(nswitch_hash_index_init(&index, 1));
    assert_int_equal(index.mask + 1, 8);
    nswitch_hash_index_destroy(&index);

    assert_true(nswitch_hash_index_init(&index, 100));
    assert_int_equal(index.mask + 1, 256);
    nswitch_hash_index_destroy(&index);

    assert_true(nswitch_hash_index_init(&index, 128));
    assert_int_equal(index.mask + 1, 256);
    nswitch_hash_index_destroy(&index);
}

static void test_refuses_capacity_beyond_31_bits(void **state)
{
    NSwitchHashIndex index;

    (void)state;
    assert_false(nswitch_hash_index_init(&index, 1u << 31));
}

static void test_insert_find_remove(void **state)
{
    NSwitchHashIndex index;

    (void)state;
    assert_true(nswitch_hash_index_init(&index, 64));
    for (uint32_t i = 0; i < 64; i++) {
        nswitch_hash_index_insert(&index, TAG | i, i * 10);
    }
    for (uint32_t i = 0; i < 64; i++) {
        NSwitchHashBucket *bucket = nswitch_hash_index_find(&index, TAG | i);

        assert_non_null(bucket);
        assert_int_equal(bucket->key, TAG | i);
        assert_int_equal(bucket->value, i * 10);
    }
    assert_null(nswitch_hash_index_find(&index, TAG | 64));

    assert_true(nswitch_hash_index_remove(&index, TAG | 7));
    assert_false(nswitch_hash_index_remove(&index, TAG | 7));
    assert_null(nswitch_hash_index_find(&index, TAG | 7));
    for (uint32_t i = 0; i < 64; i++) {
        if (i != 7) {
            assert_non_null(nswitch_hash_index_find(&index, TAG | i));
        }
    }
    nswitch_hash_index_destroy(&index);
}

static void test_clear_forgets_every_key(void **state)
{
    NSwitchHashIndex index;

    (void)state;
    assert_true(nswitch_hash_index_init(&index, 16));
    for (uint32_t i = 0; i < 16; i++) {
        nswitch_hash_index_insert(&index, TAG | i, i);
    }
    nswitch_hash_index_clear(&index);
    for (uint32_t i = 0; i < 16; i++) {
        assert_null(nswitch_hash_index_find(&index, TAG | i));
    }
    nswitch_hash_index_insert(&index, TAG | 3, 33);
    assert_int_equal(nswitch_hash_index_find(&index, TAG | 3)->value, 33);
    nswitch_hash_index_destroy(&index);
}

/*
 * A tiny index filled to capacity from a small key universe: long probe
 * runs that wrap around the end of the bucket array, and removals inside
 * them, are the cases backward-shift deletion must get right.
 */
static void test_matches_model_under_random_churn(void **state)
{
    enum { CAPACITY = 6, UNIVERSE = 24, STEPS = 200000 };
    uint32_t model[UNIVERSE];
    bool present[UNIVERSE] = { false };
    uint32_t used = 0;
    uint64_t rng = 0x2545F4914F6CDD1DULL;
    NSwitchHashIndex index;

    (void)state;
    assert_true(nswitch_hash_index_init(&index, CAPACITY));
    for (uint32_t step = 0; step < STEPS; step++) {
        uint32_t k = xorshift64(&rng) % UNIVERSE;
        uint64_t key = TAG | ((uint64_t)k << 24) | k;

        if (present[k]) {
            assert_true(nswitch_hash_index_remove(&index, key));
            present[k] = false;
            used--;
        } else if (used < CAPACITY) {
            model[k] = step;
            nswitch_hash_index_insert(&index, key, step);
            present[k] = true;
            used++;
        }
        for (uint32_t j = 0; j < UNIVERSE; j++) {
            NSwitchHashBucket *bucket = nswitch_hash_index_find(
                &index, TAG | ((uint64_t)j << 24) | j);

            if (present[j]) {
                assert_non_null(bucket);
                assert_int_equal(bucket->value, model[j]);
            } else {
                assert_null(bucket);
            }
        }
    }
    nswitch_hash_index_destroy(&index);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes_for_half_load),
        cmocka_unit_test(test_refuses_capacity_beyond_31_bits),
        cmocka_unit_test(test_insert_find_remove),
        cmocka_unit_test(test_clear_forgets_every_key),
        cmocka_unit_test(test_matches_model_under_random_churn),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
