/*
 * Unit tests for the core's forwarding decision: every nSwitch case,
 * every drop reason, and the counters.
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

#include "hw/net/nswitch/switch.h"
#include "allocation-counter.h"
#include "switch-fixture.h"

static void test_new_refuses_bad_sizes(void **state)
{
    (void)state;
    assert_null(nswitch_new(0, 0, 8, 8));
    assert_null(nswitch_new(4, 4, 8, 8));
    assert_null(nswitch_new(4, 0, 0, 8));
    assert_null(nswitch_new(100000, 0, 8, 8));
}

static void test_uplink_is_attached_and_has_no_mac(void **state)
{
    NSwitch *sw = nswitch_new(PORTS, UPLINK, 8, 8);
    uint8_t mac[NSWITCH_MAC_LEN];

    (void)state;
    assert_int_equal(nswitch_uplink_port(sw), UPLINK);
    assert_int_equal(nswitch_port_count(sw), PORTS);
    assert_true(nswitch_port_info(sw, UPLINK)->attached);
    assert_int_equal(nswitch_port_info(sw, UPLINK)->kind, NSWITCH_PORT_UPLINK);
    test_mac(mac, OUI_A, 9);
    assert_int_not_equal(nswitch_port_attach(sw, UPLINK, NSWITCH_PORT_VF, mac),
                         NSWITCH_RELAY_OK);
    assert_int_equal(nswitch_relay_table_count(nswitch_relay_table(sw)), 0);
    assert_null(nswitch_port_info(sw, PORTS));
    nswitch_free(sw);
}

static void test_case0_same_oui_is_hairpinned(void **state)
{
    NSwitch *sw = card_new();
    NSwitchDecision d;

    (void)state;
    d = send_to_station(sw, VF(0), OUI_A, 2);
    assert_int_equal(d.path, NSWITCH_PATH_HAIRPIN);
    assert_int_equal(d.count, 1);
    assert_int_equal(d.ports[0], VF(1));
    assert_int_equal(nswitch_path_counters(sw)->hairpinned, 1);
    assert_int_equal(nswitch_path_counters(sw)->to_uplink, 0);
    assert_int_equal(nswitch_port_info(sw, VF(0))->counters.rx_frames, 1);
    assert_int_equal(nswitch_port_info(sw, VF(0))->counters.rx_bytes, 60);
    nswitch_free(sw);
}

static void test_case0_reaches_the_pf_too(void **state)
{
    NSwitch *sw = card_new();
    Frame frame = frame_from_port(sw, VF(3), nswitch_port_info(sw, PF)->mac);
    NSwitchDecision d = send(sw, VF(3), &frame);

    (void)state;
    assert_int_equal(d.path, NSWITCH_PATH_HAIRPIN);
    assert_int_equal(d.ports[0], PF);
    nswitch_free(sw);
}

static void test_unknown_unicast_in_group_goes_to_uplink(void **state)
{
    NSwitch *sw = card_new();
    NSwitchDecision d;

    (void)state;
    d = send_to_station(sw, VF(0), OUI_A, 77);
    assert_int_equal(d.path, NSWITCH_PATH_TO_UPLINK);
    assert_int_equal(d.count, 1);
    assert_int_equal(d.ports[0], UPLINK);
    assert_int_equal(nswitch_path_counters(sw)->unknown_unicast, 1);
    assert_int_equal(nswitch_path_counters(sw)->to_uplink, 1);
    nswitch_free(sw);
}

static void test_case1_other_oui_goes_to_uplink(void **state)
{
    NSwitch *sw = card_new();
    NSwitchDecision d;

    (void)state;
    d = send_to_station(sw, VF(2), OUI_B, 1);
    assert_int_equal(d.path, NSWITCH_PATH_TO_UPLINK);
    assert_int_equal(d.ports[0], UPLINK);
    assert_int_equal(nswitch_path_counters(sw)->to_uplink, 1);
    assert_int_equal(nswitch_path_counters(sw)->unknown_unicast, 0);
    nswitch_free(sw);
}

static void test_case1_even_to_a_function_of_another_group(void **state)
{
    NSwitch *sw = card_new();
    uint8_t moved[NSWITCH_MAC_LEN];
    Frame frame;
    NSwitchDecision d;

    (void)state;
    test_mac(moved, OUI_B, 1);
    assert_int_equal(nswitch_port_set_mac(sw, VF(3), moved), NSWITCH_RELAY_OK);
    frame = frame_from_port(sw, VF(0), moved);
    d = send(sw, VF(0), &frame);
    assert_int_equal(d.path, NSWITCH_PATH_TO_UPLINK);
    nswitch_free(sw);
}

static void test_broadcast_floods_group_and_uplink_not_sender(void **state)
{
    NSwitch *sw = card_new();
    uint8_t other[NSWITCH_MAC_LEN];
    Frame frame;
    NSwitchDecision d;

    (void)state;
    test_mac(other, OUI_B, 1);
    nswitch_port_set_mac(sw, VF(3), other);
    frame = frame_from_port(sw, VF(1), broadcast);
    d = send(sw, VF(1), &frame);
    assert_int_equal(d.path, NSWITCH_PATH_FLOOD);
    assert_int_equal(d.count, 4);
    assert_true(decision_has(&d, PF));
    assert_true(decision_has(&d, VF(0)));
    assert_true(decision_has(&d, VF(2)));
    assert_true(decision_has(&d, UPLINK));
    assert_false(decision_has(&d, VF(1)));
    assert_false(decision_has(&d, VF(3)));
    assert_int_equal(nswitch_path_counters(sw)->flooded, 1);
    nswitch_free(sw);
}

static void test_multicast_floods_like_broadcast(void **state)
{
    NSwitch *sw = card_new();
    Frame frame = frame_from_port(sw, PF, multicast);
    NSwitchDecision d = send(sw, PF, &frame);

    (void)state;
    assert_int_equal(d.path, NSWITCH_PATH_FLOOD);
    assert_int_equal(d.count, 5);
    assert_false(decision_has(&d, PF));
    assert_true(decision_has(&d, UPLINK));
    nswitch_free(sw);
}

static void test_lone_member_floods_only_to_uplink(void **state)
{
    NSwitch *sw = card_new();
    uint8_t lonely[NSWITCH_MAC_LEN];
    Frame frame;
    NSwitchDecision d;

    (void)state;
    test_mac(lonely, OUI_B, 9);
    nswitch_port_set_mac(sw, VF(0), lonely);
    frame = frame_from_port(sw, VF(0), broadcast);
    d = send(sw, VF(0), &frame);
    assert_int_equal(d.count, 1);
    assert_int_equal(d.ports[0], UPLINK);
    nswitch_free(sw);
}

static void test_case2_uplink_unicast_sorted_to_owner(void **state)
{
    NSwitch *sw = card_new();
    uint8_t dst[NSWITCH_MAC_LEN], src[NSWITCH_MAC_LEN];
    Frame frame;
    NSwitchDecision d;

    (void)state;
    test_mac(dst, OUI_A, 3);
    test_mac(src, 0x525400, 1);
    frame = frame_between(dst, src);
    d = send(sw, UPLINK, &frame);
    assert_int_equal(d.path, NSWITCH_PATH_FROM_UPLINK);
    assert_int_equal(d.count, 1);
    assert_int_equal(d.ports[0], VF(2));
    assert_int_equal(nswitch_path_counters(sw)->from_uplink, 1);
    assert_int_equal(nswitch_port_info(sw, UPLINK)->counters.rx_frames, 1);
    nswitch_free(sw);
}

static void test_case2_reaches_a_moved_function(void **state)
{
    NSwitch *sw = card_new();
    uint8_t moved[NSWITCH_MAC_LEN], src[NSWITCH_MAC_LEN];
    Frame frame;
    NSwitchDecision d;

    (void)state;
    test_mac(moved, OUI_B, 5);
    test_mac(src, 0x525400, 1);
    nswitch_port_set_mac(sw, VF(1), moved);
    frame = frame_between(moved, src);
    d = send(sw, UPLINK, &frame);
    assert_int_equal(d.path, NSWITCH_PATH_FROM_UPLINK);
    assert_int_equal(d.ports[0], VF(1));
    nswitch_free(sw);
}

static void test_case2_unknown_unicast_dropped(void **state)
{
    NSwitch *sw = card_new();
    uint8_t dst[NSWITCH_MAC_LEN], src[NSWITCH_MAC_LEN];
    Frame frame;
    NSwitchDecision d;

    (void)state;
    test_mac(dst, OUI_A, 99);
    test_mac(src, 0x525400, 1);
    frame = frame_between(dst, src);
    d = send(sw, UPLINK, &frame);
    assert_dropped(&d, NSWITCH_DROP_NO_DESTINATION);
    assert_int_equal(
        nswitch_path_counters(sw)->dropped[NSWITCH_DROP_NO_DESTINATION], 1);
    assert_int_equal(nswitch_port_info(sw, UPLINK)->counters
                     .dropped[NSWITCH_DROP_NO_DESTINATION], 1);
    nswitch_free(sw);
}

static void test_case2_broadcast_to_every_function(void **state)
{
    NSwitch *sw = card_new();
    uint8_t src[NSWITCH_MAC_LEN], other[NSWITCH_MAC_LEN];
    Frame frame;
    NSwitchDecision d;

    (void)state;
    test_mac(other, OUI_B, 1);
    nswitch_port_set_mac(sw, VF(3), other);
    nswitch_port_detach(sw, VF(2));
    test_mac(src, 0x525400, 1);
    frame = frame_between(broadcast, src);
    d = send(sw, UPLINK, &frame);
    assert_int_equal(d.path, NSWITCH_PATH_FLOOD);
    assert_int_equal(d.count, 4);
    assert_true(decision_has(&d, PF));
    assert_true(decision_has(&d, VF(0)));
    assert_true(decision_has(&d, VF(1)));
    assert_true(decision_has(&d, VF(3)));
    assert_false(decision_has(&d, VF(2)));
    assert_false(decision_has(&d, UPLINK));
    nswitch_free(sw);
}

static void test_runt_dropped(void **state)
{
    NSwitch *sw = card_new();
    Frame frame = frame_from_port(sw, VF(0), broadcast);
    NSwitchDecision d;

    (void)state;
    frame.len = NSWITCH_ETH_HEADER_LEN - 1;
    d = send(sw, VF(0), &frame);
    assert_dropped(&d, NSWITCH_DROP_RUNT);
    assert_int_equal(nswitch_port_info(sw, VF(0))->counters
                     .dropped[NSWITCH_DROP_RUNT], 1);
    assert_int_equal(nswitch_port_info(sw, VF(0))->counters.rx_frames, 1);
    nswitch_free(sw);
}

static void test_bad_source_dropped(void **state)
{
    NSwitch *sw = card_new();
    const uint8_t zero[NSWITCH_MAC_LEN] = { 0 };
    Frame frame;
    NSwitchDecision d;

    (void)state;
    frame = frame_between(broadcast, multicast);
    d = send(sw, UPLINK, &frame);
    assert_dropped(&d, NSWITCH_DROP_BAD_SOURCE);
    frame = frame_between(broadcast, zero);
    d = send(sw, VF(0), &frame);
    assert_dropped(&d, NSWITCH_DROP_BAD_SOURCE);
    assert_int_equal(
        nswitch_path_counters(sw)->dropped[NSWITCH_DROP_BAD_SOURCE], 2);
    nswitch_free(sw);
}

static void test_spoofed_source_dropped_unless_check_off(void **state)
{
    NSwitch *sw = card_new();
    uint8_t dst[NSWITCH_MAC_LEN], fake[NSWITCH_MAC_LEN];
    Frame frame;
    NSwitchDecision d;

    (void)state;
    test_mac(dst, OUI_A, 2);
    test_mac(fake, OUI_A, 50);
    frame = frame_between(dst, fake);
    d = send(sw, VF(0), &frame);
    assert_dropped(&d, NSWITCH_DROP_SPOOFED);
    assert_int_equal(nswitch_port_info(sw, VF(0))->counters
                     .dropped[NSWITCH_DROP_SPOOFED], 1);

    nswitch_port_set_spoof_check(sw, VF(0), false);
    assert_false(nswitch_port_info(sw, VF(0))->policy.spoof_check);
    d = send(sw, VF(0), &frame);
    assert_int_equal(d.path, NSWITCH_PATH_HAIRPIN);
    assert_int_equal(d.ports[0], VF(1));
    nswitch_free(sw);
}

static void test_unicast_to_self_dropped(void **state)
{
    NSwitch *sw = card_new();
    uint8_t spoof_free[NSWITCH_MAC_LEN];
    Frame frame;
    NSwitchDecision d;

    (void)state;
    memcpy(spoof_free, nswitch_port_info(sw, VF(0))->mac, NSWITCH_MAC_LEN);
    frame = frame_between(spoof_free, spoof_free);
    d = send(sw, VF(0), &frame);
    assert_dropped(&d, NSWITCH_DROP_LOOPBACK);
    nswitch_free(sw);
}

static void test_detached_port_sends_nothing_and_is_not_reached(void **state)
{
    NSwitch *sw = card_new();
    uint8_t vf1[NSWITCH_MAC_LEN];
    Frame frame;
    NSwitchDecision d;

    (void)state;
    memcpy(vf1, nswitch_port_info(sw, VF(1))->mac, NSWITCH_MAC_LEN);
    nswitch_port_detach(sw, VF(1));
    assert_false(nswitch_port_info(sw, VF(1))->attached);

    frame = frame_between(broadcast, vf1);
    d = send(sw, VF(1), &frame);
    assert_dropped(&d, NSWITCH_DROP_PORT_DOWN);
    /* offered, and dropped: the counters add up */
    assert_int_equal(nswitch_port_info(sw, VF(1))->counters.rx_frames, 1);

    frame = frame_from_port(sw, VF(0), vf1);
    d = send(sw, VF(0), &frame);
    assert_int_equal(d.path, NSWITCH_PATH_TO_UPLINK);
    assert_int_equal(nswitch_path_counters(sw)->unknown_unicast, 1);

    /* Re-attached, it is reached again. */
    assert_int_equal(nswitch_port_attach(sw, VF(1), NSWITCH_PORT_VF, vf1),
                     NSWITCH_RELAY_OK);
    d = send(sw, VF(0), &frame);
    assert_int_equal(d.path, NSWITCH_PATH_HAIRPIN);
    assert_int_equal(d.ports[0], VF(1));
    nswitch_free(sw);
}

