/*
 * nswitch-nic qtests: Ethernet, IPv4/IPv6, TCP and ARP frames to send
 * through the card, and checks of what comes out
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef NSWITCH_QTEST_FRAMES_H
#define NSWITCH_QTEST_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETH_HEADER_LEN 14
#define VLAN_TAG_LEN 4
#define IPV4_HEADER_LEN 20
#define IPV6_HEADER_LEN 40
#define TCP_HEADER_LEN 20
#define TCP_SEQUENCE 0x10000000u

/* slirp's default network (-netdev user) */
#define SLIRP_GUEST_IP 0x0a00020fu      /* 10.0.2.15 */
#define SLIRP_GATEWAY_IP 0x0a000202u    /* 10.0.2.2 */

/*
 * An IPv4 (IPv6) TCP frame with @payload bytes of payload, each
 * (@seed + its offset) & 0xff, and a valid IP header checksum; returns
 * its length.
 */
size_t tcp4_frame(uint8_t *frame, const uint8_t *dst, const uint8_t *src,
                  size_t payload, uint8_t seed);
size_t tcp6_frame(uint8_t *frame, const uint8_t *dst, const uint8_t *src,
                  size_t payload, uint8_t seed);

/*
 * @segment is the TCP/IPv4 segment of @original (a tcp4_frame) that
 * carries its payload from @offset, @payload bytes: MACs, lengths,
 * sequence number, both checksums and the bytes themselves.
 */
void assert_tcp4_segment(const uint8_t *segment, size_t len,
                         const uint8_t *original, size_t offset,
                         size_t payload);

/* A broadcast ARP request (60 bytes) from @src_mac / @sender_ip. */
void arp_request_frame(uint8_t *frame, const uint8_t *src_mac,
                       uint32_t sender_ip, uint32_t target_ip);

/* @frame is an ARP reply to @dst_mac from @sender_ip to @target_ip. */
void assert_arp_reply(const uint8_t *frame, size_t len,
                      const uint8_t *dst_mac, uint32_t sender_ip,
                      uint32_t target_ip);

/* The Internet checksum of @len bytes, folded, from a partial @sum. */
uint16_t internet_checksum(const uint8_t *bytes, size_t len, uint32_t sum);

#endif
