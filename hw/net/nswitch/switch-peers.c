/*
 * nswitch core: the card port, and the switches of the card's other ports
 *
 * A multi-port card joins its ports' switches inside the card (see
 * switch.h). Here: which port is the card port, which switches are
 * peers with which relay group, and the lookup a function's unicast to
 * another OUI makes before it would leave by the uplink.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "switch-internal.h"

bool nswitch_set_card_port(NSwitch *sw, uint32_t port)
{
    NSwitchPortInfo *info;

    if (port >= sw->max_ports || port == sw->uplink ||
        sw->card_port != NSWITCH_RELAY_NONE || sw->ports[port].attached) {
        return false;
    }
    info = &sw->ports[port];
    sw->card_port = port;
    nswitch_port_reset_policy(sw, port);
    info->kind = NSWITCH_PORT_CARD;
    info->attached = true;
    return true;
}

uint32_t nswitch_card_port(const NSwitch *sw)
{
    return sw->card_port;
}

static NSwitchPeer *find_peer(NSwitch *sw, const NSwitch *peer)
{
    for (uint32_t i = 0; i < sw->peer_count; i++) {
        if (sw->peers[i].sw == peer) {
            return &sw->peers[i];
        }
    }
    return NULL;
}

bool nswitch_link_peer(NSwitch *sw, NSwitch *peer, uint32_t oui)
{
    NSwitchPeer *known = find_peer(sw, peer);

    if (peer == sw || sw->card_port == NSWITCH_RELAY_NONE ||
        peer->card_port == NSWITCH_RELAY_NONE) {
        return false;
    }
    if (!known) {
        if (sw->peer_count == NSWITCH_MAX_PEERS) {
            return false;
        }
        known = &sw->peers[sw->peer_count++];
        known->sw = peer;
    }
    known->oui = oui;
    return true;
}

void nswitch_unlink_peer(NSwitch *sw, NSwitch *peer)
{
    NSwitchPeer *known = find_peer(sw, peer);

    if (known) {
        *known = sw->peers[--sw->peer_count];
    }
}

void nswitch_set_inter_port_relay(NSwitch *sw, bool on)
{
    sw->inter_port_relay = on;
}

bool nswitch_inter_port_relay(const NSwitch *sw)
{
    return sw->inter_port_relay;
}

NSwitch *nswitch_peer_for(const NSwitch *sw, const uint8_t *dst)
{
    uint32_t oui = nswitch_relay_oui_of(dst);

    if (!sw->inter_port_relay) {
        return NULL;
    }
    for (uint32_t i = 0; i < sw->peer_count; i++) {
        const NSwitchPeer *peer = &sw->peers[i];

        if (peer->oui == oui) {
            return peer->sw->mode == NSWITCH_MODE_NSWITCH &&
                   nswitch_relay_table_lookup(peer->sw->relay, dst)
                   ? peer->sw : NULL;
        }
    }
    return NULL;
}
