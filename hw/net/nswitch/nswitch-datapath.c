/*
 * nswitch-nic: the datapath between the switch ports
 *
 * Each frame the ports take in goes through four steps:
 *  1. its virtio-net header and its first NSWITCH_FRAME_HEAD_LEN bytes are
 *     copied out of the sender's buffers: everything the card checks is
 *     read from that copy, and receivers get that copy, so a guest that
 *     rewrites its buffer meanwhile cannot change what was checked;
 *  2. its offload request must be one the card can carry out on it
 *     (nswitch_offload_check), else it is dropped as bad-offload;
 *  3. the core decides where it goes;
 *  4. each destination port gets the head copy (with the port VLAN's tag
 *     spliced in or out) followed by the rest of the sender's fragments:
 *     the payload is copied once, into the receiver's buffers, by the
 *     card on the direct path (nswitch-direct.c) or else by QEMU's net
 *     layer and the receiving virtio-net. A receiver
 *     that cannot take the offload request (a guest without that
 *     offload, an uplink without vnet-hdr) gets the frame segmented and
 *     checksummed in software by QEMU's net_tx_pkt, on a private copy of
 *     the head.
 * A receiver may answer inside its delivery (slirp answers ARP and ICMP
 * in the send call): while the datapath delivers, ports refuse frames,
 * QEMU's queue at the port keeps them, and the datapath flushes them
 * when the delivery is over. So one frame is in the datapath at a time,
 * and its scratch is its own.
 *
 * On a multi-port card the datapaths of its ports are linked: a copy for
 * the card port is handed, within the same delivery, to the peer's
 * switch, which decides on it from its own card port and delivers it to
 * its ports (step 3 and 4 there). While any datapath of the card
 * delivers, the ports of every one of them refuse frames, so a card has
 * one frame in it at a time; the sender flushes every datapath's waiting
 * frames when it is done.
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
#include "hw/net/nswitch/frame.h"
#include "standard-headers/linux/virtio_net.h"
#include "nswitch-capture.h"
#include "nswitch-datapath.h"
#include "nswitch-direct.h"
#include "nswitch-function.h"
#include "nswitch-net-port.h"
#include "trace.h"

/*
 * A virtqueue holds at most 1024 descriptors, and virtio-net adds one for
 * a header it rewrites: a frame's fragments, with room for the head.
 */
#define MAX_FRAGMENTS 1025
#define FRAME_IOVS (MAX_FRAGMENTS + 2)
#define MAX_VNET_HDR_LEN sizeof(struct virtio_net_hdr_v1_hash)

struct NSwitchDatapath {
    NSwitch *core;
    NSwitchNetPort **ports;     /* indexed by switch port number */
    uint32_t port_count;
    /* By port: the last MAC a function's guest chose that was refused. */
    uint8_t (*refused_mac)[ETH_ALEN];
    NSwitchNetPortConfig port_config;
    NSwitchNetPortBuffer buffer;
    NSwitchCapture *capture;
    void (*uplink_link_changed)(void *opaque);
    void *opaque;
    /* A multi-port card: the other ports' datapaths. */
    uint32_t card_port;
    uint32_t peer_count;
    NSwitchDatapath *peers[NSWITCH_MAX_PEERS];

    /* One frame at a time: frames that come meanwhile wait at ports. */
    bool busy;
    bool flushing;
    uint32_t deferred;          /* ports with waiting frames */

    /* Scratch of the frame being forwarded. */
    struct NetTxPkt *tx_pkt;
    struct iovec *payload_iov;  /* the sender's fragments after the head */
    struct iovec *frame_iov;    /* head + payload */
    struct iovec *stripped_iov; /* head without the port VLAN's tag */
    struct iovec *out_iov;      /* a receiver's header + a frame */
    /* the head, with room in front to splice a tag in */
    uint8_t head[NSWITCH_VLAN_TAG_LEN + NSWITCH_FRAME_HEAD_LEN];
    uint8_t stripped_head[NSWITCH_FRAME_HEAD_LEN];
    /* what software checksumming may write into */
    uint8_t software_head[NSWITCH_VLAN_TAG_LEN + NSWITCH_FRAME_HEAD_LEN];
};

