/*
 * Unit tests for the multi-port card: the card port that joins the
 * switches of a card's ports, and the inter-port relay between them.
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

/* The last port of each test switch; port 6 stays unused. */
#define CARD_PORT (PORTS - 1)

typedef struct TwoPorts {
    NSwitch *a;                 /* port 0 of the card: OUI_A */
    NSwitch *b;                 /* port 1: OUI_B */
} TwoPorts;

static TwoPorts two_ports_new(void)
{
    TwoPorts card = { card_new_in(OUI_A), card_new_in(OUI_B) };

    assert_true(nswitch_set_card_port(card.a, CARD_PORT));
    assert_true(nswitch_set_card_port(card.b, CARD_PORT));
    assert_true(nswitch_link_peer(card.a, card.b, OUI_B));
    assert_true(nswitch_link_peer(card.b, card.a, OUI_A));
    return card;
}

static void two_ports_free(TwoPorts *card)
{
    nswitch_free(card->a);
    nswitch_free(card->b);
}

/* What the glue does with an inter-port decision: the peer takes it. */
static NSwitchDecision relay(NSwitch *sw, const NSwitchDecision *decision,
                             const Frame *frame)
{
    assert_int_equal(decision->path, NSWITCH_PATH_INTER_PORT);
    assert_int_equal(decision->count, 1);
    assert_int_equal(decision->ports[0], nswitch_card_port(sw));
    assert_non_null(decision->peer);
    nswitch_count_delivery(sw, nswitch_card_port(sw), frame->len);
    return nswitch_decide(decision->peer, nswitch_card_port(decision->peer),
                          frame->bytes, frame->len, 0);
}

static Frame frame_to_station(NSwitch *sw, uint32_t port, uint32_t oui,
                              uint16_t station)
{
    uint8_t dst[NSWITCH_MAC_LEN];

    test_mac(dst, oui, station);
    return frame_from_port(sw, port, dst);
}

static void test_card_port_refusals(void **state)
{
    NSwitch *sw = card_new();
    const NSwitchPortInfo *info;

    (void)state;
    assert_int_equal(nswitch_card_port(sw), NSWITCH_RELAY_NONE);
    assert_false(nswitch_set_card_port(sw, UPLINK));
    assert_false(nswitch_set_card_port(sw, VF(0)));   /* attached */
    assert_false(nswitch_set_card_port(sw, PORTS));
    assert_true(nswitch_set_card_port(sw, CARD_PORT));
    assert_false(nswitch_set_card_port(sw, CARD_PORT - 1));
    assert_int_equal(nswitch_card_port(sw), CARD_PORT);
    info = nswitch_port_info(sw, CARD_PORT);
    assert_int_equal(info->kind, NSWITCH_PORT_CARD);
    assert_true(info->attached);
    assert_false(info->policy.spoof_check);
    nswitch_free(sw);
}

/* It is nobody's function: no MAC, no policy, no static entry, no monitor. */
static void test_card_port_is_not_a_function(void **state)
{
    NSwitch *sw = card_new();
    uint8_t mac[NSWITCH_MAC_LEN];
    NSwitchMirror mirror = {
        .selection = { .select = NSWITCH_SELECT_ALL },
        .monitor_port = CARD_PORT,
    };

    (void)state;
    assert_true(nswitch_set_card_port(sw, CARD_PORT));
    test_mac(mac, OUI_A, 9);
    assert_int_not_equal(nswitch_port_attach(sw, CARD_PORT, NSWITCH_PORT_VF,
                                             mac), NSWITCH_RELAY_OK);
    assert_int_not_equal(nswitch_port_attach(sw, 6, NSWITCH_PORT_CARD, mac),
                         NSWITCH_RELAY_OK);
    assert_int_not_equal(nswitch_port_set_mac(sw, CARD_PORT, mac),
                         NSWITCH_RELAY_OK);
    assert_int_equal(nswitch_add_static_entry(sw, mac, CARD_PORT),
                     NSWITCH_RELAY_NOT_A_FUNCTION);
    assert_false(nswitch_set_mirror(sw, &mirror));
    assert_false(nswitch_port_set_vlan(sw, CARD_PORT, 10, 0));
    nswitch_port_set_link(sw, CARD_PORT, false);
    assert_true(nswitch_port_info(sw, CARD_PORT)->policy.link_up);
    nswitch_port_detach(sw, CARD_PORT);
    nswitch_flush(sw);
    assert_true(nswitch_port_info(sw, CARD_PORT)->attached);
    assert_false(nswitch_port_info(sw, VF(0))->attached);
    nswitch_free(sw);
}

