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
#include "nswitch-function.h"
#include "nswitch-sriov.h"

/* A relay table entry as it travels in the migration stream. */
typedef struct MigratedEntry {
    uint8_t mac[NSWITCH_MAC_LEN];
    uint32_t port;
    bool is_static;         /* not the port's own MAC */
} MigratedEntry;

/* An ACL rule as it travels in the migration stream. */
typedef struct MigratedRule {
    NSwitchAclMatch match;
    uint32_t id;
    uint32_t action;
    uint64_t hits;
} MigratedRule;

/*
 * The switch's state as it travels: filled from the core before a save,
 * and put back into it after a load.
 */
struct NSwitchNicMigration {
    NSwitchNic *card;
    uint32_t port_count;
    NSwitchPortCounters *ports;
    NSwitchPortPolicy *policies;
    uint8_t *links;                 /* VF link settings, by port number */
    NSwitchPathCounters paths;
    int32_t relay_count;
    MigratedEntry *relay;
    int32_t acl_count;
    MigratedRule *acl;
    uint32_t mirror_source;
    uint32_t mirror_monitor;
    uint32_t mirror_port;
    uint32_t mirror_oui;
    /* A multi-port card: its card port, and whether it relays to it. */
    NSwitchPortCounters card_port;
    bool inter_port_relay;
};

NSwitchNicMigration *nswitch_nic_migration_new(NSwitchNic *card,
                                               uint32_t port_count)
{
    NSwitchNicMigration *m = g_new0(NSwitchNicMigration, 1);

    m->card = card;
    m->port_count = port_count;
    m->ports = g_new0(NSwitchPortCounters, port_count);
    m->policies = g_new0(NSwitchPortPolicy, port_count);
    m->links = g_new0(uint8_t, port_count);
    return m;
}

void nswitch_nic_migration_free(NSwitchNicMigration *m)
{
    if (m) {
        g_free(m->ports);
        g_free(m->policies);
        g_free(m->links);
        g_free(m->relay);
        g_free(m->acl);
        g_free(m);
    }
}

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
        VMSTATE_UINT8_ARRAY(match.src, MigratedRule, ETH_ALEN),
        VMSTATE_UINT8_ARRAY(match.src_mask, MigratedRule, ETH_ALEN),
        VMSTATE_UINT8_ARRAY(match.dst, MigratedRule, ETH_ALEN),
        VMSTATE_UINT8_ARRAY(match.dst_mask, MigratedRule, ETH_ALEN),
        VMSTATE_BOOL(match.match_vlan, MigratedRule),
        VMSTATE_UINT16(match.vlan, MigratedRule),
        VMSTATE_BOOL(match.match_ethertype, MigratedRule),
        VMSTATE_UINT16(match.ethertype, MigratedRule),
        VMSTATE_UINT32(id, MigratedRule),
        VMSTATE_UINT32(action, MigratedRule),
        VMSTATE_UINT64(hits, MigratedRule),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_relay_entry = {
    .name = "nswitch-nic/relay-entry",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8_ARRAY(mac, MigratedEntry, NSWITCH_MAC_LEN),
        VMSTATE_UINT32(port, MigratedEntry),
        VMSTATE_BOOL(is_static, MigratedEntry),
        VMSTATE_END_OF_LIST()
    },
};

static void save_policies(NSwitchNicMigration *m, NSwitch *core)
{
    for (uint32_t port = 0; port < m->port_count; port++) {
        m->policies[port] = nswitch_port_info(core, port)->policy;
        m->links[port] = port >= NSWITCH_NIC_VF_PORT(0)
            ? nswitch_sriov_vf_link(m->card, port - NSWITCH_NIC_VF_PORT(0))
            : 0;
    }
}

static void save_acl_and_mirror(NSwitchNicMigration *m, NSwitch *core)
{
    NSwitchAcl *acl = nswitch_acl(core);
    const NSwitchMirror *mirror = nswitch_mirror(core);

    m->acl_count = nswitch_acl_count(acl);
    m->acl = g_new(MigratedRule, m->acl_count);
    for (int32_t i = 0; i < m->acl_count; i++) {
        const NSwitchAclRule *rule = nswitch_acl_rule(acl, i);

        m->acl[i] = (MigratedRule) {
            .match = rule->match, .id = rule->id, .action = rule->action,
            .hits = rule->hits,
        };
    }
    m->mirror_source = mirror->selection.select;
    m->mirror_monitor = mirror->monitor_port;
    m->mirror_port = mirror->selection.port;
    m->mirror_oui = mirror->selection.oui;
}

