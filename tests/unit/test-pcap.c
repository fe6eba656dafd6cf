/*
 * Unit tests for the pcap headers, byte by byte against the format.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hw/net/nswitch/pcap.h"

static void test_file_header(void **state)
{
    static const uint8_t expected[NSWITCH_PCAP_FILE_HEADER_LEN] = {
        0xd4, 0xc3, 0xb2, 0xa1,     /* magic, little-endian */
        0x02, 0x00, 0x04, 0x00,     /* version 2.4 */
        0, 0, 0, 0, 0, 0, 0, 0,     /* zone, accuracy */
        0xff, 0xff, 0x00, 0x00,     /* snaplen 65535 */
        0x01, 0x00, 0x00, 0x00,     /* LINKTYPE_ETHERNET */
    };
    uint8_t header[NSWITCH_PCAP_FILE_HEADER_LEN];

    (void)state;
    nswitch_pcap_file_header(header, 65535);
    assert_memory_equal(header, expected, sizeof(expected));
}

static void test_record_header(void **state)
{
    static const uint8_t expected[NSWITCH_PCAP_RECORD_HEADER_LEN] = {
        0x0a, 0x00, 0x00, 0x00,     /* 10 s */
        0x40, 0xe2, 0x01, 0x00,     /* 123456 us */
        0x3c, 0x00, 0x00, 0x00,     /* 60 captured */
        0xea, 0x05, 0x00, 0x00,     /* of 1514 */
    };
    uint8_t header[NSWITCH_PCAP_RECORD_HEADER_LEN];

    (void)state;
    nswitch_pcap_record_header(header, 10123456789ull, 60, 1514);
    assert_memory_equal(header, expected, sizeof(expected));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_header),
        cmocka_unit_test(test_record_header),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
