/*
 * nswitch-nic: switch ports, the net clients between the card's switch
 * and its functions' virtio-net devices or the uplink backend
 *
 * A function port tells its virtio-net peer that it takes virtio-net
 * headers of any length virtio-net uses, so GSO frames and checksum
 * offload cross the switch whole; it records which offloads the peer's
 * guest accepts, so that the datapath segments in software only where a
 * receiver needs it.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/iov.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "standard-headers/linux/virtio_net.h"
#include "nswitch-datapath.h"
#include "trace.h"

static NSwitchPort *port_of(NetClientState *nc)
{
    return container_of(nc, NSwitchPort, nc);
}

/* Under the function's TX rate, or paced until its bytes are there. */
static bool function_may_send(NSwitchPort *port, size_t size)
{
    size_t len = size > port->vnet_hdr_len ? size - port->vnet_hdr_len : 0;
    uint64_t now, wait;

    if (!nswitch_port_info(port->card->core,
                           port->number)->policy.max_tx_rate_bps) {
        return true;
    }
    now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    if (nswitch_port_take_tx(port->card->core, port->number, len, now,
                             &wait)) {
        return true;
    }
    port->tx_paced = true;
    timer_mod(port->tx_timer, now + wait);
    trace_nswitch_port_tx_paced(port->number, wait);
    return false;
}

static void function_tx_resume(void *opaque)
{
    NSwitchPort *port = opaque;

    port->tx_paced = false;
    qemu_flush_queued_packets(&port->nc);
}

static ssize_t nswitch_port_receive_iov(NetClientState *nc,
                                        const struct iovec *iov, int iovcnt)
{
    NSwitchPort *port = port_of(nc);
    size_t size = iov_size(iov, iovcnt);

    if (!port->is_uplink && !function_may_send(port, size)) {
        /* QEMU queues it at this port, with the function's TX. */
        return 0;
    }
    nswitch_datapath_forward(port->card, port, iov, iovcnt);
    return size;
}

static bool nswitch_port_can_receive(NetClientState *nc)
{
    return !port_of(nc)->tx_paced;
}

static ssize_t nswitch_port_receive(NetClientState *nc, const uint8_t *buf,
                                    size_t size)
{
    const struct iovec iov = { .iov_base = (void *)buf, .iov_len = size };

    return nswitch_port_receive_iov(nc, &iov, 1);
}

static bool nswitch_port_has_vnet_hdr(NetClientState *nc)
{
    return true;
}

static bool nswitch_port_has_vnet_hdr_len(NetClientState *nc, int len)
{
    return len >= sizeof(struct virtio_net_hdr) &&
           len <= sizeof(struct virtio_net_hdr_v1_hash);
}

static void nswitch_port_set_vnet_hdr_len(NetClientState *nc, int len)
{
    port_of(nc)->vnet_hdr_len = len;
}

static void nswitch_port_set_offload(NetClientState *nc, int csum, int tso4,
                                     int tso6, int ecn, int ufo, int uso4,
                                     int uso6)
{
    NSwitchPort *port = port_of(nc);

    port->peer_accepts = (NSwitchPortOffloads) {
        .csum = csum, .tso4 = tso4, .tso6 = tso6, .ecn = ecn,
    };
    trace_nswitch_port_set_offload(nc->name, csum, tso4, tso6, ecn);
}

static void nswitch_uplink_link_changed(NetClientState *nc)
{
    nswitch_nic_apply_links(port_of(nc)->card);
}

static NetClientInfo nswitch_function_port_info = {
    .type = NET_CLIENT_DRIVER_NONE,
    .size = sizeof(NSwitchPort),
    .can_receive = nswitch_port_can_receive,
    .receive = nswitch_port_receive,
    .receive_iov = nswitch_port_receive_iov,
    .has_vnet_hdr = nswitch_port_has_vnet_hdr,
    .has_vnet_hdr_len = nswitch_port_has_vnet_hdr_len,
    .set_vnet_hdr_len = nswitch_port_set_vnet_hdr_len,
    .set_offload = nswitch_port_set_offload,
};

