/*
 * Unit tests for the core's OUI-keyed relay table
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

#include "hw/net/nswitch/relay-table.h"
#include "allocation-counter.h"
#include "test-mac.h"
#include "test-random.h"

#define OUI_A 0x020000
#define OUI_B 0x020001

static void test_new_refuses_bad_capacities(void **state)
{
    (void)state;
    assert_null(nswitch_relay_table_new(0, 4));
    assert_null(nswitch_relay_table_new(4, 0));
    assert_null(nswitch_relay_table_new(NSWITCH_RELAY_MAX_ENTRIES + 1, 4));
    assert_null(nswitch_relay_table_new(4, NSWITCH_RELAY_MAX_GROUPS + 1));
}

static void test_add_then_lookup_gives_port_and_group(void **state)
{
    NSwitchRelayTable *table = nswitch_relay_table_new(8, 4);
    uint8_t mac[NSWITCH_MAC_LEN];
    const NSwitchRelayEntry *entry;
    const NSwitchRelayGroup *group;

    (void)state;
    test_mac(mac, OUI_A, 1);
    assert_int_equal(nswitch_relay_table_add(table, mac, 17), NSWITCH_RELAY_OK);

    entry = nswitch_relay_table_lookup(table, mac);
    assert_non_null(entry);
    assert_memory_equal(entry->mac, mac, NSWITCH_MAC_LEN);
    assert_int_equal(entry->port, 17);
    assert_int_equal(entry->group, nswitch_relay_group_find(table, OUI_A));

    group = nswitch_relay_group_get(table, entry->group);
    assert_non_null(group);
    assert_int_equal(group->oui, OUI_A);
    assert_int_equal(group->members, 1);
    assert_false(group->pinned);
    assert_int_equal(nswitch_relay_table_count(table), 1);
    nswitch_relay_table_free(table);
}

static void test_oui_is_first_three_bytes(void **state)
{
    const uint8_t mac[NSWITCH_MAC_LEN] = { 0xaa, 0xbb, 0xcc, 1, 2, 3 };

    (void)state;
    assert_int_equal(nswitch_relay_oui_of(mac), 0xaabbcc);
}

static void test_refuses_multicast_broadcast_and_zero(void **state)
{
    NSwitchRelayTable *table = nswitch_relay_table_new(8, 4);
    const uint8_t multicast[NSWITCH_MAC_LEN] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
    const uint8_t broadcast[NSWITCH_MAC_LEN] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff
    };
    const uint8_t zero[NSWITCH_MAC_LEN] = { 0 };

    (void)state;
    assert_int_equal(nswitch_relay_table_add(table, multicast, 1),
                     NSWITCH_RELAY_INVALID_MAC);
    assert_int_equal(nswitch_relay_table_add(table, broadcast, 1),
                     NSWITCH_RELAY_INVALID_MAC);
    assert_int_equal(nswitch_relay_table_add(table, zero, 1),
                     NSWITCH_RELAY_INVALID_MAC);
    assert_int_equal(nswitch_relay_table_count(table), 0);
    assert_int_equal(nswitch_relay_table_counters(table)->rejected_invalid, 3);
    assert_int_equal(nswitch_relay_table_counters(table)->adds, 0);
    nswitch_relay_table_free(table);
}

static void test_refuses_duplicate_mac_and_keeps_first_port(void **state)
{
    NSwitchRelayTable *table = nswitch_relay_table_new(8, 4);
    uint8_t mac[NSWITCH_MAC_LEN];

    (void)state;
    test_mac(mac, OUI_A, 1);
    assert_int_equal(nswitch_relay_table_add(table, mac, 1), NSWITCH_RELAY_OK);
    assert_int_equal(nswitch_relay_table_add(table, mac, 2),
                     NSWITCH_RELAY_EXISTS);
    assert_int_equal(nswitch_relay_table_lookup(table, mac)->port, 1);
    assert_int_equal(nswitch_relay_table_counters(table)->rejected_exists, 1);
    nswitch_relay_table_free(table);
}

static void test_full_table_refuses_then_accepts_after_remove(void **state)
{
    NSwitchRelayTable *table = nswitch_relay_table_new(4, 4);
    uint8_t mac[NSWITCH_MAC_LEN];

    (void)state;
    for (uint32_t i = 0; i < 4; i++) {
        test_mac(mac, OUI_A, i + 1);
        assert_int_equal(nswitch_relay_table_add(table, mac, i),
                         NSWITCH_RELAY_OK);
    }
    test_mac(mac, OUI_A, 99);
    assert_int_equal(nswitch_relay_table_add(table, mac, 99),
                     NSWITCH_RELAY_TABLE_FULL);
    assert_null(nswitch_relay_table_lookup(table, mac));
    assert_int_equal(nswitch_relay_table_counters(table)->rejected_table_full,
                     1);
    assert_int_equal(nswitch_relay_table_capacity(table), 4);

    test_mac(mac, OUI_A, 2);
    assert_int_equal(nswitch_relay_table_remove(table, mac), NSWITCH_RELAY_OK);
    test_mac(mac, OUI_A, 99);
    assert_int_equal(nswitch_relay_table_add(table, mac, 99), NSWITCH_RELAY_OK);
    assert_int_equal(nswitch_relay_table_lookup(table, mac)->port, 99);
    nswitch_relay_table_free(table);
}

static void test_group_limit_refuses_new_oui(void **state)
{
    NSwitchRelayTable *table = nswitch_relay_table_new(8, 2);
    uint8_t mac[NSWITCH_MAC_LEN];

    (void)state;
    test_mac(mac, OUI_A, 1);
    assert_int_equal(nswitch_relay_table_add(table, mac, 1), NSWITCH_RELAY_OK);
    test_mac(mac, OUI_B, 1);
    assert_int_equal(nswitch_relay_table_add(table, mac, 2), NSWITCH_RELAY_OK);
    test_mac(mac, 0x020002, 1);
    assert_int_equal(nswitch_relay_table_add(table, mac, 3),
                     NSWITCH_RELAY_GROUPS_FULL);
    assert_null(nswitch_relay_table_lookup(table, mac));
    assert_int_equal(nswitch_relay_table_count(table), 2);
    assert_int_equal(nswitch_relay_table_counters(table)->rejected_groups_full,
                     1);

    /* An existing group takes more members at the group limit. */
    test_mac(mac, OUI_A, 2);
    assert_int_equal(nswitch_relay_table_add(table, mac, 4), NSWITCH_RELAY_OK);
    nswitch_relay_table_free(table);
}

