/*
 * nswitch-nic: query-nswitch and x-query-nswitch (HMP "info nswitch")
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/net/nswitch-nic.h"
#include "hw/net/nswitch/switch.h"
#include "hw/pci/pcie_sriov.h"
#include "hw/virtio/virtio-net.h"
#include "qapi/qapi-commands-nswitch.h"
#include "qapi/qapi-visit-nswitch.h"
#include "qapi/error.h"
#include "qapi/qobject-input-visitor.h"
#include "qapi/qobject-output-visitor.h"
#include "qobject/qdict.h"
#include "qobject/qnum.h"
#include "qapi/type-helpers.h"
#include "nswitch-capture.h"
#include "nswitch-datapath.h"
#include "nswitch-qmp.h"
#include "nswitch-sriov.h"

char *nswitch_mac_text(const uint8_t *mac)
{
    return g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x",
                           mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

char *nswitch_oui_text(uint32_t oui)
{
    return g_strdup_printf("%02x:%02x:%02x", (oui >> 16) & 0xff,
                           (oui >> 8) & 0xff, oui & 0xff);
}

/*
 * The drop counters as QMP shows them, filled by the core's reason names:
 * the QAPI schema documents the same reasons, and the visitor refuses a
 * list that differs from the core's, so no reason is left out.
 */
static NSwitchDropStats *drop_counters(const uint64_t *dropped)
{
    g_autoptr(QDict) counts = qdict_new();
    NSwitchDropStats *stats = NULL;
    Visitor *v;

    for (NSwitchDropReason reason = 0; reason < NSWITCH_DROP__MAX; reason++) {
        qdict_put_obj(counts, nswitch_drop_reason_name(reason),
                      QOBJECT(qnum_from_uint(dropped[reason])));
    }
    v = qobject_input_visitor_new(QOBJECT(counts));
    visit_type_NSwitchDropStats(v, NULL, &stats, &error_abort);
    visit_free(v);
    return stats;
}

/* The other way, for the text of HMP: returns the total. */
static uint64_t drop_counts(NSwitchDropStats *stats,
                            uint64_t counts[NSWITCH_DROP__MAX])
{
    g_autoptr(QDict) dict = NULL;
    QObject *obj = NULL;
    Visitor *v = qobject_output_visitor_new(&obj);
    uint64_t total = 0;

    visit_type_NSwitchDropStats(v, NULL, &stats, &error_abort);
    visit_complete(v, &obj);
    visit_free(v);
    dict = qobject_to(QDict, obj);
    for (NSwitchDropReason reason = 0; reason < NSWITCH_DROP__MAX; reason++) {
        QNum *count = qobject_to(QNum, qdict_get(dict,
                                    nswitch_drop_reason_name(reason)));

        counts[reason] = qnum_get_uint(count);
        total += counts[reason];
    }
    return total;
}

static NSwitchPolicyInfo *policy_info(NSwitchNic *card, uint32_t number)
{
    const NSwitchPortPolicy *core = &nswitch_port_info(nswitch_nic_core(card),
                                                        number)->policy;
    NSwitchPolicyInfo *info = g_new0(NSwitchPolicyInfo, 1);

    info->mac_pinned = core->mac_pinned;
    info->spoofchk = core->spoof_check;
    info->trust = core->trusted;
    info->link_up = core->link_up;
    info->vlan = core->vlan;
    info->qos = core->qos;
    info->max_tx_rate = core->max_tx_rate_bps / 1000000;
    if (number >= NSWITCH_NIC_VF_PORT(0)) {
        info->has_link_state = true;
        info->link_state =
            nswitch_sriov_vf_link(card, number - NSWITCH_NIC_VF_PORT(0));
    }
    return info;
}

