/*
 * nswitch core: ports and the MACs that reach them
 *
 * A function port is attached while its function is on the switch and
 * then has exactly one MAC in the relay table; moving that MAC moves the
 * port to the relay group of its OUI. Static entries are further MACs for
 * a function port.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <string.h>

#include "switch-internal.h"

NSwitchRelayStatus nswitch_port_attach(NSwitch *sw, uint32_t port,
                                       NSwitchPortKind kind,
                                       const uint8_t mac[NSWITCH_MAC_LEN])
{
    NSwitchPortInfo *info = &sw->ports[port];
    NSwitchRelayStatus status;

    if (!is_function_port(sw, port) || kind == NSWITCH_PORT_UPLINK ||
        kind == NSWITCH_PORT_CARD) {
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

    if (!is_function_port(sw, port) || !info->attached) {
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

    if (!is_function_port(sw, port)) {
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

bool nswitch_entry_is_static(const NSwitch *sw, const NSwitchRelayEntry *entry)
{
    const NSwitchPortInfo *owner = &sw->ports[entry->port];

    return !owner->attached || memcmp(owner->mac, entry->mac, NSWITCH_MAC_LEN);
}

NSwitchRelayStatus nswitch_add_static_entry(NSwitch *sw,
                                            const uint8_t mac[NSWITCH_MAC_LEN],
                                            uint32_t port)
{
    if (!is_function_port(sw, port)) {
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

void nswitch_flush(NSwitch *sw)
{
    for (uint32_t port = 0; port < sw->max_ports; port++) {
        if (is_function_port(sw, port)) {
            sw->ports[port].attached = false;
        }
    }
    nswitch_relay_table_flush(sw->relay);
}
