/*
 * nswitch-nic: the direct path, a function's frames moved by the card
 * between virtqueues
 *
 * virtio-net sends a guest's frames from a bottom half that its kick
 * schedules, one at a time through QEMU's net layer, and takes frames
 * for its guest as one linear buffer (it has no receive_iov): the net
 * layer allocates that buffer and copies every frame into it first. On
 * the direct path the card does both ends itself:
 *  - TX: the kick runs the card's handler at once, which pops the guest's
 *    frames, hands each to the port through QEMU's net layer (no copy,
 *    no queue while the port takes it: the datapath forwards it within
 *    the call, checking a copy of its head, as for every frame), and
 *    completes the burst with one used-index update and one
 *    notification;
 *  - RX: a frame for a function that virtio-net would take as it is (see
 *    nswitch_function_takes_plainly) is written by the card from the
 *    checked head and the sender's buffers into the receiver's buffers:
 *    the head is copied twice (checked copy, then the guest's), the rest
 *    once. Its used entries wait for the end of the TX burst, so that a
 *    receiver gets one used-index update and one notification per burst.
 * Everything else (a full receive ring, held frames, filtering, RSS, VLAN
 * tags, DHCP checksums, the uplink, vswitch mode) takes the generic path
 * through virtio-net, which the card publishes the waiting entries of a
 * receiver before.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/iov.h"
#include "qemu/main-loop.h"
#include "net/eth.h"
#include "system/runstate.h"
#include "hw/virtio/virtio.h"
#include "standard-headers/linux/virtio_net.h"
#include "nswitch-direct.h"
#include "nswitch-function.h"
#include "trace.h"

/* Frames a kick takes before it lets the rest of QEMU run (virtio-net's). */
#define TX_BURST 256

/* Ports with used entries written but not yet published. */
static QSLIST_HEAD(, NSwitchNetPort) unpublished =
    QSLIST_HEAD_INITIALIZER(unpublished);

/*
 * TX bursts running (one may run inside another: a frame that waited at
 * a port goes on from the flush that the datapath does after a frame).
 * Outside them, a frame written into a guest's buffers is published at
 * once: it came from the uplink, a bottom half or a timer.
 */
static unsigned tx_bursts;

/*
 * Room for a popped element of @n descriptors (virtqueue_alloc_element's
 * layout: the element, then addresses and iovecs, aligned).
 */
#define ELEM_SIZE(n) (sizeof(VirtQueueElement) + 16 + \
                      (n) * (sizeof(hwaddr) + sizeof(struct iovec)))
/* A TX frame of Linux has at most 2 + MAX_SKB_FRAGS (17) descriptors. */
#define TX_ELEM_SIZE ELEM_SIZE(64)
/* A receive buffer: 1 (mergeable) or 1 + 17 (big packets) descriptors. */
#define RX_ELEM_SIZE ELEM_SIZE(20)
#define RX_POOL 64

/*
 * Scratch of nswitch_direct_receive, one frame at a time under the BQL:
 * its elements, the first RX_POOL of them in the pool.
 */
static VirtQueueElement *rx_elems[VIRTQUEUE_MAX_SIZE];
static size_t rx_lens[VIRTQUEUE_MAX_SIZE];
static uint8_t *rx_pool;
/*
 * A receive in progress: a guest can point a buffer at an MMIO register
 * (another card's notify), whose write runs inside this one's unmap.
 */
static bool receiving;

static VirtQueueElement *pop_rx(VirtQueue *vq, unsigned i)
{
    if (i >= RX_POOL) {
        return virtqueue_pop(vq, sizeof(VirtQueueElement));
    }
    return virtqueue_pop_into(vq, rx_pool + i * RX_ELEM_SIZE, RX_ELEM_SIZE);
}

static void free_rx(VirtQueueElement *elem)
{
    uint8_t *at = (uint8_t *)elem;

    if (at < rx_pool || at >= rx_pool + RX_POOL * RX_ELEM_SIZE) {
        g_free(elem);
    }
}

static void free_tx(NSwitchNetPort *port, VirtQueueElement *elem)
{
    if ((void *)elem != port->tx_elem_buffer) {
        g_free(elem);
    }
}

static VirtIONet *function_of(NSwitchNetPort *port)
{
    return nswitch_function_net(port->nc.peer);
}