static NSwitchPortStats *port_info(NSwitchNic *card, uint32_t number)
{
    const NSwitchPortInfo *core = nswitch_port_info(nswitch_nic_core(card),
                                                    number);
    NSwitchPortStats *info = g_new0(NSwitchPortStats, 1);

    info->port = number;
    info->attached = core->attached;
    info->rx_frames = core->counters.rx_frames;
    info->rx_bytes = core->counters.rx_bytes;
    info->tx_frames = core->counters.tx_frames;
    info->tx_bytes = core->counters.tx_bytes;
    info->dropped = drop_counters(core->counters.dropped);
    info->held = nswitch_datapath_held(card->datapath, number);
    if (number == NSWITCH_NIC_UPLINK_PORT) {
        info->kind = NSWITCH_PORT_TYPE_UPLINK;
        return info;
    }
    if (core->kind == NSWITCH_PORT_CARD) {
        info->kind = NSWITCH_PORT_TYPE_CARD;
        return info;
    }
    info->policy = policy_info(card, number);
    if (number == NSWITCH_NIC_PF_PORT) {
        info->kind = NSWITCH_PORT_TYPE_PF;
        info->mac = nswitch_mac_text(core->mac);
    } else {
        MACAddr mac;

        info->kind = NSWITCH_PORT_TYPE_VF;
        info->has_vf = true;
        info->vf = number - NSWITCH_NIC_VF_PORT(0);
        nswitch_nic_vf_mac(card, info->vf, &mac);
        info->mac = nswitch_mac_text(core->attached ? core->mac : mac.a);
    }
    if (core->attached) {
        info->group = nswitch_oui_text(nswitch_relay_oui_of(core->mac));
    }
    return info;
}

static NSwitchPathStats *path_counters(NSwitchNic *card)
{
    const NSwitchPathCounters *core =
        nswitch_path_counters(nswitch_nic_core(card));
    NSwitchPathStats *paths = g_new0(NSwitchPathStats, 1);

    paths->hairpinned = core->hairpinned;
    paths->to_uplink = core->to_uplink;
    paths->unknown_unicast = core->unknown_unicast;
    paths->from_uplink = core->from_uplink;
    paths->flooded = core->flooded;
    paths->inter_port = core->inter_port;
    paths->mirrored = core->mirrored;
    paths->replicas = core->replicas;
    paths->segments = core->segments;
    paths->dropped = drop_counters(core->dropped);
    return paths;
}

static void add_relay_table(NSwitchNic *card, NSwitchCardInfo *info)
{
    const NSwitchRelayTable *relay =
        nswitch_relay_table(nswitch_nic_core(card));
    NSwitchRelayTableEntryList **entries = &info->relay_table;
    NSwitchRelayGroupInfoList **groups = &info->relay_groups;

    info->relay_capacity = nswitch_relay_table_capacity(relay);
    for (uint32_t i = 0; i < nswitch_relay_table_count(relay); i++) {
        const NSwitchRelayEntry *core = nswitch_relay_table_entry(relay, i);
        NSwitchRelayTableEntry *entry = g_new0(NSwitchRelayTableEntry, 1);

        entry->mac = nswitch_mac_text(core->mac);
        entry->port = core->port;
        entry->group = nswitch_oui_text(nswitch_relay_oui_of(core->mac));
        entry->q_static = nswitch_entry_is_static(nswitch_nic_core(card), core);
        QAPI_LIST_APPEND(entries, entry);
    }
    for (uint32_t id = 0; id < nswitch_relay_group_capacity(relay); id++) {
        const NSwitchRelayGroup *core = nswitch_relay_group_get(relay, id);
        NSwitchRelayGroupInfo *group;

        if (!core) {
            continue;
        }
        group = g_new0(NSwitchRelayGroupInfo, 1);
        group->oui = nswitch_oui_text(core->oui);
        group->members = core->members;
        group->pinned = core->pinned;
        QAPI_LIST_APPEND(groups, group);
    }
}

/* An ACL match's MAC as the user wrote it: a MAC, or an OUI. */
static char *masked_mac_text(const uint8_t *mac, const uint8_t *mask)
{
    static const uint8_t oui_mask[ETH_ALEN] = { 0xff, 0xff, 0xff };
    static const uint8_t any[ETH_ALEN];

    if (!memcmp(mask, any, ETH_ALEN)) {
        return NULL;
    }
    if (!memcmp(mask, oui_mask, ETH_ALEN)) {
        return nswitch_oui_text(nswitch_relay_oui_of(mac));
    }
    return nswitch_mac_text(mac);
}