static void test_out_of_range_source_is_port_down(void **state)
{
    NSwitch *sw = card_new();
    Frame frame = frame_from_port(sw, VF(0), broadcast);
    NSwitchDecision d = nswitch_decide(sw, PORTS + 3, frame.bytes,
                                        frame.len, 0);

    (void)state;
    assert_dropped(&d, NSWITCH_DROP_PORT_DOWN);
    assert_int_equal(nswitch_path_counters(sw)->dropped[NSWITCH_DROP_PORT_DOWN],
                     1);
    nswitch_free(sw);
}

static void test_mac_change_moves_port_between_groups(void **state)
{
    NSwitch *sw = card_new();
    uint8_t moved[NSWITCH_MAC_LEN], peer[NSWITCH_MAC_LEN];
    Frame frame;
    NSwitchDecision d;

    (void)state;
    test_mac(moved, OUI_B, 1);
    test_mac(peer, OUI_B, 2);
    assert_int_equal(nswitch_port_set_mac(sw, VF(0), moved), NSWITCH_RELAY_OK);
    assert_int_equal(nswitch_port_set_mac(sw, VF(1), peer), NSWITCH_RELAY_OK);
    assert_memory_equal(nswitch_port_info(sw, VF(0))->mac, moved,
                        NSWITCH_MAC_LEN);

    frame = frame_from_port(sw, VF(1), moved);
    d = send(sw, VF(1), &frame);
    assert_int_equal(d.path, NSWITCH_PATH_HAIRPIN);
    assert_int_equal(d.ports[0], VF(0));

    frame = frame_from_port(sw, VF(2), broadcast);
    d = send(sw, VF(2), &frame);
    assert_false(decision_has(&d, VF(0)));
    assert_false(decision_has(&d, VF(1)));
    assert_int_equal(nswitch_relay_group_find(nswitch_relay_table(sw), OUI_B),
                     nswitch_relay_table_lookup(
                         (NSwitchRelayTable *)nswitch_relay_table(sw),
                         moved)->group);
    nswitch_free(sw);
}