static void test_link_peer_refusals(void **state)
{
    NSwitch *peers[NSWITCH_MAX_PEERS + 1];
    NSwitch *sw = card_new();
    NSwitch *lone = card_new_in(OUI_B);

    (void)state;
    assert_false(nswitch_link_peer(sw, lone, OUI_B));   /* no card ports */
    assert_true(nswitch_set_card_port(sw, CARD_PORT));
    assert_false(nswitch_link_peer(sw, lone, OUI_B));   /* none on the peer */
    assert_false(nswitch_link_peer(sw, sw, OUI_A));
    for (int i = 0; i <= NSWITCH_MAX_PEERS; i++) {
        peers[i] = card_new_in(OUI_B + 1 + i);
        assert_true(nswitch_set_card_port(peers[i], CARD_PORT));
        assert_int_equal(nswitch_link_peer(sw, peers[i], OUI_B + 1 + i),
                         i < NSWITCH_MAX_PEERS);
    }
    /* Linking again updates the OUI; unlinking makes room. */
    assert_true(nswitch_link_peer(sw, peers[0], OUI_B + 1));
    nswitch_unlink_peer(sw, peers[0]);
    nswitch_unlink_peer(sw, peers[0]);
    assert_true(nswitch_link_peer(sw, peers[NSWITCH_MAX_PEERS],
                                  OUI_B + 1 + NSWITCH_MAX_PEERS));
    for (int i = 0; i <= NSWITCH_MAX_PEERS; i++) {
        nswitch_free(peers[i]);
    }
    nswitch_free(lone);
    nswitch_free(sw);
}

/* Port 0's VF 0 to port 1's VF 1: relayed inside the card, never out. */
static void test_unicast_to_another_port_is_relayed(void **state)
{
    TwoPorts card = two_ports_new();
    Frame frame = frame_to_station(card.a, VF(0), OUI_B, 2);
    NSwitchDecision there, here = send(card.a, VF(0), &frame);

    (void)state;
    assert_ptr_equal(here.peer, card.b);
    there = relay(card.a, &here, &frame);
    assert_int_equal(there.path, NSWITCH_PATH_INTER_PORT);
    assert_int_equal(there.count, 1);
    assert_int_equal(there.ports[0], VF(1));
    assert_null(there.peer);
    nswitch_count_delivery(card.b, VF(1), frame.len);
    assert_int_equal(nswitch_path_counters(card.a)->inter_port, 1);
    assert_int_equal(nswitch_path_counters(card.b)->inter_port, 1);
    assert_int_equal(nswitch_path_counters(card.a)->to_uplink, 0);
    assert_int_equal(nswitch_path_counters(card.b)->from_uplink, 0);
    assert_int_equal(nswitch_port_info(card.a, CARD_PORT)->counters.tx_frames,
                     1);
    assert_int_equal(nswitch_port_info(card.b, CARD_PORT)->counters.rx_frames,
                     1);
    assert_int_equal(nswitch_port_info(card.b, VF(1))->counters.tx_frames, 1);
    assert_int_equal(nswitch_port_info(card.a, UPLINK)->counters.tx_frames, 0);
    assert_int_equal(nswitch_port_info(card.b, UPLINK)->counters.tx_frames, 0);
    /* And back, from port 1's PF to port 0's VF 3. */
    frame = frame_to_station(card.b, PF, OUI_A, 4);
    here = send(card.b, PF, &frame);
    assert_ptr_equal(here.peer, card.a);
    there = relay(card.b, &here, &frame);
    assert_int_equal(there.ports[0], VF(3));
    two_ports_free(&card);
}

/* What the peer does not know leaves by the sender's uplink (Case 1). */
static void test_unknown_at_the_peer_goes_to_the_uplink(void **state)
{
    TwoPorts card = two_ports_new();
    NSwitchDecision decision = send_to_station(card.a, VF(0), OUI_B, 99);

    (void)state;
    assert_int_equal(decision.path, NSWITCH_PATH_TO_UPLINK);
    assert_int_equal(decision.ports[0], UPLINK);
    assert_null(decision.peer);
    assert_int_equal(nswitch_path_counters(card.a)->unknown_unicast, 0);
    /* A group no port of the card has goes out too. */
    decision = send_to_station(card.a, VF(0), OUI_B + 5, 1);
    assert_int_equal(decision.path, NSWITCH_PATH_TO_UPLINK);
    assert_int_equal(nswitch_path_counters(card.a)->inter_port, 0);
    two_ports_free(&card);
}

