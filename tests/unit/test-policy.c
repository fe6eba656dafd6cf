/*
 * Unit tests for the per-port policy of the switch (pinned MAC, port
 * VLAN and 802.1p, spoof check, trust, link state, TX rate), its ACL and
 * its mirror.
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
#include "switch-fixture.h"

#define MS 1000000ull

static Frame tagged_frame_from_port(NSwitch *sw, uint32_t port,
                                    const uint8_t dst[NSWITCH_MAC_LEN],
                                    uint16_t vlan, uint8_t priority)
{
    Frame frame = frame_from_port(sw, port, dst);
    uint16_t tci = priority << 13 | vlan;

    memmove(frame.bytes + 16, frame.bytes + 12, frame.len - 12);
    frame.bytes[12] = 0x81;
    frame.bytes[13] = 0x00;
    frame.bytes[14] = tci >> 8;
    frame.bytes[15] = tci;
    frame.len += 4;
    return frame;
}

static Frame tagged_frame_from_uplink(const uint8_t dst[NSWITCH_MAC_LEN],
                                      uint16_t vlan)
{
    uint8_t outside[NSWITCH_MAC_LEN];
    Frame frame;

    test_mac(outside, 0x525400, 1);
    frame = frame_between(dst, outside);
    memmove(frame.bytes + 16, frame.bytes + 12, frame.len - 12);
    frame.bytes[12] = 0x81;
    frame.bytes[13] = 0x00;
    frame.bytes[14] = vlan >> 8;
    frame.bytes[15] = vlan;
    frame.len += 4;
    return frame;
}

/* @frame with a tag @tpid:@tci pushed in front of its tags and type. */
static void push_tag(Frame *frame, uint16_t tpid, uint16_t tci)
{
    assert_true(frame->len + 4 <= sizeof(frame->bytes));
    memmove(frame->bytes + 16, frame->bytes + 12, frame->len - 12);
    frame->bytes[12] = tpid >> 8;
    frame->bytes[13] = tpid;
    frame->bytes[14] = tci >> 8;
    frame->bytes[15] = tci;
    frame->len += 4;
}

static const uint8_t *mac_of(NSwitch *sw, uint32_t port)
{
    return nswitch_port_info(sw, port)->mac;
}

static uint64_t port_drops(NSwitch *sw, uint32_t port, NSwitchDropReason why)
{
    return nswitch_port_info(sw, port)->counters.dropped[why];
}

static void test_defaults(void **state)
{
    NSwitch *sw = card_new();
    const NSwitchPortPolicy *policy = &nswitch_port_info(sw, VF(0))->policy;

    (void)state;
    assert_true(policy->spoof_check);
    assert_false(policy->trusted);
    assert_false(policy->mac_pinned);
    assert_true(policy->link_up);
    assert_int_equal(policy->vlan, 0);
    assert_int_equal(policy->max_tx_rate_bps, 0);
    assert_int_equal(nswitch_mirror(sw)->monitor_port, NSWITCH_RELAY_NONE);
    nswitch_free(sw);
}

static void test_pinned_mac_refuses_guest_change(void **state)
{
    NSwitch *sw = card_new();
    uint8_t admin[NSWITCH_MAC_LEN], guest[NSWITCH_MAC_LEN];

    (void)state;
    test_mac(admin, OUI_A, 0x100);
    test_mac(guest, OUI_A, 0x200);
    /* unpinned: the guest may choose */
    assert_int_equal(nswitch_port_request_mac(sw, VF(0), guest),
                     NSWITCH_RELAY_OK);
    assert_memory_equal(mac_of(sw, VF(0)), guest, NSWITCH_MAC_LEN);
    assert_int_equal(nswitch_port_pin_mac(sw, VF(0), admin), NSWITCH_RELAY_OK);
    assert_true(nswitch_port_info(sw, VF(0))->policy.mac_pinned);
    assert_int_equal(nswitch_port_request_mac(sw, VF(0), guest),
                     NSWITCH_RELAY_PINNED);
    assert_memory_equal(mac_of(sw, VF(0)), admin, NSWITCH_MAC_LEN);
    /* asking for the pinned MAC itself is fine */
    assert_int_equal(nswitch_port_request_mac(sw, VF(0), admin),
                     NSWITCH_RELAY_OK);
    /* trusted: it may */
    nswitch_port_set_trust(sw, VF(0), true);
    assert_int_equal(nswitch_port_request_mac(sw, VF(0), guest),
                     NSWITCH_RELAY_OK);
    assert_memory_equal(mac_of(sw, VF(0)), guest, NSWITCH_MAC_LEN);
    nswitch_free(sw);
}