void nswitch_direct_publish(NSwitchNetPort *port)
{
    VirtIONet *net = function_of(port);
    VirtQueue *vq;

    if (!port->rx_unpublished) {
        return;
    }
    QSLIST_REMOVE(&unpublished, port, NSwitchNetPort, unpublished_next);
    if (net) {
        vq = nswitch_function_rx_queue(net);
        virtqueue_flush(vq, port->rx_unpublished);
        virtio_notify(VIRTIO_DEVICE(net), vq);
    }
    trace_nswitch_direct_publish(port->number, port->rx_unpublished);
    port->rx_unpublished = 0;
}

/* The same for every port with used entries waiting. */
static void publish_all(void)
{
    while (!QSLIST_EMPTY(&unpublished)) {
        nswitch_direct_publish(QSLIST_FIRST(&unpublished));
    }
}

/*
 * Copies @len bytes of @src from @src_off into @dst from @dst_off, as far
 * as @dst reaches; returns the bytes copied.
 */
static size_t copy_between(const struct iovec *dst, unsigned dst_count,
                           size_t dst_off, const struct iovec *src,
                           int src_count, size_t src_off, size_t len)
{
    size_t done = 0;

    for (int i = 0; i < src_count && done < len; i++) {
        size_t piece, copied;

        if (src_off >= src[i].iov_len) {
            src_off -= src[i].iov_len;
            continue;
        }
        piece = MIN(src[i].iov_len - src_off, len - done);
        copied = iov_from_buf(dst, dst_count, dst_off + done,
                              (uint8_t *)src[i].iov_base + src_off, piece);
        done += copied;
        src_off = 0;
        if (copied < piece) {
            break;
        }
    }
    return done;
}

/* Gives back the buffers popped for a frame that does not go this way. */
static void unpop_all(VirtQueue *vq, unsigned count)
{
    while (count--) {
        virtqueue_unpop(vq, rx_elems[count], 0);
        free_rx(rx_elems[count]);
    }
}

/*
 * Pops the receive buffers a frame of @size bytes (with its header @hdr)
 * needs and writes it into them, as virtio-net would; the buffers'
 * used entries wait in @port. False, with every buffer given back, when
 * virtio-net must do it after all.
 */
static bool fill_buffers(NSwitchNetPort *port, VirtIONet *net, VirtQueue *vq,
                         const struct virtio_net_hdr *hdr,
                         const struct iovec *iov, int iovcnt, size_t size)
{
    size_t hdr_len = port->vnet_hdr_len;
    bool mergeable = nswitch_function_mergeable(net);
    size_t offset;
    unsigned count = 0;

    for (offset = 0; offset < size; count++) {
        VirtQueueElement *elem = NULL;
        size_t at = count ? 0 : hdr_len;
        size_t len;

        if (count < VIRTQUEUE_MAX_SIZE) {
            elem = pop_rx(vq, count);
        }
        if (!elem) {
            /* the guest took back buffers it offered: virtio-net's turn */
            unpop_all(vq, count);
            return false;
        }
        rx_elems[count] = elem;
        if (elem->in_num < 1 || iov_size(elem->in_sg, elem->in_num) < at) {
            unpop_all(vq, count + 1);
            return false;
        }
        if (!count) {
            /* virtio-net writes the header's fields, not num_buffers */
            iov_from_buf(elem->in_sg, elem->in_num, 0, hdr, sizeof(*hdr));
            offset = hdr_len;
        }
        len = copy_between(elem->in_sg, elem->in_num, at, iov, iovcnt,
                           offset, size - offset);
        offset += len;
        rx_lens[count] = at + len;
        if (!mergeable && offset < size) {
            /* too small: virtio-net drops it, counted as filtered */
            unpop_all(vq, count + 1);
            return false;
        }
    }
    if (mergeable) {
        /* the card's functions are virtio 1 only: little-endian */
        uint16_t buffers = cpu_to_le16(count);

        iov_from_buf(rx_elems[0]->in_sg, rx_elems[0]->in_num,
                     offsetof(struct virtio_net_hdr_mrg_rxbuf, num_buffers),
                     &buffers, sizeof(buffers));
    }
    for (unsigned i = 0; i < count; i++) {
        virtqueue_fill(vq, rx_elems[i], rx_lens[i],
                       port->rx_unpublished + i);
        free_rx(rx_elems[i]);
    }
    if (!port->rx_unpublished) {
        QSLIST_INSERT_HEAD(&unpublished, port, unpublished_next);
    }
    port->rx_unpublished += count;
    return true;
}

