/*
 * nswitch-nic qtests: frames to send through the card, and checks of
 * what comes out
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "nswitch/frames.h"

static void put16(uint8_t *at, uint16_t value)
{
    at[0] = value >> 8;
    at[1] = value;
}

static void put32(uint8_t *at, uint32_t value)
{
    put16(at, value >> 16);
    put16(at + 2, value);
}

static uint16_t get16(const uint8_t *at)
{
    return at[0] << 8 | at[1];
}

static uint32_t get32(const uint8_t *at)
{
    return (uint32_t)get16(at) << 16 | get16(at + 2);
}

uint16_t internet_checksum(const uint8_t *bytes, size_t len, uint32_t sum)
{
    for (size_t i = 0; i + 1 < len; i += 2) {
        sum += get16(bytes + i);
    }
    if (len & 1) {
        sum += bytes[len - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return ~sum & 0xffff;
}

static size_t ethernet(uint8_t *frame, const uint8_t *dst, const uint8_t *src,
                       uint16_t ethertype)
{
    memcpy(frame, dst, 6);
    memcpy(frame + 6, src, 6);
    put16(frame + 12, ethertype);
    return ETH_HEADER_LEN;
}

static void tcp_header(uint8_t *tcp, size_t payload, uint8_t seed)
{
    memset(tcp, 0, TCP_HEADER_LEN);
    put16(tcp, 40000);
    put16(tcp + 2, 5201);
    put32(tcp + 4, TCP_SEQUENCE);
    tcp[12] = (TCP_HEADER_LEN / 4) << 4;
    tcp[13] = 0x18;                 /* PSH, ACK */
    put16(tcp + 14, 65535);
    for (size_t i = 0; i < payload; i++) {
        tcp[TCP_HEADER_LEN + i] = seed + i;
    }
}

size_t tcp4_frame(uint8_t *frame, const uint8_t *dst, const uint8_t *src,
                  size_t payload, uint8_t seed)
{
    uint8_t *ip = frame + ethernet(frame, dst, src, 0x0800);

    memset(ip, 0, IPV4_HEADER_LEN);
    ip[0] = 0x45;
    put16(ip + 2, IPV4_HEADER_LEN + TCP_HEADER_LEN + payload);
    put16(ip + 4, 0x1234);
    ip[8] = 64;
    ip[9] = 6;
    put32(ip + 12, 0x0a000001);
    put32(ip + 16, 0x0a000002);
    put16(ip + 10, internet_checksum(ip, IPV4_HEADER_LEN, 0));
    tcp_header(ip + IPV4_HEADER_LEN, payload, seed);
    return ETH_HEADER_LEN + IPV4_HEADER_LEN + TCP_HEADER_LEN + payload;
}

size_t tcp6_frame(uint8_t *frame, const uint8_t *dst, const uint8_t *src,
                  size_t payload, uint8_t seed)
{
    uint8_t *ip = frame + ethernet(frame, dst, src, 0x86dd);

    memset(ip, 0, IPV6_HEADER_LEN);
    ip[0] = 0x60;
    put16(ip + 4, TCP_HEADER_LEN + payload);
    ip[6] = 6;
    ip[7] = 64;
    ip[8] = 0xfd;
    ip[23] = 1;
    ip[24] = 0xfd;
    ip[39] = 2;
    tcp_header(ip + IPV6_HEADER_LEN, payload, seed);
    return ETH_HEADER_LEN + IPV6_HEADER_LEN + TCP_HEADER_LEN + payload;
}

void assert_tcp4_segment(const uint8_t *segment, size_t len,
                         const uint8_t *original, size_t offset,
                         size_t payload)
{
    const uint8_t *ip = segment + ETH_HEADER_LEN;
    const uint8_t *tcp = ip + IPV4_HEADER_LEN;
    const uint8_t *data = original + ETH_HEADER_LEN + IPV4_HEADER_LEN +
                          TCP_HEADER_LEN + offset;
    uint32_t pseudo;

    g_assert_cmpuint(len, ==, ETH_HEADER_LEN + IPV4_HEADER_LEN +
                     TCP_HEADER_LEN + payload);
    g_assert_cmpmem(segment, 14, original, 14);
    g_assert_cmphex(ip[0], ==, 0x45);
    g_assert_cmpuint(get16(ip + 2), ==,
                     IPV4_HEADER_LEN + TCP_HEADER_LEN + payload);
    g_assert_cmphex(internet_checksum(ip, IPV4_HEADER_LEN, 0), ==, 0);
    g_assert_cmphex(get32(tcp + 4), ==, TCP_SEQUENCE + offset);
    pseudo = get16(ip + 12) + get16(ip + 14) + get16(ip + 16) +
             get16(ip + 18) + 6 + TCP_HEADER_LEN + payload;
    g_assert_cmphex(internet_checksum(tcp, TCP_HEADER_LEN + payload, pseudo),
                    ==, 0);
    g_assert_cmpmem(tcp + TCP_HEADER_LEN, payload, data, payload);
}

static uint8_t *arp_body(uint8_t *frame, const uint8_t *dst,
                         const uint8_t *src, uint16_t op)
{
    uint8_t *arp = frame + ethernet(frame, dst, src, 0x0806);

    put16(arp, 1);
    put16(arp + 2, 0x0800);
    arp[4] = 6;
    arp[5] = 4;
    put16(arp + 6, op);
    return arp;
}

void arp_request_frame(uint8_t *frame, const uint8_t *src_mac,
                       uint32_t sender_ip, uint32_t target_ip)
{
    static const uint8_t broadcast[6] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff
    };
    uint8_t *arp;

    memset(frame, 0, 60);
    arp = arp_body(frame, broadcast, src_mac, 1);
    memcpy(arp + 8, src_mac, 6);
    put32(arp + 14, sender_ip);
    put32(arp + 24, target_ip);
}

void assert_arp_reply(const uint8_t *frame, size_t len,
                      const uint8_t *dst_mac, uint32_t sender_ip,
                      uint32_t target_ip)
{
    const uint8_t *arp = frame + ETH_HEADER_LEN;

    g_assert_cmpuint(len, >=, ETH_HEADER_LEN + 28);
    g_assert_cmpmem(frame, 6, dst_mac, 6);
    g_assert_cmphex(get16(frame + 12), ==, 0x0806);
    g_assert_cmphex(get16(arp + 6), ==, 2);
    g_assert_cmpmem(arp + 8, 6, frame + 6, 6);
    g_assert_cmphex(get32(arp + 14), ==, sender_ip);
    g_assert_cmpmem(arp + 18, 6, dst_mac, 6);
    g_assert_cmphex(get32(arp + 24), ==, target_ip);
}