static void test_pin_mac_moves_relay_group(void **state)
{
    NSwitch *sw = card_new();
    uint8_t moved[NSWITCH_MAC_LEN];
    NSwitchDecision d;

    (void)state;
    test_mac(moved, OUI_B, 1);
    assert_int_equal(nswitch_port_pin_mac(sw, VF(0), moved), NSWITCH_RELAY_OK);
    /* VF 1 (OUI_A) to VF 0 (now OUI_B): another group, out by the uplink */
    d = send_to_station(sw, VF(1), OUI_B, 1);
    assert_int_equal(d.path, NSWITCH_PATH_TO_UPLINK);
    /* a pinned MAC another port holds is refused, nothing changes */
    assert_int_equal(nswitch_port_pin_mac(sw, VF(1), mac_of(sw, VF(2))),
                     NSWITCH_RELAY_EXISTS);
    assert_false(nswitch_port_info(sw, VF(1))->policy.mac_pinned);
    nswitch_free(sw);
}

static void test_spoof_check_off_lets_other_sources_through(void **state)
{
    NSwitch *sw = card_new();
    uint8_t other[NSWITCH_MAC_LEN];
    Frame frame;

    (void)state;
    test_mac(other, OUI_A, 0x99);
    frame = frame_between(mac_of(sw, VF(1)), other);
    assert_dropped((NSwitchDecision[]) { send(sw, VF(0), &frame) },
                   NSWITCH_DROP_SPOOFED);
    nswitch_port_set_spoof_check(sw, VF(0), false);
    assert_int_equal(send(sw, VF(0), &frame).path, NSWITCH_PATH_HAIRPIN);
    nswitch_free(sw);
}

static void test_port_vlan_tags_frames_from_the_port(void **state)
{
    NSwitch *sw = card_new();
    uint8_t outside[NSWITCH_MAC_LEN];
    Frame frame;
    NSwitchDecision d;

    (void)state;
    assert_true(nswitch_port_set_vlan(sw, VF(0), 10, 5));
    test_mac(outside, 0x525400, 1);
    frame = frame_from_port(sw, VF(0), outside);
    d = send(sw, VF(0), &frame);
    assert_int_equal(d.path, NSWITCH_PATH_TO_UPLINK);
    assert_true(d.insert_tag);
    assert_int_equal(d.tci, 5 << 13 | 10);
    assert_int_equal(d.priority, 5);
    nswitch_free(sw);
}

static void test_port_vlan_refuses_tagged_frames_from_the_port(void **state)
{
    NSwitch *sw = card_new();
    Frame frame;

    (void)state;
    nswitch_port_set_vlan(sw, VF(0), 10, 0);
    frame = tagged_frame_from_port(sw, VF(0), mac_of(sw, VF(1)), 10, 0);
    assert_dropped((NSwitchDecision[]) { send(sw, VF(0), &frame) },
                   NSWITCH_DROP_VLAN);
    assert_int_equal(port_drops(sw, VF(0), NSWITCH_DROP_VLAN), 1);
    nswitch_free(sw);
}

static void test_port_vlans_separate_functions(void **state)
{
    NSwitch *sw = card_new();
    Frame frame;
    NSwitchDecision d;

    (void)state;
    nswitch_port_set_vlan(sw, VF(0), 10, 0);
    nswitch_port_set_vlan(sw, VF(1), 20, 0);
    nswitch_port_set_vlan(sw, VF(2), 10, 0);
    frame = frame_from_port(sw, VF(0), mac_of(sw, VF(1)));
    assert_dropped((NSwitchDecision[]) { send(sw, VF(0), &frame) },
                   NSWITCH_DROP_VLAN);
    assert_int_equal(port_drops(sw, VF(1), NSWITCH_DROP_VLAN), 1);
    frame = frame_from_port(sw, VF(0), mac_of(sw, VF(2)));
    d = send(sw, VF(0), &frame);
    assert_int_equal(d.path, NSWITCH_PATH_HAIRPIN);
    assert_true(d.insert_tag);
    /* a broadcast reaches VLAN 10 and the VFs without a port VLAN */
    frame = frame_from_port(sw, VF(0), broadcast);
    d = send(sw, VF(0), &frame);
    assert_true(decision_has(&d, VF(2)));
    assert_true(decision_has(&d, VF(3)));
    assert_true(decision_has(&d, PF));
    assert_true(decision_has(&d, UPLINK));
    assert_false(decision_has(&d, VF(1)));
    nswitch_free(sw);
}