static void add_acl(NSwitchNic *card, NSwitchCardInfo *info)
{
    NSwitchAcl *acl = nswitch_acl(nswitch_nic_core(card));
    NSwitchAclRuleInfoList **rules = &info->acl;

    for (uint32_t i = 0; i < nswitch_acl_count(acl); i++) {
        const NSwitchAclRule *core = nswitch_acl_rule(acl, i);
        NSwitchAclRuleInfo *rule = g_new0(NSwitchAclRuleInfo, 1);

        rule->rule = core->id;
        rule->action = (NSwitchRuleAction)core->action;
        rule->src = masked_mac_text(core->match.src, core->match.src_mask);
        rule->dst = masked_mac_text(core->match.dst, core->match.dst_mask);
        rule->has_vlan = core->match.match_vlan;
        rule->vlan = core->match.vlan;
        rule->has_ethertype = core->match.match_ethertype;
        rule->ethertype = core->match.ethertype;
        rule->hits = core->hits;
        QAPI_LIST_APPEND(rules, rule);
    }
}

/* A selection as QMP gives it: a VF, a group, or (neither) all frames. */
static void selection_info(const NSwitchSelection *selection, bool *has_vf,
                           uint16_t *vf, char **group)
{
    if (selection->select == NSWITCH_SELECT_PORT) {
        *has_vf = true;
        *vf = selection->port - NSWITCH_NIC_VF_PORT(0);
    } else if (selection->select == NSWITCH_SELECT_GROUP) {
        *group = nswitch_oui_text(selection->oui);
    }
}

static NSwitchMirrorInfo *mirror_info(NSwitchNic *card)
{
    const NSwitchMirror *core = nswitch_mirror(nswitch_nic_core(card));
    NSwitchMirrorInfo *info;

    if (core->monitor_port == NSWITCH_RELAY_NONE) {
        return NULL;
    }
    info = g_new0(NSwitchMirrorInfo, 1);
    info->monitor_vf = core->monitor_port - NSWITCH_NIC_VF_PORT(0);
    selection_info(&core->selection, &info->has_vf, &info->vf, &info->group);
    return info;
}

NSwitchCaptureInfo *nswitch_capture_info(NSwitchCapture *capture)
{
    NSwitchCaptureStats stats;
    NSwitchCaptureInfo *info;

    if (!capture) {
        return NULL;
    }
    stats = nswitch_capture_stats(capture);
    info = g_new0(NSwitchCaptureInfo, 1);
    info->file = g_strdup(stats.file);
    info->frames = stats.frames;
    info->lost = stats.lost;
    selection_info(&stats.selection, &info->has_vf, &info->vf, &info->group);
    return info;
}

static NSwitchCardInfo *card_info(NSwitchNic *card)
{
    PCIDevice *pci_dev = PCI_DEVICE(card);
    NSwitchCardInfo *info = g_new0(NSwitchCardInfo, 1);
    NSwitchPortStatsList **ports = &info->ports;

    info->qom_path = object_get_canonical_path(OBJECT(card));
    info->id = g_strdup(DEVICE(card)->id);
    info->pf_number = card->pf_number;
    info->card_ports = card->card_ports;
    if (card->card_ports > 1) {
        NSwitchNic *port0 = nswitch_sriov_card_port(card, 0);

        info->card = port0 ? object_get_canonical_path(OBJECT(port0)) : NULL;
        info->has_inter_port_relay = true;
        info->inter_port_relay =
            nswitch_inter_port_relay(nswitch_nic_core(card));
    }
    info->oui = nswitch_oui_text(card->oui);
    info->mode = card->mode;
    info->uplink_speed = card->uplink_mbps;
    info->total_vfs = card->total_vfs;
    info->enabled_vfs = pci_dev->exp.sriov_cap ? pcie_sriov_num_vfs(pci_dev)
                                               : 0;
    for (uint32_t port = 0; port < nswitch_port_count(nswitch_nic_core(card));
         port++) {
        QAPI_LIST_APPEND(ports, port_info(card, port));
    }
    info->paths = path_counters(card);
    info->buffered = nswitch_datapath_buffered(card->datapath);
    info->buffer_size = card->buffer_size;
    add_relay_table(card, info);
    add_acl(card, info);
    info->mirror = mirror_info(card);
    info->capture =
        nswitch_capture_info(nswitch_datapath_capture(card->datapath));
    return info;
}