static void test_failed_mac_change_keeps_old_mac(void **state)
{
    NSwitch *sw = card_new();
    uint8_t old[NSWITCH_MAC_LEN];
    Frame frame;
    NSwitchDecision d;

    (void)state;
    memcpy(old, nswitch_port_info(sw, VF(0))->mac, NSWITCH_MAC_LEN);
    assert_int_equal(nswitch_port_set_mac(sw, VF(0),
                                          nswitch_port_info(sw, VF(1))->mac),
                     NSWITCH_RELAY_EXISTS);
    assert_int_equal(nswitch_port_set_mac(sw, VF(0), multicast),
                     NSWITCH_RELAY_INVALID_MAC);
    assert_memory_equal(nswitch_port_info(sw, VF(0))->mac, old,
                        NSWITCH_MAC_LEN);
    frame = frame_from_port(sw, VF(1), old);
    d = send(sw, VF(1), &frame);
    assert_int_equal(d.path, NSWITCH_PATH_HAIRPIN);
    assert_int_equal(d.ports[0], VF(0));
    nswitch_free(sw);
}

static void test_mac_set_on_detached_port_is_used_at_attach(void **state)
{
    NSwitch *sw = card_new();
    uint8_t mac[NSWITCH_MAC_LEN];

    (void)state;
    nswitch_port_detach(sw, VF(3));
    test_mac(mac, OUI_B, 4);
    assert_int_equal(nswitch_port_set_mac(sw, VF(3), mac), NSWITCH_RELAY_OK);
    assert_null(nswitch_relay_table_lookup(
        (NSwitchRelayTable *)nswitch_relay_table(sw), mac));
    assert_memory_equal(nswitch_port_info(sw, VF(3))->mac, mac,
                        NSWITCH_MAC_LEN);
    nswitch_free(sw);
}

