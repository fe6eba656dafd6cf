/*
 * nswitch core: the forwarding decision
 *
 * Reads like the table in docs/architecture.md: decide() checks the
 * sender (attached, header, source MAC, spoof check, port VLAN), the
 * ACL comes next, then the mode's rules for a frame from a function or
 * from the uplink; the mirror's copy is added and the path counted last.
 * Frames for several ports are switch-flood.c's. nswitch_decide() takes
 * the hairpin between two functions, most of the traffic, by a short
 * path of its own, and hands every other frame to decide() before it
 * has counted anything.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <string.h>

#include "switch-internal.h"

/*
 * From the uplink: broadcast and multicast to every function; unicast to
 * its owner whatever the owner's group (Case 2), else to no port but the
 * promiscuous ones (no-destination).
 */
static void decide_from_uplink(NSwitch *sw, FrameContext *ctx,
                               NSwitchDecision *decision)
{
    const NSwitchRelayEntry *owner;

    if (mac_is_group(ctx->dst)) {
        *decision = nswitch_flood_from_uplink(sw, ctx);
        return;
    }
    owner = nswitch_relay_table_lookup(sw->relay, ctx->dst);
    if (!owner) {
        *decision = nswitch_unknown_from_uplink(sw, ctx);
        return;
    }
    decide_function(sw, decision, NSWITCH_PATH_FROM_UPLINK, owner->port, ctx);
}

/*
 * From another port's switch on the card: unicast the sender's switch
 * knew this one has; nothing else comes this way.
 */
static void decide_from_card(NSwitch *sw, FrameContext *ctx,
                             NSwitchDecision *decision)
{
    const NSwitchRelayEntry *owner = mac_is_group(ctx->dst)
        ? NULL : nswitch_relay_table_lookup(sw->relay, ctx->dst);

    if (!owner) {
        decide_drop(sw, decision, ctx->src_port, NSWITCH_DROP_NO_DESTINATION);
        return;
    }
    decide_function(sw, decision, NSWITCH_PATH_INTER_PORT, owner->port, ctx);
}

/* Not memcmp(): for 3 bytes it is a call to the C library. */
static bool same_oui(const uint8_t *a, const uint8_t *b)
{
    uint16_t a01, b01;

    memcpy(&a01, a, sizeof(a01));
    memcpy(&b01, b, sizeof(b01));
    return a01 == b01 && a[2] == b[2];
}

/* Case 1: to another port of the card when it knows @dst, else out. */
static void to_other_group(NSwitch *sw, const FrameContext *ctx,
                           NSwitchDecision *decision)
{
    NSwitch *peer = sw->peer_count ? nswitch_peer_for(sw, ctx->dst) : NULL;

    if (!peer) {
        decide_uplink(sw, decision, ctx);
        return;
    }
    decide_one(sw, decision, NSWITCH_PATH_INTER_PORT, sw->card_port);
    decision->peer = peer;
}

/*
 * From a function: VEPA sends all out; broadcast and multicast go to the
 * sender's group (every function in VEB) and the uplink; unicast to
 * another OUI goes out (Case 1, nswitch mode), or to the port of the card
 * whose group it is; else to its owner (Case 0), or out, counted unknown,
 * when no port owns it.
 */
static void decide_from_function(NSwitch *sw, FrameContext *ctx,
                                 NSwitchDecision *decision)
{
    const NSwitchRelayEntry *owner;

    if (sw->mode == NSWITCH_MODE_VEPA) {
        decide_uplink(sw, decision, ctx);
        return;
    }
    if (mac_is_group(ctx->dst)) {
        *decision = nswitch_flood_from_function(sw, ctx);
        return;
    }
    if (sw->mode == NSWITCH_MODE_NSWITCH && !same_oui(ctx->dst, ctx->src)) {
        to_other_group(sw, ctx, decision);
        return;
    }
    owner = nswitch_relay_table_lookup(sw->relay, ctx->dst);
    if (!owner) {
        *decision = nswitch_unknown_from_function(sw, ctx);
        return;
    }
    if (owner->port == ctx->src_port) {
        decide_drop(sw, decision, ctx->src_port, NSWITCH_DROP_LOOPBACK);
        return;
    }
    decide_function(sw, decision, NSWITCH_PATH_HAIRPIN, owner->port, ctx);
}

/* Applies the source port's VLAN; false for a frame it must refuse. */
static bool enter_port_vlan(const NSwitchPortInfo *info, FrameContext *ctx)
{
    if (!info->policy.vlan) {
        return true;
    }
    if (ctx->l2.tags) {
        return false;
    }
    ctx->l2.outer_tpid = NSWITCH_ETHERTYPE_VLAN;
    ctx->l2.vlan = info->policy.vlan;
    ctx->l2.priority = info->policy.qos;
    ctx->l2.tags = 1;
    ctx->insert_tag = true;
    return true;
}