/* A frame as it is inside the card, with its offload request. */
typedef struct CardFrame {
    NSwitchOffload offload;
    struct iovec *iov;          /* iov[0] is the head */
    int count;
    uint8_t priority;
} CardFrame;

static NSwitchDatapath *datapath_of(void *opaque)
{
    return opaque;
}

static void flush_deferred(NSwitchDatapath *dp);
static void forward(void *opaque, NSwitchNetPort *src, const struct iovec *iov,
                    int iovcnt);

/* Whether a frame is in the card: this port's datapath or another's. */
static bool datapath_busy(void *opaque)
{
    NSwitchDatapath *dp = datapath_of(opaque);

    if (dp->busy) {
        return true;
    }
    for (uint32_t i = 0; i < dp->peer_count; i++) {
        if (dp->peers[i]->busy) {
            return true;
        }
    }
    return false;
}

static void port_deferred(void *opaque, NSwitchNetPort *port)
{
    datapath_of(opaque)->deferred++;
}

static void uplink_link_changed(void *opaque)
{
    NSwitchDatapath *dp = opaque;

    dp->uplink_link_changed(dp->opaque);
}

static const NSwitchNetPortOps datapath_port_ops = {
    .forward = forward,
    .busy = datapath_busy,
    .deferred = port_deferred,
    .uplink_link_changed = uplink_link_changed,
};

NSwitchDatapath *nswitch_datapath_new(const NSwitchDatapathConfig *config)
{
    NSwitch *core = nswitch_new(config->port_count, config->uplink_port,
                                config->relay_entries, config->relay_groups);
    NSwitchDatapath *dp;

    if (!core || (config->card_port != NSWITCH_RELAY_NONE &&
                  !nswitch_set_card_port(core, config->card_port))) {
        nswitch_free(core);
        return NULL;
    }
    dp = g_new0(NSwitchDatapath, 1);
    dp->core = core;
    dp->port_count = config->port_count;
    dp->ports = g_new0(NSwitchNetPort *, config->port_count);
    dp->refused_mac = g_malloc0_n(config->port_count, ETH_ALEN);
    dp->buffer.size = config->buffer_size;
    dp->uplink_link_changed = config->uplink_link_changed;
    dp->opaque = config->opaque;
    dp->card_port = config->card_port;
    dp->port_config = (NSwitchNetPortConfig) {
        .ops = &datapath_port_ops, .opaque = dp, .core = core,
        .buffer = &dp->buffer, .rx_queue = config->rx_queue,
        .direct = config->direct_path,
    };
    net_tx_pkt_init(&dp->tx_pkt, MAX_FRAGMENTS + 1);
    dp->payload_iov = g_new(struct iovec, FRAME_IOVS);
    dp->frame_iov = g_new(struct iovec, FRAME_IOVS);
    dp->stripped_iov = g_new(struct iovec, FRAME_IOVS);
    dp->out_iov = g_new(struct iovec, FRAME_IOVS + 1);
    return dp;
}

void nswitch_datapath_free(NSwitchDatapath *dp)
{
    if (!dp) {
        return;
    }
    while (dp->peer_count) {
        nswitch_datapath_unlink(dp, dp->peers[0]);
    }
    for (uint32_t i = 0; i < dp->port_count; i++) {
        nswitch_net_port_delete(dp->ports[i]);
    }
    g_free(dp->ports);
    g_free(dp->refused_mac);
    nswitch_capture_stop(dp->capture);
    net_tx_pkt_uninit(dp->tx_pkt);
    g_free(dp->payload_iov);
    g_free(dp->frame_iov);
    g_free(dp->stripped_iov);
    g_free(dp->out_iov);
    nswitch_free(dp->core);
    g_free(dp);
}

NSwitch *nswitch_datapath_core(NSwitchDatapath *dp)
{
    return dp->core;
}

NetClientState *nswitch_datapath_add_function(NSwitchDatapath *dp,
                                              uint32_t number,
                                         const char *name)
{
    assert(number < dp->port_count && !dp->ports[number]);
    dp->ports[number] = nswitch_net_port_new_function(&dp->port_config,
                                                      number, name);
    return &dp->ports[number]->nc;
}