bool nswitch_direct_receive(NSwitchNetPort *port, const struct iovec *iov,
                            int iovcnt)
{
    VirtIONet *net = function_of(port);
    size_t hdr_len = port->vnet_hdr_len;
    size_t size = iov_size(iov, iovcnt);
    uint8_t head[NSWITCH_FUNCTION_PLAIN_HEAD];
    struct virtio_net_hdr hdr;
    size_t head_len;
    VirtQueue *vq;
    bool filled;

    /* netfilters on the port see frames in QEMU's net layer only */
    if (!port->direct || receiving || !net ||
        !QTAILQ_EMPTY(&port->nc.filters) ||
        size < hdr_len + ETH_HLEN ||
        iov_to_buf(iov, iovcnt, 0, &hdr, sizeof(hdr)) < sizeof(hdr)) {
        return false;
    }
    head_len = iov_to_buf(iov, iovcnt, hdr_len, head, sizeof(head));
    if (!nswitch_function_takes_plainly(net, hdr_len, &hdr, head, head_len,
                                        size - hdr_len)) {
        return false;
    }
    vq = nswitch_function_rx_queue(net);
    if (nswitch_function_mergeable(net) ? !virtqueue_avail_bytes(vq, size, 0)
                                        : virtio_queue_empty(vq)) {
        /* virtio-net holds it, and asks the guest's kick for more room */
        return false;
    }
    /* As virtio-net does while it has buffers: no kick for each refill. */
    virtio_queue_set_notification(vq, 0);
    receiving = true;
    filled = fill_buffers(port, net, vq, &hdr, iov, iovcnt, size);
    receiving = false;
    if (!filled) {
        return false;
    }
    nswitch_count_delivery(port->core, port->number, size - hdr_len);
    if (!tx_bursts) {
        nswitch_direct_publish(port);
    }
    return true;
}

typedef enum TxOutcome {
    TX_EMPTY,       /* the queue is empty */
    TX_MORE,        /* a burst's worth taken, more may wait */
    TX_WAITS,       /* a frame waits at the port: TX rate, or the datapath */
    TX_BROKEN,      /* the guest broke the queue */
} TxOutcome;

static void tx_sent(NetClientState *sender, ssize_t len);

/*
 * Each frame goes through QEMU's net layer to the port, which forwards
 * it at once: netfilters and a link that is down see it there as from
 * virtio-net. A frame the port cannot take yet (over its TX rate, or a
 * frame in the card) waits in QEMU's queue at the port with the rest of
 * the queue behind it, as virtio-net's do; tx_sent goes on.
 */
static TxOutcome tx_burst(NSwitchNetPort *port, VirtIONet *net,
                          VirtQueue *vq)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(net);
    NetClientState *nc = qemu_get_queue(net->nic);
    TxOutcome outcome = TX_MORE;
    unsigned taken = 0;

    tx_bursts++;
    while (taken < TX_BURST) {
        VirtQueueElement *elem = virtqueue_pop_into(vq, port->tx_elem_buffer,
                                                    TX_ELEM_SIZE);

        if (!elem) {
            outcome = TX_EMPTY;
            break;
        }
        if (elem->out_num < 1) {
            virtio_error(vdev, "virtio-net header not in first element");
            virtqueue_detach_element(vq, elem, 0);
            free_tx(port, elem);
            outcome = TX_BROKEN;
            break;
        }
        if (!qemu_sendv_packet_async(nc, elem->out_sg, elem->out_num,
                                     tx_sent)) {
            port->tx_waiting = elem;
            outcome = TX_WAITS;
            break;
        }
        virtqueue_fill(vq, elem, 0, taken++);
        free_tx(port, elem);
    }
    if (taken) {
        virtqueue_flush(vq, taken);
        virtio_notify(vdev, vq);
    }
    trace_nswitch_direct_tx(port->number, taken, outcome);
    tx_bursts--;
    publish_all();
    return outcome;
}

