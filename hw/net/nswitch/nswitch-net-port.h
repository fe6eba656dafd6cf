/*
 * nswitch-nic: switch ports, the net clients between the card's switch
 * and its functions' virtio-net devices or the uplink backend
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_NET_NSWITCH_NET_PORT_H
#define HW_NET_NSWITCH_NET_PORT_H

#include "net/net.h"
#include "qemu/queue.h"
#include "qemu/timer.h"
#include "system/runstate.h"
#include "hw/virtio/virtio.h"
#include "hw/net/nswitch/priority-queue.h"
#include "hw/net/nswitch/switch.h"
#include "qemu-compat.h"

typedef struct NSwitchNetPort NSwitchNetPort;

/*
 * The card's memory for frames waiting for a receiver: held frames and
 * the copies QEMU's queues keep for the card, every port together.
 */
typedef struct NSwitchNetPortBuffer {
    uint64_t used;
    uint64_t size;
} NSwitchNetPortBuffer;

/* What the ports call back: forwarding, and the uplink's link state. */
typedef struct NSwitchNetPortOps {
    /* A frame (with the port's virtio-net header) came in on @port. */
    void (*forward)(void *opaque, NSwitchNetPort *port,
                    const struct iovec *iov, int iovcnt);
    /* Whether the datapath is delivering: a frame now must wait. */
    bool (*busy)(void *opaque);
    /* A frame had to wait: the datapath flushes @port when done. */
    void (*deferred)(void *opaque, NSwitchNetPort *port);
    /* The uplink netdev's link went up or down. */
    void (*uplink_link_changed)(void *opaque);
} NSwitchNetPortOps;

/* Frames QEMU's queue at the receiver keeps for the port, oldest first. */
typedef struct NSwitchInFlight {
    uint32_t *sizes;
    uint32_t capacity;
    uint32_t first;
    uint32_t count;
} NSwitchInFlight;

struct NSwitchNetPort {
    NetClientState nc;          /* first: the net layer allocates ports */
    const NSwitchNetPortOps *ops;
    void *opaque;
    NSwitch *core;              /* where the port counts */
    NSwitchNetPortBuffer *buffer;
    uint32_t number;            /* switch port number in the core */
    bool is_uplink;
    /* virtio-net header on frames exchanged with the peer; 0 for none */
    int vnet_hdr_len;
    /* What it can take without software segmentation or checksum. */
    NSwitchOffloads peer_accepts;
    /*
     * Frames waiting for their receiver. A function's: one in QEMU's
     * queue at its virtio-net (in flight), which the guest's next RX
     * kick flushes, and the rest here, served by 802.1p priority. The
     * uplink's: up to rx-queue in QEMU's queue at the backend, as a
     * wire's transmit queue.
     */
    NSwitchPriorityQueue held;
    NSwitchInFlight in_flight;
    uint32_t rx_queue;          /* frames held and in flight, at most */
    /* The function's RX position when its in-flight frame was queued. */
    unsigned int rx_position;
    /*
     * Held frames follow the in-flight one from the main loop: the guest's
     * RX kick that flushes it runs in its vCPU thread, which would
     * otherwise copy every held frame while its guest waits.
     */
    QEMUBH *drain_bh;
    /* What an in-flight frame counts as if purged (port-down). */
    NSwitchDropReason purge_reason;
    /*
     * The function's TX rate: a frame over it waits in QEMU's queue at
     * this port, and the function's transmit queue with it, until the
     * timer says its bytes are there.
     */
    QEMUTimer *tx_timer;
    bool tx_paced;
    /* A frame for the switch waits in QEMU's queue at this port. */
    bool deferred;
    /*
     * The direct path (nswitch-direct.c): the port takes its function's
     * frames from the transmit queue itself, from the kick, and from a
     * bottom half past a burst or when the VM starts again (tx_bh is
     * NULL for a function whose virtio-net serves its own queue); and
     * the used entries it wrote into the function's receive queue, not
     * yet published to the guest.
     */
    bool direct;
    VirtQueueElement *tx_waiting;   /* its frame waits in QEMU's queue */
    void *tx_elem_buffer;           /* where TX elements are popped */
    QEMUBH *tx_bh;
    VMChangeStateEntry *vm_state;
    uint32_t rx_unpublished;
    QSLIST_ENTRY(NSwitchNetPort) unpublished_next;
};

typedef struct NSwitchNetPortConfig {
    const NSwitchNetPortOps *ops;
    void *opaque;
    NSwitch *core;
    NSwitchNetPortBuffer *buffer;
    uint32_t rx_queue;          /* frames held for the receiver */
    bool direct;                /* a function port may take the direct path */
} NSwitchNetPortConfig;

/*
 * A port for a function (PF or VF); its peer is the function's virtio-net,
 * connected when that device realizes.
 */
NSwitchNetPort *
nswitch_net_port_new_function(const NSwitchNetPortConfig *config,
                              uint32_t number, const char *name);
/* The uplink port, peered with the user's -netdev. */
NSwitchNetPort *nswitch_net_port_new_uplink(const NSwitchNetPortConfig *config,
                                            uint32_t number,
                                            NetClientState *backend,
                                            const char *name);
void nswitch_net_port_delete(NSwitchNetPort *port);

/*
 * Hands a copy of a frame (with the port's virtio-net header) to the
 * port's receiver and counts what becomes of it: delivered, dropped with
 * its reason, or held (counted when it leaves the card). A function's
 * frames wait while its receive ring is full, up to the card's rx-queue
 * frames and buffer, the lowest priorities pushed out first.
 */
void nswitch_net_port_deliver(NSwitchNetPort *port, const struct iovec *iov,
                              int iovcnt, uint8_t priority);

/* The function port whose net client @nc is, or NULL. */
NSwitchNetPort *nswitch_net_port_of(NetClientState *nc);

/* Frames the port holds for its receiver now. */
uint32_t nswitch_net_port_held(const NSwitchNetPort *port);

/*
 * Drops the frames this port holds for its receiver, counting them as
 * port-down: the function is going away or being reset.
 */
void nswitch_net_port_purge(NSwitchNetPort *port);

#endif