static NetClientInfo nswitch_uplink_port_info = {
    .type = NET_CLIENT_DRIVER_NONE,
    .size = sizeof(NSwitchPort),
    .receive = nswitch_port_receive,
    .receive_iov = nswitch_port_receive_iov,
    .link_status_changed = nswitch_uplink_link_changed,
};

static NSwitchPort *port_new(NetClientInfo *info, NSwitchNic *card,
                             uint32_t number, NetClientState *peer,
                             const char *name)
{
    NetClientState *nc = qemu_new_net_client(info, peer, TYPE_NSWITCH_NIC,
                                             name);
    NSwitchPort *port = port_of(nc);

    port->card = card;
    port->number = number;
    port->purge_reason = NSWITCH_DROP_PORT_DOWN;
    /* The frame in QEMU's queue is one of the rx-queue the card holds. */
    nswitch_priority_queue_init(&port->held,
                                card->rx_queue ? card->rx_queue - 1 : 0);
    return port;
}

static void drain_held_bh(void *opaque);

NSwitchPort *nswitch_port_new_function(NSwitchNic *card, uint32_t number,
                                       const char *name)
{
    NSwitchPort *port = port_new(&nswitch_function_port_info, card, number,
                                 NULL, name);

    /* virtio-net's header until it tells us the length it settled on */
    port->vnet_hdr_len = sizeof(struct virtio_net_hdr);
    port->tx_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, function_tx_resume,
                                  port);
    port->drain_bh = qemu_bh_new(drain_held_bh, port);
    qemu_set_info_str(&port->nc, "nswitch-nic function port %u", number);
    return port;
}

NSwitchPort *nswitch_port_new_uplink(NSwitchNic *card, uint32_t number,
                                     NetClientState *backend,
                                     const char *name)
{
    NSwitchPort *port = port_new(&nswitch_uplink_port_info, card, number,
                                 backend, name);

    port->is_uplink = true;
    if (qemu_has_vnet_hdr(backend)) {
        /* A tap with vnet_hdr: GSO and checksum offload in both ways. */
        qemu_set_vnet_hdr_len(backend, sizeof(struct virtio_net_hdr));
        qemu_set_offload(backend, 1, 1, 1, 1, 0, 0, 0);
        port->vnet_hdr_len = sizeof(struct virtio_net_hdr);
        port->peer_accepts = (NSwitchPortOffloads) {
            .csum = true, .tso4 = true, .tso6 = true, .ecn = true,
        };
    }
    qemu_set_info_str(&port->nc, "nswitch-nic uplink%s",
                      port->vnet_hdr_len ? " (vnet-hdr)" : "");
    return port;
}

void nswitch_port_delete(NSwitchPort *port)
{
    if (port) {
        nswitch_port_purge(port);
        g_clear_pointer(&port->tx_timer, timer_free);
        g_clear_pointer(&port->drain_bh, qemu_bh_delete);
        qemu_del_net_client(&port->nc);
    }
}

/* A held frame: the bytes for the function, its header included. */
typedef struct HeldFrame {
    NSwitchQueuedFrame node;    /* first: the queue hands back nodes */
    size_t size;
    uint8_t data[];
} HeldFrame;

static void count_delivery(NSwitchPort *port, size_t size)
{
    nswitch_count_delivery(port->card->core, port->number,
                           size > port->vnet_hdr_len ?
                           size - port->vnet_hdr_len : 0);
}

static void drain_held(NSwitchPort *port);

/*
 * The in-flight frame has reached its guest (@ret > 0), was purged (0),
 * or found the function's driver gone (< 0).
 */
static void in_flight_done(NetClientState *nc, ssize_t ret)
{
    NSwitchPort *port = port_of(nc);

    assert(port->in_flight);
    port->in_flight = false;
    if (ret > 0) {
        count_delivery(port, ret);
    } else {
        nswitch_count_drop(port->card->core, port->number,
                           ret ? NSWITCH_DROP_PORT_DOWN : port->purge_reason);
    }
    /* A purge (0) empties the held frames itself. */
    if (ret && port->held.count) {
        qemu_bh_schedule(port->drain_bh);
    }
}