static void test_delivery_and_drop_counters(void **state)
{
    NSwitch *sw = card_new();

    (void)state;
    nswitch_count_delivery(sw, VF(1), 100);
    nswitch_count_delivery(sw, VF(1), 50);
    nswitch_count_drop(sw, VF(2), NSWITCH_DROP_RECEIVER_FULL);
    assert_int_equal(nswitch_port_info(sw, VF(1))->counters.tx_frames, 2);
    assert_int_equal(nswitch_port_info(sw, VF(1))->counters.tx_bytes, 150);
    assert_int_equal(nswitch_port_info(sw, VF(2))->counters
                     .dropped[NSWITCH_DROP_RECEIVER_FULL], 1);
    assert_int_equal(
        nswitch_path_counters(sw)->dropped[NSWITCH_DROP_RECEIVER_FULL], 1);

    nswitch_clear_counters(sw);
    assert_int_equal(nswitch_port_info(sw, VF(1))->counters.tx_frames, 0);
    assert_int_equal(
        nswitch_path_counters(sw)->dropped[NSWITCH_DROP_RECEIVER_FULL], 0);
    assert_true(nswitch_port_info(sw, VF(1))->attached);
    nswitch_free(sw);
}

static void test_restored_counters_read_back(void **state)
{
    NSwitch *sw = card_new();
    NSwitchPortCounters port = { .rx_frames = 7, .tx_bytes = 900 };
    NSwitchPathCounters paths = { .hairpinned = 5, .flooded = 2 };

    (void)state;
    port.dropped[NSWITCH_DROP_SPOOFED] = 3;
    paths.dropped[NSWITCH_DROP_RUNT] = 4;
    nswitch_restore_port_counters(sw, VF(2), &port);
    nswitch_restore_path_counters(sw, &paths);
    assert_memory_equal(&nswitch_port_info(sw, VF(2))->counters, &port,
                        sizeof(port));
    assert_memory_equal(nswitch_path_counters(sw), &paths, sizeof(paths));
    assert_true(nswitch_port_info(sw, VF(2))->attached);
    nswitch_free(sw);
}