void nswitch_datapath_serve_tx(NSwitchDatapath *dp, uint32_t number)
{
    assert(number < dp->port_count && dp->ports[number]);
    nswitch_direct_serve_tx(dp->ports[number]);
}

void nswitch_datapath_add_uplink(NSwitchDatapath *dp, NetClientState *backend,
                                 const char *name)
{
    uint32_t number = nswitch_uplink_port(dp->core);

    assert(!dp->ports[number]);
    dp->ports[number] = nswitch_net_port_new_uplink(&dp->port_config, number,
                                                    backend, name);
}

NetClientState *nswitch_datapath_function_peer(NSwitchDatapath *dp,
                                               uint32_t number)
{
    assert(number < dp->port_count && dp->ports[number]);
    return &dp->ports[number]->nc;
}

bool nswitch_datapath_uplink_up(NSwitchDatapath *dp)
{
    NSwitchNetPort *uplink = dp->ports[nswitch_uplink_port(dp->core)];

    return uplink && uplink->nc.peer && !uplink->nc.peer->link_down;
}

uint32_t nswitch_datapath_held(NSwitchDatapath *dp, uint32_t number)
{
    NSwitchNetPort *port = number < dp->port_count ? dp->ports[number] : NULL;

    return port ? nswitch_net_port_held(port) : 0;
}

void nswitch_datapath_purge(NSwitchDatapath *dp, uint32_t number)
{
    assert(number < dp->port_count);
    if (dp->ports[number]) {
        nswitch_net_port_purge(dp->ports[number]);
    }
}

void nswitch_datapath_forget_refused_mac(NSwitchDatapath *dp,
                                         uint32_t number)
{
    assert(number < dp->port_count);
    memset(dp->refused_mac[number], 0, ETH_ALEN);
}

uint64_t nswitch_datapath_buffered(const NSwitchDatapath *dp)
{
    return dp->buffer.used;
}

NSwitchCapture *nswitch_datapath_capture(NSwitchDatapath *dp)
{
    return dp->capture;
}

NSwitchCapture *nswitch_datapath_swap_capture(NSwitchDatapath *dp,
                                              NSwitchCapture *capture)
{
    NSwitchCapture *old = dp->capture;

    dp->capture = capture;
    return old;
}

static bool link_one_way(NSwitchDatapath *dp, NSwitchDatapath *peer,
                         uint32_t peer_oui)
{
    if (!nswitch_link_peer(dp->core, peer->core, peer_oui)) {
        return false;
    }
    for (uint32_t i = 0; i < dp->peer_count; i++) {
        if (dp->peers[i] == peer) {
            return true;
        }
    }
    dp->peers[dp->peer_count++] = peer;
    return true;
}

static void unlink_one_way(NSwitchDatapath *dp, NSwitchDatapath *peer)
{
    nswitch_unlink_peer(dp->core, peer->core);
    for (uint32_t i = 0; i < dp->peer_count; i++) {
        if (dp->peers[i] == peer) {
            dp->peers[i] = dp->peers[--dp->peer_count];
            return;
        }
    }
}

void nswitch_datapath_link(NSwitchDatapath *dp, uint32_t dp_oui,
                           NSwitchDatapath *peer, uint32_t peer_oui)
{
    bool linked = link_one_way(dp, peer, peer_oui) &&
                  link_one_way(peer, dp, dp_oui);

    /* A card has at most NSWITCH_MAX_PEERS + 1 ports, each a card port. */
    assert(linked);
}

void nswitch_datapath_unlink(NSwitchDatapath *dp, NSwitchDatapath *peer)
{
    unlink_one_way(dp, peer);
    unlink_one_way(peer, dp);
}

static NSwitchDatapath *peer_of(NSwitchDatapath *dp, const NSwitch *core)
{
    for (uint32_t i = 0; i < dp->peer_count; i++) {
        if (dp->peers[i]->core == core) {
            return dp->peers[i];
        }
    }
    return NULL;
}