/*
 * Sends to the function; a frame QEMU queues becomes the in-flight one.
 * Without an rx-queue, a frame that finds the ring full is dropped.
 */
static NSwitchPortSend send_now(NSwitchPort *port, const struct iovec *iov,
                                int iovcnt)
{
    ssize_t ret = qemu_sendv_packet_async(&port->nc, iov, iovcnt,
                                          in_flight_done);

    if (ret) {
        return ret > 0 ? NSWITCH_PORT_TOOK_FRAME : NSWITCH_PORT_REFUSED_FRAME;
    }
    port->in_flight = true;
    if (!port->card->rx_queue) {
        port->purge_reason = NSWITCH_DROP_RECEIVER_FULL;
        qemu_purge_queued_packets(&port->nc);
        port->purge_reason = NSWITCH_DROP_PORT_DOWN;
    }
    return NSWITCH_PORT_HOLDS_FRAME;
}

/* Held frames follow the in-flight one, highest priority first. */
static void drain_held(NSwitchPort *port)
{
    NSwitchQueuedFrame *node;

    while (!port->in_flight &&
           (node = nswitch_priority_queue_pop(&port->held))) {
        HeldFrame *frame = container_of(node, HeldFrame, node);
        struct iovec iov = { .iov_base = frame->data,
                             .iov_len = frame->size };

        switch (send_now(port, &iov, 1)) {
        case NSWITCH_PORT_TOOK_FRAME:
            count_delivery(port, frame->size);
            break;
        case NSWITCH_PORT_HOLDS_FRAME:
            break;
        case NSWITCH_PORT_REFUSED_FRAME:
            nswitch_count_drop(port->card->core, port->number,
                               NSWITCH_DROP_RECEIVER_FULL);
            break;
        }
        /* QEMU's queue copied it if it keeps it. */
        g_free(frame);
    }
}

static void drain_held_bh(void *opaque)
{
    drain_held(opaque);
}

static HeldFrame *held_frame_new(const struct iovec *iov, int iovcnt,
                                 uint8_t priority)
{
    size_t size = iov_size(iov, iovcnt);
    HeldFrame *frame = g_malloc(sizeof(*frame) + size);

    frame->node.priority = priority;
    frame->size = size;
    iov_to_buf(iov, iovcnt, 0, frame->data, size);
    return frame;
}

NSwitchPortSend nswitch_port_send_to_function(NSwitchPort *port,
                                              const struct iovec *iov,
                                              int iovcnt, uint8_t priority)
{
    NetClientState *peer = port->nc.peer;
    HeldFrame *frame;
    NSwitchQueuedFrame *out;

    if (!peer || (peer->info->can_receive && !peer->info->can_receive(peer))) {
        return NSWITCH_PORT_REFUSED_FRAME;
    }
    if (!port->in_flight && !port->held.count) {
        return send_now(port, iov, iovcnt);
    }
    if (!nswitch_priority_queue_accepts(&port->held, priority)) {
        return NSWITCH_PORT_REFUSED_FRAME;
    }
    frame = held_frame_new(iov, iovcnt, priority);
    out = nswitch_priority_queue_push(&port->held, &frame->node);
    if (out == &frame->node) {
        g_free(frame);
        return NSWITCH_PORT_REFUSED_FRAME;
    }
    if (out) {
        nswitch_count_drop(port->card->core, port->number,
                           NSWITCH_DROP_RECEIVER_FULL);
        g_free(container_of(out, HeldFrame, node));
    }
    /* Nothing in flight (the last one found the driver gone): go on. */
    drain_held(port);
    return NSWITCH_PORT_HOLDS_FRAME;
}

uint32_t nswitch_port_held(const NSwitchPort *port)
{
    return port->held.count + port->in_flight;
}

void nswitch_port_purge(NSwitchPort *port)
{
    NSwitchQueuedFrame *node;

    while ((node = nswitch_priority_queue_pop(&port->held))) {
        nswitch_count_drop(port->card->core, port->number,
                           NSWITCH_DROP_PORT_DOWN);
        g_free(container_of(node, HeldFrame, node));
    }
    qemu_purge_queued_packets(&port->nc);
}