static void test_uplink_broadcast_not_back_to_its_source(void **state)
{
    NSwitch *sw = card_new();
    Frame frame = frame_between(broadcast, nswitch_port_info(sw, VF(1))->mac);
    NSwitchDecision d = send(sw, UPLINK, &frame);

    (void)state;
    assert_int_equal(d.path, NSWITCH_PATH_FLOOD);
    assert_int_equal(d.count, 4);
    assert_false(decision_has(&d, VF(1)));
    assert_true(decision_has(&d, VF(0)));
    assert_true(decision_has(&d, PF));
    nswitch_free(sw);
}

static void test_veb_switches_by_exact_mac_across_ouis(void **state)
{
    NSwitch *sw = card_new();
    uint8_t other[NSWITCH_MAC_LEN];
    Frame frame;
    NSwitchDecision d;

    (void)state;
    nswitch_set_mode(sw, NSWITCH_MODE_VEB);
    assert_int_equal(nswitch_mode(sw), NSWITCH_MODE_VEB);
    test_mac(other, OUI_B, 1);
    nswitch_port_set_mac(sw, VF(3), other);

    frame = frame_from_port(sw, VF(0), other);
    d = send(sw, VF(0), &frame);
    assert_int_equal(d.path, NSWITCH_PATH_HAIRPIN);
    assert_int_equal(d.ports[0], VF(3));

    d = send_to_station(sw, VF(0), OUI_A, 77);
    assert_int_equal(d.path, NSWITCH_PATH_TO_UPLINK);
    assert_int_equal(nswitch_path_counters(sw)->unknown_unicast, 0);
    nswitch_free(sw);
}

static void test_veb_broadcast_reaches_every_function(void **state)
{
    NSwitch *sw = card_new();
    uint8_t other[NSWITCH_MAC_LEN];
    Frame frame;
    NSwitchDecision d;

    (void)state;
    nswitch_set_mode(sw, NSWITCH_MODE_VEB);
    test_mac(other, OUI_B, 1);
    nswitch_port_set_mac(sw, VF(3), other);
    frame = frame_from_port(sw, VF(0), broadcast);
    d = send(sw, VF(0), &frame);
    assert_int_equal(d.path, NSWITCH_PATH_FLOOD);
    assert_int_equal(d.count, 5);
    assert_true(decision_has(&d, VF(3)));
    assert_true(decision_has(&d, UPLINK));
    assert_false(decision_has(&d, VF(0)));
    nswitch_free(sw);
}