static bool needs_software_offload(const NSwitchOffload *req,
                                   const NSwitchNetPort *dst)
{
    const NSwitchOffloads *accepts = &dst->peer_accepts;
    bool needs_csum = req->flags & NSWITCH_OFFLOAD_NEEDS_CSUM;

    if (!dst->vnet_hdr_len) {
        return needs_csum || req->gso_type != NSWITCH_GSO_NONE;
    }
    if (needs_csum && !accepts->csum) {
        return true;
    }
    if ((req->gso_type & NSWITCH_GSO_ECN) && !accepts->ecn) {
        return true;
    }
    switch (req->gso_type & ~NSWITCH_GSO_ECN) {
    case NSWITCH_GSO_NONE:
        return false;
    case NSWITCH_GSO_TCPV4:
        return !accepts->tso4;
    case NSWITCH_GSO_TCPV6:
        return !accepts->tso6;
    default:
        /* nswitch_offload_check lets no other request in */
        return true;
    }
}

static void vnet_header(struct virtio_net_hdr *hdr, const NSwitchOffload *req)
{
    *hdr = (struct virtio_net_hdr) {
        .flags = req->flags,
        .gso_type = req->gso_type,
        .hdr_len = cpu_to_le16(req->hdr_len),
        .gso_size = cpu_to_le16(req->gso_size),
        .csum_start = cpu_to_le16(req->csum_start),
        .csum_offset = cpu_to_le16(req->csum_offset),
    };
}

static NSwitchOffload offload_request(const struct virtio_net_hdr *hdr)
{
    return (NSwitchOffload) {
        .flags = hdr->flags,
        .gso_type = hdr->gso_type,
        .hdr_len = le16_to_cpu(hdr->hdr_len),
        .gso_size = le16_to_cpu(hdr->gso_size),
        .csum_start = le16_to_cpu(hdr->csum_start),
        .csum_offset = le16_to_cpu(hdr->csum_offset),
    };
}

/* Sends @payload (from the Ethernet header on) behind @dst's header. */
static void send_frame(NSwitchDatapath *dp, NSwitchNetPort *dst,
                       const NSwitchOffload *req,
                       const struct iovec *payload, int count,
                       uint8_t priority)
{
    uint8_t header[MAX_VNET_HDR_LEN] = { 0 };
    struct iovec *out = dp->out_iov;
    int n = 0;

    if (dst->vnet_hdr_len) {
        vnet_header((struct virtio_net_hdr *)header, req);
        out[n++] = (struct iovec) {
            .iov_base = header, .iov_len = dst->vnet_hdr_len,
        };
    }
    memcpy(out + n, payload, count * sizeof(*payload));
    nswitch_net_port_deliver(dst, out, n + count, priority);
}

typedef struct SegmentTarget {
    NSwitchDatapath *dp;
    NSwitchNetPort *dst;
    uint8_t priority;
    uint32_t segments;
} SegmentTarget;

static void send_segment(void *opaque, const struct iovec *l2, int l2_count,
                         const struct iovec *with_vnet_hdr, int count)
{
    static const NSwitchOffload no_offload;
    SegmentTarget *target = opaque;

    /* Every segment past the first is a frame the card added. */
    if (target->segments++) {
        nswitch_count_segments(target->dp->core, 1);
    }
    send_frame(target->dp, target->dst, &no_offload, l2, l2_count,
               target->priority);
}

/* The fragments are the card's head copy and the sender's buffers. */
static void keep_fragment(void *context, void *base, size_t len)
{
}

/*
 * Segments or checksums @frame for @dst in software. net_tx_pkt writes
 * checksums into the frame: it gets a private copy of the head (where
 * nswitch_offload_check put every checksum field), so that neither the
 * other receivers nor the sender's buffer see them.
 */
