/*
 * nswitch-nic: SR-IOV virtio-net NIC with an OUI-keyed in-card switch
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_NET_NSWITCH_NIC_H
#define HW_NET_NSWITCH_NIC_H

#include "hw/virtio/virtio-net-pci.h"
#include "qom/object.h"

#define TYPE_NSWITCH_NIC "nswitch-nic"
OBJECT_DECLARE_TYPE(NSwitchNic, NSwitchNicClass, NSWITCH_NIC)

/* Without ARI, VFs must fit in functions 1..7 of the PF's slot. */
#define NSWITCH_NIC_MAX_VFS_WITHOUT_ARI 7
#define NSWITCH_NIC_MAX_VFS 255

struct NSwitchNic {
    VirtIONetPCI parent_obj;

    uint16_t total_vfs;
    bool ari;
    char *oui_property;     /* "xx:xx:xx" as given, NULL for the default */
    uint32_t oui;
};

struct NSwitchNicClass {
    VirtioPCIClass parent_class;

    DeviceRealize parent_realize;
};

#endif
