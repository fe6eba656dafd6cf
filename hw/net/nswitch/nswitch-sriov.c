/*
 * nswitch-nic: the PF's SR-IOV capability and its VFs on the switch
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "hw/pci/pcie.h"
#include "hw/pci/pcie_sriov.h"
#include "qapi/error.h"
#include "system/system.h"
#include "nswitch-datapath.h"
#include "nswitch-function.h"
#include "nswitch-sriov.h"
#include "trace.h"

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
static bool next_ext_cap_offset(PCIDevice *dev, uint16_t *offset,
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

/* The nswitch-nic at function @function of @nic's slot, if realized. */
static NSwitchNic *slot_function(NSwitchNic *nic, int devfn, uint8_t function)
{
    PCIBus *bus = PCI_BUS(qdev_get_parent_bus(DEVICE(nic)));
    PCIDevice *dev = pci_find_device(bus, pci_bus_num(bus),
                                     PCI_DEVFN(PCI_SLOT(devfn), function));

    return dev && dev != PCI_DEVICE(nic) && DEVICE(dev)->realized &&
           object_dynamic_cast(OBJECT(dev), TYPE_NSWITCH_NIC)
           ? NSWITCH_NIC(dev) : NULL;
}

NSwitchNic *nswitch_sriov_card_port(NSwitchNic *nic, uint8_t port)
{
    return port == nic->pf_number
           ? nic : slot_function(nic, PCI_DEVICE(nic)->devfn, port);
}

bool nswitch_sriov_join_card(NSwitchNic *nic, Error **errp)
{
    int devfn = PCI_DEVICE(nic)->devfn;
    uint8_t function = devfn < 0 ? 0 : PCI_FUNC(devfn);
    NSwitchNic *port0 = function ? slot_function(nic, devfn, 0) : NULL;
    uint16_t first_vf;

    if (nic->ports < 1 || nic->ports > NSWITCH_NIC_MAX_PORTS) {
        error_setg(errp, "Property 'ports' is %u; a card has 1 to %u",
                   nic->ports, NSWITCH_NIC_MAX_PORTS);
        return false;
    }
    /*
     * PCIe plugs a slot's function 0 last, and a card's port 0 comes
     * first: a multi-port card is there from the start, and leaves whole
     * (unplugging any port empties the slot).
     */
    if (DEVICE(nic)->hotplugged && nic->ports > 1) {
        error_setg(errp, "Property 'ports' is %u: a multi-port card cannot "
                   "be hot-plugged; put it on the command line", nic->ports);
        return false;
    }
    if (DEVICE(nic)->hotplugged && function && !port0) {
        error_setg(errp, "nswitch-nic at function %u of an empty slot: it "
                   "would be a port of a card whose port 0 is not there, and "
                   "a multi-port card cannot be hot-plugged", function);
        return false;
    }
    if (nic->ports > 1) {
        if (function) {
            error_setg(errp, "Property 'ports' is for port 0 of a card, at "
                       "function 0 of its slot (addr=N.0)");
            return false;
        }
        for (uint8_t port = 1; port < nic->ports; port++) {
            if (slot_function(nic, devfn, port)) {
                error_setg(errp, "Property 'ports' is %u but the nswitch-nic "
                           "at function %u of slot %02x came first, as a "
                           "card of its own: put port 0 (addr=%02x.0) "
                           "before the card's other ports", nic->ports, port,
                           PCI_SLOT(devfn), PCI_SLOT(devfn));
                return false;
            }
        }
        /* Its other ports are functions of its slot. */
        PCI_DEVICE(nic)->cap_present |= QEMU_PCI_CAP_MULTIFUNCTION;
    }
    if (!port0 || port0->ports <= function) {
        /* A card of its own: its VFs follow it. */
        nic->pf_number = 0;
        nic->card_ports = nic->ports;
        nic->first_vf_offset = nic->ports;
        return true;
    }
    /* Port @function of port0's card: VFs after every port's PF and VFs. */
    if (nic->ari != port0->ari) {
        error_setg(errp, "Property 'ari' must be the same on every port of a "
                   "card: port 0 has ari=%s", port0->ari ? "on" : "off");
        return false;
    }
    nic->pf_number = function;
    nic->card_ports = port0->ports;
    first_vf = port0->ports;
    for (uint8_t port = 0; port < function; port++) {
        NSwitchNic *before = slot_function(nic, devfn, port);

        if (!before) {
            error_setg(errp, "nswitch-nic at function %u is port %u of the "
                       "card at %02x.0: add its ports 0 to %u first", function,
                       function, PCI_SLOT(devfn), function - 1);
            return false;
        }
        first_vf += before->total_vfs;
    }
    nic->first_vf_offset = first_vf - function;
    return true;
}