static void count_path(NSwitch *sw, const NSwitchDecision *decision,
                       const FrameContext *ctx)
{
    switch (decision->path) {
    case NSWITCH_PATH_HAIRPIN:
        sw->paths.hairpinned++;
        break;
    case NSWITCH_PATH_TO_UPLINK:
        sw->paths.to_uplink++;
        sw->paths.unknown_unicast += ctx->unknown_unicast;
        break;
    case NSWITCH_PATH_FROM_UPLINK:
        sw->paths.from_uplink++;
        break;
    case NSWITCH_PATH_FLOOD:
        sw->paths.flooded++;
        break;
    case NSWITCH_PATH_INTER_PORT:
        sw->paths.inter_port++;
        break;
    case NSWITCH_PATH_DROP:
        break;
    }
}

/* The first ACL rule that matches the frame, with its hit counted. */
static const NSwitchAclRule *acl_match(NSwitch *sw, const FrameContext *ctx)
{
    NSwitchAclFrame acl_frame = {
        .dst = ctx->dst, .src = ctx->src,
        .vlan = ctx->l2.vlan, .ethertype = ctx->l2.ethertype,
    };

    /* An empty list matches nothing: no frame to build, no call to walk. */
    if (!nswitch_acl_count(sw->acl)) {
        return NULL;
    }
    return nswitch_acl_lookup(sw->acl, &acl_frame);
}

/*
 * A frame the sender may send: the ACL first (a drop rule ends it), then
 * the rules by the port it came from, then the mirror's copy; a frame no
 * port could take is no-destination.
 */
static void decide_forwarded(NSwitch *sw, FrameContext *ctx,
                             NSwitchDecision *decision)
{
    const NSwitchAclRule *rule = acl_match(sw, ctx);
    uint32_t copies;

    if (rule && rule->action == NSWITCH_ACL_DROP) {
        decide_drop(sw, decision, ctx->src_port, NSWITCH_DROP_ACL);
        decision->acl_rule = rule->id;
        return;
    }
    if (ctx->src_port == sw->uplink) {
        decide_from_uplink(sw, ctx, decision);
    } else if (ctx->src_port == sw->card_port) {
        decide_from_card(sw, ctx, decision);
    } else {
        decide_from_function(sw, ctx, decision);
    }
    decision->acl_rule = rule ? rule->id : 0;
    if (decision->path == NSWITCH_PATH_DROP) {
        return;
    }
    decision->insert_tag = ctx->insert_tag;
    decision->tci = ctx->l2.priority << 13 | ctx->l2.vlan;
    decision->priority = ctx->l2.priority;
    if (sw->mirror.monitor_port != NSWITCH_RELAY_NONE) {
        /* Tested here: without a mirror a decision makes no call for it. */
        nswitch_add_mirror(sw, decision, ctx,
                           rule && rule->action == NSWITCH_ACL_MIRROR);
    }
    copies = decision->count + ctx->copies_dropped +
             (decision->mirror_port != NSWITCH_RELAY_NONE);
    if (!copies) {
        /* A flood or an unknown destination that no port could take. */
        decide_drop(sw, decision, ctx->src_port, NSWITCH_DROP_NO_DESTINATION);
        return;
    }
    sw->paths.replicas += copies - 1;
    count_path(sw, decision, ctx);
}

static uint16_t ethertype_of(const uint8_t *frame)
{
    return frame[2 * NSWITCH_MAC_LEN] << 8 | frame[2 * NSWITCH_MAC_LEN + 1];
}

/*
 * Most frames carry no VLAN tag: their header is read here, without a
 * call; nswitch_parse_l2() reads the others (and finds the runts).
 */
static NSwitchL2Status read_l2(const uint8_t *frame, size_t len,
                               NSwitchL2Header *l2)
{
    if (len >= NSWITCH_ETH_HEADER_LEN &&
        !nswitch_is_vlan_tpid(ethertype_of(frame))) {
        *l2 = (NSwitchL2Header) {
            .ethertype = ethertype_of(frame),
            .len = NSWITCH_ETH_HEADER_LEN,
        };
        return NSWITCH_L2_OK;
    }
    return nswitch_parse_l2(frame, len, len, l2);
}

