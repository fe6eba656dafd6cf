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
 * Every copy the datapath hands a port ends in exactly one counter:
 * delivered when the receiver took it, or dropped with the reason it did
 * not. QEMU's net layer says a frame was delivered when a link is down or
 * when virtio-net filtered it out, so a port looks before it sends, and
 * checks the guest's receive queue after.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/iov.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "system/runstate.h"
#include "standard-headers/linux/virtio_net.h"
#include "nswitch-direct.h"
#include "nswitch-function.h"
#include "nswitch-net-port.h"
#include "trace.h"

static NSwitchNetPort *port_of(NetClientState *nc)
{
    return container_of(nc, NSwitchNetPort, nc);
}

static size_t frame_len(const NSwitchNetPort *port, size_t size)
{
    return size > port->vnet_hdr_len ? size - port->vnet_hdr_len : 0;
}

static void count_delivery(NSwitchNetPort *port, size_t size)
{
    nswitch_count_delivery(port->core, port->number, frame_len(port, size));
}

static void count_drop(NSwitchNetPort *port, NSwitchDropReason reason)
{
    nswitch_count_drop(port->core, port->number, reason);
}

/* Under the function's TX rate, or paced until its bytes are there. */
static bool function_may_send(NSwitchNetPort *port, size_t size)
{
    uint64_t now, wait;

    if (!nswitch_port_info(port->core, port->number)->policy.max_tx_rate_bps) {
        return true;
    }
    now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    if (nswitch_port_take_tx(port->core, port->number, frame_len(port, size),
                             now, &wait)) {
        return true;
    }
    port->tx_paced = true;
    timer_mod(port->tx_timer, now + wait);
    trace_nswitch_net_port_tx_paced(port->number, wait);
    return false;
}

static void function_tx_resume(void *opaque)
{
    NSwitchNetPort *port = opaque;

    port->tx_paced = false;
    qemu_flush_queued_packets(&port->nc);
}

/* While the datapath delivers, frames wait in QEMU's queue at the port. */
static bool must_wait(NSwitchNetPort *port)
{
    if (!port->ops->busy(port->opaque)) {
        return false;
    }
    if (!port->deferred) {
        port->deferred = true;
        port->ops->deferred(port->opaque, port);
    }
    return true;
}

static ssize_t nswitch_net_port_receive_iov(NetClientState *nc,
                                            const struct iovec *iov, int iovcnt)
{
    NSwitchNetPort *port = port_of(nc);
    size_t size = iov_size(iov, iovcnt);

    if (must_wait(port) ||
        (!port->is_uplink && !function_may_send(port, size))) {
        /* QEMU queues it at this port, with the function's TX. */
        return 0;
    }
    port->ops->forward(port->opaque, port, iov, iovcnt);
    /*
     * Taken, even with no bytes (a runt from a socket peer): 0 would tell
     * QEMU to queue the frame and stop reading the sender until a flush
     * that never comes.
     */
    return MAX(size, 1);
}

static bool nswitch_net_port_can_receive(NetClientState *nc)
{
    NSwitchNetPort *port = port_of(nc);

    return !port->tx_paced && !must_wait(port);
}

static ssize_t nswitch_net_port_receive(NetClientState *nc, const uint8_t *buf,
                                        size_t size)
{
    const struct iovec iov = { .iov_base = (void *)buf, .iov_len = size };

    return nswitch_net_port_receive_iov(nc, &iov, 1);
}

static bool nswitch_net_port_has_vnet_hdr(NetClientState *nc)
{
    return true;
}

static bool nswitch_net_port_has_vnet_hdr_len(NetClientState *nc, int len)
{
    return len >= sizeof(struct virtio_net_hdr) &&
           len <= sizeof(struct virtio_net_hdr_v1_hash);
}

static void nswitch_net_port_set_vnet_hdr_len(NetClientState *nc, int len)
{
    port_of(nc)->vnet_hdr_len = len;
}

static void port_set_peer_accepts(NetClientState *nc, NSwitchOffloads accepts)
{
    port_of(nc)->peer_accepts = accepts;
    trace_nswitch_net_port_set_offload(nc->name, accepts.csum, accepts.tso4,
                                       accepts.tso6, accepts.ecn);
}

NSWITCH_DEFINE_SET_OFFLOAD(nswitch_net_port_set_offload, port_set_peer_accepts)

static void nswitch_uplink_link_changed(NetClientState *nc)
{
    NSwitchNetPort *port = port_of(nc);

    port->ops->uplink_link_changed(port->opaque);
}

