/*
 * nswitch-nic: SR-IOV virtio-net NIC with an OUI-keyed in-card switch
 *
 * The PF is the non-transitional virtio-net PCI device with an SR-IOV
 * capability on top. Its netdev= is the card's uplink; the PF's own
 * virtio-net, each VF's and the uplink are ports of the switch, whose
 * decisions come from the QEMU-free core beside this file.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bitmap.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/timer.h"
#include "hw/net/nswitch-nic.h"
#include "hw/net/nswitch/switch.h"
#include "hw/pci/pcie_sriov.h"
#include "hw/pci/pci_bus.h"
#include "hw/qdev-properties.h"
#include "hw/virtio/virtio-net.h"
#include "qapi/error.h"
#include "nswitch-datapath.h"
#include "qemu-compat.h"
#include "nswitch-function.h"
#include "nswitch-sriov.h"
#include "trace.h"

/*
 * Locally administered (U/L bit set in the first byte), "n" for nSwitch;
 * the last byte tells PFs apart, so that no two get the same VF MACs.
 */
#define NSWITCH_NIC_DEFAULT_OUI_BASE 0x026e00u

/* Room for the functions' MACs and for static entries an admin adds. */
#define NSWITCH_NIC_RELAY_ENTRIES 4096
#define NSWITCH_NIC_RELAY_GROUPS 256

bool nswitch_nic_parse_oui(const char *text, uint32_t *oui)
{
    unsigned int bytes[3];
    int consumed = 0;

    if (sscanf(text, "%2x:%2x:%2x%n", &bytes[0], &bytes[1], &bytes[2],
               &consumed) != 3 || text[consumed] != '\0' || consumed != 8) {
        return false;
    }
    *oui = (bytes[0] << 16) | (bytes[1] << 8) | bytes[2];
    return true;
}

bool nswitch_nic_parse_mac(const char *text, uint8_t *mac)
{
    unsigned int bytes[ETH_ALEN];
    int consumed = 0;

    if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%n", &bytes[0], &bytes[1],
               &bytes[2], &bytes[3], &bytes[4], &bytes[5], &consumed) != 6 ||
        text[consumed] != '\0' || consumed != 17) {
        return false;
    }
    for (int i = 0; i < ETH_ALEN; i++) {
        mac[i] = bytes[i];
    }
    return true;
}

static bool nswitch_nic_parse_oui_property(const char *text, uint32_t *oui,
                                           Error **errp)
{
    if (!nswitch_nic_parse_oui(text, oui)) {
        error_setg(errp, "Property 'oui' must be three hex bytes such as "
                   "02:6e:00, not '%s'", text);
        return false;
    }
    if (*oui & 0x010000) {
        error_setg(errp, "Property 'oui' %s is a multicast prefix; VF MACs "
                   "built on it could not be assigned", text);
        return false;
    }
    return true;
}

typedef struct ForeachCard {
    void (*fn)(NSwitchNic *card, void *opaque);
    void *opaque;
} ForeachCard;

static int foreach_card(Object *obj, void *opaque)
{
    ForeachCard *each = opaque;

    if (object_dynamic_cast(obj, TYPE_NSWITCH_NIC) && DEVICE(obj)->realized) {
        each->fn(NSWITCH_NIC(obj), each->opaque);
    }
    return 0;
}

void nswitch_nic_foreach(void (*fn)(NSwitchNic *card, void *opaque),
                         void *opaque)
{
    ForeachCard each = { .fn = fn, .opaque = opaque };

    object_child_foreach_recursive(object_get_root(), foreach_card, &each);
}

typedef struct FindCard {
    const char *device;
    NSwitchNic *found;
} FindCard;

static void match_card(NSwitchNic *card, void *opaque)
{
    FindCard *find = opaque;
    g_autofree char *path = object_get_canonical_path(OBJECT(card));

    if (!g_strcmp0(DEVICE(card)->id, find->device) ||
        !strcmp(path, find->device)) {
        find->found = card;
    }
}

NSwitchNic *nswitch_nic_find(const char *device, Error **errp)
{
    FindCard find = { .device = device };

    nswitch_nic_foreach(match_card, &find);
    if (!find.found) {
        error_setg(errp, "no nswitch-nic with id or QOM path '%s'", device);
    }
    return find.found;
}

NSwitch *nswitch_nic_core(NSwitchNic *card)
{
    return nswitch_datapath_core(card->datapath);
}