static void save_relay_table(NSwitchNicMigration *m, NSwitch *core)
{
    const NSwitchRelayTable *relay = nswitch_relay_table(core);

    m->relay_count = nswitch_relay_table_count(relay);
    m->relay = g_new(MigratedEntry, m->relay_count);
    for (int32_t i = 0; i < m->relay_count; i++) {
        const NSwitchRelayEntry *entry = nswitch_relay_table_entry(relay, i);

        memcpy(m->relay[i].mac, entry->mac, NSWITCH_MAC_LEN);
        m->relay[i].port = entry->port;
        m->relay[i].is_static = nswitch_entry_is_static(core, entry);
    }
}

static int nswitch_nic_pre_save(void *opaque)
{
    NSwitchNic *nic = opaque;
    NSwitchNicMigration *m = nic->migration;
    NSwitch *core = nswitch_datapath_core(nic->datapath);

    m->paths = *nswitch_path_counters(core);
    for (uint32_t port = 0; port < m->port_count; port++) {
        uint32_t held = nswitch_datapath_held(nic->datapath, port);

        m->ports[port] = nswitch_port_info(core, port)->counters;
        m->ports[port].dropped[NSWITCH_DROP_MIGRATED] += held;
        m->paths.dropped[NSWITCH_DROP_MIGRATED] += held;
    }
    save_policies(m, core);
    save_acl_and_mirror(m, core);
    save_relay_table(m, core);
    if (nswitch_card_port(core) != NSWITCH_RELAY_NONE) {
        m->card_port = nswitch_port_info(core,
                                         nswitch_card_port(core))->counters;
        m->inter_port_relay = nswitch_inter_port_relay(core);
    }
    return 0;
}

static int nswitch_nic_post_save(void *opaque)
{
    NSwitchNic *nic = opaque;

    g_clear_pointer(&nic->migration->relay, g_free);
    g_clear_pointer(&nic->migration->acl, g_free);
    return 0;
}

static bool acl_count_fits(void *opaque, int version_id)
{
    NSwitchNicMigration *m = opaque;

    NSwitch *core = nswitch_datapath_core(m->card->datapath);

    return m->acl_count >= 0 &&
           m->acl_count <= nswitch_acl_capacity(nswitch_acl(core));
}

static bool relay_count_fits(void *opaque, int version_id)
{
    NSwitchNicMigration *m = opaque;

    NSwitch *core = nswitch_datapath_core(m->card->datapath);

    return m->relay_count >= 0 &&
           m->relay_count <=
           nswitch_relay_table_capacity(nswitch_relay_table(core));
}

static bool is_vf_port(const NSwitchNicMigration *m, uint32_t port)
{
    return port >= NSWITCH_NIC_VF_PORT(0) && port < m->port_count;
}

/* A VF's own MAC comes only for a VF the stream left enabled. */
static bool vf_may_attach(NSwitchNic *nic, uint32_t port)
{
    uint16_t vf = port - NSWITCH_NIC_VF_PORT(0);

    return !nic->vf_backends &&
           PCI_DEVICE(nic)->exp.sriov_pf.vf[vf]->enabled;
}

static NSwitchPortKind kind_of(uint32_t port)
{
    return port == NSWITCH_NIC_PF_PORT ? NSWITCH_PORT_PF : NSWITCH_PORT_VF;
}