static void test_remove_missing_is_not_found(void **state)
{
    NSwitchRelayTable *table = nswitch_relay_table_new(8, 4);
    uint8_t mac[NSWITCH_MAC_LEN];

    (void)state;
    test_mac(mac, OUI_A, 1);
    assert_int_equal(nswitch_relay_table_remove(table, mac),
                     NSWITCH_RELAY_NOT_FOUND);
    assert_int_equal(nswitch_relay_table_counters(table)->removes, 0);
    nswitch_relay_table_free(table);
}

static void test_empty_group_goes_away_unless_pinned(void **state)
{
    NSwitchRelayTable *table = nswitch_relay_table_new(8, 4);
    uint8_t mac_a[NSWITCH_MAC_LEN], mac_b[NSWITCH_MAC_LEN];
    uint32_t pinned;

    (void)state;
    assert_int_equal(nswitch_relay_group_pin(table, OUI_A, &pinned),
                     NSWITCH_RELAY_OK);
    assert_int_equal(nswitch_relay_group_get(table, pinned)->members, 0);
    assert_true(nswitch_relay_group_get(table, pinned)->pinned);

    test_mac(mac_a, OUI_A, 1);
    test_mac(mac_b, OUI_B, 1);
    assert_int_equal(nswitch_relay_table_add(table, mac_a, 1),
                     NSWITCH_RELAY_OK);
    assert_int_equal(nswitch_relay_table_add(table, mac_b, 2),
                     NSWITCH_RELAY_OK);
    assert_int_equal(nswitch_relay_table_lookup(table, mac_a)->group, pinned);

    assert_int_equal(nswitch_relay_table_remove(table, mac_a),
                     NSWITCH_RELAY_OK);
    assert_int_equal(nswitch_relay_table_remove(table, mac_b),
                     NSWITCH_RELAY_OK);
    assert_int_equal(nswitch_relay_group_find(table, OUI_A), pinned);
    assert_int_equal(nswitch_relay_group_find(table, OUI_B),
                     NSWITCH_RELAY_NONE);

    assert_int_equal(nswitch_relay_group_unpin(table, OUI_A), NSWITCH_RELAY_OK);
    assert_int_equal(nswitch_relay_group_find(table, OUI_A),
                     NSWITCH_RELAY_NONE);
    assert_null(nswitch_relay_group_get(table, pinned));
    assert_int_equal(nswitch_relay_group_unpin(table, OUI_A),
                     NSWITCH_RELAY_NOT_FOUND);
    nswitch_relay_table_free(table);
}