static void test_relay_off_leaves_by_the_uplink(void **state)
{
    TwoPorts card = two_ports_new();
    NSwitchDecision decision;

    (void)state;
    assert_true(nswitch_inter_port_relay(card.a));
    nswitch_set_inter_port_relay(card.a, false);
    assert_false(nswitch_inter_port_relay(card.a));
    decision = send_to_station(card.a, VF(0), OUI_B, 2);
    assert_int_equal(decision.path, NSWITCH_PATH_TO_UPLINK);
    /* The other port's setting is its own. */
    decision = send_to_station(card.b, VF(0), OUI_A, 2);
    assert_int_equal(decision.path, NSWITCH_PATH_INTER_PORT);
    nswitch_set_inter_port_relay(card.a, true);
    decision = send_to_station(card.a, VF(0), OUI_B, 2);
    assert_int_equal(decision.path, NSWITCH_PATH_INTER_PORT);
    nswitch_unlink_peer(card.a, card.b);
    decision = send_to_station(card.a, VF(0), OUI_B, 2);
    assert_int_equal(decision.path, NSWITCH_PATH_TO_UPLINK);
    two_ports_free(&card);
}

/* VEB and VEPA have no OUI rule, so no relay: a sender or a receiver. */
static void test_no_relay_in_veb_or_vepa(void **state)
{
    TwoPorts card = two_ports_new();
    NSwitchDecision decision;

    (void)state;
    nswitch_set_mode(card.b, NSWITCH_MODE_VEPA);
    decision = send_to_station(card.a, VF(0), OUI_B, 2);
    assert_int_equal(decision.path, NSWITCH_PATH_TO_UPLINK);
    decision = send_to_station(card.b, VF(0), OUI_A, 2);
    assert_int_equal(decision.path, NSWITCH_PATH_TO_UPLINK);
    nswitch_set_mode(card.b, NSWITCH_MODE_NSWITCH);
    nswitch_set_mode(card.a, NSWITCH_MODE_VEB);
    decision = send_to_station(card.a, VF(0), OUI_B, 2);
    assert_int_equal(decision.path, NSWITCH_PATH_TO_UPLINK);
    decision = send_to_station(card.b, VF(0), OUI_A, 2);
    assert_int_equal(decision.path, NSWITCH_PATH_TO_UPLINK);
    assert_int_equal(nswitch_path_counters(card.a)->inter_port, 0);
    assert_int_equal(nswitch_path_counters(card.b)->inter_port, 0);
    two_ports_free(&card);
}

/* Broadcast domains stay per port, in every mode and from every side. */
static void test_floods_never_cross_the_card_port(void **state)
{
    TwoPorts card = two_ports_new();
    Frame frame = frame_from_port(card.a, VF(0), broadcast);
    NSwitchDecision decision;

    (void)state;
    for (NSwitchMode mode = 0; mode < NSWITCH_MODE__MAX; mode++) {
        nswitch_set_mode(card.a, mode);
        decision = send(card.a, VF(0), &frame);
        assert_false(decision_has(&decision, CARD_PORT));
        assert_true(decision_has(&decision, UPLINK));
        decision = send_to_station(card.a, VF(0), OUI_A, 77);
        assert_false(decision_has(&decision, CARD_PORT));
    }
    frame = frame_between(multicast, (const uint8_t[]) { 0, 1, 2, 3, 4, 5 });
    decision = send(card.a, UPLINK, &frame);
    assert_int_equal(decision.path, NSWITCH_PATH_FLOOD);
    assert_true(decision_has(&decision, VF(0)));
    assert_false(decision_has(&decision, CARD_PORT));
    two_ports_free(&card);
}

