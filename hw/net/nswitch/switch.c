/*
 * nswitch core: the forwarding decision of the in-card switch
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "hw/net/nswitch/switch.h"

#include <stdlib.h>
#include <string.h>

#define NSWITCH_MAX_PORTS 4096
/* Rate limits burst 10 ms at their speed, and at least one GSO frame. */
#define BURST_SECONDS_DIVISOR 100
#define MIN_BURST (65536 + 256)
#define NSWITCH_ACL_RULES 256

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

    /*
     * Scratch for decisions: the destination list and, for flooding, a
     * per-port mark so that a port with several MACs gets one copy.
     */
    uint32_t *destinations;
    uint32_t *flood_mark;
    uint32_t flood_generation;
};

static bool mac_is_group(const uint8_t *mac)
{
    return mac[0] & 1;
}

NSwitch *nswitch_new(uint32_t max_ports, uint32_t uplink_port,
                     uint32_t relay_entries, uint32_t relay_groups)
{
    NSwitch *sw;

    if (!max_ports || max_ports > NSWITCH_MAX_PORTS ||
        uplink_port >= max_ports) {
        return NULL;
    }
    sw = calloc(1, sizeof(*sw));
    if (!sw) {
        return NULL;
    }
    sw->max_ports = max_ports;
    sw->uplink = uplink_port;
    sw->ports = calloc(max_ports, sizeof(*sw->ports));
    sw->tx_rate = calloc(max_ports, sizeof(*sw->tx_rate));
    sw->destinations = calloc(max_ports, sizeof(*sw->destinations));
    sw->flood_mark = calloc(max_ports, sizeof(*sw->flood_mark));
    sw->relay = nswitch_relay_table_new(relay_entries, relay_groups);
    sw->acl = nswitch_acl_new(NSWITCH_ACL_RULES);
    if (!sw->ports || !sw->tx_rate || !sw->destinations || !sw->flood_mark ||
        !sw->relay || !sw->acl) {
        nswitch_free(sw);
        return NULL;
    }
    for (uint32_t i = 0; i < max_ports; i++) {
        sw->ports[i].kind = NSWITCH_PORT_VF;
        nswitch_port_reset_policy(sw, i);
    }
    sw->ports[uplink_port].kind = NSWITCH_PORT_UPLINK;
    sw->ports[uplink_port].attached = true;
    sw->ports[uplink_port].policy.spoof_check = false;
    sw->mirror.monitor_port = NSWITCH_RELAY_NONE;
    return sw;
}

void nswitch_free(NSwitch *sw)
{
    if (!sw) {
        return;
    }
    nswitch_relay_table_free(sw->relay);
    nswitch_acl_free(sw->acl);
    free(sw->ports);
    free(sw->tx_rate);
    free(sw->destinations);
    free(sw->flood_mark);
    free(sw);
}

NSwitchRelayStatus nswitch_port_attach(NSwitch *sw, uint32_t port,
                                       NSwitchPortKind kind,
                                       const uint8_t mac[NSWITCH_MAC_LEN])
{
    NSwitchPortInfo *info = &sw->ports[port];
    NSwitchRelayStatus status;

    if (port == sw->uplink || kind == NSWITCH_PORT_UPLINK) {
        return NSWITCH_RELAY_INVALID_MAC;
    }
    nswitch_port_detach(sw, port);
    status = nswitch_relay_table_add(sw->relay, mac, port);
    if (status != NSWITCH_RELAY_OK) {
        return status;
    }
    info->kind = kind;
    info->attached = true;
    memcpy(info->mac, mac, NSWITCH_MAC_LEN);
    return NSWITCH_RELAY_OK;
}

void nswitch_port_detach(NSwitch *sw, uint32_t port)
{
    NSwitchPortInfo *info = &sw->ports[port];

    if (port == sw->uplink || !info->attached) {
        return;
    }
    nswitch_relay_table_remove(sw->relay, info->mac);
    info->attached = false;
}