static void append_card_info(NSwitchNic *card, void *opaque)
{
    NSwitchCardInfoList ***tail = opaque;

    QAPI_LIST_APPEND(*tail, card_info(card));
}

NSwitchCardInfoList *qmp_query_nswitch(Error **errp)
{
    NSwitchCardInfoList *head = NULL, **tail = &head;

    nswitch_nic_foreach(append_card_info, &tail);
    return head;
}

static void append_drops(GString *text, NSwitchDropStats *stats)
{
    uint64_t counts[NSWITCH_DROP__MAX];
    bool any = false;

    drop_counts(stats, counts);
    for (NSwitchDropReason reason = 0; reason < NSWITCH_DROP__MAX; reason++) {
        if (counts[reason]) {
            g_string_append_printf(text, "%s%" PRIu64 " %s", any ? ", " : "",
                                   counts[reason],
                                   nswitch_drop_reason_name(reason));
            any = true;
        }
    }
    if (!any) {
        g_string_append(text, "none");
    }
}

/* What differs from a function's defaults, e.g. "vlan 10 qos 3". */
static void append_policy(GString *text, const char *kind,
                          const NSwitchPolicyInfo *p)
{
    GString *line = g_string_new("");

    if (p->mac_pinned) {
        g_string_append(line, ", mac pinned");
    }
    if (p->vlan) {
        g_string_append_printf(line, ", vlan %u qos %u", p->vlan, p->qos);
    }
    if (!p->spoofchk) {
        g_string_append(line, ", spoofchk off");
    }
    if (p->trust) {
        g_string_append(line, ", trusted");
    }
    if (p->has_link_state && p->link_state != NSWITCH_LINK_STATE_AUTO) {
        g_string_append_printf(line, ", link %s",
                               NSwitchLinkState_str(p->link_state));
    }
    if (!p->link_up) {
        g_string_append(line, ", link down");
    }
    if (p->max_tx_rate) {
        g_string_append_printf(line, ", max tx rate %u Mbit/s",
                               p->max_tx_rate);
    }
    if (line->len) {
        g_string_append_printf(text, "  %s policy: %s\n", kind, line->str + 2);
    }
    g_string_free(line, true);
}

static void append_acl_and_monitoring(GString *text,
                                      const NSwitchCardInfo *card)
{
    for (NSwitchAclRuleInfoList *r = card->acl; r; r = r->next) {
        const NSwitchAclRuleInfo *rule = r->value;

        g_string_append_printf(text, "  acl rule %u: %s src %s dst %s",
                               rule->rule,
                               NSwitchRuleAction_str(rule->action),
                               rule->src ? rule->src : "any",
                               rule->dst ? rule->dst : "any");
        if (rule->has_vlan) {
            g_string_append_printf(text, " vlan %u", rule->vlan);
        }
        if (rule->has_ethertype) {
            g_string_append_printf(text, " ethertype 0x%04x",
                                   rule->ethertype);
        }
        g_string_append_printf(text, ": %" PRIu64 " hits\n", rule->hits);
    }
    if (card->mirror) {
        g_string_append_printf(text, "  mirror to vf%u of ",
                               card->mirror->monitor_vf);
        if (card->mirror->has_vf) {
            g_string_append_printf(text, "vf%u\n", card->mirror->vf);
        } else {
            g_string_append_printf(text, "%s\n", card->mirror->group
                                   ? card->mirror->group : "all frames");
        }
    }
    if (card->capture) {
        g_string_append_printf(text, "  capture to %s: %" PRIu64 " frames, %"
                               PRIu64 " lost\n", card->capture->file,
                               card->capture->frames, card->capture->lost);
    }
}

