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

/*
 * The card serves the function's transmit queue with @handler in place
 * of virtio-net's bottom half (see nswitch-direct.c). Before the guest
 * can use the queue: once the function realized.
 */
void nswitch_function_serve_tx(VirtIONet *net, VirtIOHandleOutput handler);

VirtQueue *nswitch_function_tx_queue(VirtIONet *net);
VirtQueue *nswitch_function_rx_queue(VirtIONet *net);

/* Whether the link the function's guest sees is up. */
bool nswitch_function_link_up(VirtIONet *net);

/* The virtio-net header on the function's buffers, in bytes. */
size_t nswitch_function_header_len(VirtIONet *net);

/* Whether a frame may span several of the guest's receive buffers. */
bool nswitch_function_mergeable(VirtIONet *net);

/*
 * Whether virtio-net's receive would take a frame and do nothing to it
 * but copy it behind its header @hdr (@hdr_len bytes on the wire between
 * port and function): to its own MAC or promiscuous, with no VLAN tag to
 * filter, no RSS, no coalescing, no header to swap or to give a hash,
 * no DHCP reply whose checksum it fills in, and a split ring. @head
 * holds the frame's first @head_len bytes (all, or at least
 * NSWITCH_FUNCTION_PLAIN_HEAD), of @frame_len.
 */
#define NSWITCH_FUNCTION_PLAIN_HEAD 36
bool nswitch_function_takes_plainly(VirtIONet *net, size_t hdr_len,
                                    const struct virtio_net_hdr *hdr,
                                    const uint8_t *head, size_t head_len,
                                    size_t frame_len);

#endif
