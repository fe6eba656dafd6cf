/*
 * nswitch core: the headers of a frame as the card reads them
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "hw/net/nswitch/frame.h"

#define IPV4_MIN_HEADER_LEN 20
#define IPV6_HEADER_LEN 40
#define TCP_MIN_HEADER_LEN 20
#define IP_PROTOCOL_TCP 6
#define IPV4_FRAGMENT_BITS 0x3fff    /* more-fragments flag and offset */
#define IP_MAX_DATAGRAM 65535

static uint16_t read_be16(const uint8_t *bytes)
{
    return bytes[0] << 8 | bytes[1];
}

NSwitchL2Status nswitch_parse_l2(const uint8_t *head, size_t head_len,
                                 size_t len, NSwitchL2Header *l2)
{
    size_t readable = head_len < len ? head_len : len;
    size_t at = 2 * 6;
    uint16_t ethertype;

    *l2 = (NSwitchL2Header) { 0 };
    if (readable < NSWITCH_ETH_HEADER_LEN) {
        return NSWITCH_L2_RUNT;
    }
    ethertype = read_be16(head + at);
    while (nswitch_is_vlan_tpid(ethertype)) {
        uint16_t tci;

        if (l2->tags == NSWITCH_MAX_VLAN_TAGS) {
            return NSWITCH_L2_TOO_MANY_TAGS;
        }
        if (readable < at + 2 + NSWITCH_VLAN_TAG_LEN) {
            return NSWITCH_L2_RUNT;
        }
        tci = read_be16(head + at + 2);
        if (!l2->tags) {
            l2->outer_tpid = ethertype;
            l2->vlan = tci & 0xfff;
            l2->priority = tci >> 13;
        }
        l2->tags++;
        at += NSWITCH_VLAN_TAG_LEN;
        ethertype = read_be16(head + at);
    }
    l2->ethertype = ethertype;
    l2->len = at + 2;
    return NSWITCH_L2_OK;
}

/*
 * QEMU's software segmentation reads no tag, one 802.1Q tag, or an
 * 802.1ad tag followed by an 802.1Q one: a TSO frame must be one of them.
 */
static bool segmentable_tags(const uint8_t *head, const NSwitchL2Header *l2)
{
    switch (l2->tags) {
    case 0:
        return true;
    case 1:
        return l2->outer_tpid == NSWITCH_ETHERTYPE_VLAN;
    case 2:
        return l2->outer_tpid == NSWITCH_ETHERTYPE_QINQ &&
               read_be16(head + NSWITCH_ETH_HEADER_LEN + 2) ==
               NSWITCH_ETHERTYPE_VLAN;
    default:
        return false;
    }
}

/* Length of the IP header at @ip that carries TCP, or 0 if it does not. */
static size_t tcp_ip_header_len(const uint8_t *ip, size_t avail,
                                uint8_t gso_type)
{
    size_t len;

    if (gso_type == NSWITCH_GSO_TCPV4) {
        if (avail < IPV4_MIN_HEADER_LEN || ip[0] >> 4 != 4) {
            return 0;
        }
        len = (ip[0] & 0xf) * 4;
        if (len < IPV4_MIN_HEADER_LEN || len > avail ||
            ip[9] != IP_PROTOCOL_TCP ||
            (read_be16(ip + 6) & IPV4_FRAGMENT_BITS)) {
            return 0;
        }
        return len;
    }
    /* IPv6 without extension headers: TCP right after the fixed header */
    if (avail < IPV6_HEADER_LEN || ip[0] >> 4 != 6 ||
        ip[6] != IP_PROTOCOL_TCP) {
        return 0;
    }
    return IPV6_HEADER_LEN;
}

static bool check_segmentation(NSwitchOffload *req, const uint8_t *head,
                               size_t readable, size_t len)
{
    uint8_t gso_type = req->gso_type & ~NSWITCH_GSO_ECN;
    NSwitchL2Header l2;
    size_t l3_len, l4_len, headers, datagram;

    if ((gso_type != NSWITCH_GSO_TCPV4 && gso_type != NSWITCH_GSO_TCPV6) ||
        !req->gso_size ||
        nswitch_parse_l2(head, readable, len, &l2) != NSWITCH_L2_OK ||
        !segmentable_tags(head, &l2) ||
        l2.ethertype != (gso_type == NSWITCH_GSO_TCPV4
                         ? NSWITCH_ETHERTYPE_IPV4 : NSWITCH_ETHERTYPE_IPV6)) {
        return false;
    }
    l3_len = tcp_ip_header_len(head + l2.len, readable - l2.len, gso_type);
    if (!l3_len || readable < l2.len + l3_len + TCP_MIN_HEADER_LEN) {
        return false;
    }
    l4_len = (head[l2.len + l3_len + 12] >> 4) * 4;
    headers = l2.len + l3_len + l4_len;
    if (l4_len < TCP_MIN_HEADER_LEN || headers > readable || headers >= len) {
        return false;
    }
    /* Each segment's IP datagram must fit its 16-bit length field. */
    datagram = len - l2.len - (gso_type == NSWITCH_GSO_TCPV6 ? l3_len : 0);
    if (datagram > IP_MAX_DATAGRAM) {
        return false;
    }
    req->hdr_len = headers;
    req->flags |= NSWITCH_OFFLOAD_NEEDS_CSUM;
    req->csum_start = l2.len + l3_len;
    req->csum_offset = NSWITCH_TCP_CSUM_OFFSET;
    return true;
}

bool nswitch_offload_check(NSwitchOffload *req, const uint8_t *head,
                           size_t head_len, size_t len)
{
    size_t readable = head_len < len ? head_len : len;

    req->flags &= NSWITCH_OFFLOAD_NEEDS_CSUM | NSWITCH_OFFLOAD_DATA_VALID;
    if (req->gso_type != NSWITCH_GSO_NONE) {
        return check_segmentation(req, head, readable, len);
    }
    req->hdr_len = 0;
    req->gso_size = 0;
    if (!(req->flags & NSWITCH_OFFLOAD_NEEDS_CSUM)) {
        return true;
    }
    /*
     * The checksum goes in the frame, after the Ethernet header, and in
     * its head: software checksumming writes it into a copy of the head,
     * never into the sender's buffer that other receivers read.
     */
    return req->csum_start >= NSWITCH_ETH_HEADER_LEN &&
           (size_t)req->csum_start + req->csum_offset + 2 <= readable;
}
