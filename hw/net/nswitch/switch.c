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
/* The uplink's burst: 10 ms at its speed, and at least one GSO frame. */
#define UPLINK_BURST_SECONDS_DIVISOR 100
#define UPLINK_MIN_BURST (65536 + 256)

struct NSwitch {
    NSwitchPortInfo *ports;
    uint32_t max_ports;
    uint32_t uplink;
    NSwitchRelayTable *relay;
    NSwitchPathCounters paths;
    NSwitchMode mode;
    NSwitchTokenBucket uplink_rate;

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
    sw->destinations = calloc(max_ports, sizeof(*sw->destinations));
    sw->flood_mark = calloc(max_ports, sizeof(*sw->flood_mark));
    sw->relay = nswitch_relay_table_new(relay_entries, relay_groups);
    if (!sw->ports || !sw->destinations || !sw->flood_mark || !sw->relay) {
        nswitch_free(sw);
        return NULL;
    }
    for (uint32_t i = 0; i < max_ports; i++) {
        sw->ports[i].kind = NSWITCH_PORT_VF;
        sw->ports[i].spoof_check = true;
    }
    sw->ports[uplink_port].kind = NSWITCH_PORT_UPLINK;
    sw->ports[uplink_port].attached = true;
    sw->ports[uplink_port].spoof_check = false;
    return sw;
}