static bool check_vf_placement(PCIDevice *pci_dev, NSwitchNic *nic,
                               Error **errp)
{
    unsigned last = pci_dev->devfn + nic->first_vf_offset + nic->total_vfs - 1;

    if (!nic->ari && nic->ports == 1 && !nic->pf_number &&
        PCI_FUNC(pci_dev->devfn) != 0) {
        error_setg(errp, "nswitch-nic with VFs must be function 0 of its "
                   "slot (addr=N.0): its VFs take the functions after it");
        return false;
    }
    if (!nic->ari && PCI_SLOT(last) != PCI_SLOT(pci_dev->devfn)) {
        error_setg(errp, "Property 'vfs' is %u but the VFs of port %u take "
                   "functions %u to %u of its slot, past 7: set ari=on",
                   nic->total_vfs, nic->pf_number,
                   PCI_FUNC(pci_dev->devfn) + nic->first_vf_offset,
                   last - PCI_SLOT(pci_dev->devfn) * 8);
        return false;
    }
    if (last > PCI_DEVFN_MAX - 1) {
        error_setg(errp, "Property 'vfs' is %u but only %u routing IDs "
                   "follow the PF at %02x.%x and the VFs before them; put "
                   "the card at addr=0.0", nic->total_vfs,
                   PCI_DEVFN_MAX - pci_dev->devfn - nic->first_vf_offset,
                   PCI_SLOT(pci_dev->devfn), PCI_FUNC(pci_dev->devfn));
        return false;
    }
    return true;
}

/*
 * The ARI Next Function Number chains a card's PFs (0 ends the chain), so
 * that a guest scanning an ARI device finds every port.
 */
static void link_ports(NSwitchNic *nic, uint16_t ari_cap)
{
    uint8_t next = 0;

    if (nic->pf_number + 1 < nswitch_sriov_card_port(nic, 0)->ports) {
        next = nic->pf_number + 1;
    }
    pci_set_long(PCI_DEVICE(nic)->config + ari_cap + PCI_ARI_CAP, next << 8);
}

/* The SR-IOV VF BARs are exactly the BARs virtio-pci gave the first VF. */
static void declare_vf_bars(PCIDevice *pci_dev)
{
    PCIDevice *vf = pci_dev->exp.sriov_pf.vf[0];

    for (int bar = 0; bar < PCI_ROM_SLOT; bar++) {
        if (vf->io_regions[bar].size) {
            pcie_sriov_pf_init_vf_bar(pci_dev, bar, vf->io_regions[bar].type,
                                      vf->io_regions[bar].size);
        }
    }
}

static char *vf_port_name(NSwitchNic *nic, uint16_t vf)
{
    /* NULL lets the net layer pick a unique name. */
    return DEVICE(nic)->id ? g_strdup_printf("%s.vf%u", DEVICE(nic)->id, vf)
                           : NULL;
}