static void deliver_in_software(NSwitchDatapath *dp, NSwitchNetPort *dst,
                                const CardFrame *frame)
{
    struct NetTxPkt *pkt = dp->tx_pkt;
    SegmentTarget target = {
        .dp = dp, .dst = dst, .priority = frame->priority,
    };
    bool sent = false;
    int i;

    memcpy(dp->software_head, frame->iov[0].iov_base, frame->iov[0].iov_len);
    net_tx_pkt_add_raw_fragment(pkt, dp->software_head,
                                frame->iov[0].iov_len);
    for (i = 1; i < frame->count; i++) {
        if (!net_tx_pkt_add_raw_fragment(pkt, frame->iov[i].iov_base,
                                         frame->iov[i].iov_len)) {
            break;
        }
    }
    if (i == frame->count && net_tx_pkt_parse(pkt)) {
        vnet_header(net_tx_pkt_get_vhdr(pkt), &frame->offload);
        sent = net_tx_pkt_send_custom(pkt, false, send_segment, &target);
    }
    net_tx_pkt_reset(pkt, keep_fragment, NULL);
    if (!sent || !target.segments) {
        nswitch_count_drop(dp->core, dst->number, NSWITCH_DROP_BAD_OFFLOAD);
        qemu_log_mask(LOG_GUEST_ERROR, "nswitch-nic: dropped a frame to port "
                      "%u: cannot segment/checksum it (gso_type %u, "
                      "flags 0x%x)\n", dst->number, frame->offload.gso_type,
                      frame->offload.flags);
    }
}

static void relay_to_peer(NSwitchDatapath *dp, NSwitch *peer_core,
                          const CardFrame *frame);

static void deliver(NSwitchDatapath *dp, uint32_t number,
                    const CardFrame *frame, NSwitch *peer)
{
    NSwitchNetPort *dst = dp->ports[number];

    if (number == dp->card_port) {
        relay_to_peer(dp, peer, frame);
        return;
    }
    if (!dst) {
        /* the uplink of a card without netdev: an unplugged cable */
        nswitch_count_drop(dp->core, number, NSWITCH_DROP_PORT_DOWN);
        return;
    }
    if (needs_software_offload(&frame->offload, dst)) {
        trace_nswitch_software_offload(dst->number, frame->offload.gso_type,
                                       frame->offload.flags);
        deliver_in_software(dp, dst, frame);
        return;
    }
    send_frame(dp, dst, &frame->offload, frame->iov, frame->count,
               frame->priority);
}

/*
 * An 802.1Q tag moves what follows the MACs by @shift bytes: the offsets
 * of a checksum or segmentation request move with it.
 */
static void shift_offload_offsets(NSwitchOffload *req, int shift)
{
    if (req->flags & NSWITCH_OFFLOAD_NEEDS_CSUM) {
        req->csum_start += shift;
    }
    if (req->gso_type != NSWITCH_GSO_NONE) {
        req->hdr_len += shift;
    }
}

/* The port VLAN's tag after the MACs of the head, in front of it. */
static void insert_tag(NSwitchDatapath *dp, CardFrame *frame, uint16_t tci)
{
    uint8_t *head = dp->head;

    memmove(head, head + NSWITCH_VLAN_TAG_LEN, 2 * ETH_ALEN);
    stw_be_p(head + 2 * ETH_ALEN, NSWITCH_ETHERTYPE_VLAN);
    stw_be_p(head + 2 * ETH_ALEN + 2, tci);
    frame->iov[0].iov_base = head;
    frame->iov[0].iov_len += NSWITCH_VLAN_TAG_LEN;
    shift_offload_offsets(&frame->offload, NSWITCH_VLAN_TAG_LEN);
}

/*
 * @frame without its outer 802.1Q tag, for a function with a port VLAN
 * (the core sends it only frames whose outer tag is its VLAN).
 */
static CardFrame strip_tag(NSwitchDatapath *dp, const CardFrame *frame)
{
    const uint8_t *head = frame->iov[0].iov_base;
    size_t head_len = frame->iov[0].iov_len - NSWITCH_VLAN_TAG_LEN;
    CardFrame stripped = *frame;

    memcpy(dp->stripped_head, head, 2 * ETH_ALEN);
    memcpy(dp->stripped_head + 2 * ETH_ALEN,
           head + 2 * ETH_ALEN + NSWITCH_VLAN_TAG_LEN,
           head_len - 2 * ETH_ALEN);
    memcpy(dp->stripped_iov, frame->iov, frame->count * sizeof(*frame->iov));
    dp->stripped_iov[0] = (struct iovec) {
        .iov_base = dp->stripped_head, .iov_len = head_len,
    };
    stripped.iov = dp->stripped_iov;
    shift_offload_offsets(&stripped.offload, -NSWITCH_VLAN_TAG_LEN);
    return stripped;
}