static void test_pin_when_groups_are_full(void **state)
{
    NSwitchRelayTable *table = nswitch_relay_table_new(8, 1);
    uint32_t group;

    (void)state;
    assert_int_equal(nswitch_relay_group_pin(table, OUI_A, &group),
                     NSWITCH_RELAY_OK);
    assert_int_equal(nswitch_relay_group_pin(table, OUI_A, NULL),
                     NSWITCH_RELAY_OK);
    assert_int_equal(nswitch_relay_group_pin(table, OUI_B, &group),
                     NSWITCH_RELAY_GROUPS_FULL);
    nswitch_relay_table_free(table);
}

static void test_group_walk_visits_exactly_its_members(void **state)
{
    NSwitchRelayTable *table = nswitch_relay_table_new(32, 4);
    uint8_t mac[NSWITCH_MAC_LEN];
    uint32_t seen = 0, visits = 0;
    uint32_t group;

    (void)state;
    for (uint32_t i = 0; i < 10; i++) {
        test_mac(mac, (i % 2) ? OUI_B : OUI_A, i);
        assert_int_equal(nswitch_relay_table_add(table, mac, i),
                         NSWITCH_RELAY_OK);
    }
    group = nswitch_relay_group_find(table, OUI_B);
    for (const NSwitchRelayEntry *e = nswitch_relay_group_first(table, group);
         e; e = nswitch_relay_group_next(table, e)) {
        assert_int_equal(nswitch_relay_oui_of(e->mac), OUI_B);
        assert_int_equal(e->port % 2, 1);
        seen |= 1u << e->port;
        visits++;
    }
    assert_int_equal(visits, 5);
    assert_int_equal(seen, 0x2aa);
    assert_null(nswitch_relay_group_first(table, 3));
    nswitch_relay_table_free(table);
}

static void test_iteration_lists_every_entry_once(void **state)
{
    NSwitchRelayTable *table = nswitch_relay_table_new(64, 4);
    uint8_t mac[NSWITCH_MAC_LEN];
    uint64_t seen = 0;

    (void)state;
    for (uint32_t i = 0; i < 40; i++) {
        test_mac(mac, OUI_A, i + 1);
        nswitch_relay_table_add(table, mac, i);
    }
    for (uint32_t i = 0; i < 40; i += 3) {
        test_mac(mac, OUI_A, i + 1);
        nswitch_relay_table_remove(table, mac);
    }
    assert_int_equal(nswitch_relay_table_count(table), 26);
    for (uint32_t i = 0; i < nswitch_relay_table_count(table); i++) {
        const NSwitchRelayEntry *e = nswitch_relay_table_entry(table, i);

        assert_non_null(e);
        assert_int_not_equal(e->port % 3, 0);
        assert_false(seen & (1ULL << e->port));
        seen |= 1ULL << e->port;
    }
    assert_null(nswitch_relay_table_entry(table, 26));
    nswitch_relay_table_free(table);
}