static void test_uplink_vlan_reaches_its_port_vlan_only(void **state)
{
    NSwitch *sw = card_new();
    Frame frame;
    NSwitchDecision d;

    (void)state;
    nswitch_port_set_vlan(sw, VF(0), 10, 0);
    frame = tagged_frame_from_uplink(mac_of(sw, VF(0)), 10);
    d = send(sw, UPLINK, &frame);
    assert_int_equal(d.path, NSWITCH_PATH_FROM_UPLINK);
    assert_false(d.insert_tag);
    frame = tagged_frame_from_uplink(mac_of(sw, VF(0)), 11);
    assert_dropped((NSwitchDecision[]) { send(sw, UPLINK, &frame) },
                   NSWITCH_DROP_VLAN);
    frame = tagged_frame_from_uplink(mac_of(sw, VF(0)), 0);
    memmove(frame.bytes + 12, frame.bytes + 16, frame.len - 16);
    frame.len -= 4;
    assert_dropped((NSwitchDecision[]) { send(sw, UPLINK, &frame) },
                   NSWITCH_DROP_VLAN);
    nswitch_free(sw);
}

static void test_bad_vlan_or_qos_changes_nothing(void **state)
{
    NSwitch *sw = card_new();

    (void)state;
    assert_false(nswitch_port_set_vlan(sw, VF(0), 4095, 0));
    assert_false(nswitch_port_set_vlan(sw, VF(0), 10, 8));
    assert_false(nswitch_port_set_vlan(sw, UPLINK, 10, 0));
    assert_int_equal(nswitch_port_info(sw, VF(0))->policy.vlan, 0);
    nswitch_free(sw);
}

static void test_short_tagged_frame_is_a_runt(void **state)
{
    NSwitch *sw = card_new();
    Frame frame = tagged_frame_from_port(sw, VF(0), mac_of(sw, VF(1)), 1, 0);

    (void)state;
    frame.len = 16;
    assert_dropped((NSwitchDecision[]) { send(sw, VF(0), &frame) },
                   NSWITCH_DROP_RUNT);
    nswitch_free(sw);
}

static void test_link_down_port_gets_nothing(void **state)
{
    NSwitch *sw = card_new();
    Frame frame;
    NSwitchDecision d;

    (void)state;
    nswitch_port_set_link(sw, VF(1), false);
    frame = frame_from_port(sw, VF(0), mac_of(sw, VF(1)));
    assert_dropped((NSwitchDecision[]) { send(sw, VF(0), &frame) },
                   NSWITCH_DROP_LINK_DOWN);
    assert_int_equal(port_drops(sw, VF(1), NSWITCH_DROP_LINK_DOWN), 1);
    frame = frame_from_port(sw, VF(0), broadcast);
    d = send(sw, VF(0), &frame);
    assert_false(decision_has(&d, VF(1)));
    assert_true(decision_has(&d, VF(2)));
    nswitch_port_set_link(sw, VF(1), true);
    frame = frame_from_port(sw, VF(0), mac_of(sw, VF(1)));
    assert_int_equal(send(sw, VF(0), &frame).path, NSWITCH_PATH_HAIRPIN);
    nswitch_free(sw);
}

static void test_tx_rate_paces_a_port(void **state)
{
    NSwitch *sw = card_new();
    uint64_t wait = 0, sent = 0;

    (void)state;
    /* 80 Mbit/s = 10 MB/s: a 100 KB burst, then 10 KB per ms */
    nswitch_port_set_tx_rate(sw, VF(0), 80000000, 0);
    assert_int_equal(nswitch_port_info(sw, VF(0))->policy.max_tx_rate_bps,
                     80000000);
    while (nswitch_port_take_tx(sw, VF(0), 1000, 0, &wait)) {
        sent += 1000;
    }
    assert_int_equal(sent, 100000);
    assert_int_equal(wait, MS / 10);
    assert_true(nswitch_port_take_tx(sw, VF(0), 1000, MS / 10, &wait));
    /* other ports are not limited */
    for (int i = 0; i < 1000; i++) {
        assert_true(nswitch_port_take_tx(sw, VF(1), 1500, 0, &wait));
    }
    nswitch_port_set_tx_rate(sw, VF(0), 0, MS);
    assert_true(nswitch_port_take_tx(sw, VF(0), 1 << 20, MS, &wait));
    nswitch_free(sw);
}