NSwitchRelayStatus nswitch_port_set_mac(NSwitch *sw, uint32_t port,
                                        const uint8_t mac[NSWITCH_MAC_LEN])
{
    NSwitchPortInfo *info = &sw->ports[port];
    NSwitchRelayStatus status;

    if (port == sw->uplink) {
        return NSWITCH_RELAY_INVALID_MAC;
    }
    if (!info->attached) {
        if (!nswitch_relay_mac_is_assignable(mac)) {
            return NSWITCH_RELAY_INVALID_MAC;
        }
        memcpy(info->mac, mac, NSWITCH_MAC_LEN);
        return NSWITCH_RELAY_OK;
    }
    if (!memcmp(info->mac, mac, NSWITCH_MAC_LEN)) {
        return NSWITCH_RELAY_OK;
    }
    nswitch_relay_table_remove(sw->relay, info->mac);
    status = nswitch_relay_table_add(sw->relay, mac, port);
    if (status != NSWITCH_RELAY_OK) {
        /* The old MAC's slot (and group) were just freed: this succeeds. */
        nswitch_relay_table_add(sw->relay, info->mac, port);
        return status;
    }
    memcpy(info->mac, mac, NSWITCH_MAC_LEN);
    return NSWITCH_RELAY_OK;
}

NSwitchRelayStatus nswitch_port_request_mac(NSwitch *sw, uint32_t port,
                                            const uint8_t mac[NSWITCH_MAC_LEN])
{
    const NSwitchPortPolicy *policy = &sw->ports[port].policy;

    if (policy->mac_pinned && !policy->trusted &&
        memcmp(sw->ports[port].mac, mac, NSWITCH_MAC_LEN)) {
        return NSWITCH_RELAY_PINNED;
    }
    return nswitch_port_set_mac(sw, port, mac);
}

NSwitchRelayStatus nswitch_port_pin_mac(NSwitch *sw, uint32_t port,
                                        const uint8_t mac[NSWITCH_MAC_LEN])
{
    NSwitchRelayStatus status = nswitch_port_set_mac(sw, port, mac);

    if (status == NSWITCH_RELAY_OK) {
        sw->ports[port].policy.mac_pinned = true;
    }
    return status;
}

static NSwitchPortPolicy *function_policy(NSwitch *sw, uint32_t port)
{
    return port < sw->max_ports && port != sw->uplink
           ? &sw->ports[port].policy : NULL;
}

void nswitch_port_set_spoof_check(NSwitch *sw, uint32_t port, bool on)
{
    NSwitchPortPolicy *policy = function_policy(sw, port);

    if (policy) {
        policy->spoof_check = on;
    }
}

void nswitch_port_set_trust(NSwitch *sw, uint32_t port, bool trusted)
{
    NSwitchPortPolicy *policy = function_policy(sw, port);

    if (policy) {
        policy->trusted = trusted;
    }
}

void nswitch_port_set_link(NSwitch *sw, uint32_t port, bool up)
{
    NSwitchPortPolicy *policy = function_policy(sw, port);

    if (policy) {
        policy->link_up = up;
    }
}

bool nswitch_port_set_vlan(NSwitch *sw, uint32_t port, uint16_t vlan,
                           uint8_t qos)
{
    NSwitchPortPolicy *policy = function_policy(sw, port);

    if (!policy || vlan > NSWITCH_VLAN_MAX || qos > NSWITCH_PRIORITY_MAX) {
        return false;
    }
    policy->vlan = vlan;
    policy->qos = qos;
    return true;
}

static void rate_limit_init(NSwitchTokenBucket *bucket, uint64_t rate_bps,
                            uint64_t now_ns)
{
    uint64_t burst = rate_bps / 8 / BURST_SECONDS_DIVISOR;

    nswitch_token_bucket_init(bucket, rate_bps,
                              burst > MIN_BURST ? burst : MIN_BURST, now_ns);
}