static void test_flush_keeps_pinned_groups_and_counters(void **state)
{
    NSwitchRelayTable *table = nswitch_relay_table_new(8, 4);
    uint8_t mac_a[NSWITCH_MAC_LEN], mac_b[NSWITCH_MAC_LEN];
    uint32_t pinned;

    (void)state;
    nswitch_relay_group_pin(table, OUI_A, &pinned);
    test_mac(mac_a, OUI_A, 1);
    test_mac(mac_b, OUI_B, 1);
    nswitch_relay_table_add(table, mac_a, 1);
    nswitch_relay_table_add(table, mac_b, 2);

    nswitch_relay_table_flush(table);
    assert_int_equal(nswitch_relay_table_count(table), 0);
    assert_null(nswitch_relay_table_lookup(table, mac_a));
    assert_null(nswitch_relay_table_lookup(table, mac_b));
    assert_int_equal(nswitch_relay_group_find(table, OUI_A), pinned);
    assert_int_equal(nswitch_relay_group_get(table, pinned)->members, 0);
    assert_null(nswitch_relay_group_first(table, pinned));
    assert_int_equal(nswitch_relay_group_find(table, OUI_B),
                     NSWITCH_RELAY_NONE);
    assert_int_equal(nswitch_relay_table_counters(table)->adds, 2);

    assert_int_equal(nswitch_relay_table_add(table, mac_b, 3),
                     NSWITCH_RELAY_OK);
    assert_int_equal(nswitch_relay_table_lookup(table, mac_b)->port, 3);
    nswitch_relay_table_free(table);
}

static void test_lookup_counters(void **state)
{
    NSwitchRelayTable *table = nswitch_relay_table_new(8, 4);
    uint8_t known[NSWITCH_MAC_LEN], unknown[NSWITCH_MAC_LEN];

    (void)state;
    test_mac(known, OUI_A, 1);
    test_mac(unknown, OUI_A, 2);
    nswitch_relay_table_add(table, known, 1);
    nswitch_relay_table_lookup(table, known);
    nswitch_relay_table_lookup(table, unknown);
    nswitch_relay_table_lookup(table, unknown);
    assert_int_equal(nswitch_relay_table_counters(table)->lookups, 3);
    assert_int_equal(nswitch_relay_table_counters(table)->lookup_misses, 2);
    nswitch_relay_table_free(table);
}

static void test_status_messages_are_distinct_sentences(void **state)
{
    const NSwitchRelayStatus statuses[] = {
        NSWITCH_RELAY_OK, NSWITCH_RELAY_INVALID_MAC, NSWITCH_RELAY_EXISTS,
        NSWITCH_RELAY_NOT_FOUND, NSWITCH_RELAY_TABLE_FULL,
        NSWITCH_RELAY_GROUPS_FULL, NSWITCH_RELAY_NOT_A_FUNCTION,
        NSWITCH_RELAY_OWN_MAC,
    };
    const size_t n = sizeof(statuses) / sizeof(statuses[0]);

    (void)state;
    assert_string_equal(nswitch_relay_status_message(NSWITCH_RELAY_TABLE_FULL),
                        "relay table is full");
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            assert_string_not_equal(nswitch_relay_status_message(statuses[i]),
                                    nswitch_relay_status_message(statuses[j]));
        }
    }
}

static void test_operations_after_new_allocate_nothing(void **state)
{
    NSwitchRelayTable *table = nswitch_relay_table_new(65536, 256);
    uint8_t mac[NSWITCH_MAC_LEN];
    size_t before;

    (void)state;
    before = allocation_count();
    assert_int_not_equal(before, 0);
    for (uint32_t i = 0; i < 65536; i++) {
        test_mac(mac, 0x020000 + (i % 256), i);
        assert_int_equal(nswitch_relay_table_add(table, mac, i),
                         NSWITCH_RELAY_OK);
    }
    for (uint32_t i = 0; i < 65536; i++) {
        test_mac(mac, 0x020000 + (i % 256), i);
        assert_int_equal(nswitch_relay_table_lookup(table, mac)->port, i);
    }
    for (uint32_t i = 0; i < 65536; i += 2) {
        test_mac(mac, 0x020000 + (i % 256), i);
        assert_int_equal(nswitch_relay_table_remove(table, mac),
                         NSWITCH_RELAY_OK);
    }
    nswitch_relay_group_pin(table, 0x020000, NULL);
    nswitch_relay_table_flush(table);
    assert_int_equal(allocation_count(), before);
    nswitch_relay_table_free(table);
}

