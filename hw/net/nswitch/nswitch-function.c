/*
 * nswitch-nic: what the card needs of a function's virtio-net
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "net/eth.h"
#include "net/net.h"
#include "qapi/error.h"
#include "standard-headers/linux/virtio_config.h"
#include "nswitch-function.h"

/* The queues of virtio-net's first (and, here, only) queue pair. */
#define RX_QUEUE_INDEX 0
#define TX_QUEUE_INDEX 1

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

void nswitch_function_serve_tx(VirtIONet *net, VirtIOHandleOutput handler)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(net);
    int size = virtio_queue_get_num(vdev, TX_QUEUE_INDEX);
    VirtQueue *vq;

    /*
     * virtio-net keeps no other hold on the queue than its pointer:
     * virtio reuses the slot it frees, at the same address.
     */
    virtio_del_queue(vdev, TX_QUEUE_INDEX);
    vq = virtio_add_queue(vdev, size, handler);
    assert(vq == net->vqs[0].tx_vq);
}

VirtQueue *nswitch_function_tx_queue(VirtIONet *net)
{
    return net->vqs[0].tx_vq;
}

VirtQueue *nswitch_function_rx_queue(VirtIONet *net)
{
    return net->vqs[0].rx_vq;
}

bool nswitch_function_link_up(VirtIONet *net)
{
    return net->status & VIRTIO_NET_S_LINK_UP;
}

size_t nswitch_function_header_len(VirtIONet *net)
{
    return net->guest_hdr_len;
}

bool nswitch_function_mergeable(VirtIONet *net)
{
    return net->mergeable_rx_bufs;
}

/*
 * virtio-net computes the UDP checksum of a DHCP reply that asks for
 * checksum offload, for guests whose dhclient does not (it reads bytes
 * up to the UDP source port).
 */
static bool fixes_dhcp_reply(const struct virtio_net_hdr *hdr,
                             const uint8_t *head, size_t head_len,
                             size_t frame_len)
{
    return (hdr->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
           frame_len < 1500 &&
           head_len >= NSWITCH_FUNCTION_PLAIN_HEAD &&
           head[12] == 0x08 && head[13] == 0x00 && head[23] == 17 &&
           head[34] == 0 && head[35] == 67;
}

bool nswitch_function_takes_plainly(VirtIONet *net, size_t hdr_len,
                                    const struct virtio_net_hdr *hdr,
                                    const uint8_t *head, size_t head_len,
                                    size_t frame_len)
{
    static const uint8_t vlan[] = { 0x81, 0x00 };

    if (!net->has_vnet_hdr || net->host_hdr_len != hdr_len ||
        net->guest_hdr_len != hdr_len || net->needs_vnet_hdr_swap ||
        net->rss_data.enabled || net->rss_data.populate_hash ||
        net->rsc4_enabled || net->rsc6_enabled ||
        /* a packed ring rewinds one descriptor per element it gives back */
        virtio_vdev_has_feature(VIRTIO_DEVICE(net), VIRTIO_F_RING_PACKED) ||
        head_len < ETH_HLEN || fixes_dhcp_reply(hdr, head, head_len,
                                                frame_len)) {
        return false;
    }
    if (net->promisc) {
        return true;
    }
    return !net->nouni && !(head[0] & 1) &&
           !memcmp(head, net->mac, ETH_ALEN) &&
           memcmp(head + 2 * ETH_ALEN, vlan, sizeof(vlan));
}
