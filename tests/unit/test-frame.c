/*
 * Unit tests for the core's frame headers: VLAN tags and offload requests
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hw/net/nswitch/frame.h"

typedef struct TestFrame {
    uint8_t bytes[512];
    size_t len;
    size_t l3;              /* offset of the IP header */
} TestFrame;

static void put16(uint8_t *at, uint16_t value)
{
    at[0] = value >> 8;
    at[1] = value;
}

/* Destination and source MACs, then @tags (TPID, TCI pairs), then @type. */
static TestFrame ethernet(const uint16_t *tags, int count, uint16_t type)
{
    TestFrame f = { .len = 12 };

    memset(f.bytes, 0x02, 12);
    for (int i = 0; i < count; i++) {
        put16(f.bytes + f.len, tags[2 * i]);
        put16(f.bytes + f.len + 2, tags[2 * i + 1]);
        f.len += 4;
    }
    put16(f.bytes + f.len, type);
    f.len += 2;
    f.l3 = f.len;
    return f;
}

/* TCP over IPv4 (IHL @ihl words, TCP data offset @doff words), payload. */
static TestFrame tcp4(const uint16_t *tags, int count, int ihl, int doff,
                      size_t payload)
{
    TestFrame f = ethernet(tags, count, NSWITCH_ETHERTYPE_IPV4);
    uint8_t *ip = f.bytes + f.l3;

    ip[0] = 0x40 | ihl;
    ip[9] = 6;
    ip[ihl * 4 + 12] = doff << 4;
    f.len += ihl * 4 + doff * 4 + payload;
    return f;
}

static TestFrame tcp6(size_t payload)
{
    TestFrame f = ethernet(NULL, 0, NSWITCH_ETHERTYPE_IPV6);
    uint8_t *ip = f.bytes + f.l3;

    ip[0] = 0x60;
    ip[6] = 6;
    ip[40 + 12] = 5 << 4;
    f.len += 40 + 20 + payload;
    return f;
}

static NSwitchOffload tso(uint8_t type, uint16_t hint)
{
    return (NSwitchOffload) {
        .flags = NSWITCH_OFFLOAD_NEEDS_CSUM, .gso_type = type,
        .gso_size = 1448, .hdr_len = hint,
    };
}

static bool check(NSwitchOffload *req, const TestFrame *f)
{
    return nswitch_offload_check(req, f->bytes, sizeof(f->bytes), f->len);
}

static void test_untagged_and_stacked_tags(void **state)
{
    const uint16_t qinq[] = { 0x88a8, 0x2005, 0x8100, 0x0007 };
    const uint16_t old_qinq[] = { 0x9100, 0x0009 };
    NSwitchL2Header l2;
    TestFrame f;

    (void)state;
    f = ethernet(NULL, 0, 0x0806);
    assert_int_equal(nswitch_parse_l2(f.bytes, f.len, 60, &l2),
                     NSWITCH_L2_OK);
    assert_int_equal(l2.tags, 0);
    assert_int_equal(l2.ethertype, 0x0806);
    assert_int_equal(l2.len, 14);

    /* 802.1ad: the outer tag is the frame's VLAN, the type after both */
    f = ethernet(qinq, 2, 0x0806);
    assert_int_equal(nswitch_parse_l2(f.bytes, f.len, 60, &l2),
                     NSWITCH_L2_OK);
    assert_int_equal(l2.tags, 2);
    assert_int_equal(l2.outer_tpid, 0x88a8);
    assert_int_equal(l2.vlan, 5);
    assert_int_equal(l2.priority, 1);
    assert_int_equal(l2.ethertype, 0x0806);
    assert_int_equal(l2.len, 22);

    f = ethernet(old_qinq, 1, 0x0800);
    assert_int_equal(nswitch_parse_l2(f.bytes, f.len, 60, &l2),
                     NSWITCH_L2_OK);
    assert_int_equal(l2.outer_tpid, 0x9100);
    assert_int_equal(l2.vlan, 9);
}

