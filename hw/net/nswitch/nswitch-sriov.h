/*
 * nswitch-nic: the PF's SR-IOV capability and its VFs on the switch
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_NET_NSWITCH_SRIOV_H
#define HW_NET_NSWITCH_SRIOV_H

#include "hw/net/nswitch-nic.h"
#include "hw/virtio/virtio-net.h"

/*
 * Before the PF realizes: which port of which card it is. A PF with
 * ports=N is port 0 of a card whose ports 1..N-1 are the nswitch-nic
 * PFs at functions 1..N-1 of its slot, added after it in order; every
 * other PF is a card of its own. Each port's VFs take the routing IDs
 * after the card's PFs and the VFs of the ports before it.
 */
bool nswitch_sriov_join_card(NSwitchNic *nic, Error **errp);

/* Port @port of @nic's card (@nic itself for its own number), or NULL. */
NSwitchNic *nswitch_sriov_card_port(NSwitchNic *nic, uint8_t port);

/*
 * After virtio-pci realized the PF: ARI and the SR-IOV capability after
 * virtio-pci's own extended capabilities, a switch port for each VF, the
 * VFs themselves, and the VF BARs they got.
 */
bool nswitch_sriov_init(NSwitchNic *nic, Error **errp);
void nswitch_sriov_exit(NSwitchNic *nic);

/*
 * Port 0 of a card of several ports: QEMU stops at machine-done if a
 * port of the card is not there by then.
 */
void nswitch_sriov_watch_card(NSwitchNic *nic);

/*
 * Once the PF is realized: the guest's writes to the SR-IOV capability
 * (VF Enable, NumVFs) bring the switch's VF ports in step.
 */
void nswitch_sriov_watch_config(NSwitchNic *nic);

/*
 * Attaches enabled VFs to the switch (with their MACs) and detaches
 * disabled ones.
 */
void nswitch_sriov_sync_vfs(NSwitchNic *nic);

/* The VF's virtio-net, whatever its state. */
VirtIONet *nswitch_sriov_vf_net(NSwitchNic *nic, uint16_t vf);
/* The virtio-net of the function at switch port @port (PF or VF). */
VirtIONet *nswitch_sriov_function_net(NSwitchNic *nic, uint32_t port);

/*
 * What VF @vf's link follows (its link-state), and setting it: the
 * switch and the VF's virtio-net follow at once.
 */
NSwitchLinkState nswitch_sriov_vf_link(const NSwitchNic *nic, uint16_t vf);
void nswitch_sriov_set_vf_link(NSwitchNic *nic, uint16_t vf,
                               NSwitchLinkState state);
/* Brings every VF's link to its setting: the uplink's changed. */
void nswitch_sriov_apply_links(NSwitchNic *nic);

#endif