static void append_card(GString *text, const NSwitchCardInfo *card)
{
    unsigned hidden = 0;

    g_string_append_printf(text, "nswitch-nic %s (%s): PF %u, OUI %s, "
                           "%u of %u VFs enabled, mode %s",
                           card->id ? card->id : "-", card->qom_path,
                           card->pf_number, card->oui, card->enabled_vfs,
                           card->total_vfs, NSwitchCardMode_str(card->mode));
    if (card->card_ports > 1) {
        g_string_append_printf(text, ", port %u of %u of card %s, "
                               "inter-port relay %s", card->pf_number,
                               card->card_ports,
                               card->card ? card->card : "-",
                               card->inter_port_relay ? "on" : "off");
    }
    if (card->uplink_speed) {
        g_string_append_printf(text, ", uplink %u Mbit/s", card->uplink_speed);
    }
    g_string_append(text, "\n");
    g_string_append_printf(text, "  %4s %-6s %-17s %-8s %10s %12s %10s %12s "
                           "%8s\n", "port", "kind", "mac", "group",
                           "rx frames", "rx bytes", "tx frames", "tx bytes",
                           "dropped");
    for (NSwitchPortStatsList *p = card->ports; p; p = p->next) {
        const NSwitchPortStats *port = p->value;
        uint64_t drops[NSWITCH_DROP__MAX];
        g_autofree char *kind = port->has_vf
            ? g_strdup_printf("vf%u", port->vf)
            : g_strdup(NSwitchPortType_str(port->kind));

        if (!port->attached) {
            hidden++;
            continue;
        }
        g_string_append_printf(text, "  %4u %-6s %-17s %-8s %10" PRIu64
                               " %12" PRIu64 " %10" PRIu64 " %12" PRIu64
                               " %8" PRIu64 "\n", port->port, kind,
                               port->mac ? port->mac : "-",
                               port->group ? port->group : "-",
                               port->rx_frames, port->rx_bytes,
                               port->tx_frames, port->tx_bytes,
                               drop_counts(port->dropped, drops));
    }
    if (hidden) {
        g_string_append_printf(text, "  (%u disabled VFs not shown)\n", hidden);
    }
    for (NSwitchPortStatsList *p = card->ports; p; p = p->next) {
        g_autofree char *kind = p->value->has_vf
            ? g_strdup_printf("vf%u", p->value->vf) : g_strdup("pf");

        if (p->value->policy) {
            append_policy(text, kind, p->value->policy);
        }
    }
    g_string_append_printf(text, "  paths: %" PRIu64 " hairpinned, %" PRIu64
                           " to uplink (%" PRIu64 " unknown unicast), %"
                           PRIu64 " from uplink, %" PRIu64 " flooded, ",
                           card->paths->hairpinned, card->paths->to_uplink,
                           card->paths->unknown_unicast,
                           card->paths->from_uplink, card->paths->flooded);
    if (card->card_ports > 1) {
        g_string_append_printf(text, "%" PRIu64 " inter-port, ",
                               card->paths->inter_port);
    }
    g_string_append_printf(text, "%" PRIu64 " mirrored; %" PRIu64
                           " replicas, %" PRIu64 " segments\n",
                           card->paths->mirrored, card->paths->replicas,
                           card->paths->segments);
    g_string_append(text, "  dropped: ");
    append_drops(text, card->paths->dropped);
    g_string_append_printf(text, "\n  relay table (%zu of %u entries):\n",
                           (size_t)QAPI_LIST_LENGTH(card->relay_table),
                           card->relay_capacity);
    for (NSwitchRelayTableEntryList *e = card->relay_table; e; e = e->next) {
        g_string_append_printf(text, "    %s -> port %u (group %s%s)\n",
                               e->value->mac, e->value->port,
                               e->value->group,
                               e->value->q_static ? ", static" : "");
    }
    g_string_append(text, "  relay groups:");
    for (NSwitchRelayGroupInfoList *g = card->relay_groups; g; g = g->next) {
        g_string_append_printf(text, " %s (%u member%s%s)", g->value->oui,
                               g->value->members,
                               g->value->members == 1 ? "" : "s",
                               g->value->pinned ? ", pinned" : "");
    }
    g_string_append(text, "\n");
    append_acl_and_monitoring(text, card);
}

HumanReadableText *qmp_x_query_nswitch(Error **errp)
{
    g_autoptr(GString) text = g_string_new("");
    NSwitchCardInfoList *cards = qmp_query_nswitch(errp);

    if (!cards) {
        g_string_append(text, "no nswitch-nic card\n");
    }
    for (NSwitchCardInfoList *card = cards; card; card = card->next) {
        append_card(text, card->value);
    }
    qapi_free_NSwitchCardInfoList(cards);
    return human_readable_text_from_str(text);
}