/* Every rule, in order: the sender, the ACL, the mode's rules. */
static void decide(NSwitch *sw, uint32_t src_port, const uint8_t *frame,
                   size_t len, uint64_t now_ns, NSwitchDecision *decision)
{
    FrameContext ctx = {
        .src_port = src_port, .dst = frame, .src = frame + NSWITCH_MAC_LEN,
        .len = len, .now_ns = now_ns,
    };
    NSwitchPortInfo *info;

    if (src_port >= sw->max_ports) {
        decide_drop(sw, decision, src_port, NSWITCH_DROP_PORT_DOWN);
        return;
    }
    info = &sw->ports[src_port];
    info->counters.rx_frames++;
    info->counters.rx_bytes += len;
    if (!info->attached) {
        decide_drop(sw, decision, src_port, NSWITCH_DROP_PORT_DOWN);
        return;
    }
    switch (read_l2(frame, len, &ctx.l2)) {
    case NSWITCH_L2_OK:
        break;
    case NSWITCH_L2_RUNT:
        decide_drop(sw, decision, src_port, NSWITCH_DROP_RUNT);
        return;
    case NSWITCH_L2_TOO_MANY_TAGS:
        decide_drop(sw, decision, src_port, NSWITCH_DROP_VLAN);
        return;
    }
    if (!nswitch_relay_mac_is_assignable(ctx.src)) {
        decide_drop(sw, decision, src_port, NSWITCH_DROP_BAD_SOURCE);
        return;
    }
    if (src_port == sw->uplink) {
        if (!nswitch_token_bucket_take(&sw->uplink_rate, len, now_ns)) {
            decide_drop(sw, decision, src_port, NSWITCH_DROP_UPLINK_RATE);
            return;
        }
    } else if (info->policy.spoof_check &&
               memcmp(ctx.src, info->mac, NSWITCH_MAC_LEN)) {
        decide_drop(sw, decision, src_port, NSWITCH_DROP_SPOOFED);
        return;
    } else if (!enter_port_vlan(info, &ctx)) {
        decide_drop(sw, decision, src_port, NSWITCH_DROP_VLAN);
        return;
    }
    decide_forwarded(sw, &ctx, decision);
}

/*
 * Not inline: inlined, its context and decision in memory would cost
 * nswitch_decide() a stack frame on every frame.
 */
static __attribute__((noinline))
NSwitchDecision decide_any(NSwitch *sw, uint32_t src_port,
                           const uint8_t *frame, size_t len,
                           uint64_t now_ns)
{
    NSwitchDecision decision;

    decide(sw, src_port, frame, len, now_ns, &decision);
    return decision;
}

/*
 * The common case: a function's untagged unicast to another function of
 * its group that can take it, from a port with no port VLAN, in a switch
 * with no ACL rule and no mirror. True, with the port, for a frame
 * decide() would hairpin counting nothing on the way but the frame taken
 * from the port and one relay lookup. It only reads.
 */
static bool find_hairpin(const NSwitch *sw, uint32_t src_port,
                         const uint8_t *frame, size_t len, uint32_t *port)
{
    /* What refusal() reads of a frame: this one has no tag. */
    static const FrameContext untagged;
    const uint8_t *src = frame + NSWITCH_MAC_LEN;
    const NSwitchPortInfo *info;
    const NSwitchRelayEntry *owner;

    if (src_port >= sw->max_ports || src_port == sw->uplink ||
        src_port == sw->card_port) {
        return false;
    }
    info = &sw->ports[src_port];
    /*
     * An attached function's MAC is assignable (the relay table took it),
     * so a source that passes the spoof check is too.
     */
    if (!info->attached || len < NSWITCH_ETH_HEADER_LEN ||
        nswitch_is_vlan_tpid(ethertype_of(frame)) ||
        (info->policy.spoof_check
         ? memcmp(src, info->mac, NSWITCH_MAC_LEN)
         : !nswitch_relay_mac_is_assignable(src)) ||
        info->policy.vlan || nswitch_acl_count(sw->acl) ||
        sw->mirror.monitor_port != NSWITCH_RELAY_NONE ||
        sw->mode == NSWITCH_MODE_VEPA || mac_is_group(frame) ||
        (sw->mode == NSWITCH_MODE_NSWITCH && !same_oui(frame, src))) {
        return false;
    }
    owner = nswitch_relay_table_find(sw->relay, frame);
    if (!owner || owner->port == src_port ||
        refusal(sw, owner->port, &untagged) != NSWITCH_DROP__MAX) {
        return false;
    }
    *port = owner->port;
    return true;
}

/*
 * Hairpinned frames, nearly every frame between VMs, are decided here
 * with the counts decide() would make, without its context and decision
 * in memory and the copy of the decision out: half the instructions.
 * Every other frame is decide()'s, and meets nothing counted yet.
 */
NSwitchDecision nswitch_decide(NSwitch *sw, uint32_t src_port,
                               const uint8_t *frame, size_t len,
                               uint64_t now_ns)
{
    NSwitchPortInfo *info;
    uint32_t port;

    if (!find_hairpin(sw, src_port, frame, len, &port)) {
        return decide_any(sw, src_port, frame, len, now_ns);
    }
    info = &sw->ports[src_port];
    /*
     * The lookup's count between the port's two: side by side, GCC makes
     * them one vector add, five instructions more.
     */
    info->counters.rx_frames++;
    nswitch_relay_table_count_hit(sw->relay);
    info->counters.rx_bytes += len;
    sw->destinations[0] = port;
    sw->paths.hairpinned++;
    return (NSwitchDecision) {
        .path = NSWITCH_PATH_HAIRPIN,
        .count = 1,
        .ports = sw->destinations,
        .mirror_port = NSWITCH_RELAY_NONE,
    };
}