static void test_vepa_sends_everything_to_the_uplink(void **state)
{
    NSwitch *sw = card_new();
    Frame frame;
    NSwitchDecision d;

    (void)state;
    nswitch_set_mode(sw, NSWITCH_MODE_VEPA);
    d = send_to_station(sw, VF(0), OUI_A, 2);
    assert_int_equal(d.path, NSWITCH_PATH_TO_UPLINK);
    assert_int_equal(d.ports[0], UPLINK);
    frame = frame_from_port(sw, VF(0), broadcast);
    d = send(sw, VF(0), &frame);
    assert_int_equal(d.path, NSWITCH_PATH_TO_UPLINK);
    assert_int_equal(d.count, 1);
    assert_int_equal(nswitch_path_counters(sw)->hairpinned, 0);
    assert_int_equal(nswitch_path_counters(sw)->to_uplink, 2);
    nswitch_free(sw);
}

static void test_vepa_delivers_what_the_switch_reflects(void **state)
{
    NSwitch *sw = card_new();
    Frame frame;
    NSwitchDecision d;

    (void)state;
    nswitch_set_mode(sw, NSWITCH_MODE_VEPA);
    frame = frame_between(nswitch_port_info(sw, VF(1))->mac,
                          nswitch_port_info(sw, VF(0))->mac);
    d = send(sw, UPLINK, &frame);
    assert_int_equal(d.path, NSWITCH_PATH_FROM_UPLINK);
    assert_int_equal(d.ports[0], VF(1));

    frame = frame_between(broadcast, nswitch_port_info(sw, VF(0))->mac);
    d = send(sw, UPLINK, &frame);
    assert_int_equal(d.count, 4);
    assert_false(decision_has(&d, VF(0)));
    nswitch_free(sw);
}

static void test_uplink_rate_drops_beyond_the_burst(void **state)
{
    NSwitch *sw = card_new();
    uint64_t to_uplink = 0, dropped = 0;
    Frame frame;

    (void)state;
    /* 8 Mbit/s: 1000 bytes per ms; burst 64 KiB + 256 */
    nswitch_set_uplink_rate(sw, 8000000, 0);
    for (int i = 0; i < 2000; i++) {
        NSwitchDecision d = send_to_station(sw, VF(0), OUI_B, 1);

        to_uplink += d.path == NSWITCH_PATH_TO_UPLINK;
        dropped += d.path == NSWITCH_PATH_DROP;
    }
    assert_int_equal(to_uplink, (65536 + 256) / 60);
    assert_int_equal(dropped, 2000 - to_uplink);
    assert_int_equal(nswitch_port_info(sw, UPLINK)->counters
                     .dropped[NSWITCH_DROP_UPLINK_RATE], dropped);

    /* Both directions share it: uplink frames are refused too... */
    frame = frame_between(nswitch_port_info(sw, VF(1))->mac,
                          nswitch_port_info(sw, PF)->mac);
    frame.bytes[6] = 0x52;
    assert_int_equal(send(sw, UPLINK, &frame).path, NSWITCH_PATH_DROP);
    /* ...until time refills it: 1 ms buys 16 frames of 60 bytes. */
    assert_int_equal(nswitch_decide(sw, UPLINK, frame.bytes, frame.len,
                                    1000000).path, NSWITCH_PATH_FROM_UPLINK);
    nswitch_free(sw);
}

static void test_flood_keeps_its_functions_when_uplink_is_full(void **state)
{
    NSwitch *sw = card_new();
    Frame frame = frame_from_port(sw, VF(0), broadcast);
    NSwitchDecision d;

    (void)state;
    nswitch_set_uplink_rate(sw, 8000000, 0);
    frame.len = 64;
    for (int i = 0; i < (65536 + 256) / 64; i++) {
        assert_true(decision_has((d = send(sw, VF(0), &frame), &d), UPLINK));
    }
    d = send(sw, VF(0), &frame);
    assert_int_equal(d.path, NSWITCH_PATH_FLOOD);
    assert_int_equal(d.count, 4);
    assert_false(decision_has(&d, UPLINK));
    assert_int_equal(nswitch_port_info(sw, UPLINK)->counters
                     .dropped[NSWITCH_DROP_UPLINK_RATE], 1);
    nswitch_free(sw);
}

