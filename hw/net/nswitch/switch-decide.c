/*
 * nswitch core: the forwarding decision
 *
 * Reads like the table in docs/architecture.md: nswitch_decide() checks
 * the sender (attached, header, source MAC, spoof check, port VLAN), the
 * ACL comes next, then the mode's rules for a frame from a function or
 * from the uplink; the mirror's copy is added and the path counted last.
 * Frames for several ports are switch-flood.c's.
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
static NSwitchDecision decide_from_uplink(NSwitch *sw, FrameContext *ctx)
{
    const NSwitchRelayEntry *owner;

    if (mac_is_group(ctx->dst)) {
        return nswitch_flood_from_uplink(sw, ctx);
    }
    owner = nswitch_relay_table_lookup(sw->relay, ctx->dst);
    if (!owner) {
        return nswitch_unknown_from_uplink(sw, ctx);
    }
    return to_function(sw, NSWITCH_PATH_FROM_UPLINK, owner->port, ctx);
}

/*
 * From another port's switch on the card: unicast the sender's switch
 * knew this one has; nothing else comes this way.
 */
static NSwitchDecision decide_from_card(NSwitch *sw, FrameContext *ctx)
{
    const NSwitchRelayEntry *owner = mac_is_group(ctx->dst)
        ? NULL : nswitch_relay_table_lookup(sw->relay, ctx->dst);

    if (!owner) {
        return drop(sw, ctx->src_port, NSWITCH_DROP_NO_DESTINATION);
    }
    return to_function(sw, NSWITCH_PATH_INTER_PORT, owner->port, ctx);
}

/* Case 1: to another port of the card when it knows @dst, else out. */
static NSwitchDecision to_other_group(NSwitch *sw, const FrameContext *ctx)
{
    NSwitch *peer = sw->peer_count ? nswitch_peer_for(sw, ctx->dst) : NULL;
    NSwitchDecision decision;

    if (!peer) {
        return to_uplink(sw, ctx);
    }
    decision = to_one(sw, NSWITCH_PATH_INTER_PORT, sw->card_port);
    decision.peer = peer;
    return decision;
}

/*
 * From a function: VEPA sends all out; broadcast and multicast go to the
 * sender's group (every function in VEB) and the uplink; unicast to
 * another OUI goes out (Case 1, nswitch mode), or to the port of the card
 * whose group it is; else to its owner (Case 0), or out, counted unknown,
 * when no port owns it.
 */
static NSwitchDecision decide_from_function(NSwitch *sw, FrameContext *ctx)
{
    bool same_oui = !memcmp(ctx->dst, ctx->src, 3);
    const NSwitchRelayEntry *owner;

    if (sw->mode == NSWITCH_MODE_VEPA) {
        return to_uplink(sw, ctx);
    }
    if (mac_is_group(ctx->dst)) {
        return nswitch_flood_from_function(sw, ctx);
    }
    if (sw->mode == NSWITCH_MODE_NSWITCH && !same_oui) {
        return to_other_group(sw, ctx);
    }
    owner = nswitch_relay_table_lookup(sw->relay, ctx->dst);
    if (!owner) {
        return nswitch_unknown_from_function(sw, ctx);
    }
    if (owner->port == ctx->src_port) {
        return drop(sw, ctx->src_port, NSWITCH_DROP_LOOPBACK);
    }
    return to_function(sw, NSWITCH_PATH_HAIRPIN, owner->port, ctx);
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

/*
 * A frame the sender may send: the ACL first (a drop rule ends it), then
 * the rules by the port it came from, then the mirror's copy; a frame no
 * port could take is no-destination.
 */
static NSwitchDecision decide_forwarded(NSwitch *sw, FrameContext *ctx)
{
    NSwitchAclFrame acl_frame = {
        .dst = ctx->dst, .src = ctx->src,
        .vlan = ctx->l2.vlan, .ethertype = ctx->l2.ethertype,
    };
    const NSwitchAclRule *rule = nswitch_acl_lookup(sw->acl, &acl_frame);
    NSwitchDecision decision;
    uint32_t copies;

    if (rule && rule->action == NSWITCH_ACL_DROP) {
        decision = drop(sw, ctx->src_port, NSWITCH_DROP_ACL);
        decision.acl_rule = rule->id;
        return decision;
    }
    if (ctx->src_port == sw->uplink) {
        decision = decide_from_uplink(sw, ctx);
    } else if (ctx->src_port == sw->card_port) {
        decision = decide_from_card(sw, ctx);
    } else {
        decision = decide_from_function(sw, ctx);
    }
    decision.acl_rule = rule ? rule->id : 0;
    if (decision.path == NSWITCH_PATH_DROP) {
        return decision;
    }
    decision.insert_tag = ctx->insert_tag;
    decision.tci = ctx->l2.priority << 13 | ctx->l2.vlan;
    decision.priority = ctx->l2.priority;
    if (sw->mirror.monitor_port != NSWITCH_RELAY_NONE) {
        /* Tested here: without a mirror a decision makes no call for it. */
        nswitch_add_mirror(sw, &decision, ctx,
                           rule && rule->action == NSWITCH_ACL_MIRROR);
    }
    copies = decision.count + ctx->copies_dropped +
             (decision.mirror_port != NSWITCH_RELAY_NONE);
    if (!copies) {
        /* A flood or an unknown destination that no port could take. */
        return drop(sw, ctx->src_port, NSWITCH_DROP_NO_DESTINATION);
    }
    sw->paths.replicas += copies - 1;
    count_path(sw, &decision, ctx);
    return decision;
}

NSwitchDecision nswitch_decide(NSwitch *sw, uint32_t src_port,
                               const uint8_t *frame, size_t len,
                               uint64_t now_ns)
{
    FrameContext ctx = {
        .src_port = src_port, .dst = frame, .src = frame + NSWITCH_MAC_LEN,
        .len = len, .now_ns = now_ns,
    };
    NSwitchPortInfo *info;

    if (src_port >= sw->max_ports) {
        return drop(sw, src_port, NSWITCH_DROP_PORT_DOWN);
    }
    info = &sw->ports[src_port];
    info->counters.rx_frames++;
    info->counters.rx_bytes += len;
    if (!info->attached) {
        return drop(sw, src_port, NSWITCH_DROP_PORT_DOWN);
    }
    switch (nswitch_parse_l2(frame, len, len, &ctx.l2)) {
    case NSWITCH_L2_OK:
        break;
    case NSWITCH_L2_RUNT:
        return drop(sw, src_port, NSWITCH_DROP_RUNT);
    case NSWITCH_L2_TOO_MANY_TAGS:
        return drop(sw, src_port, NSWITCH_DROP_VLAN);
    }
    if (!nswitch_relay_mac_is_assignable(ctx.src)) {
        return drop(sw, src_port, NSWITCH_DROP_BAD_SOURCE);
    }
    if (src_port == sw->uplink) {
        if (!nswitch_token_bucket_take(&sw->uplink_rate, len, now_ns)) {
            return drop(sw, src_port, NSWITCH_DROP_UPLINK_RATE);
        }
        return decide_forwarded(sw, &ctx);
    }
    if (info->policy.spoof_check &&
        memcmp(ctx.src, info->mac, NSWITCH_MAC_LEN)) {
        return drop(sw, src_port, NSWITCH_DROP_SPOOFED);
    }
    if (!enter_port_vlan(info, &ctx)) {
        return drop(sw, src_port, NSWITCH_DROP_VLAN);
    }
    return decide_forwarded(sw, &ctx);
}