static void nswitch_net_port_cleanup(NetClientState *nc);

static NetClientInfo nswitch_function_net_port_info = {
    .type = NET_CLIENT_DRIVER_NONE,
    .size = sizeof(NSwitchNetPort),
    .can_receive = nswitch_net_port_can_receive,
    .receive = nswitch_net_port_receive,
    .receive_iov = nswitch_net_port_receive_iov,
    .has_vnet_hdr = nswitch_net_port_has_vnet_hdr,
    .has_vnet_hdr_len = nswitch_net_port_has_vnet_hdr_len,
    .set_vnet_hdr_len = nswitch_net_port_set_vnet_hdr_len,
    .set_offload = nswitch_net_port_set_offload,
    .cleanup = nswitch_net_port_cleanup,
};

static NetClientInfo nswitch_uplink_net_port_info = {
    .type = NET_CLIENT_DRIVER_NONE,
    .size = sizeof(NSwitchNetPort),
    .can_receive = nswitch_net_port_can_receive,
    .receive = nswitch_net_port_receive,
    .receive_iov = nswitch_net_port_receive_iov,
    .link_status_changed = nswitch_uplink_link_changed,
    .cleanup = nswitch_net_port_cleanup,
};

static void drain_held_bh(void *opaque);

static NSwitchNetPort *port_new(NetClientInfo *info,
                                const NSwitchNetPortConfig *config,
                                uint32_t number, NetClientState *peer,
                                const char *name, uint32_t in_flight_capacity)
{
    NetClientState *nc = qemu_new_net_client(info, peer, "nswitch-nic", name);
    NSwitchNetPort *port = port_of(nc);

    port->ops = config->ops;
    port->opaque = config->opaque;
    port->core = config->core;
    port->buffer = config->buffer;
    port->number = number;
    port->rx_queue = config->rx_queue;
    port->direct = config->direct;
    port->purge_reason = NSWITCH_DROP_PORT_DOWN;
    /* The frame in QEMU's queue is one of the rx-queue the card holds. */
    nswitch_priority_queue_init(&port->held,
                                config->rx_queue ? config->rx_queue - 1 : 0);
    port->in_flight.capacity = in_flight_capacity;
    port->in_flight.sizes = g_new(uint32_t, in_flight_capacity);
    port->drain_bh = qemu_bh_new(drain_held_bh, port);
    return port;
}

NSwitchNetPort *nswitch_net_port_of(NetClientState *nc)
{
    return nc && nc->info == &nswitch_function_net_port_info
           ? port_of(nc) : NULL;
}

NSwitchNetPort *
nswitch_net_port_new_function(const NSwitchNetPortConfig *config,
                              uint32_t number, const char *name)
{
    NSwitchNetPort *port = port_new(&nswitch_function_net_port_info, config,
                                    number, NULL, name, 1);

    /* virtio-net's header until it tells us the length it settled on */
    port->vnet_hdr_len = sizeof(struct virtio_net_hdr);
    port->tx_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, function_tx_resume,
                                  port);
    qemu_set_info_str(&port->nc, "nswitch-nic function port %u", number);
    return port;
}

NSwitchNetPort *nswitch_net_port_new_uplink(const NSwitchNetPortConfig *config,
                                            uint32_t number,
                                            NetClientState *backend,
                                            const char *name)
{
    NSwitchNetPort *port = port_new(&nswitch_uplink_net_port_info, config,
                                    number, backend, name,
                                    MAX(config->rx_queue, 1));

    port->is_uplink = true;
    if (qemu_has_vnet_hdr(backend)) {
        /* A tap with vnet_hdr: GSO and checksum offload in both ways. */
        qemu_set_vnet_hdr_len(backend, sizeof(struct virtio_net_hdr));
        port->peer_accepts = (NSwitchOffloads) {
            .csum = true, .tso4 = true, .tso6 = true, .ecn = true,
        };
        nswitch_set_backend_offload(backend, port->peer_accepts);
        port->vnet_hdr_len = sizeof(struct virtio_net_hdr);
    }
    qemu_set_info_str(&port->nc, "nswitch-nic uplink%s",
                      port->vnet_hdr_len ? " (vnet-hdr)" : "");
    return port;
}

void nswitch_net_port_delete(NSwitchNetPort *port)
{
    if (port) {
        nswitch_net_port_purge(port);
        qemu_del_net_client(&port->nc);
    }
}

