/*
 * nswitch-nic: the switch's state in the migration stream
 *
 * The PF's and VFs' PCI and virtio state travel in their virtio-net
 * sections, which load before this one: here come the relay table, the
 * functions' policies, the ACL, the mirror and every counter. post_load
 * rebuilds the core from them, after checking that each fits this card
 * as the stream left it (which VFs are enabled, in which mode): a stream
 * that does not fails the migration with an error. Frames the card holds
 * for receivers do not migrate; the destination counts them dropped as
 * migrated. A capture writes a file on the source host: it does not
 * migrate either.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/timer.h"
#include "hw/net/nswitch-nic.h"
#include "hw/pci/pcie_sriov.h"
#include "nswitch-datapath.h"

static const VMStateDescription vmstate_port_counters = {
    .name = "nswitch-nic/port-counters",
    .version_id = 2,
    .minimum_version_id = 2,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(rx_frames, NSwitchPortCounters),
        VMSTATE_UINT64(rx_bytes, NSwitchPortCounters),
        VMSTATE_UINT64(tx_frames, NSwitchPortCounters),
        VMSTATE_UINT64(tx_bytes, NSwitchPortCounters),
        VMSTATE_UINT64_ARRAY(dropped, NSwitchPortCounters, NSWITCH_DROP__MAX),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_path_counters = {
    .name = "nswitch-nic/path-counters",
    .version_id = 2,
    .minimum_version_id = 2,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(hairpinned, NSwitchPathCounters),
        VMSTATE_UINT64(to_uplink, NSwitchPathCounters),
        VMSTATE_UINT64(unknown_unicast, NSwitchPathCounters),
        VMSTATE_UINT64(from_uplink, NSwitchPathCounters),
        VMSTATE_UINT64(flooded, NSwitchPathCounters),
        VMSTATE_UINT64(mirrored, NSwitchPathCounters),
        VMSTATE_UINT64(replicas, NSwitchPathCounters),
        VMSTATE_UINT64(segments, NSwitchPathCounters),
        VMSTATE_UINT64_ARRAY(dropped, NSwitchPathCounters, NSWITCH_DROP__MAX),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_port_policy = {
    .name = "nswitch-nic/port-policy",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_BOOL(spoof_check, NSwitchPortPolicy),
        VMSTATE_BOOL(trusted, NSwitchPortPolicy),
        VMSTATE_BOOL(mac_pinned, NSwitchPortPolicy),
        VMSTATE_BOOL(link_up, NSwitchPortPolicy),
        VMSTATE_UINT16(vlan, NSwitchPortPolicy),
        VMSTATE_UINT8(qos, NSwitchPortPolicy),
        VMSTATE_UINT64(max_tx_rate_bps, NSwitchPortPolicy),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_acl_rule = {
    .name = "nswitch-nic/acl-rule",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8_ARRAY(match.src, NSwitchNicMigratedRule, ETH_ALEN),
        VMSTATE_UINT8_ARRAY(match.src_mask, NSwitchNicMigratedRule, ETH_ALEN),
        VMSTATE_UINT8_ARRAY(match.dst, NSwitchNicMigratedRule, ETH_ALEN),
        VMSTATE_UINT8_ARRAY(match.dst_mask, NSwitchNicMigratedRule, ETH_ALEN),
        VMSTATE_BOOL(match.match_vlan, NSwitchNicMigratedRule),
        VMSTATE_UINT16(match.vlan, NSwitchNicMigratedRule),
        VMSTATE_BOOL(match.match_ethertype, NSwitchNicMigratedRule),
        VMSTATE_UINT16(match.ethertype, NSwitchNicMigratedRule),
        VMSTATE_UINT32(id, NSwitchNicMigratedRule),
        VMSTATE_UINT32(action, NSwitchNicMigratedRule),
        VMSTATE_UINT64(hits, NSwitchNicMigratedRule),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_relay_entry = {
    .name = "nswitch-nic/relay-entry",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8_ARRAY(mac, NSwitchNicMigratedEntry, NSWITCH_MAC_LEN),
        VMSTATE_UINT32(port, NSwitchNicMigratedEntry),
        VMSTATE_BOOL(is_static, NSwitchNicMigratedEntry),
        VMSTATE_END_OF_LIST()
    },
};

static void save_policies(NSwitchNic *nic)
{
    for (uint32_t port = 0; port < nic->port_count; port++) {
        nic->migrated_policies[port] =
            nswitch_port_info(nic->core, port)->policy;
        nic->migrated_links[port] = port >= NSWITCH_NIC_VF_PORT(0)
            ? nic->vf_link[port - NSWITCH_NIC_VF_PORT(0)] : 0;
    }
}

static void save_acl_and_mirror(NSwitchNic *nic)
{
    NSwitchAcl *acl = nswitch_acl(nic->core);
    const NSwitchMirror *mirror = nswitch_mirror(nic->core);

    nic->migrated_acl_count = nswitch_acl_count(acl);
    nic->migrated_acl = g_new(NSwitchNicMigratedRule,
                              nic->migrated_acl_count);
    for (int32_t i = 0; i < nic->migrated_acl_count; i++) {
        const NSwitchAclRule *rule = nswitch_acl_rule(acl, i);

        nic->migrated_acl[i] = (NSwitchNicMigratedRule) {
            .match = rule->match, .id = rule->id, .action = rule->action,
            .hits = rule->hits,
        };
    }
    nic->migrated_mirror_source = mirror->selection.select;
    nic->migrated_mirror_monitor = mirror->monitor_port;
    nic->migrated_mirror_port = mirror->selection.port;
    nic->migrated_mirror_oui = mirror->selection.oui;
}

static int nswitch_nic_pre_save(void *opaque)
{
    NSwitchNic *nic = opaque;
    const NSwitchRelayTable *relay = nswitch_relay_table(nic->core);

    nic->migrated_paths = *nswitch_path_counters(nic->core);
    for (uint32_t port = 0; port < nic->port_count; port++) {
        NSwitchPort *held_by = nswitch_datapath_port(nic->datapath, port);
        uint32_t held = held_by ? nswitch_port_held(held_by) : 0;

        nic->migrated_ports[port] =
            nswitch_port_info(nic->core, port)->counters;
        nic->migrated_ports[port].dropped[NSWITCH_DROP_MIGRATED] += held;
        nic->migrated_paths.dropped[NSWITCH_DROP_MIGRATED] += held;
    }
    save_policies(nic);
    save_acl_and_mirror(nic);
    nic->migrated_relay_count = nswitch_relay_table_count(relay);
    nic->migrated_relay = g_new(NSwitchNicMigratedEntry,
                                nic->migrated_relay_count);
    for (int32_t i = 0; i < nic->migrated_relay_count; i++) {
        const NSwitchRelayEntry *entry = nswitch_relay_table_entry(relay, i);

        memcpy(nic->migrated_relay[i].mac, entry->mac, NSWITCH_MAC_LEN);
        nic->migrated_relay[i].port = entry->port;
        nic->migrated_relay[i].is_static =
            nswitch_entry_is_static(nic->core, entry);
    }
    return 0;
}

static int nswitch_nic_post_save(void *opaque)
{
    NSwitchNic *nic = opaque;

    g_clear_pointer(&nic->migrated_relay, g_free);
    g_clear_pointer(&nic->migrated_acl, g_free);
    return 0;
}

static bool acl_count_fits(void *opaque, int version_id)
{
    NSwitchNic *nic = opaque;

    return nic->migrated_acl_count >= 0 &&
           nic->migrated_acl_count <=
           nswitch_acl_capacity(nswitch_acl(nic->core));
}

static bool relay_count_fits(void *opaque, int version_id)
{
    NSwitchNic *nic = opaque;

    return nic->migrated_relay_count >= 0 &&
           nic->migrated_relay_count <=
           nswitch_relay_table_capacity(nswitch_relay_table(nic->core));
}

/* A VF's own MAC comes only for a VF the stream left enabled. */
static bool vf_may_attach(NSwitchNic *nic, uint32_t port)
{
    uint16_t vf = port - NSWITCH_NIC_VF_PORT(0);

    return !nic->vf_backends &&
           PCI_DEVICE(nic)->exp.sriov_pf.vf[vf]->enabled;
}