void nswitch_port_set_tx_rate(NSwitch *sw, uint32_t port, uint64_t rate_bps,
                              uint64_t now_ns)
{
    NSwitchPortPolicy *policy = function_policy(sw, port);

    if (policy) {
        policy->max_tx_rate_bps = rate_bps;
        rate_limit_init(&sw->tx_rate[port], rate_bps, now_ns);
    }
}

bool nswitch_port_take_tx(NSwitch *sw, uint32_t port, size_t len,
                          uint64_t now_ns, uint64_t *wait_ns)
{
    NSwitchTokenBucket *bucket = &sw->tx_rate[port];

    if (nswitch_token_bucket_take(bucket, len, now_ns)) {
        return true;
    }
    *wait_ns = nswitch_token_bucket_wait_ns(bucket, len, now_ns);
    return false;
}

void nswitch_port_reset_policy(NSwitch *sw, uint32_t port)
{
    if (port >= sw->max_ports) {
        return;
    }
    sw->ports[port].policy = (NSwitchPortPolicy) {
        .spoof_check = port != sw->uplink,
        .link_up = true,
    };
    rate_limit_init(&sw->tx_rate[port], 0, 0);
}

bool nswitch_port_restore_policy(NSwitch *sw, uint32_t port,
                                 const NSwitchPortPolicy *policy,
                                 uint64_t now_ns)
{
    if (!function_policy(sw, port) || policy->vlan > NSWITCH_VLAN_MAX ||
        policy->qos > NSWITCH_PRIORITY_MAX ||
        policy->max_tx_rate_bps > NSWITCH_TOKEN_BUCKET_MAX_RATE) {
        return false;
    }
    sw->ports[port].policy = *policy;
    rate_limit_init(&sw->tx_rate[port], policy->max_tx_rate_bps, now_ns);
    return true;
}

static bool is_function_port(const NSwitch *sw, uint32_t port)
{
    return port < sw->max_ports && port != sw->uplink;
}

bool nswitch_set_mirror(NSwitch *sw, const NSwitchMirror *mirror)
{
    const NSwitchSelection *selection = &mirror->selection;

    if (selection->select == NSWITCH_SELECT_NONE) {
        sw->mirror = (NSwitchMirror) {
            .monitor_port = NSWITCH_RELAY_NONE,
        };
        return true;
    }
    if (!is_function_port(sw, mirror->monitor_port) ||
        (selection->select == NSWITCH_SELECT_PORT &&
         selection->port >= sw->max_ports) ||
        selection->select > NSWITCH_SELECT_GROUP) {
        return false;
    }
    sw->mirror = *mirror;
    return true;
}

const NSwitchMirror *nswitch_mirror(const NSwitch *sw)
{
    return &sw->mirror;
}

NSwitchAcl *nswitch_acl(NSwitch *sw)
{
    return sw->acl;
}

void nswitch_set_rx_mode_ops(NSwitch *sw, const NSwitchRxModeOps *ops,
                             void *opaque)
{
    sw->rx_mode = ops;
    sw->rx_mode_opaque = opaque;
}

bool nswitch_entry_is_static(const NSwitch *sw, const NSwitchRelayEntry *entry)
{
    const NSwitchPortInfo *owner = &sw->ports[entry->port];

    return !owner->attached || memcmp(owner->mac, entry->mac, NSWITCH_MAC_LEN);
}

NSwitchRelayStatus nswitch_add_static_entry(NSwitch *sw,
                                            const uint8_t mac[NSWITCH_MAC_LEN],
                                            uint32_t port)
{
    if (port >= sw->max_ports || port == sw->uplink) {
        return NSWITCH_RELAY_NOT_A_FUNCTION;
    }
    return nswitch_relay_table_add(sw->relay, mac, port);
}

NSwitchRelayStatus
nswitch_remove_static_entry(NSwitch *sw, const uint8_t mac[NSWITCH_MAC_LEN])
{
    const NSwitchRelayEntry *entry = nswitch_relay_table_lookup(sw->relay, mac);

    if (!entry) {
        return NSWITCH_RELAY_NOT_FOUND;
    }
    if (!nswitch_entry_is_static(sw, entry)) {
        return NSWITCH_RELAY_OWN_MAC;
    }
    return nswitch_relay_table_remove(sw->relay, mac);
}