static void test_static_entry_reaches_its_port(void **state)
{
    NSwitch *sw = card_new();
    uint8_t behind_vf1[NSWITCH_MAC_LEN], other_oui[NSWITCH_MAC_LEN];
    Frame frame;
    NSwitchDecision d;

    (void)state;
    test_mac(behind_vf1, OUI_A, 50);
    test_mac(other_oui, OUI_B, 7);
    assert_int_equal(nswitch_add_static_entry(sw, behind_vf1, VF(1)),
                     NSWITCH_RELAY_OK);
    assert_int_equal(nswitch_add_static_entry(sw, other_oui, VF(2)),
                     NSWITCH_RELAY_OK);
    assert_true(nswitch_entry_is_static(sw, nswitch_relay_table_lookup(
        (NSwitchRelayTable *)nswitch_relay_table(sw), behind_vf1)));

    d = send_to_station(sw, VF(0), OUI_A, 50);
    assert_int_equal(d.path, NSWITCH_PATH_HAIRPIN);
    assert_int_equal(d.ports[0], VF(1));

    frame = frame_between(other_oui, nswitch_port_info(sw, PF)->mac);
    frame.bytes[6] = 0x52;
    d = send(sw, UPLINK, &frame);
    assert_int_equal(d.path, NSWITCH_PATH_FROM_UPLINK);
    assert_int_equal(d.ports[0], VF(2));
    nswitch_free(sw);
}

static void test_static_entry_refusals(void **state)
{
    NSwitch *sw = card_new();
    uint8_t mac[NSWITCH_MAC_LEN], own[NSWITCH_MAC_LEN];

    (void)state;
    test_mac(mac, OUI_A, 60);
    assert_int_equal(nswitch_add_static_entry(sw, mac, UPLINK),
                     NSWITCH_RELAY_NOT_A_FUNCTION);
    assert_int_equal(nswitch_add_static_entry(sw, mac, PORTS),
                     NSWITCH_RELAY_NOT_A_FUNCTION);
    memcpy(own, nswitch_port_info(sw, VF(0))->mac, NSWITCH_MAC_LEN);
    assert_int_equal(nswitch_add_static_entry(sw, own, VF(1)),
                     NSWITCH_RELAY_EXISTS);
    assert_int_equal(nswitch_remove_static_entry(sw, own),
                     NSWITCH_RELAY_OWN_MAC);
    assert_int_equal(nswitch_remove_static_entry(sw, mac),
                     NSWITCH_RELAY_NOT_FOUND);
    assert_int_equal(nswitch_add_static_entry(sw, mac, VF(1)),
                     NSWITCH_RELAY_OK);
    assert_int_equal(nswitch_remove_static_entry(sw, mac), NSWITCH_RELAY_OK);
    assert_int_equal(send_to_station(sw, VF(0), OUI_A, 60).path,
                     NSWITCH_PATH_TO_UPLINK);
    nswitch_free(sw);
}

static void test_static_entry_of_a_detached_port_drops(void **state)
{
    NSwitch *sw = card_new();
    uint8_t mac[NSWITCH_MAC_LEN];
    NSwitchDecision d;

    (void)state;
    test_mac(mac, OUI_A, 61);
    nswitch_add_static_entry(sw, mac, VF(3));
    nswitch_port_detach(sw, VF(3));
    d = send_to_station(sw, VF(0), OUI_A, 61);
    assert_int_equal(d.path, NSWITCH_PATH_DROP);
    assert_int_equal(d.drop_reason, NSWITCH_DROP_PORT_DOWN);
    assert_true(nswitch_entry_is_static(sw, nswitch_relay_table_lookup(
        (NSwitchRelayTable *)nswitch_relay_table(sw), mac)));
    nswitch_free(sw);
}

static void test_flood_gives_a_port_one_copy(void **state)
{
    NSwitch *sw = card_new();
    uint8_t mac[NSWITCH_MAC_LEN];
    Frame frame = frame_from_port(sw, VF(0), broadcast);
    NSwitchDecision d;
    int copies = 0;

    (void)state;
    test_mac(mac, OUI_A, 62);
    nswitch_add_static_entry(sw, mac, VF(1));
    d = send(sw, VF(0), &frame);
    for (uint32_t i = 0; i < d.count; i++) {
        copies += d.ports[i] == VF(1);
    }
    assert_int_equal(copies, 1);
    assert_int_equal(d.count, 5);
    nswitch_free(sw);
}