static int restore_entry(NSwitchNic *nic, const NSwitchNicMigratedEntry *entry)
{
    NSwitchRelayStatus status;

    if (entry->port < NSWITCH_NIC_PF_PORT || entry->port >= nic->port_count) {
        status = NSWITCH_RELAY_NOT_A_FUNCTION;
    } else if (entry->is_static) {
        status = nswitch_add_static_entry(nic->core, entry->mac, entry->port);
    } else if (entry->port >= NSWITCH_NIC_VF_PORT(0) &&
               !vf_may_attach(nic, entry->port)) {
        error_report("nswitch-nic: migrated relay entry for VF %u, which is "
                     "not on the switch", entry->port - NSWITCH_NIC_VF_PORT(0));
        return -EINVAL;
    } else {
        status = nswitch_port_attach(nic->core, entry->port,
                                     entry->port == NSWITCH_NIC_PF_PORT
                                     ? NSWITCH_PORT_PF : NSWITCH_PORT_VF,
                                     entry->mac);
    }
    if (status != NSWITCH_RELAY_OK) {
        error_report("nswitch-nic: migrated relay entry for port %u: %s",
                     entry->port, nswitch_relay_status_message(status));
        return -EINVAL;
    }
    return 0;
}

/*
 * The functions the stream gave no entry: the PF is always on the
 * switch, and enabled VFs are, with the MACs their virtio-net has.
 */