static void test_reset_and_restore_policy(void **state)
{
    NSwitch *sw = card_new();
    NSwitchPortPolicy policy = {
        .spoof_check = false, .trusted = true, .mac_pinned = true,
        .link_up = false, .vlan = 7, .qos = 3, .max_tx_rate_bps = 1000000,
    };
    NSwitchPortPolicy bad = policy;
    uint64_t wait;

    (void)state;
    assert_true(nswitch_port_restore_policy(sw, VF(0), &policy, 0));
    assert_memory_equal(&nswitch_port_info(sw, VF(0))->policy, &policy,
                        sizeof(policy));
    /* the restored rate limits: a full bucket, then in debt */
    assert_true(nswitch_port_take_tx(sw, VF(0), 1 << 20, 0, &wait));
    assert_false(nswitch_port_take_tx(sw, VF(0), 1 << 20, 0, &wait));
    bad.vlan = 5000;
    assert_false(nswitch_port_restore_policy(sw, VF(1), &bad, 0));
    assert_false(nswitch_port_restore_policy(sw, UPLINK, &policy, 0));
    nswitch_port_reset_policy(sw, VF(0));
    assert_true(nswitch_port_info(sw, VF(0))->policy.spoof_check);
    assert_true(nswitch_port_info(sw, VF(0))->policy.link_up);
    assert_true(nswitch_port_take_tx(sw, VF(0), 1 << 20, 0, &wait));
    nswitch_free(sw);
}

/* The fake receive filters of the functions, as a guest would set them. */
typedef struct RxModes {
    bool promiscuous[PORTS];
    bool subscribed[PORTS];
} RxModes;

static bool fake_promiscuous(void *opaque, uint32_t port)
{
    return ((RxModes *)opaque)->promiscuous[port];
}

static bool fake_subscribed(void *opaque, uint32_t port, const uint8_t *mac)
{
    (void)mac;
    return ((RxModes *)opaque)->subscribed[port];
}

static const NSwitchRxModeOps fake_rx_mode = {
    .promiscuous = fake_promiscuous,
    .subscribed = fake_subscribed,
};

static void test_untrusted_gets_only_subscribed_multicast(void **state)
{
    NSwitch *sw = card_new();
    RxModes modes = { .subscribed = { [VF(2)] = true } };
    Frame frame;
    NSwitchDecision d;

    (void)state;
    nswitch_set_rx_mode_ops(sw, &fake_rx_mode, &modes);
    nswitch_port_set_trust(sw, VF(3), true);
    frame = frame_from_port(sw, VF(0), multicast);
    d = send(sw, VF(0), &frame);
    assert_false(decision_has(&d, VF(1)));   /* untrusted, not subscribed */
    assert_true(decision_has(&d, VF(2)));    /* subscribed */
    assert_true(decision_has(&d, VF(3)));    /* trusted: its own filter */
    assert_true(decision_has(&d, PF));       /* the PF is trusted */
    /* broadcast is for everyone */
    frame = frame_from_port(sw, VF(0), broadcast);
    d = send(sw, VF(0), &frame);
    assert_true(decision_has(&d, VF(1)));
    nswitch_free(sw);
}

static void test_promiscuous_trusted_gets_unknown_unicast(void **state)
{
    NSwitch *sw = card_new();
    RxModes modes = {
        .promiscuous = { [VF(1)] = true, [VF(2)] = true },
    };
    uint8_t outside[NSWITCH_MAC_LEN];
    Frame frame;
    NSwitchDecision d;

    (void)state;
    nswitch_set_rx_mode_ops(sw, &fake_rx_mode, &modes);
    nswitch_port_set_trust(sw, VF(1), true);
    /* VF 2 asks for promiscuous mode but is not trusted */
    d = send_to_station(sw, VF(0), OUI_A, 0x77);
    assert_int_equal(d.path, NSWITCH_PATH_TO_UPLINK);
    assert_true(decision_has(&d, UPLINK));
    assert_true(decision_has(&d, VF(1)));
    assert_false(decision_has(&d, VF(2)));
    assert_int_equal(d.count, 2);
    /* from the uplink: no owner, but a promiscuous trusted VF */
    test_mac(outside, 0x525400, 1);
    frame = frame_between(mac_of(sw, VF(0)), outside);
    test_mac(frame.bytes, OUI_A, 0x77);
    d = send(sw, UPLINK, &frame);
    assert_int_equal(d.path, NSWITCH_PATH_FROM_UPLINK);
    assert_int_equal(d.count, 1);
    assert_int_equal(d.ports[0], VF(1));
    /* without it, dropped as before */
    modes.promiscuous[VF(1)] = false;
    assert_dropped((NSwitchDecision[]) { send(sw, UPLINK, &frame) },
                   NSWITCH_DROP_NO_DESTINATION);
    nswitch_free(sw);
}

