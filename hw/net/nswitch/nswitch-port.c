/*
 * nswitch-nic: switch ports, the net clients between the card's switch
 * and its functions' virtio-net devices or the uplink backend
 *
 * A function port tells its virtio-net peer that it takes virtio-net
 * headers of any length virtio-net uses, so GSO frames and checksum
 * offload cross the switch whole; it records which offloads the peer's
 * guest accepts, so that the datapath segments in software only where a
 * receiver needs it.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/iov.h"
#include "standard-headers/linux/virtio_net.h"
#include "nswitch-datapath.h"
#include "trace.h"

static NSwitchPort *port_of(NetClientState *nc)
{
    return container_of(nc, NSwitchPort, nc);
}

static ssize_t nswitch_port_receive_iov(NetClientState *nc,
                                        const struct iovec *iov, int iovcnt)
{
    NSwitchPort *port = port_of(nc);

    nswitch_datapath_forward(port->card, port, iov, iovcnt);
    return iov_size(iov, iovcnt);
}

static ssize_t nswitch_port_receive(NetClientState *nc, const uint8_t *buf,
                                    size_t size)
{
    const struct iovec iov = { .iov_base = (void *)buf, .iov_len = size };

    return nswitch_port_receive_iov(nc, &iov, 1);
}

static bool nswitch_port_has_vnet_hdr(NetClientState *nc)
{
    return true;
}

static bool nswitch_port_has_vnet_hdr_len(NetClientState *nc, int len)
{
    return len >= sizeof(struct virtio_net_hdr) &&
           len <= sizeof(struct virtio_net_hdr_v1_hash);
}

static void nswitch_port_set_vnet_hdr_len(NetClientState *nc, int len)
{
    port_of(nc)->vnet_hdr_len = len;
}

static void nswitch_port_set_offload(NetClientState *nc, int csum, int tso4,
                                     int tso6, int ecn, int ufo, int uso4,
                                     int uso6)
{
    NSwitchPort *port = port_of(nc);

    port->peer_accepts = (NSwitchPortOffloads) {
        .csum = csum, .tso4 = tso4, .tso6 = tso6, .ecn = ecn,
    };
    trace_nswitch_port_set_offload(nc->name, csum, tso4, tso6, ecn);
}

static NetClientInfo nswitch_function_port_info = {
    .type = NET_CLIENT_DRIVER_NONE,
    .size = sizeof(NSwitchPort),
    .receive = nswitch_port_receive,
    .receive_iov = nswitch_port_receive_iov,
    .has_vnet_hdr = nswitch_port_has_vnet_hdr,
    .has_vnet_hdr_len = nswitch_port_has_vnet_hdr_len,
    .set_vnet_hdr_len = nswitch_port_set_vnet_hdr_len,
    .set_offload = nswitch_port_set_offload,
};

static NetClientInfo nswitch_uplink_port_info = {
    .type = NET_CLIENT_DRIVER_NONE,
    .size = sizeof(NSwitchPort),
    .receive = nswitch_port_receive,
    .receive_iov = nswitch_port_receive_iov,
};

static NSwitchPort *port_new(NetClientInfo *info, NSwitchNic *card,
                             uint32_t number, NetClientState *peer,
                             const char *name)
{
    NetClientState *nc = qemu_new_net_client(info, peer, TYPE_NSWITCH_NIC,
                                             name);
    NSwitchPort *port = port_of(nc);

    port->card = card;
    port->number = number;
    port->purge_reason = NSWITCH_DROP_PORT_DOWN;
    return port;
}

NSwitchPort *nswitch_port_new_function(NSwitchNic *card, uint32_t number,
                                       const char *name)
{
    NSwitchPort *port = port_new(&nswitch_function_port_info, card, number,
                                 NULL, name);

    /* virtio-net's header until it tells us the length it settled on */
    port->vnet_hdr_len = sizeof(struct virtio_net_hdr);
    qemu_set_info_str(&port->nc, "nswitch-nic function port %u", number);
    return port;
}

NSwitchPort *nswitch_port_new_uplink(NSwitchNic *card, uint32_t number,
                                     NetClientState *backend,
                                     const char *name)
{
    NSwitchPort *port = port_new(&nswitch_uplink_port_info, card, number,
                                 backend, name);

    port->is_uplink = true;
    if (qemu_has_vnet_hdr(backend)) {
        /* A tap with vnet_hdr: GSO and checksum offload in both ways. */
        qemu_set_vnet_hdr_len(backend, sizeof(struct virtio_net_hdr));
        qemu_set_offload(backend, 1, 1, 1, 1, 0, 0, 0);
        port->vnet_hdr_len = sizeof(struct virtio_net_hdr);
        port->peer_accepts = (NSwitchPortOffloads) {
            .csum = true, .tso4 = true, .tso6 = true, .ecn = true,
        };
    }
    qemu_set_info_str(&port->nc, "nswitch-nic uplink%s",
                      port->vnet_hdr_len ? " (vnet-hdr)" : "");
    return port;
}

void nswitch_port_delete(NSwitchPort *port)
{
    if (port) {
        qemu_del_net_client(&port->nc);
    }
}

void nswitch_port_purge(NSwitchPort *port)
{
    qemu_purge_queued_packets(&port->nc);
}
