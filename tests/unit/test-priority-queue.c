/*
 * Unit tests for the 802.1p priority queue of held frames.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hw/net/nswitch/priority-queue.h"

typedef struct Held {
    NSwitchQueuedFrame node;
    int tag;
} Held;

static Held held(uint8_t priority, int tag)
{
    Held h = { .node = { .priority = priority }, .tag = tag };

    return h;
}

static int pop_tag(NSwitchPriorityQueue *queue)
{
    NSwitchQueuedFrame *node = nswitch_priority_queue_pop(queue);

    return node ? ((Held *)node)->tag : -1;
}

static void test_highest_first_fifo_within(void **state)
{
    NSwitchPriorityQueue queue;
    Held frames[] = {
        held(0, 1), held(3, 2), held(7, 3), held(3, 4), held(0, 5),
    };

    (void)state;
    nswitch_priority_queue_init(&queue, 8);
    for (size_t i = 0; i < 5; i++) {
        assert_null(nswitch_priority_queue_push(&queue, &frames[i].node));
    }
    assert_int_equal(queue.count, 5);
    assert_int_equal(pop_tag(&queue), 3);
    assert_int_equal(pop_tag(&queue), 2);
    assert_int_equal(pop_tag(&queue), 4);
    assert_int_equal(pop_tag(&queue), 1);
    assert_int_equal(pop_tag(&queue), 5);
    assert_int_equal(pop_tag(&queue), -1);
    assert_int_equal(queue.count, 0);
}

static void test_full_queue_pushes_out_lowest_newest(void **state)
{
    NSwitchPriorityQueue queue;
    Held low1 = held(1, 1), low2 = held(1, 2), mid = held(4, 3);
    Held high = held(6, 4), same = held(1, 5), lowest = held(0, 6);

    (void)state;
    nswitch_priority_queue_init(&queue, 3);
    nswitch_priority_queue_push(&queue, &low1.node);
    nswitch_priority_queue_push(&queue, &low2.node);
    nswitch_priority_queue_push(&queue, &mid.node);
    assert_false(nswitch_priority_queue_accepts(&queue, 1));
    assert_false(nswitch_priority_queue_accepts(&queue, 0));
    assert_true(nswitch_priority_queue_accepts(&queue, 2));
    /* nothing below priority 1 or 0: refused */
    assert_ptr_equal(nswitch_priority_queue_push(&queue, &same.node),
                     &same.node);
    assert_ptr_equal(nswitch_priority_queue_push(&queue, &lowest.node),
                     &lowest.node);
    /* priority 6 pushes out the newest priority-1 frame */
    assert_ptr_equal(nswitch_priority_queue_push(&queue, &high.node),
                     &low2.node);
    assert_int_equal(queue.count, 3);
    assert_int_equal(pop_tag(&queue), 4);
    assert_int_equal(pop_tag(&queue), 3);
    assert_int_equal(pop_tag(&queue), 1);
    assert_int_equal(pop_tag(&queue), -1);
}

static void test_zero_capacity_refuses(void **state)
{
    NSwitchPriorityQueue queue;
    Held h = held(7, 1);

    (void)state;
    nswitch_priority_queue_init(&queue, 0);
    assert_false(nswitch_priority_queue_accepts(&queue, 7));
    assert_ptr_equal(nswitch_priority_queue_push(&queue, &h.node), &h.node);
    assert_int_equal(pop_tag(&queue), -1);
}

static void test_priority_above_7_counts_as_7(void **state)
{
    NSwitchPriorityQueue queue;
    Held odd = held(200, 1), top = held(7, 2);

    (void)state;
    nswitch_priority_queue_init(&queue, 4);
    assert_null(nswitch_priority_queue_push(&queue, &odd.node));
    assert_null(nswitch_priority_queue_push(&queue, &top.node));
    assert_int_equal(pop_tag(&queue), 1);
    assert_int_equal(pop_tag(&queue), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_highest_first_fifo_within),
        cmocka_unit_test(test_full_queue_pushes_out_lowest_newest),
        cmocka_unit_test(test_zero_capacity_refuses),
        cmocka_unit_test(test_priority_above_7_counts_as_7),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
