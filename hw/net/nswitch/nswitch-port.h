/*
 * nswitch-nic: switch ports, the net clients between the card's switch
 * and its functions' virtio-net devices or the uplink backend
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_NET_NSWITCH_PORT_H
#define HW_NET_NSWITCH_PORT_H

#include "net/net.h"
#include "hw/net/nswitch-nic.h"

typedef struct NSwitchPortOffloads {
    bool csum;
    bool tso4;
    bool tso6;
    bool ecn;
} NSwitchPortOffloads;

struct NSwitchPort {
    NetClientState nc;          /* first: the net layer allocates ports */
    NSwitchNic *card;
    uint32_t number;            /* switch port number in the core */
    bool is_uplink;
    /* virtio-net header on frames exchanged with the peer; 0 for none */
    int vnet_hdr_len;
    /* What the peer can receive without software segmentation/checksum. */
    NSwitchPortOffloads peer_accepts;
    /* Frames waiting at a function peer for room in its receive ring. */
    uint32_t queued;
    /* What a frame purged from that queue counts as (port-down). */
    NSwitchDropReason purge_reason;
};

/*
 * A port for a function (PF or VF); its peer is the function's virtio-net,
 * connected when that device realizes.
 */
NSwitchPort *nswitch_port_new_function(NSwitchNic *card, uint32_t number,
                                       const char *name);
/* The uplink port, peered with the user's -netdev. */
NSwitchPort *nswitch_port_new_uplink(NSwitchNic *card, uint32_t number,
                                     NetClientState *backend,
                                     const char *name);
void nswitch_port_delete(NSwitchPort *port);

/*
 * Drops the frames this port queued at its peer, counting them as
 * port-down: the function is going away or being reset.
 */
void nswitch_port_purge(NSwitchPort *port);

#endif
