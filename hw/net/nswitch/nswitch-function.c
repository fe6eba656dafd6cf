/*
 * nswitch-nic: what the card needs of a function's virtio-net
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "net/net.h"
#include "qapi/error.h"
#include "standard-headers/linux/virtio_config.h"
#include "nswitch-function.h"

/* The receive queue of virtio-net's first (and, here, only) queue pair. */
#define RX_QUEUE_INDEX 0

void nswitch_function_connect(VirtIONet *net, NetClientState *peer)
{
    net->nic_conf.peers.ncs[0] = peer;
    net->nic_conf.peers.queues = 1;
}

bool nswitch_function_user_netdev(VirtIONet *net, NetClientState **netdev,
                                  Error **errp)
{
    if (net->nic_conf.peers.queues > 1) {
        error_setg(errp, "Property 'netdev' names a multiqueue netdev; the "
                   "uplink takes a single-queue one");
        return false;
    }
    *netdev = net->nic_conf.peers.ncs[0];
    return true;
}

void nswitch_function_default_mac(VirtIONet *net, const MACAddr *mac)
{
    static const MACAddr unset;

    if (!memcmp(&net->nic_conf.macaddr, &unset, sizeof(unset))) {
        net->nic_conf.macaddr = *mac;
    }
}

void nswitch_function_offer_sr_iov(VirtIONet *net)
{
    VIRTIO_DEVICE(net)->host_features |= 1ULL << VIRTIO_F_SR_IOV;
}

void nswitch_function_set_link(VirtIONet *net, bool up)
{
    NetClientState *nc = qemu_get_queue(net->nic);

    if (nc->link_down == !up) {
        return;
    }
    /* What set_link does: the guest sees the virtio-net status. */
    nc->link_down = !up;
    if (nc->info->link_status_changed) {
        nc->info->link_status_changed(nc);
    }
}

VirtIONet *nswitch_function_net(NetClientState *nc)
{
    return nc && nc->info->type == NET_CLIENT_DRIVER_NIC
           ? qemu_get_nic_opaque(nc) : NULL;
}

const uint8_t *nswitch_function_mac(VirtIONet *net)
{
    return net->mac;
}

void nswitch_function_set_mac(VirtIONet *net, const uint8_t *mac)
{
    /* virtio-net takes the MAC back from its conf on every reset. */
    memcpy(net->nic_conf.macaddr.a, mac, ETH_ALEN);
    memcpy(net->mac, mac, ETH_ALEN);
    qemu_format_nic_info_str(qemu_get_queue(net->nic), net->mac);
}

/*
 * virtio-net starts promiscuous for drivers without a control queue; a
 * function counts as promiscuous only once its driver runs.
 */
bool nswitch_function_promiscuous(VirtIONet *net)
{
    return net->promisc &&
           (VIRTIO_DEVICE(net)->status & VIRTIO_CONFIG_S_DRIVER_OK);
}

/* Only the multicast list: all-multicast is what trust would allow. */
bool nswitch_function_subscribed(VirtIONet *net, const uint8_t *mac)
{
    if (!virtio_vdev_has_feature(VIRTIO_DEVICE(net), VIRTIO_NET_F_CTRL_RX)) {
        return true;
    }
    for (int i = net->mac_table.first_multi; i < net->mac_table.in_use; i++) {
        if (!memcmp(net->mac_table.macs + i * ETH_ALEN, mac, ETH_ALEN)) {
            return true;
        }
    }
    return false;
}

unsigned int nswitch_function_rx_position(VirtIONet *net)
{
    return virtio_queue_get_last_avail_idx(VIRTIO_DEVICE(net),
                                           RX_QUEUE_INDEX);
}
