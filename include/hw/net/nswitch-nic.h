/*
 * nswitch-nic: SR-IOV virtio-net NIC with an OUI-keyed in-card switch
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_NET_NSWITCH_NIC_H
#define HW_NET_NSWITCH_NIC_H

#include "hw/virtio/virtio-net-pci.h"
#include "hw/net/nswitch/switch.h"
#include "migration/vmstate.h"
#include "qapi/qapi-types-nswitch.h"
#include "qom/object.h"
#include "qemu/units.h"

#define TYPE_NSWITCH_NIC "nswitch-nic"
OBJECT_DECLARE_TYPE(NSwitchNic, NSwitchNicClass, NSWITCH_NIC)

#define TYPE_NSWITCH_NIC_VF "nswitch-nic-vf"
OBJECT_DECLARE_TYPE(NSwitchNicVf, NSwitchNicVfClass, NSWITCH_NIC_VF)

/* Without ARI, VFs must fit in functions 1..7 of the PF's slot. */
#define NSWITCH_NIC_MAX_VFS_WITHOUT_ARI 7
#define NSWITCH_NIC_MAX_VFS 255
/* Frames the card holds for a function whose receive ring is full. */
#define NSWITCH_NIC_DEFAULT_RX_QUEUE 256
#define NSWITCH_NIC_MAX_RX_QUEUE 4096
/* Bytes the card holds for all its receivers together. */
#define NSWITCH_NIC_DEFAULT_BUFFER_SIZE (64 * MiB)
#define NSWITCH_NIC_MAX_BUFFER_SIZE (4 * GiB)
#define NSWITCH_NIC_VF_DEVICE_ID 0x1041
/*
 * MSI-X vectors of a VF: config, RX and TX by default, as Linux's
 * virtio_net uses them; with 2 the queues share one, so that a guest with
 * few vCPUs holds more VFs; the control queue never interrupts.
 */
#define NSWITCH_NIC_DEFAULT_VF_VECTORS 3
#define NSWITCH_NIC_MIN_VF_VECTORS 2
#define NSWITCH_NIC_MAX_VF_VECTORS 4

/* Switch port numbers of a card. */
#define NSWITCH_NIC_UPLINK_PORT 0
#define NSWITCH_NIC_PF_PORT 1
#define NSWITCH_NIC_VF_PORT(vf) (2 + (vf))

/* A card's PFs (its ports) are functions 0.. of one slot. */
#define NSWITCH_NIC_MAX_PORTS 8

typedef struct NSwitchDatapath NSwitchDatapath;
typedef struct NSwitchNicMigration NSwitchNicMigration;

struct NSwitchNic {
    VirtIONetPCI parent_obj;

    /* properties */
    uint16_t total_vfs;
    bool ari;
    uint8_t ports;          /* PFs of the card this PF is port 0 of */
    char *oui_property;     /* "xx:xx:xx" as given, NULL for the default */
    NSwitchCardMode mode;
    char *vf_netdevs_property; /* vswitch mode: "id0:id1:...", one per VF */
    uint32_t uplink_mbps;   /* 0: no cap */
    uint32_t rx_queue;      /* frames held per function; 0: none */
    uint64_t buffer_size;   /* bytes held by the whole card */
    bool inter_port_relay;  /* to the card's other ports inside the card */
    uint32_t vf_vectors;    /* MSI-X vectors of each VF */
    bool direct_path;       /* frames between virtqueues moved by the card */

    uint32_t oui;
    /* Which port of its card the PF is, of how many, where its VFs begin. */
    uint8_t pf_number;
    uint8_t card_ports;
    uint16_t first_vf_offset;
    /* The switch, its ports, and how frames go between them. */
    NSwitchDatapath *datapath;
    /*
     * vswitch mode (the paper's "virtio-net backend mode"): VF i's
     * virtio-net is peered with vf_backends[i] and bypasses the switch.
     */
    NetClientState **vf_backends;
    /* What each VF's link follows; the switch knows whether it is up. */
    NSwitchLinkState *vf_link;
    NSwitchNicMigration *migration;

    /* Port 0 of a card of several ports: are they all there at machine-done? */
    Notifier card_complete;
    /* virtio-pci installs its config writer on the instance at realize. */
    PCIConfigWriteFunc *parent_config_write;
};

struct NSwitchNicClass {
    VirtioPCIClass parent_class;

    DeviceRealize parent_realize;
    DeviceUnrealize parent_unrealize;
    ResettablePhases parent_phases;
};

struct NSwitchNicVf {
    VirtIONetPCI parent_obj;
};

struct NSwitchNicVfClass {
    VirtioPCIClass parent_class;

    void (*parent_realize)(VirtIOPCIProxy *proxy, Error **errp);
};

/* Calls @fn for each realized nswitch-nic PF of the machine. */
void nswitch_nic_foreach(void (*fn)(NSwitchNic *card, void *opaque),
                         void *opaque);

/* Read an OUI written xx:xx:xx and a MAC written xx:xx:xx:xx:xx:xx. */
bool nswitch_nic_parse_oui(const char *text, uint32_t *oui);
bool nswitch_nic_parse_mac(const char *text, uint8_t *mac);

/* The realized nswitch-nic PF whose id or QOM path is @device. */
NSwitchNic *nswitch_nic_find(const char *device, Error **errp);

/* The card's switch: its relay table, policies, ACL and counters. */
NSwitch *nswitch_nic_core(NSwitchNic *card);

/*
 * Gives VF @vf the administrator's @mac: in the switch (pinned) and in
 * its virtio-net, whose guest reads it when its driver probes.
 */
NSwitchRelayStatus nswitch_nic_pin_vf_mac(NSwitchNic *card, uint16_t vf,
                                          const uint8_t *mac);

/* The MAC the card gives VF @vf: OUI, PF number, then vf + 1. */
void nswitch_nic_vf_mac(const NSwitchNic *card, uint16_t vf, MACAddr *mac);

/* The net client the VF's virtio-net is peered with, for its realize. */
NetClientState *nswitch_nic_vf_peer(NSwitchNic *card, uint16_t vf);
/*
 * VF @vf's virtio-net is realized: on the switch, the card serves its
 * transmit queue (the direct path).
 */
void nswitch_nic_vf_realized(NSwitchNic *card, uint16_t vf);

/* The switch's state in the migration stream (nswitch-vmstate.c). */
extern const VMStateDescription vmstate_nswitch_nic;
NSwitchNicMigration *nswitch_nic_migration_new(NSwitchNic *card,
                                               uint32_t port_count);
void nswitch_nic_migration_free(NSwitchNicMigration *migration);

#endif