bool nswitch_sriov_init(NSwitchNic *nic, Error **errp)
{
    PCIDevice *pci_dev = PCI_DEVICE(nic);
    uint16_t offset;
    bool ok;

    if (!check_vf_placement(pci_dev, nic, errp) ||
        !next_ext_cap_offset(pci_dev, &offset, errp)) {
        return false;
    }
    if (nic->ari) {
        pcie_ari_init(pci_dev, offset);
        link_ports(nic, offset);
        offset += PCI_ARI_SIZEOF;
    }
    if (offset + PCI_EXT_CAP_SRIOV_SIZEOF > PCIE_CONFIG_SPACE_SIZE) {
        error_setg(errp, "no room for the SR-IOV capability at 0x%x", offset);
        return false;
    }
    for (uint16_t vf = 0; vf < nic->total_vfs; vf++) {
        g_autofree char *name = vf_port_name(nic, vf);

        nswitch_datapath_add_function(nic->datapath, NSWITCH_NIC_VF_PORT(vf),
                                      name);
    }
    /*
     * Each VF's realize commits memory regions about seven times, and
     * each commit rebuilds every address space's FlatView, every VF's
     * included: quadratic, and the old views are freed only once realize
     * lets go of the BQL (255 VFs: 4.8 GiB of heap). One commit for all.
     */
    memory_region_transaction_begin();
    ok = pcie_sriov_pf_init(pci_dev, offset, TYPE_NSWITCH_NIC_VF,
                            NSWITCH_NIC_VF_DEVICE_ID, nic->total_vfs,
                            nic->total_vfs, nic->first_vf_offset, 1, errp);
    memory_region_transaction_commit();
    if (!ok) {
        return false;
    }
    declare_vf_bars(pci_dev);
    nswitch_function_offer_sr_iov(&nic->parent_obj.vdev);
    return true;
}

/*
 * A card's ports are on the command line, after its port 0: once the
 * machine is made, each must be there, or the ARI chain of Next
 * Function Numbers would lead the guest to a function that is not.
 */
static void check_card_complete(Notifier *notifier, void *data)
{
    NSwitchNic *nic = container_of(notifier, NSwitchNic, card_complete);
    int devfn = PCI_DEVICE(nic)->devfn;

    for (uint8_t port = 1; port < nic->ports; port++) {
        if (!slot_function(nic, devfn, port)) {
            error_report("nswitch-nic at %02x.0: Property 'ports' is %u but "
                         "function %u of its slot has no nswitch-nic: add "
                         "one at addr=%02x.%u", PCI_SLOT(devfn), nic->ports,
                         port, PCI_SLOT(devfn), port);
            exit(1);
        }
    }
}

void nswitch_sriov_watch_card(NSwitchNic *nic)
{
    if (nic->ports > 1) {
        nic->card_complete.notify = check_card_complete;
        qemu_add_machine_init_done_notifier(&nic->card_complete);
    }
}

void nswitch_sriov_exit(NSwitchNic *nic)
{
    PCIDevice *pci_dev = PCI_DEVICE(nic);

    if (nic->card_complete.notify) {
        qemu_remove_machine_init_done_notifier(&nic->card_complete);
        nic->card_complete.notify = NULL;
    }

    pcie_sriov_pf_exit(pci_dev);
    /*
     * From QEMU 10.1 on, virtio-pci's exit tears the capability down as
     * well; without a capability, that second call does nothing.
     */
    pci_dev->exp.sriov_cap = 0;
}

