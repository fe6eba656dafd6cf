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
#include "hw/pci/pcie.h"
#include "hw/pci/pcie_sriov.h"
#include "hw/pci/pci_bus.h"
#include "hw/qdev-properties.h"
#include "hw/virtio/virtio-net.h"
#include "qapi/error.h"
#include "standard-headers/linux/virtio_config.h"
#include "nswitch-datapath.h"
#include "nswitch-function.h"
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

VirtIONet *nswitch_nic_vf_net(NSwitchNic *card, uint16_t vf)
{
    PCIDevice *vf_dev = PCI_DEVICE(card)->exp.sriov_pf.vf[vf];

    return &NSWITCH_NIC_VF(vf_dev)->parent_obj.vdev;
}

NSwitchRelayStatus nswitch_nic_pin_vf_mac(NSwitchNic *card, uint16_t vf,
                                          const uint8_t *mac)
{
    NSwitchRelayStatus status;

    status = nswitch_port_pin_mac(card->core, NSWITCH_NIC_VF_PORT(vf), mac);
    if (status == NSWITCH_RELAY_OK) {
        nswitch_function_set_mac(nswitch_nic_vf_net(card, vf), mac);
    }
    return status;
}

static bool uplink_link_up(NSwitchNic *card)
{
    NSwitchPort *uplink = nswitch_datapath_port(card->datapath,
                                                NSWITCH_NIC_UPLINK_PORT);

    return !uplink || !uplink->nc.peer || !uplink->nc.peer->link_down;
}

void nswitch_nic_apply_links(NSwitchNic *card)
{
    bool uplink_up = uplink_link_up(card);

    if (card->vf_backends) {
        /* vswitch: each VF's link is its own netdev's. */
        return;
    }
    for (uint16_t vf = 0; vf < card->total_vfs; vf++) {
        NetClientState *nic = qemu_get_queue(nswitch_nic_vf_net(card, vf)->nic);
        bool up = card->vf_link[vf] == NSWITCH_LINK_STATE_ENABLE ||
                  (card->vf_link[vf] == NSWITCH_LINK_STATE_AUTO && uplink_up);

        nswitch_port_set_link(card->core, NSWITCH_NIC_VF_PORT(vf), up);
        if (nic->link_down == !up) {
            continue;
        }
        /* What set_link does: the guest sees the virtio-net status. */
        nic->link_down = !up;
        if (nic->info->link_status_changed) {
            nic->info->link_status_changed(nic);
        }
    }
}

/* A function's receive filter, for the switch's rare questions. */
static VirtIONet *function_net(NSwitchNic *card, uint32_t port)
{
    NSwitchPort *function = nswitch_datapath_port(card->datapath, port);

    return function ? nswitch_function_net(function->nc.peer) : NULL;
}

static bool function_promiscuous(void *opaque, uint32_t port)
{
    VirtIONet *net = function_net(opaque, port);

    return net && nswitch_function_promiscuous(net);
}

