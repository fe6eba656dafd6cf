/*
 * nswitch-nic: the datapath between the switch ports
 *
 * Asks the core where a frame goes, then hands it to each destination
 * port with that port's virtio-net header. A frame carries its GSO and
 * checksum-offload request across the switch; only a receiver that cannot
 * take the request (a guest without that offload, an uplink without
 * vnet-hdr) gets it segmented and checksummed in software, by QEMU's
 * net_tx_pkt. The frame's bytes are not copied here: each receiver's
 * virtio-net copies them once into its guest.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/iov.h"
#include "qemu/log.h"
#include "qemu/timer.h"
#include "system/dma.h"
#include "hw/net/net_tx_pkt.h"
#include "hw/net/nswitch/switch.h"
#include "hw/virtio/virtio-net.h"
#include "standard-headers/linux/virtio_net.h"
#include "nswitch-datapath.h"
#include "trace.h"

/* A virtqueue holds at most 1024 descriptors: a frame's fragments. */
#define MAX_FRAGMENTS 1024
#define MAX_VNET_HDR_LEN sizeof(struct virtio_net_hdr_v1_hash)

void nswitch_datapath_init(NSwitchNic *card)
{
    net_tx_pkt_init(&card->tx_pkt, MAX_FRAGMENTS);
    card->payload_iov = g_new(struct iovec, MAX_FRAGMENTS);
    card->out_iov = g_new(struct iovec, MAX_FRAGMENTS + 1);
}

void nswitch_datapath_cleanup(NSwitchNic *card)
{
    if (card->tx_pkt) {
        net_tx_pkt_uninit(card->tx_pkt);
        card->tx_pkt = NULL;
    }
    g_clear_pointer(&card->payload_iov, g_free);
    g_clear_pointer(&card->out_iov, g_free);
}

static bool needs_software_offload(const struct virtio_net_hdr *hdr,
                                   const NSwitchPort *dst)
{
    const NSwitchPortOffloads *accepts = &dst->peer_accepts;
    bool needs_csum = hdr->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM;

    if (!dst->vnet_hdr_len) {
        return needs_csum || hdr->gso_type != VIRTIO_NET_HDR_GSO_NONE;
    }
    if (needs_csum && !accepts->csum) {
        return true;
    }
    if ((hdr->gso_type & VIRTIO_NET_HDR_GSO_ECN) && !accepts->ecn) {
        return true;
    }
    switch (hdr->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
    case VIRTIO_NET_HDR_GSO_NONE:
        return false;
    case VIRTIO_NET_HDR_GSO_TCPV4:
        return !accepts->tso4;
    case VIRTIO_NET_HDR_GSO_TCPV6:
        return !accepts->tso6;
    default:
        /* UFO and USO: the ports never offer them to a guest. */
        return true;
    }
}

/*
 * A frame held for a function has reached its guest (@ret > 0), was
 * purged (0), or found the function's driver gone (< 0).
 */
static void held_frame_done(NetClientState *nc, ssize_t ret)
{
    NSwitchPort *dst = container_of(nc, NSwitchPort, nc);

    assert(dst->queued > 0);
    dst->queued--;
    if (ret > 0) {
        nswitch_count_delivery(dst->card->core, dst->number,
                               ret > dst->vnet_hdr_len ?
                               ret - dst->vnet_hdr_len : 0);
        return;
    }
    nswitch_count_drop(dst->card->core, dst->number,
                       ret ? NSWITCH_DROP_PORT_DOWN : dst->purge_reason);
}

typedef enum FunctionSend {
    FUNCTION_TOOK_FRAME,
    FUNCTION_HOLDS_FRAME,       /* in the card's buffer, counted later */
    FUNCTION_REFUSED_FRAME,
} FunctionSend;

/*
 * A function's frame goes into its receive ring, or waits in the card's
 * buffer for it (QEMU's queue at the function's virtio-net, which the
 * guest's next RX kick flushes) as an on-chip buffer of a NIC does. Beyond
 * rx-queue frames, or without a driver, it is dropped as receiver-full;
 * QEMU's own queue would hold 10000 and drop the rest unseen.
 */
