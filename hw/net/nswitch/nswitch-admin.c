/*
 * nswitch-nic: the QMP commands that manage the in-card switch: VF
 * policy, static relay entries, the ACL, the mirror and the capture
 *
 * Each command checks all its arguments before it changes anything, so
 * that a refused command leaves the card as it was.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/net/nswitch-nic.h"
#include "hw/virtio/virtio-net.h"
#include "nswitch-function.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-nswitch.h"
#include "qemu/timer.h"
#include "nswitch-capture.h"
#include "nswitch-datapath.h"
#include "nswitch-qmp.h"
#include "nswitch-sriov.h"
#include "trace.h"

#define MBIT 1000000ull

static bool parse_mac(const char *text, const char *member, uint8_t *mac,
                      Error **errp)
{
    if (!nswitch_nic_parse_mac(text, mac)) {
        error_setg(errp, "'%s' must be a MAC address such as "
                   "02:6e:00:00:00:01, not '%s'", member, text);
        return false;
    }
    return true;
}

static bool parse_group(const char *text, const char *member, uint32_t *oui,
                        Error **errp)
{
    if (!nswitch_nic_parse_oui(text, oui)) {
        error_setg(errp, "'%s' must be an OUI such as 02:6e:00, not '%s'",
                   member, text);
        return false;
    }
    return true;
}

/* A MAC, or an OUI standing for every MAC that starts with it. */
static bool parse_mac_or_oui(const char *text, const char *member,
                             uint8_t *addr, uint8_t *mask, Error **errp)
{
    uint32_t oui;

    if (nswitch_nic_parse_oui(text, &oui)) {
        memset(addr, 0, ETH_ALEN);
        memset(mask, 0, ETH_ALEN);
        addr[0] = oui >> 16;
        addr[1] = oui >> 8;
        addr[2] = oui;
        memset(mask, 0xff, 3);
        return true;
    }
    if (!nswitch_nic_parse_mac(text, addr)) {
        error_setg(errp, "'%s' must be a MAC address (02:6e:00:00:00:01) "
                   "or an OUI (02:6e:00), not '%s'", member, text);
        return false;
    }
    memset(mask, 0xff, ETH_ALEN);
    return true;
}

static bool check_vf(NSwitchNic *card, uint16_t vf, const char *member,
                     Error **errp)
{
    if (vf >= card->total_vfs) {
        error_setg(errp, "'%s': VF %u does not exist; the card has %u VFs",
                   member, vf, card->total_vfs);
        return false;
    }
    return true;
}

/* The card, which must switch its VFs (not vswitch mode). */
static NSwitchNic *find_switching_card(const char *device, Error **errp)
{
    NSwitchNic *card = nswitch_nic_find(device, errp);

    if (card && card->vf_backends) {
        error_setg(errp, "'%s' is in mode vswitch: its VFs are on their own "
                   "netdevs, not on the card's switch", device);
        return NULL;
    }
    return card;
}

/* The MAC @group gives VF @vf: the OUI, then the VF's last three bytes. */
static void mac_in_group(NSwitchNic *card, uint16_t vf, uint32_t oui,
                         uint8_t *mac)
{
    memcpy(mac, nswitch_function_mac(nswitch_sriov_vf_net(card, vf)), ETH_ALEN);
    mac[0] = oui >> 16;
    mac[1] = oui >> 8;
    mac[2] = oui;
}