static int restore_entry(NSwitchNicMigration *m, const MigratedEntry *entry)
{
    NSwitch *core = nswitch_datapath_core(m->card->datapath);
    NSwitchRelayStatus status;

    if (entry->port < NSWITCH_NIC_PF_PORT || entry->port >= m->port_count) {
        status = NSWITCH_RELAY_NOT_A_FUNCTION;
    } else if (entry->is_static) {
        status = nswitch_add_static_entry(core, entry->mac, entry->port);
    } else if (is_vf_port(m, entry->port) &&
               !vf_may_attach(m->card, entry->port)) {
        error_report("nswitch-nic: migrated relay entry for VF %u, which is "
                     "not on the switch", entry->port - NSWITCH_NIC_VF_PORT(0));
        return -EINVAL;
    } else {
        status = nswitch_port_attach(core, entry->port, kind_of(entry->port),
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
static int attach_missing_functions(NSwitchNicMigration *m)
{
    NSwitch *core = nswitch_datapath_core(m->card->datapath);

    for (uint32_t port = NSWITCH_NIC_PF_PORT; port < m->port_count; port++) {
        const uint8_t *mac;
        NSwitchRelayStatus status;

        if (nswitch_port_info(core, port)->attached ||
            (is_vf_port(m, port) && !vf_may_attach(m->card, port))) {
            continue;
        }
        mac = nswitch_function_mac(nswitch_sriov_function_net(m->card, port));
        status = nswitch_port_attach(core, port, kind_of(port), mac);
        if (status != NSWITCH_RELAY_OK) {
            error_report("nswitch-nic: the migrated relay table has no entry "
                         "for port %u, and its MAC cannot be added: %s", port,
                         nswitch_relay_status_message(status));
            return -EINVAL;
        }
    }
    return 0;
}

static int restore_relay_table(NSwitchNicMigration *m)
{
    int ret = 0;

    /* The ports' own MACs first: attaching a port detaches it first. */
    for (int pass = 0; pass < 2 && !ret; pass++) {
        for (int32_t i = 0; i < m->relay_count && !ret; i++) {
            if (m->relay[i].is_static == (pass == 1)) {
                ret = restore_entry(m, &m->relay[i]);
            }
        }
        if (pass == 0 && !ret) {
            ret = attach_missing_functions(m);
        }
    }
    return ret;
}

static int restore_policies(NSwitchNicMigration *m)
{
    NSwitch *core = nswitch_datapath_core(m->card->datapath);
    uint64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

    for (uint32_t port = NSWITCH_NIC_PF_PORT; port < m->port_count; port++) {
        if (!nswitch_port_restore_policy(core, port, &m->policies[port],
                                         now)) {
            error_report("nswitch-nic: migrated policy of port %u is "
                         "malformed", port);
            return -EINVAL;
        }
        if (!is_vf_port(m, port)) {
            continue;
        }
        if (m->links[port] >= NSWITCH_LINK_STATE__MAX) {
            error_report("nswitch-nic: migrated link state of port %u is "
                         "malformed", port);
            return -EINVAL;
        }
        /* virtio-net's own link status came with its section. */
        nswitch_sriov_set_vf_link(m->card, port - NSWITCH_NIC_VF_PORT(0),
                                  m->links[port]);
    }
    return 0;
}

/* What QMP can set up: a VF monitor, of a VF, of a group or of all. */
static bool mirror_fits(const NSwitchNicMigration *m,
                        const NSwitchMirror *mirror)
{
    switch (mirror->selection.select) {
    case NSWITCH_SELECT_NONE:
        return true;
    case NSWITCH_SELECT_PORT:
        if (!is_vf_port(m, mirror->selection.port)) {
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
    return is_vf_port(m, mirror->monitor_port);
}

static int restore_acl_and_mirror(NSwitchNicMigration *m)
{
    NSwitch *core = nswitch_datapath_core(m->card->datapath);
    NSwitchAcl *acl = nswitch_acl(core);
    NSwitchMirror mirror = {
        .selection = {
            .select = m->mirror_source,
            .port = m->mirror_port,
            .oui = m->mirror_oui,
        },
        .monitor_port = m->mirror_monitor,
    };

    nswitch_acl_flush(acl);
    for (int32_t i = 0; i < m->acl_count; i++) {
        const MigratedRule *saved = &m->acl[i];
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
    if (!mirror_fits(m, &mirror) || !nswitch_set_mirror(core, &mirror)) {
        error_report("nswitch-nic: the migrated mirror does not fit this "
                     "card");
        return -EINVAL;
    }
    return 0;
}

static int nswitch_nic_post_load(void *opaque, int version_id)
{
    NSwitchNic *nic = opaque;
    NSwitchNicMigration *m = nic->migration;
    NSwitch *core = nswitch_datapath_core(nic->datapath);
    int ret;

    nswitch_flush(core);
    ret = restore_relay_table(m);
    for (uint32_t port = 0; port < m->port_count; port++) {
        nswitch_restore_port_counters(core, port, &m->ports[port]);
            }
    nswitch_restore_path_counters(core, &m->paths);
    if (nswitch_card_port(core) != NSWITCH_RELAY_NONE) {
        nswitch_restore_port_counters(core, nswitch_card_port(core),
                                      &m->card_port);
        nswitch_set_inter_port_relay(core, m->inter_port_relay);
    }
    if (!ret) {
        ret = restore_policies(m);
    }
    if (!ret) {
        ret = restore_acl_and_mirror(m);
    }
    g_clear_pointer(&m->relay, g_free);
    g_clear_pointer(&m->acl, g_free);
    return ret;
}

static bool has_card_port(void *opaque)
{
    NSwitchNicMigration *m = opaque;

    return nswitch_card_port(nswitch_datapath_core(m->card->datapath)) !=
           NSWITCH_RELAY_NONE;
}

/*
 * Only a multi-port card has it, so that a single-port card's stream is
 * what it was; both ends have the same ports= (the PFs' sections check).
 */
static const VMStateDescription vmstate_card_port = {
    .name = "nswitch-nic/switch/card-port",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = has_card_port,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(card_port, NSwitchNicMigration, 1,
                       vmstate_port_counters, NSwitchPortCounters),
        VMSTATE_UINT64(paths.inter_port, NSwitchNicMigration),
        VMSTATE_BOOL(inter_port_relay, NSwitchNicMigration),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_switch_state = {
    .name = "nswitch-nic/switch",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32_EQUAL(port_count, NSwitchNicMigration,
                             "the destination's nswitch-nic has another vfs="),
        VMSTATE_STRUCT_VARRAY_POINTER_UINT32(ports, NSwitchNicMigration,
                                             port_count, vmstate_port_counters,
                                             NSwitchPortCounters),
        VMSTATE_STRUCT(paths, NSwitchNicMigration, 1, vmstate_path_counters,
                       NSwitchPathCounters),
        VMSTATE_INT32(relay_count, NSwitchNicMigration),
        VMSTATE_VALIDATE("relay table fits", relay_count_fits),
        VMSTATE_STRUCT_VARRAY_ALLOC(relay, NSwitchNicMigration, relay_count, 1,
                                    vmstate_relay_entry, MigratedEntry),
        VMSTATE_STRUCT_VARRAY_POINTER_UINT32(policies, NSwitchNicMigration,
                                             port_count, vmstate_port_policy,
                                             NSwitchPortPolicy),
        VMSTATE_VBUFFER_UINT32(links, NSwitchNicMigration, 0, NULL,
                               port_count),
        VMSTATE_INT32(acl_count, NSwitchNicMigration),
        VMSTATE_VALIDATE("ACL fits", acl_count_fits),
        VMSTATE_STRUCT_VARRAY_ALLOC(acl, NSwitchNicMigration, acl_count, 1,
                                    vmstate_acl_rule, MigratedRule),
        VMSTATE_UINT32(mirror_source, NSwitchNicMigration),
        VMSTATE_UINT32(mirror_monitor, NSwitchNicMigration),
        VMSTATE_UINT32(mirror_port, NSwitchNicMigration),
        VMSTATE_UINT32(mirror_oui, NSwitchNicMigration),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_card_port,
        NULL
    },
};

/*
 * The card's section: the switch state as one struct, so that the stream
 * reads as it did when these fields lived in the card.
 */
const VMStateDescription vmstate_nswitch_nic = {
    .name = "nswitch-nic",
    .version_id = 3,
    .minimum_version_id = 3,
    .pre_save = nswitch_nic_pre_save,
    .post_save = nswitch_nic_post_save,
    .post_load = nswitch_nic_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT_POINTER(migration, NSwitchNic, vmstate_switch_state,
                               NSwitchNicMigration),
        VMSTATE_END_OF_LIST()
    },
};
