/*
 * nswitch core: the switch object, its mode and its uplink
 *
 * Creates and frees the switch (every allocation it will ever make is
 * here), and holds what is set once for the whole card: the mode, the
 * uplink's speed and the receive-filter callbacks.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdlib.h>

#include "switch-internal.h"

#define NSWITCH_MAX_PORTS 4096
#define NSWITCH_ACL_RULES 256

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
    sw->card_port = NSWITCH_RELAY_NONE;
    sw->inter_port_relay = true;
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

const NSwitchRelayTable *nswitch_relay_table(const NSwitch *sw)
{
    return sw->relay;
}