void nswitch_sriov_sync_vfs(NSwitchNic *nic)
{
    PCIDevice *pci_dev = PCI_DEVICE(nic);
    NSwitch *core = nswitch_datapath_core(nic->datapath);

    if (nic->vf_backends) {
        /* vswitch: the VFs are on their own netdevs, not on the switch */
        return;
    }
    for (uint16_t vf = 0; vf < nic->total_vfs; vf++) {
        bool enabled = pci_dev->exp.sriov_pf.vf[vf]->enabled;
        uint32_t port = NSWITCH_NIC_VF_PORT(vf);
        NSwitchRelayStatus status;
        const uint8_t *mac;

        if (enabled == nswitch_port_info(core, port)->attached) {
            continue;
        }
        trace_nswitch_sriov_vf_enable(vf, enabled);
        if (!enabled) {
            nswitch_port_detach(core, port);
            nswitch_datapath_purge(nic->datapath, port);
            continue;
        }
        mac = nswitch_function_mac(nswitch_sriov_vf_net(nic, vf));
        status = nswitch_port_attach(core, port, NSWITCH_PORT_VF, mac);
        if (status != NSWITCH_RELAY_OK) {
            qemu_log_mask(LOG_GUEST_ERROR, "nswitch-nic: VF %u stays off the "
                          "switch: %s\n", vf,
                          nswitch_relay_status_message(status));
        }
    }
}

static bool writes_into(uint32_t addr, int len, uint32_t start, uint32_t size)
{
    return start && addr + len > start && addr < start + size;
}

/*
 * After a write into the SR-IOV capability, and after a Function Level
 * Reset: pci_device_reset() disables the VFs after the device's reset
 * phases (where the switch syncs on other resets) have run.
 */
static void write_config(PCIDevice *dev, uint32_t addr, uint32_t val, int len)
{
    NSwitchNic *nic = NSWITCH_NIC(dev);

    nic->parent_config_write(dev, addr, val, len);
    if (writes_into(addr, len, dev->exp.sriov_cap, PCI_EXT_CAP_SRIOV_SIZEOF) ||
        writes_into(addr, len, dev->exp.exp_cap + PCI_EXP_DEVCTL, 2)) {
        nswitch_sriov_sync_vfs(nic);
    }
}

void nswitch_sriov_watch_config(NSwitchNic *nic)
{
    PCIDevice *pci_dev = PCI_DEVICE(nic);

    nic->parent_config_write = pci_dev->config_write;
    pci_dev->config_write = write_config;
}

VirtIONet *nswitch_sriov_vf_net(NSwitchNic *nic, uint16_t vf)
{
    PCIDevice *vf_dev = PCI_DEVICE(nic)->exp.sriov_pf.vf[vf];

    return &NSWITCH_NIC_VF(vf_dev)->parent_obj.vdev;
}

VirtIONet *nswitch_sriov_function_net(NSwitchNic *nic, uint32_t port)
{
    assert(port >= NSWITCH_NIC_PF_PORT &&
           port < NSWITCH_NIC_VF_PORT(nic->total_vfs));
    return port == NSWITCH_NIC_PF_PORT
           ? &nic->parent_obj.vdev
           : nswitch_sriov_vf_net(nic, port - NSWITCH_NIC_VF_PORT(0));
}

void nswitch_sriov_apply_links(NSwitchNic *nic)
{
    bool uplink_up = nswitch_datapath_uplink_up(nic->datapath);
    NSwitch *core = nswitch_datapath_core(nic->datapath);

    if (nic->vf_backends) {
        /* vswitch: each VF's link is its own netdev's. */
        return;
    }
    for (uint16_t vf = 0; vf < nic->total_vfs; vf++) {
        bool up = nic->vf_link[vf] == NSWITCH_LINK_STATE_ENABLE ||
                  (nic->vf_link[vf] == NSWITCH_LINK_STATE_AUTO && uplink_up);

        nswitch_port_set_link(core, NSWITCH_NIC_VF_PORT(vf), up);
        nswitch_function_set_link(nswitch_sriov_vf_net(nic, vf), up);
    }
}

NSwitchLinkState nswitch_sriov_vf_link(const NSwitchNic *nic, uint16_t vf)
{
    return nic->vf_link[vf];
}

void nswitch_sriov_set_vf_link(NSwitchNic *nic, uint16_t vf,
                               NSwitchLinkState state)
{
    nic->vf_link[vf] = state;
    nswitch_sriov_apply_links(nic);
}
