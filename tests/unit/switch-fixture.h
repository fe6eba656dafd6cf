/*
 * The card the switch unit tests work on: uplink, PF and four VFs of one
 * OUI, and frames between them. Include after cmocka.h.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef NSWITCH_SWITCH_FIXTURE_H
#define NSWITCH_SWITCH_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "hw/net/nswitch/switch.h"
#include "test-mac.h"

/* Port layout of a card: uplink 0, PF 1, VF i on port 2 + i. */
#define UPLINK 0
#define PF 1
#define VF(i) (2 + (i))
#define PORTS 8

#define OUI_A 0x026e00
#define OUI_B 0x026e01

typedef struct Frame {
    uint8_t bytes[64];
    size_t len;
} Frame;

static inline Frame frame_between(const uint8_t dst[NSWITCH_MAC_LEN],
                                  const uint8_t src[NSWITCH_MAC_LEN])
{
    Frame frame = { .len = 60 };

    memcpy(frame.bytes, dst, NSWITCH_MAC_LEN);
    memcpy(frame.bytes + NSWITCH_MAC_LEN, src, NSWITCH_MAC_LEN);
    frame.bytes[12] = 0x08;
    return frame;
}

static const uint8_t broadcast[NSWITCH_MAC_LEN] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};
static const uint8_t multicast[NSWITCH_MAC_LEN] = {
    0x01, 0x00, 0x5e, 0x00, 0x00, 0x01
};

/* A card with the PF (station 0) and VFs 0..3 (stations 1..4) in @oui. */
static inline NSwitch *card_new_in(uint32_t oui)
{
    NSwitch *sw = nswitch_new(PORTS, UPLINK, 64, 8);
    uint8_t mac[NSWITCH_MAC_LEN];

    assert_non_null(sw);
    test_mac(mac, oui, 0);
    assert_int_equal(nswitch_port_attach(sw, PF, NSWITCH_PORT_PF, mac),
                     NSWITCH_RELAY_OK);
    for (int i = 0; i < 4; i++) {
        test_mac(mac, oui, i + 1);
        assert_int_equal(nswitch_port_attach(sw, VF(i), NSWITCH_PORT_VF, mac),
                         NSWITCH_RELAY_OK);
    }
    return sw;
}

static inline NSwitch *card_new(void)
{
    return card_new_in(OUI_A);
}

static inline Frame frame_from_port(NSwitch *sw, uint32_t port,
                                    const uint8_t dst[NSWITCH_MAC_LEN])
{
    return frame_between(dst, nswitch_port_info(sw, port)->mac);
}

static inline NSwitchDecision send(NSwitch *sw, uint32_t port,
                                   const Frame *frame)
{
    return nswitch_decide(sw, port, frame->bytes, frame->len, 0);
}

/* Decides a frame from @port (with its own MAC) to OUI @oui, @station. */
static inline NSwitchDecision send_to_station(NSwitch *sw, uint32_t port,
                                              uint32_t oui, uint16_t station)
{
    uint8_t dst[NSWITCH_MAC_LEN];
    Frame frame;

    test_mac(dst, oui, station);
    frame = frame_from_port(sw, port, dst);
    return send(sw, port, &frame);
}

static inline bool decision_has(const NSwitchDecision *d, uint32_t port)
{
    for (uint32_t i = 0; i < d->count; i++) {
        if (d->ports[i] == port) {
            return true;
        }
    }
    return false;
}

static inline void assert_dropped(const NSwitchDecision *d,
                                  NSwitchDropReason reason)
{
    assert_int_equal(d->path, NSWITCH_PATH_DROP);
    assert_int_equal(d->drop_reason, reason);
    assert_int_equal(d->count, 0);
}

#endif