static int attach_missing_functions(NSwitchNic *nic)
{
    for (uint32_t port = NSWITCH_NIC_PF_PORT; port < nic->port_count;
         port++) {
        bool is_pf = port == NSWITCH_NIC_PF_PORT;
        VirtIONet *net;
        NSwitchRelayStatus status;

        if (nswitch_port_info(nic->core, port)->attached ||
            (!is_pf && !vf_may_attach(nic, port))) {
            continue;
        }
        net = is_pf ? &nic->parent_obj.vdev
                    : nswitch_nic_vf_net(nic, port - NSWITCH_NIC_VF_PORT(0));
        status = nswitch_port_attach(nic->core, port,
                                     is_pf ? NSWITCH_PORT_PF : NSWITCH_PORT_VF,
                                     net->mac);
        if (status != NSWITCH_RELAY_OK) {
            error_report("nswitch-nic: the migrated relay table has no entry "
                         "for port %u, and its MAC cannot be added: %s", port,
                         nswitch_relay_status_message(status));
            return -EINVAL;
        }
    }
    return 0;
}

static int restore_policies(NSwitchNic *nic)
{
    uint64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

    for (uint32_t port = NSWITCH_NIC_PF_PORT; port < nic->port_count;
         port++) {
        if (!nswitch_port_restore_policy(nic->core, port,
                                         &nic->migrated_policies[port],
                                         now)) {
            error_report("nswitch-nic: migrated policy of port %u is "
                         "malformed", port);
            return -EINVAL;
        }
        if (port < NSWITCH_NIC_VF_PORT(0)) {
            continue;
        }
        if (nic->migrated_links[port] >= NSWITCH_LINK_STATE__MAX) {
            error_report("nswitch-nic: migrated link state of port %u is "
                         "malformed", port);
            return -EINVAL;
        }
        nic->vf_link[port - NSWITCH_NIC_VF_PORT(0)] =
            nic->migrated_links[port];
    }
    /* virtio-net's own link status came with its section. */
    nswitch_nic_apply_links(nic);
    return 0;
}

static bool is_vf_port(const NSwitchNic *nic, uint32_t port)
{
    return port >= NSWITCH_NIC_VF_PORT(0) && port < nic->port_count;
}

/* What QMP can set up: a VF monitor, of a VF, of a group or of all. */
static bool mirror_fits(const NSwitchNic *nic, const NSwitchMirror *mirror)
{
    switch (mirror->selection.select) {
    case NSWITCH_SELECT_NONE:
        return true;
    case NSWITCH_SELECT_PORT:
        if (!is_vf_port(nic, mirror->selection.port)) {
            return false;
        }
        break;
    case NSWITCH_SELECT_GROUP:
        if (mirror->selection.oui > 0xffffff) {
            return false;
        }
        break;
    case NSWITCH_SELECT_ALL:
        break;
    default:
        return false;
    }
    return is_vf_port(nic, mirror->monitor_port);
}