/* What comes by the card port goes to the function it names, or nowhere. */
static void test_from_the_card_port_only_to_a_known_function(void **state)
{
    TwoPorts card = two_ports_new();
    uint8_t src[NSWITCH_MAC_LEN], dst[NSWITCH_MAC_LEN];
    const NSwitchPathCounters *paths = nswitch_path_counters(card.b);
    Frame frame;
    NSwitchDecision decision;

    (void)state;
    test_mac(src, OUI_A, 1);
    frame = frame_between(broadcast, src);
    assert_dropped((decision = send(card.b, CARD_PORT, &frame), &decision),
                   NSWITCH_DROP_NO_DESTINATION);
    test_mac(dst, OUI_B, 99);
    frame = frame_between(dst, src);
    assert_dropped((decision = send(card.b, CARD_PORT, &frame), &decision),
                   NSWITCH_DROP_NO_DESTINATION);
    /* The receiver's own policy applies: its link, its port VLAN. */
    test_mac(dst, OUI_B, 2);
    frame = frame_between(dst, src);
    nswitch_port_set_link(card.b, VF(1), false);
    assert_dropped((decision = send(card.b, CARD_PORT, &frame), &decision),
                   NSWITCH_DROP_LINK_DOWN);
    nswitch_port_set_link(card.b, VF(1), true);
    assert_true(nswitch_port_set_vlan(card.b, VF(1), 10, 0));
    assert_dropped((decision = send(card.b, CARD_PORT, &frame), &decision),
                   NSWITCH_DROP_VLAN);
    assert_int_equal(paths->dropped[NSWITCH_DROP_NO_DESTINATION], 2);
    assert_int_equal(paths->inter_port, 0);
    two_ports_free(&card);
}

/* Port VLANs: the tag the sender's port adds is what the receiver's wants. */
static void test_port_vlan_across_ports(void **state)
{
    TwoPorts card = two_ports_new();
    Frame frame, tagged;
    NSwitchDecision here, there;

    (void)state;
    assert_true(nswitch_port_set_vlan(card.a, VF(0), 10, 3));
    assert_true(nswitch_port_set_vlan(card.b, VF(1), 10, 0));
    frame = frame_to_station(card.a, VF(0), OUI_B, 2);
    here = send(card.a, VF(0), &frame);
    assert_int_equal(here.path, NSWITCH_PATH_INTER_PORT);
    assert_true(here.insert_tag);
    /* The frame as it is inside the card, tag after the MACs. */
    tagged = frame;
    memmove(tagged.bytes + 16, frame.bytes + 12, frame.len - 12);
    tagged.bytes[12] = 0x81;
    tagged.bytes[13] = 0x00;
    tagged.bytes[14] = here.tci >> 8;
    tagged.bytes[15] = here.tci;
    tagged.len = 60;
    there = relay(card.a, &here, &tagged);
    assert_int_equal(there.ports[0], VF(1));
    assert_int_equal(there.priority, 3);
    assert_false(there.insert_tag);
    /* Untagged, it is not for VF 1's VLAN. */
    assert_true(nswitch_port_set_vlan(card.a, VF(0), 0, 0));
    here = send(card.a, VF(0), &frame);
    there = relay(card.a, &here, &frame);
    assert_dropped(&there, NSWITCH_DROP_VLAN);
    two_ports_free(&card);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(nswitch_path_name(NSWITCH_PATH_INTER_PORT),
                        "inter-port");
    assert_string_equal(nswitch_port_kind_name(NSWITCH_PORT_CARD), "card");
}

static void test_relayed_decisions_allocate_nothing(void **state)
{
    TwoPorts card = two_ports_new();
    size_t before = allocation_count();

    (void)state;
    for (int i = 0; i < 1000; i++) {
        Frame frame = frame_to_station(card.a, VF(i % 4), OUI_B, i % 5);
        NSwitchDecision decision = send(card.a, VF(i % 4), &frame);

        if (decision.path == NSWITCH_PATH_INTER_PORT) {
            relay(card.a, &decision, &frame);
        }
    }
    assert_int_equal(allocation_count(), before);
    assert_int_equal(nswitch_path_counters(card.b)->inter_port, 1000);
    two_ports_free(&card);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_card_port_refusals),
        cmocka_unit_test(test_card_port_is_not_a_function),
        cmocka_unit_test(test_link_peer_refusals),
        cmocka_unit_test(test_unicast_to_another_port_is_relayed),
        cmocka_unit_test(test_unknown_at_the_peer_goes_to_the_uplink),
        cmocka_unit_test(test_relay_off_leaves_by_the_uplink),
        cmocka_unit_test(test_no_relay_in_veb_or_vepa),
        cmocka_unit_test(test_floods_never_cross_the_card_port),
        cmocka_unit_test(test_from_the_card_port_only_to_a_known_function),
        cmocka_unit_test(test_port_vlan_across_ports),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_relayed_decisions_allocate_nothing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