static FunctionSend send_to_function(NSwitchNic *card, NSwitchPort *dst,
                                     const struct iovec *out, int count)
{
    NetClientState *peer = dst->nc.peer;
    bool blocked;
    ssize_t ret;

    if (!peer || (peer->info->can_receive && !peer->info->can_receive(peer))) {
        return FUNCTION_REFUSED_FRAME;
    }
    blocked = dst->queued || !qemu_can_send_packet(&dst->nc);
    if (blocked && dst->queued >= card->rx_queue) {
        return FUNCTION_REFUSED_FRAME;
    }
    ret = qemu_sendv_packet_async(&dst->nc, out, count, held_frame_done);
    if (ret) {
        return ret > 0 ? FUNCTION_TOOK_FRAME : FUNCTION_REFUSED_FRAME;
    }
    dst->queued++;
    if (dst->queued > card->rx_queue) {
        /* No buffer: the frame that found the ring full is dropped. */
        dst->purge_reason = NSWITCH_DROP_RECEIVER_FULL;
        qemu_purge_queued_packets(&dst->nc);
        dst->purge_reason = NSWITCH_DROP_PORT_DOWN;
    }
    return FUNCTION_HOLDS_FRAME;
}

/*
 * Sends @payload (from the Ethernet header on) behind @dst's header and
 * counts it; a frame held for a function is counted when it leaves the
 * card's buffer. The uplink's netdev keeps QEMU's queue, as a wire would.
 */
static void send_frame(NSwitchNic *card, NSwitchPort *dst,
                       const struct virtio_net_hdr *hdr,
                       const struct iovec *payload, int count)
{
    uint8_t header[MAX_VNET_HDR_LEN] = { 0 };
    struct iovec *out = card->out_iov;
    int n = 0;

    if (dst->vnet_hdr_len) {
        memcpy(header, hdr, sizeof(*hdr));
        out[n++] = (struct iovec) {
            .iov_base = header, .iov_len = dst->vnet_hdr_len,
        };
    }
    memcpy(out + n, payload, count * sizeof(*payload));
    if (dst->is_uplink) {
        qemu_sendv_packet(&dst->nc, out, n + count);
    } else {
        switch (send_to_function(card, dst, out, n + count)) {
        case FUNCTION_TOOK_FRAME:
            break;
        case FUNCTION_HOLDS_FRAME:
            return;
        case FUNCTION_REFUSED_FRAME:
            nswitch_count_drop(card->core, dst->number,
                               NSWITCH_DROP_RECEIVER_FULL);
            return;
        }
    }
    nswitch_count_delivery(card->core, dst->number, iov_size(out + n, count));
}

typedef struct SegmentTarget {
    NSwitchNic *card;
    NSwitchPort *dst;
} SegmentTarget;

static void send_segment(void *opaque, const struct iovec *l2, int l2_count,
                         const struct iovec *with_vnet_hdr, int count)
{
    static const struct virtio_net_hdr no_offload;
    SegmentTarget *target = opaque;

    send_frame(target->card, target->dst, &no_offload, l2, l2_count);
}

/* The fragments are the sender's buffers: nothing to release. */
static void keep_fragment(void *context, void *base, size_t len)
{
}

static void deliver_in_software(NSwitchNic *card, NSwitchPort *dst,
                                const struct virtio_net_hdr *hdr,
                                const struct iovec *payload, int count)
{
    struct NetTxPkt *pkt = card->tx_pkt;
    SegmentTarget target = { .card = card, .dst = dst };
    /* net_tx_pkt would quietly send nothing for GSO without gso_size. */
    bool bogus_gso = hdr->gso_type != VIRTIO_NET_HDR_GSO_NONE &&
                     !hdr->gso_size;
    bool sent = false;
    int i;

    for (i = 0; i < count; i++) {
        if (!net_tx_pkt_add_raw_fragment(pkt, payload[i].iov_base,
                                         payload[i].iov_len)) {
            break;
        }
    }
    if (!bogus_gso && i == count && net_tx_pkt_parse(pkt)) {
        *net_tx_pkt_get_vhdr(pkt) = *hdr;
        sent = net_tx_pkt_send_custom(pkt, false, send_segment, &target);
    }
    net_tx_pkt_reset(pkt, keep_fragment, NULL);
    if (!sent) {
        nswitch_count_drop(card->core, dst->number, NSWITCH_DROP_BAD_OFFLOAD);
        qemu_log_mask(LOG_GUEST_ERROR, "nswitch-nic: dropped a frame to port "
                      "%u: cannot segment/checksum it (gso_type %u, "
                      "flags 0x%x)\n", dst->number, hdr->gso_type, hdr->flags);
    }
}