/*
 * virtio-net has no hook for a guest's MAC change through the control
 * queue; the switch picks it up from the function's next frame, which is
 * also the first one that could carry the new source MAC. A refused MAC
 * is remembered so that it is logged once, not for every frame.
 */
static void refresh_function_mac(NSwitchDatapath *dp, NSwitchNetPort *src)
{
    const NSwitchPortInfo *info = nswitch_port_info(dp->core, src->number);
    VirtIONet *net = nswitch_function_net(src->nc.peer);
    const uint8_t *mac;
    NSwitchRelayStatus status;

    if (!net || !info->attached) {
        return;
    }
    mac = nswitch_function_mac(net);
    if (!memcmp(info->mac, mac, ETH_ALEN) ||
        !memcmp(dp->refused_mac[src->number], mac, ETH_ALEN)) {
        return;
    }
    status = nswitch_port_request_mac(dp->core, src->number, mac);
    memcpy(dp->refused_mac[src->number],
           status == NSWITCH_RELAY_OK ? info->mac : mac, ETH_ALEN);
    trace_nswitch_function_mac(src->number, mac[0], mac[1], mac[2], mac[3],
                               mac[4], mac[5], status);
    if (status != NSWITCH_RELAY_OK) {
        qemu_log_mask(LOG_GUEST_ERROR, "nswitch-nic: port %u keeps its MAC: "
                      "%s\n", src->number,
                      nswitch_relay_status_message(status));
    }
}

static void log_drop(const NSwitchNetPort *src, NSwitchDropReason reason)
{
    trace_nswitch_drop(src->number, nswitch_drop_reason_name(reason));
    if (!src->is_uplink &&
        (reason == NSWITCH_DROP_RUNT || reason == NSWITCH_DROP_BAD_SOURCE ||
         reason == NSWITCH_DROP_BAD_OFFLOAD)) {
        qemu_log_mask(LOG_GUEST_ERROR, "nswitch-nic: port %u sent a frame "
                      "dropped as %s\n", src->number,
                      nswitch_drop_reason_name(reason));
    }
}

/* Reads the frame's request and head; false if it must be dropped. */
static bool take_frame(NSwitchDatapath *dp, NSwitchNetPort *src,
                       const struct iovec *iov, int iovcnt, CardFrame *frame,
                       size_t *len)
{
    struct virtio_net_hdr hdr = { 0 };
    size_t hdr_len = src->vnet_hdr_len;
    size_t size = iov_size(iov, iovcnt);
    size_t head_len;

    *len = size > hdr_len ? size - hdr_len : 0;
    if (hdr_len) {
        iov_to_buf(iov, iovcnt, 0, &hdr, sizeof(hdr));
    }
    frame->offload = offload_request(&hdr);
    head_len = iov_to_buf(iov, iovcnt, hdr_len,
                          dp->head + NSWITCH_VLAN_TAG_LEN,
                          NSWITCH_FRAME_HEAD_LEN);
    frame->iov = dp->frame_iov;
    frame->iov[0] = (struct iovec) {
        .iov_base = dp->head + NSWITCH_VLAN_TAG_LEN, .iov_len = head_len,
    };
    frame->count = 1;
    if (iovcnt > MAX_FRAGMENTS ||
        (*len >= NSWITCH_ETH_HEADER_LEN &&
         !nswitch_offload_check(&frame->offload, frame->iov[0].iov_base,
                                head_len, *len))) {
        nswitch_refuse(dp->core, src->number, *len,
                       NSWITCH_DROP_BAD_OFFLOAD);
        log_drop(src, NSWITCH_DROP_BAD_OFFLOAD);
        return false;
    }
    frame->count += iov_copy(frame->iov + 1, FRAME_IOVS - 1, iov, iovcnt,
                             hdr_len + head_len, *len - head_len);
    return true;
}