/* A held frame: the bytes for the function, its header included. */
typedef struct HeldFrame {
    NSwitchQueuedFrame node;    /* first: the queue hands back nodes */
    size_t size;
    uint8_t data[];
} HeldFrame;

static bool buffer_take(NSwitchNetPort *port, size_t size)
{
    if (size > port->buffer->size - port->buffer->used) {
        return false;
    }
    port->buffer->used += size;
    return true;
}

static void buffer_give_back(NSwitchNetPort *port, size_t size)
{
    assert(port->buffer->used >= size);
    port->buffer->used -= size;
}

static void held_frame_free(NSwitchNetPort *port, HeldFrame *frame)
{
    buffer_give_back(port, frame->size);
    g_free(frame);
}

/* Whether the function's guest took a frame since its RX was at @before. */
static bool function_took_frame(NSwitchNetPort *port, unsigned int before)
{
    VirtIONet *net = nswitch_function_net(port->nc.peer);

    return !net || nswitch_function_rx_position(net) != before;
}

/* The receiver's answer to a frame of @size bytes it was given. */
static void count_outcome(NSwitchNetPort *port, ssize_t ret, size_t size,
                          unsigned int rx_before)
{
    if (ret > 0) {
        if (port->is_uplink || function_took_frame(port, rx_before)) {
            count_delivery(port, size);
        } else {
            /* virtio-net's MAC or VLAN filter, or buffers too small */
            count_drop(port, NSWITCH_DROP_FILTERED);
        }
    } else if (port->purge_reason == NSWITCH_DROP_PORT_DOWN &&
               !runstate_is_running()) {
        /*
         * QEMU empties its queues when the VM stops (and migrates):
         * virtio-net refuses (< 0) what is left, or it is purged (0).
         */
        count_drop(port, NSWITCH_DROP_MIGRATED);
    } else {
        count_drop(port, ret ? NSWITCH_DROP_PORT_DOWN : port->purge_reason);
    }
}

static uint32_t in_flight_pop(NSwitchNetPort *port)
{
    NSwitchInFlight *flight = &port->in_flight;
    uint32_t size;

    assert(flight->count);
    size = flight->sizes[flight->first];
    flight->first = (flight->first + 1) % flight->capacity;
    flight->count--;
    return size;
}

/*
 * An in-flight frame reached its receiver (@ret > 0), was purged (0), or
 * found the function's driver gone (< 0).
 */
static void in_flight_done(NetClientState *nc, ssize_t ret)
{
    NSwitchNetPort *port = port_of(nc);
    uint32_t size = in_flight_pop(port);

    buffer_give_back(port, size);
    count_outcome(port, ret, size, port->rx_position);
    /* A purge (0) empties the held frames itself. */
    if (ret && port->held.count) {
        qemu_bh_schedule(port->drain_bh);
    }
}

static unsigned int rx_position_now(NSwitchNetPort *port)
{
    VirtIONet *net = port->is_uplink ? NULL
                                     : nswitch_function_net(port->nc.peer);

    return net ? nswitch_function_rx_position(net) : 0;
}

/*
 * Sends to the receiver; a frame QEMU queues is in flight, and takes
 * room in the card's buffer. Without an rx-queue, or without room, a
 * frame that cannot go at once is dropped (it is the only one in flight:
 * the purge takes it alone).
 */
static void send_now(NSwitchNetPort *port, const struct iovec *iov, int iovcnt)
{
    NSwitchInFlight *flight = &port->in_flight;
    unsigned int rx_before = rx_position_now(port);
    size_t size = iov_size(iov, iovcnt);
    ssize_t ret;

    assert(flight->count < flight->capacity);
    /* virtio-net writes used entries too: the card's go first. */
    nswitch_direct_publish(port);
    if (flight->count && size > port->buffer->size - port->buffer->used) {
        /* it would wait behind the others, and there is no room */
        count_drop(port, NSWITCH_DROP_BUFFER_FULL);
        return;
    }
    ret = qemu_sendv_packet_async(&port->nc, iov, iovcnt, in_flight_done);
    if (ret) {
        count_outcome(port, ret, size, rx_before);
        return;
    }
    /* QEMU's queue copied the frame: it calls in_flight_done for it. */
    flight->sizes[(flight->first + flight->count) % flight->capacity] = size;
    flight->count++;
    port->rx_position = rx_before;
    port->buffer->used += size;
    if (port->rx_queue && port->buffer->used <= port->buffer->size) {
        return;
    }
    assert(flight->count == 1);
    port->purge_reason = port->rx_queue ? NSWITCH_DROP_BUFFER_FULL
                                        : NSWITCH_DROP_RECEIVER_FULL;
    qemu_purge_queued_packets(&port->nc);
    port->purge_reason = NSWITCH_DROP_PORT_DOWN;
}