static void test_acl_drop_allow_and_hits(void **state)
{
    NSwitch *sw = card_new();
    NSwitchAclMatch from_vf0 = {
        .src_mask = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
    };
    NSwitchAclMatch any = { 0 };
    uint32_t drop_id, allow_id;
    Frame frame;
    NSwitchDecision d;

    (void)state;
    memcpy(from_vf0.src, mac_of(sw, VF(0)), NSWITCH_MAC_LEN);
    assert_int_equal(nswitch_acl_add(nswitch_acl(sw), &from_vf0,
                                     NSWITCH_ACL_DROP, UINT32_MAX, &drop_id),
                     NSWITCH_ACL_OK);
    frame = frame_from_port(sw, VF(0), mac_of(sw, VF(1)));
    d = send(sw, VF(0), &frame);
    assert_dropped(&d, NSWITCH_DROP_ACL);
    assert_int_equal(d.acl_rule, drop_id);
    assert_int_equal(port_drops(sw, VF(0), NSWITCH_DROP_ACL), 1);
    assert_int_equal(nswitch_acl_rule(nswitch_acl(sw), 0)->hits, 1);
    /* other sources pass */
    frame = frame_from_port(sw, VF(1), mac_of(sw, VF(0)));
    assert_int_equal(send(sw, VF(1), &frame).path, NSWITCH_PATH_HAIRPIN);
    /* an allow-all rule put first wins */
    assert_int_equal(nswitch_acl_add(nswitch_acl(sw), &any, NSWITCH_ACL_ALLOW,
                                     0, &allow_id), NSWITCH_ACL_OK);
    frame = frame_from_port(sw, VF(0), mac_of(sw, VF(1)));
    d = send(sw, VF(0), &frame);
    assert_int_equal(d.path, NSWITCH_PATH_HAIRPIN);
    assert_int_equal(d.acl_rule, allow_id);
    nswitch_clear_counters(sw);
    assert_int_equal(nswitch_acl_rule(nswitch_acl(sw), 0)->hits, 0);
    nswitch_free(sw);
}

static void test_acl_matches_the_vlan_inside_the_card(void **state)
{
    NSwitch *sw = card_new();
    NSwitchAclMatch vlan10_ipv4 = {
        .match_vlan = true, .vlan = 10,
        .match_ethertype = true, .ethertype = 0x0800,
    };
    Frame frame;

    (void)state;
    nswitch_acl_add(nswitch_acl(sw), &vlan10_ipv4, NSWITCH_ACL_DROP,
                    UINT32_MAX, NULL);
    frame = frame_from_port(sw, VF(0), mac_of(sw, VF(1)));
    assert_int_equal(send(sw, VF(0), &frame).path, NSWITCH_PATH_HAIRPIN);
    nswitch_port_set_vlan(sw, VF(0), 10, 0);
    assert_dropped((NSwitchDecision[]) { send(sw, VF(0), &frame) },
                   NSWITCH_DROP_ACL);
    /* the tag the guest of a trunk VF puts on counts the same */
    frame = tagged_frame_from_port(sw, VF(2), mac_of(sw, VF(1)), 10, 0);
    assert_dropped((NSwitchDecision[]) { send(sw, VF(2), &frame) },
                   NSWITCH_DROP_ACL);
    nswitch_free(sw);
}