static void test_flush_detaches_functions_and_drops_entries(void **state)
{
    NSwitch *sw = card_new();
    uint8_t mac[NSWITCH_MAC_LEN];

    (void)state;
    test_mac(mac, OUI_B, 3);
    nswitch_add_static_entry(sw, mac, VF(1));
    nswitch_pin_group(sw, OUI_A);
    nswitch_flush(sw);
    assert_int_equal(nswitch_relay_table_count(nswitch_relay_table(sw)), 0);
    assert_false(nswitch_port_info(sw, VF(1))->attached);
    assert_false(nswitch_port_info(sw, PF)->attached);
    assert_true(nswitch_port_info(sw, UPLINK)->attached);
    assert_int_not_equal(nswitch_relay_group_find(nswitch_relay_table(sw),
                                                  OUI_A), NSWITCH_RELAY_NONE);
    nswitch_free(sw);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(nswitch_drop_reason_name(NSWITCH_DROP_SPOOFED),
                        "spoofed");
    assert_string_equal(nswitch_drop_reason_name(NSWITCH_DROP__MAX), "unknown");
    for (int r = 0; r < NSWITCH_DROP__MAX; r++) {
        assert_string_not_equal(nswitch_drop_reason_name(r), "unknown");
    }
    assert_string_equal(nswitch_path_name(NSWITCH_PATH_HAIRPIN), "hairpin");
    assert_string_equal(nswitch_port_kind_name(NSWITCH_PORT_PF), "pf");
    assert_string_equal(nswitch_mode_name(NSWITCH_MODE_VEPA), "vepa");
    assert_string_equal(nswitch_mode_name(NSWITCH_MODE__MAX), "unknown");
}

static void test_decisions_allocate_nothing(void **state)
{
    NSwitch *sw = card_new();
    uint8_t dst[NSWITCH_MAC_LEN];
    size_t before = allocation_count();
    Frame frame;

    (void)state;
    for (int i = 0; i < 1000; i++) {
        test_mac(dst, i % 2 ? OUI_A : OUI_B, i % 7);
        frame = frame_from_port(sw, VF(i % 4), dst);
        send(sw, VF(i % 4), &frame);
        frame = frame_from_port(sw, VF(i % 4), broadcast);
        send(sw, VF(i % 4), &frame);
        frame = frame_between(dst, nswitch_port_info(sw, PF)->mac);
        send(sw, UPLINK, &frame);
    }
    assert_int_equal(allocation_count(), before);
    nswitch_free(sw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_refuses_bad_sizes),
        cmocka_unit_test(test_uplink_is_attached_and_has_no_mac),
        cmocka_unit_test(test_case0_same_oui_is_hairpinned),
        cmocka_unit_test(test_case0_reaches_the_pf_too),
        cmocka_unit_test(test_unknown_unicast_in_group_goes_to_uplink),
        cmocka_unit_test(test_case1_other_oui_goes_to_uplink),
        cmocka_unit_test(test_case1_even_to_a_function_of_another_group),
        cmocka_unit_test(test_broadcast_floods_group_and_uplink_not_sender),
        cmocka_unit_test(test_multicast_floods_like_broadcast),
        cmocka_unit_test(test_lone_member_floods_only_to_uplink),
        cmocka_unit_test(test_case2_uplink_unicast_sorted_to_owner),
        cmocka_unit_test(test_case2_reaches_a_moved_function),
        cmocka_unit_test(test_case2_unknown_unicast_dropped),
        cmocka_unit_test(test_case2_broadcast_to_every_function),
        cmocka_unit_test(test_runt_dropped),
        cmocka_unit_test(test_bad_source_dropped),
        cmocka_unit_test(test_spoofed_source_dropped_unless_check_off),
        cmocka_unit_test(test_unicast_to_self_dropped),
        cmocka_unit_test(test_detached_port_sends_nothing_and_is_not_reached),
        cmocka_unit_test(test_out_of_range_source_is_port_down),
        cmocka_unit_test(test_mac_change_moves_port_between_groups),
        cmocka_unit_test(test_failed_mac_change_keeps_old_mac),
        cmocka_unit_test(test_mac_set_on_detached_port_is_used_at_attach),
        cmocka_unit_test(test_delivery_and_drop_counters),
        cmocka_unit_test(test_restored_counters_read_back),
        cmocka_unit_test(test_uplink_broadcast_not_back_to_its_source),
        cmocka_unit_test(test_veb_switches_by_exact_mac_across_ouis),
        cmocka_unit_test(test_veb_broadcast_reaches_every_function),
        cmocka_unit_test(test_vepa_sends_everything_to_the_uplink),
        cmocka_unit_test(test_vepa_delivers_what_the_switch_reflects),
        cmocka_unit_test(test_uplink_rate_drops_beyond_the_burst),
        cmocka_unit_test(test_flood_keeps_its_functions_when_uplink_is_full),
        cmocka_unit_test(test_static_entry_reaches_its_port),
        cmocka_unit_test(test_static_entry_refusals),
        cmocka_unit_test(test_static_entry_of_a_detached_port_drops),
        cmocka_unit_test(test_flood_gives_a_port_one_copy),
        cmocka_unit_test(test_flush_detaches_functions_and_drops_entries),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_decisions_allocate_nothing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