NSwitchRelayStatus nswitch_nic_pin_vf_mac(NSwitchNic *card, uint16_t vf,
                                          const uint8_t *mac)
{
    NSwitchRelayStatus status;

    status = nswitch_port_pin_mac(nswitch_nic_core(card),
                                  NSWITCH_NIC_VF_PORT(vf), mac);
    if (status == NSWITCH_RELAY_OK) {
        nswitch_function_set_mac(nswitch_sriov_vf_net(card, vf), mac);
    }
    return status;
}

/* A function's receive filter, for the switch's rare questions. */
static bool function_promiscuous(void *opaque, uint32_t port)
{
    return nswitch_function_promiscuous(nswitch_sriov_function_net(opaque,
                                                                   port));
}

static bool function_subscribed(void *opaque, uint32_t port,
                                const uint8_t *mac)
{
    return nswitch_function_subscribed(nswitch_sriov_function_net(opaque, port),
                                       mac);
}

static const NSwitchRxModeOps function_rx_mode = {
    .promiscuous = function_promiscuous,
    .subscribed = function_subscribed,
};

static void mark_oui_used(NSwitchNic *card, void *opaque)
{
    unsigned long *used = opaque;

    if ((card->oui & ~0xffu) == NSWITCH_NIC_DEFAULT_OUI_BASE) {
        set_bit(card->oui & 0xff, used);
    }
}

/* The first OUI 02:6e:xx no other card of the machine uses. */
static bool nswitch_nic_pick_default_oui(NSwitchNic *nic, Error **errp)
{
    DECLARE_BITMAP(used, 256) = { 0 };
    unsigned long byte;

    nswitch_nic_foreach(mark_oui_used, used);
    byte = find_first_zero_bit(used, 256);
    if (byte >= 256) {
        error_setg(errp, "all 256 default OUIs 02:6e:xx are taken; set "
                   "Property 'oui'");
        return false;
    }
    nic->oui = NSWITCH_NIC_DEFAULT_OUI_BASE | byte;
    return true;
}

static void warn_if_oui_taken(NSwitchNic *card, void *opaque)
{
    NSwitchNic *nic = opaque;

    if (card != nic && card->oui == nic->oui &&
        card->pf_number == nic->pf_number) {
        warn_report("nswitch-nic: OUI %s is also the OUI of %s: their VFs "
                    "get the same MACs", nic->oui_property,
                    object_get_canonical_path(OBJECT(card)));
    }
}

/* vswitch mode: one free, non-NIC netdev for each VF, by id. */
static bool nswitch_nic_find_vf_backends(NSwitchNic *nic, Error **errp)
{
    g_auto(GStrv) ids = NULL;
    guint count;

    if (!nic->vf_netdevs_property) {
        error_setg(errp, "Property 'vf-netdevs' must name one netdev per VF "
                   "(id0:id1:...) in mode vswitch");
        return false;
    }
    ids = g_strsplit(nic->vf_netdevs_property, ":", -1);
    count = g_strv_length(ids);
    if (count != nic->total_vfs) {
        error_setg(errp, "Property 'vf-netdevs' names %u netdevs but vfs=%u",
                   count, nic->total_vfs);
        return false;
    }
    nic->vf_backends = g_new0(NetClientState *, count);
    for (guint i = 0; i < count; i++) {
        NetClientState *backend = qemu_find_netdev(ids[i]);

        if (!backend || backend->info->type == NET_CLIENT_DRIVER_NIC) {
            error_setg(errp, "Property 'vf-netdevs': no netdev '%s'", ids[i]);
            return false;
        }
        if (backend->peer) {
            error_setg(errp, "Property 'vf-netdevs': netdev '%s' is in use",
                       ids[i]);
            return false;
        }
        for (guint j = 0; j < i; j++) {
            if (nic->vf_backends[j] == backend) {
                error_setg(errp, "Property 'vf-netdevs' names '%s' twice",
                           ids[i]);
                return false;
            }
        }
        nic->vf_backends[i] = backend;
    }
    return true;
}