static void test_too_many_tags_and_runts(void **state)
{
    const uint16_t five[] = { 0x8100, 1, 0x8100, 2, 0x8100, 3, 0x8100, 4,
                              0x8100, 5 };
    NSwitchL2Header l2;
    TestFrame f;

    (void)state;
    f = ethernet(five, 4, 0x0800);
    assert_int_equal(nswitch_parse_l2(f.bytes, f.len, 60, &l2),
                     NSWITCH_L2_OK);
    f = ethernet(five, 5, 0x0800);
    assert_int_equal(nswitch_parse_l2(f.bytes, f.len, 60, &l2),
                     NSWITCH_L2_TOO_MANY_TAGS);
    f = ethernet(five, 1, 0x0800);
    assert_int_equal(nswitch_parse_l2(f.bytes, f.len, 13, &l2),
                     NSWITCH_L2_RUNT);
    /* a tag whose ethertype is cut off */
    assert_int_equal(nswitch_parse_l2(f.bytes, f.len, 17, &l2),
                     NSWITCH_L2_RUNT);
    /* the head given, not the frame's length, bounds the reading */
    assert_int_equal(nswitch_parse_l2(f.bytes, 16, 60, &l2), NSWITCH_L2_RUNT);
}

static void test_header_length_comes_from_the_frame(void **state)
{
    const uint16_t hints[] = { 0, 20, 34, 40, 54, 60, 65535 };
    TestFrame f = tcp4(NULL, 0, 5, 5, 1000);

    (void)state;
    for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
        NSwitchOffload req = tso(NSWITCH_GSO_TCPV4, hints[i]);

        assert_true(check(&req, &f));
        assert_int_equal(req.hdr_len, 54);
        assert_int_equal(req.csum_start, 34);
        assert_int_equal(req.csum_offset, 16);
    }
}

static void test_options_and_tags_lengthen_the_headers(void **state)
{
    const uint16_t one[] = { 0x8100, 10 };
    const uint16_t qinq[] = { 0x88a8, 10, 0x8100, 20 };
    const uint16_t cc[] = { 0x8100, 10, 0x8100, 20 };
    NSwitchOffload req = tso(NSWITCH_GSO_TCPV4, 0);
    TestFrame f = tcp4(one, 1, 6, 8, 100);

    (void)state;
    assert_true(check(&req, &f));
    assert_int_equal(req.hdr_len, 18 + 24 + 32);
    f = tcp4(qinq, 2, 5, 5, 100);
    req = tso(NSWITCH_GSO_TCPV4 | NSWITCH_GSO_ECN, 0);
    assert_true(check(&req, &f));
    assert_int_equal(req.hdr_len, 22 + 40);
    /* two C-tags: QEMU's software segmentation would misread them */
    f = tcp4(cc, 2, 5, 5, 100);
    req = tso(NSWITCH_GSO_TCPV4, 0);
    assert_false(check(&req, &f));
    f = tcp6(100);
    req = tso(NSWITCH_GSO_TCPV6, 0);
    assert_true(check(&req, &f));
    assert_int_equal(req.hdr_len, 74);
}

static void test_requests_the_card_cannot_carry_out(void **state)
{
    const uint8_t types[] = { 2, NSWITCH_GSO_UDP, 5, 0x7f, NSWITCH_GSO_ECN,
                              0xff };
    TestFrame f = tcp4(NULL, 0, 5, 5, 1000);
    TestFrame v6 = tcp6(1000);
    NSwitchOffload req;

    (void)state;
    for (size_t i = 0; i < sizeof(types); i++) {
        req = tso(types[i], 54);
        assert_false(check(&req, &f));
    }
    /* the type must match the frame */
    req = tso(NSWITCH_GSO_TCPV6 | NSWITCH_GSO_ECN, 54);
    assert_false(check(&req, &f));
    req = tso(NSWITCH_GSO_TCPV4, 74);
    assert_false(check(&req, &v6));
    /* no segment size */
    req = tso(NSWITCH_GSO_TCPV4, 54);
    req.gso_size = 0;
    assert_false(check(&req, &f));
}