static void test_mirror_port_and_acl_mirror(void **state)
{
    NSwitch *sw = card_new();
    NSwitchMirror mirror = {
        .selection = { .select = NSWITCH_SELECT_PORT, .port = VF(1) },
        .monitor_port = VF(3),
    };
    NSwitchAclMatch to_vf2 = {
        .dst_mask = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
    };
    Frame frame;
    NSwitchDecision d;

    (void)state;
    assert_true(nswitch_set_mirror(sw, &mirror));
    /* to VF 1: mirrored; from VF 1: mirrored; VF 0 to VF 2: not */
    frame = frame_from_port(sw, VF(0), mac_of(sw, VF(1)));
    d = send(sw, VF(0), &frame);
    assert_int_equal(d.mirror_port, VF(3));
    frame = frame_from_port(sw, VF(1), mac_of(sw, PF));
    assert_int_equal(send(sw, VF(1), &frame).mirror_port, VF(3));
    frame = frame_from_port(sw, VF(0), mac_of(sw, VF(2)));
    assert_int_equal(send(sw, VF(0), &frame).mirror_port, NSWITCH_RELAY_NONE);
    /* an ACL rule with action mirror adds it */
    memcpy(to_vf2.dst, mac_of(sw, VF(2)), NSWITCH_MAC_LEN);
    nswitch_acl_add(nswitch_acl(sw), &to_vf2, NSWITCH_ACL_MIRROR, UINT32_MAX,
                    NULL);
    d = send(sw, VF(0), &frame);
    assert_int_equal(d.path, NSWITCH_PATH_HAIRPIN);
    assert_int_equal(d.mirror_port, VF(3));
    /* the monitor's own frames and frames it already gets: no copy */
    frame = frame_from_port(sw, VF(0), broadcast);
    assert_int_equal(send(sw, VF(0), &frame).mirror_port, NSWITCH_RELAY_NONE);
    assert_int_equal(nswitch_path_counters(sw)->mirrored, 3);
    /* dropped frames are not mirrored */
    frame = frame_from_port(sw, VF(1), mac_of(sw, VF(1)));
    assert_int_equal(send(sw, VF(1), &frame).mirror_port, NSWITCH_RELAY_NONE);
    nswitch_free(sw);
}

static void test_mirror_group_and_all(void **state)
{
    NSwitch *sw = card_new();
    NSwitchMirror group = {
        .selection = { .select = NSWITCH_SELECT_GROUP, .oui = OUI_B },
        .monitor_port = VF(3),
    };
    NSwitchMirror all = {
        .selection.select = NSWITCH_SELECT_ALL, .monitor_port = VF(3),
    };
    NSwitchMirror off = { .selection.select = NSWITCH_SELECT_NONE };
    NSwitchMirror bad = {
        .selection.select = NSWITCH_SELECT_ALL, .monitor_port = 0,
    };
    NSwitchDecision d;

    (void)state;
    assert_false(nswitch_set_mirror(sw, &bad));
    assert_true(nswitch_set_mirror(sw, &group));
    d = send_to_station(sw, VF(0), OUI_B, 5);
    assert_int_equal(d.mirror_port, VF(3));
    d = send_to_station(sw, VF(0), OUI_A, 2);
    assert_int_equal(d.mirror_port, NSWITCH_RELAY_NONE);
    assert_true(nswitch_set_mirror(sw, &all));
    d = send_to_station(sw, VF(0), OUI_A, 2);
    assert_int_equal(d.mirror_port, VF(3));
    assert_true(nswitch_set_mirror(sw, &off));
    d = send_to_station(sw, VF(0), OUI_A, 2);
    assert_int_equal(d.mirror_port, NSWITCH_RELAY_NONE);
    nswitch_free(sw);
}

/* A VF without spoof checking forges VF1's MAC: its flood skips VF1. */
static void test_forged_source_flood_skips_its_owner(void **state)
{
    NSwitch *sw = card_new();
    Frame frame;
    NSwitchDecision d;

    (void)state;
    nswitch_port_set_spoof_check(sw, VF(0), false);
    frame = frame_between(broadcast, mac_of(sw, VF(1)));
    d = send(sw, VF(0), &frame);
    assert_int_equal(d.path, NSWITCH_PATH_FLOOD);
    assert_false(decision_has(&d, VF(1)));
    assert_false(decision_has(&d, VF(0)));
    assert_true(decision_has(&d, VF(2)));
    assert_true(decision_has(&d, UPLINK));
    nswitch_free(sw);
}