static bool nswitch_nic_check_properties(NSwitchNic *nic, Error **errp)
{
    uint16_t limit = nic->ari ? NSWITCH_NIC_MAX_VFS
                              : NSWITCH_NIC_MAX_VFS_WITHOUT_ARI;

    if (nic->mode == NSWITCH_CARD_MODE_VSWITCH) {
        if (!nswitch_nic_find_vf_backends(nic, errp)) {
            return false;
        }
    } else if (nic->vf_netdevs_property) {
        error_setg(errp, "Property 'vf-netdevs' is for mode vswitch only");
        return false;
    }
    if (nic->uplink_mbps > NSWITCH_TOKEN_BUCKET_MAX_RATE / 1000000) {
        error_setg(errp, "Property 'uplink-speed' is %u Mbit/s; at most %llu",
                   nic->uplink_mbps,
                   NSWITCH_TOKEN_BUCKET_MAX_RATE / 1000000);
        return false;
    }
    if (nic->rx_queue > NSWITCH_NIC_MAX_RX_QUEUE) {
        error_setg(errp, "Property 'rx-queue' is %u frames; at most %u",
                   nic->rx_queue, NSWITCH_NIC_MAX_RX_QUEUE);
        return false;
    }
    if (nic->buffer_size > NSWITCH_NIC_MAX_BUFFER_SIZE) {
        error_setg(errp, "Property 'buffer-size' is %" PRIu64 " bytes; at "
                   "most %" PRIu64 " (4G)", nic->buffer_size,
                   (uint64_t)NSWITCH_NIC_MAX_BUFFER_SIZE);
        return false;
    }
    if (nic->vf_vectors < NSWITCH_NIC_MIN_VF_VECTORS ||
        nic->vf_vectors > NSWITCH_NIC_MAX_VF_VECTORS) {
        error_setg(errp, "Property 'vf-vectors' is %u; a VF needs %u to %u",
                   nic->vf_vectors, NSWITCH_NIC_MIN_VF_VECTORS,
                   NSWITCH_NIC_MAX_VF_VECTORS);
        return false;
    }
    if (nic->total_vfs > limit) {
        error_setg(errp, "Property 'vfs' is %u but at most %u VFs fit %s",
                   nic->total_vfs, limit,
                   nic->ari ? "in one PCIe bus"
                            : "without ARI (set ari=on for up to 255)");
        return false;
    }
    if (!nic->oui_property) {
        return nswitch_nic_pick_default_oui(nic, errp);
    }
    if (!nswitch_nic_parse_oui_property(nic->oui_property, &nic->oui, errp)) {
        return false;
    }
    nswitch_nic_foreach(warn_if_oui_taken, nic);
    return true;
}

/* Each port of a card is a relay group of its own. */
static bool nswitch_nic_check_card_ouis(NSwitchNic *nic, Error **errp)
{
    for (uint8_t port = 0; port < nic->pf_number; port++) {
        NSwitchNic *other = nswitch_sriov_card_port(nic, port);

        if (other->oui == nic->oui) {
            error_setg(errp, "Property 'oui' is %02x:%02x:%02x, the OUI of "
                       "port %u of this card: each port is a relay group of "
                       "its own", nic->oui >> 16, (nic->oui >> 8) & 0xff,
                       nic->oui & 0xff, port);
            return false;
        }
    }
    return true;
}

/* OUI, PF number, then a 16-bit station number: 0 for the PF itself. */
static void nswitch_nic_mac_in_group(const NSwitchNic *card, uint16_t station,
                                     MACAddr *mac)
{
    mac->a[0] = card->oui >> 16;
    mac->a[1] = card->oui >> 8;
    mac->a[2] = card->oui;
    mac->a[3] = card->pf_number;
    mac->a[4] = station >> 8;
    mac->a[5] = station;
}

void nswitch_nic_vf_mac(const NSwitchNic *card, uint16_t vf, MACAddr *mac)
{
    nswitch_nic_mac_in_group(card, vf + 1, mac);
}

/* How the switch forwards: in vswitch mode it keeps the PF and uplink. */
static NSwitchMode core_mode(NSwitchCardMode mode)
{
    switch (mode) {
    case NSWITCH_CARD_MODE_VEB:
        return NSWITCH_MODE_VEB;
    case NSWITCH_CARD_MODE_VEPA:
        return NSWITCH_MODE_VEPA;
    default:
        return NSWITCH_MODE_NSWITCH;
    }
}

NetClientState *nswitch_nic_vf_peer(NSwitchNic *card, uint16_t vf)
{
    if (card->vf_backends) {
        return card->vf_backends[vf];
    }
    return nswitch_datapath_function_peer(card->datapath,
                                          NSWITCH_NIC_VF_PORT(vf));
}

