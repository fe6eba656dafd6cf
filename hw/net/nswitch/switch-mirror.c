/*
 * nswitch core: the mirror, and which frames a selection takes
 *
 * A selection (all, one port, one OUI) picks forwarded frames, for the
 * mirror's copy to its monitor port here and for the glue's capture.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "switch-internal.h"

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

void nswitch_add_mirror(NSwitch *sw, NSwitchDecision *decision,
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
