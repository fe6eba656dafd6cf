/*
 * nswitch-nic-vf: a VF of nswitch-nic, a virtio-net function of its own
 *
 * pcie_sriov_pf_init() creates every VF when the PF realizes and gives it
 * no properties: a VF takes its switch port and MAC from its PF.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/net/nswitch-nic.h"
#include "hw/pci/pcie.h"
#include "hw/pci/pcie_sriov.h"
#include "hw/virtio/virtio-net.h"
#include "qapi/error.h"
#include "qemu-compat.h"
#include "nswitch-function.h"

/*
 * Runs inside virtio-pci's realize, before pci_qdev_realize() checks the
 * function's slot: a VF at a slot past 0 is valid only with its ARI
 * capability in place by then.
 */
static void nswitch_nic_vf_realize(VirtIOPCIProxy *proxy, Error **errp)
{
    PCIDevice *pci_dev = PCI_DEVICE(proxy);
    NSwitchNicVfClass *vc = NSWITCH_NIC_VF_GET_CLASS(proxy);
    VirtIONet *net = &NSWITCH_NIC_VF(proxy)->parent_obj.vdev;
    PCIDevice *pf = pcie_sriov_get_pf(pci_dev);
    NSwitchNic *card;
    uint16_t number;
    MACAddr mac;
    ERRP_GUARD();

    if (!pf || !object_dynamic_cast(OBJECT(pf), TYPE_NSWITCH_NIC)) {
        error_setg(errp, "%s is created by its nswitch-nic PF",
                   TYPE_NSWITCH_NIC_VF);
        return;
    }
    card = NSWITCH_NIC(pf);
    number = pcie_sriov_vf_number(pci_dev);
    nswitch_function_connect(net, nswitch_nic_vf_peer(card, number));
    nswitch_nic_vf_mac(card, number, &mac);
    nswitch_function_default_mac(net, &mac);
    proxy->nvectors = card->vf_vectors;
    /*
     * A VF has no properties of its own: it notifies as its PF does.
     * With ioeventfd=off a kick runs the card's TX in the vCPU's own
     * MMIO write, not in a main-loop iteration (TCG: no wake-up per kick).
     */
    if (!(VIRTIO_PCI(pf)->flags & VIRTIO_PCI_FLAG_USE_IOEVENTFD)) {
        proxy->flags &= ~VIRTIO_PCI_FLAG_USE_IOEVENTFD;
    }

    vc->parent_realize(proxy, errp);
    if (*errp) {
        return;
    }
    nswitch_nic_vf_realized(card, number);
    if (card->ari) {
        /* A VF has no AER or ATS: its extended space is free. */
        pcie_ari_init(pci_dev, PCI_CONFIG_SPACE_SIZE);
    }
}

static void nswitch_nic_vf_class_init(ObjectClass *klass,
                                     NSwitchClassData *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(klass);
    VirtioPCIClass *vpc = VIRTIO_PCI_CLASS(klass);
    NSwitchNicVfClass *vc = NSWITCH_NIC_VF_CLASS(klass);

    dc->desc = "Virtual Function of nswitch-nic";
    dc->user_creatable = false;
    /* A VF has no expansion ROM. */
    pc->romfile = NULL;
    vc->parent_realize = vpc->realize;
    vpc->realize = nswitch_nic_vf_realize;
}

static const TypeInfo nswitch_nic_vf_types[] = {
    {
        .name = TYPE_NSWITCH_NIC_VF,
        .parent = TYPE_VIRTIO_NET_PCI_NON_TRANSITIONAL,
        .instance_size = sizeof(NSwitchNicVf),
        .class_size = sizeof(NSwitchNicVfClass),
        .class_init = nswitch_nic_vf_class_init,
    },
};

DEFINE_TYPES(nswitch_nic_vf_types)
