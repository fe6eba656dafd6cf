/*
 * nswitch-nic: what the card needs of a function's virtio-net
 *
 * virtio-net keeps its MAC, its receive filter and its queues to itself;
 * the card reads and writes them here and nowhere else, so that a QEMU
 * upgrade that moves them touches this file only.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_NET_NSWITCH_FUNCTION_H
#define HW_NET_NSWITCH_FUNCTION_H

#include "hw/virtio/virtio-net.h"

/*
 * Before the function realizes: its virtio-net talks to @peer (its
 * switch port, or in vswitch mode its own netdev) on a single queue pair.
 */
void nswitch_function_connect(VirtIONet *net, NetClientState *peer);

/*
 * Before the PF realizes: the netdev the user gave it (NULL for none),
 * which becomes the card's uplink; false for one it cannot be.
 */
bool nswitch_function_user_netdev(VirtIONet *net, NetClientState **netdev,
                                  Error **errp);

/* Before the function realizes: @mac, unless the user gave it one. */
void nswitch_function_default_mac(VirtIONet *net, const MACAddr *mac);

/*
 * Once the PF has its SR-IOV capability: offers VIRTIO_F_SR_IOV, which
 * QEMU never does; Linux keeps it only with the capability present, and
 * enables VFs once the PF driver is ready.
 */
void nswitch_function_offer_sr_iov(VirtIONet *net);

/* Brings the link its guest sees (virtio-net's status) up or down. */
void nswitch_function_set_link(VirtIONet *net, bool up);

/* The virtio-net behind @nc (a port's peer), or NULL if it is none. */
VirtIONet *nswitch_function_net(NetClientState *nc);

/* The MAC the function's guest uses now (control queue included). */
const uint8_t *nswitch_function_mac(VirtIONet *net);

/* The administrator's MAC: the guest reads it at its driver's next probe. */
void nswitch_function_set_mac(VirtIONet *net, const uint8_t *mac);

/* Whether the function's running driver asked for frames to any MAC. */
bool nswitch_function_promiscuous(VirtIONet *net);

/*
 * Whether the function's guest subscribed to multicast group @mac; a
 * driver that cannot subscribe (no control queue RX commands) gets all.
 */
bool nswitch_function_subscribed(VirtIONet *net, const uint8_t *mac);

/*
 * Where the guest's receive queue stands. It moves when virtio-net takes
 * a frame into the guest's buffers, and only then: a frame it filtered
 * out or could not fit leaves it where it was.
 */
unsigned int nswitch_function_rx_position(VirtIONet *net);

#endif