NSwitchRelayStatus nswitch_pin_group(NSwitch *sw, uint32_t oui)
{
    return nswitch_relay_group_pin(sw->relay, oui, NULL);
}

void nswitch_set_mode(NSwitch *sw, NSwitchMode mode)
{
    sw->mode = mode;
}

NSwitchMode nswitch_mode(const NSwitch *sw)
{
    return sw->mode;
}

void nswitch_set_uplink_rate(NSwitch *sw, uint64_t rate_bps, uint64_t now_ns)
{
    rate_limit_init(&sw->uplink_rate, rate_bps, now_ns);
}

const NSwitchPortInfo *nswitch_port_info(const NSwitch *sw, uint32_t port)
{
    return port < sw->max_ports ? &sw->ports[port] : NULL;
}

uint32_t nswitch_port_count(const NSwitch *sw)
{
    return sw->max_ports;
}

uint32_t nswitch_uplink_port(const NSwitch *sw)
{
    return sw->uplink;
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

static NSwitchDecision decision_of(NSwitch *sw, NSwitchPath path)
{
    NSwitchDecision decision = {
        .path = path,
        .ports = sw->destinations,
        .mirror_port = NSWITCH_RELAY_NONE,
    };

    return decision;
}

static NSwitchDecision drop(NSwitch *sw, uint32_t port,
                            NSwitchDropReason reason)
{
    NSwitchDecision decision = decision_of(sw, NSWITCH_PATH_DROP);

    decision.drop_reason = reason;
    nswitch_count_drop(sw, port, reason);
    return decision;
}

/* Why @port cannot take the frame, or NSWITCH_DROP__MAX when it can. */
static NSwitchDropReason refusal(const NSwitch *sw, uint32_t port,
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

static NSwitchDecision to_one(NSwitch *sw, NSwitchPath path, uint32_t port)
{
    NSwitchDecision decision = decision_of(sw, path);

    decision.count = 1;
    sw->destinations[0] = port;
    return decision;
}

/* Unicast to the function that owns the destination. */
static NSwitchDecision to_function(NSwitch *sw, NSwitchPath path,
                                   uint32_t port, const FrameContext *ctx)
{
    NSwitchDropReason reason = refusal(sw, port, ctx);

    if (reason != NSWITCH_DROP__MAX) {
        return drop(sw, port, reason);
    }
    return to_one(sw, path, port);
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
        if (port != sw->uplink) {
            flood_add(sw, decision, mark, port, ctx);
        }
    }
}

static uint32_t group_of_port(const NSwitch *sw, uint32_t port)
{
    return nswitch_relay_group_find(sw->relay,
                                    nswitch_relay_oui_of(sw->ports[port].mac));
}

static NSwitchDecision flood_from_function(NSwitch *sw, FrameContext *ctx)
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

static NSwitchDecision to_uplink(NSwitch *sw, const FrameContext *ctx)
{
    if (!nswitch_token_bucket_take(&sw->uplink_rate, ctx->len,
                                   ctx->now_ns)) {
        return drop(sw, sw->uplink, NSWITCH_DROP_UPLINK_RATE);
    }
    return to_one(sw, NSWITCH_PATH_TO_UPLINK, sw->uplink);
}

/* A function's unicast that no port owns: out, and to promiscuous peers. */
static NSwitchDecision unknown_from_function(NSwitch *sw, FrameContext *ctx)
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

static NSwitchDecision unknown_from_uplink(NSwitch *sw,
                                           const FrameContext *ctx)
{
    NSwitchDecision decision = decision_of(sw, NSWITCH_PATH_FROM_UPLINK);

    add_promiscuous(sw, &decision, flood_begin_from(sw, ctx),
                    NSWITCH_RELAY_NONE, ctx);
    return decision;
}

static NSwitchDecision decide_from_uplink(NSwitch *sw, FrameContext *ctx)
{
    const NSwitchRelayEntry *owner;

    if (mac_is_group(ctx->dst)) {
        NSwitchDecision decision = decision_of(sw, NSWITCH_PATH_FLOOD);

        flood_add_functions(sw, &decision, flood_begin_from(sw, ctx), ctx);
        return decision;
    }
    owner = nswitch_relay_table_lookup(sw->relay, ctx->dst);
    if (!owner) {
        return unknown_from_uplink(sw, ctx);
    }
    return to_function(sw, NSWITCH_PATH_FROM_UPLINK, owner->port, ctx);
}

static NSwitchDecision decide_from_function(NSwitch *sw, FrameContext *ctx)
{
    bool same_oui = !memcmp(ctx->dst, ctx->src, 3);
    const NSwitchRelayEntry *owner;

    if (sw->mode == NSWITCH_MODE_VEPA) {
        return to_uplink(sw, ctx);
    }
    if (mac_is_group(ctx->dst)) {
        return flood_from_function(sw, ctx);
    }
    if (sw->mode == NSWITCH_MODE_NSWITCH && !same_oui) {
        return to_uplink(sw, ctx);
    }
    owner = nswitch_relay_table_lookup(sw->relay, ctx->dst);
    if (!owner) {
        return unknown_from_function(sw, ctx);
    }
    if (owner->port == ctx->src_port) {
        return drop(sw, ctx->src_port, NSWITCH_DROP_LOOPBACK);
    }
    return to_function(sw, NSWITCH_PATH_HAIRPIN, owner->port, ctx);
}

static bool decision_reaches(const NSwitchDecision *decision, uint32_t port)
{
    for (uint32_t i = 0; i < decision->count; i++) {
        if (decision->ports[i] == port) {
            return true;
        }
    }
    return decision->mirror_port == port;
}

bool nswitch_selection_takes(const NSwitchSelection *selection,
                             uint32_t src_port, const uint8_t *frame,
                             const NSwitchDecision *decision)
{
    const uint8_t *src = frame + NSWITCH_MAC_LEN;

    switch (selection->select) {
    case NSWITCH_SELECT_ALL:
        return true;
    case NSWITCH_SELECT_PORT:
        return src_port == selection->port ||
               decision_reaches(decision, selection->port);
    case NSWITCH_SELECT_GROUP:
        return nswitch_relay_oui_of(src) == selection->oui ||
               (!mac_is_group(frame) &&
                nswitch_relay_oui_of(frame) == selection->oui);
    case NSWITCH_SELECT_NONE:
        break;
    }
    return false;
}

static void add_mirror(NSwitch *sw, NSwitchDecision *decision,
                       const FrameContext *ctx, bool acl_says_mirror)
{
    uint32_t monitor = sw->mirror.monitor_port;
    const NSwitchPortInfo *info;

    if (monitor == NSWITCH_RELAY_NONE || monitor == ctx->src_port ||
        (!acl_says_mirror &&
         !nswitch_selection_takes(&sw->mirror.selection, ctx->src_port,
                                  ctx->dst, decision)) ||
        decision_reaches(decision, monitor)) {
        return;
    }
    info = &sw->ports[monitor];
    if (!info->attached || !info->policy.link_up) {
        return;
    }
    decision->mirror_port = monitor;
    sw->paths.mirrored++;
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
    case NSWITCH_PATH_DROP:
        break;
    }
}

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
    decision = ctx->src_port == sw->uplink ? decide_from_uplink(sw, ctx)
                                           : decide_from_function(sw, ctx);
    decision.acl_rule = rule ? rule->id : 0;
    if (decision.path == NSWITCH_PATH_DROP) {
        return decision;
    }
    decision.insert_tag = ctx->insert_tag;
    decision.tci = ctx->l2.priority << 13 | ctx->l2.vlan;
    decision.priority = ctx->l2.priority;
    add_mirror(sw, &decision, ctx,
               rule && rule->action == NSWITCH_ACL_MIRROR);
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

