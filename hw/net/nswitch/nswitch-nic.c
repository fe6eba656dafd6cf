/*
 * nswitch-nic: SR-IOV virtio-net NIC with an OUI-keyed in-card switch
 *
 * The PF is the non-transitional virtio-net PCI device with the card's
 * properties on top; the switching logic lives in the QEMU-free core
 * beside this file.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/net/nswitch-nic.h"
#include "hw/qdev-properties.h"
#include "qapi/error.h"
#include "trace.h"

/*
 * Locally administered (U/L bit set in the first byte), "n" for nSwitch,
 * and the PF number in the last byte, so each PF of a card gets its own
 * relay group.
 */
#define NSWITCH_NIC_DEFAULT_OUI(pf_number) (0x026e00u | (pf_number))

static bool nswitch_nic_parse_oui(const char *text, uint32_t *oui,
                                  Error **errp)
{
    unsigned int bytes[3];
    int consumed = 0;

    if (sscanf(text, "%2x:%2x:%2x%n", &bytes[0], &bytes[1], &bytes[2],
               &consumed) != 3 || text[consumed] != '\0' || consumed != 8) {
        error_setg(errp, "Property 'oui' must be three hex bytes such as "
                   "02:6e:00, not '%s'", text);
        return false;
    }
    if (bytes[0] & 1) {
        error_setg(errp, "Property 'oui' %s is a multicast prefix; VF MACs "
                   "built on it could not be assigned", text);
        return false;
    }
    *oui = (bytes[0] << 16) | (bytes[1] << 8) | bytes[2];
    return true;
}

static bool nswitch_nic_check_properties(NSwitchNic *nic, Error **errp)
{
    uint16_t limit = nic->ari ? NSWITCH_NIC_MAX_VFS
                              : NSWITCH_NIC_MAX_VFS_WITHOUT_ARI;

    if (nic->total_vfs > limit) {
        error_setg(errp, "Property 'vfs' is %u but at most %u VFs fit %s",
                   nic->total_vfs, limit,
                   nic->ari ? "in one PCIe bus"
                            : "without ARI (set ari=on for up to 255)");
        return false;
    }
    if (!nic->oui_property) {
        nic->oui = NSWITCH_NIC_DEFAULT_OUI(0);
        return true;
    }
    return nswitch_nic_parse_oui(nic->oui_property, &nic->oui, errp);
}

static void nswitch_nic_realize(DeviceState *dev, Error **errp)
{
    NSwitchNic *nic = NSWITCH_NIC(dev);
    NSwitchNicClass *nc = NSWITCH_NIC_GET_CLASS(dev);
    ERRP_GUARD();

    if (!nswitch_nic_check_properties(nic, errp)) {
        return;
    }
    nc->parent_realize(dev, errp);
    if (*errp) {
        return;
    }
    trace_nswitch_nic_realize(nic->total_vfs, nic->ari, nic->oui);
}

static const Property nswitch_nic_properties[] = {
    DEFINE_PROP_UINT16("vfs", NSwitchNic, total_vfs,
                       NSWITCH_NIC_MAX_VFS_WITHOUT_ARI),
    DEFINE_PROP_BOOL("ari", NSwitchNic, ari, false),
    DEFINE_PROP_STRING("oui", NSwitchNic, oui_property),
};

static void nswitch_nic_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    NSwitchNicClass *nc = NSWITCH_NIC_CLASS(klass);

    dc->desc = "SR-IOV virtio-net NIC with an OUI relay switch (nSwitch)";
    device_class_set_props(dc, nswitch_nic_properties);
    object_class_property_set_description(klass, "vfs",
        "TotalVFs: VFs the guest may enable (at most 7 without ARI, 255 with)");
    object_class_property_set_description(klass, "ari",
        "Alternative Routing-ID Interpretation, needed for more than 7 VFs");
    object_class_property_set_description(klass, "oui",
        "OUI of the relay group as xx:xx:xx (default 02:6e:<PF number>)");
    device_class_set_parent_realize(dc, nswitch_nic_realize,
                                    &nc->parent_realize);
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
