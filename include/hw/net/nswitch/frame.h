/*
 * nswitch core: the headers of a frame as the card reads them
 *
 * The card reads a frame's headers from its own copy of the frame's
 * first bytes (the head), never twice from the sender's buffers: what it
 * checked is what it delivers. Two readers: the Ethernet header with its
 * VLAN tags, which the switch's decision needs, and the offload request
 * of a frame's virtio-net header, which must match the frame before QEMU
 * segments or checksums it in software.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef NSWITCH_FRAME_H
#define NSWITCH_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NSWITCH_ETH_HEADER_LEN 14
#define NSWITCH_VLAN_TAG_LEN 4
/* Stacked tags beyond this are refused: no receiver would parse them. */
#define NSWITCH_MAX_VLAN_TAGS 4
#define NSWITCH_L2_HEADER_MAX \
    (NSWITCH_ETH_HEADER_LEN + NSWITCH_MAX_VLAN_TAGS * NSWITCH_VLAN_TAG_LEN)
/*
 * The bytes of each frame the card copies before it reads them: every
 * header it parses (L2 with tags, IPv4 with options, TCP with options)
 * fits, with room to spare.
 */
#define NSWITCH_FRAME_HEAD_LEN 256

#define NSWITCH_ETHERTYPE_VLAN 0x8100      /* 802.1Q C-tag */
#define NSWITCH_ETHERTYPE_QINQ 0x88a8      /* 802.1ad S-tag */
#define NSWITCH_ETHERTYPE_QINQ_OLD 0x9100  /* pre-standard S-tag */
#define NSWITCH_ETHERTYPE_IPV4 0x0800
#define NSWITCH_ETHERTYPE_IPV6 0x86dd

typedef enum NSwitchL2Status {
    NSWITCH_L2_OK,
    NSWITCH_L2_RUNT,             /* shorter than its header and tags */
    NSWITCH_L2_TOO_MANY_TAGS,    /* over NSWITCH_MAX_VLAN_TAGS */
} NSwitchL2Status;

/* The Ethernet header and VLAN tags of a frame. */
typedef struct NSwitchL2Header {
    uint8_t tags;                /* stacked VLAN tags */
    uint16_t outer_tpid;         /* the outer tag's type; 0 untagged */
    uint16_t vlan;               /* the outer tag's VID; 0 untagged */
    uint8_t priority;            /* the outer tag's 802.1p; 0 untagged */
    uint16_t ethertype;          /* after every tag */
    uint16_t len;                /* header and tags */
} NSwitchL2Header;

/*
 * Reads the Ethernet header and VLAN tags (TPID 0x8100, 0x88a8 or
 * 0x9100) of a frame of @len bytes whose first @head_len bytes are at
 * @head (at least min(@len, NSWITCH_L2_HEADER_MAX)).
 */
NSwitchL2Status nswitch_parse_l2(const uint8_t *head, size_t head_len,
                                 size_t len, NSwitchL2Header *l2);

/* Inline: the decision asks it of every frame. */
static inline bool nswitch_is_vlan_tpid(uint16_t ethertype)
{
    return ethertype == NSWITCH_ETHERTYPE_VLAN ||
           ethertype == NSWITCH_ETHERTYPE_QINQ ||
           ethertype == NSWITCH_ETHERTYPE_QINQ_OLD;
}

/*
 * A frame's offload request: the fields of its virtio-net header, in
 * host byte order, with the virtio specification's values.
 */
typedef struct NSwitchOffload {
    uint8_t flags;
    uint8_t gso_type;
    uint16_t hdr_len;
    uint16_t gso_size;
    uint16_t csum_start;
    uint16_t csum_offset;
} NSwitchOffload;

#define NSWITCH_OFFLOAD_NEEDS_CSUM 1
#define NSWITCH_OFFLOAD_DATA_VALID 2
#define NSWITCH_GSO_NONE 0
#define NSWITCH_GSO_TCPV4 1
#define NSWITCH_GSO_UDP 3
#define NSWITCH_GSO_TCPV6 4
#define NSWITCH_GSO_ECN 0x80
#define NSWITCH_TCP_CSUM_OFFSET 16

/*
 * Whether the card can carry out @req on the frame (@len bytes, the first
 * @head_len at @head): a checksum request must lie in the head, and
 * a segmentation request must be TCP over IPv4 or IPv6 (what the card
 * offers) and match the frame's own headers, which fit in the head.
 * On success @req is what the card delivers: its header length, and for
 * TCP segmentation its checksum position, taken from the frame (a
 * guest's hdr_len is only a hint); flags the card does not know cleared.
 */
bool nswitch_offload_check(NSwitchOffload *req, const uint8_t *head,
                           size_t head_len, size_t len);

#endif