static int restore_acl_and_mirror(NSwitchNic *nic)
{
    NSwitchAcl *acl = nswitch_acl(nic->core);
    NSwitchMirror mirror = {
        .selection = {
            .select = nic->migrated_mirror_source,
            .port = nic->migrated_mirror_port,
            .oui = nic->migrated_mirror_oui,
        },
        .monitor_port = nic->migrated_mirror_monitor,
    };

    nswitch_acl_flush(acl);
    for (int32_t i = 0; i < nic->migrated_acl_count; i++) {
        const NSwitchNicMigratedRule *saved = &nic->migrated_acl[i];
        NSwitchAclRule rule = {
            .id = saved->id, .match = saved->match, .hits = saved->hits,
            .action = saved->action < NSWITCH_ACL__MAX ? saved->action
                                                       : NSWITCH_ACL__MAX,
        };
        NSwitchAclStatus status = nswitch_acl_restore(acl, &rule);

        if (status != NSWITCH_ACL_OK) {
            error_report("nswitch-nic: migrated ACL rule %u: %s", saved->id,
                         nswitch_acl_status_message(status));
            return -EINVAL;
        }
    }
    if (!mirror_fits(nic, &mirror) || !nswitch_set_mirror(nic->core, &mirror)) {
        error_report("nswitch-nic: the migrated mirror does not fit this "
                     "card");
        return -EINVAL;
    }
    return 0;
}

static int nswitch_nic_post_load(void *opaque, int version_id)
{
    NSwitchNic *nic = opaque;
    int ret = 0;

    nswitch_flush(nic->core);
    /* The ports' own MACs first: attaching a port detaches it first. */
    for (int pass = 0; pass < 2 && !ret; pass++) {
        for (int32_t i = 0; i < nic->migrated_relay_count && !ret; i++) {
            const NSwitchNicMigratedEntry *entry = &nic->migrated_relay[i];

            if (entry->is_static == (pass == 1)) {
                ret = restore_entry(nic, entry);
            }
        }
        if (pass == 0 && !ret) {
            ret = attach_missing_functions(nic);
        }
    }
    for (uint32_t port = 0; port < nic->port_count; port++) {
        nswitch_restore_port_counters(nic->core, port,
                                      &nic->migrated_ports[port]);
    }
    nswitch_restore_path_counters(nic->core, &nic->migrated_paths);
    g_clear_pointer(&nic->migrated_relay, g_free);
    if (!ret) {
        ret = restore_policies(nic);
    }
    if (!ret) {
        ret = restore_acl_and_mirror(nic);
    }
    g_clear_pointer(&nic->migrated_acl, g_free);
    return ret;
}

const VMStateDescription vmstate_nswitch_nic = {
    .name = "nswitch-nic",
    .version_id = 3,
    .minimum_version_id = 3,
    .pre_save = nswitch_nic_pre_save,
    .post_save = nswitch_nic_post_save,
    .post_load = nswitch_nic_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32_EQUAL(port_count, NSwitchNic,
                             "the destination's nswitch-nic has another vfs="),
        VMSTATE_STRUCT_VARRAY_POINTER_UINT32(migrated_ports, NSwitchNic,
                                             port_count, vmstate_port_counters,
                                             NSwitchPortCounters),
        VMSTATE_STRUCT(migrated_paths, NSwitchNic, 1, vmstate_path_counters,
                       NSwitchPathCounters),
        VMSTATE_INT32(migrated_relay_count, NSwitchNic),
        VMSTATE_VALIDATE("relay table fits", relay_count_fits),
        VMSTATE_STRUCT_VARRAY_ALLOC(migrated_relay, NSwitchNic,
                                    migrated_relay_count, 1,
                                    vmstate_relay_entry,
                                    NSwitchNicMigratedEntry),
        VMSTATE_STRUCT_VARRAY_POINTER_UINT32(migrated_policies, NSwitchNic,
                                             port_count, vmstate_port_policy,
                                             NSwitchPortPolicy),
        VMSTATE_VBUFFER_UINT32(migrated_links, NSwitchNic, 0, NULL,
                               port_count),
        VMSTATE_INT32(migrated_acl_count, NSwitchNic),
        VMSTATE_VALIDATE("ACL fits", acl_count_fits),
        VMSTATE_STRUCT_VARRAY_ALLOC(migrated_acl, NSwitchNic,
                                    migrated_acl_count, 1, vmstate_acl_rule,
                                    NSwitchNicMigratedRule),
        VMSTATE_UINT32(migrated_mirror_source, NSwitchNic),
        VMSTATE_UINT32(migrated_mirror_monitor, NSwitchNic),
        VMSTATE_UINT32(migrated_mirror_port, NSwitchNic),
        VMSTATE_UINT32(migrated_mirror_oui, NSwitchNic),
        VMSTATE_END_OF_LIST()
    },
};
