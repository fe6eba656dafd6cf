/*
 * nswitch core: frames that go to more than one port
 *
 * Broadcast and multicast, and unicast that no port owns (which trusted
 * promiscuous functions also get). A flood costs its receivers: a
 * function's walks the members of the sender's relay group (the whole
 * card in VEB mode), the uplink's walks the ports. A per-port mark gives
 * each port one copy, and a flood never returns to its sender.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <string.h>

#include "switch-internal.h"

static bool mac_is_broadcast(const uint8_t *mac)
{
    static const uint8_t broadcast[NSWITCH_MAC_LEN] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff
    };

    return !memcmp(mac, broadcast, NSWITCH_MAC_LEN);
}

static bool is_trusted(const NSwitchPortInfo *info)
{
    return info->kind == NSWITCH_PORT_PF || info->policy.trusted;
}

/* Starts a flood: returns the mark that flags ports already chosen. */
static uint32_t flood_begin(NSwitch *sw)
{
    if (++sw->flood_generation == 0) {
        memset(sw->flood_mark, 0, sw->max_ports * sizeof(*sw->flood_mark));
        sw->flood_generation = 1;
    }
    return sw->flood_generation;
}

/*
 * A flood never goes back to its sender, nor to the function that owns
 * its source MAC: a frame reflected through the uplink, or one whose
 * source a VF without spoof checking forged.
 */
static uint32_t flood_begin_from(NSwitch *sw, const FrameContext *ctx)
{
    uint32_t mark = flood_begin(sw);
    const NSwitchRelayEntry *owner =
        nswitch_relay_table_lookup(sw->relay, ctx->src);

    sw->flood_mark[ctx->src_port] = mark;
    if (owner) {
        sw->flood_mark[owner->port] = mark;
    }
    return mark;
}

/*
 * An untrusted function gets only the multicast groups it subscribed to,
 * whatever all-multicast or promiscuous mode its guest asked for.
 */
static bool multicast_filtered(const NSwitch *sw, uint32_t port,
                               const FrameContext *ctx)
{
    if (port == sw->uplink || !mac_is_group(ctx->dst) ||
        mac_is_broadcast(ctx->dst) || is_trusted(&sw->ports[port]) ||
        !sw->rx_mode || !sw->rx_mode->subscribed) {
        return false;
    }
    return !sw->rx_mode->subscribed(sw->rx_mode_opaque, port, ctx->dst);
}

static void flood_add(NSwitch *sw, NSwitchDecision *decision, uint32_t mark,
                      uint32_t port, const FrameContext *ctx)
{
    if (sw->flood_mark[port] == mark ||
        refusal(sw, port, ctx) != NSWITCH_DROP__MAX ||
        multicast_filtered(sw, port, ctx)) {
        return;
    }
    sw->flood_mark[port] = mark;
    sw->destinations[decision->count++] = port;
}

/* The uplink takes a flooded copy only when its speed allows. */
static void flood_add_uplink(NSwitch *sw, NSwitchDecision *decision,
                             uint32_t mark, FrameContext *ctx)
{
    if (sw->flood_mark[sw->uplink] == mark) {
        return;
    }
    if (!nswitch_token_bucket_take(&sw->uplink_rate, ctx->len,
                                   ctx->now_ns)) {
        nswitch_count_drop(sw, sw->uplink, NSWITCH_DROP_UPLINK_RATE);
        ctx->copies_dropped++;
        return;
    }
    flood_add(sw, decision, mark, sw->uplink, ctx);
}

static void flood_add_functions(NSwitch *sw, NSwitchDecision *decision,
                                uint32_t mark, const FrameContext *ctx)
{
    for (uint32_t port = 0; port < sw->max_ports; port++) {
        if (is_function_port(sw, port)) {
            flood_add(sw, decision, mark, port, ctx);
        }
    }
}

static uint32_t group_of_port(const NSwitch *sw, uint32_t port)
{
    return nswitch_relay_group_find(sw->relay,
                                    nswitch_relay_oui_of(sw->ports[port].mac));
}

/* A function's broadcast or multicast: its group (VEB: all), the uplink. */
NSwitchDecision nswitch_flood_from_function(NSwitch *sw, FrameContext *ctx)
{
    NSwitchDecision decision = decision_of(sw, NSWITCH_PATH_FLOOD);
    uint32_t mark = flood_begin_from(sw, ctx);
    const NSwitchRelayEntry *member;

    if (sw->mode == NSWITCH_MODE_VEB) {
        flood_add_functions(sw, &decision, mark, ctx);
    } else {
        for (member = nswitch_relay_group_first(sw->relay,
                                                group_of_port(sw,
                                                              ctx->src_port));
             member; member = nswitch_relay_group_next(sw->relay, member)) {
            flood_add(sw, &decision, mark, member->port, ctx);
        }
    }
    flood_add_uplink(sw, &decision, mark, ctx);
    return decision;
}

/* The uplink's broadcast or multicast: every function. */
NSwitchDecision nswitch_flood_from_uplink(NSwitch *sw,
                                          const FrameContext *ctx)
{
    NSwitchDecision decision = decision_of(sw, NSWITCH_PATH_FLOOD);

    flood_add_functions(sw, &decision, flood_begin_from(sw, ctx), ctx);
    return decision;
}

/*
 * Trusted functions in promiscuous mode also get frames whose destination
 * no port owns: those of @group, or of the whole card for
 * NSWITCH_RELAY_NONE.
 */
static void add_promiscuous(NSwitch *sw, NSwitchDecision *decision,
                            uint32_t mark, uint32_t group,
                            const FrameContext *ctx)
{
    if (!sw->rx_mode || !sw->rx_mode->promiscuous) {
        return;
    }
    for (uint32_t port = 0; port < sw->max_ports; port++) {
        const NSwitchPortInfo *info = &sw->ports[port];

        if (port == sw->uplink || port == ctx->src_port ||
            !is_trusted(info) || !info->attached ||
            (group != NSWITCH_RELAY_NONE &&
             group_of_port(sw, port) != group) ||
            !sw->rx_mode->promiscuous(sw->rx_mode_opaque, port)) {
            continue;
        }
        flood_add(sw, decision, mark, port, ctx);
    }
}

/* A function's unicast that no port owns: out, and to promiscuous peers. */
NSwitchDecision nswitch_unknown_from_function(NSwitch *sw, FrameContext *ctx)
{
    NSwitchDecision decision = to_uplink(sw, ctx);
    uint32_t mark;

    if (decision.path == NSWITCH_PATH_DROP) {
        return decision;
    }
    ctx->unknown_unicast = sw->mode == NSWITCH_MODE_NSWITCH;
    mark = flood_begin_from(sw, ctx);
    sw->flood_mark[sw->uplink] = mark;
    add_promiscuous(sw, &decision, mark,
                    sw->mode == NSWITCH_MODE_VEB
                    ? NSWITCH_RELAY_NONE : group_of_port(sw, ctx->src_port),
                    ctx);
    return decision;
}

/* The uplink's unicast that no port owns: to promiscuous functions only. */
NSwitchDecision nswitch_unknown_from_uplink(NSwitch *sw,
                                            const FrameContext *ctx)
{
    NSwitchDecision decision = decision_of(sw, NSWITCH_PATH_FROM_UPLINK);

    add_promiscuous(sw, &decision, flood_begin_from(sw, ctx),
                    NSWITCH_RELAY_NONE, ctx);
    return decision;
}