static void deliver(NSwitchNic *card, NSwitchPort *dst,
                    const struct virtio_net_hdr *hdr,
                    const struct iovec *payload, int count)
{
    if (needs_software_offload(hdr, dst)) {
        trace_nswitch_software_offload(dst->number, hdr->gso_type,
                                       hdr->flags);
        deliver_in_software(card, dst, hdr, payload, count);
        return;
    }
    send_frame(card, dst, hdr, payload, count);
}

/*
 * virtio-net has no hook for a guest's MAC change through the control
 * queue; the switch picks it up from the function's next frame, which is
 * also the first one that could carry the new source MAC.
 */
static void refresh_function_mac(NSwitchNic *card, NSwitchPort *src)
{
    const NSwitchPortInfo *info = nswitch_port_info(card->core, src->number);
    NSwitchRelayStatus status;
    VirtIONet *net;

    if (!src->nc.peer || !info->attached) {
        return;
    }
    net = qemu_get_nic_opaque(src->nc.peer);
    if (!memcmp(info->mac, net->mac, ETH_ALEN)) {
        return;
    }
    status = nswitch_port_set_mac(card->core, src->number, net->mac);
    trace_nswitch_function_mac(src->number, net->mac[0], net->mac[1],
                               net->mac[2], net->mac[3], net->mac[4],
                               net->mac[5], status);
    if (status != NSWITCH_RELAY_OK) {
        qemu_log_mask(LOG_GUEST_ERROR, "nswitch-nic: port %u keeps its MAC: "
                      "%s\n", src->number,
                      nswitch_relay_status_message(status));
    }
}

void nswitch_datapath_forward(NSwitchNic *card, NSwitchPort *src,
                              const struct iovec *iov, int iovcnt)
{
    struct virtio_net_hdr hdr = { 0 };
    uint8_t eth[NSWITCH_ETH_HEADER_LEN] = { 0 };
    size_t hdr_len = src->vnet_hdr_len;
    size_t size = iov_size(iov, iovcnt);
    size_t len = size > hdr_len ? size - hdr_len : 0;
    NSwitchDecision decision;
    unsigned payload_count;

    if (hdr_len) {
        iov_to_buf(iov, iovcnt, 0, &hdr, sizeof(hdr));
    }
    iov_to_buf(iov, iovcnt, hdr_len, eth, sizeof(eth));
    if (!src->is_uplink) {
        refresh_function_mac(card, src);
    }
    decision = nswitch_decide(card->core, src->number, eth, len,
                              qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
    trace_nswitch_forward(src->number, len, nswitch_path_name(decision.path),
                          decision.count);
    if (decision.path == NSWITCH_PATH_DROP) {
        trace_nswitch_drop(src->number,
                           nswitch_drop_reason_name(decision.drop_reason));
        if (!src->is_uplink && (decision.drop_reason == NSWITCH_DROP_RUNT ||
                                decision.drop_reason ==
                                NSWITCH_DROP_BAD_SOURCE)) {
            qemu_log_mask(LOG_GUEST_ERROR, "nswitch-nic: port %u sent a "
                          "frame dropped as %s\n", src->number,
                          nswitch_drop_reason_name(decision.drop_reason));
        }
        return;
    }
    payload_count = iov_copy(card->payload_iov, MAX_FRAGMENTS, iov, iovcnt,
                             hdr_len, len);
    /*
     * Receivers are virtio-net devices and netdev backends: none hands a
     * frame back to this card before delivery returns, so the decision's
     * port list (the core's scratch) stays valid through the loop.
     */
    for (uint32_t i = 0; i < decision.count; i++) {
        NSwitchPort *dst = card->ports[decision.ports[i]];

        if (!dst) {
            /* the uplink of a card without netdev */
            nswitch_count_drop(card->core, decision.ports[i],
                               NSWITCH_DROP_PORT_DOWN);
            continue;
        }
        deliver(card, dst, &hdr, card->payload_iov, payload_count);
    }
}