/* 802.1ad and stacked tags meet the ACL's ethertype and VLAN rules. */
static void test_stacked_tags_meet_the_acl(void **state)
{
    NSwitch *sw = card_new();
    NSwitchAclMatch arp = { .match_ethertype = true, .ethertype = 0x0806 };
    NSwitchAclMatch vlan5 = { .match_vlan = true, .vlan = 5 };
    uint8_t outside[NSWITCH_MAC_LEN];
    Frame frame;

    (void)state;
    assert_int_equal(nswitch_acl_add(nswitch_acl(sw), &arp, NSWITCH_ACL_DROP,
                                     UINT32_MAX, NULL), NSWITCH_ACL_OK);
    assert_int_equal(nswitch_acl_add(nswitch_acl(sw), &vlan5,
                                     NSWITCH_ACL_DROP, UINT32_MAX, NULL),
                     NSWITCH_ACL_OK);
    test_mac(outside, 0x525400, 1);
    frame = frame_between(mac_of(sw, VF(0)), outside);
    frame.bytes[12] = 0x08;
    frame.bytes[13] = 0x06;
    frame.len = 42;
    push_tag(&frame, NSWITCH_ETHERTYPE_VLAN, 7);
    push_tag(&frame, NSWITCH_ETHERTYPE_QINQ, 9);
    assert_dropped((NSwitchDecision[]) { send(sw, UPLINK, &frame) },
                   NSWITCH_DROP_ACL);
    /* the outer VID is the frame's VLAN, whatever the tag's type */
    frame = frame_between(mac_of(sw, VF(0)), outside);
    push_tag(&frame, NSWITCH_ETHERTYPE_QINQ_OLD, 5);
    assert_dropped((NSwitchDecision[]) { send(sw, UPLINK, &frame) },
                   NSWITCH_DROP_ACL);
    nswitch_free(sw);
}

static void test_port_vlan_refuses_any_tag_and_deep_stacks(void **state)
{
    NSwitch *sw = card_new();
    uint8_t outside[NSWITCH_MAC_LEN];
    Frame frame;

    (void)state;
    assert_true(nswitch_port_set_vlan(sw, VF(0), 10, 0));
    frame = frame_from_port(sw, VF(0), mac_of(sw, VF(1)));
    push_tag(&frame, NSWITCH_ETHERTYPE_QINQ, 10);
    assert_dropped((NSwitchDecision[]) { send(sw, VF(0), &frame) },
                   NSWITCH_DROP_VLAN);
    /* an 802.1ad outer tag of VID 10 is not the 802.1Q port VLAN 10 */
    test_mac(outside, 0x525400, 1);
    frame = frame_between(mac_of(sw, VF(0)), outside);
    push_tag(&frame, NSWITCH_ETHERTYPE_QINQ, 10);
    assert_dropped((NSwitchDecision[]) { send(sw, UPLINK, &frame) },
                   NSWITCH_DROP_VLAN);
    /* five tags: dropped, not read past */
    frame = frame_between(mac_of(sw, VF(1)), outside);
    frame.len = 40;
    for (int i = 0; i < 5; i++) {
        push_tag(&frame, NSWITCH_ETHERTYPE_VLAN, 1);
    }
    assert_dropped((NSwitchDecision[]) { send(sw, UPLINK, &frame) },
                   NSWITCH_DROP_VLAN);
    nswitch_free(sw);
}

/* Unknown unicast that the uplink's speed drops did not go anywhere. */
static void test_unknown_unicast_counted_only_when_it_leaves(void **state)
{
    NSwitch *sw = card_new();
    NSwitchDecision d;

    (void)state;
    nswitch_set_uplink_rate(sw, 8000000, 0);
    /* the burst holds 65792 bytes: 1096 frames of 60 */
    for (int i = 0; i < 2000; i++) {
        d = send_to_station(sw, VF(0), OUI_A, 0x99);
    }
    assert_dropped(&d, NSWITCH_DROP_UPLINK_RATE);
    assert_int_equal(nswitch_path_counters(sw)->unknown_unicast,
                     nswitch_path_counters(sw)->to_uplink);
    assert_int_equal(nswitch_path_counters(sw)->to_uplink, 1096);
    nswitch_free(sw);
}

/* An uplink broadcast from the PF's own MAC reaches nobody: a drop. */
static void test_flood_that_reaches_nobody_is_dropped(void **state)
{
    NSwitch *sw = card_new();
    Frame frame = frame_between(broadcast, mac_of(sw, PF));
    NSwitchDecision d;

    (void)state;
    for (int i = 0; i < 4; i++) {
        nswitch_port_detach(sw, VF(i));
    }
    d = send(sw, UPLINK, &frame);
    assert_dropped(&d, NSWITCH_DROP_NO_DESTINATION);
    assert_int_equal(nswitch_path_counters(sw)->flooded, 0);
    assert_int_equal(port_drops(sw, UPLINK, NSWITCH_DROP_NO_DESTINATION), 1);
    nswitch_free(sw);
}

static uint64_t sum_drops(const uint64_t *dropped)
{
    uint64_t sum = 0;

    for (int r = 0; r < NSWITCH_DROP__MAX; r++) {
        sum += dropped[r];
    }
    return sum;
}

/*
 * Every frame offered is delivered or dropped: delivering every copy of
 * every decision, the counters add up on each path of the switch.
 */