/* Takes what the function's transmit queue holds, up to a burst. */
static void tx_run(NSwitchNetPort *port)
{
    VirtIONet *net = function_of(port);
    VirtIODevice *vdev;
    VirtQueue *vq;
    TxOutcome outcome;

    if (!net || port->tx_waiting) {
        /* a frame waits at the port: its tx_sent runs this again */
        return;
    }
    vdev = VIRTIO_DEVICE(net);
    vq = nswitch_function_tx_queue(net);
    if (!(vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) ||
        !virtio_queue_ready(vq) || !vdev->vm_running) {
        /* the VM's start runs it again (tx_vm_state_changed) */
        return;
    }
    if (!nswitch_function_link_up(net)) {
        /* As virtio-net: a guest without link sends into the void. */
        virtio_queue_set_notification(vq, 1);
        if (virtqueue_drop_all(vq)) {
            virtio_notify(vdev, vq);
        }
        return;
    }
    virtio_queue_set_notification(vq, 0);
    outcome = tx_burst(port, net, vq);
    if (outcome != TX_EMPTY && outcome != TX_MORE) {
        /* tx_sent goes on; or nothing can */
        return;
    }
    if (outcome == TX_EMPTY) {
        virtio_queue_set_notification(vq, 1);
        if (virtio_queue_empty(vq)) {
            return;
        }
        /* the guest added frames meanwhile, and will not kick for them */
        virtio_queue_set_notification(vq, 0);
    }
    /* more: from the main loop, as virtio-net does, not in this kick */
    qemu_bh_schedule(port->tx_bh);
}

/* The frame that waited at the port went, or was purged (@len 0). */
static void tx_sent(NetClientState *sender, ssize_t len)
{
    NSwitchNetPort *port = nswitch_net_port_of(sender->peer);
    VirtIONet *net = nswitch_function_net(sender);
    VirtQueue *vq;

    if (!port || !net || !port->tx_waiting) {
        return;
    }
    vq = nswitch_function_tx_queue(net);
    virtqueue_push(vq, port->tx_waiting, 0);
    virtio_notify(VIRTIO_DEVICE(net), vq);
    free_tx(port, port->tx_waiting);
    port->tx_waiting = NULL;
    /*
     * From the main loop: a purge (a queue reset) calls this before the
     * queue is reset, and the rest must find it reset.
     */
    qemu_bh_schedule(port->tx_bh);
}

static void tx_kick(VirtIODevice *vdev, VirtQueue *vq)
{
    NSwitchNetPort *port =
        nswitch_net_port_of(qemu_get_queue(VIRTIO_NET(vdev)->nic)->peer);

    if (port) {
        tx_run(port);
    }
}

static void tx_bh(void *opaque)
{
    tx_run(opaque);
}

/* What a stopped VM's guest queued meanwhile (or a migration brought). */
static void tx_vm_state_changed(void *opaque, bool running, RunState state)
{
    NSwitchNetPort *port = opaque;

    if (running) {
        qemu_bh_schedule(port->tx_bh);
    }
}

void nswitch_direct_serve_tx(NSwitchNetPort *port)
{
    VirtIONet *net = function_of(port);

    assert(net && !port->tx_bh);
    /*
     * On a big-endian host virtio 1's little-endian header would need
     * swapping, which virtio-net's own TX does: it keeps its queue.
     */
    if (!port->direct || HOST_BIG_ENDIAN) {
        return;
    }
    if (!rx_pool) {
        /* the card's for good: every port's deliveries share it */
        rx_pool = g_malloc(RX_POOL * RX_ELEM_SIZE);
    }
    port->tx_elem_buffer = g_malloc(TX_ELEM_SIZE);
    port->tx_bh = qemu_bh_new_guarded(tx_bh, port,
                                      &DEVICE(net)->mem_reentrancy_guard);
    port->vm_state = qemu_add_vm_change_state_handler(tx_vm_state_changed,
                                                      port);
    nswitch_function_serve_tx(net, tx_kick);
}

void nswitch_direct_release(NSwitchNetPort *port)
{
    if (port->tx_waiting) {
        VirtIONet *net = function_of(port);

        if (net) {
            virtqueue_detach_element(nswitch_function_tx_queue(net),
                                     port->tx_waiting, 0);
        }
        free_tx(port, port->tx_waiting);
        port->tx_waiting = NULL;
    }
    g_clear_pointer(&port->tx_elem_buffer, g_free);
    if (port->rx_unpublished) {
        QSLIST_REMOVE(&unpublished, port, NSwitchNetPort, unpublished_next);
        port->rx_unpublished = 0;
    }
    g_clear_pointer(&port->tx_bh, qemu_bh_delete);
    g_clear_pointer(&port->vm_state, qemu_del_vm_change_state_handler);
}
