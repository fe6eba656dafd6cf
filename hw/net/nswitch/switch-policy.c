/*
 * nswitch core: per-port policy
 *
 * What `ip link set DEV vf N ...` manages on a real NIC: spoof checking,
 * trust, link state, a port VLAN and a TX rate. The uplink and the card
 * port have none.
 * The decision reads it (switch-decide.c); the TX rate is asked by the
 * glue before it hands the core a frame.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "switch-internal.h"

static NSwitchPortPolicy *function_policy(NSwitch *sw, uint32_t port)
{
    return is_function_port(sw, port) ? &sw->ports[port].policy : NULL;
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
        .spoof_check = is_function_port(sw, port),
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
