/*
 * nswitch core: what the files of the switch share, not part of its API
 *
 * The switch is one object split by responsibility:
 *   switch.c           creation, mode, uplink rate, receive-filter ops
 *   switch-ports.c     which MAC each port has, static entries
 *   switch-policy.c    what an administrator sets per port
 *   switch-mirror.c    the mirror and the selections it and the capture use
 *   switch-decide.c    the forwarding decision, rule by rule
 *   switch-flood.c     frames for several ports (floods, unknown unicast)
 *   switch-counters.c  what became of each frame, and the names in reports
 *   switch-peers.c     the card port and the other ports' switches
 * struct NSwitch is here because all of them read it. The small helpers
 * that build a decision, which switch-decide.c and switch-flood.c share,
 * are inline here so that a unicast decision makes no more calls than
 * when the switch was one file.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef NSWITCH_SWITCH_INTERNAL_H
#define NSWITCH_SWITCH_INTERNAL_H

#include "hw/net/nswitch/switch.h"

/* Rate limits burst 10 ms at their speed, and at least one GSO frame. */
#define BURST_SECONDS_DIVISOR 100
#define MIN_BURST (65536 + 256)

/* Another port's switch on the same card, and its relay group. */
typedef struct NSwitchPeer {
    NSwitch *sw;
    uint32_t oui;
} NSwitchPeer;

struct NSwitch {
    NSwitchPortInfo *ports;
    NSwitchTokenBucket *tx_rate;  /* per port */
    uint32_t max_ports;
    uint32_t uplink;
    NSwitchRelayTable *relay;
    NSwitchAcl *acl;
    NSwitchMirror mirror;
    NSwitchPathCounters paths;
    NSwitchMode mode;
    NSwitchTokenBucket uplink_rate;
    const NSwitchRxModeOps *rx_mode;
    void *rx_mode_opaque;
    uint32_t card_port;          /* NSWITCH_RELAY_NONE: a card of one port */
    bool inter_port_relay;
    uint32_t peer_count;
    NSwitchPeer peers[NSWITCH_MAX_PEERS];

    /*
     * Scratch for decisions: the destination list and, for flooding, a
     * per-port mark so that a port with several MACs gets one copy.
     */
    uint32_t *destinations;
    uint32_t *flood_mark;
    uint32_t flood_generation;
};

static inline bool mac_is_group(const uint8_t *mac)
{
    return mac[0] & 1;
}

/* A port that policy, static entries and a mirror monitor may name. */
static inline bool is_function_port(const NSwitch *sw, uint32_t port)
{
    return port < sw->max_ports && port != sw->uplink &&
           port != sw->card_port;
}

static inline void rate_limit_init(NSwitchTokenBucket *bucket,
                                   uint64_t rate_bps, uint64_t now_ns)
{
    uint64_t burst = rate_bps / 8 / BURST_SECONDS_DIVISOR;

    nswitch_token_bucket_init(bucket, rate_bps,
                              burst > MIN_BURST ? burst : MIN_BURST, now_ns);
}

/* A frame on its way through the switch. */
typedef struct FrameContext {
    uint32_t src_port;
    const uint8_t *dst;
    const uint8_t *src;
    size_t len;
    uint64_t now_ns;
    NSwitchL2Header l2;          /* as inside the card */
    bool insert_tag;             /* the source port's VLAN was added */
    bool unknown_unicast;        /* nobody owns its destination */
    uint32_t copies_dropped;     /* copies the decision itself dropped */
} FrameContext;

/*
 * The helpers that build a decision fill it through a pointer: it is 48
 * bytes, and each copy of it between helpers cost a dozen instructions
 * on every frame. The value forms are switch-flood.c's.
 */
static inline void decision_init(NSwitch *sw, NSwitchDecision *decision,
                                 NSwitchPath path)
{
    *decision = (NSwitchDecision) {
        .path = path,
        .ports = sw->destinations,
        .mirror_port = NSWITCH_RELAY_NONE,
    };
}

static inline NSwitchDecision decision_of(NSwitch *sw, NSwitchPath path)
{
    NSwitchDecision decision;

    decision_init(sw, &decision, path);
    return decision;
}

static inline void decide_drop(NSwitch *sw, NSwitchDecision *decision,
                               uint32_t port, NSwitchDropReason reason)
{
    decision_init(sw, decision, NSWITCH_PATH_DROP);
    decision->drop_reason = reason;
    nswitch_count_drop(sw, port, reason);
}

/* Why @port cannot take the frame, or NSWITCH_DROP__MAX when it can. */
static inline NSwitchDropReason refusal(const NSwitch *sw, uint32_t port,
                                        const FrameContext *ctx)
{
    const NSwitchPortInfo *info = &sw->ports[port];

    if (port == sw->uplink) {
        return NSWITCH_DROP__MAX;
    }
    if (!info->attached) {
        return NSWITCH_DROP_PORT_DOWN;
    }
    if (!info->policy.link_up) {
        return NSWITCH_DROP_LINK_DOWN;
    }
    /* A port VLAN is an 802.1Q VLAN: the frame's outer tag must be it. */
    if (info->policy.vlan &&
        (ctx->l2.outer_tpid != NSWITCH_ETHERTYPE_VLAN ||
         info->policy.vlan != ctx->l2.vlan)) {
        return NSWITCH_DROP_VLAN;
    }
    return NSWITCH_DROP__MAX;
}

static inline void decide_one(NSwitch *sw, NSwitchDecision *decision,
                              NSwitchPath path, uint32_t port)
{
    decision_init(sw, decision, path);
    decision->count = 1;
    sw->destinations[0] = port;
}

/* Unicast to the function that owns the destination. */
static inline void decide_function(NSwitch *sw, NSwitchDecision *decision,
                                   NSwitchPath path, uint32_t port,
                                   const FrameContext *ctx)
{
    NSwitchDropReason reason = refusal(sw, port, ctx);

    if (reason != NSWITCH_DROP__MAX) {
        decide_drop(sw, decision, port, reason);
        return;
    }
    decide_one(sw, decision, path, port);
}

static inline void decide_uplink(NSwitch *sw, NSwitchDecision *decision,
                                 const FrameContext *ctx)
{
    if (!nswitch_token_bucket_take(&sw->uplink_rate, ctx->len,
                                   ctx->now_ns)) {
        decide_drop(sw, decision, sw->uplink, NSWITCH_DROP_UPLINK_RATE);
        return;
    }
    decide_one(sw, decision, NSWITCH_PATH_TO_UPLINK, sw->uplink);
}

static inline NSwitchDecision to_uplink(NSwitch *sw, const FrameContext *ctx)
{
    NSwitchDecision decision;

    decide_uplink(sw, &decision, ctx);
    return decision;
}

/* switch-flood.c */
NSwitchDecision nswitch_flood_from_function(NSwitch *sw, FrameContext *ctx);
NSwitchDecision nswitch_flood_from_uplink(NSwitch *sw,
                                          const FrameContext *ctx);
NSwitchDecision nswitch_unknown_from_function(NSwitch *sw, FrameContext *ctx);
NSwitchDecision nswitch_unknown_from_uplink(NSwitch *sw,
                                            const FrameContext *ctx);

/* switch-peers.c */
/*
 * The peer whose group is @dst's OUI and that knows @dst, when this
 * switch relays inside the card; else NULL.
 */
NSwitch *nswitch_peer_for(const NSwitch *sw, const uint8_t *dst);

/* switch-mirror.c */
void nswitch_add_mirror(NSwitch *sw, NSwitchDecision *decision,
                        const FrameContext *ctx, bool acl_says_mirror);

#endif