void qmp_nswitch_vf_set(const char *device, uint16_t vf, const char *mac,
                        const char *group, bool has_vlan, uint16_t vlan,
                        bool has_qos, uint8_t qos, bool has_spoofchk,
                        bool spoofchk, bool has_trust, bool trust,
                        bool has_link_state, NSwitchLinkState link_state,
                        bool has_max_tx_rate, uint32_t max_tx_rate,
                        Error **errp)
{
    NSwitchNic *card = find_switching_card(device, errp);
    uint8_t new_mac[ETH_ALEN];
    uint32_t port, oui;
    NSwitchRelayStatus status;
    NSwitch *core;

    if (!card || !check_vf(card, vf, "vf", errp)) {
        return;
    }
    port = NSWITCH_NIC_VF_PORT(vf);
    core = nswitch_nic_core(card);
    if (mac && group) {
        error_setg(errp, "'mac' and 'group' both set the MAC: give one");
        return;
    }
    if (mac && !parse_mac(mac, "mac", new_mac, errp)) {
        return;
    }
    if (group) {
        if (!parse_group(group, "group", &oui, errp)) {
            return;
        }
        mac_in_group(card, vf, oui, new_mac);
    }
    if ((mac || group) && !nswitch_relay_mac_is_assignable(new_mac)) {
        error_setg(errp, "'%s': a VF's MAC must be unicast and not all "
                   "zeros", mac ? "mac" : "group");
        return;
    }
    if (has_vlan && vlan > NSWITCH_VLAN_MAX) {
        error_setg(errp, "'vlan' must be 0 (none) to %u, not %u",
                   NSWITCH_VLAN_MAX, vlan);
        return;
    }
    if (has_qos && (!has_vlan || qos > NSWITCH_PRIORITY_MAX)) {
        error_setg(errp, has_vlan ? "'qos' must be 0 to 7" :
                   "'qos' is the priority of the port VLAN: give 'vlan' too");
        return;
    }
    if (has_max_tx_rate &&
        max_tx_rate > NSWITCH_TOKEN_BUCKET_MAX_RATE / MBIT) {
        error_setg(errp, "'max-tx-rate' is %u Mbit/s; at most %llu",
                   max_tx_rate, NSWITCH_TOKEN_BUCKET_MAX_RATE / MBIT);
        return;
    }
    if (mac || group) {
        status = nswitch_nic_pin_vf_mac(card, vf, new_mac);
        if (status != NSWITCH_RELAY_OK) {
            error_setg(errp, "'%s': %s", mac ? "mac" : "group",
                       nswitch_relay_status_message(status));
            return;
        }
        trace_nswitch_vf_set(vf, "mac");
    }
    if (has_vlan) {
        nswitch_port_set_vlan(core, port, vlan, has_qos ? qos : 0);
        trace_nswitch_vf_set(vf, "vlan");
    }
    if (has_spoofchk) {
        nswitch_port_set_spoof_check(core, port, spoofchk);
        trace_nswitch_vf_set(vf, "spoofchk");
    }
    if (has_trust) {
        nswitch_port_set_trust(core, port, trust);
        /* A MAC the guest chose before is looked at again. */
        nswitch_datapath_forget_refused_mac(card->datapath, port);
        trace_nswitch_vf_set(vf, "trust");
    }
    if (has_max_tx_rate) {
        nswitch_port_set_tx_rate(core, port, max_tx_rate * MBIT,
                                 qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
        trace_nswitch_vf_set(vf, "max-tx-rate");
    }
    if (has_link_state) {
        nswitch_sriov_set_vf_link(card, vf, link_state);
        trace_nswitch_vf_set(vf, "link-state");
    }
}

void qmp_nswitch_relay_add(const char *device, const char *mac, bool has_vf,
                           uint16_t vf, Error **errp)
{
    NSwitchNic *card = nswitch_nic_find(device, errp);
    uint8_t addr[ETH_ALEN];
    NSwitchRelayStatus status;

    if (!card || (has_vf && !check_vf(card, vf, "vf", errp)) ||
        !parse_mac(mac, "mac", addr, errp)) {
        return;
    }
    if (has_vf && card->vf_backends) {
        error_setg(errp, "'%s' is in mode vswitch: its VFs are not on the "
                   "card's switch", device);
        return;
    }
    status = nswitch_add_static_entry(nswitch_nic_core(card), addr,
                                      has_vf ? NSWITCH_NIC_VF_PORT(vf)
                                             : NSWITCH_NIC_PF_PORT);
    if (status != NSWITCH_RELAY_OK) {
        error_setg(errp, "cannot add %s: %s", mac,
                   nswitch_relay_status_message(status));
    }
}

void qmp_nswitch_relay_remove(const char *device, const char *mac,
                              Error **errp)
{
    NSwitchNic *card = nswitch_nic_find(device, errp);
    uint8_t addr[ETH_ALEN];
    NSwitchRelayStatus status;

    if (!card || !parse_mac(mac, "mac", addr, errp)) {
        return;
    }
    status = nswitch_remove_static_entry(nswitch_nic_core(card), addr);
    if (status != NSWITCH_RELAY_OK) {
        error_setg(errp, "cannot remove %s: %s", mac,
                   nswitch_relay_status_message(status));
    }
}

NSwitchAclAdded *qmp_nswitch_acl_add(const char *device,
                                     NSwitchRuleAction action, const char *src,
                                     const char *dst, bool has_vlan,
                                     uint16_t vlan, bool has_ethertype,
                                     uint16_t ethertype, bool has_position,
                                     uint32_t position, Error **errp)
{
    NSwitchNic *card = nswitch_nic_find(device, errp);
    NSwitchAclMatch match = {
        .match_vlan = has_vlan, .vlan = vlan,
        .match_ethertype = has_ethertype, .ethertype = ethertype,
    };
    NSwitchAclAdded *added;
    NSwitchAclStatus status;
    uint32_t id;

    if (!card ||
        (src && !parse_mac_or_oui(src, "src", match.src, match.src_mask,
                                  errp)) ||
        (dst && !parse_mac_or_oui(dst, "dst", match.dst, match.dst_mask,
                                  errp))) {
        return NULL;
    }
    if (has_vlan && vlan > NSWITCH_VLAN_MAX) {
        error_setg(errp, "'vlan' must be 0 (untagged) to %u, not %u",
                   NSWITCH_VLAN_MAX, vlan);
        return NULL;
    }
    /* QAPI enums and the core's actions are in the same order. */
    status = nswitch_acl_add(nswitch_acl(nswitch_nic_core(card)), &match,
                             (NSwitchAclAction)action,
                             has_position ? position : UINT32_MAX, &id);
    if (status != NSWITCH_ACL_OK) {
        error_setg(errp, "cannot add the rule: %s",
                   nswitch_acl_status_message(status));
        return NULL;
    }
    added = g_new0(NSwitchAclAdded, 1);
    added->rule = id;
    return added;
}

void qmp_nswitch_acl_remove(const char *device, uint32_t rule, Error **errp)
{
    NSwitchNic *card = nswitch_nic_find(device, errp);

    if (card &&
        nswitch_acl_remove(nswitch_acl(nswitch_nic_core(card)), rule) !=
        NSWITCH_ACL_OK) {
        error_setg(errp, "'rule': %s has no ACL rule %u", device, rule);
    }
}

/* A selection of frames: one VF's, one group's, or (neither) all. */
static bool parse_selection(NSwitchNic *card, bool has_vf, uint16_t vf,
                            const char *group, NSwitchSelection *selection,
                            Error **errp)
{
    if (has_vf && group) {
        error_setg(errp, "give 'vf' or 'group', not both");
        return false;
    }
    if (has_vf) {
        if (!check_vf(card, vf, "vf", errp)) {
            return false;
        }
        *selection = (NSwitchSelection) {
            .select = NSWITCH_SELECT_PORT, .port = NSWITCH_NIC_VF_PORT(vf),
        };
        return true;
    }
    if (group) {
        selection->select = NSWITCH_SELECT_GROUP;
        return parse_group(group, "group", &selection->oui, errp);
    }
    selection->select = NSWITCH_SELECT_ALL;
    return true;
}

void qmp_nswitch_mirror_start(const char *device, uint16_t monitor_vf,
                              bool has_vf, uint16_t vf, const char *group,
                              Error **errp)
{
    NSwitchNic *card = find_switching_card(device, errp);
    NSwitchMirror mirror = {
        .monitor_port = NSWITCH_NIC_VF_PORT(monitor_vf),
    };

    if (!card || !check_vf(card, monitor_vf, "monitor-vf", errp) ||
        !parse_selection(card, has_vf, vf, group, &mirror.selection, errp)) {
        return;
    }
    if (has_vf && vf == monitor_vf) {
        error_setg(errp, "'vf' %u is the monitor: it would mirror itself",
                   vf);
        return;
    }
    nswitch_set_mirror(nswitch_nic_core(card), &mirror);
}

void qmp_nswitch_inter_port_relay_set(const char *device, bool enable,
                                      Error **errp)
{
    NSwitchNic *card = nswitch_nic_find(device, errp);

    if (!card) {
        return;
    }
    if (card->card_ports < 2) {
        error_setg(errp, "'%s' is a card of one port: it has no other port "
                   "to relay to (see property ports)", device);
        return;
    }
    nswitch_set_inter_port_relay(nswitch_nic_core(card), enable);
}

void qmp_nswitch_mirror_stop(const char *device, Error **errp)
{
    NSwitchNic *card = nswitch_nic_find(device, errp);
    const NSwitchMirror off = {
        .selection.select = NSWITCH_SELECT_NONE,
    };

    if (!card) {
        return;
    }
    if (nswitch_mirror(nswitch_nic_core(card))->monitor_port ==
        NSWITCH_RELAY_NONE) {
        error_setg(errp, "no mirror runs on '%s'", device);
        return;
    }
    nswitch_set_mirror(nswitch_nic_core(card), &off);
}

void qmp_nswitch_capture_start(const char *device, const char *file,
                               bool has_vf, uint16_t vf, const char *group,
                               Error **errp)
{
    NSwitchNic *card = nswitch_nic_find(device, errp);
    NSwitchSelection selection;
    NSwitchCapture *capture;

    if (!card ||
        !parse_selection(card, has_vf, vf, group, &selection, errp)) {
        return;
    }
    capture = nswitch_datapath_capture(card->datapath);
    if (capture) {
        error_setg(errp, "a capture to '%s' already runs on '%s'",
                   nswitch_capture_stats(capture).file, device);
        return;
    }
    capture = nswitch_capture_start(file, &selection, errp);
    if (!capture) {
        return;
    }
    nswitch_datapath_swap_capture(card->datapath, capture);
    trace_nswitch_capture(file, true);
}

NSwitchCaptureInfo *qmp_nswitch_capture_stop(const char *device, Error **errp)
{
    NSwitchNic *card = nswitch_nic_find(device, errp);
    NSwitchCaptureInfo *info;
    NSwitchCapture *capture;

    if (!card) {
        return NULL;
    }
    capture = nswitch_datapath_swap_capture(card->datapath, NULL);
    if (!capture) {
        error_setg(errp, "no capture runs on '%s'", device);
        return NULL;
    }
    /* What it says once the file has every frame it could take. */
    nswitch_capture_close(capture);
    info = nswitch_capture_info(capture);
    trace_nswitch_capture(info->file, false);
    nswitch_capture_stop(capture);
    return info;
}