static bool function_subscribed(void *opaque, uint32_t port,
                                const uint8_t *mac)
{
    VirtIONet *net = function_net(opaque, port);

    return net && nswitch_function_subscribed(net, mac);
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

/* The PF number's OUI, or the next one no other PF of the machine uses. */
static bool nswitch_nic_pick_default_oui(NSwitchNic *nic, Error **errp)
{
    DECLARE_BITMAP(used, 256) = { 0 };
    unsigned long byte;

    nswitch_nic_foreach(mark_oui_used, used);
    byte = find_next_zero_bit(used, 256, nic->pf_number);
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

static bool nswitch_nic_parse_mode(NSwitchNic *nic, Error **errp)
{
    if (!nic->mode_property) {
        nic->mode = NSWITCH_MODE_NSWITCH;
        return true;
    }
    if (!strcmp(nic->mode_property, "vswitch")) {
        /* The switch keeps only the PF and the uplink: nswitch rules. */
        nic->mode = NSWITCH_MODE_NSWITCH;
        return nswitch_nic_find_vf_backends(nic, errp);
    }
    for (NSwitchMode mode = 0; mode < NSWITCH_MODE__MAX; mode++) {
        if (!strcmp(nic->mode_property, nswitch_mode_name(mode))) {
            nic->mode = mode;
            return true;
        }
    }
    error_setg(errp, "Property 'mode' must be nswitch, veb, vepa or vswitch, "
               "not '%s'", nic->mode_property);
    return false;
}

static bool nswitch_nic_check_properties(NSwitchNic *nic, Error **errp)
{
    uint16_t limit = nic->ari ? NSWITCH_NIC_MAX_VFS
                              : NSWITCH_NIC_MAX_VFS_WITHOUT_ARI;

    if (!nswitch_nic_parse_mode(nic, errp)) {
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

const char *nswitch_nic_mode_name(const NSwitchNic *card)
{
    return card->vf_backends ? "vswitch" : nswitch_mode_name(card->mode);
}

NetClientState *nswitch_nic_vf_peer(NSwitchNic *card, uint16_t vf)
{
    if (card->vf_backends) {
        return card->vf_backends[vf];
    }
    return &nswitch_datapath_port(card->datapath,
                                  NSWITCH_NIC_VF_PORT(vf))->nc;
}

static uint16_t ext_cap_size(uint16_t id)
{
    switch (id) {
    case PCI_EXT_CAP_ID_ERR:
        return PCI_ERR_SIZEOF;
    case PCI_EXT_CAP_ID_ATS:
        return PCI_EXT_CAP_ATS_SIZEOF;
    case PCI_EXT_CAP_ID_ARI:
        return PCI_ARI_SIZEOF;
    default:
        return 0;
    }
}

/*
 * virtio-pci puts its optional AER and ATS capabilities from 0x100 on and
 * has no hook for more: ours go after whatever it placed.
 */
bool nswitch_nic_next_ext_cap_offset(PCIDevice *dev, uint16_t *offset,
                                     Error **errp)
{
    uint16_t end = PCI_CONFIG_SPACE_SIZE;
    uint16_t at = PCI_CONFIG_SPACE_SIZE;
    uint32_t header;

    while (at && (header = pci_get_long(dev->config + at))) {
        uint16_t size = ext_cap_size(PCI_EXT_CAP_ID(header));

        if (!size) {
            error_setg(errp, "cannot place SR-IOV after extended capability "
                       "0x%x at 0x%x", PCI_EXT_CAP_ID(header), at);
            return false;
        }
        end = MAX(end, at + size);
        at = PCI_EXT_CAP_NEXT(header);
    }
    *offset = ROUND_UP(end, 4);
    return true;
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
    g_clear_pointer(&nic->migrated_ports, g_free);
    g_clear_pointer(&nic->migrated_policies, g_free);
    g_clear_pointer(&nic->migrated_links, g_free);
    g_clear_pointer(&nic->vf_backends, g_free);
    g_clear_pointer(&nic->core, nswitch_free);
}

static void nswitch_nic_uplink_link_changed(void *opaque)
{
    nswitch_nic_apply_links(opaque);
}

/* The switch and its PF and uplink ports; the VF ports come with VFs. */
static bool nswitch_nic_create_switch(NSwitchNic *nic, Error **errp)
{
    DeviceState *dev = DEVICE(nic);
    VirtIONet *net = &nic->parent_obj.vdev;
    NetClientState *backend = net->nic_conf.peers.ncs[0];
    g_autofree char *uplink_name = nswitch_nic_port_name(dev, "uplink");
    g_autofree char *pf_name = nswitch_nic_port_name(dev, "pf");
    NSwitchDatapathConfig config;
    NSwitchPort *pf;

    if (net->nic_conf.peers.queues > 1) {
        error_setg(errp, "Property 'netdev' names a multiqueue netdev; the "
                   "uplink takes a single-queue one");
        return false;
    }
    nic->port_count = NSWITCH_NIC_VF_PORT(nic->total_vfs);
    nic->core = nswitch_new(nic->port_count, NSWITCH_NIC_UPLINK_PORT,
                            NSWITCH_NIC_RELAY_ENTRIES,
                            NSWITCH_NIC_RELAY_GROUPS);
    if (!nic->core) {
        error_setg(errp, "cannot create the switch of %u ports",
                   nic->port_count);
        return false;
    }
    nswitch_pin_group(nic->core, nic->oui);
    nswitch_set_mode(nic->core, nic->mode);
    nswitch_set_rx_mode_ops(nic->core, &function_rx_mode, nic);
    nswitch_set_uplink_rate(nic->core, nic->uplink_mbps * 1000000ull,
                            qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
    nic->vf_link = g_new0(NSwitchLinkState, nic->total_vfs);
    nic->migrated_ports = g_new0(NSwitchPortCounters, nic->port_count);
    nic->migrated_policies = g_new0(NSwitchPortPolicy, nic->port_count);
    nic->migrated_links = g_new0(uint8_t, nic->port_count);
    config = (NSwitchDatapathConfig) {
        .core = nic->core, .port_count = nic->port_count,
        .rx_queue = nic->rx_queue, .buffer_size = nic->buffer_size,
        .uplink_link_changed = nswitch_nic_uplink_link_changed,
        .opaque = nic,
    };
    nic->datapath = nswitch_datapath_new(&config);
    /* Without a netdev the uplink is an unplugged cable: no port. */
    if (backend) {
        nswitch_datapath_add_uplink(nic->datapath, NSWITCH_NIC_UPLINK_PORT,
                                    backend, uplink_name);
    }
    pf = nswitch_datapath_add_function(nic->datapath, NSWITCH_NIC_PF_PORT,
                                       pf_name);
    /* The PF's virtio-net talks to its switch port, not to the netdev. */
    net->nic_conf.peers.ncs[0] = &pf->nc;
    net->nic_conf.peers.queues = 1;
    return true;
}

static bool nswitch_nic_check_vf_placement(PCIDevice *pci_dev,
                                           NSwitchNic *nic, Error **errp)
{
    if (PCI_FUNC(pci_dev->devfn) != 0 && !nic->ari) {
        error_setg(errp, "nswitch-nic with VFs must be function 0 of its "
                   "slot (addr=N.0): its VFs take the functions after it");
        return false;
    }
    if (pci_dev->devfn + nic->total_vfs > PCI_DEVFN_MAX - 1) {
        error_setg(errp, "Property 'vfs' is %u but only %u routing IDs "
                   "follow the PF at %02x.%x; put the PF at addr=0.0",
                   nic->total_vfs, PCI_DEVFN_MAX - 1 - pci_dev->devfn,
                   PCI_SLOT(pci_dev->devfn), PCI_FUNC(pci_dev->devfn));
        return false;
    }
    return true;
}

/* The SR-IOV VF BARs are exactly the BARs virtio-pci gave the first VF. */
static void nswitch_nic_declare_vf_bars(PCIDevice *pci_dev)
{
    PCIDevice *vf = pci_dev->exp.sriov_pf.vf[0];

    for (int bar = 0; bar < PCI_ROM_SLOT; bar++) {
        if (vf->io_regions[bar].size) {
            pcie_sriov_pf_init_vf_bar(pci_dev, bar, vf->io_regions[bar].type,
                                      vf->io_regions[bar].size);
        }
    }
}

static bool nswitch_nic_init_sriov(NSwitchNic *nic, Error **errp)
{
    PCIDevice *pci_dev = PCI_DEVICE(nic);
    VirtIODevice *vdev = VIRTIO_DEVICE(&nic->parent_obj.vdev);
    uint16_t offset;

    if (!nswitch_nic_check_vf_placement(pci_dev, nic, errp) ||
        !nswitch_nic_next_ext_cap_offset(pci_dev, &offset, errp)) {
        return false;
    }
    if (nic->ari) {
        pcie_ari_init(pci_dev, offset);
        offset += PCI_ARI_SIZEOF;
    }
    if (offset + PCI_EXT_CAP_SRIOV_SIZEOF > PCIE_CONFIG_SPACE_SIZE) {
        error_setg(errp, "no room for the SR-IOV capability at 0x%x", offset);
        return false;
    }
    for (uint16_t vf = 0; vf < nic->total_vfs; vf++) {
        g_autofree char *what = g_strdup_printf("vf%u", vf);
        g_autofree char *name = nswitch_nic_port_name(DEVICE(nic), what);

        nswitch_datapath_add_function(nic->datapath, NSWITCH_NIC_VF_PORT(vf),
                                      name);
    }
    if (!pcie_sriov_pf_init(pci_dev, offset, TYPE_NSWITCH_NIC_VF,
                            NSWITCH_NIC_VF_DEVICE_ID, nic->total_vfs,
                            nic->total_vfs, 1, 1, errp)) {
        return false;
    }
    nswitch_nic_declare_vf_bars(pci_dev);
    /*
     * QEMU never offers VIRTIO_F_SR_IOV; Linux keeps it only with the
     * capability present, and enables VFs once the PF driver is ready.
     */
    vdev->host_features |= 1ULL << VIRTIO_F_SR_IOV;
    return true;
}

/* Attaches enabled VFs to the switch and detaches disabled ones. */
static void nswitch_nic_sync_vf_ports(NSwitchNic *nic)
{
    PCIDevice *pci_dev = PCI_DEVICE(nic);

    for (uint16_t vf = 0; vf < nic->total_vfs; vf++) {
        PCIDevice *vf_dev = pci_dev->exp.sriov_pf.vf[vf];
        uint32_t port = NSWITCH_NIC_VF_PORT(vf);
        bool attached = nswitch_port_info(nic->core, port)->attached;
        NSwitchRelayStatus status;
        VirtIONet *vf_net;

        if (vf_dev->enabled == attached || nic->vf_backends) {
            continue;
        }
        trace_nswitch_nic_vf_enable(vf, vf_dev->enabled);
        if (!vf_dev->enabled) {
            nswitch_port_detach(nic->core, port);
            nswitch_port_purge(nswitch_datapath_port(nic->datapath, port));
            continue;
        }
        vf_net = &NSWITCH_NIC_VF(vf_dev)->parent_obj.vdev;
        status = nswitch_port_attach(nic->core, port, NSWITCH_PORT_VF,
                                     vf_net->mac);
        if (status != NSWITCH_RELAY_OK) {
            qemu_log_mask(LOG_GUEST_ERROR, "nswitch-nic: VF %u stays off the "
                          "switch: %s\n", vf,
                          nswitch_relay_status_message(status));
        }
    }
}

static void nswitch_nic_sync_ports(NSwitchNic *nic)
{
    VirtIONet *net = &nic->parent_obj.vdev;

    nswitch_port_set_mac(nic->core, NSWITCH_NIC_PF_PORT, net->mac);
    nswitch_nic_sync_vf_ports(nic);
}

static void nswitch_nic_write_config(PCIDevice *dev, uint32_t addr,
                                     uint32_t val, int len)
{
    NSwitchNic *nic = NSWITCH_NIC(dev);
    uint16_t sriov_cap = dev->exp.sriov_cap;

    nic->parent_config_write(dev, addr, val, len);
    if (sriov_cap && addr + len > sriov_cap &&
        addr < sriov_cap + PCI_EXT_CAP_SRIOV_SIZEOF) {
        nswitch_nic_sync_vf_ports(nic);
    }
}

static void nswitch_nic_realize(DeviceState *dev, Error **errp)
{
    NSwitchNic *nic = NSWITCH_NIC(dev);
    NSwitchNicClass *nc = NSWITCH_NIC_GET_CLASS(dev);
    VirtIONet *net = &nic->parent_obj.vdev;
    BusState *bus = qdev_get_parent_bus(dev);
    static const MACAddr unset;
    NSwitchRelayStatus status;
    ERRP_GUARD();

    if (!nswitch_nic_check_properties(nic, errp)) {
        g_clear_pointer(&nic->vf_backends, g_free);
        return;
    }
    if (nic->total_vfs && (!pci_bus_is_express(PCI_BUS(bus)) ||
                           pci_bus_is_root(PCI_BUS(bus)))) {
        error_setg(errp, "nswitch-nic with VFs needs a PCI Express port: "
                   "plug it into a pcie-root-port (or set vfs=0)");
        return;
    }
    if (!memcmp(&net->nic_conf.macaddr, &unset, sizeof(unset))) {
        nswitch_nic_mac_in_group(nic, 0, &net->nic_conf.macaddr);
    }
    if (!nswitch_nic_create_switch(nic, errp)) {
        nswitch_nic_destroy_switch(nic);
        return;
    }
    nc->parent_realize(dev, errp);
    if (*errp) {
        nswitch_nic_destroy_switch(nic);
        return;
    }
    if (nic->total_vfs && !nswitch_nic_init_sriov(nic, errp)) {
        nc->parent_unrealize(dev);
        nswitch_nic_destroy_switch(nic);
        return;
    }
    status = nswitch_port_attach(nic->core, NSWITCH_NIC_PF_PORT,
                                 NSWITCH_PORT_PF, net->mac);
    if (status != NSWITCH_RELAY_OK) {
        error_setg(errp, "Property 'mac': %s",
                   nswitch_relay_status_message(status));
        pcie_sriov_pf_exit(PCI_DEVICE(dev));
        nc->parent_unrealize(dev);
        nswitch_nic_destroy_switch(nic);
        return;
    }
    nic->parent_config_write = PCI_DEVICE(dev)->config_write;
    PCI_DEVICE(dev)->config_write = nswitch_nic_write_config;
    trace_nswitch_nic_realize(nic->total_vfs, nic->ari, nic->oui);
}

static void nswitch_nic_unrealize(DeviceState *dev)
{
    NSwitchNic *nic = NSWITCH_NIC(dev);
    NSwitchNicClass *nc = NSWITCH_NIC_GET_CLASS(dev);

    pcie_sriov_pf_exit(PCI_DEVICE(dev));
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
    nswitch_port_purge(nswitch_datapath_port(nic->datapath,
                                             NSWITCH_NIC_PF_PORT));
    nswitch_nic_sync_ports(nic);
}

static const Property nswitch_nic_properties[] = {
    DEFINE_PROP_UINT16("vfs", NSwitchNic, total_vfs,
                       NSWITCH_NIC_MAX_VFS_WITHOUT_ARI),
    DEFINE_PROP_BOOL("ari", NSwitchNic, ari, false),
    DEFINE_PROP_STRING("oui", NSwitchNic, oui_property),
    DEFINE_PROP_STRING("mode", NSwitchNic, mode_property),
    DEFINE_PROP_STRING("vf-netdevs", NSwitchNic, vf_netdevs_property),
    DEFINE_PROP_UINT32("uplink-speed", NSwitchNic, uplink_mbps, 0),
    DEFINE_PROP_UINT32("rx-queue", NSwitchNic, rx_queue,
                       NSWITCH_NIC_DEFAULT_RX_QUEUE),
    DEFINE_PROP_SIZE("buffer-size", NSwitchNic, buffer_size,
                     NSWITCH_NIC_DEFAULT_BUFFER_SIZE),
};

static void nswitch_nic_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);
    NSwitchNicClass *nc = NSWITCH_NIC_CLASS(klass);

    dc->desc = "SR-IOV virtio-net NIC with an OUI relay switch (nSwitch)";
    dc->vmsd = &vmstate_nswitch_nic;
    device_class_set_props(dc, nswitch_nic_properties);
    object_class_property_set_description(klass, "vfs",
        "TotalVFs: VFs the guest may enable (at most 7 without ARI, 255 with)");
    object_class_property_set_description(klass, "ari",
        "Alternative Routing-ID Interpretation, needed for more than 7 VFs");
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
