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
#include "qemu/bswap.h"
#include "qemu/iov.h"
#include "qemu/log.h"
#include "qemu/timer.h"
#include "system/dma.h"
#include "hw/net/net_tx_pkt.h"
#include "hw/net/nswitch/switch.h"
#include "hw/virtio/virtio-net.h"
#include "standard-headers/linux/virtio_net.h"
#include "nswitch-capture.h"
#include "nswitch-datapath.h"
#include "trace.h"

/* A virtqueue holds at most 1024 descriptors: a frame's fragments. */
#define MAX_FRAGMENTS 1024
#define MAX_VNET_HDR_LEN sizeof(struct virtio_net_hdr_v1_hash)

void nswitch_datapath_init(NSwitchNic *card)
{
    net_tx_pkt_init(&card->tx_pkt, MAX_FRAGMENTS);
    card->payload_iov = g_new(struct iovec, MAX_FRAGMENTS);
    card->tagged_iov = g_new(struct iovec, MAX_FRAGMENTS + 2);
    card->stripped_iov = g_new(struct iovec, MAX_FRAGMENTS + 2);
    card->out_iov = g_new(struct iovec, MAX_FRAGMENTS + 3);
}

void nswitch_datapath_cleanup(NSwitchNic *card)
{
    if (card->tx_pkt) {
        net_tx_pkt_uninit(card->tx_pkt);
        card->tx_pkt = NULL;
    }
    g_clear_pointer(&card->payload_iov, g_free);
    g_clear_pointer(&card->tagged_iov, g_free);
    g_clear_pointer(&card->stripped_iov, g_free);
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
 * Sends @payload (from the Ethernet header on) behind @dst's header and
 * counts it; a frame held for a function is counted when it leaves the
 * card's buffer. The uplink's netdev keeps QEMU's queue, as a wire would.
 */
static void send_frame(NSwitchNic *card, NSwitchPort *dst,
                       const struct virtio_net_hdr *hdr,
                       const struct iovec *payload, int count,
                       uint8_t priority)
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
        switch (nswitch_port_send_to_function(dst, out, n + count, priority)) {
        case NSWITCH_PORT_TOOK_FRAME:
            break;
        case NSWITCH_PORT_HOLDS_FRAME:
            return;
        case NSWITCH_PORT_REFUSED_FRAME:
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
    uint8_t priority;
} SegmentTarget;

static void send_segment(void *opaque, const struct iovec *l2, int l2_count,
                         const struct iovec *with_vnet_hdr, int count)
{
    static const struct virtio_net_hdr no_offload;
    SegmentTarget *target = opaque;

    send_frame(target->card, target->dst, &no_offload, l2, l2_count,
               target->priority);
}

/* The fragments are the sender's buffers: nothing to release. */
static void keep_fragment(void *context, void *base, size_t len)
{
}

static void deliver_in_software(NSwitchNic *card, NSwitchPort *dst,
                                const struct virtio_net_hdr *hdr,
                                const struct iovec *payload, int count,
                                uint8_t priority)
{
    struct NetTxPkt *pkt = card->tx_pkt;
    SegmentTarget target = { .card = card, .dst = dst, .priority = priority };
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

/* A frame as it is inside the card, with its offload request. */
typedef struct CardFrame {
    struct virtio_net_hdr hdr;
    const struct iovec *iov;
    int count;
    uint8_t priority;
} CardFrame;

static void deliver(NSwitchNic *card, NSwitchPort *dst, const CardFrame *frame)
{
    if (needs_software_offload(&frame->hdr, dst)) {
        trace_nswitch_software_offload(dst->number, frame->hdr.gso_type,
                                       frame->hdr.flags);
        deliver_in_software(card, dst, &frame->hdr, frame->iov, frame->count,
                            frame->priority);
        return;
    }
    send_frame(card, dst, &frame->hdr, frame->iov, frame->count,
               frame->priority);
}

/*
 * An 802.1Q tag moves what follows the MACs by @shift bytes: the offsets
 * of a checksum or segmentation request move with it.
 */
static void shift_offload_offsets(struct virtio_net_hdr *hdr, int shift)
{
    if (hdr->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
        hdr->csum_start = cpu_to_le16(le16_to_cpu(hdr->csum_start) + shift);
    }
    if (hdr->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
        hdr->hdr_len = cpu_to_le16(le16_to_cpu(hdr->hdr_len) + shift);
    }
}

/*
 * @frame with @tag after its MACs, in @out (room for its fragments and
 * two more): the frame of a port with a port VLAN, inside the card.
 */
static void insert_tag(CardFrame *frame, struct iovec *out,
                       uint8_t tag[NSWITCH_VLAN_TAG_LEN], uint16_t tci)
{
    size_t len = iov_size(frame->iov, frame->count);
    int n;

    stw_be_p(tag, NSWITCH_ETHERTYPE_VLAN);
    stw_be_p(tag + 2, tci);
    n = iov_copy(out, MAX_FRAGMENTS + 2, frame->iov, frame->count, 0,
                 2 * ETH_ALEN);
    out[n++] = (struct iovec) { .iov_base = tag, .iov_len = 4 };
    n += iov_copy(out + n, MAX_FRAGMENTS + 2 - n, frame->iov, frame->count,
                  2 * ETH_ALEN, len - 2 * ETH_ALEN);
    frame->iov = out;
    frame->count = n;
    shift_offload_offsets(&frame->hdr, NSWITCH_VLAN_TAG_LEN);
}

/* @frame without its 802.1Q tag, for a function with a port VLAN. */
static CardFrame strip_tag(const CardFrame *frame, struct iovec *out)
{
    size_t len = iov_size(frame->iov, frame->count);
    CardFrame stripped = *frame;
    int n;

    n = iov_copy(out, MAX_FRAGMENTS + 2, frame->iov, frame->count, 0,
                 2 * ETH_ALEN);
    n += iov_copy(out + n, MAX_FRAGMENTS + 2 - n, frame->iov, frame->count,
                  2 * ETH_ALEN + NSWITCH_VLAN_TAG_LEN,
                  len - 2 * ETH_ALEN - NSWITCH_VLAN_TAG_LEN);
    stripped.iov = out;
    stripped.count = n;
    shift_offload_offsets(&stripped.hdr, -NSWITCH_VLAN_TAG_LEN);
    return stripped;
}

/*
 * virtio-net has no hook for a guest's MAC change through the control
 * queue; the switch picks it up from the function's next frame, which is
 * also the first one that could carry the new source MAC. A refused MAC
 * is remembered so that it is logged once, not for every frame.
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
    if (!memcmp(info->mac, net->mac, ETH_ALEN) ||
        !memcmp(src->refused_mac, net->mac, ETH_ALEN)) {
        return;
    }
    status = nswitch_port_request_mac(card->core, src->number, net->mac);
    memcpy(src->refused_mac, status == NSWITCH_RELAY_OK ? info->mac : net->mac,
           ETH_ALEN);
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
    CardFrame frame = { 0 };
    CardFrame stripped = { 0 };     /* made once, for port-VLAN receivers */
    uint8_t eth[NSWITCH_ETH_VLAN_HEADER_LEN] = { 0 };
    uint8_t tag[NSWITCH_VLAN_TAG_LEN];
    size_t hdr_len = src->vnet_hdr_len;
    size_t size = iov_size(iov, iovcnt);
    size_t len = size > hdr_len ? size - hdr_len : 0;
    NSwitchDecision decision;

    if (hdr_len) {
        iov_to_buf(iov, iovcnt, 0, &frame.hdr, sizeof(frame.hdr));
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
    frame.iov = card->payload_iov;
    frame.count = iov_copy(card->payload_iov, MAX_FRAGMENTS, iov, iovcnt,
                           hdr_len, len);
    frame.priority = decision.priority;
    if (decision.insert_tag) {
        insert_tag(&frame, card->tagged_iov, tag, decision.tci);
    }
    if (card->capture &&
        nswitch_selection_takes(&card->capture->selection, src->number, eth,
                                &decision)) {
        nswitch_capture_write(card->capture, frame.iov, frame.count);
    }
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
        /* The core sends a port-VLAN function only frames of its VLAN. */
        if (!dst->is_uplink &&
            nswitch_port_info(card->core, dst->number)->policy.vlan) {
            if (!stripped.iov) {
                stripped = strip_tag(&frame, card->stripped_iov);
            }
            deliver(card, dst, &stripped);
            continue;
        }
        deliver(card, dst, &frame);
    }
    if (decision.mirror_port != NSWITCH_RELAY_NONE) {
        deliver(card, card->ports[decision.mirror_port], &frame);
    }
}