/*
 * Random adds and removes over few groups, checked after every step against
 * a plain array: lookups, counts and each group's member list.
 */
static void test_matches_model_under_random_churn(void **state)
{
    enum { CAPACITY = 48, UNIVERSE = 96, GROUPS = 3, STEPS = 30000 };
    const uint32_t ouis[GROUPS] = { OUI_A, OUI_B, 0xfeedf0 };
    bool present[UNIVERSE] = { false };
    uint32_t port_of[UNIVERSE];
    uint32_t used = 0;
    uint64_t rng = 88172645463325252ULL;
    NSwitchRelayTable *table = nswitch_relay_table_new(CAPACITY, GROUPS);
    uint8_t mac[NSWITCH_MAC_LEN];

    (void)state;
    for (uint32_t step = 0; step < STEPS; step++) {
        uint32_t k = xorshift64(&rng) % UNIVERSE;
        NSwitchRelayStatus status;

        test_mac(mac, ouis[k % GROUPS], k);
        if (present[k]) {
            status = nswitch_relay_table_remove(table, mac);
            assert_int_equal(status, NSWITCH_RELAY_OK);
            present[k] = false;
            used--;
        } else {
            status = nswitch_relay_table_add(table, mac, step);
            if (used == CAPACITY) {
                assert_int_equal(status, NSWITCH_RELAY_TABLE_FULL);
            } else {
                assert_int_equal(status, NSWITCH_RELAY_OK);
                present[k] = true;
                port_of[k] = step;
                used++;
            }
        }
        assert_int_equal(nswitch_relay_table_count(table), used);

        for (uint32_t g = 0; g < GROUPS; g++) {
            uint32_t expected = 0, walked = 0;
            uint32_t id = nswitch_relay_group_find(table, ouis[g]);
            const NSwitchRelayEntry *e;

            for (uint32_t j = g; j < UNIVERSE; j += GROUPS) {
                expected += present[j];
            }
            if (!expected) {
                assert_int_equal(id, NSWITCH_RELAY_NONE);
                continue;
            }
            assert_int_equal(nswitch_relay_group_get(table, id)->members,
                             expected);
            for (e = nswitch_relay_group_first(table, id); e;
                 e = nswitch_relay_group_next(table, e)) {
                uint32_t station = e->mac[5];

                assert_int_equal(nswitch_relay_oui_of(e->mac), ouis[g]);
                assert_true(present[station]);
                assert_int_equal(e->port, port_of[station]);
                walked++;
            }
            assert_int_equal(walked, expected);
        }
        for (uint32_t j = 0; j < UNIVERSE; j++) {
            const NSwitchRelayEntry *e;

            test_mac(mac, ouis[j % GROUPS], j);
            e = nswitch_relay_table_lookup(table, mac);
            if (present[j]) {
                assert_non_null(e);
                assert_int_equal(e->port, port_of[j]);
            } else {
                assert_null(e);
            }
        }
    }
    nswitch_relay_table_free(table);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_refuses_bad_capacities),
        cmocka_unit_test(test_add_then_lookup_gives_port_and_group),
        cmocka_unit_test(test_oui_is_first_three_bytes),
        cmocka_unit_test(test_refuses_multicast_broadcast_and_zero),
        cmocka_unit_test(test_refuses_duplicate_mac_and_keeps_first_port),
        cmocka_unit_test(test_full_table_refuses_then_accepts_after_remove),
        cmocka_unit_test(test_group_limit_refuses_new_oui),
        cmocka_unit_test(test_remove_missing_is_not_found),
        cmocka_unit_test(test_empty_group_goes_away_unless_pinned),
        cmocka_unit_test(test_pin_when_groups_are_full),
        cmocka_unit_test(test_group_walk_visits_exactly_its_members),
        cmocka_unit_test(test_iteration_lists_every_entry_once),
        cmocka_unit_test(test_flush_keeps_pinned_groups_and_counters),
        cmocka_unit_test(test_lookup_counters),
        cmocka_unit_test(test_status_messages_are_distinct_sentences),
        cmocka_unit_test(test_operations_after_new_allocate_nothing),
        cmocka_unit_test(test_matches_model_under_random_churn),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