void nswitch_refuse(NSwitch *sw, uint32_t src_port, size_t len,
                    NSwitchDropReason reason)
{
    if (src_port < sw->max_ports) {
        sw->ports[src_port].counters.rx_frames++;
        sw->ports[src_port].counters.rx_bytes += len;
    }
    nswitch_count_drop(sw, src_port, reason);
}

void nswitch_count_delivery(NSwitch *sw, uint32_t port, size_t len)
{
    sw->ports[port].counters.tx_frames++;
    sw->ports[port].counters.tx_bytes += len;
}

void nswitch_count_drop(NSwitch *sw, uint32_t port, NSwitchDropReason reason)
{
    if (port < sw->max_ports) {
        sw->ports[port].counters.dropped[reason]++;
    }
    sw->paths.dropped[reason]++;
}

void nswitch_count_segments(NSwitch *sw, uint32_t extra)
{
    sw->paths.segments += extra;
}

void nswitch_flush(NSwitch *sw)
{
    for (uint32_t port = 0; port < sw->max_ports; port++) {
        if (port != sw->uplink) {
            sw->ports[port].attached = false;
        }
    }
    nswitch_relay_table_flush(sw->relay);
}

void nswitch_clear_counters(NSwitch *sw)
{
    for (uint32_t port = 0; port < sw->max_ports; port++) {
        memset(&sw->ports[port].counters, 0, sizeof(sw->ports[port].counters));
    }
    memset(&sw->paths, 0, sizeof(sw->paths));
    nswitch_acl_clear_hits(sw->acl);
}