void nswitch_free(NSwitch *sw)
{
    if (!sw) {
        return;
    }
    nswitch_relay_table_free(sw->relay);
    free(sw->ports);
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

void nswitch_port_set_spoof_check(NSwitch *sw, uint32_t port, bool on)
{
    sw->ports[port].spoof_check = on;
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
    uint64_t burst = rate_bps / 8 / UPLINK_BURST_SECONDS_DIVISOR;

    nswitch_token_bucket_init(&sw->uplink_rate, rate_bps,
                              burst > UPLINK_MIN_BURST ? burst
                                                       : UPLINK_MIN_BURST,
                              now_ns);
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

static NSwitchDecision drop(NSwitch *sw, uint32_t port,
                            NSwitchDropReason reason)
{
    NSwitchDecision decision = {
        .path = NSWITCH_PATH_DROP,
        .drop_reason = reason,
        .ports = sw->destinations,
    };

    nswitch_count_drop(sw, port, reason);
    return decision;
}

static NSwitchDecision to_one(NSwitch *sw, NSwitchPath path, uint32_t port)
{
    NSwitchDecision decision = {
        .path = path,
        .count = 1,
        .ports = sw->destinations,
    };

    sw->destinations[0] = port;
    return decision;
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

static void flood_add(NSwitch *sw, NSwitchDecision *decision, uint32_t mark,
                      uint32_t port)
{
    if (sw->flood_mark[port] == mark || !sw->ports[port].attached) {
        return;
    }
    sw->flood_mark[port] = mark;
    sw->destinations[decision->count++] = port;
}

/* The uplink takes a flooded copy only when its speed allows. */
static void flood_add_uplink(NSwitch *sw, NSwitchDecision *decision,
                             uint32_t mark, size_t len, uint64_t now_ns)
{
    if (!nswitch_token_bucket_take(&sw->uplink_rate, len, now_ns)) {
        nswitch_count_drop(sw, sw->uplink, NSWITCH_DROP_UPLINK_RATE);
        return;
    }
    flood_add(sw, decision, mark, sw->uplink);
}

/* Every attached function but @except (NSWITCH_RELAY_NONE for none). */
static void flood_add_functions(NSwitch *sw, NSwitchDecision *decision,
                                uint32_t mark, uint32_t except)
{
    for (uint32_t port = 0; port < sw->max_ports; port++) {
        if (port != sw->uplink && port != except) {
            flood_add(sw, decision, mark, port);
        }
    }
}

static NSwitchDecision flood_decision(NSwitch *sw)
{
    NSwitchDecision decision = {
        .path = NSWITCH_PATH_FLOOD,
        .ports = sw->destinations,
    };

    sw->paths.flooded++;
    return decision;
}

static NSwitchDecision flood_from_function(NSwitch *sw, uint32_t src_port,
                                           size_t len, uint64_t now_ns)
{
    NSwitchDecision decision = flood_decision(sw);
    uint32_t mark = flood_begin(sw);
    uint32_t group;
    const NSwitchRelayEntry *member;

    sw->flood_mark[src_port] = mark;
    if (sw->mode == NSWITCH_MODE_VEB) {
        flood_add_functions(sw, &decision, mark, src_port);
    } else {
        group = nswitch_relay_group_find(
            sw->relay, nswitch_relay_oui_of(sw->ports[src_port].mac));
        for (member = nswitch_relay_group_first(sw->relay, group); member;
             member = nswitch_relay_group_next(sw->relay, member)) {
            flood_add(sw, &decision, mark, member->port);
        }
    }
    flood_add_uplink(sw, &decision, mark, len, now_ns);
    return decision;
}

static NSwitchDecision to_uplink(NSwitch *sw, size_t len, uint64_t now_ns)
{
    if (!nswitch_token_bucket_take(&sw->uplink_rate, len, now_ns)) {
        return drop(sw, sw->uplink, NSWITCH_DROP_UPLINK_RATE);
    }
    sw->paths.to_uplink++;
    return to_one(sw, NSWITCH_PATH_TO_UPLINK, sw->uplink);
}

static NSwitchDecision decide_from_uplink(NSwitch *sw, const uint8_t *dst,
                                          const uint8_t *src)
{
    const NSwitchRelayEntry *owner;

    if (mac_is_group(dst)) {
        /* Not back to its sender, if it is ours (a reflected frame). */
        NSwitchDecision decision = flood_decision(sw);

        owner = nswitch_relay_table_lookup(sw->relay, src);
        flood_add_functions(sw, &decision, flood_begin(sw),
                            owner ? owner->port : NSWITCH_RELAY_NONE);
        return decision;
    }
    owner = nswitch_relay_table_lookup(sw->relay, dst);
    if (!owner) {
        return drop(sw, sw->uplink, NSWITCH_DROP_NO_DESTINATION);
    }
    if (!sw->ports[owner->port].attached) {
        return drop(sw, owner->port, NSWITCH_DROP_PORT_DOWN);
    }
    sw->paths.from_uplink++;
    return to_one(sw, NSWITCH_PATH_FROM_UPLINK, owner->port);
}

static NSwitchDecision decide_from_function(NSwitch *sw, uint32_t src_port,
                                            const uint8_t *dst,
                                            const uint8_t *src, size_t len,
                                            uint64_t now_ns)
{
    const NSwitchPortInfo *info = &sw->ports[src_port];
    bool same_oui = !memcmp(dst, src, 3);
    const NSwitchRelayEntry *owner;

    if (info->spoof_check && memcmp(src, info->mac, NSWITCH_MAC_LEN)) {
        return drop(sw, src_port, NSWITCH_DROP_SPOOFED);
    }
    if (sw->mode == NSWITCH_MODE_VEPA) {
        return to_uplink(sw, len, now_ns);
    }
    if (mac_is_group(dst)) {
        return flood_from_function(sw, src_port, len, now_ns);
    }
    if (sw->mode == NSWITCH_MODE_NSWITCH && !same_oui) {
        return to_uplink(sw, len, now_ns);
    }
    owner = nswitch_relay_table_lookup(sw->relay, dst);
    if (!owner) {
        if (sw->mode == NSWITCH_MODE_NSWITCH) {
            sw->paths.unknown_unicast++;
        }
        return to_uplink(sw, len, now_ns);
    }
    if (owner->port == src_port) {
        return drop(sw, src_port, NSWITCH_DROP_LOOPBACK);
    }
    if (!sw->ports[owner->port].attached) {
        return drop(sw, owner->port, NSWITCH_DROP_PORT_DOWN);
    }
    sw->paths.hairpinned++;
    return to_one(sw, NSWITCH_PATH_HAIRPIN, owner->port);
}

NSwitchDecision nswitch_decide(NSwitch *sw, uint32_t src_port,
                               const uint8_t *frame, size_t len,
                               uint64_t now_ns)
{
    NSwitchPortInfo *info;
    const uint8_t *src = frame + NSWITCH_MAC_LEN;

    if (src_port >= sw->max_ports || !sw->ports[src_port].attached) {
        return drop(sw, src_port, NSWITCH_DROP_PORT_DOWN);
    }
    info = &sw->ports[src_port];
    info->counters.rx_frames++;
    info->counters.rx_bytes += len;
    if (len < NSWITCH_ETH_HEADER_LEN) {
        return drop(sw, src_port, NSWITCH_DROP_RUNT);
    }
    if (!nswitch_relay_mac_is_assignable(src)) {
        return drop(sw, src_port, NSWITCH_DROP_BAD_SOURCE);
    }
    if (src_port != sw->uplink) {
        return decide_from_function(sw, src_port, frame, src, len, now_ns);
    }
    if (!nswitch_token_bucket_take(&sw->uplink_rate, len, now_ns)) {
        return drop(sw, src_port, NSWITCH_DROP_UPLINK_RATE);
    }
    return decide_from_uplink(sw, frame, src);
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
        [NSWITCH_DROP_RUNT] = "runt",
        [NSWITCH_DROP_BAD_SOURCE] = "bad-source",
        [NSWITCH_DROP_SPOOFED] = "spoofed",
        [NSWITCH_DROP_NO_DESTINATION] = "no-destination",
        [NSWITCH_DROP_PORT_DOWN] = "port-down",
        [NSWITCH_DROP_LOOPBACK] = "loopback",
        [NSWITCH_DROP_RECEIVER_FULL] = "receiver-full",
        [NSWITCH_DROP_BAD_OFFLOAD] = "bad-offload",
        [NSWITCH_DROP_UPLINK_RATE] = "uplink-rate",
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