static void test_offered_equals_delivered_plus_dropped(void **state)
{
    NSwitch *sw = card_new();
    const NSwitchPathCounters *paths = nswitch_path_counters(sw);
    NSwitchMirror mirror = {
        .selection = { .select = NSWITCH_SELECT_PORT, .port = VF(0) },
        .monitor_port = VF(3),
    };
    uint64_t offered = 0, delivered = 0, port_dropped = 0;
    uint8_t outside[NSWITCH_MAC_LEN];

    (void)state;
    test_mac(outside, 0x525400, 1);
    assert_true(nswitch_set_mirror(sw, &mirror));
    nswitch_set_uplink_rate(sw, 8000000, 0);
    assert_true(nswitch_port_set_vlan(sw, VF(2), 10, 0));
    nswitch_port_set_link(sw, VF(1), false);
    for (int i = 0; i < 3000; i++) {
        uint32_t src = (i % 3 == 0) ? UPLINK : VF(i % 4);
        const uint8_t *dst = i % 5 == 0 ? broadcast
                           : i % 5 == 1 ? mac_of(sw, VF((i + 1) % 4))
                           : i % 5 == 2 ? outside
                           : mac_of(sw, PF);
        Frame frame = src == UPLINK ? frame_between(dst, outside)
                                    : frame_from_port(sw, src, dst);
        NSwitchDecision d;

        if (i % 7 == 0) {
            frame.len = 10;
        }
        d = send(sw, src, &frame);
        for (uint32_t k = 0; k < d.count; k++) {
            nswitch_count_delivery(sw, d.ports[k], frame.len);
        }
        if (d.mirror_port != NSWITCH_RELAY_NONE) {
            nswitch_count_delivery(sw, d.mirror_port, frame.len);
        }
    }
    for (uint32_t port = 0; port < PORTS; port++) {
        const NSwitchPortCounters *c = &nswitch_port_info(sw, port)->counters;

        offered += c->rx_frames;
        delivered += c->tx_frames;
        port_dropped += sum_drops(c->dropped);
    }
    assert_int_equal(offered, 3000);
    assert_int_equal(port_dropped, sum_drops(paths->dropped));
    assert_int_equal(offered + paths->replicas,
                     delivered + sum_drops(paths->dropped));
    /* every kind of outcome happened */
    assert_true(paths->replicas > 0 && paths->flooded > 0 &&
                paths->mirrored > 0);
    assert_true(paths->dropped[NSWITCH_DROP_UPLINK_RATE] > 0 &&
                paths->dropped[NSWITCH_DROP_RUNT] > 0 &&
                paths->dropped[NSWITCH_DROP_LINK_DOWN] > 0);
    nswitch_free(sw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forged_source_flood_skips_its_owner),
        cmocka_unit_test(test_stacked_tags_meet_the_acl),
        cmocka_unit_test(test_port_vlan_refuses_any_tag_and_deep_stacks),
        cmocka_unit_test(test_unknown_unicast_counted_only_when_it_leaves),
        cmocka_unit_test(test_flood_that_reaches_nobody_is_dropped),
        cmocka_unit_test(test_offered_equals_delivered_plus_dropped),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_pinned_mac_refuses_guest_change),
        cmocka_unit_test(test_pin_mac_moves_relay_group),
        cmocka_unit_test(test_spoof_check_off_lets_other_sources_through),
        cmocka_unit_test(test_port_vlan_tags_frames_from_the_port),
        cmocka_unit_test(test_port_vlan_refuses_tagged_frames_from_the_port),
        cmocka_unit_test(test_port_vlans_separate_functions),
        cmocka_unit_test(test_uplink_vlan_reaches_its_port_vlan_only),
        cmocka_unit_test(test_bad_vlan_or_qos_changes_nothing),
        cmocka_unit_test(test_short_tagged_frame_is_a_runt),
        cmocka_unit_test(test_link_down_port_gets_nothing),
        cmocka_unit_test(test_tx_rate_paces_a_port),
        cmocka_unit_test(test_reset_and_restore_policy),
        cmocka_unit_test(test_untrusted_gets_only_subscribed_multicast),
        cmocka_unit_test(test_promiscuous_trusted_gets_unknown_unicast),
        cmocka_unit_test(test_acl_drop_allow_and_hits),
        cmocka_unit_test(test_acl_matches_the_vlan_inside_the_card),
        cmocka_unit_test(test_mirror_port_and_acl_mirror),
        cmocka_unit_test(test_mirror_group_and_all),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