void nswitch_nic_vf_realized(NSwitchNic *card, uint16_t vf)
{
    if (!card->vf_backends) {
        nswitch_datapath_serve_tx(card->datapath, NSWITCH_NIC_VF_PORT(vf));
    }
}

static char *nswitch_nic_port_name(DeviceState *dev, const char *what)
{
    /* NULL lets the net layer pick a unique name. */
    return dev->id ? g_strdup_printf("%s.%s", dev->id, what) : NULL;
}

static void nswitch_nic_destroy_switch(NSwitchNic *nic)
{
    g_clear_pointer(&nic->datapath, nswitch_datapath_free);
    g_clear_pointer(&nic->vf_link, g_free);
    g_clear_pointer(&nic->migration, nswitch_nic_migration_free);
    g_clear_pointer(&nic->vf_backends, g_free);
}

static void nswitch_nic_uplink_link_changed(void *opaque)
{
    nswitch_sriov_apply_links(opaque);
}

/* The switch and its PF and uplink ports; the VF ports come with VFs. */
static bool nswitch_nic_create_switch(NSwitchNic *nic, Error **errp)
{
    DeviceState *dev = DEVICE(nic);
    VirtIONet *net = &nic->parent_obj.vdev;
    g_autofree char *uplink_name = nswitch_nic_port_name(dev, "uplink");
    g_autofree char *pf_name = nswitch_nic_port_name(dev, "pf");
    uint32_t port_count = NSWITCH_NIC_VF_PORT(nic->total_vfs);
    bool multi_port = nic->card_ports > 1;
    NSwitchDatapathConfig config = {
        /* After the VFs, a multi-port card's switch has its card port. */
        .port_count = port_count + multi_port,
        .card_port = multi_port ? port_count : NSWITCH_RELAY_NONE,
        .uplink_port = NSWITCH_NIC_UPLINK_PORT,
        .relay_entries = NSWITCH_NIC_RELAY_ENTRIES,
        .relay_groups = NSWITCH_NIC_RELAY_GROUPS,
        .rx_queue = nic->rx_queue, .buffer_size = nic->buffer_size,
        .direct_path = nic->direct_path,
        .uplink_link_changed = nswitch_nic_uplink_link_changed,
        .opaque = nic,
    };
    NetClientState *netdev, *pf;
    NSwitch *core;

    if (!nswitch_function_user_netdev(net, &netdev, errp)) {
        return false;
    }
    nic->datapath = nswitch_datapath_new(&config);
    if (!nic->datapath) {
        error_setg(errp, "cannot create the switch of %u ports", port_count);
        return false;
    }
    core = nswitch_datapath_core(nic->datapath);
    nswitch_pin_group(core, nic->oui);
    nswitch_set_mode(core, core_mode(nic->mode));
    nswitch_set_rx_mode_ops(core, &function_rx_mode, nic);
    nswitch_set_uplink_rate(core, nic->uplink_mbps * 1000000ull,
                            qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
    nswitch_set_inter_port_relay(core, nic->inter_port_relay);
    nic->vf_link = g_new0(NSwitchLinkState, nic->total_vfs);
    nic->migration = nswitch_nic_migration_new(nic, port_count);
    /* Without a netdev the uplink is an unplugged cable: no port. */
    if (netdev) {
        nswitch_datapath_add_uplink(nic->datapath, netdev, uplink_name);
    }
    /* The PF's virtio-net talks to its switch port, not to the netdev. */
    pf = nswitch_datapath_add_function(nic->datapath, NSWITCH_NIC_PF_PORT,
                                       pf_name);
    nswitch_function_connect(net, pf);
    return true;
}

/* The switches of a card's ports relay between each other inside it. */
static void nswitch_nic_link_card_ports(NSwitchNic *nic)
{
    for (uint8_t port = 0; port < nic->card_ports; port++) {
        NSwitchNic *other = port == nic->pf_number
                            ? NULL : nswitch_sriov_card_port(nic, port);

        if (other) {
            nswitch_datapath_link(nic->datapath, nic->oui, other->datapath,
                                  other->oui);
        }
    }
}

static void nswitch_nic_realize(DeviceState *dev, Error **errp)
{
    NSwitchNic *nic = NSWITCH_NIC(dev);
    NSwitchNicClass *nc = NSWITCH_NIC_GET_CLASS(dev);
    VirtIONet *net = &nic->parent_obj.vdev;
    BusState *bus = qdev_get_parent_bus(dev);
    NSwitchRelayStatus status;
    MACAddr mac;
    ERRP_GUARD();

    if (!nswitch_sriov_join_card(nic, errp) ||
        !nswitch_nic_check_properties(nic, errp) ||
        !nswitch_nic_check_card_ouis(nic, errp)) {
        g_clear_pointer(&nic->vf_backends, g_free);
        return;
    }
    if (nic->total_vfs && (!pci_bus_is_express(PCI_BUS(bus)) ||
                           pci_bus_is_root(PCI_BUS(bus)))) {
        error_setg(errp, "nswitch-nic with VFs needs a PCI Express port: "
                   "plug it into a pcie-root-port (or set vfs=0)");
        return;
    }
    nswitch_nic_mac_in_group(nic, 0, &mac);
    nswitch_function_default_mac(net, &mac);
    if (!nswitch_nic_create_switch(nic, errp)) {
        nswitch_nic_destroy_switch(nic);
        return;
    }
    nc->parent_realize(dev, errp);
    if (*errp) {
        nswitch_nic_destroy_switch(nic);
        return;
    }
    nswitch_datapath_serve_tx(nic->datapath, NSWITCH_NIC_PF_PORT);
    if (nic->total_vfs && !nswitch_sriov_init(nic, errp)) {
        nc->parent_unrealize(dev);
        nswitch_nic_destroy_switch(nic);
        return;
    }
    status = nswitch_port_attach(nswitch_nic_core(nic), NSWITCH_NIC_PF_PORT,
                                 NSWITCH_PORT_PF, nswitch_function_mac(net));
    if (status != NSWITCH_RELAY_OK) {
        error_setg(errp, "Property 'mac': %s",
                   nswitch_relay_status_message(status));
        nswitch_sriov_exit(nic);
        nc->parent_unrealize(dev);
        nswitch_nic_destroy_switch(nic);
        return;
    }
    nswitch_sriov_watch_config(nic);
    nswitch_nic_link_card_ports(nic);
    nswitch_sriov_watch_card(nic);
    trace_nswitch_nic_realize(nic->total_vfs, nic->ari, nic->oui);
}

static void nswitch_nic_unrealize(DeviceState *dev)
{
    NSwitchNic *nic = NSWITCH_NIC(dev);
    NSwitchNicClass *nc = NSWITCH_NIC_GET_CLASS(dev);

    nswitch_sriov_exit(nic);
    nc->parent_unrealize(dev);
    nswitch_nic_destroy_switch(nic);
}

/*
 * After a reset the VFs are off, the functions have their own MACs, and
 * nothing the card held for the PF's old rings is delivered.
 */
static void nswitch_nic_reset_exit(Object *obj, ResetType type)
{
    NSwitchNicClass *nc = NSWITCH_NIC_GET_CLASS(obj);
    NSwitchNic *nic = NSWITCH_NIC(obj);

    if (nc->parent_phases.exit) {
        nc->parent_phases.exit(obj, type);
    }
    nswitch_datapath_purge(nic->datapath, NSWITCH_NIC_PF_PORT);
    nswitch_port_set_mac(nswitch_nic_core(nic), NSWITCH_NIC_PF_PORT,
                         nswitch_function_mac(&nic->parent_obj.vdev));
    nswitch_sriov_sync_vfs(nic);
}

static const Property nswitch_nic_properties[] = {
    DEFINE_PROP_UINT16("vfs", NSwitchNic, total_vfs,
                       NSWITCH_NIC_MAX_VFS_WITHOUT_ARI),
    DEFINE_PROP_BOOL("ari", NSwitchNic, ari, false),
    DEFINE_PROP_UINT8("ports", NSwitchNic, ports, 1),
    DEFINE_PROP_STRING("oui", NSwitchNic, oui_property),
    DEFINE_PROP_STRING("vf-netdevs", NSwitchNic, vf_netdevs_property),
    DEFINE_PROP_UINT32("uplink-speed", NSwitchNic, uplink_mbps, 0),
    DEFINE_PROP_UINT32("rx-queue", NSwitchNic, rx_queue,
                       NSWITCH_NIC_DEFAULT_RX_QUEUE),
    DEFINE_PROP_SIZE("buffer-size", NSwitchNic, buffer_size,
                     NSWITCH_NIC_DEFAULT_BUFFER_SIZE),
    DEFINE_PROP_BOOL("inter-port-relay", NSwitchNic, inter_port_relay, true),
    /* off: every frame through virtio-net's own path, for comparison */
    DEFINE_PROP_BOOL("x-direct-path", NSwitchNic, direct_path, true),
    DEFINE_PROP_UINT32("vf-vectors", NSwitchNic, vf_vectors,
                       NSWITCH_NIC_DEFAULT_VF_VECTORS),
};

static int nswitch_nic_get_mode(Object *obj, Error **errp)
{
    return NSWITCH_NIC(obj)->mode;
}

static void nswitch_nic_set_mode(Object *obj, int mode, Error **errp)
{
    if (DEVICE(obj)->realized) {
        error_setg(errp, "Property 'mode' cannot change after realize");
        return;
    }
    NSWITCH_NIC(obj)->mode = mode;
}

static void nswitch_nic_class_init(ObjectClass *klass, NSwitchClassData *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);
    NSwitchNicClass *nc = NSWITCH_NIC_CLASS(klass);
    ObjectProperty *mode;

    dc->desc = "SR-IOV virtio-net NIC with an OUI relay switch (nSwitch)";
    dc->vmsd = &vmstate_nswitch_nic;
    device_class_set_props(dc, nswitch_nic_properties);
    /* A QAPI enum: help lists its type, and QEMU checks the values. */
    mode = object_class_property_add_enum(klass, "mode", "NSwitchCardMode",
                                          &NSwitchCardMode_lookup,
                                          nswitch_nic_get_mode,
                                          nswitch_nic_set_mode);
    object_property_set_default_str(mode, "nswitch");
    object_class_property_set_description(klass, "vfs",
        "TotalVFs: VFs the guest may enable (at most 7 without ARI, 255 with)");
    object_class_property_set_description(klass, "ari",
        "Alternative Routing-ID Interpretation, needed for more than 7 VFs");
    object_class_property_set_description(klass, "ports",
        "PFs of the card, one per Ethernet port: this PF is port 0, and "
        "ports 1.. are the nswitch-nic PFs at functions 1.. of its slot");
    object_class_property_set_description(klass, "oui",
        "OUI of the relay group as xx:xx:xx (default: 02:6e:00, or the "
        "next 02:6e:xx no other nswitch-nic uses)");
    object_class_property_set_description(klass, "mode",
        "nswitch (OUI relay, default), veb (exact-MAC switching), vepa "
        "(everything through the uplink, reflected by the external switch) "
        "or vswitch (each VF on its own netdev, see vf-netdevs)");
    object_class_property_set_description(klass, "vf-netdevs",
        "vswitch mode: the netdevs of the VFs, id0:id1:..., one per VF");
    object_class_property_set_description(klass, "rx-queue",
        "Frames the card holds for a port whose receiver is busy (a full "
        "receive ring, a blocked uplink); 0: drop at once");
    object_class_property_set_description(klass, "buffer-size",
        "Bytes the card holds for all its receivers together (default 64M)");
    object_class_property_set_description(klass, "inter-port-relay",
        "Multi-port card: unicast from this port to a function of another "
        "port stays inside the card; off: it leaves by this "
        "port's uplink, as between two cards");
    object_class_property_set_description(klass, "vf-vectors",
        "MSI-X vectors of each VF: 3 (config, RX, TX), 2 (the queues share "
        "one: more VFs fit a guest's interrupt vectors) or 4");
    object_class_property_set_description(klass, "uplink-speed",
        "Cap on what crosses the uplink, both ways together, in Mbit/s "
        "(0: none)");
    device_class_set_parent_realize(dc, nswitch_nic_realize,
                                    &nc->parent_realize);
    device_class_set_parent_unrealize(dc, nswitch_nic_unrealize,
                                      &nc->parent_unrealize);
    resettable_class_set_parent_phases(rc, NULL, NULL, nswitch_nic_reset_exit,
                                       &nc->parent_phases);
}

static const TypeInfo nswitch_nic_types[] = {
    {
        .name = TYPE_NSWITCH_NIC,
        .parent = TYPE_VIRTIO_NET_PCI_NON_TRANSITIONAL,
        .instance_size = sizeof(NSwitchNic),
        .class_size = sizeof(NSwitchNicClass),
        .class_init = nswitch_nic_class_init,
    },
};

DEFINE_TYPES(nswitch_nic_types)