/* Step 4: the copies for each port the decision on @frame names. */
static void deliver_decided(NSwitchDatapath *dp, uint32_t src_number,
                            CardFrame *frame, const NSwitchDecision *decision)
{
    CardFrame stripped = { 0 };  /* made once, for port VLANs */

    frame->priority = decision->priority;
    if (decision->insert_tag) {
        insert_tag(dp, frame, decision->tci);
    }
    if (dp->capture &&
        nswitch_capture_takes(dp->capture, src_number, decision,
                              frame->iov[0].iov_base)) {
        nswitch_capture_write(dp->capture, frame->iov, frame->count);
    }
    /*
     * The decision's port list is the core's: nothing decides meanwhile
     * but the switch of another port, which has its own.
     */
    for (uint32_t i = 0; i < decision->count; i++) {
        uint32_t number = decision->ports[i];

        if (number != nswitch_uplink_port(dp->core) &&
            nswitch_port_info(dp->core, number)->policy.vlan) {
            if (!stripped.iov) {
                stripped = strip_tag(dp, frame);
            }
            deliver(dp, number, &stripped, NULL);
            continue;
        }
        deliver(dp, number, frame, decision->peer);
    }
    if (decision->mirror_port != NSWITCH_RELAY_NONE) {
        deliver(dp, decision->mirror_port, frame, NULL);
    }
}

/*
 * A copy for the card port: the peer's switch takes it on its own card
 * port, as it is inside the card (the sender's port VLAN tag in it), and
 * delivers it with its own scratch. Its head stays the sender's.
 */
static void relay_to_peer(NSwitchDatapath *dp, NSwitch *peer_core,
                          const CardFrame *frame)
{
    NSwitchDatapath *peer = peer_core ? peer_of(dp, peer_core) : NULL;
    size_t len = iov_size(frame->iov, frame->count);
    CardFrame relayed = *frame;
    NSwitchDecision decision;

    if (!peer || peer->busy) {
        /* the core only names linked peers, and one frame is in a card */
        nswitch_count_drop(dp->core, dp->card_port, NSWITCH_DROP_PORT_DOWN);
        return;
    }
    nswitch_count_delivery(dp->core, dp->card_port, len);
    peer->busy = true;
    decision = nswitch_decide(peer->core, peer->card_port,
                              frame->iov[0].iov_base, len,
                              qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
    trace_nswitch_forward(peer->card_port, len,
                          nswitch_path_name(decision.path), decision.count);
    /* A card port has no port VLAN: the peer never inserts a tag. */
    assert(!decision.insert_tag);
    if (decision.path != NSWITCH_PATH_DROP) {
        deliver_decided(peer, peer->card_port, &relayed, &decision);
    }
    peer->busy = false;
}

static void forward_frame(NSwitchDatapath *dp, NSwitchNetPort *src,
                          const struct iovec *iov, int iovcnt)
{
    CardFrame frame;
    NSwitchDecision decision;
    size_t len;

    if (!src->is_uplink) {
        refresh_function_mac(dp, src);
    }
    if (!take_frame(dp, src, iov, iovcnt, &frame, &len)) {
        return;
    }
    decision = nswitch_decide(dp->core, src->number, frame.iov[0].iov_base,
                              len, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
    trace_nswitch_forward(src->number, len, nswitch_path_name(decision.path),
                          decision.count);
    if (decision.path == NSWITCH_PATH_DROP) {
        log_drop(src, decision.drop_reason);
        return;
    }
    deliver_decided(dp, src->number, &frame, &decision);
}

static void forward(void *opaque, NSwitchNetPort *src, const struct iovec *iov,
                    int iovcnt)
{
    NSwitchDatapath *dp = opaque;

    assert(!datapath_busy(dp));
    dp->busy = true;
    forward_frame(dp, src, iov, iovcnt);
    dp->busy = false;
    flush_deferred(dp);
    for (uint32_t i = 0; i < dp->peer_count; i++) {
        flush_deferred(dp->peers[i]);
    }
}

/*
 * Frames that came while the datapath delivered wait in QEMU's queues at
 * their ports: they go now, in turn, and what they bring about in turn.
 */
static void flush_deferred(NSwitchDatapath *dp)
{
    if (dp->flushing) {
        return;
    }
    dp->flushing = true;
    while (dp->deferred) {
        for (uint32_t i = 0; i < dp->port_count && dp->deferred; i++) {
            NSwitchNetPort *port = dp->ports[i];

            if (port && port->deferred) {
                port->deferred = false;
                dp->deferred--;
                qemu_flush_queued_packets(&port->nc);
            }
        }
    }
    dp->flushing = false;
}