void nswitch_restore_port_counters(NSwitch *sw, uint32_t port,
                                   const NSwitchPortCounters *counters)
{
    sw->ports[port].counters = *counters;
}

void nswitch_restore_path_counters(NSwitch *sw,
                                   const NSwitchPathCounters *counters)
{
    sw->paths = *counters;
}

const NSwitchPathCounters *nswitch_path_counters(const NSwitch *sw)
{
    return &sw->paths;
}

const NSwitchRelayTable *nswitch_relay_table(const NSwitch *sw)
{
    return sw->relay;
}

const char *nswitch_drop_reason_name(NSwitchDropReason reason)
{
    static const char *const names[NSWITCH_DROP__MAX] = {
#define NSWITCH_DROP_NAME(id, name) [NSWITCH_DROP_##id] = name
        NSWITCH_DROP_REASONS(NSWITCH_DROP_NAME),
#undef NSWITCH_DROP_NAME
    };

    return reason < NSWITCH_DROP__MAX ? names[reason] : "unknown";
}

const char *nswitch_path_name(NSwitchPath path)
{
    switch (path) {
    case NSWITCH_PATH_DROP:
        return "drop";
    case NSWITCH_PATH_HAIRPIN:
        return "hairpin";
    case NSWITCH_PATH_TO_UPLINK:
        return "to-uplink";
    case NSWITCH_PATH_FROM_UPLINK:
        return "from-uplink";
    case NSWITCH_PATH_FLOOD:
        return "flood";
    }
    return "unknown";
}

const char *nswitch_mode_name(NSwitchMode mode)
{
    switch (mode) {
    case NSWITCH_MODE_NSWITCH:
        return "nswitch";
    case NSWITCH_MODE_VEB:
        return "veb";
    case NSWITCH_MODE_VEPA:
        return "vepa";
    case NSWITCH_MODE__MAX:
        break;
    }
    return "unknown";
}

const char *nswitch_port_kind_name(NSwitchPortKind kind)
{
    switch (kind) {
    case NSWITCH_PORT_UPLINK:
        return "uplink";
    case NSWITCH_PORT_PF:
        return "pf";
    case NSWITCH_PORT_VF:
        return "vf";
    }
    return "unknown";
}