static void test_malformed_headers_are_refused(void **state)
{
    NSwitchOffload req = tso(NSWITCH_GSO_TCPV4, 54);
    TestFrame f;

    (void)state;
    /* IHL below 5, TCP offset below 5 */
    f = tcp4(NULL, 0, 4, 5, 100);
    assert_false(check(&req, &f));
    f = tcp4(NULL, 0, 5, 4, 100);
    assert_false(check(&req, &f));
    /* not TCP; a fragment; no payload; the TCP header cut short */
    f = tcp4(NULL, 0, 5, 5, 100);
    f.bytes[f.l3 + 9] = 17;
    assert_false(check(&req, &f));
    f = tcp4(NULL, 0, 5, 5, 100);
    f.bytes[f.l3 + 6] = 0x20;
    assert_false(check(&req, &f));
    f = tcp4(NULL, 0, 5, 5, 0);
    assert_false(check(&req, &f));
    f = tcp4(NULL, 0, 5, 15, 0);
    f.len = 14 + 20 + 30;
    assert_false(check(&req, &f));
    /* headers beyond the head the card copied */
    f = tcp4(NULL, 0, 5, 5, 100);
    assert_false(nswitch_offload_check(&req, f.bytes, 50, f.len));
    /* a datagram over 64 KiB */
    f = tcp4(NULL, 0, 5, 5, 100);
    assert_false(nswitch_offload_check(&req, f.bytes, sizeof(f.bytes),
                                       14 + 65536));
    assert_true(nswitch_offload_check(&req, f.bytes, sizeof(f.bytes),
                                      14 + 65535));
}

static void test_checksum_request_must_lie_in_the_head(void **state)
{
    TestFrame f = tcp4(NULL, 0, 5, 5, 400);
    NSwitchOffload req = {
        .flags = NSWITCH_OFFLOAD_NEEDS_CSUM | 0x40, .csum_start = 34,
        .csum_offset = 16, .hdr_len = 99, .gso_size = 7,
    };

    (void)state;
    assert_true(nswitch_offload_check(&req, f.bytes, 256, f.len));
    /* flags the card does not know, and GSO fields without GSO, cleared */
    assert_int_equal(req.flags, NSWITCH_OFFLOAD_NEEDS_CSUM);
    assert_int_equal(req.hdr_len, 0);
    assert_int_equal(req.gso_size, 0);
    req.csum_start = 13;
    assert_false(nswitch_offload_check(&req, f.bytes, 256, f.len));
    req.csum_start = 300;
    assert_false(nswitch_offload_check(&req, f.bytes, 256, f.len));
    req.csum_start = 250;
    req.csum_offset = 6;
    assert_false(nswitch_offload_check(&req, f.bytes, 256, f.len));
    req.csum_offset = 4;
    assert_true(nswitch_offload_check(&req, f.bytes, 256, f.len));
    /* and inside a short frame */
    assert_false(nswitch_offload_check(&req, f.bytes, 256, 60));
    req = (NSwitchOffload) { 0 };
    assert_true(nswitch_offload_check(&req, f.bytes, 256, f.len));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_untagged_and_stacked_tags),
        cmocka_unit_test(test_too_many_tags_and_runts),
        cmocka_unit_test(test_header_length_comes_from_the_frame),
        cmocka_unit_test(test_options_and_tags_lengthen_the_headers),
        cmocka_unit_test(test_requests_the_card_cannot_carry_out),
        cmocka_unit_test(test_malformed_headers_are_refused),
        cmocka_unit_test(test_checksum_request_must_lie_in_the_head),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
