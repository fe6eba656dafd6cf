/*
 * nswitch core: counters, and the names they are reported with
 *
 * Every frame taken from a port ends in one counter: delivered, or
 * dropped with its reason (the decision counts its own; the glue reports
 * what became of each copy). Migration puts counters back here.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <string.h>

#include "switch-internal.h"

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
    case NSWITCH_PATH_INTER_PORT:
        return "inter-port";
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
    case NSWITCH_PORT_CARD:
        return "card";
    }
    return "unknown";
}