/* Held frames follow the in-flight one, highest priority first. */
static void drain_held(NSwitchNetPort *port)
{
    NSwitchQueuedFrame *node;

    while (!port->in_flight.count &&
           (node = nswitch_priority_queue_pop(&port->held))) {
        HeldFrame *frame = container_of(node, HeldFrame, node);
        struct iovec iov = { .iov_base = frame->data,
                             .iov_len = frame->size };

        /* Its room in the buffer passes to QEMU's copy, if it keeps one. */
        buffer_give_back(port, frame->size);
        send_now(port, &iov, 1);
        g_free(frame);
    }
}

static void drain_held_bh(void *opaque)
{
    drain_held(opaque);
}

static void hold(NSwitchNetPort *port, const struct iovec *iov, int iovcnt,
                 uint8_t priority)
{
    size_t size = iov_size(iov, iovcnt);
    NSwitchQueuedFrame *out;
    HeldFrame *frame;

    if (!nswitch_priority_queue_accepts(&port->held, priority)) {
        count_drop(port, NSWITCH_DROP_RECEIVER_FULL);
        return;
    }
    if (!buffer_take(port, size)) {
        count_drop(port, NSWITCH_DROP_BUFFER_FULL);
        return;
    }
    frame = g_malloc(sizeof(*frame) + size);
    frame->node.priority = priority;
    frame->size = size;
    iov_to_buf(iov, iovcnt, 0, frame->data, size);
    out = nswitch_priority_queue_push(&port->held, &frame->node);
    if (out) {
        /* refused, or it pushed out the newest frame of a lower class */
        count_drop(port, NSWITCH_DROP_RECEIVER_FULL);
        held_frame_free(port, container_of(out, HeldFrame, node));
    }
}

void nswitch_net_port_deliver(NSwitchNetPort *port, const struct iovec *iov,
                              int iovcnt, uint8_t priority)
{
    NetClientState *peer = port->nc.peer;

    if (!peer) {
        count_drop(port, NSWITCH_DROP_PORT_DOWN);
        return;
    }
    /* QEMU's net layer swallows frames to or from a link that is down. */
    if (port->nc.link_down || peer->link_down) {
        count_drop(port, NSWITCH_DROP_LINK_DOWN);
        return;
    }
    if (port->is_uplink) {
        if (port->in_flight.count == port->in_flight.capacity) {
            count_drop(port, NSWITCH_DROP_RECEIVER_FULL);
            return;
        }
        send_now(port, iov, iovcnt);
        return;
    }
    if (peer->info->can_receive && !peer->info->can_receive(peer)) {
        /* no driver, or a queue it has not set up */
        count_drop(port, NSWITCH_DROP_RECEIVER_FULL);
        return;
    }
    if (!port->in_flight.count && !port->held.count) {
        if (!nswitch_direct_receive(port, iov, iovcnt)) {
            send_now(port, iov, iovcnt);
        }
        return;
    }
    hold(port, iov, iovcnt, priority);
    /* Nothing in flight (the last one found the driver gone): go on. */
    drain_held(port);
}

uint32_t nswitch_net_port_held(const NSwitchNetPort *port)
{
    return port->held.count + port->in_flight.count;
}

void nswitch_net_port_purge(NSwitchNetPort *port)
{
    NSwitchQueuedFrame *node;

    while ((node = nswitch_priority_queue_pop(&port->held))) {
        count_drop(port, NSWITCH_DROP_PORT_DOWN);
        held_frame_free(port, container_of(node, HeldFrame, node));
    }
    qemu_purge_queued_packets(&port->nc);
}

/*
 * The net layer frees the port: when the card deletes it, or at QEMU's
 * exit, which deletes every netdev and its peers.
 */
static void nswitch_net_port_cleanup(NetClientState *nc)
{
    NSwitchNetPort *port = port_of(nc);
    NSwitchQueuedFrame *node;

    while ((node = nswitch_priority_queue_pop(&port->held))) {
        held_frame_free(port, container_of(node, HeldFrame, node));
    }
    nswitch_direct_release(port);
    g_clear_pointer(&port->tx_timer, timer_free);
    g_clear_pointer(&port->drain_bh, qemu_bh_delete);
    g_clear_pointer(&port->in_flight.sizes, g_free);
}
