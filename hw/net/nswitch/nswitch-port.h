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
#include "qemu/timer.h"
#include "hw/net/nswitch-nic.h"
#include "hw/net/nswitch/priority-queue.h"

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
    /*
     * Frames waiting for room in the function's receive ring: one in
     * QEMU's queue at the peer (in_flight), which the guest's next RX
     * kick flushes, and the rest here, served by 802.1p priority.
     */
    NSwitchPriorityQueue held;
    bool in_flight;
    /*
     * Held frames follow the in-flight one from the main loop: the guest's
     * RX kick that flushes it runs in its vCPU thread, which would
     * otherwise copy every held frame while its guest waits.
     */
    QEMUBH *drain_bh;
    /* What the in-flight frame counts as if purged (port-down). */
    NSwitchDropReason purge_reason;
    /*
     * The function's TX rate: a frame over it waits in QEMU's queue at
     * this port, and the function's transmit queue with it, until the
     * timer says its bytes are there.
     */
    QEMUTimer *tx_timer;
    bool tx_paced;
    /* The last MAC the function's guest chose that the switch refused. */
    uint8_t refused_mac[ETH_ALEN];
};

typedef enum NSwitchPortSend {
    NSWITCH_PORT_TOOK_FRAME,
    NSWITCH_PORT_HOLDS_FRAME,   /* counted when it leaves the card */
    NSWITCH_PORT_REFUSED_FRAME,
} NSwitchPortSend;

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
 * Hands a frame (with the function's virtio-net header) to the function,
 * or holds it while the function's receive ring is full: up to the card's
 * rx-queue frames, the lowest priorities pushed out first (counted as
 * receiver-full).
 */
NSwitchPortSend nswitch_port_send_to_function(NSwitchPort *port,
                                              const struct iovec *iov,
                                              int iovcnt, uint8_t priority);
/* Frames the port holds for its function now. */
uint32_t nswitch_port_held(const NSwitchPort *port);

/*
 * Drops the frames this port holds for its function, counting them as
 * port-down: the function is going away or being reset.
 */
void nswitch_port_purge(NSwitchPort *port);

#endif
